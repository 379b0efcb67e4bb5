package plot

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/recorder"

	"github.com/sharebench/sharebench/results"
)

// TestStrategyLooksDistinct: the strategies a file can hold (up to the
// five built-in ones, and more) differ in colour, dash pattern and marker
// shape, each on its own, so a line that lies on another, or a print in
// grey, still tells them apart.
func TestStrategyLooksDistinct(t *testing.T) {
	const n = 7
	for i := range n {
		for j := range i {
			if styleColor(i) == styleColor(j) {
				t.Errorf("styleColor(%d) = styleColor(%d) = %v; want distinct", i, j, styleColor(i))
			}
			if fmt.Sprint(lineStyle(i, 0, 1).Dashes) == fmt.Sprint(lineStyle(j, 0, 1).Dashes) {
				t.Errorf("lineStyle(%d).Dashes = lineStyle(%d).Dashes = %v; want distinct", i, j, lineStyle(i, 0, 1).Dashes)
			}
			if fmt.Sprintf("%T", markStyle(i).Shape) == fmt.Sprintf("%T", markStyle(j).Shape) {
				t.Errorf("markStyle(%d).Shape = markStyle(%d).Shape = %T; want distinct", i, j, markStyle(i).Shape)
			}
		}
	}
}

// TestSeriesLinesNeverHidden: in every series and spectrum panel of the
// sample, where lines lie on top of each other for most of the run, each
// line has markers, and no two lines put a marker at the same x: every
// strategy shows its own shape somewhere along the shared line.
func TestSeriesLinesNeverHidden(t *testing.T) {
	for _, fig := range Figures(readSample(t)) {
		if !strings.HasPrefix(fig.Name, "series-") && !strings.HasPrefix(fig.Name, "latency-") {
			continue
		}
		for _, p := range fig.Panels {
			seen := map[float64]string{}
			for _, l := range p.Lines {
				points := 0
				for _, seg := range l.Segments {
					points += len(seg)
				}
				if points >= len(p.Lines) && len(l.Markers) == 0 && !l.Marks {
					t.Errorf("%s %q: line %s has %d points and no markers; want markers", fig.Name, p.Title, l.Label, points)
				}
				for _, q := range l.Markers {
					if other, dup := seen[q.X]; dup {
						t.Errorf("%s %q: %s and %s both mark x = %v; want each marker x on one line", fig.Name, p.Title, other, l.Label, q.X)
					}
					seen[q.X] = l.Label
				}
			}
		}
	}
}

func TestStaggerMarkers(t *testing.T) {
	same := func() []XY {
		var pts []XY
		for x := range 60 {
			pts = append(pts, XY{float64(x) + 0.5, 100})
		}
		return pts
	}
	lines := []Line{{Label: "a", Segments: [][]XY{same()}}, {Label: "b", Segments: [][]XY{same()}}, {Label: "c", Segments: [][]XY{same()}}}
	staggerMarkers(lines)
	for i, l := range lines {
		if n := len(l.Markers); n < markersPerLine-2 || n > markersPerLine+2 {
			t.Errorf("staggerMarkers: line %s has %d markers; want about %d", l.Label, n, markersPerLine)
		}
		for j := range i {
			for _, q := range l.Markers {
				if slices.Contains(lines[j].Markers, q) {
					t.Errorf("staggerMarkers: %s and %s both mark %v", lines[j].Label, l.Label, q)
				}
			}
		}
	}
}

// TestSeriesDropsPartialSecond: the last point of a series holds the
// pages answered after the run's end (a handful, so a p99 of a few ms or
// an availability of 1 %); no panel draws it, and each says so.
func TestSeriesDropsPartialSecond(t *testing.T) {
	f := readSample(t)
	end := f.WarmupS + f.DurationS
	last := f.Strategies["sync"].Series[len(f.Strategies["sync"].Series)-1]
	if last.T+1 <= end {
		t.Fatalf("sample's last second starts at %v; want the partial one at %v", last.T, end)
	}
	for _, fig := range seriesFigures(newSource(f)) {
		for _, p := range fig.Panels {
			for _, l := range p.Lines {
				for _, seg := range l.Segments {
					for _, q := range seg {
						if q.X > end {
							t.Errorf("%s %q: %s has a point at x = %v; want none after the run's end %v", fig.Name, p.Title, l.Label, q.X, end)
						}
					}
				}
			}
			if len(p.Lines) > 0 && !slices.ContainsFunc(p.Notes, func(n string) bool { return strings.Contains(n, "incomplete second") }) {
				t.Errorf("%s %q notes = %q; want one saying the incomplete second is left out", fig.Name, p.Title, p.Notes)
			}
		}
	}
	for _, tc := range []struct {
		t, end float64
		want   bool
	}{{64, 65, true}, {65, 65, false}, {64, 64.5, false}, {0, 1, true}} {
		if got := Complete(results.Second{T: tc.t}, tc.end); got != tc.want {
			t.Errorf("Complete(T=%v, end %v) = %v; want %v", tc.t, tc.end, got, tc.want)
		}
	}
}

func TestTrafficWindows(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		want       string
		notes      int
	}{
		{"constant", "traffic: {pages: {rate: 2000/s}}", "[]", 0},
		{"no traffic", "name: x", "[]", 0},
		{"not yaml", "traffic: [", "[]", 0},
		{"spike", "traffic:\n  pages:\n    rate: {curve: spike, base: 2000/s, peak: 20000/s, at: 20s, for: 10s}\n",
			"[{20 30 traffic [traffic spike 2000→20000 pages/s]}]", 0},
		{"spike as run", "traffic:\n  pages:\n    rate:\n      curve: spike\n      base: 2000/s\n      peak: 20000/s\n      at: 1m0s\n      for: 1.5s\n",
			"[{60 61.5 traffic [traffic spike 2000→20000 pages/s]}]", 0},
		{"ramp", "traffic: {pages: {rate: {curve: ramp, from: 1000/s, to: 5/ms, start: 10s, over: 1m0s}}}",
			"[{10 70 traffic [traffic ramp 1000→5000 pages/s]}]", 0},
		{"steps", "traffic: {pages: {rate: {curve: step, steps: [{at: 0s, rate: 1000/s}, {at: 30s, rate: 120/min}]}}}",
			"[{30 30 traffic [traffic 1000→2 pages/s]}]", 0},
		{"diurnal", "traffic: {pages: {rate: {curve: diurnal, mean: 2000/s, amplitude: 0.5, period: 24h, phase: 6h}}}", "[]", 1},
		{"bad rate", "traffic: {pages: {rate: {curve: spike, base: lots, peak: 20000/s, at: 20s, for: 10s}}}", "[]", 0},
	} {
		ws, notes := TrafficWindows(tc.yaml)
		if got := fmt.Sprint(ws); got != tc.want && !(tc.want == "[]" && len(ws) == 0) {
			t.Errorf("TrafficWindows(%s) = %s; want %s", tc.name, got, tc.want)
		}
		if len(notes) != tc.notes {
			t.Errorf("TrafficWindows(%s) notes = %q; want %d", tc.name, notes, tc.notes)
		}
	}
}

// TestWindowLabelsNeverOverlap draws panels crowded with windows (faults
// at many spacings, a spike, a crash at the very end) on a recording
// canvas and checks that no two window labels drawn share any space.
func TestWindowLabelsNeverOverlap(t *testing.T) {
	for gap := 1.0; gap <= 12; gap += 0.5 {
		f := &results.File{WarmupS: 5, DurationS: 60, Order: []string{"sync"},
			ScenarioYAML: "traffic: {pages: {rate: {curve: spike, base: 2000/s, peak: 20000/s, at: 21s, for: 10s}}}",
			Strategies:   map[string]*results.Metrics{"sync": {Pages: map[string]*results.PageMetrics{"all": {Count: 1}}}}}
		for i := range 4 {
			f.Faults = append(f.Faults, results.FaultWindow{AtS: 8 + gap*float64(i), ForS: 2, Kind: "outage", Label: fmt.Sprintf("outage svc-%d", i)})
		}
		f.Faults = append(f.Faults, results.FaultWindow{AtS: 62, ForS: 0, Kind: "crash", Label: "crash gig at the very end"})
		for _, svc := range []string{"gig", "user", "search", "self", "topclients", "client"} {
			// One window of six labels: wider than the panel.
			f.Faults = append(f.Faults, results.FaultWindow{AtS: 45, ForS: 5, Kind: "partition", Label: "partition broker<->" + svc + " (drop)"})
		}
		for sec := range 65 {
			f.Strategies["sync"].Series = append(f.Strategies["sync"].Series, results.Second{T: float64(sec), Pages: 10, Availability: 1})
		}
		for _, fig := range seriesFigures(newSource(f))[:2] {
			checkLabelsApart(t, fmt.Sprintf("%s, faults %vs apart", fig.Name, gap), fig)
		}
	}
}

func checkLabelsApart(t *testing.T, name string, fig Figure) {
	t.Helper()
	width, height, lay := layout(fig)
	rec := &recorder.Canvas{}
	if err := drawFigure(draw.NewCanvas(rec, width, height), fig, lay, false); err != nil {
		t.Fatal(err)
	}
	type box struct {
		label          string
		x0, x1, y0, y1 vg.Length
	}
	var labels []string
	for _, w := range fig.Panels[0].Windows {
		labels = append(labels, windowLabel(w))
	}
	var boxes []box
	for _, a := range rec.Actions {
		fs, ok := a.(*recorder.FillString)
		if !ok || !slices.ContainsFunc(labels, func(l string) bool {
			return fs.String == l || strings.HasSuffix(fs.String, "…") && strings.HasPrefix(l, strings.TrimSuffix(fs.String, "…"))
		}) {
			continue
		}
		w := lay.bandStyle.Width(fs.String)
		h := lay.bandStyle.FontExtents().Height
		boxes = append(boxes, box{fs.String, fs.Point.X, fs.Point.X + w, fs.Point.Y, fs.Point.Y + h})
	}
	if want := len(labels) * len(fig.Panels); len(boxes) != want {
		t.Fatalf("%s: drew %d window labels; want %d", name, len(boxes), want)
	}
	right := vg.Length(0) // the data area's right edge: the x axis line's end
	for _, a := range rec.Actions {
		if st, ok := a.(*recorder.Stroke); ok && len(st.Path) == 2 && st.Path[0].Pos.Y == st.Path[1].Pos.Y && st.Path[1].Pos.X < width-lay.legendW {
			right = max(right, st.Path[1].Pos.X)
		}
	}
	for _, a := range boxes {
		if a.x1 > right+1 {
			t.Errorf("%s: label %q ends at %.1f, past the data area's right edge %.1f", name, a.label, a.x1, right)
		}
	}
	for i, a := range boxes {
		for _, b := range boxes[:i] {
			if a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1-0.5 && b.y0 < a.y1-0.5 {
				t.Errorf("%s: labels %q at (%.1f, %.1f) and %q at (%.1f, %.1f) overlap", name, a.label, a.x0, a.y0, b.label, b.x0, b.y0)
			}
		}
	}
}

func TestRenderPDF(t *testing.T) {
	fig := Figures(readSample(t))[0]
	var buf bytes.Buffer
	if err := Render(&buf, fig, "pdf"); err != nil {
		t.Fatalf("Render(%s, pdf) = %v; want nil", fig.Name, err)
	}
	b := buf.Bytes()
	if !bytes.HasPrefix(b, []byte("%PDF-")) || !bytes.Contains(b[max(0, len(b)-64):], []byte("%%EOF")) {
		t.Errorf("Render(%s, pdf) = %d bytes starting %q; want a whole PDF", fig.Name, len(b), b[:min(8, len(b))])
	}
	if !bytes.Contains(b, []byte("FontFile")) {
		t.Errorf("Render(%s, pdf) embeds no font; want its fonts embedded for papers", fig.Name)
	}
	if err := Render(&buf, fig, "gif"); err == nil || !strings.Contains(err.Error(), "pdf") {
		t.Errorf("Render(gif) = %v; want an error listing the formats", err)
	}
}

func TestMergeBins(t *testing.T) {
	bin := func(after float64, reads, consistent int64) results.ConsistencyPoint {
		return results.ConsistencyPoint{AfterMS: after, Reads: reads, Consistent: consistent}
	}
	for _, tc := range []struct {
		name string
		in   []results.ConsistencyPoint
		want string
	}{
		{"empty", nil, "[]"},
		{"all full", []results.ConsistencyPoint{bin(1, 40, 10), bin(2, 50, 50)}, "[{1 40 10} {2 50 50}]"},
		{"sparse merge forward", []results.ConsistencyPoint{bin(0, 5, 0), bin(1, 1, 0), bin(2, 0, 0), bin(4, 1, 1), bin(8, 28, 28), bin(16, 100, 100)},
			"[{8 30 29} {16 100 100}]"},
		{"sparse tail joins the last", []results.ConsistencyPoint{bin(1, 40, 40), bin(2, 3, 3), bin(4, 2, 2)}, "[{4 45 45}]"},
		{"all sparse", []results.ConsistencyPoint{bin(1, 1, 0), bin(2, 2, 2)}, "[{2 3 2}]"},
	} {
		if got := fmt.Sprint(mergeBins(tc.in, 30)); got != tc.want {
			t.Errorf("mergeBins(%s, 30) = %s; want %s", tc.name, got, tc.want)
		}
	}
}

// TestConsistencyBinsCounted: in the sample, every point of the
// consistency curve rests on at least minBinReads reads, and the count
// panel shows each point's reads at the same x.
func TestConsistencyBinsCounted(t *testing.T) {
	fig := consistency(newSource(readSample(t)))
	if len(fig.Panels) != 2 {
		t.Fatalf("consistency has %d panels; want the curve and the counts", len(fig.Panels))
	}
	for i, l := range fig.Panels[0].Lines {
		c := fig.Panels[1].Lines[i]
		if len(l.Segments[0]) != len(c.Segments[0]) {
			t.Fatalf("%s: %d points, %d counts; want one count per point", l.Label, len(l.Segments[0]), len(c.Segments[0]))
		}
		for j, q := range c.Segments[0] {
			if q.Y < minBinReads || q.X != l.Segments[0][j].X {
				t.Errorf("%s: bin at %v ms has %v reads (count at x = %v); want ≥ %d at the same x", l.Label, l.Segments[0][j].X, q.Y, q.X, minBinReads)
			}
		}
	}
}

// TestHeatScale: a sweep whose values span more than 10× gets a log colour
// scale, on which the geometric middle sits mid-scale (on a linear one an
// outlier would paint every other cell the same colour); a narrow span
// stays linear; the colour bar labels both ends.
func TestHeatScale(t *testing.T) {
	rowsOf := func(vals ...float64) []results.SweepRow {
		var rows []results.SweepRow
		for i, v := range vals {
			f := &results.File{Order: []string{"sync"}, Strategies: map[string]*results.Metrics{"sync": {Owner: results.OwnerMetrics{PublicRPS: v}}}}
			rows = append(rows, results.SweepRow{Values: []string{strconv.Itoa(i % 2), strconv.Itoa(i / 2)}, File: f})
		}
		return rows
	}
	for _, tc := range []struct {
		name     string
		vals     []float64
		log      bool
		min, max float64
		notes    int
	}{
		{"span 1000×", []float64{1, 10, 100, 1000}, true, 1, 1000, 0},
		{"span 5×", []float64{100, 200, 300, 500}, false, 100, 500, 0},
		{"zero and span 1000×", []float64{0, 1, 100, 1000}, true, 1, 1000, 1},
		{"all zero", []float64{0, 0, 0, 0}, false, 0, 0, 0},
	} {
		figs := SweepFigures([]string{"a", "b"}, rowsOf(tc.vals...))
		p := figs[0].Panels[0] // owner.public_rps
		h := p.Heat
		if h.Log != tc.log || h.Min != tc.min || h.Max != tc.max || len(p.Notes) != tc.notes {
			t.Errorf("SweepFigures(%s) heat log=%v [%v, %v] notes %q; want log=%v [%v, %v] %d notes", tc.name, h.Log, h.Min, h.Max, p.Notes, tc.log, tc.min, tc.max, tc.notes)
		}
		ticks := h.BarTicks()
		if ticks[0] != h.Min || ticks[len(ticks)-1] != h.Max {
			t.Errorf("SweepFigures(%s) BarTicks = %v; want from %v to %v", tc.name, ticks, h.Min, h.Max)
		}
		var buf bytes.Buffer
		if err := Render(&buf, figs[0], "svg"); err != nil || !strings.Contains(buf.String(), "colour scale") {
			t.Errorf("Render(%s) = %v, colour bar drawn %v; want a colour bar", tc.name, err, strings.Contains(buf.String(), "colour scale"))
		}
	}
	h := &Heat{Min: 1, Max: 1000, Log: true}
	for _, tc := range []struct{ v, want float64 }{{1, 0}, {1000, 1}, {math.Sqrt(1000), 0.5}, {0, 0}, {5000, 1}} {
		if got := h.Fraction(tc.v); math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("log Heat[1, 1000].Fraction(%v) = %v; want %v", tc.v, got, tc.want)
		}
	}
	if got := (&Heat{Min: 0, Max: 200}).Fraction(50); got != 0.25 {
		t.Errorf("linear Heat[0, 200].Fraction(50) = %v; want 0.25", got)
	}
}

// TestSweepIntervals: a sweep's lines carry each cell's 95 % interval,
// and a cell resting on too few samples is named (lines) or printed with
// a ? (heatmaps).
func TestSweepIntervals(t *testing.T) {
	cell := func(p99, ci float64, n int64) *results.File {
		m := &results.Metrics{
			Pages: map[string]*results.PageMetrics{"all": {Count: n, LatencyMS: results.Summary{P99: p99}}},
			CI95:  map[string]float64{"latency.p99": ci},
			Stats: map[string]results.Stat{"latency.p99": {N: n, Method: results.MethodBatchMeans, Batches: 20}},
		}
		return &results.File{Order: []string{"sync"}, Strategies: map[string]*results.Metrics{"sync": m}}
	}
	rows := []results.SweepRow{
		{Values: []string{"0", "a"}, File: cell(10, 1, 50_000)},
		{Values: []string{"1", "a"}, File: cell(20, 2, 500)}, // a p99 needs 1,000
	}
	var lines Figure
	for _, fig := range SweepFigures([]string{"x"}, rows) {
		if fig.Name == "sweep-latency-p99" {
			lines = fig
		}
	}
	p := lines.Panels[0]
	if got := fmt.Sprint(p.Lines[0].YErrs); got != "[1 2]" {
		t.Errorf("sweep line YErrs = %s; want [1 2]", got)
	}
	if !slices.Contains(p.Notes, "too few samples to compare (needs 1000): sync at 1 (n=500)") {
		t.Errorf("sweep notes = %q; want the cell at 1 named", p.Notes)
	}
	for _, fig := range SweepFigures([]string{"x", "y"}, rows) {
		if fig.Name != "sweep-latency-p99" {
			continue
		}
		h := fig.Panels[0].Heat
		if !h.TooFew[[2]int{0, 1}] || h.TooFew[[2]int{0, 0}] || cellText(h, 0, 1, 20) != "20?" {
			t.Errorf("sweep heat TooFew = %v, cell text %q; want [0 1] alone, printed 20?", h.TooFew, cellText(h, 0, 1, 20))
		}
	}
}
