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

// activeFault applies one fault and later undoes exactly what it did.
type activeFault struct {
	w   *World
	f   sim.Fault
	id  int
	lfs []*linkFault // the degradations it added, per link
}

func (a *activeFault) start() {
	w, f := a.w, a.f
	if w.trace != nil {
		w.tracef("fault#%d start: %s", a.id, f)
	}
	switch f.Kind {
	case sim.Outage, sim.Crash:
		w.nodes[f.Target].goDown(f.Mode == "blackhole")
	case sim.Slowdown:
		w.nodes[f.Target].svc.slow *= f.Factor
	case sim.Duplicate:
		n := w.nodes[f.Target]
		lf := &linkFault{p: f.P, rng: a.rng()}
		n.dups = append(n.dups, lf)
		a.lfs = append(a.lfs, lf)
	case sim.Partition, sim.Latency, sim.Loss:
		rng := a.rng()
		for _, l := range a.links() {
			switch {
			case f.Kind == sim.Partition && f.Mode == "hold":
				l.holds++
			case f.Kind == sim.Partition:
				l.drops++
			default:
				lf := &linkFault{add: f.Add, p: f.P, rng: rng}
				l.degraded = append(l.degraded, lf)
				a.lfs = append(a.lfs, lf)
			}
		}
	}
}

func (a *activeFault) end() {
	w, f := a.w, a.f
	if w.trace != nil {
		w.tracef("fault#%d end: %s", a.id, f)
	}
	switch f.Kind {
	case sim.Outage, sim.Crash:
		w.nodes[f.Target].comeUp(f.Mode == "blackhole")
	case sim.Slowdown:
		w.nodes[f.Target].svc.slow /= f.Factor
	case sim.Duplicate:
		n := w.nodes[f.Target]
		n.dups = slices.DeleteFunc(n.dups, func(lf *linkFault) bool { return slices.Contains(a.lfs, lf) })
	case sim.Partition, sim.Latency, sim.Loss:
		for _, l := range a.links() {
			switch {
			case f.Kind == sim.Partition && f.Mode == "hold":
				if l.holds--; l.holds == 0 {
					l.release(w)
				}
			case f.Kind == sim.Partition:
				l.drops--
			default:
				l.degraded = slices.DeleteFunc(l.degraded, func(lf *linkFault) bool { return slices.Contains(a.lfs, lf) })
			}
		}
	}
}

func (a *activeFault) rng() *rand.Rand {
	return a.w.streams.Stream(sim.FaultStream(a.id))
}

func (a *activeFault) links() []*link {
	var ls []*link
	for _, ends := range a.f.Links() {
		ls = append(ls, a.w.net.lookup(a.w.nodes[ends[0]], a.w.nodes[ends[1]], true))
	}
	return ls
}
