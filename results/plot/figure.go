package plot

import (
	"cmp"
	"maps"
	"math"
	"slices"

	"github.com/sharebench/sharebench/results"
)

// Figure is the data of one plot file: everything it shows, nothing about
// how it looks. Panels are laid out Cols to a row, and share one legend.
type Figure struct {
	Name   string // file name without extension, e.g. "latency-all"
	Title  string
	Cols   int // panels per row; 0 means 1
	Panels []Panel
	// Basis lists the headline figures the plot shows, each with its
	// interval and sample count; the panels' notes repeat them.
	Basis []Basis
}

// TooFew lists the bases of the figure with too few samples to compare:
// what sets the figure apart.
func (f Figure) TooFew() []Basis {
	var out []Basis
	for _, b := range f.Basis {
		if b.TooFew {
			out = append(out, b)
		}
	}
	return out
}

// Panel is one set of axes.
type Panel struct {
	Title   string
	X, Y    Axis
	Windows []Window // shaded behind the data
	Lines   []Line
	Points  []Point // labelled markers
	Front   []XY    // a Pareto front, drawn as a staircase through these points
	Bars    *Bars
	Heat    *Heat // a heatmap instead of axes of data (sweeps over two parameters)
	// Notes say what the panel leaves out and why, e.g. a strategy that
	// keeps no views has no consumer lag.
	Notes []string
}

// Axis is one axis: its label (units included), scale and range. On a log
// axis Min, Max and every value drawn against it are > 0.
type Axis struct {
	Label    string
	Log      bool
	Integer  bool // counts: ticks at whole numbers only
	Min, Max float64
	Ticks    []Tick // fixed ticks; none: the renderer chooses
}

// Tick is a labelled position on an axis.
type Tick struct {
	Value float64
	Label string
}

// XY is a point in data coordinates.
type XY struct{ X, Y float64 }

// Line is one strategy's curve. Segments are drawn separately: a gap
// between them is a stretch with nothing to show (a second without
// renders), which a line must not bridge or pull down to zero.
//
// Style picks the strategy's colour, dash pattern and marker shape
// together, so a strategy whose line lies exactly on another's still shows
// by its markers, which sit at points no other line of the panel marks
// (see staggerMarkers), and by its dashes.
type Line struct {
	Label    string // the legend entry
	Style    int    // the strategy's index in File.Order
	Marks    bool   // draw a marker at each point
	Markers  []XY   // without Marks: the points that get a marker
	Segments [][]XY
	// Faint: the figure the line illustrates rests on too few samples;
	// drawn pale, so it does not look like evidence.
	Faint bool
	// YErrs, when set, holds the half-width of each point's 95 %
	// interval, in the order of the points of Segments: drawn as bars.
	YErrs []float64
}

// Point is a labelled marker, e.g. a strategy on the trade-off map.
type Point struct {
	Label string // legend entry (the strategy)
	Text  string // drawn beside the marker
	Style int
	XY
	// XErr and YErr are the half-widths of the 95 % intervals, drawn as
	// error bars (0: none).
	XErr, YErr float64
	// Size scales the marker's area (1: the standard size).
	Size float64
	// Faint: a figure behind the point rests on too few samples.
	Faint bool
}

// Bars are grouped bars: one group per category along x, one bar per series
// in each group.
type Bars struct {
	Groups []string
	Series []BarSeries
}

// BarSeries is one strategy's bars, a value per group.
type BarSeries struct {
	Label  string
	Style  int
	Values []float64
	Texts  []string // printed above each bar
}

// Window is a shaded span of time: a fault, a change in the page rate, or
// the warm-up. A window with ToS == FromS is an instant (a step in the
// rate, a crash with for: 0), drawn as a bar.
type Window struct {
	FromS, ToS float64 // seconds since the start of the run
	Kind       string  // the fault kind, "traffic" or "warmup"
	Labels     []string
}

// Figures returns the data of every plot of f, in a fixed order: the latency
// spectra (one per page kind), the time series, the trade-off map, the
// consistency curve and the cost bars; in the general form then the
// figure per owner.
func Figures(f *results.File) []Figure {
	s := newSource(f)
	figs := spectra(s)
	figs = append(figs, seriesFigures(s)...)
	figs = append(figs, tradeoff(s), consistency(s), cost(s))
	if fig, ok := owners(s); ok {
		figs = append(figs, fig)
	}
	return figs
}

// source is a result file arranged for plotting: strategies in a stable
// order, each with a stable style.
type source struct {
	f     *results.File
	names []string // strategies present, in order
	style map[string]int
}

func newSource(f *results.File) source {
	s := source{f: f, style: map[string]int{}}
	if f == nil {
		s.f = &results.File{}
		return s
	}
	// f.Order first; then anything Order forgot, by name, so no strategy
	// is silently dropped.
	order := slices.Clone(f.Order)
	for _, name := range slices.Sorted(maps.Keys(f.Strategies)) {
		if !slices.Contains(order, name) {
			order = append(order, name)
		}
	}
	for i, name := range order {
		if _, dup := s.style[name]; dup || f.Strategies[name] == nil {
			continue
		}
		s.style[name] = i
		s.names = append(s.names, name)
	}
	return s
}

func (s source) metrics(name string) *results.Metrics { return s.f.Strategies[name] }

// label is a column's legend entry: its name, and for a plan its strategy
// per owner (results.File.ColumnLabel).
func (s source) label(name string) string { return s.f.ColumnLabel(name) }

// applies reports whether the registered metric means something for the
// strategy; an unknown metric name applies everywhere.
func applies(metric string, m *results.Metrics) bool {
	mt, ok := results.Lookup(metric)
	return !ok || mt.Applies(m)
}

// logRange returns an axis range holding the positive values of vs with
// room around them (pad ≥ 1 is a factor), or [1, 10] when there are none.
func logRange(vs []float64, padLo, padHi float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, v := range vs {
		if v > 0 && !math.IsInf(v, 0) {
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	if math.IsInf(lo, 1) {
		return 1, 10
	}
	if lo == hi {
		padLo, padHi = max(padLo, 2), max(padHi, 2)
	}
	return lo / padLo, hi * padHi
}

// linRange returns [0, max·1.1], or [0, 1] when everything is 0.
func linRange(vs []float64) (lo, hi float64) {
	for _, v := range vs {
		hi = max(hi, v)
	}
	if hi <= 0 {
		return 0, 1
	}
	return 0, hi * 1.1
}

// percentRange returns a range for values in percent that ends at 100 and
// starts low enough to show the lowest value with a little room: a run
// that never drops below 99.9 % gets an axis that shows the 0.1 %.
func percentRange(vs []float64) (lo, hi float64) {
	lo = 100
	for _, v := range vs {
		lo = min(lo, v)
	}
	if lo >= 100 {
		return 99, 100
	}
	return max(0, lo-(100-lo)*0.08), 100
}

// windows returns the warm-up, the fault windows and the changes of the
// page rate as plots shade them. Faults over the same span are one window
// with several labels (a partition of three links is one event to a
// reader).
func (s source) windows() []Window {
	var ws []Window
	if s.f.WarmupS > 0 {
		ws = append(ws, Window{FromS: 0, ToS: s.f.WarmupS, Kind: "warmup", Labels: []string{"warm-up (not measured)"}})
	}
	for _, fw := range s.f.Faults {
		from, to := fw.AtS, fw.AtS+fw.ForS
		label := fw.Label
		if label == "" {
			label = fw.Kind
		}
		i := slices.IndexFunc(ws, func(w Window) bool { return w.FromS == from && w.ToS == to && w.Kind == fw.Kind })
		if i >= 0 {
			ws[i].Labels = append(ws[i].Labels, label)
			continue
		}
		ws = append(ws, Window{FromS: from, ToS: to, Kind: fw.Kind, Labels: []string{label}})
	}
	traffic, _ := TrafficWindows(s.f.ScenarioYAML)
	return append(ws, traffic...)
}

// Disturbances returns what a run's recovery is measured after: its fault
// windows and the changes of its page rate, by start time.
func Disturbances(f *results.File) []Window {
	ws := newSource(f).windows()
	ws = slices.DeleteFunc(ws, func(w Window) bool { return w.Kind == "warmup" })
	slices.SortStableFunc(ws, func(a, b Window) int { return cmp.Compare(a.FromS, b.FromS) })
	return ws
}

// markersPerLine is about how many markers staggerMarkers gives a line.
const markersPerLine = 12

// staggerMarkers gives each line of a panel markers at points no other
// line marks: the x positions of all lines are ranked together, and line
// i of n marks the points whose rank is i·k modulo n·k. Lines that lie on
// top of each other (every strategy at 100 % availability) then still
// show each strategy's marker shape in turn along the line.
func staggerMarkers(lines []Line) {
	n := len(lines)
	if n == 0 {
		return
	}
	var xs []float64
	for _, l := range lines {
		for _, seg := range l.Segments {
			for _, q := range seg {
				xs = append(xs, q.X)
			}
		}
	}
	slices.Sort(xs)
	xs = slices.Compact(xs)
	rank := make(map[float64]int, len(xs))
	for i, x := range xs {
		rank[x] = i
	}
	k := max(1, int(math.Round(float64(len(xs))/float64(markersPerLine*n))))
	taken := map[float64]bool{}
	for i := range lines {
		lines[i].Markers = nil
		for _, seg := range lines[i].Segments {
			for _, q := range seg {
				if rank[q.X]%(n*k) == i*k {
					lines[i].Markers = append(lines[i].Markers, q)
					taken[q.X] = true
				}
			}
		}
	}
	// A sparse line (a few seconds with stale sections) may have missed
	// its turn at every point: mark its points no other line marks, or
	// its first point if every one is taken.
	for i := range lines {
		if len(lines[i].Markers) > 0 || len(lines[i].Segments) == 0 {
			continue
		}
		for _, seg := range lines[i].Segments {
			for _, q := range seg {
				if !taken[q.X] {
					lines[i].Markers = append(lines[i].Markers, q)
					taken[q.X] = true
				}
			}
		}
		if len(lines[i].Markers) == 0 {
			lines[i].Markers = append(lines[i].Markers, lines[i].Segments[0][0])
		}
	}
}
