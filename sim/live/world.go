package live

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/sharebench/sharebench/sim"
)

// World is the live world: nodes on real goroutines, services on loopback
// HTTP, a Kafka-protocol broker, fault-injecting proxies. Its methods are
// safe for concurrent use. Close it when done: it owns listeners,
// connections, Kafka clients and (by default) an in-process cluster.
type World struct {
	start   time.Time // monotonic: Now is time.Since(start)
	streams sim.Streams
	cfg     config

	ctx    context.Context // done at Close; every node's life derives from it
	cancel context.CancelCauseFunc
	done   chan struct{} // closed at Close, for fault schedules

	mu      sync.Mutex
	closed  bool
	nodes   map[string]*Node
	order   []*Node
	proxies map[proxyKey]*proxy
	faults  int // faults injected so far, to name their streams

	spawnMu  sync.Mutex // a leaf: taken under mu, never the other way
	stopping bool
	pending  sync.WaitGroup // every goroutine the world started; see enter
	running  atomic.Int64   // ... how many, for Close's report

	net       netState
	transport *http.Transport
	client    *http.Client
	broker    atomic.Pointer[broker]

	stats struct{ corruptBodies, corruptAnswers, panics atomic.Int64 }
}

// config holds what the options set.
type config struct {
	seed      uint64
	seeds     []string // Kafka seed brokers; none: start kfake
	prefix    string   // prepended to every topic and group name on the cluster
	prefixSet bool

	kafkaLog   io.Writer
	kafkaLevel kgo.LogLevel
}

// Option configures a World.
type Option func(*config)

// WithSeed sets the seed every random stream derives from (default 1).
func WithSeed(seed uint64) Option { return func(c *config) { c.seed = seed } }

// WithKafka uses the Kafka-protocol cluster at seeds (host:port each)
// instead of starting an in-process kfake cluster. Every node's
// connections to it still go through the node's proxies on loopback. Its
// group.min.session.timeout.ms must allow BrokerSpec.SessionTimeout.
// Unless WithTopicPrefix says otherwise, topic and group names get a prefix
// unique to this world, so that runs sharing a cluster never see each
// other's records or offsets.
func WithKafka(seeds ...string) Option {
	return func(c *config) { c.seeds = append(c.seeds[:0], seeds...) }
}

// WithTopicPrefix prepends prefix to every topic and consumer group name
// the world uses on the cluster (strategies see the names unprefixed).
func WithTopicPrefix(prefix string) Option {
	return func(c *config) { c.prefix, c.prefixSet = prefix, true }
}

// WithKafkaLog writes the nodes' Kafka clients' log to w (info level, or
// debug if debug is set), each line prefixed with the node's name.
func WithKafkaLog(w io.Writer, debug bool) Option {
	return func(c *config) {
		c.kafkaLog, c.kafkaLevel = w, kgo.LogLevelInfo
		if debug {
			c.kafkaLevel = kgo.LogLevelDebug
		}
	}
}

// New returns an empty world whose clock starts now. The broker, if any,
// comes with AddBroker.
func New(opts ...Option) (*World, error) {
	cfg := config{seed: 1}
	for _, o := range opts {
		o(&cfg)
	}
	for _, s := range cfg.seeds {
		if _, _, err := net.SplitHostPort(s); err != nil {
			return nil, fmt.Errorf("live: kafka seed %q: want host:port: %v", s, err)
		}
	}
	if len(cfg.seeds) > 0 && !cfg.prefixSet {
		cfg.prefix = fmt.Sprintf("sharebench-%d-%d.", time.Now().UnixNano(), cfg.seed)
	}
	w := &World{
		streams: sim.NewStreams(cfg.seed),
		cfg:     cfg,
		done:    make(chan struct{}),
		nodes:   map[string]*Node{},
		proxies: map[proxyKey]*proxy{},
	}
	w.ctx, w.cancel = context.WithCancelCause(context.Background())
	w.net.init()
	dialer := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	w.transport = &http.Transport{
		// Calls only ever go to this world's proxies, on loopback.
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if err := loopbackOnly(addr); err != nil {
				return nil, err
			}
			return dialer.DialContext(ctx, "tcp4", addr)
		},
		MaxIdleConns:        0, // no limit overall; per host below
		MaxIdleConnsPerHost: 128,
		IdleConnTimeout:     30 * time.Second,
		DisableCompression:  true,
		ForceAttemptHTTP2:   false,
	}
	w.client = &http.Client{Transport: w.transport}
	w.start = time.Now()
	return w, nil
}

func loopbackOnly(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("live: refusing to dial %s: calls stay on loopback", addr)
	}
	return nil
}

// errWorldClosed is the cause of every context ending at Close.
var errWorldClosed = errors.New("live: world closed")

// Now is the time since the world started (since New returned).
func (w *World) Now() time.Duration { return time.Since(w.start) }

// Seed is the seed every random stream of this world derives from.
func (w *World) Seed() uint64 { return w.streams.Seed() }

// Stream returns the world's random stream for a concern outside any node:
// see sim.Streams. Not safe for concurrent use.
func (w *World) Stream(concern string) *rand.Rand { return w.streams.Stream(concern) }

// enter registers a goroutine the world is about to start, so that Close
// waits for it; it reports false once the world is closing, and then the
// goroutine must not start.
func (w *World) enter() bool {
	w.spawnMu.Lock()
	defer w.spawnMu.Unlock()
	if w.stopping {
		return false
	}
	w.pending.Add(1)
	w.running.Add(1)
	return true
}

func (w *World) exit() {
	w.running.Add(-1)
	w.pending.Done()
}

// spawn starts fn on a goroutine Close waits for, unless the world is
// closing.
func (w *World) spawn(fn func()) bool {
	if !w.enter() {
		return false
	}
	go func() {
		defer w.exit()
		fn()
	}()
	return true
}

// Hosts is the world as sim.Hosts, for deploying strategies into it.
func (w *World) Hosts() sim.Hosts { return sim.HostsOf[*Node](w) }

// NodeNames lists the nodes in creation order (the broker among them once
// AddBroker made it).
func (w *World) NodeNames() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	names := make([]string, len(w.order))
	for i, n := range w.order {
		names[i] = n.name
	}
	return names
}

// Stats counts what the world's wire saw.
type Stats struct {
	CorruptBodies  int64 // call bodies that did not decode: answered 400, skipped
	CorruptAnswers int64 // answers that did not decode: the call failed with ErrCorrupt
	HandlerPanics  int64 // handlers that panicked: answered as a remote error
}

// Stats returns the world's counters.
func (w *World) Stats() Stats {
	return Stats{
		CorruptBodies:  w.stats.corruptBodies.Load(),
		CorruptAnswers: w.stats.corruptAnswers.Load(),
		HandlerPanics:  w.stats.panics.Load(),
	}
}

// Addrs lists the address of every listener the world has opened: service
// servers, proxies, and the in-process Kafka cluster's brokers. All are on
// 127.0.0.1.
func (w *World) Addrs() []string {
	var addrs []string
	w.mu.Lock()
	for _, n := range w.order {
		if n.svc != nil {
			addrs = append(addrs, n.svc.addr)
		}
	}
	for _, p := range w.proxies {
		addrs = append(addrs, p.Addr())
	}
	w.mu.Unlock()
	b := w.broker.Load()
	if b != nil && b.cluster != nil {
		addrs = append(addrs, b.cluster.ListenAddrs()...)
	}
	slices.Sort(addrs)
	return slices.Compact(addrs)
}

// closeTimeout bounds how long Close waits for the world's goroutines.
const closeTimeout = 15 * time.Second

// Close shuts the world down: it stops the fault schedule, cancels every
// node's processes, closes Kafka clients, servers, proxies and the
// in-process cluster, and waits for every goroutine it started. It reports
// processes that did not stop (a process must return once its ctx is
// done). Close is idempotent.
func (w *World) Close() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return nil
	}
	w.closed = true
	w.spawnMu.Lock()
	w.stopping = true
	w.spawnMu.Unlock()
	close(w.done)
	nodes := slices.Clone(w.order)
	proxies := make([]*proxy, 0, len(w.proxies))
	for _, p := range w.proxies {
		proxies = append(proxies, p)
	}
	w.mu.Unlock()

	w.cancel(errWorldClosed) // every process, handler and Kafka client
	var errs []error
	for _, n := range nodes {
		n.shutdown()
	}
	for _, p := range proxies {
		p.close()
	}
	w.transport.CloseIdleConnections()

	waited := make(chan struct{})
	go func() { w.pending.Wait(); close(waited) }()
	select {
	case <-waited:
	case <-time.After(closeTimeout):
		errs = append(errs, fmt.Errorf("live: %d goroutines still running %v after Close began; a process must return once its ctx is done", w.running.Load(), closeTimeout))
	}
	if b := w.broker.Load(); b != nil {
		b.close()
	}
	w.transport.CloseIdleConnections()
	return errors.Join(errs...)
}
