package workload

import (
	"math"
	"slices"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/sharebench/sharebench/pages"
	"github.com/sharebench/sharebench/results"
	"github.com/sharebench/sharebench/sim"
	"github.com/sharebench/sharebench/strategies"
	"github.com/sharebench/sharebench/workload/judge"
)

// oracle has every render judged against the owner's full version history
// (package judge) and accumulates the verdicts into the run's metrics.
// Memory grows with sellers and seconds, never with requests served: each
// render is folded into counters and fixed-size histograms as it
// completes.
type oracle struct {
	hist     *judge.History
	warmup   time.Duration
	end      time.Duration
	lastHeal time.Duration // when the last fault heals; 0 if none

	kinds       map[string]*tally // measured renders by page kind, and "all" public ones
	consistency []results.ConsistencyPoint
	self        int64 // self-view violations
	publicReads int64 // sections of measured public pages read from the owner
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

	sec    tally // the series' current second: its public renders, measured or not
	series []results.Second
}

// tally accumulates renders and the verdicts on their sections: one per
// page kind (and all public pages) over the measured window, one per
// batch, one for the series' current second.
type tally struct {
	pages, ok                  int64 // renders sent; of those, rendered
	has, complete              int64 // sections of rendered pages whose owner had clients; of those, shown
	shown, stale, versionsBack int64 // sections not missing; of those, stale; versions behind summed
	lat, staleness             *hdrhistogram.Histogram
}

// page counts one render of latency lat (µs).
func (t *tally) page(failed bool, lat int64) {
	t.pages++
	if !failed {
		t.ok++
		t.lat.RecordValue(lat)
	}
}

// section counts the verdict v on section sec of a render. Completeness is
// per render: a page that failed to render counts in availability only.
func (t *tally) section(sec strategies.Section, v judge.Verdict, pageFailed bool) {
	if v.Clients > 0 && !pageFailed {
		t.has++
		if sec.Shown() {
			t.complete++
		}
	}
	if v.Outcome == judge.Missing {
		return
	}
	t.shown++
	if v.IsStale() {
		t.stale++
		t.versionsBack += int64(v.Behind)
		t.staleness.RecordValue(micros(v.Staleness))
	}
}

// reset empties t for the next second.
func (t *tally) reset() {
	t.pages, t.ok, t.has, t.complete, t.shown, t.stale, t.versionsBack = 0, 0, 0, 0, 0, 0, 0
	t.lat.Reset()
	t.staleness.Reset()
}

// batch accumulates one stretch of the measured window: public renders by
// the time they were sent, propagations by commit time, owner requests by
// the second they arrived in. Its histograms keep 2 significant digits: a
// batch percentile feeds only the interval's spread.
type batch struct {
	tally                                     // measured public renders
	stratum                                   int
	length                                    float64 // seconds
	publicReads, selfSections, selfViolations int64
	ownerRequests, seconds                    int64
	prop                                      *hdrhistogram.Histogram
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
				tally: tally{lat: newBatchHistogram(), staleness: newBatchHistogram()}, prop: newBatchHistogram(),
			})
		}
	}
}

func newBatchHistogram() *hdrhistogram.Histogram { return hdrhistogram.New(1, 3_600_000_000, 2) }

func newTally() *tally {
	return &tally{lat: results.NewLatencyHistogram(), staleness: results.NewLatencyHistogram()}
}

func newOracle(hist *judge.History, sellers int, warmup, end, lastHeal time.Duration) *oracle {
	o := &oracle{
		hist: hist, warmup: warmup, end: end, lastHeal: lastHeal,
		kinds: map[string]*tally{}, prop: results.NewLatencyHistogram(),
		applied: map[string][]uint64{}, latest: make([]uint64, sellers), converged: -1,
		sec: *newTally(),
	}
	for i := range consistencyBins {
		o.consistency = append(o.consistency, results.ConsistencyPoint{AfterMS: binEdge(i)})
	}
	for _, k := range append(slices.Clone(PageKinds), pages.All) {
		o.kinds[k] = newTally()
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
	t := &o.sec
	s := results.Second{
		T:              (now - time.Second).Seconds(),
		Pages:          t.pages,
		P50MS:          float64(t.lat.ValueAtPercentile(50)) / 1000,
		P99MS:          float64(t.lat.ValueAtPercentile(99)) / 1000,
		StalenessP99MS: float64(t.staleness.ValueAtPercentile(99)) / 1000,
		Availability:   ratio(t.ok, t.pages),
		Completeness:   ratio(t.complete, t.has),
		OwnerRPS:       float64(ownerRequests),
		ConsumerLag:    lag,
	}
	if t.shown > 0 {
		s.StaleFraction = float64(t.stale) / float64(t.shown)
	}
	o.series = append(o.series, s)
	t.reset()
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

// rendered has one page request judged, sent (as intended) at sent and
// answered at done with page (or failed, without one), and counts the
// verdicts.
func (o *oracle) rendered(kind string, sellers []strategies.Seller, sent, done time.Duration, page *strategies.Page, failed bool) {
	measured := sent >= o.warmup && sent < o.end
	self := pages.IsSelf(kind)
	// The tallies this render counts in: the series follows the public
	// pages, measured or not; a measured render counts in its kind and, if
	// public, in all and in its batch.
	var b *batch
	var buf [4]*tally
	into := buf[:0]
	if !self {
		into = append(into, &o.sec)
	}
	if measured {
		b = o.batchAt(sent, false)
		into = append(into, o.kinds[kind])
		if !self {
			into = append(into, o.kinds[pages.All], &b.tally)
		}
	}
	lat := micros(done - sent)
	for _, t := range into {
		t.page(failed, lat)
	}
	for i, s := range sellers {
		sec := strategies.Section{Seller: s, Failed: true}
		if !failed {
			sec = page.Sections[i]
		}
		v := judge.Judge(o.hist, judge.Read{Section: sec, Arrived: done, Self: self})
		for _, t := range into {
			t.section(sec, v, failed)
		}
		switch {
		case !measured:
		case self:
			o.selfView(b, v)
		case v.Outcome != judge.Missing:
			o.publicRead(b, sec, v)
		}
	}
}

// selfView counts a measured self-view section: the invariant's sample,
// and a violation if it broke the promise.
func (o *oracle) selfView(b *batch, v judge.Verdict) {
	b.selfSections++
	if v.Outcome == judge.SelfViolation {
		o.self++
		b.selfViolations++
	}
}

// publicRead counts a measured public section that was shown: a read of
// the owner's (owner.public_rps), and a point of the consistency curve,
// by how long after the owner's last write the page arrived.
func (o *oracle) publicRead(b *batch, sec strategies.Section, v judge.Verdict) {
	if sec.FromOwner {
		o.publicReads++
		b.publicReads++
	}
	if v.SinceWrite >= 0 {
		c := &o.consistency[consistencyBin(v.SinceWrite)]
		c.Reads++
		if !v.IsStale() {
			c.Consistent++
		}
	}
}

// metrics assembles what the oracle measured.
func (o *oracle) metrics() *results.Metrics {
	m := &results.Metrics{Pages: map[string]*results.PageMetrics{}, HDR: map[string]string{}, SelfViewViolations: o.self}
	for name, k := range o.kinds {
		pm := &results.PageMetrics{
			Count:          k.pages,
			LatencyMS:      results.SummaryOf(k.lat),
			Availability:   ratio(k.ok, k.pages),
			Completeness:   ratio(k.complete, k.has),
			StaleFraction:  0,
			StalenessMS:    results.SummaryOf(k.staleness),
			VersionsBehind: 0,
			Rendered:       k.ok,
			WithClients:    k.has,
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
		if name == pages.All {
			m.HDR["staleness.all"] = mustEncode(k.staleness)
		}
	}
	m.PropagationMS = results.SummaryOf(o.prop)
	m.HDR["propagation"] = mustEncode(o.prop)
	switch {
	case len(o.applied) == 0:
		m.ConvergenceMS = 0 // no views to converge
	case o.converged < 0:
		m.NeverConverged = true // within the run: no time to report
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
	all := o.kinds[pages.All]
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
		"availability":   {all.pages, func(b *batch) (float64, float64, bool) { return percent(frac(b.ok, b.pages)) }},
		"completeness":   {all.has, func(b *batch) (float64, float64, bool) { return percent(frac(b.complete, b.has)) }},
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
