package strategies

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/sharebench/sharebench/pages"
	"github.com/sharebench/sharebench/sim"
)

// Strategy names a way of getting the owner's data onto other services'
// pages.
type Strategy string

// The strategies. Self-view reads come from the owner in every one.
const (
	// Sync calls the owner on every render (one batch call for a search
	// page), with a timeout, bounded retries and a retry budget.
	Sync Strategy = "sync"
	// SyncCache is Sync behind a per-service cache of lists with a TTL.
	SyncCache Strategy = "sync-cache"
	// Async: the owner publishes each new list through a transactional
	// outbox; every page service keeps its own read view, applied
	// idempotently by version.
	Async Strategy = "async"
	// AsyncDualWrite is Async without the outbox, a negative control: the
	// owner commits, then publishes; a crash or failure in between loses
	// the event and the views diverge until reconciliation repairs them.
	AsyncDualWrite Strategy = "async-dualwrite"
	// Hybrid: the owner publishes only client IDs; a page service keeps ID
	// sets and calls the owner only for sellers whose set is non-empty.
	Hybrid Strategy = "hybrid"
)

// Strategies lists every strategy, in the order reports show them.
var Strategies = []Strategy{Sync, SyncCache, Async, AsyncDualWrite, Hybrid}

// ParseStrategy checks a strategy name.
func ParseStrategy(s string) (Strategy, error) {
	if slices.Contains(Strategies, Strategy(s)) {
		return Strategy(s), nil
	}
	names := make([]string, len(Strategies))
	for i, st := range Strategies {
		names[i] = string(st)
	}
	return "", fmt.Errorf("unknown strategy %q; use one of %s", s, strings.Join(names, ", "))
}

// Design is what a strategy does, as a row of the table in designs: what
// the owner publishes and how, what each page service keeps, and when a
// public page calls the owner. Deploy, the owner and the views read it
// from here; self-view pages read the owner in every strategy.
type Design struct {
	Publishes Events // what the owner publishes on each commit
	// DualWrite publishes after the commit, with nothing to retry a lost
	// event; otherwise events go through a transactional outbox.
	DualWrite bool
	Keeps     Keeping    // what each page service keeps of the owner's data
	Reads     OwnerReads // when a public page calls the owner
}

// Events names what the owner publishes.
type Events string

// What the owner publishes.
const (
	NoEvents   Events = "nothing"
	ListEvents Events = "lists"    // ListEvent on ListsTopic
	IDEvents   Events = "ID lists" // IDsEvent on IDsTopic
)

// Keeping names what a page service keeps of the owner's data.
type Keeping string

// What page services keep.
const (
	KeepsNothing Keeping = "nothing"
	KeepsCache   Keeping = "a cache of lists"  // filled by reads, for a TTL
	KeepsLists   Keeping = "a view of lists"   // fed by ListEvents
	KeepsIDSets  Keeping = "a view of ID sets" // fed by IDEvents
)

// OwnerReads names when a public page calls the owner.
type OwnerReads string

// When public pages call the owner.
const (
	ReadsAlways     OwnerReads = "always"
	ReadsOnMiss     OwnerReads = "on a cache miss"
	ReadsNever      OwnerReads = "never"
	ReadsWhenListed OwnerReads = "for sellers whose ID set is not empty"
)

// designs is the one place that says what each strategy does.
var designs = map[Strategy]Design{
	Sync:           {Publishes: NoEvents, Keeps: KeepsNothing, Reads: ReadsAlways},
	SyncCache:      {Publishes: NoEvents, Keeps: KeepsCache, Reads: ReadsOnMiss},
	Async:          {Publishes: ListEvents, Keeps: KeepsLists, Reads: ReadsNever},
	AsyncDualWrite: {Publishes: ListEvents, DualWrite: true, Keeps: KeepsLists, Reads: ReadsNever},
	Hybrid:         {Publishes: IDEvents, Keeps: KeepsIDSets, Reads: ReadsWhenListed},
}

// Design returns what s does; the zero Design for an unknown strategy.
func (s Strategy) Design() Design { return designs[s] }

// topic is where owner publishes; "" if it publishes nothing.
func (d Design) topic(owner string) string {
	switch d.Publishes {
	case ListEvents:
		return ListsTopicOf(owner)
	case IDEvents:
		return IDsTopicOf(owner)
	}
	return ""
}

// Topics the marketplace's owner publishes to.
const (
	ListsTopic = OwnerNode + ".lists"
	IDsTopic   = OwnerNode + ".ids"
)

// ListsTopicOf is where owner publishes ListEvents: "<owner>.lists".
func ListsTopicOf(owner string) string { return owner + ".lists" }

// IDsTopicOf is where owner publishes IDsEvents: "<owner>.ids".
func IDsTopicOf(owner string) string { return owner + ".ids" }

// Node names.
const (
	// OwnerNode is the marketplace's owner (Top Clients). It keeps the
	// names it had before owners became many: its random streams carry no
	// suffix and its views' consumer groups are "<service>-view".
	OwnerNode = "topclients"
)

// concern names a random stream of a page service's dealings with owner:
// today's name for the marketplace's owner, suffixed "/<owner>" for every
// other, so adding an owner reshuffles no one else's draws.
func concern(name, owner string) string {
	if owner == OwnerNode {
		return name
	}
	return name + "/" + owner
}

// PageServices maps each page kind to the service that renders it: the
// seller's own editor (self) is part of the user service.
var PageServices = pages.ServiceByKind()

// CallOptions govern a page service's calls to the owner. Every field
// means what it says, zero included; DefaultCallOptions gives the usual
// values.
type CallOptions struct {
	Timeout time.Duration // per attempt; > 0
	Retries int           // extra attempts after a failure; 0: none
	// Backoff before retry k is Backoff·2^(k−1), with full jitter; 0:
	// retry at once.
	Backoff time.Duration
	// RetryBudget caps retries at this fraction of first attempts, as a
	// token bucket that also allows a burst of 10 once the budget is
	// positive. 0: no retries at all; negative: no budget (every retry is
	// made).
	RetryBudget float64
	// Parallel fetches the section alongside the page's own work instead of
	// before it.
	Parallel bool
}

// DefaultCallOptions are the usual call options: a 50ms timeout, no
// retries, a 5ms backoff, a retry budget of a fifth of first attempts.
func DefaultCallOptions() CallOptions {
	return CallOptions{Timeout: 50 * time.Millisecond, Backoff: 5 * time.Millisecond, RetryBudget: 0.2}
}

// Deadline is the longest a section fetch can take: every attempt times
// out and every backoff is the longest.
func (o CallOptions) Deadline() time.Duration {
	d := time.Duration(o.Retries+1) * o.Timeout
	for k := 1; k <= o.Retries; k++ {
		d += o.Backoff << (k - 1)
	}
	return d
}

// OwnerConfig is one owner as Deploy runs it: a service on the node
// named after it that owns records 0..Sellers-1, published to
// "<Name>.lists" or "<Name>.ids" as its Strategy's Design says.
type OwnerConfig struct {
	Name       string
	Strategy   Strategy
	Sellers    int // records are 0..Sellers-1
	ClientSize int // bytes of one encoded item
	// Initial is each record's items at the start (nil: none); every view
	// starts from it, as from a snapshot.
	Initial func(s Seller) []uint32
	Spec    sim.ServiceSpec // the owner's queueing model; Deploy sets the handler
	// Call is how pages call this owner: public pages (sync, sync-cache,
	// hybrid) and self-view reads alike. For a hybrid owner, hybrid's
	// options.
	Call CallOptions
	// ReconcileEvery runs anti-entropy in each view of this owner this
	// often; 0: never. ReconcileTimeout bounds each anti-entropy call; > 0.
	ReconcileEvery, ReconcileTimeout time.Duration
}

// Config is everything Deploy needs.
//
// The owners are Owners; when it is empty, there is one owner, OwnerNode,
// made of the fields Strategy, Sellers, ClientSize, Initial, Owner, Call,
// ReconcileEvery and ReconcileTimeout: the marketplace as it always was.
// The page kinds are Kinds; when it is empty, the marketplace's, each
// reading as many of OwnerNode's records as the request names.
type Config struct {
	Owners []OwnerConfig
	// Kinds are the pages the services render, with the reads each makes.
	Kinds []pages.Kind
	// Work is each page kind's own work, drawn on the page service's node
	// from the stream "work/<kind>"; a kind without one spends the work its
	// service's spec drew for the request.
	Work map[string]sim.DurationDist

	Strategy   Strategy
	Sellers    int // sellers are 0..Sellers-1
	ClientSize int // bytes of one encoded client record
	// Initial is each seller's clients at the start (nil or empty: none);
	// every view starts from it, as from a snapshot.
	Initial func(s Seller) []uint32

	Owner sim.ServiceSpec            // the owner's queueing model; Deploy sets the handler
	Pages map[string]sim.ServiceSpec // by page service (gig, user, search): likewise

	Call CallOptions // sync, sync-cache, hybrid and self-view calls
	// CacheTTL is how long sync-cache keeps a list; 0: not at all (every
	// read goes to the owner).
	CacheTTL time.Duration
	// StaleIfError is how long past its TTL sync-cache may still serve a
	// list when the owner fails (RFC 5861 stale-if-error); 0: never.
	StaleIfError time.Duration
	// ReconcileEvery runs anti-entropy in each async and hybrid view this
	// often; 0: never.
	ReconcileEvery time.Duration
	// ReconcileTimeout bounds each anti-entropy call (a digest of a
	// thousand sellers, or a batch of a hundred repairs), with no retry: a
	// chunk it cannot get waits for the next round. Anti-entropy is
	// background work, so it may wait longer than a page would; > 0.
	ReconcileTimeout time.Duration
	// RelayInterval is how often the outbox relay looks for records when
	// idle; > 0.
	RelayInterval time.Duration
	// Linger is how long a dual-writing owner's producer holds a record
	// before sending it: the window a crash loses it in.
	Linger time.Duration
	// PublishTimeout bounds one publish attempt; > 0.
	PublishTimeout time.Duration

	// OnCommit, if set, is told of every commit at each owner, in commit
	// order (the initial lists first): the harness's record of the truth.
	// It must not block.
	OnCommit func(owner string, l *List)
}

// owners is the owners Deploy runs: Owners, or the marketplace's one
// made of the legacy fields.
func (c Config) owners() []OwnerConfig {
	if len(c.Owners) > 0 {
		return c.Owners
	}
	return []OwnerConfig{{
		Name: OwnerNode, Strategy: c.Strategy, Sellers: c.Sellers, ClientSize: c.ClientSize,
		Initial: c.Initial, Spec: c.Owner, Call: c.Call,
		ReconcileEvery: c.ReconcileEvery, ReconcileTimeout: c.ReconcileTimeout,
	}}
}

// kinds is the page kinds Deploy serves: Kinds, or the marketplace's.
func (c Config) kinds() []pages.Kind {
	if len(c.Kinds) > 0 {
		return c.Kinds
	}
	return pages.Marketplace(1).Kinds
}

// services lists the page services the kinds name, each once, in the
// order the kinds first name them.
func (c Config) services() []string {
	var ss []string
	for _, k := range c.kinds() {
		if !slices.Contains(ss, k.Service) {
			ss = append(ss, k.Service)
		}
	}
	return ss
}

// topology is the owners and kinds Deploy serves, as a pages.Topology:
// which owners each page service reads is its to say.
func (c Config) topology() pages.Topology {
	t := pages.Topology{Services: c.services(), Kinds: c.kinds()}
	for _, o := range c.owners() {
		t.Owners = append(t.Owners, o.Name)
	}
	return t
}

// DefaultConfig is a configuration with the usual value in every field
// that has one (records of 200 bytes, DefaultCallOptions, a 10s cache
// TTL, no anti-entropy but a 1s timeout for it, a 10ms relay interval, a
// 5ms linger, a 1s publish timeout); the caller sets the strategy, the sellers and the services.
// Deploy takes a Config as it is: a zero field means zero.
func DefaultConfig() Config {
	return Config{
		ClientSize:       200,
		Call:             DefaultCallOptions(),
		CacheTTL:         10 * time.Second,
		ReconcileTimeout: time.Second,
		RelayInterval:    10 * time.Millisecond,
		Linger:           5 * time.Millisecond,
		PublishTimeout:   time.Second,
	}
}

// Validate reports a configuration Deploy cannot run.
func (c Config) Validate() error {
	owners := map[string]bool{}
	for i, o := range c.owners() {
		if err := o.validate(); err != nil {
			if len(c.Owners) == 0 {
				return err // the legacy fields: named as they always were
			}
			return fmt.Errorf("owners[%d] (%s): %w", i, o.Name, err)
		}
		if owners[o.Name] {
			return fmt.Errorf("owners[%d]: owner %q is named twice; give each owner its own name", i, o.Name)
		}
		owners[o.Name] = true
	}
	if err := c.validateKinds(owners); err != nil {
		return err
	}
	for _, name := range c.services() {
		spec, ok := c.Pages[name]
		if !ok {
			return fmt.Errorf("no spec for page service %s (a page kind names it; add it to Pages)", name)
		}
		if err := spec.Validate(); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	switch {
	case c.CacheTTL < 0 || c.Linger < 0:
		return fmt.Errorf("cache TTL and linger must be ≥ 0")
	case c.RelayInterval <= 0:
		return fmt.Errorf("relay interval must be > 0 (the relay polls the outbox this often), got %v", c.RelayInterval)
	case c.PublishTimeout <= 0:
		return fmt.Errorf("publish timeout must be > 0, got %v", c.PublishTimeout)
	}
	if c.StaleIfError < 0 {
		return fmt.Errorf("stale-if-error must be ≥ 0, got %v", c.StaleIfError)
	}
	for kind, work := range c.Work {
		if _, ok := c.kind(kind); !ok {
			return fmt.Errorf("work for page kind %q, which no kind is named; name one of the kinds", kind)
		}
		if work.Dist != nil && work.Quantile(0) < 0 {
			return fmt.Errorf("work of page kind %s must not be negative", kind)
		}
	}
	return nil
}

// validateKinds checks the page kinds against the owners.
func (c Config) validateKinds(owners map[string]bool) error {
	seen := map[string]bool{}
	for i, k := range c.Kinds {
		at := fmt.Sprintf("kinds[%d] (%s)", i, k.Name)
		switch {
		case k.Name == "":
			return fmt.Errorf("kinds[%d]: a page kind needs a name", i)
		case seen[k.Name]:
			return fmt.Errorf("%s: page kind named twice; give each kind its own name", at)
		case k.Service == "":
			return fmt.Errorf("%s: no page service; name the service that renders it", at)
		case len(k.Reads) == 0:
			return fmt.Errorf("%s: no reads; a page shows at least one owner's records", at)
		}
		seen[k.Name] = true
		for j, r := range k.Reads {
			if !owners[r.Owner] {
				return fmt.Errorf("%s: reads[%d] names owner %q, which is not configured; use one of %s", at, j, r.Owner, strings.Join(slices.Sorted(maps.Keys(owners)), ", "))
			}
			if r.Records < 1 {
				return fmt.Errorf("%s: reads[%d] (%s) must show ≥ 1 record, got %d", at, j, r.Owner, r.Records)
			}
		}
	}
	return nil
}

// kind returns the configured kind named name.
func (c Config) kind(name string) (pages.Kind, bool) {
	for _, k := range c.kinds() {
		if k.Name == name {
			return k, true
		}
	}
	return pages.Kind{}, false
}

// validate reports an owner Deploy cannot run.
func (o OwnerConfig) validate() error {
	if o.Name == "" {
		return fmt.Errorf("an owner needs a name (its node is named after it)")
	}
	if _, err := ParseStrategy(string(o.Strategy)); err != nil {
		return err
	}
	if o.Sellers < 1 {
		return fmt.Errorf("sellers must be ≥ 1, got %d", o.Sellers)
	}
	if err := o.Spec.Validate(); err != nil {
		return fmt.Errorf("owner: %w", err)
	}
	switch {
	case o.ClientSize < 1:
		return fmt.Errorf("client size must be ≥ 1 byte, got %d (DefaultConfig has the usual values)", o.ClientSize)
	case o.Call.Timeout <= 0:
		return fmt.Errorf("call timeout must be > 0, got %v", o.Call.Timeout)
	case o.Call.Retries < 0 || o.Call.Backoff < 0:
		return fmt.Errorf("call retries and backoff must be ≥ 0")
	case o.ReconcileEvery < 0:
		return fmt.Errorf("reconcile interval must be ≥ 0, got %v", o.ReconcileEvery)
	case o.ReconcileTimeout <= 0:
		return fmt.Errorf("reconcile timeout must be > 0 (it bounds each anti-entropy call), got %v", o.ReconcileTimeout)
	}
	return nil
}
