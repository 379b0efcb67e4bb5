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
	return m
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
	tests := []struct {
		better Better
		unit   string
		xs     []float64 // one per strategy; NaN: strategy missing
		want   []string
	}{
		{Lower, "ms", []float64{3, 1, 2}, []string{"3.00", "1.00*", "2.00"}},
		{Higher, "%", []float64{0.3, 0.1, 0.2}, []string{"30.00*", "10.00", "20.00"}},
		{Lower, "", []float64{1, 1, 2}, []string{"1*", "1*", "2"}},                      // tied best: both
		{Higher, "", []float64{5, 5, 5}, []string{"5", "5", "5"}},                       // all tie: none
		{Lower, "ms", []float64{0, 0, 0}, []string{"0", "0", "0"}},                      // e.g. propagation of sync
		{Lower, "ms", []float64{1.0001, 1.0002, 2}, []string{"1.00*", "1.00*", "2.00"}}, // tie as shown
		{Higher, "%", []float64{0.5, math.NaN(), 0.4}, []string{"50.00*", "—", "40.00"}},
		{Lower, "", []float64{math.NaN(), 7, math.NaN()}, []string{"—", "7", "—"}},
	}
	for _, tt := range tests {
		scale := 1.0
		if tt.unit == "%" { // as the Registry does with fractions
			scale = 100
		}
		metric := Metric{Name: "x", Unit: tt.unit, Better: tt.better, Get: func(m *Metrics) float64 { return scale * m.ConvergenceMS }}
		strategies := map[string]*Metrics{}
		for i, x := range tt.xs {
			if !math.IsNaN(x) {
				strategies[order[i]] = &Metrics{ConvergenceMS: x}
			}
		}
		if got := tableRow(metric, order, strategies); !slices.Equal(got, tt.want) {
			t.Errorf("tableRow(%v, %v) = %q; want %q", tt.better, tt.xs, got, tt.want)
		}
	}
}

func TestTableRowCI(t *testing.T) {
	metric := Metric{Name: "x", Unit: "ms", Better: Lower, Get: func(m *Metrics) float64 { return m.ConvergenceMS }}
	strategies := map[string]*Metrics{
		"a": {ConvergenceMS: 12.34, CI95: map[string]float64{"x": 0.456}},
		"b": {ConvergenceMS: 20, CI95: map[string]float64{"x": 0}},
	}
	want := []string{"12.3* ±0.456", "20.0 ±0"}
	if got := tableRow(metric, []string{"a", "b"}, strategies); !slices.Equal(got, want) {
		t.Errorf("tableRow(with CI) = %q; want %q", got, want)
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
		{"ms", 12345.6, "12346"},
		{"ms", 0.0123456, "0.0123"},
		{"ms", 9.996, "10.0"},
		{"ms", 99.96, "100"},
		{"ms", 0.0099996, "0.0100"},
		{"req/s", 1966.7, "1967"},
		{"%", 97.12, "97.12"},
		{"%", 100, "100.00"},
		{"%", 0.004, "0.00"},
		{"", 212, "212"},
		{"", 0.0131, "0.0131"},
		{"B", 2436960, "2436960"},
	}
	for _, tt := range tests {
		if got := formatValue(tt.unit, tt.v); got != tt.want {
			t.Errorf("formatValue(%q, %v) = %q; want %q", tt.unit, tt.v, got, tt.want)
		}
	}
}
