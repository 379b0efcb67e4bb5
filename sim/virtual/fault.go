package virtual

import (
	"math/rand/v2"
	"slices"

	"github.com/sharebench/sharebench/sim"
)

// Inject schedules faults (sim.Fault documents what each kind does) at
// their virtual times, after sim.CheckInject, the check the live world
// makes too: every node a fault names must exist already, and a fault that
// has healed by now is refused; one that started before now but has not
// healed starts now. Each fault draws from its own random stream, so
// adding one never shifts the draws of the workload, the network or
// another fault.
func (w *World) Inject(faults ...sim.Fault) error {
	serves := func(name string) bool { return w.nodes[name].svc != nil }
	if err := sim.CheckInject(faults, w.NodeNames(), serves, w.q.now, maxTime); err != nil {
		return err
	}
	for _, f := range faults {
		a := &activeFault{w: w, f: f, id: w.faults}
		w.faults++
		w.At(max(f.At, w.q.now), a.start)
		w.At(f.End(), a.end)
	}
	return nil
}

// activeFault is one fault, between its start and its end.
type activeFault struct {
	w    *World
	f    sim.Fault
	id   int
	undo func()
}

func (a *activeFault) start() {
	if a.w.trace != nil {
		a.w.tracef("fault#%d start: %s", a.id, a.f)
	}
	a.undo = sim.StartFault(a.f, effects{a.w}, a.w.streams.Stream(sim.FaultStream(a.id)))
}

func (a *activeFault) end() {
	if a.w.trace != nil {
		a.w.tracef("fault#%d end: %s", a.id, a.f)
	}
	a.undo()
}

// effects is how the virtual world makes the changes faults ask for.
type effects struct{ w *World }

func (e effects) Down(node string, blackhole bool)   { e.w.nodes[node].goDown(blackhole) }
func (e effects) Up(node string, blackhole bool)     { e.w.nodes[node].comeUp(blackhole) }
func (e effects) Slow(node string, factor float64)   { e.w.nodes[node].svc.slow *= factor }
func (e effects) Unslow(node string, factor float64) { e.w.nodes[node].svc.slow /= factor }

func (e effects) Duplicate(node string, p float64, rng *rand.Rand) func() {
	n := e.w.nodes[node]
	lf := &linkFault{p: p, rng: rng}
	n.dups = append(n.dups, lf)
	return func() { n.dups = slices.DeleteFunc(n.dups, func(x *linkFault) bool { return x == lf }) }
}

func (e effects) Cut(links [][2]string, hold bool, delta int) {
	for _, l := range e.links(links) {
		switch {
		case !hold:
			l.drops += delta
		case delta > 0:
			l.holds++
		default:
			if l.holds--; l.holds == 0 {
				l.release(e.w)
			}
		}
	}
}

func (e effects) Degrade(links [][2]string, add sim.DurationDist, p float64, rng *rand.Rand) func() {
	ls := e.links(links)
	lfs := make([]*linkFault, len(ls))
	for i, l := range ls {
		lfs[i] = &linkFault{add: add, p: p, rng: rng}
		l.degraded = append(l.degraded, lfs[i])
	}
	return func() {
		for i, l := range ls {
			l.degraded = slices.DeleteFunc(l.degraded, func(x *linkFault) bool { return x == lfs[i] })
		}
	}
}

func (e effects) links(ends [][2]string) []*link {
	var ls []*link
	for _, ft := range ends {
		ls = append(ls, e.w.net.lookup(e.w.nodes[ft[0]], e.w.nodes[ft[1]], true))
	}
	return ls
}
