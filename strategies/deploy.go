package strategies

import (
	"fmt"

	"github.com/sharebench/sharebench/pages"
	"github.com/sharebench/sharebench/sim"
)

// Deployment is a strategy deployed into a world: the handles the harness
// and tests read.
type Deployment struct {
	Config Config
	Owner  *Owner
	Pages  map[string]*PageService // by service: gig, user, search
	Views  map[string]*View        // by service, for async and hybrid
	caches map[string]*cacheSource // by service, for sync-cache
}

// Duplication is how many encoded bytes of the owner's data each page
// service holds: its view, or the entries its cache could still serve
// (expired ones are evicted); nothing for sync.
func (d *Deployment) Duplication() map[string]int64 {
	m := map[string]int64{}
	for _, name := range PageServiceNames {
		switch {
		case d.Views[name] != nil:
			m[name] = d.Views[name].Stats.Bytes
		case d.caches[name] != nil:
			m[name] = d.caches[name].bytes()
		default:
			m[name] = 0
		}
	}
	return m
}

// CacheStats is each sync-cache page service's count of hits, misses and
// stale-if-error serves; empty for the other strategies.
func (d *Deployment) CacheStats() map[string]CacheStats {
	m := map[string]CacheStats{}
	for name, c := range d.caches {
		m[name] = c.stats
	}
	return m
}

// PageServiceNames lists the page services, in a fixed order.
var PageServiceNames = pages.Services()

// Deploy wires the owner and the page services of cfg.Strategy, as its
// Design says, into the world's nodes: services, their handlers, and the
// processes (outbox relay, consumers, anti-entropy) that run from each
// node's start. The world must have a broker for the strategies that
// publish.
func Deploy(h sim.Hosts, cfg Config) (*Deployment, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Initial == nil {
		cfg.Initial = func(Seller) []uint32 { return nil }
	}
	d := &Deployment{Config: cfg, Pages: map[string]*PageService{}, Views: map[string]*View{}, caches: map[string]*cacheSource{}}

	design := cfg.Strategy.Design()
	initial := initialLists(cfg)
	d.Owner = newOwner(h.Node(OwnerNode), cfg)
	d.Owner.seed(initial)
	if cfg.OnCommit != nil {
		for _, l := range initial {
			cfg.OnCommit(l)
		}
	}
	ownerSpec := cfg.Owner
	ownerSpec.Handler = d.Owner.Handle
	if err := h.Serve(OwnerNode, ownerSpec); err != nil {
		return nil, err
	}
	if d.Owner.outbox {
		h.OnStart(OwnerNode, "outbox-relay", d.Owner.relay)
	}

	for _, name := range PageServiceNames {
		env := h.Node(name)
		owner := newOwnerSource(env, cfg.Call)
		p := &PageService{env: env, cfg: cfg, owner: owner, Stats: PageStats{Renders: map[string]int64{}}}
		switch design.Keeps {
		case KeepsNothing:
			p.source = owner
		case KeepsCache:
			c := &cacheSource{owner: owner, ttl: cfg.CacheTTL, jitter: ttlJitter, staleIfError: cfg.StaleIfError, env: env}
			h.OnStart(name, "cache-reset", c.reset) // memory starts empty
			p.source = c
			d.caches[name] = c
		case KeepsLists, KeepsIDSets:
			held, _ := design.Keeps.holding()
			v := newView(env, cfg, name, held)
			for _, l := range initial {
				v.applyList(l)
			}
			v.Stats = ViewStats{Bytes: v.Stats.Bytes} // the snapshot is not traffic
			h.OnStart(name, "consumer", v.consume)
			if cfg.ReconcileEvery > 0 {
				h.OnStart(name, "anti-entropy", v.reconcile)
			}
			d.Views[name] = v
			p.source = held.source(v, owner)
		default:
			return nil, fmt.Errorf("strategy %q keeps %q: no page source for it", cfg.Strategy, design.Keeps)
		}
		spec := cfg.Pages[name]
		spec.Handler = p.Handle
		if err := h.Serve(name, spec); err != nil {
			return nil, err
		}
		d.Pages[name] = p
	}
	return d, nil
}

// initialLists builds the starting lists: version 1, committed at 0, for
// every seller with clients.
func initialLists(cfg Config) []*List {
	var ls []*List
	for s := range Seller(cfg.Sellers) {
		ids := cfg.Initial(s)
		if len(ids) == 0 {
			continue
		}
		l := &List{Seller: s, Version: 1, Clients: make([]Client, len(ids))}
		for i, id := range ids {
			l.Clients[i] = NewClient(id, cfg.ClientSize)
		}
		ls = append(ls, l)
	}
	return ls
}
