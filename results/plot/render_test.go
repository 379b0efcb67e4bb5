package plot

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sharebench/sharebench/results"
)

// TestRenderDecodes: every figure of the sample renders to a PNG that
// decodes and an SVG that parses, and each names every strategy (in the
// legend, or in a note saying why it is not drawn).
func TestRenderDecodes(t *testing.T) {
	f := readSample(t)
	for _, fig := range Figures(f) {
		if testing.Short() && !slices.Contains([]string{"latency-all", "series-availability", "tradeoff", "cost"}, fig.Name) {
			continue // -short: one figure of each kind
		}
		var pngBuf, svgBuf bytes.Buffer
		if err := Render(&pngBuf, fig, "png"); err != nil {
			t.Fatalf("Render(%s, png) = %v; want nil", fig.Name, err)
		}
		img, err := png.Decode(&pngBuf)
		if err != nil {
			t.Errorf("png.Decode(Render(%s)) = %v; want a PNG", fig.Name, err)
		} else if b := img.Bounds(); b.Dx() < 500 || b.Dy() < 300 {
			t.Errorf("Render(%s, png) is %dx%d px; want at least 500x300", fig.Name, b.Dx(), b.Dy())
		}

		if err := Render(&svgBuf, fig, "svg"); err != nil {
			t.Fatalf("Render(%s, svg) = %v; want nil", fig.Name, err)
		}
		texts, err := svgTexts(&svgBuf)
		if err != nil {
			t.Errorf("xml parse of Render(%s, svg) = %v; want valid SVG", fig.Name, err)
			continue
		}
		all := strings.Join(texts, "\n")
		for _, name := range f.Order {
			if !strings.Contains(all, name) {
				t.Errorf("Render(%s, svg) texts = %q; want one naming %s", fig.Name, texts, name)
			}
		}
		if !strings.Contains(all, fig.Title) {
			t.Errorf("Render(%s, svg) has no title %q", fig.Name, fig.Title)
		}
	}
}

// svgTexts parses an SVG document and returns the contents of its <text>
// elements; the root must be <svg>.
func svgTexts(r io.Reader) ([]string, error) {
	dec := xml.NewDecoder(r)
	var texts []string
	depth, inText, root := 0, false, ""
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				root = tok.Name.Local
			}
			depth++
			inText = tok.Name.Local == "text"
		case xml.EndElement:
			depth--
			inText = false
		case xml.CharData:
			if inText {
				texts = append(texts, string(tok))
			}
		}
	}
	if root != "svg" {
		return nil, fmt.Errorf("root element %q; want svg", root)
	}
	return texts, nil
}

func TestWriteAll(t *testing.T) {
	f := readSample(t)
	dir := t.TempDir()
	names, err := WriteAll(dir, f)
	if err != nil {
		t.Fatalf("WriteAll = %v", err)
	}
	if want := FileNames(f); !slices.Equal(names, want) {
		t.Errorf("WriteAll names = %q; want FileNames %q", names, want)
	}
	for _, name := range names {
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil || st.Size() == 0 {
			t.Errorf("WriteAll wrote %s: %v, %d bytes; want a file", name, err, st.Size())
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != len(names) {
		t.Errorf("WriteAll left %d files in dir; want exactly the %d it names (no temporaries)", len(entries), len(names))
	}
}

// edgeFiles are result files with the data log axes choke on: zeros,
// negatives, empty and missing series, empty and unreadable histograms.
func edgeFiles(t *testing.T) map[string]*results.File {
	t.Helper()
	emptyHDR, err := results.EncodeHDR(results.NewLatencyHistogram())
	if err != nil {
		t.Fatal(err)
	}
	h := results.NewLatencyHistogram()
	h.RecordValue(1500)
	oneHDR, _ := results.EncodeHDR(h)

	zeroSecond := results.Second{T: 0}
	zeroPages := results.Second{T: 1, Pages: 10} // renders, all measures 0
	negative := results.Second{T: 2, Pages: 5, P99MS: -1, StalenessP99MS: -3, OwnerRPS: -1, ConsumerLag: -2, Availability: -0.5}
	zeros := &results.Metrics{
		Pages: map[string]*results.PageMetrics{
			"all": {Count: 0}, "self": {Count: 0},
		},
		Series:      []results.Second{zeroSecond, zeroPages, negative},
		Consistency: []results.ConsistencyPoint{{AfterMS: 0, Reads: 5, Consistent: 5}, {AfterMS: -1, Reads: 1}, {AfterMS: 4, Reads: 0}},
		HDR:         map[string]string{"latency.all": emptyHDR, "latency.gig": "not a histogram"},
		// Published makes it a strategy with views, so the view-only
		// panels take it too.
		Broker: results.BrokerMetrics{Published: 1},
	}
	withStale := &results.Metrics{
		Pages: map[string]*results.PageMetrics{
			"all": {Count: 10, LatencyMS: results.Summary{P99: 5}, StalenessMS: results.Summary{P99: 0}},
		},
		Series: []results.Second{{T: 0, Pages: 10, P99MS: 5, StalenessP99MS: 7}},
		HDR:    map[string]string{"latency.all": oneHDR, "latency.self": oneHDR},
	}
	return map[string]*results.File{
		"nil file":      nil,
		"no strategies": {Schema: 1},
		"empty metrics": {Schema: 1, Order: []string{"sync", "async"}, Strategies: map[string]*results.Metrics{
			"sync": {}, "async": {},
		}},
		"nil metrics and missing": {Schema: 1, Order: []string{"sync", "gone"}, Strategies: map[string]*results.Metrics{"sync": nil}},
		"zeros and negatives": {Schema: 1, DurationS: 2, WarmupS: 1, Order: []string{"sync", "async"},
			Faults:     []results.FaultWindow{{AtS: 1, ForS: 0, Kind: "crash"}, {AtS: -1, ForS: 0.5, Kind: "outage"}},
			Strategies: map[string]*results.Metrics{"sync": zeros, "async": zeros}},
		"one value each": {Schema: 1, DurationS: 1, Order: []string{"hybrid"}, Strategies: map[string]*results.Metrics{"hybrid": withStale}},
		"mixed zero staleness": {Schema: 1, DurationS: 1, Order: []string{"sync", "hybrid"}, Strategies: map[string]*results.Metrics{
			"sync": withStale,
			"hybrid": {Pages: map[string]*results.PageMetrics{
				"all": {Count: 10, LatencyMS: results.Summary{P99: 9}, StalenessMS: results.Summary{P99: 3}},
			}},
		}},
	}
}

// TestLogAxesGetOnlyPositiveValues feeds zeros, negatives and empty series
// to every plot: no non-positive value or range reaches a log axis, and
// rendering neither panics nor fails.
func TestLogAxesGetOnlyPositiveValues(t *testing.T) {
	for name, f := range edgeFiles(t) {
		t.Run(name, func(t *testing.T) {
			figs := Figures(f)
			if len(figs) == 0 {
				t.Fatalf("Figures(%s) = none; want every plot, empty or not", name)
			}
			for _, fig := range figs {
				if err := checkLogAxes(fig); err != nil {
					t.Errorf("Figures(%s): %v; want only positive values on log axes", name, err)
				}
				for _, p := range fig.Panels {
					for _, a := range []Axis{p.X, p.Y} {
						if !(a.Max > a.Min) || math.IsInf(a.Max, 0) || math.IsNaN(a.Min) {
							t.Errorf("Figures(%s) %s axis %q range [%v, %v]; want a finite non-empty range", name, fig.Name, a.Label, a.Min, a.Max)
						}
					}
				}
				for _, format := range Formats {
					if testing.Short() && format == "png" {
						// Both formats run the same gonum drawing code,
						// where a log scale would panic; rasterising is
						// the slow part and adds nothing here.
						continue
					}
					func() {
						defer func() {
							if r := recover(); r != nil {
								t.Errorf("Render(%s of %s, %s) panicked: %v", fig.Name, name, format, r)
							}
						}()
						if err := Render(io.Discard, fig, format); err != nil {
							t.Errorf("Render(%s of %s, %s) = %v; want nil", fig.Name, name, format, err)
						}
					}()
				}
			}
		})
	}
}

// TestRenderRefusesNonPositiveOnLogAxis: a figure built by hand with a 0
// on a log axis is an error, not a gonum/plot panic.
func TestRenderRefusesNonPositiveOnLogAxis(t *testing.T) {
	for _, fig := range []Figure{
		{Name: "zero point", Panels: []Panel{{X: Axis{Log: true, Min: 1, Max: 10}, Y: Axis{Max: 1}, Lines: []Line{{Segments: [][]XY{{{0, 1}, {2, 1}}}}}}}},
		{Name: "zero range", Panels: []Panel{{X: Axis{Max: 1}, Y: Axis{Log: true, Min: 0, Max: 10}}}},
		{Name: "negative marker", Panels: []Panel{{X: Axis{Max: 1}, Y: Axis{Log: true, Min: 1, Max: 10}, Points: []Point{{XY: XY{0.5, -2}}}}}},
	} {
		var err error
		func() {
			defer func() {
				if r := recover(); r != nil {
					err = fmt.Errorf("panic: %v", r)
				}
			}()
			err = Render(io.Discard, fig, "png")
		}()
		if err == nil || strings.HasPrefix(err.Error(), "panic") {
			t.Errorf("Render(%s) = %v; want an error about the log axis", fig.Name, err)
		}
	}
}

// TestTradeoffZeroStaleness: a strategy without stale sections stays on the
// map, at 0 on a linear staleness axis, and the note says why.
// TestTradeoffMap: the map shows what decides the choice: p99 latency
// and expected staleness with their intervals, owner load as marker size,
// completeness in the label; a strategy dominated on all four is named, and
// one resting on too few samples is drawn faint.
func TestTradeoffMap(t *testing.T) {
	fig := tradeoff(newSource(readSample(t)))
	p := fig.Panels[0]
	if p.Y.Log || !p.X.Log || len(p.Points) != 3 {
		t.Fatalf("tradeoff = log x %v, log y %v, %d points; want log latency, linear staleness, 3 strategies", p.X.Log, p.Y.Log, len(p.Points))
	}
	byName := map[string]Point{}
	for _, pt := range p.Points {
		byName[pt.Label] = pt
		if pt.XErr <= 0 {
			t.Errorf("tradeoff %s XErr = %v; want the p99's interval", pt.Label, pt.XErr)
		}
		if pt.X-pt.XErr < p.X.Min || pt.X+pt.XErr > p.X.Max || pt.Y+pt.YErr > p.Y.Max {
			t.Errorf("tradeoff %s interval [%v, %v] × %v+%v outside the axes %+v %+v", pt.Label, pt.X-pt.XErr, pt.X+pt.XErr, pt.Y, pt.YErr, p.X, p.Y)
		}
	}
	// Owner-outage: sync drops the section from a sixth of renders.
	if txt := byName["sync"].Text; !strings.Contains(txt, "complete 83.54 %") || !strings.Contains(txt, "owner 2104 req/s") {
		t.Errorf("tradeoff sync text = %q; want its completeness and owner load", txt)
	}
	if a, s := byName["async"].Size, byName["sync"].Size; !(a < s) || s != 3 {
		t.Errorf("tradeoff sizes async %v, sync %v; want async smaller, sync (the most load) 3", a, s)
	}
	if len(fig.Basis) != 12 {
		t.Errorf("tradeoff bases = %d; want 4 figures × 3 strategies", len(fig.Basis))
	}
	for _, b := range fig.Basis {
		if !strings.Contains(b.Text, "±") || !strings.Contains(b.Text, "n=") {
			t.Errorf("tradeoff basis %q; want its interval and sample count", b.Text)
		}
	}
	// hybrid: slower than async, as incomplete as sync, more load than
	// async: async dominates it.
	if want := "hybrid is dominated by async: better beyond the intervals on at least one of the four, worse on none"; !slices.Contains(p.Notes, want) {
		t.Errorf("tradeoff notes = %q; want %q", p.Notes, want)
	}
	f := readSample(t)
	f.Strategies["sync"].Stats["latency.p99"] = results.Stat{N: 12, Method: results.MethodBatchMeans, Batches: 2}
	for _, m := range f.Strategies { // enough stale sections that staleness decides nothing here
		st := m.Stats["staleness.p99"]
		st.N = 1000
		m.Stats["staleness.p99"] = st
	}
	for _, pt := range tradeoff(newSource(f)).Panels[0].Points {
		if pt.Faint != (pt.Label == "sync") {
			t.Errorf("tradeoff with sync's p99 from 12 samples: %s faint = %v; want only sync faint", pt.Label, pt.Faint)
		}
	}
}

func TestDominates(t *testing.T) {
	// latency, staleness, completeness (higher better), owner load; each
	// with its interval and plenty of samples.
	figs := func(vals ...float64) []results.Figure {
		var fs []results.Figure
		for _, v := range vals {
			fs = append(fs, results.Figure{Value: v, N: 1e6, Counted: true, CI95: 0.5, HasCI: true, Method: results.MethodBatchMeans, Batches: 20})
		}
		return fs
	}
	few := figs(10, 0, 100, 100)
	few[0].N = 5
	for _, tc := range []struct {
		name string
		a, b []results.Figure
		want bool
	}{
		{"better on two, equal on two", figs(10, 0, 100, 100), figs(20, 0, 100, 800), true},
		{"equal", figs(10, 0, 100, 100), figs(10, 0, 100, 100), false},
		{"less complete", figs(10, 0, 83, 100), figs(20, 0, 100, 800), false},
		{"a trade-off", figs(27, 0, 83, 2100), figs(11, 3, 100, 125), false},
		{"async over hybrid", figs(11, 0, 100, 125), figs(17, 0, 83, 868), true},
		{"worse inside the interval", figs(10, 0.6, 100, 100), figs(20, 0, 100, 800), true},
		{"better only inside the intervals", figs(10, 0, 100, 100), figs(10.5, 0.5, 99.5, 100.9), false},
		{"better on too few samples", few, figs(12, 0, 100, 100), false},
	} {
		if got := dominates(tc.a, tc.b); got != tc.want {
			t.Errorf("dominates(%s) = %v; want %v", tc.name, got, tc.want)
		}
	}
}

func TestWindowsMergeSameSpan(t *testing.T) {
	f := &results.File{WarmupS: 5, Faults: []results.FaultWindow{
		{AtS: 20, ForS: 10, Kind: "partition", Label: "partition broker<->gig (drop)"},
		{AtS: 20, ForS: 10, Kind: "partition", Label: "partition broker<->user (drop)"},
		{AtS: 40, ForS: 5, Kind: "latency"},
	}}
	got := newSource(f).windows()
	want := []Window{
		{0, 5, "warmup", []string{"warm-up (not measured)"}},
		{20, 30, "partition", []string{"partition broker<->gig (drop)", "partition broker<->user (drop)"}},
		{40, 45, "latency", []string{"latency"}},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("windows() = %v; want %v", got, want)
	}
}

func TestLogTicks(t *testing.T) {
	for _, tc := range []struct {
		lo, hi float64
		want   string // labelled ticks
	}{
		{8, 60, "10 20 50"},
		{1, 1e5, "1 10 100 1000 10000 100000"},
		{2.8, 15.4, "5 10"},
		{11, 19, "11 19"}, // no round value inside: the ends
		{0.15, 30, "0.2 0.5 1 2 5 10 20"},
		{0, 10, ""}, // not a log range: nothing, not a panic
	} {
		var got []string
		for _, tk := range (logTicks{}).Ticks(tc.lo, tc.hi) {
			if tk.Label != "" {
				got = append(got, tk.Label)
			}
		}
		if strings.Join(got, " ") != tc.want {
			t.Errorf("logTicks.Ticks(%v, %v) labels = %q; want %q", tc.lo, tc.hi, strings.Join(got, " "), tc.want)
		}
	}
}

func TestLinTicks(t *testing.T) {
	for _, tc := range []struct {
		lo, hi  float64
		integer bool
		want    string
	}{
		{0, 66, false, "0 20 40 60"},
		{0, 1.1, false, "0.0 0.2 0.4 0.6 0.8 1.0"},
		{0, 1.1, true, "0 1"},
		{0, 5.5, true, "0 1 2 3 4 5"},
		{99, 100, false, "99.0 99.2 99.4 99.6 99.8 100.0"},
		{-0.5, 3.5, false, "0 1 2 3"},
		{-1, 1, false, "-1.0 -0.5 0.0 0.5 1.0"},
		{1, 1, false, ""},
	} {
		var got []string
		for _, tk := range (linTicks{integer: tc.integer}).Ticks(tc.lo, tc.hi) {
			if tk.Label != "" {
				got = append(got, tk.Label)
			}
		}
		if strings.Join(got, " ") != tc.want {
			t.Errorf("linTicks{%v}.Ticks(%v, %v) labels = %q; want %q", tc.integer, tc.lo, tc.hi, strings.Join(got, " "), tc.want)
		}
	}
}

func TestSig(t *testing.T) {
	for _, tc := range []struct {
		in   float64
		want string
	}{
		{0, "0"}, {11.327, "11.3"}, {2103.87, "2104"}, {0.0622, "0.0622"}, {9.996, "10.0"}, {-4.449, "-4.45"},
	} {
		if got := sig(tc.in); got != tc.want {
			t.Errorf("sig(%v) = %s; want %s", tc.in, got, tc.want)
		}
	}
}
