package workload

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/sharebench/sharebench/results"
	"github.com/sharebench/sharebench/sim"
	"github.com/sharebench/sharebench/strategies"
	"github.com/sharebench/sharebench/workload/judge"
)

// RunOptions say how to run a scenario.
type RunOptions struct {
	Seeds    int // replications: seeds Seed, Seed+1, …; default 1
	Parallel int // runs at once; default 1
	// Progress, if set, is told how far the runs have got: after each
	// simulated second of every run (a stretch with nothing due is one
	// step) and when a run ends (a live run reports only its end). It is
	// called from the runs' goroutines, one at a time.
	Progress func(Progress)
	// MaxEvents is a budget: a virtual run that processes more events
	// fails with ErrOverBudget instead of running on (a misjudged
	// estimate must not hang a machine). 0: no budget. A world that does
	// not count events (Capabilities.EventBudget: live) runs without one.
	MaxEvents uint64
}

// Progress is how far the runs of one Run call have got, summed over its
// runs (strategies × seeds).
type Progress struct {
	Done, Total    time.Duration // virtual time simulated so far, and in all (each run goes to its end plus the page timeout)
	Pages          int64         // page requests sent so far
	Events         uint64        // kernel events processed so far (virtual runs)
	RunsDone, Runs int
}

// ErrOverBudget is the error of a run stopped at RunOptions.MaxEvents.
var ErrOverBudget = errors.New("over its work budget")

// progressTracker sums the runs' progress and reports it, one call at a
// time.
type progressTracker struct {
	mu  sync.Mutex
	p   Progress
	fn  func(Progress)
	per time.Duration // one run's virtual time
}

func newProgressTracker(fn func(Progress), runs int, per time.Duration) *progressTracker {
	return &progressTracker{fn: fn, per: per, p: Progress{Total: time.Duration(runs) * per, Runs: runs}}
}

// advance adds a run's dt of virtual time and pages sent; finished says
// the run has ended.
func (pt *progressTracker) advance(dt time.Duration, pages int64, events uint64, finished bool) {
	if pt == nil || pt.fn == nil {
		return
	}
	pt.mu.Lock()
	defer pt.mu.Unlock()
	pt.p.Done += dt
	pt.p.Pages += pages
	pt.p.Events += events
	if finished {
		pt.p.RunsDone++
	}
	pt.fn(pt.p)
}

// Run runs every strategy of the scenario for every seed, in virtual time,
// and returns the result file. The runs are independent worlds; with any
// Parallel the file is the same, byte for byte, outside Wall.
func Run(sc *Scenario, opts RunOptions) (*results.File, error) {
	return runAll(sc, opts, "virtual", func(seed uint64) (world, error) { return newVirtualWorld(sc, seed), nil })
}

// runAll runs every strategy of the scenario for every seed, each in a
// world of its own that newWorld builds, opts.Parallel at once, and
// assembles the result file, the same for every world.
func runAll(sc *Scenario, opts RunOptions, mode string, newWorld func(seed uint64) (world, error)) (*results.File, error) {
	started := time.Now()
	seeds := max(opts.Seeds, 1)
	parallel := max(opts.Parallel, 1)
	type job struct {
		strategy strategies.Strategy
		seed     uint64
	}
	var jobs []job
	for _, s := range sc.Strategies {
		for i := range seeds {
			jobs = append(jobs, job{strategies.Strategy(s), sc.Seed + uint64(i)})
		}
	}
	where := ""
	if mode != "virtual" {
		where = ", " + mode
	}
	out := make([]*results.Metrics, len(jobs))
	var pages atomic.Int64
	pt := newProgressTracker(opts.Progress, len(jobs), sc.runLength())
	g := new(errgroup.Group)
	g.SetLimit(parallel)
	for i, j := range jobs {
		g.Go(func() error {
			w, err := newWorld(j.seed)
			if err == nil {
				var n int64
				out[i], n, err = runIn(w, sc, j.strategy, j.seed, pt, opts.MaxEvents)
				pages.Add(n)
			}
			if err != nil {
				return fmt.Errorf("%s, seed %d%s: %w", j.strategy, j.seed, where, err)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}

	f := newFile(sc, seeds, out)
	f.Mode = mode
	f.Wall = wallFacts(started, parallel, pages.Load(), min(parallel, len(jobs), runtime.NumCPU()))
	return f, nil
}

// newFile assembles a result file from the runs' metrics, strategy by
// strategy, seed by seed.
func newFile(sc *Scenario, seeds int, out []*results.Metrics) *results.File {
	f := &results.File{
		Schema:       results.Schema,
		Mode:         "virtual",
		Scenario:     sc.Name,
		ScenarioYAML: sc.YAML(),
		DurationS:    sc.Duration.D().Seconds(),
		WarmupS:      sc.Warmup.D().Seconds(),
		Order:        slices.Clone(sc.Strategies),
		Strategies:   map[string]*results.Metrics{},
		Faults:       []results.FaultWindow{}, // [] rather than null in the file
		Inputs:       sc.inputs(),
		Version:      results.ThisBuild(),
	}
	for i := range seeds {
		f.Seeds = append(f.Seeds, sc.Seed+uint64(i))
	}
	for k, s := range sc.Strategies {
		f.Strategies[s] = results.Aggregate(out[k*seeds : (k+1)*seeds])
	}
	for _, ft := range sc.Faults {
		f.Faults = append(f.Faults, results.FaultWindow{AtS: ft.At.Seconds(), ForS: ft.For.Seconds(), Kind: string(ft.Kind), Label: ft.String()})
	}
	return f
}

// wallFacts are a run's wall-clock facts; cores is how many cores the
// runs had between them, for the per-core speed.
func wallFacts(started time.Time, parallel int, pages int64, cores int) results.Wall {
	elapsed := time.Since(started)
	return results.Wall{
		Started:        started.UTC().Format(time.RFC3339),
		ElapsedS:       elapsed.Seconds(),
		Parallel:       parallel,
		PagesPerSecond: float64(pages) / elapsed.Seconds() / float64(max(cores, 1)),
		GoVersion:      runtime.Version(),
		MaxRSSBytes:    maxRSS(),
	}
}

// RunOne runs one strategy with one seed and returns its metrics and the
// number of page requests it simulated.
func RunOne(sc *Scenario, strategy strategies.Strategy, seed uint64) (*results.Metrics, int64, error) {
	return runOne(sc, strategy, seed, nil, 0)
}

// runLength is the virtual time a run simulates: the warm-up, the
// measured duration and the page timeout after it, for the last pages.
func (sc *Scenario) runLength() time.Duration {
	return sim.AddDurations(sc.End(), sc.Traffic.Pages.Timeout.D())
}

// runOne is RunOne reporting its progress to pt every simulated second
// and stopping after maxEvents events (0: no limit).
func runOne(sc *Scenario, strategy strategies.Strategy, seed uint64, pt *progressTracker, maxEvents uint64) (*results.Metrics, int64, error) {
	return runIn(newVirtualWorld(sc, seed), sc, strategy, seed, pt, maxEvents)
}

// runIn is one run of one strategy with one seed in w, the same in every
// world: deploy, the oracle's taps, the owner's load at the warm-up's end
// and at the end, the per-second series, the workload, the metrics.
func runIn(w world, sc *Scenario, strategy strategies.Strategy, seed uint64, pt *progressTracker, maxEvents uint64) (*results.Metrics, int64, error) {
	defer w.close()
	caps := w.caps()
	if err := checkCapabilities(sc, caps); err != nil {
		return nil, 0, err
	}
	if !caps.EventBudget {
		maxEvents = 0
	}
	if err := w.addBroker(sc.brokerSpec()); err != nil {
		return nil, 0, err
	}
	st := streams{sim.NewStreams(seed)}
	sellers := NewSellers(sc.Population, st.get("population"), st.get("population/counts"))

	end := sc.End()
	o := newOracle(judge.NewHistory(), sc.Population.Sellers, sc.Warmup.D(), end, lastHeal(sc))
	o.stratify(sc.Faults)
	committed := func(list *strategies.List) { w.guard(func() { o.committed(list) }) }
	d, err := strategies.Deploy(w.hosts(), sc.strategyConfig(strategy, sellers, committed))
	if err != nil {
		return nil, 0, err
	}
	for _, name := range strategies.PageServiceNames {
		if v := d.View(name, strategies.OwnerNode); v != nil {
			o.watch(name)
			v.OnApply = func(service, _ string, s strategies.Seller, version uint64) {
				at := w.now()
				w.guard(func() { o.viewApplied(service, s, version, at) })
			}
		}
	}
	w.addDriver(clientNode)
	if err := w.inject(sc.Faults); err != nil {
		return nil, 0, err
	}

	dr := drive(w, sc, sellers, st, o)

	load := func() (l ownerLoad) {
		s := w.stats(strategies.OwnerNode)
		w.inTurn(strategies.OwnerNode, func() {
			l = ownerLoad{s.Arrived, s.Rejected, d.Owner.Stats.Reads, d.Owner.Stats.EmptyReads, s.MaxInSystem}
		})
		return l
	}
	var atWarmup ownerLoad
	w.at(sc.Warmup.D(), func() {
		atWarmup = load()
		w.resetPeaks(strategies.OwnerNode)
	})
	var lastArrived int64
	tick := func(t time.Duration) {
		arrived, lag := w.stats(strategies.OwnerNode).Arrived, w.brokerLag()
		w.guard(func() { o.tick(t, arrived-lastArrived, lag) })
		lastArrived = arrived
	}
	for t := time.Second; t <= end; t += time.Second {
		w.at(t, func() { tick(t) })
	}
	// Let requests sent before the end finish, up to the client's timeout;
	// the series gets one more point for those that finish late.
	stop := sc.runLength()
	var at time.Duration
	var reported int64
	var reportedEvents uint64
	err = w.run(stop, maxEvents, func(next time.Duration, events uint64) {
		pt.advance(next-at, int64(dr.sent)-reported, events-reportedEvents, next == stop)
		at, reported, reportedEvents = next, int64(dr.sent), events
	})
	if err != nil {
		return nil, 0, err
	}
	if o.sec.pages > 0 {
		tick(end + time.Second)
	}
	atEnd := load()
	broker := w.brokerStats()
	// Views and caches are read once the world has stopped: nothing runs
	// then, so nothing needs a node's turn.
	if err := w.halt(); err != nil {
		return nil, 0, err
	}
	if dr.wrong != nil {
		return nil, 0, dr.wrong
	}
	m := o.metrics()
	m.Owner = ownerMetrics(sc, o, atWarmup, atEnd)
	m.DuplicationBytes = d.Duplication()
	m.Broker = results.BrokerMetrics{Published: broker.Published, Delivered: broker.Delivered, Redelivered: broker.Redelivered, Lost: broker.Lost, MaxLag: broker.MaxLag}
	return m, int64(dr.sent), nil
}

// driven is what drive tells the run as it goes.
type driven struct {
	sent int // page requests sent so far
	// wrong is the first render answer that was not a page for the sellers
	// asked (a harness bug, not a strategy's failure): the run fails with it.
	wrong error
}

// drive schedules the workload: the page and write schedules walked in
// world time by harness callbacks, each request sent open loop — it never
// waits for an earlier one, and its latency counts from when it was meant
// to be sent. The count of page requests sent grows as the run goes.
func drive(w world, sc *Scenario, sellers *Sellers, st streams, o *oracle) *driven {
	g := newGenerators(sc, sellers, st)
	pages, writes, recent, pageArrivals, writeArrivals := g.pages, g.writes, g.recent, g.pageArrivals, g.writeArrivals
	end := sc.End()
	timeout := sc.Traffic.Pages.Timeout.D()
	dr := new(driven)
	ignore := func(any, error, time.Duration) {}

	var nextWrite func()
	nextWrite = func() {
		wr := writes.next()
		recent.add(wr.Seller)
		w.send(strategies.OwnerNode, strategies.MethodWrite, wr, timeout, ignore)
		if at := writeArrivals.next(end); at < end {
			w.at(at, nextWrite)
		}
	}
	var nextPage func(sent time.Duration)
	nextPage = func(sent time.Duration) {
		kind, ss := pages.next()
		dr.sent++
		w.send(strategies.PageServices[kind], strategies.MethodRender, strategies.PageRequest{Kind: kind, Sellers: ss}, timeout, func(body any, err error, done time.Duration) {
			var page *strategies.Page
			var wrong error
			if err == nil {
				page, wrong = pageOf(body, len(ss))
			}
			w.guard(func() {
				if wrong != nil && dr.wrong == nil {
					dr.wrong = fmt.Errorf("%s page sent at %v: %w", kind, sent, wrong)
				}
				o.rendered(kind, ss, sent, done, page, err != nil || wrong != nil)
			})
		})
		if at := pageArrivals.next(end); at < end {
			w.at(at, func() { nextPage(at) })
		}
	}
	if at := writeArrivals.next(end); at < end {
		w.at(at, nextWrite)
	}
	if at := pageArrivals.next(end); at < end {
		w.at(at, func() { nextPage(at) })
	}
	return dr
}

// pageOf is the page in a render's answer, which must have one section
// per seller asked for; anything else is an error, never a panic.
func pageOf(body any, sellers int) (*strategies.Page, error) {
	var p strategies.Page
	switch b := body.(type) {
	case strategies.Page:
		p = b
	case *strategies.Page:
		if b == nil {
			return nil, fmt.Errorf("the answer is a nil *strategies.Page")
		}
		p = *b
	default:
		return nil, fmt.Errorf("the answer is a %T, not a strategies.Page", body)
	}
	if len(p.Sections) != sellers {
		return nil, fmt.Errorf("the page has %d sections for %d sellers", len(p.Sections), sellers)
	}
	return &p, nil
}

// generators are a run's schedules: pages, writes and their arrivals.
type generators struct {
	pages                       *pageGen
	writes                      *writeGen
	recent                      *recentWriters
	pageArrivals, writeArrivals *arrivals
}

func newGenerators(sc *Scenario, sellers *Sellers, st streams) generators {
	pg := sc.Traffic.Pages
	recent := &recentWriters{}
	return generators{
		recent: recent,
		pages: &pageGen{
			r: st.get("pages"), kinds: newWeighted(pg.Mix, PageKinds), pop: newPicker(pg.Popularity, sc.Population.Sellers, st.get("popularity")),
			search: pg.SearchResults, selfRecent: *pg.SelfRecent, recent: recent,
		},
		writes: &writeGen{
			r: st.get("writes"), ops: newWeighted(sc.Traffic.Writes.Mix, []string{"add", "remove", "reorder"}),
			pop: newPicker(sc.Traffic.Writes.Popularity, sc.Population.Sellers, st.get("write-popularity")), sellers: sellers,
			lists: map[strategies.Seller][]uint32{},
		},
		pageArrivals:  &arrivals{curve: pg.Rate.Curve, poisson: pg.Arrival == "poisson", r: st.get("page-arrivals")},
		writeArrivals: &arrivals{curve: constantCurve{float64(*sc.Traffic.Writes.Rate)}, poisson: true, r: st.get("write-arrivals")},
	}
}

// ownerLoad is the owner's counters a run reads at the warm-up's end and
// at its end.
type ownerLoad struct {
	arrived, rejected, reads, emptyReads int64
	peak                                 int
}

// ownerMetrics is the owner's load over the measured window.
func ownerMetrics(sc *Scenario, o *oracle, atWarmup, atEnd ownerLoad) results.OwnerMetrics {
	secs := sc.Duration.D().Seconds()
	om := results.OwnerMetrics{
		Requests:        atEnd.arrived - atWarmup.arrived,
		Reads:           atEnd.reads - atWarmup.reads,
		PublicReads:     o.publicReads,
		PublicRPS:       float64(o.publicReads) / secs,
		RPS:             float64(atEnd.arrived-atWarmup.arrived) / secs,
		Rejected:        atEnd.rejected - atWarmup.rejected,
		PeakConcurrency: int64(atEnd.peak),
	}
	if om.Reads > 0 {
		om.EmptyFraction = float64(atEnd.emptyReads-atWarmup.emptyReads) / float64(om.Reads)
	}
	return om
}

// lastHeal is when a scenario's last fault heals; 0 without faults.
func lastHeal(sc *Scenario) time.Duration {
	var t time.Duration
	for _, f := range sc.Faults {
		t = max(t, f.End())
	}
	return t
}
