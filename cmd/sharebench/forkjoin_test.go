package main

// Whole-stack theory tests of pages that read several owners (the general
// form): fork–join latency against Nelson & Tantawi, and availability
// composing over owners with independent outage schedules. Like
// theory_test.go, each writes a scenario file, runs `sharebench run` and
// reads result.json back.

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/sharebench/sharebench/pages"
	"github.com/sharebench/sharebench/results"
)

// forkJoinScenario is a page reading k owners in parallel, each owner an
// M/M/1 station: one worker, an unbounded queue, exponential service of
// mean 1ms (μ = 1000/s), Poisson page arrivals at rate λ. Nothing else
// takes time: links of 0s, a page service doing no work of its own with
// more workers than pages in flight, no writes (so no broker traffic),
// sync with no retries and timeouts far beyond any sojourn. Each page
// makes one call per owner (a batch read of one record), all at the
// instant it arrives, so a page's latency is the largest of its k
// sojourns: the classical homogeneous fork–join queue.
func forkJoinScenario(k int, rate float64, duration, warmup string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "name: fork-join-%d\nseed: 3\nduration: %s\nwarmup: %s\nstrategies: [sync]\nowners:\n", k, duration, warmup)
	for i := range k {
		fmt.Fprintf(&b, "  o%d:\n", i+1)
		b.WriteString("    population: {records: 1000, with_data: 1, items: 1, item_bytes: 100}\n")
		b.WriteString("    service: {workers: 1, queue: unbounded, service_time: {dist: exp, mean: 1ms}}\n")
		b.WriteString("    writes: {rate: 0/s}\n")
	}
	b.WriteString("page_services:\n  front: {workers: 10000, queue: unbounded, service_time: 0s}\n")
	b.WriteString("page_kinds:\n  fork:\n    service: front\n    share: 1\n    order: parallel\n    reads:\n")
	for i := range k {
		fmt.Fprintf(&b, "      - {owner: o%d, records: 1, call: batch, section: optional}\n", i+1)
	}
	fmt.Fprintf(&b, "traffic:\n  pages: {rate: %v/s, arrival: poisson, popularity: uniform, timeout: 60s}\n", rate)
	b.WriteString("network: {default: {latency: 0s}}\n")
	b.WriteString("options: {sync: {timeout: 60s, retries: 0, parallel: true}}\n")
	return b.String()
}

// harmonic is H_k = 1 + 1/2 + … + 1/k.
func harmonic(k int) float64 {
	h := 0.0
	for i := 1; i <= k; i++ {
		h += 1 / float64(i)
	}
	return h
}

// forkJoinMean is the mean response time of the k-way fork–join of
// M/M/1 queues at utilisation ρ = λ/μ, in units of 1/μ.
//
//   - k = 1: the M/M/1 sojourn, 1/(μ − λ).
//   - k = 2: (12 − ρ)/8 · 1/(μ − λ), exact (Flatto & Hahn 1984, as
//     Nelson & Tantawi 1988 state it).
//   - k > 2: Nelson & Tantawi's scaling approximation,
//     R_k ≈ [H_k/H_2 + (4/11)(1 − H_k/H_2)ρ] · (12 − ρ)/8 · 1/(μ − λ):
//     R. Nelson and A. N. Tantawi, "Approximate analysis of fork/join
//     synchronization in parallel queues", IEEE Trans. Computers 37(6),
//     739–743, 1988, whose relative error against simulation is under 5 %
//     for k ≤ 32; restated in A. Thomasian, "Analysis of fork/join and
//     related queueing systems", ACM Computing Surveys 47(2), 2014.
//
// At ρ → 0 every case tends to H_k/μ, the mean of the largest of k
// exponentials.
func forkJoinMean(k int, rho float64) float64 {
	r := 1 / (1 - rho) // 1/(μ − λ) in units of 1/μ
	switch k {
	case 1:
		return r
	case 2:
		return (12 - rho) / 8 * r
	}
	ratio := harmonic(k) / harmonic(2)
	return (ratio + 4.0/11*(1-ratio)*rho) * (12 - rho) / 8 * r
}

// pagesOverSeeds counts the public pages of every seed's run.
func pagesOverSeeds(m *results.Metrics) int64 {
	var n int64
	for _, r := range m.Replicas {
		if p := r.Pages[pages.All]; p != nil {
			n += p.Count
		}
	}
	return n
}

// TestForkJoinMeanMatchesNelsonTantawi: a page reading k ∈ {1, 2, 4, 8}
// owners in parallel, each owner M/M/1 at ρ = 0.5 (λ = 500 pages/s,
// μ = 1000/s), has the mean latency of the fork–join queue.
//
// Run length: 8 seeds of 40s measured after a 2s warm-up, 20,000 pages a
// seed (the M/M/1 relaxes in about 1/(μ(1−√ρ)²) ≈ 12ms, so 2s is hundreds of
// relaxation times). The standard error SE is measured over the seeds
// (theory_test.go's seedSpread).
//
// Tolerance: k = 1 and k = 2 are exact, so 4 SE (with the HDR histogram's
// 0.1 % resolution as a floor). k = 4 and 8 are the approximation, whose
// own error is under 5 % (the paper's bound), so 5 % of it plus 4 SE.
// Independently of any approximation, every k must lie within the bounds
// Nelson & Tantawi prove: above H_k/μ (each sojourn is at least its
// service time, and the largest of k service times has mean H_k/μ) and
// below H_k/(μ − λ) (a job's sojourns are associated random variables, so
// their maximum is no larger on average than that of k independent
// M/M/1 sojourns). Each is also checked against 4 SE.
//
// A harness that ran a page's reads one after another (k·2ms), or that
// added a constant or a factor of 1.3 to latency, fails every k ≥ 2.
func TestForkJoinMeanMatchesNelsonTantawi(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: 4 × 8 seeds of 42s of fork–join runs take seconds")
	}
	const rho, mu = 0.5, 1000.0 // μ per second
	for _, k := range []int{1, 2, 4, 8} {
		t.Run(fmt.Sprintf("k=%d", k), func(t *testing.T) {
			f := runResult(t, forkJoinScenario(k, rho*mu, "40s", "2s"), "-seeds", "8", "-parallel", "2")
			m := f.Strategies["sync"]
			all := m.Pages[pages.All]
			if n := pagesOverSeeds(m); n < 8*19000 {
				t.Fatalf("%d pages over the seeds; want about 8 seeds × 20,000", n)
			}
			if all.Availability != 1 {
				t.Errorf("availability = %v; want 1 (no faults, timeouts far beyond any sojourn)", all.Availability)
			}
			got := all.LatencyMS.Mean
			_, se := seedSpread(t, m, func(r *results.Metrics) float64 { return r.Pages[pages.All].LatencyMS.Mean })
			scale := 1000 / mu // ms per unit 1/μ
			want := forkJoinMean(k, rho) * scale
			approx := 0.0
			if k > 2 {
				approx = 0.05 * want
			}
			tol := max(4*se, 0.001*want) + approx
			if math.Abs(got-want) > tol {
				t.Errorf("k=%d, ρ=%v: mean page latency = %.4fms ± %.4f (95 %% over the seeds); want %.4fms ± %.4f (4 SE + %.4f of the approximation); off by %+.1f%%",
					k, rho, got, 2.365*se, want, tol, approx, 100*(got-want)/want)
			} else {
				t.Logf("k=%d, ρ=%v: mean page latency %.4fms (SE %.4f over %d seeds); theory %.4fms ± %.4f", k, rho, got, se, len(m.Replicas), want, tol)
			}
			lower, upper := harmonic(k)*scale, harmonic(k)/(1-rho)*scale
			if got < lower-4*se || got > upper+4*se {
				t.Errorf("k=%d, ρ=%v: mean page latency = %.4fms; outside the proven bounds [H_k/μ, H_k/(μ−λ)] = [%.4f, %.4f]ms (± 4 SE %.4f)", k, rho, got, lower, upper, 4*se)
			}
		})
	}
}

// TestForkJoinLightLoadIsMeanOfMaximum: at ρ = 0.01 (λ = 10 pages/s,
// μ = 1000/s) a call almost never queues, so a page of k parallel reads
// takes the largest of k exponential service times: mean H_k/μ. The
// bounds above pin it exactly: H_k/μ ≤ mean ≤ H_k/(μ − λ) = H_k/μ · 1.0101,
// a 1 % bracket with no approximation in it.
//
// Run length: 6 seeds of 1400s measured (14,000 pages a seed; pages hardly
// interact, so each is nearly an independent sample: the coefficient of
// variation of the largest of k exponentials is at most 1, making the
// standard error of the pooled mean at most 0.35 %). Tolerance: the bracket
// widened by 4 SE measured over the seeds.
func TestForkJoinLightLoadIsMeanOfMaximum(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: 4 × 6 seeds of 1400s of fork–join runs take seconds")
	}
	const rho, mu = 0.01, 1000.0
	for _, k := range []int{1, 2, 4, 8} {
		t.Run(fmt.Sprintf("k=%d", k), func(t *testing.T) {
			f := runResult(t, forkJoinScenario(k, rho*mu, "1400s", "1s"), "-seeds", "6", "-parallel", "2")
			m := f.Strategies["sync"]
			all := m.Pages[pages.All]
			if n := pagesOverSeeds(m); n < 6*13000 {
				t.Fatalf("%d pages over the seeds; want about 6 seeds × 14,000", n)
			}
			got := all.LatencyMS.Mean
			_, se := seedSpread(t, m, func(r *results.Metrics) float64 { return r.Pages[pages.All].LatencyMS.Mean })
			se = max(se, 0.00025*got) // the HDR histogram's resolution as a floor
			lower, upper := harmonic(k)/mu*1000, harmonic(k)/(mu*(1-rho))*1000
			if got < lower-4*se || got > upper+4*se {
				t.Errorf("k=%d, ρ=%v: mean page latency = %.4fms (SE %.4f); want H_k/μ = %.4fms (within [H_k/μ, H_k/(μ−λ)] = [%.4f, %.4f] ± 4 SE); off by %+.2f%%",
					k, rho, got, se, lower, lower, upper, 100*(got-lower)/lower)
			} else {
				t.Logf("k=%d, ρ=%v: mean page latency %.4fms (SE %.4f); H_k/μ = %.4fms", k, rho, got, se, lower)
			}
		})
	}
}

// availabilityScenario: a page shows two optional sections, one of owner
// a and one of owner b, every record with data, read by sync; the owners
// are instant to reach (links of 0s) and quick to answer (100µs, 8
// workers, so calls almost never wait).
//
// The outages are independent in the sense that matters for a fixed
// schedule: the time both are down is the product of their shares. The
// 100s measured from 1s are ten blocks of 10s; b is down for two whole
// blocks ([21s, 31s) and [71s, 81s): 20 %), a for the same second of every
// block ([6s, 7s), [16s, 17s), …, [96s, 97s): 10 %). a's pattern is the
// same in every block and b's state constant within one, so the joint
// time splits as a product: both down 2s (0.1 × 0.2), a alone 8s, b alone
// 18s, both up 72s.
const availabilityScenario = `
name: availability
seed: 13
duration: 100s
warmup: 1s
strategies: [sync]
owners:
  a:
    population: {records: 1000, with_data: 1, items: 2, item_bytes: 100}
    service: {workers: 8, queue: unbounded, service_time: 100us}
    writes: {rate: 0/s}
  b:
    population: {records: 1000, with_data: 1, items: 2, item_bytes: 100}
    service: {workers: 8, queue: unbounded, service_time: 100us}
    writes: {rate: 0/s}
page_services:
  front: {workers: 1000, queue: unbounded, service_time: 0s}
page_kinds:
  page:
    service: front
    share: 1
    reads:
      - {owner: a, section: optional}
      - {owner: b, section: optional}
traffic:
  pages: {rate: 1500/s, arrival: poisson, popularity: uniform, timeout: 5s}
network: {default: {latency: 0s}}
options: {sync: {timeout: 50ms, retries: 0, parallel: true}}
faults:
  - {at: 21s, for: 10s, kind: outage, target: b}
  - {at: 71s, for: 10s, kind: outage, target: b}
%s`

// TestAvailabilityComposes: with independent outages, a page of two
// optional sections under sync shows both (page_completeness) for the
// share of time both owners are up, (1 − 0.1)(1 − 0.2) = 0.72, and each
// owner's sections (completeness@a, completeness@b) for that owner's own
// up-share, 0.9 and 0.8; every page still renders.
//
// Sampling error: pages arrive as a Poisson process independent of the
// schedule, so given n pages each falls in an up-set with its time share
// p, and the measured share is binomial: SE = √(p(1 − p)/n), about 0.0012
// for 150,000 pages at p = 0.72. The edge effect: a call in service when
// its owner goes down is lost with it (an outage stops the node's
// processes), so a page sent up to a call's time (100µs; at 0.19
// erlangs a worker a call almost never waits) before a window opens can
// lose a section; allowing 1ms at each of the 24 window edges bounds it by
// 24ms of the 100s, 0.00024. Tolerance: 4 SE + 0.00024.
func TestAvailabilityComposes(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: 100s at 1,500 pages/s take seconds")
	}
	var faults strings.Builder
	for i := range 10 {
		fmt.Fprintf(&faults, "  - {at: %ds, for: 1s, kind: outage, target: a}\n", 6+10*i)
	}
	f := runResult(t, fmt.Sprintf(availabilityScenario, faults.String()))
	m := f.Strategies["sync"]
	all := m.Pages[pages.All]
	if all == nil || all.Count < 140000 {
		t.Fatalf("pages.all = %+v; want about 150,000 pages", all)
	}
	if all.Availability != 1 {
		t.Errorf("availability = %v; want 1: both sections are optional, so every page renders", all.Availability)
	}
	if all.PageCompleteness == nil {
		t.Fatal("pages.all.page_completeness is absent; the general form must write it")
	}
	if all.PagesWithData != all.Rendered {
		t.Errorf("pages_with_data = %d; want every rendered page, %d (every record has data)", all.PagesWithData, all.Rendered)
	}
	const edge = 24 * 0.001 / 100 // 24 window edges × 1ms of 100s
	check := func(what string, got, p float64, n int64) {
		t.Helper()
		se := math.Sqrt(p * (1 - p) / float64(n))
		if tol := 4*se + edge; math.Abs(got-p) > tol {
			t.Errorf("%s = %.5f; want %.2f ± %.5f (4 binomial SE over %d + edge effect %.5f)", what, got, p, tol, n, edge)
		} else {
			t.Logf("%s = %.5f (95 %% interval ± %.5f over %d); theory %.2f", what, got, 1.96*se, n, p)
		}
	}
	check("page_completeness", *all.PageCompleteness, 0.9*0.8, all.PagesWithData)
	byName := map[string]results.Metric{}
	for _, mt := range results.MetricsFor(f.Topology) {
		byName[mt.Name] = mt
	}
	for owner, up := range map[string]float64{"a": 0.9, "b": 0.8} {
		name := results.Scoped("completeness", owner)
		mt, ok := byName[name]
		if !ok {
			t.Fatalf("results.MetricsFor(the file's topology) has no %s", name)
		}
		o := m.Owners[owner]
		if o == nil {
			t.Fatalf("owners.%s is absent from the result file", owner)
		}
		if o.Strategy != "sync" {
			t.Errorf("owners.%s.strategy = %q; want sync", owner, o.Strategy)
		}
		check(name, mt.Get(m)/100, up, o.Sections.WithClients)
		if o.Sections.WithClients != all.Rendered {
			t.Errorf("owners.%s.sections.with_clients = %d; want one section a rendered page, %d", owner, o.Sections.WithClients, all.Rendered)
		}
	}
	if pc, ok := byName["page_completeness"]; !ok || math.Abs(pc.Get(m)-100**all.PageCompleteness) > 1e-9 {
		t.Errorf("the page_completeness metric reads %v; want the file's %v as a percentage", pc.Get(m), *all.PageCompleteness)
	}
	// Not asserted: the file's own interval for page_completeness. Batch
	// means stratified by the fault windows see no spread here (within each
	// stratum every page is complete or none is), so it reads ± 0.00 where
	// the binomial error above is 0.0012; the Poisson split of pages among
	// the strata is what it leaves out.
	t.Logf("page_completeness: the file's 95%% interval ± %.4f points (stratified batch means)", m.CI95["page_completeness"])
}
