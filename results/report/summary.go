package report

import (
	"math"
	"strconv"
	"strings"

	"github.com/sharebench/sharebench/results"
)

// summary is the report's table: a row per registered metric, a column
// per strategy, in human units (bytes in KiB/MiB, small means written
// with their power of ten, counts with thousands separators).
type summary struct {
	Strategies []string
	Rows       []summaryRow
	Notes      []string
}

type summaryRow struct {
	Metric string // the registry name, as compare's -max takes it
	Name   string // as a sentence says it
	Unit   string // for the header, e.g. "ms"; bytes say theirs in the cell
	Cells  []summaryCell
}

type summaryCell struct {
	Text  string // the value as shown
	Best  bool   // starred: the best of the row
	Blank bool   // the metric does not apply
	// Interval is "± x" with several seeds, the 95 % confidence interval's
	// half-width in the same unit.
	Interval string
}

func newSummary(f *results.File) summary {
	s := summary{Strategies: strategyNames(f)}
	seeds := 0
	for _, name := range s.Strategies {
		seeds = max(seeds, len(f.Strategies[name].Replicas))
	}
	for _, metric := range results.Registry {
		row := summaryRow{Metric: metric.Name, Name: metricName(metric.Name), Unit: metric.Unit}
		if row.Unit == "B" {
			row.Unit = ""
		}
		var present []float64
		shownV := make([]float64, len(s.Strategies))
		for i, name := range s.Strategies {
			m := f.Strategies[name]
			if !metric.Applies(m) {
				row.Cells = append(row.Cells, summaryCell{Text: "—", Blank: true})
				continue
			}
			v := metric.Get(m)
			c := summaryCell{Text: humanValue(metric.Unit, v)}
			if ci, ok := m.CI95[metric.Name]; ok {
				c.Interval = "± " + humanValue(metric.Unit, ci)
			}
			row.Cells = append(row.Cells, c)
			shownV[i] = shown(metric.Unit, v)
			present = append(present, shownV[i])
		}
		if best, ok := bestShown(metric.Better, present); ok {
			for i := range row.Cells {
				if !row.Cells[i].Blank && shownV[i] == best {
					row.Cells[i].Best = true
				}
			}
		}
		s.Rows = append(s.Rows, row)
	}
	s.Notes = append(s.Notes, "★ best of the row (values that print alike tie; a row where all are alike has none)")
	if seeds > 1 {
		s.Notes = append(s.Notes, "values are means over "+strconv.Itoa(seeds)+" seeds, ± the half-width of their 95 % confidence interval")
	}
	return s
}

// bestShown returns the best of xs, and whether there is one worth
// marking: not when every value is alike.
func bestShown(b results.Better, xs []float64) (float64, bool) {
	if len(xs) < 2 {
		return 0, false
	}
	lo, hi := xs[0], xs[0]
	for _, x := range xs {
		lo, hi = min(lo, x), max(hi, x)
	}
	if lo == hi {
		return 0, false
	}
	if b == results.Higher {
		return hi, true
	}
	return lo, true
}

// markdown writes the summary as a Markdown table.
func (s summary) markdown(b *strings.Builder) {
	b.WriteString("| metric |")
	for _, name := range s.Strategies {
		b.WriteString(" " + name + " |")
	}
	b.WriteString("\n|---|")
	for range s.Strategies {
		b.WriteString("--:|")
	}
	b.WriteString("\n")
	for _, r := range s.Rows {
		b.WriteString("| " + r.Label() + " |")
		for _, c := range r.Cells {
			t := c.Text
			if c.Best {
				t = "**" + t + "** ★"
			}
			if c.Interval != "" {
				t += " " + c.Interval
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

// humanValue prints v as the summary shows it. Percentages keep 2
// decimals (the table's resolution, which verdicts compare at), bytes go
// to KiB/MiB/GiB, a mean below 0.001 (versions behind) is written with its
// power of ten, large counts get thousands separators.
func humanValue(unit string, v float64) string {
	if v == 0 {
		v = 0 // not -0
	}
	switch {
	case unit == "%":
		return strconv.FormatFloat(v, 'f', 2, 64)
	case unit == "B":
		return binaryBytes(v)
	case v != 0 && math.Abs(v) < 0.001:
		return scientific(v)
	case unit == "" && v == math.Trunc(v):
		return thousands(v)
	case math.Abs(v) >= 1000:
		return thousands(math.Round(v))
	}
	return sig(v)
}

// binaryBytes prints a byte count in KiB, MiB or GiB with 3 significant
// digits.
func binaryBytes(v float64) string {
	for _, u := range []struct {
		name string
		size float64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if math.Abs(v) >= u.size {
			return sig(v/u.size) + " " + u.name
		}
	}
	return strconv.FormatFloat(v, 'f', 0, 64) + " B"
}

// scientific prints a small v as "5.06 × 10⁻⁶".
func scientific(v float64) string {
	exp := int(math.Floor(math.Log10(math.Abs(v))))
	mant := v / math.Pow10(exp)
	if r, _ := strconv.ParseFloat(sig(mant), 64); math.Abs(r) >= 10 {
		mant, exp = mant/10, exp+1
	}
	return sig(mant) + " × 10" + superscript(exp)
}

func superscript(n int) string {
	digits := []rune("⁰¹²³⁴⁵⁶⁷⁸⁹")
	var b strings.Builder
	if n < 0 {
		b.WriteRune('⁻')
		n = -n
	}
	for _, c := range strconv.Itoa(n) {
		b.WriteRune(digits[c-'0'])
	}
	return b.String()
}

// thousands prints a whole number with commas between groups of three.
func thousands(v float64) string {
	s := strconv.FormatFloat(math.Abs(v), 'f', 0, 64)
	var b strings.Builder
	if v < 0 {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
