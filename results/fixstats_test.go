package results

import (
	"strings"
	"testing"
)

// staleMetrics is one strategy's run with stale of shown sections stale,
// its batch-means interval on the stale fraction as tight as ci (per cent).
func staleMetrics(shown, stale int64, ci float64) *Metrics {
	frac := float64(stale) / float64(shown)
	m := &Metrics{Pages: map[string]*PageMetrics{"all": {Count: shown, Availability: 1, Shown: shown, Stale: stale,
		StaleFraction: frac, VersionsBehind: frac, ReadStalenessMS: Summary{Mean: 40 * frac}}}}
	withStats(m, "sync")
	for _, name := range []string{"stale_fraction", "read_staleness.mean", "versions_behind"} {
		m.Stats[name] = Stat{N: shown, Method: MethodBatchMeans, Batches: 20, DF: 19}
		m.CI95[name] = ci * frac
	}
	m.Stats["staleness.p99"] = Stat{N: stale, Method: MethodBatchMeans, Batches: 20, DF: 19}
	return m
}

// TestRareStaleEvents: a figure made of stale sections rests on their
// count, not on the sections read.
func TestRareStaleEvents(t *testing.T) {
	order := []string{"sync", "async", "hybrid"}
	tests := []struct {
		name       string
		strategies map[string]*Metrics
		starred    []string // per metric below: the winners, "" none
	}{
		// traffic-spike: 0 and 0 stale against 2 of 943k, whose batch
		// interval (both in one batch) excludes 0.
		{"0, 0 against 2 stale", map[string]*Metrics{
			"sync": staleMetrics(1_000_000, 0, 0), "async": staleMetrics(1_000_000, 0, 0), "hybrid": staleMetrics(943_000, 2, 0.3)},
			[]string{"", "", ""}},
		// Hundreds of stale sections against none: a real difference.
		{"0 against 500 stale", map[string]*Metrics{
			"sync": staleMetrics(1_000_000, 0, 0), "async": staleMetrics(1_000_000, 500, 0.05), "hybrid": staleMetrics(1_000_000, 600, 0.05)},
			[]string{"sync", "", ""}},
		{"300 against 900 stale", map[string]*Metrics{
			"sync": staleMetrics(1_000_000, 900, 0.05), "async": staleMetrics(1_000_000, 300, 0.05), "hybrid": staleMetrics(1_000_000, 2_000, 0.05)},
			[]string{"async", "async", "async"}},
	}
	for _, tt := range tests {
		for i, name := range []string{"stale_fraction", "read_staleness.mean", "versions_behind"} {
			mt, _ := Lookup(name)
			r := Best(mt, order, tt.strategies)
			got := ""
			if r.Starred {
				got = strings.Join(r.Winners, ",")
			}
			if got != tt.starred[i] {
				t.Errorf("%s: Best(%s) starred %q; want %q", tt.name, name, got, tt.starred[i])
			}
		}
	}
	sf, _ := Lookup("stale_fraction")
	f := FigureOf(staleMetrics(1_000_000, 100, 0.01), sf)
	// The Poisson floor, widened to the wider side of Wilson's interval
	// (binomialFloor): 100·(hi − p) for 100 of 10⁶.
	_, hi := wilson(1e-4, 1_000_000, z975)
	if poisson, want := 1.96*0.01/10, 100*(hi-1e-4); f.CI95 < poisson || !near(f.CI95, want) {
		t.Errorf("FigureOf(100 stale).CI95 = %g; want Wilson's %g, above the Poisson floor %g", f.CI95, want, poisson)
	}
	if f := FigureOf(staleMetrics(1_000, 0, 0), sf); !near(f.CI95, 100*z975*z975/(1000+z975*z975)) || !f.Comparable(sf) {
		t.Errorf("FigureOf(0 of 1000 stale) = %+v; want comparable with Wilson's 0.38 %% (the rule of three's 0.3 %% widened)", f)
	}
	if f := FigureOf(staleMetrics(1_000_000, 2, 0.1), sf); f.Comparable(sf) || !f.TooFew(sf) || !f.Short(sf) {
		t.Errorf("FigureOf(2 stale) = %+v; want not comparable, marked too few", f)
	}
}

// TestAbsentFigures: nothing to count, or views that never converged,
// give no figure: "—" or "never", never ranked.
func TestAbsentFigures(t *testing.T) {
	empty := staleMetrics(1_000, 0, 0)
	empty.Stats["availability"] = Stat{N: 0, Method: MethodNone}
	full := staleMetrics(1_000, 0, 0)
	full.Pages["all"].Availability = 0.99
	full.Stats["availability"] = Stat{N: 100_000, Method: MethodBatchMeans, Batches: 20, DF: 19}
	full.CI95["availability"] = 0.1
	av, _ := Lookup("availability")
	if f := FigureOf(empty, av); !f.Absent || f.Comparable(av) || f.TooFew(av) {
		t.Errorf("FigureOf(availability of no page) = %+v; want absent", f)
	}
	cells := tableRow(av, []string{"sync", "async"}, map[string]*Metrics{"sync": empty, "async": full})
	if cells[0] != "—" {
		t.Errorf("tableRow(availability of no page) = %q; want —", cells[0])
	}
	if r := Best(av, []string{"sync", "async"}, map[string]*Metrics{"sync": empty, "async": full}); r.Best != "async" || r.Starred {
		t.Errorf("Best(availability, one absent) = %+v; want async, unstarred", r)
	}
	for i, mt := range Registry {
		if mt.Name == "availability" {
			if c := metricCells(Registry, empty, false)[i]; c != "" {
				t.Errorf("CSV availability of no page = %q; want empty", c)
			}
		}
	}

	conv, _ := Lookup("convergence")
	never := staleMetrics(1_000, 0, 0)
	never.Broker.Published, never.NeverConverged = 1, true
	fast := staleMetrics(1_000, 0, 0)
	fast.Broker.Published, fast.ConvergenceMS = 1, 500
	if cells := tableRow(conv, []string{"a", "b"}, map[string]*Metrics{"a": never, "b": fast}); cells[0] != "never" {
		t.Errorf("tableRow(convergence never) = %q; want never", cells[0])
	}
	if r := Best(conv, []string{"a", "b"}, map[string]*Metrics{"a": never, "b": fast}); r.Best != "b" {
		t.Errorf("Best(convergence, a never) = %q; want b", r.Best)
	}
	base := &File{Schema: Schema, Order: []string{"a"}, Strategies: map[string]*Metrics{"a": fast}}
	next := &File{Schema: Schema, Order: []string{"a"}, Strategies: map[string]*Metrics{"a": never}}
	for _, d := range Compare(base, next, mustThresholds(t, "convergence=+10%")) {
		if d.Metric.Name == "convergence" && (!d.Regressed || !d.NewAbsent) {
			t.Errorf("Compare(convergence 500 → never) = %+v; want a regression", d)
		}
	}
	for _, d := range Compare(next, base, mustThresholds(t, "convergence=+10%")) {
		if d.Metric.Name == "convergence" && d.Regressed {
			t.Errorf("Compare(convergence never → 500) = %+v; want no regression", d)
		}
	}
	agg := Aggregate([]*Metrics{fast, never})
	if !agg.NeverConverged || agg.ConvergenceMS != 0 {
		t.Errorf("Aggregate(500, never) convergence = %v never=%v; want never, not averaged", agg.ConvergenceMS, agg.NeverConverged)
	}
}

// TestCompareSeedsDiffer: one run a side of different seeds has no valid
// within-run test: judged against the limits alone, with a warning naming
// the seeds; the same seed keeps its test.
func TestCompareSeedsDiffer(t *testing.T) {
	base, next := batched(25, 3, 50_000), batched(28, 3, 50_000)
	base.Seeds, next.Seeds = []uint64{100}, []uint64{1}
	ds, warnings := CompareWith(base, next, CompareOptions{Limits: mustThresholds(t, "latency.p99=+10%")})
	if len(warnings) == 0 || !strings.Contains(warnings[0], "seed 100 and new seed 1") {
		t.Errorf("CompareWith(seeds 100, 1) warnings = %q; want one naming the seeds", warnings)
	}
	for _, d := range ds {
		if d.Metric.Name == "latency.p99" && (d.NotTested == "" || d.Test != "" || !d.Regressed) {
			t.Errorf("delta latency.p99 seeds differ = %+v; want not tested, judged against the limit alone", d)
		}
	}
	var out strings.Builder
	WriteComparison(&out, ds)
	if !strings.Contains(out.String(), "not tested: seeds differ") {
		t.Errorf("WriteComparison(seeds differ) =\n%s\nwant a not-tested mark", out.String())
	}
	next.Seeds = []uint64{100}
	if got := regressed(t, base, next, "latency.p99=+10%"); len(got) != 0 {
		t.Errorf("same seed, within the noise: regressions %v; want none", got)
	}
}

func TestHasMetricByFlag(t *testing.T) {
	m := &Metrics{Pages: map[string]*PageMetrics{}}
	for _, mt := range Registry {
		if got, want := hasMetric(m, mt), !mt.Pages && !mt.ViewsOnly; got != want {
			t.Errorf("hasMetric(no pages, %s) = %v; want %v", mt.Name, got, want)
		}
	}
	if n := len(Registry); n == 0 {
		t.Fatal("empty registry")
	}
	ps, _ := Lookup("propagation.p99")
	if ps.Pages {
		t.Errorf("propagation.p99 marked a page figure")
	}
}

func TestDifferDirty(t *testing.T) {
	a := BuildVersion{Module: "(devel)", Revision: "abc123+dirty", Go: "go1.23"}
	if d := a.Differs(a); !strings.Contains(d, "uncommitted changes cannot be told apart") {
		t.Errorf("Differs(dirty, same dirty) = %q; want a warning about uncommitted changes", d)
	}
	clean := BuildVersion{Module: "(devel)", Revision: "abc123", Go: "go1.23"}
	if d := clean.Differs(clean); d != "" {
		t.Errorf("Differs(clean, clean) = %q; want none", d)
	}
}

// TestDecodeOldNeverConverged: a schema-2 file written before
// NeverConverged recorded -1; it reads as the flag.
func TestDecodeOldNeverConverged(t *testing.T) {
	doc := `{"schema": 2, "order": ["async"], "strategies": {"async": {"convergence_ms": -1, "ci95": {"convergence": 3},
		"replicas": [{"convergence_ms": -1}, {"convergence_ms": 20}]}}}`
	f, err := Decode(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	m := f.Strategies["async"]
	if !m.NeverConverged || m.ConvergenceMS != 0 || !m.Replicas[0].NeverConverged || m.Replicas[1].NeverConverged {
		t.Errorf("Decode(convergence_ms -1) = never %v, %v ms, replicas %v, %v; want the flag where -1 was",
			m.NeverConverged, m.ConvergenceMS, m.Replicas[0].NeverConverged, m.Replicas[1].NeverConverged)
	}
	if _, ok := m.CI95["convergence"]; ok {
		t.Errorf("Decode(convergence_ms -1) kept an interval on no value")
	}
	var csv strings.Builder
	if err := WriteCSV(&csv, f); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(csv.String(), "-1") {
		t.Errorf("WriteCSV(never converged) =\n%s\nwant no -1 as data", csv.String())
	}
}

// TestStratifiedCIWeighted: batches are weighted by their samples, so the
// spread is measured around the pooled figure. A traffic spike crowding
// one batch, which holds the only 2 stale sections of 943k: plain batch
// means exclude 0, the weighted interval does not.
func TestStratifiedCIWeighted(t *testing.T) {
	var xs, ws []float64
	var shown, stale float64
	for i := range 20 {
		w, k := 40_000.0, 0.0
		if i == 10 {
			w, k = 183_000, 2
		}
		xs, ws = append(xs, k/w), append(ws, w)
		shown, stale = shown+w, stale+k
	}
	pooled := stale / shown
	plain, _, _ := BatchCI(xs)
	half, df, ok := StratifiedCI(xs, ws, make([]int, len(xs)))
	if !ok || df != 19 || half <= pooled || plain >= pooled {
		t.Errorf("StratifiedCI(spike) = ±%g (df %v); plain ±%g; pooled %g: want the weighted interval to reach 0 and plain not", half, df, plain, pooled)
	}
}
