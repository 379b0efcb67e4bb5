package results

import (
	"maps"
	"math"
	"reflect"
	"slices"
	"strings"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/sharebench/sharebench/pages"
)

// Aggregate combines one strategy's Metrics from several seeds (replicas)
// into one. A single replica is returned as is, and no replicas give nil.
// With several:
//
//   - every numeric field (Metrics, PageMetrics, OwnerMetrics,
//     BrokerMetrics, Summary, DuplicationBytes) is the mean over the
//     replicas; int64 fields, counts mostly, are that mean rounded to the
//     nearest integer (halves away from zero), so a mean count of 2.5
//     reads 3;
//   - a page kind is averaged over the replicas that have it; a service
//     missing from a replica's DuplicationBytes counts as 0 bytes;
//   - a Summary with an HDR snapshot in every replica ("latency.<kind>",
//     "staleness.all", "propagation") is recomputed from the merged
//     snapshot, so its percentiles are those of the pooled values; HDR holds
//     those merged snapshots. A snapshot missing from some replica, or one
//     that does not decode, leaves the mean of the replicas' summaries and
//     no merged snapshot, so HDR never describes fewer runs than the rest;
//   - Series and Consistency are point-wise means by index, each point over
//     the replicas whose lists reach it;
//   - ReadStalenessMS of pages "all" is recomputed from the merged
//     "staleness.all" and the sections shown over all replicas, as the
//     conditional staleness is;
//   - Owners (the general form) are merged owner by owner as Metrics are:
//     numeric fields and duplication bytes are means over the replicas
//     that have the owner, Strategy is the first replica's; a page's
//     PageCompleteness is the mean over the replicas that have one;
//   - Replicas holds the inputs, and CI95 the half-width of the 95 %
//     confidence interval of the mean of each Registry metric and, in the
//     general form (replicas with Owners), each scoped metric of their
//     page kinds and owners (latency.p99@product, owner.rps@reviews), as
//     MetricsFor names them (Student's t with
//     n−1 degrees of freedom); Stats gives each the pooled sample count
//     (the replicas' N summed; the number of runs for a metric without
//     one) and method "seeds".
//
// The inputs are not modified. None may be nil.
func Aggregate(replicas []*Metrics) *Metrics {
	switch len(replicas) {
	case 0:
		return nil
	case 1:
		return replicas[0]
	}
	agg := new(Metrics)
	// Reflection rather than a field list: a numeric field added to
	// result.go is averaged without anyone remembering to come here.
	meanFields(reflect.ValueOf(agg).Elem(), valuesOf(replicas))
	agg.Pages = meanPages(replicas)
	agg.DuplicationBytes = meanDuplication(replicas)
	agg.Owners = meanOwners(replicas)
	agg.Series = meanByIndex(replicas, func(m *Metrics) []Second { return m.Series })
	agg.Consistency = meanByIndex(replicas, func(m *Metrics) []ConsistencyPoint { return m.Consistency })
	agg.HDR = mergeSummaries(agg, replicas)
	// A seed whose views never converged has no time to average: the
	// aggregate did not converge either.
	if slices.ContainsFunc(replicas, func(r *Metrics) bool { return r.NeverConverged }) {
		agg.NeverConverged, agg.ConvergenceMS = true, 0
	}
	pooledReadStaleness(agg, replicas)
	agg.Replicas = slices.Clone(replicas)
	metrics := MetricsFor(scopesOf(replicas))
	agg.CI95 = make(map[string]float64, len(metrics))
	counted := !slices.ContainsFunc(replicas, func(r *Metrics) bool { return r.Stats == nil })
	if counted { // replicas from an older file have no counts to pool
		agg.Stats = make(map[string]Stat, len(metrics))
	}
	xs := make([]float64, len(replicas))
	for _, m := range metrics {
		st := Stat{Method: MethodSeeds, Batches: len(replicas), DF: float64(len(replicas) - 1)}
		for i, r := range replicas {
			xs[i] = m.Get(r)
			if rs, ok := r.Stats[m.Name]; ok && m.Within != Unbatched {
				st.N += rs.N
			}
		}
		if m.Within == Unbatched || st.N == 0 && m.Within == Exact {
			st.N = int64(len(replicas))
		}
		if m.Has == nil || m.Has(agg) {
			agg.CI95[m.Name] = CI95(xs)
		}
		if counted {
			agg.Stats[m.Name] = st
		}
	}
	return agg
}

// scopesOf is the topology MetricsFor needs to name the replicas' scoped
// metrics: their owners and page kinds (names are all a scoped metric
// reads), or nil for the marketplace form, whose replicas have no Owners.
// Read from the replicas so that Aggregate needs no topology passed in.
func scopesOf(replicas []*Metrics) *pages.Topology {
	owners := unionKeys(replicas, func(m *Metrics) map[string]*OwnerResult { return m.Owners })
	if len(owners) == 0 {
		return nil
	}
	t := &pages.Topology{Owners: owners}
	for _, k := range unionKeys(replicas, func(m *Metrics) map[string]*PageMetrics { return m.Pages }) {
		if k != pages.All {
			t.Kinds = append(t.Kinds, pages.Kind{Name: k})
		}
	}
	return t
}

// pooledReadStaleness recomputes the read staleness of the public pages
// from the merged stale histogram and every replica's sections shown; it
// leaves the replicas' mean when either is missing (a schema-1 replica).
func pooledReadStaleness(agg *Metrics, replicas []*Metrics) {
	all := agg.Pages[pages.All]
	enc, ok := agg.HDR["staleness.all"]
	if all == nil || !ok {
		return
	}
	var shown int64
	for _, r := range replicas {
		p := r.Pages[pages.All]
		if p == nil || p.Shown == 0 && p.Stale == 0 && p.Count > 0 {
			return // no counts: an older file
		}
		shown += p.Shown
	}
	h, err := DecodeHDR(enc)
	if err != nil {
		return
	}
	all.ReadStalenessMS = ReadStalenessOf(h, shown)
}

// BatchCI is the within-run interval of a figure from its per-batch values
// (each batch's own mean, fraction or percentile, over batches that had
// samples): the half-width t(0.975, b−1)·s/√b of the batch means, with s the
// batches' standard deviation, and b. The interval is centred on the figure
// of the whole window, not on the batches' mean: for a percentile the batch
// percentiles are biased (a p99 of a few hundred values sits lower than
// the pooled one), but their spread still measures how much the figure
// moves from one stretch of the run to another. It assumes the batches are
// long enough to be nearly independent and the run nearly stationary (a
// fault makes batches differ, which widens the interval rather than
// hiding it). Fewer than two batches give no interval (ok false).
func BatchCI(values []float64) (half float64, b int, ok bool) {
	if len(values) < 2 {
		return 0, len(values), false
	}
	return CI95(values), len(values), true
}

// StratifiedCI is BatchCI for a run cut into strata, with batches weighted
// by their sample counts. Strata are stretches the scenario makes differ
// on purpose (a fault's window, the time before and after it): a fault
// makes batches differ systematically, and plain batch means would take
// that design for noise. Here each stratum's batches vary only around
// their own stratum's level: with W_j a stratum's share of the samples
// (the weights summed), the variance of the figure is Σ W_j²·v_j and the
// degrees of freedom are Welch–Satterthwaite's. The figure is a pooled
// ratio R = Σw_i·x_i/Σw_i over all batches (whole pages over pages with
// data, say), so its variance is that of the combined ratio estimator
// (Cochran, §6.12), linearised: batch i contributes z_i = w_i·(x_i −
// R)/Σw, and a stratum of b_j batches v_j = b_j/(b_j−1)·Σ(z_i − z̄_j)².
// With equal batches in a stratum it is W_j²·s_j²/b_j, plain batch means;
// with unequal ones (a traffic spike crowding one batch) plain batch means
// would centre the spread on the batches' unweighted mean, not on the
// pooled figure, and understate it. It also counts what the strata's
// shares of the samples do: they are random (requests arrive at random),
// and where strata differ in level (an owner's sections all missing
// during its outage, all there outside it) how many samples fell in the
// outage moves the figure as much as the noise within strata does; a
// variance around each stratum's own level alone, Σ W_j²·v_j with W_j
// taken as fixed, left that out and came out several times narrower than
// the spread between seeds. stratum[i] names value i's stratum (strata numbered in
// time order); weight[i] is its batch's sample count. The half-width is
// t(0.975, df)·√variance.
//
// A stratum with fewer than MinStratumBatches batches holding samples is
// collapsed into its neighbour in time (the next one with samples, or
// the previous for the last): the collapsed-strata estimator of survey
// sampling (Cochran, Sampling Techniques, §5A.12). Its own variance,
// estimated from one or two values, is too unsure to be used: with two
// batches it has one degree of freedom, and a stratum that dominates the
// variance drags Welch–Satterthwaite's df to ≈ 1 (t = 12.7), so one seed's
// interval came out 20 times another's. Collapsing overstates the variance
// by the difference of the two strata's levels, weighted by the small
// stratum's share of the samples; such a stratum is in practice a fault
// window's edge (pages sent just before an outage that made all others
// fail) holding few samples, so the overstatement is small, and it errs
// on the wide side. Every stratum kept thus has at least two degrees of
// freedom, and so does the interval. When every stratum collapses into
// one, it is that stratum's (weighted) batch means.
func StratifiedCI(values, weight []float64, stratum []int) (half, df float64, ok bool) {
	type acc struct {
		xs, ws []float64
		w      float64
	}
	by := map[int]*acc{}
	var total float64
	for i, x := range values {
		a := by[stratum[i]]
		if a == nil {
			a = &acc{}
			by[stratum[i]] = a
		}
		a.xs, a.ws = append(a.xs, x), append(a.ws, weight[i])
		a.w += weight[i]
		total += weight[i]
	}
	if len(values) < 2 {
		return 0, float64(len(values) - 1), false
	}
	if total <= 0 {
		h, b, ok := BatchCI(values)
		return h, float64(b - 1), ok
	}
	// In stratum order: float sums in map order would differ in the last
	// bit from run to run, and result files must not. Strata without
	// samples take no part (a batch's figure there is no figure).
	var kept []*acc
	for _, j := range slices.Sorted(maps.Keys(by)) {
		if by[j].w > 0 {
			kept = append(kept, by[j])
		}
	}
	for {
		small := slices.IndexFunc(kept, func(a *acc) bool { return len(a.xs) < MinStratumBatches })
		if small < 0 || len(kept) == 1 {
			break
		}
		into := small + 1
		if into == len(kept) {
			into = small - 1
		}
		// Keep the batches in time order within the merged stratum: the
		// sums then run in one fixed order.
		lo, hi := min(small, into), max(small, into)
		kept[lo].xs = append(kept[lo].xs, kept[hi].xs...)
		kept[lo].ws = append(kept[lo].ws, kept[hi].ws...)
		kept[lo].w += kept[hi].w
		kept = slices.Delete(kept, hi, hi+1)
	}
	if len(kept) == 1 { // one stratum: its weighted batch means, df b−1 exactly
		a := kept[0]
		if len(a.xs) < 2 {
			return 0, float64(len(a.xs) - 1), false
		}
		df := float64(len(a.xs) - 1)
		return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Quantile(0.975) * math.Sqrt(weightedVariance(a.xs, a.ws)), df, true
	}
	if allEqual(values) {
		return 0, float64(len(values) - 1), true
	}
	// The combined ratio R = Σw·x/Σw, linearised: batch i adds z_i =
	// w_i·(x_i − R)/Σw, and within a stratum the z vary around their mean.
	var swx float64
	for _, a := range kept {
		for i, x := range a.xs {
			swx += a.ws[i] * x
		}
	}
	ratio := swx / total
	var variance, den float64
	for _, a := range kept {
		b := float64(len(a.xs))
		zs := make([]float64, len(a.xs))
		for i, x := range a.xs {
			zs[i] = a.ws[i] * (x - ratio) / total
		}
		zbar := mean(zs)
		var ss float64
		for _, z := range zs {
			ss += (z - zbar) * (z - zbar)
		}
		v := b / (b - 1) * ss
		variance += v
		den += v * v / (b - 1)
	}
	if variance == 0 {
		return 0, float64(len(values) - 1), true
	}
	df = variance * variance / den
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Quantile(0.975) * math.Sqrt(variance), df, true
}

// MinStratumBatches is the fewest batches with samples a stratum keeps
// its own variance with (StratifiedCI): two degrees of freedom, t ≤ 4.30.
const MinStratumBatches = 3

// weightedVariance is the variance of the pooled figure Σw·x/Σw of batch
// values xs with sample counts ws: b/(b−1)·Σ p_i²·(x_i − x̄)², p_i = w_i/Σw.
// Equal weights give s²/b; all values equal give exactly 0.
func weightedVariance(xs, ws []float64) float64 {
	b := len(xs)
	if b < 2 || allEqual(xs) {
		return 0
	}
	var sw, swx float64
	for i, x := range xs {
		sw += ws[i]
		swx += ws[i] * x
	}
	if sw <= 0 {
		_, sd := stat.MeanStdDev(xs, nil)
		return sd * sd / float64(b)
	}
	centre := swx / sw
	var sum float64
	for i, x := range xs {
		p := ws[i] / sw
		sum += p * p * (x - centre) * (x - centre)
	}
	return float64(b) / float64(b-1) * sum
}

// SE is the standard error a 95 % half-width over b values implies:
// half / t(0.975, b−1). The inverse of CI95, for tests on two figures.
func SE(half float64, b int) float64 {
	if b < 2 {
		return math.NaN()
	}
	return SEdf(half, float64(b-1))
}

// SEdf is SE for an interval with df degrees of freedom.
func SEdf(half, df float64) float64 {
	if df <= 0 {
		return math.NaN()
	}
	return half / distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Quantile(0.975)
}

// CI95 returns the half-width of the 95 % confidence interval of the mean of
// xs: t(0.975, n−1)·s/√n, with s the sample standard deviation. Fewer than
// two values, or all equal, give 0.
func CI95(xs []float64) float64 {
	n := len(xs)
	// All equal is checked rather than computed: rounding in the mean would
	// otherwise leave a width of 1e-17 where there is no spread at all.
	if n < 2 || allEqual(xs) {
		return 0
	}
	_, sd := stat.MeanStdDev(xs, nil)
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(n - 1)}.Quantile(0.975)
	return t * sd / math.Sqrt(float64(n))
}

func allEqual(xs []float64) bool {
	for _, x := range xs[1:] {
		if x != xs[0] {
			return false
		}
	}
	return true
}

// mean is shifted by the first value so that equal inputs give exactly that
// value back, as a plain sum/n may not (0.1+0.1+0.1 != 0.3).
func mean(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	var d float64
	for _, x := range xs[1:] {
		d += x - xs[0]
	}
	return xs[0] + d/float64(len(xs))
}

func valuesOf[T any](ps []*T) []reflect.Value {
	vs := make([]reflect.Value, len(ps))
	for i, p := range ps {
		vs[i] = reflect.ValueOf(p).Elem()
	}
	return vs
}

// meanFields sets every float and integer field of the struct dst, nested
// structs included, to the mean of that field over srcs (structs of dst's
// type); integers are rounded. Maps, slices and pointers are left alone.
func meanFields(dst reflect.Value, srcs []reflect.Value) {
	xs := make([]float64, len(srcs))
	for i := range dst.NumField() {
		f := dst.Field(i)
		switch f.Kind() {
		case reflect.Float32, reflect.Float64:
			for j, s := range srcs {
				xs[j] = s.Field(i).Float()
			}
			f.SetFloat(mean(xs))
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			for j, s := range srcs {
				xs[j] = float64(s.Field(i).Int())
			}
			f.SetInt(int64(math.Round(mean(xs))))
		case reflect.Struct:
			sub := make([]reflect.Value, len(srcs))
			for j, s := range srcs {
				sub[j] = s.Field(i)
			}
			meanFields(f, sub)
		}
	}
}

func meanPages(replicas []*Metrics) map[string]*PageMetrics {
	byKind := make(map[string]*PageMetrics)
	for _, kind := range unionKeys(replicas, func(m *Metrics) map[string]*PageMetrics { return m.Pages }) {
		var have []*PageMetrics
		for _, r := range replicas {
			if p := r.Pages[kind]; p != nil {
				have = append(have, p)
			}
		}
		if len(have) == 0 { // a nil entry in every replica
			continue
		}
		byKind[kind] = meanPage(have)
	}
	return byKind
}

// meanPage is the mean of page figures, PageCompleteness over those that
// have it (the general form's).
func meanPage(have []*PageMetrics) *PageMetrics {
	p := new(PageMetrics)
	meanFields(reflect.ValueOf(p).Elem(), valuesOf(have))
	var pcs []float64
	for _, h := range have {
		if h.PageCompleteness != nil {
			pcs = append(pcs, *h.PageCompleteness)
		}
	}
	if len(pcs) > 0 {
		pc := mean(pcs)
		p.PageCompleteness = &pc
	}
	return p
}

// meanOwners merges the general form's per-owner figures; nil when no
// replica has any (the marketplace form), so its files stay as they were.
func meanOwners(replicas []*Metrics) map[string]*OwnerResult {
	names := unionKeys(replicas, func(m *Metrics) map[string]*OwnerResult { return m.Owners })
	if len(names) == 0 {
		return nil
	}
	owners := make(map[string]*OwnerResult, len(names))
	for _, name := range names {
		var have []*OwnerResult
		for _, r := range replicas {
			if o := r.Owners[name]; o != nil {
				have = append(have, o)
			}
		}
		if len(have) == 0 {
			continue
		}
		o := new(OwnerResult)
		meanFields(reflect.ValueOf(o).Elem(), valuesOf(have))
		o.Strategy = have[0].Strategy
		sections := make([]*PageMetrics, len(have))
		dups := make([]*Metrics, len(have))
		for i, h := range have {
			sections[i] = &h.Sections
			dups[i] = &Metrics{DuplicationBytes: h.Duplication}
		}
		o.Sections = *meanPage(sections)
		o.Duplication = meanDuplication(dups)
		owners[name] = o
	}
	return owners
}

func meanDuplication(replicas []*Metrics) map[string]int64 {
	dup := make(map[string]int64)
	xs := make([]float64, len(replicas))
	for _, svc := range unionKeys(replicas, func(m *Metrics) map[string]int64 { return m.DuplicationBytes }) {
		for i, r := range replicas {
			xs[i] = float64(r.DuplicationBytes[svc]) // missing: holds nothing
		}
		dup[svc] = int64(math.Round(mean(xs)))
	}
	return dup
}

// meanByIndex is the point-wise mean of a list of points, each over the
// replicas whose lists reach it.
func meanByIndex[T any](replicas []*Metrics, get func(*Metrics) []T) []T {
	n := 0
	for _, r := range replicas {
		n = max(n, len(get(r)))
	}
	out := make([]T, n)
	for i := range out {
		var have []reflect.Value
		for _, r := range replicas {
			if pts := get(r); i < len(pts) {
				have = append(have, reflect.ValueOf(&pts[i]).Elem())
			}
		}
		meanFields(reflect.ValueOf(&out[i]).Elem(), have)
	}
	return out
}

// mergeSummaries merges the snapshots every replica has, replaces the
// summaries they describe in agg, and returns the merged snapshots.
func mergeSummaries(agg *Metrics, replicas []*Metrics) map[string]string {
	merged := make(map[string]string)
	for _, key := range unionKeys(replicas, func(m *Metrics) map[string]string { return m.HDR }) {
		var snaps []string
		for _, r := range replicas {
			if s, ok := r.HDR[key]; ok {
				snaps = append(snaps, s)
			}
		}
		if len(snaps) < len(replicas) {
			continue
		}
		h, err := mergeHDR(snaps)
		if err != nil {
			continue // documented: keep the means
		}
		enc, err := EncodeHDR(h)
		if err != nil {
			continue
		}
		merged[key] = enc
		if s := summaryFor(agg, key); s != nil {
			*s = SummaryOf(h)
		}
	}
	return merged
}

// summaryFor returns the Summary an HDR key describes, or nil if m has no
// place for it.
func summaryFor(m *Metrics, key string) *Summary {
	switch {
	case key == "propagation":
		return &m.PropagationMS
	case key == "staleness.all":
		if p := m.Pages[pages.All]; p != nil {
			return &p.StalenessMS
		}
	case strings.HasPrefix(key, "latency."):
		if p := m.Pages[strings.TrimPrefix(key, "latency.")]; p != nil {
			return &p.LatencyMS
		}
	}
	return nil
}

// unionKeys returns the keys of every replica's map, sorted.
func unionKeys[V any](replicas []*Metrics, get func(*Metrics) map[string]V) []string {
	set := make(map[string]bool)
	for _, r := range replicas {
		for k := range get(r) {
			set[k] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}
