package plot

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/sharebench/sharebench/results"
)

// sweepMetrics are the metrics a sweep plots, one figure each. Staleness
// is read_staleness.mean, over every section read: the conditional
// staleness.p99 of stale sections alone rests on a handful of samples when
// sections are rarely stale, and hides how rarely that is.
var sweepMetrics = []string{
	"owner.public_rps", "owner.rps", "latency.p99", "completeness", "stale_fraction", "read_staleness.mean", "duplication",
}

// Heat is a heatmap: a value per cell of a grid of two parameters, each
// cell coloured on a scale shared by every panel of the figure and labelled
// with its value; NaN marks a cell with nothing to show.
//
// The scale is logarithmic when the positive values span more than
// heatLogSpan (one outlier would otherwise paint every other cell alike);
// then Min is the smallest positive value and a value ≤ 0 takes the
// lowest colour. A colour bar beside the panels reads the colours back.
type Heat struct {
	XLabels, YLabels []string
	Values           [][]float64 // [y][x]
	Min, Max         float64     // the colour scale
	Log              bool
	Unit             string
	// TooFew marks the cells ([y, x]) whose figure rests on too few
	// samples to compare: their value is printed with a ?.
	TooFew map[[2]int]bool
}

// sweepCell is strategy name's figure of metric in one point of a sweep;
// false when that run has no such strategy or the metric does not apply.
func sweepCell(r results.SweepRow, name string, metric results.Metric) (results.Figure, bool) {
	m := r.File.Strategies[name]
	if m == nil || !metric.Applies(m) {
		return results.Figure{}, false
	}
	f := results.FigureOf(m, metric)
	return f, !f.Absent // no value: nothing to plot
}

// cellTooFew reports whether a sweep cell's figure is marked as the table
// marks it (results.Figure.TooFew, the one rule); an older file's figures,
// without counts, are drawn unmarked.
func cellTooFew(f results.Figure, mt results.Metric) bool {
	return f.Counted && f.TooFew(mt)
}

// heatLogSpan is the ratio of the largest to the smallest positive value
// above which a heatmap's colour scale turns logarithmic.
const heatLogSpan = 10

// Fraction places v on the colour scale, from 0 (Min) to 1 (Max).
func (h *Heat) Fraction(v float64) float64 {
	var f float64
	switch {
	case h.Max <= h.Min:
		return 0.5
	case h.Log && v <= 0:
		return 0
	case h.Log:
		f = math.Log(v/h.Min) / math.Log(h.Max/h.Min)
	default:
		f = (v - h.Min) / (h.Max - h.Min)
	}
	return min(max(f, 0), 1)
}

// BarTicks are the values a colour bar labels: the decades inside the
// range and its ends on a log scale, five even steps on a linear one.
func (h *Heat) BarTicks() []float64 {
	if h.Max <= h.Min {
		return []float64{h.Min}
	}
	if !h.Log {
		ts := make([]float64, 5)
		for i := range ts {
			ts[i] = h.Min + (h.Max-h.Min)*float64(i)/4
		}
		return ts
	}
	ts := []float64{h.Min}
	for d := math.Pow(10, math.Ceil(math.Log10(h.Min))); d < h.Max; d *= 10 {
		// Skip a decade that would crowd an end's label.
		if d/h.Min > 1.5 && h.Max/d > 1.5 {
			ts = append(ts, d)
		}
	}
	return append(ts, h.Max)
}

// SweepFigures returns the figures of a sweep over one or two parameters:
// with one, a metric against the parameter with a line per strategy (the
// x axis is numeric when every value is a number, else the values in
// order); with two, a heatmap per strategy, side by side. More parameters
// draw nothing: the CSV holds them.
func SweepFigures(params []string, rows []results.SweepRow) []Figure {
	if len(rows) == 0 || len(params) == 0 || len(params) > 2 {
		return nil
	}
	s := newSource(rows[0].File)
	var figs []Figure
	names := sweepMetrics
	if t := rows[0].File.Topology; t != nil {
		// The general form: whole pages complete, and each owner's load,
		// which a sweep over one owner's service or a plan's choice moves.
		names = append(slices.Clone(names), "page_completeness")
		for _, o := range t.Owners {
			names = append(names, results.Scoped("owner.rps", o))
		}
	}
	for _, name := range names {
		metric, ok := results.LookupIn(rows[0].File.Topology, name)
		if !ok {
			continue
		}
		fig := Figure{Name: "sweep-" + strings.NewReplacer(".", "-", results.ScopeSep, "-").Replace(name), Title: fmt.Sprintf("%s over the sweep", name)}
		if len(params) == 1 {
			fig.Panels = []Panel{sweepLines(s, params[0], rows, metric)}
		} else {
			fig.Panels, fig.Cols = sweepHeat(s, params, rows, metric), len(s.names)
		}
		figs = append(figs, fig)
	}
	return figs
}

func unitLabel(m results.Metric) string {
	if m.Unit == "" {
		return m.Name
	}
	return m.Name + " (" + m.Unit + ")"
}

func sweepLines(s source, param string, rows []results.SweepRow, metric results.Metric) Panel {
	xs, numeric := make([]float64, len(rows)), true
	for i, r := range rows {
		x, err := strconv.ParseFloat(r.Values[0], 64)
		numeric = numeric && err == nil
		xs[i] = x
	}
	p := Panel{X: Axis{Label: param}, Y: Axis{Label: unitLabel(metric)}}
	if !numeric {
		for i, r := range rows {
			xs[i] = float64(i)
			p.X.Ticks = append(p.X.Ticks, Tick{Value: float64(i), Label: r.Values[0]})
		}
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	var few []string
	for _, name := range s.names {
		var seg []XY
		var errs []float64
		for i, r := range rows {
			f, ok := sweepCell(r, name, metric)
			if !ok {
				continue
			}
			v := f.Value
			seg = append(seg, XY{xs[i], v})
			errs = append(errs, f.CI95)
			lo, hi = min(lo, v-f.CI95), max(hi, v+f.CI95)
			if cellTooFew(f, metric) {
				few = append(few, fmt.Sprintf("%s at %s (n=%s)", name, r.Values[0], results.Count(f.N)))
			}
		}
		if len(seg) == 0 {
			p.Notes = append(p.Notes, name+": "+metric.Name+" does not apply")
			continue
		}
		p.Lines = append(p.Lines, Line{Label: s.label(name), Style: s.style[name], Marks: true, Segments: [][]XY{seg}, YErrs: errs})
	}
	p.Notes = append(p.Notes, "bars: 95 % intervals")
	if len(few) > 0 {
		p.Notes = append(p.Notes, fmt.Sprintf("too few samples to compare (%s): %s", metric.NeedText(), strings.Join(few, ", ")))
	}
	p.X.Min, p.X.Max = minMax(xs)
	if p.X.Min == p.X.Max {
		p.X.Min, p.X.Max = p.X.Min-1, p.X.Max+1
	}
	if math.IsInf(lo, 0) {
		lo, hi = 0, 1
	}
	p.Y.Min, p.Y.Max = min(0, lo), hi+0.05*(hi-min(0, lo))+1e-9
	return p
}

func minMax(xs []float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, x := range xs {
		lo, hi = min(lo, x), max(hi, x)
	}
	return lo, hi
}

func sweepHeat(s source, params []string, rows []results.SweepRow, metric results.Metric) []Panel {
	var xl, yl []string
	index := func(list *[]string, v string) int {
		for i, x := range *list {
			if x == v {
				return i
			}
		}
		*list = append(*list, v)
		return len(*list) - 1
	}
	for _, r := range rows {
		index(&xl, r.Values[0])
		index(&yl, r.Values[1])
	}
	lo, hi, posLo, zero := math.Inf(1), math.Inf(-1), math.Inf(1), false
	var panels []Panel
	for _, name := range s.names {
		h := &Heat{XLabels: xl, YLabels: yl, Unit: metric.Unit, Values: make([][]float64, len(yl))}
		for y := range h.Values {
			h.Values[y] = make([]float64, len(xl))
			for x := range h.Values[y] {
				h.Values[y][x] = math.NaN()
			}
		}
		for _, r := range rows {
			f, ok := sweepCell(r, name, metric)
			if !ok {
				continue
			}
			v := f.Value
			h.Values[index(&yl, r.Values[1])][index(&xl, r.Values[0])] = v
			if cellTooFew(f, metric) {
				if h.TooFew == nil {
					h.TooFew = map[[2]int]bool{}
				}
				h.TooFew[[2]int{index(&yl, r.Values[1]), index(&xl, r.Values[0])}] = true
			}
			lo, hi = min(lo, v), max(hi, v)
			if v > 0 {
				posLo = min(posLo, v)
			} else {
				zero = true
			}
		}
		panels = append(panels, Panel{Title: name, X: Axis{Label: params[0]}, Y: Axis{Label: params[1]}, Heat: h})
	}
	if math.IsInf(lo, 0) {
		lo, hi = 0, 1
	}
	log := posLo < math.Inf(1) && hi/posLo > heatLogSpan
	if log {
		lo = posLo
	}
	for i := range panels {
		p := &panels[i]
		p.Heat.Min, p.Heat.Max, p.Heat.Log = lo, hi, log
		if log && zero {
			p.Notes = append(p.Notes, "colour scale logarithmic; 0 takes the lowest colour")
		}
	}
	return panels
}

// addHeat draws a heatmap: a coloured rectangle per cell, its value
// printed on it.
func addHeat(pl *gplot.Plot, h *Heat) error {
	for y, row := range h.Values {
		for x, v := range row {
			if math.IsNaN(v) {
				continue
			}
			f := h.Fraction(v)
			c, err := heatColor(f)
			if err != nil {
				return err
			}
			cell, err := plotter.NewPolygon(plotter.XYs{
				{X: float64(x) - 0.5, Y: float64(y) - 0.5}, {X: float64(x) + 0.5, Y: float64(y) - 0.5},
				{X: float64(x) + 0.5, Y: float64(y) + 0.5}, {X: float64(x) - 0.5, Y: float64(y) + 0.5},
			})
			if err != nil {
				return err
			}
			cell.Color, cell.LineStyle.Width = c, 0
			text := color.Color(color.White)
			if f > 0.6 {
				text = color.Black
			}
			lb, err := plotter.NewLabels(plotter.XYLabels{XYs: plotter.XYs{{X: float64(x), Y: float64(y)}}, Labels: []string{cellText(h, y, x, v)}})
			if err != nil {
				return err
			}
			for i := range lb.TextStyle {
				lb.TextStyle[i] = textStyle(9, text)
				lb.TextStyle[i].XAlign, lb.TextStyle[i].YAlign = draw.XCenter, draw.YCenter
			}
			pl.Add(cell, lb)
		}
	}
	pl.NominalX(h.XLabels...)
	pl.NominalY(h.YLabels...)
	pl.X.Min, pl.X.Max = -0.5, float64(len(h.XLabels))-0.5
	pl.Y.Min, pl.Y.Max = -0.5, float64(len(h.YLabels))-0.5
	pl.X.Padding, pl.Y.Padding = vg.Points(0), vg.Points(0)
	return nil
}

func cellText(h *Heat, y, x int, v float64) string {
	if h.TooFew[[2]int{y, x}] {
		return formatCell(v, h.Unit) + "?"
	}
	return formatCell(v, h.Unit)
}

func formatCell(v float64, unit string) string {
	switch {
	case unit == "%":
		return strconv.FormatFloat(v, 'f', 1, 64)
	case math.Abs(v) >= 1000:
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

// WriteSweep writes a sweep's figures into dir as PNG, SVG and PDF and returns
// the file names.
func WriteSweep(dir string, params []string, rows []results.SweepRow) ([]string, error) {
	var names []string
	for _, fig := range SweepFigures(params, rows) {
		for _, format := range Formats {
			name := fig.Name + "." + format
			if err := results.WriteFileAtomic(filepath.Join(dir, name), func(w io.Writer) error { return Render(w, fig, format) }); err != nil {
				return nil, err
			}
			names = append(names, name)
		}
	}
	return names, nil
}

// heatColor is the colour at f (0 to 1) of the scale, clear of the
// palette's black and white ends, where a value printed on a cell would
// vanish.
func heatColor(f float64) (color.Color, error) {
	cm := moreland.ExtendedBlackBody()
	cm.SetMin(0)
	cm.SetMax(1)
	return cm.At(0.15 + 0.7*min(max(f, 0), 1))
}

// colourBar draws the heatmaps' shared scale in the strip below the
// legend, top at y: a column of colours, its ticks labelled.
func colourBar(c draw.Canvas, h *Heat, x, y vg.Length) {
	const steps = 64
	barW, barH := vg.Points(14), 2*vg.Inch
	label := textStyle(8.5, color.Black)
	label.YAlign = draw.YTop
	title := "colour scale"
	if h.Unit != "" {
		title += " (" + h.Unit + ")"
	}
	if h.Log {
		title += ", log"
	}
	c.FillText(label, vg.Point{X: x, Y: y}, title)
	top := y - vg.Points(14)
	for i := range steps {
		col, err := heatColor((float64(i) + 0.5) / steps)
		if err != nil {
			continue
		}
		y0 := top - barH + barH*vg.Length(i)/steps
		y1 := top - barH + barH*vg.Length(i+1)/steps
		c.FillPolygon(col, []vg.Point{{X: x, Y: y0}, {X: x + barW, Y: y0}, {X: x + barW, Y: y1 + 0.3}, {X: x, Y: y1 + 0.3}})
	}
	tick := textStyle(8, color.Black)
	tick.YAlign = draw.YCenter
	for _, v := range h.BarTicks() {
		ty := top - barH + barH*vg.Length(h.Fraction(v))
		c.StrokeLine2(draw.LineStyle{Color: color.Black, Width: vg.Points(0.6)}, x+barW, ty, x+barW+vg.Points(3), ty)
		c.FillText(tick, vg.Point{X: x + barW + vg.Points(5), Y: ty}, formatCell(v, h.Unit))
	}
}
