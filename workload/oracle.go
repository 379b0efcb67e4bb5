package workload

import (
	"maps"
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

// oracle has every render judged against its owners' full version
// histories (package judge), each section against the owner its read
// names, and accumulates the verdicts into the run's metrics. Memory grows
// with records and seconds, never with requests served: each render is
// folded into counters and fixed-size histograms as it completes.
type oracle struct {
	topo pages.Topology
	// general: the scenario is in the general form, whose metrics add
	// page completeness, per-owner figures and scoped intervals; the
	// marketplace form's stay as they always were.
	general  bool
	warmup   time.Duration
	end      time.Duration
	lastHeal time.Duration // when the last fault heals; 0 if none

	kinds       map[string]*tally // measured renders by page kind, and "all" public ones
	byName      map[string]pages.Kind
	owners      map[string]*ownerTrack
	consistency []results.ConsistencyPoint
	self        int64 // self-view violations
	publicReads int64 // sections of measured public pages read from an owner
	prop        *hdrhistogram.Histogram

	// Views: mismatched counts (view, record) pairs behind their owner, for
	// convergence.
	mismatched int
	converged  time.Duration // first instant after lastHeal with every view equal to its owner; -1 not yet

	// The measured window cut into strata (by fault windows) and each
	// stratum into equal batches, for within-run intervals (batch means).
	batches []batch
	strata  []stratum

	sec    tally // the series' current second: its public renders, measured or not
	series []results.Second
}

// ownerTrack is what the oracle follows of one owner: its truth, the views
// of its data, and its measured public sections.
type ownerTrack struct {
	hist    *judge.History
	latest  []uint64
	applied map[string][]uint64 // by page service: what its view of this owner has applied
	prop    *hdrhistogram.Histogram
	// sections: this owner's sections on measured public pages (pages
	// counts sections, ok those on rendered pages).
	sections    *tally
	publicReads int64
}

// tally accumulates renders and the verdicts on their sections: one per
// page kind (and all public pages) over the measured window, one per
// batch, one for the series' current second.
type tally struct {
	pages, ok                  int64 // renders sent; of those, rendered
	has, complete              int64 // sections of answered pages whose record had clients; of those, shown
	shown, stale, versionsBack int64 // sections not missing; of those, stale; versions behind summed
	lat, staleness             *hdrhistogram.Histogram
	// Whole pages (general form): answered pages (rendered, or failed for
	// a required section) with a section whose record has data; of those,
	// pages showing every such section.
	withData, whole int64
}

// wholePage counts a page answered (rendered, or failed for a required
// section) for page completeness: hasData, it had a section whose record
// has data; complete, it showed every such one.
func (t *tally) wholePage(hasData, complete bool) {
	if hasData {
		t.withData++
		if complete {
			t.whole++
		}
	}
}

// page counts one render of latency lat (µs).
func (t *tally) page(failed bool, lat int64) {
	t.pages++
	if !failed {
		t.ok++
		t.lat.RecordValue(lat)
	}
}

// section counts the verdict v on section sec of a page answered: rendered,
// or failed for a required section (sec is then Failed: had, not shown).
// Completeness counts both, so that a kind whose required owner is down
// loses completeness with availability, as that owner's does; staleness
// counts only sections of rendered pages, where they were shown. A page
// with no answer (timed out, refused) is not counted here: availability
// only.
func (t *tally) section(sec strategies.Section, v judge.Verdict, pageFailed bool) {
	t.had(sec, v)
	if !pageFailed {
		t.judged(v)
	}
}

// had counts a section for completeness: its record had clients, and the
// section showed them or not.
func (t *tally) had(sec strategies.Section, v judge.Verdict) {
	if v.Clients > 0 {
		t.has++
		if sec.Shown() {
			t.complete++
		}
	}
}

// judged counts a shown section's staleness.
func (t *tally) judged(v judge.Verdict) {
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

// ownerSection counts a section in an owner's tally, where pages counts
// sections and ok those on rendered pages. Completeness counts it on every
// page asked, rendered or not: whether the owner's section was had (a
// page that failed for another owner's required section had this one; a
// page with no answer, timed out or refused, had none). Staleness counts
// it only on rendered pages, where it was shown.
func (t *tally) ownerSection(sec strategies.Section, v judge.Verdict, pageFailed bool) {
	t.pages++
	t.had(sec, v)
	if !pageFailed {
		t.ok++
		t.judged(v)
	}
}

// reset empties t for the next second.
func (t *tally) reset() {
	t.pages, t.ok, t.has, t.complete, t.shown, t.stale, t.versionsBack, t.withData, t.whole = 0, 0, 0, 0, 0, 0, 0, 0, 0
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
	// General form only: measured renders by kind, and each owner's share.
	kinds  map[string]*tally
	owners map[string]*ownerBatch
}

// ownerBatch is one owner's part of a batch.
type ownerBatch struct {
	sections              tally
	publicReads, requests int64
	prop                  *hdrhistogram.Histogram
}

// batchCount is how many batches a measured window of d is cut into: 20,
// or one per whole second when shorter, never fewer than 2. Twenty gives
// 19 degrees of freedom (t = 2.09) while keeping each batch long enough
// that its neighbours barely correlate.
func batchCount(d time.Duration) int {
	return max(2, min(20, int(d/time.Second)))
}

// minStratumBatches is the fewest batches a stratum is cut into. A short
// fault window cut in two gave its stratum one degree of freedom; when
// that stratum dominated the variance (an outage), the interval's
// Welch–Satterthwaite df fell to ≈ 1 and t to 12.7, and the interval
// swung from ±1 to ±36 points between seeds. Five give four (t = 2.78),
// and leave results.StratifiedCI's floor of MinStratumBatches batches
// with samples some room for batches a fault leaves empty. Batches cost
// only a few small histograms, and a fifth of a 2 s window still holds
// hundreds of requests at the rates scenarios use; shorter batches
// correlate more with their neighbours, but within a stratum (calm, or a
// fault holding) requests barely depend on the ones half a second
// earlier, and the transient at a fault's start, now in a batch of its
// own, widens the interval rather than hiding. A batch percentile rests
// on fewer samples, though: a p99 of under a hundred is the batch's
// largest value, so one outlier there widens a p99's interval.
const minStratumBatches = 5

// stratum is a stretch of the measured window between fault boundaries,
// holding batches [first, first+n).
type stratum struct {
	from, to time.Duration
	first, n int
}

// stratify cuts the measured window at the faults' starts and ends, so
// that the batches of a fault's window and those of the calm around it
// each vary around their own level (results.StratifiedCI), and cuts each
// stratum into batches in proportion to its length, at least
// minStratumBatches. Without faults there is one stratum. It must be
// called before the run starts.
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
		n := max(minStratumBatches, int(math.Round(float64(total)*float64(to-from)/float64(o.end-o.warmup))))
		o.strata = append(o.strata, stratum{from: from, to: to, first: len(o.batches), n: n})
		for range n {
			b := batch{
				stratum: i, length: (to - from).Seconds() / float64(n),
				tally: tally{lat: newBatchHistogram(), staleness: newBatchHistogram()}, prop: newBatchHistogram(),
			}
			if o.general {
				b.kinds, b.owners = map[string]*tally{}, map[string]*ownerBatch{}
				for _, k := range o.topo.Kinds {
					b.kinds[k.Name] = &tally{lat: newBatchHistogram(), staleness: newBatchHistogram()}
				}
				for _, name := range o.topo.Owners {
					b.owners[name] = &ownerBatch{sections: tally{lat: newBatchHistogram(), staleness: newBatchHistogram()}, prop: newBatchHistogram()}
				}
			}
			o.batches = append(o.batches, b)
		}
	}
}

func newBatchHistogram() *hdrhistogram.Histogram { return hdrhistogram.New(1, 3_600_000_000, 2) }

func newTally() *tally {
	return &tally{lat: results.NewLatencyHistogram(), staleness: results.NewLatencyHistogram()}
}

// newOracle is the marketplace's oracle: one owner, topclients, with
// hist its history and sellers records.
func newOracle(hist *judge.History, sellers int, warmup, end, lastHeal time.Duration) *oracle {
	return newTopologyOracle(pages.Marketplace(1), false, map[string]int{strategies.OwnerNode: sellers},
		map[string]*judge.History{strategies.OwnerNode: hist}, warmup, end, lastHeal)
}

// newTopologyOracle is the oracle of topology topo: records and hists
// give each owner's record count and history; general says the scenario
// is in the general form (its extra figures).
func newTopologyOracle(topo pages.Topology, general bool, records map[string]int, hists map[string]*judge.History, warmup, end, lastHeal time.Duration) *oracle {
	o := &oracle{
		topo: topo, general: general, warmup: warmup, end: end, lastHeal: lastHeal,
		kinds: map[string]*tally{}, byName: map[string]pages.Kind{}, owners: map[string]*ownerTrack{},
		prop: results.NewLatencyHistogram(), converged: -1,
		sec: *newTally(),
	}
	for i := range consistencyBins {
		o.consistency = append(o.consistency, results.ConsistencyPoint{AfterMS: binEdge(i)})
	}
	for _, k := range topo.Kinds {
		o.byName[k.Name] = k
		o.kinds[k.Name] = newTally()
	}
	o.kinds[pages.All] = newTally()
	for _, name := range topo.Owners {
		ot := &ownerTrack{hist: hists[name], latest: make([]uint64, records[name]), applied: map[string][]uint64{}}
		if general {
			ot.prop, ot.sections = results.NewLatencyHistogram(), newTally()
		}
		o.owners[name] = ot
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

// committed is an owner's OnCommit tap: its truth moves on.
func (o *oracle) committed(owner string, l *strategies.List) {
	ot := o.owners[owner]
	ot.hist.Record(l)
	prev := ot.latest[l.Seller]
	ot.latest[l.Seller] = l.Version
	for _, applied := range ot.applied { // a count: the order does not matter
		if applied[l.Seller] == prev {
			o.mismatched++ // was equal, is now behind
		}
	}
}

// watch starts following service's view of owner, which holds the
// initial lists.
func (o *oracle) watch(service, owner string) {
	ot := o.owners[owner]
	ot.applied[service] = slices.Clone(ot.latest)
}

// watched reports whether the oracle follows any view.
func (o *oracle) watched() bool {
	for _, ot := range o.owners {
		if len(ot.applied) > 0 {
			return true
		}
	}
	return false
}

// viewApplied is a view's OnApply tap: every version of owner's record s
// up to v is now visible in service's view.
func (o *oracle) viewApplied(service, owner string, s strategies.Seller, v uint64, now time.Duration) {
	ot := o.owners[owner]
	applied := ot.applied[service]
	prev := applied[s]
	applied[s] = v
	for u := prev + 1; u <= v; u++ {
		if at, ok := ot.hist.CommittedAt(s, u); ok && at >= o.warmup {
			lag := micros(now - at)
			b := o.batchAt(at, true)
			o.prop.RecordValue(lag)
			b.prop.RecordValue(lag)
			if o.general {
				ot.prop.RecordValue(lag)
				b.owners[owner].prop.RecordValue(lag)
			}
		}
	}
	if prev != ot.latest[s] && v == ot.latest[s] {
		o.mismatched--
		if o.mismatched == 0 && o.converged < 0 && now >= o.lastHeal {
			o.converged = now - o.lastHeal
		}
	}
}

// tick closes the second ending at now, with the owners' requests in it
// (in topology order) and the consumer lag of that second.
func (o *oracle) tick(now time.Duration, requests []int64, lag int64) {
	var ownerRequests int64
	for _, n := range requests {
		ownerRequests += n
	}
	if b := o.batchAt(now-time.Second, false); b != nil {
		b.ownerRequests += ownerRequests
		b.seconds++
		if o.general {
			for i, name := range o.topo.Owners {
				b.owners[name].requests += requests[i]
			}
		}
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

// rendered has one page request of kind judged, sent (as intended) at
// sent and answered at done with page, and counts the verdicts: each
// section against the owner of its read. failed with a page: the page
// failed for a required section (it counts in completeness, its sections
// had and not shown); failed without one: no answer (availability only).
func (o *oracle) rendered(kind string, sellers []strategies.Seller, sent, done time.Duration, page *strategies.Page, failed bool) {
	measured := sent >= o.warmup && sent < o.end
	k, ok := o.byName[kind]
	if !ok || len(k.Reads) == 0 {
		panic("workload: a render of page kind " + kind + ", which the topology has not (or without reads)") // the generator draws only the topology's kinds
	}
	self := k.Self
	// The tallies this render counts in: the series follows the public
	// pages, measured or not; a measured render counts in its kind and, if
	// public, in all and in its batch.
	var b *batch
	var buf [5]*tally
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
		if o.general {
			into = append(into, b.kinds[kind])
		}
	}
	lat := micros(done - sent)
	for _, t := range into {
		t.page(failed, lat)
	}
	hasData, complete := false, true
	read, left := 0, recordsOf(k, 0)
	owner := k.Reads[0].Owner
	ot := o.owners[owner]
	for i, s := range sellers {
		// The sellers are the reads' records in read order; a search page
		// of the marketplace's oracle in tests may show more than its read
		// says, all of its one owner.
		for left == 0 && read+1 < len(k.Reads) {
			read++
			left = recordsOf(k, read)
			owner = k.Reads[read].Owner
			ot = o.owners[owner]
		}
		left--
		// got is what the read got; sec what the reader was shown of it.
		got := strategies.Section{Seller: s, Failed: true}
		if page != nil {
			got = page.Sections[i]
		}
		sec := got
		if failed {
			sec = strategies.Section{Seller: s, Failed: true}
		}
		v := judge.Judge(ot.hist, judge.Read{Section: sec, Arrived: done, Self: self})
		if page != nil {
			for _, t := range into {
				t.section(sec, v, failed)
			}
		}
		if v.Clients > 0 {
			hasData = true
			complete = complete && sec.Shown()
		}
		switch {
		case !measured:
		case self:
			o.selfView(b, v)
		default:
			if o.general {
				o.ownerSection(b, owner, judge.Read{Section: got, Arrived: done}, v, failed)
			}
			if v.Outcome != judge.Missing {
				o.publicRead(b, owner, sec, v)
			}
		}
	}
	// A page answered but failed for a required section had data and
	// showed none of it: not whole (every sec above is Failed).
	if page != nil {
		for _, t := range into {
			t.wholePage(hasData, complete)
		}
	}
}

// ownerSection counts a measured public page's section in its owner's
// tallies: r is what the read got, v the verdict on what the page showed.
// A page failed for a required section still says what each read got: the
// owner's own section, had or not, judged here; a read its sequence never
// made is not the owner's to count. A page with no answer (timed out,
// refused) got none of its sections: each counts as missing.
func (o *oracle) ownerSection(b *batch, owner string, r judge.Read, v judge.Verdict, failed bool) {
	ot := o.owners[owner]
	if failed {
		if r.Section.Unasked {
			return
		}
		v = judge.Judge(ot.hist, r)
	}
	ot.sections.ownerSection(r.Section, v, failed)
	b.owners[owner].sections.ownerSection(r.Section, v, failed)
}

// recordsOf is how many records read i of k shows; 0 past the last.
func recordsOf(k pages.Kind, i int) int {
	if i >= len(k.Reads) {
		return 0
	}
	return k.Reads[i].Records
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

// publicRead counts a measured public section of owner that was shown: a
// read of the owner's (owner.public_rps), and a point of the consistency
// curve, by how long after the owner's last write the page arrived.
func (o *oracle) publicRead(b *batch, owner string, sec strategies.Section, v judge.Verdict) {
	if sec.FromOwner {
		o.publicReads++
		b.publicReads++
		if o.general {
			o.owners[owner].publicReads++
			b.owners[owner].publicReads++
		}
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
		pm := k.pageMetrics()
		if o.general {
			pc := ratio(k.whole, k.withData)
			pm.PageCompleteness, pm.PagesWithData = &pc, k.withData
		}
		m.Pages[name] = pm
		m.HDR["latency."+name] = mustEncode(k.lat)
		if name == pages.All {
			m.HDR["staleness.all"] = mustEncode(k.staleness)
		}
	}
	m.PropagationMS = results.SummaryOf(o.prop)
	m.HDR["propagation"] = mustEncode(o.prop)
	if o.general {
		m.Owners = map[string]*results.OwnerResult{}
		for name, ot := range o.owners {
			sections := ot.sections.pageMetrics()
			sections.LatencyMS, sections.Availability = results.Summary{}, 0 // a section has neither
			m.Owners[name] = &results.OwnerResult{Sections: *sections, PropagationMS: results.SummaryOf(ot.prop)}
			// Snapshots under the scoped names, so that seeds merge into
			// the owner's percentiles rather than averaging them.
			m.HDR[results.Scoped("staleness", name)] = mustEncode(ot.sections.staleness)
			m.HDR[results.Scoped("propagation", name)] = mustEncode(ot.prop)
		}
	}
	switch {
	case !o.watched():
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

// pageMetrics is t's figures as a page kind's.
func (t *tally) pageMetrics() *results.PageMetrics {
	pm := &results.PageMetrics{
		Count:          t.pages,
		LatencyMS:      results.SummaryOf(t.lat),
		Availability:   ratio(t.ok, t.pages),
		Completeness:   ratio(t.complete, t.has),
		StaleFraction:  0,
		StalenessMS:    results.SummaryOf(t.staleness),
		VersionsBehind: 0,
		Rendered:       t.ok,
		WithClients:    t.has,
		Shown:          t.shown,
		Stale:          t.stale,
	}
	pm.ReadStalenessMS = results.ReadStalenessOf(t.staleness, t.shown)
	if t.shown > 0 { // no section shown, nothing stale
		pm.StaleFraction = float64(t.stale) / float64(t.shown)
		pm.VersionsBehind = float64(t.versionsBack) / float64(t.shown)
	}
	return pm
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
	batched := pageBatched("", all, func(b *batch) *tally { return &b.tally })
	for name, pb := range map[string]perBatch{
		"propagation.p99": {o.prop.TotalCount(), func(b *batch) (float64, float64, bool) { return pct(b.prop, 99) }},
		// An invariant: only its count of self-view sections judged.
		"self_view_violations": {self, nil},
		"owner.rps": {ownerRequests, func(b *batch) (float64, float64, bool) {
			return float64(b.ownerRequests) / float64(max(b.seconds, 1)), float64(b.seconds), b.seconds > 0
		}},
		"owner.public_rps": {o.publicReads, func(b *batch) (float64, float64, bool) {
			return float64(b.publicReads) / b.length, b.length, true
		}},
	} {
		batched[name] = pb
	}
	if o.general {
		batched["page_completeness"] = perBatch{all.withData, func(b *batch) (float64, float64, bool) {
			return percent(frac(b.whole, b.withData))
		}}
		for _, k := range o.topo.Kinds {
			maps.Copy(batched, pageBatched(k.Name, o.kinds[k.Name], func(b *batch) *tally { return b.kinds[k.Name] }))
		}
		for _, name := range o.topo.Owners {
			ot := o.owners[name]
			maps.Copy(batched, pageBatched(name, ot.sections, func(b *batch) *tally { return &b.owners[name].sections }))
			var requests int64
			for _, b := range o.batches {
				requests += b.owners[name].requests
			}
			batched[results.Scoped("owner.rps", name)] = perBatch{requests, func(b *batch) (float64, float64, bool) {
				return float64(b.owners[name].requests) / float64(max(b.seconds, 1)), float64(b.seconds), b.seconds > 0
			}}
			batched[results.Scoped("owner.public_rps", name)] = perBatch{ot.publicReads, func(b *batch) (float64, float64, bool) {
				return float64(b.owners[name].publicReads) / b.length, b.length, true
			}}
			batched[results.Scoped("propagation.p99", name)] = perBatch{ot.prop.TotalCount(), func(b *batch) (float64, float64, bool) {
				return pct(b.owners[name].prop, 99)
			}}
		}
	}
	var topo *pages.Topology
	if o.general {
		topo = &o.topo
	}
	metrics := results.MetricsFor(topo)
	m.Stats = make(map[string]results.Stat, len(metrics))
	m.CI95 = make(map[string]float64, len(metrics))
	for _, mt := range metrics {
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

// perBatch is one metric for intervals: its sample count, and its value
// in a batch with the batch's weight, its samples (ok false for a batch
// without any; value nil for a metric with no interval to make).
type perBatch struct {
	n     int64
	value func(b *batch) (x, w float64, ok bool)
}

func percent(x, w float64, ok bool) (float64, float64, bool) { return 100 * x, w, ok }

// frac is a batch's share a/d with its weight d; none without samples.
func frac(a, d int64) (float64, float64, bool) {
	if d == 0 {
		return 0, 0, false
	}
	return float64(a) / float64(d), float64(d), true
}

// pct is a batch histogram's q-th percentile in ms, weighted by its count.
func pct(h *hdrhistogram.Histogram, q float64) (float64, float64, bool) {
	return float64(h.ValueAtPercentile(q)) / 1000, float64(h.TotalCount()), h.TotalCount() > 0
}

// pageBatched are the page metrics of scope ("" for all public pages, a
// page kind, or an owner's sections): total is the measured tally, of
// the batch's.
func pageBatched(scope string, total *tally, of func(b *batch) *tally) map[string]perBatch {
	m := map[string]perBatch{
		"latency.p50":    {total.ok, func(b *batch) (float64, float64, bool) { return pct(of(b).lat, 50) }},
		"latency.p99":    {total.ok, func(b *batch) (float64, float64, bool) { return pct(of(b).lat, 99) }},
		"latency.p999":   {total.ok, func(b *batch) (float64, float64, bool) { return pct(of(b).lat, 99.9) }},
		"availability":   {total.pages, func(b *batch) (float64, float64, bool) { return percent(frac(of(b).ok, of(b).pages)) }},
		"completeness":   {total.has, func(b *batch) (float64, float64, bool) { return percent(frac(of(b).complete, of(b).has)) }},
		"stale_fraction": {total.shown, func(b *batch) (float64, float64, bool) { return percent(frac(of(b).stale, of(b).shown)) }},
		"staleness.p99":  {total.stale, func(b *batch) (float64, float64, bool) { return pct(of(b).staleness, 99) }},
		"read_staleness.mean": {total.shown, func(b *batch) (float64, float64, bool) {
			t := of(b)
			return results.ReadStalenessOf(t.staleness, t.shown).Mean, float64(t.shown), t.shown > 0
		}},
		"read_staleness.p999": {total.shown, func(b *batch) (float64, float64, bool) {
			t := of(b)
			return results.ReadStalenessOf(t.staleness, t.shown).P999, float64(t.shown), t.shown > 0
		}},
		"versions_behind": {total.shown, func(b *batch) (float64, float64, bool) {
			t := of(b)
			return frac(t.versionsBack, t.shown)
		}},
	}
	if scope != "" {
		m["page_completeness"] = perBatch{total.withData, func(b *batch) (float64, float64, bool) {
			t := of(b)
			return percent(frac(t.whole, t.withData))
		}}
		scoped := make(map[string]perBatch, len(m))
		for name, pb := range m {
			scoped[results.Scoped(name, scope)] = pb
		}
		return scoped
	}
	return m
}

func mustEncode(h *hdrhistogram.Histogram) string {
	s, err := results.EncodeHDR(h)
	if err != nil {
		panic(err) // our own histograms always encode
	}
	return s
}
