package plot

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/sharebench/sharebench/results"
)

// seriesMetric is one per-second measure as a panel plots it.
type seriesMetric struct {
	title, label string
	log          bool
	percent      bool
	integer      bool
	// value returns the point for a second, and whether there is one: a
	// second without renders has no latency, not a latency of 0.
	value func(results.Second) (float64, bool)
	// only restricts the panel to strategies the named registry metric
	// applies to ("" = all); why says what the others lack.
	only, why string
	// metric is the registered metric the panel shows second by second,
	// and basis how its notes name it: the run's figure, with interval
	// and samples, beside the curve.
	metric, basis string
}

var (
	seriesLatency = seriesMetric{
		title: "p99 latency, public pages", label: "p99 latency (ms, log scale)", log: true,
		value:  func(s results.Second) (float64, bool) { return s.P99MS, rendered(s) && s.P99MS > 0 },
		metric: "latency.p99", basis: "p99",
	}
	seriesAvailability = seriesMetric{
		title: "availability: pages rendered at all", label: "availability (%)", percent: true,
		value:  func(s results.Second) (float64, bool) { return 100 * s.Availability, s.Pages > 0 },
		metric: "availability", basis: "availability",
	}
	seriesCompleteness = seriesMetric{
		title: "completeness: pages rendered with the section", label: "completeness (%)", percent: true,
		value:  func(s results.Second) (float64, bool) { return 100 * s.Completeness, rendered(s) },
		metric: "completeness", basis: "completeness",
	}
	seriesStaleFraction = seriesMetric{
		title: "stale fraction: sections older than the owner's", label: "stale sections (%)",
		value:  func(s results.Second) (float64, bool) { return 100 * s.StaleFraction, rendered(s) },
		metric: "stale_fraction", basis: "stale",
	}
	seriesStaleness = seriesMetric{
		title: "p99 staleness of stale sections (seconds without stale sections left out)", label: "p99 staleness (ms, log scale)", log: true,
		value:  func(s results.Second) (float64, bool) { return s.StalenessP99MS, s.StalenessP99MS > 0 },
		metric: "staleness.p99", basis: "p99 staleness",
	}
	seriesOwner = seriesMetric{
		title: "requests reaching the owner (Top Clients)", label: "owner requests/s",
		value:  func(s results.Second) (float64, bool) { return s.OwnerRPS, true },
		metric: "owner.rps", basis: "owner",
	}
	seriesLag = seriesMetric{
		title: "consumer lag of the furthest-behind group", label: "lag (records)", integer: true,
		value:  func(s results.Second) (float64, bool) { return float64(s.ConsumerLag), true },
		metric: "broker.max_lag", basis: "max lag",
		only: "broker.max_lag", why: "keeps no views, so has no consumer lag",
	}
)

// rendered reports whether any page of the second rendered. Completeness
// counts sections of rendered pages, stale fraction sections shown (a
// failed page shows none) and latency rendered pages: in a second without
// one their denominator is zero and the result file holds a stand-in (1
// for completeness, 0 for the others), which the plot leaves as a gap
// rather than draw as a real 100 % or 0 %.
func rendered(s results.Second) bool { return s.Pages > 0 && s.Availability > 0 }

// seriesFigures returns the time series, one figure per question a reader
// asks of a run: how slow, how available, how stale, how loaded the
// owner, how far behind the consumers.
func seriesFigures(s source) []Figure {
	type spec struct {
		name, title string
		metrics     []seriesMetric
	}
	specs := []spec{
		{"series-latency", "p99 latency over time", []seriesMetric{seriesLatency}},
		{"series-availability", "Availability and completeness over time", []seriesMetric{seriesAvailability, seriesCompleteness}},
		{"series-staleness", "Staleness over time", []seriesMetric{seriesStaleFraction, seriesStaleness}},
		{"series-owner", "Owner load over time", []seriesMetric{seriesOwner}},
		{"series-lag", "Consumer lag over time", []seriesMetric{seriesLag}},
	}
	figs := make([]Figure, 0, len(specs))
	for _, sp := range specs {
		fig := Figure{Name: sp.name, Title: sp.title}
		for _, sm := range sp.metrics {
			p := seriesPanel(s, sm)
			n := len(fig.Basis)
			addBasis(s, &fig, &p, sm.metric, sm.basis)
			for i := range p.Lines {
				p.Lines[i].Faint = tooFew(fig.Basis[n:], p.Lines[i].Label, sm.metric)
			}
			fig.Panels = append(fig.Panels, p)
		}
		figs = append(figs, fig)
	}
	return figs
}

func seriesPanel(s source, sm seriesMetric) Panel {
	title := sm.title
	if s.f.Topology != nil {
		// The marketplace's owner is Top Clients; here the series sums the
		// scenario's own owners.
		title = strings.Replace(title, "the owner (Top Clients)", "the owners ("+strings.Join(s.f.Topology.Owners, ", ")+", summed)", 1)
	}
	p := Panel{
		Title: title,
		X:     Axis{Label: "time since the start of the run (s)"},
		Y:     Axis{Label: sm.label, Log: sm.log, Integer: sm.integer},
	}
	// The x range covers the whole run, data or not, so the panels of a
	// figure line up and the fault windows sit where they happened.
	end := s.f.WarmupS + s.f.DurationS
	p.X.Max = end
	_, p.Notes = TrafficWindows(s.f.ScenarioYAML)
	p.Windows, p.Notes = clipWindows(s.windows(), end, p.Notes)
	var all []float64
	var late []string // per strategy, the pages of the incomplete second left out
	for _, name := range s.names {
		m := s.metrics(name)
		if sm.only != "" && !applies(sm.only, m) {
			p.Notes = append(p.Notes, name+" "+sm.why)
			continue
		}
		line := Line{Label: s.label(name), Style: s.style[name]}
		var seg []XY
		for _, sec := range m.Series {
			if !Complete(sec, end) {
				if !slices.Contains(late, name) && (sm.only == "" || applies(sm.only, m)) {
					late = append(late, name, results.Count(sec.Pages))
				}
				continue
			}
			v, ok := sm.value(sec)
			if !ok {
				if len(seg) > 0 {
					line.Segments = append(line.Segments, seg)
					seg = nil
				}
				continue
			}
			// A second's measure belongs to its middle: the drop of an
			// outage at 20 s then falls at 20 s, not a second early.
			seg = append(seg, XY{sec.T + 0.5, v})
			all = append(all, v)
			p.X.Max = max(p.X.Max, sec.T+1)
		}
		if len(seg) > 0 {
			line.Segments = append(line.Segments, seg)
		}
		if len(line.Segments) == 0 {
			p.Notes = append(p.Notes, name+": nothing to show")
			continue
		}
		p.Lines = append(p.Lines, line)
	}
	if len(late) > 0 {
		var parts []string
		for i := 0; i < len(late); i += 2 {
			parts = append(parts, late[i]+" "+late[i+1])
		}
		p.Notes = append(p.Notes, "the last, incomplete second is left out: pages answered (or given up on) after the run's end, "+strings.Join(parts, ", "))
	}
	staggerMarkers(p.Lines)
	if p.X.Max <= p.X.Min {
		p.X.Max = p.X.Min + 1
	}
	switch {
	case sm.log:
		p.Y.Min, p.Y.Max = logRange(all, 1.25, 1.6)
	case sm.percent:
		p.Y.Min, p.Y.Max = percentRange(all)
	default:
		p.Y.Min, p.Y.Max = linRange(all)
	}
	return p
}

// clipWindows cuts the windows to the run, which ends at end: a window
// that outlasts the run (an outage at 20–30 s in a run that ends at 25 s)
// must not stretch the x axis past the data, so it is shaded to the end
// and its label gives its real times; one that starts after the end is a
// note instead.
func clipWindows(ws []Window, end float64, notes []string) ([]Window, []string) {
	const eps = 1e-9
	var out []Window
	for _, w := range ws {
		span := fmt.Sprintf("%s–%s s", secondsString(w.FromS), secondsString(w.ToS))
		if w.ToS == w.FromS {
			span = fmt.Sprintf("at %s s", secondsString(w.FromS))
		}
		switch {
		case w.FromS > end+eps:
			notes = append(notes, fmt.Sprintf("%s (%s) falls after the run's end at %s s", windowLabel(w), span, secondsString(end)))
			continue
		case w.ToS > end+eps:
			labels := slices.Clone(w.Labels)
			labels[len(labels)-1] += fmt.Sprintf(" (%s, past the run's end)", span)
			w.ToS, w.Labels = end, labels
		}
		out = append(out, w)
	}
	return out, notes
}

// secondsString writes a time as the scenario gives it: 20, 2.5.
func secondsString(s float64) string { return strconv.FormatFloat(s, 'f', -1, 64) }

// Complete reports whether a second of the series is a whole second of the
// run: the series' last point holds the pages answered after the run's end
// (and a run may end mid-second), an artefact of where the run stops —
// a handful of late pages — that plots and recovery times leave out. end
// is the run's end in seconds since its start (warm-up + duration).
func Complete(sec results.Second, end float64) bool { return sec.T+1 <= end+1e-9 }
