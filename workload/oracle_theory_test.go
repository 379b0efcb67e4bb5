package workload

import (
	"math"
	"testing"
	"time"

	"github.com/sharebench/sharebench/results"
	"github.com/sharebench/sharebench/sim"
	"github.com/sharebench/sharebench/strategies"
)

// exactScenario makes every figure of a sync run countable: pages at
// constant 5ms spacing (the first at 5ms, the last at 10,995ms), constant
// 1ms hops, an owner taking a constant 100µs with workers to spare, page
// services doing no work, no writes. Every page then takes exactly
// 4 × 1ms + 100µs, nothing queues, nothing fails, and the measured window
// [1s, 11s) holds pages i = 200 … 2199.
const exactScenario = `
name: exact
seed: 5
duration: 10s
warmup: 1s
strategies: [sync]
population: {sellers: 300, with_clients: 1, clients_per_seller: 2}
traffic:
  pages: {rate: 200/s, arrival: constant, popularity: uniform, mix: {gig: 0.5, user: 0.3, search: 0.2}, search_results: 4}
  writes: {rate: 0/s}
services:
  topclients: {workers: 8, service_time: 100us}
  gig: {workers: 64, service_time: 0s}
  user: {workers: 64, service_time: 0s}
  search: {workers: 64, service_time: 0s}
network: {default: {latency: 1ms}}
options: {sync: {timeout: 10s, retries: 0}}
`

// TestOracleExactFiguresOfAConstantWorld: in a world with no randomness in
// its timing, the oracle's figures are exact: counts, the one latency every
// page has (in the summary and in every second of the series), the owner's
// load, availability and the consistency curve.
func TestOracleExactFiguresOfAConstantWorld(t *testing.T) {
	sc, err := Parse("exact.yaml", []byte(exactScenario))
	if err != nil {
		t.Fatal(err)
	}
	m, sent, err := RunOne(sc, strategies.Sync, sc.Seed)
	if err != nil {
		t.Fatal(err)
	}
	const measured, k, latencyMS = 2000, 4, 4.1
	if sent != 2199 {
		t.Errorf("sent %d pages; want 2199 (every 5ms from 5ms to 10,995ms)", sent)
	}
	all := m.Pages["all"]
	if got := m.Pages["gig"].Count + m.Pages["user"].Count + m.Pages["search"].Count; got != measured || all.Count != measured {
		t.Errorf("pages measured: %d by kind, %d in all; want %d", got, all.Count, measured)
	}
	if m.Pages["self"].Count != 0 {
		t.Errorf("self-views: %d; want none in the mix", m.Pages["self"].Count)
	}
	sections := m.Pages["gig"].Count + m.Pages["user"].Count + k*m.Pages["search"].Count
	for _, kind := range []string{"all", "gig", "user", "search"} {
		p := m.Pages[kind]
		l := p.LatencyMS
		// HDR reports the top of a value's bucket: at most 0.1 % above.
		for name, v := range map[string]float64{"mean": l.Mean, "p50": l.P50, "p99": l.P99, "max": l.Max} {
			if v < latencyMS-1e-9 || v > latencyMS*1.001 {
				t.Errorf("pages.%s.latency.%s = %vms; want %vms, every page's latency", kind, name, v, latencyMS)
			}
		}
		if p.Availability != 1 || p.StaleFraction != 0 || p.VersionsBehind != 0 {
			t.Errorf("pages.%s: availability %v, stale %v, behind %v; want 1, 0, 0",
				kind, p.Availability, p.StaleFraction, p.VersionsBehind)
		}
	}
	if m.Owner.Requests != measured || m.Owner.RPS != measured/10.0 || m.Owner.Reads != sections || m.Owner.PublicReads != sections {
		t.Errorf("owner: %d requests, %v/s, %d reads, %d public reads; want %d, %v/s, %d, %d",
			m.Owner.Requests, m.Owner.RPS, m.Owner.Reads, m.Owner.PublicReads, measured, measured/10.0, sections, sections)
	}
	if m.Owner.PublicRPS != float64(sections)/10 || m.Owner.EmptyFraction != 0 || m.Owner.Rejected != 0 {
		t.Errorf("owner: public %v/s, empty %v, rejected %d; want %v/s, 0, 0", m.Owner.PublicRPS, m.Owner.EmptyFraction, m.Owner.Rejected, float64(sections)/10)
	}

	// The series: a point per second, 11 of them, every page of the run
	// in exactly one, each at the one latency.
	if len(m.Series) != 11 {
		t.Fatalf("%d points in the series; want 11, one per second of the run", len(m.Series))
	}
	var pages int64
	var owner float64
	for i, s := range m.Series {
		pages += s.Pages
		owner += s.OwnerRPS
		if s.T != float64(i) {
			t.Errorf("series[%d].t = %v; want %d", i, s.T, i)
		}
		if s.Pages < 199 || s.Pages > 200 {
			t.Errorf("series[%d]: %d pages; want 200 a second (199 in the first)", i, s.Pages)
		}
		for name, v := range map[string]float64{"p50": s.P50MS, "p99": s.P99MS} {
			if v < latencyMS-1e-9 || v > latencyMS*1.001 {
				t.Errorf("series[%d].%s = %vms; want %vms", i, name, v, latencyMS)
			}
		}
		if s.Availability != 1 || s.StaleFraction != 0 || s.StalenessP99MS != 0 || s.ConsumerLag != 0 {
			t.Errorf("series[%d] = %+v; want availability 1, nothing stale, no lag", i, s)
		}
	}
	if pages != sent || int64(owner) != sent {
		t.Errorf("the series counts %d pages and %v owner requests; want every page of the run, %d", pages, owner, sent)
	}

	// Consistency: every public section read, every one consistent (there
	// are no writes), each in the bin of its time since the initial lists
	// were committed at 0 — from 1s to 11s, bins 20 to 27 (√2^20 ms ≈ 1.02s,
	// √2^27 ms ≈ 11.6s).
	var reads int64
	for i, b := range m.Consistency {
		reads += b.Reads
		if b.Consistent != b.Reads {
			t.Errorf("consistency bin %d: %d of %d consistent; want all", i, b.Consistent, b.Reads)
		}
		if b.Reads > 0 && (i < 20 || i > 27) {
			t.Errorf("consistency bin %d (≤ %.0fms) holds %d reads; every read was 1s–11s after its write", i, b.AfterMS, b.Reads)
		}
	}
	if reads != sections {
		t.Errorf("consistency curve holds %d reads; want every public section measured, %d", reads, sections)
	}
	if m.SelfViewViolations != 0 || m.ConvergenceMS != 0 {
		t.Errorf("self-view violations %d, convergence %v; want 0 and 0 (no views)", m.SelfViewViolations, m.ConvergenceMS)
	}
	// The histograms in the file describe the same pages.
	h, err := results.DecodeHDR(m.HDR["latency.all"])
	if err != nil {
		t.Fatal(err)
	}
	if h.TotalCount() != measured {
		t.Errorf("latency.all snapshot holds %d values; want %d", h.TotalCount(), measured)
	}
}

// TestOracleSeriesAgreesWithTotals: in the async staleness scenario of
// oracle_test.go, with pages at a constant rate so every second weighs the
// same, the series' per-second stale fractions average to the run's, and
// their p99 staleness stays within D.
func TestOracleSeriesAgreesWithTotals(t *testing.T) {
	sc, err := Parse("theory.yaml", []byte(theoryScenario))
	if err != nil {
		t.Fatal(err)
	}
	sc.Traffic.Pages.Arrival = "constant"
	sc.Duration = Duration(20e9)
	m, _, err := RunOne(sc, strategies.Async, sc.Seed)
	if err != nil {
		t.Fatal(err)
	}
	warm := int(sc.Warmup.D().Seconds())
	var sum float64
	n := 0
	for _, s := range m.Series[warm:] {
		if s.T >= sc.End().Seconds() {
			break
		}
		sum += s.StaleFraction
		n++
		if s.StalenessP99MS > 202 || (s.StaleFraction > 0 && s.StalenessP99MS <= 0) {
			t.Errorf("second %v: staleness p99 %vms with stale fraction %v; want in (0, 202ms]", s.T, s.StalenessP99MS, s.StaleFraction)
		}
		if s.ConsumerLag < 0 || s.OwnerRPS < 50 || s.OwnerRPS > 160 {
			t.Errorf("second %v: lag %d, owner %v/s; want ≥ 0 and about the 100 writes a second", s.T, s.ConsumerLag, s.OwnerRPS)
		}
	}
	all := m.Pages["all"]
	if got := sum / float64(n); math.Abs(got-all.StaleFraction) > 0.002 {
		t.Errorf("mean of the series' stale fractions = %.4f over %d seconds; want the run's %.4f", got, n, all.StaleFraction)
	}
	if all.StaleFraction < 0.1 {
		t.Errorf("stale fraction %v; want about 0.18 for the test to mean anything", all.StaleFraction)
	}
	if m.ConvergenceMS != 0 || m.PropagationMS.P50 < 200 || m.PropagationMS.P50 > 202 {
		t.Errorf("convergence %v, propagation p50 %v; want 0 (no faults) and ≈ 200.5ms", m.ConvergenceMS, m.PropagationMS.P50)
	}
}

// convergeScenario: async with rare writes, a constant 10ms delivery and a
// 5ms hop from the broker to gig; gig is cut off from the broker for a
// second, what the link carries held and released at the heal, each
// message with a fresh 5ms hop.
const convergeScenario = `
name: converge
seed: 4
duration: 8s
warmup: 1s
strategies: [async]
population: {sellers: 50, with_clients: 1, clients_per_seller: 2}
traffic:
  pages: {rate: 200/s, popularity: uniform, mix: {gig: 1}}
  writes: {rate: 20/s, mix: {add: 1}}
services:
  topclients: {workers: 8, service_time: 0s}
  gig: {workers: 64, service_time: 0s}
  user: {workers: 64, service_time: 0s}
  search: {workers: 64, service_time: 0s}
network: {default: {latency: 0s}, links: {broker->gig: {latency: 5ms}}}
broker: {partitions: 2, publish_latency: 0s, delivery_latency: 10ms}
options: {async: {relay_interval: 1ms, reconcile_every: 0s}}
faults:
  - {at: 3s, for: 1s, kind: partition, between: [broker, gig], mode: hold}
`

// TestOracleConvergenceAfterHeal: the views converge once the held records
// arrive, 5ms after the heal at 4s, unless a write is still in flight then
// (then a little later); gig's sections are stale for about the
// partition's second, staleness bounded by it.
func TestOracleConvergenceAfterHeal(t *testing.T) {
	sc, err := Parse("converge.yaml", []byte(convergeScenario))
	if err != nil {
		t.Fatal(err)
	}
	m, _, err := RunOne(sc, strategies.Async, sc.Seed)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("convergence %vms, staleness %+v, stale fraction %v", m.ConvergenceMS, m.Pages["all"].StalenessMS, m.Pages["all"].StaleFraction)
	if c := m.ConvergenceMS; c < 5 || c > 100 {
		t.Errorf("convergence = %vms after the heal; want the 5ms hop of the held records (≤ 100ms)", c)
	}
	st := m.Pages["all"].StalenessMS
	if st.Max < 900 || st.Max > 1025 {
		t.Errorf("staleness max = %vms; want about the 1s partition plus a delivery", st.Max)
	}
}

// TestOracleConvergenceWhenNothingDiverged: with no writes, a fault
// (search slowed for a second) leaves the views equal to the owner
// throughout, so they are converged at the heal: convergence 0, counted
// from the heal, not from the start of the run or a second later. (An
// outage of a page service would not do: its consumer restarts and waits
// out the group's session timeout.)
func TestOracleConvergenceWhenNothingDiverged(t *testing.T) {
	sc, err := Parse("converge.yaml", []byte(convergeScenario))
	if err != nil {
		t.Fatal(err)
	}
	f := &sc.Faults[0]
	f.Kind, f.Target, f.Factor, f.Between, f.Mode = sim.Slowdown, "search", 2, nil, ""
	if err := sim.CheckFaults(sc.Faults, sc.Nodes(), sc.End()); err != nil {
		t.Fatal(err)
	}
	none := Rate(0)
	sc.Traffic.Writes.Rate = &none
	m, _, err := RunOne(sc, strategies.Async, sc.Seed)
	if err != nil {
		t.Fatal(err)
	}
	if c := m.ConvergenceMS; c != 0 {
		t.Errorf("convergence = %vms after a fault no view felt, with no writes; want 0", c)
	}
}

// TestOracleNotConverged: views still behind when the run stops report
// NeverConverged, with no time (0, not a number to rank or average). gig's hop from the broker is 500ms, writes keep
// coming, and a partition holds gig's records until the end of the run,
// which stops 100ms later (the page timeout): gig cannot catch up in time.
func TestOracleNotConverged(t *testing.T) {
	sc, err := Parse("converge.yaml", []byte(convergeScenario))
	if err != nil {
		t.Fatal(err)
	}
	sc.Network.Links["broker->gig"].Latency = sim.DurationDist{Dist: sim.Const{V: 0.5}}
	sc.Traffic.Pages.Timeout = Duration(100 * time.Millisecond)
	sc.Faults[0].At, sc.Faults[0].For = 7*time.Second, 2*time.Second
	if err := sim.CheckFaults(sc.Faults, sc.Nodes(), sc.End()); err != nil {
		t.Fatal(err)
	}
	m, _, err := RunOne(sc, strategies.Async, sc.Seed)
	if err != nil {
		t.Fatal(err)
	}
	if c := m.ConvergenceMS; c != 0 || !m.NeverConverged {
		t.Errorf("convergence = %vms, never %v with gig's view behind at the end of the run; want never converged", c, m.NeverConverged)
	}
}
