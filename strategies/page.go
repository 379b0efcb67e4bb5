package strategies

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/sharebench/sharebench/pages"
	"github.com/sharebench/sharebench/sim"
)

// PageService renders pages, each a kind of cfg's with sections of one or
// more owners' records, each owner's got from the source its strategy
// gives this service. An optional section the source cannot get in time
// is left out (Failed) and the page renders; a required one fails the
// page (Handle answers a Page with Failed set, and every read's sections).
type PageService struct {
	env     sim.Env
	cfg     Config
	name    string
	kinds   map[string]pages.Kind   // by name: every configured kind
	sources map[string]source       // by owner: what public pages read
	owners  map[string]*ownerSource // by owner: what self-views read
	calls   map[string]CallOptions  // by owner
	records map[string]int          // by owner: how many records it owns
	Stats   PageStats
}

// PageStats counts a page service's work.
type PageStats struct {
	Renders map[string]int64 // pages rendered, by kind
}

// source gets the sections for a page's records of one owner.
type source interface {
	sections(ctx context.Context, sellers []Seller) []Section
	// remote reports whether getting them takes a call (and so may run
	// alongside the page's own work).
	remote() bool
}

// Handle renders a PageRequest. Its Sellers are the records of the kind's
// reads, concatenated in read order, and so are the page's sections. The
// page's own work is the kind's Work if cfg has one, else the request's.
func (p *PageService) Handle(ctx context.Context, req sim.Request) (any, error) {
	pr := req.Body.(PageRequest)
	kind, ok := p.kinds[pr.Kind]
	if !ok {
		return nil, fmt.Errorf("%s: no page kind %q", p.name, pr.Kind)
	}
	if kind.Service != p.name {
		return nil, fmt.Errorf("%s: %s pages are rendered by %s; send them there", p.name, pr.Kind, kind.Service)
	}
	reads := kind.Reads
	if len(p.cfg.Kinds) == 0 {
		// The marketplace: a page shows as many sellers as it asks for.
		reads = []pages.Read{reads[0]}
		reads[0].Records = len(pr.Sellers)
	} else if n := kind.Records(); n != len(pr.Sellers) {
		return nil, fmt.Errorf("%s: a %s page shows %d records; the request names %d", p.name, pr.Kind, n, len(pr.Sellers))
	}

	// Each read's source and records; a read whose owner's calls run in
	// parallel and that takes a call goes alongside the page's own work,
	// the others before it.
	srcs := make([]source, len(reads))
	sellers := make([][]Seller, len(reads))
	alongside := make([]bool, len(reads))
	from := 0
	for i, r := range reads {
		srcs[i] = p.sources[r.Owner]
		if kind.Self {
			srcs[i] = p.owners[r.Owner] // read-your-writes: the editor reads the owner
		}
		sellers[i] = pr.Sellers[from : from+r.Records]
		from += r.Records
		for _, s := range sellers[i] {
			if s < 0 || int(s) >= p.records[r.Owner] {
				return nil, fmt.Errorf("%s: a %s page asks for record %d of %s, which owns 0..%d", p.name, pr.Kind, s, r.Owner, p.records[r.Owner]-1)
			}
		}
		alongside[i] = p.calls[r.Owner].Parallel && srcs[i].remote()
	}
	p.Stats.Renders[pr.Kind]++
	work := req.Work
	if w, ok := p.cfg.Work[pr.Kind]; ok {
		work = w.Sample(p.env.Rand("work/" + pr.Kind))
	}
	secs := make([][]Section, len(reads))
	fetch := func(ctx context.Context, i int) { secs[i] = fetchRead(ctx, p.env, reads[i], srcs[i], sellers[i]) }

	var err error
	if kind.Sequential {
		err = p.inSequence(ctx, reads, srcs, sellers, alongside, secs, fetch, work)
	} else {
		err = p.inParallel(ctx, alongside, fetch, work)
	}
	if err != nil {
		return nil, err // out of time: no page, no sections
	}
	page := Page{Kind: pr.Kind, Sections: secs[0]}
	if len(secs) > 1 {
		page.Sections = slices.Concat(secs...)
	}
	for i, r := range reads {
		if r.Required && anyFailed(secs[i]) {
			page.Failed = fmt.Sprintf("%s: the %s page's required section of %s could not be had", p.name, pr.Kind, r.Owner)
			break
		}
	}
	return page, nil
}

// inParallel fetches every read at once: those alongside the page's own
// work start with it, the others first.
func (p *PageService) inParallel(ctx context.Context, alongside []bool, fetch func(context.Context, int), work time.Duration) error {
	var beside sim.Group
	var before []int
	for i, a := range alongside {
		if !a {
			before = append(before, i)
			continue
		}
		if beside == nil {
			beside, _ = p.env.Group(ctx)
		}
		beside.Go(func(ctx context.Context) error { fetch(ctx, i); return nil })
	}
	switch len(before) {
	case 0:
	case 1:
		fetch(ctx, before[0])
	default:
		g, _ := p.env.Group(ctx)
		for _, i := range before {
			g.Go(func(ctx context.Context) error { fetch(ctx, i); return nil })
		}
		g.Wait()
	}
	err := p.env.Sleep(ctx, work)
	if beside != nil {
		if werr := beside.Wait(); err == nil {
			err = werr
		}
	}
	return err
}

// inSequence fetches the reads one after another, and after a required
// one that failed, none: their sections are Failed. The chain goes
// alongside the page's own work only if every read in it that takes a call
// may.
func (p *PageService) inSequence(ctx context.Context, reads []pages.Read, srcs []source, sellers [][]Seller, alongside []bool, secs [][]Section, fetch func(context.Context, int), work time.Duration) error {
	chain := func(ctx context.Context) {
		stopped := false
		for i, r := range reads {
			if stopped {
				secs[i] = make([]Section, len(sellers[i]))
				for j, s := range sellers[i] {
					secs[i][j] = Section{Seller: s, Failed: true, Unasked: true}
				}
				continue
			}
			fetch(ctx, i)
			stopped = r.Required && anyFailed(secs[i])
		}
	}
	remote, beside := false, true
	for i, src := range srcs {
		if src.remote() {
			remote = true
			beside = beside && alongside[i]
		}
	}
	if remote && beside {
		g, _ := p.env.Group(ctx)
		g.Go(func(ctx context.Context) error { chain(ctx); return nil })
		err := p.env.Sleep(ctx, work)
		if werr := g.Wait(); err == nil {
			err = werr
		}
		return err
	}
	chain(ctx)
	return p.env.Sleep(ctx, work)
}

// fetchRead gets one read's sections from src: in one call for a batch
// read (or a view, which makes none), else one get per record, the gets in
// parallel.
func fetchRead(ctx context.Context, env sim.Env, r pages.Read, src source, sellers []Seller) []Section {
	if r.Batch || len(sellers) == 1 || !src.remote() {
		return src.sections(ctx, sellers)
	}
	secs := make([]Section, len(sellers))
	g, _ := env.Group(ctx)
	for j, s := range sellers {
		g.Go(func(ctx context.Context) error { secs[j] = src.sections(ctx, []Seller{s})[0]; return nil })
	}
	g.Wait()
	return secs
}

func anyFailed(secs []Section) bool {
	return slices.ContainsFunc(secs, func(s Section) bool { return s.Failed })
}

// ownerSource reads the owner: one get, or one batch for several sellers,
// each attempt with a timeout, retried with jittered exponential backoff
// within a retry budget.
type ownerSource struct {
	env    sim.Env
	retry  string // the random stream of its backoffs
	client ownerClient
	opts   CallOptions
	tokens float64 // retry budget
}

// budgetBurst is how many retries the budget allows at once.
const budgetBurst = 10

func newOwnerSource(env sim.Env, owner string, opts CallOptions) *ownerSource {
	o := &ownerSource{
		env: env, retry: concern("retry", owner), client: ownerClient{env: env, owner: owner, timeout: opts.Timeout},
		opts: opts, tokens: budgetBurst,
	}
	if opts.RetryBudget == 0 {
		o.tokens = 0 // a budget of nothing has no burst either
	}
	return o
}

func (o *ownerSource) remote() bool { return true }

func (o *ownerSource) sections(ctx context.Context, sellers []Seller) []Section {
	secs := make([]Section, len(sellers))
	reply, err := o.read(ctx, sellers)
	for i, s := range sellers {
		if err != nil {
			secs[i] = Section{Seller: s, Failed: true}
			continue
		}
		secs[i] = sectionOf(reply.Lists[i], reply.At, true)
	}
	return secs
}

func sectionOf(l *List, at time.Duration, fromOwner bool) Section {
	return Section{Seller: l.Seller, Version: l.Version, Clients: len(l.Clients), ReadAt: at, FromOwner: fromOwner}
}

func (o *ownerSource) read(ctx context.Context, sellers []Seller) (ReadReply, error) {
	attempt := func(ctx context.Context) (ReadReply, error) {
		if len(sellers) == 1 {
			return o.client.Get(ctx, sellers[0])
		}
		return o.client.Batch(ctx, sellers)
	}
	if o.opts.RetryBudget > 0 {
		o.tokens = min(budgetBurst, o.tokens+o.opts.RetryBudget)
	}
	for n := 0; ; n++ {
		reply, err := attempt(ctx)
		if err == nil {
			return reply, nil
		}
		if n >= o.opts.Retries || ctx.Err() != nil || !o.spend() {
			return ReadReply{}, err
		}
		backoff := o.opts.Backoff << n
		if err := o.env.Sleep(ctx, time.Duration(o.env.Rand(o.retry).Int64N(int64(backoff)+1))); err != nil {
			return ReadReply{}, err
		}
	}
}

// spend takes a retry from the budget, if it has one.
func (o *ownerSource) spend() bool {
	if o.opts.RetryBudget < 0 {
		return true
	}
	if o.tokens < 1 {
		return false
	}
	o.tokens--
	return true
}

// cacheSource is sync with a per-service cache: a list read from the owner
// is served while it is fresh. The cache is process memory: a crash
// empties it.
//
// Each entry stays fresh for a TTL drawn uniformly from
// [(1−ttlJitter)·TTL, TTL]. With one fixed TTL, the entries a cold cache
// fills in its first moments are refetched together at every multiple of
// the TTL, forever (a hot seller is read again within milliseconds of
// expiring, so its phase never drifts): an owner outage starting at such a
// multiple finds every hot entry expiring at once. The jitter spreads the
// phases out within a few TTLs, as production caches do.
//
// With stale-if-error (RFC 5861), an entry past its TTL but no older than
// TTL + StaleIfError is served when the owner cannot be had; the section
// keeps the version and read time of the entry, so the harness judges its
// staleness like any other.
type cacheSource struct {
	owner        *ownerSource
	ttl          time.Duration
	jitter       float64 // share of the TTL an entry's life may be shortened by
	staleIfError time.Duration
	env          sim.Env
	ttlStream    string // the random stream of its entries' lives
	cache        map[Seller]cached
	stats        CacheStats
}

// ttlJitter is the share of the TTL by which an entry's life is randomly
// shortened. Half a TTL mixes the phases of entries filled together to
// within 17 % of uniform after two lives (the first Fourier coefficient of
// U[0.5, 1] at the mean life is sinc(2/3) ≈ 0.41, squared); it costs hot
// sellers a third more owner reads than a fixed TTL.
const ttlJitter = 0.5

// CacheStats counts a sync-cache service's sections.
type CacheStats struct {
	Hits   int64 // served fresh from the cache
	Misses int64 // asked of the owner
	Stale  int64 // ... the owner failed, served expired (stale-if-error)
	Failed int64 // ... the owner failed, nothing to serve: left out
}

type cached struct {
	l       *List
	at      time.Duration // when the owner read it
	expires time.Duration // fresh before this
}

func (c *cacheSource) remote() bool { return true }

func (c *cacheSource) reset(context.Context) { c.cache = map[Seller]cached{} }

// usable reports whether e may still be served: fresh, or stale within the
// stale-if-error window when the owner has failed.
func (c *cacheSource) usable(e cached, now time.Duration, ownerFailed bool) bool {
	if ownerFailed {
		return now < e.expires+c.staleIfError
	}
	return now < e.expires
}

func (c *cacheSource) sections(ctx context.Context, sellers []Seller) []Section {
	now := c.env.Now()
	secs := make([]Section, len(sellers))
	var misses []Seller
	var at []int
	for i, s := range sellers {
		if e, ok := c.cache[s]; ok && c.usable(e, now, false) {
			c.stats.Hits++
			secs[i] = sectionOf(e.l, e.at, false)
			continue
		}
		misses = append(misses, s)
		at = append(at, i)
	}
	if len(misses) == 0 {
		return secs
	}
	c.stats.Misses += int64(len(misses))
	reply, err := c.owner.read(ctx, misses)
	if err != nil {
		now = c.env.Now() // the entry's age when the error is known
	}
	for j, i := range at {
		if err != nil {
			if e, ok := c.cache[misses[j]]; ok && c.usable(e, now, true) {
				c.stats.Stale++
				secs[i] = sectionOf(e.l, e.at, false)
				continue
			}
			c.stats.Failed++
			secs[i] = Section{Seller: misses[j], Failed: true}
			continue
		}
		l := reply.Lists[j]
		life := c.ttl - time.Duration(c.jitter*c.env.Rand(c.ttlStream).Float64()*float64(c.ttl))
		c.cache[l.Seller] = cached{l, reply.At, reply.At + life}
		secs[i] = sectionOf(l, reply.At, true)
	}
	return secs
}

// bytes is the encoded size of the entries the cache still holds: those
// it could serve, fresh or through stale-if-error (the others count as
// evicted).
func (c *cacheSource) bytes() int64 {
	var n int
	now := c.env.Now()
	for _, e := range c.cache {
		if c.usable(e, now, true) {
			n += listEventSize(e.l)
		}
	}
	return int64(n)
}

// viewSource reads the service's own view: no call, no failure.
type viewSource struct {
	view *View
}

func (v viewSource) remote() bool { return false }

func (v viewSource) sections(_ context.Context, sellers []Seller) []Section {
	now := v.view.env.Now()
	secs := make([]Section, len(sellers))
	for i, s := range sellers {
		e := v.view.Entry(s)
		secs[i] = Section{Seller: s, Version: e.Version, Clients: len(e.Clients), ReadAt: now}
	}
	return secs
}

// hybridSource checks the service's ID sets and calls the owner only for
// the sellers whose set is non-empty.
type hybridSource struct {
	view  *View
	owner *ownerSource
}

func (h hybridSource) remote() bool { return true }

func (h hybridSource) sections(ctx context.Context, sellers []Seller) []Section {
	now := h.view.env.Now()
	secs := make([]Section, len(sellers))
	var ask []Seller
	var at []int
	for i, s := range sellers {
		e := h.view.Entry(s)
		if len(e.IDs) == 0 {
			secs[i] = Section{Seller: s, Version: e.Version, ReadAt: now}
			continue
		}
		ask = append(ask, s)
		at = append(at, i)
	}
	if len(ask) == 0 {
		return secs
	}
	fetched := h.owner.sections(ctx, ask)
	for j, i := range at {
		secs[i] = fetched[j]
	}
	return secs
}
