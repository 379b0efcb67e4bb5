package workload

import (
	"math"
	"testing"
	"time"

	"github.com/sharebench/sharebench/strategies"
)

// TestOracleStalenessMatchesTheory: with Poisson commits at rate λ per
// seller and every read showing the version committed D earlier, a read is
// stale exactly when a commit fell in the last D: probability 1 − e^(−λD);
// and it is behind by the number of those commits: mean λD.
func TestOracleStalenessMatchesTheory(t *testing.T) {
	const sellers, lambda, reads = 1000, 1.0, 200_000
	const d = 300 * time.Millisecond
	hist := strategies.NewHistory()
	o := newOracle(hist, sellers, 10*time.Second, 200*time.Second, 0)
	r := rng(8)
	for s := range strategies.Seller(sellers) {
		v := uint64(0)
		for at := time.Duration(0); ; {
			at += time.Duration(r.ExpFloat64() / lambda * 1e9)
			if at > 200*time.Second {
				break
			}
			v++
			o.committed(&strategies.List{Seller: s, Version: v, Committed: at, Clients: make([]strategies.Client, 1)})
		}
	}
	for range reads {
		s := strategies.Seller(r.IntN(sellers))
		at := 10*time.Second + time.Duration(r.Float64()*float64(190*time.Second))
		shown := hist.VersionAt(s, at-d)
		page := &strategies.Page{Kind: "gig", Sections: []strategies.Section{{Seller: s, Version: shown, Clients: 1, ReadAt: at}}}
		o.rendered("gig", []strategies.Seller{s}, at, at, page, false)
	}
	m := o.metrics().Pages["all"]
	p := 1 - math.Exp(-lambda*d.Seconds())
	within4SE(t, "stale fraction", m.StaleFraction, p, math.Sqrt(p*(1-p)/reads))
	// Versions behind is Poisson(λD) per read: variance λD.
	within4SE(t, "mean versions behind", m.VersionsBehind, lambda*d.Seconds(), math.Sqrt(lambda*d.Seconds()/reads))
	if m.StalenessMS.Max > float64(d.Milliseconds())+0.5 {
		t.Errorf("staleness max = %vms; a read D = %v late cannot be staler than D", m.StalenessMS.Max, d)
	}
	// PBS's curve: a read less than D after the last write is never
	// consistent here, one more than D after always is.
	lower := 0.0
	for _, b := range o.metrics().Consistency {
		switch {
		case b.AfterMS <= 300 && b.Consistent != 0:
			t.Errorf("reads %v–%vms after a write: %d of %d consistent; want none before D", lower, b.AfterMS, b.Consistent, b.Reads)
		case lower > 300 && b.Consistent != b.Reads:
			t.Errorf("reads %v–%vms after a write: %d of %d consistent; want all after D", lower, b.AfterMS, b.Consistent, b.Reads)
		}
		lower = b.AfterMS
	}
}

// TestOracleCatchesStaleSelfView plants a self-view one version behind the
// owner at its read: it is a violation; the current one is not.
func TestOracleCatchesStaleSelfView(t *testing.T) {
	hist := strategies.NewHistory()
	o := newOracle(hist, 10, 0, time.Minute, 0)
	o.committed(&strategies.List{Seller: 3, Version: 1, Committed: time.Second})
	o.committed(&strategies.List{Seller: 3, Version: 2, Committed: 2 * time.Second})
	at := 3 * time.Second
	for _, v := range []uint64{2, 1} {
		page := &strategies.Page{Kind: "self", Sections: []strategies.Section{{Seller: 3, Version: v, ReadAt: at, FromOwner: true}}}
		o.rendered("self", []strategies.Seller{3}, at, at, page, false)
	}
	if got := o.metrics().SelfViewViolations; got != 1 {
		t.Errorf("self-view violations = %d; want 1 (the planted one at version 1)", got)
	}
}

// theoryScenario is async with a propagation delay dominated by a constant
// 200ms delivery latency: instant links, no page work, uniform traffic,
// add-only writes at λ = 1/s per seller.
const theoryScenario = `
name: theory
seed: 7
duration: 60s
warmup: 5s
strategies: [async]
population: {sellers: 100, with_clients: 1, clients_per_seller: 2}
traffic:
  pages: {rate: 2000/s, popularity: uniform, mix: {gig: 1}}
  writes: {rate: 100/s, mix: {add: 1}}
services:
  topclients: {workers: 8, service_time: 1ms}
  gig: {workers: 64, service_time: 0s}
  user: {workers: 64, service_time: 0s}
  search: {workers: 64, service_time: 0s}
network: {default: {latency: 0s}}
broker: {partitions: 4, publish_latency: 0s, delivery_latency: 200ms}
options: {async: {relay_interval: 1ms, reconcile_every: 0s}}
`

// TestAsyncStalenessMatchesTheoryEndToEnd: the whole pipeline (owner,
// outbox relay, broker, consumer, view, page, oracle) gives the stale
// fraction and version lag theory predicts for its propagation delay D:
// 200ms of delivery plus the relay's 0–1ms poll (0.5ms on average) and
// the owner's 1ms of work, which delays the commit, not the read.
func TestAsyncStalenessMatchesTheoryEndToEnd(t *testing.T) {
	sc, err := Parse("theory.yaml", []byte(theoryScenario))
	if err != nil {
		t.Fatal(err)
	}
	m, _, err := RunOne(sc, strategies.Async, sc.Seed)
	if err != nil {
		t.Fatal(err)
	}
	all := m.Pages["all"]
	t.Logf("stale fraction %.4f, versions behind %.4f, propagation %+v", all.StaleFraction, all.VersionsBehind, m.PropagationMS)
	const lambda, d = 1.0, 0.2005
	p := 1 - math.Exp(-lambda*d)
	// Reads of one seller within D of each other see the same commits, so
	// they are not independent: the error is taken over the 6,000 commit
	// windows, not the 120,000 reads.
	se := math.Sqrt(p * (1 - p) / 6000)
	within4SE(t, "stale fraction", all.StaleFraction, p, se)
	within4SE(t, "mean versions behind", all.VersionsBehind, lambda*d, math.Sqrt(lambda*d/6000))
	if all.Availability != 1 || all.Completeness != 1 {
		t.Errorf("availability %v, completeness %v; want both 1 without faults", all.Availability, all.Completeness)
	}
	if pr := m.PropagationMS; math.Abs(pr.P50-200.5) > 1 || pr.Max > 202 {
		t.Errorf("propagation = %+v; want about 200.5ms, never more than 202ms", pr)
	}
}
