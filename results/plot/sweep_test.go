package plot

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sharebench/sharebench/results"
)

// sweepRows fabricates a sweep from the sample: one metric moved by the
// parameters, so the data is known.
func sweepRows(t *testing.T, two bool) ([]string, []results.SweepRow) {
	base := readSample(t)
	var rows []results.SweepRow
	for i, w := range []string{"0", "0.5", "1"} {
		for j, rate := range []string{"500/s", "1000/s"} {
			if !two && j > 0 {
				continue
			}
			f := *base
			f.Strategies = map[string]*results.Metrics{}
			for name, m := range base.Strategies {
				c := *m
				c.Owner.PublicRPS = float64(100*i + 10*j)
				f.Strategies[name] = &c
			}
			values := []string{w}
			if two {
				values = append(values, rate)
			}
			rows = append(rows, results.SweepRow{Values: values, File: &f})
		}
	}
	if two {
		return []string{"population.with_clients", "traffic.pages.rate"}, rows
	}
	return []string{"population.with_clients"}, rows
}

// TestSweepFiguresGolden: the data behind a sweep's plots, over one
// parameter (lines) and over two (heatmaps).
func TestSweepFiguresGolden(t *testing.T) {
	for _, two := range []bool{false, true} {
		params, rows := sweepRows(t, two)
		figs := SweepFigures(params, rows)
		if len(figs) != len(sweepMetrics) {
			t.Fatalf("SweepFigures gave %d figures; want one per sweep metric, %d", len(figs), len(sweepMetrics))
		}
		var buf bytes.Buffer
		dump(&buf, figs[0]) // owner.public_rps, the one moved above
		name := "sweep-1d.golden"
		if two {
			name = "sweep-2d.golden"
		}
		path := filepath.Join("testdata", name)
		if *update {
			if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run with -update to create it)", err)
		}
		if buf.String() != string(want) {
			t.Errorf("SweepFigures %s = \n%s\nwant (%s)\n%s", figs[0].Name, buf.String(), path, want)
		}
		for _, fig := range figs {
			var png1 bytes.Buffer
			if err := Render(&png1, fig, "png"); err != nil {
				t.Fatalf("Render(%s, png): %v", fig.Name, err)
			}
			if _, err := png.Decode(&png1); err != nil {
				t.Errorf("Render(%s, png) does not decode: %v", fig.Name, err)
			}
			var svg bytes.Buffer
			if err := Render(&svg, fig, "svg"); err != nil {
				t.Fatalf("Render(%s, svg): %v", fig.Name, err)
			}
			for _, s := range []string{"sync", "async", "hybrid"} {
				if !strings.Contains(svg.String(), s) {
					t.Errorf("Render(%s, svg) does not name %s", fig.Name, s)
				}
			}
		}
	}
	if figs := SweepFigures([]string{"a", "b", "c"}, nil); figs != nil {
		t.Errorf("SweepFigures over three parameters = %d figures; want none (the CSV holds them)", len(figs))
	}
}

// TestSweepPlotsReadStaleness: a sweep plots the staleness of every
// section read (read_staleness.mean), not the conditional staleness.p99
// of stale sections alone, which rests on a handful of samples when
// sections are rarely stale.
func TestSweepPlotsReadStaleness(t *testing.T) {
	params, rows := sweepRows(t, false)
	var names []string
	for _, f := range SweepFigures(params, rows) {
		names = append(names, f.Name)
	}
	got := strings.Join(names, " ")
	if !strings.Contains(got, "sweep-read_staleness-mean") || strings.Contains(got, "staleness-p99") {
		t.Errorf("SweepFigures = %s; want read_staleness.mean and no staleness.p99", got)
	}
}
