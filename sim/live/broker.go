package live

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"golang.org/x/sync/singleflight"

	"github.com/sharebench/sharebench/sim"
)

// The broker is a Kafka-protocol cluster reached through franz-go: by
// default an in-process kfake cluster of one broker on 127.0.0.1, or the
// cluster WithKafka names. Topics are created on first use with the spec's
// partitions and retention; records are keyed by seller and placed by
// franz-go's default partitioner, which hashes keys with Kafka's murmur2
// (sim.KeyPartition); consumer groups, offset commits, session timeouts
// and rebalances are the cluster's own.

// BrokerStats counts what went through the broker, as the world's clients
// saw it (Published: the records the broker acknowledged).
type BrokerStats struct {
	sim.BrokerCounts
	FetchErrors int64 // fetch errors consumers skipped past
}

type broker struct {
	w       *World
	spec    sim.BrokerSpec
	cluster *kfake.Cluster // nil with WithKafka
	seeds   []string
	admin   *kgo.Client // creates topics; dials the cluster directly
	created sync.Map    // cluster topic names made
	sf      singleflight.Group

	mu     sync.Mutex
	stats  BrokerStats
	groups map[[2]string]*groupStats // by (topic, group)
	ends   map[topicPart]int64       // one past the highest offset acknowledged
}

type topicPart struct {
	topic string
	part  int32
}

type groupStats struct {
	delivered map[int32]int64 // one past the highest offset polls returned
}

// AddBroker gives the world its broker, the node sim.BrokerNode: an
// in-process kfake cluster with the spec's partitions, or the cluster
// WithKafka named (checked reachable).
func (w *World) AddBroker(spec sim.BrokerSpec) error {
	if err := spec.Validate(); err != nil {
		return err
	}
	spec = spec.WithDefaults()
	b := &broker{w: w, spec: spec, seeds: w.cfg.seeds, groups: map[[2]string]*groupStats{}, ends: map[topicPart]int64{}}
	if len(b.seeds) == 0 {
		opts := []kfake.Opt{
			kfake.NumBrokers(1),
			kfake.DefaultNumPartitions(spec.Partitions),
			kfake.GroupMinSessionTimeout(100 * time.Millisecond),
			kfake.ListenFn(func(network, addr string) (net.Listener, error) {
				_, port, err := net.SplitHostPort(addr)
				if err != nil {
					return nil, err
				}
				return net.Listen("tcp4", net.JoinHostPort("127.0.0.1", port))
			}),
		}
		if spec.Retention > 0 {
			// kfake enforces retention on its cleaner's tick.
			tick := min(max(spec.Retention/10, 100*time.Millisecond), time.Second)
			opts = append(opts, kfake.BrokerConfigs(map[string]string{"log.cleaner.backoff.ms": strconv.FormatInt(tick.Milliseconds(), 10)}))
		}
		c, err := kfake.NewCluster(opts...)
		if err != nil {
			return fmt.Errorf("broker: starting kfake: %w", err)
		}
		b.cluster, b.seeds = c, c.ListenAddrs()
	}
	admin, err := kgo.NewClient(kgo.SeedBrokers(b.seeds...), kgo.ClientID("sharebench-admin"), kgo.DisableClientMetrics())
	if err == nil {
		ctx, cancel := context.WithTimeout(w.ctx, 10*time.Second)
		err = admin.Ping(ctx)
		cancel()
		if err != nil {
			admin.Close()
		}
	}
	if err != nil {
		if b.cluster != nil {
			b.cluster.Close()
		}
		return fmt.Errorf("broker: cannot reach %s: %w", strings.Join(b.seeds, ","), err)
	}
	b.admin = admin

	w.Node(sim.BrokerNode) // Serve refuses the name, so it is no service
	w.mu.Lock()
	switch {
	case w.closed:
		err = errWorldClosed
	case w.broker.Load() != nil:
		err = fmt.Errorf("broker: the world has one already")
	default:
		w.broker.Store(b)
	}
	w.mu.Unlock()
	if err != nil {
		b.close()
	}
	return err
}

// KafkaSeeds lists the cluster's seed brokers (the in-process cluster's
// address by default); nil without a broker.
func (w *World) KafkaSeeds() []string {
	b := w.broker.Load()
	if b == nil {
		return nil
	}
	return append([]string(nil), b.seeds...)
}

func (b *broker) close() {
	if b.admin != nil {
		b.admin.Close()
	}
	if b.cluster != nil {
		b.cluster.Close()
	}
}

// BrokerStats returns the broker's counters.
func (w *World) BrokerStats() BrokerStats {
	b := w.broker.Load()
	if b == nil {
		return BrokerStats{}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.stats
}

// kafkaName is a topic or group name as the cluster knows it.
func (w *World) kafkaName(name string) string { return w.cfg.prefix + name }

// ensureTopic creates topic on the cluster unless it exists; concurrent
// first uses coalesce into one request.
func (b *broker) ensureTopic(ctx context.Context, topic string) error {
	name := b.w.kafkaName(topic)
	if _, ok := b.created.Load(name); ok {
		return nil
	}
	ch := b.sf.DoChan(name, func() (any, error) {
		ctx, cancel := context.WithTimeout(b.w.ctx, 10*time.Second)
		defer cancel()
		req := kmsg.NewPtrCreateTopicsRequest()
		t := kmsg.NewCreateTopicsRequestTopic()
		t.Topic, t.NumPartitions, t.ReplicationFactor = name, int32(b.spec.Partitions), -1
		retention := "-1" // keep everything
		if b.spec.Retention > 0 {
			retention = strconv.FormatInt(b.spec.Retention.Milliseconds(), 10)
		}
		cfg := kmsg.NewCreateTopicsRequestTopicConfig()
		cfg.Name, cfg.Value = "retention.ms", &retention
		t.Configs = append(t.Configs, cfg)
		req.Topics = append(req.Topics, t)
		req.TimeoutMillis = 10_000
		resp, err := req.RequestWith(ctx, b.admin)
		if err != nil {
			return nil, err
		}
		for _, rt := range resp.Topics {
			if err := kerr.ErrorForCode(rt.ErrorCode); err != nil && !errors.Is(err, kerr.TopicAlreadyExists) {
				return nil, fmt.Errorf("creating topic %s: %w", name, err)
			}
		}
		b.created.Store(name, true)
		return nil, nil
	})
	select {
	case r := <-ch:
		return r.Err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// dialBroker is a node's kgo.Dialer: every connection to the cluster goes
// through the node's proxy for that broker.
func (n *Node) dialBroker(ctx context.Context, _, host string) (net.Conn, error) {
	p, err := n.w.brokerProxy(n, host)
	if err != nil {
		return nil, err
	}
	var d net.Dialer
	return d.DialContext(ctx, "tcp4", p.Addr())
}

// clientOpts are the options every Kafka client of a node uses.
func (n *Node) clientOpts(ctx context.Context, b *broker) []kgo.Opt {
	opts := []kgo.Opt{
		kgo.SeedBrokers(b.seeds...),
		kgo.Dialer(n.dialBroker),
		kgo.ClientID("sharebench-" + n.name),
		kgo.WithContext(ctx),
		kgo.DisableClientMetrics(),
		kgo.DialTimeout(5 * time.Second),
		// Come back quickly once a fault heals: a failed request triggers a
		// metadata refresh, which waits out MetadataMinAge (default 5s).
		kgo.MetadataMinAge(250 * time.Millisecond),
		kgo.RetryBackoffFn(func(tries int) time.Duration {
			return min(50*time.Millisecond<<min(tries, 5), time.Second)
		}),
	}
	if n.w.cfg.kafkaLog != nil {
		opts = append(opts, kgo.WithLogger(kgo.BasicLogger(n.w.cfg.kafkaLog, n.w.cfg.kafkaLevel, func() string { return n.name + " " })))
	}
	return opts
}

// producerClient returns the node's producer, made on first use in each of
// the node's lives.
// relayInflight is how many produce requests a node may have in flight to
// the broker: at least the outbox relay's window.
const relayInflight = 32

func (n *Node) producerClient(b *broker) (*kgo.Client, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if !n.up() {
		return nil, fmt.Errorf("%w: %s is down", sim.ErrUnavailable, n.name)
	}
	if n.producer != nil {
		return n.producer, nil
	}
	// Each Publish is its own produce request, as a virtual publish is its
	// own call: franz-go's idempotent producer allows one request in flight
	// per broker, so records published together (the outbox relay's
	// window) would wait a round trip for each other, which the virtual
	// broker does not model (calibration scenario, loaded machine:
	// propagation p50 94-117ms with it, 85-92ms without, 60ms virtual).
	// Without idempotence a retried request may duplicate or reorder
	// records; the relay already publishes at least once and views apply by
	// version, so neither changes what a view ends up holding.
	opts := append(n.clientOpts(n.life, b), kgo.ProducerLinger(0),
		kgo.DisableIdempotentWrite(), kgo.MaxProduceRequestsInflightPerBroker(relayInflight))
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, err
	}
	n.producer = cl
	return cl, nil
}

// Publish appends a record to topic, keyed by key, and waits for the
// broker's acknowledgement or ctx. A record abandoned at ctx's end may
// still be appended later, as with any Kafka producer.
func (n *Node) Publish(ctx context.Context, topic, key string, value []byte) error {
	b := n.w.broker.Load()
	if b == nil {
		return sim.ErrNoBroker
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	resume := n.yield(ctx)
	defer resume()
	if err := b.ensureTopic(ctx, topic); err != nil {
		return n.publishFailed(ctx, err)
	}
	cl, err := n.producerClient(b)
	if err != nil {
		return err
	}
	done := make(chan error, 1)
	cl.Produce(ctx, &kgo.Record{Topic: n.w.kafkaName(topic), Key: []byte(key), Value: value}, func(r *kgo.Record, err error) {
		if err == nil {
			b.mu.Lock()
			tp := topicPart{topic, r.Partition}
			b.ends[tp] = max(b.ends[tp], r.Offset+1)
			b.mu.Unlock()
		}
		done <- err
	})
	select {
	case err = <-done:
	case <-ctx.Done():
		return ctx.Err()
	}
	if err != nil {
		return n.publishFailed(ctx, err)
	}
	b.mu.Lock()
	b.stats.Published++
	b.mu.Unlock()
	return nil
}

func (n *Node) publishFailed(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return fmt.Errorf("%w: publish: %v", sim.ErrUnavailable, err)
}

// Subscribe joins consumer group on topic: a kgo group consumer of its
// own, starting at the earliest offset when the group has committed none,
// auto-committing what polls returned every BrokerSpec.CommitInterval.
func (n *Node) Subscribe(topic, group string) (sim.Consumer, error) {
	b := n.w.broker.Load()
	if b == nil {
		return nil, sim.ErrNoBroker
	}
	ctx, cancel := context.WithTimeout(n.w.ctx, 10*time.Second)
	err := b.ensureTopic(ctx, topic)
	cancel()
	if err != nil {
		return nil, err
	}
	n.mu.Lock()
	life := n.life
	n.mu.Unlock()
	cctx, stop := context.WithCancel(life)
	spec := b.spec
	opts := append(n.clientOpts(cctx, b),
		kgo.ConsumerGroup(n.w.kafkaName(group)),
		kgo.ConsumeTopics(n.w.kafkaName(topic)),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.AutoCommitInterval(spec.CommitInterval),
		kgo.SessionTimeout(spec.SessionTimeout),
		kgo.HeartbeatInterval(min(3*time.Second, spec.SessionTimeout/3)),
		kgo.RebalanceTimeout(spec.SessionTimeout),
		kgo.FetchMaxWait(spec.MaxWait),
	)
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		stop()
		return nil, err
	}
	c := &consumer{n: n, b: b, cl: cl, ctx: cctx, stop: stop, topic: topic, group: group}
	b.mu.Lock()
	c.groupStats(b) // a group behind from its first member on, as in the virtual world
	b.mu.Unlock()
	n.mu.Lock()
	n.consumers[c] = struct{}{}
	n.mu.Unlock()
	return c, nil
}

// consumer is a group member: a kgo client of its own. Its ctx is the
// node's life, so a node going down silences it at once — no heartbeat,
// commit or leave — and the group moves its partitions to the others after
// the session timeout, as when a real consumer process dies.
type consumer struct {
	n     *Node
	b     *broker
	cl    *kgo.Client
	ctx   context.Context
	stop  context.CancelFunc
	topic string
	group string

	mu     sync.Mutex // Poll may race Close
	dups   []sim.Record
	closed bool
}

// errConsumerClosed: Poll after Close, or the node went down.
var errConsumerClosed = errors.New("live: consumer closed")

// Poll blocks until records are available for the partitions this member
// owns (or ctx is done), and returns at most BrokerSpec.MaxRecords.
// Fetch errors are counted and skipped.
func (c *consumer) Poll(ctx context.Context) ([]sim.Record, error) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil, errConsumerClosed
	}
	if len(c.dups) > 0 {
		recs := c.dups
		c.dups = nil
		c.mu.Unlock()
		c.count(recs)
		return recs, nil
	}
	c.mu.Unlock()
	resume := c.n.yield(ctx)
	defer resume()
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(c.ctx, cancel)()
	for {
		fs := c.cl.PollRecords(pctx, c.b.spec.MaxRecords)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if c.ctx.Err() != nil || fs.IsClientClosed() {
			return nil, errConsumerClosed
		}
		var recs []sim.Record
		var lag int64
		fs.EachPartition(func(p kgo.FetchTopicPartition) {
			if p.Err != nil {
				c.fetchError(p.Err)
			}
			if k := len(p.Records); k > 0 {
				lag = max(lag, p.HighWatermark-p.Records[k-1].Offset-1)
			}
			for _, r := range p.Records {
				recs = append(recs, sim.Record{
					Topic:     strings.TrimPrefix(r.Topic, c.n.w.cfg.prefix),
					Partition: int(r.Partition),
					Offset:    r.Offset,
					Key:       string(r.Key),
					Value:     r.Value,
					Published: r.Timestamp.Sub(c.n.w.start),
				})
			}
		})
		if len(recs) == 0 {
			continue
		}
		c.count(recs)
		c.b.mu.Lock()
		c.b.stats.MaxLag = max(c.b.stats.MaxLag, lag)
		c.b.mu.Unlock()
		c.duplicate(recs)
		return recs, nil
	}
}

func (c *consumer) fetchError(err error) {
	c.b.mu.Lock()
	defer c.b.mu.Unlock()
	var dl *kgo.ErrDataLoss
	if errors.As(err, &dl) && dl.ResetTo > dl.ConsumedTo {
		c.b.stats.Lost += dl.ResetTo - dl.ConsumedTo
		return
	}
	c.b.stats.FetchErrors++
}

// count keeps the delivery counters of the member's group.
func (c *consumer) count(recs []sim.Record) {
	c.b.mu.Lock()
	defer c.b.mu.Unlock()
	g := c.groupStats(c.b)
	for _, r := range recs {
		p := int32(r.Partition)
		if r.Offset < g.delivered[p] {
			c.b.stats.Redelivered++
			continue
		}
		c.b.stats.Delivered++
		g.delivered[p] = r.Offset + 1
	}
}

// groupStats is the counters of the member's group (under b.mu).
func (c *consumer) groupStats(b *broker) *groupStats {
	k := [2]string{c.topic, c.group}
	g := b.groups[k]
	if g == nil {
		g = &groupStats{delivered: map[int32]int64{}}
		b.groups[k] = g
	}
	return g
}

// BrokerLag is how many records the furthest-behind group is behind on
// its furthest-behind partition, now: the records the broker acknowledged
// minus those the group's polls returned. It means what the virtual
// world's BrokerLag means, and feeds the series' lag in both.
func (w *World) BrokerLag() int64 {
	b := w.broker.Load()
	if b == nil {
		return 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	var lag int64
	for k, g := range b.groups {
		for tp, end := range b.ends {
			if tp.topic == k[0] {
				lag = max(lag, end-g.delivered[tp.part])
			}
		}
	}
	return lag
}

// duplicate keeps, under duplicate faults on the node, records to return
// again at the next poll.
func (c *consumer) duplicate(recs []sim.Record) {
	c.n.mu.Lock()
	dups := c.n.dups
	c.n.mu.Unlock()
	if len(dups) == 0 {
		return
	}
	var again []sim.Record
	for _, d := range dups {
		for _, r := range recs {
			if d.hit() {
				again = append(again, r)
			}
		}
	}
	c.mu.Lock()
	c.dups = append(c.dups, again...)
	c.mu.Unlock()
}

// Commit commits the offsets of every record polled so far.
func (c *consumer) Commit(ctx context.Context) error {
	resume := c.n.yield(ctx)
	defer resume()
	err := c.cl.CommitUncommittedOffsets(ctx)
	if err != nil && ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// Close commits what was polled and leaves the group, each within a
// second. On a node that went down (or a closing world) it only drops the
// client: a dead process neither commits nor leaves.
func (c *consumer) Close() {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed = true
	c.mu.Unlock()
	if c.ctx.Err() == nil {
		ctx, cancel := context.WithTimeout(c.ctx, time.Second)
		c.cl.CommitUncommittedOffsets(ctx)
		cancel()
		ctx, cancel = context.WithTimeout(c.ctx, time.Second)
		c.cl.LeaveGroupContext(ctx)
		cancel()
	}
	c.stop()
	c.cl.Close()
	c.n.mu.Lock()
	delete(c.n.consumers, c)
	c.n.mu.Unlock()
}
