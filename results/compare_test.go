package results

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/perf/benchfmt"
)

func TestParseThresholds(t *testing.T) {
	ts, err := ParseThresholds("latency.p99=+10%, staleness.p99=20%,availability=-0.1pp,owner.rejected=5")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"latency.p99=+10%", "staleness.p99=+20%", "availability=-0.1pp", "owner.rejected=+5"}
	for i, w := range want {
		if ts[i].String() != w {
			t.Errorf("threshold %d = %s; want %s", i, ts[i], w)
		}
	}
	for _, bad := range []struct{ in, want string }{
		{"latency.p98=+10%", `unknown metric "latency.p98"`},
		{"latency.p99=-10%", "gets worse as it goes up; write +10%"},
		{"availability=+1pp", "gets worse as it goes down; write -1pp"},
		{"latency.p99=+1pp", "pp (percentage points) is for % metrics"},
		{"latency.p99", "write metric=+10%"},
		{"latency.p99=+lots%", "not an amount"},
	} {
		if _, err := ParseThresholds(bad.in); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("ParseThresholds(%q) = %v; want an error mentioning %q", bad.in, err, bad.want)
		}
	}
}

// file makes a result with one strategy whose replicas have the given p99
// latencies and availabilities.
func file(p99s []float64, avail float64) *File {
	var reps []*Metrics
	for _, p := range p99s {
		reps = append(reps, &Metrics{Pages: map[string]*PageMetrics{"all": {Count: 100, Availability: avail, LatencyMS: Summary{P99: p}}}})
	}
	m := Aggregate(reps)
	return &File{Schema: Schema, Scenario: "s", Order: []string{"sync"}, Strategies: map[string]*Metrics{"sync": m}}
}

func regressed(t *testing.T, base, new *File, limits string) []string {
	t.Helper()
	ts, err := ParseThresholds(limits)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range Compare(base, new, ts) {
		if d.Regressed {
			out = append(out, d.Metric.Name)
		}
	}
	return out
}

func TestCompare(t *testing.T) {
	noisy := []float64{100, 104, 97, 101, 99, 103, 96, 102, 98, 100}
	shifted := make([]float64, len(noisy))
	doubled := make([]float64, len(noisy))
	for i, x := range noisy {
		shifted[i] = x * 1.01
		doubled[i] = x * 2
	}
	tests := []struct {
		name      string
		base, new *File
		limits    string
		want      []string
	}{
		{"identical single runs", file([]float64{100}, 1), file([]float64{100}, 1), "latency.p99=+1%", nil},
		{"single runs beyond the limit", file([]float64{100}, 1), file([]float64{120}, 1), "latency.p99=+10%", []string{"latency.p99"}},
		{"single runs within the limit", file([]float64{100}, 1), file([]float64{105}, 1), "latency.p99=+10%", nil},
		{"better is never a regression", file([]float64{100}, 1), file([]float64{50}, 1), "latency.p99=+0%", nil},
		{"availability drop in points", file([]float64{100}, 1), file([]float64{100}, 0.995), "availability=-0.1pp", []string{"availability"}},
		{"1% shift inside the noise, 10 seeds a side", file(noisy, 1), file(shifted, 1), "latency.p99=+0.5%", nil},
		{"doubling, 10 seeds a side", file(noisy, 1), file(doubled, 1), "latency.p99=+10%", []string{"latency.p99"}},
	}
	for _, tt := range tests {
		got := regressed(t, tt.base, tt.new, tt.limits)
		if strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("%s: regressions = %v; want %v", tt.name, got, tt.want)
		}
	}
	var b bytes.Buffer
	if err := WriteComparison(&b, Compare(file([]float64{100}, 1), file([]float64{120}, 1), mustThresholds(t, "latency.p99=+10%"))); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "REGRESSION (limit latency.p99=+10%)") || !strings.Contains(b.String(), "+20.00%") {
		t.Errorf("WriteComparison output lacks the regression:\n%s", b.String())
	}
}

func mustThresholds(t *testing.T, s string) []Threshold {
	ts, err := ParseThresholds(s)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

// TestBenchFormatReadsInBenchfmt: benchstat's own parser reads every line.
func TestBenchFormatReadsInBenchfmt(t *testing.T) {
	f := file([]float64{100, 110, 90}, 0.99)
	f.Scenario = "owner-outage"
	var b bytes.Buffer
	if err := WriteBench(&b, f); err != nil {
		t.Fatal(err)
	}
	r := benchfmt.NewReader(&b, "bench.txt")
	results, units := 0, map[string]string{}
	for r.Scan() {
		switch rec := r.Result().(type) {
		case *benchfmt.Result:
			results++
			if name := string(rec.Name.Full()); !strings.HasPrefix(name, "OwnerOutage/strategy=sync/page=all") {
				t.Errorf("result name %q; want OwnerOutage/strategy=sync/page=all", name)
			}
			// benchfmt tidies -ns units into -sec.
			if v, ok := rec.Value("p99-sec"); !ok || v < 0.09 || v > 0.111 {
				t.Errorf("p99-sec = %v, %v; want the p99, 90–110ms", v, ok)
			}
		case *benchfmt.UnitMetadata:
			units[rec.Unit] = rec.Value
		case *benchfmt.SyntaxError:
			t.Errorf("benchfmt: %v", rec)
		}
	}
	if results != 3 {
		t.Errorf("benchfmt read %d results; want 3, one per seed", results)
	}
	if units["p99-sec"] != "lower" || units["availability-%"] != "higher" {
		t.Errorf("unit metadata = %v; want p99 lower, availability-%% higher", units)
	}
}
