package virtual

// These tests hold the virtual broker to Kafka where a strategy could tell
// the difference. kfake (franz-go's in-process Kafka cluster) is the
// reference for Kafka semantics: each test drives the virtual broker and a
// kfake cluster (through the franz-go client, kgo) with the same sequence
// and requires the consumers of both to see the same thing: which
// partition a key lands on, the records of each partition in offset order,
// and which records a group gets again after a consumer dies without
// committing. Timing is not compared: the virtual side runs in exact
// virtual time, the kfake side only waits (boundedly) for a known number of
// records. kfake listens on 127.0.0.1 only (it binds "127.0.0.1:0" per
// broker; the test checks the addresses it reports).

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/sharebench/sharebench/sim"
)

// TestKeyPartitionMatchesKafka: sim.KeyPartition places every key where
// franz-go's Kafka-compatible keyed partitioner (murmur2, high bit cleared,
// mod n: what Kafka's Java client does) places it.
func TestKeyPartitionMatchesKafka(t *testing.T) {
	var keys []string
	for i := range 2000 {
		keys = append(keys, "seller-"+strconv.Itoa(i), fmt.Sprintf("k%x", i*7919))
	}
	// Every length 0..15 (murmur2's 1-, 2- and 3-byte tails) and bytes with
	// the high bit set (Java hashes signed bytes; they must be masked).
	for n := range 16 {
		b := make([]byte, n)
		for j := range b {
			b[j] = byte(0x80 + 37*n + 11*j)
		}
		keys = append(keys, string(b), "ключ-"+strconv.Itoa(n), string(b[:n/2])+"é")
	}
	kafka := kgo.StickyKeyPartitioner(nil).ForTopic("t")
	for n := 1; n <= 16; n++ {
		for _, key := range keys {
			want := kafka.Partition(&kgo.Record{Topic: "t", Key: []byte(key)}, n)
			if got := sim.KeyPartition(key, n); got != want {
				t.Fatalf("KeyPartition(%q, %d) = %d; want %d (franz-go's Kafka partitioner)", key, n, got, want)
			}
		}
	}
}

// The sequence both brokers are driven with: record i has key
// "seller-<i mod 20>" and value "<i>", published one at a time, in order.
const (
	kfakeRecords    = 200
	kfakePartitions = 4
	kfakeCommitted  = 120 // (b): records read and committed before the crash
)

func seqKey(i int) string   { return "seller-" + strconv.Itoa(i%20) }
func seqValue(i int) string { return strconv.Itoa(i) }

// kfRec is what a consumer sees of a record, its partition aside.
type kfRec struct {
	Key, Value string
	Offset     int64
}

func (r kfRec) String() string { return fmt.Sprintf("%s=%s@%d", r.Key, r.Value, r.Offset) }

// byPartition is what a consumer saw, per partition, in the order it saw it.
type byPartition map[int][]kfRec

func (bp byPartition) count() int {
	n := 0
	for _, rs := range bp {
		n += len(rs)
	}
	return n
}

func (bp byPartition) addSim(recs ...sim.Record) {
	for _, r := range recs {
		bp[r.Partition] = append(bp[r.Partition], kfRec{r.Key, string(r.Value), r.Offset})
	}
}

func (bp byPartition) addKgo(recs ...*kgo.Record) {
	for _, r := range recs {
		bp[int(r.Partition)] = append(bp[int(r.Partition)], kfRec{string(r.Key), string(r.Value), r.Offset})
	}
}

// comparePartitions requires the virtual consumer (got) to have seen, per
// partition, exactly what the kfake consumer (want) saw.
func comparePartitions(t *testing.T, what string, got, want byPartition) {
	t.Helper()
	for p := range kfakePartitions {
		if !slices.Equal(got[p], want[p]) {
			t.Errorf("%s: virtual partition %d = %v; want (kfake) %v", what, p, got[p], want[p])
		}
	}
	for p := range got {
		if p < 0 || p >= kfakePartitions {
			t.Errorf("%s: virtual partition %d = %v; want no such partition", what, p, got[p])
		}
	}
	if got.count() != want.count() {
		t.Errorf("%s: virtual records seen = %d; want (kfake) %d", what, got.count(), want.count())
	}
}

// virtualSpec: explicit commits only (auto-commit every hour, i.e. never
// within a run), and a short session so a dead member's partitions move
// quickly.
var virtualSpec = sim.BrokerSpec{Partitions: kfakePartitions, CommitInterval: time.Hour, SessionTimeout: time.Second}

// virtualPublish publishes records [from, to) of the sequence from node
// owner, one after the other, starting at virtual time at.
func virtualPublish(t *testing.T, w *World, at time.Duration, topic string, from, to int) {
	owner := w.Node("owner")
	w.At(at, func() {
		owner.Go("publish", func(ctx context.Context) {
			for i := from; i < to; i++ {
				if err := owner.Publish(ctx, topic, seqKey(i), []byte(seqValue(i))); err != nil {
					t.Errorf("virtual publish %d: %v", i, err)
				}
			}
		})
	})
}

// virtualConsume starts a consumer of group on node at virtual time at;
// it records what it polls into seen and calls afterPoll (if not nil)
// after each poll. It never closes (it runs until the run ends or its node
// crashes), so only explicit commits happen.
func virtualConsume(t *testing.T, w *World, at time.Duration, node, topic, group string, seen byPartition, afterPoll func(ctx context.Context, c sim.Consumer)) {
	n := w.Node(node)
	w.At(at, func() {
		n.Go("consumer", func(ctx context.Context) {
			c, err := n.Subscribe(topic, group)
			if err != nil {
				t.Errorf("virtual subscribe: %v", err)
				return
			}
			for {
				recs, err := c.Poll(ctx)
				if err != nil {
					return
				}
				seen.addSim(recs...)
				if afterPoll != nil {
					afterPoll(ctx, c)
				}
			}
		})
	})
}

// kfakeCluster starts a one-broker kfake cluster with the given topics of
// kfakePartitions partitions, closed when the test ends, and returns its
// addresses (all on 127.0.0.1).
func kfakeCluster(t *testing.T, topics ...string) []string {
	t.Helper()
	c, err := kfake.NewCluster(
		kfake.NumBrokers(1),
		kfake.SeedTopics(kfakePartitions, topics...),
		kfake.GroupMinSessionTimeout(100*ms),
	)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	addrs := c.ListenAddrs()
	for _, a := range addrs {
		if host, _, err := net.SplitHostPort(a); err != nil || host != "127.0.0.1" {
			t.Fatalf("kfake listens on %q; want 127.0.0.1 only", a)
		}
	}
	return addrs
}

// kgoClient returns a franz-go client of the cluster, closed when the test
// ends (Close is idempotent: a test may close it earlier).
func kgoClient(t *testing.T, addrs []string, opts ...kgo.Opt) *kgo.Client {
	t.Helper()
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(addrs...)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

// kgoProducer returns a producer placing keyed records as Kafka does.
func kgoProducer(t *testing.T, addrs []string) *kgo.Client {
	return kgoClient(t, addrs, kgo.RecordPartitioner(kgo.StickyKeyPartitioner(nil)))
}

// kgoConsumer returns a member of group on topic that commits only when
// told (no auto-commit, hence no commit on revoke, leave or close), starts
// a partition with no committed offset at its first record, and has short
// group timings (a 500ms session kept by 50ms heartbeats, 100ms fetch
// waits). opts add to or override these.
func kgoConsumer(t *testing.T, addrs []string, topic, group string, opts ...kgo.Opt) *kgo.Client {
	return kgoClient(t, addrs, append([]kgo.Opt{
		kgo.ConsumerGroup(group),
		kgo.ConsumeTopics(topic),
		kgo.DisableAutoCommit(),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.FetchMaxWait(100 * ms),
		kgo.SessionTimeout(500 * ms),
		kgo.HeartbeatInterval(50 * ms),
		kgo.RebalanceTimeout(time.Second),
	}, opts...)...)
}

// kfakeTimeout bounds every wait on the live cluster.
const kfakeTimeout = 20 * time.Second

// kgoPublish produces records [from, to) of the sequence in order, each
// acknowledged before the next.
func kgoPublish(t *testing.T, cl *kgo.Client, topic string, from, to int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), kfakeTimeout)
	defer cancel()
	for i := from; i < to; i++ {
		r := &kgo.Record{Topic: topic, Key: []byte(seqKey(i)), Value: []byte(seqValue(i))}
		if err := cl.ProduceSync(ctx, r).FirstErr(); err != nil {
			t.Fatalf("kfake produce %d: %v", i, err)
		}
	}
}

// kgoPollN polls until n more records have arrived, adding them to seen;
// it gives up after kfakeTimeout.
func kgoPollN(t *testing.T, cl *kgo.Client, n int, seen byPartition) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), kfakeTimeout)
	defer cancel()
	want := seen.count() + n
	for seen.count() < want {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("kfake consumer records = %d after %v; want %d", seen.count(), kfakeTimeout, want)
		}
		for _, e := range fs.Errors() {
			t.Fatalf("kfake poll: %s[%d]: %v", e.Topic, e.Partition, e.Err)
		}
		seen.addKgo(fs.Records()...)
	}
	if seen.count() != want {
		t.Fatalf("kfake consumer records = %d; want %d", seen.count(), want)
	}
}

// TestBrokerMatchesKfake drives the virtual broker and kfake with the same
// sequence and compares what consumers of a group see.
func TestBrokerMatchesKfake(t *testing.T) {
	addrs := kfakeCluster(t, "lists", "redelivery", "idle")
	producer := kgoProducer(t, addrs)

	// (a) A consumer in group G reads the whole sequence: each key on
	// Kafka's partition, each partition in offset order from offset 0.
	t.Run("consume", func(t *testing.T) {
		want := byPartition{}
		kgoPublish(t, producer, "lists", 0, kfakeRecords)
		c := kgoConsumer(t, addrs, "lists", "G")
		kgoPollN(t, c, kfakeRecords, want)
		c.Close()

		w := newBrokerWorld(t, 1, virtualSpec)
		defer w.Close()
		got := byPartition{}
		virtualPublish(t, w, 0, "lists", 0, kfakeRecords)
		virtualConsume(t, w, 0, "gig", "lists", "G", got, nil)
		w.Run(10 * time.Second)
		comparePartitions(t, "consume all", got, want)
		if st := w.GroupStats("lists", "G"); st.Delivered != kfakeRecords || st.Redelivered != 0 {
			t.Errorf("virtual GroupStats = %+v; want %d delivered, none redelivered", st, kfakeRecords)
		}
	})

	// (b) A consumer reads the first kfakeCommitted records and commits,
	// reads the rest without committing, and crashes. A new member of the
	// group, joining while the dead one is still a member, gets the dead
	// one's partitions when its session times out, and with them the
	// uncommitted records again: each partition from its committed offset,
	// in order.
	//
	// kfake: the first consumer is a static member (kgo.InstanceID), so
	// closing it sends no LeaveGroup, and commits nothing (auto-commit
	// disabled): to the cluster it just goes silent, as a crashed process
	// does. Virtual: the first consumer's node crashes.
	t.Run("redeliver", func(t *testing.T) {
		const rest = kfakeRecords - kfakeCommitted
		wantFirst, wantSecond := byPartition{}, byPartition{}
		kgoPublish(t, producer, "redelivery", 0, kfakeCommitted)
		c1 := kgoConsumer(t, addrs, "redelivery", "G", kgo.InstanceID("c1"))
		kgoPollN(t, c1, kfakeCommitted, wantFirst)
		ctx, cancel := context.WithTimeout(context.Background(), kfakeTimeout)
		defer cancel()
		if err := c1.CommitUncommittedOffsets(ctx); err != nil {
			t.Fatalf("kfake commit: %v", err)
		}
		kgoPublish(t, producer, "redelivery", kfakeCommitted, kfakeRecords)
		kgoPollN(t, c1, rest, wantFirst)
		c1.Close() // the crash: no commit, no leave
		c2 := kgoConsumer(t, addrs, "redelivery", "G")
		kgoPollN(t, c2, rest, wantSecond)
		c2.Close()

		w := newBrokerWorld(t, 1, virtualSpec)
		defer w.Close()
		gotFirst, gotSecond := byPartition{}, byPartition{}
		committed := -1 // records the first consumer had read when it committed
		virtualPublish(t, w, 0, "redelivery", 0, kfakeCommitted)
		virtualPublish(t, w, time.Second, "redelivery", kfakeCommitted, kfakeRecords)
		virtualConsume(t, w, 0, "c1", "redelivery", "G", gotFirst, func(ctx context.Context, c sim.Consumer) {
			if committed < 0 && gotFirst.count() >= kfakeCommitted {
				committed = gotFirst.count()
				if err := c.Commit(ctx); err != nil {
					t.Errorf("virtual commit: %v", err)
				}
			}
		})
		if err := w.Inject(sim.Fault{At: 2 * time.Second, For: time.Hour, Kind: sim.Crash, Target: "c1"}); err != nil {
			t.Fatal(err)
		}
		virtualConsume(t, w, 2*time.Second+10*ms, "c2", "redelivery", "G", gotSecond, nil)
		w.Run(10 * time.Second)

		if committed != kfakeCommitted {
			t.Errorf("virtual records read at the commit = %d; want %d", committed, kfakeCommitted)
		}
		comparePartitions(t, "first consumer", gotFirst, wantFirst)
		comparePartitions(t, "after the crash", gotSecond, wantSecond)
		if st := w.GroupStats("redelivery", "G"); st.Delivered != kfakeRecords || st.Redelivered != rest {
			t.Errorf("virtual GroupStats = %+v; want %d delivered, %d redelivered", st, kfakeRecords, rest)
		}
	})

	// (c) A member that keeps polling keeps its partitions, however short
	// its session: Kafka clients keep the session alive with heartbeats
	// sent beside the fetches, so a fetch parked at the broker for longer
	// than the session timeout costs nothing. kfake: session 1s,
	// heartbeats every 100ms, fetches waiting up to 2s; after reading the
	// sequence the member idles (polling) for 2.5s, longer than a fetch
	// wait and two sessions, and gets nothing more.
	//
	// The virtual broker once differed here: it heard from a member only
	// when a fetch arrived, so a member idle in long polls longer than its
	// session expired itself and re-read everything since its last commit.
	// This subtest found it.
	t.Run("idle member keeps its partitions", func(t *testing.T) {
		const session, maxWait = time.Second, 2 * time.Second
		want := byPartition{}
		kgoPublish(t, producer, "idle", 0, kfakeRecords)
		c := kgoConsumer(t, addrs, "idle", "G", kgo.SessionTimeout(session), kgo.HeartbeatInterval(100*ms), kgo.FetchMaxWait(maxWait))
		kgoPollN(t, c, kfakeRecords, want)
		ctx, cancel := context.WithTimeout(context.Background(), 2500*ms)
		defer cancel()
		for ctx.Err() == nil {
			fs := c.PollFetches(ctx)
			if ctx.Err() != nil {
				break
			}
			for _, e := range fs.Errors() {
				t.Fatalf("kfake poll: %s[%d]: %v", e.Topic, e.Partition, e.Err)
			}
			want.addKgo(fs.Records()...)
		}
		c.Close()
		if want.count() != kfakeRecords {
			t.Fatalf("kfake idle member records = %d; want %d, each once (Kafka keeps the member)", want.count(), kfakeRecords)
		}

		w := newBrokerWorld(t, 1, sim.BrokerSpec{Partitions: kfakePartitions, CommitInterval: time.Hour, SessionTimeout: session, MaxWait: maxWait})
		defer w.Close()
		got := byPartition{}
		virtualPublish(t, w, 0, "idle", 0, kfakeRecords)
		virtualConsume(t, w, 0, "gig", "idle", "G", got, nil)
		w.Run(10 * time.Second)
		st := w.GroupStats("idle", "G")
		comparePartitions(t, "idle member", got, want)
		if st.Delivered != kfakeRecords || st.Redelivered != 0 {
			t.Errorf("virtual GroupStats = %+v; want %d delivered, none redelivered", st, kfakeRecords)
		}
	})
}
