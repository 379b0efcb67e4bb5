package virtual

import (
	"math/rand/v2"
	"time"

	"github.com/sharebench/sharebench/sim"
)

// LinkSpec describes a directed link between two nodes. Each message's
// delay is drawn independently, so messages on one link may overtake each
// other (as datagrams do; an RPC's request and answer are separate
// messages).
type LinkSpec struct {
	Latency sim.DurationDist // one-way delay; zero value: instant
	Loss    float64          // probability that a message is lost, in [0, 1]
}

// LinkStats counts a link's messages.
type LinkStats struct {
	Sent    int64 // handed to the link
	Dropped int64 // lost to loss or a dropping partition
	Held    int64 // delayed by a holding partition until it healed
}

type network struct {
	w        *World
	defaults LinkSpec
	specs    map[[2]string]LinkSpec
	links    [][]*link // by from.idx, then to.idx; made on first use
}

// link is the state of one directed link: its spec, its random stream
// (one per link, so traffic elsewhere does not shift its draws), and the
// faults in force on it.
type link struct {
	from, to *Node
	spec     LinkSpec
	rng      *rand.Rand
	drops    int      // dropping partitions in force
	holds    int      // holding partitions in force
	held     []action // messages waiting for the holding partitions to heal
	degraded []*linkFault
	stats    LinkStats
}

// linkFault is a latency or loss fault in force on a link, drawing from
// the fault's own stream so that adding it shifts no other draw.
type linkFault struct {
	add sim.DurationDist
	p   float64
	rng *rand.Rand
}

// SetLink sets the link from → to (one direction).
func (w *World) SetLink(from, to string, spec LinkSpec) {
	if w.net.specs == nil {
		w.net.specs = map[[2]string]LinkSpec{}
	}
	w.net.specs[[2]string{from, to}] = spec
	if l := w.net.lookup(w.Node(from), w.Node(to), false); l != nil {
		l.spec = spec
	}
}

// LinkStats returns the counters of the link from → to.
func (w *World) LinkStats(from, to string) LinkStats {
	if l := w.net.lookup(w.Node(from), w.Node(to), false); l != nil {
		return l.stats
	}
	return LinkStats{}
}

func (nw *network) lookup(from, to *Node, create bool) *link {
	if from.idx < len(nw.links) {
		if row := nw.links[from.idx]; to.idx < len(row) && row[to.idx] != nil {
			return row[to.idx]
		}
	}
	for len(nw.links) <= from.idx {
		if !create {
			return nil
		}
		nw.links = append(nw.links, nil)
	}
	row := nw.links[from.idx]
	for len(row) <= to.idx {
		if !create {
			return nil
		}
		row = append(row, nil)
	}
	nw.links[from.idx] = row
	l := row[to.idx]
	if l == nil && create {
		spec, ok := nw.specs[[2]string{from.name, to.name}]
		if !ok {
			spec = nw.defaults
		}
		l = &link{from: from, to: to, spec: spec, rng: nw.w.streams.Stream("net/" + from.name + "->" + to.name)}
		row[to.idx] = l
	}
	return l
}

// send puts a message on the link from → to; m fires on delivery. what and
// id only name the message in the trace.
func (nw *network) send(from, to *Node, m action, what string, id uint64) {
	w := nw.w
	l := nw.lookup(from, to, true)
	l.stats.Sent++
	if l.lost() {
		l.stats.Dropped++
		if w.trace != nil {
			w.tracef("net: %s->%s dropped %s#%d", from.name, to.name, what, id)
		}
		return
	}
	if l.holds > 0 {
		l.stats.Held++
		l.held = append(l.held, m)
		if w.trace != nil {
			w.tracef("net: %s->%s holding %s#%d", from.name, to.name, what, id)
		}
		return
	}
	if d := l.delay(); d > 0 {
		w.q.schedule(w.q.after(d), m, 0)
	} else {
		// An instant link delivers at once: nothing can happen in between,
		// and the event queue round trip is a fifth of a call's cost.
		m.fire()
	}
}

func (l *link) lost() bool {
	if l.drops > 0 {
		return true
	}
	if l.spec.Loss > 0 && l.rng.Float64() < l.spec.Loss {
		return true
	}
	for _, f := range l.degraded {
		if f.p > 0 && f.rng.Float64() < f.p {
			return true
		}
	}
	return false
}

func (l *link) delay() time.Duration {
	d := l.spec.Latency.Sample(l.rng)
	for _, f := range l.degraded {
		d = sim.AddDurations(d, f.add.Sample(f.rng))
	}
	return d
}

// release sends the held messages on, in the order they were sent, once
// the last holding partition has healed; each draws a fresh delay (and may
// still be lost), as any message on the link would.
func (l *link) release(w *World) {
	held := l.held
	l.held = nil
	for _, m := range held {
		if l.lost() {
			l.stats.Dropped++
			continue
		}
		w.q.schedule(w.q.after(l.delay()), m, 0)
	}
}
