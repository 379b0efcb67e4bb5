package workload

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/sharebench/sharebench/pages"
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
			if n := findIndexed(root.Content[0], keys[:i]...); n != nil {
				line = n.Line
				break
			}
		}
	}
	return &checkError{line, path, fmt.Sprintf(format, args...)}
}

// findIndexed is findNode where a key may end in a list index, as in
// reads[0].
func findIndexed(n *yaml.Node, path ...string) *yaml.Node {
	for _, key := range path {
		key, index, indexed := strings.Cut(key, "[")
		n = findNode(n, key)
		if indexed {
			i, err := strconv.Atoi(strings.TrimSuffix(index, "]"))
			if n == nil || n.Kind != yaml.SequenceNode || err != nil || i < 0 || i >= len(n.Content) {
				return nil
			}
			n = n.Content[i]
		}
	}
	return n
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
	if len(sc.Columns()) == 0 {
		return problem(root, "strategies", "name at least one strategy (%s), or a plan under plans:", strategyNames())
	}
	for i, s := range sc.Strategies {
		if _, err := strategies.ParseStrategy(s); err != nil {
			return problem(root, "strategies", "%v", err)
		}
		if slices.Contains(sc.Strategies[:i], s) {
			return problem(root, "strategies", "%s is listed twice", s)
		}
	}

	if err := sc.checkForm(root); err != nil {
		return err
	}
	if sc.general() {
		if err := sc.checkGeneral(root); err != nil {
			return err
		}
	} else if err := sc.checkPopulation(root); err != nil {
		return err
	}
	pg := &sc.Traffic.Pages
	if pg.Rate.Curve == nil || pg.Rate.Max() <= 0 {
		return problem(root, "traffic.pages.rate", "must be > 0, e.g. rate: 2000/s")
	}
	if pg.Arrival != "poisson" && pg.Arrival != "constant" {
		return problem(root, "traffic.pages.arrival", "is poisson or constant, got %q", pg.Arrival)
	}
	if !sc.general() {
		if err := checkMix(root, "traffic.pages.mix", pg.Mix, PageKinds); err != nil {
			return err
		}
		if pg.SearchResults < 1 {
			return problem(root, "traffic.pages.search_results", "must be ≥ 1, got %d", pg.SearchResults)
		}
	}
	if r := *pg.SelfRecent; !(r >= 0 && r <= 1) {
		return problem(root, "traffic.pages.self_recent", "is a fraction in [0, 1], got %v", r)
	}
	if pg.Timeout <= 0 {
		return problem(root, "traffic.pages.timeout", "must be > 0: a client that gives up at once sees no page, e.g. timeout: 5s")
	}
	if !sc.general() {
		if err := sc.checkWritesAndServices(root); err != nil {
			return err
		}
	}

	m := sc.model()
	nodes, roles := m.nodes(), m.roles()
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

// checkPopulation checks the marketplace form's population.
func (sc *Scenario) checkPopulation(root *yaml.Node) error {
	p := sc.Population
	return checkRecords(root, "population", populationFields{
		records: "sellers", withData: "with_clients", items: "clients_per_seller", itemBytes: "client_bytes",
		record: "seller", item: "client",
	}, p.Sellers, p.WithClients, p.ClientsPerSeller, p.ClientBytes)
}

// populationFields are the names a population's fields have in one form.
type populationFields struct {
	records, withData, items, itemBytes string
	record, item                        string // what one is called
}

// checkRecords checks a population, the marketplace's or an owner's,
// in the words of its form.
func checkRecords(root *yaml.Node, at string, f populationFields, records int, withData *float64, items sim.NumberDist, itemBytes int) error {
	if records < 1 {
		return problem(root, at+"."+f.records, "must be ≥ 1, got %d", records)
	}
	if withData == nil {
		return problem(root, at+"."+f.withData, "missing; give the fraction of %ss that have any %ss, e.g. %s: 0.2", f.record, f.item, f.withData)
	}
	if w := *withData; !(w >= 0 && w <= 1) {
		return problem(root, at+"."+f.withData, "is a fraction of %ss, in [0, 1]; got %v", f.record, w)
	}
	if items.Dist == nil || items.Dist.Quantile(0) < 0 {
		return problem(root, at+"."+f.items, "give a distribution of %s counts, e.g. {dist: uniform, min: 1, max: 10}", f.item)
	}
	if q := items.Dist.Quantile(1); q > strategies.MaxClients {
		return problem(root, at+"."+f.items, "reaches %v %ss; at most %d fit in an event", q, f.item, strategies.MaxClients)
	}
	if itemBytes < 16 || itemBytes > 1<<20 {
		return problem(root, at+"."+f.itemBytes, "must be between 16 and 1048576 bytes, got %d", itemBytes)
	}
	return nil
}

// checkWritesAndServices checks the marketplace form's writes and
// services.
func (sc *Scenario) checkWritesAndServices(root *yaml.Node) error {
	wr := sc.Traffic.Writes
	if wr.Rate == nil || *wr.Rate < 0 {
		return problem(root, "traffic.writes.rate", "must be ≥ 0, e.g. rate: 20/s")
	}
	if err := checkMix(root, "traffic.writes.mix", wr.Mix, writeOps); err != nil {
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
	return nil
}

var writeOps = []string{"add", "remove", "reorder"}

// marketplaceOnly are the fields only the marketplace form has: the
// general form says the same per owner (population, service, writes) and
// per page kind (share, reads).
var marketplaceOnly = []string{"population", "services", "traffic.writes", "traffic.pages.mix", "traffic.pages.search_results"}

// generalOnly are the fields only the general form has, owners first.
var generalOnly = []string{"owners", "page_services", "page_kinds", "plans"}

// marketplaceInstead says what the general form writes for each field of
// the marketplace form's.
var marketplaceInstead = map[string]string{
	"population":                   "each owner's population: {records: N, with_data: F, items: D, item_bytes: B}",
	"services":                     "each owner's service: and page_services:",
	"traffic.writes":               "each owner's writes: {rate: R, mix: M, popularity: P}",
	"traffic.pages.mix":            "each page kind's share:",
	"traffic.pages.search_results": "a read's records: N",
}

// checkForm refuses a file mixing the two forms, and a general form
// without owners.
func (sc *Scenario) checkForm(root *yaml.Node) error {
	var top *yaml.Node
	if root != nil && len(root.Content) > 0 {
		top = root.Content[0]
	}
	if sc.general() {
		for _, field := range marketplaceOnly {
			if top != nil && findNode(top, strings.Split(field, ".")...) != nil {
				return problem(root, field, "belongs to the marketplace form, and this file is in the general form (owners: is given); "+
					"drop %s and give %s, or drop owners, page_services, page_kinds and plans for the marketplace form", field, marketplaceInstead[field])
			}
		}
		return nil
	}
	for _, field := range generalOnly {
		given := top != nil && findNode(top, field) != nil
		switch field {
		case "page_services":
			given = given || len(sc.PageServices) > 0
		case "page_kinds":
			given = given || len(sc.PageKinds) > 0
		case "plans":
			given = given || len(sc.Plans) > 0
		}
		if !given {
			continue
		}
		if field == "owners" {
			return problem(root, field, "is empty; give at least one owner, e.g. owners: {reviews: {population: {records: 1000}}}, "+
				"or leave owners, page_services, page_kinds and plans out for the marketplace form")
		}
		return problem(root, field, "belongs to the general form, which needs owners: too (the owners its pages read); "+
			"give owners:, or drop %s for the marketplace form", field)
	}
	return nil
}

// validName is what a name of an owner, a page service, a page kind or a
// plan may be: it names a node, a topic (<owner>.lists), a metric's scope
// (latency.p99@product), a sweep path (owners.reviews.service.workers) and
// a column of tables and file names.
var validName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]*$`)

// checkNames checks the names of one section's entries.
func checkNames(root *yaml.Node, section string, names []string) error {
	for _, n := range names {
		if !validName.MatchString(n) || len(n) > 64 {
			return problem(root, section+"."+n, "%q is not a name: a name is up to 64 letters, digits, '-' and '_', starting with a letter or digit, "+
				"since it names nodes, metrics (metric@name), sweep paths (%s.NAME.…) and columns; e.g. %s", n, section, strings.Trim(validNameExample(n), "-_"))
		}
		if n == sim.BrokerNode || n == clientNode || n == pages.All {
			return problem(root, section+"."+n, "%q is taken: %s and %s are nodes of every world, and %s names the public pages together; give it another name", n, sim.BrokerNode, clientNode, pages.All)
		}
	}
	return nil
}

// validNameExample turns a name into one validName accepts.
func validNameExample(n string) string {
	b := []rune(n)
	for i, r := range b {
		if !(r < 128 && (r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')) {
			b[i] = '-'
		}
	}
	if s := strings.Trim(string(b), "-_"); s != "" {
		return s
	}
	return "reviews"
}

// checkGeneral checks the general form's owners, page services, page
// kinds and plans.
func (sc *Scenario) checkGeneral(root *yaml.Node) error {
	owners, services, kinds := sortedKeys(sc.Owners), sortedKeys(sc.PageServices), sortedKeys(sc.PageKinds)
	for _, s := range []struct {
		section string
		names   []string
	}{{"owners", owners}, {"page_services", services}, {"page_kinds", kinds}} {
		if len(s.names) == 0 {
			return problem(root, s.section, "is empty or missing; the general form (owners:) needs page_services and page_kinds too, "+
				"e.g. page_services: {product: {workers: 64}} and page_kinds: {product: {service: product, share: 1, reads: [{owner: %s}]}}", owners[0])
		}
		if err := checkNames(root, s.section, s.names); err != nil {
			return err
		}
	}
	for _, o := range owners {
		if slices.Contains(kinds, o) {
			return problem(root, "page_kinds."+o, "has the name of an owner; a figure is named metric@name (owner.rps@%s, latency.p99@%s), "+
				"so owners and page kinds need distinct names: rename one, e.g. %s-page", o, o, o)
		}
		if slices.Contains(services, o) {
			return problem(root, "page_services."+o, "has the name of an owner; each is a node of the world (a fault's target), "+
				"so owners and page services need distinct names: rename one, e.g. %s-web", o)
		}
	}

	for _, name := range owners {
		o, at := sc.Owners[name], "owners."+name
		p := o.Population
		if err := checkRecords(root, at+".population", populationFields{
			records: "records", withData: "with_data", items: "items", itemBytes: "item_bytes", record: "record", item: "item",
		}, p.Records, p.WithData, p.Items, p.ItemBytes); err != nil {
			return err
		}
		if err := o.Service.spec().Validate(); err != nil {
			return problem(root, at+".service", "%v", err)
		}
		if o.Writes.Rate == nil || *o.Writes.Rate < 0 {
			return problem(root, at+".writes.rate", "must be ≥ 0 (0: the owner's records never change), e.g. rate: 20/s")
		}
		if err := checkMix(root, at+".writes.mix", o.Writes.Mix, writeOps); err != nil {
			return err
		}
	}
	for _, name := range services {
		if err := sc.PageServices[name].spec().Validate(); err != nil {
			return problem(root, "page_services."+name, "%v", err)
		}
	}

	total := 0.0
	for _, name := range kinds {
		k, at := sc.PageKinds[name], "page_kinds."+name
		if !slices.Contains(services, k.Service) {
			if k.Service == "" {
				return problem(root, at+".service", "missing; give the page service that renders it, one of %s", strings.Join(services, ", "))
			}
			return problem(root, at+".service", "%q is not a page service; the page services are %s", k.Service, strings.Join(services, ", "))
		}
		if math.IsNaN(k.Share) {
			return problem(root, at+".share", "missing; give the kind's share of the page traffic, e.g. share: 0.5 "+
				"(shares are weights: each kind gets its share divided by the sum of all the kinds')")
		}
		if !(k.Share >= 0) || math.IsInf(k.Share, 0) {
			return problem(root, at+".share", "must be ≥ 0 (0: never requested), got %v", k.Share)
		}
		total += k.Share
		if k.Order != "parallel" && k.Order != "sequence" {
			return problem(root, at+".order", "is parallel (every read at once) or sequence (one after another, stopping at a failed required read), got %q", k.Order)
		}
		if k.Work != nil && (k.Work.Dist == nil || k.Work.Quantile(0) < 0) {
			return problem(root, at+".work", "give a distribution of the page's own work, e.g. {dist: exp, mean: 1ms}, or leave it out to take the page service's service_time")
		}
		if len(k.Reads) == 0 {
			return problem(root, at+".reads", "a page kind reads at least one owner (that is what the harness measures), e.g. reads: [{owner: %s}]", owners[0])
		}
		if k.Self && len(k.Reads) != 1 {
			return problem(root, at+".reads", "a self-view reads exactly one owner, once: it is a record's owner viewing its own record (read your writes), "+
				"and self_recent picks records that owner has just written; give one read, or drop self: true")
		}
		for i, r := range k.Reads {
			rat := fmt.Sprintf("%s.reads[%d]", at, i)
			if !slices.Contains(owners, r.Owner) {
				if r.Owner == "" {
					return problem(root, rat, "owner: missing; give the owner it reads, one of %s", strings.Join(owners, ", "))
				}
				return problem(root, rat, "owner %q is not an owner; the owners are %s", r.Owner, strings.Join(owners, ", "))
			}
			if r.Records < 1 {
				return problem(root, rat, "records: must be ≥ 1 (the records of %s the section shows), got %d", r.Owner, r.Records)
			}
			if n := sc.Owners[r.Owner].Population.Records; r.Records > n {
				return problem(root, rat, "records: %d, but owner %s has %d records; show at most %d, or give it more (owners.%s.population.records)", r.Records, r.Owner, n, n, r.Owner)
			}
			if r.Call != "batch" && r.Call != "single" {
				return problem(root, rat, "call: is batch (one call for the section's records) or single (one get per record, in parallel), got %q", r.Call)
			}
			if r.Section != "optional" && r.Section != "required" {
				return problem(root, rat, "section: is optional (left out when it cannot be had; the page renders) or required (the page fails), got %q", r.Section)
			}
		}
	}
	if !(total > 0) {
		return problem(root, "page_kinds", "the shares add up to 0: no page would be requested; give some kind a share > 0, e.g. share: 1")
	}
	for _, name := range services {
		if !slices.ContainsFunc(kinds, func(k string) bool { return sc.PageKinds[k].Service == name }) {
			return problem(root, "page_services."+name, "no page kind is served by it, so it would idle and count nowhere; "+
				"drop it, or give a page kind service: %s", name)
		}
	}
	for _, o := range owners {
		if !slices.ContainsFunc(kinds, func(k string) bool {
			return slices.ContainsFunc(sc.PageKinds[k].Reads, func(r ReadSpec) bool { return r.Owner == o })
		}) {
			return problem(root, "owners."+o, "no page kind reads it, so no figure would be about it; drop it, or give a page kind a read {owner: %s}", o)
		}
	}
	return sc.checkPlans(root, owners)
}

// checkPlans checks the plans: each is a column, named like one.
func (sc *Scenario) checkPlans(root *yaml.Node, owners []string) error {
	known := func(s string) bool { _, err := strategies.ParseStrategy(s); return err == nil }
	for i, p := range sc.Plans {
		at := fmt.Sprintf("plans[%d]", i)
		if p.Name == "" {
			return problem(root, at, "name: missing; a plan is a column, named e.g. name: hot-async")
		}
		if !validName.MatchString(p.Name) || len(p.Name) > 64 {
			return problem(root, at, "name %q: a plan's name is up to 64 letters, digits, '-' and '_', starting with a letter or digit, "+
				"since it names a column, its files and sweep paths (plans.NAME.owners.…); e.g. %s", p.Name, validNameExample(p.Name))
		}
		if known(p.Name) {
			return problem(root, at, "name %q is a strategy's; a plan needs a name of its own, since plans and strategies are compared side by side as columns, e.g. %s-plan", p.Name, p.Name)
		}
		for _, q := range sc.Plans[:i] {
			if q.Name == p.Name {
				return problem(root, at, "name %q is given to two plans; each plan is a column and needs a name of its own", p.Name)
			}
		}
		for _, o := range sortedKeys(p.Owners) {
			if !slices.Contains(owners, o) {
				return problem(root, at+".owners", "%q is not an owner; the owners are %s", o, strings.Join(owners, ", "))
			}
			if !known(p.Owners[o]) {
				return problem(root, at+".owners."+o, "%q is not a strategy; the strategies are %s", p.Owners[o], strategyNames())
			}
		}
		if p.Default == "" {
			var left []string
			for _, o := range owners {
				if _, ok := p.Owners[o]; !ok {
					left = append(left, o)
				}
			}
			if len(left) > 0 {
				return problem(root, at, "default: missing, and owners: does not name %s; give default: sync (the strategy of every owner not named), or name each owner", strings.Join(left, ", "))
			}
		} else if !known(p.Default) {
			return problem(root, at+".default", "%q is not a strategy; the strategies are %s", p.Default, strategyNames())
		}
	}
	return nil
}
