package report

import (
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/sharebench/sharebench/results"
	"github.com/sharebench/sharebench/results/plot"
)

// sample is a real result: the built-in broker-partition scenario for 30 s
// with one seed, from `sharebench run -q -duration 30s -o DIR
// broker-partition`.
const sample = "testdata/broker-partition.json"

func readSample(tb testing.TB) *results.File {
	tb.Helper()
	f, err := results.ReadFile(sample)
	if err != nil {
		tb.Fatal(err)
	}
	return f
}

// TestWriteReport: both files appear, report.md carries the table, the
// verdicts and links to plots that exist, and report.html stands alone.
// Plots already in the directory (written by run) are left alone; only
// missing ones are drawn.
func TestWriteReport(t *testing.T) {
	f := readSample(t)
	dir := t.TempDir()
	kept := filepath.Join(dir, "cost.png")
	if err := os.WriteFile(kept, []byte("already here"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteReport(dir, f); err != nil {
		t.Fatalf("WriteReport = %v", err)
	}
	if b, _ := os.ReadFile(kept); string(b) != "already here" {
		t.Errorf("WriteReport rewrote cost.png; want it left alone")
	}
	for _, name := range plot.FileNames(f) {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("WriteReport did not write missing %s: %v", name, err)
		}
	}
	md, err := os.ReadFile(filepath.Join(dir, MarkdownFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"# sharebench report: broker-partition", "## Verdict", "**async**", "## Summary\n\n| metric | sync | async | hybrid |\n|---|--:|--:|--:|\n| latency.p50 (ms) |",
		"| duplication | **0 B** ★ | 65.1 MiB | 3.01 MiB |", "## Recovery", "```yaml\nname: broker-partition"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("report.md lacks %q:\n%s", want, md)
		}
	}
	links := regexp.MustCompile(`\]\(([^)]+)\)`).FindAllStringSubmatch(string(md), -1)
	if len(links) != 3*len(plot.Figures(f)) {
		t.Errorf("report.md links %d files; want a PNG, an SVG and a PDF per plot (%d)", len(links), 3*len(plot.Figures(f)))
	}
	for _, l := range links {
		if _, err := os.Stat(filepath.Join(dir, l[1])); err != nil {
			t.Errorf("report.md links %s: %v", l[1], err)
		}
	}

	page, err := os.ReadFile(filepath.Join(dir, HTMLFile))
	if err != nil {
		t.Fatal(err)
	}
	s := string(page)
	for _, bad := range []string{"<script", "http://", "https://", `src="latency`, "<link rel=\"stylesheet\""} {
		if strings.Contains(s, bad) {
			t.Errorf("report.html contains %q; want a self-contained page without scripts", bad)
		}
	}
	imgs := regexp.MustCompile(`<img src="data:image/png;base64,[A-Za-z0-9+/=]+" alt="[^"]+" width="\d+" height="\d+">`).FindAllString(s, -1)
	if len(imgs) != len(plot.Figures(f)) {
		t.Errorf("report.html embeds %d images; want %d", len(imgs), len(plot.Figures(f)))
	}
	for _, want := range []string{"partition broker&lt;-&gt;gig (drop)", "<h3>sync</h3>", "best of the row", `<table class="summary">`,
		`<tr><th title="duplicated data">duplication</th><td class="best" title="best of the row: its 95 % interval clears every other&#39;s">0 B ★</td><td>65.1 MiB</td><td>3.01 MiB</td></tr>`,
		`<td class="toofew" title="too few samples to compare: n = 70, needs 1000">10,551 ? <span class="ci">± 3,081</span> <span class="n">n=70</span></td>`,
		// sync has no stale section: its conditional staleness is absent
		// (nothing to count), and its read staleness, resting on no stale
		// section, cannot be compared (rule 1's rare events).
		"? too few samples to compare: async staleness.p99 (n = 70), hybrid staleness.p99 (n = 64), sync read_staleness.mean",
		// A figure resting on too few samples is set apart; one on enough is not.
		`<figure id="series-staleness" class="toofew">`, `<br>too few samples: async p99 staleness 10551 ± 3081 ms, n=70 (needs 1000)`,
		`<figure id="latency-all">`, `<br>async p99 11.2 ± 0.198 ms, n=57.4k`} {
		if !strings.Contains(s, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("WriteReport left %s behind", e.Name())
		}
	}
}

func TestWriteReportNoStrategies(t *testing.T) {
	dir := t.TempDir()
	if err := WriteReport(dir, &results.File{Schema: 1, Scenario: "empty"}); err != nil {
		t.Fatalf("WriteReport(no strategies) = %v; want a report that says little", err)
	}
	if err := WriteReport(dir, nil); err == nil {
		t.Errorf("WriteReport(nil) = nil; want an error")
	}
}

// metrics builds a strategy's Metrics with the public pages' figures the
// verdicts read.
func metrics(p99, completeness float64, rps float64, opts ...func(*results.Metrics)) *results.Metrics {
	m := &results.Metrics{
		Pages: map[string]*results.PageMetrics{"all": {
			Count: 1000, Availability: 1, Completeness: completeness,
			LatencyMS: results.Summary{P50: p99 / 4, P99: p99, P999: p99 * 2},
		}},
		Owner: results.OwnerMetrics{RPS: rps},
	}
	for _, o := range opts {
		o(m)
	}
	// Every figure a run can give an interval rests on many samples, its
	// interval 1 % of its value, unless an option said otherwise.
	if m.Stats == nil {
		m.Stats = map[string]results.Stat{}
	}
	if m.CI95 == nil {
		m.CI95 = map[string]float64{}
	}
	for _, mt := range results.Registry {
		if mt.Within != results.Batched {
			continue
		}
		if _, ok := m.Stats[mt.Name]; !ok {
			m.Stats[mt.Name] = results.Stat{N: 100_000, Method: results.MethodBatchMeans, Batches: 20}
		}
		if _, ok := m.CI95[mt.Name]; !ok {
			m.CI95[mt.Name] = math.Abs(mt.Get(m)) / 100
		}
	}
	return m
}

// sparse gives a metric n samples.
func sparse(metric string, n int64) func(*results.Metrics) {
	return func(m *results.Metrics) {
		if m.Stats == nil {
			m.Stats = map[string]results.Stat{}
		}
		m.Stats[metric] = results.Stat{N: n, Method: results.MethodBatchMeans, Batches: 2}
	}
}

func ci(metric string, half float64) func(*results.Metrics) {
	return func(m *results.Metrics) {
		if m.CI95 == nil {
			m.CI95 = map[string]float64{}
		}
		m.CI95[metric] = half
	}
}

func TestVerdicts(t *testing.T) {
	views := func(m *results.Metrics) { m.Broker.Published, m.Broker.Delivered = 100, 300 }
	for _, tc := range []struct {
		name       string
		f          *results.File
		strategy   string
		wantWins   []string // substrings, in order
		wantLosses []string
		notWins    []string // substrings no win may contain
		notLosses  []string // substrings no loss may contain
	}{
		{
			name: "latency winner by ratio",
			f: &results.File{Order: []string{"sync", "async", "hybrid"}, Strategies: map[string]*results.Metrics{
				"sync": metrics(26.7, 1, 2104), "async": metrics(11.3, 1, 125, views), "hybrid": metrics(16.5, 1, 700, views),
			}},
			strategy: "async",
			wantWins: []string{
				"lowest p99 latency: 11.3 ± 0.113 ms, 1.46× better than hybrid (16.5 ± 0.165 ms)",
				"lowest owner load: 125 ± 1.25 req/s, 5.60× better than hybrid (700 ± 7.00 req/s)",
			},
			notWins: []string{"availability", "completeness"}, // everyone at 100 %: no winner
		},
		{
			name: "percentages compare by points, losses with the worst second",
			f: &results.File{WarmupS: 5, Order: []string{"sync", "async"},
				Faults: []results.FaultWindow{{AtS: 20, ForS: 10, Kind: "outage", Label: "outage topclients (refuse)"}},
				Strategies: map[string]*results.Metrics{
					"sync": metrics(26.7, 0.8341, 2104, func(m *results.Metrics) {
						m.Series = []results.Second{{T: 2, Pages: 10, Completeness: 0}, {T: 20, Pages: 10, Completeness: 0.5}, {T: 21, Pages: 10, Completeness: 0}}
					}),
					"async": metrics(11.3, 1, 125, views),
				}},
			strategy: "sync",
			wantLosses: []string{
				"completeness 83.41 % overall, down to 0.00 % in the second starting at 21 s (during outage topclients (refuse))",
			},
		},
		{
			name: "higher is better, in points",
			f: &results.File{Order: []string{"sync", "async"}, Strategies: map[string]*results.Metrics{
				"sync": metrics(26.7, 0.8341, 2104), "async": metrics(11.3, 1, 125, views),
			}},
			strategy: "async",
			wantWins: []string{"highest completeness: 100.00 ± 1.00 %, 16.59 points above sync (83.41 ± 0.83 %)"},
		},
		{
			name: "a win from zero has no ratio",
			f: &results.File{Order: []string{"sync", "async"}, Strategies: map[string]*results.Metrics{
				"sync":  metrics(26.7, 1, 2104),
				"async": metrics(11.3, 1, 125, views, func(m *results.Metrics) { m.DuplicationBytes = map[string]int64{"gig": 22_765_588} }),
			}},
			strategy: "sync",
			wantWins: []string{"lowest duplicated data: 0 B, against 21.7 MiB for async"},
		},
		{
			name: "a lead inside the intervals is no win",
			f: &results.File{Order: []string{"a", "b"}, Strategies: map[string]*results.Metrics{
				"a": metrics(10.0, 1, 100), "b": metrics(10.1, 1, 300),
			}},
			strategy: "a",
			wantWins: []string{"lowest owner load"},
			notWins:  []string{"latency"},
		},
		{
			name: "with seeds, overlapping confidence intervals are no win",
			f: &results.File{Order: []string{"a", "b"}, Strategies: map[string]*results.Metrics{
				"a": metrics(10, 1, 100, ci("latency.p99", 2), ci("owner.rps", 1)),
				"b": metrics(13, 1, 300, ci("latency.p99", 2), ci("owner.rps", 1)),
			}},
			strategy: "a",
			wantWins: []string{"lowest owner load: 100 ± 1.00 req/s, 3.00× better than b (300 ± 1.00 req/s)"},
			notWins:  []string{"p99 latency"},
		},
		{
			// Owner-outage's "sync lowest p99 staleness, 1.93× better",
			// from one stale section against two.
			name: "too few samples never win",
			f: &results.File{Order: []string{"sync", "async"}, Strategies: map[string]*results.Metrics{
				"sync":  metrics(26.7, 1, 2104, func(m *results.Metrics) { m.Pages["all"].StalenessMS.P99 = 50 }, sparse("staleness.p99", 1), ci("staleness.p99", 1)),
				"async": metrics(11.3, 1, 125, views, func(m *results.Metrics) { m.Pages["all"].StalenessMS.P99 = 96.5 }, sparse("staleness.p99", 2), ci("staleness.p99", 1)),
			}},
			strategy: "sync",
			notWins:  []string{"staleness"},
		},
		{
			// Broker-partition's "0.01 points below hybrid" beside a
			// table showing 0.00 % for both.
			name: "a lead the table cannot show is no win",
			f: &results.File{Order: []string{"async", "hybrid"}, Strategies: map[string]*results.Metrics{
				"async":  metrics(11.3, 1, 125, views, func(m *results.Metrics) { m.Pages["all"].StaleFraction = 0.00001 }, ci("stale_fraction", 0.0001)),
				"hybrid": metrics(16.5, 1, 700, views, func(m *results.Metrics) { m.Pages["all"].StaleFraction = 0.00004 }, ci("stale_fraction", 0.0001)),
			}},
			strategy: "async",
			wantWins: []string{"lowest p99 latency"},
			notWins:  []string{"stale fraction"},
		},
		{
			name: "view metrics rank only strategies with views",
			f: &results.File{Order: []string{"sync", "async", "hybrid"}, Strategies: map[string]*results.Metrics{
				"sync":   metrics(26.7, 1, 2104),
				"async":  metrics(11.3, 1, 125, views, func(m *results.Metrics) { m.PropagationMS.P99 = 35.5; m.NeverConverged = true }),
				"hybrid": metrics(16.5, 1, 700, views, func(m *results.Metrics) { m.PropagationMS.P99 = 20; m.ConvergenceMS = 900 }),
			}},
			strategy:   "async",
			notWins:    []string{"propagation", "convergence"},
			wantLosses: []string{"views never converged"},
		},
		{
			// Convergence is timed from the last heal; a fault still on
			// when the run ends leaves nothing to time.
			name: "no convergence loss while a fault outlasts the run",
			f: &results.File{Order: []string{"async"}, WarmupS: 5, DurationS: 20,
				Faults: []results.FaultWindow{{AtS: 20, ForS: 10, Kind: "outage", Label: "outage topclients (refuse)"}},
				Strategies: map[string]*results.Metrics{
					"async": metrics(11.3, 1, 125, views, func(m *results.Metrics) { m.NeverConverged = true }),
				}},
			strategy:  "async",
			notLosses: []string{"never converged"},
		},
		{
			name: "the invariants' losses",
			f: &results.File{Order: []string{"async-dualwrite"}, Strategies: map[string]*results.Metrics{
				"async-dualwrite": metrics(11, 1, 100, views, func(m *results.Metrics) {
					m.Pages["all"].Availability = 0.992
					m.SelfViewViolations = 3
					m.Broker.Lost = 1
					m.Owner.Rejected = 12
				}),
			}},
			strategy: "async-dualwrite",
			wantLosses: []string{
				"availability 99.20 %: 0.80 % of public pages not rendered",
				"3 self-view violations",
				"1 broker record lost",
				"owner rejected 12 calls",
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vs := Verdicts(tc.f)
			i := slices.IndexFunc(vs, func(v Verdict) bool { return v.Strategy == tc.strategy })
			if i < 0 {
				t.Fatalf("Verdicts(%s) = %+v; want one for %s", tc.name, vs, tc.strategy)
			}
			v := vs[i]
			containsInOrder(t, "Wins", v.Wins, tc.wantWins)
			containsInOrder(t, "Losses", v.Losses, tc.wantLosses)
			for _, no := range tc.notWins {
				for _, w := range v.Wins {
					if strings.Contains(w, no) {
						t.Errorf("Verdicts(%s)[%s].Wins has %q; want no win on %s", tc.name, tc.strategy, w, no)
					}
				}
			}
			for _, no := range tc.notLosses {
				for _, l := range v.Losses {
					if strings.Contains(l, no) {
						t.Errorf("Verdicts(%s)[%s].Losses has %q; want none on %s", tc.name, tc.strategy, l, no)
					}
				}
			}
		})
	}
}

// containsInOrder checks that each want is a substring of some got, in
// order.
func containsInOrder(t *testing.T, field string, got, want []string) {
	t.Helper()
	j := 0
	for _, g := range got {
		if j < len(want) && strings.Contains(g, want[j]) {
			j++
		}
	}
	if j < len(want) {
		t.Errorf("%s = %q; want entries containing %q, in order", field, got, want)
	}
}

func TestVerdictsOrder(t *testing.T) {
	f := &results.File{Order: []string{"hybrid", "sync", "missing"}, Strategies: map[string]*results.Metrics{
		"sync": metrics(1, 1, 1), "hybrid": metrics(2, 1, 2), "async": metrics(3, 1, 3), "nil": nil,
	}}
	var got []string
	for _, v := range Verdicts(f) {
		got = append(got, v.Strategy)
	}
	if want := []string{"hybrid", "sync", "async"}; !slices.Equal(got, want) {
		t.Errorf("Verdicts strategies = %q; want %q (order first, then the rest by name)", got, want)
	}
}

func TestFormatValue(t *testing.T) {
	for _, tc := range []struct {
		unit string
		v    float64
		want string
	}{
		{"ms", 11.327, "11.3 ms"},
		{"%", 83.4074, "83.41 %"},
		{"B", 22765588, "21.7 MiB"},
		{"B", 3156189, "3.01 MiB"},
		{"B", 2048, "2.00 KiB"},
		{"B", 0, "0 B"},
		{"", 3, "3"},
		{"", 0.00000436, "4.36 × 10⁻⁶"},
		{"", 0.000278, "2.78 × 10⁻⁴"},
		{"", 0.0099996, "0.0100"},
		{"", 81073, "81,073"},
		{"ms", 10551.4, "10,551 ms"},
		{"req/s", 2103.87, "2,104 req/s"},
	} {
		if got := formatValue(tc.unit, tc.v); got != tc.want {
			t.Errorf("formatValue(%q, %v) = %s; want %s", tc.unit, tc.v, got, tc.want)
		}
	}
}

// TestVerdictsAgreeWithTable: on the sample and on the plot package's
// owner-outage sample, a verdict claims a win on a metric exactly where the
// summary table stars that strategy's figure: one rule, one rounding.
func TestVerdictsAgreeWithTable(t *testing.T) {
	oo, err := results.ReadFile("../plot/testdata/owner-outage.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []*results.File{readSample(t), oo} {
		s := newSummary(f)
		vs := Verdicts(f)
		for _, row := range s.Rows {
			for i, name := range s.Strategies {
				claimed := false
				for _, w := range vs[i].Wins {
					if strings.HasPrefix(w, "lowest "+row.Name+":") || strings.HasPrefix(w, "highest "+row.Name+":") {
						claimed = true
					}
				}
				if claimed != row.Cells[i].Best {
					t.Errorf("%s: %s %s: verdict claims a win %v, table stars %v (%+v); want the same", f.Scenario, name, row.Metric, claimed, row.Cells[i].Best, row.Cells[i])
				}
				if row.Cells[i].Best && row.Cells[i].TooFew {
					t.Errorf("%s: %s %s starred with too few samples", f.Scenario, name, row.Metric)
				}
			}
		}
	}
}
