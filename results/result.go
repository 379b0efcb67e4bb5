package results

// Schema is the version of the result file format this build writes and
// the newest it reads.
const Schema = 1

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
	// Wall holds the wall-clock facts of making the file; comparisons and
	// determinism checks ignore it.
	Wall Wall `json:"wall"`
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
// of the 95 % confidence interval of each registered metric's mean.
type Metrics struct {
	// Pages by kind: gig, user, search, self, and all (the public pages:
	// gig, user and search together).
	Pages              map[string]*PageMetrics `json:"pages"`
	PropagationMS      Summary                 `json:"propagation_ms"`
	ConvergenceMS      float64                 `json:"convergence_ms"`
	SelfViewViolations int64                   `json:"self_view_violations"`
	Owner              OwnerMetrics            `json:"owner"`
	DuplicationBytes   map[string]int64        `json:"duplication_bytes"`
	Broker             BrokerMetrics           `json:"broker"`
	Series             []Second                `json:"series"`
	// Consistency is staleness as PBS plots it: public reads binned by the
	// time since their seller's last write, and how many were consistent.
	Consistency []ConsistencyPoint `json:"consistency"`
	// HDR holds histogram snapshots (HdrHistogram V2 compressed, base64),
	// so runs can be merged later: "latency.<kind>", "staleness.all" and
	// "propagation", all in microseconds.
	HDR      map[string]string  `json:"hdr"`
	Replicas []*Metrics         `json:"replicas,omitempty"`
	CI95     map[string]float64 `json:"ci95,omitempty"`
}

// PageMetrics is what the renders of one page kind measured.
type PageMetrics struct {
	Count     int64   `json:"count"`
	LatencyMS Summary `json:"latency_ms"` // from the intended send time
	// Availability: rendered at all / requested.
	Availability float64 `json:"availability"`
	// Completeness: rendered with the section / requested, over sellers
	// who had clients when the page was rendered.
	Completeness float64 `json:"completeness"`
	// StaleFraction: sections showing a version older than the owner's at
	// render time / sections shown.
	StaleFraction float64 `json:"stale_fraction"`
	// StalenessMS: for stale sections, render time − commit time of the
	// first version the section misses.
	StalenessMS Summary `json:"staleness_ms"`
	// VersionsBehind: mean over sections of owner version − version shown.
	VersionsBehind float64 `json:"versions_behind"`
}

// Summary describes a distribution, in milliseconds.
type Summary struct {
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
}

// Applies reports whether the metric means something for m.
func (mt Metric) Applies(m *Metrics) bool { return !mt.ViewsOnly || HasViews(m) }

// HasViews reports whether the strategy kept views fed by the broker.
func HasViews(m *Metrics) bool { return m.Broker.Published > 0 || m.Broker.Delivered > 0 }

func allPages(m *Metrics) *PageMetrics {
	if p := m.Pages["all"]; p != nil {
		return p
	}
	return &PageMetrics{}
}

// Registry lists the metrics, in the order tables show them. Names without
// a page kind refer to the public pages (pages.all).
var Registry = []Metric{
	{"latency.p50", "ms", Lower, func(m *Metrics) float64 { return allPages(m).LatencyMS.P50 }, false},
	{"latency.p99", "ms", Lower, func(m *Metrics) float64 { return allPages(m).LatencyMS.P99 }, false},
	{"latency.p999", "ms", Lower, func(m *Metrics) float64 { return allPages(m).LatencyMS.P999 }, false},
	{"availability", "%", Higher, func(m *Metrics) float64 { return 100 * allPages(m).Availability }, false},
	{"completeness", "%", Higher, func(m *Metrics) float64 { return 100 * allPages(m).Completeness }, false},
	{"stale_fraction", "%", Lower, func(m *Metrics) float64 { return 100 * allPages(m).StaleFraction }, false},
	{"staleness.p99", "ms", Lower, func(m *Metrics) float64 { return allPages(m).StalenessMS.P99 }, false},
	{"versions_behind", "", Lower, func(m *Metrics) float64 { return allPages(m).VersionsBehind }, false},
	{"propagation.p99", "ms", Lower, func(m *Metrics) float64 { return m.PropagationMS.P99 }, true},
	{"convergence", "ms", Lower, func(m *Metrics) float64 { return m.ConvergenceMS }, true},
	{"self_view_violations", "", Lower, func(m *Metrics) float64 { return float64(m.SelfViewViolations) }, false},
	{"owner.rps", "req/s", Lower, func(m *Metrics) float64 { return m.Owner.RPS }, false},
	{"owner.public_rps", "reads/s", Lower, func(m *Metrics) float64 { return m.Owner.PublicRPS }, false},
	{"owner.empty_fraction", "%", Lower, func(m *Metrics) float64 { return 100 * m.Owner.EmptyFraction }, false},
	{"owner.rejected", "", Lower, func(m *Metrics) float64 { return float64(m.Owner.Rejected) }, false},
	{"duplication", "B", Lower, func(m *Metrics) float64 {
		var n int64
		for _, b := range m.DuplicationBytes {
			n += b
		}
		return float64(n)
	}, false},
	{"broker.redelivered", "", Lower, func(m *Metrics) float64 { return float64(m.Broker.Redelivered) }, true},
	{"broker.lost", "", Lower, func(m *Metrics) float64 { return float64(m.Broker.Lost) }, true},
	{"broker.max_lag", "", Lower, func(m *Metrics) float64 { return float64(m.Broker.MaxLag) }, true},
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
