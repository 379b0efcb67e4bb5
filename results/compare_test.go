package results

import (
	"bytes"
	"math"
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

// batched is a single run whose p99 latency has a within-run interval of
// ±ci from 20 batches, on n renders.
func batched(p99, ci float64, n int64) *File {
	m := &Metrics{Pages: map[string]*PageMetrics{"all": {Count: n, Availability: 1, LatencyMS: Summary{P99: p99}}}}
	withStats(m, "sync")
	m.CI95["latency.p99"] = ci
	st := m.Stats["latency.p99"]
	st.N = n
	m.Stats["latency.p99"] = st
	return &File{Schema: Schema, Scenario: "s", Order: []string{"sync"}, Strategies: map[string]*Metrics{"sync": m}}
}

func TestCompareWithinRun(t *testing.T) {
	tests := []struct {
		name      string
		base, new *File
		want      []string
	}{
		{"apart", batched(25, 1, 50_000), batched(34, 2, 50_000), []string{"latency.p99"}},
		// 12 % worse but the intervals say it may be noise: no regression.
		{"within the noise", batched(25, 3, 50_000), batched(28, 3, 50_000), nil},
		// A p99 on 500 renders is not judged, however far it moved.
		{"too few samples", batched(25, 1, 500), batched(50, 1, 500), nil},
	}
	for _, tt := range tests {
		if got := regressed(t, tt.base, tt.new, "latency.p99=+10%"); strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("%s: regressions = %v; want %v", tt.name, got, tt.want)
		}
	}
	ds, warnings := CompareWith(batched(25, 1, 500), batched(50, 1, 500), CompareOptions{Limits: mustThresholds(t, "latency.p99=+10%")})
	if len(warnings) != 1 || !strings.Contains(warnings[0], "too few samples") {
		t.Errorf("CompareWith(p99 on 500 renders) warnings = %q; want one about too few samples", warnings)
	}
	for _, d := range ds {
		if d.Metric.Name == "latency.p99" && (!d.TooFew || d.Test != TestWelch) {
			t.Errorf("delta latency.p99 = %+v; want TooFew and the Welch test", d)
		}
	}
}

func TestWelchMatchesKnownValues(t *testing.T) {
	// Two figures 10 apart with standard errors 3 and 4 (difference's SE
	// 5): t = 2; with infinite degrees of freedom p = 0.0455.
	p, ok := welch(estimate{x: 0, se: 3, df: 1e9, ok: true}, estimate{x: 10, se: 4, df: 1e9, ok: true})
	if !ok || math.Abs(p-0.0455) > 0.0005 {
		t.Errorf("welch(t=2, df=∞) = %v, %v; want 0.0455", p, ok)
	}
	// Equal SEs and df 9 a side: Welch's df is 18; t(18) = 2.101 at p 0.05.
	p, _ = welch(estimate{x: 0, se: 1, df: 9, ok: true}, estimate{x: 2.101 * math.Sqrt2, se: 1, df: 9, ok: true})
	if math.Abs(p-0.05) > 0.001 {
		t.Errorf("welch(t=2.101, df=18) = %v; want 0.050", p)
	}
	if p, _ := welch(estimate{x: 3, ok: true, df: math.Inf(1)}, estimate{x: 3, ok: true, df: math.Inf(1)}); p != 1 {
		t.Errorf("welch(exact, equal) = %v; want 1", p)
	}
	if _, ok := welch(estimate{}, estimate{x: 3, ok: true}); ok {
		t.Errorf("welch(no estimate, …) ok; want no test")
	}
}

func TestMinUP(t *testing.T) {
	tests := []struct {
		n1, n2 int
		want   float64
	}{{3, 3, 0.1}, {5, 5, 2.0 / 252}, {1, 1, 1}, {10, 10, 2.0 / 184756}}
	for _, tt := range tests {
		if got := minUP(tt.n1, tt.n2); math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("minUP(%d, %d) = %v; want %v", tt.n1, tt.n2, got, tt.want)
		}
	}
}

func TestCheckInputs(t *testing.T) {
	two := func() *File {
		f := batched(25, 1, 50_000)
		f.Order = []string{"sync", "async"}
		f.Strategies["async"] = batched(10, 1, 50_000).Strategies["sync"]
		return f
	}
	lacking := two()
	delete(lacking.Strategies, "async")
	lacking.Order = []string{"sync"}
	noMetric := two()
	delete(noMetric.Strategies["async"].Stats, "latency.p50")
	empty := &File{Schema: Schema, Strategies: map[string]*Metrics{}}
	otherGo := two()
	otherGo.Version = BuildVersion{Module: "v1.2.0", Go: "go1.99"}
	base := two()
	base.Version = BuildVersion{Module: "v1.2.0", Go: "go1.26"}
	tests := []struct {
		name     string
		new      *File
		allow    bool
		wantErr  string
		wantNote string
	}{
		{"same", two(), false, "", ""},
		{"strategy missing", lacking, false, "lacks strategy async", ""},
		{"strategy missing, allowed", lacking, true, "", "lacks strategy async"},
		{"metric missing", noMetric, false, "metric latency.p50 of async", ""},
		{"empty", empty, true, "no strategies", ""},
		{"other Go", otherGo, false, "", "Go go1.26 against go1.99"},
	}
	for _, tt := range tests {
		b := two()
		if tt.name == "other Go" {
			b = base
		}
		notes, err := CheckInputs(b, tt.new, tt.allow)
		switch {
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("%s: CheckInputs = %v; want an error mentioning %q", tt.name, err, tt.wantErr)
		case tt.wantErr == "" && err != nil:
			t.Errorf("%s: CheckInputs = %v; want nil", tt.name, err)
		case tt.wantNote != "" && !strings.Contains(strings.Join(notes, "\n"), tt.wantNote):
			t.Errorf("%s: CheckInputs notes = %q; want one mentioning %q", tt.name, notes, tt.wantNote)
		case tt.wantNote == "" && tt.wantErr == "" && len(notes) != 0:
			t.Errorf("%s: CheckInputs notes = %q; want none", tt.name, notes)
		}
	}
}
