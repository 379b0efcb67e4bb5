package results

import (
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"text/tabwriter"
)

// WriteTable writes f's strategies side by side: one column per strategy
// (in f.Order, or by name if Order is empty), one row per Registry metric.
// The best value of a row is marked with *, ties included, unless every
// strategy shows the same value. With several seeds each value is followed
// by ±, the half-width of its 95 % confidence interval. A strategy named in
// Order but missing from Strategies shows —.
func WriteTable(w io.Writer, f *File) error {
	order := f.Order
	if len(order) == 0 {
		order = slices.Sorted(maps.Keys(f.Strategies))
	}
	tw := tabwriter.NewWriter(w, 0, 0, 3, ' ', 0)
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
	for _, metric := range Registry {
		row := tableRow(metric, order, f.Strategies)
		fmt.Fprint(tw, metric.Name)
		if metric.Unit != "" {
			fmt.Fprintf(tw, " (%s)", metric.Unit)
		}
		for _, c := range row {
			fmt.Fprintf(tw, "\t%s", c)
		}
		fmt.Fprintln(tw)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	note := "* best of the row"
	if seeds > 1 {
		note += fmt.Sprintf("; values are means over %d seeds, ± the half-width of their 95 %% confidence interval", seeds)
	}
	_, err := fmt.Fprintln(w, note)
	return err
}

// tableRow formats one metric for each strategy and marks the best.
func tableRow(metric Metric, order []string, strategies map[string]*Metrics) []string {
	cells := make([]string, len(order))
	// Compare what is shown: two values that print alike tie, whatever
	// their last digits.
	shown := make([]float64, len(order))
	var present []float64
	for i, name := range order {
		m := strategies[name]
		if m == nil || !metric.Applies(m) {
			cells[i] = "—"
			continue
		}
		cells[i] = formatValue(metric.Unit, metric.Get(m))
		shown[i], _ = strconv.ParseFloat(cells[i], 64)
		present = append(present, shown[i])
	}
	best, mark := bestOf(metric.Better, present)
	for i, name := range order {
		m := strategies[name]
		if m == nil || !metric.Applies(m) {
			continue
		}
		if mark && shown[i] == best {
			cells[i] += "*"
		}
		if ci, ok := m.CI95[metric.Name]; ok {
			cells[i] += " ±" + formatValue(metric.Unit, ci)
		}
	}
	return cells
}

// bestOf returns the best of xs in direction b, and whether it is worth
// marking: not when there is nothing to choose between.
func bestOf(b Better, xs []float64) (best float64, mark bool) {
	if len(xs) == 0 {
		return 0, false
	}
	lo, hi := slices.Min(xs), slices.Max(xs)
	if lo == hi {
		return lo, false
	}
	if b == Higher {
		return hi, true
	}
	return lo, true
}

// formatValue prints a value for a reader: percentages with 2 decimals,
// latencies and rates with 3 significant digits, counts and bytes as
// integers (a mean that is not whole, like versions behind, gets 3
// significant digits too).
func formatValue(unit string, v float64) string {
	if v == 0 {
		v = 0 // not -0
	}
	switch {
	case unit == "%":
		return strconv.FormatFloat(v, 'f', 2, 64)
	case unit == "ms" || unit == "req/s" || v != math.Trunc(v):
		return Significant(v, 3)
	default:
		return strconv.FormatFloat(v, 'f', 0, 64)
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
