package workload

import (
	"math"
	"slices"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/sharebench/sharebench/results"
	"github.com/sharebench/sharebench/sim"
	"github.com/sharebench/sharebench/strategies"
)

// oracle judges every render against the owner's full version history and
// accumulates the run's metrics. Memory grows with sellers and seconds,
// never with requests served: each render is folded into counters and
// fixed-size histograms as it completes.
type oracle struct {
	hist     *strategies.History
	warmup   time.Duration
	end      time.Duration
	lastHeal time.Duration // when the last fault heals; 0 if none

	kinds       map[string]*kindStats // by page kind and "all"
	consistency []results.ConsistencyPoint
	self        int64 // self-view violations
	publicReads int64 // sections of public pages read from the owner
	prop        *hdrhistogram.Histogram

	// Views: what each has applied, for propagation lag and convergence.
	applied    map[string][]uint64
	latest     []uint64
	mismatched int
	converged  time.Duration // first instant after lastHeal with every view equal to the owner; -1 not yet

	// The measured window cut into strata (by fault windows) and each
	// stratum into equal batches, for within-run intervals (batch means).
	batches []batch
	strata  []stratum

	// The current second of the series.
	sec                                               results.Second
	secLat                                            *hdrhistogram.Histogram
	secStal                                           *hdrhistogram.Histogram
	secAvail, secHas, secComplete, secShown, secStale int64
	series                                            []results.Second
}

// batch accumulates one stretch of the measured window: public renders by
// the time they were sent, propagations by commit time, owner requests by
// the second they arrived in. Its histograms keep 2 significant digits: a
// batch percentile feeds only the interval's spread.
type batch struct {
	stratum                                              int
	length                                               float64 // seconds
	pages, ok, has, complete, shown, stale, versionsBack int64
	publicReads, selfSections, selfViolations            int64
	ownerRequests, seconds                               int64
	lat, staleness, prop                                 *hdrhistogram.Histogram
}

// batchCount is how many batches a measured window of d is cut into: 20,
// or one per whole second when shorter, never fewer than 2. Twenty gives
// 19 degrees of freedom (t = 2.09) while keeping each batch long enough
// that its neighbours barely correlate.
func batchCount(d time.Duration) int {
	return max(2, min(20, int(d/time.Second)))
}

// stratum is a stretch of the measured window between fault boundaries,
// holding batches [first, first+n).
type stratum struct {
	from, to time.Duration
	first, n int
}

// stratify cuts the measured window at the faults' starts and ends, so
// that the batches of a fault's window and those of the calm around it
// each vary around their own level (results.StratifiedCI), and cuts each
// stratum into batches in proportion to its length, at least 2. Without
// faults there is one stratum. It must be called before the run starts.
func (o *oracle) stratify(faults []sim.Fault) {
	bounds := []time.Duration{o.warmup, o.end}
	for _, f := range faults {
		for _, t := range []time.Duration{f.At, f.End()} {
			if t > o.warmup && t < o.end {
				bounds = append(bounds, t)
			}
		}
	}
	slices.Sort(bounds)
	bounds = slices.Compact(bounds)
	total := batchCount(o.end - o.warmup)
	o.strata, o.batches = nil, nil
	for i := range len(bounds) - 1 {
		from, to := bounds[i], bounds[i+1]
		n := max(2, int(math.Round(float64(total)*float64(to-from)/float64(o.end-o.warmup))))
		o.strata = append(o.strata, stratum{from: from, to: to, first: len(o.batches), n: n})
		for range n {
			o.batches = append(o.batches, batch{
				stratum: i, length: (to - from).Seconds() / float64(n),
				lat: newBatchHistogram(), staleness: newBatchHistogram(), prop: newBatchHistogram(),
			})
		}
	}
}

func newBatchHistogram() *hdrhistogram.Histogram { return hdrhistogram.New(1, 3_600_000_000, 2) }

type kindStats struct {
	count, ok                  int64
	hasClients, complete       int64
	shown, stale, versionsBack int64
	lat, staleness             *hdrhistogram.Histogram
}

func newOracle(hist *strategies.History, sellers int, warmup, end, lastHeal time.Duration) *oracle {
	o := &oracle{
		hist: hist, warmup: warmup, end: end, lastHeal: lastHeal,
		kinds: map[string]*kindStats{}, prop: results.NewLatencyHistogram(),
		applied: map[string][]uint64{}, latest: make([]uint64, sellers), converged: -1,
		secLat: results.NewLatencyHistogram(), secStal: results.NewLatencyHistogram(),
	}
	for i := range consistencyBins {
		o.consistency = append(o.consistency, results.ConsistencyPoint{AfterMS: binEdge(i)})
	}
	for _, k := range append(slices.Clone(PageKinds), "all") {
		o.kinds[k] = &kindStats{lat: results.NewLatencyHistogram(), staleness: results.NewLatencyHistogram()}
	}
	if lastHeal == 0 {
		o.converged = 0
	}
	o.stratify(nil)
	return o
}

// batchAt returns the batch t falls in, or nil outside the measured
// window; late is put in the last batch rather than dropped (a commit just
// before the end propagates after it).
func (o *oracle) batchAt(t time.Duration, late bool) *batch {
	switch {
	case t < o.warmup || t >= o.end && !late:
		return nil
	case t >= o.end:
		return &o.batches[len(o.batches)-1]
	}
	for _, st := range o.strata {
		if t < st.to {
			i := int(int64(t-st.from) * int64(st.n) / int64(st.to-st.from))
			return &o.batches[st.first+min(i, st.n-1)]
		}
	}
	return &o.batches[len(o.batches)-1]
}

func micros(d time.Duration) int64 { return max(1, d.Microseconds()) }

// The consistency bins' upper edges grow by √2 from 1ms: 44 of them reach
// past an hour.
const consistencyBins = 44

func binEdge(i int) float64 { return math.Pow(math.Sqrt2, float64(i)) }

// consistencyBin is the bin of a read made d after the last write.
func consistencyBin(d time.Duration) int {
	ms := float64(d) / 1e6
	if ms <= 1 {
		return 0
	}
	return min(consistencyBins-1, int(math.Ceil(math.Log(ms)/math.Log(math.Sqrt2))))
}

// committed is the owner's OnCommit tap: the truth moves on.
func (o *oracle) committed(l *strategies.List) {
	o.hist.Record(l)
	prev := o.latest[l.Seller]
	o.latest[l.Seller] = l.Version
	for _, applied := range o.applied {
		if applied[l.Seller] == prev {
			o.mismatched++ // was equal, is now behind
		}
	}
}

// watch starts following a view that holds the initial lists.
func (o *oracle) watch(service string) {
	o.applied[service] = slices.Clone(o.latest)
}

// applied is a view's OnApply tap: every version up to v is now visible
// there.
func (o *oracle) viewApplied(service string, s strategies.Seller, v uint64, now time.Duration) {
	applied := o.applied[service]
	prev := applied[s]
	applied[s] = v
	for u := prev + 1; u <= v; u++ {
		if at, ok := o.hist.CommittedAt(s, u); ok && at >= o.warmup {
			o.prop.RecordValue(micros(now - at))
			o.batchAt(at, true).prop.RecordValue(micros(now - at))
		}
	}
	if prev != o.latest[s] && v == o.latest[s] {
		o.mismatched--
		if o.mismatched == 0 && o.converged < 0 && now >= o.lastHeal {
			o.converged = now - o.lastHeal
		}
	}
}

// tick closes the second ending at now, with the owner's request rate and
// the consumer lag of that second.
func (o *oracle) tick(now time.Duration, ownerRequests int64, lag int64) {
	if b := o.batchAt(now-time.Second, false); b != nil {
		b.ownerRequests += ownerRequests
		b.seconds++
	}
	s := &o.sec
	s.T = (now - time.Second).Seconds()
	s.P50MS = float64(o.secLat.ValueAtPercentile(50)) / 1000
	s.P99MS = float64(o.secLat.ValueAtPercentile(99)) / 1000
	s.StalenessP99MS = float64(o.secStal.ValueAtPercentile(99)) / 1000
	s.Availability = ratio(o.secAvail, s.Pages)
	s.Completeness = ratio(o.secComplete, o.secHas)
	s.StaleFraction = 0
	if o.secShown > 0 {
		s.StaleFraction = float64(o.secStale) / float64(o.secShown)
	}
	s.OwnerRPS = float64(ownerRequests)
	s.ConsumerLag = lag
	o.series = append(o.series, *s)
	o.sec = results.Second{}
	o.secLat.Reset()
	o.secStal.Reset()
	o.secAvail, o.secHas, o.secComplete, o.secShown, o.secStale = 0, 0, 0, 0, 0
	if o.converged < 0 && o.mismatched == 0 && now >= o.lastHeal {
		o.converged = now - o.lastHeal
	}
}

func ratio(a, b int64) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

// rendered judges one page request, sent (as intended) at sent and
// answered at done, with page or err.
func (o *oracle) rendered(kind string, sellers []strategies.Seller, sent, done time.Duration, page *strategies.Page, failed bool) {
	measured := sent >= o.warmup && sent < o.end
	public := kind != "self"
	stats := []*kindStats{o.kinds[kind]}
	if public {
		stats = append(stats, o.kinds["all"])
	}
	lat := micros(done - sent)
	if public { // the series follows the public pages, as pages.all does
		o.sec.Pages++
		if !failed {
			o.secAvail++
			o.secLat.RecordValue(lat)
		}
	}
	var b *batch // the batch of a measured public render
	if measured {
		for _, k := range stats {
			k.count++
			if !failed {
				k.ok++
				k.lat.RecordValue(lat)
			}
		}
		if public {
			b = o.batchAt(sent, false)
			b.pages++
			if !failed {
				b.ok++
				b.lat.RecordValue(lat)
			}
		}
	}
	for i, s := range sellers {
		version, clients := o.hist.At(s, done)
		var sec strategies.Section
		if failed {
			sec = strategies.Section{Seller: s, Failed: true}
		} else {
			sec = page.Sections[i]
		}
		stale := !sec.Failed && sec.Version < version
		var staleness time.Duration
		if stale {
			if at, ok := o.hist.CommittedAt(s, sec.Version+1); ok {
				staleness = done - at
			}
		}
		if public {
			// Completeness is per render: a page that failed to render
			// counts in availability only.
			if clients > 0 && !failed {
				o.secHas++
				if sec.Shown() {
					o.secComplete++
				}
			}
			if !sec.Failed {
				o.secShown++
			}
			if stale {
				o.secStale++
				o.secStal.RecordValue(micros(staleness))
			}
		}
		if kind == "self" && measured {
			b := o.batchAt(sent, false)
			b.selfSections++
			if !o.hist.Current(sec) {
				o.self++
				b.selfViolations++
			}
		}
		if public && measured && !sec.Failed && version > 0 {
			if at, ok := o.hist.CommittedAt(s, version); ok {
				b := &o.consistency[consistencyBin(done-at)]
				b.Reads++
				if !stale {
					b.Consistent++
				}
			}
		}
		if !measured {
			continue
		}
		for _, k := range stats {
			if clients > 0 && !failed {
				k.hasClients++
				if sec.Shown() {
					k.complete++
				}
			}
			if sec.Failed {
				continue
			}
			if sec.FromOwner && k == o.kinds["all"] {
				o.publicReads++
			}
			k.shown++
			if stale {
				k.stale++
				k.versionsBack += int64(version - sec.Version)
				k.staleness.RecordValue(micros(staleness))
			}
		}
		if b == nil {
			continue
		}
		if clients > 0 && !failed {
			b.has++
			if sec.Shown() {
				b.complete++
			}
		}
		if sec.Failed {
			continue
		}
		if sec.FromOwner {
			b.publicReads++
		}
		b.shown++
		if stale {
			b.stale++
			b.versionsBack += int64(version - sec.Version)
			b.staleness.RecordValue(micros(staleness))
		}
	}
}

// metrics assembles what the oracle measured.
func (o *oracle) metrics() *results.Metrics {
	m := &results.Metrics{Pages: map[string]*results.PageMetrics{}, HDR: map[string]string{}, SelfViewViolations: o.self}
	for name, k := range o.kinds {
		pm := &results.PageMetrics{
			Count:          k.count,
			LatencyMS:      results.SummaryOf(k.lat),
			Availability:   ratio(k.ok, k.count),
			Completeness:   ratio(k.complete, k.hasClients),
			StaleFraction:  0,
			StalenessMS:    results.SummaryOf(k.staleness),
			VersionsBehind: 0,
			Rendered:       k.ok,
			WithClients:    k.hasClients,
			Shown:          k.shown,
			Stale:          k.stale,
		}
		pm.ReadStalenessMS = results.ReadStalenessOf(k.staleness, k.shown)
		if k.shown > 0 { // no section shown, nothing stale
			pm.StaleFraction = float64(k.stale) / float64(k.shown)
			pm.VersionsBehind = float64(k.versionsBack) / float64(k.shown)
		}
		m.Pages[name] = pm
		m.HDR["latency."+name] = mustEncode(k.lat)
		if name == "all" {
			m.HDR["staleness.all"] = mustEncode(k.staleness)
		}
	}
	m.PropagationMS = results.SummaryOf(o.prop)
	m.HDR["propagation"] = mustEncode(o.prop)
	switch {
	case len(o.applied) == 0:
		m.ConvergenceMS = 0 // no views to converge
	case o.converged < 0:
		m.ConvergenceMS = -1 // did not converge within the run
	default:
		m.ConvergenceMS = float64(o.converged) / 1e6
	}
	m.Series = o.series
	m.Consistency = o.consistency
	o.intervals(m)
	return m
}

// intervals gives every registered metric its sample count and, from the
// batches, its within-run 95 % interval (results.BatchCI).
func (o *oracle) intervals(m *results.Metrics) {
	all := o.kinds["all"]
	var self, ownerRequests int64
	for _, b := range o.batches {
		self += b.selfSections
		ownerRequests += b.ownerRequests
	}
	// Each metric: its sample count, and its value in a batch with the
	// batch's weight, its samples (ok false for a batch without any).
	type perBatch struct {
		n     int64
		value func(b *batch) (x, w float64, ok bool)
	}
	frac := func(a, d int64) (float64, float64, bool) {
		if d == 0 {
			return 0, 0, false
		}
		return float64(a) / float64(d), float64(d), true
	}
	pct := func(h *hdrhistogram.Histogram, q float64) (float64, float64, bool) {
		return float64(h.ValueAtPercentile(q)) / 1000, float64(h.TotalCount()), h.TotalCount() > 0
	}
	percent := func(x, w float64, ok bool) (float64, float64, bool) { return 100 * x, w, ok }
	batched := map[string]perBatch{
		"latency.p50":    {all.ok, func(b *batch) (float64, float64, bool) { return pct(b.lat, 50) }},
		"latency.p99":    {all.ok, func(b *batch) (float64, float64, bool) { return pct(b.lat, 99) }},
		"latency.p999":   {all.ok, func(b *batch) (float64, float64, bool) { return pct(b.lat, 99.9) }},
		"availability":   {all.count, func(b *batch) (float64, float64, bool) { return percent(frac(b.ok, b.pages)) }},
		"completeness":   {all.hasClients, func(b *batch) (float64, float64, bool) { return percent(frac(b.complete, b.has)) }},
		"stale_fraction": {all.shown, func(b *batch) (float64, float64, bool) { return percent(frac(b.stale, b.shown)) }},
		"staleness.p99":  {all.stale, func(b *batch) (float64, float64, bool) { return pct(b.staleness, 99) }},
		"read_staleness.mean": {all.shown, func(b *batch) (float64, float64, bool) {
			return results.ReadStalenessOf(b.staleness, b.shown).Mean, float64(b.shown), b.shown > 0
		}},
		"read_staleness.p999": {all.shown, func(b *batch) (float64, float64, bool) {
			return results.ReadStalenessOf(b.staleness, b.shown).P999, float64(b.shown), b.shown > 0
		}},
		"versions_behind": {all.shown, func(b *batch) (float64, float64, bool) { return frac(b.versionsBack, b.shown) }},
		"propagation.p99": {o.prop.TotalCount(), func(b *batch) (float64, float64, bool) { return pct(b.prop, 99) }},
		// An invariant: only its count of self-view sections judged.
		"self_view_violations": {self, nil},
		"owner.rps": {ownerRequests, func(b *batch) (float64, float64, bool) {
			return float64(b.ownerRequests) / float64(max(b.seconds, 1)), float64(b.seconds), b.seconds > 0
		}},
		"owner.public_rps": {o.publicReads, func(b *batch) (float64, float64, bool) {
			return float64(b.publicReads) / b.length, b.length, true
		}},
	}
	m.Stats = make(map[string]results.Stat, len(results.Registry))
	m.CI95 = make(map[string]float64, len(results.Registry))
	for _, mt := range results.Registry {
		pb, ok := batched[mt.Name]
		switch {
		case mt.Within == results.Exact:
			st := results.Stat{N: 1, Method: results.MethodExact}
			if ok {
				st.N = pb.n
			}
			m.Stats[mt.Name] = st
			m.CI95[mt.Name] = 0
			continue
		case mt.Within != results.Batched || !ok:
			m.Stats[mt.Name] = results.Stat{N: 1, Method: results.MethodNone}
			continue
		}
		var xs, ws []float64
		var strata []int
		for i := range o.batches {
			if x, w, ok := pb.value(&o.batches[i]); ok {
				xs, ws, strata = append(xs, x), append(ws, w), append(strata, o.batches[i].stratum)
			}
		}
		st := results.Stat{N: pb.n, Method: results.MethodNone, Batches: len(xs)}
		if half, df, ok := results.StratifiedCI(xs, ws, strata); ok {
			st.Method, st.DF = results.MethodBatchMeans, df
			m.CI95[mt.Name] = half
		}
		m.Stats[mt.Name] = st
	}
}

func mustEncode(h *hdrhistogram.Histogram) string {
	s, err := results.EncodeHDR(h)
	if err != nil {
		panic(err) // our own histograms always encode
	}
	return s
}
