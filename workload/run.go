package workload

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/sharebench/sharebench/pages"
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
// runs (columns × seeds).
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

// Run runs every column of the scenario (each strategy, then each plan)
// for every seed, in virtual time,
// and returns the result file. The runs are independent worlds; with any
// Parallel the file is the same, byte for byte, outside Wall.
func Run(sc *Scenario, opts RunOptions) (*results.File, error) {
	return runAll(sc, opts, "virtual", func(seed uint64) (world, error) { return newVirtualWorld(sc, seed), nil })
}

// runAll runs every column of the scenario for every seed, each in a
// world of its own that newWorld builds, opts.Parallel at once, and
// assembles the result file, the same for every world.
func runAll(sc *Scenario, opts RunOptions, mode string, newWorld func(seed uint64) (world, error)) (*results.File, error) {
	started := time.Now()
	seeds := max(opts.Seeds, 1)
	parallel := max(opts.Parallel, 1)
	type job struct {
		column string // a strategy or a plan
		seed   uint64
	}
	var jobs []job
	for _, c := range sc.Columns() {
		for i := range seeds {
			jobs = append(jobs, job{c, sc.Seed + uint64(i)})
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
				out[i], n, err = runIn(w, sc, j.column, j.seed, pt, opts.MaxEvents)
				pages.Add(n)
			}
			if err != nil {
				return fmt.Errorf("%s, seed %d%s: %w", j.column, j.seed, where, err)
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

// newFile assembles a result file from the runs' metrics, column by
// column, seed by seed.
func newFile(sc *Scenario, seeds int, out []*results.Metrics) *results.File {
	columns := sc.Columns()
	f := &results.File{
		Schema:       results.Schema,
		Mode:         "virtual",
		Scenario:     sc.Name,
		ScenarioYAML: sc.YAML(),
		DurationS:    sc.Duration.D().Seconds(),
		WarmupS:      sc.Warmup.D().Seconds(),
		Order:        columns,
		Strategies:   map[string]*results.Metrics{},
		Faults:       []results.FaultWindow{}, // [] rather than null in the file
		Inputs:       sc.inputs(),
		Version:      results.ThisBuild(),
	}
	for i := range seeds {
		f.Seeds = append(f.Seeds, sc.Seed+uint64(i))
	}
	for k, c := range columns {
		f.Strategies[c] = results.Aggregate(out[k*seeds : (k+1)*seeds])
	}
	if sc.general() {
		topo := sc.model().topo
		f.Topology = &topo
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
	return runOne(sc, string(strategy), seed, nil, 0)
}

// RunColumn runs one column of the scenario (a strategy or a plan's name)
// with one seed, like RunOne.
func RunColumn(sc *Scenario, column string, seed uint64) (*results.Metrics, int64, error) {
	return runOne(sc, column, seed, nil, 0)
}

// runLength is the virtual time a run simulates: the warm-up, the
// measured duration and the page timeout after it, for the last pages.
func (sc *Scenario) runLength() time.Duration {
	return sim.AddDurations(sc.End(), sc.Traffic.Pages.Timeout.D())
}

// runOne is RunOne reporting its progress to pt every simulated second
// and stopping after maxEvents events (0: no limit).
func runOne(sc *Scenario, column string, seed uint64, pt *progressTracker, maxEvents uint64) (*results.Metrics, int64, error) {
	return runIn(newVirtualWorld(sc, seed), sc, column, seed, pt, maxEvents)
}

// runIn is one run of one column (a strategy, or a plan: a strategy per
// owner) with one seed in w, the same in every world: deploy, the
// oracle's taps, each owner's load at the warm-up's end and at the end,
// the per-second series, the workload, the metrics.
func runIn(w world, sc *Scenario, column string, seed uint64, pt *progressTracker, maxEvents uint64) (*results.Metrics, int64, error) {
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
	md := sc.model()
	owners := md.topo.Owners
	st := streams{sim.NewStreams(seed)}
	pops := map[string]*Sellers{}
	records, hists := map[string]int{}, map[string]*judge.History{}
	for _, name := range owners {
		om := md.owners[name]
		pops[name] = NewSellers(om.Population, st.of(name, "population"), st.of(name, "population/counts"))
		records[name], hists[name] = om.Population.Sellers, judge.NewHistory()
	}

	end := sc.End()
	o := newTopologyOracle(md.topo, sc.general(), records, hists, sc.Warmup.D(), end, lastHeal(sc))
	o.stratify(sc.Faults)
	committed := func(owner string, list *strategies.List) { w.guard(func() { o.committed(owner, list) }) }
	d, err := strategies.Deploy(w.hosts(), sc.deployConfig(md, column, pops, committed))
	if err != nil {
		return nil, 0, err
	}
	for _, service := range md.topo.Services {
		for _, owner := range owners {
			if v := d.Views[service][owner]; v != nil {
				o.watch(service, owner)
				v.OnApply = func(service, owner string, s strategies.Seller, version uint64) {
					at := w.now()
					w.guard(func() { o.viewApplied(service, owner, s, version, at) })
				}
			}
		}
	}
	w.addDriver(clientNode)
	if err := w.inject(sc.Faults); err != nil {
		return nil, 0, err
	}

	dr := drive(w, sc, md, pops, st, o)

	load := func() map[string]ownerLoad {
		ls := map[string]ownerLoad{}
		for _, name := range owners {
			s := w.stats(name)
			var l ownerLoad
			w.inTurn(name, func() {
				ow := d.Owners[name]
				l = ownerLoad{s.Arrived, s.Rejected, ow.Stats.Reads, ow.Stats.EmptyReads, s.MaxInSystem}
			})
			ls[name] = l
		}
		return ls
	}
	var atWarmup map[string]ownerLoad
	w.at(sc.Warmup.D(), func() {
		atWarmup = load()
		for _, name := range owners {
			w.resetPeaks(name)
		}
	})
	lastArrived := make([]int64, len(owners))
	tick := func(t time.Duration) {
		requests := make([]int64, len(owners))
		for i, name := range owners {
			arrived := w.stats(name).Arrived
			requests[i], lastArrived[i] = arrived-lastArrived[i], arrived
		}
		lag := w.brokerLag()
		w.guard(func() { o.tick(t, requests, lag) })
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
	secs := sc.Duration.D().Seconds()
	var total ownerLoad
	var totalWarm ownerLoad
	for _, name := range owners {
		total, totalWarm = total.plus(atEnd[name]), totalWarm.plus(atWarmup[name])
	}
	m.Owner = ownerMetrics(secs, o.publicReads, totalWarm, total)
	m.DuplicationBytes = d.Duplication()
	if sc.general() {
		byOwner := d.DuplicationByOwner()
		for _, name := range owners {
			or := m.Owners[name]
			or.Strategy = md.topo.StrategyFor(column, name)
			or.Load = ownerMetrics(secs, o.owners[name].publicReads, atWarmup[name], atEnd[name])
			or.Duplication = byOwner[name]
			if or.Duplication == nil {
				or.Duplication = map[string]int64{}
			}
		}
	}
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

// drive schedules the workload: the page schedule and each owner's write
// schedule walked in world time by harness callbacks, each request sent
// open loop — it never waits for an earlier one, and its latency counts
// from when it was meant to be sent. The count of page requests sent
// grows as the run goes.
func drive(w world, sc *Scenario, md *model, pops map[string]*Sellers, st streams, o *oracle) *driven {
	g := newGenerators(sc, md, pops, st)
	end := sc.End()
	timeout := sc.Traffic.Pages.Timeout.D()
	dr := new(driven)
	ignore := func(any, error, time.Duration) {}

	for _, ow := range g.owners {
		var nextWrite func()
		nextWrite = func() {
			wr := ow.writes.next()
			ow.recent.add(wr.Seller)
			w.send(ow.name, strategies.MethodWrite, wr, timeout, ignore)
			if at := ow.arrivals.next(end); at < end {
				w.at(at, nextWrite)
			}
		}
		if at := ow.arrivals.next(end); at < end {
			w.at(at, nextWrite)
		}
	}
	var nextPage func(sent time.Duration)
	nextPage = func(sent time.Duration) {
		kind, ss := g.pages.next()
		dr.sent++
		w.send(kind.Service, strategies.MethodRender, strategies.PageRequest{Kind: kind.Name, Sellers: ss}, timeout, func(body any, err error, done time.Duration) {
			var page *strategies.Page
			var wrong error
			if err == nil {
				page, wrong = pageOf(body, len(ss))
			}
			w.guard(func() {
				if wrong != nil && dr.wrong == nil {
					dr.wrong = fmt.Errorf("%s page sent at %v: %w", kind.Name, sent, wrong)
				}
				// A page failed for a required section still carries
				// its sections: the oracle counts each owner's.
				failed := err != nil || wrong != nil || page.Err() != nil
				o.rendered(kind.Name, ss, sent, done, page, failed)
			})
		})
		if at := g.pageArrivals.next(end); at < end {
			w.at(at, func() { nextPage(at) })
		}
	}
	if at := g.pageArrivals.next(end); at < end {
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

// generators are a run's schedules: pages and their arrivals, and each
// owner's writes and theirs.
type generators struct {
	pages        *pageGen
	pageArrivals *arrivals
	owners       []ownerGen // in topology order
}

// ownerGen is one owner's write schedule.
type ownerGen struct {
	name     string
	writes   *writeGen
	recent   *recentWriters
	arrivals *arrivals
}

// newGenerators makes a run's schedules from the model, each owner's from
// streams of its own (streams.of).
func newGenerators(sc *Scenario, md *model, pops map[string]*Sellers, st streams) generators {
	pg := sc.Traffic.Pages
	g := generators{
		pages: &pageGen{
			r: st.get("pages"), kinds: newWeighted(md.shares, md.topo.KindNames()), byName: map[string]pages.Kind{},
			pop: map[string]picker{}, selfRecent: *pg.SelfRecent, recent: map[string]*recentWriters{},
		},
		pageArrivals: &arrivals{curve: pg.Rate.Curve, poisson: pg.Arrival == "poisson", r: st.get("page-arrivals")},
	}
	for _, k := range md.topo.Kinds {
		g.pages.byName[k.Name] = k
	}
	for _, name := range md.topo.Owners {
		om := md.owners[name]
		recent := &recentWriters{}
		g.pages.recent[name] = recent
		g.pages.pop[name] = newPicker(pg.Popularity, om.Population.Sellers, st.of(name, "popularity"))
		g.owners = append(g.owners, ownerGen{
			name: name, recent: recent,
			writes: &writeGen{
				r: st.of(name, "writes"), ops: newWeighted(om.Writes.Mix, []string{"add", "remove", "reorder"}),
				pop: newPicker(om.Writes.Popularity, om.Population.Sellers, st.of(name, "write-popularity")), sellers: pops[name],
				lists: map[strategies.Seller][]uint32{},
			},
			arrivals: &arrivals{curve: constantCurve{float64(*om.Writes.Rate)}, poisson: true, r: st.of(name, "write-arrivals")},
		})
	}
	return g
}

// ownerLoad is an owner's counters a run reads at the warm-up's end and
// at its end.
type ownerLoad struct {
	arrived, rejected, reads, emptyReads int64
	peak                                 int
}

// plus is the load of two owners together; their peaks add up, an upper
// bound of the peak they had together.
func (l ownerLoad) plus(m ownerLoad) ownerLoad {
	return ownerLoad{l.arrived + m.arrived, l.rejected + m.rejected, l.reads + m.reads, l.emptyReads + m.emptyReads, l.peak + m.peak}
}

// ownerMetrics is an owner's load over the measured window of secs
// seconds, publicReads the sections public pages read from it.
func ownerMetrics(secs float64, publicReads int64, atWarmup, atEnd ownerLoad) results.OwnerMetrics {
	om := results.OwnerMetrics{
		Requests:        atEnd.arrived - atWarmup.arrived,
		Reads:           atEnd.reads - atWarmup.reads,
		PublicReads:     publicReads,
		PublicRPS:       float64(publicReads) / secs,
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
