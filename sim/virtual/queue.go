package virtual

import (
	"time"

	"github.com/sharebench/sharebench/sim"
)

// action is what an event does when it fires, unless it resumes a process.
// Kernel objects (calls, messages) implement it themselves, so scheduling
// them allocates nothing.
type action interface{ fire() }

// actionFunc adapts a plain function for the rarer callbacks.
type actionFunc func()

func (f actionFunc) fire() { f() }

// why a parked process was resumed.
type wakeReason uint8

const (
	wakeStart  wakeReason = iota // first run of a process
	wakeTimer                    // its sleep ended
	wakeCancel                   // the context it waited on is done
	wakeReply                    // what it waited for arrived
	wakeKill                     // its node crashed
)

// event is one entry of the event queue. If act is a *proc, the event
// resumes that process provided it still waits in the wait the event names
// (otherwise the event is stale and skipped); any other act fires.
//
// Events live in the heap by value and are kept at 40 bytes: moving them
// costs less than chasing a pointer to a payload would.
type event struct {
	at   time.Duration
	seq  uint64
	act  action
	wait uint64 // for a process: its wait token << 8 | wakeReason
}

func (a *event) before(b *event) bool {
	return a.at < b.at || (a.at == b.at && a.seq < b.seq)
}

// eventHeap is a binary min-heap of events ordered by (at, seq), on
// concrete types (container/heap's interface calls cost 2–3× as much),
// moving a hole rather than swapping.
type eventHeap []event

func (h *eventHeap) push(x event) {
	*h = append(*h, x)
	a := *h
	i := len(a) - 1
	for i > 0 {
		parent := (i - 1) / 2
		if !x.before(&a[parent]) {
			break
		}
		a[i] = a[parent]
		i = parent
	}
	a[i] = x
}

func (h *eventHeap) pop() (action, uint64) {
	a := *h
	act, wait := a[0].act, a[0].wait
	n := len(a) - 1
	x := a[n]
	a[n] = event{} // drop references for the GC
	a = a[:n]
	*h = a
	if n > 0 {
		i := 0
		for {
			c := 2*i + 1
			if c >= n {
				break
			}
			if r := c + 1; r < n && a[r].before(&a[c]) {
				c = r
			}
			if !a[c].before(&x) {
				break
			}
			a[i] = a[c]
			i = c
		}
		a[i] = x
	}
	return act, wait
}

// fifo is a growable ring buffer of events due now, its length a power of
// two. Events scheduled for the current instant skip the heap: they are
// ordered after every heap event of the same instant anyway (those were
// scheduled earlier), so a FIFO keeps the (at, seq) order at a fraction of
// the cost, and its entries need neither time nor sequence.
type fifo struct {
	buf        []readyEvent
	head, size int
}

type readyEvent struct {
	act  action
	wait uint64
}

func (f *fifo) push(act action, wait uint64) {
	if f.size == len(f.buf) {
		n := make([]readyEvent, max(16, 2*len(f.buf)))
		for i := range f.size {
			n[i] = f.buf[(f.head+i)&(len(f.buf)-1)]
		}
		f.buf, f.head = n, 0
	}
	f.buf[(f.head+f.size)&(len(f.buf)-1)] = readyEvent{act, wait}
	f.size++
}

// pop removes the oldest event and returns what dispatch needs of it.
func (f *fifo) pop() (action, uint64) {
	e := &f.buf[f.head]
	act, wait := e.act, e.wait
	e.act = nil
	f.head = (f.head + 1) & (len(f.buf) - 1)
	f.size--
	return act, wait
}

// eventQueue orders events by (at, seq): a heap for the future and a FIFO
// for the present.
type eventQueue struct {
	now   time.Duration
	seq   uint64
	heap  eventHeap
	ready fifo
}

// schedule makes act fire (or, for a *proc, resume it in wait) at at.
func (q *eventQueue) schedule(at time.Duration, act action, wait uint64) {
	switch {
	case at == q.now:
		q.ready.push(act, wait)
	case at > q.now:
		q.heap.push(event{at: at, seq: q.seq, act: act, wait: wait})
		q.seq++
	default:
		panic("virtual: event scheduled in the past")
	}
}

// next removes the earliest event due at or before until, advancing the
// clock to it, and returns its action and wait; a nil action means none is
// due.
func (q *eventQueue) next(until time.Duration) (action, uint64) {
	if len(q.heap) > 0 {
		if at := q.heap[0].at; at == q.now || (q.ready.size == 0 && at <= until) {
			q.now = at
			return q.heap.pop()
		}
	}
	if q.ready.size > 0 {
		return q.ready.pop()
	}
	return nil, 0
}

// after is now+d for d ≥ 0, saturating at the largest time: a delay
// drawn from a heavy tail lands after any run's end instead of wrapping
// into the past.
func (q *eventQueue) after(d time.Duration) time.Duration { return sim.AddDurations(q.now, d) }

// due reports whether an event is due at or before until.
func (q *eventQueue) due(until time.Duration) bool {
	return q.ready.size > 0 || (len(q.heap) > 0 && q.heap[0].at <= until)
}

func (q *eventQueue) pending() int { return len(q.heap) + q.ready.size }
