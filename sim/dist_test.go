package sim

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseDurationDist(t *testing.T) {
	ms := func(x float64) float64 { return x / 1000 }
	tests := []struct {
		in         string
		mean       float64 // seconds
		q50, q99   float64 // seconds; NaN: not checked
		wantString string
	}{
		{"2ms", ms(2), ms(2), ms(2), "2ms"},
		{"0", 0, 0, 0, "0s"},
		{"{dist: const, value: 1.5s}", 1.5, 1.5, 1.5, "1.5s"},
		{"{dist: uniform, min: 1ms, max: 3ms}", ms(2), ms(2), ms(2.98), "{dist: uniform, min: 1ms, max: 3ms}"},
		{"{dist: exp, mean: 1ms}", ms(1), ms(math.Ln2), ms(math.Log(100)), "{dist: exp, mean: 1ms}"},
		{"{dist: lognormal, median: 2ms, p99: 20ms}", math.NaN(), ms(2), ms(20), "{dist: lognormal, median: 2ms, p99: 20ms}"},
		{"{dist: lognormal, mu: 0, sigma: 1}", math.Exp(0.5), 1, math.Exp(z99), "{dist: lognormal, median: 1s, p99: 10.240473656s}"},
		{"{dist: pareto, min: 1ms, alpha: 2}", ms(2), ms(math.Sqrt2), ms(10), "{dist: pareto, min: 1ms, alpha: 2}"},
		{"{dist: empirical, percentiles: {0: 1ms, 50: 2ms, 100: 4ms}}", ms(2.25), ms(2), ms(3.96), "{dist: empirical, percentiles: {0: 1ms, 50: 2ms, 100: 4ms}}"},
		// Truncation at 0 removes nothing measurable 10 sigmas away.
		{"{dist: normal, mean: 10ms, stddev: 1ms}", ms(10), ms(10), ms(10 + z99), "{dist: normal, mean: 10ms, stddev: 1ms}"},
	}
	for _, tt := range tests {
		d, err := ParseDurationDist(tt.in)
		if err != nil {
			t.Errorf("ParseDurationDist(%q) error: %v", tt.in, err)
			continue
		}
		near := func(what string, got, want float64) {
			if !math.IsNaN(want) && math.Abs(got-want) > 1e-9*math.Max(1, math.Abs(want)) {
				t.Errorf("ParseDurationDist(%q).%s = %g; want %g", tt.in, what, got, want)
			}
		}
		near("Mean", d.Dist.Mean(), tt.mean)
		near("Quantile(0.5)", d.Dist.Quantile(0.5), tt.q50)
		near("Quantile(0.99)", d.Dist.Quantile(0.99), tt.q99)
		if got := d.String(); got != tt.wantString {
			t.Errorf("ParseDurationDist(%q).String() = %q; want %q", tt.in, got, tt.wantString)
		}
		// The notation round-trips.
		again, err := ParseDurationDist(d.String())
		if err != nil {
			t.Errorf("ParseDurationDist(%q) (its own String) error: %v", d.String(), err)
			continue
		}
		for _, p := range []float64{0.01, 0.5, 0.9, 0.99} {
			if a, b := d.Quantile(p), again.Quantile(p); absDur(a-b) > time.Microsecond {
				t.Errorf("round trip of %q: Quantile(%v) = %v, then %v", tt.in, p, a, b)
			}
		}
	}
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

func TestParseNumberDist(t *testing.T) {
	d, err := ParseNumberDist("{dist: uniform, min: 1, max: 10}")
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Dist.Mean(); got != 5.5 {
		t.Errorf("uniform 1..10 Mean() = %v; want 5.5", got)
	}
	if d, err = ParseNumberDist("7"); err != nil || d.Sample(nil) != 7 {
		t.Errorf(`ParseNumberDist("7") = %v, %v; want const 7`, d, err)
	}
}

// TestDistBadInput: every kind of nonsense gets an error that names the
// field and says how to fix it, never a panic.
func TestDistBadInput(t *testing.T) {
	tests := []struct {
		in       string
		wantAll  []string // substrings the error must contain
		duration bool     // parse as a duration distribution (else number)
	}{
		{"{dist: exp, mean: -1ms}", []string{"mean", "negative"}, true},
		{"{dist: exp, mean: 0s}", []string{"mean", "> 0"}, true},
		{"{dist: lognormal, median: 20ms, p99: 2ms}", []string{"p99", "above the median"}, true},
		{"{dist: lognormal, median: 2ms}", []string{"median and p99"}, true},
		{"{dist: lognormal, median: 2ms, p99: 20ms, sigma: 1}", []string{"median and p99"}, true},
		{"{dist: gamma, mean: 1ms}", []string{"dist", "unknown distribution", "exp, hdr, lognormal"}, true},
		{"{mean: 1ms}", []string{"dist", "missing"}, true},
		{"{dist: exp}", []string{"mean", "missing"}, true},
		{"{dist: exp, mean: 1ms, median: 2ms}", []string{"median", "unknown field", "takes mean"}, true},
		{"{dist: exp, mean: 1ms, mean: 2ms}", []string{"mean", "twice"}, true},
		{"5", []string{"no unit", "5ms"}, true},
		{"2 fortnights", []string{"not a duration", "2ms"}, true},
		{"-3ms", []string{"negative"}, true},
		{"{dist: uniform, min: 3ms, max: 1ms}", []string{"max", "swap"}, true},
		{"{dist: pareto, min: 1ms, alpha: 0}", []string{"alpha", "> 0"}, true},
		{"{dist: normal, mean: 1ms, stddev: -1ms}", []string{"stddev"}, true},
		{"{dist: empirical, percentiles: {10: 1ms, 100: 2ms}}", []string{"percentiles", "0 and 100"}, true},
		{"{dist: empirical, percentiles: {0: 3ms, 100: 2ms}}", []string{"percentiles", "must not decrease"}, true},
		{"{dist: empirical, percentiles: {0: 1ms, 150: 2ms}}", []string{"percentiles", "0 to 100"}, true},
		{"{dist: empirical, percentiles: [1ms, 2ms]}", []string{"percentiles", "mapping"}, true},
		{"[1ms, 2ms]", []string{"expected a value like 2ms"}, true},
		{"{dist: exp, mean: {a: 1}}", []string{"mean", "single value"}, true},
		{"{dist: const, value: abc}", []string{"value", "finite number"}, false},
		{"{dist: const, value: .nan}", []string{"value", "finite number"}, false},
		{"{dist: exp, mean: 1ms", []string{"not valid YAML"}, true},
		{"", []string{"empty"}, true},
	}
	for _, tt := range tests {
		var err error
		if tt.duration {
			_, err = ParseDurationDist(tt.in)
		} else {
			_, err = ParseNumberDist(tt.in)
		}
		if err == nil {
			t.Errorf("Parse(%q) = nil error; want one mentioning %q", tt.in, tt.wantAll)
			continue
		}
		for _, want := range tt.wantAll {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("Parse(%q) error = %q; want it to mention %q", tt.in, err, want)
			}
		}
	}
}

func TestDistErrorHasPosition(t *testing.T) {
	_, err := ParseDurationDist("{dist: exp,\n mean: -1ms}")
	se, ok := err.(*SpecError)
	if !ok || se.Line != 2 || se.Field != "mean" {
		t.Fatalf("error = %#v; want a *SpecError at line 2 naming mean", err)
	}
}

// TestSamplersMatchTheirCDF draws from every distribution and checks the
// samplers against the closed forms: the empirical CDF at each quantile is
// within ε of p (by the DKW inequality a false failure with n = 200,000 and
// ε = 0.005 has probability ≤ 2e^(−2nε²) ≈ 1e-4 per check), and the sample
// mean is within 5 standard errors of Mean.
func TestSamplersMatchTheirCDF(t *testing.T) {
	const n = 200_000
	const eps = 0.005
	dists := []string{
		"{dist: uniform, min: 1ms, max: 3ms}",
		"{dist: exp, mean: 1ms}",
		"{dist: normal, mean: 1ms, stddev: 1ms}", // truncation removes 16% of the mass
		"{dist: lognormal, median: 2ms, p99: 20ms}",
		"{dist: pareto, min: 1ms, alpha: 3}",
		"{dist: empirical, percentiles: {0: 1ms, 50: 2ms, 90: 5ms, 99: 20ms, 100: 50ms}}",
	}
	for i, spec := range dists {
		d, err := ParseDurationDist(spec)
		if err != nil {
			t.Fatal(err)
		}
		r := rand.New(rand.NewPCG(1, uint64(i)))
		xs := make([]float64, n)
		var sum, sumSq float64
		for j := range xs {
			x := d.Dist.Sample(r)
			if x < 0 || math.IsNaN(x) {
				t.Fatalf("%s: sample %v", spec, x)
			}
			xs[j] = x
			sum += x
			sumSq += x * x
		}
		slices.Sort(xs)
		for _, p := range []float64{0.05, 0.25, 0.5, 0.75, 0.9, 0.99} {
			q := d.Dist.Quantile(p)
			below := float64(sortSearch(xs, q)) / n
			if math.Abs(below-p) > eps {
				t.Errorf("%s: fraction of samples ≤ Quantile(%v) = %v; want %v ± %v", spec, p, below, p, eps)
			}
		}
		mean := sum / n
		se := math.Sqrt((sumSq/n - mean*mean) / n)
		if want := d.Dist.Mean(); math.Abs(mean-want) > 5*se {
			t.Errorf("%s: sample mean %v; want %v ± %v (5 standard errors)", spec, mean, want, 5*se)
		}
	}
}

func sortSearch(xs []float64, q float64) int {
	i, _ := slices.BinarySearch(xs, math.Nextafter(q, math.Inf(1)))
	return i
}

func TestConstDurationAndZero(t *testing.T) {
	var zero DurationDist
	if zero.Sample(nil) != 0 || !zero.IsZero() || zero.String() != "0s" {
		t.Errorf("zero DurationDist: Sample = %v, IsZero = %v, String = %q; want 0, true, 0s", zero.Sample(nil), zero.IsZero(), zero)
	}
	d := ConstDuration(3 * time.Millisecond)
	if d.Sample(nil) != 3*time.Millisecond || d.IsZero() {
		t.Errorf("ConstDuration(3ms).Sample = %v, IsZero = %v; want 3ms, false", d.Sample(nil), d.IsZero())
	}
}

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{"2ms": 2 * time.Millisecond, "1.5s": 1500 * time.Millisecond, "500us": 500 * time.Microsecond, "0": 0, "1h": time.Hour} {
		if got, err := ParseDuration(in); err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
}

// FuzzParseDurationDist: no input panics; whatever parses samples finite,
// non-negative values and renders notation that parses again.
func FuzzParseDurationDist(f *testing.F) {
	for _, s := range []string{"2ms", "{dist: exp, mean: 1ms}", "{dist: lognormal, median: 2ms, p99: 20ms}",
		"{dist: empirical, percentiles: {0: 1ms, 100: 2ms}}", "{dist: pareto, min: 1ms, alpha: 0.5}",
		"{dist: normal, mean: 0s, stddev: 1ms}", "{dist: uniform, min: 0s, max: 0s}", "&a 1ms", "{dist: *x}"} {
		f.Add(s)
	}
	r := rand.New(rand.NewPCG(1, 1))
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDurationDist(s)
		if err != nil {
			return
		}
		for range 10 {
			if x := d.Sample(r); x < 0 {
				t.Fatalf("ParseDurationDist(%q) sampled %v", s, x)
			}
		}
		if _, err := ParseDurationDist(d.String()); err != nil {
			t.Fatalf("ParseDurationDist(%q).String() = %q does not parse: %v", s, d.String(), err)
		}
	})
}

// TestHeavyTailsSaturate: every family at extreme parameters draws
// durations in [0, the longest Duration], never wrapping negative, and the
// share of draws past the longest Duration (which saturate) is what the
// distribution puts there.
func TestHeavyTailsSaturate(t *testing.T) {
	maxS := float64(math.MaxInt64) / 1e9 // the longest Duration, in seconds
	tests := []struct {
		in        string
		saturated float64 // P(X ≥ maxS), from the distribution's own CDF
	}{
		{"{dist: const, value: 2562047h47m16.854775807s}", 1},
		{"{dist: uniform, min: 0s, max: 2562047h}", 0},
		{"{dist: exp, mean: 2000000h}", math.Exp(-maxS / (2e6 * 3600))},
		{"{dist: normal, mean: 2000000h, stddev: 1000000h}", 1 - (stdNormalCDF((maxS-2e6*3600)/(1e6*3600))-stdNormalCDF(-2))/(1-stdNormalCDF(-2))},
		{"{dist: lognormal, median: 1ms, sigma: 50}", 1 - stdNormalCDF(math.Log(maxS/1e-3)/50)},
		{"{dist: lognormal, median: 1ms, p99: 2000000h}", 1 - stdNormalCDF(math.Log(maxS/1e-3)/(math.Log(2e6*3600/1e-3)/z99))},
		{"{dist: lognormal, mu: 20, sigma: 10}", 1 - stdNormalCDF((math.Log(maxS)-20)/10)},
		{"{dist: pareto, min: 1ms, alpha: 0.05}", math.Pow(1e-3/maxS, 0.05)},
		{"{dist: pareto, min: 1ns, alpha: 1e-300}", 1},
		{"{dist: empirical, percentiles: {0: 0s, 50: 1ms, 100: 2562047h47m16.854775807s}}", 0},
	}
	const n = 20000
	for _, tt := range tests {
		d, err := ParseDurationDist(tt.in)
		if err != nil {
			t.Errorf("ParseDurationDist(%q) error: %v", tt.in, err)
			continue
		}
		r := rand.New(rand.NewPCG(1, 2))
		sat := 0
		for range n {
			x := d.Sample(r)
			if x < 0 {
				t.Fatalf("%s: Sample() = %v; want ≥ 0", tt.in, x)
			}
			if x == math.MaxInt64 {
				sat++
			}
		}
		// Within 5 binomial standard errors (and one draw, for p at 0 or 1).
		se := math.Sqrt(tt.saturated * (1 - tt.saturated) / n)
		if got := float64(sat) / n; math.Abs(got-tt.saturated) > 5*se+1.0/n {
			t.Errorf("%s: saturated share = %.4f; want %.4f ± %.4f", tt.in, got, tt.saturated, 5*se)
		}
		for _, p := range []float64{0, 0.5, 0.99, 1} {
			if q := d.Quantile(p); q < 0 {
				t.Errorf("%s: Quantile(%v) = %v; want ≥ 0", tt.in, p, q)
			}
		}
		if m := d.Mean(); m < 0 {
			t.Errorf("%s: Mean() = %v; want ≥ 0", tt.in, m)
		}
		// The notation round-trips even where quantiles saturate.
		again, err := ParseDurationDist(d.String())
		if err != nil {
			t.Errorf("ParseDurationDist(%q) (String of %q) error: %v", d.String(), tt.in, err)
			continue
		}
		r1, r2 := rand.New(rand.NewPCG(3, 4)), rand.New(rand.NewPCG(3, 4))
		for range 100 {
			if a, b := d.Sample(r1), again.Sample(r2); absDur(a-b) > time.Microsecond && math.Abs(float64(a-b)/float64(a)) > 1e-9 {
				t.Errorf("round trip %q → %q: Sample = %v, then %v", tt.in, d.String(), a, b)
				break
			}
		}
	}
}

// TestSaturatingArithmetic: sums and products of durations saturate at
// the longest Duration and never go negative.
func TestSaturatingArithmetic(t *testing.T) {
	const maxD = time.Duration(math.MaxInt64)
	for _, tt := range []struct {
		a, b, want time.Duration
	}{
		{time.Second, time.Second, 2 * time.Second},
		{time.Hour, maxD, maxD},
		{maxD, 1, maxD},
		{maxD - 1, 1, maxD},
		{0, maxD, maxD},
	} {
		if got := AddDurations(tt.a, tt.b); got != tt.want {
			t.Errorf("AddDurations(%v, %v) = %v; want %v", tt.a, tt.b, got, tt.want)
		}
	}
	for _, tt := range []struct {
		d    time.Duration
		f    float64
		want time.Duration
	}{
		{time.Second, 2.5, 2500 * time.Millisecond},
		{time.Hour, 1e30, maxD},
		{time.Hour, math.Inf(1), maxD},
		{time.Hour, math.NaN(), 0},
		{time.Hour, -1, 0},
	} {
		if got := ScaleDuration(tt.d, tt.f); got != tt.want {
			t.Errorf("ScaleDuration(%v, %v) = %v; want %v", tt.d, tt.f, got, tt.want)
		}
	}
}

// TestNonFiniteParametersRefused: NaN and infinite parameters, and ones
// whose distribution lies wholly beyond any value, are refused at decode
// with the field named.
func TestNonFiniteParametersRefused(t *testing.T) {
	for _, tt := range []struct{ in, field string }{
		{"{dist: lognormal, mu: .nan, sigma: 1}", "mu"},
		{"{dist: lognormal, mu: NaN, sigma: 1}", "mu"},
		{"{dist: lognormal, mu: 0, sigma: .inf}", "sigma"},
		{"{dist: lognormal, mu: 1e400, sigma: 1}", "mu"},
		{"{dist: lognormal, mu: 800, sigma: 1}", "mu"},
		{"{dist: lognormal, median: 1ms, sigma: Infinity}", "sigma"},
		{"{dist: pareto, min: 1ms, alpha: .nan}", "alpha"},
		{"{dist: pareto, min: 1ms, alpha: -.inf}", "alpha"},
		{"{dist: exp, mean: 1e400s}", "mean"},
		{"{dist: uniform, min: 0s, max: .inf}", "max"},
		{"{dist: normal, mean: NaN, stddev: 1ms}", "mean"},
		{"{dist: empirical, percentiles: {0: 1ms, 100: .inf}}", "percentiles"},
	} {
		_, err := ParseDurationDist(tt.in)
		var se *SpecError
		if !errors.As(err, &se) || se.Field != tt.field || se.Line == 0 {
			t.Errorf("ParseDurationDist(%q) = %v; want a located error on field %q", tt.in, err, tt.field)
		}
	}
	for _, in := range []string{"{dist: normal, mean: 1e308, stddev: .inf}", "{dist: exp, mean: NaN}", "{dist: const, value: 1e999}"} {
		if _, err := ParseNumberDist(in); err == nil {
			t.Errorf("ParseNumberDist(%q) = nil error; want one", in)
		}
	}
}
