package results

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"
)

// The rule that decides when one strategy's figure beats another's. Tables
// star by it and the report's verdicts claim wins by it, so that neither
// lets a handful of samples decide a winner:
//
//  1. A figure is comparable when it rests on enough samples and has an
//     interval: N ≥ Needed (MinSamples for a mean, fraction or count; for a
//     percentile q, enough that MinTail samples lie beyond it,
//     ⌈MinTail/(1−q)⌉: 20 for a p50, 1,000 for a p99, 10,000 for a p999)
//     and a 95 % interval from at least two batches or seeds. An exact
//     figure (no sampling error, like duplication) is always comparable; a
//     count or rate of events (Metric.Events) needs only its interval.
//     A figure resting on rare events (Metric.Rare: the stale fraction,
//     read staleness, versions behind, all made of the k stale sections)
//     also needs k ≥ MinSamples stale sections, or k = 0; and its interval
//     is at least a Poisson count's, relative half-width 1.96/√k, or for
//     k = 0 a fraction's rule-of-three bound 3/n (n sections read; a
//     figure other than the fraction has no such bound and k = 0 leaves it
//     not comparable). Batch means alone cannot see the spread of two
//     events that fall in one batch. Likewise a fraction's interval
//     (Metric.Fraction) is at least the binomial one its count N and
//     value allow: the half-width of Wilson's score interval, which stays
//     above 0 at 0 % and 100 % (about 3.84/N there). Batch means alone
//     give ±0 when every batch of a stratum saw the same outcome, and
//     they cannot see how many samples fell in each stratum. A figure with no samples at all, or
//     with no value (convergence that never happened), is absent: shown as
//     "—", never ranked.
//  2. a beats b when both are comparable, a is better in the metric's
//     direction and their 95 % intervals do not overlap:
//     |a − b| > CI95(a) + CI95(b). (Non-overlap is stricter than a test at
//     the 5 % level: it errs towards "no winner".)
//  3. A row's best figures (one, or several showing exactly the same
//     value) are starred only when each beats every other figure of the
//     row. A figure that is not comparable is never starred, and a row
//     where every figure is the same has no star.
const (
	MinSamples = 30
	MinTail    = 10
)

// Needed is the fewest samples a figure of the metric needs to be compared
// (rule 1).
func (mt Metric) Needed() int64 {
	switch {
	case mt.Within != Batched:
		return 1 // N counts runs; the interval decides
	case mt.Events:
		return 0 // N counts events; none in the window is a precise 0
	}
	if mt.Quantile > 0 && mt.Quantile < 1 {
		return int64(math.Ceil(MinTail/(1-mt.Quantile) - 1e-9))
	}
	return MinSamples
}

// Enough is rule 1's count test, the one every part ranking figures
// (tables, the report's verdicts, compare, sweep plots, calibrate) uses;
// SLO judgements bound figures instead (Figure.Bounds), needing no count
// but a percentile's: n samples, k of them the rare
// events a Metric.Rare figure rests on (ignored otherwise), suffice to
// compare a figure of mt.
func Enough(mt Metric, n, k int64) bool {
	if mt.Within == Exact {
		return true
	}
	if n < mt.Needed() {
		return false
	}
	if mt.Rare {
		return k >= MinSamples || k == 0 && mt.RareFraction
	}
	return true
}

// NeedText says what rule 1 asks of a figure of mt, for a reader: "needs
// 1000", or for a rare-event figure "needs 30 stale sections".
func (mt Metric) NeedText() string {
	if mt.Rare {
		return fmt.Sprintf("needs %d stale sections", MinSamples)
	}
	return fmt.Sprintf("needs %d", mt.Needed())
}

// Figure is one metric of one strategy with what it rests on.
type Figure struct {
	Value   float64
	N       int64   // samples (Stat.N); 0 when the file does not say (schema 1)
	Counted bool    // the file gives N (schema 2)
	CI95    float64 // half-width of the 95 % interval, when HasCI
	HasCI   bool
	Method  string // Stat.Method
	Batches int    // batches or seeds behind the interval
	DF      float64
	// Events counts the rare events a Metric.Rare figure rests on (stale
	// sections, pooled over the seeds); 0 otherwise.
	Events int64
	// Absent: the figure has no value (nothing to count, or a convergence
	// that never happened): shown as "—", never ranked, starred or tested.
	Absent bool
}

// FigureOf reads a metric of m with its sample count and interval. A
// schema-1 file has no counts: its figures are not comparable, except
// exact ones.
func FigureOf(m *Metrics, mt Metric) Figure {
	f := figureOf(m, mt)
	f.poissonFloor(mt)
	f.binomialFloor(mt)
	return f
}

func figureOf(m *Metrics, mt Metric) Figure {
	f := Figure{Value: mt.Get(m), Method: MethodNone}
	st, ok := m.Stats[mt.Name]
	if ok {
		f.N, f.Method, f.Batches, f.DF, f.Counted = st.N, st.Method, st.Batches, st.DF, true
		if f.DF == 0 && f.Batches >= 2 {
			f.DF = float64(f.Batches - 1)
		}
	}
	if !ok && mt.counts != nil {
		// A page kind's figure in a file holding no Stats entry for it:
		// its counts (pooled over the seeds), no interval.
		f.N, _ = mt.counts(m)
		if len(m.Replicas) > 0 {
			f.N = 0
			for _, r := range m.Replicas {
				n, _ := mt.counts(r)
				f.N += n
			}
		}
		f.Counted, ok, st = true, true, Stat{N: f.N, Method: MethodNone}
	}
	f.Absent = mt.Has != nil && !mt.Has(m) || ok && st.N == 0 && mt.Within == Batched && !mt.Events
	if mt.Rare {
		f.Events = staleEvents(m, mt)
	}
	if mt.Within == Exact && (!ok || st.Method != MethodSeeds) {
		f.Method, f.HasCI = MethodExact, true
		return f
	}
	ci, has := m.CI95[mt.Name]
	switch {
	case has && ok && f.Batches >= 2:
		f.CI95, f.HasCI = ci, true
	case has && !ok:
		// A schema-1 file's interval over seeds: shown, but with no
		// sample count the figure stays not comparable.
		f.CI95, f.HasCI, f.Method, f.Batches, f.DF = ci, true, MethodSeeds, len(m.Replicas), float64(len(m.Replicas)-1)
	}
	return f
}

// staleEvents counts the stale sections behind mt's figure of m, summed
// over the seeds: the sample count of the conditional staleness of the
// same scope (Stat.N of staleness.p99, or staleness.p99@scope: the stale
// sections), else the sections' Stale (an aggregate's own being their
// mean). A scoped metric reads its page kind's or owner's sections, not
// the public pages'.
func staleEvents(m *Metrics, mt Metric) int64 {
	_, scope := SplitScope(mt.Name)
	conditional := "staleness.p99"
	if scope != "" {
		conditional = Scoped(conditional, scope)
	}
	if st, ok := m.Stats[conditional]; ok {
		return st.N
	}
	sections := func(m *Metrics) int64 {
		switch {
		case scope == "":
			return allPages(m).Stale
		case m.Owners[scope] != nil:
			return m.Owners[scope].Sections.Stale
		case m.Pages[scope] != nil:
			return m.Pages[scope].Stale
		}
		return 0
	}
	if len(m.Replicas) == 0 {
		return sections(m)
	}
	var k int64
	for _, r := range m.Replicas {
		k += sections(r)
	}
	return k
}

// poissonFloor widens a rare-event figure's interval to at least a Poisson
// count's (rule 1).
func (f *Figure) poissonFloor(mt Metric) {
	if !mt.Rare || !f.HasCI || !f.Counted {
		return
	}
	f.CI95 = math.Max(f.CI95, f.rareFloor(mt))
}

// binomialFloor widens a fraction's interval to at least Wilson's score
// interval for its value over N trials (rule 1). The file holds the
// batch-means half-width; every reader goes through FigureOf, so tables,
// stars, compare and SLO verdicts all see the wider one.
func (f *Figure) binomialFloor(mt Metric) {
	if !mt.Fraction || !f.HasCI || !f.Counted || f.N <= 0 || f.Method == MethodExact {
		return
	}
	p := min(max(f.Value/100, 0), 1)
	lo, hi := wilson(p, f.N, z975)
	f.CI95 = math.Max(f.CI95, 100*math.Max(p-lo, hi-p))
}

// Normal quantiles: two-sided and one-sided 95 %.
const (
	z975 = 1.959963984540054
	z95  = 1.6448536269514722
)

// wilson is Wilson's score interval for a share p of n trials at the
// normal quantile z.
func wilson(p float64, n int64, z float64) (lo, hi float64) {
	nf, z2 := float64(n), z*z
	centre := (p + z2/(2*nf)) / (1 + z2/nf)
	half := z / (1 + z2/nf) * math.Sqrt(p*(1-p)/nf+z2/(4*nf*nf))
	return max(centre-half, 0), min(centre+half, 1)
}

// poissonBounds are one-sided 95 % bounds on the mean of a Poisson count
// that came out k (Wilson–Hilferty's approximation, within 1 % of the
// exact ones; 0 and ≈3 for k = 0: the rule of three).
func poissonBounds(k int64) (lo, hi float64) {
	kf := float64(k)
	cube := func(x float64) float64 { return x * x * x }
	hi = (kf + 1) * cube(1-1/(9*(kf+1))+z95/(3*math.Sqrt(kf+1)))
	if k > 0 {
		lo = kf * cube(max(1-1/(9*kf)-z95/(3*math.Sqrt(kf)), 0))
	}
	return lo, hi
}

// Bounds are the one-sided 95 % bounds an SLO judges the figure by: the
// figure's interval made one-sided (Student's t at its degrees of
// freedom), widened for a fraction to what counting its outcomes allows
// (the failures, or for a rare fraction the events, of N: none gives the
// rule of three's 1 − 0.05^(1/N), about 3/N; some give Wilson's bound,
// or Poisson's for rare events) and for a figure made of k rare events
// to Poisson's relative bounds on k. Unlike rule 1 these need no minimum
// count: a bound that clears a target clears it whatever the count. ok
// is false when nothing bounds the figure (no interval, or a rare-event
// mean over no events).
func (f Figure) Bounds(mt Metric) (lo, hi float64, ok bool) {
	lo, hi = f.Value, f.Value
	switch {
	case f.Method == MethodExact:
		return lo, hi, true
	case f.HasCI:
		w := f.CI95 * oneSided(f.DF)
		lo, hi, ok = f.Value-w, f.Value+w, true
	}
	switch {
	case mt.Fraction && f.Counted && f.N > 0:
		cl, ch := f.countBounds(mt)
		lo, hi, ok = min(lo, cl), max(hi, ch), true
	case mt.Rare && f.Events > 0:
		pl, ph := poissonBounds(f.Events)
		k := float64(f.Events)
		lo, hi = min(lo, f.Value*pl/k), max(hi, f.Value*ph/k)
	case mt.Rare:
		ok = false // no stale section: nothing says how stale one would be
	}
	return lo, hi, ok
}

// quantileBounds bound a percentile that has no interval by the order
// statistics of its histogram hist (HdrHistogram, µs): of n independent
// samples, the q-quantile lies below the one of rank nq + z·√(nq(1−q)) + 1
// with 95 % confidence, and above the one of rank nq − z·√(nq(1−q)). ok is
// false when the histogram is missing or too small to give both.
func quantileBounds(hist string, q float64) (lo, hi float64, ok bool) {
	if hist == "" {
		return 0, 0, false
	}
	h, err := DecodeHDR(hist)
	if err != nil || h.TotalCount() == 0 {
		return 0, 0, false
	}
	n := float64(h.TotalCount())
	spread := z95 * math.Sqrt(n*q*(1-q))
	rankHi, rankLo := n*q+spread+1, n*q-spread
	if rankHi > n || rankLo < 1 {
		return 0, 0, false
	}
	return float64(h.ValueAtQuantile(100*rankLo/n)) / 1000, float64(h.ValueAtQuantile(100*rankHi/n)) / 1000, true
}

// oneSided turns a two-sided 95 % half-width at df degrees of freedom (0:
// normal) into a one-sided 95 % one.
func oneSided(df float64) float64 {
	if df <= 0 {
		return z95 / z975
	}
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}
	return t.Quantile(0.95) / t.Quantile(0.975)
}

// countBounds bound a fraction (in per cent) from its outcomes alone: N
// trials, of which the share Value/100 came out one way.
func (f Figure) countBounds(mt Metric) (lo, hi float64) {
	n := float64(f.N)
	p := min(max(f.Value/100, 0), 1)
	k := math.Round(p * n)
	if mt.Rare && f.Events > 0 {
		k = float64(f.Events)
	}
	none := 1 - math.Pow(0.05, 1/n) // the rule of three's bound on a share seen in no trial
	switch {
	case k <= 0:
		lo, hi = 0, none
	case k >= n:
		lo, hi = 1-none, 1
	case mt.Rare:
		pl, ph := poissonBounds(int64(k))
		lo, hi = pl/n, min(ph/n, 1)
	default:
		lo, hi = wilson(p, f.N, z95)
	}
	return 100 * lo, 100 * hi
}

// rareFloor is the least 95 % half-width a rare-event figure can have:
// 1.96·|value|/√k for k events, or for none a fraction's rule-of-three
// bound, 3/n (in per cent, n sections read).
func (f Figure) rareFloor(mt Metric) float64 {
	switch {
	case !mt.Rare:
		return 0
	case f.Events > 0:
		return 1.96 * math.Abs(f.Value) / math.Sqrt(float64(f.Events))
	case mt.RareFraction && f.N > 0:
		return 100 * 3 / float64(f.N)
	}
	return 0
}

// Comparable reports whether the figure may be compared at all (rule 1).
func (f Figure) Comparable(mt Metric) bool {
	if f.Absent {
		return false
	}
	if f.Method == MethodExact {
		return true
	}
	return f.HasCI && Enough(mt, f.N, f.Events)
}

// TooFew reports whether tables, plots and the report mark the figure as
// resting on too few samples ("?"): it is not comparable, and a run could
// have given it an interval (a counter one run gives none is just never
// starred). An absent figure is not marked: it has no value.
func (f Figure) TooFew(mt Metric) bool {
	return !f.Absent && !f.Comparable(mt) && (f.HasCI || mt.Within == Batched)
}

// Short reports whether a counted figure (a schema-2 file) has too few
// samples for rule 1's count test, interval aside: what compare refuses
// to judge. An older file's figures, without counts, are judged as before.
func (f Figure) Short(mt Metric) bool {
	return f.Counted && f.Method != MethodExact && !Enough(mt, f.N, f.Events)
}

// Lo and Hi bound the 95 % interval (the value itself without one).
func (f Figure) Lo() float64 { return f.Value - f.CI95 }

// Hi is the interval's upper bound.
func (f Figure) Hi() float64 { return f.Value + f.CI95 }

// Beats reports whether figure a beats figure b on mt (rule 2).
func Beats(mt Metric, a, b Figure) bool {
	if !a.Comparable(mt) || !b.Comparable(mt) {
		return false
	}
	if mt.Better == Higher && a.Value <= b.Value || mt.Better == Lower && a.Value >= b.Value {
		return false
	}
	return math.Abs(a.Value-b.Value) > a.CI95+b.CI95
}

// Wins reports whether strategy a's figure beats strategy b's on mt by the
// rule: what a verdict may claim. A metric that applies to neither is no
// win.
func Wins(mt Metric, a, b *Metrics) bool {
	if a == nil || b == nil || !mt.Applies(a) || !mt.Applies(b) {
		return false
	}
	return Beats(mt, FigureOf(a, mt), FigureOf(b, mt))
}

// Ranking is a row of strategies judged by the rule.
type Ranking struct {
	// Best is the strategy with the best value among those the metric
	// applies to, first in order on a tie; "" if none applies.
	Best string
	// Winners are the strategies showing exactly Best's value, Best
	// first, in order.
	Winners []string
	// RunnerUp is the best of the others; "" if there are none.
	RunnerUp string
	// Starred: the Winners beat every other strategy of the row (rule 3).
	Starred bool
	// TooFew lists, in order, the strategies whose figure is not
	// comparable (rule 1): tables mark them, verdicts skip them.
	TooFew []string
	// Figures holds each applicable strategy's figure.
	Figures map[string]Figure
}

// Best judges one metric across strategies, in order (names missing from
// strategies, or to which the metric does not apply, are left out).
func Best(mt Metric, order []string, strategies map[string]*Metrics) Ranking {
	r := Ranking{Figures: map[string]Figure{}}
	var names []string
	for _, name := range order {
		m := strategies[name]
		if m == nil || !mt.Applies(m) || slices.Contains(names, name) {
			continue
		}
		f := FigureOf(m, mt)
		r.Figures[name] = f
		if f.Absent {
			continue // shown, never ranked
		}
		names = append(names, name)
		if !f.Comparable(mt) {
			r.TooFew = append(r.TooFew, name)
		}
	}
	if len(names) == 0 {
		return r
	}
	better := func(a, b float64) bool {
		if mt.Better == Higher {
			return a > b
		}
		return a < b
	}
	sorted := slices.Clone(names)
	slices.SortStableFunc(sorted, func(a, b string) int {
		va, vb := r.Figures[a].Value, r.Figures[b].Value
		switch {
		case better(va, vb):
			return -1
		case better(vb, va):
			return 1
		}
		return 0
	})
	r.Best = sorted[0]
	top := r.Figures[r.Best].Value
	for _, name := range sorted {
		if r.Figures[name].Value == top {
			r.Winners = append(r.Winners, name)
		}
	}
	if len(r.Winners) == len(sorted) {
		return r // nothing to choose between
	}
	r.RunnerUp = sorted[len(r.Winners)]
	r.Starred = true
	for _, w := range r.Winners {
		for _, name := range sorted[len(r.Winners):] {
			if !Beats(mt, r.Figures[w], r.Figures[name]) {
				r.Starred = false
			}
		}
	}
	return r
}
