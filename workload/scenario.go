package workload

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/sharebench/sharebench/pages"
	"github.com/sharebench/sharebench/results"
	"github.com/sharebench/sharebench/sim"
	"github.com/sharebench/sharebench/strategies"
)

// A scenario's types and defaults are here and what follows from them;
// decode.go reads a file into them, check.go refuses what no world can run.

// Scenario is a scenario file: the workload, the services, the network,
// the broker, the strategies' options and the faults. Parse starts from
// DefaultScenario, so a field a file leaves out takes its default and a
// field it gives, zero included, means what it says.
type Scenario struct {
	Name        string   `yaml:"name"`
	Description string   `yaml:"description,omitempty"` // what the scenario demonstrates, in a line
	Seed        uint64   `yaml:"seed"`
	Duration    Duration `yaml:"duration"` // measured virtual time, after the warm-up
	Warmup      Duration `yaml:"warmup"`   // virtual time run first and not measured
	Strategies  []string `yaml:"strategies"`

	// The general form (model.go): plans, any owners, page services and
	// page kinds. Absent in the marketplace form, which has population,
	// traffic.writes, services and traffic.pages.mix instead.
	Plans        []Plan               `yaml:"plans,omitempty"`
	Owners       map[string]*Owner    `yaml:"owners,omitempty"`
	PageServices map[string]*Service  `yaml:"page_services,omitempty"`
	PageKinds    map[string]*PageKind `yaml:"page_kinds,omitempty"`

	Population Population          `yaml:"population"`
	Traffic    Traffic             `yaml:"traffic"`
	Services   map[string]*Service `yaml:"services"`
	Network    Network             `yaml:"network"`
	Broker     Broker              `yaml:"broker"`
	Options    Options             `yaml:"options"`
	Faults     []sim.Fault         `yaml:"faults"`

	SLO *results.SLO `yaml:"slo,omitempty"` // targets every column is judged against (slo.go)

	src *origin // the file it was read from, to locate later errors; nil if none
}

// Population is the sellers and their clients at the start.
type Population struct {
	Sellers          int            `yaml:"sellers"`
	WithClients      *float64       `yaml:"with_clients"` // fraction of sellers with any clients
	ClientsPerSeller sim.NumberDist `yaml:"clients_per_seller"`
	ClientBytes      int            `yaml:"client_bytes"` // encoded size of one client record
}

// Traffic is the page requests and the writes.
type Traffic struct {
	Pages  Pages  `yaml:"pages"`
	Writes Writes `yaml:"writes"`
}

// Pages is the page traffic, open loop.
type Pages struct {
	Rate          RateCurve          `yaml:"rate"`
	Arrival       string             `yaml:"arrival"` // poisson | constant
	Popularity    Popularity         `yaml:"popularity"`
	Mix           map[string]float64 `yaml:"mix"` // gig, user, search, self
	SearchResults int                `yaml:"search_results"`
	// SelfRecent is the fraction of self-views of a seller who wrote
	// recently: read-your-writes is tested where it matters.
	SelfRecent *float64 `yaml:"self_recent"`
	Timeout    Duration `yaml:"timeout"` // the client gives up on a page after this
}

// Writes is the sellers' edits of their lists, open loop.
type Writes struct {
	Rate       *Rate              `yaml:"rate"`
	Mix        map[string]float64 `yaml:"mix"` // add, remove, reorder
	Popularity Popularity         `yaml:"popularity"`
}

// Service is one service's queueing model.
type Service struct {
	Workers     int              `yaml:"workers"`
	Queue       Queue            `yaml:"queue"` // waiting room: unbounded, or a count (0: none)
	ServiceTime sim.DurationDist `yaml:"service_time"`
}

// Network is the links between nodes.
type Network struct {
	Default *Link            `yaml:"default"`
	Links   map[string]*Link `yaml:"links"` // "gig->topclients": one direction
}

// Link is one link's delay and loss.
type Link struct {
	Latency sim.DurationDist `yaml:"latency"`
	Loss    float64          `yaml:"loss"`
}

// Broker configures the broker (sim.BrokerSpec documents each field).
type Broker struct {
	Partitions      int              `yaml:"partitions"`
	PublishLatency  sim.DurationDist `yaml:"publish_latency"`
	DeliveryLatency sim.DurationDist `yaml:"delivery_latency"`
	Retention       Duration         `yaml:"retention"`
	CommitInterval  Duration         `yaml:"commit_interval"`
	SessionTimeout  Duration         `yaml:"session_timeout"`
	MaxWait         Duration         `yaml:"max_wait"`
}

// Options are the strategies' knobs.
type Options struct {
	Sync   SyncOptions   `yaml:"sync"`
	Async  AsyncOptions  `yaml:"async"`
	Hybrid HybridOptions `yaml:"hybrid"`
}

// SyncOptions govern calls to the owner in sync and sync-cache, and
// self-views everywhere (strategies.CallOptions documents each).
type SyncOptions struct {
	Timeout     Duration `yaml:"timeout"`      // per attempt; > 0
	Retries     int      `yaml:"retries"`      // extra attempts; 0: none
	Parallel    bool     `yaml:"parallel"`     // fetch alongside the page's own work
	Backoff     Duration `yaml:"backoff"`      // before the first retry, doubling; 0: retry at once
	RetryBudget float64  `yaml:"retry_budget"` // retries per first attempt; 0: no retries
	CacheTTL    Duration `yaml:"cache_ttl"`    // sync-cache; 0: no caching
	// StaleIfError: sync-cache serves a list up to this long past its TTL
	// when the owner fails (RFC 5861); 0s: never.
	StaleIfError Duration `yaml:"stale_if_error"`
}

// AsyncOptions govern async and async-dualwrite.
type AsyncOptions struct {
	ReconcileEvery Duration `yaml:"reconcile_every"` // 0: no anti-entropy
	RelayInterval  Duration `yaml:"relay_interval"`  // outbox polling when idle; > 0
}

// HybridOptions govern hybrid's calls. Parse fills a field the file leaves
// out from options.sync, so after Parse none is nil.
type HybridOptions struct {
	Timeout  *Duration `yaml:"timeout"`
	Retries  *int      `yaml:"retries"`
	Parallel *bool     `yaml:"parallel"`
	// ReconcileEvery runs anti-entropy on the ID sets; 0: never.
	ReconcileEvery Duration `yaml:"reconcile_every"`
}

// Popularity says how often each seller is picked: `uniform` or
// `{zipf: 1.1}` (the k-th most popular seller is picked ∝ 1/k^s).
type Popularity struct {
	Zipf float64 // 0: uniform
}

// UnmarshalYAML reads `uniform` or `{zipf: s}`.
func (p *Popularity) UnmarshalYAML(n *yaml.Node) error {
	bad := &sim.SpecError{Line: n.Line, Column: n.Column, Msg: "popularity is uniform or {zipf: s} with s > 0, e.g. {zipf: 1.1}"}
	switch {
	case n.Kind == yaml.ScalarNode && n.Value == "uniform":
		p.Zipf = 0
		return nil
	case n.Kind == yaml.MappingNode && len(n.Content) == 2 && n.Content[0].Value == "zipf":
		var s float64
		if err := n.Content[1].Decode(&s); err != nil || !(s > 0) || math.IsInf(s, 0) {
			return bad
		}
		p.Zipf = s
		return nil
	}
	return bad
}

// MarshalYAML writes the notation back.
func (p Popularity) MarshalYAML() (any, error) {
	if p.Zipf == 0 {
		return "uniform", nil
	}
	return map[string]float64{"zipf": p.Zipf}, nil
}

// PageKinds are the page kinds' names, in report order: the public pages,
// then the seller's own editor (package pages says what each is).
var PageKinds = pages.Names()

// Services every scenario has: the owner and the page services.
var serviceNames = append([]string{strategies.OwnerNode}, pages.Services()...)

// DefaultScenario is the worked example (the README's), without faults: what a field left
// out of a scenario file takes. Every default is spelled out here, so a
// zero anywhere below is a zero that runs.
func DefaultScenario() *Scenario {
	f := func(x float64) *float64 { return &x }
	r := Rate(20)
	lognormal := func(median, p99 float64) sim.DurationDist {
		mu := math.Log(median)
		return sim.DurationDist{Dist: sim.LogNormal{Mu: mu, Sigma: (math.Log(p99) - mu) / 2.3263478740408408}}
	}
	exp := func(mean float64) sim.DurationDist { return sim.DurationDist{Dist: sim.Exp{M: mean}} }
	return &Scenario{
		Name:       "baseline",
		Seed:       42,
		Duration:   Duration(60 * time.Second),
		Warmup:     Duration(5 * time.Second),
		Strategies: []string{"sync", "async", "hybrid"},
		Population: Population{
			Sellers:          100_000,
			WithClients:      f(0.2),
			ClientsPerSeller: sim.NumberDist{Dist: sim.Uniform{Min: 1, Max: 10}},
			ClientBytes:      200,
		},
		Traffic: Traffic{
			Pages: Pages{
				Rate:          RateCurve{constantCurve{2000}},
				Arrival:       "poisson",
				Popularity:    Popularity{Zipf: 1.1},
				Mix:           map[string]float64{"gig": 0.5, "user": 0.3, "search": 0.15, "self": 0.05},
				SearchResults: 20,
				SelfRecent:    f(0.5),
				Timeout:       Duration(5 * time.Second),
			},
			Writes: Writes{Rate: &r, Mix: map[string]float64{"add": 0.6, "remove": 0.3, "reorder": 0.1}},
		},
		Services: map[string]*Service{
			strategies.OwnerNode: {Workers: 8, Queue: 1000, ServiceTime: lognormal(0.002, 0.020)},
			"gig":                {Workers: 64, Queue: Unbounded, ServiceTime: exp(0.001)},
			"user":               {Workers: 64, Queue: Unbounded, ServiceTime: exp(0.001)},
			"search":             {Workers: 64, Queue: Unbounded, ServiceTime: exp(0.003)},
		},
		Network: Network{Default: &Link{Latency: lognormal(0.0005, 0.005)}},
		Broker: Broker{
			Partitions:      12,
			PublishLatency:  exp(0.002),
			DeliveryLatency: exp(0.005),
			Retention:       Duration(time.Hour),
			CommitInterval:  Duration(5 * time.Second),
			SessionTimeout:  Duration(10 * time.Second),
			MaxWait:         Duration(500 * time.Millisecond),
		},
		Options: Options{
			Sync: SyncOptions{
				Timeout: Duration(50 * time.Millisecond), Retries: 1, Parallel: true,
				Backoff: Duration(5 * time.Millisecond), RetryBudget: 0.2, CacheTTL: Duration(10 * time.Second),
			},
			Async: AsyncOptions{ReconcileEvery: Duration(10 * time.Minute), RelayInterval: Duration(10 * time.Millisecond)},
			// Hybrid's call options are left nil: they follow sync's.
		},
	}
}

// Nodes lists the nodes of the scenario's world, for faults to name: the
// owners, the page services (each in name order in the general form), the
// broker and the client.
func (sc *Scenario) Nodes() []string { return sc.model().nodes() }

// clientNode is the node the workload driver sends from.
const clientNode = "client"

func (s *Service) spec() sim.ServiceSpec {
	spec := sim.ServiceSpec{Workers: s.Workers, ServiceTime: s.ServiceTime}
	switch s.Queue {
	case Unbounded:
		spec.Queue = 0 // sim's unbounded
	case 0:
		spec.Queue = sim.NoQueue
	default:
		spec.Queue = int(s.Queue)
	}
	return spec
}

// withSync fills the fields h leaves out from sync's.
func (h HybridOptions) withSync(s SyncOptions) HybridOptions {
	if h.Timeout == nil {
		t := s.Timeout
		h.Timeout = &t
	}
	if h.Retries == nil {
		r := s.Retries
		h.Retries = &r
	}
	if h.Parallel == nil {
		p := s.Parallel
		h.Parallel = &p
	}
	return h
}

func (sc *Scenario) networkLinks() map[string]*Link {
	m := map[string]*Link{"default": sc.Network.Default}
	for k, l := range sc.Network.Links {
		m["links."+k] = l
	}
	return m
}

func (sc *Scenario) brokerSpec() sim.BrokerSpec {
	b := sc.Broker
	return sim.BrokerSpec{
		Partitions: b.Partitions, PublishLatency: b.PublishLatency, DeliveryLatency: b.DeliveryLatency,
		Retention: b.Retention.D(), CommitInterval: b.CommitInterval.D(), SessionTimeout: b.SessionTimeout.D(), MaxWait: b.MaxWait.D(),
	}
}

// YAML renders the scenario as it runs, every default filled in, in the
// scenario notation: Parse reads it back as the same scenario (but for
// the faults' source lines), so a run of it gives the same result file.
func (sc *Scenario) YAML() string {
	c := *sc
	c.Options.Hybrid = c.Options.Hybrid.withSync(c.Options.Sync) // the values hybrid runs with
	var doc any = &c
	if sc.general() {
		// The marketplace's fields keep their defaults in a scenario of the
		// general form, where a file may not give them: left out.
		var n yaml.Node
		if err := n.Encode(&c); err != nil {
			panic(err)
		}
		for _, path := range marketplaceOnly {
			dropKey(&n, path)
		}
		doc = &n
	}
	var b strings.Builder
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		panic(err) // every field has a notation
	}
	if err := enc.Close(); err != nil {
		panic(err)
	}
	return b.String()
}

// dropKey removes the key at path (dotted) from mapping n, if it is there.
func dropKey(n *yaml.Node, path string) {
	keys := strings.Split(path, ".")
	if parent := findNode(n, keys[:len(keys)-1]...); parent != nil && parent.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(parent.Content); i += 2 {
			if parent.Content[i].Value == keys[len(keys)-1] {
				parent.Content = slices.Delete(parent.Content, i, i+2)
				return
			}
		}
	}
}

// End is when a run stops: warm-up plus measured duration.
func (sc *Scenario) End() time.Duration { return sc.Warmup.D() + sc.Duration.D() }

// Scaled returns the scenario with its time compressed by f (0 < f ≤ 1):
// durations, fault times and the rate curve's times multiplied by f, page
// and write rates (each owner's, in the general form) by f too, so a live run fits a laptop while the
// population, the services and the network stay as they are.
func (sc *Scenario) Scaled(f float64) (*Scenario, error) {
	if !(f > 0 && f <= 1) {
		return nil, fmt.Errorf("scale %v: must be in (0, 1]", f)
	}
	if f == 1 {
		return sc, nil
	}
	c := *sc
	dur := func(d Duration) Duration { return Duration(float64(d) * f) }
	c.Duration, c.Warmup = dur(sc.Duration), dur(sc.Warmup)
	c.Traffic.Pages.Rate = RateCurve{scaleCurve(sc.Traffic.Pages.Rate.Curve, f)}
	w := Rate(float64(*sc.Traffic.Writes.Rate) * f)
	c.Traffic.Writes.Rate = &w
	if sc.Owners != nil {
		c.Owners = map[string]*Owner{}
		for name, o := range sc.Owners {
			scaled := *o
			w := Rate(float64(*o.Writes.Rate) * f)
			scaled.Writes.Rate = &w
			c.Owners[name] = &scaled
		}
	}
	c.Faults = nil
	for _, ft := range sc.Faults {
		ft.At = time.Duration(float64(ft.At) * f)
		ft.For = time.Duration(float64(ft.For) * f)
		c.Faults = append(c.Faults, ft)
	}
	return &c, nil
}

// scaleCurve compresses a curve's time and lowers its rates by f, keeping
// its kind, so the scaled scenario still writes itself out as a scenario.
func scaleCurve(c Curve, f float64) Curve {
	r := func(x Rate) Rate { return Rate(float64(x) * f) }
	d := func(x Duration) Duration { return Duration(float64(x) * f) }
	switch c := c.(type) {
	case constantCurve:
		return constantCurve{c.r * f}
	case stepCurve:
		steps := make([]step, len(c.Steps))
		for i, st := range c.Steps {
			steps[i] = step{At: d(st.At), Rate: r(st.Rate)}
		}
		return stepCurve{Curve: c.Curve, Steps: steps}
	case rampCurve:
		return rampCurve{Curve: c.Curve, From: r(c.From), To: r(c.To), Start: d(c.Start), Over: d(c.Over)}
	case spikeCurve:
		return spikeCurve{Curve: c.Curve, Base: r(c.Base), Peak: r(c.Peak), Start: d(c.Start), For: d(c.For)}
	case diurnalCurve:
		return diurnalCurve{Curve: c.Curve, Mean: r(c.Mean), Amplitude: c.Amplitude, Period: d(c.Period), Phase: d(c.Phase)}
	}
	panic(fmt.Sprintf("workload: cannot scale %T", c))
}
