package results

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"golang.org/x/perf/benchmath"
)

// Threshold is how much a metric may get worse before a comparison calls
// it a regression.
type Threshold struct {
	Metric Metric
	Amount float64   // ≥ 0, in the direction of worse
	Kind   Allowance // what Amount measures
}

// Allowance is how a Threshold's Amount is measured.
type Allowance int

// Allowances.
const (
	Relative Allowance = iota // per cent of the base value: "+10%"
	Points                    // percentage points, for % metrics: "-0.1pp"
	Absolute                  // in the metric's unit: "+5"
)

func (t Threshold) String() string {
	sign := "+"
	if t.Metric.Better == Higher {
		sign = "-"
	}
	unit := map[Allowance]string{Relative: "%", Points: "pp", Absolute: ""}[t.Kind]
	return t.Metric.Name + "=" + sign + strconv.FormatFloat(t.Amount, 'g', -1, 64) + unit
}

// ParseThresholds reads a list like
// "latency.p99=+10%,staleness.p99=+20%,availability=-0.1pp": for each
// metric, how far it may move in its worse direction — up for a
// lower-is-better metric, down for a higher-is-better one — in per cent of
// the base (%), in percentage points (pp, for % metrics) or in the
// metric's unit (a bare number). A sign, if given, must point the worse
// way.
func ParseThresholds(s string) ([]Threshold, error) {
	var ts []Threshold
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		name, amount, ok := strings.Cut(item, "=")
		if !ok {
			return nil, fmt.Errorf("threshold %q: write metric=+10%% (or -0.1pp, or +5)", item)
		}
		m, ok := Lookup(strings.TrimSpace(name))
		if !ok {
			return nil, fmt.Errorf("threshold %q: unknown metric %q; the metrics are %s", item, name, metricNames())
		}
		t := Threshold{Metric: m, Kind: Absolute}
		amount = strings.TrimSpace(amount)
		switch {
		case strings.HasSuffix(amount, "pp"):
			if m.Unit != "%" {
				return nil, fmt.Errorf("threshold %q: pp (percentage points) is for %% metrics; %s is in %s", item, m.Name, unitName(m.Unit))
			}
			t.Kind, amount = Points, strings.TrimSuffix(amount, "pp")
		case strings.HasSuffix(amount, "%"):
			t.Kind, amount = Relative, strings.TrimSuffix(amount, "%")
		}
		worse := "+"
		if m.Better == Higher {
			worse = "-"
		}
		if sign := amount[:min(1, len(amount))]; sign == "+" || sign == "-" {
			if sign != worse {
				return nil, fmt.Errorf("threshold %q: %s gets worse as it goes %s; write %s%s", item, m.Name,
					map[string]string{"+": "up", "-": "down"}[worse], worse, amount[1:]+map[Allowance]string{Relative: "%", Points: "pp"}[t.Kind])
			}
			amount = amount[1:]
		}
		x, err := strconv.ParseFloat(amount, 64)
		if err != nil || x < 0 || math.IsInf(x, 0) || math.IsNaN(x) {
			return nil, fmt.Errorf("threshold %q: %q is not an amount ≥ 0", item, amount)
		}
		t.Amount = x
		ts = append(ts, t)
	}
	return ts, nil
}

func unitName(u string) string {
	if u == "" {
		return "a count"
	}
	return u
}

func metricNames() string {
	var names []string
	for _, m := range Registry {
		names = append(names, m.Name)
	}
	return strings.Join(names, ", ")
}

// worsening is how much new is worse than base, in the allowance's
// measure (negative: better).
func (t Threshold) worsening(base, new float64) float64 {
	d := new - base
	if t.Metric.Better == Higher {
		d = -d
	}
	switch t.Kind {
	case Relative:
		if base == 0 {
			if d > 0 {
				return math.Inf(1)
			}
			return 0
		}
		return 100 * d / math.Abs(base)
	}
	return d // points and absolute: % metrics are already in per cent
}

// Delta is one metric of one strategy compared.
type Delta struct {
	Strategy  string
	Metric    Metric
	Base, New float64
	// P is the Mann–Whitney U test's p-value over the seeds of both sides,
	// NaN when a side has a single run (then no test is possible and any
	// change counts).
	P         float64
	N1, N2    int
	Limit     *Threshold
	Regressed bool
}

// Significant reports whether the change is more than noise: the U test
// rejects "same distribution" at alpha 0.05, or there was no test.
func (d Delta) Significant() bool {
	return math.IsNaN(d.P) || d.P < benchmath.DefaultThresholds.CompareAlpha
}

// Compare compares every registered metric of every strategy the two
// files share. A metric regresses when it got worse by more than its
// threshold and the change is significant.
func Compare(base, new *File, limits []Threshold) []Delta {
	var ds []Delta
	for _, name := range base.Order {
		b, n := base.Strategies[name], new.Strategies[name]
		if b == nil || n == nil {
			continue
		}
		for _, m := range Registry {
			if !m.Applies(b) || !m.Applies(n) {
				continue
			}
			d := Delta{Strategy: name, Metric: m, Base: m.Get(b), New: m.Get(n), P: math.NaN(), N1: runs(b), N2: runs(n)}
			if d.N1 > 1 && d.N2 > 1 {
				c := benchmath.AssumeNothing.Compare(sample(b, m), sample(n, m))
				d.P = c.P
			}
			for i := range limits {
				if limits[i].Metric.Name == m.Name {
					d.Limit = &limits[i]
					d.Regressed = limits[i].worsening(d.Base, d.New) > limits[i].Amount && d.Significant()
				}
			}
			ds = append(ds, d)
		}
	}
	return ds
}

func runs(m *Metrics) int { return max(1, len(m.Replicas)) }

func sample(m *Metrics, metric Metric) *benchmath.Sample {
	reps := m.Replicas
	if len(reps) == 0 {
		reps = []*Metrics{m}
	}
	xs := make([]float64, len(reps))
	for i, r := range reps {
		xs[i] = metric.Get(r)
	}
	return benchmath.NewSample(xs, &benchmath.DefaultThresholds)
}

// Missing lists the strategies one file has and the other lacks.
func Missing(base, new *File) []string {
	var out []string
	for _, name := range base.Order {
		if new.Strategies[name] == nil {
			out = append(out, name+" (only in base)")
		}
	}
	for _, name := range new.Order {
		if base.Strategies[name] == nil {
			out = append(out, name+" (only in new)")
		}
	}
	return out
}

// WriteComparison prints the deltas as a table: base, new, change, the
// p-value and the verdict, regressions marked.
func WriteComparison(w io.Writer, ds []Delta) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "strategy\tmetric\tbase\tnew\tdelta\tp\tverdict")
	for _, d := range ds {
		delta := "0"
		switch {
		case d.New == d.Base:
		case d.Base != 0:
			delta = fmt.Sprintf("%+.2f%%", 100*(d.New-d.Base)/math.Abs(d.Base))
		default:
			delta = fmt.Sprintf("%+g", d.New-d.Base)
		}
		p := "-"
		if !math.IsNaN(d.P) {
			p = fmt.Sprintf("%.3f", d.P)
			if !d.Significant() {
				delta = "~"
			}
		}
		verdict := ""
		switch {
		case d.Regressed:
			verdict = "REGRESSION (limit " + d.Limit.String() + ")"
		case d.Limit != nil:
			verdict = "ok (limit " + d.Limit.String() + ")"
		}
		unit := ""
		if d.Metric.Unit != "" {
			unit = " (" + d.Metric.Unit + ")"
		}
		fmt.Fprintf(tw, "%s\t%s%s\t%s\t%s\t%s\t%s\t%s\n", d.Strategy, d.Metric.Name, unit,
			formatValue(d.Metric.Unit, d.Base), formatValue(d.Metric.Unit, d.New), delta, p, verdict)
	}
	return tw.Flush()
}

// Regressions counts the deltas that regressed.
func Regressions(ds []Delta) int {
	return len(slices.DeleteFunc(slices.Clone(ds), func(d Delta) bool { return !d.Regressed }))
}
