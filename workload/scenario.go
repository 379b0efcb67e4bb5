package workload

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/sharebench/sharebench/sim"
	"github.com/sharebench/sharebench/strategies"
)

// Scenario is a scenario file: the workload, the services, the network,
// the broker, the strategies' options and the faults. Zero fields take the
// defaults of DefaultScenario.
type Scenario struct {
	Name        string              `yaml:"name"`
	Description string              `yaml:"description,omitempty"` // what the scenario demonstrates, in a line
	Seed        uint64              `yaml:"seed"`
	Duration    Duration            `yaml:"duration"` // measured virtual time, after the warm-up
	Warmup      Duration            `yaml:"warmup"`   // virtual time run first and not measured
	Strategies  []string            `yaml:"strategies"`
	Population  Population          `yaml:"population"`
	Traffic     Traffic             `yaml:"traffic"`
	Services    map[string]*Service `yaml:"services"`
	Network     Network             `yaml:"network"`
	Broker      Broker              `yaml:"broker"`
	Options     Options             `yaml:"options"`
	Faults      []sim.Fault         `yaml:"faults"`
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
	Queue       *int             `yaml:"queue"` // absent: unbounded; 0: no waiting room
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
// self-views everywhere.
type SyncOptions struct {
	Timeout     Duration `yaml:"timeout"`
	Retries     int      `yaml:"retries"`
	Parallel    *bool    `yaml:"parallel"`
	Backoff     Duration `yaml:"backoff"`
	RetryBudget float64  `yaml:"retry_budget"`
	CacheTTL    Duration `yaml:"cache_ttl"`
	// StaleIfError: sync-cache serves a list up to this long past its TTL
	// when the owner fails (RFC 5861); 0s: never.
	StaleIfError Duration `yaml:"stale_if_error"`
}

// AsyncOptions govern async and async-dualwrite.
type AsyncOptions struct {
	ReconcileEvery Duration `yaml:"reconcile_every"` // 0: no anti-entropy
	RelayInterval  Duration `yaml:"relay_interval"`
}

// HybridOptions govern hybrid's calls; unset fields take sync's.
type HybridOptions struct {
	Timeout  Duration `yaml:"timeout"`
	Retries  *int     `yaml:"retries"`
	Parallel *bool    `yaml:"parallel"`
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

// PageKinds are the page kinds, in report order: the public pages, then
// the seller's own editor.
var PageKinds = []string{"gig", "user", "search", "self"}

// Services every scenario has.
var serviceNames = []string{strategies.OwnerNode, "gig", "user", "search"}

// DefaultScenario is DESIGN.md's example, without faults: what a field left
// out of a scenario file takes.
func DefaultScenario() *Scenario {
	f := func(x float64) *float64 { return &x }
	b := func(x bool) *bool { return &x }
	q := func(x int) *int { return &x }
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
			strategies.OwnerNode: {Workers: 8, Queue: q(1000), ServiceTime: lognormal(0.002, 0.020)},
			"gig":                {Workers: 64, ServiceTime: exp(0.001)},
			"user":               {Workers: 64, ServiceTime: exp(0.001)},
			"search":             {Workers: 64, ServiceTime: exp(0.003)},
		},
		Network: Network{Default: &Link{Latency: lognormal(0.0005, 0.005)}},
		Broker: Broker{
			Partitions:      12,
			PublishLatency:  exp(0.002),
			DeliveryLatency: exp(0.005),
			Retention:       Duration(time.Hour),
		},
		Options: Options{
			Sync:  SyncOptions{Timeout: Duration(50 * time.Millisecond), Retries: 1, Parallel: b(true)},
			Async: AsyncOptions{ReconcileEvery: Duration(10 * time.Minute)},
		},
	}
}

// Load reads and checks a scenario file.
func Load(path string) (*Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(filepath.Base(path), data)
}

// Parse reads and checks a scenario; name names it in errors (a file
// name). Unknown fields, malformed values and contradictions are errors
// that say where and how to fix them.
func Parse(name string, data []byte) (*Scenario, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("%s: not valid YAML: %s", name, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if root.Kind == 0 || len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: a scenario is a YAML mapping (name:, duration:, traffic: ...); this file has none", name)
	}
	sc := DefaultScenario()
	sc.Name = strings.TrimSuffix(name, filepath.Ext(name))
	// Sections a file gives replace the defaults' maps wholesale, so a
	// mix is never half from the file and half from the defaults.
	for _, k := range []string{"services"} {
		if findNode(root.Content[0], k) != nil {
			sc.Services = nil
		}
	}
	if findNode(root.Content[0], "traffic", "pages", "mix") != nil {
		sc.Traffic.Pages.Mix = nil
	}
	if findNode(root.Content[0], "traffic", "writes", "mix") != nil {
		sc.Traffic.Writes.Mix = nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(sc); err != nil && !errors.Is(err, io.EOF) {
		return nil, decodeError(name, err)
	}
	if err := sc.check(&root); err != nil {
		return nil, fmt.Errorf("%s:%w", name, err)
	}
	return sc, nil
}

// decodeError rewrites the decoder's errors to name the file, the line,
// the section and the fields it takes.
func decodeError(name string, err error) error {
	var se *sim.SpecError
	if errors.As(err, &se) {
		return fmt.Errorf("%s:%d:%d: %s", name, se.Line, se.Column, strings.TrimPrefix(se.Error(), fmt.Sprintf("line %d, column %d: ", se.Line, se.Column)))
	}
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return fmt.Errorf("%s: %v", name, err)
	}
	var msgs []string
	for _, e := range te.Errors {
		if m := unknownField.FindStringSubmatch(e); m != nil {
			msgs = append(msgs, fmt.Sprintf("%s:%s: unknown field %q in %s; it takes %s", name, m[1], m[2], sectionName(m[3]), strings.Join(fieldsOf(m[3]), ", ")))
			continue
		}
		msgs = append(msgs, fmt.Sprintf("%s: %s", name, e))
	}
	return errors.New(strings.Join(msgs, "\n"))
}

var unknownField = regexp.MustCompile(`^line (\d+): field (\S+) not found in type workload\.(\w+)$`)

// sections maps the scenario's types to their place in the file.
var sections = map[string]reflect.Type{
	"Scenario": reflect.TypeFor[Scenario](), "Population": reflect.TypeFor[Population](),
	"Traffic": reflect.TypeFor[Traffic](), "Pages": reflect.TypeFor[Pages](), "Writes": reflect.TypeFor[Writes](),
	"Service": reflect.TypeFor[Service](), "Network": reflect.TypeFor[Network](), "Link": reflect.TypeFor[Link](),
	"Broker": reflect.TypeFor[Broker](), "Options": reflect.TypeFor[Options](), "SyncOptions": reflect.TypeFor[SyncOptions](),
	"AsyncOptions": reflect.TypeFor[AsyncOptions](), "HybridOptions": reflect.TypeFor[HybridOptions](),
	"step": reflect.TypeFor[step](), "rampCurve": reflect.TypeFor[rampCurve](), "spikeCurve": reflect.TypeFor[spikeCurve](),
	"diurnalCurve": reflect.TypeFor[diurnalCurve](), "stepCurve": reflect.TypeFor[stepCurve](),
}

func sectionName(typ string) string {
	names := map[string]string{
		"Scenario": "the scenario", "Population": "population", "Traffic": "traffic", "Pages": "traffic.pages",
		"Writes": "traffic.writes", "Service": "a service", "Network": "network", "Link": "a network link",
		"Broker": "broker", "Options": "options", "SyncOptions": "options.sync", "AsyncOptions": "options.async",
		"HybridOptions": "options.hybrid",
	}
	if n, ok := names[typ]; ok {
		return n
	}
	return "a rate curve"
}

func fieldsOf(typ string) []string {
	t, ok := sections[typ]
	if !ok {
		return nil
	}
	var fs []string
	for i := range t.NumField() {
		f := t.Field(i)
		if tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ","); tag != "" && tag != "-" {
			fs = append(fs, tag)
		}
	}
	return fs
}

// findNode follows a path of keys through mappings.
func findNode(n *yaml.Node, path ...string) *yaml.Node {
	for _, key := range path {
		if n == nil || n.Kind != yaml.MappingNode {
			return nil
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				next = n.Content[i+1]
			}
		}
		n = next
	}
	return n
}

// problem locates a semantic error at the deepest node of path that the
// file has (or at the top).
func problem(root *yaml.Node, path string, format string, args ...any) error {
	line := 1
	if root != nil && len(root.Content) > 0 {
		keys := strings.Split(path, ".")
		for i := len(keys); i > 0; i-- {
			if n := findNode(root.Content[0], keys[:i]...); n != nil {
				line = n.Line
				break
			}
		}
	}
	return fmt.Errorf("%d: %s: %s", line, path, fmt.Sprintf(format, args...))
}

// check fills what defaults cannot and finds contradictions.
func (sc *Scenario) check(root *yaml.Node) error {
	if sc.Duration <= 0 {
		return problem(root, "duration", "must be > 0, e.g. duration: 60s")
	}
	if sc.Warmup.D() >= sc.Duration.D() {
		return problem(root, "warmup", "the warm-up (%v) must be shorter than the measured duration (%v)", sc.Warmup.D(), sc.Duration.D())
	}
	if len(sc.Strategies) == 0 {
		return problem(root, "strategies", "name at least one strategy: %s", strategyNames())
	}
	for i, s := range sc.Strategies {
		if _, err := strategies.ParseStrategy(s); err != nil {
			return problem(root, "strategies", "%v", err)
		}
		if slices.Contains(sc.Strategies[:i], s) {
			return problem(root, "strategies", "%s is listed twice", s)
		}
	}

	p := sc.Population
	if p.Sellers < 1 {
		return problem(root, "population.sellers", "must be ≥ 1, got %d", p.Sellers)
	}
	if w := *p.WithClients; !(w >= 0 && w <= 1) {
		return problem(root, "population.with_clients", "is a fraction of sellers, in [0, 1]; got %v", w)
	}
	if p.ClientsPerSeller.Dist == nil || p.ClientsPerSeller.Dist.Quantile(0) < 0 {
		return problem(root, "population.clients_per_seller", "give a distribution of client counts, e.g. {dist: uniform, min: 1, max: 10}")
	}
	if q := p.ClientsPerSeller.Dist.Quantile(1); q > strategies.MaxClients {
		return problem(root, "population.clients_per_seller", "reaches %v clients; at most %d fit in an event", q, strategies.MaxClients)
	}
	if p.ClientBytes < 16 || p.ClientBytes > 1<<20 {
		return problem(root, "population.client_bytes", "must be between 16 and 1048576 bytes, got %d", p.ClientBytes)
	}

	pg := &sc.Traffic.Pages
	if pg.Rate.Curve == nil || pg.Rate.Max() <= 0 {
		return problem(root, "traffic.pages.rate", "must be > 0, e.g. rate: 2000/s")
	}
	if pg.Arrival != "poisson" && pg.Arrival != "constant" {
		return problem(root, "traffic.pages.arrival", "is poisson or constant, got %q", pg.Arrival)
	}
	if err := checkMix(root, "traffic.pages.mix", pg.Mix, PageKinds); err != nil {
		return err
	}
	if pg.SearchResults < 1 {
		return problem(root, "traffic.pages.search_results", "must be ≥ 1, got %d", pg.SearchResults)
	}
	if r := *pg.SelfRecent; !(r >= 0 && r <= 1) {
		return problem(root, "traffic.pages.self_recent", "is a fraction in [0, 1], got %v", r)
	}
	if pg.Timeout <= 0 {
		return problem(root, "traffic.pages.timeout", "must be > 0")
	}
	wr := sc.Traffic.Writes
	if wr.Rate == nil || *wr.Rate < 0 {
		return problem(root, "traffic.writes.rate", "must be ≥ 0, e.g. rate: 20/s")
	}
	if err := checkMix(root, "traffic.writes.mix", wr.Mix, []string{"add", "remove", "reorder"}); err != nil {
		return err
	}

	for _, name := range serviceNames {
		s, ok := sc.Services[name]
		if !ok || s == nil {
			return problem(root, "services", "no %s; every scenario has %s", name, strings.Join(serviceNames, ", "))
		}
		if err := s.spec().Validate(); err != nil {
			return problem(root, "services."+name, "%v", err)
		}
		if s.Queue != nil && *s.Queue < 0 {
			return problem(root, "services."+name+".queue", "must be ≥ 0 (leave it out for an unbounded queue)")
		}
	}
	for _, name := range slices.Sorted(maps.Keys(sc.Services)) {
		if !slices.Contains(serviceNames, name) {
			return problem(root, "services."+name, "unknown service; the services are %s", strings.Join(serviceNames, ", "))
		}
	}

	nodes := sc.Nodes()
	if sc.Network.Default == nil {
		sc.Network.Default = &Link{}
	}
	for _, key := range slices.Sorted(maps.Keys(sc.Network.Links)) {
		from, to, ok := strings.Cut(key, "->")
		if !ok || !slices.Contains(nodes, from) || !slices.Contains(nodes, to) || from == to {
			return problem(root, "network.links", "%q is not a link between two of %s; write from->to, e.g. gig->topclients", key, strings.Join(nodes, ", "))
		}
	}
	for key, l := range sc.networkLinks() {
		if l.Loss < 0 || l.Loss > 1 {
			return problem(root, "network."+key+".loss", "is a probability in [0, 1], got %v", l.Loss)
		}
	}
	if err := sc.brokerSpec().Validate(); err != nil {
		return problem(root, "broker", "%v", err)
	}
	o := sc.Options
	if o.Sync.Timeout <= 0 || o.Sync.Retries < 0 || o.Sync.Backoff < 0 {
		return problem(root, "options.sync", "timeout must be > 0, retries and backoff ≥ 0")
	}
	if o.Hybrid.Retries != nil && *o.Hybrid.Retries < 0 {
		return problem(root, "options.hybrid.retries", "must be ≥ 0")
	}
	end := sc.Warmup.D() + sc.Duration.D()
	if err := sim.CheckFaults(sc.Faults, nodes, end); err != nil {
		var se *sim.SpecError
		if errors.As(err, &se) {
			return fmt.Errorf("%d: %s: %s", se.Line, se.Field, se.Msg)
		}
		return problem(root, "faults", "%v", err)
	}
	return nil
}

func checkMix(root *yaml.Node, path string, mix map[string]float64, kinds []string) error {
	if len(mix) == 0 {
		return problem(root, path, "give the share of each of %s", strings.Join(kinds, ", "))
	}
	sum := 0.0
	for _, k := range slices.Sorted(maps.Keys(mix)) {
		if !slices.Contains(kinds, k) {
			return problem(root, path, "unknown kind %q; the kinds are %s", k, strings.Join(kinds, ", "))
		}
		if v := mix[k]; !(v >= 0) || math.IsInf(v, 0) {
			return problem(root, path+"."+k, "must be ≥ 0, got %v", v)
		}
		sum += mix[k]
	}
	if math.Abs(sum-1) > 1e-9 {
		return problem(root, path, "shares add up to %v; they must add up to 1", sum)
	}
	return nil
}

func strategyNames() string {
	var names []string
	for _, s := range strategies.Strategies {
		names = append(names, string(s))
	}
	return strings.Join(names, ", ")
}

// Nodes lists the nodes of the scenario's world, for faults to name.
func (sc *Scenario) Nodes() []string {
	return append(slices.Clone(serviceNames), sim.BrokerNode, clientNode)
}

// clientNode is the node the workload driver sends from.
const clientNode = "client"

func (s *Service) spec() sim.ServiceSpec {
	spec := sim.ServiceSpec{Workers: s.Workers, ServiceTime: s.ServiceTime}
	if s.Queue != nil {
		spec.Queue = *s.Queue
		if spec.Queue == 0 {
			spec.Queue = sim.NoQueue
		}
	}
	return spec
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

// YAML renders the scenario as it runs, defaults filled in.
func (sc *Scenario) YAML() string {
	b, err := yaml.Marshal(sc)
	if err != nil {
		panic(err) // every field has a notation
	}
	return string(b)
}

// End is when a run stops: warm-up plus measured duration.
func (sc *Scenario) End() time.Duration { return sc.Warmup.D() + sc.Duration.D() }

// Scaled returns the scenario with its time compressed by f (0 < f ≤ 1):
// durations, fault times and the rate curve's times multiplied by f, page
// and write rates by f too, so a live run fits a laptop while the
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
