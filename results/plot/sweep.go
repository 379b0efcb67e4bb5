package plot

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/sharebench/sharebench/results"
)

// sweepMetrics are the metrics a sweep plots, one figure each.
var sweepMetrics = []string{
	"owner.public_rps", "owner.rps", "latency.p99", "completeness", "stale_fraction", "staleness.p99", "duplication",
}

// Heat is a heatmap: a value per cell of a grid of two parameters, each
// cell coloured on a scale shared by every panel of the figure and labelled
// with its value; NaN marks a cell with nothing to show.
type Heat struct {
	XLabels, YLabels []string
	Values           [][]float64 // [y][x]
	Min, Max         float64     // the colour scale
	Unit             string
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
	for _, name := range sweepMetrics {
		metric, ok := results.Lookup(name)
		if !ok {
			continue
		}
		fig := Figure{Name: "sweep-" + strings.ReplaceAll(name, ".", "-"), Title: fmt.Sprintf("%s over the sweep", name)}
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
	for _, name := range s.names {
		var seg []XY
		for i, r := range rows {
			m := r.File.Strategies[name]
			if m == nil || !metric.Applies(m) {
				continue
			}
			v := metric.Get(m)
			seg = append(seg, XY{xs[i], v})
			lo, hi = min(lo, v), max(hi, v)
		}
		if len(seg) == 0 {
			p.Notes = append(p.Notes, name+": "+metric.Name+" does not apply")
			continue
		}
		p.Lines = append(p.Lines, Line{Label: name, Style: s.style[name], Marks: true, Segments: [][]XY{seg}})
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
	lo, hi := math.Inf(1), math.Inf(-1)
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
			m := r.File.Strategies[name]
			if m == nil || !metric.Applies(m) {
				continue
			}
			v := metric.Get(m)
			h.Values[index(&yl, r.Values[1])][index(&xl, r.Values[0])] = v
			lo, hi = min(lo, v), max(hi, v)
		}
		panels = append(panels, Panel{Title: name, X: Axis{Label: params[0]}, Y: Axis{Label: params[1]}, Heat: h})
	}
	if math.IsInf(lo, 0) {
		lo, hi = 0, 1
	}
	for _, p := range panels {
		p.Heat.Min, p.Heat.Max = lo, hi
	}
	return panels
}

// addHeat draws a heatmap: a coloured rectangle per cell, its value
// printed on it.
func addHeat(pl *gplot.Plot, h *Heat) error {
	cm := moreland.ExtendedBlackBody()
	cm.SetMin(0)
	cm.SetMax(1)
	for y, row := range h.Values {
		for x, v := range row {
			if math.IsNaN(v) {
				continue
			}
			f := 0.5
			if h.Max > h.Min {
				f = (v - h.Min) / (h.Max - h.Min)
			}
			// Keep clear of the palette's black and white ends, where
			// the value printed on the cell would vanish.
			c, err := cm.At(0.15 + 0.7*f)
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
			lb, err := plotter.NewLabels(plotter.XYLabels{XYs: plotter.XYs{{X: float64(x), Y: float64(y)}}, Labels: []string{formatCell(v, h.Unit)}})
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

func formatCell(v float64, unit string) string {
	switch {
	case unit == "%":
		return strconv.FormatFloat(v, 'f', 1, 64)
	case math.Abs(v) >= 1000:
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

// WriteSweep writes a sweep's figures into dir as PNG and SVG and returns
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
