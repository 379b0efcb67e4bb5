package live

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/sharebench/sharebench/sim"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Node is one participant of the world — a service, the broker, or the
// workload driver — and the sim.Env its code runs against. Processes
// started through a Node belong to it: they take turns (see the package
// doc), their ctx is cancelled when the node goes down, and its start hooks
// run again when it comes back. Its Store survives.
type Node struct {
	w    *World
	name string

	// turn is held by whichever of the node's processes is running; it is
	// given up inside blocking Env calls.
	turn sync.Mutex

	mu        sync.Mutex // guards what follows
	life      context.Context
	kill      context.CancelCauseFunc
	procs     *sync.WaitGroup // processes of the current life
	refusing  int             // outages in force that refuse
	blackhole int             // outages in force that swallow
	hooks     []startHook
	rands     map[string]*rand.Rand
	producer  *kgo.Client
	consumers map[*consumer]struct{}
	dups      []*dupFault // duplicate faults in force on the node's consumers

	svc   *service // set once by Serve, before any call can reach it
	store *sim.MemStore
}

type startHook struct {
	name string
	fn   func(ctx context.Context)
}

var _ sim.Env = (*Node)(nil)

// turnKey marks a ctx given to one of a node's processes: its value is the
// node, whose turn the process holds.
type turnKey struct{}

// errNodeDown is the cause of a node's life ending in an outage or crash.
var errNodeDown = errors.New("live: node down")

// Node returns the node called name, creating it on first use.
func (w *World) Node(name string) *Node {
	if name == "" {
		panic("live: a node needs a name")
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if n, ok := w.nodes[name]; ok {
		return n
	}
	n := &Node{w: w, name: name, store: sim.NewMemStore(), rands: map[string]*rand.Rand{},
		procs: new(sync.WaitGroup), consumers: map[*consumer]struct{}{}}
	n.life, n.kill = context.WithCancelCause(w.ctx)
	w.nodes[name] = n
	w.order = append(w.order, n)
	return n
}

// Name is the node's name.
func (n *Node) Name() string { return n.name }

// Now is the time since the world started.
func (n *Node) Now() time.Duration { return n.w.Now() }

// Store is the node's durable store; it survives outages and crashes.
func (n *Node) Store() sim.Store { return n.store }

// Rand returns the node's stream for concern, the same one every time. Not
// safe for concurrent use: the node's processes take turns, so they may
// share it.
func (n *Node) Rand(concern string) *rand.Rand {
	n.mu.Lock()
	defer n.mu.Unlock()
	r, ok := n.rands[concern]
	if !ok {
		r = n.w.streams.Stream(sim.NodeStream(n.name, concern))
		n.rands[concern] = r
	}
	return r
}

// Up reports whether the node is running.
func (n *Node) Up() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.up()
}

func (n *Node) up() bool { return n.refusing == 0 && n.blackhole == 0 }

// state reports whether the node is down, and whether it swallows rather
// than refuses.
func (n *Node) state() (down, swallowing bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return !n.up(), n.blackhole > 0 // as in the virtual world, swallowing wins
}

// Do runs fn holding the node's turn: harness code reads the state of the
// node's strategy objects (stats, maps) this way without racing its
// processes. It must not be called from one of the node's own processes.
func (n *Node) Do(fn func()) {
	n.turn.Lock()
	defer n.turn.Unlock()
	fn()
}

// yield gives up the node's turn for a blocking operation if ctx says the
// caller holds it, and returns the function that takes it back.
func (n *Node) yield(ctx context.Context) (resume func()) {
	if ctx.Value(turnKey{}) != n {
		return func() {}
	}
	n.turn.Unlock()
	return n.turn.Lock
}

// Sleep blocks for d of wall-clock time, or until ctx is done.
func (n *Node) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d <= 0 {
		return nil
	}
	resume := n.yield(ctx)
	defer resume()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// WithTimeout is context.WithTimeout: the wall clock is the world's clock.
func (n *Node) WithTimeout(parent context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(parent, d)
}

// WithCancel is context.WithCancel.
func (n *Node) WithCancel(parent context.Context) (context.Context, context.CancelFunc) {
	return context.WithCancel(parent)
}

// Go starts fn as a process of the node: a goroutine that runs when the
// caller gives up the turn. Its ctx is done when the node goes down or the
// world closes. On a node that is down it does nothing.
func (n *Node) Go(name string, fn func(ctx context.Context)) {
	n.mu.Lock()
	if !n.up() {
		n.mu.Unlock()
		return
	}
	life, procs := n.life, n.procs
	n.mu.Unlock()
	n.start(life, procs, fn)
}

func (n *Node) start(life context.Context, procs *sync.WaitGroup, fn func(ctx context.Context)) {
	procs.Add(1)
	ok := n.w.spawn(func() {
		defer procs.Done()
		n.turn.Lock()
		defer n.turn.Unlock()
		fn(context.WithValue(life, turnKey{}, n))
	})
	if !ok {
		procs.Done()
	}
}

// OnStart runs fn as a process of the node now, and again every time the
// node comes back from an outage or crash (once the processes of its
// previous life have returned).
func (n *Node) OnStart(name string, fn func(ctx context.Context)) {
	n.mu.Lock()
	n.hooks = append(n.hooks, startHook{name, fn})
	n.mu.Unlock()
	n.Go(name, fn)
}

// Group starts an errgroup of processes of this node: the returned ctx is
// cancelled by the first error, and Wait gives up the turn while it waits.
func (n *Node) Group(ctx context.Context) (sim.Group, context.Context) {
	eg, gctx := errgroup.WithContext(ctx)
	n.mu.Lock()
	procs := n.procs
	n.mu.Unlock()
	return &group{n: n, eg: eg, ctx: context.WithValue(gctx, turnKey{}, n), holds: ctx.Value(turnKey{}) == n, procs: procs}, gctx
}

// group is an errgroup.Group whose members are processes of the node.
type group struct {
	n     *Node
	eg    *errgroup.Group
	ctx   context.Context
	holds bool // the creator holds the node's turn (and so will Wait)
	procs *sync.WaitGroup
}

func (g *group) Go(fn func(ctx context.Context) error) {
	if !g.n.w.enter() {
		g.eg.Go(func() error { return errWorldClosed })
		return
	}
	g.procs.Add(1)
	g.eg.Go(func() error {
		defer g.n.w.exit()
		defer g.procs.Done()
		g.n.turn.Lock()
		defer g.n.turn.Unlock()
		return fn(g.ctx)
	})
}

func (g *group) Wait() error {
	if g.holds {
		g.n.turn.Unlock()
		defer g.n.turn.Lock()
	}
	return g.eg.Wait()
}

// goDown takes the node down: its processes' ctx ends, its Kafka clients
// are dropped, and its proxies start refusing or swallowing (the caller
// refreshes them).
func (n *Node) goDown(blackhole bool) {
	n.mu.Lock()
	wasUp := n.up()
	if blackhole {
		n.blackhole++
	} else {
		n.refusing++
	}
	var dropped []*kgo.Client
	if wasUp {
		n.kill(errNodeDown)
		if n.producer != nil {
			dropped = append(dropped, n.producer)
			n.producer = nil
		}
	}
	n.mu.Unlock()
	// A client's ctx is the node's life, now done: closing it sends nothing.
	for _, cl := range dropped {
		if !n.w.spawn(cl.Close) {
			cl.Close()
		}
	}
}

// comeUp ends one outage; when none is left the node gets a new life and
// its start hooks run again once the old processes have returned.
func (n *Node) comeUp(blackhole bool) {
	n.mu.Lock()
	if blackhole {
		n.blackhole--
	} else {
		n.refusing--
	}
	if !n.up() {
		n.mu.Unlock()
		return
	}
	old := n.procs
	n.life, n.kill = context.WithCancelCause(n.w.ctx)
	n.procs = new(sync.WaitGroup)
	life, procs, hooks := n.life, n.procs, slices.Clone(n.hooks)
	n.mu.Unlock()
	n.w.spawn(func() {
		old.Wait()
		if life.Err() != nil {
			return // down again already, or closing
		}
		for _, h := range hooks {
			n.start(life, procs, h.fn)
		}
	})
}

// shutdown is the node's part of World.Close: the world's ctx is already
// done, so its processes are stopping; drop its Kafka clients.
func (n *Node) shutdown() {
	n.mu.Lock()
	producer := n.producer
	n.producer = nil
	var cs []*consumer
	for c := range n.consumers {
		cs = append(cs, c)
	}
	n.mu.Unlock()
	if producer != nil {
		producer.Close()
	}
	for _, c := range cs {
		c.Close()
	}
	if n.svc != nil {
		n.svc.close()
	}
}
