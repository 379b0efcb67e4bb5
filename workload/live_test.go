package workload

import (
	"strings"
	"testing"
	"time"

	"github.com/sharebench/sharebench/results"
)

// TestCalibrationAgrees runs the calibration scenario in both worlds, at
// its own rates but 15s long (about 48s of wall clock), and holds every
// figure to calibrate's documented tolerances: latency and staleness p50
// ±20 %, p99 ±30 %, stale fraction ±25 %, owner load ±10 %. 15s is long
// enough that every figure has the samples it needs (a p99 of staleness
// needs 1,000 stale sections; sync has about 1,200), so none may come back
// "too few samples". The live world runs on this machine's wall clock
// beside other tests, and a stall can push a p99 out, so a run with a
// figure outside is made once more before the test fails; the bounds are
// never widened. If both runs fail and during each the machine could not
// wake a 2ms timer within 5ms at the 99th percentile (StartTimerProbe),
// the live world's injected delays were not being honoured and the test
// skips, saying so: no calibration is meaningful there. (A world whose links are
// too slow fails TestLatencyMagnitude in sim/live, which compares medians
// and holds on a loaded machine.)
func TestCalibrationAgrees(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the live half runs on the wall clock for about 48s")
	}
	sc, _, err := Builtin("calibration")
	if err != nil {
		t.Fatal(err)
	}
	sc.Duration, sc.Warmup = Duration(15*time.Second), Duration(time.Second)
	virtual, err := Run(sc, RunOptions{Parallel: 2})
	if err != nil {
		t.Fatal(err)
	}
	var cs []Calibration
	var live *results.File
	overloaded := true // every failed attempt ran on an overloaded machine
	for attempt := 1; attempt <= 2; attempt++ {
		probe := StartTimerProbe()
		live, err = RunLive(sc, RunOptions{}, LiveOptions{})
		late := probe()
		if err != nil {
			t.Fatal(err)
		}
		cs = CalibrationOf(virtual, live)
		outside := 0
		for _, c := range cs {
			if c.Verdict == Outside {
				outside++
			}
		}
		if outside == 0 {
			overloaded = false
			break
		}
		overloaded = overloaded && late > Overloaded
		t.Logf("attempt %d: %d figures outside tolerance; timers woke late by %v at p99 during the run", attempt, outside, late)
	}
	if overloaded {
		var b strings.Builder
		WriteCalibration(&b, cs)
		t.Skipf("the machine was overloaded during both runs (timers late by more than 5ms at p99): the live world could not honour its delays, so nothing is calibrated:\n%s", b.String())
	}
	if live.Mode != "live" || virtual.Mode != "virtual" {
		t.Errorf("modes %q and %q; want virtual and live", virtual.Mode, live.Mode)
	}
	if want := len(sc.Strategies) * len(calibrated); len(cs) != want {
		t.Errorf("%d figures compared; want %d (every strategy, every figure)", len(cs), want)
	}
	for _, c := range cs {
		if !c.OK() {
			t.Errorf("%s %s: live %.4g (n=%d), virtual %.4g (n=%d), ratio %.3f: %s; want inside ±%.0f%% on at least %d samples",
				c.Strategy, c.Metric, c.Live, c.NLive, c.Virtual, c.NVirtual, c.Ratio(), c.Verdict, 100*c.Within, c.Needed)
		}
	}
	for _, s := range live.Order {
		if a := live.Strategies[s].Pages["all"].Availability; a < 0.99 {
			t.Errorf("%s live availability %v; want about 1 without faults", s, a)
		}
		if v := live.Strategies[s].SelfViewViolations; v != 0 {
			t.Errorf("%s live self-view violations %d; want 0", s, v)
		}
	}
}

// TestCalibrationVerdicts: a figure inside its tolerance is judged inside,
// one beyond it outside, on either side, and one that either world
// measured on fewer samples than it needs is not judged at all.
func TestCalibrationVerdicts(t *testing.T) {
	// metrics makes a strategy's figures: every latency value v ms over n
	// renders, every staleness value v ms over stale sections, a stale
	// fraction of v %, and v owner requests per second over n requests.
	metrics := func(v float64, n, stale int64) *results.Metrics {
		lat, stl := results.NewLatencyHistogram(), results.NewLatencyHistogram()
		lat.RecordValues(int64(v*1000), n)
		stl.RecordValues(int64(v*1000), stale)
		le, _ := results.EncodeHDR(lat)
		se, _ := results.EncodeHDR(stl)
		s := results.Summary{Mean: v, P50: v, P90: v, P99: v, P999: v, Max: v}
		return &results.Metrics{
			Pages: map[string]*results.PageMetrics{"all": {Count: n, LatencyMS: s, StalenessMS: s, StaleFraction: v / 100}},
			Owner: results.OwnerMetrics{RPS: v, Requests: n},
			HDR:   map[string]string{"latency.all": le, "staleness.all": se},
		}
	}
	file := func(m *results.Metrics) *results.File {
		return &results.File{Order: []string{"sync"}, Strategies: map[string]*results.Metrics{"sync": m}}
	}
	base := file(metrics(10, 5000, 2000))
	for _, c := range []struct {
		name        string
		live        *results.Metrics
		want        map[string]string // by figure; the rest Inside
		wantNeeded  map[string]int64
		wantSamples int64
	}{
		{"same", metrics(10, 5000, 2000), nil, nil, 2000},
		{"+15%: p50 inside, p99 inside", metrics(11.5, 5000, 2000), map[string]string{"owner.rps": Outside}, nil, 2000},
		{"+25%", metrics(12.5, 5000, 2000), map[string]string{"latency.p50": Outside, "staleness.p50": Outside, "owner.rps": Outside}, nil, 2000},
		{"−35%", metrics(6.5, 5000, 2000), map[string]string{"latency.p50": Outside, "latency.p99": Outside, "stale_fraction": Outside, "staleness.p50": Outside, "staleness.p99": Outside, "owner.rps": Outside}, nil, 2000},
		{"999 stale sections live", metrics(10, 5000, 999), map[string]string{"staleness.p99": TooFew}, map[string]int64{"staleness.p99": 1000}, 999},
		{"19 stale sections live", metrics(10, 5000, 19), map[string]string{"stale_fraction": TooFew, "staleness.p50": TooFew, "staleness.p99": TooFew}, map[string]int64{"stale_fraction": 30, "staleness.p50": 20}, 19},
		{"29 stale sections live: a p50 judged, a fraction not", metrics(10, 5000, 29), map[string]string{"stale_fraction": TooFew, "staleness.p99": TooFew}, nil, 29},
	} {
		got := CalibrationOf(base, file(c.live))
		if len(got) != len(calibrated) {
			t.Fatalf("%s: %d figures; want %d", c.name, len(got), len(calibrated))
		}
		for _, g := range got {
			want := Inside
			if w, ok := c.want[g.Metric]; ok {
				want = w
			}
			if g.Verdict != want {
				t.Errorf("%s: %s live %.4g (n=%d) against %.4g (n=%d) = %q; want %q", c.name, g.Metric, g.Live, g.NLive, g.Virtual, g.NVirtual, g.Verdict, want)
			}
			if n, ok := c.wantNeeded[g.Metric]; ok && g.Needed != n {
				t.Errorf("%s: %s needs %d samples; want %d", c.name, g.Metric, g.Needed, n)
			}
			if g.Metric == "staleness.p50" && g.NLive != c.wantSamples {
				t.Errorf("%s: staleness.p50 rests on %d live samples; want %d", c.name, g.NLive, c.wantSamples)
			}
		}
	}
	// Either world's count decides: 999 virtual renders are too few for a
	// p99, however well the live one agrees.
	for _, g := range CalibrationOf(file(metrics(10, 999, 2000)), base) {
		if want := map[bool]string{true: TooFew, false: Inside}[g.Metric == "latency.p99"]; g.Verdict != want {
			t.Errorf("999 virtual renders: %s = %q; want %q", g.Metric, g.Verdict, want)
		}
	}
}

// TestLiveGeneralForm runs a small general-form scenario in the live world
// (loopback, about 4s of wall clock): a plan with reviews async and
// inventory sync. Bounds are generous, the machine being shared: pages
// render, each owner's node is called by name, and the async owner's
// views are fed.
func TestLiveGeneralForm(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the live world runs on the wall clock for about 4s")
	}
	sc := generalScenario()
	sc.Duration, sc.Warmup = Duration(3*time.Second), Duration(time.Second)
	sc.Traffic.Pages.Rate = RateCurve{constantCurve{50}}
	sc.Strategies = nil // the plan alone
	f, err := RunLive(sc, RunOptions{}, LiveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if f.Mode != "live" || f.Topology == nil || len(f.Order) != 1 || f.Order[0] != "mixed" {
		t.Fatalf("live file: mode %q, topology %v, order %v; want live, the topology, [mixed]", f.Mode, f.Topology != nil, f.Order)
	}
	m := f.Strategies["mixed"]
	if p := m.Pages["product"]; p == nil || p.Count < 50 || p.Availability < 0.9 {
		t.Fatalf("live product pages = %+v; want at least 50 measured (3s at 50/s × 0.6) and availability ≥ 0.9", p)
	}
	for name, strategy := range map[string]string{"inventory": "sync", "reviews": "async"} {
		o := m.Owners[name]
		if o == nil || o.Strategy != strategy || o.Load.Requests == 0 {
			t.Errorf("live Owners[%s] = %+v; want strategy %s and requests at its node", name, o, strategy)
		}
	}
	if n := m.Owners["reviews"].PropagationMS.N; n == 0 {
		t.Error("live: reviews (async) propagated nothing to its view; want its writes applied")
	}
	if v := m.SelfViewViolations; v != 0 {
		t.Errorf("live self-view violations = %d; want 0", v)
	}
}
