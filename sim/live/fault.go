package live

import (
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/sharebench/sharebench/sim"
)

// netState is the fault state of the links: partitions, added latency and
// loss in force on each directed link. Node outages live on the nodes.
// Every change closes changed, waking the proxies' writers that wait out a
// stall.
type netState struct {
	mu      sync.Mutex
	changed chan struct{}
	links   map[[2]string]*linkState
}

type linkState struct {
	drop, hold int          // partitions in force
	degraded   []*linkFault // latency and loss faults in force
}

// linkFault is a latency or loss fault on a link, drawing from the
// fault's own stream (under netState.mu).
type linkFault struct {
	add sim.DurationDist
	p   float64
	rng *rand.Rand
}

// dupFault is a duplicate fault in force on a node's consumers.
type dupFault struct {
	p   float64
	mu  sync.Mutex
	rng *rand.Rand
}

func (d *dupFault) hit() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.rng.Float64() < d.p
}

func (ns *netState) init() {
	ns.changed = make(chan struct{})
	ns.links = map[[2]string]*linkState{}
}

func (ns *netState) notify() {
	ns.mu.Lock()
	close(ns.changed)
	ns.changed = make(chan struct{})
	ns.mu.Unlock()
}

func (ns *netState) link(from, to string) *linkState {
	k := [2]string{from, to}
	l := ns.links[k]
	if l == nil {
		l = &linkState{}
		ns.links[k] = l
	}
	return l
}

// flowState is whether bytes may flow on one direction of a connection.
type flowState struct {
	stall   bool            // hold them back
	drop    bool            // ... and they are lost
	changed <-chan struct{} // closed at the next change of fault state
}

// flow says whether bytes may go from → to now on a connection of p.
func (ns *netState) flow(p *proxy, from, to string) flowState {
	ns.mu.Lock()
	st := flowState{changed: ns.changed} // taken first: no change is missed
	if l := ns.links[[2]string{from, to}]; l != nil {
		st.drop = l.drop > 0
		st.stall = st.drop || l.hold > 0
	}
	ns.mu.Unlock()
	if down, swallowing := p.to.state(); down && swallowing {
		st.stall, st.drop = true, true
	}
	return st
}

// draw decides the fate of one chunk sent from → to: its added delay, or
// its loss.
func (ns *netState) draw(from, to string) (delay time.Duration, lose bool) {
	ns.mu.Lock()
	defer ns.mu.Unlock()
	l := ns.links[[2]string{from, to}]
	if l == nil {
		return 0, false
	}
	for _, f := range l.degraded {
		if f.p > 0 && f.rng.Float64() < f.p {
			return 0, true
		}
		delay += f.add.Sample(f.rng)
	}
	return delay, false
}

// Inject schedules faults (sim.Fault documents each kind; the package doc
// says how each is realised live) at their times, counted from the
// world's start on the wall clock, after sim.CheckInject, the check the
// virtual world makes too: a fault whose start has passed starts at once;
// one that would already have healed is an error, as is a node name this
// world does not have. Each fault draws from its own random stream.
func (w *World) Inject(faults ...sim.Fault) error {
	serves := func(name string) bool { return w.Node(name).svc != nil }
	if err := sim.CheckInject(faults, w.NodeNames(), serves, w.Now(), 1<<62); err != nil {
		return err
	}
	for _, f := range faults {
		w.mu.Lock()
		id := w.faults
		w.faults++
		w.mu.Unlock()
		a := &activeFault{w: w, f: f, rng: w.streams.Stream(sim.FaultStream(id))}
		w.spawn(a.run)
	}
	return nil
}

// activeFault is one fault, between its start and its end.
type activeFault struct {
	w   *World
	f   sim.Fault
	rng *rand.Rand
}

// run waits for the fault's start, applies it, waits for its end, undoes
// it; it gives up when the world closes.
func (a *activeFault) run() {
	if !a.w.sleepUntil(a.f.At) {
		return
	}
	undo := sim.StartFault(a.f, effects{a.w}, a.rng)
	if !a.w.sleepUntil(a.f.End()) {
		return
	}
	undo()
}

// sleepUntil waits until world time t; false if the world closed first.
func (w *World) sleepUntil(t time.Duration) bool {
	d := t - w.Now()
	if d <= 0 {
		select {
		case <-w.done:
			return false
		default:
			return true
		}
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
		return true
	case <-w.done:
		return false
	}
}

// effects is how the live world makes the changes faults ask for.
type effects struct{ w *World }

func (e effects) Down(node string, blackhole bool) {
	n := e.w.Node(node)
	n.goDown(blackhole)
	e.w.refresh(n)
}

func (e effects) Up(node string, blackhole bool) {
	n := e.w.Node(node)
	n.comeUp(blackhole)
	e.w.refresh(n)
}

func (e effects) Slow(node string, factor float64) {
	s := e.w.Node(node).svc
	s.mu.Lock()
	s.slow *= factor
	s.mu.Unlock()
}

func (e effects) Unslow(node string, factor float64) {
	s := e.w.Node(node).svc
	s.mu.Lock()
	s.slow /= factor
	s.mu.Unlock()
}

func (e effects) Duplicate(node string, p float64, rng *rand.Rand) func() {
	n := e.w.Node(node)
	d := &dupFault{p: p, rng: rng}
	n.mu.Lock()
	n.dups = append(n.dups, d)
	n.mu.Unlock()
	return func() {
		n.mu.Lock()
		n.dups = slices.DeleteFunc(n.dups, func(x *dupFault) bool { return x == d })
		n.mu.Unlock()
	}
}

// Cut changes every link under one lock, then wakes the stalled writers.
func (e effects) Cut(links [][2]string, hold bool, delta int) {
	ns := &e.w.net
	ns.mu.Lock()
	for _, ends := range links {
		l := ns.link(ends[0], ends[1])
		if hold {
			l.hold += delta
		} else {
			l.drop += delta
		}
	}
	ns.mu.Unlock()
	ns.notify()
}

func (e effects) Degrade(links [][2]string, add sim.DurationDist, p float64, rng *rand.Rand) func() {
	ns := &e.w.net
	lf := &linkFault{add: add, p: p, rng: rng} // one draw stream, shared by its links
	ns.mu.Lock()
	for _, ends := range links {
		l := ns.link(ends[0], ends[1])
		l.degraded = append(l.degraded, lf)
	}
	ns.mu.Unlock()
	ns.notify()
	return func() {
		ns.mu.Lock()
		for _, ends := range links {
			l := ns.link(ends[0], ends[1])
			l.degraded = slices.DeleteFunc(l.degraded, func(x *linkFault) bool { return x == lf })
		}
		ns.mu.Unlock()
		ns.notify()
	}
}

// refresh brings every proxy into or out of n in line with n's state, and
// wakes the stalled writers.
func (w *World) refresh(n *Node) {
	w.mu.Lock()
	var ps []*proxy
	for _, p := range w.proxies {
		if p.from == n || p.to == n {
			ps = append(ps, p)
		}
	}
	w.mu.Unlock()
	for _, p := range ps {
		p.refresh()
	}
	w.net.notify()
}
