package main

import (
	"bytes"
	"encoding/csv"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/sharebench/sharebench/results"
)

// TestParseAnywhere: flags are taken wherever they stand among the
// arguments, as people type them; "--" ends the flags, but a "--" that is
// a flag's value is that value.
func TestParseAnywhere(t *testing.T) {
	for _, tt := range []struct {
		args    []string
		o       string
		q       bool
		seeds   int
		wantPos []string
	}{
		{[]string{"baseline", "-seeds", "3"}, "", false, 3, []string{"baseline"}},
		{[]string{"-seeds", "3", "baseline"}, "", false, 3, []string{"baseline"}},
		{[]string{"a", "-q", "b", "-o", "d", "c"}, "d", true, 1, []string{"a", "b", "c"}},
		{[]string{"a", "--", "-q", "-o"}, "", false, 1, []string{"a", "-q", "-o"}},
		{[]string{"-q", "--", "-x.yaml"}, "", true, 1, []string{"-x.yaml"}},
		{[]string{"-o", "--", "x"}, "--", false, 1, []string{"x"}},
		{[]string{"-o=--", "--", "-y"}, "--", false, 1, []string{"-y"}},
		{[]string{"x", "-", "-q"}, "", true, 1, []string{"x", "-"}},
		{nil, "", false, 1, nil},
	} {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(new(bytes.Buffer))
		o := fs.String("o", "", "")
		q := fs.Bool("q", false, "")
		seeds := fs.Int("seeds", 1, "")
		if err := parseAnywhere(fs, tt.args); err != nil {
			t.Errorf("parseAnywhere(%q) = %v; want nil", tt.args, err)
			continue
		}
		if *o != tt.o || *q != tt.q || *seeds != tt.seeds || !slices.Equal(fs.Args(), tt.wantPos) {
			t.Errorf("parseAnywhere(%q): -o %q -q %v -seeds %d args %q; want -o %q -q %v -seeds %d args %q",
				tt.args, *o, *q, *seeds, fs.Args(), tt.o, tt.q, tt.seeds, tt.wantPos)
		}
	}
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(new(bytes.Buffer))
	fs.Int("seeds", 1, "")
	var ue usageError
	if err := parseAnywhere(fs, []string{"a", "-seeds", "x"}); !errors.As(err, &ue) {
		t.Errorf("parseAnywhere(a -seeds x) = %v; want a usage error", err)
	}
	if err := parseAnywhere(fs, []string{"a", "-h"}); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("parseAnywhere(a -h) = %v; want flag.ErrHelp", err)
	}
}

// TestHelp: -h, --help, help and help CMD print help on stdout and
// succeed; no arguments prints the usage on stderr and is a usage error.
func TestHelp(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"-h"}, "usage: sharebench <command>"},
		{[]string{"--help"}, "usage: sharebench <command>"},
		{[]string{"-help"}, "usage: sharebench <command>"},
		{[]string{"help"}, "usage: sharebench <command>"},
		{[]string{"help", "run"}, "usage: sharebench run [flags] [NAME|FILE]"},
		{[]string{"help", "sweep"}, "-duration"},
		{[]string{"help", "report"}, "SWEEP_DIR"},
		{[]string{"run", "baseline", "-h"}, "usage: sharebench run"},
		{[]string{"sweep", "--help"}, "usage: sharebench sweep"},
		{[]string{"mm1", "-h"}, "usage: sharebench mm1"},
	} {
		var out, errOut bytes.Buffer
		err := run(tt.args, &out, &errOut)
		if code := exitStatus(err, new(bytes.Buffer)); code != 0 {
			t.Errorf("run(%q) = %v, exit %d; want exit 0", tt.args, err, code)
		}
		if !strings.Contains(out.String(), tt.want) {
			t.Errorf("run(%q) printed on stdout:\n%s\nwant %q (stderr: %s)", tt.args, out.String(), tt.want, errOut.String())
		}
	}
	var out, errOut bytes.Buffer
	err := run(nil, &out, &errOut)
	if code := exitStatus(err, new(bytes.Buffer)); code != exitUsage || !strings.Contains(errOut.String(), "usage:") {
		t.Errorf("run() = %v, exit %d, stderr %q; want exit 2 with the usage on stderr", err, code, errOut.String())
	}
	if err := run([]string{"help", "nope"}, &out, &errOut); exitStatus(err, new(bytes.Buffer)) != exitUsage {
		t.Errorf("run(help nope) = %v; want a usage error", err)
	}
}

// TestExitStatus: the documented statuses, from the error kinds.
func TestExitStatus(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want int
	}{
		{nil, 0},
		{flag.ErrHelp, 0},
		{errors.New("2 regressions"), exitFailure},
		{usageError{"x"}, exitUsage},
		{inputError{errors.New("bad.yaml:3: y")}, exitInput},
	} {
		if got := exitStatus(tt.err, new(bytes.Buffer)); got != tt.want {
			t.Errorf("exitStatus(%v) = %d; want %d", tt.err, got, tt.want)
		}
	}
}

// TestFlagMistakes: flags that would be ignored or overridden silently
// are usage errors naming the fix.
func TestFlagMistakes(t *testing.T) {
	scenario := writeScenario(t, tinyScenario)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "-q", "-duration", "0s", scenario}, "-duration 0s"},
		{[]string{"run", "-q", scenario, "-duration", "-5s"}, "-duration -5s"},
		{[]string{"run", "-q", "-kafka", "127.0.0.1:9092", scenario}, "add -live"},
		{[]string{"run", "-q", "-format", "xml", scenario}, "table, json, csv, bench"},
		{[]string{"run", "-q", scenario, "other"}, "one scenario"},
		{[]string{"sweep", "-set", "population.with_clients=0,1", "-set", "population.with_clients=0.5", scenario}, "set twice"},
		{[]string{"sweep", "-set", "population.with_clients=0,1", "-duration", "0s", scenario}, "-duration 0s"},
		{[]string{"sweep", "-set", "population.with_clients=0,1", "-duration", "500ms", scenario}, "must be shorter than the measured duration"},
		{[]string{"sweep", "-set", "population.with_clients=0,1"}, "one scenario"},
	} {
		var out, errOut bytes.Buffer
		err := run(tt.args, &out, &errOut)
		var ue usageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("run(%q) = %v; want a usage error mentioning %q", tt.args, err, tt.want)
		}
	}
}

// TestScenarioDirectory: a directory given as a scenario is named as one,
// with what was expected.
func TestScenarioDirectory(t *testing.T) {
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	err := run([]string{"run", "-q", dir}, &out, &errOut)
	var ie inputError
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), "is a directory") || !strings.Contains(err.Error(), "scenario file") {
		t.Errorf("run(%s) = %v; want an input error saying it is a directory and a scenario file was expected", dir, err)
	}
}

// TestOutputCheckedFirst: an output location that cannot be written fails
// at once, before the simulation (here a ten-minute baseline that would
// take long to run), as a usage error naming the location and the flag.
func TestOutputCheckedFirst(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o644)
	bad := filepath.Join(file, "sub") // under a file: cannot be made
	result := t.TempDir()
	var out, errOut bytes.Buffer
	if err := run([]string{"run", "-q", "-o", result, writeScenario(t, tinyScenario)}, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"run", "-q", "-duration", "600s", "-o", bad, "baseline"},
		{"sweep", "-q", "-o", bad, "-set", "population.with_clients=0,1", "baseline"},
		{"plot", "-o", bad, result},
		{"report", "-o", bad, result},
		{"calibrate", "-o", bad, "calibration"},
	} {
		err := run(args, &out, &errOut)
		var ue usageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), "cannot write output into "+bad) || !strings.Contains(err.Error(), "-o") {
			t.Errorf("run(%q) = %v; want a usage error naming %s and -o", args, err, bad)
		}
		if _, err := os.Stat(filepath.Join("runs")); err == nil {
			t.Errorf("run(%q) left a runs directory in the package directory", args)
		}
	}
}

// TestScenarioNameIsSafePath: a scenario whose name: climbs out of runs/
// still runs, into runs/<a safe name>/, and nothing is written outside.
func TestScenarioNameIsSafePath(t *testing.T) {
	scenario := writeScenario(t, strings.Replace(tinyScenario, "name: tiny", "name: ../x", 1))
	work := t.TempDir()
	t.Chdir(filepath.Join(work))
	os.Mkdir("cwd", 0o755)
	t.Chdir(filepath.Join(work, "cwd"))
	var out, errOut bytes.Buffer
	if err := run([]string{"run", "-q", scenario}, &out, &errOut); err != nil {
		t.Fatalf("run of a scenario named ../x = %v; want it to run", err)
	}
	all, _ := filepath.Glob(filepath.Join("runs", "*", "*", "result.json"))
	var matches []string // latest/ is the same run, through a symlink
	for _, m := range all {
		if filepath.Base(filepath.Dir(m)) != "latest" {
			matches = append(matches, m)
		}
	}
	if len(matches) != 1 || !strings.HasPrefix(matches[0], filepath.Join("runs", "_._x")) {
		t.Errorf("result files under runs/: %v; want one, under runs/_._x/", matches)
	}
	if _, err := os.Stat(filepath.Join(work, "x")); err == nil {
		t.Errorf("run wrote %s, outside runs/", filepath.Join(work, "x"))
	}
	f, err := results.ReadFile(matches[0])
	if err == nil && f.Scenario != "../x" {
		t.Errorf("result file's scenario = %q; want the name as given, ../x", f.Scenario)
	}
}

// TestRunFormatCSV: one row per strategy and page kind, headed by the
// bare metric names, whose values are the result file's.
func TestRunFormatCSV(t *testing.T) {
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	if err := run([]string{"run", writeScenario(t, tinyScenario), "-q", "-format", "csv", "-o", dir}, &out, &errOut); err != nil {
		t.Fatalf("run -format csv: %v", err)
	}
	if !strings.HasPrefix(out.String(), "# units: latency.p50=ms ") || !strings.Contains(out.String(), " owner.rps=req/s ") {
		t.Errorf("CSV does not open with the units comment:\n%s", out.String())
	}
	r := csv.NewReader(&out)
	r.Comment = '#'
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("CSV does not parse: %v", err)
	}
	header := recs[0]
	col := func(name string) int { return slices.Index(header, name) }
	for _, name := range []string{"strategy", "page", "seeds", "count", "latency.p99", "owner.rps", "duplication"} {
		if col(name) < 0 {
			t.Errorf("CSV header %q lacks the bare name %q", header, name)
		}
	}
	for _, h := range header {
		if strings.ContainsAny(h, "( )") {
			t.Errorf("CSV header %q carries a unit or a space; want bare metric names", h)
		}
	}
	f, err := results.ReadFile(filepath.Join(dir, "result.json"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, rec := range recs[1:] {
		got = append(got, rec[0]+"/"+rec[1])
		m := f.Strategies[rec[0]]
		if m == nil {
			t.Errorf("CSV row for unknown strategy %q", rec[0])
			continue
		}
		if rec[1] == "all" {
			for _, metric := range []string{"owner.rps", "latency.p99", "availability"} {
				mt, _ := results.Lookup(metric)
				if v, err := strconv.ParseFloat(rec[col(metric)], 64); err != nil || v != mt.Get(m) {
					t.Errorf("CSV %s/all %s = %q; want %v, the result file's", rec[0], metric, rec[col(metric)], mt.Get(m))
				}
			}
		} else if rec[col("owner.rps")] != "" {
			t.Errorf("CSV %s/%s owner.rps = %q; want empty on a page kind's row", rec[0], rec[1], rec[col("owner.rps")])
		}
		if p := m.Pages[rec[1]]; p == nil || rec[col("count")] != strconv.FormatInt(p.Count, 10) ||
			rec[col("latency.p50")] != strconv.FormatFloat(p.LatencyMS.P50, 'g', -1, 64) {
			t.Errorf("CSV %s/%s count %s p50 %s; want the result file's page kind figures", rec[0], rec[1], rec[col("count")], rec[col("latency.p50")])
		}
	}
	want := []string{"sync/all", "sync/gig", "sync/user", "sync/search", "sync/self", "async/all", "async/gig", "async/user", "async/search", "async/self"}
	if !slices.Equal(got, want) {
		t.Errorf("CSV rows %v; want %v", got, want)
	}
}

// TestSweepAndItsReport: a sweep with -seed and -duration writes
// sweep.csv with bare metric names and a manifest; report on the sweep's
// directory writes a report listing every cell with the sweep's plots;
// report also takes a result file and a run directory, and names what it
// expected for a directory that is neither.
func TestSweepAndItsReport(t *testing.T) {
	scenario := writeScenario(t, tinyScenario)
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	if err := run([]string{"sweep", scenario, "-q", "-o", dir, "-set", "population.with_clients=0.1,0.5", "-seed", "7", "-duration", "2s"}, &out, &errOut); err != nil {
		t.Fatalf("sweep: %v\n%s", err, errOut.String())
	}
	data, err := os.ReadFile(filepath.Join(dir, "sweep.csv"))
	if err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.Comment = '#'
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("sweep.csv does not parse: %v", err)
	}
	if !slices.Contains(recs[0], "owner.rps") || slices.ContainsFunc(recs[0], func(h string) bool { return strings.Contains(h, "(") }) {
		t.Errorf("sweep.csv header %q; want bare metric names such as owner.rps", recs[0])
	}
	if len(recs) != 1+2*2 {
		t.Errorf("sweep.csv has %d rows; want a header and 2 cells × 2 strategies", len(recs))
	}
	cells, _ := filepath.Glob(filepath.Join(dir, "cells", "*", "result.json"))
	for _, c := range cells {
		f, err := results.ReadFile(c)
		if err != nil {
			t.Fatal(err)
		}
		if f.Seeds[0] != 7 || f.DurationS != 2 {
			t.Errorf("%s: seed %d, duration %vs; want -seed 7 and -duration 2s applied to every cell", c, f.Seeds[0], f.DurationS)
		}
	}

	out.Reset()
	if err := run([]string{"report", dir}, &out, &errOut); err != nil {
		t.Fatalf("report of a sweep directory: %v", err)
	}
	md, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"# Sweep of tiny", "population.with_clients: 0.1, 0.5", "sweep.csv", "sweep-owner-rps.png", "| [0.5](cells/", "latency.p99 (ms)"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("sweep report.md lacks %q:\n%s", want, md)
		}
	}
	if html, err := os.ReadFile(filepath.Join(dir, "report.html")); err != nil || !bytes.Contains(html, []byte("data:image/png;base64,")) {
		t.Errorf("sweep report.html: %v; want it with its plots embedded", err)
	}

	// A result file, and its run directory.
	cellDir := filepath.Dir(cells[0])
	if err := run([]string{"report", cells[0]}, &out, &errOut); err != nil {
		t.Errorf("report of a result file: %v", err)
	} else if _, err := os.Stat(filepath.Join(cellDir, "report.html")); err != nil {
		t.Errorf("report of a result file wrote no report.html beside it: %v", err)
	}
	if err := run([]string{"report", cellDir}, &out, &errOut); err != nil {
		t.Errorf("report of a run directory: %v", err)
	}
	var ie inputError
	if err := run([]string{"report", t.TempDir()}, &out, &errOut); !errors.As(err, &ie) || !strings.Contains(err.Error(), "result.json") || !strings.Contains(err.Error(), "sweep.json") {
		t.Errorf("report of an empty directory = %v; want an input error naming result.json and sweep.json", err)
	}
}
