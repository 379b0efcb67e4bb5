package report

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/sharebench/sharebench/pages"
	"github.com/sharebench/sharebench/results"
)

// Verdict is what the numbers say about one strategy: the metrics it does
// best on, by how much, and where it falls short.
type Verdict struct {
	Strategy string
	// Label names the column for a reader: the strategy, or a plan with
	// its strategy per owner (results.File.ColumnLabel).
	Label  string
	Wins   []string // e.g. "lowest p99 latency: 11.3 ms, 1.46× better than hybrid (16.5 ms)"
	Losses []string // e.g. "availability 99.20 %: 0.80 % of public pages not rendered"
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
	"read_staleness.mean":  "expected staleness of a section read",
	"read_staleness.p999":  "p99.9 staleness over all sections read",
	"versions_behind":      "versions behind",
	"page_completeness":    "page completeness (pages showing every section)",
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

// metricName reads a metric's name as a sentence would; a scoped one
// (latency.p99@product) names its page kind or owner: "p99 latency of
// product", "owner load of reviews".
func metricName(full string) string {
	name, scope := results.SplitScope(full)
	n, ok := metricNames[name]
	if !ok {
		n = strings.ReplaceAll(name, "_", " ")
	}
	if scope != "" {
		switch name {
		case "owner.rps":
			n = "load"
		case "owner.public_rps":
			n = "reads for public pages"
		}
		return n + " of " + scope
	}
	return n
}

// Verdicts returns a verdict per strategy, in the file's order. A strategy
// wins a metric (the registry's; in the general form also page
// completeness and each page kind's and owner's) by the rule tables star by (results.Best): its
// figure rests on enough samples and its 95 % interval clears every other
// strategy's. A verdict also never claims a win the table cannot show: the
// two figures must differ as printed. Convergence of −1 (never) is not a
// value to rank.
func Verdicts(f *results.File) []Verdict {
	names := strategyNames(f)
	byName := map[string]*Verdict{}
	out := make([]Verdict, len(names))
	for i, name := range names {
		out[i].Strategy, out[i].Label = name, f.ColumnLabel(name)
		byName[name] = &out[i]
	}
	for _, metric := range verdictMetrics(f) {
		ranked := names
		if metric.Name == "convergence" {
			ranked = slices.DeleteFunc(slices.Clone(names), func(n string) bool { return f.Strategies[n].NeverConverged })
		}
		r := results.Best(metric, ranked, f.Strategies)
		if !r.Starred || r.RunnerUp == "" {
			continue // a tie, a lead within the intervals, or too few samples
		}
		run := r.Figures[r.RunnerUp]
		for _, w := range r.Winners {
			win := r.Figures[w]
			if results.Human(metric.Unit, win.Value) == results.Human(metric.Unit, run.Value) {
				continue // prints alike: the table shows no difference
			}
			s := winSentence(metric, win, r.RunnerUp, run)
			if len(r.Winners) > 1 {
				s += " (tied with " + strings.Join(slices.DeleteFunc(slices.Clone(r.Winners), func(n string) bool { return n == w }), ", ") + ")"
			}
			byName[w].Wins = append(byName[w].Wins, s)
		}
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

// verdictMetrics are the metrics a verdict may claim wins on: those of
// results.MetricsFor, less a page kind's when it is the only public kind
// (its figures are the public pages', already claimed).
func verdictMetrics(f *results.File) []results.Metric {
	ms := results.MetricsFor(f.Topology)
	if f.Topology == nil {
		return ms
	}
	public := f.Topology.PublicKinds()
	return slices.DeleteFunc(ms, func(mt results.Metric) bool {
		_, scope := results.SplitScope(mt.Name)
		return len(public) == 1 && scope == public[0]
	})
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

func winSentence(metric results.Metric, w results.Figure, runner string, r results.Figure) string {
	superlative := "lowest"
	if metric.Better == results.Higher {
		superlative = "highest"
	}
	v, rv := w.Value, r.Value
	s := fmt.Sprintf("%s %s: %s", superlative, metricName(metric.Name), formatFigure(metric.Unit, w))
	switch {
	case metric.Unit == "%":
		// Percentages compare by points: 100 % against 83.4 % is 16.6
		// points, which a ratio would hide. The points are those of the
		// figures as printed, so the sentence and the table agree.
		side := "below"
		if metric.Better == results.Higher {
			side = "above"
		}
		s += fmt.Sprintf(", %s points %s %s (%s)", strconv.FormatFloat(math.Abs(shown("%", v)-shown("%", rv)), 'f', 2, 64), side, runner, formatFigure(metric.Unit, r))
	case v == 0 || rv == 0:
		s += fmt.Sprintf(", against %s for %s", formatFigure(metric.Unit, r), runner)
	default:
		ratio := rv / v
		if metric.Better == results.Higher {
			ratio = v / rv
		}
		s += fmt.Sprintf(", %s× better than %s (%s)", sig(ratio), runner, formatFigure(metric.Unit, r))
	}
	return s
}

// formatFigure prints a figure with its interval, as the table does:
// "11.3 ± 0.2 ms"; an exact figure, or one without an interval, alone.
func formatFigure(unit string, f results.Figure) string {
	if !f.HasCI || f.Method == results.MethodExact {
		return formatValue(unit, f.Value)
	}
	ci := results.Human(unit, f.CI95)
	switch unit {
	case "":
		return results.Human(unit, f.Value) + " ± " + ci
	case "B":
		return results.Human(unit, f.Value) + " ± " + ci
	}
	return results.Human(unit, f.Value) + " ± " + ci + " " + unit
}

// losses lists where a strategy falls short of what a page must do, whoever
// does better: pages not rendered, self-view violations, sections missing,
// records lost, calls rejected, views that never converge.
func losses(f *results.File, name string) []string {
	m := f.Strategies[name]
	var out []string
	all := m.Pages[pages.All]
	if all != nil && all.Count > 0 && all.Availability < 1 {
		out = append(out, fmt.Sprintf("availability %s: %s of public pages not rendered", formatValue("%", 100*all.Availability), formatPercentSmall(100*(1-all.Availability))))
	}
	if n := m.SelfViewViolations; n > 0 {
		what := "a seller saw a stale editor"
		if f.Topology != nil {
			what = "a self-view showed a record older than its owner's"
		}
		out = append(out, fmt.Sprintf("%d self-view violation%s: %s (read-your-writes broken)", n, plural(n), what))
	}
	if all != nil && all.PageCompleteness != nil && all.PagesWithData > 0 && 100**all.PageCompleteness < completenessThreshold {
		out = append(out, fmt.Sprintf("page completeness %s: %s of public pages missed a section whose record has data",
			formatValue("%", 100**all.PageCompleteness), formatPercentSmall(100*(1-*all.PageCompleteness))))
	}
	if s := completenessLoss(f, m); s != "" {
		out = append(out, s)
	}
	if n := m.Broker.Lost; n > 0 {
		out = append(out, fmt.Sprintf("%d broker record%s lost before a consumer read them", n, plural(n)))
	}
	if f.Topology != nil && len(m.Owners) > 0 {
		for _, o := range f.Topology.Owners {
			if r := m.Owners[o]; r != nil && r.Load.Rejected > 0 {
				n := r.Load.Rejected
				out = append(out, fmt.Sprintf("owner %s rejected %s call%s with its queue full", o, results.Thousands(float64(n)), plural(n)))
			}
		}
	} else if n := m.Owner.Rejected; n > 0 {
		out = append(out, fmt.Sprintf("owner rejected %s call%s with its queue full", results.Thousands(float64(n)), plural(n)))
	}
	if mt, ok := results.Lookup("convergence"); ok && mt.Applies(m) && m.NeverConverged && healedInRun(f) {
		// Convergence is timed from the last heal: a fault still on at
		// the run's end leaves nothing to time, which is no loss.
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
	all := m.Pages[pages.All]
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
	if f.Topology != nil {
		return s + ": sections left out for records that have data"
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

func formatNumber(unit string, v float64) string { return results.Human(unit, v) }

// formatPercentSmall prints a small percentage so it does not round to 0.
func formatPercentSmall(p float64) string {
	if p >= 0.01 {
		return strconv.FormatFloat(p, 'f', 2, 64) + " %"
	}
	return sig(p) + " %"
}

// sig prints v with 3 significant digits, as results.WriteTable does.
func sig(v float64) string { return results.Significant(v, 3) }

// healedInRun reports whether every fault ended before the run did.
func healedInRun(f *results.File) bool {
	end := f.WarmupS + f.DurationS
	for _, w := range f.Faults {
		if w.AtS+w.ForS >= end {
			return false
		}
	}
	return true
}
