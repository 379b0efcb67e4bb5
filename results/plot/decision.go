package plot

import (
	"fmt"
	"image/color"
	"image/png"
	"io"
	"path/filepath"
	"slices"
	"strings"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgpdf"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/sharebench/sharebench/results"
)

// DecisionName is the decision map's file name, without its extension.
const DecisionName = "decision"

// RenderDecision draws a sweep's decision map in format ("png", "svg" or
// "pdf"): a cell per combination of the swept values, coloured by the
// cheapest column meeting every target (grey where none does), naming it
// and the others that meet them, with the columns still unclear (those
// short only of samples apart, n?); thick
// lines mark where the cheapest changes, dashed ones where only the set
// meeting every target does. The first parameter runs along
// x, the second (if any) along y.
func RenderDecision(w io.Writer, m *results.DecisionMap, format string) error {
	pl, width, height, err := decisionPlot(m)
	if err != nil {
		return err
	}
	switch format {
	case "png":
		c := vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(DPI))
		pl.Draw(draw.New(c))
		return (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(w, c.Image())
	case "svg":
		c := vgsvg.New(width, height)
		pl.Draw(draw.New(c))
		_, err := c.WriteTo(w)
		return err
	case "pdf":
		c := vgpdf.New(width, height)
		c.EmbedFonts(true)
		pl.Draw(draw.New(c))
		_, err := c.WriteTo(w)
		return err
	}
	return fmt.Errorf("plot: RenderDecision: unknown format %q (want png, svg or pdf)", format)
}

// WriteDecision writes the decision map into dir in every format and
// returns the file names.
func WriteDecision(dir string, m *results.DecisionMap) ([]string, error) {
	var names []string
	for _, format := range Formats {
		name := DecisionName + "." + format
		if err := results.WriteFileAtomic(filepath.Join(dir, name), func(w io.Writer) error { return RenderDecision(w, m, format) }); err != nil {
			return nil, err
		}
		names = append(names, name)
	}
	return names, nil
}

// DecisionKey explains the marks of the map's cells.
const DecisionKey = "≈: costs within each other's 95 % intervals; ? fails no target but is unclear on some;\n" +
	"n? undecided (a percentile on too few samples): no line against it"

// DecisionLabel is what a cell of the map says: the cheapest meeting
// every target, the others meeting them, and those still unclear.
func DecisionLabel(c *results.DecisionCell) string {
	lines := []string{"none meets all"}
	if c.Best != "" {
		lines = []string{c.Best + " (cheapest)"}
		if c.Near != "" {
			lines[0] = c.Best + " (cheapest, ≈ " + c.Near + ")"
		}
		if len(c.Meeting) > 1 {
			lines = append(lines, "also "+strings.Join(c.Meeting[1:], ", "))
		}
	}
	var unclear []string
	for _, col := range c.Unclear {
		if !slices.Contains(c.Undecided, col) {
			unclear = append(unclear, col)
		}
	}
	if len(unclear) > 0 {
		lines = append(lines, "? "+strings.Join(unclear, ", "))
	}
	if len(c.Undecided) > 0 {
		lines = append(lines, "n? "+strings.Join(c.Undecided, ", "))
	}
	return strings.Join(lines, "\n")
}

func decisionPlot(m *results.DecisionMap) (*gplot.Plot, vg.Length, vg.Length, error) {
	if m == nil || len(m.Params) == 0 || len(m.Params) > 2 {
		return nil, 0, 0, fmt.Errorf("plot: RenderDecision: a decision map needs one or two swept parameters")
	}
	pl := gplot.New()
	var targets []string
	for _, t := range m.Targets {
		targets = append(targets, t.Label())
	}
	pl.Title.Text = "Decision map: the cheapest column meeting every target\n" + wrapList("targets: ", targets, 70) +
		"\n" + m.CostText() + "\n" + DecisionKey
	restyle(&pl.Title.TextStyle, 11)
	pl.Title.Padding = vg.Points(8)
	pl.X.Label.Text = m.Params[0]
	restyle(&pl.X.Label.TextStyle, 10)
	restyle(&pl.X.Tick.Label, 9)
	restyle(&pl.Y.Tick.Label, 9)
	nx, ny := len(m.Values[0]), 1
	yLabels := []string{""}
	if len(m.Params) == 2 {
		ny, yLabels = len(m.Values[1]), m.Values[1]
		pl.Y.Label.Text = m.Params[1]
		restyle(&pl.Y.Label.TextStyle, 10)
	}
	at := func(x, y int) *results.DecisionCell {
		if len(m.Params) == 1 {
			return m.Cell(x)
		}
		return m.Cell(x, y)
	}
	for y := range ny {
		for x := range nx {
			c := at(x, y)
			if c == nil {
				continue
			}
			fill := color.Color(color.RGBA{0xdd, 0xdd, 0xdd, 0xff})
			if i := slices.Index(m.Columns, c.Best); i >= 0 {
				fill = lighten(styleColor(i), 0.55)
			}
			cell, err := plotter.NewPolygon(plotter.XYs{
				{X: float64(x) - 0.5, Y: float64(y) - 0.5}, {X: float64(x) + 0.5, Y: float64(y) - 0.5},
				{X: float64(x) + 0.5, Y: float64(y) + 0.5}, {X: float64(x) - 0.5, Y: float64(y) + 0.5},
			})
			if err != nil {
				return nil, 0, 0, err
			}
			cell.Color = fill
			cell.LineStyle.Color, cell.LineStyle.Width = color.White, vg.Points(1)
			lb, err := plotter.NewLabels(plotter.XYLabels{XYs: plotter.XYs{{X: float64(x), Y: float64(y)}}, Labels: []string{DecisionLabel(c)}})
			if err != nil {
				return nil, 0, 0, err
			}
			for i := range lb.TextStyle {
				lb.TextStyle[i] = textStyle(9, color.Black)
				lb.TextStyle[i].XAlign, lb.TextStyle[i].YAlign = draw.XCenter, draw.YCenter
			}
			pl.Add(cell, lb)
		}
	}
	// Thick edges where the cheapest changes between neighbours.
	for y := range ny {
		for x := range nx {
			c := at(x, y)
			if c == nil {
				continue
			}
			if r := at(x+1, y); x+1 < nx && r != nil {
				if err := edge(pl, c, r, float64(x)+0.5, float64(y)-0.5, float64(x)+0.5, float64(y)+0.5); err != nil {
					return nil, 0, 0, err
				}
			}
			if u := at(x, y+1); y+1 < ny && u != nil {
				if err := edge(pl, c, u, float64(x)-0.5, float64(y)+0.5, float64(x)+0.5, float64(y)+0.5); err != nil {
					return nil, 0, 0, err
				}
			}
		}
	}
	pl.NominalX(m.Values[0]...)
	pl.NominalY(yLabels...)
	pl.X.Min, pl.X.Max = -0.5, float64(nx)-0.5
	pl.Y.Min, pl.Y.Max = -0.5, float64(ny)-0.5
	pl.X.Padding, pl.Y.Padding = 0, 0
	width := max(6*vg.Inch, vg.Length(nx)*1.35*vg.Inch+1.6*vg.Inch)
	height := vg.Length(ny)*0.9*vg.Inch + 1.5*vg.Inch
	return pl, width, height, nil
}

// wrapList joins items after head with ", ", breaking lines before
// width characters.
func wrapList(head string, items []string, width int) string {
	var lines []string
	line := head
	for i, it := range items {
		sep := ", "
		if i == len(items)-1 {
			sep = ""
		}
		if len(line)+len(it) > width && line != head && line != "" {
			lines = append(lines, strings.TrimRight(line, " "))
			line = ""
		}
		line += it + sep
	}
	return strings.Join(append(lines, line), "\n")
}

// restyle sets a text style's font and colour as the other figures have
// them, keeping the alignment gonum/plot gave it.
func restyle(ts *text.Style, size vg.Length) {
	s := textStyle(size, color.Black)
	ts.Font, ts.Color, ts.Handler = s.Font, s.Color, s.Handler
}

// edge draws the border between neighbouring cells a and b: thick where
// the cheapest changes, dashed where only the set meeting every target
// does, nothing where the answer is the same.
func edge(pl *gplot.Plot, a, b *results.DecisionCell, x0, y0, x1, y1 float64) error {
	// A column undecided for lack of samples on either side changes
	// nothing here: a sample count is no boundary.
	changed, setOnly := results.Changes(a, b)
	if !changed {
		return nil
	}
	l, err := plotter.NewLine(plotter.XYs{{X: x0, Y: y0}, {X: x1, Y: y1}})
	if err != nil {
		return err
	}
	l.LineStyle.Width, l.LineStyle.Color = vg.Points(3), frontColor
	if setOnly {
		l.LineStyle.Width, l.LineStyle.Dashes = vg.Points(1.5), []vg.Length{vg.Points(4), vg.Points(3)}
	}
	pl.Add(l)
	return nil
}

// lighten mixes c with white: f = 0 keeps c, 1 gives white.
func lighten(c color.Color, f float64) color.Color {
	r, g, b, _ := c.RGBA()
	mix := func(v uint32) uint8 { return uint8(float64(v>>8) + (255-float64(v>>8))*f) }
	return color.RGBA{mix(r), mix(g), mix(b), 0xff}
}
