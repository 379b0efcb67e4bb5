package virtual

import "time"

// Timeouts of one length expire in the order they were set, so instead of
// an event per timeout the kernel keeps a FIFO lane per length with one
// event, for its head. With thousands of calls in flight, each with its
// own timeout, the event heap stays small and a timeout costs an append.
// A timeout that ends early (its call answered, its context cancelled)
// stays in its lane until its time and is then skipped.

// expirer is something a lane expires: a context, an asynchronous call.
type expirer interface {
	expire()
}

type laneEntry struct {
	at time.Duration
	x  expirer
}

type timerLane struct {
	w     *World
	q     []laneEntry
	head  int
	armed bool // an event is scheduled for the head
}

// timeout makes x expire d from now.
func (w *World) timeout(d time.Duration, x expirer) {
	l := w.lanes[d]
	if l == nil {
		l = &timerLane{w: w}
		if w.lanes == nil {
			w.lanes = map[time.Duration]*timerLane{}
		}
		w.lanes[d] = l
	}
	at := w.q.after(d)
	l.q = append(l.q, laneEntry{at, x})
	if !l.armed {
		l.armed = true
		w.q.schedule(at, l, 0)
	}
}

// fire expires every entry due and arms the lane for the next.
func (l *timerLane) fire() {
	now := l.w.q.now
	for l.head < len(l.q) && l.q[l.head].at <= now {
		x := l.q[l.head].x
		l.q[l.head] = laneEntry{}
		l.head++
		x.expire()
	}
	if l.head == len(l.q) {
		l.q, l.head, l.armed = l.q[:0], 0, false
		return
	}
	if l.head > 1024 && 2*l.head > len(l.q) {
		n := copy(l.q, l.q[l.head:])
		l.q, l.head = l.q[:n], 0
	}
	l.w.q.schedule(l.q[l.head].at, l, 0)
}
