package plot

import (
	"testing"

	"github.com/sharebench/sharebench/results"
)

// hourLong returns the sample stretched to a one-hour run: each strategy's
// per-second series repeated to 3,600 points, with a fault window every
// ten minutes. Histograms and summaries stay as they are: their size does
// not grow with the run's length.
func hourLong(tb testing.TB) *results.File {
	f := readSample(tb)
	long := *f
	long.DurationS = 3600 - f.WarmupS
	long.Strategies = map[string]*results.Metrics{}
	for name, m := range f.Strategies {
		c := *m
		c.Series = make([]results.Second, 3600)
		for i := range c.Series {
			c.Series[i] = m.Series[i%len(m.Series)]
			c.Series[i].T = float64(i)
		}
		long.Strategies[name] = &c
	}
	long.Faults = nil
	for at := 600.0; at < 3600; at += 600 {
		long.Faults = append(long.Faults, results.FaultWindow{AtS: at, ForS: 30, Kind: "outage", Label: "outage topclients (refuse)"})
	}
	return &long
}

// BenchmarkWriteAll draws every plot of a one-hour run, PNG and SVG, into
// files: what `sharebench run` adds to a run. The target is under a second.
func BenchmarkWriteAll(b *testing.B) {
	b.Run("run=1h", func(b *testing.B) {
		f := hourLong(b)
		dir := b.TempDir()
		b.ReportAllocs()
		var files int
		for b.Loop() {
			names, err := WriteAll(dir, f)
			if err != nil {
				b.Fatal(err)
			}
			files = len(names)
		}
		b.ReportMetric(float64(files), "files/op")
	})
}

// BenchmarkFigures is the data half alone: decoding histograms, walking
// series.
func BenchmarkFigures(b *testing.B) {
	f := hourLong(b)
	b.ReportAllocs()
	for b.Loop() {
		Figures(f)
	}
}
