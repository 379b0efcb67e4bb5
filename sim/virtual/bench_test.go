package virtual

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/sharebench/sharebench/sim"
)

// BenchmarkEventQueue measures a push and a pop on a queue holding a steady
// number of pending events (the kernel's inner loop without processes).
func BenchmarkEventQueue(b *testing.B) {
	for _, pending := range []int{1_000, 100_000} {
		b.Run(fmt.Sprintf("pending=%d", pending), func(b *testing.B) {
			var q eventQueue
			r := rand.New(rand.NewPCG(1, 2))
			act := actionFunc(func() {})
			for range pending {
				q.schedule(q.now+1+time.Duration(r.IntN(1_000_000)), act, 0)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				q.next(maxTime)
				q.schedule(q.now+1+time.Duration(r.IntN(1_000_000)), act, 0)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// BenchmarkSleepWake is one process sleeping and being woken: a coroutine
// round trip plus an event.
func BenchmarkSleepWake(b *testing.B) {
	w := New(1)
	defer w.Close()
	n := w.Node("n")
	b.ReportAllocs()
	n.Go("sleeper", func(ctx context.Context) {
		for b.Loop() {
			n.Sleep(ctx, time.Nanosecond)
		}
	})
	w.RunUntilIdle()
}

// BenchmarkMM1 runs an M/M/1 queue (ρ = 0.8) of a million customers, each a
// process calling the service through the public API.
func BenchmarkMM1(b *testing.B) {
	const customers = 1_000_000
	q := OpenQueue{
		Seed:         1,
		Service:      sim.ServiceSpec{Workers: 1, ServiceTime: sim.DurationDist{Dist: sim.Exp{M: 0.001}}},
		Interarrival: sim.DurationDist{Dist: sim.Exp{M: 0.00125}},
		Customers:    customers,
	}
	b.ReportAllocs()
	for b.Loop() {
		q.Run()
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/1M-customers")
	b.ReportMetric(float64(customers*b.N)/b.Elapsed().Seconds(), "customers/s")
}
