package strategies

import (
	"fmt"
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

// topic is where the owner publishes; "" if it publishes nothing.
func (d Design) topic() string {
	switch d.Publishes {
	case ListEvents:
		return ListsTopic
	case IDEvents:
		return IDsTopic
	}
	return ""
}

// Topics the owner publishes to.
const (
	ListsTopic = "topclients.lists"
	IDsTopic   = "topclients.ids"
)

// Node names.
const (
	OwnerNode = "topclients"
)

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

// Config is everything Deploy needs.
type Config struct {
	Strategy   Strategy
	Sellers    int // sellers are 0..Sellers-1
	ClientSize int // bytes of one encoded client record
	// Initial is each seller's clients at the start (nil or empty: none);
	// every view starts from it, as from a snapshot.
	Initial func(s Seller) []uint32

	Owner sim.ServiceSpec            // the owner's queueing model; Deploy sets the handler
	Pages map[string]sim.ServiceSpec // gig, user, search: likewise

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

	// OnCommit, if set, is told of every commit at the owner, in commit
	// order: the harness's record of the truth. It must not block.
	OnCommit func(l *List)
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
	if _, err := ParseStrategy(string(c.Strategy)); err != nil {
		return err
	}
	if c.Sellers < 1 {
		return fmt.Errorf("sellers must be ≥ 1, got %d", c.Sellers)
	}
	if err := c.Owner.Validate(); err != nil {
		return fmt.Errorf("owner: %w", err)
	}
	for _, kind := range pages.Services() {
		spec, ok := c.Pages[kind]
		if !ok {
			return fmt.Errorf("no spec for page service %s", kind)
		}
		if err := spec.Validate(); err != nil {
			return fmt.Errorf("%s: %w", kind, err)
		}
	}
	switch {
	case c.ClientSize < 1:
		return fmt.Errorf("client size must be ≥ 1 byte, got %d (DefaultConfig has the usual values)", c.ClientSize)
	case c.Call.Timeout <= 0:
		return fmt.Errorf("call timeout must be > 0, got %v", c.Call.Timeout)
	case c.Call.Retries < 0 || c.Call.Backoff < 0:
		return fmt.Errorf("call retries and backoff must be ≥ 0")
	case c.CacheTTL < 0 || c.ReconcileEvery < 0 || c.Linger < 0:
		return fmt.Errorf("cache TTL, reconcile interval and linger must be ≥ 0")
	case c.RelayInterval <= 0:
		return fmt.Errorf("relay interval must be > 0 (the relay polls the outbox this often), got %v", c.RelayInterval)
	case c.ReconcileTimeout <= 0:
		return fmt.Errorf("reconcile timeout must be > 0 (it bounds each anti-entropy call), got %v", c.ReconcileTimeout)
	case c.PublishTimeout <= 0:
		return fmt.Errorf("publish timeout must be > 0, got %v", c.PublishTimeout)
	}
	if c.StaleIfError < 0 {
		return fmt.Errorf("stale-if-error must be ≥ 0, got %v", c.StaleIfError)
	}
	return nil
}
