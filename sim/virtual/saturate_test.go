package virtual

import (
	"math"
	"testing"
	"time"

	"github.com/sharebench/sharebench/sim"
)

// TestHeavyTailsNeverScheduleInThePast: delays drawn from tails far past
// the longest Duration (link latency, service time, a slowdown on top,
// timeouts of the longest Duration) saturate: the run neither panics nor
// delivers anything late, and what is due after the run's end simply has
// not arrived by then.
func TestHeavyTailsNeverScheduleInThePast(t *testing.T) {
	tail := func(s string) sim.DurationDist {
		d, err := sim.ParseDurationDist(s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	for _, tt := range []struct {
		name          string
		link, service string
		none          bool // every delay saturates: nothing is answered
	}{
		{"pareto link", "{dist: pareto, min: 1ms, alpha: 0.05}", "1ms", false},
		{"lognormal service", "1ms", "{dist: lognormal, median: 1ms, sigma: 50}", false},
		{"both", "{dist: pareto, min: 1ms, alpha: 0.05}", "{dist: lognormal, median: 1ms, sigma: 50}", false},
		{"always past the end", "{dist: exp, mean: 2000000h}", "{dist: pareto, min: 1ns, alpha: 1e-300}", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := New(7, WithDefaultLink(LinkSpec{Latency: tail(tt.link)}))
			defer w.Close()
			serve(t, w, "server", sim.ServiceSpec{Workers: 1000, ServiceTime: tail(tt.service)})
			if err := w.Inject(sim.Fault{At: 500 * time.Millisecond, For: time.Second, Kind: sim.Slowdown, Target: "server", Factor: 1e12}); err != nil {
				t.Fatal(err)
			}
			client := w.Node("client")
			const n = 2000
			const end = 2 * time.Second
			answered := 0
			for i := range n {
				sent := time.Duration(i) * time.Millisecond
				w.At(sent, func() {
					client.Send("server", "get", nil, time.Duration(math.MaxInt64), func(_ any, err error) {
						if err == nil {
							answered++
						}
						if now := w.Now(); now < sent || now > end {
							t.Errorf("request sent at %v answered at %v; want within [sent, %v]", sent, now, end)
						}
					})
				})
			}
			w.Run(end)
			if tt.none && answered != 0 {
				t.Errorf("%d of %d requests answered by %v; want none", answered, n, end)
			}
			if !tt.none && (answered == 0 || answered == n) {
				t.Errorf("%d of %d requests answered by %v; want some but not all (the tail saturates past the run)", answered, n, end)
			}
		})
	}
}

// TestEventLimit: with a limit of n events Run stops after exactly n,
// leaves the clock at the last one and reports OverLimit; without
// pending work the limit is not "over".
func TestEventLimit(t *testing.T) {
	w := New(1)
	defer w.Close()
	var fired []time.Duration
	var tick func()
	tick = func() {
		fired = append(fired, w.Now())
		w.At(w.Now()+time.Millisecond, tick) // an endless chain
	}
	w.At(0, tick)
	w.SetEventLimit(10)
	w.Run(time.Second)
	if got := w.Events(); got != 10 || len(fired) != 10 {
		t.Errorf("Run under a limit of 10: Events() = %d, %d fired; want 10, 10", got, len(fired))
	}
	if !w.OverLimit() || w.Now() != 9*time.Millisecond {
		t.Errorf("after the limit: OverLimit() = %v, Now() = %v; want true, 9ms", w.OverLimit(), w.Now())
	}

	idle := New(1)
	defer idle.Close()
	idle.At(time.Millisecond, func() {})
	idle.SetEventLimit(1)
	idle.Run(time.Second)
	if idle.OverLimit() || idle.Now() != time.Second {
		t.Errorf("one event under a limit of 1: OverLimit() = %v, Now() = %v; want false, 1s", idle.OverLimit(), idle.Now())
	}
}
