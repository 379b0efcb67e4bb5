package strategies

import (
	"context"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/sharebench/sharebench/sim"
)

// View is a page service's own copy of the owner's data, kept by its own
// consumer group: whole lists (async) or only ID sets (hybrid), in the
// service's store. Events are applied idempotently by version: one no
// newer than what the view holds is ignored, so duplicates and reordering
// never move it backwards.
type View struct {
	env     sim.Env
	cfg     Config
	service string
	ids     bool // hold ID sets, not lists
	topic   string
	entries sim.Table   // row s: seller s's Entry
	owner   ownerClient // for anti-entropy
	Stats   ViewStats
	// OnApply, if set, is told of every entry the view takes, as it takes
	// it: the harness measures propagation with it.
	OnApply func(service string, s Seller, version uint64)
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
	Clients []Client // async
	IDs     []uint32 // hybrid
	Size    int      // encoded bytes
}

func newView(env sim.Env, cfg Config, service string) *View {
	d := cfg.Strategy.Design()
	return &View{env: env, cfg: cfg, service: service, ids: d.Keeps == KeepsIDSets, topic: d.topic(), entries: env.Store().Table("view"),
		owner: ownerClient{env: env, timeout: cfg.ReconcileTimeout}}
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

// apply takes l's data if it is newer than what the view holds.
func (v *View) apply(s Seller, version uint64, clients []Client, ids []uint32, size int) bool {
	if s < 0 || int(s) >= v.cfg.Sellers {
		v.Stats.Corrupt++
		return false
	}
	cur := v.Entry(s)
	if version <= cur.Version {
		v.Stats.Stale++
		return false
	}
	e := &Entry{Version: version, Size: size}
	if v.ids {
		e.IDs = ids
	} else {
		e.Clients = clients
	}
	v.entries.Put(int(s), e)
	v.Stats.Applied++
	v.Stats.Bytes += int64(size - cur.Size)
	if v.OnApply != nil {
		v.OnApply(v.service, s, version)
	}
	return true
}

// applyList takes a list read from the owner (snapshot or repair).
func (v *View) applyList(l *List) bool {
	if v.ids {
		return v.apply(l.Seller, l.Version, nil, l.IDs(), idsEventSize(l))
	}
	return v.apply(l.Seller, l.Version, l.Clients, nil, listEventSize(l))
}

// applyRecord decodes and applies one broker record; a corrupt one is
// counted and skipped.
func (v *View) applyRecord(r sim.Record) {
	if v.ids {
		var ev IDsEvent
		if msgpack.Unmarshal(r.Value, &ev) != nil {
			v.Stats.Corrupt++
			return
		}
		v.apply(ev.Seller, ev.Version, nil, ev.IDs, len(r.Value))
		return
	}
	var ev ListEvent
	if msgpack.Unmarshal(r.Value, &ev) != nil {
		v.Stats.Corrupt++
		return
	}
	v.apply(ev.Seller, ev.Version, ev.Clients, nil, len(r.Value))
}

// consume keeps the view: it runs as long as the node does, and a restart
// resumes from the group's committed offsets.
func (v *View) consume(ctx context.Context) {
	c, err := v.env.Subscribe(v.topic, v.service+"-view")
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

// reconcile runs anti-entropy every cfg.ReconcileEvery.
func (v *View) reconcile(ctx context.Context) {
	for v.env.Sleep(ctx, v.cfg.ReconcileEvery) == nil {
		v.ReconcileOnce(ctx)
	}
}

// ReconcileOnce compares every entry with the owner's version and repairs
// those behind; it returns how many it repaired. Chunks it cannot reach
// the owner for are left to the next round.
func (v *View) ReconcileOnce(ctx context.Context) int {
	repaired := 0
	for from := 0; from < v.cfg.Sellers; from += digestChunk {
		to := min(from+digestChunk, v.cfg.Sellers)
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
