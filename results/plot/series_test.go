package plot

import (
	"slices"
	"strings"
	"testing"

	"github.com/sharebench/sharebench/results"
)

// seriesPanels returns the panels of the series figures of f by title.
func seriesPanels(t *testing.T, f *results.File) map[string]Panel {
	t.Helper()
	ps := map[string]Panel{}
	for _, fig := range Figures(f) {
		if strings.HasPrefix(fig.Name, "series-") {
			for _, p := range fig.Panels {
				ps[p.Title] = p
			}
		}
	}
	if len(ps) == 0 {
		t.Fatal("Figures(sample) has no series panels")
	}
	return ps
}

// TestSeriesWindowsClippedToRunEnd: the sample's outage (20–30 s) in a run
// cut to end at 25 s, as `sharebench run -duration 20s owner-outage` runs
// it, with a traffic spike that also outlasts the run and a fault after
// it. The axis ends with the run, the windows are cut there and say their
// real times.
func TestSeriesWindowsClippedToRunEnd(t *testing.T) {
	f := readSample(t)
	f.DurationS = 20 // warm-up 5 s: the run ends at 25 s
	for _, m := range f.Strategies {
		// Keep what such a run records: whole seconds to 25 s and the
		// late pages of the second after.
		m.Series = slices.DeleteFunc(m.Series, func(s results.Second) bool { return s.T > 25 })
	}
	spike := "rate: {curve: spike, base: 2000/s, peak: 4000/s, at: 22s, for: 10s}"
	f.ScenarioYAML = strings.Replace(f.ScenarioYAML, "rate: 2000/s", spike, 1)
	if !strings.Contains(f.ScenarioYAML, spike) {
		t.Fatal("sample scenario has no page rate of 2000/s to replace")
	}
	f.Faults = append(f.Faults, results.FaultWindow{AtS: 40, ForS: 5, Kind: "partition", Label: "partition late"})

	want := []Window{
		{FromS: 0, ToS: 5, Kind: "warmup", Labels: []string{"warm-up (not measured)"}},
		{FromS: 20, ToS: 25, Kind: "outage", Labels: []string{"outage topclients (refuse) (20–30 s, past the run's end)"}},
		{FromS: 22, ToS: 25, Kind: "traffic", Labels: []string{"traffic spike 2000→4000 pages/s (22–32 s, past the run's end)"}},
	}
	const wantNote = "partition late (40–45 s) falls after the run's end at 25 s"
	for title, p := range seriesPanels(t, f) {
		if p.X.Max != 25 {
			t.Errorf("%s: x axis max = %v; want 25 (the run's end)", title, p.X.Max)
		}
		if got := p.Windows; !slices.EqualFunc(got, want, func(a, b Window) bool {
			return a.FromS == b.FromS && a.ToS == b.ToS && a.Kind == b.Kind && slices.Equal(a.Labels, b.Labels)
		}) {
			t.Errorf("%s: windows = %+v; want %+v", title, got, want)
		}
		if !slices.Contains(p.Notes, wantNote) {
			t.Errorf("%s: notes = %q; want one %q", title, p.Notes, wantNote)
		}
		for _, l := range p.Lines {
			for _, seg := range l.Segments {
				for _, q := range seg {
					if q.X > 25 {
						t.Errorf("%s: %s has a point at x = %v; want none past 25", title, l.Label, q.X)
					}
				}
			}
		}
	}
	// The windows recovery is measured after keep their real ends.
	if d := Disturbances(f); len(d) == 0 || d[0].ToS != 30 {
		t.Errorf("Disturbances(f) = %+v; want the outage first, ending at 30", d)
	}
}

// TestSeriesGapWhereDenominatorIsZero: a second without pages, and one
// whose pages all failed, have no completeness, stale fraction or
// latency (the result file holds stand-ins: completeness 1, the others 0);
// the lines break there instead of drawing 100 % or 0 %. Availability of
// the all-failed second is a real 0 %.
func TestSeriesGapWhereDenominatorIsZero(t *testing.T) {
	f := readSample(t)
	const strategy = "sync"
	m := f.Strategies[strategy]
	i := slices.IndexFunc(m.Series, func(s results.Second) bool { return s.T == 10 })
	if i < 0 || m.Series[i+2].T != 12 {
		t.Fatalf("sample %s series has no seconds 10 and 12", strategy)
	}
	m.Series[i] = results.Second{T: 10, Pages: 0, Availability: 1, Completeness: 1}
	m.Series[i+2] = results.Second{T: 12, Pages: 2000, Availability: 0, Completeness: 1, OwnerRPS: m.Series[i+2].OwnerRPS}

	ps := seriesPanels(t, f)
	tests := []struct {
		panel string
		want  map[float64]bool // x → whether the line has a point there
	}{
		{seriesAvailability.title, map[float64]bool{9.5: true, 10.5: false, 11.5: true, 12.5: true}},
		{seriesCompleteness.title, map[float64]bool{9.5: true, 10.5: false, 11.5: true, 12.5: false, 13.5: true}},
		{seriesStaleFraction.title, map[float64]bool{9.5: true, 10.5: false, 11.5: true, 12.5: false, 13.5: true}},
		{seriesLatency.title, map[float64]bool{9.5: true, 10.5: false, 11.5: true, 12.5: false, 13.5: true}},
		{seriesOwner.title, map[float64]bool{10.5: true, 12.5: true}}, // a rate, not a ratio: 0 is real
	}
	for _, tt := range tests {
		p, ok := ps[tt.panel]
		if !ok {
			t.Errorf("no panel %q", tt.panel)
			continue
		}
		li := slices.IndexFunc(p.Lines, func(l Line) bool { return l.Label == strategy })
		if li < 0 {
			t.Errorf("%s: no line %s", tt.panel, strategy)
			continue
		}
		pts := map[float64]float64{}
		for _, seg := range p.Lines[li].Segments {
			for j, q := range seg {
				pts[q.X] = q.Y
				if j > 0 && q.X-seg[j-1].X != 1 {
					t.Errorf("%s: %s segment joins x = %v to %v; want a break at a missing second", tt.panel, strategy, seg[j-1].X, q.X)
				}
			}
		}
		for x, want := range tt.want {
			if _, got := pts[x]; got != want {
				t.Errorf("%s: %s has a point at x = %v: %v (y = %v); want %v", tt.panel, strategy, x, got, pts[x], want)
			}
		}
	}
	if y := func() float64 {
		avail := ps[seriesAvailability.title]
		li := slices.IndexFunc(avail.Lines, func(l Line) bool { return l.Label == strategy })
		if li < 0 {
			return -1
		}
		for _, seg := range avail.Lines[li].Segments {
			for _, q := range seg {
				if q.X == 12.5 {
					return q.Y
				}
			}
		}
		return -1
	}(); y != 0 {
		t.Errorf("availability of %s at x = 12.5 = %v; want 0 (all pages failed)", strategy, y)
	}
}
