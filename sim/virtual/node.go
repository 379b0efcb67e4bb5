package virtual

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/sharebench/sharebench/sim"
)

// Node is one participant of the world — a service, or the workload
// driver — and the sim.Env its code runs against. Processes started through
// a Node belong to it and stop when it crashes; its Store survives.
type Node struct {
	w    *World
	name string
	idx  int

	life      *vctx // done when the node goes down; renewed when it comes back
	refusing  int   // outages in force that refuse requests
	blackhole int   // outages in force that swallow them

	head   *proc // live processes, in start order
	starts []startHook
	store  *sim.MemStore
	rands  map[string]*rand.Rand
	svc    *service

	lastCalled *Node // the service this node called last

	dups []*linkFault // duplicate faults in force on the node's consumers
}

type startHook struct {
	name string
	fn   func(ctx context.Context)
}

var _ sim.Env = (*Node)(nil)

// Node returns the node called name, creating it on first use.
func (w *World) Node(name string) *Node {
	if n, ok := w.nodes[name]; ok {
		return n
	}
	if name == "" {
		panic("virtual: a node needs a name")
	}
	n := &Node{w: w, name: name, idx: len(w.order), store: sim.NewMemStore(), rands: map[string]*rand.Rand{}}
	n.life = w.withCancel(context.Background())
	w.nodes[name] = n
	w.order = append(w.order, n)
	return n
}

// Hosts is the world as sim.Hosts, for deploying strategies into it.
func (w *World) Hosts() sim.Hosts { return sim.HostsOf[*Node](w) }

// NodeNames lists the nodes in creation order.
func (w *World) NodeNames() []string {
	names := make([]string, len(w.order))
	for i, n := range w.order {
		names[i] = n.name
	}
	return names
}

// Serve makes the node called name a service with the given spec and
// returns it. A node serves at most one spec.
func (w *World) Serve(name string, spec sim.ServiceSpec) (*Node, error) {
	if err := spec.Validate(); err != nil {
		return nil, fmt.Errorf("service %s: %w", name, err)
	}
	n := w.Node(name)
	if n.svc != nil {
		return nil, fmt.Errorf("service %s: already serving", name)
	}
	n.svc = &service{n: n, spec: spec, rng: w.streams.Stream(sim.ServiceStream(name)), slow: 1}
	return n, nil
}

// OnStart runs fn as a process of the node now and again every time the
// node comes back from a crash or outage: the place for consumers, relays
// and other long-running loops.
func (n *Node) OnStart(name string, fn func(ctx context.Context)) {
	n.starts = append(n.starts, startHook{name, fn})
	n.Go(name, fn)
}

// Up reports whether the node is running.
func (n *Node) Up() bool { return n.refusing == 0 && n.blackhole == 0 }

// Procs is the number of the node's live processes.
func (n *Node) Procs() int {
	k := 0
	for p := n.head; p != nil; p = p.nextInNode {
		k++
	}
	return k
}

func (n *Node) adopt(p *proc) {
	p.prev, p.nextInNode = nil, n.head
	if n.head != nil {
		n.head.prev = p
	}
	n.head = p
}

func (n *Node) orphan(p *proc) {
	if p.prev != nil {
		p.prev.nextInNode = p.nextInNode
	} else {
		n.head = p.nextInNode
	}
	if p.nextInNode != nil {
		p.nextInNode.prev = p.prev
	}
	p.prev, p.nextInNode = nil, nil
}

// errNodeDown is the cause of a node's life context ending.
var errNodeDown = errors.New("node down")

// goDown stops the node: its life context ends, its processes unwind, its
// service drops what it holds.
func (n *Node) goDown(blackhole bool) {
	wasUp := n.Up()
	if blackhole {
		n.blackhole++
	} else {
		n.refusing++
	}
	if !wasUp {
		return
	}
	n.life.cancel(errNodeDown)
	// Newest first (the list's order); kill only schedules, so the list
	// stays intact while we walk it.
	for p := n.head; p != nil; p = p.nextInNode {
		n.w.kill(p)
	}
	if n.svc != nil {
		n.svc.crash(blackhole)
	}
}

func (n *Node) comeUp(blackhole bool) {
	if blackhole {
		n.blackhole--
	} else {
		n.refusing--
	}
	if !n.Up() {
		return
	}
	n.life = n.w.withCancel(context.Background())
	for _, h := range n.starts {
		n.Go(h.name, h.fn)
	}
}

// Name is the node's name.
func (n *Node) Name() string { return n.name }

// Now is the virtual time.
func (n *Node) Now() time.Duration { return n.w.q.now }

// Sleep blocks the calling process for d of virtual time, or until ctx is
// done.
func (n *Node) Sleep(ctx context.Context, d time.Duration) error {
	w := n.w
	p := w.running("Sleep")
	if err := ctx.Err(); err != nil {
		return err
	}
	if d <= 0 {
		return nil
	}
	tok := p.arm()
	w.wake(w.q.after(d), p, tok, wakeTimer)
	if !w.watch(ctx, p, tok) {
		p.disarm()
		return ctx.Err()
	}
	p.park()
	p.unwatch()
	return ctx.Err()
}

// WithTimeout returns a child of parent done d of virtual time from now.
func (n *Node) WithTimeout(parent context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	c := n.w.withTimeout(parent, d)
	return c, func() { c.cancel(context.Canceled) }
}

// WithCancel returns a child of parent done when cancel is called.
func (n *Node) WithCancel(parent context.Context) (context.Context, context.CancelFunc) {
	c := n.w.withCancel(parent)
	return c, func() { c.cancel(context.Canceled) }
}

// Go starts fn as a process of the node at the current instant, after the
// caller yields. On a node that is down it does nothing.
func (n *Node) Go(name string, fn func(ctx context.Context)) {
	if !n.Up() {
		if n.w.trace != nil {
			n.w.tracef("%s: not starting %s: node down", n.name, name)
		}
		return
	}
	n.w.spawn(n, name, fn)
}

// Store is the node's durable store.
func (n *Node) Store() sim.Store { return n.store }

// Rand returns the node's stream for concern; the same one every time.
func (n *Node) Rand(concern string) *rand.Rand {
	r, ok := n.rands[concern]
	if !ok {
		r = n.w.streams.Stream(sim.NodeStream(n.name, concern))
		n.rands[concern] = r
	}
	return r
}

// Group starts an errgroup-shaped group of processes of this node.
func (n *Node) Group(ctx context.Context) (sim.Group, context.Context) {
	c := n.w.withCancel(ctx)
	return &group{n: n, ctx: c}, c
}

// group is errgroup.Group in virtual time.
type group struct {
	n       *Node
	ctx     *vctx
	pending int
	err     error
	waiter  *proc
	tok     uint64
}

func (g *group) Go(fn func(ctx context.Context) error) {
	g.pending++
	p := g.n.w.spawn(g.n, "group", nil)
	p.group, p.member = g, fn // no closure per member
}

// runMember runs fn as a member of g.
func (g *group) runMember(fn func(ctx context.Context) error) {
	defer g.finished()
	if err := fn(g.ctx); err != nil && g.err == nil {
		g.err = err
		g.ctx.cancel(context.Canceled)
	}
}

func (g *group) finished() {
	g.pending--
	if g.pending == 0 && g.waiter != nil {
		g.n.w.wake(g.n.w.q.now, g.waiter, g.tok, wakeReply)
		g.waiter = nil
	}
}

func (g *group) Wait() error {
	if g.pending > 0 {
		p := g.n.w.running("Group.Wait")
		g.waiter, g.tok = p, p.arm()
		p.park()
	}
	g.ctx.cancel(context.Canceled)
	return g.err
}
