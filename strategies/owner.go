package strategies

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/sharebench/sharebench/sim"
)

// Owner is one owner service (the marketplace's is Top Clients), the
// source of truth for its records: each one's list with its version, in
// the owner's store. A write commits the new list
// and, where the strategy publishes, an outbox record in one transaction;
// the outbox relay publishes the records in order and retries until the
// broker takes them, so no committed change is ever lost.
//
// Its methods and their bodies are listed in client.go, with the typed
// client page services call them through.
type Owner struct {
	env    sim.Env
	cfg    Config
	oc     OwnerConfig // this owner: its name, records, strategy
	lists  sim.Table   // row s: seller s's list
	keys   []string    // the sellers' event keys, made once
	topic  string      // where events go; "" if the strategy publishes none
	outbox bool        // publish through the outbox (else dual write)
	Stats  OwnerStats
}

// listsTable is the owner's table of lists.
const listsTable = "lists"

// OwnerStats counts the owner's work. Its queueing (requests, rejects)
// is the world's to count.
type OwnerStats struct {
	Reads       int64 // sellers read by get and batch
	EmptyReads  int64 // ... of which had no clients: wasted calls
	Writes      int64 // commits
	Published   int64 // events the broker acknowledged
	PublishErrs int64 // failed publish attempts (the outbox retries them)
	LostEvents  int64 // dual write: events never published
}

// ReadReply is the owner's answer to get and batch.
type ReadReply struct {
	At    time.Duration // owner's time of the read
	Lists []*List       // one per seller asked, in order
}

// WriteReply is the owner's answer to a write.
type WriteReply struct {
	Version   uint64
	Committed time.Duration
}

// DigestRequest asks for the versions of sellers From..To-1.
type DigestRequest struct{ From, To Seller }

// outboxRecord is an event waiting for the relay.
type outboxRecord struct {
	Key   string
	Value []byte
}

const (
	outboxNext = "outbox/next" // int64: the sequence number of the next record
	outboxSent = "outbox/sent" // int64: the first record not yet published
)

func outboxKey(seq int64) string { return fmt.Sprintf("outbox/%020d", seq) }

func newOwner(env sim.Env, cfg Config, oc OwnerConfig) *Owner {
	d := oc.Strategy.Design()
	return &Owner{
		env: env, cfg: cfg, oc: oc, lists: env.Store().Table(listsTable), keys: sellerKeys("", oc.Sellers),
		topic: d.topic(oc.Name), outbox: d.Publishes != NoEvents && !d.DualWrite,
	}
}

// Name is the owner's name, and its node's.
func (o *Owner) Name() string { return o.oc.Name }

func sellerKeys(prefix string, n int) []string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = prefix + strconv.Itoa(i)
	}
	return keys
}

// seed loads the initial lists at version 1, committed at time 0, and an
// empty list at version 0 for every other seller (so a read never
// allocates one).
func (o *Owner) seed(initial []*List) {
	for s := range Seller(o.oc.Sellers) {
		o.lists.Put(int(s), &List{Seller: s})
	}
	for _, l := range initial {
		o.lists.Put(int(l.Seller), l)
	}
}

// List returns the owner's current list for s (version 0 if never
// written): the truth, for tests and the harness.
func (o *Owner) List(s Seller) *List { return o.read(o.lists, s) }

func (o *Owner) read(t sim.Table, s Seller) *List {
	v, _ := t.Get(int(s))
	return v.(*List)
}

// Handle serves the owner's methods after spending the request's work.
func (o *Owner) Handle(ctx context.Context, req sim.Request) (any, error) {
	if err := o.env.Sleep(ctx, req.Work); err != nil {
		return nil, err
	}
	switch req.Method {
	case methodGet:
		return serve(o.oc.Name, req, func(s Seller) (ReadReply, error) { return o.readReply([]Seller{s}), nil })
	case methodBatch:
		return serve(o.oc.Name, req, func(ss []Seller) (ReadReply, error) { return o.readReply(ss), nil })
	case MethodWrite:
		return serve(o.oc.Name, req, func(w Write) (WriteReply, error) { return o.write(ctx, w) })
	case methodDigest:
		return serve(o.oc.Name, req, func(r DigestRequest) ([]uint64, error) { return o.digest(r), nil })
	}
	return nil, fmt.Errorf("%s: unknown method %q", o.oc.Name, req.Method)
}

// digest is the versions of the sellers r asks for that exist.
func (o *Owner) digest(r DigestRequest) []uint64 {
	versions := make([]uint64, 0, max(0, int(r.To-r.From)))
	for s := r.From; s < r.To && int(s) < o.oc.Sellers; s++ {
		versions = append(versions, o.read(o.lists, s).Version)
	}
	return versions
}

func (o *Owner) readReply(sellers []Seller) ReadReply {
	r := ReadReply{At: o.env.Now(), Lists: make([]*List, len(sellers))}
	for i, s := range sellers {
		l := o.read(o.lists, s)
		r.Lists[i] = l
		o.Stats.Reads++
		if len(l.Clients) == 0 {
			o.Stats.EmptyReads++
		}
	}
	return r
}

var errNoChange = errors.New("no change")

func (o *Owner) write(ctx context.Context, w Write) (WriteReply, error) {
	if int(w.Seller) >= o.oc.Sellers || w.Seller < 0 {
		return WriteReply{}, fmt.Errorf("no seller %d", w.Seller)
	}
	var next *List
	var event []byte
	err := o.env.Store().Update(func(tx sim.Tx) error {
		lists := tx.Table(listsTable)
		cur := o.read(lists, w.Seller)
		if next = w.Apply(cur, o.oc.ClientSize); next == nil {
			next = cur
			return errNoChange
		}
		next.Committed = o.env.Now()
		lists.Put(int(w.Seller), next)
		if o.topic != "" {
			event = o.encode(next)
		}
		if o.outbox {
			seq := int64(0)
			if v, ok := tx.Get(outboxNext); ok {
				seq = v.(int64)
			}
			tx.Put(outboxKey(seq), outboxRecord{Key: o.keys[w.Seller], Value: event})
			tx.Put(outboxNext, seq+1)
		}
		return nil
	})
	if errors.Is(err, errNoChange) {
		return WriteReply{Version: next.Version, Committed: next.Committed}, nil
	}
	o.Stats.Writes++
	if o.cfg.OnCommit != nil {
		o.cfg.OnCommit(o.oc.Name, next)
	}
	if o.topic != "" && !o.outbox {
		o.dualWrite(ctx, o.keys[w.Seller], event)
	}
	return WriteReply{Version: next.Version, Committed: next.Committed}, nil
}

// encode makes the event for a new list: all of it, or only the IDs.
func (o *Owner) encode(l *List) []byte {
	var v any = ListEvent{Seller: l.Seller, Version: l.Version, Clients: l.Clients}
	if o.oc.Strategy.Design().Publishes == IDEvents {
		v = IDsEvent{Seller: l.Seller, Version: l.Version, IDs: l.IDs()}
	}
	b, err := msgpack.Marshal(v)
	if err != nil {
		panic(err) // our own types always encode
	}
	return b
}

// dualWrite publishes after the commit, as a producer does: the record
// lingers in the producer first. A crash, a broker outage or a partition
// in between loses it; nothing retries it.
func (o *Owner) dualWrite(ctx context.Context, key string, event []byte) {
	if err := o.env.Sleep(ctx, o.cfg.Linger); err != nil {
		o.Stats.LostEvents++
		return
	}
	pctx, cancel := o.env.WithTimeout(ctx, o.cfg.PublishTimeout)
	defer cancel()
	if err := o.env.Publish(pctx, o.topic, key, event); err != nil {
		o.Stats.PublishErrs++
		o.Stats.LostEvents++
		return
	}
	o.Stats.Published++
}

// relayWindow is how many outbox records the relay publishes at once.
const relayWindow = 16

// relay publishes the outbox in order, a window at a time, retrying with
// backoff while the broker is unreachable. A window is published again if
// any of it failed: consumers apply by version, so duplicates are harmless,
// while a loss would not be.
func (o *Owner) relay(ctx context.Context) {
	env, st := o.env, o.env.Store()
	backoff := o.cfg.RelayInterval
	for {
		sent, next := int64At(st, outboxSent), int64At(st, outboxNext)
		if sent == next {
			if env.Sleep(ctx, o.cfg.RelayInterval) != nil {
				return
			}
			continue
		}
		end := min(next, sent+relayWindow)
		g, _ := env.Group(ctx)
		for seq := sent; seq < end; seq++ {
			v, _ := st.Get(outboxKey(seq))
			rec := v.(outboxRecord)
			g.Go(func(ctx context.Context) error {
				pctx, cancel := env.WithTimeout(ctx, o.cfg.PublishTimeout)
				defer cancel()
				err := env.Publish(pctx, o.topic, rec.Key, rec.Value)
				if err != nil {
					o.Stats.PublishErrs++
				}
				return err
			})
		}
		if err := g.Wait(); err != nil {
			if ctx.Err() != nil {
				return
			}
			jitter := time.Duration(env.Rand("relay").Int64N(int64(backoff)))
			if env.Sleep(ctx, backoff+jitter) != nil {
				return
			}
			backoff = min(2*backoff, time.Second)
			continue
		}
		backoff = o.cfg.RelayInterval
		o.Stats.Published += end - sent
		st.Update(func(tx sim.Tx) error {
			for seq := sent; seq < end; seq++ {
				tx.Delete(outboxKey(seq))
			}
			tx.Put(outboxSent, end)
			return nil
		})
	}
}

func int64At(st sim.Store, key string) int64 {
	if v, ok := st.Get(key); ok {
		return v.(int64)
	}
	return 0
}

// Pending is the number of outbox records not yet published.
func (o *Owner) Pending() int64 {
	st := o.env.Store()
	return int64At(st, outboxNext) - int64At(st, outboxSent)
}
