package report

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/sharebench/sharebench/results"
)

// Verdict is what the numbers say about one strategy: the metrics it does
// best on, by how much, and where it falls short.
type Verdict struct {
	Strategy string
	Wins     []string // e.g. "lowest p99 latency: 11.3 ms, 1.46× better than hybrid (16.5 ms)"
	Losses   []string // e.g. "availability 99.20 %: 0.80 % of public pages not rendered"
	// Recovery says how it came back from each fault and change of the
	// page rate (see Recovery for the definition).
	Recovery []string
	// Explanations say why, where the numbers show a known mechanism
	// (the backlog a traffic spike leaves behind).
	Explanations []string
}

// metricNames reads registry names as a sentence would.
var metricNames = map[string]string{
	"latency.p50":          "p50 latency",
	"latency.p99":          "p99 latency",
	"latency.p999":         "p99.9 latency",
	"availability":         "availability",
	"completeness":         "completeness",
	"stale_fraction":       "stale fraction",
	"staleness.p99":        "p99 staleness",
	"versions_behind":      "versions behind",
	"propagation.p99":      "p99 propagation",
	"convergence":          "convergence time",
	"self_view_violations": "self-view violations",
	"owner.rps":            "owner load",
	"owner.public_rps":     "owner reads for public pages",
	"owner.empty_fraction": "share of wasted owner reads",
	"owner.rejected":       "owner rejections",
	"duplication":          "duplicated data",
	"broker.redelivered":   "redeliveries",
	"broker.lost":          "lost records",
	"broker.max_lag":       "max consumer lag",
}

func metricName(name string) string {
	if n, ok := metricNames[name]; ok {
		return n
	}
	return name
}

// Verdicts returns a verdict per strategy, in the file's order. A strategy
// wins a registered metric when it alone has the best value as a table
// shows it, by a clear margin over the runner-up (see clearWin); ties and
// leads within the noise say nothing. Convergence of −1 (never) is not a
// value to rank.
func Verdicts(f *results.File) []Verdict {
	names := strategyNames(f)
	byName := map[string]*Verdict{}
	out := make([]Verdict, len(names))
	for i, name := range names {
		out[i].Strategy = name
		byName[name] = &out[i]
	}
	for _, metric := range results.Registry {
		type entry struct {
			name  string
			value float64 // as shown
		}
		var es []entry
		for _, name := range names {
			m := f.Strategies[name]
			if !metric.Applies(m) {
				continue
			}
			v := metric.Get(m)
			if metric.Name == "convergence" && v < 0 {
				continue
			}
			es = append(es, entry{name, shown(metric.Unit, v)})
		}
		if len(es) < 2 {
			continue
		}
		better := func(a, b float64) bool {
			if metric.Better == results.Higher {
				return a > b
			}
			return a < b
		}
		slices.SortStableFunc(es, func(a, b entry) int {
			switch {
			case better(a.value, b.value):
				return -1
			case better(b.value, a.value):
				return 1
			}
			return 0
		})
		win, run := es[0], es[1]
		if !better(win.value, run.value) || !clearWin(metric, f.Strategies[win.name], win.value, f.Strategies[run.name], run.value) {
			continue // a tie at the top, or a lead within the noise
		}
		byName[win.name].Wins = append(byName[win.name].Wins, winSentence(metric, win.value, run.name, run.value))
	}
	recs := Recoveries(f)
	for i := range out {
		out[i].Losses = losses(f, out[i].Strategy)
		for _, r := range recs[out[i].Strategy] {
			out[i].Recovery = append(out[i].Recovery, r.Sentence())
			if e := r.explanation(); e != "" && !slices.Contains(out[i].Explanations, e) {
				out[i].Explanations = append(out[i].Explanations, e)
			}
		}
	}
	return out
}

// strategyNames lists the strategies with metrics, in the file's order,
// then any the order forgot, by name.
func strategyNames(f *results.File) []string {
	var names []string
	for _, name := range f.Order {
		if f.Strategies[name] != nil && !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(f.Strategies)) {
		if f.Strategies[name] != nil && !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	return names
}

// minRatio is the smallest lead a single run's verdict reports on a
// ratio scale: 2 %, below which a rerun with another seed may well reverse
// the order.
const minRatio = 1.02

// clearWin reports whether w's lead over r on metric is worth a sentence.
// With several seeds the 95 % confidence intervals must not overlap; with
// one, the lead must be at least minRatio (or any lead over 0, or for a
// percentage any lead that shows).
func clearWin(metric results.Metric, w *results.Metrics, wv float64, r *results.Metrics, rv float64) bool {
	wci, wok := w.CI95[metric.Name]
	rci, rok := r.CI95[metric.Name]
	if wok && rok {
		return math.Abs(wv-rv) > wci+rci
	}
	if metric.Unit == "%" || wv == 0 || rv == 0 {
		return true
	}
	lo, hi := math.Min(math.Abs(wv), math.Abs(rv)), math.Max(math.Abs(wv), math.Abs(rv))
	return hi >= lo*minRatio
}

func winSentence(metric results.Metric, v float64, runner string, rv float64) string {
	superlative := "lowest"
	if metric.Better == results.Higher {
		superlative = "highest"
	}
	s := fmt.Sprintf("%s %s: %s", superlative, metricName(metric.Name), formatValue(metric.Unit, v))
	switch {
	case metric.Unit == "%":
		// Percentages compare by points: 100 % against 83.4 % is 16.6
		// points, which a ratio would hide.
		side := "below"
		if metric.Better == results.Higher {
			side = "above"
		}
		s += fmt.Sprintf(", %s points %s %s (%s)", strconv.FormatFloat(math.Abs(v-rv), 'f', 2, 64), side, runner, formatValue(metric.Unit, rv))
	case v == 0 || rv == 0:
		s += fmt.Sprintf(", against %s for %s", formatValue(metric.Unit, rv), runner)
	default:
		ratio := rv / v
		if metric.Better == results.Higher {
			ratio = v / rv
		}
		s += fmt.Sprintf(", %s× better than %s (%s)", sig(ratio), runner, formatValue(metric.Unit, rv))
	}
	return s
}

// losses lists where a strategy falls short of what a page must do, whoever
// does better: pages not rendered, self-view violations, sections missing,
// records lost, calls rejected, views that never converge.
func losses(f *results.File, name string) []string {
	m := f.Strategies[name]
	var out []string
	all := m.Pages["all"]
	if all != nil && all.Count > 0 && all.Availability < 1 {
		out = append(out, fmt.Sprintf("availability %s: %s of public pages not rendered", formatValue("%", 100*all.Availability), formatPercentSmall(100*(1-all.Availability))))
	}
	if n := m.SelfViewViolations; n > 0 {
		out = append(out, fmt.Sprintf("%d self-view violation%s: a seller saw a stale editor (read-your-writes broken)", n, plural(n)))
	}
	if s := completenessLoss(f, m); s != "" {
		out = append(out, s)
	}
	if n := m.Broker.Lost; n > 0 {
		out = append(out, fmt.Sprintf("%d broker record%s lost before a consumer read them", n, plural(n)))
	}
	if n := m.Owner.Rejected; n > 0 {
		out = append(out, fmt.Sprintf("owner rejected %s call%s with its queue full", thousands(float64(n)), plural(n)))
	}
	if mt, ok := results.Lookup("convergence"); ok && mt.Applies(m) && m.ConvergenceMS < 0 {
		out = append(out, "views never converged with the owner after the last fault")
	}
	return out
}

// completenessThreshold is the completeness below which a verdict calls
// out the drop, in percent: a section missing from one page in 2,000.
const completenessThreshold = 99.95

// completenessLoss reports completeness below the threshold, overall or in
// some measured second, with the worst second and the fault it fell in.
func completenessLoss(f *results.File, m *results.Metrics) string {
	all := m.Pages["all"]
	if all == nil || all.Count == 0 {
		return ""
	}
	overall := 100 * all.Completeness
	worst, worstT, found := 100.0, 0.0, false
	for _, s := range m.Series {
		if s.Pages == 0 || s.T < f.WarmupS {
			continue
		}
		if c := 100 * s.Completeness; c < worst {
			worst, worstT, found = c, s.T, true
		}
	}
	if overall >= completenessThreshold && (!found || worst >= 99) {
		return ""
	}
	s := "completeness " + formatValue("%", overall) + " overall"
	if found && worst < 99 {
		s += fmt.Sprintf(", down to %s in the second starting at %s s", formatValue("%", worst), strconv.FormatFloat(worstT, 'f', -1, 64))
		if during := faultAt(f, worstT); during != "" {
			s += " (during " + during + ")"
		}
	}
	return s + ": pages rendered without the section for sellers who have clients"
}

// faultAt names the faults under way in the second starting at t.
func faultAt(f *results.File, t float64) string {
	var labels []string
	for _, w := range f.Faults {
		if t+1 > w.AtS && t < w.AtS+w.ForS {
			label := w.Label
			if label == "" {
				label = w.Kind
			}
			labels = append(labels, label)
		}
	}
	return strings.Join(labels, "; ")
}

func plural(n int64) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// shown rounds v as the report prints it, so two values that print alike
// tie rather than let noise in the last digits pick a winner.
func shown(unit string, v float64) float64 {
	switch {
	case unit == "%":
		return math.Round(v*100) / 100
	case math.Abs(v) >= 1000:
		return math.Round(v)
	}
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 3, 64), 64)
	return r
}

// formatValue prints v with its unit for a sentence, exactly as the
// summary table shows it (humanValue), so a sentence never quotes a figure
// the table does not.
func formatValue(unit string, v float64) string {
	s := formatNumber(unit, v)
	switch unit {
	case "", "B":
		return s
	}
	return s + " " + unit
}

func formatNumber(unit string, v float64) string { return humanValue(unit, v) }

// formatPercentSmall prints a small percentage so it does not round to 0.
func formatPercentSmall(p float64) string {
	if p >= 0.01 {
		return strconv.FormatFloat(p, 'f', 2, 64) + " %"
	}
	return sig(p) + " %"
}

// sig prints v with 3 significant digits, as results.WriteTable does.
func sig(v float64) string { return results.Significant(v, 3) }
