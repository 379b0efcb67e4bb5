package virtual

import (
	"context"
	"fmt"
	"io"
	"iter"
	"math"
	"math/rand/v2"
	"runtime/debug"
	"time"

	"github.com/sharebench/sharebench/sim"
)

// World is a deterministic simulated world: a virtual clock, an event
// queue, processes, nodes with their services and stores, and the network
// between them. A World is driven by one goroutine (the caller of Run) and
// runs exactly one process at a time, so a run is a pure function of the
// seed and of what was set up.
type World struct {
	q       eventQueue
	streams sim.Streams
	cur     *proc   // the running process, nil in kernel context
	free    []*proc // finished processes whose coroutines wait for reuse
	all     []*proc // every coroutine ever made, to stop them on Close
	closed  bool

	lanes map[time.Duration]*timerLane // timeouts by length

	nodes   map[string]*Node
	order   []*Node // nodes in creation order: the order of every iteration
	net     network
	broker  *broker
	faults  int    // faults injected so far, to name their random streams
	calls   uint64 // calls made so far, to name them in the trace
	events  uint64 // events processed so far, the measure of a run's work
	limit   uint64 // Run stops once events reach it (SetEventLimit)
	stopped bool   // Run stopped at the limit with events due

	freeCalls []*call // answered calls, for reuse

	trace io.Writer
}

// Option configures a World.
type Option func(*World)

// WithTrace writes a readable log of everything that happens to w: calls,
// deliveries, drops, rejections, timeouts, faults. It costs a formatted
// line per event; leave it off for long runs.
func WithTrace(w io.Writer) Option { return func(wd *World) { wd.trace = w } }

// WithDefaultLink sets the link every pair of nodes uses unless SetLink
// says otherwise. Without it links are instant and lossless.
func WithDefaultLink(l LinkSpec) Option { return func(w *World) { w.net.defaults = l } }

// New returns an empty world whose randomness derives from seed.
func New(seed uint64, opts ...Option) *World {
	w := &World{streams: sim.NewStreams(seed), nodes: map[string]*Node{}, limit: math.MaxUint64}
	w.net.w = w
	for _, o := range opts {
		o(w)
	}
	return w
}

// Epoch is the wall-clock instant virtual time 0 maps to, for the
// time.Time that context.Context.Deadline must return.
var Epoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// Now is the virtual time.
func (w *World) Now() time.Duration { return w.q.now }

// Seed is the seed every random stream of this world derives from.
func (w *World) Seed() uint64 { return w.streams.Seed() }

// Stream returns the world's random stream for a concern outside any node
// (a workload generator, say): see sim.Streams.
func (w *World) Stream(concern string) *rand.Rand { return w.streams.Stream(concern) }

// At runs fn in kernel context at virtual time t (≥ Now). fn must not
// block; to block, start a process with Node.Go.
func (w *World) At(t time.Duration, fn func()) {
	w.q.schedule(t, actionFunc(fn), 0)
}

// Run processes events until none is due at or before until, then sets the
// clock to until. A panic in a process (a harness bug) propagates out of
// Run, annotated with the process and its stack.
func (w *World) Run(until time.Duration) {
	w.drain(until)
	if until > w.q.now && !w.stopped {
		w.q.now = until
	}
}

// drain is the kernel's loop. Resuming a process is written out here
// rather than in a method: it is the hottest path of every run.
func (w *World) drain(until time.Duration) {
	if w.closed {
		panic("virtual: Run after Close")
	}
	for {
		if w.events >= w.limit && w.q.due(until) {
			w.stopped = true
			return
		}
		act, wait := w.q.next(until)
		if act == nil {
			return
		}
		w.events++
		p, ok := act.(*proc)
		if !ok {
			act.fire()
			continue
		}
		if wait>>8 != p.tok {
			continue // the wait this event was meant for already ended
		}
		p.tok++ // every other event for this wait is now stale
		p.why = wakeReason(wait)
		w.cur = p
		p.next()
		w.cur = nil
	}
}

// RunUntilIdle processes events until none is left and returns the time of
// the last one. A process that waits forever (a Call without a deadline to
// a black hole) leaves no event behind and does not keep it running.
func (w *World) RunUntilIdle() time.Duration {
	w.drain(maxTime)
	return w.q.now
}

const maxTime = time.Duration(1<<63 - 1)

// Events is how many events the world has processed (stale ones
// included): the work a run has done, which its estimate predicts.
func (w *World) Events() uint64 { return w.events }

// SetEventLimit makes Run and RunUntilIdle return, leaving the clock
// where it is, once n events have been processed: a budget, so that a run
// whose work was misjudged stops instead of running on. Check OverLimit
// after Run.
func (w *World) SetEventLimit(n uint64) { w.limit = n }

// OverLimit reports whether the world stopped at its event limit with
// events still due.
func (w *World) OverLimit() bool { return w.stopped }

// NextAt is when the earliest pending event is due; false if none is.
func (w *World) NextAt() (time.Duration, bool) {
	switch {
	case w.q.ready.size > 0:
		return w.q.now, true
	case len(w.q.heap) > 0:
		return w.q.heap[0].at, true
	}
	return 0, false
}

// Pending is the number of events waiting in the queue.
func (w *World) Pending() int { return w.q.pending() }

// Close stops every process still parked, unwinding its stack (deferred
// calls run) so that no goroutine outlives the world. The World cannot run
// again.
func (w *World) Close() {
	if w.closed {
		return
	}
	w.closed = true
	for _, p := range w.all {
		p.killed = true
		w.cur = p // its deferred calls run as it, and unwind if they block
		p.stop()
	}
	w.cur = nil
	w.all, w.free = nil, nil
}

// running returns the process making a blocking call, or panics: blocking
// outside a process is a harness bug.
// A killed process that calls an operation (from a deferred call, say)
// unwinds instead: a crashed process sends nothing.
func (w *World) running(op string) *proc {
	p := w.cur
	if p == nil {
		panic("virtual: " + op + " called outside a process; start one with Node.Go")
	}
	if p.killed {
		p.unwinding = true
		panic(killSignal{})
	}
	return p
}

// proc is a simulated process: a stackful coroutine that runs until it
// blocks, then yields to the kernel until an event resumes it. Finished
// processes return to a pool and are reused, because creating a coroutine
// costs ~6 allocations.
type proc struct {
	w     *World
	next  func() (struct{}, bool)
	stop  func()
	yield func(struct{}) bool

	name   string
	node   *Node
	fn     func(ctx context.Context)
	call   *call                           // serve this call instead of fn: saves a closure per request
	group  *group                          // or run member as a member of group
	member func(ctx context.Context) error //
	ctx    context.Context

	tok       uint64     // identifies the current wait; events with another are stale
	why       wakeReason // why it was last resumed
	killed    bool       // its node crashed (or the world closed): unwind
	unwinding bool       // the panic in flight is ours

	watching *vctx // the context whose cancellation ends the current wait
	watchIdx int   // position in watching.waiters

	prev, nextInNode *proc // the node's list of live processes
}

// killSignal is the panic value that unwinds a killed process.
type killSignal struct{}

func (w *World) spawn(n *Node, name string, fn func(ctx context.Context)) *proc {
	var p *proc
	if k := len(w.free); k > 0 {
		p, w.free = w.free[k-1], w.free[:k-1]
	} else {
		p = &proc{w: w}
		p.next, p.stop = iter.Pull(p.loop)
		w.all = append(w.all, p)
	}
	p.name, p.node, p.fn, p.ctx = name, n, fn, n.life
	n.adopt(p)
	w.wake(w.q.now, p, p.tok, wakeStart)
	return p
}

// loop is the body of a coroutine: run a process, return to the pool, wait
// to be handed the next one.
func (p *proc) loop(yield func(struct{}) bool) {
	p.yield = yield
	for {
		p.run()
		p.tok++ // events still addressed to this process are now stale
		p.node.orphan(p)
		p.fn, p.call, p.group, p.member, p.ctx, p.node, p.killed, p.unwinding = nil, nil, nil, nil, nil, nil, false, false
		if p.w.closed {
			return
		}
		p.w.free = append(p.w.free, p)
		// The kernel resumes a pooled process only through spawn's start
		// event, so returning from yield means a new process begins.
		if !yield(struct{}{}) {
			return
		}
	}
}

func (p *proc) run() {
	defer p.recoverKill()
	if p.killed {
		return
	}
	switch {
	case p.call != nil:
		p.call.handle(p.ctx)
	case p.group != nil:
		p.group.runMember(p.member)
	default:
		p.fn(p.ctx)
	}
}

// recoverKill ends the unwinding of a killed process, and annotates any
// other panic with the process name and stack: iter.Pull re-panics with the
// bare value in the kernel's goroutine, where the stack would be lost.
func (p *proc) recoverKill() {
	r := recover()
	switch {
	case r == nil:
	case p.unwinding:
		if _, ok := r.(killSignal); !ok {
			panic(r)
		}
	default:
		panic(fmt.Sprintf("virtual: process %s/%s panicked: %v\n%s", p.node.name, p.name, r, debug.Stack()))
	}
}

// arm starts a new wait and returns its token; events carrying it resume
// the process.
func (p *proc) arm() uint64 {
	p.tok++
	return p.tok
}

// disarm ends a wait that never parked.
func (p *proc) disarm() { p.tok++ }

// park suspends the process until an event for its current wait resumes
// it, or unwinds it if it was killed.
func (p *proc) park() wakeReason {
	if !p.killed && !p.yield(struct{}{}) {
		p.killed = true // the world is closing
	}
	if p.killed {
		p.unwatch()
		p.unwinding = true
		panic(killSignal{})
	}
	return p.why
}

// wake schedules p to resume at t if it is still in the wait tok.
func (w *World) wake(t time.Duration, p *proc, tok uint64, why wakeReason) {
	if t == w.q.now {
		w.q.ready.push(p, tok<<8|uint64(why)) // the common case, inlined
		return
	}
	w.q.schedule(t, p, tok<<8|uint64(why))
}

// fire is never called: the kernel loop resumes processes itself. It makes *proc
// an action so that an event needs no separate field for it.
func (p *proc) fire() { panic("virtual: proc.fire called") }

// kill stops p: a parked process unwinds at once (its deferred calls run),
// a running one at its next blocking call.
func (w *World) kill(p *proc) {
	if p.killed {
		return
	}
	p.killed = true
	if p != w.cur {
		w.wake(w.q.now, p, p.tok, wakeKill)
	}
}
