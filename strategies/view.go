package strategies

import (
	"context"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/sharebench/sharebench/sim"
)

// View is a page service's own copy of the owner's data, kept by its own
// consumer group in the service's store: whole lists (async) or only ID
// sets (hybrid), as its holding says. Events are applied idempotently by
// version: one no newer than what the view holds is ignored, so
// duplicates and reordering never move it backwards.
type View struct {
	env     sim.Env
	oc      OwnerConfig // the owner whose records it holds
	service string
	holds   holding     // lists or ID sets
	entries sim.Table   // row s: seller s's Entry
	owner   ownerClient // for anti-entropy
	Stats   ViewStats
	// OnApply, if set, is told of every entry the view takes, as it takes
	// it: the harness measures propagation with it.
	OnApply func(service, owner string, s Seller, version uint64)
}

// ViewStats counts a view's work.
type ViewStats struct {
	Applied int64 // events that moved an entry forward
	Stale   int64 // events ignored: the view already held that version or newer
	Corrupt int64 // records that did not decode, skipped
	Repairs int64 // entries anti-entropy found behind and repaired
	Bytes   int64 // encoded size of what the view holds: the duplication it costs
}

// Entry is what a view holds for one seller.
type Entry struct {
	Version uint64
	Clients []Client // a view of lists
	IDs     []uint32 // a view of ID sets
	// Size is the entry's encoded bytes, kept beside it so that replacing
	// it keeps ViewStats.Bytes exact.
	Size int
}

// holding is what a view keeps of each seller's list: where its events
// come from, how it reads one, what it keeps of a list read from the
// owner, and how a public page reads it.
type holding interface {
	topic(owner string) string
	// ofRecord decodes an event: the seller it is about and what the view
	// would keep of it. An error means the bytes are corrupt.
	ofRecord(value []byte) (Seller, *Entry, error)
	// ofList is what the view keeps of a list read from the owner (the
	// snapshot, or an anti-entropy repair).
	ofList(l *List) *Entry
	// source is how a public page gets its sections from v, with owner
	// for what v does not hold.
	source(v *View, owner *ownerSource) source
}

// lists is an async view: each seller's whole list, so a page needs no
// call.
type lists struct{}

func (lists) topic(owner string) string { return ListsTopicOf(owner) }

func (lists) ofRecord(value []byte) (Seller, *Entry, error) {
	var ev ListEvent
	if err := msgpack.Unmarshal(value, &ev); err != nil {
		return 0, nil, err
	}
	return ev.Seller, &Entry{Version: ev.Version, Clients: ev.Clients, Size: len(value)}, nil
}

func (lists) ofList(l *List) *Entry {
	return &Entry{Version: l.Version, Clients: l.Clients, Size: listEventSize(l)}
}

func (lists) source(v *View, _ *ownerSource) source { return viewSource{view: v} }

// idSets is a hybrid view: each seller's client IDs only, enough to know
// whom a page need not ask the owner about.
type idSets struct{}

func (idSets) topic(owner string) string { return IDsTopicOf(owner) }

func (idSets) ofRecord(value []byte) (Seller, *Entry, error) {
	var ev IDsEvent
	if err := msgpack.Unmarshal(value, &ev); err != nil {
		return 0, nil, err
	}
	return ev.Seller, &Entry{Version: ev.Version, IDs: ev.IDs, Size: len(value)}, nil
}

func (idSets) ofList(l *List) *Entry {
	return &Entry{Version: l.Version, IDs: l.IDs(), Size: idsEventSize(l)}
}

func (idSets) source(v *View, owner *ownerSource) source {
	return hybridSource{view: v, owner: owner}
}

// holding is what a page service keeping k holds, if it keeps a view.
func (k Keeping) holding() (holding, bool) {
	switch k {
	case KeepsLists:
		return lists{}, true
	case KeepsIDSets:
		return idSets{}, true
	}
	return nil, false
}

// newView makes service's view of oc's records, holding h. The
// marketplace's owner keeps its table "view" and consumer group
// "<service>-view"; any other owner's are "view/<owner>" and
// "<service>-<owner>-view", so one service can keep views of many owners.
func newView(env sim.Env, oc OwnerConfig, service string, h holding) *View {
	table := "view"
	if oc.Name != OwnerNode {
		table += "/" + oc.Name
	}
	return &View{
		env: env, oc: oc, service: service, holds: h, entries: env.Store().Table(table),
		owner: ownerClient{env: env, owner: oc.Name, timeout: oc.ReconcileTimeout},
	}
}

// Owner is the name of the owner whose records the view holds.
func (v *View) Owner() string { return v.oc.Name }

// group is the view's consumer group.
func (v *View) group() string {
	if v.oc.Name == OwnerNode {
		return v.service + "-view"
	}
	return v.service + "-" + v.oc.Name + "-view"
}

// noEntry is what a view holds for a seller it has nothing for. Shared:
// entries are never modified.
var noEntry = &Entry{}

// Entry returns the view's entry for s; version 0 and nothing else if it
// holds none.
func (v *View) Entry(s Seller) *Entry {
	if e, ok := v.entries.Get(int(s)); ok {
		return e.(*Entry)
	}
	return noEntry
}

// apply takes e as seller s's entry if it is newer than what the view
// holds.
func (v *View) apply(s Seller, e *Entry) bool {
	if s < 0 || int(s) >= v.oc.Sellers {
		v.Stats.Corrupt++
		return false
	}
	cur := v.Entry(s)
	if e.Version <= cur.Version {
		v.Stats.Stale++
		return false
	}
	v.entries.Put(int(s), e)
	v.Stats.Applied++
	v.Stats.Bytes += int64(e.Size - cur.Size)
	if v.OnApply != nil {
		v.OnApply(v.service, v.oc.Name, s, e.Version)
	}
	return true
}

// applyList takes a list read from the owner (snapshot or repair).
func (v *View) applyList(l *List) bool { return v.apply(l.Seller, v.holds.ofList(l)) }

// applyRecord decodes and applies one broker record; a corrupt one is
// counted and skipped.
func (v *View) applyRecord(r sim.Record) {
	s, e, err := v.holds.ofRecord(r.Value)
	if err != nil {
		v.Stats.Corrupt++
		return
	}
	v.apply(s, e)
}

// consume keeps the view: it runs as long as the node does, and a restart
// resumes from the group's committed offsets.
func (v *View) consume(ctx context.Context) {
	c, err := v.env.Subscribe(v.holds.topic(v.oc.Name), v.group())
	if err != nil {
		panic("strategies: " + err.Error()) // a world without a broker cannot run async or hybrid
	}
	defer c.Close()
	for {
		recs, err := c.Poll(ctx)
		if err != nil {
			return
		}
		for _, r := range recs {
			v.applyRecord(r)
		}
	}
}

// Anti-entropy compares the view with the owner a chunk of sellers at a
// time and fetches what is behind.
const (
	digestChunk = 1000
	repairChunk = 100
)

// reconcile runs anti-entropy every ReconcileEvery of its owner.
func (v *View) reconcile(ctx context.Context) {
	for v.env.Sleep(ctx, v.oc.ReconcileEvery) == nil {
		v.ReconcileOnce(ctx)
	}
}

// ReconcileOnce compares every entry with the owner's version and repairs
// those behind; it returns how many it repaired. Chunks it cannot reach
// the owner for are left to the next round.
func (v *View) ReconcileOnce(ctx context.Context) int {
	repaired := 0
	for from := 0; from < v.oc.Sellers; from += digestChunk {
		to := min(from+digestChunk, v.oc.Sellers)
		versions, err := v.owner.Digest(ctx, DigestRequest{Seller(from), Seller(to)})
		if err != nil {
			continue
		}
		var behind []Seller
		for i, ver := range versions {
			if s := Seller(from + i); ver > v.Entry(s).Version {
				behind = append(behind, s)
			}
		}
		for len(behind) > 0 {
			chunk := behind[:min(repairChunk, len(behind))]
			behind = behind[len(chunk):]
			reply, err := v.owner.Batch(ctx, chunk)
			if err != nil {
				continue
			}
			for _, l := range reply.Lists {
				if v.applyList(l) {
					v.Stats.Repairs++
					repaired++
				}
			}
		}
	}
	return repaired
}
