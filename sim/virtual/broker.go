package virtual

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/sharebench/sharebench/sim"
)

// The broker follows Kafka where the strategies can tell the difference
// (kfake is the reference, see broker_kfake_test.go):
//
//   - A topic has a fixed number of partitions; a record goes to the
//     partition its key hashes to (Kafka's murmur2), is appended at the next
//     offset, and keeps its place: a partition is consumed in offset order.
//   - Consumer groups share a topic's partitions among their members
//     (round robin by join order). Positions are the consumer's; committed
//     offsets are the broker's. A member starts a partition at the group's
//     committed offset (the earliest retained record if none), so a consumer
//     that crashes before committing receives those records again.
//   - Consumers commit what previous polls returned every CommitInterval
//     (as Kafka clients' auto-commit does) and on Close.
//   - A member not heard from for SessionTimeout is dropped and its
//     partitions go to the others; a member that comes back rejoins.
//   - Records older than Retention are deleted; a group that had not read
//     them has lost them, and the loss is counted, never silent.
//
// The broker is a node (sim.BrokerNode) serving "publish", "fetch",
// "commit" and "leave", so network faults, outages and crashes reach it
// like any other service: an outage fails publishes and stalls fetches, a
// partition cuts one service off, added latency on broker->x delays
// delivery to x. Its log and group state are durable and survive crashes.

// BrokerStats counts what went through the broker, for one group or all.
type BrokerStats = sim.BrokerCounts

type broker struct {
	w      *World
	node   *Node
	spec   sim.BrokerSpec
	rng    *rand.Rand
	topics map[string]*topic
	order  []*topic
	nextID int64 // member ids
}

type topic struct {
	name   string
	parts  []*partitionLog
	groups []*consumerGroup
	stats  BrokerStats // Published only
}

type partitionLog struct {
	base    int64 // offset of recs[0]
	recs    []logRecord
	waiters []waiter // fetches parked until a record becomes visible
}

type logRecord struct {
	rec       sim.Record
	visibleAt time.Duration
}

func (pl *partitionLog) end() int64 { return pl.base + int64(len(pl.recs)) }

type consumerGroup struct {
	name       string
	t          *topic
	members    []*member // by id, i.e. join order
	generation int64
	committed  []int64 // per partition; -1: nothing committed
	delivered  []int64 // per partition: one past the highest offset a poll returned
	lostMark   []int64 // per partition: records below this were counted as lost
	waiters    []waiter
	stats      BrokerStats
}

type member struct {
	id       int64
	lastSeen time.Duration
	fetching int // fetches in progress: a member waiting in one is alive
}

// AddBroker gives the world a broker, the node sim.BrokerNode.
func (w *World) AddBroker(spec sim.BrokerSpec) error {
	if err := spec.Validate(); err != nil {
		return err
	}
	if w.broker != nil {
		return fmt.Errorf("broker: the world has one already")
	}
	b := &broker{w: w, spec: spec.WithDefaults(), rng: w.streams.Stream("broker"), topics: map[string]*topic{}}
	n, err := w.Serve(sim.BrokerNode, sim.ServiceSpec{Workers: 1 << 30, Handler: b.handle})
	if err != nil {
		return err
	}
	b.node = n
	w.broker = b
	return nil
}

// BrokerStats sums the counters over every topic and group.
func (w *World) BrokerStats() BrokerStats {
	var s BrokerStats
	if w.broker == nil {
		return s
	}
	for _, t := range w.broker.order {
		s.Published += t.stats.Published
		for _, g := range t.groups {
			s.Delivered += g.stats.Delivered
			s.Redelivered += g.stats.Redelivered
			s.Lost += g.stats.Lost
			s.MaxLag = max(s.MaxLag, g.stats.MaxLag)
		}
	}
	return s
}

// BrokerLag is how many records the furthest-behind group is behind on
// its furthest-behind partition, now.
func (w *World) BrokerLag() int64 {
	var lag int64
	if w.broker == nil {
		return 0
	}
	for _, t := range w.broker.order {
		for _, g := range t.groups {
			for p, pl := range t.parts {
				lag = max(lag, pl.end()-g.delivered[p])
			}
		}
	}
	return lag
}

// GroupStats returns one group's counters, Published being its topic's.
func (w *World) GroupStats(topicName, group string) BrokerStats {
	if w.broker == nil {
		return BrokerStats{}
	}
	t := w.broker.topic(topicName)
	s := w.broker.group(t, group).stats
	s.Published = t.stats.Published
	return s
}

func (b *broker) topic(name string) *topic {
	t, ok := b.topics[name]
	if !ok {
		t = &topic{name: name, parts: make([]*partitionLog, b.spec.Partitions)}
		for i := range t.parts {
			t.parts[i] = &partitionLog{}
		}
		b.topics[name] = t
		b.order = append(b.order, t)
	}
	return t
}

func (b *broker) group(t *topic, name string) *consumerGroup {
	for _, g := range t.groups {
		if g.name == name {
			return g
		}
	}
	n := len(t.parts)
	g := &consumerGroup{name: name, t: t, committed: make([]int64, n), delivered: make([]int64, n), lostMark: make([]int64, n)}
	for i := range g.committed {
		g.committed[i] = -1
	}
	t.groups = append(t.groups, g)
	return g
}

// Wire formats of the broker's methods. In the virtual world they travel
// as Go values.
type (
	publishReq struct {
		Topic, Key string
		Value      []byte
	}
	partPos struct {
		Partition int
		Offset    int64
	}
	fetchReq struct {
		Topic, Group string
		Member       int64 // 0: not a member yet
		Generation   int64
		Positions    []partPos // where the member is, for the generation it knows
	}
	fetchResp struct {
		Member, Generation int64
		Records            []sim.Record
		Next               []partPos // positions after Records, every assigned partition
	}
	commitReq struct {
		Topic, Group string
		Member       int64
		Generation   int64
		Offsets      []partPos
	}
	leaveReq struct {
		Topic, Group string
		Member       int64
	}
)

func (b *broker) handle(ctx context.Context, req sim.Request) (any, error) {
	switch r := req.Body.(type) {
	case publishReq:
		if err := b.node.Sleep(ctx, b.spec.PublishLatency.Sample(b.rng)); err != nil {
			return nil, err
		}
		return b.append(r), nil
	case fetchReq:
		return b.fetch(r), nil
	case commitReq:
		return nil, b.commit(r)
	case leaveReq:
		t := b.topic(r.Topic)
		b.group(t, r.Group).leave(r.Member)
		return nil, nil
	}
	return nil, fmt.Errorf("broker: unknown request %T", req.Body)
}

// append adds a record and returns its offset.
func (b *broker) append(r publishReq) int64 {
	now := b.w.q.now
	t := b.topic(r.Topic)
	p := sim.KeyPartition(r.Key, len(t.parts))
	pl := t.parts[p]
	visible := b.w.q.after(b.spec.DeliveryLatency.Sample(b.rng))
	if k := len(pl.recs); k > 0 {
		visible = max(visible, pl.recs[k-1].visibleAt) // in offset order
	}
	off := pl.end()
	pl.recs = append(pl.recs, logRecord{
		rec:       sim.Record{Topic: r.Topic, Partition: p, Offset: off, Key: r.Key, Value: r.Value, Published: now},
		visibleAt: visible,
	})
	t.stats.Published++
	for _, g := range t.groups {
		g.stats.MaxLag = max(g.stats.MaxLag, pl.end()-g.delivered[p])
	}
	b.w.q.schedule(visible, pl, 0)
	if b.w.trace != nil {
		b.w.tracef("broker: %s[%d]@%d key %s appended", r.Topic, p, off, r.Key)
	}
	return off
}

// fire wakes the fetches waiting on the partition: a record has become
// visible.
func (pl *partitionLog) fire() {
	for _, wt := range pl.waiters {
		wt.p.w.wake(wt.p.w.q.now, wt.p, wt.tok, wakeReply)
	}
	pl.waiters = nil
}

// trim deletes the records past retention and returns the first offset
// still held.
func (b *broker) trim(pl *partitionLog) int64 {
	if b.spec.Retention == 0 {
		return pl.base
	}
	cut := b.w.q.now - b.spec.Retention
	k := 0
	for k < len(pl.recs) && pl.recs[k].rec.Published <= cut {
		k++
	}
	if k > 0 {
		pl.base += int64(k)
		pl.recs = slices.Clone(pl.recs[k:]) // let the deleted records go
	}
	return pl.base
}

func (g *consumerGroup) memberByID(id int64) *member {
	for _, m := range g.members {
		if m.id == id {
			return m
		}
	}
	return nil
}

// expire drops members not heard from for the session timeout.
func (g *consumerGroup) expire(b *broker) {
	now := b.w.q.now
	gone := slices.DeleteFunc(slices.Clone(g.members), func(m *member) bool {
		return m.fetching > 0 || now-m.lastSeen < b.spec.SessionTimeout
	})
	for _, m := range gone {
		g.leave(m.id)
	}
}

func (g *consumerGroup) leave(id int64) {
	if g.memberByID(id) == nil {
		return
	}
	g.members = slices.DeleteFunc(g.members, func(m *member) bool { return m.id == id })
	g.rebalance()
}

func (g *consumerGroup) rebalance() {
	g.generation++
	for _, wt := range g.waiters {
		wt.p.w.wake(wt.p.w.q.now, wt.p, wt.tok, wakeReply)
	}
	g.waiters = nil
}

// assigned lists m's partitions: partition p goes to member p mod n. A
// member no longer in the group has none.
func (g *consumerGroup) assigned(m *member) []int {
	i := slices.Index(g.members, m)
	if i < 0 {
		return nil
	}
	var ps []int
	for p := i; p < len(g.t.parts); p += len(g.members) {
		ps = append(ps, p)
	}
	return ps
}

func (b *broker) fetch(r fetchReq) fetchResp {
	w := b.w
	p := w.running("fetch")
	t := b.topic(r.Topic)
	g := b.group(t, r.Group)
	g.expire(b)
	m := g.memberByID(r.Member)
	if m == nil {
		b.nextID++
		m = &member{id: b.nextID}
		g.members = append(g.members, m)
		g.rebalance()
	}
	// A member is alive while its fetch waits, as a Kafka client's
	// heartbeats keep it alive during a long poll.
	m.fetching++
	defer func() { m.fetching--; m.lastSeen = w.q.now }()
	m.lastSeen = w.q.now
	deadline := w.q.after(b.spec.MaxWait)
	for {
		resp := b.collect(g, m, r)
		if len(resp.Records) > 0 || w.q.now >= deadline || g.memberByID(m.id) == nil {
			return resp
		}
		// Long poll: park until a record of ours becomes visible, the group
		// rebalances, or MaxWait passes.
		tok := p.arm()
		w.wake(deadline, p, tok, wakeTimer)
		g.waiters = append(g.waiters, waiter{p, tok})
		for _, part := range g.assigned(m) {
			// A record appended but not yet visible has its wake-up
			// scheduled already (see append).
			t.parts[part].waiters = append(t.parts[part].waiters, waiter{p, tok})
		}
		p.park()
		g.waiters = slices.DeleteFunc(g.waiters, func(x waiter) bool { return x.p == p })
		for _, pl := range t.parts {
			pl.waiters = slices.DeleteFunc(pl.waiters, func(x waiter) bool { return x.p == p })
		}
	}
}

// collect gathers what m may read now. A partition the member kept
// through a rebalance continues from the member's own position (as Kafka's
// cooperative rebalancing keeps it); one new to it starts at the committed
// offset.
func (b *broker) collect(g *consumerGroup, m *member, r fetchReq) fetchResp {
	now := b.w.q.now
	resp := fetchResp{Member: m.id, Generation: g.generation}
	budget := b.spec.MaxRecords
	for _, part := range g.assigned(m) {
		pl := g.t.parts[part]
		start := g.committed[part]
		if r.Member == m.id {
			if i := slices.IndexFunc(r.Positions, func(pp partPos) bool { return pp.Partition == part }); i >= 0 {
				start = r.Positions[i].Offset
			}
		}
		first := b.trim(pl)
		if start < first {
			if lost := first - max(start, g.lostMark[part]); lost > 0 {
				g.stats.Lost += lost
			}
			start = first
		}
		g.lostMark[part] = max(g.lostMark[part], first)
		next := start
		for i := int(start - pl.base); i < len(pl.recs) && budget > 0 && pl.recs[i].visibleAt <= now; i++ {
			resp.Records = append(resp.Records, pl.recs[i].rec)
			next++
			budget--
		}
		resp.Next = append(resp.Next, partPos{part, next})
		g.stats.MaxLag = max(g.stats.MaxLag, pl.end()-g.delivered[part])
	}
	return resp
}

func (b *broker) commit(r commitReq) error {
	t := b.topic(r.Topic)
	g := b.group(t, r.Group)
	m := g.memberByID(r.Member)
	if m == nil {
		return fmt.Errorf("commit from a member no longer in the group; rejoin")
	}
	m.lastSeen = b.w.q.now
	mine := g.assigned(m)
	for _, o := range r.Offsets {
		if slices.Contains(mine, o.Partition) {
			g.committed[o.Partition] = o.Offset
		}
	}
	return nil
}
