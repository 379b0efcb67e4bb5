package workload

import (
	"bufio"
	"cmp"
	"fmt"
	"maps"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sharebench/sharebench/pages"
	"github.com/sharebench/sharebench/sim"
	"github.com/sharebench/sharebench/strategies"
)

// Estimate is what one virtual run of a scenario will take, worked out
// from the scenario alone before anything runs: the work (pages, events,
// CPU time) and the peak memory, part by part. The coefficients were
// measured on the built-ins (peak heap in use, sampled every simulated
// second; wall time on one core); TestEstimateWithin2x holds them to
// within 2× of measured runs.
type Estimate struct {
	Pages  float64       // page requests sent (warm-up included)
	Writes float64       // seller writes
	Events float64       // kernel events of the busiest strategy
	CPU    time.Duration // one core's time for the slowest strategy
	Bytes  float64       // peak heap of the hungriest strategy
	Parts  []Part        // Bytes, part by part, largest first
	// Work is the parts of CPU, largest first.
	Work []Part
}

// Part is one share of an estimate and the scenario field that drives it.
type Part struct {
	What  string  // "client lists", "renders", ...
	Field string  // dotted path of the field responsible, e.g. population.clients_per_seller
	Value float64 // bytes, or seconds of CPU
}

// Coefficients of the estimate, measured (see Estimate).
const (
	fixedBytes         = 20 << 20 // histograms, series, the world's machinery
	bytesPerSeller     = 300      // population, popularity tables, oracle and owner per seller
	bytesPerClient     = 20       // plus 1.15 × client_bytes: the owner's lists, the history
	clientBytesFactor  = 1.15     //
	viewBytesPerSeller = 1000     // async views, per seller with clients (three services)
	idBytesPerSeller   = 230      // hybrid's ID sets, per seller
	bytesPerPage       = 100      // the oracle's per-render figures
	bytesPerRendered   = 32       // ... and per seller rendered (search pages show many)
	bytesPerWrite      = 100      // the owner's history, per write
	bytesPerBacklogged = 400      // a request waiting in an overloaded queue

	eventsPerPage      = 6.44 // a page request without an owner call
	eventsPerOwnerCall = 7.2  // an owner call from a page (request, work, reply, timeout)
	eventsPerWrite     = 30   // a write, its event and its deliveries

	eventsPerSecond       = 1  // the driver's per-second figures
	eventsPerPoll         = 15 // an idle long poll of the three consumers
	eventsPerDigestCall   = 15 // a digest call of the three views' anti-entropy, per 1000 sellers
	cpuPerReconciledEntry = 50e-9

	cpuPerEvent    = 1.1e-6 // seconds
	cpuPerRendered = 400e-9 // per seller rendered
	cpuPerSeller   = 2.5e-6 // drawing the population and popularity
)

// Estimate works out what one run of the scenario will take (each
// strategy the same seed; seeds multiply it).
func (sc *Scenario) Estimate() Estimate {
	if sc.general() {
		return sc.generalEstimate()
	}
	var e Estimate
	end := sc.End()
	pg := sc.Traffic.Pages
	e.Pages = pg.Rate.Integral(0, end)
	e.Writes = float64(*sc.Traffic.Writes.Rate) * end.Seconds()

	p := sc.Population
	withClients := *p.WithClients * float64(p.Sellers)
	clients := withClients * sc.meanClients()
	k := float64(max(pg.SearchResults, 1))
	rendered := 0.0 // sellers per page, summed in order: the same sum every time
	for _, kind := range slices.Sorted(maps.Keys(pg.Mix)) {
		share := pg.Mix[kind]
		if pages.ShowsResults(kind) {
			rendered += share * k
		} else {
			rendered += share
		}
	}

	common := []Part{
		{"harness", "", fixedBytes},
		{"population", "population.sellers", float64(p.Sellers) * bytesPerSeller},
		{"client lists", "population.clients_per_seller", clients * (clientBytesFactor*float64(p.ClientBytes) + bytesPerClient)},
		{"renders", sc.lengthField(sc.renderField()), e.Pages * (bytesPerPage + bytesPerRendered*rendered)},
		{"writes", sc.lengthField("traffic.writes.rate"), e.Writes * bytesPerWrite},
		{"overloaded queues", "traffic.pages.rate", sc.backlog() * bytesPerBacklogged},
	}
	for _, name := range sc.Strategies {
		s := strategies.Strategy(name)
		d := s.Design()
		parts := slices.Clone(common)
		switch d.Keeps {
		case strategies.KeepsLists:
			parts = append(parts, Part{"views", "population.with_clients", withClients * viewBytesPerSeller})
		case strategies.KeepsIDSets:
			parts = append(parts, Part{"ID sets", "population.sellers", float64(p.Sellers) * idBytesPerSeller})
		}
		bg, bgParts := sc.background(s)
		events := e.Pages*(eventsPerPage+eventsPerOwnerCall*sc.ownerCallsPerPage(d)) + e.Writes*eventsPerWrite + bg
		work := []Part{
			{"events", sc.lengthField("traffic.pages.rate"), (events - bg) * cpuPerEvent},
			{"rendering", sc.renderField(), e.Pages * rendered * cpuPerRendered},
			{"population", "population.sellers", float64(p.Sellers) * cpuPerSeller},
		}
		work = append(work, bgParts...)
		e.keepLargest(parts, work, events)
	}
	e.sortParts()
	return e
}

// keepLargest keeps, over the columns, the largest memory and CPU
// estimates with the parts that make them, and the most events.
func (e *Estimate) keepLargest(parts, work []Part, events float64) {
	if bytes := sum(parts); bytes > e.Bytes {
		e.Bytes, e.Parts = bytes, parts
	}
	if cpu := sum(work); cpu > e.CPU.Seconds() {
		e.CPU, e.Work = secondsDuration(cpu), work
	}
	e.Events = max(e.Events, events)
}

// sortParts puts the largest parts first.
func (e *Estimate) sortParts() {
	byValue := func(a, b Part) int { return cmp.Compare(b.Value, a.Value) }
	slices.SortStableFunc(e.Parts, byValue)
	slices.SortStableFunc(e.Work, byValue)
}

func sum(ps []Part) float64 {
	t := 0.0
	for _, p := range ps {
		t += p.Value
	}
	return t
}

func secondsDuration(s float64) time.Duration {
	if s*1e9 >= math.MaxInt64 || math.IsInf(s, 1) {
		return math.MaxInt64
	}
	return time.Duration(s * 1e9)
}

// background is the events a strategy's run has whatever the traffic, over
// the whole run (to the page timeout after the end): the driver's ticks,
// the outbox relay's polls, the consumers' long polls and anti-entropy
// rounds; and their CPU as parts naming the field that sets each pace.
func (sc *Scenario) background(s strategies.Strategy) (float64, []Part) {
	length := sc.runLength().Seconds()
	field := func(f string) string {
		if sc.Traffic.Pages.Timeout.D() > sc.End() {
			return "traffic.pages.timeout" // the run's tail is what makes it long
		}
		return f
	}
	per := func(d time.Duration) float64 { // occurrences over the run, every d
		if d <= 0 {
			return 0
		}
		return length / d.Seconds()
	}
	events := length * eventsPerSecond
	var parts []Part
	add := func(what, f string, n, cpu float64) {
		events += n
		parts = append(parts, Part{what, field(f), n*cpuPerEvent + cpu})
	}
	d := s.Design()
	if d.Publishes == strategies.NoEvents { // no relay, no consumers, no views to reconcile
		return events, parts
	}
	cfg := sc.strategyConfig(s, nil, nil)
	relay := cfg.RelayInterval
	if relay <= 0 {
		relay = 10 * time.Millisecond // strategies' default
	}
	// A dual-writing owner has no outbox but is charged its polls too: a
	// small overestimate, kept so that the estimates stay as measured.
	add("outbox relay polls", "options.async.relay_interval", per(relay), 0)
	maxWait := sc.Broker.MaxWait.D()
	if maxWait <= 0 {
		maxWait = 500 * time.Millisecond // the broker's default
	}
	add("consumer long polls", "broker.max_wait", eventsPerPoll*per(maxWait), 0)
	if rounds := per(cfg.ReconcileEvery); rounds > 0 {
		f := "options.async.reconcile_every"
		if d.Keeps == strategies.KeepsIDSets {
			f = "options.hybrid.reconcile_every"
		}
		sellers := float64(sc.Population.Sellers)
		add("anti-entropy", f, rounds*eventsPerDigestCall*math.Ceil(sellers/1000), rounds*3*sellers*cpuPerReconciledEntry)
	}
	return events, parts
}

// renderField is the field that drives the renders' cost: the sellers per
// search page when search pages show many, else the page rate.
func (sc *Scenario) renderField() string {
	pg := sc.Traffic.Pages
	if pg.SearchResults > DefaultScenario().Traffic.Pages.SearchResults && pages.Share(pg.Mix, showsResults)*float64(pg.SearchResults) > 1 {
		return "traffic.pages.search_results"
	}
	return "traffic.pages.rate"
}

// lengthField is the field to blame for a part that grows with the run's
// length as much as with rateField: duration when the run is further
// above the default length than the rate above its default
// (duration: 100000h is the mistake there, not the rate).
func (sc *Scenario) lengthField(rateField string) string {
	d := DefaultScenario()
	var rate, usual float64
	switch rateField {
	case "traffic.pages.rate":
		rate, usual = sc.Traffic.Pages.Rate.Max(), d.Traffic.Pages.Rate.Max()
	case "traffic.writes.rate":
		rate, usual = float64(*sc.Traffic.Writes.Rate), float64(*d.Traffic.Writes.Rate)
	default:
		return rateField
	}
	if sc.End().Seconds()/d.End().Seconds() > rate/usual {
		return "duration"
	}
	return rateField
}

// meanClients is the mean initial list of a seller with clients, as
// NewSellers draws it (rounded, at least 1, at most the ID space).
func (sc *Scenario) meanClients() float64 { return meanItems(sc.Population.ClientsPerSeller) }

// meanItems is the mean initial list of a record with data, items drawn
// from d as NewSellers draws them.
func meanItems(d sim.NumberDist) float64 {
	const n = 1000
	m := 0.0
	for i := range n {
		x := math.Round(d.Dist.Quantile((float64(i) + 0.5) / n))
		m += min(max(x, 1), clientsPerSellerSpace)
	}
	return m / n
}

// ownerCallsPerPage is the share of page requests that call the owner, as
// the strategy's design reads it: self-views always; public pages always
// (a cache's hits are charged as calls too, an upper bound), when a seller
// shown has clients, or never.
func (sc *Scenario) ownerCallsPerPage(d strategies.Design) float64 {
	mix := sc.Traffic.Pages.Mix
	self, results := pages.Share(mix, isSelf), pages.Share(mix, showsResults)
	public := 1 - self
	switch d.Reads {
	case strategies.ReadsAlways, strategies.ReadsOnMiss:
		return 1
	case strategies.ReadsWhenListed:
		wc := *sc.Population.WithClients
		search := 1 - math.Pow(1-wc, float64(sc.Traffic.Pages.SearchResults))
		return self + (public-results)*wc + results*search
	}
	return self
}

func isSelf(k pages.Kind) bool       { return k.Self }
func showsResults(k pages.Kind) bool { return k.Results }

// backlog is how many page requests pile up in page services' queues
// over the run when the rate exceeds what their workers serve: the
// integral of the excess, on a grid, bounded by the queue.
func (sc *Scenario) backlog() float64 {
	total := 0.0
	for _, name := range strategies.PageServiceNames {
		share := pages.Share(sc.Traffic.Pages.Mix, func(k pages.Kind) bool { return k.Service == name })
		total += sc.serviceBacklog(sc.Services[name], share)
	}
	return total
}

// serviceBacklog is how many page requests pile up in one page service's
// queue when it gets share of the page traffic; 0 for a nil service.
func (sc *Scenario) serviceBacklog(svc *Service, share float64) float64 {
	const steps = 1000
	end := sc.End()
	dt := end / steps
	if svc == nil {
		return 0
	}
	mean := svc.ServiceTime.Mean().Seconds()
	if mean <= 0 || share <= 0 {
		return 0
	}
	capacity := float64(svc.Workers) / mean
	excess := 0.0
	for i := range steps {
		t := dt*time.Duration(i) + dt/2
		excess += max(0, sc.Traffic.Pages.Rate.At(t)*share-capacity) * dt.Seconds()
	}
	switch q := svc.spec().Queue; {
	case q == sim.NoQueue:
		excess = 0
	case q > 0:
		excess = min(excess, float64(q))
	}
	return excess
}

// Limits are what a machine can take.
type Limits struct {
	MaxBytes float64       // memory for the runs held at once
	MaxCPU   time.Duration // one core's time for one run
	Why      string        // where MaxBytes comes from, for the error
}

// DefaultLimits are 40 % of this machine's physical memory (the rest is
// the system's and other programs') and half an hour of CPU per run.
func DefaultLimits() Limits {
	m := float64(physicalMemory())
	return Limits{MaxBytes: 0.4 * m, MaxCPU: 30 * time.Minute, Why: "40% of this machine's " + FormatBytes(m)}
}

// Check refuses a run that will not fit: concurrent runs held at once
// (min of parallel and strategies × seeds) each needing e.Bytes, or one
// run needing more than the CPU limit. The error starts with the field
// responsible and gives the estimate and how to go on anyway; a
// scenario's CheckSize also says where in its file the field is.
func (e Estimate) Check(l Limits, concurrent int) error {
	if field, err := e.check(l, concurrent); err != nil {
		return fmt.Errorf("%s: %w", field, err)
	}
	return nil
}

// CheckSize estimates one run of the scenario and refuses what will not
// fit, as Estimate.Check does, with the error located like every other
// scenario error: FILE:LINE: field: too big to run: …, the line being
// the field's (or its nearest section's) in the file the scenario was
// read from.
func (sc *Scenario) CheckSize(l Limits, concurrent int) (Estimate, error) {
	e := sc.Estimate()
	field, err := e.check(l, concurrent)
	switch {
	case err == nil:
		return e, nil
	case sc.src == nil: // built in code, from no file
		return e, fmt.Errorf("%s: %s: %w", sc.Name, field, err)
	}
	return e, fmt.Errorf("%s:%w", sc.src.file, problem(sc.src.root, field, "%v", err))
}

// EventBudget is the most events a run of this estimate may process
// (RunOptions.MaxEvents): ten times the estimate and 10 million more, so
// that only a badly wrong estimate stops a run.
func (e Estimate) EventBudget() uint64 {
	return uint64(10*e.Events) + 10_000_000
}

// check is Check's refusal without its field, and the field.
func (e Estimate) check(l Limits, concurrent int) (string, error) {
	concurrent = max(concurrent, 1)
	if need := e.Bytes * float64(concurrent); need > l.MaxBytes {
		top := e.Parts[0]
		fewer := ""
		if concurrent > 1 && e.Bytes <= l.MaxBytes {
			fewer = fmt.Sprintf(", run fewer at once (-parallel %d)", max(1, int(l.MaxBytes/e.Bytes)))
		}
		return top.Field, fmt.Errorf("too big to run: needs about %s of memory (%d run%s at once × %s: %s), over the limit of %s (%s); "+
			"lower %s%s, or pass -force to run anyway",
			FormatBytes(need), concurrent, plural(concurrent), FormatBytes(e.Bytes), describe(e.Parts, FormatBytes), FormatBytes(l.MaxBytes), l.Why, top.Field, fewer)
	}
	if e.CPU > l.MaxCPU {
		top := e.Work[0]
		return top.Field, fmt.Errorf("too long to run: about %v of CPU per run (%.3g pages, %.3g events; %s), over the limit of %v; lower %s or the duration, or pass -force to run anyway",
			e.CPU.Round(time.Second), e.Pages, e.Events, describe(e.Work, func(s float64) string { return secondsDuration(s).Round(time.Millisecond).String() }), l.MaxCPU, top.Field)
	}
	return "", nil
}

// String is the estimate in a line, for validate.
func (e Estimate) String() string {
	return fmt.Sprintf("%.3g pages, %.3g events, ~%v of CPU and ~%s of memory per run",
		e.Pages, e.Events, e.CPU.Round(time.Millisecond), FormatBytes(e.Bytes))
}

func describe(ps []Part, format func(float64) string) string {
	var s []string
	for _, p := range ps[:min(3, len(ps))] {
		if p.Field != "" {
			s = append(s, fmt.Sprintf("%s %s from %s", p.What, format(p.Value), p.Field))
		} else {
			s = append(s, fmt.Sprintf("%s %s", p.What, format(p.Value)))
		}
	}
	return strings.Join(s, ", ")
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// FormatBytes writes a size in binary units: 512 B, 3.2 MiB, 62 GiB.
func FormatBytes(b float64) string {
	const unit = 1024
	if b < unit {
		return fmt.Sprintf("%.0f B", b)
	}
	exp, div := 0, float64(unit)
	for n := b / unit; n >= unit && exp < 5; n /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.3g %ciB", b/div, "KMGTPE"[exp])
}

// physicalMemory is the machine's memory in bytes, from /proc/meminfo;
// 8 GiB where the system does not say.
func physicalMemory() int64 {
	const fallback = 8 << 30
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return fallback
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		fields := strings.Fields(s.Text())
		if len(fields) >= 2 && fields[0] == "MemTotal:" {
			if kb, err := strconv.ParseInt(fields[1], 10, 64); err == nil {
				return kb << 10
			}
		}
	}
	return fallback
}

// generalEstimate is Estimate for the general form, from the model with
// the marketplace's coefficients: memory and events summed over the
// owners (each its population, lists, views or ID sets, writes and
// background) and over the page kinds' reads (each owner call a read
// makes under its owner's strategy). A view's coefficient is for three
// page services; an owner read by fewer is charged its share.
func (sc *Scenario) generalEstimate() Estimate {
	var e Estimate
	md := sc.model()
	end := sc.End()
	pg := sc.Traffic.Pages
	e.Pages = pg.Rate.Integral(0, end)
	shareSum := 0.0
	for _, k := range md.topo.Kinds {
		shareSum += md.shares[k.Name]
	}
	share := func(kind string) float64 {
		if shareSum <= 0 {
			return 0
		}
		return md.shares[kind] / shareSum
	}
	rendered := 0.0 // records per page
	for _, k := range md.topo.Kinds {
		rendered += share(k.Name) * float64(k.Records())
	}
	common := []Part{
		{"harness", "", fixedBytes},
		{"renders", sc.lengthField("traffic.pages.rate"), e.Pages * (bytesPerPage + bytesPerRendered*rendered)},
		{"overloaded queues", "traffic.pages.rate", sc.modelBacklog(md, share) * bytesPerBacklogged},
	}
	var work []Part
	withData := map[string]float64{}
	for _, name := range md.topo.Owners {
		om := md.owners[name]
		p := om.Population
		withData[name] = *p.WithClients * float64(p.Sellers)
		writes := float64(*om.Writes.Rate) * end.Seconds()
		e.Writes += writes
		field := "owners." + name
		common = append(common,
			Part{"population of " + name, field + ".population.records", float64(p.Sellers) * bytesPerSeller},
			Part{"lists of " + name, field + ".population.items", withData[name] * meanItems(p.ClientsPerSeller) * (clientBytesFactor*float64(p.ClientBytes) + bytesPerClient)},
			Part{"writes of " + name, field + ".writes.rate", writes * bytesPerWrite},
		)
		work = append(work, Part{"population of " + name, field + ".population.records", float64(p.Sellers) * cpuPerSeller})
	}
	work = append(work, Part{"rendering", "traffic.pages.rate", e.Pages * rendered * cpuPerRendered})
	length := sc.runLength().Seconds()
	for _, column := range sc.Columns() {
		parts := slices.Clone(common)
		events := e.Writes*eventsPerWrite + length*eventsPerSecond
		bg := 0.0
		var bgParts []Part
		for _, name := range md.topo.Owners {
			s := strategies.Strategy(md.topo.StrategyFor(column, name))
			d := s.Design()
			om := md.owners[name]
			services := 0
			for _, svc := range md.topo.Services {
				if slices.Contains(md.topo.ServiceReads(svc), name) {
					services++
				}
			}
			viewShare := float64(services) / 3
			field := "owners." + name
			switch d.Keeps {
			case strategies.KeepsLists:
				parts = append(parts, Part{"views of " + name, field + ".population.with_data", withData[name] * viewBytesPerSeller * viewShare})
			case strategies.KeepsIDSets:
				parts = append(parts, Part{"ID sets of " + name, field + ".population.records", float64(om.Population.Sellers) * idBytesPerSeller * viewShare})
			}
			if d.Publishes == strategies.NoEvents {
				continue
			}
			oc := sc.ownerConfig(name, s, om, nil)
			per := func(every time.Duration) float64 {
				if every <= 0 {
					return 0
				}
				return length / every.Seconds()
			}
			relay := sc.Options.Async.RelayInterval.D()
			if relay <= 0 {
				relay = 10 * time.Millisecond // strategies' default
			}
			maxWait := sc.Broker.MaxWait.D()
			if maxWait <= 0 {
				maxWait = 500 * time.Millisecond // the broker's default
			}
			n := per(relay) + eventsPerPoll*viewShare*per(maxWait)
			cpu := 0.0
			if rounds := per(oc.ReconcileEvery); rounds > 0 {
				records := float64(om.Population.Sellers)
				n += rounds * eventsPerDigestCall * viewShare * math.Ceil(records/1000)
				cpu += rounds * float64(services) * records * cpuPerReconciledEntry
			}
			bg += n
			bgParts = append(bgParts, Part{"background of " + name, "options.async.relay_interval", n*cpuPerEvent + cpu})
		}
		calls := 0.0 // owner calls per page
		for _, k := range md.topo.Kinds {
			for _, rd := range k.Reads {
				d := strategies.Strategy(md.topo.StrategyFor(column, rd.Owner)).Design()
				calls += share(k.Name) * readCalls(k, rd, d, *md.owners[rd.Owner].Population.WithClients)
			}
		}
		pageEvents := e.Pages * (eventsPerPage + eventsPerOwnerCall*calls)
		events += pageEvents + bg
		w := append(slices.Clone(work), Part{"events", sc.lengthField("traffic.pages.rate"), (events - bg) * cpuPerEvent})
		w = append(w, bgParts...)
		e.keepLargest(parts, w, events)
	}
	e.sortParts()
	return e
}

// readCalls is how many owner calls one read rd of a page of kind k makes
// under its owner's design d, wc the share of the owner's records with
// data: a self-view always calls; a batch read makes one call, a single
// read one per record; a design that reads when listed calls only for
// records with data (a cache's hits are charged as calls, an upper bound).
func readCalls(k pages.Kind, rd pages.Read, d strategies.Design, wc float64) float64 {
	n := float64(rd.Records)
	calls := 1.0
	if !rd.Batch {
		calls = n
	}
	switch {
	case k.Self, d.Reads == strategies.ReadsAlways, d.Reads == strategies.ReadsOnMiss:
		return calls
	case d.Reads == strategies.ReadsWhenListed:
		if rd.Batch {
			return 1 - math.Pow(1-wc, n)
		}
		return n * wc
	}
	return 0
}

// modelBacklog is backlog over the model's page services, share giving
// each kind's share of the page traffic.
func (sc *Scenario) modelBacklog(md *model, share func(kind string) float64) float64 {
	total := 0.0
	for _, name := range md.topo.Services {
		s := 0.0
		for _, k := range md.topo.Kinds {
			if k.Service == name {
				s += share(k.Name)
			}
		}
		total += sc.serviceBacklog(md.services[name], s)
	}
	return total
}
