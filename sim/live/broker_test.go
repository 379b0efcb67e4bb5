package live

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/sharebench/sharebench/sim"
)

func addBroker(t *testing.T, w *World, spec sim.BrokerSpec) {
	t.Helper()
	if err := w.AddBroker(spec); err != nil {
		t.Fatal(err)
	}
}

var fastBroker = sim.BrokerSpec{
	Partitions:     4,
	CommitInterval: 200 * ms,
	SessionTimeout: time.Second,
	MaxWait:        100 * ms,
}

// collector is a consumer process's record of what its polls returned.
type collector struct {
	mu   sync.Mutex
	recs []sim.Record
}

func (c *collector) add(rs []sim.Record) {
	c.mu.Lock()
	c.recs = append(c.recs, rs...)
	c.mu.Unlock()
}

func (c *collector) snapshot() []sim.Record {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.recs)
}

// partitionsSince lists the partitions of records published after t.
func (c *collector) partitionsSince(t time.Duration) []int {
	var ps []int
	for _, r := range c.snapshot() {
		if r.Published > t && !slices.Contains(ps, r.Partition) {
			ps = append(ps, r.Partition)
		}
	}
	slices.Sort(ps)
	return ps
}

// consume runs a consumer of group on topic as a start hook of n.
func consume(n *Node, topic, group string) *collector {
	col := &collector{}
	n.OnStart("consumer", func(ctx context.Context) {
		c, err := n.Subscribe(topic, group)
		if err != nil {
			panic(err)
		}
		defer c.Close()
		for {
			recs, err := c.Poll(ctx)
			if err != nil {
				return
			}
			col.add(recs)
		}
	})
	return col
}

// publishEvery publishes key k<i mod keys> from a process of n every
// period until the node stops.
func publishEvery(n *Node, topic string, keys int, period time.Duration) {
	n.OnStart("producer", func(ctx context.Context) {
		for i := 0; n.Sleep(ctx, period) == nil; i++ {
			pctx, cancel := n.WithTimeout(ctx, time.Second)
			n.Publish(pctx, topic, fmt.Sprintf("k%d", i%keys), []byte{byte(i)})
			cancel()
		}
	})
}

// TestPublishConsume: records keyed by seller land on the partition
// Kafka's murmur2 gives them (sim.KeyPartition), in offset order per
// partition, stamped with world time, under the topic name strategies
// use.
func TestPublishConsume(t *testing.T) {
	w := newWorld(t)
	addBroker(t, w, fastBroker)
	p := w.Node("p")
	before := w.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for i := range 40 {
		if err := p.Publish(ctx, "t", fmt.Sprint(i), []byte{byte(i)}); err != nil {
			t.Fatalf("Publish: %v", err)
		}
	}
	after := w.Now()
	col := consume(w.Node("c"), "t", "g")
	if !eventually(10*time.Second, func() bool { return len(col.snapshot()) >= 40 }) {
		t.Fatalf("consumer got %d of 40 records", len(col.snapshot()))
	}
	next := map[int]int64{}
	for _, r := range col.snapshot() {
		i := int(r.Value[0])
		if r.Topic != "t" || r.Key != fmt.Sprint(i) || r.Partition != sim.KeyPartition(r.Key, 4) {
			t.Errorf("record %+v; want topic t, key %d on partition %d", r, i, sim.KeyPartition(r.Key, 4))
		}
		if r.Offset != next[r.Partition] {
			t.Errorf("partition %d: offset %d; want %d (in order, from 0)", r.Partition, r.Offset, next[r.Partition])
		}
		next[r.Partition] = r.Offset + 1
		if r.Published < before-10*ms || r.Published > after+10*ms {
			t.Errorf("record published at %v; want within [%v, %v]", r.Published, before, after)
		}
	}
	if st := w.BrokerStats(); st.Published != 40 || st.Delivered != 40 || st.Redelivered != 0 {
		t.Errorf("BrokerStats = %+v; want 40 published and delivered once", st)
	}
}

// TestDeadConsumerPartitionsMove: of two members of a group, one is
// killed (its node crashes: no commit, no leave); within the session
// timeout and a rebalance the other gets every partition. A member that
// closes properly hands its partitions over at once.
func TestDeadConsumerPartitionsMove(t *testing.T) {
	for _, how := range []string{"killed", "closed"} {
		t.Run(how, func(t *testing.T) {
			w := newWorld(t)
			addBroker(t, w, fastBroker)
			a, b := w.Node("a"), w.Node("b")
			publishEvery(w.Node("p"), "t", 16, 10*ms)
			var gone func()
			colA := &collector{}
			switch how {
			case "killed":
				colA = consume(a, "t", "g")
				gone = func() {
					if err := w.Inject(sim.Fault{At: w.Now(), For: time.Hour, Kind: sim.Crash, Target: "a"}); err != nil {
						t.Fatal(err)
					}
				}
			case "closed":
				cancels := make(chan context.CancelFunc, 1)
				a.Go("consumer", func(ctx context.Context) {
					c, err := a.Subscribe("t", "g")
					if err != nil {
						panic(err)
					}
					defer c.Close() // commits and leaves the group
					ctx, cancel := a.WithCancel(ctx)
					cancels <- cancel
					for {
						recs, err := c.Poll(ctx)
						if err != nil {
							return
						}
						colA.add(recs)
					}
				})
				gone = func() { (<-cancels)() }
			}
			colB := consume(b, "t", "g")
			// Both members own some partitions once each has received records.
			if !eventually(15*time.Second, func() bool {
				pa, pb := colA.partitionsSince(w.Now()-300*ms), colB.partitionsSince(w.Now()-300*ms)
				return len(pa) > 0 && len(pb) > 0 && len(pa)+len(pb) == 4
			}) {
				t.Fatalf("the two members never shared the partitions: a %v, b %v", colA.partitionsSince(0), colB.partitionsSince(0))
			}
			at := w.Now()
			gone()
			if !eventually(fastBroker.SessionTimeout+5*time.Second, func() bool {
				return len(colB.partitionsSince(w.Now()-200*ms)) == 4
			}) {
				t.Fatalf("%s member's partitions did not move: b has %v since %v", how, colB.partitionsSince(at), at)
			}
			took := w.Now() - at
			t.Logf("%s: b took over every partition %v after", how, took)
			// A killed member neither commits nor leaves: the group notices
			// only when its session times out, at least the timeout less
			// one heartbeat interval after its last heartbeat.
			if floor := fastBroker.SessionTimeout - fastBroker.SessionTimeout/3 - 50*ms; how == "killed" && took < floor {
				t.Errorf("killed member's partitions moved after %v, before its session could time out (%v): it left the group", took, floor)
			}
		})
	}
}

// TestBrokerPartitionCutsOneNode: a partition between the broker and a
// node stops that node's consumer only; it catches up after the heal.
func TestBrokerPartitionCutsOneNode(t *testing.T) {
	w := newWorld(t)
	addBroker(t, w, fastBroker)
	colA := consume(w.Node("a"), "t", "ga")
	colB := consume(w.Node("b"), "t", "gb")
	p := w.Node("p")
	publish := func(i int) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := p.Publish(ctx, "t", fmt.Sprint(i), []byte{byte(i)}); err != nil {
			t.Fatalf("Publish: %v", err)
		}
	}
	publish(0)
	if !eventually(10*time.Second, func() bool { return len(colA.snapshot()) == 1 && len(colB.snapshot()) == 1 }) {
		t.Fatalf("consumers not running")
	}
	at, dur := w.Now()+50*ms, 1500*ms
	if err := w.Inject(sim.Fault{At: at, For: dur, Kind: sim.Partition, Between: []string{sim.BrokerNode, "a"}}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(at - w.Now() + 50*ms)
	for i := 1; i <= 10; i++ {
		publish(i)
	}
	if !eventually(time.Second, func() bool { return len(colB.snapshot()) == 11 }) {
		t.Errorf("b got %d of 11 records during a partition that does not concern it", len(colB.snapshot()))
	}
	if w.Now() < at+dur {
		if n := len(colA.snapshot()); n != 1 {
			t.Errorf("a got %d records while cut off from the broker; want 1", n)
		}
	}
	if !eventually(10*time.Second, func() bool { return len(colA.snapshot()) >= 11 }) {
		t.Errorf("a got %d of 11 records after the partition healed", len(colA.snapshot()))
	}
}

// TestBrokerOutage: publishing fails while the broker is down and works
// again after.
func TestBrokerOutage(t *testing.T) {
	w := newWorld(t)
	addBroker(t, w, fastBroker)
	p := w.Node("p")
	pub := func(d time.Duration) error {
		ctx, cancel := context.WithTimeout(context.Background(), d)
		defer cancel()
		return p.Publish(ctx, "t", "k", []byte("v"))
	}
	if err := pub(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	at := w.Now() + 50*ms
	if err := w.Inject(sim.Fault{At: at, For: 700 * ms, Kind: sim.Outage, Target: sim.BrokerNode}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(at - w.Now() + 50*ms)
	if err := pub(200 * ms); err == nil {
		t.Errorf("Publish during a broker outage succeeded")
	} else if !errors.Is(err, context.DeadlineExceeded) && !isUnavailable(err) {
		t.Errorf("Publish during a broker outage = %v; want unavailable or a timeout", err)
	}
	if !eventually(5*time.Second, func() bool { return pub(time.Second) == nil }) {
		t.Errorf("Publish still fails after the broker outage")
	}
}

// TestExternalCluster: a world pointed at a cluster by address (here,
// another world's kfake) works the same through its own proxies, and its
// prefix keeps its topics and groups apart from other users of the
// cluster.
func TestExternalCluster(t *testing.T) {
	base := runtime.NumGoroutine()
	a, err := New()
	if err != nil {
		t.Fatal(err)
	}
	var b *World
	t.Cleanup(func() {
		addrs := a.Addrs()
		if b != nil {
			addrs = append(addrs, b.Addrs()...)
			if err := b.Close(); err != nil { // before the cluster it uses
				t.Error(err)
			}
		}
		if err := a.Close(); err != nil {
			t.Error(err)
		}
		checkNoLeaks(t, base, addrs)
	})
	addBroker(t, a, fastBroker)
	if b, err = New(WithKafka(a.KafkaSeeds()...)); err != nil {
		t.Fatal(err)
	}
	addBroker(t, b, fastBroker)
	colA := consume(a.Node("c"), "t", "g")
	colB := consume(b.Node("c"), "t", "g")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := b.Node("p").Publish(ctx, "t", "k", []byte("from b")); err != nil {
		t.Fatal(err)
	}
	if !eventually(10*time.Second, func() bool { return len(colB.snapshot()) == 1 }) {
		t.Fatalf("b's consumer got %d records; want 1", len(colB.snapshot()))
	}
	if r := colB.snapshot()[0]; r.Topic != "t" || string(r.Value) != "from b" {
		t.Errorf("b's record = %+v; want topic t (unprefixed), value from b", r)
	}
	time.Sleep(300 * ms)
	if n := len(colA.snapshot()); n != 0 {
		t.Errorf("a's consumer of its own topic t got %d of b's records; want 0", n)
	}
}

// TestRetention: records older than the retention are deleted; a group
// that had not read them never sees them.
func TestRetention(t *testing.T) {
	w := newWorld(t)
	spec := fastBroker
	spec.Retention = 300 * ms
	addBroker(t, w, spec)
	p := w.Node("p")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for i := range 5 {
		if err := p.Publish(ctx, "t", fmt.Sprint(i), []byte("old")); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(spec.Retention + 700*ms) // past retention and a cleaner tick
	if err := p.Publish(ctx, "t", "new", []byte("new")); err != nil {
		t.Fatal(err)
	}
	col := consume(w.Node("c"), "t", "g")
	if !eventually(10*time.Second, func() bool { return len(col.snapshot()) >= 1 }) {
		t.Fatalf("consumer got nothing")
	}
	time.Sleep(200 * ms)
	for _, r := range col.snapshot() {
		if string(r.Value) != "new" {
			t.Errorf("got %+v, published %v ago; retention is %v", r, w.Now()-r.Published, spec.Retention)
		}
	}
}

// TestDuplicateFault: a node's consumers see every record again, in a
// later poll, while a duplicate fault with p = 1 lasts.
func TestDuplicateFault(t *testing.T) {
	w := newWorld(t)
	addBroker(t, w, fastBroker)
	c := w.Node("c")
	if err := w.Inject(sim.Fault{At: 0, For: time.Hour, Kind: sim.Duplicate, Target: "c", P: 1}); err != nil {
		t.Fatal(err)
	}
	col := consume(c, "t", "g")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for i := range 5 {
		if err := w.Node("p").Publish(ctx, "t", fmt.Sprint(i), []byte{byte(i)}); err != nil {
			t.Fatal(err)
		}
	}
	if !eventually(10*time.Second, func() bool { return len(col.snapshot()) >= 10 }) {
		t.Fatalf("consumer got %d records; want each of 5 twice", len(col.snapshot()))
	}
	seen := map[string]int{}
	for _, r := range col.snapshot() {
		seen[r.Key]++
	}
	for k, n := range seen {
		if n != 2 {
			t.Errorf("record %s delivered %d times; want 2", k, n)
		}
	}
	if st := w.BrokerStats(); st.Delivered != 5 || st.Redelivered != 5 {
		t.Errorf("BrokerStats = %+v; want 5 delivered, 5 redelivered", st)
	}
}
