package workload

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sharebench/sharebench/sim"
	"github.com/sharebench/sharebench/sim/live"
	"github.com/sharebench/sharebench/sim/virtual"
)

// world is a world as a run drives it: runIn is written once over this,
// and each world implements it (virtualWorld, liveWorld). The callbacks
// at runs are run one at a time, in either world. Send's done callbacks
// and what strategy code calls back (View.OnApply, OnCommit) may run
// beside them in the live world, so all of these touch shared state (the
// oracle) only inside guard.
type world interface {
	caps() Capabilities
	addBroker(sim.BrokerSpec) error
	hosts() sim.Hosts
	// addDriver makes the node the workload sends from.
	addDriver(name string)
	// inject takes the scenario's faults (after sim.CheckInject).
	inject(faults []sim.Fault) error
	now() time.Duration
	// at runs fn at world time t, a harness callback.
	at(t time.Duration, fn func())
	// send sends a request from the driver without waiting; done gets the
	// answer or error and the world time it came (see guard).
	send(to, method string, body any, timeout time.Duration, done func(resp any, err error, at time.Duration))
	// guard runs fn alone among the guarded callbacks.
	guard(fn func())
	// inTurn runs fn holding node's turn, to read its strategy objects.
	inTurn(node string, fn func())
	stats(node string) sim.ServiceCounts
	resetPeaks(node string)
	brokerLag() int64
	brokerStats() sim.BrokerCounts
	// run runs the world to stop, calling step after each stretch with the
	// world time reached and the kernel events so far (0 live).
	run(stop time.Duration, maxEvents uint64, step func(at time.Duration, events uint64)) error
	// halt stops whatever still runs, so that strategy objects hold still
	// to be read; close releases the world (after halt, or on an error).
	halt() error
	close() error
}

// Capabilities is what a world can do of what a scenario may ask. A world
// declares what it lacks here, and checkCapabilities, the one check, refuses
// a scenario that needs it, with the same message in every world.
type Capabilities struct {
	// Faults are the fault kinds the world can apply.
	Faults []sim.FaultKind
	// BrokerLatency: the world imposes the scenario's publish_latency and
	// delivery_latency. Without it the broker's own latency is what is
	// measured (live: a real Kafka-protocol broker); the scenario's values
	// are a model of it, not a demand, so no scenario is refused for it.
	BrokerLatency bool
	// EventBudget: the world counts its work, so RunOptions.MaxEvents can
	// stop it; a world without runs without the budget (its wall clock
	// bounds it).
	EventBudget bool
}

var allFaults = []sim.FaultKind{sim.Outage, sim.Crash, sim.Slowdown, sim.Partition, sim.Latency, sim.Loss, sim.Duplicate}

// checkCapabilities refuses a scenario that needs what a world lacks, with
// one message whatever the world (the caller says which world it was).
func checkCapabilities(sc *Scenario, c Capabilities) error {
	for i, f := range sc.Faults {
		if !slices.Contains(c.Faults, f.Kind) {
			return &sim.SpecError{Line: f.Line, Column: 1, Field: fmt.Sprintf("faults[%d]", i),
				Msg: fmt.Sprintf("this world cannot apply %s faults; run the scenario in a world that can, or drop the fault", f.Kind)}
		}
	}
	return nil
}

// virtualWorld is the virtual world as a run drives it.
type virtualWorld struct {
	w      *virtual.World
	driver *virtual.Node
}

func newVirtualWorld(sc *Scenario, seed uint64) *virtualWorld {
	def := sc.Network.Default
	w := virtual.New(seed, virtual.WithDefaultLink(virtual.LinkSpec{Latency: def.Latency, Loss: def.Loss}))
	for key, l := range sc.Network.Links {
		from, to, _ := strings.Cut(key, "->")
		w.SetLink(from, to, virtual.LinkSpec{Latency: l.Latency, Loss: l.Loss})
	}
	return &virtualWorld{w: w}
}

func (v *virtualWorld) caps() Capabilities {
	return Capabilities{Faults: allFaults, BrokerLatency: true, EventBudget: true}
}
func (v *virtualWorld) addBroker(spec sim.BrokerSpec) error { return v.w.AddBroker(spec) }
func (v *virtualWorld) hosts() sim.Hosts                    { return v.w.Hosts() }
func (v *virtualWorld) addDriver(name string)               { v.driver = v.w.Node(name) }
func (v *virtualWorld) inject(faults []sim.Fault) error     { return v.w.Inject(faults...) }
func (v *virtualWorld) now() time.Duration                  { return v.w.Now() }
func (v *virtualWorld) at(t time.Duration, fn func())       { v.w.At(t, fn) }
func (v *virtualWorld) guard(fn func())                     { fn() } // one goroutine: the kernel's
func (v *virtualWorld) inTurn(_ string, fn func())          { fn() }
func (v *virtualWorld) resetPeaks(node string)              { v.w.Node(node).ResetPeaks() }
func (v *virtualWorld) brokerLag() int64                    { return v.w.BrokerLag() }
func (v *virtualWorld) close() error                        { v.w.Close(); return nil }
func (v *virtualWorld) halt() error                         { return nil } // between steps nothing runs

// send uses Node.Send: the driver is harness code and pays no process per
// request.
func (v *virtualWorld) send(to, method string, body any, timeout time.Duration, done func(any, error, time.Duration)) {
	v.driver.Send(to, method, body, timeout, func(resp any, err error) { done(resp, err, v.w.Now()) })
}

func (v *virtualWorld) stats(node string) sim.ServiceCounts {
	return v.w.Node(node).Stats().ServiceCounts
}

func (v *virtualWorld) brokerStats() sim.BrokerCounts { return v.w.BrokerStats() }

// run goes a simulated second at a time, to report progress and keep to
// the budget: the same events in the same order as one Run to the end.
func (v *virtualWorld) run(stop time.Duration, maxEvents uint64, step func(time.Duration, uint64)) error {
	w := v.w
	if maxEvents > 0 {
		w.SetEventLimit(maxEvents)
	}
	var at time.Duration
	for at < stop {
		next := min(sim.AddDurations(at, time.Second), stop)
		if due, ok := w.NextAt(); !ok {
			next = stop // nothing left to happen
		} else if due > next {
			next = min(due, stop) // a quiet stretch: skip it in one step
		}
		w.Run(next)
		if w.OverLimit() {
			return fmt.Errorf("%w: %d events by %v of virtual time, and more due", ErrOverBudget, w.Events(), w.Now())
		}
		step(next, w.Events())
		at = next
	}
	return nil
}

// liveWorld is the live world as a run drives it. The callbacks at runs
// run on goroutines of their own, one at a time under mu; send's done runs
// on its request's goroutine, without mu, so that answers never wait for
// the schedule. guard's lock is a leaf: strategy code holding a node's
// turn takes only it, and a callback holding mu may take a node's turn.
type liveWorld struct {
	w       *live.World
	driver  *live.Node
	network []sim.Fault // the scenario's network, as faults for the whole run

	ctx     context.Context
	cancel  context.CancelFunc
	mu      sync.Mutex     // harness callbacks, one at a time
	guardMu sync.Mutex     // ... and what strategy code calls back
	pending sync.WaitGroup // callbacks not yet run, sends not yet answered
}

func newLiveWorld(sc *Scenario, seed uint64, lo LiveOptions) (*liveWorld, error) {
	opts := []live.Option{live.WithSeed(seed)}
	if len(lo.Kafka) > 0 {
		opts = append(opts, live.WithKafka(lo.Kafka...))
	}
	w, err := live.New(opts...)
	if err != nil {
		return nil, err
	}
	lw := &liveWorld{w: w, network: networkFaults(sc)}
	lw.ctx, lw.cancel = context.WithCancel(context.Background())
	return lw, nil
}

func (l *liveWorld) caps() Capabilities {
	return Capabilities{Faults: allFaults}
}
func (l *liveWorld) addBroker(spec sim.BrokerSpec) error { return l.w.AddBroker(spec) }
func (l *liveWorld) hosts() sim.Hosts                    { return l.w.Hosts() }
func (l *liveWorld) addDriver(name string)               { l.driver = l.w.Node(name) }
func (l *liveWorld) now() time.Duration                  { return l.w.Now() }
func (l *liveWorld) inTurn(node string, fn func())       { l.w.Node(node).Do(fn) }
func (l *liveWorld) resetPeaks(node string)              { l.w.Node(node).ResetPeaks() }
func (l *liveWorld) brokerLag() int64                    { return l.w.BrokerLag() }

// inject applies the network first, then the scenario's faults, so that a
// fault's index in an error is the scenario's.
func (l *liveWorld) inject(faults []sim.Fault) error {
	if err := l.w.Inject(l.network...); err != nil {
		return fmt.Errorf("network: %w", err)
	}
	return l.w.Inject(faults...)
}

func (l *liveWorld) guard(fn func()) {
	l.guardMu.Lock()
	defer l.guardMu.Unlock()
	fn()
}

func (l *liveWorld) at(t time.Duration, fn func()) {
	l.pending.Add(1)
	go func() {
		defer l.pending.Done()
		if !sleepUntil(l.ctx, l.w, t) {
			return
		}
		l.mu.Lock()
		defer l.mu.Unlock()
		fn()
	}()
}

// send calls from a goroutine of its own: the driver never waits for an
// earlier request.
func (l *liveWorld) send(to, method string, body any, timeout time.Duration, done func(any, error, time.Duration)) {
	l.pending.Add(1)
	go func() {
		defer l.pending.Done()
		ctx, cancel := context.WithTimeout(l.ctx, timeout)
		defer cancel()
		resp, err := l.driver.Call(ctx, to, method, body)
		done(resp, err, l.w.Now())
	}()
}

func (l *liveWorld) stats(node string) sim.ServiceCounts {
	return l.w.Node(node).Stats().ServiceCounts
}

func (l *liveWorld) brokerStats() sim.BrokerCounts { return l.w.BrokerStats().BrokerCounts }

// run waits on the wall clock until every scheduled callback has run
// (the schedules end at the scenario's end) and every request has been
// answered or timed out; the run has no event budget.
func (l *liveWorld) run(stop time.Duration, _ uint64, step func(time.Duration, uint64)) error {
	l.pending.Wait()
	step(stop, 0)
	return nil
}

func (l *liveWorld) halt() error { return l.close() }

func (l *liveWorld) close() error {
	l.cancel()
	l.pending.Wait()
	return l.w.Close()
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
