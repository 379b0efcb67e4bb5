package strategies_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/sharebench/sharebench/sim"
	"github.com/sharebench/sharebench/sim/virtual"
	"github.com/sharebench/sharebench/strategies"
	"github.com/sharebench/sharebench/workload/judge"
)

// The tests wire a virtual world to the strategies themselves, the way
// workload does for real runs; test files are outside the package's import
// graph, so the import rule (no sim/virtual in strategies) still holds.

const ms = time.Millisecond

// rig is one strategy deployed in a small virtual world, with a client
// node that writes and renders on a schedule.
type rig struct {
	t       *testing.T
	w       *virtual.World
	d       *strategies.Deployment
	hist    *judge.History
	client  *virtual.Node
	renders []*render
	sellers int
}

// render is one page request and what came of it.
type render struct {
	kind       string
	sellers    []strategies.Seller
	sent, done time.Duration
	page       strategies.Page
	err        error
}

func (r *render) latency() time.Duration { return r.done - r.sent }

// hasClients is the initial population: every fifth seller has three.
func hasClients(s strategies.Seller) bool { return s%5 == 0 }

func initial(s strategies.Seller) []uint32 {
	if !hasClients(s) {
		return nil
	}
	base := uint32(s) * 100
	return []uint32{base, base + 1, base + 2}
}

type rigOption func(*strategies.Config, *sim.BrokerSpec)

func newRig(t *testing.T, strategy strategies.Strategy, seed uint64, opts ...rigOption) *rig {
	t.Helper()
	w := virtual.New(seed, virtual.WithDefaultLink(virtual.LinkSpec{Latency: sim.DurationDist{Dist: sim.Exp{M: 0.0005}}}))
	t.Cleanup(w.Close)
	bs := sim.BrokerSpec{
		Partitions:      4,
		PublishLatency:  sim.DurationDist{Dist: sim.Exp{M: 0.002}},
		DeliveryLatency: sim.DurationDist{Dist: sim.Exp{M: 0.005}},
		CommitInterval:  time.Second,
		SessionTimeout:  3 * time.Second,
	}
	r := &rig{t: t, w: w, hist: judge.NewHistory(), sellers: 200}
	cfg := strategies.DefaultConfig()
	cfg.Strategy, cfg.Sellers, cfg.Initial = strategy, r.sellers, initial
	cfg.Owner = sim.ServiceSpec{Workers: 8, Queue: 1000, ServiceTime: sim.DurationDist{Dist: sim.Exp{M: 0.002}}}
	cfg.Pages = map[string]sim.ServiceSpec{
		"gig":    {Workers: 64, ServiceTime: sim.DurationDist{Dist: sim.Exp{M: 0.001}}},
		"user":   {Workers: 64, ServiceTime: sim.DurationDist{Dist: sim.Exp{M: 0.001}}},
		"search": {Workers: 64, ServiceTime: sim.DurationDist{Dist: sim.Exp{M: 0.003}}},
	}
	cfg.Call.Timeout, cfg.Call.Retries, cfg.Call.Parallel = 50*ms, 1, true
	cfg.CacheTTL = 2 * time.Second
	cfg.OnCommit = func(_ string, l *strategies.List) { r.hist.Record(l) }
	for _, o := range opts {
		o(&cfg, &bs)
	}
	if err := w.AddBroker(bs); err != nil {
		t.Fatal(err)
	}
	d, err := strategies.Deploy(w.Hosts(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	r.d = d
	r.client = w.Node("client")
	return r
}

func (r *rig) inject(faults ...sim.Fault) {
	r.t.Helper()
	if err := r.w.Inject(faults...); err != nil {
		r.t.Fatal(err)
	}
}

// writeAt sends a write to the owner at virtual time at.
func (r *rig) writeAt(at time.Duration, wr strategies.Write) {
	r.w.At(at, func() {
		r.client.Go("write", func(ctx context.Context) {
			ctx, cancel := r.client.WithTimeout(ctx, time.Second)
			defer cancel()
			r.client.Call(ctx, strategies.OwnerNode, strategies.MethodWrite, wr)
		})
	})
}

// renderAt asks for a page at virtual time at.
func (r *rig) renderAt(at time.Duration, kind string, sellers ...strategies.Seller) *render {
	rd := &render{kind: kind, sellers: sellers}
	r.renders = append(r.renders, rd)
	r.w.At(at, func() {
		r.client.Go("render", func(ctx context.Context) {
			ctx, cancel := r.client.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			rd.sent = r.client.Now()
			body, err := r.client.Call(ctx, strategies.PageServices[kind], strategies.MethodRender, strategies.PageRequest{Kind: kind, Sellers: sellers})
			rd.done, rd.err = r.client.Now(), err
			if err == nil {
				rd.page = body.(strategies.Page)
			}
		})
	})
	return rd
}

// randomWrites sends Poisson writes at rate per second over [from, to),
// to random sellers, adding, removing or moving clients.
func (r *rig) randomWrites(rng *rand.Rand, from, to time.Duration, rate float64) {
	for t := from; ; {
		t += time.Duration(rng.ExpFloat64() / rate * 1e9)
		if t >= to {
			return
		}
		s := strategies.Seller(rng.IntN(r.sellers))
		op := []strategies.Op{strategies.Add, strategies.Add, strategies.Remove, strategies.Reorder}[rng.IntN(4)]
		r.writeAt(t, strategies.Write{Seller: s, Op: op, Client: uint32(s)*100 + uint32(rng.IntN(6))})
	}
}

// randomRenders asks for random pages at rate per second over [from, to).
func (r *rig) randomRenders(rng *rand.Rand, from, to time.Duration, rate float64) {
	kinds := []string{"gig", "gig", "user", "search", "self"}
	for t := from; ; {
		t += time.Duration(rng.ExpFloat64() / rate * 1e9)
		if t >= to {
			return
		}
		kind := kinds[rng.IntN(len(kinds))]
		n := 1
		if kind == "search" {
			n = 10
		}
		sellers := make([]strategies.Seller, n)
		for i := range sellers {
			sellers[i] = strategies.Seller(rng.IntN(r.sellers))
		}
		r.renderAt(t, kind, sellers...)
	}
}

// randomFaults draws a schedule of faults inside [0, end): owner outages
// and crashes, partitions, broker outages, consumer crashes, duplicate
// delivery, lost messages.
func randomFaults(rng *rand.Rand, end time.Duration) []sim.Fault {
	pages := strategies.PageServiceNames
	var fs []sim.Fault
	for range 2 + rng.IntN(5) {
		dur := time.Duration(100+rng.IntN(4000)) * ms
		at := time.Duration(rng.Int64N(int64(end - dur)))
		page := pages[rng.IntN(len(pages))]
		var f sim.Fault
		switch rng.IntN(8) {
		case 0:
			f = sim.Fault{Kind: sim.Outage, Target: strategies.OwnerNode, Mode: []string{"refuse", "blackhole"}[rng.IntN(2)]}
		case 1:
			f = sim.Fault{Kind: sim.Crash, Target: strategies.OwnerNode}
		case 2:
			f = sim.Fault{Kind: sim.Partition, Between: []string{sim.BrokerNode, page}, Mode: []string{"drop", "hold"}[rng.IntN(2)]}
		case 3:
			f = sim.Fault{Kind: sim.Partition, Between: []string{strategies.OwnerNode, sim.BrokerNode}}
		case 4:
			f = sim.Fault{Kind: sim.Outage, Target: sim.BrokerNode, Mode: []string{"refuse", "blackhole"}[rng.IntN(2)]}
		case 5:
			f = sim.Fault{Kind: sim.Crash, Target: page}
		case 6:
			f = sim.Fault{Kind: sim.Duplicate, Target: page, P: 0.5}
		case 7:
			f = sim.Fault{Kind: sim.Loss, Between: []string{page, strategies.OwnerNode}, P: 0.3}
		}
		f.At, f.For = at, dur
		fs = append(fs, f)
	}
	return fs
}

// diverged lists the sellers whose entry in some view differs from the
// owner's list.
func (r *rig) diverged() []string { return divergedViews(r.d, r.sellers) }

// divergedViews lists, as "service/seller", the view entries of a
// deployment that differ from the owner's lists.
func divergedViews(d *strategies.Deployment, sellers int) []string {
	var out []string
	for _, name := range strategies.PageServiceNames {
		v := d.View(name, strategies.OwnerNode)
		if v == nil {
			continue
		}
		for s := range strategies.Seller(sellers) {
			truth, e := d.Owner.List(s), v.Entry(s)
			ids := e.IDs
			if ids == nil {
				for _, c := range e.Clients {
					ids = append(ids, c.ID)
				}
			}
			if e.Version != truth.Version || !slices.Equal(ids, truth.IDs()) {
				out = append(out, name+"/"+strconv.Itoa(int(s)))
			}
		}
	}
	return out
}

// judgeSelfViews checks self-view renders in either world: each renders,
// each section it had was read from the owner, and none is stale (read
// your writes). It returns how many sections were had, to judge by.
func judgeSelfViews(t *testing.T, renders []*render, hist *judge.History) int {
	t.Helper()
	judged := 0
	for _, rd := range renders {
		if rd.err != nil {
			t.Errorf("self-view page failed to render: %v", rd.err)
			continue
		}
		sec := rd.page.Sections[0]
		if !sec.Failed {
			judged++
			if !sec.FromOwner {
				t.Errorf("self-view section not read from the owner: %+v", sec)
			}
		}
		if !hist.Current(sec) {
			t.Errorf("stale self-view: %+v; the owner held version %d at %v", sec, hist.VersionAt(sec.Seller, sec.ReadAt), sec.ReadAt)
		}
	}
	return judged
}
