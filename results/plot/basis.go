package plot

import (
	"math"
	"strconv"

	"github.com/sharebench/sharebench/results"
)

// Basis is one headline figure of a plot with what it rests on: the value,
// its 95 % interval and its sample count, as the table shows them. A plot
// lists its bases beside the legend, and the report beside the figure; a
// figure with too few samples to compare (results.Figure.Comparable) is
// set apart: its line or point drawn faint, its basis saying so.
type Basis struct {
	Strategy, Metric string
	Text             string // e.g. "sync p99 latency 27.7 ± 2.4 ms, n=115k"
	TooFew           bool
}

// basisOf reads one metric of a strategy, by its name in the file
// (scoped ones, owner.rps@reviews, included). ok is false for an
// unknown metric or one that does not apply.
func basisOf(s source, name, metric, label string) (Basis, bool) {
	mt, found := results.LookupIn(s.f.Topology, metric)
	m := s.metrics(name)
	if !found || m == nil || !mt.Applies(m) {
		return Basis{}, false
	}
	f := results.FigureOf(m, mt)
	b := Basis{Strategy: name, Metric: metric}
	text := name + " " + label + " " + figureValue(mt.Unit, f.Value)
	if f.HasCI && f.Method != results.MethodExact {
		text += " ± " + figureValue(mt.Unit, f.CI95)
	}
	if mt.Unit != "" && mt.Unit != "B" {
		text += " " + mt.Unit
	}
	if f.Counted && mt.Within == results.Batched {
		text += ", n=" + results.Count(f.N)
	}
	// As the table marks it: a figure a run could have given an interval
	// and samples for, but did not give enough.
	if f.TooFew(mt) {
		b.TooFew = true
		// No ⚠: the plots' font has no such glyph.
		text = "too few samples: " + text + " (" + mt.NeedText() + ")"
	}
	b.Text = text
	return b, true
}

// figureValue prints a value as the table does: percentages with 2
// decimals, bytes in KiB/MiB, the rest with 3 significant digits.
func figureValue(unit string, v float64) string {
	switch unit {
	case "%":
		return strconv.FormatFloat(v, 'f', 2, 64)
	case "B":
		return binaryBytes(v)
	case "":
		if v == math.Trunc(v) {
			return strconv.FormatFloat(v, 'f', 0, 64) // a count
		}
	}
	return sig(v)
}

// tooFew reports whether a basis of the strategy for the metric is marked.
func tooFew(bs []Basis, strategy, metric string) bool {
	for _, b := range bs {
		if b.Strategy == strategy && b.Metric == metric {
			return b.TooFew
		}
	}
	return false
}

// addBasis appends the bases of metric (with label) for every strategy to
// the figure, and each basis's text to the panel's notes.
func addBasis(s source, fig *Figure, p *Panel, metric, label string) {
	for _, name := range s.names {
		if b, ok := basisOf(s, name, metric, label); ok {
			fig.Basis = append(fig.Basis, b)
			p.Notes = append(p.Notes, b.Text)
		}
	}
}
