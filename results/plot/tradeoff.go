package plot

import (
	"fmt"
	"slices"
	"strings"
)

// tradeoff places each strategy at (p99 latency, p99 staleness) of the
// public pages, labelled with the load it puts on the owner, and draws the
// Pareto front: the strategies no other beats on both axes.
//
// Staleness is on a log axis when every strategy has some (they can differ
// by orders of magnitude: milliseconds against the seconds of a partition);
// when one has none, 0 is its true place, so the axis turns linear rather
// than leave the best strategy off the map.
func tradeoff(s source) Figure {
	p := Panel{
		X: Axis{Label: "p99 latency, public pages (ms, log scale)", Log: true},
		Y: Axis{Label: "p99 staleness of stale sections (ms, log scale)", Log: true},
	}
	var zero []string
	for _, name := range s.names {
		m := s.metrics(name)
		all := m.Pages["all"]
		switch {
		case !applies("staleness.p99", m):
			p.Notes = append(p.Notes, name+": staleness does not apply")
			continue
		case all == nil || all.LatencyMS.P99 <= 0:
			p.Notes = append(p.Notes, name+": no rendered public pages")
			continue
		}
		if all.StalenessMS.P99 <= 0 {
			zero = append(zero, name)
		}
		p.Points = append(p.Points, Point{
			Label: name,
			Text:  fmt.Sprintf("%s\nowner %s req/s", name, sig(m.Owner.RPS)),
			Style: s.style[name],
			XY:    XY{all.LatencyMS.P99, max(all.StalenessMS.P99, 0)},
		})
	}
	if len(zero) > 0 {
		p.Y.Log = false
		p.Y.Label = "p99 staleness of stale sections (ms)"
		p.Notes = append(p.Notes, fmt.Sprintf("staleness axis linear: %s %s no stale sections", strings.Join(zero, ", "), plural(len(zero), "has", "have")))
	}
	p.Front = paretoFront(p.Points)
	var xs, ys []float64
	for _, pt := range p.Points {
		xs, ys = append(xs, pt.X), append(ys, pt.Y)
	}
	// Room to the right and above for the labels beside the markers.
	p.X.Min, p.X.Max = logRange(xs, 1.3, 2.2)
	if p.Y.Log {
		p.Y.Min, p.Y.Max = logRange(ys, 1.6, 1.6)
	} else {
		_, p.Y.Max = linRange(ys)
		p.Y.Max *= 1.15
	}
	return Figure{
		Name:   "tradeoff",
		Title:  "Trade-off: latency against staleness (lower left is better)",
		Panels: []Panel{p},
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// paretoFront returns the points no other point beats on both x and y
// (lower is better on both), by increasing x. A point equal to another on
// both is on the front once.
func paretoFront(pts []Point) []XY {
	xy := make([]XY, len(pts))
	for i, p := range pts {
		xy[i] = p.XY
	}
	slices.SortFunc(xy, func(a, b XY) int {
		if a.X != b.X {
			return cmpFloat(a.X, b.X)
		}
		return cmpFloat(a.Y, b.Y)
	})
	var front []XY
	for _, p := range xy {
		// Sorted by x, then y: p is dominated unless it is strictly lower
		// than everything before it.
		if len(front) == 0 || p.Y < front[len(front)-1].Y {
			front = append(front, p)
		}
	}
	return front
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
