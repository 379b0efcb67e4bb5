package results

import (
	"math"
	"slices"
	"testing"

	"github.com/HdrHistogram/hdrhistogram-go"
)

func TestNeeded(t *testing.T) {
	tests := []struct {
		mt   Metric
		want int64
	}{
		{Metric{}, MinSamples},
		{Metric{Quantile: 0.5}, 20},
		{Metric{Quantile: 0.99}, 1000},
		{Metric{Quantile: 0.999}, 10000},
		{Metric{Within: Unbatched}, 1},
		{Metric{Within: Exact}, 1},
		{Metric{Events: true}, 0},
	}
	for _, tt := range tests {
		if got := tt.mt.Needed(); got != tt.want {
			t.Errorf("Metric{Quantile: %v, Within: %v}.Needed() = %d; want %d", tt.mt.Quantile, tt.mt.Within, got, tt.want)
		}
	}
}

func TestWins(t *testing.T) {
	p99, _ := Lookup("latency.p99")
	avail, _ := Lookup("availability")
	dup, _ := Lookup("duplication")
	m := func(mt Metric, v, ci float64, n int64) *Metrics {
		x := &Metrics{Pages: map[string]*PageMetrics{"all": {LatencyMS: Summary{P99: v}, Availability: v / 100}},
			DuplicationBytes: map[string]int64{"gig": int64(v)},
			CI95:             map[string]float64{mt.Name: ci}, Stats: map[string]Stat{mt.Name: {N: n, Method: MethodBatchMeans, Batches: 20}}}
		if mt.Within == Exact {
			x.Stats[mt.Name] = Stat{N: 1, Method: MethodExact}
		}
		return x
	}
	tests := []struct {
		name string
		mt   Metric
		a, b *Metrics
		want bool
	}{
		{"apart", p99, m(p99, 10, 1, 5000), m(p99, 20, 1, 5000), true},
		{"worse", p99, m(p99, 20, 1, 5000), m(p99, 10, 1, 5000), false},
		{"overlapping", p99, m(p99, 10, 5, 5000), m(p99, 20, 5.1, 5000), false},
		{"a has too few for a p99", p99, m(p99, 10, 1, 999), m(p99, 20, 1, 5000), false},
		{"b has too few", p99, m(p99, 10, 1, 5000), m(p99, 20, 1, 12), false},
		{"higher is better", avail, m(avail, 99, 0.1, 4000), m(avail, 90, 0.1, 4000), true},
		{"a fraction's binomial interval on 40 samples overlaps", avail, m(avail, 99, 0.1, 40), m(avail, 90, 0.1, 40), false},
		{"a fraction on 29 samples", avail, m(avail, 99, 0.1, 29), m(avail, 90, 0.1, 40), false},
		{"exact, no interval needed", dup, m(dup, 100, 0, 1), m(dup, 101, 0, 1), true},
		{"no counts (schema 1)", p99, &Metrics{Pages: map[string]*PageMetrics{"all": {LatencyMS: Summary{P99: 1}}}},
			&Metrics{Pages: map[string]*PageMetrics{"all": {LatencyMS: Summary{P99: 100}}}}, false},
		{"nil", p99, nil, m(p99, 20, 1, 5000), false},
	}
	for _, tt := range tests {
		if got := Wins(tt.mt, tt.a, tt.b); got != tt.want {
			t.Errorf("%s: Wins(%s, a, b) = %v; want %v", tt.name, tt.mt.Name, got, tt.want)
		}
	}
}

func TestBestRanking(t *testing.T) {
	p99, _ := Lookup("latency.p99")
	m := func(v, ci float64, n int64) *Metrics {
		return &Metrics{Pages: map[string]*PageMetrics{"all": {LatencyMS: Summary{P99: v}}},
			CI95: map[string]float64{"latency.p99": ci}, Stats: map[string]Stat{"latency.p99": {N: n, Method: MethodBatchMeans, Batches: 20}}}
	}
	order := []string{"sync", "async", "hybrid", "gone"}
	r := Best(p99, order, map[string]*Metrics{"sync": m(30, 1, 5000), "async": m(5, 0.5, 100), "hybrid": m(10, 1, 5000)})
	if r.Best != "async" || r.Starred || r.RunnerUp != "hybrid" || !slices.Equal(r.TooFew, []string{"async"}) {
		t.Errorf("Best(async fastest on 100 renders) = best %q starred %v runner-up %q too few %v; want async, false, hybrid, [async]",
			r.Best, r.Starred, r.RunnerUp, r.TooFew)
	}
	r = Best(p99, order, map[string]*Metrics{"sync": m(30, 1, 5000), "async": m(5, 0.5, 5000), "hybrid": m(10, 1, 5000)})
	if r.Best != "async" || !r.Starred || !slices.Equal(r.Winners, []string{"async"}) || len(r.TooFew) != 0 {
		t.Errorf("Best(async clearly fastest) = %+v; want async starred", r)
	}
	if _, ok := r.Figures["gone"]; ok {
		t.Errorf("Best(...).Figures has %q, a strategy the file lacks", "gone")
	}
}

func TestReadStalenessOf(t *testing.T) {
	h := NewLatencyHistogram()
	for v := int64(1); v <= 100; v++ { // 100 stale sections, 0.01..1 ms: exact buckets
		if err := h.RecordValue(v * 10); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name  string
		h     *hdrhistogram.Histogram
		read  int64
		check func(Summary) bool
		want  string
	}{
		{"all stale", h, 100, func(s Summary) bool { return s.P50 == 0.5 && near(s.Mean, 0.505) && s.N == 100 }, "the stale histogram itself"},
		// 100 of 10,000 stale: p99 is the last fresh read (0), p99.9 is the
		// stale sections' 90th percentile.
		{"1 % stale", h, 10_000, func(s Summary) bool { return s.P99 == 0 && s.P999 == 0.9 && near(s.Mean, 0.00505) && s.Max == 1 }, "p99 0, p999 0.9, mean 0.00505, max 1"},
		{"0.01 % stale", h, 1_000_000, func(s Summary) bool { return s.P999 == 0 && s.N == 1_000_000 }, "p999 0"},
		{"nothing read", h, 0, func(s Summary) bool { return s == Summary{} }, "zero"},
		{"nothing stale", nil, 50, func(s Summary) bool { return s == Summary{N: 50} }, "all zero but N"},
	}
	for _, tt := range tests {
		if got := ReadStalenessOf(tt.h, tt.read); !tt.check(got) {
			t.Errorf("ReadStalenessOf(%s) = %+v; want %s", tt.name, got, tt.want)
		}
	}
}

func TestBatchCI(t *testing.T) {
	if _, b, ok := BatchCI([]float64{3}); ok || b != 1 {
		t.Errorf("BatchCI(one batch) = _, %d, %v; want 1, false", b, ok)
	}
	// Twenty batches alternating 9 and 11: s = 1.026, t(19) = 2.093.
	var xs []float64
	for i := range 20 {
		xs = append(xs, 9+2*float64(i%2))
	}
	half, b, ok := BatchCI(xs)
	if !ok || b != 20 || half < 0.479 || half > 0.481 {
		t.Errorf("BatchCI(9,11,…) = %v, %d, %v; want 0.480, 20, true", half, b, ok)
	}
	if se := SE(half, b); se < 0.2293 || se > 0.2295 {
		t.Errorf("SE(%v, 20) = %v; want s/√20 = 0.2294", half, se)
	}
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

func TestStratifiedCI(t *testing.T) {
	// A level shift between two strata (an outage) with a little noise in
	// each: plain batch means take the shift for noise, strata do not.
	var xs, ws []float64
	var strata []int
	for i := range 20 {
		x, s := 100.0, 0
		if i >= 14 {
			x, s = 0, 1
		}
		xs, ws, strata = append(xs, x+0.1*float64(i%2)), append(ws, 1), append(strata, s)
	}
	plain, _, _ := BatchCI(xs)
	half, df, ok := StratifiedCI(xs, ws, strata)
	if !ok || half > plain/50 || half <= 0 || df < 5 {
		t.Errorf("StratifiedCI(shifted strata) = %v, df %v, %v; want a small positive half-width (plain batch means give %v), df ≥ 5", half, df, ok, plain)
	}
	// The stratified variance is Σ W²s²/b: strata of 14 and 6 batches
	// alternating ±0.05 around their level.
	sd := func(n int) float64 { // of n alternating 0, 0.1 (n even)
		return math.Sqrt(float64(n) / float64(n-1) * 0.0025)
	}
	w1, w2 := 14.0/20, 6.0/20
	v := w1*w1*sd(14)*sd(14)/14 + w2*w2*sd(6)*sd(6)/6
	if se := SEdf(half, df); math.Abs(se-math.Sqrt(v)) > 1e-9 {
		t.Errorf("StratifiedCI standard error = %v; want √(Σ W²s²/b) = %v", se, math.Sqrt(v))
	}
	// One stratum: plain batch means.
	one := make([]int, len(xs))
	if h, df, _ := StratifiedCI(xs, ws, one); !near(h, plain) || df != 19 {
		t.Errorf("StratifiedCI(one stratum) = %v, df %v; want BatchCI's %v, df 19", h, df, plain)
	}
	// A stratum with samples but a single batch: no spread to measure
	// there, so it is collapsed into its neighbour (batches 14–18 with 19).
	strata[19] = 2
	if h, df, _ := StratifiedCI(xs, ws, strata); math.Abs(SEdf(h, df)-math.Sqrt(v)) > 1e-9 || df < 5 {
		t.Errorf("StratifiedCI(a one-batch stratum) = %v, df %v; want stratum 2 collapsed into stratum 1: SE %v, df ≥ 5", h, df, math.Sqrt(v))
	}
}

// TestStratifiedCIShortStratum: a short fault stratum of two batches that
// dominates the variance used to drive Welch–Satterthwaite's df to ≈ 1
// (t = 12.7); it is now collapsed into its neighbour, so df stays ≥ 2,
// and the interval is no wider than that collapsed estimate.
func TestStratifiedCIShortStratum(t *testing.T) {
	// 18 calm batches at 99 ± 0.01, then an outage of 2 batches at 40 and 60.
	var xs, ws []float64
	var strata []int
	for i := range 18 {
		xs, ws, strata = append(xs, 99+0.01*float64(i%2)), append(ws, 100), append(strata, 0)
	}
	xs, ws, strata = append(xs, 40, 60), append(ws, 100, 100), append(strata, 1, 1)
	half, df, ok := StratifiedCI(xs, ws, strata)
	if !ok || df < 2 {
		t.Errorf("StratifiedCI(dominating 2-batch stratum) = ±%v, df %v, %v; want df ≥ 2", half, df, ok)
	}
	// The old estimate: stratum 1 alone, W = 0.1, v = 0.01·(10²+10²)·2/1·¼.
	v1 := 0.01 * 2.0 * (0.25*100 + 0.25*100)
	old := 12.706 * math.Sqrt(v1)
	if half >= old {
		t.Errorf("StratifiedCI(dominating 2-batch stratum) = ±%v; want narrower than the df≈1 interval ±%v", half, old)
	}
	// The collapsed estimate is that of one stratum of all 20 batches.
	if h, _, _ := StratifiedCI(xs, ws, make([]int, len(xs))); !near(half, h) {
		t.Errorf("StratifiedCI(collapsed) = ±%v; want the one-stratum ±%v", half, h)
	}
	// Three batches in the short stratum keep it: df from Satterthwaite ≥ 2.
	xs, ws, strata = append(xs, 50), append(ws, 100), append(strata, 1)
	if _, df, _ := StratifiedCI(xs, ws, strata); df < 2 || df > 2.5 {
		t.Errorf("StratifiedCI(dominating 3-batch stratum) df = %v; want ≈ 2 (the stratum's own)", df)
	}
}

// TestStratifiedCIRandomShares: strata whose batches all read the same
// level (an owner's sections all missing in its outage, all there
// outside) still leave the figure uncertain, by how many samples fell in
// each stratum: the combined ratio's variance counts it, Σ_j
// b_j/(b_j−1)·Σ(z_i − z̄_j)², z_i = w_i·(x_i − R)/Σw.
func TestStratifiedCIRandomShares(t *testing.T) {
	xs := []float64{100, 100, 100, 100, 100, 0, 0, 0, 0, 0}
	ws := []float64{90, 110, 100, 95, 105, 40, 60, 50, 45, 55}
	strata := []int{0, 0, 0, 0, 0, 1, 1, 1, 1, 1}
	half, df, ok := StratifiedCI(xs, ws, strata)
	// R = 50000/750 = 66.67; stratum 0: z_i − z̄ = (w_i − 100)·33.33/750,
	// stratum 1: (w_i − 50)·(−66.67)/750; Σ(w−w̄)² = 250 in each.
	r := 50000.0 / 750
	v := 5.0 / 4 * 250 * ((100-r)*(100-r) + r*r) / (750 * 750)
	if !ok || math.Abs(SEdf(half, df)-math.Sqrt(v)) > 1e-9 {
		t.Errorf("StratifiedCI(constant strata, random shares) = ±%v, df %v, %v; want SE √%v = %v", half, df, ok, v, math.Sqrt(v))
	}
	// All batches at one level: no uncertainty whatever the shares.
	for i := range xs {
		xs[i] = 100
	}
	if half, _, ok := StratifiedCI(xs, ws, strata); !ok || half != 0 {
		t.Errorf("StratifiedCI(one level) = ±%v, %v; want exactly 0", half, ok)
	}
}
