package strategies_test

import (
	"testing"
	"time"

	"github.com/sharebench/sharebench/sim"
	"github.com/sharebench/sharebench/strategies"
)

// TestCacheStaleIfError: with the owner down, sync-cache serves a list past
// its TTL for up to StaleIfError more, keeping the version it read, so the
// owner's history judges it stale when the list has changed since; beyond
// that window, or without stale-if-error, the section is left out. A cached
// empty list hides a client added after it was read until it expires: that
// render is incomplete and stale at once.
func TestCacheStaleIfError(t *testing.T) {
	const ttl = 2 * time.Second // the rig's
	outage := sim.Fault{At: 3500 * ms, For: 10 * time.Second, Kind: sim.Outage, Target: strategies.OwnerNode}
	for _, sie := range []time.Duration{0, 5 * time.Second} {
		r := newRig(t, strategies.SyncCache, 1, func(c *strategies.Config, _ *sim.BrokerSpec) { c.StaleIfError = sie })
		r.inject(outage)
		// Seller 0 has clients, seller 5 too, seller 1 none.
		r.renderAt(time.Second, "gig", 0)
		r.renderAt(time.Second, "user", 5)
		r.renderAt(time.Second, "search", 1)
		r.writeAt(1200*ms, strategies.Write{Seller: 0, Op: strategies.Add, Client: 77})
		r.writeAt(1200*ms, strategies.Write{Seller: 1, Op: strategies.Add, Client: 177})
		emptyCached := r.renderAt(1500*ms, "search", 1) // fresh entry, truth has moved on
		changed := r.renderAt(4*time.Second, "gig", 0)  // expired; owner down
		unchanged := r.renderAt(4*time.Second, "user", 5)
		tooOld := r.renderAt(1*time.Second+ttl+sie+time.Second, "gig", 0)
		r.w.Run(20 * time.Second)

		sec := emptyCached.page.Sections[0]
		if sec.Shown() || sec.Version >= r.hist.VersionAt(1, emptyCached.done) {
			t.Errorf("stale_if_error %v: seller 1's render within the TTL after a client was added: %+v; want the cached empty version 0, not shown, behind the owner's %d", sie, sec, r.hist.VersionAt(1, emptyCached.done))
		}
		for _, c := range []struct {
			name   string
			rd     *render
			served bool
			stale  bool
		}{
			{"seller 0, changed since read", changed, sie > 0, true},
			{"seller 5, unchanged", unchanged, sie > 0, false},
			{"seller 0, past TTL + stale_if_error", tooOld, false, false},
		} {
			if c.rd.err != nil {
				t.Fatalf("stale_if_error %v, %s: page failed: %v; pages always render", sie, c.name, c.rd.err)
			}
			sec := c.rd.page.Sections[0]
			if got := !sec.Failed; got != c.served {
				t.Errorf("stale_if_error %v, %s: served = %v (%+v); want %v", sie, c.name, got, sec, c.served)
				continue
			}
			if !c.served {
				continue
			}
			if sec.FromOwner || sec.ReadAt < time.Second || sec.ReadAt > 1100*ms {
				t.Errorf("stale_if_error %v, %s: %+v; want the cached entry, read from the owner just after 1s", sie, c.name, sec)
			}
			// What the oracle does: a section behind the version committed
			// by the time the page came back is stale.
			truth := r.hist.VersionAt(sec.Seller, c.rd.done)
			if got := sec.Version < truth; got != c.stale {
				t.Errorf("stale_if_error %v, %s: version %d against the owner's %d: stale = %v; want %v", sie, c.name, sec.Version, truth, got, c.stale)
			}
			if at, _ := r.hist.CommittedAt(sec.Seller, sec.Version+1); c.stale && c.rd.done-at < 2500*ms {
				t.Errorf("stale_if_error %v, %s: staleness %v; want at least 2.5s (the write at 1.2s, the render at 4s)", sie, c.name, c.rd.done-at)
			}
		}
		st := r.d.CacheStats()
		var stale, failed int64
		for _, s := range st {
			stale += s.Stale
			failed += s.Failed
		}
		wantStale, wantFailed := int64(0), int64(3)
		if sie > 0 {
			wantStale, wantFailed = 2, 1
		}
		if stale != wantStale || failed != wantFailed {
			t.Errorf("stale_if_error %v: cache stats %+v: %d stale serves, %d failed; want %d and %d", sie, st, stale, failed, wantStale, wantFailed)
		}
	}
}
