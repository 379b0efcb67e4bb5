package strategies

import (
	"testing"
	"time"

	"github.com/sharebench/sharebench/sim"
	"github.com/sharebench/sharebench/sim/virtual"
)

// TestCacheExpiryPhases explains why sync-cache barely beat sync through
// an owner outage that started at twice its TTL: a cold cache fills its hot
// sellers within moments, and with a fixed TTL a hot seller is refetched
// within a few milliseconds of every expiry, so all of them expire
// together at every multiple of the TTL, forever. An outage starting then
// finds nothing fresh. With the jittered TTL the phases spread out and
// part of the hot set is still fresh through the outage's first second.
//
// 50 sellers (10 with clients) are each rendered every 50 ms from a cold
// start; the owner goes down at 2·TTL; the test counts the renders of
// sellers with clients in [2·TTL + 100 ms, 2·TTL + 1 s) that show the
// section. Stale-if-error is off.
func TestCacheExpiryPhases(t *testing.T) {
	const ttl = 2 * time.Second
	shownShare := func(jitter float64) float64 {
		w := virtual.New(7, virtual.WithDefaultLink(virtual.LinkSpec{Latency: sim.DurationDist{Dist: sim.Const{V: 0.0005}}}))
		defer w.Close()
		spec := sim.ServiceSpec{Workers: 64, ServiceTime: sim.DurationDist{Dist: sim.Const{V: 0.001}}}
		cfg := DefaultConfig()
		cfg.Strategy, cfg.Sellers, cfg.CacheTTL = SyncCache, 50, ttl
		cfg.Initial = func(s Seller) []uint32 {
			if s%5 == 0 {
				return []uint32{uint32(s)}
			}
			return nil
		}
		cfg.Owner, cfg.Pages = spec, map[string]sim.ServiceSpec{"gig": spec, "user": spec, "search": spec}
		cfg.Call = CallOptions{Timeout: 50 * time.Millisecond}
		d, err := Deploy(w.Hosts(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		for _, byOwner := range d.caches {
			for _, c := range byOwner {
				c.jitter = jitter
			}
		}
		if err := w.Inject(sim.Fault{At: 2 * ttl, For: 2 * time.Second, Kind: sim.Outage, Target: OwnerNode}); err != nil {
			t.Fatal(err)
		}
		client := w.Node("client")
		var shown, total int
		for k := range 5000 { // one render a millisecond
			at := time.Duration(k) * time.Millisecond
			s := Seller(k % 50)
			w.At(at, func() {
				client.Send("gig", MethodRender, PageRequest{Kind: "gig", Sellers: []Seller{s}}, time.Second, func(body any, err error) {
					if s%5 != 0 || at < 2*ttl+100*time.Millisecond || at >= 2*ttl+time.Second {
						return
					}
					total++
					if err == nil && body.(Page).Sections[0].Shown() {
						shown++
					}
				})
			})
		}
		w.Run(6 * time.Second)
		return float64(shown) / float64(total)
	}
	if got := shownShare(0); got > 0.05 {
		t.Errorf("fixed TTL: %.0f%% of renders in the outage's first second showed the section; want about 0 (every hot entry expires at 2·TTL)", 100*got)
	}
	if got := shownShare(ttlJitter); got < 0.3 {
		t.Errorf("jittered TTL: %.0f%% of renders in the outage's first second showed the section; want at least 30%% (phases spread out)", 100*got)
	}
}
