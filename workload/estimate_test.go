package workload

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/sharebench/sharebench/strategies"
)

// TestEstimateWithin2x: for three built-ins, shortened, the estimate of
// pages, events (per strategy, the busiest) and peak memory is within 2×
// of what a run measures. Memory is the peak of the heap in use above the
// heap before the run, sampled every simulated second.
func TestEstimateWithin2x(t *testing.T) {
	if testing.Short() {
		t.Skip("runs three scenarios")
	}
	for _, name := range []string{"baseline", "dense-clients", "search-heavy"} {
		sc, _, err := Builtin(name)
		if err != nil {
			t.Fatal(err)
		}
		sc.Duration = Duration(5 * time.Second)
		sc.Faults = nil
		est := sc.Estimate()
		var pages, events, peak float64
		for _, st := range sc.Strategies {
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			base, top := ms.HeapInuse, ms.HeapInuse
			var last Progress
			pt := newProgressTracker(func(p Progress) {
				runtime.ReadMemStats(&ms)
				top = max(top, ms.HeapInuse)
				last = p
			}, 1, sc.runLength())
			_, n, err := runOne(sc, st, sc.Seed, pt, 0)
			if err != nil {
				t.Fatal(err)
			}
			pages = float64(n)
			events = max(events, float64(last.Events))
			peak = max(peak, float64(top-base))
		}
		for _, f := range []struct {
			what     string
			est, got float64
		}{
			{"pages", est.Pages, pages},
			{"events", est.Events, events},
			{"peak heap", est.Bytes, peak},
		} {
			if r := f.est / f.got; !(r >= 0.5 && r <= 2) {
				t.Errorf("%s: estimated %s = %.4g; measured %.4g (ratio %.2f, want within 2×)", name, f.what, f.est, f.got, r)
			} else {
				t.Logf("%s: %s estimated %.4g, measured %.4g (ratio %.2f)", name, f.what, f.est, f.got, r)
			}
		}
	}
}

// laptop is the machine the refusals below are judged on: 16 GiB (40 %
// of it for runs), three runs at once.
var laptop = Limits{MaxBytes: 0.4 * (16 << 30), MaxCPU: 30 * time.Minute, Why: "40% of a 16 GiB laptop"}

// TestTooBig: each testdata/toobig/NAME.yaml parses but is refused by the
// size guard on a 16 GiB laptop running its strategies at once, with an
// error containing every line of NAME.err: the first locates it as every
// scenario error is (NAME.yaml:LINE: field: …), the others give the
// estimate's kind and the override.
func TestTooBig(t *testing.T) {
	files, _ := filepath.Glob("testdata/toobig/*.yaml")
	if len(files) < 4 {
		t.Fatalf("%d files in testdata/toobig; want the issue's four examples at least", len(files))
	}
	for _, path := range files {
		want, err := os.ReadFile(strings.TrimSuffix(path, ".yaml") + ".err")
		if err != nil {
			t.Fatal(err)
		}
		sc, err := Load(path)
		if err != nil {
			t.Errorf("Load(%s) = %v; want it to parse (the size guard refuses it)", path, err)
			continue
		}
		_, err = sc.CheckSize(laptop, len(sc.Strategies))
		if err == nil {
			t.Errorf("%s: CheckSize = nil; want a refusal (estimate: %s)", path, sc.Estimate())
			continue
		}
		for _, line := range strings.Split(strings.TrimSpace(string(want)), "\n") {
			if !strings.Contains(err.Error(), line) {
				t.Errorf("%s: CheckSize = %q; want it to contain %q", path, err, line)
			}
		}
	}
}

// TestBuiltinsFit: every built-in passes the size guard on the laptop,
// at the default parallelism of three runs at once.
func TestBuiltinsFit(t *testing.T) {
	for _, name := range BuiltinNames() {
		sc, _, err := Builtin(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := sc.Estimate().Check(laptop, len(sc.Strategies)); err != nil {
			t.Errorf("%s: Check = %v; want nil", name, err)
		}
	}
}

// TestRunProgressAndBudget: progress reaches the total virtual time of
// every run with every page counted, reported each simulated second; a
// run over its event budget fails with ErrOverBudget.
func TestRunProgressAndBudget(t *testing.T) {
	sc, err := Parse("tiny.yaml", []byte("duration: 3s\nwarmup: 1s\npopulation: {sellers: 1000}\ntraffic: {pages: {rate: 200/s, timeout: 1s}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	var calls []Progress
	f, err := Run(sc, RunOptions{Parallel: 1, Progress: func(p Progress) { calls = append(calls, p) }})
	if err != nil {
		t.Fatal(err)
	}
	runs := len(sc.Strategies)
	last := calls[len(calls)-1]
	perRun := 5 * time.Second // 1s warm-up + 3s + the 1s page timeout
	if last.Done != last.Total || last.Total != time.Duration(runs)*perRun || last.RunsDone != runs {
		t.Errorf("last progress = %+v; want Done = Total = %v, %d runs done", last, time.Duration(runs)*perRun, runs)
	}
	if len(calls) != runs*5 {
		t.Errorf("%d progress calls; want %d (one per simulated second per run)", len(calls), runs*5)
	}
	// Every strategy sees the same arrivals from the same seed.
	_, sent, err := RunOne(sc, strategies.Strategy(sc.Strategies[0]), sc.Seed)
	if err != nil {
		t.Fatal(err)
	}
	if last.Pages != int64(runs)*sent || last.Events == 0 {
		t.Errorf("last progress = %+v; want %d pages (%d runs × %d) and events counted", last, int64(runs)*sent, runs, sent)
	}
	if f.Seeds[0] != sc.Seed {
		t.Errorf("result seeds = %v; want [%d]", f.Seeds, sc.Seed)
	}

	_, err = Run(sc, RunOptions{MaxEvents: 1000})
	if !errors.Is(err, ErrOverBudget) {
		t.Errorf("Run with a budget of 1000 events = %v; want ErrOverBudget", err)
	}
}

// TestSweepEventBudget: a sweep's cells run under the budget SweepOptions
// gives each (as run's do under RunOptions.MaxEvents): a cell over it fails
// with ErrOverBudget and writes no result; the budget is asked of each
// cell's own scenario.
func TestSweepEventBudget(t *testing.T) {
	src := []byte("duration: 2s\nwarmup: 1s\nstrategies: [sync]\npopulation: {sellers: 1000}\ntraffic: {pages: {rate: 100/s, timeout: 1s}}\n")
	params := []Param{{Path: "traffic.pages.rate", Values: []string{"100/s", "200/s"}}}
	cells, err := Cells("tiny.yaml", src, params)
	if err != nil {
		t.Fatal(err)
	}
	var asked []*Scenario
	dir := t.TempDir()
	_, err = Sweep(params, cells, SweepOptions{Dir: dir, Parallel: 1, MaxEvents: func(sc *Scenario) uint64 {
		asked = append(asked, sc)
		return 1000
	}})
	if !errors.Is(err, ErrOverBudget) {
		t.Errorf("Sweep with a budget of 1000 events a cell = %v; want ErrOverBudget", err)
	}
	if len(asked) == 0 || (asked[0] != cells[0].Scenario && asked[0] != cells[1].Scenario) {
		t.Errorf("MaxEvents asked of %v; want a cell's scenario", asked)
	}
	if _, err := Sweep(params, cells, SweepOptions{Dir: dir, Parallel: 1, MaxEvents: func(sc *Scenario) uint64 { return sc.Estimate().EventBudget() }}); err != nil {
		t.Errorf("Sweep with each cell's estimated budget = %v; want nil", err)
	}
}

// TestCheckSizeLocated: the size guard's error is located like Parse's,
// in the file the scenario came from, at the field's line (or its
// section's when the file leaves the field out); a scenario from no file
// is named.
func TestCheckSizeLocated(t *testing.T) {
	for _, tt := range []struct{ src, want string }{
		{"name: b\n\ntraffic:\n  pages:\n    rate: 1e12/s\n", "b.yaml:5: traffic.pages.rate: too big to run"},
		{"traffic: {pages: {rate: 1e12/s}}\n", "b.yaml:1: traffic.pages.rate: too big to run"},
		{"duration: 10s\npopulation:\n  sellers: 1000000000\n", "b.yaml:3: population.sellers: too big to run"},
	} {
		sc, err := Parse("dir/b.yaml", []byte(tt.src))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sc.CheckSize(laptop, 1); err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("Parse(%q).CheckSize = %v; want it to start %q", tt.src, err, tt.want)
		}
	}
	sc := DefaultScenario()
	sc.Traffic.Pages.SearchResults = 100000
	if _, err := sc.CheckSize(laptop, 1); err == nil || !strings.HasPrefix(err.Error(), sc.Name+": traffic.pages.search_results: too big") {
		t.Errorf("DefaultScenario with 100000 search results: CheckSize = %v; want it to start %q", err, sc.Name+": traffic.pages.search_results: too big")
	}
}

// TestEstimateIsTheSameEveryTime: the estimate of one scenario is the same
// to the last bit however Go orders the mix's map (it sums floats over it).
func TestEstimateIsTheSameEveryTime(t *testing.T) {
	sc, err := Parse("mix.yaml", []byte("traffic: {pages: {mix: {gig: 0.1, user: 0.2, search: 0.3, self: 0.4}, search_results: 7}}"))
	if err != nil {
		t.Fatal(err)
	}
	first := sc.Estimate()
	for range 200 {
		if e := sc.Estimate(); !reflect.DeepEqual(e, first) {
			t.Fatalf("Estimate() = %+v; the first time %+v", e, first)
		}
	}
}

// TestEstimateGeneralForm: for a general-form scenario of two owners (a
// page with a single-get read, a sequence, a self-view; two strategies
// and a plan), the estimate of pages and events (the busiest column) is
// within 2× of a run's, and it grows with an owner's records.
func TestEstimateGeneralForm(t *testing.T) {
	sc := generalScenario()
	sc.Traffic.Pages.Rate = RateCurve{constantCurve{1000}}
	sc.Duration = Duration(5 * time.Second)
	est := sc.Estimate()
	var pages, events float64
	for _, col := range sc.Columns() {
		var last Progress
		pt := newProgressTracker(func(p Progress) { last = p }, 1, sc.runLength())
		_, n, err := runOne(sc, col, sc.Seed, pt, 0)
		if err != nil {
			t.Fatal(err)
		}
		pages, events = float64(n), max(events, float64(last.Events))
	}
	for _, f := range []struct {
		what     string
		est, got float64
	}{
		{"pages", est.Pages, pages},
		{"events", est.Events, events},
	} {
		if r := f.est / f.got; !(r >= 0.5 && r <= 2) {
			t.Errorf("estimated %s = %.4g; measured %.4g (ratio %.2f, want within 2×)", f.what, f.est, f.got, r)
		} else {
			t.Logf("%s estimated %.4g, measured %.4g (ratio %.2f)", f.what, f.est, f.got, r)
		}
	}
	bigger := generalScenario()
	bigger.Owners["reviews"].Population.Records = 10_000_000
	if b := bigger.Estimate(); !(b.Bytes > est.Bytes+1e9) || !strings.HasPrefix(b.Parts[0].Field, "owners.reviews.") {
		t.Errorf("10M reviews: estimate %s, largest part %+v; want over 1 GiB more, from owners.reviews", b, b.Parts[0])
	}
}
