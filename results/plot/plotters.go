package plot

import (
	"image/color"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// bareLine draws a line and is nothing else to gonum: the axis ranges are
// set from the data already, and a line's glyph boxes (one per point,
// asked for several times per draw) only cost time.
type bareLine struct{ l *plotter.Line }

func (b bareLine) Plot(c draw.Canvas, p *gplot.Plot) { b.l.Plot(c, p) }

// strokeChunk is the most points one stroke draws. The PNG rasteriser
// keeps each pixel row's cells in a list it searches linearly, so one long
// wiggly polyline costs time quadratic in its length (an hour of seconds
// took 5 s to draw); strokes of 64 points cost linear time.
const strokeChunk = 64

// chunks splits a polyline of two or more points into pieces of at most n
// points, each starting where the last ended so the line stays unbroken.
func chunks(xys plotter.XYs, n int) []plotter.XYs {
	var out []plotter.XYs
	for i := 0; i+1 < len(xys); i += n - 1 {
		out = append(out, xys[i:min(i+n, len(xys))])
	}
	return out
}

func toXYs(pts []XY) plotter.XYs {
	xys := make(plotter.XYs, len(pts))
	for i, p := range pts {
		xys[i] = plotter.XY{X: p.X, Y: p.Y}
	}
	return xys
}

// staircase outlines the region the front dominates: from the top of the
// axis down to the first point, across and down through each next one, and
// on to the right edge.
func staircase(front []XY, xMax, yMax float64) []XY {
	pts := []XY{{front[0].X, yMax}}
	for i, p := range front {
		if i > 0 {
			pts = append(pts, XY{p.X, front[i-1].Y})
		}
		pts = append(pts, p)
	}
	return append(pts, XY{xMax, front[len(front)-1].Y})
}

// addBars draws grouped bars: group g at x = g, the series side by side.
func addBars(pl *gplot.Plot, b *Bars, width vg.Length) error {
	n := len(b.Series)
	if n == 0 || len(b.Groups) == 0 {
		return nil
	}
	// Bars fill 80 % of a group's width on the data area.
	groupW := (width - axesW) / vg.Length(len(b.Groups))
	barW := groupW * 0.8 / vg.Length(n)
	// Values printed above bars too narrow for them would run into each
	// other ("910910"): then none is printed, and the figure's notes give
	// every value with its interval.
	labelled := true
	for _, s := range b.Series {
		for _, t := range s.Texts {
			if textStyle(7.5, color.Black).Width(t) > barW*1.1 {
				labelled = false
			}
		}
	}
	for j, s := range b.Series {
		bc, err := plotter.NewBarChart(plotter.Values(s.Values), barW)
		if err != nil {
			return err
		}
		bc.Color = styleColor(s.Style)
		bc.LineStyle.Width = 0
		bc.Offset = (vg.Length(j) - vg.Length(n-1)/2) * barW
		pl.Add(bc)
		if len(s.Texts) != len(s.Values) || !labelled {
			continue
		}
		xys := make(plotter.XYs, len(s.Values))
		for g, v := range s.Values {
			xys[g] = plotter.XY{X: float64(g), Y: v}
		}
		lb, err := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: s.Texts})
		if err != nil {
			return err
		}
		for i := range lb.TextStyle {
			lb.TextStyle[i] = textStyle(7.5, color.Black)
			lb.TextStyle[i].XAlign = draw.XCenter
		}
		lb.Offset = vg.Point{X: bc.Offset, Y: vg.Points(2)}
		pl.Add(lb)
	}
	return nil
}

// shade fills the fault and warm-up windows across the whole height of the
// data area, in canvas coordinates so it needs no y value (and so never
// puts a 0 on a log axis). It reports no data range: the windows do not
// widen the axes.
type shade struct{ windows []Window }

func (s *shade) Plot(c draw.Canvas, pl *gplot.Plot) {
	trX, _ := pl.Transforms(&c)
	for _, w := range s.windows {
		from, to := max(w.FromS, pl.X.Min), min(w.ToS, pl.X.Max)
		if to < from {
			continue
		}
		x0, x1 := trX(from), trX(to)
		col, dark := windowColors(w.Kind)
		switch {
		case w.ToS <= w.FromS: // an instant (a crash with for: 0, a step of the rate): a dark bar
			x0, x1 = x0-0.75, x0+0.75
			col = dark
		case x1-x0 < 1.5: // too short to see at this scale: widen it
			mid := (x0 + x1) / 2
			x0, x1 = mid-0.75, mid+0.75
		}
		c.FillPolygon(col, []vg.Point{{X: x0, Y: c.Min.Y}, {X: x1, Y: c.Min.Y}, {X: x1, Y: c.Max.Y}, {X: x0, Y: c.Max.Y}})
	}
}

// bandLabels writes each window's labels above the data area, in the
// band the panel's title padding leaves, at the window's start.
type bandLabels struct {
	windows []Window
	rows    []int
	style   text.Style
}

func (b *bandLabels) Plot(c draw.Canvas, pl *gplot.Plot) {
	trX, _ := pl.Transforms(&c)
	for i, w := range b.windows {
		if w.ToS < pl.X.Min || w.FromS > pl.X.Max {
			continue
		}
		sty := b.style
		_, sty.Color = windowColors(w.Kind)
		label := fitLabel(windowLabel(w), sty, c.Max.X-c.Min.X)
		x := trX(max(w.FromS, pl.X.Min)) + 1
		if width := sty.Width(label); x+width > c.Max.X {
			x = max(c.Min.X, c.Max.X-width)
		}
		row := 0
		if i < len(b.rows) {
			row = b.rows[i]
		}
		c.FillText(sty, vg.Point{X: x, Y: c.Max.Y + vg.Points(5+bandLineH*float64(row))}, label)
	}
}

// windowColors returns a window's shade and the colour of its label.
func windowColors(kind string) (shade, text color.Color) {
	switch kind {
	case "warmup":
		return warmupShade, warmupText
	case "traffic":
		return trafficShade, trafficText
	}
	return faultShade, faultText
}
