package strategies

import (
	"fmt"
	"slices"

	"github.com/sharebench/sharebench/pages"
	"github.com/sharebench/sharebench/sim"
)

// Deployment is a configuration deployed into a world: the handles the
// harness and tests read.
type Deployment struct {
	Config Config
	// Owner is the first owner (the marketplace's only one), for callers
	// that know of one.
	Owner    *Owner
	Owners   map[string]*Owner                  // by owner name
	Services []string                           // the page services, in deploy order
	Pages    map[string]*PageService            // by page service
	Views    map[string]map[string]*View        // [service][owner], for async and hybrid owners
	caches   map[string]map[string]*cacheSource // [service][owner], for sync-cache owners
}

// View is service's view of owner's records; nil if it keeps none.
func (d *Deployment) View(service, owner string) *View { return d.Views[service][owner] }

// Duplication is how many encoded bytes of the owners' data each page
// service holds, summed over owners: its views, or the entries its caches
// could still serve (expired ones are evicted); nothing for sync.
func (d *Deployment) Duplication() map[string]int64 {
	m := map[string]int64{}
	for _, name := range d.Services {
		m[name] = 0
	}
	for _, byService := range d.DuplicationByOwner() {
		for name, n := range byService {
			m[name] += n
		}
	}
	return m
}

// DuplicationByOwner is Duplication by [owner][service], with an entry
// for every service whose public pages read the owner (one that only
// self-views read is read directly, never copied).
func (d *Deployment) DuplicationByOwner() map[string]map[string]int64 {
	m := map[string]map[string]int64{}
	topo := d.Config.topology()
	for _, name := range d.Services {
		for _, owner := range topo.ServiceReads(name) {
			if m[owner] == nil {
				m[owner] = map[string]int64{}
			}
			switch {
			case d.Views[name][owner] != nil:
				m[owner][name] = d.Views[name][owner].Stats.Bytes
			case d.caches[name][owner] != nil:
				m[owner][name] = d.caches[name][owner].bytes()
			default:
				m[owner][name] = 0
			}
		}
	}
	return m
}

// CacheStats is each sync-cache page service's count of hits, misses and
// stale-if-error serves, summed over the owners it caches; empty when no
// owner uses sync-cache.
func (d *Deployment) CacheStats() map[string]CacheStats {
	m := map[string]CacheStats{}
	for name, byOwner := range d.caches {
		var sum CacheStats
		for _, c := range byOwner {
			sum.Hits += c.stats.Hits
			sum.Misses += c.stats.Misses
			sum.Stale += c.stats.Stale
			sum.Failed += c.stats.Failed
		}
		m[name] = sum
	}
	return m
}

// CacheStatsByOwner is CacheStats by [owner][service]: each sync-cache
// owner's counts at each page service that reads it.
func (d *Deployment) CacheStatsByOwner() map[string]map[string]CacheStats {
	m := map[string]map[string]CacheStats{}
	for name, byOwner := range d.caches {
		for owner, c := range byOwner {
			if m[owner] == nil {
				m[owner] = map[string]CacheStats{}
			}
			m[owner][name] = c.stats
		}
	}
	return m
}

// PageServiceNames lists the marketplace's page services, in a fixed
// order.
var PageServiceNames = pages.Services()

// Deploy wires the owners, each by its strategy's Design, and the page
// services into the world's nodes: services, their handlers, and the
// processes (outbox relays, consumers, anti-entropy) that run from each
// node's start. Each page service gets, for every owner its public kinds
// read, a source by that owner's strategy (a view, a cache...), and for
// every owner only its self-views read, the owner's client alone: no copy
// it would never read. The world must have a broker if any
// owner's strategy publishes.
func Deploy(h sim.Hosts, cfg Config) (*Deployment, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	d := &Deployment{
		Config: cfg, Owners: map[string]*Owner{}, Services: cfg.services(), Pages: map[string]*PageService{},
		Views: map[string]map[string]*View{}, caches: map[string]map[string]*cacheSource{},
	}
	owners := map[string]OwnerConfig{}
	initial := map[string][]*List{}
	for _, oc := range cfg.owners() {
		if oc.Initial == nil {
			oc.Initial = func(Seller) []uint32 { return nil }
		}
		owners[oc.Name] = oc
		initial[oc.Name] = initialLists(oc)
		o := newOwner(h.Node(oc.Name), cfg, oc)
		o.seed(initial[oc.Name])
		if cfg.OnCommit != nil {
			for _, l := range initial[oc.Name] {
				cfg.OnCommit(oc.Name, l)
			}
		}
		spec := oc.Spec
		spec.Handler = o.Handle
		if err := h.Serve(oc.Name, spec); err != nil {
			return nil, err
		}
		if o.outbox {
			h.OnStart(oc.Name, "outbox-relay", o.relay)
		}
		if d.Owner == nil {
			d.Owner = o
		}
		d.Owners[oc.Name] = o
	}

	topo := cfg.topology()
	kinds := map[string]pages.Kind{}
	for _, k := range cfg.kinds() {
		kinds[k.Name] = k
	}
	for _, name := range d.Services {
		env := h.Node(name)
		p := &PageService{
			env: env, cfg: cfg, name: name, kinds: kinds, sources: map[string]source{}, owners: map[string]*ownerSource{},
			calls: map[string]CallOptions{}, records: map[string]int{}, Stats: PageStats{Renders: map[string]int64{}},
		}
		public := topo.ServiceReads(name)
		for _, ownerName := range topo.ServiceCalls(name) {
			oc := owners[ownerName]
			p.calls[ownerName], p.records[ownerName] = oc.Call, oc.Sellers
			if !slices.Contains(public, ownerName) {
				p.owners[ownerName] = newOwnerSource(env, oc.Name, oc.Call)
				continue
			}
			src, err := d.source(h, env, name, oc, initial[ownerName])
			if err != nil {
				return nil, err
			}
			p.sources[ownerName], p.owners[ownerName] = src, src.owner
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

// pageSource is what a page service reads of one owner: the public
// pages' source, and the owner itself for self-views.
type pageSource struct {
	source
	owner *ownerSource
}

// source makes service's source of oc's records as oc's strategy keeps
// them, and starts what keeps it.
func (d *Deployment) source(h sim.Hosts, env sim.Env, service string, oc OwnerConfig, initial []*List) (pageSource, error) {
	cfg := d.Config
	owner := newOwnerSource(env, oc.Name, oc.Call)
	keeps := oc.Strategy.Design().Keeps
	switch keeps {
	case KeepsNothing:
		return pageSource{owner, owner}, nil
	case KeepsCache:
		c := &cacheSource{
			owner: owner, ttl: cfg.CacheTTL, jitter: ttlJitter, staleIfError: cfg.StaleIfError, env: env,
			ttlStream: concern("cache-ttl", oc.Name),
		}
		h.OnStart(service, "cache-reset", c.reset) // memory starts empty
		if d.caches[service] == nil {
			d.caches[service] = map[string]*cacheSource{}
		}
		d.caches[service][oc.Name] = c
		return pageSource{c, owner}, nil
	case KeepsLists, KeepsIDSets:
		held, _ := keeps.holding()
		v := newView(env, oc, service, held)
		for _, l := range initial {
			v.applyList(l)
		}
		v.Stats = ViewStats{Bytes: v.Stats.Bytes} // the snapshot is not traffic
		h.OnStart(service, "consumer", v.consume)
		if oc.ReconcileEvery > 0 {
			h.OnStart(service, "anti-entropy", v.reconcile)
		}
		if d.Views[service] == nil {
			d.Views[service] = map[string]*View{}
		}
		d.Views[service][oc.Name] = v
		return pageSource{held.source(v, owner), owner}, nil
	}
	return pageSource{}, fmt.Errorf("owner %s's strategy %q keeps %q: no page source for it", oc.Name, oc.Strategy, keeps)
}

// initialLists builds an owner's starting lists: version 1, committed at
// 0, for every record with items.
func initialLists(oc OwnerConfig) []*List {
	var ls []*List
	for s := range Seller(oc.Sellers) {
		ids := oc.Initial(s)
		if len(ids) == 0 {
			continue
		}
		l := &List{Seller: s, Version: 1, Clients: make([]Client, len(ids))}
		for i, id := range ids {
			l.Clients[i] = NewClient(id, oc.ClientSize)
		}
		ls = append(ls, l)
	}
	return ls
}
