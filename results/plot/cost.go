package plot

import (
	"slices"

	"github.com/sharebench/sharebench/pages"
	"github.com/sharebench/sharebench/results"
)

// cost shows what each strategy spends: owner calls per page, bytes of the
// owner's data duplicated in each service, and broker records.
func cost(s source) Figure {
	calls := Panel{Title: "owner calls per page requested", Y: Axis{Label: "calls per page"}, Bars: &Bars{Groups: []string{"all pages"}}}
	dup := Panel{Title: "Top Clients data held by each service", Bars: &Bars{}}
	if s.f.Topology != nil {
		dup.Title = "owners' data held by each page service"
	}
	broker := Panel{Title: "broker records", Y: Axis{Label: "records", Integer: true}, Bars: &Bars{Groups: []string{"published", "delivered", "redelivered", "lost"}}}

	var callVals, brokerVals []float64
	services := map[string]bool{}
	for _, name := range s.names {
		for svc := range s.metrics(name).DuplicationBytes {
			services[svc] = true
		}
	}
	dup.Bars.Groups = sortedKeys(services)
	var dupMax float64
	for _, name := range s.names {
		for _, b := range s.metrics(name).DuplicationBytes {
			dupMax = max(dupMax, float64(b))
		}
	}
	unit, size := byteUnit(dupMax)
	dup.Y.Label = "bytes held (" + unit + ")"
	var dupVals []float64

	for _, name := range s.names {
		m, style := s.metrics(name), s.style[name]

		requested := pageCount(m, pages.All)
		for _, k := range s.f.Shape().Kinds {
			if k.Self {
				requested += pageCount(m, k.Name)
			}
		}
		if requested > 0 {
			v := float64(m.Owner.Requests) / float64(requested)
			calls.Bars.Series = append(calls.Bars.Series, BarSeries{Label: s.label(name), Style: style, Values: []float64{v}, Texts: []string{sig(v)}})
			callVals = append(callVals, v)
		} else {
			calls.Notes = append(calls.Notes, name+": no pages requested")
		}

		if len(dup.Bars.Groups) > 0 {
			bs := BarSeries{Label: s.label(name), Style: style}
			for _, svc := range dup.Bars.Groups {
				v := float64(m.DuplicationBytes[svc]) / size
				bs.Values = append(bs.Values, v)
				bs.Texts = append(bs.Texts, sig(v))
				dupVals = append(dupVals, v)
			}
			dup.Bars.Series = append(dup.Bars.Series, bs)
		}

		if !applies("broker.lost", m) {
			broker.Notes = append(broker.Notes, name+": publishes nothing")
			continue
		}
		b := m.Broker
		bs := BarSeries{Label: s.label(name), Style: style}
		for _, v := range []int64{b.Published, b.Delivered, b.Redelivered, b.Lost} {
			bs.Values = append(bs.Values, float64(v))
			bs.Texts = append(bs.Texts, sig(float64(v)))
			brokerVals = append(brokerVals, float64(v))
		}
		broker.Bars.Series = append(broker.Bars.Series, bs)
	}
	if len(dup.Bars.Groups) == 0 {
		dup.Notes = append(dup.Notes, "no service reported duplicated data")
	}
	// Bars get headroom for the value printed above them.
	_, calls.Y.Max = linRange(callVals)
	_, dup.Y.Max = linRange(dupVals)
	_, broker.Y.Max = linRange(brokerVals)
	for _, p := range []*Panel{&calls, &dup, &broker} {
		p.Y.Max *= 1.08
		p.X = Axis{Min: -0.5, Max: float64(max(len(p.Bars.Groups), 1)) - 0.5}
	}
	fig := Figure{Name: "cost", Title: "What each strategy costs", Cols: 3}
	addBasis(s, &fig, &calls, "owner.rps", "owner load")
	addBasis(s, &fig, &dup, "duplication", "duplicated")
	fig.Panels = []Panel{calls, dup, broker}
	return fig
}

func pageCount(m *results.Metrics, kind string) int64 {
	if p := m.Pages[kind]; p != nil {
		return p.Count
	}
	return 0
}

func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
