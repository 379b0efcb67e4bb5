package plot

import (
	"fmt"
	"math"
	"strings"

	"github.com/sharebench/sharebench/pages"
	"github.com/sharebench/sharebench/results"
)

// tradeoffMetrics are what decides the choice between strategies, all on
// one map: p99 latency (x), the expected staleness of a section read, a
// fresh one counting 0 (y), the load on the owner (the marker's area) and
// completeness (in the label). Lower is better for all but completeness.
var tradeoffMetrics = []struct {
	metric, label string
	better        results.Better
}{
	{"latency.p99", "p99 latency", results.Lower},
	{"read_staleness.mean", "expected staleness", results.Lower},
	{"completeness", "completeness", results.Higher},
	{"owner.rps", "owner load", results.Lower},
}

// tradeoff places each strategy at (p99 latency, expected staleness of a
// section read) of the public pages, with their 95 % intervals as error
// bars; the marker's area grows with the load the strategy puts on the
// owner, and its label gives that load and the completeness. A strategy
// another beats or equals on all four is dominated, and a note says by
// whom: no staircase on two axes pretends the other two do not count.
//
// Staleness is the unconditional measure (every section read, a fresh one
// as 0) on a linear axis: the conditional p99 of stale sections rests on a
// handful of samples when sections are rarely stale, and 0 is a true
// place on the map.
func tradeoff(s source) Figure {
	fig := Figure{
		Name:  "tradeoff",
		Title: "Trade-off: latency, staleness, completeness and owner load",
	}
	p := Panel{
		Title: "lower left is better; a bigger marker loads the owner more; bars: 95 % intervals",
		X:     Axis{Label: "p99 latency, public pages (ms, log scale)", Log: true},
		Y:     Axis{Label: "expected staleness of a section read (ms; a fresh one counts 0)"},
	}
	var maxRPS float64
	for _, name := range s.names {
		maxRPS = max(maxRPS, s.metrics(name).Owner.RPS)
	}
	type entry struct {
		name string
		figs []results.Figure
	}
	var placed []entry
	for _, name := range s.names {
		m := s.metrics(name)
		all := m.Pages[pages.All]
		if all == nil || all.LatencyMS.P99 <= 0 {
			p.Notes = append(p.Notes, name+": no rendered public pages")
			continue
		}
		var figs []results.Figure
		faint := false
		for _, tm := range tradeoffMetrics {
			mt, _ := results.Lookup(tm.metric)
			figs = append(figs, results.FigureOf(m, mt))
			if b, ok := basisOf(s, name, tm.metric, tm.label); ok {
				fig.Basis = append(fig.Basis, b)
				faint = faint || b.TooFew
			}
		}
		size := 1.0
		if maxRPS > 0 {
			// Area from 0.3 (no load) to 3 (the most loaded strategy).
			size = 0.3 + 2.7*m.Owner.RPS/maxRPS
		}
		p.Points = append(p.Points, Point{
			Label: s.label(name),
			Text:  fmt.Sprintf("%s\nowner %s req/s\ncomplete %s %%", name, sig(m.Owner.RPS), figureValue("%", 100*all.Completeness)),
			Style: s.style[name],
			XY:    XY{figs[0].Value, max(figs[1].Value, 0)},
			XErr:  figs[0].CI95, YErr: figs[1].CI95,
			Size: size, Faint: faint,
		})
		placed = append(placed, entry{name, figs})
	}
	for _, e := range placed {
		var by []string
		for _, o := range placed {
			if o.name != e.name && dominates(o.figs, e.figs) {
				by = append(by, o.name)
			}
		}
		if len(by) > 0 {
			p.Notes = append(p.Notes, fmt.Sprintf("%s is dominated by %s: better beyond the intervals on at least one of the four, worse on none", e.name, strings.Join(by, ", ")))
		}
	}
	for _, b := range fig.Basis {
		p.Notes = append(p.Notes, b.Text)
	}
	var xs, ys []float64
	for _, pt := range p.Points {
		xs = append(xs, pt.X-pt.XErr, pt.X+pt.XErr, pt.X)
		ys = append(ys, pt.Y+pt.YErr)
	}
	// Room to the right and above for the labels beside the markers.
	p.X.Min, p.X.Max = logRange(xs, 1.3, 2.6)
	_, p.Y.Max = linRange(ys)
	p.Y.Max *= 1.3
	if p.Y.Max == 0 || math.IsNaN(p.Y.Max) {
		p.Y.Max = 1
	}
	fig.Panels = []Panel{p}
	return fig
}

// dominates reports whether a dominates b on the trade-off metrics
// (figures in tradeoffMetrics' order), by the rule tables star by
// (results.Beats): a beats b on at least one, and b beats a on none. A
// lead inside the intervals, or on too few samples, decides nothing.
func dominates(a, b []results.Figure) bool {
	better := false
	for i, tm := range tradeoffMetrics {
		mt, _ := results.Lookup(tm.metric)
		if results.Beats(mt, b[i], a[i]) {
			return false
		}
		better = better || results.Beats(mt, a[i], b[i])
	}
	return better
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
