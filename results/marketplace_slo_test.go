package results

import (
	"testing"

	"github.com/sharebench/sharebench/pages"
)

// TestMarketplaceKindTargets: targets may name the marketplace's own page
// kinds (latency.p99@gig), which its files hold without intervals: a
// fraction is judged by the kind's counts, a percentile by the order
// statistics of the kind's latency histogram (review 13).
func TestMarketplaceKindTargets(t *testing.T) {
	for name, ok := range map[string]bool{"latency.p99@gig<=50ms": true, "availability@search>=99%": true, "latency.p99@gigs<=50ms": false, "owner.rps@topclients<=5": false} {
		tg, err := ParseTarget(name)
		if err != nil {
			t.Fatal(err)
		}
		if field, msg, got := (&SLO{Targets: Targets{tg}}).Check(nil); got != ok {
			t.Errorf("Check(%s) on the marketplace = %v (%s: %s); want %v", name, got, field, msg, ok)
		}
	}
	h := NewLatencyHistogram()
	for i := range 5000 {
		if err := h.RecordValue(int64(1000 + i*10)); err != nil { // 1 to 51 ms, in µs
			t.Fatal(err)
		}
	}
	hist, err := EncodeHDR(h)
	if err != nil {
		t.Fatal(err)
	}
	m := &Metrics{
		Pages: map[string]*PageMetrics{
			pages.All: {Count: 5000, Rendered: 5000, Availability: 1},
			"gig":     {Count: 5000, Rendered: 5000, Availability: 1, LatencyMS: SummaryOf(h)},
		},
		HDR: map[string]string{"latency.gig": hist},
	}
	f := &File{Order: []string{"sync"}, Strategies: map[string]*Metrics{"sync": m}, DurationS: 10}
	tests := []struct {
		target string
		want   Verdict
	}{
		{"latency.p99@gig<=60ms", Pass}, // p99 ≈ 50.5 ms; its order-statistic bounds within a few tenths
		{"latency.p99@gig<=40ms", Fail},
		{"latency.p99@gig<=50.5ms", Unclear},
		{"availability@gig>=99.9%", Pass}, // no failure in 5000: ≥ 99.94 %
		{"availability@gig>=99.99%", Unclear},
	}
	for _, tt := range tests {
		tg, _ := ParseTarget(tt.target)
		r := Recommend(f, &SLO{Targets: Targets{tg}})
		if j := r.Columns[0].Judgements[0]; j.Verdict != tt.want {
			t.Errorf("marketplace %s: %v (%s, p99 %.2f ms); want %v", tt.target, j.Verdict, j.Reason, m.Pages["gig"].LatencyMS.P99, tt.want)
		}
	}
}
