package results

import (
	"math"
	"strings"
	"testing"

	"github.com/sharebench/sharebench/pages"
)

// boundMetrics is one seed's figures: availability and completeness
// avail % and comp % over n renders and sections with batch-means
// interval ci, stale sections stale of n shown, and the owner's rejected
// requests (a counter one run gives no interval).
func boundMetrics(avail, comp, ci float64, n, stale, rejected int64) *Metrics {
	bm := Stat{N: n, Method: MethodBatchMeans, Batches: 20, DF: 19}
	m := &Metrics{
		Pages: map[string]*PageMetrics{pages.All: {
			Availability: avail / 100, Completeness: comp / 100, Count: n, Shown: n, Stale: stale,
			StaleFraction: float64(stale) / float64(n), ReadStalenessMS: Summary{Mean: 0.5 * float64(stale)},
		}},
		Owner: OwnerMetrics{Rejected: rejected},
		CI95:  map[string]float64{"availability": ci, "completeness": ci, "stale_fraction": ci, "read_staleness.mean": ci},
		Stats: map[string]Stat{
			"availability": bm, "completeness": bm, "stale_fraction": bm, "read_staleness.mean": bm,
			"staleness.p99":  {N: stale, Method: MethodBatchMeans, Batches: 20, DF: 19},
			"owner.rejected": {N: 1, Method: MethodNone},
		},
	}
	return m
}

// withViews gives m views (a broker) that converged after convergenceMS.
func withViews(m *Metrics, convergenceMS float64) *Metrics {
	m.Broker = BrokerMetrics{Published: 10, Delivered: 10}
	m.ConvergenceMS = convergenceMS
	return m
}

// TestJudgeOneSided: an SLO is judged by a one-sided 95 % bound that
// counts outcomes: no failure in n supports only about 1 − 3/n (the rule
// of three), and a few rare events pass a target their Poisson bound
// clears, though too few to star (rule 1 keeps its 30).
func TestJudgeOneSided(t *testing.T) {
	tests := []struct {
		name   string
		m      *Metrics
		target string
		want   Verdict
	}{
		// Review: 0 failures in 4.83k passed 99.99 % with ±0.00.
		{"no failure in 4.83k vs 99.99%", boundMetrics(100, 100, 0, 4830, 0, 0), "availability>=99.99%", Unclear},
		{"no failure in 4.83k vs 99.9%", boundMetrics(100, 100, 0, 4830, 0, 0), "availability>=99.9%", Pass},
		{"no failure in 259 vs 99.5%", boundMetrics(100, 100, 0, 259, 0, 0), "completeness>=99.5%", Unclear},
		{"no failure in 259 vs 98.5%", boundMetrics(100, 100, 0, 259, 0, 0), "completeness>=98.5%", Pass},
		{"30 failures in 1000 vs 99.5%", boundMetrics(97, 97, 0, 1000, 0, 0), "availability>=99.5%", Fail},
		{"10 failures in 1000 vs 99.5%: the bound straddles", boundMetrics(99, 99, 0, 1000, 0, 0), "availability>=99.5%", Unclear},
		// Review: 1–3 stale of 37.6k was "unclear (n)" against 1 %.
		{"3 stale of 37.6k vs 1%", boundMetrics(100, 100, 0.005, 37_600, 3, 0), "stale_fraction<=1%", Pass},
		{"1 stale of 37.6k vs 1%", boundMetrics(100, 100, 0.005, 37_600, 1, 0), "stale_fraction<=1%", Pass},
		{"0 stale of 37.6k vs 0.1%", boundMetrics(100, 100, 0, 37_600, 0, 0), "stale_fraction<=0.1%", Pass},
		{"0 stale of 100 vs 0.1%", boundMetrics(100, 100, 0, 100, 0, 0), "stale_fraction<=0.1%", Unclear},
		{"3 stale of 1000 vs 0.5%", boundMetrics(100, 100, 0, 1000, 3, 0), "stale_fraction<=0.5%", Unclear},
		{"3 stale of 37.6k: mean read staleness", boundMetrics(100, 100, 0.00001, 37_600, 3, 0), "read_staleness.mean<=10ms", Pass},
		{"no stale: mean read staleness unbounded", boundMetrics(100, 100, 0, 37_600, 0, 0), "read_staleness.mean<=1ms", Unclear},
		// Item 10: a counter of one run is judged as observed.
		{"no rejection, one run", boundMetrics(100, 100, 0, 1000, 0, 0), "owner.rejected<=0", Pass},
		{"two rejections, one run", boundMetrics(100, 100, 0, 1000, 0, 2), "owner.rejected<=0", Fail},
		{"converged at once, one run", withViews(boundMetrics(100, 100, 0, 1000, 0, 0), 0), "convergence<=1ms", Pass},
		{"converged in 2 s, one run", withViews(boundMetrics(100, 100, 0, 1000, 0, 0), 2000), "convergence<=1s", Fail},
	}
	for _, tt := range tests {
		tg, err := ParseTarget(tt.target)
		if err != nil {
			t.Fatal(err)
		}
		mt, _ := Lookup(tg.Metric)
		j := Judge(mt, tt.m, tg)
		if j.Verdict != tt.want {
			lo, hi, _ := j.Figure.Bounds(mt)
			t.Errorf("%s: Judge(%s) = %v (%s, bounds %.4g–%.4g); want %v", tt.name, tt.target, j.Verdict, j.Reason, lo, hi, tt.want)
		}
	}
	// Starring keeps rule 1: three stale sections pass the SLO above but
	// are too few to rank.
	sf, _ := Lookup("stale_fraction")
	if f := FigureOf(boundMetrics(100, 100, 0.005, 37_600, 3, 0), sf); f.Comparable(sf) {
		t.Errorf("FigureOf(stale_fraction, 3 stale).Comparable = true; want false (needs %d stale sections)", MinSamples)
	}
	// The unclear reason names the bound, the target and the count.
	tg, _ := ParseTarget("availability>=99.99%")
	av, _ := Lookup("availability")
	if j := Judge(av, boundMetrics(100, 100, 0, 4830, 0, 0), tg); !strings.Contains(j.Reason, "bounds 99.93%") || !strings.Contains(j.Reason, "n=4.83k") {
		t.Errorf("Judge(availability>=99.99%%, 0 of 4830).Reason = %q; want the bound 99.93%% (1 − 0.05^(1/4830), shown rounded down) and n=4.83k", j.Reason)
	}
}

// TestBinomialFloor: a fraction's interval read from a file is never
// narrower than Wilson's for its count, even when the file's batch means
// say ±0 (review: ±0.00 on n≈150 for a figure moving 10 points between
// seeds).
func TestBinomialFloor(t *testing.T) {
	comp, _ := Lookup("completeness")
	tests := []struct {
		value    float64
		n        int64
		ci       float64
		lo, hi   float64 // bounds of the half-width wanted
		whatText string
	}{
		{79.14, 150, 0, 7.1, 7.3, "the wider side of Wilson's interval at 79 % of 150"},
		{100, 1000, 0, 0.38, 0.39, "3.84/(n+3.84) at 100 %"},
		{0, 1000, 0, 0.38, 0.39, "3.84/(n+3.84) at 0 %"},
		{50, 100, 20, 20, 20, "a wider batch-means interval kept"},
	}
	for _, tt := range tests {
		m := &Metrics{
			Pages: map[string]*PageMetrics{pages.All: {Completeness: tt.value / 100}},
			CI95:  map[string]float64{"completeness": tt.ci},
			Stats: map[string]Stat{"completeness": {N: tt.n, Method: MethodBatchMeans, Batches: 20, DF: 19}},
		}
		if got := FigureOf(m, comp).CI95; got < tt.lo-1e-9 || got > tt.hi+1e-9 {
			t.Errorf("FigureOf(completeness %.2f%% ±%v, n=%d).CI95 = %.4f; want %v–%v (%s)", tt.value, tt.ci, tt.n, got, tt.lo, tt.hi, tt.whatText)
		}
	}
	// Every fraction has the floor: scoped ones and page_completeness too.
	topo := &pages.Topology{Owners: []string{"reviews"}, Kinds: []pages.Kind{{Name: "product"}}}
	for _, mt := range MetricsFor(topo) {
		name, _ := SplitScope(mt.Name)
		want := name == "availability" || name == "completeness" || name == "page_completeness" || name == "stale_fraction"
		if mt.Fraction != want {
			t.Errorf("MetricsFor: %s.Fraction = %v; want %v", mt.Name, mt.Fraction, want)
		}
	}
	// poissonBounds(0) is the rule of three; 1 event gives about 4.74.
	if _, hi := poissonBounds(0); math.Abs(hi-3) > 0.05 {
		t.Errorf("poissonBounds(0) hi = %.3f; want ≈3", hi)
	}
	if _, hi := poissonBounds(1); math.Abs(hi-4.74) > 0.05 {
		t.Errorf("poissonBounds(1) hi = %.3f; want ≈4.74", hi)
	}
}

// TestSLOCostRow: the table's slo rows carry each column's cost with its
// interval, and "≈ cheapest" where costs are within each other's
// intervals (review 9: "MEETS (cheapest)" ignored the noise).
func TestSLOCostRow(t *testing.T) {
	f := &File{
		Order: []string{"sync", "async", "hybrid"},
		Strategies: map[string]*Metrics{
			"sync":   sloMetrics(180, 5, 50_000, 99.9, 0.05, 2000, false),
			"async":  sloMetrics(60, 5, 50_000, 99.9, 0.05, 10, true),
			"hybrid": sloMetrics(80, 5, 50_000, 99.9, 0.05, 11, true),
		},
		DurationS:    10,
		ScenarioYAML: "name: x\nslo:\n  targets:\n    latency.p99: <=150ms\n  cost: {owner.rps: 1}\n",
	}
	var b strings.Builder
	if err := WriteTable(&b, f); err != nil {
		t.Fatal(err)
	}
	table := b.String()
	for _, want := range []string{"slo cost", "10.0 ±1.0", "11.0 ±1.0", "MEETS (≈ cheapest)"} {
		if !strings.Contains(table, want) {
			t.Errorf("WriteTable: no %q in\n%s", want, table)
		}
	}
	if strings.Contains(table, "MEETS (cheapest)") {
		t.Errorf("WriteTable: async 10 ±1 and hybrid 11 ±1 req/s, yet one is \"cheapest\":\n%s", table)
	}
	f.Strategies["hybrid"].Owner.RPS = 500
	b.Reset()
	if err := WriteTable(&b, f); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "MEETS (cheapest)") || strings.Contains(b.String(), "MEETS (≈") {
		t.Errorf("WriteTable, async 10 against hybrid 500 req/s: want async plainly cheapest:\n%s", b.String())
	}
}

// TestDecideText: an unclear verdict says about how many times the
// samples would decide it, and which way it leans.
func TestDecideText(t *testing.T) {
	comp, _ := Lookup("completeness")
	tg, _ := ParseTarget("completeness>=99.5%")
	// 99.6 ±0.3 over 19 df: one-sided ±0.248, 0.1 above the limit: (2.48)² ≈ 6.2.
	j := Judge(comp, sloMetrics(1, 0, 50_000, 99.6, 0.3, 0, false), tg)
	if want := "about 7× the samples (a run 7× longer, or -seeds 7); likely pass"; j.DecideText() != want {
		t.Errorf("Judge(99.6 ±0.3 vs 99.5).DecideText() = %q; want %q", j.DecideText(), want)
	}
	j = Judge(comp, sloMetrics(1, 0, 50_000, 99.4, 0.3, 0, false), tg)
	if !strings.HasSuffix(j.DecideText(), "likely fail") {
		t.Errorf("Judge(99.4 ±0.3 vs 99.5).DecideText() = %q; want it to lean to fail", j.DecideText())
	}
	if j := Judge(comp, sloMetrics(1, 0, 50_000, 99.9, 0.05, 0, false), tg); j.DecideText() != "" {
		t.Errorf("a pass's DecideText() = %q; want none", j.DecideText())
	}
}

// TestDecideTextNoFailure: with no failure the bound narrows as 3/n, so
// 0 failures in 4,830 against 99.99 % needs about 6.2× the samples
// (3/0.0001 = 30,000 pages), not the 1/√n rule's 38×.
func TestDecideTextNoFailure(t *testing.T) {
	av, _ := Lookup("availability")
	tg, _ := ParseTarget("availability>=99.99%")
	j := Judge(av, boundMetrics(100, 100, 0, 4830, 0, 0), tg)
	if want := "about 7× the samples (a run 7× longer, or -seeds 7); likely pass"; j.DecideText() != want {
		t.Errorf("Judge(no failure in 4830 vs 99.99%%).DecideText() = %q; want %q", j.DecideText(), want)
	}
}
