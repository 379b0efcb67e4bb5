package report

import (
	"strings"
	"testing"

	"github.com/sharebench/sharebench/pages"
	"github.com/sharebench/sharebench/results"
)

// undecidedMetrics is a column with a p99 of p99 ms on n renders (±1 ms)
// and owner load rps.
func undecidedMetrics(p99 float64, n int64, rps float64) *results.Metrics {
	bm := results.Stat{N: n, Method: results.MethodBatchMeans, Batches: 20, DF: 19}
	return &results.Metrics{
		Pages: map[string]*results.PageMetrics{pages.All: {LatencyMS: results.Summary{P99: p99}, Count: n}},
		Owner: results.OwnerMetrics{RPS: rps},
		CI95:  map[string]float64{"latency.p99": 1, "owner.rps": 1},
		Stats: map[string]results.Stat{"latency.p99": bm, "owner.rps": bm},
	}
}

// TestRecommendUndecided: when no column meets every target but some
// fail none (only unclear), the report ranks those by cost and says what
// would decide them, instead of "no strategy meets every target" and a
// cost formula it never applies (review 8).
func TestRecommendUndecided(t *testing.T) {
	f := &results.File{
		Order: []string{"sync", "async", "hybrid"},
		Strategies: map[string]*results.Metrics{
			"sync":   undecidedMetrics(80, 5000, 900), // fails
			"async":  undecidedMetrics(10, 259, 50),   // a p99 on 259 renders: unclear (n)
			"hybrid": undecidedMetrics(10, 500, 20),
		},
		DurationS:    10,
		ScenarioYAML: "name: x\nslo:\n  targets:\n    latency.p99: <=50ms\n  cost: {owner.rps: 1}\n",
	}
	rec := newRecommendation(f)
	if rec == nil {
		t.Fatal("newRecommendation = nil; want the targets judged")
	}
	var b strings.Builder
	writeRecommendMarkdown(&b, rec)
	md := b.String()
	for _, want := range []string{
		"None is shown to meet every target yet; hybrid, async fail none",
		"1. **hybrid** fails no target, unclear on 1; cost 20",
		"2. **async** fails no target, unclear on 1; cost 50",
		"to decide it: about 4× the samples (a run 4× longer, or -seeds 4)",
		"to decide it: about 2× the samples (a run 2× longer, or -seeds 2)",
		"⚠ **sync** misses",
		"Cost = 1.00 × owner.rps",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("recommendation lacks %q:\n%s", want, md)
		}
	}
	var html strings.Builder
	if err := htmlTemplate.ExecuteTemplate(&html, "recommend", rec); err != nil || !strings.Contains(html.String(), "<strong>hybrid</strong> fails no target, unclear on 1") {
		t.Errorf("recommend HTML = %v:\n%s\nwant hybrid ranked as failing no target", err, html.String())
	}
	// With nothing to rank, no cost formula.
	f.Strategies["async"], f.Strategies["hybrid"] = undecidedMetrics(80, 5000, 50), undecidedMetrics(80, 5000, 20)
	b.Reset()
	writeRecommendMarkdown(&b, newRecommendation(f))
	if md := b.String(); strings.Contains(md, "Cost =") || !strings.Contains(md, "No strategy or plan meets every target.") {
		t.Errorf("all failing: recommendation\n%s\nwants no cost formula and the plain headline", md)
	}
}
