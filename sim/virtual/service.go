package virtual

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/sharebench/sharebench/sim"
)

// ServiceStats counts what a service saw: the counts every world keeps,
// and time integrals that let a test check Little's law: mean number in
// system = InSystem / elapsed.
type ServiceStats struct {
	sim.ServiceCounts
	Busy     time.Duration // integral of busy workers over time
	InSystem time.Duration // integral of requests in service or queued
}

// service is the queueing model in front of a node's handler: Workers
// servers, a FIFO queue of bounded length, service times drawn from the
// spec's distribution (scaled by slowdown faults).
type service struct {
	n     *Node
	spec  sim.ServiceSpec
	rng   *rand.Rand
	slow  float64 // product of slowdown factors in force
	busy  int
	queue callQueue
	// serving holds the requests being served, to answer or lose them in a
	// crash; each call knows its index.
	serving []*call
	stats   ServiceStats
	last    time.Duration // when the integrals were last brought up to date
}

// Stats returns the service's counters up to now; the zero value for a
// node that serves nothing.
func (n *Node) Stats() ServiceStats {
	if n.svc == nil {
		return ServiceStats{}
	}
	n.svc.account()
	return n.svc.stats
}

// ResetPeaks starts MaxQueue and MaxInSystem afresh, as at the end of a
// warm-up.
func (n *Node) ResetPeaks() {
	if n.svc != nil {
		n.svc.stats.MaxQueue = n.svc.queue.len()
		n.svc.stats.MaxInSystem = n.svc.busy + n.svc.queue.len()
	}
}

func (s *service) account() {
	now := s.n.w.q.now
	dt := now - s.last
	s.stats.Busy += time.Duration(s.busy) * dt
	s.stats.InSystem += time.Duration(s.busy+s.queue.len()) * dt
	s.last = now
}

func (s *service) arrive(c *call) {
	w := s.n.w
	s.account()
	s.stats.Arrived++
	switch {
	case s.n.blackhole > 0:
		s.stats.Swallowed++
		if w.trace != nil {
			w.tracef("%s: swallowed call#%d (down)", s.n.name, c.id)
		}
		return
	case s.n.refusing > 0:
		s.stats.Refused++
		c.fail(sim.ErrUnavailable, "refused (down)")
		return
	case s.busy < s.spec.Workers:
		s.start(c)
		s.stats.MaxInSystem = max(s.stats.MaxInSystem, s.busy+s.queue.len())
	case s.spec.Queue == 0 || s.queue.len() < s.spec.Queue:
		s.queue.push(c)
		s.stats.MaxQueue = max(s.stats.MaxQueue, s.queue.len())
		s.stats.MaxInSystem = max(s.stats.MaxInSystem, s.busy+s.queue.len())
		if w.trace != nil {
			w.tracef("%s: queued call#%d (%d waiting)", s.n.name, c.id, s.queue.len())
		}
	default:
		s.stats.Rejected++
		c.fail(sim.ErrRejected, "rejected (queue full)")
	}
}

func (s *service) start(c *call) {
	w := s.n.w
	s.busy++
	c.work = s.spec.ServiceTime.Sample(s.rng)
	if s.slow != 1 {
		c.work = sim.ScaleDuration(c.work, s.slow)
	}
	c.idx = len(s.serving)
	s.serving = append(s.serving, c)
	if w.trace != nil {
		w.tracef("%s: serving call#%d %s for %v", s.n.name, c.id, c.method, c.work)
	}
	if s.spec.Handler == nil {
		c.stage = stageWorking
		w.q.schedule(w.q.after(c.work), (*workDone)(c), 0)
		return
	}
	w.spawn(s.n, c.method, nil).call = c
}

// handle runs the service's handler for c in a process of the service.
func (c *call) handle(ctx context.Context) {
	s := c.to.svc
	resp, err := s.spec.Handler(ctx, sim.Request{From: c.from.name, Method: c.method, Body: c.body, Work: c.work})
	if err != nil {
		err = &sim.RemoteError{Service: c.to.name, Msg: err.Error()}
	}
	c.resp, c.err = resp, err
	s.done(c)
}

func (s *service) done(c *call) {
	w := s.n.w
	s.account()
	s.busy--
	s.unserve(c)
	s.stats.Completed++
	s.stats.Sojourn += w.q.now - c.arrived
	c.reply("done")
	if s.queue.len() > 0 {
		s.start(s.queue.pop())
	}
}

func (s *service) unserve(c *call) {
	s.serving = removeAt(s.serving, c.idx, func(m *call, i int) { m.idx = i })
}

// crash drops every request the service holds: in refuse mode their
// callers learn at once (a reset connection), in blackhole mode they wait
// for their deadlines.
func (s *service) crash(blackhole bool) {
	s.account()
	held := append(s.serving, s.queue.drain()...)
	s.serving = nil
	s.busy = 0
	for _, c := range held {
		s.stats.Lost++
		c.stage = stageLost
		if !blackhole {
			c.fail(sim.ErrUnavailable, "lost in crash")
		} else if s.n.w.trace != nil {
			s.n.w.tracef("%s: lost call#%d in crash", s.n.name, c.id)
		}
	}
}

type callStage uint8

const (
	stageToService callStage = iota // in flight to the service
	stageWorking                    // held by a worker without a handler
	stageToCaller                   // the answer is in flight back
	stageReturned                   // the caller has it
	stageLost                       // dropped by a crash
)

// call is one RPC: it travels to the service, is served, travels back. It
// is its own event action, so none of those steps allocates.
type call struct {
	w        *World
	id       uint64
	from, to *Node
	caller   *proc
	tok      uint64           // the caller's wait
	done     func(any, error) // instead of a caller: Send's callback
	method   string
	body     any
	resp     any
	err      error

	stage     callStage
	abandoned bool // the caller stopped waiting
	arrived   time.Duration
	work      time.Duration
	idx       int // position in service.serving
}

func (c *call) fire() {
	switch c.stage {
	case stageToService:
		c.arrived = c.w.q.now
		c.to.svc.arrive(c)
	case stageToCaller:
		if c.abandoned {
			if c.w.trace != nil {
				c.w.tracef("%s: late answer to call#%d dropped (caller gave up)", c.from.name, c.id)
			}
			return
		}
		c.stage = stageReturned
		if c.done != nil {
			c.done(c.resp, c.err)
			return
		}
		c.w.wake(c.w.q.now, c.caller, c.tok, wakeReply)
	}
}

// expire ends a Send that was not answered in time.
func (c *call) expire() {
	if c.stage == stageReturned || c.abandoned {
		return
	}
	c.abandoned = true
	if c.w.trace != nil {
		c.w.tracef("%s: call#%d gave up: %v", c.from.name, c.id, context.DeadlineExceeded)
	}
	c.done(nil, context.DeadlineExceeded)
}

// workDone is a call's completion event when no handler serves it: a
// distinct action so that a completion scheduled before a crash finds the
// call no longer working and does nothing.
type workDone call

func (d *workDone) fire() {
	if c := (*call)(d); c.stage == stageWorking {
		c.to.svc.done(c)
	}
}

// fail answers c with err without serving it.
func (c *call) fail(err error, what string) {
	c.err = err
	c.reply(what)
}

func (c *call) reply(what string) {
	if c.w.trace != nil {
		c.w.tracef("%s: call#%d %s", c.to.name, c.id, what)
	}
	c.stage = stageToCaller
	c.w.net.send(c.to, c.from, c, "answer", c.id)
}

// Call sends a request to the service called to and blocks the calling
// process until the answer arrives or ctx is done. Calling a node that
// serves nothing is a harness bug and panics.
func (n *Node) Call(ctx context.Context, to, method string, body any) (any, error) {
	w := n.w
	p := w.running("Call")
	dst := n.lastCalled
	if dst == nil || dst.name != to {
		// Most processes call one service again and again; the cache saves
		// a map lookup per call.
		if dst = w.nodes[to]; dst == nil || dst.svc == nil {
			panic(fmt.Sprintf("virtual: %s calls %q, which is not a service of this world", n.name, to))
		}
		n.lastCalled = dst
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	w.calls++
	c := w.newCall()
	c.id, c.from, c.to, c.caller, c.method, c.body = w.calls, n, dst, p, method, body
	c.tok = p.arm()
	if w.trace != nil {
		w.tracef("%s: call#%d %s.%s", n.name, c.id, to, method)
	}
	if !w.watch(ctx, p, c.tok) {
		p.disarm()
		return nil, ctx.Err()
	}
	w.net.send(n, dst, c, "request", c.id)
	p.park()
	p.unwatch()
	// An answer arriving in the very instant the context ends is too late,
	// whichever of the two same-instant events ran first.
	if c.stage == stageReturned && ctx.Err() == nil {
		resp, err := c.resp, c.err
		if w.trace != nil {
			if err != nil {
				w.tracef("%s: call#%d failed: %v", n.name, c.id, err)
			} else {
				w.tracef("%s: call#%d answered", n.name, c.id)
			}
		}
		// Answered, nothing refers to c any more; an abandoned or lost call
		// may still be in flight and is left to the GC instead.
		w.freeCalls = append(w.freeCalls, c)
		return resp, err
	}
	c.abandoned = true
	if w.trace != nil {
		w.tracef("%s: call#%d gave up: %v", n.name, c.id, ctx.Err())
	}
	return nil, ctx.Err()
}

func (w *World) newCall() *call {
	if k := len(w.freeCalls); k > 0 {
		c := w.freeCalls[k-1]
		w.freeCalls = w.freeCalls[:k-1]
		*c = call{w: w}
		return c
	}
	return &call{w: w}
}

// Send sends a request to the service called to without waiting for it:
// done is called with the answer, or with context.DeadlineExceeded once
// timeout has passed, from kernel context (it must not block). It is for
// harness code, such as a workload driver, that sends many requests and
// should not pay a process for each; strategy code uses Call.
func (n *Node) Send(to, method string, body any, timeout time.Duration, done func(resp any, err error)) {
	w := n.w
	dst := w.nodes[to]
	if dst == nil || dst.svc == nil {
		panic(fmt.Sprintf("virtual: %s sends to %q, which is not a service of this world", n.name, to))
	}
	w.calls++
	c := &call{w: w, id: w.calls, from: n, to: dst, method: method, body: body, done: done}
	if w.trace != nil {
		w.tracef("%s: call#%d %s.%s", n.name, c.id, to, method)
	}
	w.timeout(timeout, c)
	w.net.send(n, dst, c, "request", c.id)
}

// callQueue is a FIFO of calls waiting for a worker.
type callQueue struct {
	buf  []*call
	head int
}

func (q *callQueue) len() int { return len(q.buf) - q.head }

func (q *callQueue) push(c *call) {
	if q.head > 0 && q.head == len(q.buf) {
		q.buf, q.head = q.buf[:0], 0
	}
	q.buf = append(q.buf, c)
}

func (q *callQueue) pop() *call {
	c := q.buf[q.head]
	q.buf[q.head] = nil
	q.head++
	if q.head > 1024 && q.head*2 > len(q.buf) {
		n := copy(q.buf, q.buf[q.head:])
		clear(q.buf[n:])
		q.buf, q.head = q.buf[:n], 0
	}
	return c
}

func (q *callQueue) drain() []*call {
	out := append([]*call(nil), q.buf[q.head:]...)
	clear(q.buf)
	q.buf, q.head = q.buf[:0], 0
	return out
}
