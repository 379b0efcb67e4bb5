package report

import (
	"strings"
	"testing"

	"github.com/sharebench/sharebench/results"
	"github.com/sharebench/sharebench/results/plot"
)

// series builds a per-second series of 66 seconds (a 5 s warm-up, 60 s
// measured and the partial second after the end) at availability 1 and
// completeness level, with the given seconds overridden.
func series(level float64, over map[int][2]float64) []results.Second {
	var ss []results.Second
	for t := range 66 {
		s := results.Second{T: float64(t), Pages: 100, Availability: 1, Completeness: level}
		if v, ok := over[t]; ok {
			s.Availability, s.Completeness = v[0], v[1]
		}
		ss = append(ss, s)
	}
	// The partial last second: a handful of late pages, mostly failed.
	ss[65].Availability, ss[65].Completeness = 0.01, 0
	return ss
}

func span(from, to int, a, c float64) map[int][2]float64 {
	m := map[int][2]float64{}
	for t := from; t < to; t++ {
		m[t] = [2]float64{a, c}
	}
	return m
}

func join(ms ...map[int][2]float64) map[int][2]float64 {
	out := map[int][2]float64{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

func TestRecoveryOf(t *testing.T) {
	outage := plot.Window{FromS: 20, ToS: 30, Kind: "outage", Labels: []string{"outage topclients"}}
	for _, tc := range []struct {
		name       string
		level      float64
		over       map[int][2]float64
		until      float64
		want       string // Short()
		affected   bool
		sentence   string
		worstBelow float64
	}{
		{"unaffected", 1, nil, 65, "unaffected", false, "unaffected", 1.01},
		{"noise within 2 points", 1, span(22, 27, 0.99, 0.985), 65, "unaffected", false, "unaffected", 1},
		{"back at the end", 1, span(20, 30, 1, 0.8), 65, "0 s", true, "in the first second after the end", 0.81},
		{"back 3 s later", 1, span(20, 33, 1, 0.8), 65, "3 s", true, "3 s after the end", 0.81},
		{"availability too", 1, join(span(20, 30, 1, 0.8), span(30, 36, 0.5, 0)), 65, "6 s", true, "6 s after the end", 0.01},
		{"flaps, then stays", 1, join(span(20, 32, 1, 0.8), span(36, 38, 1, 0.9)), 65, "8 s", true, "8 s after the end", 0.81},
		{"never", 1, span(20, 65, 0.47, 0), 65, "not within 35 s", true, "availability 47.0 %, completeness 0.0 % on average (before: 100.0 %, 100.0 %)", 0.01},
		{"back too late to tell", 1, span(20, 62, 1, 0.5), 65, "back, not confirmed (needs 5 s)", true, "back within 2 points of its level before 32 s after the end, not confirmed: 3 s watched, 5 s needed", 0.51},
		{"no time to watch", 1, span(20, 30, 1, 0.5), 30, "no time to watch", true, "no time to watch its recovery", 0.51},
		{"never, 3 s watched", 1, span(20, 65, 1, 0.5), 33, "not within 3 s", true, "not recovered in the 3 s watched", 0.51},
		{"level below 100 %", 0.93, join(span(20, 30, 1, 0.3), span(30, 65, 1, 0.92)), 65, "0 s", true, "first second", 0.31},
		{"until the next disturbance", 1, join(span(20, 34, 1, 0.5), span(45, 60, 1, 0.2)), 45, "4 s", true, "4 s after", 0.51},
	} {
		r := recoveryOf(series(tc.level, tc.over), 5, 65, outage, min(tc.until, 65))
		if got := r.Short(); got != tc.want {
			t.Errorf("recoveryOf(%s).Short() = %q; want %q", tc.name, got, tc.want)
		}
		if r.Affected != tc.affected {
			t.Errorf("recoveryOf(%s).Affected = %v; want %v", tc.name, r.Affected, tc.affected)
		}
		if s := r.Sentence(); !strings.Contains(s, tc.sentence) || !strings.HasPrefix(s, "after outage topclients (20–30 s): ") {
			t.Errorf("recoveryOf(%s).Sentence() = %q; want it to contain %q", tc.name, s, tc.sentence)
		}
		if r.Worst >= tc.worstBelow {
			t.Errorf("recoveryOf(%s).Worst = %v; want below %v", tc.name, r.Worst, tc.worstBelow)
		}
	}
}

// TestRecoveriesTrafficSpike: the disturbances of a file include the
// spike of its rate curve, and each strategy gets a recovery from each.
func TestRecoveriesTrafficSpike(t *testing.T) {
	f := &results.File{WarmupS: 5, DurationS: 60, Order: []string{"sync", "async"},
		ScenarioYAML: "traffic:\n  pages:\n    rate: {curve: spike, base: 2000/s, peak: 20000/s, at: 20s, for: 10s}\n",
		Faults:       []results.FaultWindow{{AtS: 40, ForS: 5, Kind: "outage", Label: "outage topclients"}},
		Strategies: map[string]*results.Metrics{
			"sync":  {Series: series(1, join(span(20, 30, 1, 0), span(30, 40, 0.47, 0), span(40, 65, 0.47, 0)))},
			"async": {Series: series(1, nil)},
		}}
	rs := Recoveries(f)
	if len(rs["sync"]) != 2 || len(rs["async"]) != 2 {
		t.Fatalf("Recoveries = %v; want two per strategy (the spike, the outage)", rs)
	}
	if got := rs["sync"][0]; got.Window.Kind != "traffic" || got.Recovered || got.ObservedS != 10 {
		t.Errorf("Recoveries sync spike = %+v; want the traffic window, not recovered, watched 10 s (until the outage)", got)
	}
	if got := rs["async"][1].Short(); got != "unaffected" {
		t.Errorf("Recoveries async outage = %q; want unaffected", got)
	}
}

// TestRecoveryRunEndsFirst: a spike still under way when the run ends has
// no recovery to measure, and says so rather than "not recovered in 0 s".
func TestRecoveryRunEndsFirst(t *testing.T) {
	spike := plot.Window{FromS: 20, ToS: 30, Kind: "traffic", Labels: []string{"traffic spike"}}
	r := recoveryOf(series(1, span(20, 25, 0.9, 0)), 5, 25, spike, 25)
	if got := r.Short(); got != "run ended first" || r.explanation() != "" {
		t.Errorf("recoveryOf(run ends mid-spike) = %q, explanation %q; want \"run ended first\" and none", got, r.explanation())
	}
}

// TestRecoverySentenceBackAtOnceUnconfirmed: back in the first second
// after the end but watched too short to confirm says so in words, not
// "0 s after the end".
func TestRecoverySentenceBackAtOnceUnconfirmed(t *testing.T) {
	r := Recovery{Window: plot.Window{Kind: "outage", FromS: 20, ToS: 30}, Affected: true, WatchedS: 3, BackS: 3}
	got := r.Sentence()
	want := "after outage (20–30 s): back within 2 points of its level before in the first second after the end, not confirmed: 3 s watched, 5 s needed"
	if got != want {
		t.Errorf("Recovery{AfterS: 0, BackS: 3}.Sentence() = %q; want %q", got, want)
	}
}
