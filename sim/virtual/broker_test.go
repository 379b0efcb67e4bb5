package virtual

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/sharebench/sharebench/sim"
)

// seen is what a consumer node received, in order.
type seen struct {
	recs []sim.Record
	at   []time.Duration
}

func (s *seen) values(key string) []string {
	var vs []string
	for _, r := range s.recs {
		if r.Key == key {
			vs = append(vs, string(r.Value))
		}
	}
	return vs
}

// consumeInto starts a consumer loop on node that survives restarts.
func consumeInto(t *testing.T, w *World, node, topic, group string, s *seen) *Node {
	n := w.Node(node)
	n.OnStart("consumer", func(ctx context.Context) {
		c, err := n.Subscribe(topic, group)
		if err != nil {
			t.Error(err)
			return
		}
		for {
			recs, err := c.Poll(ctx)
			if err != nil {
				return
			}
			for _, r := range recs {
				s.recs = append(s.recs, r)
				s.at = append(s.at, n.Now())
			}
		}
	})
	return n
}

// publishAt publishes value i with the given key at each time, retrying
// until acknowledged, and records failures.
func publishAt(w *World, node, topic string, times []time.Duration, key func(i int) string) *[]error {
	n := w.Node(node)
	var errs []error
	for i, at := range times {
		w.At(at, func() {
			n.Go("publish", func(ctx context.Context) {
				ctx, cancel := n.WithTimeout(ctx, 100*ms)
				defer cancel()
				if err := n.Publish(ctx, topic, key(i), []byte(strconv.Itoa(i))); err != nil {
					errs = append(errs, err)
				}
			})
		})
	}
	return &errs
}

func newBrokerWorld(t *testing.T, seed uint64, spec sim.BrokerSpec, opts ...Option) *World {
	w := New(seed, opts...)
	if err := w.AddBroker(spec); err != nil {
		t.Fatal(err)
	}
	return w
}

func TestBrokerKeepsOrderPerKey(t *testing.T) {
	w := newBrokerWorld(t, 1, sim.BrokerSpec{Partitions: 4,
		PublishLatency:  sim.DurationDist{Dist: sim.Exp{M: 0.002}},
		DeliveryLatency: sim.DurationDist{Dist: sim.Exp{M: 0.005}},
	}, WithDefaultLink(LinkSpec{Latency: sim.DurationDist{Dist: sim.Exp{M: 0.001}}}))
	defer w.Close()
	var s seen
	consumeInto(t, w, "gig", "lists", "gig-view", &s)
	// One publisher per key publishing in sequence, so each key's order is
	// defined; keys interleave across partitions.
	const keys, perKey = 20, 50
	owner := w.Node("owner")
	for k := range keys {
		owner.Go("publisher", func(ctx context.Context) {
			for i := range perKey {
				if err := owner.Publish(ctx, "lists", "seller-"+strconv.Itoa(k), []byte(strconv.Itoa(i))); err != nil {
					t.Errorf("publish: %v", err)
				}
			}
		})
	}
	w.Run(10 * time.Second)
	if len(s.recs) != keys*perKey {
		t.Fatalf("consumer received %d records; want %d", len(s.recs), keys*perKey)
	}
	for k := range keys {
		key := "seller-" + strconv.Itoa(k)
		want := make([]string, perKey)
		for i := range want {
			want[i] = strconv.Itoa(i)
		}
		if got := s.values(key); !slices.Equal(got, want) {
			t.Errorf("key %s arrived as %v; want in publish order", key, got)
		}
	}
	for _, r := range s.recs {
		if r.Partition != sim.KeyPartition(r.Key, 4) {
			t.Errorf("key %s on partition %d; want %d (Kafka's murmur2)", r.Key, r.Partition, sim.KeyPartition(r.Key, 4))
		}
	}
	st := w.GroupStats("lists", "gig-view")
	if st.Published != keys*perKey || st.Delivered != keys*perKey || st.Redelivered != 0 || st.Lost != 0 {
		t.Errorf("GroupStats = %+v; want all %d published and delivered once", st, keys*perKey)
	}
}

// TestBrokerDeliveryIsExact: with constant delays, a record reaches a
// waiting consumer at publish + link + publish latency + delivery latency +
// link, to the nanosecond.
func TestBrokerDeliveryIsExact(t *testing.T) {
	w := newBrokerWorld(t, 1, sim.BrokerSpec{Partitions: 1,
		PublishLatency: sim.ConstDuration(2 * ms), DeliveryLatency: sim.ConstDuration(5 * ms),
	}, WithDefaultLink(LinkSpec{Latency: sim.ConstDuration(ms)}))
	defer w.Close()
	var s seen
	consumeInto(t, w, "gig", "t", "g", &s)
	publishAt(w, "owner", "t", []time.Duration{100 * ms}, func(int) string { return "k" })
	w.Run(time.Second)
	if len(s.at) != 1 || s.at[0] != 109*ms || s.recs[0].Published != 103*ms {
		t.Fatalf("received at %v (published %v); want at 109ms, published 103ms", s.at, s.recs)
	}
}

// TestBrokerRedeliversAfterUncommittedCrash: a consumer that crashes
// before committing gets what it had polled again when it comes back.
func TestBrokerRedeliversAfterUncommittedCrash(t *testing.T) {
	w := newBrokerWorld(t, 1, sim.BrokerSpec{Partitions: 3, CommitInterval: 5 * time.Second, SessionTimeout: 2 * time.Second})
	defer w.Close()
	var s seen
	consumeInto(t, w, "gig", "t", "g", &s)
	var times []time.Duration
	for i := range 30 {
		times = append(times, time.Duration(i)*10*ms)
	}
	publishAt(w, "owner", "t", times, func(i int) string { return "k" + strconv.Itoa(i%7) })
	if err := w.Inject(sim.Fault{At: time.Second, For: time.Second, Kind: sim.Crash, Target: "gig"}); err != nil {
		t.Fatal(err)
	}
	w.Run(20 * time.Second)
	st := w.GroupStats("t", "g")
	if st.Delivered != 30 || st.Redelivered != 30 {
		t.Errorf("GroupStats = %+v; want 30 delivered, and all 30 redelivered after the crash", st)
	}
	if len(s.recs) != 60 {
		t.Errorf("consumer saw %d records; want 60 (30, then 30 again)", len(s.recs))
	}
	// The restarted member must wait for the dead one's session to time
	// out before it gets the dead one's partitions.
	last := s.at[len(s.at)-1]
	if last < 2*time.Second || last > 4*time.Second {
		t.Errorf("last redelivery at %v; want between the restart (2s) and the session timeout plus a poll (≤ 4s)", last)
	}
}

// TestBrokerCommittedRecordsAreNotRedelivered: after a commit, a crash
// redelivers only what came after it.
func TestBrokerCommittedRecordsAreNotRedelivered(t *testing.T) {
	w := newBrokerWorld(t, 1, sim.BrokerSpec{Partitions: 1, CommitInterval: time.Second, SessionTimeout: time.Second})
	defer w.Close()
	var s seen
	consumeInto(t, w, "gig", "t", "g", &s)
	// 10 records before the auto-commit at ~1s, 5 after it.
	var times []time.Duration
	for i := range 10 {
		times = append(times, time.Duration(i)*50*ms)
	}
	for i := range 5 {
		times = append(times, 1500*ms+time.Duration(i)*50*ms)
	}
	publishAt(w, "owner", "t", times, func(int) string { return "k" })
	if err := w.Inject(sim.Fault{At: 1900 * ms, Kind: sim.Crash, Target: "gig"}); err != nil {
		t.Fatal(err)
	}
	w.Run(10 * time.Second)
	if st := w.GroupStats("t", "g"); st.Delivered != 15 || st.Redelivered != 5 {
		t.Errorf("GroupStats = %+v; want 15 delivered, 5 redelivered", st)
	}
}

func TestBrokerRetentionLosesUnreadRecordsAndCountsThem(t *testing.T) {
	// The consumer joined at 0 and died; its session ends at 500ms.
	w := newBrokerWorld(t, 1, sim.BrokerSpec{Partitions: 2, Retention: time.Second, SessionTimeout: 500 * ms})
	defer w.Close()
	var s seen
	consumeInto(t, w, "gig", "t", "g", &s)
	if err := w.Inject(sim.Fault{At: 0, For: 5 * time.Second, Kind: sim.Outage, Target: "gig"}); err != nil {
		t.Fatal(err)
	}
	publishAt(w, "owner", "t", []time.Duration{100 * ms, 200 * ms, 300 * ms, 4500 * ms}, func(i int) string { return "k" + strconv.Itoa(i) })
	w.Run(10 * time.Second)
	st := w.GroupStats("t", "g")
	if st.Lost != 3 || st.Delivered != 1 || len(s.recs) != 1 || string(s.recs[0].Value) != "3" {
		t.Errorf("GroupStats = %+v, received %d; want 3 lost to retention and only the last delivered", st, len(s.recs))
	}
}

func TestBrokerOutageFailsPublishesAndStallsFetches(t *testing.T) {
	w := newBrokerWorld(t, 1, sim.BrokerSpec{Partitions: 1})
	defer w.Close()
	var s seen
	consumeInto(t, w, "gig", "t", "g", &s)
	if err := w.Inject(sim.Fault{At: time.Second, For: time.Second, Kind: sim.Outage, Target: sim.BrokerNode}); err != nil {
		t.Fatal(err)
	}
	errs := publishAt(w, "owner", "t", []time.Duration{500 * ms, 1500 * ms, 2500 * ms}, func(int) string { return "k" })
	w.Run(5 * time.Second)
	if len(*errs) != 1 || !errors.Is((*errs)[0], sim.ErrUnavailable) {
		t.Errorf("publish errors = %v; want one ErrUnavailable (the publish during the outage)", *errs)
	}
	if len(s.recs) != 2 || s.at[1] < 2*time.Second || s.at[1] > 2500*ms+fetchBackoff {
		t.Errorf("received %d records at %v; want 2, the second soon after 2.5s", len(s.recs), s.at)
	}
}

func TestBrokerPartitionDelaysDeliveryUntilHeal(t *testing.T) {
	for _, mode := range []string{"drop", "hold"} {
		t.Run(mode, func(t *testing.T) {
			w := newBrokerWorld(t, 1, sim.BrokerSpec{Partitions: 1})
			defer w.Close()
			var gig, user seen
			consumeInto(t, w, "gig", "t", "gig-view", &gig)
			consumeInto(t, w, "user", "t", "user-view", &user)
			if err := w.Inject(sim.Fault{At: time.Second, For: 2 * time.Second, Kind: sim.Partition, Between: []string{sim.BrokerNode, "gig"}, Mode: mode}); err != nil {
				t.Fatal(err)
			}
			publishAt(w, "owner", "t", []time.Duration{1500 * ms}, func(int) string { return "k" })
			w.Run(10 * time.Second)
			if len(user.at) != 1 || user.at[0] != 1500*ms {
				t.Errorf("user (not partitioned) received at %v; want at once, 1.5s", user.at)
			}
			if len(gig.at) != 1 || gig.at[0] < 3*time.Second || gig.at[0] > 3*time.Second+fetchBackoff+time.Second {
				t.Errorf("gig (partitioned until 3s) received at %v; want once, shortly after 3s", gig.at)
			}
		})
	}
}

// TestBrokerDeadMembersPartitionsMove: two members share a topic; when one
// crashes, the other takes its partitions after the session timeout.
func TestBrokerDeadMembersPartitionsMove(t *testing.T) {
	w := newBrokerWorld(t, 1, sim.BrokerSpec{Partitions: 4, SessionTimeout: 2 * time.Second, CommitInterval: 100 * ms})
	defer w.Close()
	var a, b seen
	consumeInto(t, w, "a", "t", "g", &a)
	consumeInto(t, w, "b", "t", "g", &b)
	if err := w.Inject(sim.Fault{At: time.Second, For: time.Hour, Kind: sim.Outage, Target: "a"}); err != nil {
		t.Fatal(err)
	}
	var times []time.Duration
	for i := range 40 {
		times = append(times, 2*time.Second+time.Duration(i)*10*ms)
	}
	publishAt(w, "owner", "t", times, func(i int) string { return fmt.Sprint("k", i) })
	w.Run(10 * time.Second)
	if len(a.recs) != 0 || len(b.recs) != 40 {
		t.Errorf("dead member a got %d, live member b got %d; want 0 and all 40", len(a.recs), len(b.recs))
	}
	if first := b.at[0]; first > 3*time.Second+600*ms {
		t.Errorf("b first received at %v; want by the session timeout after a's last fetch (≈3s) plus a poll", first)
	}
}

// TestBrokerDuplicateFault: with probability p each polled record comes
// again in the next poll; the count is binomial, so 4 standard errors bound
// it.
func TestBrokerDuplicateFault(t *testing.T) {
	const n, p = 2000, 0.3
	w := newBrokerWorld(t, 5, sim.BrokerSpec{Partitions: 2})
	defer w.Close()
	var s seen
	consumeInto(t, w, "gig", "t", "g", &s)
	if err := w.Inject(sim.Fault{At: 0, For: time.Hour, Kind: sim.Duplicate, Target: "gig", P: p}); err != nil {
		t.Fatal(err)
	}
	var times []time.Duration
	for i := range n {
		times = append(times, time.Duration(i)*ms)
	}
	publishAt(w, "owner", "t", times, func(i int) string { return fmt.Sprint("k", i) })
	w.Run(time.Minute)
	st := w.GroupStats("t", "g")
	bound := 4 * 20.493901531919196 // 4·sqrt(n·p·(1−p))
	if st.Delivered != n || float64(st.Redelivered) < n*p-bound || float64(st.Redelivered) > n*p+bound {
		t.Errorf("GroupStats = %+v; want %d delivered and %v ± %.0f redelivered", st, n, n*p, bound)
	}
	if int64(len(s.recs)) != st.Delivered+st.Redelivered {
		t.Errorf("consumer saw %d records; want delivered + redelivered = %d", len(s.recs), st.Delivered+st.Redelivered)
	}
}

func TestBrokerLag(t *testing.T) {
	w := newBrokerWorld(t, 1, sim.BrokerSpec{Partitions: 1, SessionTimeout: 500 * ms})
	defer w.Close()
	var s seen
	consumeInto(t, w, "gig", "t", "g", &s)
	if err := w.Inject(sim.Fault{At: 0, For: time.Second, Kind: sim.Outage, Target: "gig"}); err != nil {
		t.Fatal(err)
	}
	var times []time.Duration
	for i := range 25 {
		times = append(times, time.Duration(i)*10*ms)
	}
	publishAt(w, "owner", "t", times, func(int) string { return "k" })
	w.Run(5 * time.Second)
	if st := w.GroupStats("t", "g"); st.MaxLag != 25 || st.Delivered != 25 {
		t.Errorf("GroupStats = %+v; want MaxLag 25 (all published while gig was down), 25 delivered", st)
	}
}

func TestNoBroker(t *testing.T) {
	w := New(1)
	defer w.Close()
	n := w.Node("n")
	var pubErr, subErr error
	n.Go("p", func(ctx context.Context) {
		pubErr = n.Publish(ctx, "t", "k", nil)
		_, subErr = n.Subscribe("t", "g")
	})
	w.Run(time.Second)
	if !errors.Is(pubErr, sim.ErrNoBroker) || !errors.Is(subErr, sim.ErrNoBroker) {
		t.Errorf("Publish, Subscribe without a broker = %v, %v; want ErrNoBroker", pubErr, subErr)
	}
}
