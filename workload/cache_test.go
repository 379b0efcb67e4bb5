package workload

import (
	"fmt"
	"testing"
)

// TestStaleIfErrorStalenessCounted: through the whole stack (scenario file,
// run, oracle, result file), sync-cache's stale-if-error serves expired
// lists through an owner outage and the oracle counts the ones the owner
// changed after they were read as stale, with no help from the strategy.
// 50 sellers take 20 writes/s (one per seller every 2.5s) until the owner
// goes down at 5s, for 10s (writes fail then too); the TTL is 1s. Without
// stale-if-error the outage's last 9s show no section and nothing stale,
// and no section is ever older than a TTL, so staleness stays under 1s.
// With 30s of it, nearly every render shows the section, and the lists
// the owner changed between their read and the outage are judged stale:
// about 40 % of sections through the outage in this seed (15-22 % in the
// seconds before it, the TTL's own staleness; rarely read sellers' lists
// are older), stale by seconds.
func TestStaleIfErrorStalenessCounted(t *testing.T) {
	run := func(sie string) (complete, stale, stalenessP99 float64) {
		sc, err := Parse("sie.yaml", fmt.Appendf(nil, `
name: sie
seed: 5
duration: 15s
warmup: 1s
strategies: [sync-cache]
population: {sellers: 50, with_clients: 1}
traffic: {pages: {rate: 400/s, mix: {gig: 1, user: 0, search: 0, self: 0}}, writes: {rate: 20/s}}
options: {sync: {cache_ttl: 1s, stale_if_error: %s}}
faults:
  - {at: 5s, for: 10s, kind: outage, target: topclients}
`, sie))
		if err != nil {
			t.Fatal(err)
		}
		f, err := Run(sc, RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		m := f.Strategies["sync-cache"]
		// The outage's last 9s, by when pages came back.
		var sum, staleSum float64
		var n int
		for _, s := range m.Series {
			if s.T >= 6 && s.T < 15 {
				sum += s.Completeness
				staleSum += s.StaleFraction
				n++
			}
		}
		return sum / float64(n), staleSum / float64(n), m.Pages["all"].StalenessMS.P99
	}
	if c, s, p99 := run("0s"); c > 0.01 || s != 0 || p99 >= 1000 {
		t.Errorf("without stale-if-error, the outage's last 9s: completeness %.3f, stale fraction %.3f; staleness p99 %.0fms; want 0, 0 and under the 1s TTL", c, s, p99)
	}
	c, s, p99 := run("30s")
	if c < 0.9 {
		t.Errorf("with stale_if_error 30s, the outage's last 9s: completeness %.3f; want nearly every render served from the cache", c)
	}
	if s < 0.2 || s > 0.7 || p99 < 5000 {
		t.Errorf("with stale_if_error 30s, the outage's last 9s: stale fraction %.3f, staleness p99 %.0fms; want about 40 %% judged stale, by seconds (p99 over 5s)", s, p99)
	}
}
