package workload

import (
	"fmt"
	"io"
	"math"
	"text/tabwriter"

	"github.com/sharebench/sharebench/results"
)

// Calibration is one figure of one strategy measured virtually and live.
type Calibration struct {
	Strategy, Metric string
	Virtual, Live    float64
	// Within is the agreement asked for: a relative tolerance (0.2 = the
	// live figure within 20 % of the virtual one), or for fractions near
	// zero an absolute one in percentage points (Points).
	Within float64
	Points bool
	OK     bool
}

// Ratio is live / virtual (NaN when the virtual figure is 0).
func (c Calibration) Ratio() float64 {
	if c.Virtual == 0 {
		return math.NaN()
	}
	return c.Live / c.Virtual
}

// calibrated are the figures calibrate compares, with their tolerances:
// latency within 20 % at the median and 30 % at p99, owner load within
// 10 %, stale fraction within 2 percentage points (a ratio of two small
// fractions says little).
var calibrated = []struct {
	metric string
	within float64
	points bool
}{
	{"latency.p50", 0.2, false},
	{"latency.p99", 0.3, false},
	{"stale_fraction", 2, true},
	{"owner.rps", 0.1, false},
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

// CalibrationOf sets a live result against a virtual one.
func CalibrationOf(virtual, live *results.File) []Calibration {
	var cs []Calibration
	for _, s := range virtual.Order {
		vm, lm := virtual.Strategies[s], live.Strategies[s]
		if vm == nil || lm == nil {
			continue
		}
		for _, c := range calibrated {
			m, _ := results.Lookup(c.metric)
			cal := Calibration{Strategy: s, Metric: c.metric, Virtual: m.Get(vm), Live: m.Get(lm), Within: c.within, Points: c.points}
			if c.points {
				cal.OK = math.Abs(cal.Live-cal.Virtual) <= c.within
			} else {
				cal.OK = math.Abs(cal.Live-cal.Virtual) <= c.within*math.Abs(cal.Virtual)
			}
			cs = append(cs, cal)
		}
	}
	return cs
}

// WriteCalibration prints the comparison: per strategy and figure, the
// virtual and live values, their ratio and the verdict.
func WriteCalibration(w io.Writer, cs []Calibration) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "strategy\tfigure\tvirtual\tlive\tlive/virtual\ttolerance\tverdict")
	for _, c := range cs {
		ratio := "—"
		if r := c.Ratio(); !math.IsNaN(r) {
			ratio = fmt.Sprintf("%.3f", r)
		}
		tol := fmt.Sprintf("±%.0f%%", 100*c.Within)
		if c.Points {
			tol = fmt.Sprintf("±%gpp", c.Within)
		}
		verdict := "inside"
		if !c.OK {
			verdict = "OUTSIDE"
		}
		fmt.Fprintf(tw, "%s\t%s\t%.4g\t%.4g\t%s\t%s\t%s\n", c.Strategy, c.Metric, c.Virtual, c.Live, ratio, tol, verdict)
	}
	return tw.Flush()
}
