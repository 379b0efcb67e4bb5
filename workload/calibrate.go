package workload

import (
	"fmt"
	"io"
	"math"
	"text/tabwriter"

	"github.com/sharebench/sharebench/pages"
	"github.com/sharebench/sharebench/results"
)

// Calibration is one figure of one strategy measured virtually and live.
type Calibration struct {
	Strategy, Metric string
	Virtual, Live    float64
	// NVirtual and NLive count the samples each figure rests on (see
	// calibrated); Needed is the fewest either may have for the figure to
	// be judged.
	NVirtual, NLive, Needed int64
	// Within is the agreement asked for: the live figure within this share
	// of the virtual one (0.2 = ±20 %).
	Within float64
	// Verdict is Inside, Outside or TooFew.
	Verdict string
}

// Verdicts.
const (
	Inside  = "inside"
	Outside = "OUTSIDE"
	TooFew  = "too few samples"
)

// OK reports whether the figure was judged and found inside tolerance.
func (c Calibration) OK() bool { return c.Verdict == Inside }

// Ratio is live / virtual (NaN when the virtual figure is 0).
func (c Calibration) Ratio() float64 {
	if c.Virtual == 0 {
		return math.NaN()
	}
	return c.Live / c.Virtual
}

// calMetric is the metric a calibrated figure is judged as, by the rule
// the result tables star by (results.Enough), so calibrate and the tables
// never disagree on it: the registered metric of that name, or for a
// figure the registry lacks (staleness.p50) a percentile of batched
// samples.
func calMetric(name string, quantile float64) results.Metric {
	if mt, ok := results.Lookup(name); ok {
		return mt
	}
	return results.Metric{Name: name, Quantile: quantile, Within: results.Batched}
}

// enough reports whether a figure of m rests on enough samples (n, see
// calibrated) by results.Enough. A rare-event figure (the stale fraction)
// rests on its stale sections: n counts them, out of the sections shown
// (the page count in a file that lacks it).
func enough(mt results.Metric, m *results.Metrics, n int64) bool {
	if !mt.Rare {
		return results.Enough(mt, n, 0)
	}
	shown := pagesAll(m).Shown
	if shown == 0 {
		shown = pagesAll(m).Count
	}
	return results.Enough(mt, shown, n)
}

// needed is the fewest samples a calibrated figure's n may be: stale
// sections for a rare-event figure.
func needed(mt results.Metric) int64 {
	if mt.Rare {
		return results.MinSamples
	}
	return mt.Needed()
}

// calibrated are the figures calibrate compares, with their relative
// tolerances and what their samples are: latency within 20 % at the
// median and 30 % at p99 (of rendered public pages); staleness likewise,
// over stale sections, and the stale fraction, which is about the write
// rate times the mean propagation delay, within 25 %, between the two;
// owner load within 10 % (its samples: requests).
var calibrated = []struct {
	metric   string
	within   float64
	quantile float64
	get      func(*results.Metrics) float64
	samples  func(*results.Metrics) int64
}{
	{"latency.p50", 0.2, 0.5, func(m *results.Metrics) float64 { return pagesAll(m).LatencyMS.P50 }, rendered},
	{"latency.p99", 0.3, 0.99, func(m *results.Metrics) float64 { return pagesAll(m).LatencyMS.P99 }, rendered},
	{"stale_fraction", 0.25, 0, func(m *results.Metrics) float64 { return 100 * pagesAll(m).StaleFraction }, staleSections},
	{"staleness.p50", 0.2, 0.5, func(m *results.Metrics) float64 { return pagesAll(m).StalenessMS.P50 }, staleSections},
	{"staleness.p99", 0.3, 0.99, func(m *results.Metrics) float64 { return pagesAll(m).StalenessMS.P99 }, staleSections},
	{"owner.rps", 0.1, 0, func(m *results.Metrics) float64 { return m.Owner.RPS }, func(m *results.Metrics) int64 { return m.Owner.Requests }},
}

func pagesAll(m *results.Metrics) *results.PageMetrics {
	if p := m.Pages[pages.All]; p != nil {
		return p
	}
	return &results.PageMetrics{}
}

// rendered counts the public pages rendered: the latency histogram's
// values.
func rendered(m *results.Metrics) int64 { return hdrCount(m, "latency.all") }

// staleSections counts the stale sections shown on public pages: the
// staleness histogram's values.
func staleSections(m *results.Metrics) int64 { return hdrCount(m, "staleness.all") }

func hdrCount(m *results.Metrics, name string) int64 {
	s, ok := m.HDR[name]
	if !ok {
		return 0
	}
	h, err := results.DecodeHDR(s)
	if err != nil {
		return 0 // unreadable: no samples to judge by
	}
	return h.TotalCount()
}

// Calibrate runs the scenario virtually and live and compares, strategy by
// strategy, the figures that say whether the simulator predicts reality.
func Calibrate(sc *Scenario, opts RunOptions, lo LiveOptions) ([]Calibration, *results.File, *results.File, error) {
	virtual, err := Run(sc, RunOptions{Seeds: opts.Seeds, Parallel: opts.Parallel})
	if err != nil {
		return nil, nil, nil, err
	}
	live, err := RunLive(sc, opts, lo)
	if err != nil {
		return nil, nil, nil, err
	}
	return CalibrationOf(virtual, live), virtual, live, nil
}

// CalibrationOf sets a live result against a virtual one. A figure either
// world measured on fewer samples than it needs is not judged.
func CalibrationOf(virtual, live *results.File) []Calibration {
	var cs []Calibration
	for _, s := range virtual.Order {
		vm, lm := virtual.Strategies[s], live.Strategies[s]
		if vm == nil || lm == nil {
			continue
		}
		for _, c := range calibrated {
			mt := calMetric(c.metric, c.quantile)
			cal := Calibration{
				Strategy: s, Metric: c.metric, Virtual: c.get(vm), Live: c.get(lm),
				NVirtual: c.samples(vm), NLive: c.samples(lm), Needed: needed(mt), Within: c.within,
			}
			switch {
			case !enough(mt, vm, cal.NVirtual) || !enough(mt, lm, cal.NLive):
				cal.Verdict = TooFew
			case math.Abs(cal.Live-cal.Virtual) <= c.within*math.Abs(cal.Virtual):
				cal.Verdict = Inside
			default:
				cal.Verdict = Outside
			}
			cs = append(cs, cal)
		}
	}
	return cs
}

// WriteCalibration prints the comparison: per strategy and figure, the
// virtual and live values with their sample counts, their ratio and the
// verdict.
func WriteCalibration(w io.Writer, cs []Calibration) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "strategy\tfigure\tvirtual\tn\tlive\tn\tlive/virtual\ttolerance\tverdict")
	for _, c := range cs {
		ratio := "—"
		if r := c.Ratio(); !math.IsNaN(r) {
			ratio = fmt.Sprintf("%.3f", r)
		}
		verdict := c.Verdict
		if verdict == TooFew {
			verdict = fmt.Sprintf("%s (needs %d)", TooFew, c.Needed)
		}
		fmt.Fprintf(tw, "%s\t%s\t%.4g\t%d\t%.4g\t%d\t%s\t±%.0f%%\t%s\n", c.Strategy, c.Metric, c.Virtual, c.NVirtual, c.Live, c.NLive, ratio, 100*c.Within, verdict)
	}
	return tw.Flush()
}
