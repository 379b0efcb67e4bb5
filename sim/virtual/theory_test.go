package virtual

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/sharebench/sharebench/sim"
)

// These tests hold long virtual runs to queueing theory. Each measured
// value is compared with its closed form within 4 standard errors, the
// standard error estimated by the method of batch means (40 consecutive
// batches of customers, so the strong autocorrelation of queueing delays
// is accounted for): for approximately normal batch means with 39 degrees
// of freedom a correct simulator fails such a check about once in 3,000
// runs, and a given seed either always passes or always fails. The run
// lengths are chosen so that the standard error is at most 1.5 % of a mean
// and 3 % of a p99 (3.5 times that under -short, which runs a tenth as
// long), which each test also asserts: a tolerance that grew with a noisy
// run would make the check toothless.

const batches = 40

// batchStats splits xs into consecutive batches, applies stat to each, and
// returns the mean of the batch statistics and its standard error.
func batchStats(xs []float64, stat func([]float64) float64) (mean, se float64) {
	size := len(xs) / batches
	vals := make([]float64, batches)
	for i := range vals {
		vals[i] = stat(xs[i*size : (i+1)*size])
	}
	for _, v := range vals {
		mean += v
	}
	mean /= batches
	var ss float64
	for _, v := range vals {
		ss += (v - mean) * (v - mean)
	}
	return mean, math.Sqrt(ss / (batches - 1) / batches)
}

func meanOf(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

func p99Of(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[int(math.Ceil(0.99*float64(len(s))))-1]
}

// run runs customers through spec at arrival rate lambda (per second) with
// Poisson arrivals, and returns response times in seconds (the first 1 %
// dropped as warm-up) and the count of rejected customers.
func runQueue(t *testing.T, seed uint64, spec sim.ServiceSpec, lambda float64, customers int) (rts []float64, outcomes []float64, res QueueResult) {
	t.Helper()
	rts = make([]float64, 0, customers)
	outcomes = make([]float64, 0, customers)
	res = OpenQueue{
		Seed:         seed,
		Service:      spec,
		Interarrival: sim.DurationDist{Dist: sim.Exp{M: 1 / lambda}},
		Customers:    customers,
		Observe: func(rt time.Duration, err error) {
			switch {
			case err == nil:
				rts = append(rts, rt.Seconds())
				outcomes = append(outcomes, 0)
			case errors.Is(err, sim.ErrRejected):
				outcomes = append(outcomes, 1)
			default:
				t.Fatalf("customer failed: %v", err)
			}
		},
	}.Run()
	warm := len(rts) / 100
	return rts[warm:], outcomes[warm:], res
}

func scale(n int) int {
	if testing.Short() {
		return n / 10
	}
	return n
}

// within checks a measurement against theory as the file comment says;
// maxRel is the largest standard error, relative to the value, that still
// makes a sharp test.
func within(t *testing.T, what string, got, se, want, maxRel float64) {
	t.Helper()
	if testing.Short() {
		maxRel *= 3.5
	}
	if rel := se / want; rel > maxRel {
		t.Errorf("%s: standard error %.3g is %.1f%% of the value; the run is too short to test anything", what, se, 100*rel)
	}
	if math.Abs(got-want) > 4*se {
		t.Errorf("%s = %.6g; want %.6g ± %.3g (4 standard errors)", what, got, want, 4*se)
	} else {
		t.Logf("%s = %.6g; theory %.6g; off by %.2f standard errors (se %.2f%%)", what, got, want, math.Abs(got-want)/se, 100*se/want)
	}
}

func expService(mean float64) sim.DurationDist { return sim.DurationDist{Dist: sim.Exp{M: mean}} }

// TestMM1: mean response 1/(μ−λ) and, the response time being exponential
// with rate μ−λ, p99 = ln(100)/(μ−λ). Heavier loads need longer runs: the
// relaxation time grows like 1/(1−√ρ)².
func TestMM1(t *testing.T) {
	const mu = 1000.0 // per second: 1 ms mean service
	for _, tc := range []struct {
		rho       float64
		customers int
	}{{0.5, 400_000}, {0.8, 1_500_000}, {0.9, 4_000_000}} {
		t.Run(fmt.Sprintf("rho=%v", tc.rho), func(t *testing.T) {
			if testing.Short() && tc.rho > 0.8 {
				t.Skip("-short: at ρ = 0.9 the p99 needs the full 4M customers to be estimated sharply")
			}
			lambda := tc.rho * mu
			rts, _, _ := runQueue(t, 7, sim.ServiceSpec{Workers: 1, ServiceTime: expService(1 / mu)}, lambda, scale(tc.customers))
			mean, se := batchStats(rts, meanOf)
			within(t, "mean response (s)", mean, se, 1/(mu-lambda), 0.015)
			p99, se99 := batchStats(rts, p99Of)
			within(t, "p99 response (s)", p99, se99, math.Log(100)/(mu-lambda), 0.03)
		})
	}
}

// erlangC is the probability that an arrival waits in an M/M/c queue with
// offered load a = λ/μ.
func erlangC(c int, a float64) float64 {
	term, sum := 1.0, 1.0 // a^k/k! for k = 0
	for k := 1; k < c; k++ {
		term *= a / float64(k)
		sum += term
	}
	top := term * a / float64(c) * float64(c) / (float64(c) - a) // a^c/c! · c/(c−a)
	return top / (sum + top)
}

// TestMMc: with c = 4 workers the mean wait in queue is C(c, a)/(cμ − λ)
// (Erlang C), so the mean response is that plus 1/μ.
func TestMMc(t *testing.T) {
	const mu, c, rho = 1000.0, 4, 0.8
	lambda := rho * c * mu
	rts, _, _ := runQueue(t, 11, sim.ServiceSpec{Workers: c, ServiceTime: expService(1 / mu)}, lambda, scale(2_000_000))
	mean, se := batchStats(rts, meanOf)
	want := erlangC(c, lambda/mu)/(c*mu-lambda) + 1/mu
	within(t, "M/M/4 mean response (s)", mean, se, want, 0.015)
}

// TestMD1: with deterministic service the Pollaczek–Khinchine formula
// gives a mean wait in queue of ρ/(2μ(1−ρ)).
func TestMD1(t *testing.T) {
	const mu, rho = 1000.0, 0.8
	lambda := rho * mu
	rts, _, _ := runQueue(t, 13, sim.ServiceSpec{Workers: 1, ServiceTime: sim.ConstDuration(time.Millisecond)}, lambda, scale(1_000_000))
	mean, se := batchStats(rts, meanOf)
	within(t, "M/D/1 mean response (s)", mean, se, rho/(2*mu*(1-rho))+1/mu, 0.015)
}

// TestErlangB: with no waiting room (M/M/c/c) an arrival is rejected with
// probability B(c, a) = (a^c/c!) / Σ_{k≤c} a^k/k!, whatever the service-
// time distribution; lognormal service checks that insensitivity too.
func TestErlangB(t *testing.T) {
	const mu, c, a = 1000.0, 4, 3.0
	term, sum := 1.0, 1.0
	for k := 1; k <= c; k++ {
		term *= a / float64(k)
		sum += term
	}
	blocking := term / sum
	for _, svc := range []struct {
		name string
		dist sim.DurationDist
	}{
		{"exp", expService(1 / mu)},
		{"lognormal", sim.DurationDist{Dist: sim.LogNormal{Mu: math.Log(1/mu) - 0.5, Sigma: 1}}}, // mean 1/μ
	} {
		t.Run(svc.name, func(t *testing.T) {
			_, outcomes, res := runQueue(t, 17, sim.ServiceSpec{Workers: c, Queue: sim.NoQueue, ServiceTime: svc.dist}, a*mu, scale(1_000_000))
			frac, se := batchStats(outcomes, meanOf)
			within(t, "fraction rejected", frac, se, blocking, 0.015)
			if res.Stats.MaxQueue != 0 {
				t.Errorf("MaxQueue = %d with NoQueue; want 0", res.Stats.MaxQueue)
			}
		})
	}
}

// TestMM1K: a queue of 4 behind one worker holds K = 5 customers, and an
// arrival finds it full with probability (1−ρ)ρ^K / (1−ρ^(K+1)).
func TestMM1K(t *testing.T) {
	const mu, rho, queue = 1000.0, 0.9, 4
	k := float64(queue + 1)
	_, outcomes, _ := runQueue(t, 19, sim.ServiceSpec{Workers: 1, Queue: queue, ServiceTime: expService(1 / mu)}, rho*mu, scale(1_000_000))
	frac, se := batchStats(outcomes, meanOf)
	within(t, "fraction rejected", frac, se, (1-rho)*math.Pow(rho, k)/(1-math.Pow(rho, k+1)), 0.015)
}

// TestLittlesLaw: over a run that starts and ends empty, the time integral
// of the number in system equals the sum of the sojourn times exactly
// (L·T = λT·W), whatever the model; and the measured L matches λ·W from
// theory.
func TestLittlesLaw(t *testing.T) {
	const mu, c, rho = 1000.0, 2, 0.7
	lambda := rho * c * mu
	_, _, res := runQueue(t, 23, sim.ServiceSpec{Workers: c, ServiceTime: expService(1 / mu)}, lambda, scale(500_000))
	s := res.Stats
	if s.InSystem != s.Sojourn {
		t.Errorf("∫N(t)dt = %v, Σ sojourn = %v; want equal for a run that ends empty", s.InSystem, s.Sojourn)
	}
	if s.Completed != s.Admitted() {
		t.Errorf("Completed = %d, Admitted = %d; want equal", s.Completed, s.Admitted())
	}
	// Little on the servers alone: mean busy workers = λ/μ.
	busy := s.Busy.Seconds() / res.Elapsed.Seconds()
	if want := lambda / mu; math.Abs(busy-want) > 0.02*want {
		t.Errorf("mean busy workers = %.4f; want λ/μ = %.4f ± 2%%", busy, want)
	}
	l := s.InSystem.Seconds() / res.Elapsed.Seconds()
	w := erlangC(c, lambda/mu)/(c*mu-lambda) + 1/mu
	if want := lambda * w; math.Abs(l-want) > 0.05*want {
		t.Errorf("L = %.4f; want λW = %.4f ± 5%%", l, want)
	}
}
