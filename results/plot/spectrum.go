package plot

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/sharebench/sharebench/pages"
	"github.com/sharebench/sharebench/results"
)

// pageKinds are the page kinds of the file in the order their spectra
// appear: the public pages together, then each kind of its topology (the
// marketplace's for a file of that form); kinds a file has beyond these
// follow by name.
func (s source) pageKinds() []string {
	return append([]string{pages.All}, s.f.Shape().KindNames()...)
}

// kindTitle names a page kind for a reader.
func (s source) kindTitle(kind string) string {
	shape := s.f.Shape()
	k, _ := shape.Kind(kind)
	switch {
	case kind == pages.All:
		return "public pages (" + strings.Join(shape.PublicKinds(), ", ") + ")"
	case k.Self && s.f.Topology == nil:
		return kind + "-view pages" // the marketplace's "self-view pages"
	case k.Self:
		return kind + " pages (self-view)"
	}
	return kind + " pages"
}

// spectrumPointsPerDecade is how finely spectra sample the percentiles: 10
// points per decade of 1/(1−p) draws a smooth curve from 50 % to the tail.
const spectrumPointsPerDecade = 10

// spectrumMaxDecades stops the spectrum at 99.9999 %: beyond a million
// values' worth of tail, a run has no information.
const spectrumMaxDecades = 6

// spectra returns a latency spectrum per page kind, HDR-style: latency
// against 1/(1−p) on a log axis, so 50 %, 90 %, 99 %, 99.9 % … are evenly
// spaced and the tail gets the room it deserves.
func spectra(s source) []Figure {
	pageKinds := s.pageKinds()
	kinds := slices.Clone(pageKinds)
	extra := map[string]bool{}
	for _, name := range s.names {
		for key := range s.metrics(name).HDR {
			if k, ok := strings.CutPrefix(key, "latency."); ok && !slices.Contains(kinds, k) {
				extra[k] = true
			}
		}
	}
	kinds = append(kinds, slices.Sorted(maps.Keys(extra))...)

	var figs []Figure
	for _, kind := range kinds {
		fig, ok := spectrum(s, kind)
		// The standard kinds always get a file, so a run's directory
		// has the same names every time; an extra kind only when it has data.
		if ok || slices.Contains(pageKinds, kind) {
			figs = append(figs, fig)
		}
	}
	return figs
}

// spectrum is the figure for one page kind; ok reports whether any
// strategy had renders of it.
func spectrum(s source, kind string) (fig Figure, ok bool) {
	p := Panel{
		X: Axis{Label: "percentile (spaced by 1/(1−p), log scale)", Log: true, Min: 1},
		Y: Axis{Label: "latency (ms)"},
	}
	maxX, maxY := 10.0, 0.0 // at least out to 90 %
	var lineNames []string  // the column of each line
	for _, name := range s.names {
		m := s.metrics(name)
		enc, found := m.HDR["latency."+kind]
		if !found {
			p.Notes = append(p.Notes, name+": no latency histogram")
			continue
		}
		h, err := results.DecodeHDR(enc)
		if err != nil {
			p.Notes = append(p.Notes, name+": latency histogram unreadable")
			continue
		}
		n := h.TotalCount()
		if n == 0 {
			p.Notes = append(p.Notes, name+": no renders")
			continue
		}
		// Sample up to x = n: past it the nearest rank is the maximum and
		// the curve would only repeat it.
		top := min(int(math.Floor(spectrumPointsPerDecade*math.Log10(float64(n)))), spectrumPointsPerDecade*spectrumMaxDecades)
		pts := make([]XY, 0, top+1)
		for k := 0; k <= top; k++ {
			x := math.Pow(10, float64(k)/spectrumPointsPerDecade)
			v := float64(h.ValueAtPercentile(100*(1-1/x))) / 1000
			pts = append(pts, XY{x, v})
			maxY = max(maxY, v)
		}
		maxX = max(maxX, pts[len(pts)-1].X)
		sum := results.SummaryOf(h)
		p.Lines = append(p.Lines, Line{
			Label:    fmt.Sprintf("%s: p99 %s ms, max %s ms (n=%s)", s.label(name), sig(sum.P99), sig(sum.Max), results.Count(n)),
			Style:    s.style[name],
			Segments: [][]XY{pts},
		})
		lineNames = append(lineNames, name)
		ok = true
	}
	staggerMarkers(p.Lines)
	fig = Figure{Name: "latency-" + kind, Title: "Latency by percentile: " + s.kindTitle(kind)}
	// The public pages' percentiles are the registered figures, and in
	// the general form each kind's are too (latency.p99@product): their
	// intervals and sample counts go beside the curves.
	if kind == pages.All || s.f.Topology != nil && slices.Contains(s.f.Shape().KindNames(), kind) {
		for _, q := range []struct{ metric, label string }{{"latency.p50", "p50"}, {"latency.p99", "p99"}, {"latency.p999", "p99.9"}} {
			n := len(fig.Basis)
			if kind != pages.All {
				q.metric = results.Scoped(q.metric, kind)
			}
			addBasis(s, &fig, &p, q.metric, q.label)
			for i := range p.Lines {
				name := lineNames[i]
				p.Lines[i].Faint = p.Lines[i].Faint || q.label == "p99" && tooFew(fig.Basis[n:], name, q.metric)
			}
		}
	}
	// The axis ends where the data does: a run of 3,000 pages has
	// nothing to say at 99.99 %, and an empty decade only squeezes the rest.
	p.X.Max = maxX
	p.X.Ticks = percentileTicks(p.X.Max)
	_, p.Y.Max = linRange([]float64{maxY})
	fig.Panels = []Panel{p}
	return fig, ok
}

// percentileTicks labels x = 1/(1−p) with p, up to max.
func percentileTicks(max float64) []Tick {
	// x = 1 (the minimum) gets no label: "0 %" beside "50 %" crowds both.
	ticks := []Tick{{1, ""}, {2, "50 %"}}
	labels := []string{"90 %", "99 %", "99.9 %", "99.99 %", "99.999 %", "99.9999 %"}
	for i, label := range labels {
		x := math.Pow10(i + 1)
		if x > max*(1+1e-9) {
			break
		}
		ticks = append(ticks, Tick{x, label})
	}
	return ticks
}
