package report

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sharebench/sharebench/results"
)

// summary is the report's table: a row per metric of
// results.MetricsFor(f.Topology) (the registry; in the general form also
// page completeness and the scoped rows, under a heading per page kind
// and owner), a column per strategy or plan, in human units (bytes in
// KiB/MiB, small means written with their power of ten, counts with
// thousands separators).
type summary struct {
	Strategies []string
	Rows       []summaryRow
	Notes      []string
}

// Span is how many columns a heading row spans: the label and each
// strategy's.
func (s summary) Span() int { return 1 + len(s.Strategies) }

type summaryRow struct {
	// Heading, when set, opens a group of rows (a page kind's, an
	// owner's) before this row.
	Heading string
	Metric  string // the metric's name, scoped or not, as compare's -max takes it
	Name    string // as a sentence says it
	Unit    string // for the header, e.g. "ms"; bytes say theirs in the cell
	Cells   []summaryCell
}

type summaryCell struct {
	Text  string // the value as shown
	Best  bool   // starred: the best of the row, by the rule
	Blank bool   // the metric does not apply
	// TooFew: the figure rests on too few samples to compare (marked ?,
	// never starred).
	TooFew bool
	// Interval is "± x", the 95 % interval's half-width in the same unit;
	// N "n=57.4k", the samples behind the figure.
	Interval, N string
	// Title explains the mark, for a hover.
	Title string
}

func newSummary(f *results.File) summary {
	s := summary{Strategies: strategyNames(f)}
	seeds := 0
	for _, name := range s.Strategies {
		seeds = max(seeds, len(f.Strategies[name].Replicas))
	}
	var tooFew []string
	scope := ""
	for _, metric := range results.MetricsFor(f.Topology) {
		row := summaryRow{Metric: metric.Name, Name: metricName(metric.Name), Unit: metric.Unit}
		if _, sc := results.SplitScope(metric.Name); sc != scope {
			scope = sc
			row.Heading = scopeHeading(f, sc)
		}
		if row.Unit == "B" {
			row.Unit = ""
		}
		r := results.Best(metric, s.Strategies, f.Strategies)
		for _, name := range s.Strategies {
			fig, ok := r.Figures[name]
			if ok && fig.Absent {
				row.Cells = append(row.Cells, summaryCell{Text: results.AbsentText(metric), Blank: true})
				continue
			}
			if !ok {
				row.Cells = append(row.Cells, summaryCell{Text: "—", Blank: true})
				continue
			}
			c := summaryCell{Text: results.Human(metric.Unit, fig.Value)}
			switch {
			case r.Starred && slices.Contains(r.Winners, name) &&
				results.Human(metric.Unit, fig.Value) != results.Human(metric.Unit, r.Figures[r.RunnerUp].Value):
				// Starred by the rule, and visibly apart from the
				// runner-up as printed: as a verdict claims it.
				c.Best = true
				c.Title = "best of the row: its 95 % interval clears every other's"
			case fig.TooFew(metric):
				// As the text table: a counter no single run gives an
				// interval is just not starred, not marked.
				c.TooFew = true
				c.Title = fmt.Sprintf("too few samples to compare: n = %d%s, %s", fig.N, staleCount(metric, fig), metric.NeedText())
				tooFew = append(tooFew, fmt.Sprintf("%s %s (n = %s)", name, metric.Name, results.Thousands(float64(fig.N))))
			}
			if fig.HasCI && fig.Method != results.MethodExact {
				c.Interval = "± " + results.Human(metric.Unit, fig.CI95)
			}
			if fig.Counted && metric.Within == results.Batched {
				c.N = "n=" + results.Count(fig.N)
			}
			row.Cells = append(row.Cells, c)
		}
		s.Rows = append(s.Rows, row)
	}
	interval := "batch means within the run"
	if seeds > 1 {
		interval = fmt.Sprintf("Student's t over %d seeds; values are means over the seeds", seeds)
	}
	s.Notes = append(s.Notes,
		"± the half-width of the 95 % interval ("+interval+"); n the samples behind the figure.",
		Rule(),
	)
	if len(tooFew) > 0 {
		s.Notes = append(s.Notes, "? too few samples to compare: "+strings.Join(tooFew, ", ")+".")
	}
	return s
}

// scopeHeading names the group of a page kind's or an owner's rows: what
// the page is and which service renders it; the owner and how each
// column shares its data.
func scopeHeading(f *results.File, scope string) string {
	t := f.Shape()
	if k, ok := t.Kind(scope); ok {
		what := "public page"
		if k.Self {
			what = "self-view"
		}
		return fmt.Sprintf("page %s (%s, rendered by %s)", scope, what, k.Service)
	}
	var by []string
	for _, name := range strategyNames(f) {
		st := t.StrategyFor(name, scope)
		if o := f.Strategies[name].Owners[scope]; o != nil && o.Strategy != "" {
			st = o.Strategy
		}
		by = append(by, name+": "+st)
	}
	return fmt.Sprintf("owner %s (shared %s)", scope, strings.Join(by, ", "))
}

// Rule states, in words, when a figure beats another (results.Best): what
// stars the table and what a verdict may claim.
func Rule() string {
	p := func(q float64) string { return results.Thousands(float64(results.Metric{Quantile: q}.Needed())) }
	return fmt.Sprintf("★ best of the row, and a verdict's win, only when the figure rests on enough samples "+
		"(n ≥ %d for a mean or a fraction; for a percentile, %d beyond it: %s for a p50, %s for a p99, %s for a p99.9; "+
		"the stale fraction, read staleness and versions behind rest on their stale sections: %d of them, or none, and an interval at least a Poisson count's, ±1.96/√k) "+
		"and its 95 %% interval clears every other strategy's; a verdict also needs the two figures to differ as printed. "+
		"? marks a figure with too few samples: it is never starred and decides nothing.",
		results.MinSamples, results.MinTail, p(0.5), p(0.99), p(0.999), results.MinSamples)
}

// markdownHeader writes a Markdown table's header: first, left-aligned,
// then the columns, right-aligned (they hold figures).
func markdownHeader(b *strings.Builder, first string, columns []string) {
	b.WriteString("| " + first + " |")
	for _, c := range columns {
		b.WriteString(" " + c + " |")
	}
	b.WriteString("\n|---|")
	for range columns {
		b.WriteString("--:|")
	}
	b.WriteString("\n")
}

// markdown writes the summary as a Markdown table.
func (s summary) markdown(b *strings.Builder) {
	markdownHeader(b, "metric", s.Strategies)
	for _, r := range s.Rows {
		if r.Heading != "" {
			b.WriteString("| **" + r.Heading + "** |" + strings.Repeat(" |", len(s.Strategies)) + "\n")
		}
		b.WriteString("| " + r.Label() + " |")
		for _, c := range r.Cells {
			t := c.Text
			switch {
			case c.Best:
				t = "**" + t + "** ★"
			case c.TooFew:
				t += " ?"
			}
			if c.Interval != "" {
				t += " " + c.Interval
			}
			if c.N != "" {
				t += " " + c.N
			}
			b.WriteString(" " + t + " |")
		}
		b.WriteString("\n")
	}
	for _, n := range s.Notes {
		b.WriteString("\n" + n + "\n")
	}
}

// Label is the row's first cell: the metric's name and unit.
func (r summaryRow) Label() string {
	if r.Unit == "" {
		return r.Metric
	}
	return r.Metric + " (" + r.Unit + ")"
}

// staleCount names the stale sections a rare-event figure rests on.
func staleCount(mt results.Metric, f results.Figure) string {
	if !mt.Rare {
		return ""
	}
	return fmt.Sprintf(" (%d stale)", f.Events)
}
