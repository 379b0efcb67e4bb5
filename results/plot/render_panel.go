package plot

import (
	"image/color"
	"math"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// The panels of a figure (render.go lays the figure out): each panel as a
// gonum plot, and the styles that tell strategies apart in it.

// panelPlot builds the gonum plot of one panel.
func panelPlot(p Panel, bandRows int, width vg.Length) (*gplot.Plot, error) {
	pl := gplot.New()
	pl.BackgroundColor = nil // the figure is white already; a fill per panel costs
	pl.Title.Text = p.Title
	pl.Title.TextStyle = textStyle(10.5, color.Black)
	pl.Title.TextStyle.XAlign = draw.XCenter
	pl.Title.TextStyle.YAlign = draw.YTop
	// Room for the window labels between the title and the data.
	pl.Title.Padding = vg.Points(6 + bandLineH*float64(bandRows))
	if p.Title == "" && bandRows > 0 {
		// Without a title gonum adds no padding; a blank title makes room.
		pl.Title.Text = " "
	}
	// Only the fonts change: gonum's alignments (and the quarter turn it
	// gives the y label) stay.
	for _, a := range []*gplot.Axis{&pl.X, &pl.Y} {
		a.Label.TextStyle.Font = font.From(sans, 10)
		a.Tick.Label.Font = font.From(sans, 9)
	}
	pl.X.Label.Text, pl.Y.Label.Text = p.X.Label, p.Y.Label

	if len(p.Windows) > 0 {
		pl.Add(&shade{windows: p.Windows})
	}
	grid := plotter.NewGrid()
	grid.Vertical.Color, grid.Horizontal.Color = gridColor, gridColor
	if p.Bars != nil {
		grid.Vertical.Color = nil
	}
	pl.Add(grid)

	for i, l := range p.Lines {
		for _, seg := range l.Segments {
			xys := toXYs(seg)
			if len(seg) == 1 || l.Marks {
				sc, err := plotter.NewScatter(xys)
				if err != nil {
					return nil, err
				}
				sc.GlyphStyle = faintGlyph(markStyle(l.Style), l.Faint)
				pl.Add(sc)
			}
			for _, chunk := range chunks(xys, strokeChunk) {
				ln, err := plotter.NewLine(chunk)
				if err != nil {
					return nil, err
				}
				ln.LineStyle = lineStyle(l.Style, i, len(p.Lines))
				if l.Faint {
					ln.LineStyle.Color = pale(ln.LineStyle.Color)
				}
				pl.Add(bareLine{ln})
			}
		}
	}
	for _, l := range p.Lines {
		if len(l.YErrs) == 0 {
			continue
		}
		k := 0
		for _, seg := range l.Segments {
			for _, q := range seg {
				if k < len(l.YErrs) && l.YErrs[k] > 0 {
					if err := addErrorBars(pl, p, Point{Style: l.Style, XY: q, YErr: l.YErrs[k], Faint: l.Faint}); err != nil {
						return nil, err
					}
				}
				k++
			}
		}
	}
	// Markers go on top of every line, so a line drawn over another
	// cannot cover its markers.
	for _, l := range p.Lines {
		if l.Marks || len(l.Markers) == 0 {
			continue
		}
		sc, err := plotter.NewScatter(toXYs(l.Markers))
		if err != nil {
			return nil, err
		}
		sc.GlyphStyle = faintGlyph(markStyle(l.Style), l.Faint)
		pl.Add(sc)
	}
	if len(p.Front) > 0 {
		ln, err := plotter.NewLine(toXYs(staircase(p.Front, p.X.Max, p.Y.Max)))
		if err != nil {
			return nil, err
		}
		ln.LineStyle = frontStyle()
		pl.Add(ln)
	}
	for _, pt := range p.Points {
		if err := addErrorBars(pl, p, pt); err != nil {
			return nil, err
		}
		sc, err := plotter.NewScatter(plotter.XYs{{X: pt.X, Y: pt.Y}})
		if err != nil {
			return nil, err
		}
		sc.GlyphStyle = pointStyle(pt.Style)
		if pt.Size > 0 {
			sc.GlyphStyle.Radius = vg.Length(float64(sc.GlyphStyle.Radius) * math.Sqrt(pt.Size))
		}
		sc.GlyphStyle = faintGlyph(sc.GlyphStyle, pt.Faint)
		lb, err := plotter.NewLabels(plotter.XYLabels{XYs: plotter.XYs{{X: pt.X, Y: pt.Y}}, Labels: []string{pt.Text}})
		if err != nil {
			return nil, err
		}
		for i := range lb.TextStyle {
			// Above and to the right: clear of the front, which leaves
			// each point downwards and rightwards.
			lb.TextStyle[i] = textStyle(9, color.Black)
		}
		lb.Offset = vg.Point{X: sc.GlyphStyle.Radius + vg.Points(3), Y: vg.Points(4)}
		pl.Add(sc, lb)
	}
	if p.Bars != nil {
		if err := addBars(pl, p.Bars, width); err != nil {
			return nil, err
		}
	}

	if p.Heat != nil {
		if err := addHeat(pl, p.Heat); err != nil {
			return nil, err
		}
		return pl, nil
	}
	// The data ranges were decided with the data; plotters' own ranges
	// (added above) must not widen a log axis towards 0.
	pl.X.Min, pl.X.Max = p.X.Min, p.X.Max
	pl.Y.Min, pl.Y.Max = p.Y.Min, p.Y.Max
	setScale(&pl.X, p.X)
	setScale(&pl.Y, p.Y)
	if p.Bars != nil && len(p.Bars.Groups) > 0 {
		pl.NominalX(p.Bars.Groups...)
		pl.X.Min, pl.X.Max = p.X.Min, p.X.Max
		pl.X.Label.Text = p.X.Label
	}
	return pl, nil
}

func setScale(a *gplot.Axis, ax Axis) {
	switch {
	case len(ax.Ticks) > 0:
		ticks := make(gplot.ConstantTicks, len(ax.Ticks))
		for i, t := range ax.Ticks {
			ticks[i] = gplot.Tick{Value: t.Value, Label: t.Label}
		}
		a.Tick.Marker = ticks
	case ax.Log:
		a.Tick.Marker = logTicks{}
	default:
		a.Tick.Marker = linTicks{integer: ax.Integer}
	}
	if ax.Log {
		a.Scale = gplot.LogScale{}
	}
}

// pale mixes c two parts in three with white: a line or point whose figure
// rests on too few samples.
func pale(c color.Color) color.Color {
	r, g, b, _ := c.RGBA()
	mix := func(v uint32) uint8 { return uint8((v>>8 + 2*0xff) / 3) }
	return color.RGBA{mix(r), mix(g), mix(b), 0xff}
}

func faintGlyph(g draw.GlyphStyle, faint bool) draw.GlyphStyle {
	if faint {
		g.Color = pale(g.Color)
	}
	return g
}

// addErrorBars draws a point's 95 % intervals as bars with caps, clipped
// to the axes (a log axis cannot show an interval reaching 0).
func addErrorBars(pl *gplot.Plot, p Panel, pt Point) error {
	col := styleColor(pt.Style)
	if pt.Faint {
		col = pale(col)
	}
	sty := draw.LineStyle{Color: col, Width: vg.Points(1.2)}
	clip := func(v float64, a Axis) float64 { return min(max(v, a.Min), a.Max) }
	var segs [][2]plotter.XY
	if pt.XErr > 0 {
		lo, hi := clip(pt.X-pt.XErr, p.X), clip(pt.X+pt.XErr, p.X)
		segs = append(segs, [2]plotter.XY{{X: lo, Y: pt.Y}, {X: hi, Y: pt.Y}})
	}
	if pt.YErr > 0 {
		lo, hi := clip(pt.Y-pt.YErr, p.Y), clip(pt.Y+pt.YErr, p.Y)
		segs = append(segs, [2]plotter.XY{{X: pt.X, Y: lo}, {X: pt.X, Y: hi}})
	}
	for _, sg := range segs {
		ln, err := plotter.NewLine(plotter.XYs{sg[0], sg[1]})
		if err != nil {
			return err
		}
		ln.LineStyle = sty
		pl.Add(bareLine{ln})
	}
	return nil
}

// dashes are the strategies' dash patterns, by style index: solid first,
// then patterns that stay apart when one lies on another.
var dashes = [][]vg.Length{
	nil,
	{vg.Points(6), vg.Points(3)},
	{vg.Points(1.5), vg.Points(2.5)},
	{vg.Points(8), vg.Points(2.5), vg.Points(1.5), vg.Points(2.5)},
	{vg.Points(3), vg.Points(3)},
	{vg.Points(10), vg.Points(4)},
	{vg.Points(5), vg.Points(2), vg.Points(1.5), vg.Points(2), vg.Points(1.5), vg.Points(2)},
}

// glyphs are the strategies' marker shapes, by style index.
var glyphs = []draw.GlyphDrawer{
	draw.CircleGlyph{}, draw.TriangleGlyph{}, draw.BoxGlyph{}, draw.CrossGlyph{},
	draw.PyramidGlyph{}, draw.RingGlyph{}, draw.PlusGlyph{}, draw.SquareGlyph{},
}

func pick[T any](xs []T, i int) T { return xs[((i%len(xs))+len(xs))%len(xs)] }

// lineStyle is the style of the i-th of n lines in a panel: the
// strategy's colour and dashes. Lines drawn earlier are wider, so where
// strategies coincide (all at 100 % availability, say) each still shows
// as an edge around the next, and the dashes of the later ones let the
// earlier show through.
func lineStyle(style, i, n int) draw.LineStyle {
	w := min(1.3+0.6*float64(n-1-i), 3.5)
	return draw.LineStyle{Color: styleColor(style), Width: vg.Points(w), Dashes: pick(dashes, style)}
}

func markStyle(i int) draw.GlyphStyle {
	return draw.GlyphStyle{Color: styleColor(i), Radius: vg.Points(3), Shape: pick(glyphs, i)}
}

func pointStyle(i int) draw.GlyphStyle {
	return draw.GlyphStyle{Color: styleColor(i), Radius: vg.Points(5), Shape: pick(glyphs, i)}
}

func frontStyle() draw.LineStyle {
	return draw.LineStyle{Color: frontColor, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(4), vg.Points(3)}}
}
