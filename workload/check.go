package workload

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/sharebench/sharebench/sim"
	"github.com/sharebench/sharebench/strategies"
)

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
	return &checkError{line, path, fmt.Sprintf(format, args...)}
}

// checkError is what check finds: the line in the file (1 where the file
// does not say), the field and what is wrong with it and how to fix it.
type checkError struct {
	line       int
	field, msg string
}

func (e *checkError) Error() string { return fmt.Sprintf("%d: %s: %s", e.line, e.field, e.msg) }

// Override applies run's and sweep's -seed and -duration (nil: not given)
// and checks the scenario again, as loading it did: a flag can make a
// scenario contradict itself (a fault past the new end of the run), and
// running it anyway would write a scenario_yaml that no longer loads. The
// error names the flag and the field, e.g. "-duration 8s: faults[0]: runs
// from 20s to 30s, past the end of the run at 13s; ...".
func (sc *Scenario) Override(seed *uint64, duration *time.Duration) error {
	flag := ""
	if seed != nil {
		sc.Seed = *seed
		flag = fmt.Sprintf("-seed %d", *seed)
	}
	if duration != nil {
		sc.Duration = Duration(*duration)
		flag = "-duration " + sim.FormatDuration(*duration) // the seed cannot contradict anything
	}
	if flag == "" {
		return nil
	}
	if err := sc.check(nil); err != nil {
		if ce, ok := err.(*checkError); ok {
			return fmt.Errorf("%s: %s: %s", flag, ce.field, ce.msg)
		}
		return fmt.Errorf("%s: %w", flag, err)
	}
	return nil
}

// check finds contradictions and values no world can run. Zero is a value
// like any other: where it cannot run, the error says why and what to
// write.
func (sc *Scenario) check(root *yaml.Node) error {
	if strings.TrimSpace(sc.Name) == "" {
		return problem(root, "name", "is empty; give one, or leave it out to take the file's name")
	}
	if sc.Duration <= 0 {
		return problem(root, "duration", "must be > 0, e.g. duration: 60s")
	}
	if sc.Warmup.D() >= sc.Duration.D() {
		return problem(root, "warmup", "the warm-up (%s) must be shorter than the measured duration (%s)", sim.FormatDuration(sc.Warmup.D()), sim.FormatDuration(sc.Duration.D()))
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
		return problem(root, "traffic.pages.timeout", "must be > 0: a client that gives up at once sees no page, e.g. timeout: 5s")
	}
	wr := sc.Traffic.Writes
	if wr.Rate == nil || *wr.Rate < 0 {
		return problem(root, "traffic.writes.rate", "must be ≥ 0, e.g. rate: 20/s")
	}
	if err := checkMix(root, "traffic.writes.mix", wr.Mix, []string{"add", "remove", "reorder"}); err != nil {
		return err
	}

	for _, name := range slices.Sorted(maps.Keys(sc.Services)) {
		if !slices.Contains(serviceNames, name) {
			return problem(root, "services."+name, "unknown service; the services are %s", strings.Join(serviceNames, ", "))
		}
	}
	for _, name := range serviceNames {
		s := sc.Services[name]
		if err := s.spec().Validate(); err != nil {
			return problem(root, "services."+name, "%v", err)
		}
	}

	nodes := sc.Nodes()
	if sc.Network.Default == nil {
		return problem(root, "network.default", "missing; e.g. default: {latency: 1ms}")
	}
	for _, key := range slices.Sorted(maps.Keys(sc.Network.Links)) {
		from, to, ok := strings.Cut(key, "->")
		if !ok || !slices.Contains(nodes, from) || !slices.Contains(nodes, to) || from == to {
			return problem(root, "network.links", "%q is not a link between two of %s; write from->to, e.g. gig->topclients", key, strings.Join(nodes, ", "))
		}
		// A link no message takes would change nothing: refused with
		// the reason and words sim.CheckRoles gives a partition of it.
		var se *sim.SpecError
		if errors.As(sim.CheckRoles([]sim.Fault{{Kind: sim.Partition, Link: key}}, roles), &se) {
			return problem(root, "network.links."+key, "a link %s; drop it, or give one of those pairs", strings.TrimPrefix(se.Msg, string(sim.Partition)+" "))
		}
	}
	for _, key := range slices.Sorted(maps.Keys(sc.networkLinks())) {
		if l := sc.networkLinks()[key]; !(l.Loss >= 0 && l.Loss <= 1) {
			return problem(root, "network."+key+".loss", "is a probability in [0, 1], got %v", l.Loss)
		}
	}

	b := sc.Broker
	if b.Partitions < 1 {
		return problem(root, "broker.partitions", "must be ≥ 1, got %d", b.Partitions)
	}
	for _, d := range []struct {
		field string
		v     Duration
		why   string
	}{
		{"retention", b.Retention, "records would be deleted as they are appended; to keep every record, give more than the run, e.g. retention: 24h"},
		{"commit_interval", b.CommitInterval, "consumers commit their offsets this often; for nearly every poll write e.g. 1ms"},
		{"session_timeout", b.SessionTimeout, "a member is dropped after this long without a poll; e.g. session_timeout: 10s"},
		{"max_wait", b.MaxWait, "an empty fetch would return at once and the consumer poll again in the same instant; e.g. max_wait: 500ms"},
	} {
		if d.v <= 0 {
			return problem(root, "broker."+d.field, "must be > 0: %s", d.why)
		}
	}
	// An idle consumer polls once per max_wait and an idle relay looks at
	// the outbox once per relay_interval: below a millisecond these loops
	// outnumber everything else the run simulates.
	if b.MaxWait.D() < time.Millisecond {
		return problem(root, "broker.max_wait", "%s is under 1ms: an idle consumer would poll %s times a second and the run crawl; e.g. max_wait: 500ms", sim.FormatDuration(b.MaxWait.D()), "more than 1000")
	}
	if err := sc.brokerSpec().Validate(); err != nil {
		return problem(root, "broker", "%v", err)
	}

	o := sc.Options
	switch {
	case o.Sync.Timeout <= 0:
		return problem(root, "options.sync.timeout", "must be > 0: every attempt would time out at once; e.g. timeout: 50ms")
	case o.Sync.Retries < 0:
		return problem(root, "options.sync.retries", "must be ≥ 0 (0: no retries), got %d", o.Sync.Retries)
	case !(o.Sync.RetryBudget >= 0) || math.IsInf(o.Sync.RetryBudget, 0):
		return problem(root, "options.sync.retry_budget", "is retries allowed per first attempt, ≥ 0 (0: no retries; as many as retries: every retry), got %v", o.Sync.RetryBudget)
	case o.Async.RelayInterval <= 0:
		return problem(root, "options.async.relay_interval", "must be > 0: the outbox relay would poll again in the same instant forever; e.g. relay_interval: 10ms")
	case o.Async.RelayInterval.D() < time.Millisecond:
		return problem(root, "options.async.relay_interval", "%s is under 1ms: an idle relay would look at the outbox more than 1000 times a second and the run crawl; e.g. relay_interval: 10ms", sim.FormatDuration(o.Async.RelayInterval.D()))
	case *o.Hybrid.Timeout <= 0:
		return problem(root, "options.hybrid.timeout", "must be > 0; leave it out to take options.sync's")
	case *o.Hybrid.Retries < 0:
		return problem(root, "options.hybrid.retries", "must be ≥ 0 (0: no retries), got %d", *o.Hybrid.Retries)
	}

	end := sc.Warmup.D() + sc.Duration.D()
	for _, check := range []func() error{
		func() error { return sim.CheckFaults(sc.Faults, nodes, end) },
		func() error { return sim.CheckRoles(sc.Faults, roles) },
	} {
		if err := check(); err != nil {
			var se *sim.SpecError
			if errors.As(err, &se) {
				return &checkError{se.Line, se.Field, se.Msg}
			}
			return problem(root, "faults", "%v", err)
		}
	}
	return sc.checkSLO(root)
}

// roles is what each node of a scenario's world does, for sim.CheckRoles:
// the client sends writes to the owner and pages to the page services,
// which call the owner; the owner publishes to the broker and the page
// services' consumers read from it. No other two nodes exchange messages.
var roles = func() sim.Roles {
	r := sim.Roles{
		Services:  serviceNames,
		Consumers: strategies.PageServiceNames,
		Driver:    clientNode,
		Talk:      [][2]string{{clientNode, strategies.OwnerNode}, {strategies.OwnerNode, sim.BrokerNode}},
	}
	for _, p := range strategies.PageServiceNames {
		r.Talk = append(r.Talk, [2]string{clientNode, p}, [2]string{p, strategies.OwnerNode}, [2]string{p, sim.BrokerNode})
	}
	return r
}()

func checkMix(root *yaml.Node, path string, mix map[string]float64, kinds []string) error {
	whole := "; a mix given replaces the default one whole, so give the share of each of " + strings.Join(kinds, ", ")
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
		return problem(root, path, "shares add up to %v; they must add up to 1%s", sum, whole)
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
