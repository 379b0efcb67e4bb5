package plot

import (
	"github.com/sharebench/sharebench/results"
)

// owners is the general form's figure per owner: the load each column
// puts on each owner, the bytes of each owner's data each page service
// holds, and how complete each owner's sections are on the public pages.
// It is what a plan changes: one owner shared async holds bytes and
// sheds load, another shared sync does the opposite. A file of the
// marketplace form (one owner, the cost figure) has none (ok false).
func owners(s source) (Figure, bool) {
	t := s.f.Topology
	if t == nil || len(t.Owners) == 0 {
		return Figure{}, false
	}
	load := Panel{Title: "requests sent to each owner", Y: Axis{Label: "requests per second, refused included"}, Bars: &Bars{Groups: t.Owners}}
	dup := Panel{Title: "each owner's data held by each page service", Bars: &Bars{}}
	comp := Panel{Title: "each owner's sections shown on public pages", Y: Axis{Label: "completeness (%)"}, Bars: &Bars{Groups: t.Owners}}

	// Only the (service, owner) pairs that some column duplicates: a
	// service that never reads an owner holds none of its data.
	type pair struct{ svc, owner string }
	var pairs []pair
	var dupMax float64
	for _, svc := range t.Services {
		for _, o := range t.ServiceReads(svc) {
			held := false
			for _, name := range s.names {
				if r := s.metrics(name).Owners[o]; r != nil && r.Duplication[svc] > 0 {
					held = true
					dupMax = max(dupMax, float64(r.Duplication[svc]))
				}
			}
			if held {
				pairs = append(pairs, pair{svc, o})
				dup.Bars.Groups = append(dup.Bars.Groups, o+"\nin "+svc)
			}
		}
	}
	unit, size := byteUnit(dupMax)
	dup.Y.Label = "bytes held (" + unit + ")"

	var loadVals, dupVals, compVals []float64
	for _, name := range s.names {
		m, style := s.metrics(name), s.style[name]
		lb := BarSeries{Label: s.label(name), Style: style}
		cb := BarSeries{Label: s.label(name), Style: style}
		for _, o := range t.Owners {
			var rps, c float64
			if r := m.Owners[o]; r != nil {
				rps, c = r.Load.RPS, 100*r.Sections.Completeness
			}
			lb.Values, lb.Texts = append(lb.Values, rps), append(lb.Texts, sig(rps))
			cb.Values, cb.Texts = append(cb.Values, c), append(cb.Texts, figureValue("%", c))
			loadVals, compVals = append(loadVals, rps), append(compVals, c)
		}
		load.Bars.Series = append(load.Bars.Series, lb)
		comp.Bars.Series = append(comp.Bars.Series, cb)
		if len(pairs) > 0 {
			db := BarSeries{Label: s.label(name), Style: style}
			for _, p := range pairs {
				var v float64
				if r := m.Owners[p.owner]; r != nil {
					v = float64(r.Duplication[p.svc]) / size
				}
				db.Values, db.Texts = append(db.Values, v), append(db.Texts, sig(v))
				dupVals = append(dupVals, v)
			}
			dup.Bars.Series = append(dup.Bars.Series, db)
		}
	}
	if len(pairs) == 0 {
		dup.Notes = append(dup.Notes, "no page service holds any owner's data (every owner shared sync)")
	}
	_, load.Y.Max = linRange(loadVals)
	_, dup.Y.Max = linRange(dupVals)
	comp.Y.Min, comp.Y.Max = 0, 100
	for _, p := range []*Panel{&load, &dup, &comp} {
		p.Y.Max *= 1.08 // headroom for the value printed above a bar
		p.X = Axis{Min: -0.5, Max: float64(max(len(p.Bars.Groups), 1)) - 0.5}
	}
	fig := Figure{Name: "owners", Title: "Per owner: load, duplicated data, sections shown", Cols: 3}
	for _, o := range t.Owners {
		addBasis(s, &fig, &load, results.Scoped("owner.rps", o), o+" load")
		addBasis(s, &fig, &comp, results.Scoped("completeness", o), o+" complete")
	}
	fig.Panels = []Panel{load, dup, comp}
	return fig, true
}
