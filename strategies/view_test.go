package strategies

import (
	"context"
	"math/rand/v2"
	"testing"
	"testing/quick"
	"time"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/sharebench/sharebench/sim"
	"github.com/sharebench/sharebench/sim/virtual"
)

// newTestView makes a view on a node of a fresh virtual world.
func newTestView(t *testing.T, strategy Strategy) (*View, *virtual.World) {
	w := virtual.New(1)
	t.Cleanup(w.Close)
	cfg := testConfig(strategy)
	return newView(w.Node("gig"), cfg.owners()[0], "gig", holdingOf(t, strategy)), w
}

// holdingOf is what a view of strategy holds.
func holdingOf(t *testing.T, strategy Strategy) holding {
	h, ok := strategy.Design().Keeps.holding()
	if !ok {
		t.Fatalf("%s keeps no view", strategy)
	}
	return h
}

// testConfig is DefaultConfig for a strategy over 8 sellers with none of
// them having clients.
func testConfig(strategy Strategy) Config {
	cfg := DefaultConfig()
	cfg.Strategy, cfg.Sellers = strategy, 8
	cfg.Initial = func(Seller) []uint32 { return nil }
	return cfg
}

// testOwner is the marketplace's owner of cfg, on its node in w.
func testOwner(w *virtual.World, cfg Config) *Owner {
	return newOwner(w.Node(OwnerNode), cfg, cfg.owners()[0])
}

func event(strategy Strategy, s Seller, version uint64) []byte {
	ids := []uint32{uint32(version), uint32(s)}
	var v any = ListEvent{Seller: s, Version: version, Clients: []Client{NewClient(ids[0], 50), NewClient(ids[1], 50)}}
	if strategy == Hybrid {
		v = IDsEvent{Seller: s, Version: version, IDs: ids}
	}
	b, err := msgpack.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// TestViewApplyIsIdempotent: whatever order events arrive in, however
// often, a view never moves backwards and ends at the newest version, with
// the newest version's data.
func TestViewApplyIsIdempotent(t *testing.T) {
	for _, st := range []Strategy{Async, Hybrid} {
		check := func(seed uint64) bool {
			v, _ := newTestView(t, st)
			r := rand.New(rand.NewPCG(seed, 0))
			newest := map[Seller]uint64{}
			var recs []sim.Record
			for s := range Seller(4) {
				n := uint64(1 + r.IntN(6))
				newest[s] = n
				for ver := uint64(1); ver <= n; ver++ {
					for range 1 + r.IntN(3) { // duplicates
						recs = append(recs, sim.Record{Value: event(st, s, ver)})
					}
				}
			}
			r.Shuffle(len(recs), func(i, j int) { recs[i], recs[j] = recs[j], recs[i] })
			seen := map[Seller]uint64{}
			for _, rec := range recs {
				v.applyRecord(rec)
				for s := range Seller(4) {
					got := v.Entry(s).Version
					if got < seen[s] {
						t.Logf("seed %d: seller %d went back from version %d to %d", seed, s, seen[s], got)
						return false
					}
					seen[s] = got
				}
			}
			for s, want := range newest {
				e := v.Entry(s)
				firstID := uint32(0)
				if st == Hybrid && len(e.IDs) > 0 {
					firstID = e.IDs[0]
				} else if len(e.Clients) > 0 {
					firstID = e.Clients[0].ID
				}
				if e.Version != want || firstID != uint32(want) {
					t.Logf("seed %d: seller %d ended at version %d holding client %d; want version %d's data", seed, s, e.Version, firstID, want)
					return false
				}
			}
			return v.Stats.Applied+v.Stats.Stale == int64(len(recs))
		}
		if err := quick.Check(check, &quick.Config{MaxCount: 200}); err != nil {
			t.Errorf("%s: %v", st, err)
		}
	}
}

// FuzzViewRecord: whatever bytes arrive on the topic, the view counts what
// it cannot decode and never panics or regresses.
func FuzzViewRecord(f *testing.F) {
	f.Add(event(Async, 1, 3), true)
	f.Add(event(Hybrid, 2, 1), false)
	f.Add([]byte{0xc1}, true)
	f.Add([]byte{}, false)
	f.Fuzz(func(t *testing.T, value []byte, lists bool) {
		st := Hybrid
		if lists {
			st = Async
		}
		v, _ := newTestView(t, st)
		v.applyRecord(sim.Record{Value: event(st, 1, 5)})
		v.applyRecord(sim.Record{Value: value})
		if got := v.Entry(1).Version; got < 5 {
			t.Fatalf("after a fuzzed record, seller 1 went back to version %d", got)
		}
		if v.Stats.Applied+v.Stats.Stale+v.Stats.Corrupt != 2 {
			t.Fatalf("stats %+v account for %d records; want 2", v.Stats, v.Stats.Applied+v.Stats.Stale+v.Stats.Corrupt)
		}
	})
}

// TestCorruptRecordOnTheWire: a broken record between good ones is counted
// and skipped; the consumer goes on.
func TestCorruptRecordOnTheWire(t *testing.T) {
	w := virtual.New(1)
	defer w.Close()
	if err := w.AddBroker(sim.BrokerSpec{Partitions: 1}); err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(Async)
	v := newView(w.Node("gig"), cfg.owners()[0], "gig", lists{})
	w.Node("gig").OnStart("consumer", v.consume)
	owner := w.Node("owner")
	owner.Go("publish", func(ctx context.Context) {
		for _, b := range [][]byte{event(Async, 1, 1), {0x93, 0x01}, event(Async, 1, 2)} {
			if err := owner.Publish(ctx, ListsTopic, "1", b); err != nil {
				t.Error(err)
			}
		}
	})
	w.Run(time.Second)
	if v.Stats.Corrupt != 1 || v.Entry(1).Version != 2 {
		t.Errorf("stats %+v, seller 1 at version %d; want 1 corrupt record skipped and version 2 applied", v.Stats, v.Entry(1).Version)
	}
}

// TestEncodedSizes: the size arithmetic matches the encoder.
func TestEncodedSizes(t *testing.T) {
	for _, size := range []int{16, 50, 200, 300, 70000} {
		for n := range []int{0, 1, 3, 20} {
			l := &List{Seller: Seller(n * 12345), Version: uint64(n) * 1e12}
			for i := range n {
				l.Clients = append(l.Clients, NewClient(uint32(i*99991), size))
			}
			for _, c := range l.Clients {
				if got, want := clientSize(c), encodedSize(c); got != want {
					t.Fatalf("clientSize = %d; want %d (encoded)", got, want)
				}
				if want := max(size, clientSize(Client{ID: c.ID, Name: c.Name, Country: c.Country, LogoURL: c.LogoURL, Industry: c.Industry})); clientSize(c) > want || clientSize(c) < want-2 {
					t.Errorf("NewClient(_, %d) encodes in %d bytes; want %d, or a byte or two less", size, clientSize(c), want)
				}
			}
			if got, want := listEventSize(l), encodedSize(ListEvent{Seller: l.Seller, Version: l.Version, Clients: l.Clients}); got != want {
				t.Errorf("listEventSize = %d; want %d", got, want)
			}
			if got, want := idsEventSize(l), encodedSize(IDsEvent{Seller: l.Seller, Version: l.Version, IDs: l.IDs()}); got != want {
				t.Errorf("idsEventSize = %d; want %d", got, want)
			}
		}
	}
}

// TestViewIgnoresEqualVersion: an event carrying the version the view
// already holds is a duplicate: counted as stale, not applied again, not
// reported to OnApply (which would count a second propagation), and its
// data never replaces what the view holds, even when it differs.
func TestViewIgnoresEqualVersion(t *testing.T) {
	for _, st := range []Strategy{Async, Hybrid} {
		v, _ := newTestView(t, st)
		var applied []uint64
		v.OnApply = func(_, _ string, _ Seller, version uint64) { applied = append(applied, version) }
		first := event(st, 3, 4)
		v.applyRecord(sim.Record{Value: first})
		bytes := v.Stats.Bytes
		// The same version again, and the same version with other data.
		v.applyRecord(sim.Record{Value: first})
		other := ListEvent{Seller: 3, Version: 4, Clients: []Client{NewClient(999, 50)}}
		var b []byte
		var err error
		if st == Hybrid {
			b, err = msgpack.Marshal(IDsEvent{Seller: 3, Version: 4, IDs: []uint32{999}})
		} else {
			b, err = msgpack.Marshal(other)
		}
		if err != nil {
			t.Fatal(err)
		}
		v.applyRecord(sim.Record{Value: b})
		if v.Stats.Applied != 1 || v.Stats.Stale != 2 {
			t.Errorf("%s: stats %+v after one event and two of the same version; want Applied 1, Stale 2", st, v.Stats)
		}
		if len(applied) != 1 {
			t.Errorf("%s: OnApply told of versions %v; want [4] once", st, applied)
		}
		e := v.Entry(3)
		firstID := uint32(0)
		if st == Hybrid {
			firstID = e.IDs[0]
		} else {
			firstID = e.Clients[0].ID
		}
		if firstID != 4 || v.Stats.Bytes != bytes {
			t.Errorf("%s: entry holds client %d, %d bytes; want the first event's data (client 4), %d bytes", st, firstID, v.Stats.Bytes, bytes)
		}
	}
}

// TestHoldingsReadTheOwnersEvents: for each kind of view, the entry it
// takes from the owner's event for a list is the entry it takes from the
// list itself (snapshot or repair): same version, same data, same size.
func TestHoldingsReadTheOwnersEvents(t *testing.T) {
	l := &List{Seller: 3, Version: 7, Clients: []Client{NewClient(5, 120), NewClient(9, 120)}}
	for _, st := range []Strategy{Async, Hybrid} {
		w := virtual.New(1)
		defer w.Close()
		o := testOwner(w, testConfig(st))
		h := holdingOf(t, st)
		if h.topic(OwnerNode) != o.topic {
			t.Errorf("%s: view reads %q; the owner publishes to %q", st, h.topic(OwnerNode), o.topic)
		}
		s, fromEvent, err := h.ofRecord(o.encode(l))
		if err != nil {
			t.Fatalf("%s: ofRecord(the owner's event) = %v", st, err)
		}
		fromList := h.ofList(l)
		if s != l.Seller || fromEvent.Version != fromList.Version || fromEvent.Size != fromList.Size ||
			len(fromEvent.Clients) != len(fromList.Clients) || len(fromEvent.IDs) != len(fromList.IDs) {
			t.Errorf("%s: ofRecord(event) = seller %d, %+v; want seller %d, %+v as ofList gives", st, s, fromEvent, l.Seller, fromList)
		}
		if n := len(fromList.Clients) + len(fromList.IDs); n != len(l.Clients) {
			t.Errorf("%s: ofList holds %d clients or IDs; want %d", st, n, len(l.Clients))
		}
	}
}

// TestReconcileTimeoutBoundsAntiEntropy: anti-entropy calls wait
// ReconcileTimeout, whatever the page call timeout: against an owner that
// takes 100ms a call, a view behind is repaired with a 1s reconcile
// timeout (and a 10ms page timeout), and not with a 50ms one.
func TestReconcileTimeoutBoundsAntiEntropy(t *testing.T) {
	for _, tt := range []struct {
		timeout time.Duration
		want    int
	}{{time.Second, 1}, {50 * time.Millisecond, 0}} {
		w := virtual.New(1)
		defer w.Close()
		cfg := testConfig(Async)
		cfg.Call.Timeout, cfg.ReconcileTimeout = 10*time.Millisecond, tt.timeout
		o := testOwner(w, cfg)
		o.seed([]*List{{Seller: 2, Version: 3, Clients: []Client{NewClient(7, 50)}}})
		if _, err := w.Serve(OwnerNode, sim.ServiceSpec{Workers: 1, ServiceTime: sim.ConstDuration(100 * time.Millisecond), Handler: o.Handle}); err != nil {
			t.Fatal(err)
		}
		v := newView(w.Node("gig"), cfg.owners()[0], "gig", lists{})
		repaired := -1
		w.Node("gig").Go("reconcile", func(ctx context.Context) { repaired = v.ReconcileOnce(ctx) })
		w.Run(5 * time.Second)
		if repaired != tt.want || v.Entry(2).Version != uint64(3*tt.want) {
			t.Errorf("ReconcileOnce with a %v reconcile timeout = %d repaired, seller 2 at version %d; want %d", tt.timeout, repaired, v.Entry(2).Version, tt.want)
		}
	}
}
