package live

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/sharebench/sharebench/sim"
)

// TestLatencyMagnitude: a latency injected on a link shows up in a call's
// round trip as exactly that much more, not merely as "slower". The test
// measures the median of 25 calls over a clean link and over a link with
// 50ms added (one direction, then both), and holds the difference to the
// injected amount within −1ms/+12 % (the proxy holds a chunk until its due
// time, so it is never early; a loaded machine's timers fire late). The
// shared machine can still stall a whole median, so a failed measurement
// is taken once more before the test fails. A world whose links are ×1.5
// too slow shows 75ms and 150ms and fails.
func TestLatencyMagnitude(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: about 4s of wall-clock calls")
	}
	const hop = 50 * ms
	for _, c := range []struct {
		name  string
		links []string
		want  time.Duration
	}{
		{"one direction", []string{"client->svc"}, hop},
		{"both directions", []string{"client->svc", "svc->client"}, 2 * hop},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got time.Duration
			ok := func() bool {
				got = addedLatency(t, c.links, hop)
				return got >= c.want-ms && got <= c.want+c.want*12/100
			}
			if !ok() && !ok() {
				t.Errorf("median round trip grew by %v with %v added on %v; want %v (−1ms, +12%%)", got, hop, c.links, c.want)
			}
		})
	}
}

// addedLatency is how much a call's median round trip grows when d is
// added to each of links, in a fresh world.
func addedLatency(t *testing.T, links []string, d time.Duration) time.Duration {
	t.Helper()
	w := newWorld(t)
	serveEcho(t, w, "svc", sim.ServiceSpec{})
	client := w.Node("client")
	median := func() time.Duration {
		var took []time.Duration
		for i := range 25 {
			start := time.Now()
			if _, err := call(client, "svc", 2*time.Second, echoReq{N: i}); err != nil {
				t.Fatal(err)
			}
			took = append(took, time.Since(start))
		}
		slices.Sort(took)
		return took[len(took)/2]
	}
	median() // warm: connections pooled
	base := median()
	var fs []sim.Fault
	for _, l := range links {
		fs = append(fs, sim.Fault{At: w.Now(), For: time.Hour, Kind: sim.Latency, Link: l, Add: sim.ConstDuration(d)})
	}
	if err := w.Inject(fs...); err != nil {
		t.Fatal(fmt.Errorf("inject: %w", err))
	}
	time.Sleep(10 * ms)
	return median() - base
}
