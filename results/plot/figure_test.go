package plot

import (
	"bytes"
	"cmp"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/sharebench/sharebench/results"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// sample is a real result: the built-in owner-outage scenario (60 s, one
// seed), from `sharebench run -q -o DIR owner-outage`.
const sample = "testdata/owner-outage.json"

func readSample(tb testing.TB) *results.File {
	tb.Helper()
	f, err := results.ReadFile(sample)
	if err != nil {
		tb.Fatal(err)
	}
	return f
}

// TestFiguresGolden holds the data behind every plot of the sample to a
// reviewed dump: series, labels, ranges, windows and notes. Regenerate
// with go test ./results/plot -run Golden -update and review the diff.
func TestFiguresGolden(t *testing.T) {
	figs := Figures(readSample(t))
	var names []string
	for _, fig := range figs {
		names = append(names, fig.Name)
		var buf bytes.Buffer
		dump(&buf, fig)
		path := filepath.Join("testdata", fig.Name+".golden")
		if *update {
			if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run with -update to create it)", err)
		}
		if got := buf.String(); got != string(want) {
			t.Errorf("Figures(%s) %s = \n%s\nwant (%s)\n%s", sample, fig.Name, got, path, want)
		}
	}
	wantNames := "latency-all latency-gig latency-user latency-search latency-self series-latency series-availability series-staleness series-owner series-lag tradeoff consistency cost"
	if got := strings.Join(names, " "); got != wantNames {
		t.Errorf("Figures(%s) names = %s; want %s", sample, got, wantNames)
	}
}

// dump writes fig as reviewable text, numbers to 6 significant digits.
func dump(w io.Writer, fig Figure) {
	fmt.Fprintf(w, "figure %s %q cols=%d\n", fig.Name, fig.Title, fig.Cols)
	for _, b := range fig.Basis {
		fmt.Fprintf(w, "basis %s %s too_few=%v %q\n", b.Strategy, b.Metric, b.TooFew, b.Text)
	}
	for _, p := range fig.Panels {
		fmt.Fprintf(w, "panel %q\n", p.Title)
		dumpAxis(w, "x", p.X)
		dumpAxis(w, "y", p.Y)
		for _, win := range p.Windows {
			fmt.Fprintf(w, "  window [%s, %s) %s %q\n", num(win.FromS), num(win.ToS), win.Kind, win.Labels)
		}
		for _, l := range p.Lines {
			fmt.Fprintf(w, "  line %q style=%d marks=%v faint=%v segments=%d\n", l.Label, l.Style, l.Marks, l.Faint, len(l.Segments))
			for _, seg := range l.Segments {
				for i := 0; i < len(seg); i += 6 {
					fmt.Fprint(w, "   ")
					for _, q := range seg[i:min(i+6, len(seg))] {
						fmt.Fprintf(w, " (%s, %s)", num(q.X), num(q.Y))
					}
					fmt.Fprintln(w)
				}
				fmt.Fprintln(w, "    --")
			}
			if len(l.YErrs) > 0 {
				var es []string
				for _, e := range l.YErrs {
					es = append(es, num(e))
				}
				fmt.Fprintf(w, "    ±95%% = %s\n", strings.Join(es, " "))
			}
			if len(l.Markers) > 0 {
				var xs []string
				for _, q := range l.Markers {
					xs = append(xs, num(q.X))
				}
				fmt.Fprintf(w, "    markers at x = %s\n", strings.Join(xs, " "))
			}
		}
		for _, q := range p.Points {
			fmt.Fprintf(w, "  point %q style=%d (%s ± %s, %s ± %s) size=%s faint=%v text=%q\n", q.Label, q.Style, num(q.X), num(q.XErr), num(q.Y), num(q.YErr), num(q.Size), q.Faint, q.Text)
		}
		for _, q := range p.Front {
			fmt.Fprintf(w, "  front (%s, %s)\n", num(q.X), num(q.Y))
		}
		if p.Bars != nil {
			fmt.Fprintf(w, "  bars groups=%q\n", p.Bars.Groups)
			for _, s := range p.Bars.Series {
				var vs []string
				for _, v := range s.Values {
					vs = append(vs, num(v))
				}
				fmt.Fprintf(w, "    %q style=%d values=[%s] texts=%q\n", s.Label, s.Style, strings.Join(vs, " "), s.Texts)
			}
		}
		if h := p.Heat; h != nil {
			scale := "linear"
			if h.Log {
				scale = "log"
			}
			fmt.Fprintf(w, "  heat x=%q y=%q %s scale [%s, %s] %s\n", h.XLabels, h.YLabels, scale, num(h.Min), num(h.Max), h.Unit)
			for _, k := range slices.SortedFunc(maps.Keys(h.TooFew), func(a, b [2]int) int { return cmp.Or(a[0]-b[0], a[1]-b[1]) }) {
				fmt.Fprintf(w, "    too few at [%d, %d]\n", k[0], k[1])
			}
			for _, row := range h.Values {
				var vs []string
				for _, v := range row {
					vs = append(vs, num(v))
				}
				fmt.Fprintf(w, "    [%s]\n", strings.Join(vs, " "))
			}
		}
		for _, n := range p.Notes {
			fmt.Fprintf(w, "  note %q\n", n)
		}
	}
}

func dumpAxis(w io.Writer, name string, a Axis) {
	scale := "linear"
	if a.Log {
		scale = "log"
	}
	if a.Integer {
		scale += " integer"
	}
	fmt.Fprintf(w, "  %s %q %s [%s, %s]", name, a.Label, scale, num(a.Min), num(a.Max))
	for _, t := range a.Ticks {
		fmt.Fprintf(w, " %s=%q", num(t.Value), t.Label)
	}
	fmt.Fprintln(w)
}

func num(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }
