package workload

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/sharebench/sharebench/results"
	"github.com/sharebench/sharebench/sim"
	"github.com/sharebench/sharebench/sim/live"
	"github.com/sharebench/sharebench/strategies"
	"github.com/sharebench/sharebench/workload/judge"
)

// LiveOptions say how to run in the live world.
type LiveOptions struct {
	// Kafka lists the seed brokers of a Kafka-protocol cluster to use;
	// none starts an embedded kfake cluster per run.
	Kafka []string
}

// RunOneLive runs one strategy with one seed in the live world: real
// goroutines, HTTP on loopback, the Kafka protocol, faults through TCP
// proxies, on the wall clock. The scenario's network latencies are
// injected by the proxies for the whole run. It returns the metrics (the
// same keys as a virtual run) and the page requests sent. A live run is
// not reproducible byte for byte: timing comes from the machine.
func RunOneLive(sc *Scenario, strategy strategies.Strategy, seed uint64, lo LiveOptions) (*results.Metrics, int64, error) {
	opts := []live.Option{live.WithSeed(seed)}
	if len(lo.Kafka) > 0 {
		opts = append(opts, live.WithKafka(lo.Kafka...))
	}
	w, err := live.New(opts...)
	if err != nil {
		return nil, 0, err
	}
	closed := false
	defer func() {
		if !closed {
			w.Close()
		}
	}()
	if err := w.AddBroker(sc.brokerSpec()); err != nil {
		return nil, 0, err
	}
	st := streams{sim.NewStreams(seed)}
	sellers := NewSellers(sc.Population, st.get("population"), st.get("population/counts"))
	end := sc.End()
	o := &lockedOracle{o: newOracle(judge.NewHistory(), sc.Population.Sellers, sc.Warmup.D(), end, lastHeal(sc))}
	o.o.stratify(sc.Faults)
	d, err := strategies.Deploy(w.Hosts(), sc.strategyConfig(strategy, sellers, o.committed))
	if err != nil {
		return nil, 0, err
	}
	for _, name := range strategies.PageServiceNames {
		if v := d.Views[name]; v != nil {
			o.do(func(o *oracle) { o.watch(name) })
			v.OnApply = func(service string, s strategies.Seller, version uint64) {
				o.do(func(o *oracle) { o.viewApplied(service, s, version, w.Now()) })
			}
		}
	}
	client := w.Node(clientNode)
	if err := w.Inject(append(networkFaults(sc), sc.Faults...)...); err != nil {
		return nil, 0, err
	}

	owner := w.Node(strategies.OwnerNode)
	load := func() (l ownerLoad) {
		s := owner.Stats()
		owner.Do(func() {
			l = ownerLoad{s.Arrived, s.Rejected, d.Owner.Stats.Reads, d.Owner.Stats.EmptyReads, s.MaxInSystem}
		})
		return l
	}
	var atWarmup ownerLoad
	var sent int64
	var inflight sync.WaitGroup
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	var clock sync.WaitGroup
	clock.Go(func() { // warm-up's end and the per-second series
		if !sleepUntil(ctx, w, sc.Warmup.D()) {
			return
		}
		atWarmup = load()
		owner.ResetPeaks()
	})
	clock.Go(func() {
		var last int64
		for t := time.Second; t <= end; t += time.Second {
			if !sleepUntil(ctx, w, t) {
				return
			}
			arrived := owner.Stats().Arrived
			o.do(func(o *oracle) { o.tick(t, arrived-last, 0) })
			last = arrived
		}
	})

	// The driver walks the same schedules as the virtual one, on the wall
	// clock; each request goes from a goroutine of its own.
	g := newGenerators(sc, sellers, st)
	timeout := sc.Traffic.Pages.Timeout.D()
	nextPage, nextWrite := g.pageArrivals.next(), g.writeArrivals.next()
	for {
		at := min(nextPage, nextWrite)
		if at >= end || !sleepUntil(ctx, w, at) {
			break
		}
		if nextWrite <= nextPage {
			wr := g.writes.next()
			g.recent.add(wr.Seller)
			inflight.Go(func() {
				cctx, cancel := context.WithTimeout(ctx, timeout)
				defer cancel()
				client.Call(cctx, strategies.OwnerNode, "write", wr)
			})
			nextWrite = g.writeArrivals.next()
			continue
		}
		kind, ss := g.pages.next()
		sent++
		inflight.Go(func() {
			cctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			body, err := client.Call(cctx, strategies.PageServices[kind], "render", strategies.PageRequest{Kind: kind, Sellers: ss})
			var page *strategies.Page
			if err == nil {
				p := body.(strategies.Page)
				page = &p
			}
			done := w.Now()
			o.do(func(o *oracle) { o.rendered(kind, ss, at, done, page, err != nil) })
		})
		nextPage = g.pageArrivals.next()
	}
	inflight.Wait()
	stop()
	clock.Wait()

	atEnd := load()
	// Views and caches are read once the world has stopped: nothing runs
	// then, so nothing needs a node's turn.
	bs := w.BrokerStats()
	if err := w.Close(); err != nil {
		return nil, 0, err
	}
	closed = true
	var m *results.Metrics
	o.do(func(o *oracle) {
		if o.sec.pages > 0 {
			o.tick(end+time.Second, 0, 0)
		}
		m = o.metrics()
		m.Owner = ownerMetrics(sc, o, atWarmup, atEnd)
	})
	m.DuplicationBytes = d.Duplication()
	m.Broker = results.BrokerMetrics{Published: bs.Published, Delivered: bs.Delivered, Redelivered: bs.Redelivered, Lost: bs.Lost, MaxLag: bs.MaxLag}
	return m, sent, nil
}

// sleepUntil waits until the world's clock reads t, or ctx is done.
func sleepUntil(ctx context.Context, w *live.World, t time.Duration) bool {
	if d := t - w.Now(); d > 0 {
		timer := time.NewTimer(d)
		defer timer.Stop()
		select {
		case <-ctx.Done():
			return false
		case <-timer.C:
		}
	}
	return ctx.Err() == nil
}

// networkFaults turns the scenario's network into latency and loss faults
// for the whole run, which the live world's proxies apply to every link:
// a live world has no network model of its own, only loopback.
func networkFaults(sc *Scenario) []sim.Fault {
	nodes := sc.Nodes()
	whole := sc.End() + sc.Traffic.Pages.Timeout.D() + time.Minute
	var fs []sim.Fault
	for _, from := range nodes {
		for _, to := range nodes {
			if from == to {
				continue
			}
			l := sc.Network.Default
			if ll, ok := sc.Network.Links[from+"->"+to]; ok {
				l = ll
			}
			link := from + "->" + to
			if !l.Latency.IsZero() {
				fs = append(fs, sim.Fault{At: 0, For: whole, Kind: sim.Latency, Link: link, Add: l.Latency})
			}
			if l.Loss > 0 {
				fs = append(fs, sim.Fault{At: 0, For: whole, Kind: sim.Loss, Link: link, P: l.Loss})
			}
		}
	}
	return fs
}

// lockedOracle shares an oracle among the live world's goroutines.
type lockedOracle struct {
	mu sync.Mutex
	o  *oracle
}

func (l *lockedOracle) do(fn func(o *oracle)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fn(l.o)
}

func (l *lockedOracle) committed(list *strategies.List) {
	l.do(func(o *oracle) { o.committed(list) })
}

// RunLive runs every strategy of the scenario for every seed in the live
// world, one run at a time (runs side by side would disturb each other's
// timing), and returns the result file with Mode "live".
func RunLive(sc *Scenario, opts RunOptions, lo LiveOptions) (*results.File, error) {
	started := time.Now()
	seeds := max(opts.Seeds, 1)
	out := make([]*results.Metrics, 0, len(sc.Strategies)*seeds)
	var pages int64
	for _, s := range sc.Strategies {
		for i := range seeds {
			m, n, err := RunOneLive(sc, strategies.Strategy(s), sc.Seed+uint64(i), lo)
			if err != nil {
				return nil, fmt.Errorf("%s, seed %d, live: %w", s, sc.Seed+uint64(i), err)
			}
			out = append(out, m)
			pages += n
			if opts.Progress != nil {
				runs := len(sc.Strategies) * seeds
				opts.Progress(Progress{Done: time.Duration(len(out)) * sc.runLength(), Total: time.Duration(runs) * sc.runLength(), Pages: pages, RunsDone: len(out), Runs: runs})
			}
		}
	}
	f := newFile(sc, seeds, out)
	f.Mode = "live"
	f.Wall = wallFacts(started, 1, pages, 1)
	return f, nil
}

// Overloaded is the timer lateness (StartTimerProbe) beyond which a
// machine is too busy for the live world: its injected delays of a few
// milliseconds are no longer what calls experience.
const Overloaded = 5 * time.Millisecond

// StartTimerProbe samples, until the returned function is called, how late
// a 2ms sleep wakes, and that function returns the 99th percentile:
// whether the machine, during a live run, honoured the short waits the
// live world's delays are made of. It costs one goroutine waking 500 times
// a second.
func StartTimerProbe() (stop func() time.Duration) {
	var late []time.Duration
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-done:
				return
			default:
			}
			start := time.Now()
			time.Sleep(2 * time.Millisecond)
			late = append(late, time.Since(start)-2*time.Millisecond)
		}
	})
	return func() time.Duration {
		close(done)
		wg.Wait()
		if len(late) == 0 {
			return 0
		}
		slices.Sort(late)
		return late[len(late)*99/100]
	}
}
