package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/sharebench/sharebench/results"
	"github.com/sharebench/sharebench/results/plot"
)

// Recovery is how one strategy came back from one disturbance (a fault, or
// a change of the page rate).
//
// The definition, in per-second figures of the public pages:
//
//   - the level before is the mean availability and completeness over
//     the measured seconds in the PreWindowS before the disturbance starts
//     (100 % when there are none);
//   - a second is within the level when both its availability and its
//     completeness are at most Tolerance below that level;
//   - the strategy has recovered at the first second t at or after the
//     disturbance's end such that every second from t until the next
//     disturbance starts (or the run ends) is within the level, and at
//     least MinStayS such seconds are seen; its recovery time is t − end;
//   - it was unaffected if no second from the disturbance's start until
//     then left the level.
//
// Seconds without pages, and the run's incomplete last second, are left
// out.
type Recovery struct {
	Window plot.Window
	// Affected: some second left the level before. Recovered: it came
	// back and stayed, AfterS seconds after the disturbance ended (or,
	// with BackS > 0, came back then, too late to confirm).
	Affected, Recovered bool
	AfterS              float64
	// ObservedS is how long after the disturbance's end the series runs
	// (to the next disturbance or the run's end).
	ObservedS float64
	// Unfinished: the run ended before the disturbance did; there is no
	// recovery to measure.
	Unfinished bool
	// Level is availability and completeness before (fractions); Worst
	// the lowest of either seen from the start until recovery (or the end).
	LevelAvailability, LevelCompleteness float64
	Worst                                float64
	// AftermathAvailability and AftermathCompleteness are the means over
	// the seconds after the end when it did not recover: what it settled at.
	AftermathAvailability, AftermathCompleteness float64
	// WatchedS counts the usable seconds after the end (0: the next
	// disturbance followed at once: nothing to watch). BackS, when it did
	// not recover, is the stretch of them within the level that reaches
	// the end of the watch: back, but too short to confirm (< MinStayS).
	WatchedS, BackS float64
}

// Recovery parameters.
const (
	Tolerance  = 0.02 // 2 percentage points
	PreWindowS = 10.0
	MinStayS   = 5.0
)

// Recoveries returns, per strategy in the file's order, its recovery from
// each disturbance of the run (plot.Disturbances), in start order.
func Recoveries(f *results.File) map[string][]Recovery {
	ds := plot.Disturbances(f)
	out := map[string][]Recovery{}
	if len(ds) == 0 {
		return out
	}
	end := f.WarmupS + f.DurationS
	for _, name := range strategyNames(f) {
		var rs []Recovery
		for i, d := range ds {
			until := end
			for _, next := range ds[i+1:] {
				if next.FromS >= d.ToS {
					until = min(until, next.FromS)
				}
			}
			rs = append(rs, recoveryOf(f.Strategies[name].Series, f.WarmupS, end, d, until))
		}
		out[name] = rs
	}
	return out
}

// recoveryOf measures one recovery in series: from d, watched until
// `until` (seconds since the start of the run); the run is measured from
// warmup and ends at end.
func recoveryOf(series []results.Second, warmup, end float64, d plot.Window, until float64) Recovery {
	r := Recovery{Window: d, ObservedS: max(0, until-d.ToS), LevelAvailability: 1, LevelCompleteness: 1, Worst: 1, Unfinished: d.ToS >= end}
	usable := func(s results.Second) bool { return s.Pages > 0 && plot.Complete(s, end) }
	var na int
	var sa, sc float64
	for _, s := range series {
		if usable(s) && s.T >= max(warmup, d.FromS-PreWindowS) && s.T+1 <= d.FromS {
			sa += s.Availability
			sc += s.Completeness
			na++
		}
	}
	if na > 0 {
		r.LevelAvailability, r.LevelCompleteness = sa/float64(na), sc/float64(na)
	}
	within := func(s results.Second) bool {
		return s.Availability >= r.LevelAvailability-Tolerance && s.Completeness >= r.LevelCompleteness-Tolerance
	}
	// Walk backwards from `until`: the recovery point is the start of the
	// last unbroken stretch within the level that reaches `until`.
	start := math.Inf(1) // earliest second of that stretch, ≥ d.ToS
	seen := 0.0
	for i := len(series) - 1; i >= 0; i-- {
		s := series[i]
		if !usable(s) || s.T+1 > until || s.T < d.FromS {
			continue
		}
		if !within(s) {
			r.Affected = true
			break
		}
		if s.T >= d.ToS {
			start, seen = s.T, seen+1
		}
	}
	for _, s := range series {
		if usable(s) && s.T >= d.FromS && s.T+1 <= until && s.T < start {
			r.Worst = min(r.Worst, s.Availability, s.Completeness)
			if !within(s) {
				r.Affected = true
			}
		}
	}
	if !r.Affected {
		r.Worst = 1
		for _, s := range series {
			if usable(s) && s.T >= d.FromS && s.T+1 <= until {
				r.Worst = min(r.Worst, s.Availability, s.Completeness)
			}
		}
		return r
	}
	if seen >= MinStayS {
		r.Recovered = true
		r.AfterS = start - d.ToS
		return r
	}
	if r.BackS = seen; seen > 0 {
		r.AfterS = start - d.ToS // back since then, not confirmed
	}
	var n int
	for _, s := range series {
		if usable(s) && s.T >= d.ToS && s.T+1 <= until {
			r.AftermathAvailability += s.Availability
			r.AftermathCompleteness += s.Completeness
			n++
			r.WatchedS++
		}
	}
	if n > 0 {
		r.AftermathAvailability /= float64(n)
		r.AftermathCompleteness /= float64(n)
	}
	return r
}

// Sentence says the recovery in words, e.g. "after outage topclients
// (20–30 s): back within 2 points of its level 3 s after the end".
func (r Recovery) Sentence() string {
	head := fmt.Sprintf("after %s (%s–%s s): ", windowName(r.Window), num(r.Window.FromS), num(r.Window.ToS))
	switch {
	case r.Unfinished && r.Affected:
		return head + "the run ended before it did: no recovery to measure"
	case !r.Affected:
		return head + "unaffected (availability and completeness stayed within 2 points of their level before)"
	case r.Recovered && r.AfterS == 0:
		return head + "back within 2 points of its level before in the first second after the end"
	case r.Recovered:
		return head + fmt.Sprintf("back within 2 points of its level before %s s after the end", num(r.AfterS))
	case r.WatchedS == 0:
		return head + "no time to watch its recovery: the next disturbance (or the run's end) followed at once"
	case r.BackS > 0:
		when := num(r.AfterS) + " s after the end"
		if r.AfterS == 0 {
			when = "in the first second after the end"
		}
		return head + fmt.Sprintf("back within 2 points of its level before %s, not confirmed: %s s watched, %s s needed",
			when, num(r.BackS), num(MinStayS))
	}
	return head + fmt.Sprintf("not recovered in the %s s watched after the end: availability %s, completeness %s on average (before: %s, %s)",
		num(r.ObservedS), percent(r.AftermathAvailability), percent(r.AftermathCompleteness), percent(r.LevelAvailability), percent(r.LevelCompleteness))
}

// Short is the recovery for a table cell.
func (r Recovery) Short() string {
	switch {
	case r.Unfinished && r.Affected:
		return "run ended first"
	case !r.Affected:
		return "unaffected"
	case r.Recovered:
		return num(r.AfterS) + " s"
	case r.WatchedS == 0:
		return "no time to watch"
	case r.BackS > 0:
		return "back, not confirmed (needs " + num(MinStayS) + " s)"
	}
	return "not within " + num(r.ObservedS) + " s"
}

func windowName(w plot.Window) string {
	if len(w.Labels) == 0 {
		return w.Kind
	}
	s := w.Labels[0]
	for _, l := range w.Labels[1:] {
		s += "; " + l
	}
	return s
}

func percent(f float64) string { return strconv.FormatFloat(100*f, 'f', 1, 64) + " %" }

// explanation says why a strategy did not recover from a surge of
// traffic, when the figures fit the mechanism the README describes under
// "The aftermath of a traffic spike": pages stay unrendered or without
// the section long after the surge has passed.
func (r Recovery) explanation() string {
	if r.Window.Kind != "traffic" || !r.Affected || r.Recovered || r.Unfinished {
		return ""
	}
	var parts []string
	if r.AftermathAvailability < r.LevelAvailability-Tolerance {
		parts = append(parts, "pages queued during the surge wait past the client's timeout, so their clients have given up, yet each is still rendered, holding a page worker (and calling the owner): the backlog does not drain while each render is slow, and pages arriving behind it fail too")
	}
	if r.AftermathCompleteness < r.LevelCompleteness-Tolerance {
		parts = append(parts, "the owner's queue stays full of calls whose callers have already timed out, so it serves only abandoned calls and every new call times out: sections go missing")
	}
	if len(parts) == 0 {
		return ""
	}
	return "after " + windowName(r.Window) + " the figures show a backlog of work nobody waits for: " + strings.Join(parts, "; ") + " (README: The aftermath of a traffic spike)"
}

// recoveryTable is the report's recovery table: a row per strategy, a
// column per disturbance.
type recoveryTable struct {
	Definition   string
	Disturbances []string
	Rows         []recoveryRow
}

type recoveryRow struct {
	Strategy string
	Cells    []recoveryCell
}

type recoveryCell struct {
	Text, Class string
}

func newRecoveryTable(f *results.File, verdicts []Verdict) recoveryTable {
	recs := Recoveries(f)
	t := recoveryTable{Definition: fmt.Sprintf("Recovery time: after a fault or a change of the page rate ends, the time until the per-second availability and completeness of the public pages are back within %s points of their mean over the %s s before it began, and stay there (at least %s s, until the next disturbance or the run's end). Whole seconds; the run's incomplete last second is left out.",
		num(100*Tolerance), num(PreWindowS), num(MinStayS))}
	for _, d := range plot.Disturbances(f) {
		t.Disturbances = append(t.Disturbances, fmt.Sprintf("%s (%s–%s s)", windowName(d), num(d.FromS), num(d.ToS)))
	}
	for _, v := range verdicts {
		row := recoveryRow{Strategy: v.Strategy}
		for _, r := range recs[v.Strategy] {
			class := "ok"
			if r.Affected && !r.Recovered {
				class = "bad"
			}
			row.Cells = append(row.Cells, recoveryCell{Text: r.Short(), Class: class})
		}
		if len(row.Cells) > 0 {
			t.Rows = append(t.Rows, row)
		}
	}
	return t
}

func (t recoveryTable) markdown(b *strings.Builder) {
	markdownHeader(b, "strategy", t.Disturbances)
	for _, r := range t.Rows {
		b.WriteString("| " + r.Strategy + " |")
		for _, c := range r.Cells {
			b.WriteString(" " + c.Text + " |")
		}
		b.WriteString("\n")
	}
}
