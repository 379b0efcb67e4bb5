package results

import (
	"bytes"
	"flag"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test -update rewrites it):\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

// strategyMetrics is a plausible replica of each strategy, seed varying the
// numbers a little.
func strategyMetrics(t *testing.T, strategy string, seed int) *Metrics {
	t.Helper()
	j := float64(seed) // jitter
	base := map[string]int{"sync": 2400, "async": 600, "hybrid": 1500}[strategy]
	var lat []int64
	for i := range 200 {
		lat = append(lat, int64(base+i*i/4*base/1000+seed*37))
	}
	m := sampleMetrics(t, 1, lat)
	all := m.Pages["all"]
	switch strategy {
	case "sync":
		all.Availability, all.Completeness = 0.9712+j/1000, 0.9503+j/1000
		all.StaleFraction, all.StalenessMS, all.VersionsBehind = 0, Summary{}, 0
		m.PropagationMS, m.ConvergenceMS = Summary{}, 0
		m.Owner = OwnerMetrics{Requests: 118_000 + int64(seed)*150, RPS: 1966.7 + 2.5*j, EmptyFraction: 0.8, Rejected: 212 + int64(seed)}
		m.DuplicationBytes = map[string]int64{}
		m.Broker = BrokerMetrics{}
		delete(m.HDR, "staleness.all")
		delete(m.HDR, "propagation")
	case "async":
		all.Availability, all.Completeness = 1, 1
		all.StaleFraction, all.VersionsBehind = 0.0123+j/10000, 0.0131
		m.ConvergenceMS = 5012 + 10*j
		m.Owner = OwnerMetrics{}
		m.DuplicationBytes = map[string]int64{"gig": 812_345, "search": 812_345, "user": 812_345}
		m.Broker = BrokerMetrics{Published: 1200, Delivered: 3600, Redelivered: 3 * int64(seed), MaxLag: 40 + int64(seed)}
	case "hybrid":
		all.Availability, all.Completeness = 0.9987, 0.9801-j/1000
		all.StaleFraction, all.VersionsBehind = 0.0021, 0.0022
		m.ConvergenceMS = 4811 - 10*j
		m.Owner = OwnerMetrics{Requests: 23_600 + 20*int64(seed), RPS: 393.3 + j, EmptyFraction: 0, Rejected: 0}
		m.DuplicationBytes = map[string]int64{"gig": 96_000, "search": 96_000, "user": 96_000}
		m.Broker = BrokerMetrics{Published: 1200, Delivered: 3600, Redelivered: 3 * int64(seed), MaxLag: 40 + int64(seed)}
	}
	withStats(m, strategy)
	return m
}

// withStats gives m the counts and within-run intervals a run records: 2 %
// of each value as the half-width, over 20 batches, and sample counts that
// leave sync's conditional staleness on one stale section and async's on
// 900 (too few for a p99), hybrid's on 5,000.
func withStats(m *Metrics, strategy string) {
	m.Stats, m.CI95 = map[string]Stat{}, map[string]float64{}
	stale := map[string]int64{"sync": 1, "async": 900, "hybrid": 5000}[strategy]
	for _, mt := range Registry {
		switch mt.Within {
		case Exact:
			m.Stats[mt.Name], m.CI95[mt.Name] = Stat{N: 1, Method: MethodExact}, 0
		case Unbatched:
			m.Stats[mt.Name] = Stat{N: 1, Method: MethodNone}
		default:
			n := int64(200_000)
			if mt.Name == "staleness.p99" {
				n = stale
			}
			m.Stats[mt.Name] = Stat{N: n, Method: MethodBatchMeans, Batches: 20}
			m.CI95[mt.Name] = 0.02 * math.Abs(mt.Get(m))
		}
	}
}

func fixtureFile(t *testing.T, seeds int) *File {
	t.Helper()
	f := &File{
		Schema:       Schema,
		Scenario:     "topclients-baseline",
		ScenarioYAML: "name: topclients-baseline\nfaults:\n  - {at: 50s, kind: latency, link: gig->topclients}\n",
		DurationS:    60,
		WarmupS:      5,
		Order:        []string{"sync", "async", "hybrid"},
		Strategies:   map[string]*Metrics{},
		Faults:       []FaultWindow{{AtS: 20, ForS: 10, Kind: "outage", Label: "outage topclients (refuse)"}},
		Wall:         Wall{Started: "2026-11-26T01:53:05Z", ElapsedS: 3.25, Parallel: 2, PagesPerSecond: 41000, GoVersion: "go1.26.8", MaxRSSBytes: 1 << 27},
	}
	for seed := range seeds {
		f.Seeds = append(f.Seeds, uint64(42+seed))
	}
	for _, s := range f.Order {
		var rs []*Metrics
		for seed := range seeds {
			rs = append(rs, strategyMetrics(t, s, seed))
		}
		f.Strategies[s] = Aggregate(rs)
	}
	return f
}

func TestWriteTableGolden(t *testing.T) {
	tests := []struct {
		file  string
		seeds int
	}{
		{"table_one_seed.golden", 1},
		{"table_three_seeds.golden", 3},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		if err := WriteTable(&buf, fixtureFile(t, tt.seeds)); err != nil {
			t.Fatalf("WriteTable(%d seeds) = %v; want nil", tt.seeds, err)
		}
		golden(t, tt.file, buf.Bytes())
	}
}

func TestTableRowMarksBest(t *testing.T) {
	order := []string{"a", "b", "c"}
	type fig struct {
		x, ci float64
		n     int64 // 0: no counts (a schema-1 file); -1: strategy missing
	}
	tests := []struct {
		name   string
		better Better
		unit   string
		figs   []fig
		want   []string
	}{
		{"clear win", Lower, "ms", []fig{{3, 0.1, 100}, {1, 0.1, 100}, {2, 0.1, 100}},
			[]string{"3.00 ±0.100 n=100", "1.00* ±0.100 n=100", "2.00 ±0.100 n=100"}},
		{"higher is better", Higher, "%", []fig{{0.3, 0.01, 50}, {0.1, 0.01, 50}, {0.2, 0.01, 50}},
			[]string{"30.00* ±1.00 n=50", "10.00 ±1.00 n=50", "20.00 ±1.00 n=50"}},
		{"intervals overlap the runner-up", Lower, "ms", []fig{{1, 0.6, 100}, {2, 0.5, 100}, {9, 0.1, 100}},
			[]string{"1.00 ±0.600 n=100", "2.00 ±0.500 n=100", "9.00 ±0.100 n=100"}},
		{"overlap with a worse but wide one", Lower, "ms", []fig{{1, 0.1, 100}, {2, 0.1, 100}, {9, 8, 100}},
			[]string{"1.00 ±0.100 n=100", "2.00 ±0.100 n=100", "9.00 ±8.00 n=100"}},
		{"tied best", Lower, "ms", []fig{{1, 0, 100}, {1, 0, 100}, {2, 0, 100}},
			[]string{"1.00* ±0 n=100", "1.00* ±0 n=100", "2.00 ±0 n=100"}},
		{"all tie", Lower, "ms", []fig{{0, 0, 100}, {0, 0, 100}, {0, 0, 100}},
			[]string{"0 ±0 n=100", "0 ±0 n=100", "0 ±0 n=100"}},
		{"tied best, one too few", Lower, "ms", []fig{{1, 0, 100}, {1, 0, 10}, {2, 0, 100}},
			[]string{"1.00 ±0 n=100", "1.00? ±0 n=10", "2.00 ±0 n=100"}},
		{"best has too few samples", Lower, "ms", []fig{{1, 0.1, 29}, {5, 0.1, 100}, {9, 0.1, 100}},
			[]string{"1.00? ±0.100 n=29", "5.00 ±0.100 n=100", "9.00 ±0.100 n=100"}},
		{"runner-up has too few samples", Lower, "ms", []fig{{1, 0.1, 100}, {5, 0.1, 3}, {9, 0.1, 100}},
			[]string{"1.00 ±0.100 n=100", "5.00? ±0.100 n=3", "9.00 ±0.100 n=100"}},
		{"no counts: a schema-1 file", Lower, "ms", []fig{{1, 0.1, 0}, {5, 0.1, 0}, {9, 0.1, 0}},
			[]string{"1.00? ±0.100", "5.00? ±0.100", "9.00? ±0.100"}},
		{"missing strategies", Higher, "%", []fig{{0.5, 0.01, 40}, {0, 0, -1}, {0.4, 0.01, 40}},
			[]string{"50.00* ±1.00 n=40", "—", "40.00 ±1.00 n=40"}},
		{"alone", Lower, "", []fig{{0, 0, -1}, {7, 1, 40}, {0, 0, -1}},
			[]string{"—", "7 ±1 n=40", "—"}},
	}
	for _, tt := range tests {
		scale := 1.0
		if tt.unit == "%" { // as the Registry does with fractions
			scale = 100
		}
		metric := Metric{Name: "x", Unit: tt.unit, Better: tt.better, Get: func(m *Metrics) float64 { return scale * m.ConvergenceMS }}
		strategies := map[string]*Metrics{}
		for i, f := range tt.figs {
			if f.n < 0 {
				continue
			}
			m := &Metrics{ConvergenceMS: f.x, CI95: map[string]float64{"x": scale * f.ci}}
			if f.n > 0 {
				m.Stats = map[string]Stat{"x": {N: f.n, Method: MethodBatchMeans, Batches: 20}}
			}
			strategies[order[i]] = m
		}
		if got := tableRow(metric, order, strategies); !slices.Equal(got, tt.want) {
			t.Errorf("%s: tableRow(%v, %v) = %q; want %q", tt.name, tt.better, tt.figs, got, tt.want)
		}
	}
}

func TestCount(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{{0, "0"}, {999, "999"}, {1000, "1.00k"}, {41_234, "41.2k"}, {4_560_000, "4.56M"}}
	for _, tt := range tests {
		if got := Count(tt.n); got != tt.want {
			t.Errorf("Count(%d) = %q; want %q", tt.n, got, tt.want)
		}
	}
}

func TestFormatValue(t *testing.T) {
	tests := []struct {
		unit string
		v    float64
		want string
	}{
		{"ms", 0, "0"},
		{"ms", math.Copysign(0, -1), "0"},
		{"ms", 1.23456, "1.23"},
		{"ms", 12.3456, "12.3"},
		{"ms", 123.456, "123"},
		{"ms", 12345.6, "12,346"},
		{"ms", 0.0123456, "0.0123"},
		{"ms", 9.996, "10.0"},
		{"ms", 99.96, "100"},
		{"ms", 0.0099996, "0.0100"},
		{"req/s", 1966.7, "1,967"},
		{"%", 97.12, "97.12"},
		{"%", 100, "100.00"},
		{"%", 0.004, "0.00"},
		{"", 212, "212"},
		{"", 0.0131, "0.0131"},
		{"B", 2436960, "2.32 MiB"},
		{"B", 512, "512 B"},
		{"", 5.06e-6, "5.06 × 10⁻⁶"},
		{"", 1234567, "1,234,567"},
	}
	for _, tt := range tests {
		if got := Human(tt.unit, tt.v); got != tt.want {
			t.Errorf("Human(%q, %v) = %q; want %q", tt.unit, tt.v, got, tt.want)
		}
	}
}
