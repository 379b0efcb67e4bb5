package workload

import (
	"math"
	"slices"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/sharebench/sharebench/results"
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

	// The measured window cut into equal batches, for within-run
	// intervals (batch means).
	batches []batch

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
	o.batches = make([]batch, batchCount(end-warmup))
	for i := range o.batches {
		o.batches[i].lat, o.batches[i].staleness, o.batches[i].prop = newBatchHistogram(), newBatchHistogram(), newBatchHistogram()
	}
	return o
}

// batchAt returns the batch t falls in, or nil outside the measured
// window; late is put in the last batch rather than dropped (a commit just
// before the end propagates after it).
func (o *oracle) batchAt(t time.Duration, late bool) *batch {
	if t < o.warmup || t >= o.end && !late {
		return nil
	}
	i := int(int64(t-o.warmup) * int64(len(o.batches)) / int64(o.end-o.warmup))
	return &o.batches[min(i, len(o.batches)-1)]
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
	var self int64
	var ownerRequests int64
	for _, b := range o.batches {
		self += b.selfSections
		ownerRequests += b.ownerRequests
	}
	batchS := (o.end - o.warmup).Seconds() / float64(len(o.batches))
	// each metric: its sample count, and its value in a batch (ok false
	// for a batch without samples).
	type perBatch struct {
		n     int64
		value func(b *batch) (float64, bool)
	}
	frac := func(a, d int64) (float64, bool) { return float64(a) / float64(d), d > 0 }
	pct := func(h *hdrhistogram.Histogram, q float64) (float64, bool) {
		return float64(h.ValueAtPercentile(q)) / 1000, h.TotalCount() > 0
	}
	batched := map[string]perBatch{
		"latency.p50":  {all.ok, func(b *batch) (float64, bool) { return pct(b.lat, 50) }},
		"latency.p99":  {all.ok, func(b *batch) (float64, bool) { return pct(b.lat, 99) }},
		"latency.p999": {all.ok, func(b *batch) (float64, bool) { return pct(b.lat, 99.9) }},
		"availability": {all.count, func(b *batch) (float64, bool) { x, ok := frac(b.ok, b.pages); return 100 * x, ok }},
		"completeness": {all.hasClients, func(b *batch) (float64, bool) { x, ok := frac(b.complete, b.has); return 100 * x, ok }},
		"stale_fraction": {all.shown, func(b *batch) (float64, bool) {
			x, ok := frac(b.stale, b.shown)
			return 100 * x, ok
		}},
		"staleness.p99": {all.stale, func(b *batch) (float64, bool) { return pct(b.staleness, 99) }},
		"read_staleness.mean": {all.shown, func(b *batch) (float64, bool) {
			return results.ReadStalenessOf(b.staleness, b.shown).Mean, b.shown > 0
		}},
		"read_staleness.p999": {all.shown, func(b *batch) (float64, bool) {
			return results.ReadStalenessOf(b.staleness, b.shown).P999, b.shown > 0
		}},
		"versions_behind": {all.shown, func(b *batch) (float64, bool) { return frac(b.versionsBack, b.shown) }},
		"propagation.p99": {o.prop.TotalCount(), func(b *batch) (float64, bool) { return pct(b.prop, 99) }},
		// A count is a total: each batch's count, times the number of
		// batches, estimates it.
		"self_view_violations": {self, func(b *batch) (float64, bool) {
			return float64(b.selfViolations) * float64(len(o.batches)), true
		}},
		"owner.rps": {ownerRequests, func(b *batch) (float64, bool) { return frac(b.ownerRequests, b.seconds) }},
		"owner.public_rps": {o.publicReads, func(b *batch) (float64, bool) {
			return float64(b.publicReads) / batchS, true
		}},
	}
	m.Stats = make(map[string]results.Stat, len(results.Registry))
	m.CI95 = make(map[string]float64, len(results.Registry))
	for _, mt := range results.Registry {
		pb, ok := batched[mt.Name]
		switch {
		case mt.Within == results.Exact:
			m.Stats[mt.Name] = results.Stat{N: 1, Method: results.MethodExact}
			m.CI95[mt.Name] = 0
			continue
		case mt.Within != results.Batched || !ok:
			m.Stats[mt.Name] = results.Stat{N: 1, Method: results.MethodNone}
			continue
		}
		var xs []float64
		for i := range o.batches {
			if x, ok := pb.value(&o.batches[i]); ok {
				xs = append(xs, x)
			}
		}
		st := results.Stat{N: pb.n, Method: results.MethodNone, Batches: len(xs)}
		if half, _, ok := results.BatchCI(xs); ok {
			st.Method = results.MethodBatchMeans
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
