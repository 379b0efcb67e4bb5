package workload

import (
	"testing"

	"github.com/sharebench/sharebench/results"
)

// TestCalibrateJudgesByTheRule: calibrate refuses or judges a figure
// exactly as results.Enough does for the tables: the stale fraction on its
// stale sections (≥ 30, or none at all: a precise 0 bounded by the rule of
// three), owner load, a count of events, on its interval alone.
func TestCalibrateJudgesByTheRule(t *testing.T) {
	sf, _ := results.Lookup("stale_fraction")
	rps, _ := results.Lookup("owner.rps")
	page := func(shown, stale int64) *results.Metrics {
		return &results.Metrics{Pages: map[string]*results.PageMetrics{"all": {Count: shown, Shown: shown, Stale: stale}}}
	}
	for _, c := range []struct {
		mt           results.Metric
		shown, stale int64
		want         bool
	}{
		{sf, 100_000, 0, true},
		{sf, 100_000, 2, false},
		{sf, 100_000, 29, false},
		{sf, 100_000, 30, true},
		{sf, 20, 0, false}, // too few sections read to bound anything
		{rps, 100_000, 5, true},
	} {
		n := c.stale
		if !c.mt.Rare {
			n = c.shown
		}
		got := enough(c.mt, page(c.shown, c.stale), n)
		if got != c.want || got != results.Enough(c.mt, c.shown, c.stale) {
			t.Errorf("enough(%s, %d stale of %d) = %v; want %v, as results.Enough", c.mt.Name, c.stale, c.shown, got, c.want)
		}
	}
	if got := needed(sf); got != results.MinSamples {
		t.Errorf("needed(stale_fraction) = %d; want %d stale sections", got, results.MinSamples)
	}
}
