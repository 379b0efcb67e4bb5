package virtual

import (
	"context"
	"time"
)

// vctx is a context.Context whose deadline and cancellation live in
// virtual time. Its Done channel is made on demand and closed on
// cancellation for code that checks it without blocking; processes must not
// block on it (a blocked coroutine would stall the kernel) and need not:
// every blocking call of a Node watches its context.
//
// It implements the AfterFunc method the standard library looks for, so a
// context.WithValue or context.WithoutCancel on top of it works without
// starting a goroutine.
type vctx struct {
	w      *World
	parent context.Context // for Value

	deadline    time.Duration
	hasDeadline bool
	err         error
	done        chan struct{}

	pv       *vctx // the virtual ancestor this one is registered with
	idx      int   // position in pv.children
	children []*vctx
	waiters  []waiter
	inline   [1]waiter // waiters' first backing array: one waiter is the rule
	hooks    []*afterFunc
}

type waiter struct {
	p   *proc
	tok uint64
}

type afterFunc struct{ f func() }

type vctxKey struct{}

func (c *vctx) Deadline() (time.Time, bool) {
	if !c.hasDeadline {
		return time.Time{}, false
	}
	return Epoch.Add(c.deadline), true
}

func (c *vctx) Done() <-chan struct{} {
	if c.done == nil {
		c.done = make(chan struct{})
		if c.err != nil {
			close(c.done)
		}
	}
	return c.done
}

// Err reports the deadline the moment virtual time reaches it, whichever
// order same-instant events fire in.
func (c *vctx) Err() error {
	if c.err == nil && c.hasDeadline && c.w.q.now >= c.deadline {
		c.cancel(context.DeadlineExceeded)
	}
	return c.err
}

func (c *vctx) Value(key any) any {
	if key == (vctxKey{}) {
		return c
	}
	if c.parent == nil {
		return nil
	}
	return c.parent.Value(key)
}

// AfterFunc runs f, in the canceller's context, when c is cancelled.
func (c *vctx) AfterFunc(f func()) (stop func() bool) {
	h := &afterFunc{f}
	if c.err != nil {
		f()
		return func() bool { return false }
	}
	c.hooks = append(c.hooks, h)
	return func() bool {
		for i, x := range c.hooks {
			if x == h {
				c.hooks = append(c.hooks[:i], c.hooks[i+1:]...)
				return true
			}
		}
		return false
	}
}

// expire is the deadline timer.
func (c *vctx) expire() {
	if c.err == nil {
		c.cancel(context.DeadlineExceeded)
	}
}

func (c *vctx) cancel(err error) {
	if c.err != nil {
		return
	}
	c.err = err
	if c.done != nil {
		close(c.done)
	}
	now := c.w.q.now
	for _, wt := range c.waiters {
		wt.p.watching = nil
		c.w.wake(now, wt.p, wt.tok, wakeCancel)
	}
	c.waiters = nil
	if c.pv != nil {
		c.pv.removeChild(c)
	}
	children := c.children
	c.children = nil
	for _, ch := range children {
		ch.pv = nil
		ch.cancel(err)
	}
	hooks := c.hooks
	c.hooks = nil
	for _, h := range hooks {
		h.f()
	}
}

func (c *vctx) removeChild(ch *vctx) {
	c.children = removeAt(c.children, ch.idx, func(m *vctx, i int) { m.idx = i })
	ch.pv = nil
}

// vctxOf finds the virtual context governing ctx's cancellation: nil if
// ctx can never be cancelled. A context that can be cancelled outside
// virtual time is a harness bug.
func (w *World) vctxOf(ctx context.Context) *vctx {
	if c, ok := ctx.(*vctx); ok {
		return c
	}
	done := ctx.Done()
	if done == nil {
		return nil
	}
	c, _ := ctx.Value(vctxKey{}).(*vctx)
	if c == nil || c.Done() != done {
		panic("virtual: context is cancellable outside virtual time (context.WithCancel/WithTimeout?); derive it with Env.WithCancel or Env.WithTimeout")
	}
	return c
}

func (w *World) withCancel(parent context.Context) *vctx {
	c := &vctx{w: w, parent: parent}
	pv := w.vctxOf(parent)
	if pv == nil {
		return c
	}
	c.deadline, c.hasDeadline = pv.deadline, pv.hasDeadline
	if err := pv.Err(); err != nil {
		c.err = err
		return c
	}
	c.pv, c.idx = pv, len(pv.children)
	pv.children = append(pv.children, c)
	return c
}

func (w *World) withTimeout(parent context.Context, d time.Duration) *vctx {
	c := w.withCancel(parent)
	at := w.q.after(max(d, 0))
	if c.err != nil || (c.hasDeadline && c.deadline <= at) {
		return c // the parent's deadline comes first and will cancel c
	}
	c.deadline, c.hasDeadline = at, true
	if at == w.q.now {
		c.cancel(context.DeadlineExceeded)
	} else {
		w.timeout(d, c)
	}
	return c
}

// watch makes a cancellation of ctx resume p from the wait tok. It returns
// false if ctx is already done.
func (w *World) watch(ctx context.Context, p *proc, tok uint64) bool {
	c := w.vctxOf(ctx)
	if c == nil {
		return true
	}
	if c.Err() != nil {
		return false
	}
	if c.waiters == nil {
		c.waiters = c.inline[:0]
	}
	p.watching, p.watchIdx = c, len(c.waiters)
	c.waiters = append(c.waiters, waiter{p, tok})
	return true
}

// unwatch ends p's watch, if its context is not already done.
func (p *proc) unwatch() {
	c := p.watching
	if c == nil {
		return
	}
	p.watching = nil
	c.waiters = removeAt(c.waiters, p.watchIdx, func(m waiter, i int) { m.p.watchIdx = i })
}
