package results

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/sharebench/sharebench/pages"
)

// CSV files (run -format csv, a sweep's sweep.csv) name their columns by
// the bare metric names of MetricsFor(f.Topology) (owner.rps, not
// "owner.rps (req/s)"; in the general form also the scoped names,
// latency.p99@product and owner.rps@reviews, filled on the page "all" row),
// so df["owner.rps"] works in pandas and R needs no renaming. Units go in
// one leading comment line, which pandas.read_csv(path, comment="#"),
// R's read.csv(path, comment.char="#") and Go's csv.Reader{Comment: '#'}
// skip:
//
//	# units: latency.p50=ms latency.p99=ms … owner.rps=req/s …
//
// A metric that does not apply (a view metric of sync) is an empty cell.

// CSVComment is the comment line that opens every CSV file of the
// marketplace form, without its newline: the unit of each metric column
// that has one.
func CSVComment() string { return CSVCommentFor(nil) }

// CSVCommentFor is CSVComment for a file of topology t: its scoped
// columns' units too.
func CSVCommentFor(t *pages.Topology) string {
	var units []string
	for _, m := range MetricsFor(t) {
		if m.Unit != "" {
			units = append(units, m.Name+"="+m.Unit)
		}
	}
	return "# units: " + strings.Join(units, " ") + " (seeds and count are counts; other columns without a unit are counts or ratios)"
}

// pageMetric reports whether a metric is one of a page kind's: those that
// a row per page kind repeats for each kind. The others (owner, broker,
// duplication, …, and the scoped columns, which the page "all" row holds)
// belong to the strategy as a whole.
func pageMetric(m Metric) bool {
	if _, scope := SplitScope(m.Name); scope != "" {
		return false
	}
	for _, p := range []string{"latency.", "availability", "completeness", "page_completeness", "stale_fraction", "staleness.", "versions_behind"} {
		if strings.HasPrefix(m.Name, p) {
			return true
		}
	}
	return false
}

// csvNumber writes a value exactly (shortest form that reads back the
// same); NaN and infinities are left empty rather than spelled as tokens
// some readers reject.
func csvNumber(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return ""
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// noStale reports whether sections were counted and none was stale: the
// conditional staleness then has nothing to describe ("—" in the table),
// though a page kind's row reads it where the file holds no interval of
// its own.
func noStale(p *PageMetrics) bool { return p.Shown > 0 && p.Stale == 0 }

// metricColumns is the header of the metric columns, in the order of ms.
func metricColumns(ms []Metric) []string {
	names := make([]string, len(ms))
	for i, m := range ms {
		names[i] = m.Name
	}
	return names
}

// metricCells gives m's value of each metric, or "" where a metric does
// not apply or has no value (Figure.Absent: nothing to count, views that
// never converged); with onlyPage, the strategy-wide metrics are left empty too.
func metricCells(ms []Metric, m *Metrics, onlyPage bool) []string {
	cells := make([]string, len(ms))
	for i, metric := range ms {
		if metric.Applies(m) && (!onlyPage || pageMetric(metric)) && !FigureOf(m, metric).Absent &&
			!(metric.Name == "staleness.p99" && noStale(allPages(m))) {
			cells[i] = csvNumber(metric.Get(m))
		}
	}
	return cells
}

// WriteCSV writes f as CSV: the units comment, a header, then per strategy
// (in f.Order) a row for page "all" (the public pages) with every metric,
// and a row per page kind the strategy rendered with that kind's page
// metrics (the strategy-wide ones empty). seeds is the number of seeds
// behind the values, count the page renders measured.
func WriteCSV(w io.Writer, f *File) error {
	ms := MetricsFor(f.Topology)
	if _, err := fmt.Fprintln(w, CSVCommentFor(f.Topology)); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(append([]string{"strategy", "page", "seeds", "count"}, metricColumns(ms)...)); err != nil {
		return err
	}
	seeds := strconv.Itoa(max(len(f.Seeds), 1))
	for _, s := range strategyOrder(f) {
		m := f.Strategies[s]
		for _, kind := range append([]string{pages.All}, f.Shape().KindNames()...) {
			p := m.Pages[kind]
			if p == nil {
				continue
			}
			// The Registry reads the public pages; a kind's row reads that
			// kind in their place.
			view := m
			if kind != pages.All {
				v := *m
				v.Pages = map[string]*PageMetrics{pages.All: p}
				view = &v
			}
			rec := append([]string{s, kind, seeds, strconv.FormatInt(p.Count, 10)}, metricCells(ms, view, kind != pages.All)...)
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// strategyOrder is f.Order without the strategies the file lacks, then any
// the order leaves out, by name.
func strategyOrder(f *File) []string {
	var order []string
	for _, s := range f.Order {
		if f.Strategies[s] != nil && !slices.Contains(order, s) {
			order = append(order, s)
		}
	}
	var rest []string
	for s, m := range f.Strategies {
		if m != nil && !slices.Contains(order, s) {
			rest = append(rest, s)
		}
	}
	slices.Sort(rest)
	return append(order, rest...)
}
