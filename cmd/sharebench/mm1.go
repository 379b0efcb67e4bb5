package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"text/tabwriter"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/sharebench/sharebench/sim"
	"github.com/sharebench/sharebench/sim/virtual"
)

// mm1Cmd runs the textbook M/M/1 queue through the virtual world's public
// API and prints what it measured beside what queueing theory predicts: the
// quickest way to see that the simulator is right, and how fast it is.
func mm1Cmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("mm1", flag.ContinueOnError)
	fs.SetOutput(stderr)
	rho := fs.Float64("rho", 0.8, "utilisation λ/μ, in (0, 1)")
	service := fs.Duration("service", time.Millisecond, "mean service time 1/μ")
	customers := fs.Int("customers", 1_000_000, "customers to simulate")
	seed := fs.Uint64("seed", 1, "random seed")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case !(*rho > 0 && *rho < 1):
		return usageError{fmt.Sprintf("-rho %v: utilisation must be in (0, 1); at 1 or more the queue grows without bound", *rho)}
	case *service <= 0:
		return usageError{fmt.Sprintf("-service %v: must be > 0", *service)}
	case *customers < 100:
		return usageError{fmt.Sprintf("-customers %d: need at least 100", *customers)}
	}

	mu := 1 / service.Seconds()
	lambda := *rho * mu
	// Microseconds from 1 µs to an hour at 3 significant digits.
	hist := hdrhistogram.New(1, int64(time.Hour/time.Microsecond), 3)
	q := virtual.OpenQueue{
		Seed:         *seed,
		Service:      sim.ServiceSpec{Workers: 1, ServiceTime: sim.DurationDist{Dist: sim.Exp{M: service.Seconds()}}},
		Interarrival: sim.DurationDist{Dist: sim.Exp{M: 1 / lambda}},
		Customers:    *customers,
		Observe: func(rt time.Duration, err error) {
			if err == nil {
				hist.RecordValue(max(1, rt.Microseconds()))
			}
		},
	}
	start := time.Now()
	res := q.Run()
	wall := time.Since(start)

	sec := func(s float64) string { return time.Duration(s * 1e9).Round(time.Microsecond).String() }
	us := func(v int64) float64 { return float64(v) / 1e6 }
	w := 1 / (mu - lambda) // mean response; the response time is exponential with this mean
	elapsed := res.Elapsed.Seconds()

	fmt.Fprintf(stdout, "M/M/1: ρ = %.2f, μ = %.0f/s, λ = %.0f/s, %d customers, seed %d\n\n", *rho, mu, lambda, *customers, *seed)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\tmeasured\ttheory\terror\t")
	row := func(name, got, want string, err float64) {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%+.1f%%\t\n", name, got, want, 100*err)
	}
	rel := func(got, want float64) float64 { return got/want - 1 }
	mean := res.MeanResponse.Seconds()
	row("mean response", sec(mean), sec(w), rel(mean, w))
	for _, p := range []float64{50, 90, 99, 99.9} {
		got := us(hist.ValueAtPercentile(p))
		want := -w * math.Log(1-p/100)
		row(fmt.Sprintf("p%g response", p), sec(got), sec(want), rel(got, want))
	}
	util := res.Stats.Busy.Seconds() / elapsed
	row("utilisation", fmt.Sprintf("%.4f", util), fmt.Sprintf("%.4f", *rho), rel(util, *rho))
	l := res.Stats.InSystem.Seconds() / elapsed
	row("L = λW (Little)", fmt.Sprintf("%.3f", l), fmt.Sprintf("%.3f", *rho/(1-*rho)), rel(l, *rho/(1-*rho)))
	tw.Flush()
	fmt.Fprintf(stdout, "\nsimulated %s of virtual time in %v of wall time: %.2fM customers/s\n",
		res.Elapsed.Round(time.Millisecond), wall.Round(time.Millisecond), float64(*customers)/wall.Seconds()/1e6)
	return nil
}
