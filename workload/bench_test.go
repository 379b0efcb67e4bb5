package workload

import (
	"testing"

	"github.com/sharebench/sharebench/strategies"
)

// BenchmarkRun runs the baseline scenario for each strategy, with full
// measurement, and reports simulated page requests per wall second on one
// core.
func BenchmarkRun(b *testing.B) {
	sc, _, err := Builtin("baseline")
	if err != nil {
		b.Fatal(err)
	}
	for _, st := range []strategies.Strategy{strategies.Sync, strategies.Async, strategies.Hybrid} {
		b.Run("strategy="+string(st), func(b *testing.B) {
			b.ReportAllocs()
			var pages int64
			for b.Loop() {
				_, n, err := RunOne(sc, st, sc.Seed)
				if err != nil {
					b.Fatal(err)
				}
				pages += n
			}
			b.ReportMetric(float64(pages)/b.Elapsed().Seconds(), "pages/s")
		})
	}
}
