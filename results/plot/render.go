package plot

import (
	"fmt"
	"image/color"
	"image/png"
	"io"
	"math"
	"slices"
	"strings"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgpdf"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Formats are the file formats Render writes, as file extensions: PNG for
// screens and the report, SVG for the web, PDF for papers.
var Formats = []string{"png", "svg", "pdf"}

// DPI is the resolution of PNG files: a little above a screen's 96, so
// text stays crisp when a browser scales a figure down to fit a page.
const DPI = 120

// palette colours strategies by their index in File.Order (Tableau 10:
// distinct to colour-blind readers in its first few colours).
var palette = []color.RGBA{
	{0x4e, 0x79, 0xa7, 0xff}, // blue
	{0xf2, 0x8e, 0x2b, 0xff}, // orange
	{0x59, 0xa1, 0x4f, 0xff}, // green
	{0xe1, 0x57, 0x59, 0xff}, // red
	{0xb0, 0x7a, 0xa1, 0xff}, // purple
	{0x9c, 0x75, 0x5f, 0xff}, // brown
	{0xff, 0x9d, 0xa7, 0xff}, // pink
	{0x76, 0xb7, 0xb2, 0xff}, // teal
	{0xed, 0xc9, 0x48, 0xff}, // yellow
	{0xba, 0xb0, 0xac, 0xff}, // grey
}

func styleColor(i int) color.Color { return palette[((i%len(palette))+len(palette))%len(palette)] }

var (
	faultShade  = color.RGBA{0xfb, 0xdc, 0xd8, 0xff}
	warmupShade = color.RGBA{0xec, 0xec, 0xec, 0xff}
	faultText   = color.RGBA{0xa0, 0x20, 0x20, 0xff}
	warmupText  = color.RGBA{0x60, 0x60, 0x60, 0xff}
	// Changes of the page rate are blue, faults red: both are what a
	// reader looks for the system's answer to.
	trafficShade = color.RGBA{0xd6, 0xe6, 0xf5, 0xff}
	trafficText  = color.RGBA{0x1f, 0x4e, 0x8c, 0xff}
	noteText     = color.RGBA{0x50, 0x50, 0x50, 0xff}
	frontColor   = color.RGBA{0x40, 0x40, 0x40, 0xff}
	gridColor    = color.RGBA{0xe4, 0xe4, 0xe4, 0xff}
)

// Sizes of the parts of a figure.
const (
	singleW, singleH = 7 * vg.Inch, 4.4 * vg.Inch // a figure of one panel
	tileW, tileH     = 3.7 * vg.Inch, 3.1 * vg.Inch
	titleH           = 0.45 * vg.Inch
	margin           = 0.12 * vg.Inch
	legendMinW       = 1.3 * vg.Inch // notes wrap to at least this
	legendMaxW       = 3.5 * vg.Inch
	legendEntryMaxW  = 5.5 * vg.Inch
	notesMaxW        = 2.4 * vg.Inch
	legendRowH       = 16                       // points per legend entry, with room to spare
	colourBarH       = 2*vg.Inch + 0.45*vg.Inch // the bar, its title and its end label
	bandLineH        = 11                       // points per row of window labels above a panel
	// axesW is about what the y axis takes from a tile's width: an
	// estimate of the data area's width before gonum lays it out, for
	// bar widths and window labels.
	axesW = 1.1 * vg.Inch
)

var sans = font.Font{Typeface: "Liberation", Variant: "Sans"}

func textStyle(size vg.Length, c color.Color) text.Style {
	return text.Style{Color: c, Font: font.From(sans, size), Handler: gplot.DefaultTextHandler}
}

// Render draws fig in format ("png", "svg" or "pdf") to w. A value a log axis
// cannot show is an error, never a panic.
func Render(w io.Writer, fig Figure, format string) error {
	if err := checkLogAxes(fig); err != nil {
		return err
	}
	width, height, lay := layout(fig)
	switch format {
	case "png":
		// The image starts out white: no background to paint.
		c := vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(DPI))
		if err := drawFigure(draw.New(c), fig, lay, false); err != nil {
			return fmt.Errorf("plot: Render %s: %w", fig.Name, err)
		}
		// Fastest deflate: a third of the drawing time at the default
		// level, for files about a third larger.
		enc := png.Encoder{CompressionLevel: png.BestSpeed}
		return enc.Encode(w, c.Image())
	case "svg":
		// An SVG starts out transparent; a dark page would show through.
		c := vgsvg.New(width, height)
		if err := drawFigure(draw.New(c), fig, lay, true); err != nil {
			return fmt.Errorf("plot: Render %s: %w", fig.Name, err)
		}
		_, err := c.WriteTo(w)
		return err
	case "pdf":
		c := vgpdf.New(width, height)
		// Fonts embedded: a paper's PDF must look the same on a machine
		// without Liberation Sans.
		c.EmbedFonts(true)
		if err := drawFigure(draw.New(c), fig, lay, true); err != nil {
			return fmt.Errorf("plot: Render %s: %w", fig.Name, err)
		}
		_, err := c.WriteTo(w)
		return err
	}
	return fmt.Errorf("plot: Render %s: unknown format %q (want png, svg or pdf)", fig.Name, format)
}

// checkLogAxes refuses a figure with a non-positive value on a log axis:
// gonum/plot would panic on it.
func checkLogAxes(fig Figure) error {
	for i, p := range fig.Panels {
		bad := func(axis string, v float64) error {
			return fmt.Errorf("plot: %s panel %d: %v on the log %s axis", fig.Name, i, v, axis)
		}
		for _, ax := range []struct {
			name string
			a    Axis
			get  func(XY) float64
		}{{"x", p.X, func(q XY) float64 { return q.X }}, {"y", p.Y, func(q XY) float64 { return q.Y }}} {
			if !ax.a.Log {
				continue
			}
			if !(ax.a.Min > 0) || !(ax.a.Max > ax.a.Min) {
				return fmt.Errorf("plot: %s panel %d: log %s axis range [%v, %v]", fig.Name, i, ax.name, ax.a.Min, ax.a.Max)
			}
			for _, l := range p.Lines {
				for _, seg := range l.Segments {
					for _, q := range seg {
						if v := ax.get(q); !(v > 0) {
							return bad(ax.name, v)
						}
					}
				}
			}
			for _, q := range p.Points {
				if v := ax.get(q.XY); !(v > 0) {
					return bad(ax.name, v)
				}
			}
			for _, q := range p.Front {
				if v := ax.get(q); !(v > 0) {
					return bad(ax.name, v)
				}
			}
			if p.Bars != nil && ax.name == "y" {
				return fmt.Errorf("plot: %s panel %d: bars on a log axis", fig.Name, i)
			}
		}
	}
	return nil
}

// figLayout is where the parts of a figure go.
type figLayout struct {
	cols, rows   int
	tileW, tileH vg.Length
	legendW      vg.Length
	legend       []legendEntry
	notes        []string // wrapped to the legend's width
	bands        []int    // rows of window labels above each panel
	legendStyle  text.Style
	noteStyle    text.Style
	bandStyle    text.Style
	labelRows    [][]int // per panel, per window: its label's row in the band
	heat         *Heat   // the heatmaps' shared scale, for the colour bar
}

type legendEntry struct {
	label string
	thumb gplot.Thumbnailer
}

func layout(fig Figure) (w, h vg.Length, lay figLayout) {
	lay.cols = max(fig.Cols, 1)
	lay.rows = max((len(fig.Panels)+lay.cols-1)/lay.cols, 1)
	lay.tileW, lay.tileH = tileW, tileH
	if lay.cols == 1 {
		lay.tileW = singleW
	}
	if len(fig.Panels) <= 1 {
		lay.tileH = singleH
	}
	lay.legendStyle = textStyle(10, color.Black)
	lay.noteStyle = textStyle(8.5, noteText)
	lay.bandStyle = textStyle(8, faultText)

	lay.legend = legendEntries(fig)
	for _, p := range fig.Panels {
		if p.Heat != nil && lay.heat == nil {
			lay.heat = p.Heat
		}
	}
	var lw, nw vg.Length
	for _, e := range lay.legend {
		lw = max(lw, 20+6+lay.legendStyle.Width(e.label))
	}
	for _, p := range fig.Panels {
		for _, n := range p.Notes {
			nw = max(nw, lay.noteStyle.Width(n))
		}
	}
	// Notes (a figure's intervals and sample counts) widen the strip to
	// about two lines each, up to notesMaxW.
	// A legend entry keeps its one line up to legendEntryMaxW (a plan's
	// label lists its strategy per owner); notes wrap to the width.
	ew := lw
	lw = min(max(lw, legendMinW, min(nw*0.55, notesMaxW)), legendMaxW)
	lw = max(lw, min(ew, legendEntryMaxW))
	lay.legendW = lw + margin
	seen := map[string]bool{}
	for _, p := range fig.Panels {
		for _, n := range p.Notes {
			if !seen[n] {
				seen[n] = true
				lay.notes = append(lay.notes, wrap(n, lay.noteStyle, lw)...)
			}
		}
	}

	// Window labels sit in a band above each panel's data, one row per
	// set of labels that would collide.
	for _, p := range fig.Panels {
		rows := windowRows(p, lay.bandStyle, lay.tileW-axesW)
		lay.labelRows = append(lay.labelRows, rows)
		lay.bands = append(lay.bands, rowCount(rows))
	}
	w = vg.Length(lay.cols)*lay.tileW + lay.legendW + 2*margin
	h = titleH + vg.Length(lay.rows)*lay.tileH + margin
	// The figure grows to hold the strip: legend, notes and colour bar.
	strip := titleH + 0.15*vg.Inch + vg.Length(len(lay.legend))*legendRowH + vg.Points(10) +
		vg.Length(len(lay.notes))*lay.noteStyle.Font.Size*1.25 + 2*margin
	if lay.heat != nil {
		strip += colourBarH
	}
	return w, max(h, strip), lay
}

// windowRows assigns each window's label a row so that labels in a row do
// not overlap, given the data area's width.
func windowRows(p Panel, sty text.Style, dataW vg.Length) []int {
	span := p.X.Max - p.X.Min
	if span <= 0 || len(p.Windows) == 0 {
		return nil
	}
	var ends []vg.Length // per row, where its last label ends
	rows := make([]int, len(p.Windows))
	for i, win := range p.Windows {
		width := sty.Width(fitLabel(windowLabel(win), sty, dataW)) + 6
		// As bandLabels draws it: at the window's start, or pulled left
		// to end at the right edge.
		x0 := max(0, min(vg.Length((win.FromS-p.X.Min)/span)*dataW, dataW-width))
		x1 := x0 + width
		r := 0
		for r < len(ends) && ends[r] > x0 {
			r++
		}
		if r == len(ends) {
			ends = append(ends, 0)
		}
		ends[r] = x1
		rows[i] = r
	}
	return rows
}

// rowCount is how many rows of labels rows uses.
func rowCount(rows []int) int {
	n := 0
	for _, r := range rows {
		n = max(n, r+1)
	}
	return n
}

func windowLabel(w Window) string { return strings.Join(w.Labels, "; ") }

// fitLabel shortens label with an ellipsis until it fits in w, so a long
// label (three partitions at once) stays inside its panel.
func fitLabel(label string, sty text.Style, w vg.Length) string {
	if sty.Width(label) <= w {
		return label
	}
	r := []rune(label)
	for len(r) > 1 && sty.Width(string(r)+"…") > w {
		r = r[:len(r)-1]
	}
	return strings.TrimRight(string(r), " ;") + "…"
}

// legendEntries lists each label once, in the order the panels first show
// it.
func legendEntries(fig Figure) []legendEntry {
	var es []legendEntry
	seen := map[string]bool{}
	add := func(label string, thumb gplot.Thumbnailer) {
		if label == "" || seen[label] {
			return
		}
		seen[label] = true
		es = append(es, legendEntry{label, thumb})
	}
	for _, p := range fig.Panels {
		for i, l := range p.Lines {
			line := &plotter.Line{LineStyle: lineStyle(l.Style, i, len(p.Lines))}
			if l.Marks || len(l.Markers) > 0 {
				add(l.Label, thumbs{line, &plotter.Scatter{GlyphStyle: markStyle(l.Style)}})
			} else {
				add(l.Label, line)
			}
		}
		for _, pt := range p.Points {
			add(pt.Label, &plotter.Scatter{GlyphStyle: pointStyle(pt.Style)})
		}
		if p.Bars != nil {
			for _, s := range p.Bars.Series {
				add(s.Label, &plotter.BarChart{Color: styleColor(s.Style), LineStyle: draw.LineStyle{Width: 0}})
			}
		}
		if len(p.Front) > 0 {
			add("Pareto front", &plotter.Line{LineStyle: frontStyle()})
		}
	}
	return es
}

// thumbs draws several thumbnails on top of each other.
type thumbs []gplot.Thumbnailer

func (ts thumbs) Thumbnail(c *draw.Canvas) {
	for _, t := range ts {
		t.Thumbnail(c)
	}
}

// wrap breaks s into lines no wider than w.
func wrap(s string, sty text.Style, w vg.Length) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(s) {
		try := word
		if line != "" {
			try = line + " " + word
		}
		if line != "" && sty.Width(try) > w {
			lines = append(lines, line)
			try = word
		}
		line = try
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}

// drawFigure draws the whole figure on c.
func drawFigure(c draw.Canvas, fig Figure, lay figLayout, background bool) error {
	if background {
		c.SetColor(color.White)
		c.Fill(c.Rectangle.Path())
	}

	title := textStyle(13, color.Black)
	title.XAlign = draw.XCenter
	title.YAlign = draw.YTop
	c.FillText(title, vg.Point{X: (c.Min.X + c.Max.X - lay.legendW) / 2, Y: c.Max.Y - margin}, fig.Title)

	plots := make([][]*gplot.Plot, lay.rows)
	for r := range plots {
		plots[r] = make([]*gplot.Plot, lay.cols)
	}
	bands := make([]*bandLabels, len(fig.Panels))
	for i, p := range fig.Panels {
		pl, err := panelPlot(p, lay.bands[i], lay.tileW)
		if err != nil {
			return err
		}
		labelLogAxes(pl, p)
		if len(p.Windows) > 0 {
			bands[i] = &bandLabels{windows: p.Windows, rows: lay.labelRows[i], style: lay.bandStyle}
			pl.Add(bands[i])
		}
		plots[i/lay.cols][i%lay.cols] = pl
	}
	area := draw.Crop(c, margin, -lay.legendW-margin, margin, -titleH)
	tiles := draw.Tiles{Rows: lay.rows, Cols: lay.cols, PadX: vg.Points(14), PadY: vg.Points(10)}
	canvases := gplot.Align(plots, tiles, area)
	// The window labels' rows were laid out against an estimate of the
	// data area's width; now that it is known, lay them out again so no
	// two labels overlap, and make room for any extra row. The width does
	// not depend on the room above the data, so one pass settles it.
	realigned := false
	for i, b := range bands {
		if b == nil {
			continue
		}
		pl := plots[i/lay.cols][i%lay.cols]
		data := pl.DataCanvas(canvases[i/lay.cols][i%lay.cols])
		rows := windowRows(fig.Panels[i], lay.bandStyle, data.Max.X-data.Min.X)
		if slices.Equal(rows, b.rows) {
			continue
		}
		b.rows = rows
		pl.Title.Padding = vg.Points(6 + bandLineH*float64(rowCount(rows)))
		if pl.Title.Text == "" {
			pl.Title.Text = " "
		}
		realigned = true
	}
	if realigned {
		canvases = gplot.Align(plots, tiles, area)
	}
	for r, row := range plots {
		for col, pl := range row {
			if pl != nil {
				pl.Draw(canvases[r][col])
				if i := r*lay.cols + col; i < len(fig.Panels) {
					drawLogAxisLabels(canvases[r][col], pl, fig.Panels[i])
				}
			}
		}
	}
	drawLegend(c, lay)
	return nil
}

// labelLogAxes blanks the labels of log axes, which drawLogAxisLabels
// draws instead: gonum places an axis label's glyph box at the linear
// midpoint of the range, which on a log axis sits near the far end and
// pads the data area by half the label's length. A blank label keeps the
// room for the real one.
func labelLogAxes(pl *gplot.Plot, p Panel) {
	if p.X.Log && p.X.Label != "" {
		pl.X.Label.Text = " "
	}
	if p.Y.Log && p.Y.Label != "" {
		pl.Y.Label.Text = " "
	}
}

// drawLogAxisLabels draws the labels labelLogAxes blanked, where gonum
// draws axis labels: centred on the data area, against the tile's edge.
func drawLogAxisLabels(tile draw.Canvas, pl *gplot.Plot, p Panel) {
	data := pl.DataCanvas(tile)
	if p.X.Log && p.X.Label != "" {
		sty := pl.X.Label.TextStyle
		tile.FillText(sty, vg.Point{X: data.Center().X, Y: tile.Min.Y + sty.FontExtents().Descent}, p.X.Label)
	}
	if p.Y.Log && p.Y.Label != "" {
		sty := pl.Y.Label.TextStyle
		sty.Rotation += math.Pi / 2
		x := tile.Min.X + pl.Y.Label.TextStyle.Height(p.Y.Label) - sty.FontExtents().Descent
		tile.FillText(sty, vg.Point{X: x, Y: data.Center().Y}, p.Y.Label)
	}
}

// drawLegend draws the legend and the notes in the strip to the right.
func drawLegend(c draw.Canvas, lay figLayout) {
	strip := draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
		Min: vg.Point{X: c.Max.X - lay.legendW, Y: c.Min.Y + margin},
		Max: vg.Point{X: c.Max.X - margin, Y: c.Max.Y - titleH - 0.15*vg.Inch},
	}}
	l := gplot.NewLegend()
	l.TextStyle = lay.legendStyle
	l.Top, l.Left = true, true
	l.Padding = vg.Points(3)
	for _, e := range lay.legend {
		l.Add(e.label, e.thumb)
	}
	y := strip.Max.Y
	if len(lay.legend) > 0 {
		l.Draw(strip)
		y = l.Rectangle(strip).Min.Y - vg.Points(10)
	}
	sty := lay.noteStyle
	sty.YAlign = draw.YTop
	lineH := sty.Font.Size * 1.25
	for _, n := range lay.notes {
		c.FillText(sty, vg.Point{X: strip.Min.X, Y: y}, n)
		y -= lineH
	}
	if lay.heat != nil {
		colourBar(c, lay.heat, strip.Min.X, y-vg.Points(8))
	}
}
