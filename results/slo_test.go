package results

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/sharebench/sharebench/pages"
)

// sloMetrics is a column with a p99 of p99 ms ±ci over n renders,
// completeness comp % ±compCI over n sections, owner load rps req/s, and
// views when views is set.
func sloMetrics(p99, ci float64, n int64, comp, compCI, rps float64, views bool) *Metrics {
	m := &Metrics{
		Pages: map[string]*PageMetrics{pages.All: {LatencyMS: Summary{P99: p99}, Completeness: comp / 100, Count: n}},
		Owner: OwnerMetrics{RPS: rps},
		CI95:  map[string]float64{"latency.p99": ci, "completeness": compCI, "owner.rps": 1},
		Stats: map[string]Stat{
			"latency.p99":  {N: n, Method: MethodBatchMeans, Batches: 20, DF: 19},
			"completeness": {N: n, Method: MethodBatchMeans, Batches: 20, DF: 19},
			"owner.rps":    {N: 60, Method: MethodBatchMeans, Batches: 20, DF: 19},
		},
	}
	if views {
		m.Broker = BrokerMetrics{Published: 100, Delivered: 100}
		m.PropagationMS = Summary{P99: 40}
		m.Stats["propagation.p99"] = Stat{N: 5000, Method: MethodBatchMeans, Batches: 20, DF: 19}
		m.CI95["propagation.p99"] = 2
	}
	return m
}

// TestJudge: pass only when the whole interval clears the limit, fail
// when all of it misses, unclear when it straddles or too few samples;
// n/a for what a column does not measure.
func TestJudge(t *testing.T) {
	p99, _ := Lookup("latency.p99")
	comp, _ := Lookup("completeness")
	prop, _ := Lookup("propagation.p99")
	mustTarget := func(s string) Target {
		tg, err := ParseTarget(s)
		if err != nil {
			t.Fatal(err)
		}
		return tg
	}
	tests := []struct {
		name   string
		mt     Metric
		m      *Metrics
		target string
		want   Verdict
		miss   float64
	}{
		{"p99 clear below", p99, sloMetrics(120, 10, 50_000, 100, 0, 0, false), "latency.p99<=150ms", Pass, 0},
		{"p99 interval straddles", p99, sloMetrics(145, 10, 50_000, 100, 0, 0, false), "latency.p99<=150ms", Unclear, 0},
		{"p99 value above, interval straddles", p99, sloMetrics(155, 10, 50_000, 100, 0, 0, false), "latency.p99<=150ms", Unclear, 5},
		{"p99 all above", p99, sloMetrics(180, 10, 50_000, 100, 0, 0, false), "latency.p99<=150ms", Fail, 30},
		{"p99 too few samples", p99, sloMetrics(50, 1, 500, 100, 0, 0, false), "latency.p99<=150ms", Unclear, 0},
		{"seconds in the limit", p99, sloMetrics(4000, 100, 50_000, 100, 0, 0, false), "latency.p99<=5s", Pass, 0},
		{"completeness above", comp, sloMetrics(1, 0, 50_000, 99.9, 0.05, 0, false), "completeness>=99.5%", Pass, 0},
		{"completeness below", comp, sloMetrics(1, 0, 50_000, 97, 0.5, 0, false), "completeness>=99.5%", Fail, 2.5},
		{"completeness straddles", comp, sloMetrics(1, 0, 50_000, 99.6, 0.3, 0, false), "completeness>=99.5%", Unclear, 0},
		{"propagation under sync", prop, sloMetrics(1, 0, 50_000, 100, 0, 0, false), "propagation.p99<=100ms", NA, 0},
		{"propagation under async", prop, sloMetrics(1, 0, 50_000, 100, 0, 0, true), "propagation.p99<=100ms", Pass, 0},
	}
	for _, tt := range tests {
		j := Judge(tt.mt, tt.m, mustTarget(tt.target))
		if j.Verdict != tt.want || math.Abs(j.Miss-tt.miss) > 1e-9 {
			t.Errorf("%s: Judge(%s) = %v miss %v (%s); want %v miss %v", tt.name, tt.target, j.Verdict, j.Miss, j.Reason, tt.want, tt.miss)
		}
	}
}

// TestParseTarget: flag and YAML notations, units as the table shows
// them, and mistakes named with their fix.
func TestParseTarget(t *testing.T) {
	tests := []struct {
		in      string
		atLeast bool
		limit   float64
	}{
		{"latency.p99<=150ms", false, 150},
		{"latency.p99<=1.5s", false, 1500},
		{"completeness>=99.5%", true, 99.5},
		{"owner.rps<=3000", false, 3000},
		{"owner.rps@reviews<=3000/s", false, 3000},
		{"duplication<=64MiB", false, 64 << 20},
		{"self_view_violations<=0", false, 0},
	}
	for _, tt := range tests {
		got, err := ParseTarget(tt.in)
		if err != nil || got.AtLeast != tt.atLeast || got.Limit != tt.limit {
			t.Errorf("ParseTarget(%q) = %+v, %v; want atLeast %v limit %v", tt.in, got, err, tt.atLeast, tt.limit)
		}
	}
	// A bare limit takes the metric's better direction.
	for in, atLeast := range map[string]bool{"99.5%": true} {
		if got, err := ParseTargetOf("completeness", in); err != nil || got.AtLeast != atLeast {
			t.Errorf("ParseTargetOf(completeness, %q) = %+v, %v; want atLeast %v", in, got, err, atLeast)
		}
	}
	if got, err := ParseTargetOf("self_view_violations", "0"); err != nil || got.AtLeast || got.Limit != 0 {
		t.Errorf("ParseTargetOf(self_view_violations, 0) = %+v, %v; want <=0", got, err)
	}
	bad := map[string]string{
		"latency.p99<150ms":     "METRIC<=LIMIT",
		"latency.p99<=fast":     "give a duration",
		"completeness>=0.995":   "write 99.5%",
		"nosuch.metric<=3":      "no metric",
		"owner.rps<=many":       "give a number",
		"completeness>=101%":    "between 0% and 100%",
		"latency.p99<=<=150ms":  "a target is <= or >=",
		"duplication<=lots GiB": "bytes",
	}
	for in, want := range bad {
		if _, err := ParseTarget(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseTarget(%q) = %v; want an error saying %q", in, err, want)
		}
	}
}

// TestRecommend: the columns meeting every target ranked by cost, the
// others with what they miss; and the table's verdict rows.
func TestRecommend(t *testing.T) {
	f := &File{
		Order: []string{"sync", "async", "hybrid"},
		Strategies: map[string]*Metrics{
			"sync":   sloMetrics(180, 5, 50_000, 99.9, 0.05, 2000, false),
			"async":  sloMetrics(60, 5, 50_000, 99.9, 0.05, 10, true),
			"hybrid": sloMetrics(80, 5, 50_000, 99.9, 0.05, 500, true),
		},
		DurationS: 10,
		ScenarioYAML: "name: x\nslo:\n  targets:\n    latency.p99: <=150ms\n    completeness: '>=99.5%'\n    propagation.p99: <=1s\n" +
			"  cost: {owner.rps: 1}\n",
	}
	r := Recommend(f, nil)
	if r == nil {
		t.Fatal("Recommend = nil; want the file's targets judged")
	}
	if got := strings.Join(r.MeetingNames(), ","); got != "async,hybrid" {
		t.Errorf("Recommend meeting = %s; want async,hybrid (cheapest first)", got)
	}
	if len(r.Others) != 1 || r.Others[0].Name != "sync" || len(r.Others[0].Misses()) != 1 || r.Others[0].Misses()[0].Miss != 30 {
		t.Errorf("Recommend others = %+v; want sync missing latency.p99 by 30 ms", r.Others)
	}
	// sync has no propagation: n/a, which does not keep it from meeting.
	if j := r.Columns[0].Judgements[2]; j.Verdict != NA {
		t.Errorf("sync propagation verdict = %v; want n/a", j.Verdict)
	}
	var b bytes.Buffer
	if err := WriteTable(&b, f); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"slo latency.p99<=150ms", "fail +30.0ms", "slo verdict", "MISSES", "MEETS (cheapest)"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("WriteTable with an slo: no %q in\n%s", want, b.String())
		}
	}
	// A target on a figure the file does not have is never met.
	absent, _ := ParseTarget("latency.p99@product<=150ms")
	if r := Recommend(f, SLOOf(f).With([]Target{absent})); len(r.Meeting) != 0 || r.Columns[1].Judgements[3].Verdict != Unclear {
		t.Errorf("with a target on a figure the file lacks: meeting %v; want none", r.MeetingNames())
	}
	// Flag targets override the file's.
	loose, _ := ParseTarget("latency.p99<=200ms")
	if r := Recommend(f, SLOOf(f).With([]Target{loose})); len(r.Meeting) != 3 {
		t.Errorf("with latency.p99<=200ms: meeting %v; want all three", r.MeetingNames())
	}
}

// TestSLOCheck: names a topology does not have are refused with the
// place and the names it does have.
func TestSLOCheck(t *testing.T) {
	topo := &pages.Topology{Owners: []string{"reviews"}, Kinds: []pages.Kind{{Name: "product"}}}
	tg, _ := ParseTarget("latency.p99@product<=150ms")
	if field, msg, ok := (&SLO{Targets: Targets{tg}}).Check(topo); !ok {
		t.Errorf("Check(latency.p99@product) = %s: %s; want ok", field, msg)
	}
	tg, _ = ParseTarget("latency.p99@basket<=150ms")
	if field, msg, ok := (&SLO{Targets: Targets{tg}}).Check(topo); ok || field != "targets.latency.p99@basket" || !strings.Contains(msg, "product") {
		t.Errorf("Check(latency.p99@basket) = %s: %s, %v; want refused naming product", field, msg, ok)
	}
	if field, _, ok := (&SLO{Cost: map[string]float64{"completeness": 1}}).Check(nil); ok || field != "cost.completeness" {
		t.Errorf("Check(cost completeness) = %s, %v; want refused", field, ok)
	}
}
