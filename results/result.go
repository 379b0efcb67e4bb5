package results

import "github.com/sharebench/sharebench/pages"

// Schema is the version of the result file format this build writes and
// the newest it reads. Schema 2 added sample counts and within-run
// intervals (Metrics.Stats, CI95 for a single seed), the unconditional
// read staleness (PageMetrics.ReadStalenessMS), the render counts behind
// each page ratio and File.Version; a schema-1 file reads with those empty.
const Schema = 2

// File is one result document: a scenario run with one or more seeds, an
// entry per strategy with the same keys for each. Everything but Wall is a
// pure function of the scenario and seeds: the same inputs give the same
// bytes.
type File struct {
	Schema int `json:"schema"`
	// Mode is the world the runs ran in: "virtual" (deterministic, virtual
	// time) or "live" (goroutines, loopback HTTP, Kafka, the wall clock).
	Mode     string   `json:"mode"`
	Scenario string   `json:"scenario"`
	Seeds    []uint64 `json:"seeds"`
	// ScenarioYAML is the scenario as run, defaults filled in.
	ScenarioYAML string  `json:"scenario_yaml"`
	DurationS    float64 `json:"duration_s"` // measured virtual time per run
	WarmupS      float64 `json:"warmup_s"`
	// Order lists the strategies in the scenario's order (Strategies is a
	// map, which JSON writes sorted).
	Order      []string            `json:"order"`
	Strategies map[string]*Metrics `json:"strategies"`
	Faults     []FaultWindow       `json:"faults"`
	// Inputs are the files of measured latencies the scenario reads
	// ({dist: samples} and {dist: hdr}); left out when it reads none. An
	// optional field, so schema 2 still describes the file.
	Inputs []Input `json:"inputs,omitempty"`
	// Topology is the system the scenario describes in the general form
	// (owners:, page_services:, page_kinds:, plans:): its owners, services,
	// page kinds with their reads, and each plan's strategy per owner.
	// Left out for the marketplace form (pages.Marketplace), so files of
	// that form are as they were. MetricsFor reads it.
	Topology *pages.Topology `json:"topology,omitempty"`
	// Version is the build that made the file: a change in the simulator
	// is not a change in the system, so compare warns when two files'
	// versions differ. Empty in schema-1 files.
	Version BuildVersion `json:"version"`
	// Wall holds the wall-clock facts of making the file; comparisons and
	// determinism checks ignore it.
	Wall Wall `json:"wall"`
}

// BuildVersion names the sharebench build and Go toolchain that wrote a
// file, from debug.ReadBuildInfo.
type BuildVersion struct {
	Module   string `json:"module"`   // module version, "(devel)" for a source build
	Revision string `json:"revision"` // VCS revision, "+dirty" appended for a modified tree; "" if unknown
	Go       string `json:"go"`       // e.g. "go1.23.2"
}

// Input is one file of measured values a distribution reads: its hash,
// so a rerun can tell the file is the same, and the figures the runs drew
// from. The figures are milliseconds for durations (plain numbers for a
// number distribution); percentiles are nearest-rank over the file's
// values (for an hdr log, the merged histogram's buckets).
type Input struct {
	Field  string  `json:"field"` // e.g. "services.topclients.service_time"
	Dist   string  `json:"dist"`  // "samples" or "hdr"
	File   string  `json:"file"`  // as the scenario names it
	SHA256 string  `json:"sha256"`
	Unit   string  `json:"unit,omitempty"` // an hdr log's value unit
	Count  int64   `json:"count"`
	MeanMS float64 `json:"mean_ms"`
	P0MS   float64 `json:"p0_ms"`
	P50MS  float64 `json:"p50_ms"`
	P90MS  float64 `json:"p90_ms"`
	P99MS  float64 `json:"p99_ms"`
	P999MS float64 `json:"p99_9_ms"`
	MaxMS  float64 `json:"max_ms"`
}

// FaultWindow is a fault as plots shade it.
type FaultWindow struct {
	AtS   float64 `json:"at_s"`
	ForS  float64 `json:"for_s"`
	Kind  string  `json:"kind"`
	Label string  `json:"label"` // e.g. "outage topclients (refuse)"
}

// Wall is what the wall clock saw: how long the runs took, how fast the
// simulator went. It differs from run to run.
type Wall struct {
	Started        string  `json:"started"` // UTC, RFC 3339
	ElapsedS       float64 `json:"elapsed_s"`
	Parallel       int     `json:"parallel"`
	PagesPerSecond float64 `json:"pages_per_second"` // simulated page requests per wall second, per core used
	GoVersion      string  `json:"go_version"`
	MaxRSSBytes    int64   `json:"max_rss_bytes"`
}

// Metrics is what one strategy measured. With several seeds, the scalar
// fields are means over the seeds, the percentiles come from the merged
// histograms, Replicas holds each seed's own Metrics and CI95 the half-width
// of the 95 % confidence interval of each registered metric's mean over the
// seeds. With one seed, CI95 holds the within-run interval from batch means
// (see Stat). Stats says, per registered metric, how many samples the
// figure rests on and how its interval was made; FigureOf reads both.
type Metrics struct {
	// Pages by kind: gig, user, search, self, and all (the public pages:
	// gig, user and search together).
	Pages         map[string]*PageMetrics `json:"pages"`
	PropagationMS Summary                 `json:"propagation_ms"`
	// ConvergenceMS: from the last fault's heal (the start, without
	// faults) until every view equals the owner; 0 with no views. When
	// the views never converged within the run, NeverConverged is set and
	// ConvergenceMS is 0: no number, never ranked or averaged (a schema-2
	// file written before this flag recorded -1, which ReadFile turns into
	// it).
	ConvergenceMS      float64          `json:"convergence_ms"`
	NeverConverged     bool             `json:"never_converged,omitempty"`
	SelfViewViolations int64            `json:"self_view_violations"`
	Owner              OwnerMetrics     `json:"owner"`
	DuplicationBytes   map[string]int64 `json:"duplication_bytes"`
	Broker             BrokerMetrics    `json:"broker"`
	Series             []Second         `json:"series"`
	// Consistency is staleness as PBS plots it: public reads binned by the
	// time since their seller's last write, and how many were consistent.
	Consistency []ConsistencyPoint `json:"consistency"`
	// HDR holds histogram snapshots (HdrHistogram V2 compressed, base64),
	// so runs can be merged later: "latency.<kind>", "staleness.all" and
	// "propagation", all in microseconds.
	HDR map[string]string `json:"hdr"`
	// Owners holds each owner's figures, for a scenario in the general
	// form; left out for the marketplace form, whose one owner is Owner.
	// There Owner sums the owners' load and DuplicationBytes their bytes
	// per page service.
	Owners   map[string]*OwnerResult `json:"owners,omitempty"`
	Replicas []*Metrics              `json:"replicas,omitempty"`
	// CI95 holds the half-width the run made (batch means, or Student's
	// t over seeds). Readers go through FigureOf, which widens it: a
	// fraction's to at least Wilson's score interval for its count
	// (Stat.N) and value, a rare-event figure's to at least a Poisson
	// count's (rule.go, rule 1).
	CI95  map[string]float64 `json:"ci95,omitempty"`
	Stats map[string]Stat    `json:"stats,omitempty"`
}

// Stat is what one registered metric's figure rests on. The file holds
// the batch-means (or seeds') half-width in CI95; readers widen it to at
// least the binomial (Wilson) width for a fraction and the Poisson width
// for rare events, from N and the value (FigureOf).
type Stat struct {
	// N counts the samples behind the figure, pooled over the seeds:
	// public page renders for latency percentiles (rendered ones) and
	// availability (all); sections of sellers with clients on rendered
	// pages for completeness; sections shown for the stale fraction,
	// versions behind and read staleness; stale sections for the
	// conditional staleness.p99; propagated versions for propagation.p99;
	// measured seconds for the owner's rates; self-view sections for
	// self_view_violations. For a metric with no such count (convergence,
	// duplication, the broker's and the owner's counters) N is the number
	// of runs.
	N int64 `json:"n"`
	// Method is how CI95 was made: "batch-means" (one seed: the measured
	// window cut into equal batches, see BatchCI; with faults, batches
	// within the strata the fault windows cut, see StratifiedCI), "seeds" (several seeds:
	// Student's t over the seeds' values), "exact" (a figure with no
	// sampling error within a run, like duplication) or "none" (no
	// interval could be made: CI95 has no entry).
	Method string `json:"method"`
	// Batches is the number of values the interval is from: batches with
	// samples, or seeds.
	Batches int `json:"batches"`
	// DF is the interval's degrees of freedom: Batches − 1, or for
	// stratified batch means Welch–Satterthwaite's (see StratifiedCI).
	DF float64 `json:"df"`
}

// Interval methods, as Stat.Method records them.
const (
	MethodBatchMeans = "batch-means"
	MethodSeeds      = "seeds"
	MethodExact      = "exact"
	MethodNone       = "none"
)

// PageMetrics is what the renders of one page kind measured.
type PageMetrics struct {
	Count     int64   `json:"count"`
	LatencyMS Summary `json:"latency_ms"` // from the intended send time
	// Availability: rendered at all / requested.
	Availability float64 `json:"availability"`
	// Completeness: renders showing the section / renders, over sellers
	// who had clients when the page was rendered. Per page answered: a page
	// with no answer (timed out, refused) counts in Availability only
	// (schema 1 counted it here too); a page failed for a required section
	// (general form) counts here too, its sections had and none shown.
	Completeness float64 `json:"completeness"`
	// StaleFraction: sections showing a version older than the owner's at
	// render time / sections shown.
	StaleFraction float64 `json:"stale_fraction"`
	// StalenessMS: for stale sections, render time − commit time of the
	// first version the section misses.
	StalenessMS Summary `json:"staleness_ms"`
	// VersionsBehind: mean over sections of owner version − version shown.
	VersionsBehind float64 `json:"versions_behind"`
	// ReadStalenessMS: staleness of every section shown, a fresh one
	// counting as 0: its mean is the expected staleness of a section read,
	// its p999 the staleness only one read in a thousand exceeds. Unlike
	// StalenessMS it does not hide how rarely a section is stale.
	ReadStalenessMS Summary `json:"read_staleness_ms"`
	// The counts behind the ratios (schema 2): renders that rendered;
	// sections of sellers with clients on those renders; sections shown;
	// stale sections.
	Rendered    int64 `json:"rendered"`
	WithClients int64 `json:"with_clients"`
	Shown       int64 `json:"shown"`
	Stale       int64 `json:"stale"`
	// PageCompleteness (general form only; nil for the marketplace form):
	// pages showing every section whose record has data / pages answered
	// with at least one such section, a page failed for a required section
	// counting as answered and not complete (a page with no answer counts
	// in Availability only). A page of several reads is complete only when
	// all its sections are shown. PagesWithData is its denominator.
	PageCompleteness *float64 `json:"page_completeness,omitempty"`
	PagesWithData    int64    `json:"pages_with_data,omitempty"`
}

// OwnerResult is one owner's figures in a scenario of the general form.
type OwnerResult struct {
	// Strategy is how this column shared this owner's data: the column's
	// strategy, or its plan's choice for the owner.
	Strategy string       `json:"strategy"`
	Load     OwnerMetrics `json:"load"`
	// Sections are this owner's sections on measured public pages:
	// completeness, staleness and their counts as for a page kind (Count
	// counts sections; LatencyMS and Availability are unused).
	Sections      PageMetrics      `json:"sections"`
	PropagationMS Summary          `json:"propagation_ms"`
	Duplication   map[string]int64 `json:"duplication_bytes"` // by page service
}

// Summary describes a distribution, in milliseconds.
type Summary struct {
	N    int64   `json:"n"` // values described (schema 2; 0 in older files)
	Mean float64 `json:"mean"`
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	P999 float64 `json:"p999"`
	Max  float64 `json:"max"`
}

// OwnerMetrics is the load that reached the owner (Top Clients).
type OwnerMetrics struct {
	Requests int64 `json:"requests"`
	Reads    int64 `json:"reads"` // sellers looked up (a search page's batch call reads many)
	// PublicReads counts the sellers public pages read from the owner: the
	// load the strategy puts on it for its busiest pages, self-views and
	// writes apart. PublicRPS is that per second.
	PublicReads     int64   `json:"public_reads"`
	PublicRPS       float64 `json:"public_rps"`
	RPS             float64 `json:"rps"`
	EmptyFraction   float64 `json:"empty_fraction"` // sellers read that had no clients: wasted
	Rejected        int64   `json:"rejected"`
	PeakConcurrency int64   `json:"peak_concurrency"` // most requests in service or queued at once
}

// BrokerMetrics counts the broker's records.
type BrokerMetrics struct {
	Published   int64 `json:"published"`
	Delivered   int64 `json:"delivered"`
	Redelivered int64 `json:"redelivered"`
	Lost        int64 `json:"lost"`
	MaxLag      int64 `json:"max_lag"`
}

// Second is one point of the per-second time series, measured over the
// public pages (as pages.all) completed in that second of virtual time,
// counted from the start of the run, warm-up included. The last point holds
// the pages that completed after the run's end.
type Second struct {
	T              float64 `json:"t"`
	Pages          int64   `json:"pages"`
	P50MS          float64 `json:"p50_ms"`
	P99MS          float64 `json:"p99_ms"`
	Availability   float64 `json:"availability"`
	Completeness   float64 `json:"completeness"`
	StaleFraction  float64 `json:"stale_fraction"`
	StalenessP99MS float64 `json:"staleness_p99_ms"`
	OwnerRPS       float64 `json:"owner_rps"`
	ConsumerLag    int64   `json:"consumer_lag"` // records the furthest-behind group lagged at the end of the second
}

// ConsistencyPoint is one bin of Metrics.Consistency: reads made between
// the previous bin's AfterMS and this one's after the last write to their
// seller, and how many of them showed that write.
type ConsistencyPoint struct {
	AfterMS    float64 `json:"after_ms"`
	Reads      int64   `json:"reads"`
	Consistent int64   `json:"consistent"`
}

// Better says which direction of a metric is an improvement.
type Better int

// Directions.
const (
	Lower Better = iota
	Higher
)

// Metric is one named figure of a strategy's Metrics: what tables show,
// confidence intervals cover and comparisons gate on.
type Metric struct {
	Name   string // dotted, e.g. "latency.p99"
	Unit   string // "ms", "%", "req/s", "B", ""
	Better Better
	Get    func(*Metrics) float64
	// ViewsOnly marks metrics of views and the broker, which mean nothing
	// for a strategy that keeps no view (sync, sync-cache): tables show
	// them as "—" there.
	ViewsOnly bool
	// Quantile is the percentile a metric is (0.99 for a p99), 0 for a
	// mean, fraction or count: a percentile needs more samples (Needed).
	Quantile float64
	// Within is how a single run gives the metric an interval.
	Within Within
	// Events marks a count or rate of events (owner requests, violations):
	// its N counts the events, and no minimum applies, since no events
	// over the whole window is a precise zero; the interval decides.
	Events bool
	// Rare marks a figure made of the public pages' stale sections
	// (PageMetrics.Stale), rare events whatever the sections read: rule 1
	// asks for enough of them and a Poisson-wide interval (Enough).
	// RareFraction: the figure is their fraction, which for no stale
	// section still has the rule of three's bound.
	Rare, RareFraction bool
	// Fraction marks a share of N trials (Stat.N): availability,
	// completeness, page_completeness, the stale fraction. Its interval is
	// at least the binomial one (Wilson's score interval), and an SLO
	// bounds it by counting its failures (Figure.Bounds).
	Fraction bool
	// Pages marks a figure of the public pages (pages.all): a strategy
	// without that page kind does not measure it.
	Pages bool
	// Has reports whether m has a value for the metric at all (nil: always).
	// A convergence that never happened has none.
	Has func(*Metrics) bool
	// counts, for a page kind's figure, reads its sample count and rare
	// events from the kind's own counts, for files that hold no Stats
	// entry for it (the marketplace form); hdr names the kind's latency
	// histogram in Metrics.HDR, whose order statistics bound a percentile
	// that has no interval (Figure.quantileBounds).
	counts func(*Metrics) (n, events int64)
	hdr    string
}

// Within says how a metric gets an interval from within one run.
type Within int

// Ways to an interval within a run.
const (
	// Batched: batch means over the measured window (the oracle records
	// per-batch values).
	Batched Within = iota
	// Exact: no sampling error within a run (bytes the views hold), or an
	// invariant that must hold in every render (self-view violations:
	// one is a bug, not noise); the figure compares as it is.
	Exact
	// Unbatched: random, but one run gives no interval (a single event,
	// or a counter only the end of the run knows); only seeds do.
	Unbatched
)

// Applies reports whether the metric means something for m.
func (mt Metric) Applies(m *Metrics) bool { return !mt.ViewsOnly || HasViews(m) }

// HasViews reports whether the strategy kept views fed by the broker.
func HasViews(m *Metrics) bool { return m.Broker.Published > 0 || m.Broker.Delivered > 0 }

func allPages(m *Metrics) *PageMetrics {
	if p := m.Pages[pages.All]; p != nil {
		return p
	}
	return &PageMetrics{}
}

func metric(name, unit string, better Better, get func(*Metrics) float64, opts ...func(*Metric)) Metric {
	mt := Metric{Name: name, Unit: unit, Better: better, Get: get}
	for _, o := range opts {
		o(&mt)
	}
	return mt
}

func viewsOnly(mt *Metric) { mt.ViewsOnly = true }
func exact(mt *Metric)     { mt.Within = Exact }
func unbatched(mt *Metric) { mt.Within = Unbatched }
func events(mt *Metric)    { mt.Events = true }
func page(mt *Metric)      { mt.Pages = true }
func rare(mt *Metric)      { mt.Rare = true }
func fraction(mt *Metric)  { mt.Fraction = true }
func rareFraction(mt *Metric) {
	mt.Rare, mt.RareFraction, mt.Fraction = true, true, true
}
func quantile(q float64) func(*Metric) {
	return func(mt *Metric) { mt.Quantile = q }
}

// Registry lists the metrics, in the order tables show them. Names without
// a page kind refer to the public pages (pages.all).
var Registry = []Metric{
	metric("latency.p50", "ms", Lower, func(m *Metrics) float64 { return allPages(m).LatencyMS.P50 }, page, quantile(0.5)),
	metric("latency.p99", "ms", Lower, func(m *Metrics) float64 { return allPages(m).LatencyMS.P99 }, page, quantile(0.99)),
	metric("latency.p999", "ms", Lower, func(m *Metrics) float64 { return allPages(m).LatencyMS.P999 }, page, quantile(0.999)),
	metric("availability", "%", Higher, func(m *Metrics) float64 { return 100 * allPages(m).Availability }, page, fraction),
	metric("completeness", "%", Higher, func(m *Metrics) float64 { return 100 * allPages(m).Completeness }, page, fraction),
	metric("stale_fraction", "%", Lower, func(m *Metrics) float64 { return 100 * allPages(m).StaleFraction }, page, rareFraction),
	// staleness.p99 is of stale sections only: rare stale sections make
	// it rest on few samples, which Needed catches.
	metric("staleness.p99", "ms", Lower, func(m *Metrics) float64 { return allPages(m).StalenessMS.P99 }, page, quantile(0.99)),
	// read_staleness.*: over every section read, fresh ones as 0.
	metric("read_staleness.mean", "ms", Lower, func(m *Metrics) float64 { return allPages(m).ReadStalenessMS.Mean }, page, rare),
	metric("read_staleness.p999", "ms", Lower, func(m *Metrics) float64 { return allPages(m).ReadStalenessMS.P999 }, page, rare, quantile(0.999)),
	metric("versions_behind", "", Lower, func(m *Metrics) float64 { return allPages(m).VersionsBehind }, page, rare),
	metric("propagation.p99", "ms", Lower, func(m *Metrics) float64 { return m.PropagationMS.P99 }, viewsOnly, quantile(0.99)),
	metric("convergence", "ms", Lower, func(m *Metrics) float64 { return m.ConvergenceMS }, viewsOnly, unbatched,
		func(mt *Metric) { mt.Has = func(m *Metrics) bool { return !m.NeverConverged } }),
	metric("self_view_violations", "", Lower, func(m *Metrics) float64 { return float64(m.SelfViewViolations) }, exact),
	metric("owner.rps", "req/s", Lower, func(m *Metrics) float64 { return m.Owner.RPS }, events),
	metric("owner.public_rps", "reads/s", Lower, func(m *Metrics) float64 { return m.Owner.PublicRPS }, events),
	metric("owner.empty_fraction", "%", Lower, func(m *Metrics) float64 { return 100 * m.Owner.EmptyFraction }, unbatched),
	metric("owner.rejected", "", Lower, func(m *Metrics) float64 { return float64(m.Owner.Rejected) }, unbatched),
	metric("duplication", "B", Lower, func(m *Metrics) float64 { return sumBytes(m.DuplicationBytes) }, exact),
	metric("broker.redelivered", "", Lower, func(m *Metrics) float64 { return float64(m.Broker.Redelivered) }, viewsOnly, unbatched),
	metric("broker.lost", "", Lower, func(m *Metrics) float64 { return float64(m.Broker.Lost) }, viewsOnly, unbatched),
	metric("broker.max_lag", "", Lower, func(m *Metrics) float64 { return float64(m.Broker.MaxLag) }, viewsOnly, unbatched),
}

// sumBytes is the bytes held by every page service of a duplication map.
func sumBytes(bytes map[string]int64) float64 {
	var n int64
	for _, b := range bytes {
		n += b
	}
	return float64(n)
}

// Lookup finds a registered metric by name.
func Lookup(name string) (Metric, bool) {
	for _, m := range Registry {
		if m.Name == name {
			return m, true
		}
	}
	return Metric{}, false
}
