package strategies_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/sharebench/sharebench/sim"
	"github.com/sharebench/sharebench/sim/virtual"
	"github.com/sharebench/sharebench/strategies"
)

// writesEnd is when writes stop and every fault has healed.
const writesEnd = 20 * time.Second

// convergenceBound is how long after writesEnd every view must equal the
// owner. Its parts, worst case: a crashed consumer's old group member holds
// its partitions for the session timeout (3s) after its last fetch; a fetch
// that found the broker unreachable waits out its timeout (1.5s) and a
// backoff (0.1s); the outbox relay's backoff is capped at 1s and a publish
// attempt at 1s; an auto-commit and a long poll take up to 1.5s more. That
// is 8.1s; the bound allows 10s. sync-cache's bound is its TTL (2s) plus
// one fetch.
const convergenceBound = 10 * time.Second

func seeds(full, short int) int {
	if testing.Short() {
		return short
	}
	return full
}

// TestConvergence: over many seeds and random fault schedules (owner
// outages and crashes, partitions, broker outages, consumer crashes,
// duplicate delivery, message loss), once faults heal and writes stop every
// async and hybrid view equals the owner within the bound, and sync-cache
// renders the owner's current lists.
func TestConvergence(t *testing.T) {
	for _, st := range []strategies.Strategy{strategies.Async, strategies.Hybrid, strategies.SyncCache} {
		for seed := range uint64(seeds(12, 3)) {
			t.Run(fmt.Sprintf("%s/seed=%d", st, seed), func(t *testing.T) {
				r := newRig(t, st, seed)
				rng := rand.New(rand.NewPCG(seed, 1))
				faults := randomFaults(rng, writesEnd)
				r.inject(faults...)
				r.randomWrites(rng, 0, writesEnd, 40)
				r.randomRenders(rng, 0, writesEnd, 50)
				check := writesEnd + convergenceBound
				var late []*render
				if st == strategies.SyncCache {
					// Spread out: 600 cache misses at once would be a thundering
					// herd the owner's 8 workers cannot serve in 50ms.
					at := check
					for s := range strategies.Seller(r.sellers) {
						for _, kind := range []string{"gig", "user", "search"} {
							late = append(late, r.renderAt(at, kind, s))
							at += 5 * ms
						}
					}
				}
				r.w.Run(check + 4*time.Second)
				if d := r.diverged(); len(d) > 0 {
					t.Errorf("after faults %v: %d view entries differ from the owner %v after the bound, e.g. %v", faults, len(d), convergenceBound, d[:min(5, len(d))])
				}
				if p := r.d.Owner.Pending(); p != 0 {
					t.Errorf("%d outbox records still unpublished", p)
				}
				for _, rd := range late {
					sec := rd.page.Sections[0]
					if rd.err != nil || sec.Failed || sec.Version != r.hist.Latest(sec.Seller) {
						t.Errorf("sync-cache render of %s seller %d after the bound: %+v, %v; want version %d", rd.kind, rd.sellers[0], sec, rd.err, r.hist.Latest(sec.Seller))
						break
					}
				}
			})
		}
	}
}

// TestDualWriteDivergesAndReconciliationRepairs: the negative control.
// Without an outbox, a crash between commit and publish loses the event and
// the views stay wrong; anti-entropy finds and repairs every entry. (With
// the outbox, TestConvergence shows crashes lose nothing.) After random
// traffic, ten last writes are each followed, 4ms after they are sent, by
// an owner crash: about when the commit is done and the event still
// lingers in the producer.
func TestDualWriteDivergesAndReconciliationRepairs(t *testing.T) {
	const lastWrites = 15 * time.Second
	for seed := range uint64(seeds(4, 2)) {
		run := func(reconcile time.Duration) *rig {
			r := newRig(t, strategies.AsyncDualWrite, seed, func(c *strategies.Config, _ *sim.BrokerSpec) { c.ReconcileEvery = reconcile })
			rng := rand.New(rand.NewPCG(seed, 2))
			r.randomWrites(rng, 0, lastWrites, 40)
			for i := range 10 {
				at := lastWrites + time.Duration(i)*500*ms
				s := strategies.Seller(10 * i)
				r.writeAt(at, strategies.Write{Seller: s, Op: strategies.Add, Client: uint32(s)*100 + 50})
				r.inject(sim.Fault{At: at + 4*ms, For: 50 * ms, Kind: sim.Crash, Target: strategies.OwnerNode})
			}
			return r
		}
		r := run(0)
		r.w.Run(writesEnd + convergenceBound)
		d := r.diverged()
		if len(d) == 0 {
			t.Errorf("seed %d: async-dualwrite did not diverge under owner crashes right after writes; the negative control shows nothing", seed)
			continue
		}
		// Anti-entropy every 5s repairs within one more round.
		r = run(5 * time.Second)
		r.w.Run(writesEnd + convergenceBound + 5*time.Second)
		if d2 := r.diverged(); len(d2) > 0 {
			t.Errorf("seed %d: with reconciliation, %d entries still differ, e.g. %v", seed, len(d2), d2[:min(5, len(d2))])
		}
		var repairs int64
		for _, v := range r.d.Views {
			repairs += v[strategies.OwnerNode].Stats.Repairs
		}
		// Anti-entropy's own calls shift the owner's timing, so the crashes
		// lose a somewhat different set of events in this run.
		if repairs == 0 {
			t.Errorf("seed %d: converged with no repairs counted; the lost events must have been repaired", seed)
		}
		t.Logf("seed %d: %d entries diverged without reconciliation; %d repairs with it", seed, len(d), repairs)
	}
}

// TestSelfViewNeverStale: under random faults, in every strategy, every
// self-view section shows exactly what the owner held when it read it; and
// the checker is not blind: it flags a stale self-view a test plants.
func TestSelfViewNeverStale(t *testing.T) {
	for _, st := range strategies.Strategies {
		for seed := range uint64(seeds(4, 1)) {
			t.Run(fmt.Sprintf("%s/seed=%d", st, seed), func(t *testing.T) {
				r := newRig(t, st, seed)
				rng := rand.New(rand.NewPCG(seed, 3))
				r.inject(randomFaults(rng, writesEnd)...)
				r.randomWrites(rng, 0, writesEnd, 40)
				// Self-views of sellers just written: where staleness would show.
				for i := range 400 {
					at := time.Duration(i) * 50 * ms
					s := strategies.Seller(rng.IntN(r.sellers))
					r.writeAt(at, strategies.Write{Seller: s, Op: strategies.Add, Client: uint32(s)*100 + uint32(rng.IntN(6))})
					r.renderAt(at+time.Duration(rng.IntN(3))*ms, "self", s)
				}
				r.w.Run(writesEnd + time.Second)
				judged := judgeSelfViews(t, r.renders, r.hist)
				// Owner outages may hide a quarter or more of them.
				if judged < 150 {
					t.Errorf("only %d of 400 self-views rendered their section; too few to judge", judged)
				}
			})
		}
	}
}

// TestCheckerCatchesStaleSelfView plants stale self-views: one edited, and
// one real — an async gig view read right after a write, presented as a
// self-view, the bug self-view must never have.
func TestCheckerCatchesStaleSelfView(t *testing.T) {
	r := newRig(t, strategies.Async, 1)
	s := strategies.Seller(5)
	r.writeAt(time.Second, strategies.Write{Seller: s, Op: strategies.Add, Client: 599})
	self := r.renderAt(time.Second+10*ms, "self", s)
	view := r.renderAt(time.Second+10*ms, "gig", s) // the view lags the write
	r.w.Run(2 * time.Second)
	if got := self.page.Sections[0]; !r.hist.Current(got) {
		t.Fatalf("a correct self-view was flagged: %+v", got)
	}
	planted := self.page.Sections[0]
	planted.Version--
	if r.hist.Current(planted) {
		t.Errorf("checker passed a self-view one version behind: %+v", planted)
	}
	lagging := view.page.Sections[0]
	if lagging.Version != 1 {
		t.Fatalf("gig view at +10ms shows version %d; the test expects it still at 1 (before the write propagates)", lagging.Version)
	}
	if r.hist.Current(lagging) {
		t.Errorf("checker passed a view read 10ms after a write as a self-view: %+v", lagging)
	}
}

// TestGracefulDegradation: with the owner down, sync and hybrid pages still
// render — without the section — within the call deadline plus the page's
// own time; async pages are unaffected.
func TestGracefulDegradation(t *testing.T) {
	const link, work = 500 * time.Microsecond, ms
	constant := func(c *strategies.Config, _ *sim.BrokerSpec) {
		for k, spec := range c.Pages {
			spec.ServiceTime = sim.ConstDuration(work)
			c.Pages[k] = spec
		}
	}
	for _, st := range []strategies.Strategy{strategies.Sync, strategies.Hybrid, strategies.Async} {
		for _, mode := range []string{"refuse", "blackhole"} {
			t.Run(fmt.Sprintf("%s/%s", st, mode), func(t *testing.T) {
				r := newRig(t, st, 1, constant)
				r.w.SetLink("client", "gig", virtualConstLink(link))
				r.w.SetLink("gig", "client", virtualConstLink(link))
				r.inject(sim.Fault{At: time.Second, For: 2 * time.Second, Kind: sim.Outage, Target: strategies.OwnerNode, Mode: mode})
				var with, without []*render
				for i := range 20 {
					at := time.Second + 500*ms + time.Duration(i)*50*ms
					with = append(with, r.renderAt(at, "gig", strategies.Seller(5*i)))
					without = append(without, r.renderAt(at, "gig", strategies.Seller(5*i+1)))
				}
				r.w.Run(5 * time.Second)
				deadline := r.d.Config.Call.Deadline()
				for _, rd := range slices.Concat(with, without) {
					if rd.err != nil {
						t.Fatalf("page did not render: %v", rd.err)
					}
					sec := rd.page.Sections[0]
					hasClients := hasClients(sec.Seller)
					remote := st != strategies.Async && (st == strategies.Sync || hasClients)
					switch {
					case remote && !sec.Failed:
						t.Errorf("section for seller %d rendered with the owner down: %+v", sec.Seller, sec)
					case !remote && sec.Failed:
						t.Errorf("section for seller %d failed though it needs no owner call in %s: %+v", sec.Seller, st, sec)
					case remote && rd.latency() > 2*link+max(work, deadline):
						t.Errorf("degraded page took %v; want ≤ %v (deadline %v, work %v, links)", rd.latency(), 2*link+max(work, deadline), deadline, work)
					case !remote && rd.latency() != 2*link+work:
						t.Errorf("page needing no owner took %v; want exactly %v", rd.latency(), 2*link+work)
					}
				}
			})
		}
	}
}

func virtualConstLink(d time.Duration) virtual.LinkSpec {
	return virtual.LinkSpec{Latency: sim.ConstDuration(d)}
}

// TestCallEconomy: sync calls the owner on every render (one batch call per
// search page); hybrid never calls it for sellers without clients.
func TestCallEconomy(t *testing.T) {
	for _, st := range []strategies.Strategy{strategies.Sync, strategies.Hybrid} {
		t.Run(string(st), func(t *testing.T) {
			r := newRig(t, st, 1)
			rng := rand.New(rand.NewPCG(1, 4))
			sellersRendered, withClients, searchPages, searchWithClients := 0, 0, 0, 0
			for i := range 500 {
				at := time.Duration(i) * 10 * ms
				if i%5 == 0 {
					page := make([]strategies.Seller, 10)
					any := false
					for j := range page {
						page[j] = strategies.Seller(rng.IntN(r.sellers))
						any = any || hasClients(page[j])
						sellersRendered++
						if hasClients(page[j]) {
							withClients++
						}
					}
					searchPages++
					if any {
						searchWithClients++
					}
					r.renderAt(at, "search", page...)
					continue
				}
				s := strategies.Seller(rng.IntN(r.sellers))
				sellersRendered++
				if hasClients(s) {
					withClients++
				}
				r.renderAt(at, []string{"gig", "user"}[i%2], s)
			}
			r.w.Run(10 * time.Second)
			os := r.d.Owner.Stats
			calls := r.w.Node(strategies.OwnerNode).Stats().Arrived
			switch st {
			case strategies.Sync:
				if os.Reads != int64(sellersRendered) || calls != 500 {
					t.Errorf("sync: owner read %d sellers in %d calls; want %d sellers in 500 calls (one per page)", os.Reads, calls, sellersRendered)
				}
				if os.EmptyReads != int64(sellersRendered-withClients) {
					t.Errorf("sync: %d wasted reads; want %d (every seller without clients)", os.EmptyReads, sellersRendered-withClients)
				}
			case strategies.Hybrid:
				if os.EmptyReads != 0 || os.Reads != int64(withClients) {
					t.Errorf("hybrid: owner read %d sellers, %d of them empty; want %d, none empty", os.Reads, os.EmptyReads, withClients)
				}
				want := int64(countWith(r) + searchWithClients)
				if calls != want {
					t.Errorf("hybrid: %d calls to the owner; want %d (pages with at least one seller with clients)", calls, want)
				}
			}
		})
	}
}

// countWith counts the single-seller renders of sellers with clients.
func countWith(r *rig) int {
	n := 0
	for _, rd := range r.renders {
		if len(rd.sellers) == 1 && hasClients(rd.sellers[0]) {
			n++
		}
	}
	return n
}

// TestRetryBudget: with the owner refusing every call, retries stay within
// the budget — a tenth of first attempts plus a burst of 10 — instead of
// multiplying the load by the retry count; a budget of 0 allows none.
func TestRetryBudget(t *testing.T) {
	const pages, retries = 1000, 3
	for _, tc := range []struct {
		budget   float64
		maxCalls int64
	}{
		{0.1, pages + pages/10 + 10},
		{-1, pages * (retries + 1)}, // no budget: every retry happens
		{0, pages},                  // a budget of nothing: no retry at all
	} {
		r := newRig(t, strategies.Sync, 1, func(c *strategies.Config, _ *sim.BrokerSpec) {
			c.Call.Retries, c.Call.RetryBudget = retries, tc.budget
		})
		r.inject(sim.Fault{At: 0, For: time.Hour, Kind: sim.Outage, Target: strategies.OwnerNode})
		for i := range pages {
			r.renderAt(time.Duration(i)*10*ms, "gig", strategies.Seller(i%r.sellers))
		}
		r.w.Run(time.Minute)
		calls := r.w.Node(strategies.OwnerNode).Stats().Arrived
		if calls > tc.maxCalls || (tc.budget <= 0 && calls != tc.maxCalls) {
			t.Errorf("budget %v: %d calls for %d pages with %d retries each; want at most %d", tc.budget, calls, pages, retries, tc.maxCalls)
		}
		if tc.budget > 0 && calls <= pages {
			t.Errorf("budget %v: %d calls for %d pages; want some retries", tc.budget, calls, pages)
		}
	}
}

// TestParallelFetch: fetching the section alongside the page's own work
// makes the page take the longer of the two instead of their sum.
func TestParallelFetch(t *testing.T) {
	const link, work, ownerWork = 500 * time.Microsecond, 10 * ms, 4 * ms
	for _, parallel := range []bool{false, true} {
		r := newRig(t, strategies.Sync, 1, func(c *strategies.Config, _ *sim.BrokerSpec) {
			c.Call.Parallel = parallel
			c.Owner.ServiceTime = sim.ConstDuration(ownerWork)
			spec := c.Pages["gig"]
			spec.ServiceTime = sim.ConstDuration(work)
			c.Pages["gig"] = spec
		})
		for _, l := range [][2]string{{"client", "gig"}, {"gig", "client"}, {"gig", strategies.OwnerNode}, {strategies.OwnerNode, "gig"}} {
			r.w.SetLink(l[0], l[1], virtualConstLink(link))
		}
		rd := r.renderAt(time.Second, "gig", 5)
		r.w.Run(2 * time.Second)
		fetch := 2*link + ownerWork
		want := 2*link + work + fetch
		if parallel {
			want = 2*link + max(work, fetch)
		}
		if rd.err != nil || rd.latency() != want {
			t.Errorf("parallel=%v: page took %v (%v); want %v", parallel, rd.latency(), rd.err, want)
		}
	}
}
