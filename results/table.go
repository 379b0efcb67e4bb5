package results

import (
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
)

// WriteTable writes f's strategies side by side: one column per strategy
// (in f.Order, or by name if Order is empty), one row per metric of
// MetricsFor(f.Topology): the Registry, and for the general form
// page_completeness, then the scoped rows (latency.p99@product), under a
// heading per page kind and per owner; an owner's heading is followed by
// the strategy each column shares its data by (a plan's choice).
// Each figure is followed by ± the half-width of its 95 % interval (batch
// means within the run for one seed, Student's t over the seeds for
// several) and n, the samples it rests on. A figure is starred by the rule
// Best applies: it beats every other of its row, intervals apart; a figure
// with too few samples to compare is marked ? and never starred. A
// strategy named in Order but missing from Strategies shows —.
func WriteTable(w io.Writer, f *File) error {
	order := f.Order
	if len(order) == 0 {
		order = slices.Sorted(maps.Keys(f.Strategies))
	}
	out := w
	if f.Topology != nil {
		// The headings' empty cells pad with spaces; trimmed at the end.
		out = &trimmer{w: w}
		defer out.(*trimmer).flush()
	}
	tw := tabwriter.NewWriter(out, 0, 0, 3, ' ', 0)
	fmt.Fprint(tw, "metric")
	for _, name := range order {
		fmt.Fprintf(tw, "\t%s", name)
	}
	fmt.Fprintln(tw)

	seeds := 0 // the most replicas behind any column
	for _, m := range f.Strategies {
		if m != nil {
			seeds = max(seeds, len(m.Replicas))
		}
	}
	scope := ""
	for _, metric := range MetricsFor(f.Topology) {
		if _, s := SplitScope(metric.Name); s != scope {
			scope = s
			writeScopeHeading(tw, f, order, scope)
		}
		row := tableRow(metric, order, f.Strategies)
		fmt.Fprint(tw, metric.Name)
		if metric.Unit != "" && metric.Unit != "B" { // bytes say their unit in the cell
			fmt.Fprintf(tw, " (%s)", metric.Unit)
		}
		for _, c := range row {
			fmt.Fprintf(tw, "\t%s", c)
		}
		fmt.Fprintln(tw)
	}
	writeSLORows(tw, f, order)
	if err := tw.Flush(); err != nil {
		return err
	}
	interval := "batch means within the run"
	if seeds > 1 {
		interval = fmt.Sprintf("Student's t over %d seeds; values are means over the seeds", seeds)
	}
	_, err := fmt.Fprintf(w, "± half-width of the 95 %% interval (%s); n samples behind the figure\n"+
		"* best of the row: its interval clears every other's; ? too few samples to compare (n < %d; a p50 needs %d, a p99 %d, a p999 %d; a stale fraction, read staleness or versions behind %d stale sections, or none); — nothing to count; no ±: no interval from one run, never starred\n",
		interval, MinSamples, Metric{Quantile: 0.5}.Needed(), Metric{Quantile: 0.99}.Needed(), Metric{Quantile: 0.999}.Needed(), MinSamples)
	sloNote(w, f)
	return err
}

// trimmer writes lines without their trailing spaces.
type trimmer struct {
	w   io.Writer
	buf []byte
	err error
}

func (t *trimmer) Write(p []byte) (int, error) {
	t.buf = append(t.buf, p...)
	for {
		i := slices.Index(t.buf, '\n')
		if i < 0 || t.err != nil {
			break
		}
		_, t.err = io.WriteString(t.w, strings.TrimRight(string(t.buf[:i]), " ")+"\n")
		t.buf = t.buf[i+1:]
	}
	return len(p), t.err
}

func (t *trimmer) flush() {
	if len(t.buf) > 0 && t.err == nil {
		_, t.err = t.w.Write(t.buf)
	}
}

// writeScopeHeading opens the rows of one page kind or owner: a blank line
// and its name, with an owner's strategy per column.
// Empty cells keep the lines in the tabwriter's block, so every row of
// the table aligns.
func writeScopeHeading(w io.Writer, f *File, order []string, scope string) {
	empty := strings.Repeat("\t", len(order))
	fmt.Fprintln(w, empty)
	if f.Topology == nil {
		return
	}
	if k, ok := f.Topology.Kind(scope); ok {
		what := "public page"
		if k.Self {
			what = "self-view"
		}
		fmt.Fprintf(w, "page %s (%s, service %s)%s\n", scope, what, k.Service, empty)
		return
	}
	fmt.Fprintf(w, "owner %s: strategy", scope)
	for _, name := range order {
		s := "—"
		if m := f.Strategies[name]; m != nil && m.Owners[scope] != nil && m.Owners[scope].Strategy != "" {
			s = m.Owners[scope].Strategy
		} else if f.Strategies[name] != nil {
			s = f.Topology.StrategyFor(name, scope)
		}
		fmt.Fprintf(w, "\t%s", s)
	}
	fmt.Fprintln(w)
}

// tableRow formats one metric for each strategy and marks the best by the
// rule (Best) and the figures with too few samples.
func tableRow(metric Metric, order []string, strategies map[string]*Metrics) []string {
	cells := make([]string, len(order))
	r := Best(metric, order, strategies)
	for i, name := range order {
		f, ok := r.Figures[name]
		if !ok || f.Absent {
			cells[i] = absentText(metric, ok)
			continue
		}
		c := Human(metric.Unit, f.Value)
		switch {
		case r.Starred && slices.Contains(r.Winners, name):
			c += "*"
		case f.TooFew(metric):
			// Not marked: a single run's figure that no run can give an
			// interval (a counter); it is just not starred.
			c += "?"
		}
		if f.HasCI && f.Method != MethodExact {
			c += " ±" + Human(metric.Unit, f.CI95)
		}
		if f.Counted && metric.Within == Batched {
			c += " n=" + Count(f.N)
		}
		if f.Counted && metric.Rare && f.TooFew(metric) {
			c += " stale=" + Count(f.Events) // what the ? is about
		}
		cells[i] = c
	}
	return cells
}

// absentText is how a figure without a value reads: "never" for a
// convergence that never happened, "—" otherwise (nothing to count, or a
// metric that does not apply).
func absentText(mt Metric, applies bool) string {
	// Only a convergence has a value it may never reach; a scoped figure
	// with Has (an owner shared sync propagates nothing) has nothing to count.
	if applies && mt.Has != nil && mt.Name == "convergence" {
		return "never"
	}
	return "—"
}

// AbsentText is absentText for the report and plots.
func AbsentText(mt Metric) string { return absentText(mt, true) }

// Count prints a sample count short: 950, 12.3k, 4.56M.
func Count(n int64) string {
	switch {
	case n < 1000:
		return strconv.FormatInt(n, 10)
	case n < 1_000_000:
		return Significant(float64(n)/1e3, 3) + "k"
	default:
		return Significant(float64(n)/1e6, 3) + "M"
	}
}

// Significant prints v with n significant digits in plain notation; digits
// left of the point are never dropped (12345 stays 12345, not 1.23e+04):
// how tables, plots and reports show a number.
func Significant(v float64, n int) string {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	decimals := n - 1 - int(math.Floor(math.Log10(math.Abs(v))))
	if decimals <= 0 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	s := strconv.FormatFloat(v, 'f', decimals, 64)
	// Rounding can add a digit (9.996 → 10.00); drop the extra decimal.
	if r, _ := strconv.ParseFloat(s, 64); math.Abs(r) >= math.Pow10(n-decimals) {
		s = strconv.FormatFloat(v, 'f', decimals-1, 64)
	}
	return s
}
