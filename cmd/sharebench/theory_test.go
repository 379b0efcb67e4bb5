package main

// Whole-stack theory tests: a scenario file goes through `sharebench run`
// and the figures are read back from the result.json a user gets, then
// pinned to what queueing theory or exact counting says. Determinism and
// ratio tests cannot see an error every strategy shares (a wrong oracle, a
// wrong rate); these can. Tolerances come from standard errors the tests
// measure over independent seeds (`-seeds N`, each seed's figures kept
// under replicas), never from assumed variances.

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/sharebench/sharebench/results"
	"github.com/sharebench/sharebench/strategies"
)

// runResult writes text as a scenario file, runs `sharebench run -q -o DIR
// [args] FILE` and reads DIR/result.json back.
func runResult(t *testing.T, text string, args ...string) *results.File {
	t.Helper()
	file := filepath.Join(t.TempDir(), "theory.yaml")
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	argv := append(append([]string{"run", "-q", "-o", dir}, args...), file)
	if err := run(argv, &stdout, &stderr); err != nil {
		t.Fatalf("run %v: %v\n%s", argv, err, stderr.String())
	}
	f, err := results.ReadFile(filepath.Join(dir, resultName))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// seedSpread is the mean of x over a strategy's replicas and its standard
// error, sd/√n, measured from the seeds' spread.
func seedSpread(t *testing.T, m *results.Metrics, x func(*results.Metrics) float64) (mean, se float64) {
	t.Helper()
	n := len(m.Replicas)
	if n < 5 {
		t.Fatalf("%d replicas in the result file; want ≥ 5 to measure a standard error", n)
	}
	var sum, sq float64
	for _, r := range m.Replicas {
		sum += x(r)
	}
	mean = sum / float64(n)
	for _, r := range m.Replicas {
		sq += (x(r) - mean) * (x(r) - mean)
	}
	return mean, math.Sqrt(sq / float64(n-1) / float64(n))
}

// near fails t unless got is within 4 measured standard errors of want.
// A standard error of 0 (the seeds agree exactly) would make any
// difference fatal, so the HDR histograms' 0.1 % resolution is a floor.
func near(t *testing.T, what string, got, want, se float64) {
	t.Helper()
	tol := max(4*se, 0.001*math.Abs(want))
	if math.Abs(got-want) > tol {
		t.Errorf("%s = %.4f; want %.4f ± %.4f (4 SE, SE %.4f measured over the seeds; off by %+.1f%%)",
			what, got, want, tol, se, 100*(got-want)/want)
	} else {
		t.Logf("%s = %.4f; theory %.4f ± %.4f", what, got, want, tol)
	}
}

// mm1Scenario makes a page's latency a textbook queue plus constant hops:
// sync, every link a constant 1ms, page services doing no work of their
// own, and the owner a single worker (or `workers`) with exponential
// service times of mean 2ms, with no timeouts, retries or writes in the
// way. A gig page is four hops (client→gig→owner→gig→client) plus the
// owner's sojourn; a search page's batch call is one request like a gig
// page's get. Arrivals are Poisson at `rate` and stay Poisson after a
// constant delay, so the owner is M/M/c.
const mm1Scenario = `
name: mm1
seed: 11
duration: 20s
warmup: 1s
strategies: [sync]
population: {sellers: 1000, with_clients: 0.5, clients_per_seller: 3}
traffic:
  pages: {rate: %d/s, arrival: poisson, popularity: uniform, mix: {gig: 0.7, search: 0.3}, search_results: 5}
  writes: {rate: 0/s}
services:
  topclients: {workers: %d, service_time: {dist: exp, mean: 2ms}}
  gig: {workers: 1000, service_time: 0s}
  user: {workers: 1000, service_time: 0s}
  search: {workers: 1000, service_time: 0s}
network: {default: {latency: 1ms}}
options: {sync: {timeout: 10s, retries: 0, parallel: true}}
`

// TestPageLatencyIsMM1SojournPlusHops: with one owner worker at ρ = 0.5
// (λ = 250/s, S = 2ms), the owner's sojourn is exponential with rate
// μ − λ = 250/s, so a page takes 4ms of hops plus Exp(250/s): mean 8ms,
// p50 4 + 4·ln 2 ms, p99 4 + 4·ln 100 ms.
func TestPageLatencyIsMM1SojournPlusHops(t *testing.T) {
	f := runResult(t, fmt.Sprintf(mm1Scenario, 250, 1), "-seeds", "8", "-parallel", "2")
	m := f.Strategies["sync"]
	const hops, sojourn = 4.0, 4.0 // ms; sojourn mean 1/(μ−λ)
	quantile := func(p float64) float64 { return hops + sojourn*math.Log(1/(1-p)) }
	for _, kind := range []string{"all", "gig", "search"} {
		pm := m.Pages[kind]
		if pm == nil || pm.Count == 0 {
			t.Fatalf("pages.%s: no renders in the result file", kind)
		}
		_, se := seedSpread(t, m, func(r *results.Metrics) float64 { return r.Pages[kind].LatencyMS.Mean })
		near(t, "pages."+kind+".latency.mean (ms)", pm.LatencyMS.Mean, hops+sojourn, se)
	}
	all := m.Pages["all"]
	_, se50 := seedSpread(t, m, func(r *results.Metrics) float64 { return r.Pages["all"].LatencyMS.P50 })
	near(t, "pages.all.latency.p50 (ms)", all.LatencyMS.P50, quantile(0.5), se50)
	_, se99 := seedSpread(t, m, func(r *results.Metrics) float64 { return r.Pages["all"].LatencyMS.P99 })
	near(t, "pages.all.latency.p99 (ms)", all.LatencyMS.P99, quantile(0.99), se99)
	// Nothing is faster than the hops: the minimum is fixed by the links.
	if all.Availability != 1 {
		t.Errorf("availability %v; want 1 (no faults, no timeouts)", all.Availability)
	}
}

// TestPageLatencyIsMMcSojournPlusHops: two owner workers at ρ = 0.5
// (λ = 500/s, S = 2ms, offered load a = 1): Erlang C gives the chance of
// waiting C(2, 1) = 1/3 and a mean wait of C/(cμ − λ) = 2ms/3, so the mean
// page takes 4ms of hops + 2ms + 2/3 ms.
func TestPageLatencyIsMMcSojournPlusHops(t *testing.T) {
	f := runResult(t, fmt.Sprintf(mm1Scenario, 500, 2), "-seeds", "6", "-parallel", "2")
	m := f.Strategies["sync"]
	const want = 4 + 2 + 2.0/3
	_, se := seedSpread(t, m, func(r *results.Metrics) float64 { return r.Pages["all"].LatencyMS.Mean })
	near(t, "pages.all.latency.mean (ms)", m.Pages["all"].LatencyMS.Mean, want, se)
	// Utilisation shows in the owner's rate: λ requests a second.
	_, seRPS := seedSpread(t, m, func(r *results.Metrics) float64 { return r.Owner.RPS })
	near(t, "owner.rps", m.Owner.RPS, 500, seRPS)
}

// countScenario sends pages at constant spacing (every 5ms, the first at
// 5ms) over 1ms hops, with no writes, timeouts or retries, so every call
// the owner gets is one the workload implies and the counts are exact:
// pages sent in the measured [1s, 11s) are i = 200 … 2199, 2,000 of them,
// and their owner calls arrive at i·5ms + 1ms, inside the same window. No
// anti-entropy, so views never call the owner either.
const countScenario = `
name: count
seed: 5
duration: 10s
warmup: 1s
strategies: [sync, async, async-dualwrite, hybrid]
population: {sellers: 500, with_clients: %v, clients_per_seller: 2}
traffic:
  pages: {rate: 200/s, arrival: constant, popularity: uniform, mix: {gig: 0.4, user: 0.25, search: 0.2, self: 0.15}, search_results: 7}
  writes: {rate: 0/s}
services:
  topclients: {workers: 8, service_time: 100us}
  gig: {workers: 64, service_time: 0s}
  user: {workers: 64, service_time: 0s}
  search: {workers: 64, service_time: 0s}
network: {default: {latency: 1ms}}
options:
  sync: {timeout: 10s, retries: 0}
  async: {reconcile_every: 0s}
  hybrid: {reconcile_every: 0s}
`

// TestOwnerRequestsAreExactCounts: owner.requests is the number of calls
// the pages imply, exactly. Sync calls once per page (a search page's
// sellers go in one batch); async and async-dualwrite only for self-views,
// which read the owner everywhere; hybrid for self-views and for public
// pages showing a seller with clients: all of them at with_clients 1, none
// at 0. owner.rps is requests over the measured seconds, and the series'
// per-second owner load adds up to every call of the run, warm-up and all
// (2,199 pages sent at 5ms … 10,995ms).
func TestOwnerRequestsAreExactCounts(t *testing.T) {
	const measured, sent, k = 2000, 2199, 7
	for _, withClients := range []float64{0, 1} {
		f := runResult(t, fmt.Sprintf(countScenario, withClients))
		for _, s := range f.Order {
			m := f.Strategies[s]
			count := func(kind string) int64 { return m.Pages[kind].Count }
			var pages int64
			for _, kind := range []string{"gig", "user", "search", "self"} {
				pages += count(kind)
			}
			if pages != measured || count("all") != measured-count("self") {
				t.Errorf("with_clients %v, %s: %d pages measured (all %d, self %d); want %d at 200/s for 10s",
					withClients, s, pages, count("all"), count("self"), measured)
			}
			var want, wantReads, wantTotal int64
			switch {
			case s == "sync" || (s == "hybrid" && withClients == 1):
				want, wantTotal = measured, sent
				wantReads = count("gig") + count("user") + count("self") + k*count("search")
			default: // self-views only
				want, wantReads = count("self"), count("self")
				wantTotal = -1 // self-views of the warm-up are not in the file
			}
			if m.Owner.Requests != want {
				t.Errorf("with_clients %v, %s: owner.requests = %d; want %d", withClients, s, m.Owner.Requests, want)
			}
			if m.Owner.Reads != wantReads {
				t.Errorf("with_clients %v, %s: owner.reads = %d; want %d", withClients, s, m.Owner.Reads, wantReads)
			}
			if rps := float64(want) / f.DurationS; m.Owner.RPS != rps {
				t.Errorf("with_clients %v, %s: owner.rps = %v; want %d requests / %vs = %v", withClients, s, m.Owner.RPS, want, f.DurationS, rps)
			}
			if wantTotal >= 0 {
				var total float64
				for _, sec := range m.Series {
					total += sec.OwnerRPS
				}
				if int64(total) != wantTotal {
					t.Errorf("with_clients %v, %s: the series' owner_rps adds up to %v; want every call of the run, %d", withClients, s, total, wantTotal)
				}
			}
			if m.Owner.Rejected != 0 || m.Pages["all"].Availability != 1 {
				t.Errorf("with_clients %v, %s: %d rejected, availability %v; want none and 1", withClients, s, m.Owner.Rejected, m.Pages["all"].Availability)
			}
		}
	}
}

// dupScenario: every seller starts with three clients, and the only
// writes are reorders, which change a list's version and order but not
// its encoded size. So however many events a view applies, it ends up
// holding one list (or one ID set) per seller, of the size it started
// with; a view that added an event's bytes without taking away those of
// the entry it replaced would grow with every write. The caches of
// sync-cache never expire within the run and every seller is read by every
// page service many times over, so each cache ends up holding every list
// too.
const dupScenario = `
name: dup
seed: 9
duration: 20s
warmup: 1s
strategies: [sync, sync-cache, async, async-dualwrite, hybrid]
population: {sellers: 200, with_clients: 1, clients_per_seller: 3, client_bytes: 150}
traffic:
  pages: {rate: 500/s, popularity: uniform, mix: {gig: 0.4, user: 0.3, search: 0.3}, search_results: 5}
  writes: {rate: 100/s, popularity: uniform, mix: {reorder: 1}}
options:
  sync: {cache_ttl: 1h}
  async: {reconcile_every: 0s}
`

// TestDuplicationIsExactSumOverViews: duplication_bytes per page service
// is the sum over sellers of the encoded event of what it holds, sized
// here by msgpack itself (the strategies size lists by arithmetic): 0 for
// sync, the full lists for async and async-dualwrite and for sync-cache's
// caches, the ID sets for hybrid.
func TestDuplicationIsExactSumOverViews(t *testing.T) {
	const sellers, clients, clientBytes = 200, 3, 150
	var lists, ids int64
	for s := range strategies.Seller(sellers) {
		ev := strategies.ListEvent{Seller: s, Version: 1}
		idsEv := strategies.IDsEvent{Seller: s, Version: 1}
		for k := range uint32(clients) {
			id := uint32(s)*1024 + k // workload's numbering of a seller's clients
			ev.Clients = append(ev.Clients, strategies.NewClient(id, clientBytes))
			idsEv.IDs = append(idsEv.IDs, id)
		}
		lists += encodedLen(t, ev)
		ids += encodedLen(t, idsEv)
	}
	f := runResult(t, dupScenario)
	want := map[string]int64{"sync": 0, "sync-cache": lists, "async": lists, "async-dualwrite": lists, "hybrid": ids}
	for _, s := range f.Order {
		m := f.Strategies[s]
		for _, svc := range strategies.PageServiceNames {
			if got := m.DuplicationBytes[svc]; got != want[s] {
				t.Errorf("%s: duplication_bytes.%s = %d; want %d (%d sellers' encoded lists)", s, svc, got, want[s], sellers)
			}
		}
		if m.Owner.Rejected != 0 {
			t.Errorf("%s: owner rejected %d requests; want none", s, m.Owner.Rejected)
		}
	}
	// The views must have applied writes for the test to mean anything.
	if p := f.Strategies["async"].Broker.Published; p < 1000 {
		t.Errorf("async published %d events; want the ~2,000 reorders of 20s at 100/s (less the no-ops)", p)
	}
}

func encodedLen(t *testing.T, v any) int64 {
	b, err := msgpack.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return int64(len(b))
}

// staleScenario is workload's end-to-end staleness scenario
// (TestAsyncStalenessMatchesTheoryEndToEnd): async whose propagation
// delay D is a constant 200ms of delivery plus the relay's 0–1ms poll
// (0.5ms on average); instant links and pages, so a section is read when
// the page completes; uniform traffic; add-only writes, each of which
// commits, at λ = 100/s over 100 sellers = 1/s per seller.
const staleScenario = `
name: stale
seed: 7
duration: 30s
warmup: 5s
strategies: [async]
population: {sellers: 100, with_clients: 1, clients_per_seller: 2}
traffic:
  pages: {rate: 1000/s, popularity: uniform, mix: {gig: 1}}
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

// TestStaleFractionIsOneMinusExpLambdaD: with Poisson commits at λ per
// seller, each visible after D, a read is stale exactly when a commit
// fell within the last D: probability 1 − e^(−λD); it is behind by the
// number of those commits, Poisson with mean λD; and its staleness, the
// time since the first commit it misses, is D − X for X ~ Exp(λ) given
// X < D: mean D − 1/λ + D·e^(−λD)/(1 − e^(−λD)).
func TestStaleFractionIsOneMinusExpLambdaD(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: eight seeds of 35s at 1,000 pages/s take seconds")
	}
	f := runResult(t, staleScenario, "-seeds", "8", "-parallel", "2")
	m := f.Strategies["async"]
	const lambda, d = 1.0, 0.2005 // 1/s, s
	p := 1 - math.Exp(-lambda*d)
	all := m.Pages["all"]
	_, se := seedSpread(t, m, func(r *results.Metrics) float64 { return r.Pages["all"].StaleFraction })
	near(t, "pages.all.stale_fraction", all.StaleFraction, p, se)
	_, seV := seedSpread(t, m, func(r *results.Metrics) float64 { return r.Pages["all"].VersionsBehind })
	near(t, "pages.all.versions_behind", all.VersionsBehind, lambda*d, seV)
	staleness := 1000 * (d - 1/lambda + d*math.Exp(-lambda*d)/p) // ms
	_, seS := seedSpread(t, m, func(r *results.Metrics) float64 { return r.Pages["all"].StalenessMS.Mean })
	near(t, "pages.all.staleness.mean (ms)", all.StalenessMS.Mean, staleness, seS)
	if max := all.StalenessMS.Max; max > 1000*d+1 {
		t.Errorf("staleness max = %.2fms; no read can be staler than D = %.1fms", max, 1000*d)
	}
}

// TestRunDurationAndSeedFlags: -duration sets the measured window the
// counts and rates are taken over, and -seed the seed; a -duration no
// longer than the warm-up is a usage error.
func TestRunDurationAndSeedFlags(t *testing.T) {
	f := runResult(t, fmt.Sprintf(countScenario, 1), "-duration", "4s", "-seed", "9")
	if f.DurationS != 4 || len(f.Seeds) != 1 || f.Seeds[0] != 9 {
		t.Errorf("duration %vs, seeds %v; want 4s and [9]", f.DurationS, f.Seeds)
	}
	// Pages every 5ms over the measured [1s, 5s): 800, each one call.
	if m := f.Strategies["sync"]; m.Owner.Requests != 800 || m.Owner.RPS != 200 {
		t.Errorf("sync: owner.requests %d, owner.rps %v; want 800 and 200 over the 4s measured", m.Owner.Requests, m.Owner.RPS)
	}
	file := filepath.Join(t.TempDir(), "count.yaml")
	if err := os.WriteFile(file, []byte(fmt.Sprintf(countScenario, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	err := run([]string{"run", "-q", "-o", t.TempDir(), "-duration", "1s", file}, &stdout, &stderr)
	var ue usageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "must be shorter than the measured duration") {
		t.Errorf("run -duration 1s with a 1s warm-up = %v; want a usage error saying it must be longer than the warm-up", err)
	}
}
