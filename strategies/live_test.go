package strategies_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"runtime"
	"runtime/pprof"
	"slices"
	"testing"
	"time"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/sharebench/sharebench/pages"
	"github.com/sharebench/sharebench/sim"
	"github.com/sharebench/sharebench/sim/live"
	"github.com/sharebench/sharebench/strategies"
	"github.com/sharebench/sharebench/workload/judge"
)

// The live tests deploy the strategies into sim/live — real goroutines,
// HTTP on loopback, an in-process kfake cluster, faults through TCP
// proxies — and check the properties the virtual tests check, with bounds
// generous enough for wall-clock noise and the race detector. Each is a
// few seconds of wall time.

// liveRig is one strategy deployed in a live world, with a client node
// that writes and renders on a schedule.
type liveRig struct {
	t       *testing.T
	w       *live.World
	d       *strategies.Deployment
	hist    *judge.History
	client  *live.Node
	renders []*render
	sellers int
	base    int      // goroutines before the world
	addrs   []string // its listeners, checked closed after
	stopped bool
}

var liveStrategies = []strategies.Strategy{strategies.Sync, strategies.Async, strategies.Hybrid}

// liveCallTimeout is the per-attempt timeout of calls to the owner: loopback
// calls take well under a millisecond, but the race detector and a busy
// machine stretch that.
const liveCallTimeout = 200 * ms

func newLiveRig(t *testing.T, strategy strategies.Strategy) *liveRig {
	t.Helper()
	r := &liveRig{t: t, hist: judge.NewHistory(), sellers: 300, base: runtime.NumGoroutine()}
	w, err := live.New(live.WithSeed(1))
	if err != nil {
		t.Fatal(err)
	}
	r.w = w
	t.Cleanup(r.stop)
	if err := w.AddBroker(sim.BrokerSpec{
		Partitions:     4,
		CommitInterval: 500 * ms,
		SessionTimeout: 3 * time.Second,
		MaxWait:        100 * ms,
	}); err != nil {
		t.Fatal(err)
	}
	cfg := strategies.DefaultConfig()
	cfg.Strategy, cfg.Sellers, cfg.Initial = strategy, r.sellers, initial
	cfg.Owner = sim.ServiceSpec{Workers: 8, Queue: 1000, ServiceTime: sim.DurationDist{Dist: sim.Exp{M: 0.001}}}
	cfg.Pages = map[string]sim.ServiceSpec{
		"gig":    {Workers: 64, ServiceTime: sim.DurationDist{Dist: sim.Exp{M: 0.0005}}},
		"user":   {Workers: 64, ServiceTime: sim.DurationDist{Dist: sim.Exp{M: 0.0005}}},
		"search": {Workers: 64, ServiceTime: sim.DurationDist{Dist: sim.Exp{M: 0.001}}},
	}
	cfg.Call.Timeout, cfg.Call.Retries, cfg.Call.Parallel = liveCallTimeout, 1, true
	cfg.OnCommit = func(_ string, l *strategies.List) { r.hist.Record(l) }
	d, err := strategies.Deploy(w.Hosts(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	r.d = d
	r.client = w.Node("client")
	return r
}

// stop closes the world and checks that it bound only 127.0.0.1 and left
// no goroutine and no open port behind. Afterwards every process has
// returned, so the test reads renders and history without racing them.
func (r *liveRig) stop() {
	if r.stopped {
		return
	}
	r.stopped = true
	t := r.t
	addrs := r.w.Addrs()
	for _, a := range addrs {
		if host, _, _ := net.SplitHostPort(a); host != "127.0.0.1" {
			t.Errorf("listener on %s; every listener must bind 127.0.0.1", a)
		}
	}
	if err := r.w.Close(); err != nil {
		t.Error(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > r.base && time.Now().Before(deadline) {
		time.Sleep(20 * ms)
	}
	if n := runtime.NumGoroutine(); n > r.base {
		var buf bytes.Buffer
		pprof.Lookup("goroutine").WriteTo(&buf, 1)
		t.Errorf("%d goroutines after Close; %d before the world:\n%s", n, r.base, buf.String())
	}
	for _, a := range addrs {
		if c, err := net.DialTimeout("tcp", a, time.Second); err == nil {
			c.Close()
			t.Errorf("%s still accepts connections after Close", a)
		}
	}
}

func (r *liveRig) inject(faults ...sim.Fault) {
	r.t.Helper()
	if err := r.w.Inject(faults...); err != nil {
		r.t.Fatal(err)
	}
}

// event is something the client does at a world time.
type event struct {
	at time.Duration
	fn func(ctx context.Context)
}

// run has the client do the events, in order of time, each as a process of
// its own started at its time.
func (r *liveRig) run(events []event) {
	slices.SortStableFunc(events, func(a, b event) int { return int(a.at - b.at) })
	c := r.client
	c.Go("driver", func(ctx context.Context) {
		for _, e := range events {
			if c.Sleep(ctx, e.at-c.Now()) != nil {
				return
			}
			c.Go("event", e.fn)
		}
	})
}

func (r *liveRig) write(at time.Duration, wr strategies.Write) event {
	c := r.client
	return event{at, func(ctx context.Context) {
		ctx, cancel := c.WithTimeout(ctx, time.Second)
		defer cancel()
		c.Call(ctx, strategies.OwnerNode, strategies.MethodWrite, wr)
	}}
}

func (r *liveRig) render(at time.Duration, kind string, sellers ...strategies.Seller) event {
	rd := &render{kind: kind, sellers: sellers}
	r.renders = append(r.renders, rd)
	c := r.client
	return event{at, func(ctx context.Context) {
		ctx, cancel := c.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		rd.sent = c.Now()
		body, err := c.Call(ctx, strategies.PageServices[kind], strategies.MethodRender, strategies.PageRequest{Kind: kind, Sellers: sellers})
		rd.done, rd.err = c.Now(), err
		if err == nil {
			rd.page = body.(strategies.Page)
		}
	}}
}

// randomWrites are Poisson writes at rate per second over [from, to).
func (r *liveRig) randomWrites(rng *rand.Rand, from, to time.Duration, rate float64) []event {
	var es []event
	for t := from; ; {
		t += time.Duration(rng.ExpFloat64() / rate * 1e9)
		if t >= to {
			return es
		}
		s := strategies.Seller(rng.IntN(r.sellers))
		op := []strategies.Op{strategies.Add, strategies.Add, strategies.Remove, strategies.Reorder}[rng.IntN(4)]
		es = append(es, r.write(t, strategies.Write{Seller: s, Op: op, Client: uint32(s)*100 + uint32(rng.IntN(6))}))
	}
}

// diverged lists the view entries that differ from the owner's lists; the
// stores are safe to read while the world runs.
func (r *liveRig) diverged() []string { return divergedViews(r.d, r.sellers) }

// publishCorrupt puts a record that is not msgpack, and a truncated event
// for a version far ahead of the owner, on the strategy's topic. A view
// that applied the truncated one would never equal the owner again.
func (r *liveRig) publishCorrupt(at time.Duration, topic string) event {
	chaos := r.w.Node("chaos")
	return event{at, func(ctx context.Context) {
		full, err := msgpack.Marshal(strategies.ListEvent{Seller: 5, Version: 1000, Clients: []strategies.Client{strategies.NewClient(7, 200)}})
		if topic == strategies.IDsTopic {
			full, err = msgpack.Marshal(strategies.IDsEvent{Seller: 5, Version: 1000, IDs: []uint32{7, 8, 9}})
		}
		if err != nil {
			panic(err)
		}
		for _, v := range [][]byte{[]byte("\xc1 not msgpack"), full[:len(full)-2]} {
			pctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			if err := chaos.Publish(pctx, topic, "5", v); err != nil {
				panic(fmt.Sprintf("publishing a corrupt record: %v", err))
			}
			cancel()
		}
	}}
}

func topicOf(s strategies.Strategy) string {
	if s == strategies.Hybrid {
		return strategies.IDsTopic
	}
	return strategies.ListsTopic
}

// TestLiveConvergence: writes flow while the broker is cut off from the
// gig service and gig from the owner, and while corrupt and truncated
// records sit on the topic; once the partitions heal and writes stop,
// every view equals the owner, the corrupt records were counted and
// skipped, and gig renders every seller's latest list.
func TestLiveConvergence(t *testing.T) {
	const writesEnd, bound = 2500 * ms, 15 * time.Second
	for _, st := range liveStrategies {
		t.Run(string(st), func(t *testing.T) {
			r := newLiveRig(t, st)
			rng := rand.New(rand.NewPCG(1, 11))
			// The broker partition heals as writes stop.
			r.inject(
				sim.Fault{At: 500 * ms, For: writesEnd - 500*ms, Kind: sim.Partition, Between: []string{sim.BrokerNode, "gig"}},
				sim.Fault{At: 1000 * ms, For: 800 * ms, Kind: sim.Partition, Between: []string{"gig", strategies.OwnerNode}},
			)
			events := r.randomWrites(rng, 0, writesEnd, 40)
			if st != strategies.Sync {
				events = append(events, r.publishCorrupt(700*ms, topicOf(st)))
			}
			r.run(events)
			time.Sleep(writesEnd - 100*ms - r.w.Now())
			if st != strategies.Sync {
				// The partition is real: gig's view has fallen behind.
				behind := 0
				for _, d := range r.diverged() {
					if d[:4] == "gig/" {
						behind++
					}
				}
				if behind == 0 {
					t.Errorf("gig's view equals the owner while cut off from the broker for %v of writes", writesEnd-600*ms)
				}
			}
			time.Sleep(writesEnd - r.w.Now())
			converged := false
			deadline := time.Now().Add(bound)
			for !converged && time.Now().Before(deadline) {
				time.Sleep(100 * ms)
				converged = len(r.diverged()) == 0 && r.d.Owner.Pending() == 0
			}
			if !converged {
				d := r.diverged()
				t.Fatalf("%d view entries still differ from the owner %v after writes stopped, e.g. %v; outbox holds %d", len(d), bound, d[:min(5, len(d))], r.d.Owner.Pending())
			}
			t.Logf("views equal the owner %v after the partition healed and writes stopped", r.w.Now()-writesEnd)
			// Late renders, spread out: every seller with clients, on gig.
			var late []event
			at := r.w.Now() + 50*ms
			for s := strategies.Seller(0); int(s) < r.sellers; s += 5 {
				late = append(late, r.render(at, "gig", s))
				at += 5 * ms
			}
			r.run(late)
			time.Sleep(at - r.w.Now() + time.Second)
			views := map[string]strategies.ViewStats{}
			for name, v := range r.d.Views {
				r.w.Node(name).Do(func() { views[name] = v[strategies.OwnerNode].Stats })
			}
			r.stop()
			for name, vs := range views {
				if vs.Corrupt < 2 {
					t.Errorf("%s view counted %d corrupt records; want the 2 published (or more, redelivered)", name, vs.Corrupt)
				}
			}
			for _, rd := range r.renders {
				if rd.err != nil {
					t.Errorf("late render of seller %d: %v", rd.sellers[0], rd.err)
					continue
				}
				sec := rd.page.Sections[0]
				if sec.Failed || sec.Version != r.hist.Latest(sec.Seller) {
					t.Errorf("late gig render of seller %d: %+v; want version %d", sec.Seller, sec, r.hist.Latest(sec.Seller))
				}
			}
		})
	}
}

// TestLiveSelfViewNeverStale: self-views rendered right after writes show
// exactly what the owner held when it read them, in every strategy.
func TestLiveSelfViewNeverStale(t *testing.T) {
	for _, st := range liveStrategies {
		t.Run(string(st), func(t *testing.T) {
			r := newLiveRig(t, st)
			rng := rand.New(rand.NewPCG(2, 12))
			var events []event
			const pairs = 200
			for i := range pairs {
				at := 200*ms + time.Duration(i)*10*ms
				s := strategies.Seller(rng.IntN(r.sellers))
				events = append(events,
					r.write(at, strategies.Write{Seller: s, Op: strategies.Add, Client: uint32(s)*100 + uint32(rng.IntN(6))}),
					r.render(at+time.Duration(rng.IntN(3))*ms, "self", s))
			}
			r.run(events)
			time.Sleep(200*ms + pairs*10*ms + time.Second - r.w.Now())
			r.stop()
			judged := judgeSelfViews(t, r.renders, r.hist)
			if judged < pairs*3/4 {
				t.Errorf("only %d of %d self-views rendered their section; too few to judge", judged, pairs)
			}
		})
	}
}

// TestLiveGracefulDegradation: with the owner down — refusing, then
// black-holed — gig pages still render; sync and hybrid leave out the
// section of sellers with clients within the call deadline (and a
// generous margin), async pages are untouched.
func TestLiveGracefulDegradation(t *testing.T) {
	const margin = 300 * ms
	windows := []struct {
		mode string
		at   time.Duration
	}{{"refuse", 300 * ms}, {"blackhole", 1800 * ms}}
	const outage = 1200 * ms
	for _, st := range liveStrategies {
		t.Run(string(st), func(t *testing.T) {
			r := newLiveRig(t, st)
			var events []event
			type probe struct {
				mode string
				rd   *render
			}
			var probes []probe
			for _, win := range windows {
				r.inject(sim.Fault{At: win.at, For: outage, Kind: sim.Outage, Target: strategies.OwnerNode, Mode: win.mode})
				for i := range 10 {
					at := win.at + 200*ms + time.Duration(i)*60*ms
					for _, s := range []strategies.Seller{strategies.Seller(5 * i), strategies.Seller(5*i + 1)} {
						e := r.render(at, "gig", s)
						events = append(events, e)
						probes = append(probes, probe{win.mode, r.renders[len(r.renders)-1]})
					}
				}
			}
			r.run(events)
			last := windows[len(windows)-1]
			time.Sleep(last.at + outage + time.Second - r.w.Now())
			r.stop()
			deadline := r.d.Config.Call.Deadline()
			for _, p := range probes {
				rd := p.rd
				if rd.err != nil {
					t.Errorf("%s: gig page did not render: %v", p.mode, rd.err)
					continue
				}
				sec := rd.page.Sections[0]
				remote := st == strategies.Sync || (st == strategies.Hybrid && hasClients(sec.Seller))
				switch {
				case remote && !sec.Failed:
					t.Errorf("%s: section for seller %d rendered with the owner down: %+v", p.mode, sec.Seller, sec)
				case !remote && sec.Failed:
					t.Errorf("%s: section for seller %d failed though %s needs no owner call for it: %+v", p.mode, sec.Seller, st, sec)
				case remote && rd.latency() > deadline+margin:
					t.Errorf("%s: degraded page took %v; want ≤ %v (the call deadline) + %v", p.mode, rd.latency(), deadline, margin)
				case !remote && rd.latency() > margin:
					t.Errorf("%s: page needing no owner took %v; want ≤ %v", p.mode, rd.latency(), margin)
				}
			}
		})
	}
}

// TestLiveTwoOwners: the general form serves live as it does in virtual
// time: one page reads a sync owner and an async one, each by its own
// strategy, over its own topic and consumer group; both sections show the
// writes made before.
func TestLiveTwoOwners(t *testing.T) {
	r := &liveRig{t: t, base: runtime.NumGoroutine()}
	w, err := live.New(live.WithSeed(1))
	if err != nil {
		t.Fatal(err)
	}
	r.w = w
	t.Cleanup(r.stop)
	if err := w.AddBroker(sim.BrokerSpec{Partitions: 2, CommitInterval: 500 * ms, SessionTimeout: 3 * time.Second, MaxWait: 100 * ms}); err != nil {
		t.Fatal(err)
	}
	cfg := strategies.DefaultConfig()
	prices, reviews := owner("prices", strategies.Sync, ms), owner("reviews", strategies.Async, ms)
	prices.Call.Timeout, reviews.Call.Timeout = liveCallTimeout, liveCallTimeout
	cfg.Owners = []strategies.OwnerConfig{prices, reviews}
	cfg.Kinds = []pages.Kind{{Name: "product", Service: "product", Reads: []pages.Read{read("prices", 1, true), read("reviews", 1, true)}}}
	cfg.Pages = map[string]sim.ServiceSpec{"product": {Workers: 16, ServiceTime: sim.ConstDuration(ms)}}
	if r.d, err = strategies.Deploy(w.Hosts(), cfg); err != nil {
		t.Fatal(err)
	}
	r.client = w.Node("client")
	c := r.client
	write := func(at time.Duration, owner string) event {
		return event{at, func(ctx context.Context) {
			ctx, cancel := c.WithTimeout(ctx, time.Second)
			defer cancel()
			if _, err := c.Call(ctx, owner, strategies.MethodWrite, strategies.Write{Seller: 3, Op: strategies.Add, Client: 9}); err != nil {
				t.Errorf("write to %s: %v", owner, err)
			}
		}}
	}
	rd := &render{kind: "product", sellers: []strategies.Seller{3, 3}}
	r.run([]event{write(100*ms, "prices"), write(100*ms, "reviews"), {1500 * ms, func(ctx context.Context) {
		ctx, cancel := c.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		body, err := c.Call(ctx, "product", strategies.MethodRender, strategies.PageRequest{Kind: "product", Sellers: rd.sellers})
		rd.err = err
		if err == nil {
			rd.page = body.(strategies.Page)
		}
	}}})
	time.Sleep(2500*ms - r.w.Now())
	r.stop()
	if rd.err != nil {
		t.Fatalf("product page: %v", rd.err)
	}
	if s := rd.page.Sections; len(s) != 2 || !s[0].FromOwner || s[0].Version != 1 || s[1].FromOwner || s[1].Version != 1 {
		t.Errorf("product page sections %+v; want prices read from its owner and reviews from the view, both at version 1", s)
	}
	if got := r.d.Owners["reviews"].Stats.Reads; got != 0 {
		t.Errorf("async owner reviews served %d reads; want 0", got)
	}
}
