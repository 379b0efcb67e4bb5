package results

import (
	"bytes"
	"encoding/csv"
	"math"
	"regexp"
	"strings"
	"testing"
)

// These tests pin the figures the comparison, the table, the registry, the
// CSV and the benchmark lines compute to exact values, so that a changed
// operator, sign or boundary in them fails a test (they were written
// against mutants that lived).

func lookupMetric(t *testing.T, name string) Metric {
	t.Helper()
	m, ok := Lookup(name)
	if !ok {
		t.Fatalf("no metric %q", name)
	}
	return m
}

// TestWorsening: how much worse new is than base, in each allowance's
// measure, for metrics that improve downwards and upwards.
func TestWorsening(t *testing.T) {
	p99, avail, rejected := lookupMetric(t, "latency.p99"), lookupMetric(t, "availability"), lookupMetric(t, "owner.rejected")
	tests := []struct {
		th        Threshold
		base, new float64
		want      float64
	}{
		{Threshold{p99, 10, Relative}, 100, 120, 20},
		{Threshold{p99, 10, Relative}, 100, 80, -20},
		{Threshold{p99, 10, Relative}, -50, -40, 20}, // per cent of |base|
		{Threshold{p99, 10, Relative}, 0, 5, math.Inf(1)},
		{Threshold{p99, 10, Relative}, 0, -5, 0},
		{Threshold{p99, 10, Relative}, 0, 0, 0},
		{Threshold{avail, 1, Relative}, 100, 90, 10},
		{Threshold{avail, 1, Relative}, 0, -2, math.Inf(1)},
		{Threshold{avail, 1, Relative}, 80, 90, -12.5},
		{Threshold{avail, 0.1, Points}, 99.5, 99, 0.5},
		{Threshold{avail, 0.1, Points}, 99, 99.5, -0.5},
		{Threshold{rejected, 5, Absolute}, 3, 10, 7},
		{Threshold{rejected, 5, Absolute}, 10, 3, -7},
	}
	for _, tt := range tests {
		if got := tt.th.worsening(tt.base, tt.new); got != tt.want {
			t.Errorf("%s: worsening(%v, %v) = %v; want %v", tt.th, tt.base, tt.new, got, tt.want)
		}
	}
}

// single is a file with one run per strategy, each given its p99, its
// availability and whether it kept views.
func single(p99, avail float64, views bool, strategies ...string) *File {
	f := &File{Schema: Schema, Scenario: "s", Strategies: map[string]*Metrics{}}
	for _, s := range strategies {
		m := &Metrics{Pages: map[string]*PageMetrics{"all": {Count: 10, Availability: avail, LatencyMS: Summary{P99: p99}}}}
		if views {
			m.Broker.Published = 1
		}
		f.Order = append(f.Order, s)
		f.Strategies[s] = m
	}
	return f
}

// TestCompareLimitIsExclusive: a metric exactly at its limit has not
// regressed; one just past it has.
func TestCompareLimitIsExclusive(t *testing.T) {
	limits := mustThresholds(t, "latency.p99=+10%,owner.rejected=+0")
	for _, tt := range []struct {
		new  float64
		want bool
	}{{110, false}, {110.001, true}, {109.999, false}} {
		for _, d := range Compare(single(100, 1, false, "sync"), single(tt.new, 1, false, "sync"), limits) {
			if d.Metric.Name == "latency.p99" && d.Regressed != tt.want {
				t.Errorf("p99 100 → %v against +10%%: regressed %v; want %v", tt.new, d.Regressed, tt.want)
			}
			if d.Metric.Name == "owner.rejected" && d.Regressed {
				t.Errorf("owner.rejected 0 → 0 against +0: regressed; want not")
			}
		}
	}
}

// TestCompareCoversSharedStrategiesAndApplicableMetrics: strategies only one
// side has are left out (and listed by Missing); metrics of views are left
// out for a strategy without them; single runs get no p-value.
func TestCompareCoversSharedStrategiesAndApplicableMetrics(t *testing.T) {
	base := single(100, 1, false, "sync", "gone")
	base.Strategies["async"] = single(100, 1, true, "async").Strategies["async"]
	base.Order = append(base.Order, "async")
	nw := single(100, 1, false, "sync", "fresh")
	nw.Strategies["async"] = single(100, 1, true, "async").Strategies["async"]
	nw.Order = append(nw.Order, "async")
	ds := Compare(base, nw, nil)
	count := map[string]int{}
	for _, d := range ds {
		count[d.Strategy]++
		// An exact figure (no sampling error) that did not move is judged
		// unchanged; any other single run without an interval gets no
		// p-value, so a change past its limit would count.
		if d.Metric.Within == Exact {
			if d.P != 1 || d.Significant() || d.Regressed {
				t.Errorf("%s %s (exact, unchanged): P %v, significant %v, regressed %v; want 1, false, false", d.Strategy, d.Metric.Name, d.P, d.Significant(), d.Regressed)
			}
		} else if !math.IsNaN(d.P) || d.N1 != 1 || d.N2 != 1 || !d.Significant() || d.Regressed {
			t.Errorf("%s %s: P %v, N %d/%d, significant %v, regressed %v; want NaN, 1/1, true, false", d.Strategy, d.Metric.Name, d.P, d.N1, d.N2, d.Significant(), d.Regressed)
		}
		if d.Strategy == "sync" && d.Metric.ViewsOnly {
			t.Errorf("sync compared on %s, a metric of views it has none of", d.Metric.Name)
		}
	}
	viewsOnly := 0
	for _, m := range Registry {
		if m.ViewsOnly {
			viewsOnly++
		}
	}
	if count["gone"] != 0 || count["fresh"] != 0 || count["sync"] != len(Registry)-viewsOnly || count["async"] != len(Registry) {
		t.Errorf("deltas per strategy = %v; want sync %d, async %d, none for gone or fresh", count, len(Registry)-viewsOnly, len(Registry))
	}
	want := []string{"gone (only in base)", "fresh (only in new)"}
	if got := Missing(base, nw); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("Missing = %q; want %q", got, want)
	}
	if n := Regressions([]Delta{{Regressed: true}, {}, {Regressed: true}}); n != 2 {
		t.Errorf("Regressions = %d; want 2", n)
	}
}

// TestCompareSeedsGiveAPValue: with several seeds a side, the U test's
// p-value is kept, and a change inside the noise is not a regression even
// past its limit.
func TestCompareSeedsGiveAPValue(t *testing.T) {
	base, nw := file([]float64{100, 120, 80, 110, 90}, 1), file([]float64{125, 85, 105, 95, 115}, 1)
	for _, d := range Compare(base, nw, mustThresholds(t, "latency.p99=+1%")) {
		if d.Metric.Name != "latency.p99" {
			continue
		}
		if d.N1 != 5 || d.N2 != 5 || math.IsNaN(d.P) || d.P < 0.05 || d.Significant() || d.Regressed {
			t.Errorf("p99 over 5 seeds a side, noise only: N %d/%d, P %v, significant %v, regressed %v; want 5/5, P ≥ 0.05, false, false",
				d.N1, d.N2, d.P, d.Significant(), d.Regressed)
		}
	}
}

// TestWriteComparisonCells: each cell of the comparison table.
func TestWriteComparisonCells(t *testing.T) {
	p99, selfv := lookupMetric(t, "latency.p99"), lookupMetric(t, "self_view_violations")
	limit := Threshold{p99, 10, Relative}
	ds := []Delta{
		{Strategy: "a", Metric: p99, Base: 100, New: 150, P: math.NaN()},
		{Strategy: "b", Metric: selfv, Base: 0, New: 3, P: math.NaN()},
		{Strategy: "c", Metric: p99, Base: 5, New: 5, P: math.NaN()},
		{Strategy: "d", Metric: p99, Base: 100, New: 101, P: 0.5},
		{Strategy: "e", Metric: p99, Base: 100, New: 90, P: 0.01},
		{Strategy: "f", Metric: p99, Base: -100, New: -50, P: math.NaN()},
		{Strategy: "g", Metric: p99, Base: 100, New: 120, P: math.NaN(), Limit: &limit, Regressed: true},
		{Strategy: "h", Metric: p99, Base: 100, New: 105, P: math.NaN(), Limit: &limit},
	}
	var b bytes.Buffer
	if err := WriteComparison(&b, ds); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
	want := []string{
		`^strategy\s+metric\s+base\s+new\s+delta\s+p\s+verdict$`,
		`^a\s+latency\.p99 \(ms\)\s+100\s+150\s+\+50\.00%\s+-$`,
		`^b\s+self_view_violations\s+0\s+3\s+\+3\s+-$`,
		`^c\s+latency\.p99 \(ms\)\s+5\.00\s+5\.00\s+0\s+-$`,
		`^d\s+latency\.p99 \(ms\)\s+100\s+101\s+~\s+0\.500$`,
		`^e\s+latency\.p99 \(ms\)\s+100\s+90\.0\s+-10\.00%\s+0\.010$`,
		`^f\s+latency\.p99 \(ms\)\s+-100\s+-50\.0\s+\+50\.00%\s+-$`,
		`^g\s+latency\.p99 \(ms\)\s+100\s+120\s+\+20\.00%\s+-\s+REGRESSION \(limit latency\.p99=\+10%\)$`,
		`^h\s+latency\.p99 \(ms\)\s+100\s+105\s+\+5\.00%\s+-\s+ok \(limit latency\.p99=\+10%\)$`,
	}
	if len(lines) != len(want) {
		t.Fatalf("WriteComparison wrote %d lines; want %d:\n%s", len(lines), len(want), b.String())
	}
	for i, w := range want {
		if !regexp.MustCompile(w).MatchString(strings.TrimRight(lines[i], " ")) {
			t.Errorf("line %d = %q; want it to match %s", i, lines[i], w)
		}
	}
}

// TestRegistryFigures: each registered metric reads the field it names,
// in its unit (per cent for fractions).
func TestRegistryFigures(t *testing.T) {
	m := &Metrics{
		Pages: map[string]*PageMetrics{"all": {
			LatencyMS: Summary{P50: 1.5, P99: 2.5, P999: 3.5}, Availability: 0.25, Completeness: 0.5,
			StaleFraction: 0.125, StalenessMS: Summary{P99: 7}, VersionsBehind: 0.75,
			ReadStalenessMS: Summary{Mean: 59, P999: 61},
		}, "gig": {LatencyMS: Summary{P99: 99}}},
		PropagationMS: Summary{P99: 11}, ConvergenceMS: 13, SelfViewViolations: 17,
		Owner:            OwnerMetrics{RPS: 19, PublicRPS: 23, EmptyFraction: 0.375, Rejected: 29},
		DuplicationBytes: map[string]int64{"gig": 31, "user": 37, "search": 41},
		Broker:           BrokerMetrics{Redelivered: 43, Lost: 47, MaxLag: 53},
	}
	want := map[string]float64{
		"latency.p50": 1.5, "latency.p99": 2.5, "latency.p999": 3.5, "availability": 25, "completeness": 50,
		"stale_fraction": 12.5, "staleness.p99": 7, "read_staleness.mean": 59, "read_staleness.p999": 61, "versions_behind": 0.75, "propagation.p99": 11, "convergence": 13,
		"self_view_violations": 17, "owner.rps": 19, "owner.public_rps": 23, "owner.empty_fraction": 37.5,
		"owner.rejected": 29, "duplication": 31 + 37 + 41, "broker.redelivered": 43, "broker.lost": 47, "broker.max_lag": 53,
	}
	if len(want) != len(Registry) {
		t.Errorf("the registry has %d metrics; this test knows %d", len(Registry), len(want))
	}
	for _, mt := range Registry {
		if got := mt.Get(m); got != want[mt.Name] {
			t.Errorf("%s = %v; want %v", mt.Name, got, want[mt.Name])
		}
	}
	// A strategy without views: those metrics do not apply; a file
	// without pages.all reads 0, not a panic.
	empty := &Metrics{}
	for _, mt := range Registry {
		if mt.Applies(empty) == mt.ViewsOnly {
			t.Errorf("%s applies to a strategy without views: %v; want %v", mt.Name, mt.Applies(empty), !mt.ViewsOnly)
		}
		if mt.Name != "duplication" && mt.Get(empty) != 0 {
			t.Errorf("%s of empty metrics = %v; want 0", mt.Name, mt.Get(empty))
		}
	}
	if !HasViews(&Metrics{Broker: BrokerMetrics{Delivered: 1}}) || HasViews(&Metrics{Broker: BrokerMetrics{Lost: 1}}) {
		t.Error("HasViews: want true for a broker that delivered, false for one that only lost")
	}
}

// TestWriteSweepCSVValues: a header of the parameters, "strategy",
// "seeds", "count" and every metric by its bare name; a row per cell and
// strategy with the metric's exact value, empty where it does not apply.
func TestWriteSweepCSVValues(t *testing.T) {
	cell := single(12.3456789, 0.5, false, "sync")
	views := single(7, 1, true, "async").Strategies["async"]
	views.PropagationMS.P99 = 250
	cell.Strategies["async"], cell.Order = views, append(cell.Order, "async", "absent")
	var b bytes.Buffer
	if err := WriteSweepCSV(&b, []string{"rate", "workers"}, []SweepRow{{Values: []string{"100/s", "4"}, File: cell}}); err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(&b)
	r.Comment = '#' // the units line
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 {
		t.Fatalf("%d records; want a header and a row for each of sync and async (absent has no metrics):\n%v", len(recs), recs)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	if len(recs[0]) != 5+len(Registry) || recs[0][0] != "rate" || recs[0][1] != "workers" || recs[0][2] != "strategy" {
		t.Errorf("header = %q; want rate, workers, strategy, seeds, count and the %d metrics", recs[0], len(Registry))
	}
	for _, tt := range []struct {
		row     int
		col     string
		want    string
		comment string
	}{
		{1, "strategy", "sync", ""},
		{1, "rate", "100/s", "the cell's values lead each row"},
		{1, "workers", "4", ""},
		{1, "latency.p99", "12.3456789", "exactly"},
		{1, "availability", "50", ""},
		{1, "propagation.p99", "", "sync keeps no views"},
		{1, "self_view_violations", "0", "bare names"},
		{2, "strategy", "async", ""},
		{2, "propagation.p99", "250", ""},
		{2, "latency.p99", "7", ""},
	} {
		i, ok := col[tt.col]
		if !ok {
			t.Errorf("no column %q in %q", tt.col, recs[0])
			continue
		}
		if got := recs[tt.row][i]; got != tt.want {
			t.Errorf("row %d, %s = %q; want %q %s", tt.row, tt.col, got, tt.want, tt.comment)
		}
	}
}

// TestBenchLineValues: a benchmark line carries the page's figures in
// nanoseconds and per cent, and the run's figures on the page=all line
// only; names are the scenario in CamelCase.
func TestBenchLineValues(t *testing.T) {
	m := &Metrics{
		Pages: map[string]*PageMetrics{
			"all":  {Count: 7, LatencyMS: Summary{P50: 1.5, P99: 2.5, P999: 3.5, Max: 9}, Availability: 0.5, Completeness: 0.25, StaleFraction: 0.125, StalenessMS: Summary{P99: 4}},
			"gig":  {Count: 3, LatencyMS: Summary{P99: 6}},
			"self": {Count: 0},
		},
		Owner:              OwnerMetrics{RPS: 19, PublicRPS: 23},
		SelfViewViolations: 2,
		DuplicationBytes:   map[string]int64{"gig": 100, "user": 11},
	}
	f := &File{Scenario: "my_odd.scenario name-x", Order: []string{"sync"}, Strategies: map[string]*Metrics{"sync": m}}
	var b bytes.Buffer
	if err := WriteBench(&b, f); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"BenchmarkMyOddScenarioNameX/strategy=sync/page=all 7 1.5e+06 p50-ns 2.5e+06 p99-ns 3.5e+06 p999-ns 50 availability-% 25 completeness-% 12.5 stale-% 4e+06 staleness-p99-ns 0 read-staleness-mean-ns 19 owner-req/s 23 owner-public-reads/s 2 self-view-violations 111 duplication-B\n",
		"BenchmarkMyOddScenarioNameX/strategy=sync/page=gig 3 0 p50-ns 6e+06 p99-ns 0 p999-ns 0 availability-% 0 completeness-% 0 stale-% 0 staleness-p99-ns 0 read-staleness-mean-ns\n",
		"Unit availability-% better=higher\n", "Unit p99-ns better=lower\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("WriteBench output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "page=self") || strings.Contains(out, "propagation-p99-ns 0") {
		t.Errorf("WriteBench wrote a line for a page kind with no renders, or a views figure for sync:\n%s", out)
	}
}
