package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Dist is a probability distribution over non-negative reals. Values carry
// no unit of their own: DurationDist reads them as seconds, NumberDist as
// plain numbers.
//
// Implementations are immutable and safe to share; randomness comes from the
// *rand.Rand passed in, so the caller decides which stream pays for a sample.
type Dist interface {
	// Sample draws one value using r.
	Sample(r *rand.Rand) float64
	// Mean is the expected value (+Inf where it does not exist).
	Mean() float64
	// Quantile is the inverse CDF at p in [0, 1].
	Quantile(p float64) float64
	// notation renders the distribution in the scenario notation, formatting
	// values with value.
	notation(value func(float64) string) string
}

// z99 is the standard normal's 99th percentile, used to turn (median, p99)
// into a lognormal's sigma.
const z99 = 2.3263478740408408

// Const always yields V.
type Const struct{ V float64 }

func (d Const) Sample(*rand.Rand) float64 { return d.V }
func (d Const) Mean() float64             { return d.V }
func (d Const) Quantile(float64) float64  { return d.V }
func (d Const) notation(v func(float64) string) string {
	return v(d.V)
}

// Uniform is continuous uniform on [Min, Max].
type Uniform struct{ Min, Max float64 }

func (d Uniform) Sample(r *rand.Rand) float64 { return d.Min + r.Float64()*(d.Max-d.Min) }
func (d Uniform) Mean() float64               { return (d.Min + d.Max) / 2 }
func (d Uniform) Quantile(p float64) float64  { return d.Min + p*(d.Max-d.Min) }
func (d Uniform) notation(v func(float64) string) string {
	return fmt.Sprintf("{dist: uniform, min: %s, max: %s}", v(d.Min), v(d.Max))
}

// Exp is exponential with the given mean.
type Exp struct{ M float64 }

func (d Exp) Sample(r *rand.Rand) float64 { return r.ExpFloat64() * d.M }
func (d Exp) Mean() float64               { return d.M }
func (d Exp) Quantile(p float64) float64  { return -d.M * math.Log1p(-p) }
func (d Exp) notation(v func(float64) string) string {
	return fmt.Sprintf("{dist: exp, mean: %s}", v(d.M))
}

// Normal is a normal distribution with location Mu and scale Sigma,
// truncated at 0: negative values are never drawn (the mass below 0 is
// redistributed proportionally, not piled onto 0).
type Normal struct{ Mu, Sigma float64 }

// lowerMass is Φ(-Mu/Sigma), the probability mass the truncation removes.
func (d Normal) lowerMass() float64 { return stdNormalCDF(-d.Mu / d.Sigma) }

func (d Normal) Sample(r *rand.Rand) float64 { return d.Quantile(r.Float64()) }
func (d Normal) Mean() float64 {
	// Mean of a normal truncated below at 0: μ + σ φ(α)/(1−Φ(α)), α = −μ/σ.
	a := -d.Mu / d.Sigma
	return d.Mu + d.Sigma*stdNormalPDF(a)/(1-stdNormalCDF(a))
}
func (d Normal) Quantile(p float64) float64 {
	lo := d.lowerMass()
	x := d.Mu + d.Sigma*stdNormalQuantile(lo+p*(1-lo))
	return math.Max(x, 0)
}
func (d Normal) notation(v func(float64) string) string {
	return fmt.Sprintf("{dist: normal, mean: %s, stddev: %s}", v(d.Mu), v(d.Sigma))
}

// LogNormal is the distribution of e^X for X normal with mean Mu and
// standard deviation Sigma. For durations X is the log of seconds.
type LogNormal struct{ Mu, Sigma float64 }

func (d LogNormal) Sample(r *rand.Rand) float64 { return math.Exp(d.Mu + d.Sigma*r.NormFloat64()) }
func (d LogNormal) Mean() float64               { return math.Exp(d.Mu + d.Sigma*d.Sigma/2) }
func (d LogNormal) Quantile(p float64) float64 {
	return math.Exp(d.Mu + d.Sigma*stdNormalQuantile(p))
}
func (d LogNormal) notation(v func(float64) string) string {
	// Median and p99 read best, but past a duration's range (a huge sigma
	// or mu) they would print saturated and read back as another
	// distribution: then mu and sigma, which always round-trip.
	median, p99 := d.Quantile(0.5), d.Quantile(0.99)
	if median > 0 && p99 > median && p99 < maxSeconds {
		return fmt.Sprintf("{dist: lognormal, median: %s, p99: %s}", v(median), v(p99))
	}
	return fmt.Sprintf("{dist: lognormal, mu: %s, sigma: %s}", formatNumber(d.Mu), formatNumber(d.Sigma))
}

// Pareto is the Pareto (type I) distribution with scale Min (the smallest
// value) and shape Alpha; its mean is infinite for Alpha ≤ 1.
type Pareto struct{ Min, Alpha float64 }

func (d Pareto) Sample(r *rand.Rand) float64 { return d.Quantile(r.Float64()) }
func (d Pareto) Mean() float64 {
	if d.Alpha <= 1 {
		return math.Inf(1)
	}
	return d.Alpha * d.Min / (d.Alpha - 1)
}
func (d Pareto) Quantile(p float64) float64 { return d.Min / math.Pow(1-p, 1/d.Alpha) }
func (d Pareto) notation(v func(float64) string) string {
	return fmt.Sprintf("{dist: pareto, min: %s, alpha: %s}", v(d.Min), formatNumber(d.Alpha))
}

// Empirical interpolates linearly between measured percentiles: P holds the
// cumulative probabilities (strictly increasing, from 0 to 1) and V the
// values at them (non-decreasing).
type Empirical struct{ P, V []float64 }

func (d Empirical) Sample(r *rand.Rand) float64 { return d.Quantile(r.Float64()) }
func (d Empirical) Mean() float64 {
	var m float64
	for i := 1; i < len(d.P); i++ {
		m += (d.P[i] - d.P[i-1]) * (d.V[i] + d.V[i-1]) / 2
	}
	return m
}
func (d Empirical) Quantile(p float64) float64 {
	i := sort.SearchFloat64s(d.P, p) // first P[i] >= p
	switch {
	case i == 0:
		return d.V[0]
	case i == len(d.P):
		return d.V[len(d.V)-1]
	}
	f := (p - d.P[i-1]) / (d.P[i] - d.P[i-1])
	return d.V[i-1] + f*(d.V[i]-d.V[i-1])
}
func (d Empirical) notation(v func(float64) string) string {
	var b strings.Builder
	b.WriteString("{dist: empirical, percentiles: {")
	for i := range d.P {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s: %s", formatNumber(d.P[i]*100), v(d.V[i]))
	}
	b.WriteString("}}")
	return b.String()
}

func stdNormalCDF(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }
func stdNormalPDF(x float64) float64 { return math.Exp(-x*x/2) / math.Sqrt(2*math.Pi) }
func stdNormalQuantile(p float64) float64 {
	return -math.Sqrt2 * math.Erfcinv(2*p)
}

// DurationDist is a distribution of durations; its values are seconds.
// The zero value always yields 0.
type DurationDist struct{ Dist }

// ConstDuration is the distribution that always yields d.
func ConstDuration(d time.Duration) DurationDist {
	return DurationDist{Const{d.Seconds()}}
}

// Sample draws one duration, rounded to the nanosecond.
func (d DurationDist) Sample(r *rand.Rand) time.Duration {
	if d.Dist == nil {
		return 0
	}
	return secondsToDuration(d.Dist.Sample(r))
}

// Mean is the expected duration (saturating at the largest Duration).
func (d DurationDist) Mean() time.Duration {
	if d.Dist == nil {
		return 0
	}
	return secondsToDuration(d.Dist.Mean())
}

// Quantile is the duration below which a fraction p of samples fall.
func (d DurationDist) Quantile(p float64) time.Duration {
	if d.Dist == nil {
		return 0
	}
	return secondsToDuration(d.Dist.Quantile(p))
}

// IsZero reports whether d always yields 0.
func (d DurationDist) IsZero() bool {
	return d.Dist == nil || d.Dist == Dist(Const{})
}

// String renders d in the scenario notation, e.g. "{dist: exp, mean: 1ms}".
func (d DurationDist) String() string {
	if d.Dist == nil {
		return "0s"
	}
	return d.Dist.notation(formatSeconds)
}

// NumberDist is a distribution of plain numbers (counts, sizes, factors).
// The zero value always yields 0.
type NumberDist struct{ Dist }

// Sample draws one value.
func (d NumberDist) Sample(r *rand.Rand) float64 {
	if d.Dist == nil {
		return 0
	}
	return d.Dist.Sample(r)
}

// String renders d in the scenario notation.
func (d NumberDist) String() string {
	if d.Dist == nil {
		return "0"
	}
	return d.Dist.notation(formatNumber)
}

// maxSeconds is the longest time.Duration, in seconds.
const maxSeconds = float64(math.MaxInt64) / 1e9

// secondsToDuration rounds to the nearest nanosecond, saturating: however
// heavy a distribution's tail, a draw past the longest Duration (or +Inf)
// becomes the longest Duration rather than wrapping negative, and a
// negative or NaN value becomes 0.
func secondsToDuration(s float64) time.Duration {
	ns := s*1e9 + 0.5
	switch {
	case ns >= math.MaxInt64: // also +Inf; float64(MaxInt64) is 2^63
		return math.MaxInt64
	case !(ns >= 1): // also NaN
		return 0
	}
	return time.Duration(ns)
}

// AddDurations is a+b for b ≥ 0, saturating at the longest Duration
// instead of wrapping negative: "now plus a huge draw" is "never".
func AddDurations(a, b time.Duration) time.Duration {
	if b > math.MaxInt64-a {
		return math.MaxInt64
	}
	return a + b
}

// ScaleDuration is d·f (truncated to the nanosecond) for f ≥ 0,
// saturating likewise; NaN gives 0.
func ScaleDuration(d time.Duration, f float64) time.Duration {
	x := float64(d) * f
	switch {
	case x >= math.MaxInt64:
		return math.MaxInt64
	case !(x > 0):
		return 0
	}
	return time.Duration(x)
}

func formatSeconds(s float64) string { return secondsToDuration(s).String() }

func formatNumber(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
