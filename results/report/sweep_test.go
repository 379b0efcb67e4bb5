package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sharebench/sharebench/results"
)

func sweepFile(rps float64) *results.File {
	return &results.File{
		Scenario: "s", Seeds: []uint64{1}, Order: []string{"sync"},
		Strategies: map[string]*results.Metrics{"sync": {
			Pages: map[string]*results.PageMetrics{"all": {Count: 1000, Availability: 1, Completeness: 1, LatencyMS: results.Summary{P50: 2, P99: 9}}},
			Owner: results.OwnerMetrics{RPS: rps},
		}},
	}
}

// TestWriteSweepReport: a row per cell and strategy with its values and
// sample count, the plots of the parameter that varies (not of the one
// held fixed), and the CSV linked; a malformed sweep is refused.
func TestWriteSweepReport(t *testing.T) {
	dir := t.TempDir()
	s := Sweep{
		Scenario: "s",
		Params:   []string{"population.with_clients", "seed"},
		Rows: []results.SweepRow{
			{Values: []string{"0.1", "7"}, File: sweepFile(100)},
			{Values: []string{"0.9", "7"}, File: sweepFile(900)},
		},
		CellDirs: []string{"cells/a", "cells/b"},
	}
	if err := WriteSweepReport(dir, s); err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(filepath.Join(dir, MarkdownFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"| [0.1](cells/a) | 7 | sync | 1000 |", "| [0.9](cells/b) | 7 | sync | 1000 |",
		"| 900 |", "owner.rps (req/s)", "[sweep.csv](sweep.csv)", "sweep-owner-rps.png", "2 cells; seeds per cell: 1",
	} {
		if !strings.Contains(string(md), want) {
			t.Errorf("sweep report.md lacks %q:\n%s", want, md)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "sweep-owner-rps.svg")); err != nil {
		t.Errorf("sweep report did not write its plots beside it: %v", err)
	}
	if html, err := os.ReadFile(filepath.Join(dir, HTMLFile)); err != nil || !strings.Contains(string(html), "data:image/png;base64,") {
		t.Errorf("sweep report.html = %v; want it with its plots embedded", err)
	}
	if err := WriteSweepReport(dir, Sweep{Scenario: "s"}); err == nil {
		t.Error("WriteSweepReport(no cells) = nil; want an error")
	}
	s.Rows[1].Values = []string{"0.9"}
	if err := WriteSweepReport(dir, s); err == nil {
		t.Error("WriteSweepReport(a cell with one value for two parameters) = nil; want an error")
	}
}

// TestSweepReportIntervals: the sweep table prints intervals as every
// reader sees them (FigureOf): a fraction whose batch means said ±0 is
// shown with its binomial width (review 2).
func TestSweepReportIntervals(t *testing.T) {
	f := sweepFile(100)
	m := f.Strategies["sync"]
	m.CI95 = map[string]float64{"availability": 0}
	m.Stats = map[string]results.Stat{"availability": {N: 1000, Method: results.MethodBatchMeans, Batches: 20, DF: 19}}
	dir := t.TempDir()
	s := Sweep{Scenario: "s", Params: []string{"population.with_clients"}, Rows: []results.SweepRow{{Values: []string{"0.1"}, File: f}, {Values: []string{"0.9"}, File: sweepFile(900)}}}
	if err := WriteSweepReport(dir, s); err != nil {
		t.Fatal(err)
	}
	md, _ := os.ReadFile(filepath.Join(dir, MarkdownFile))
	// Wilson at 100 % of 1000: 3.84/1003.84 = 0.38 %.
	if !strings.Contains(string(md), "| 100 ± 0.38 |") {
		t.Errorf("sweep report.md: availability 100 %% of 1000 with batch means ±0; want \"100 ± 0.38\":\n%s", md)
	}
}
