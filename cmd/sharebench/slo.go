package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/sharebench/sharebench/results"
	"github.com/sharebench/sharebench/results/plot"
	"github.com/sharebench/sharebench/workload"
)

// exitSLO is run's status with -slo-fail when no strategy or plan meets
// every target: not 1 (the run did not fail) nor 3 (the input is fine),
// so CI can tell "the design misses its targets" from a broken run.
const exitSLO = 4

// sloFlags collects repeated -slo flags, each one target
// ("latency.p99<=150ms"); a target on a figure the scenario's slo: also
// has replaces it.
type sloFlags []results.Target

func (s *sloFlags) String() string {
	var out []string
	for _, t := range *s {
		out = append(out, t.String())
	}
	return strings.Join(out, " ")
}

func (s *sloFlags) Set(v string) error {
	if v == sloScenario {
		*s = append(*s, results.Target{}) // no target: the file's own
		return nil
	}
	t, err := results.ParseTarget(v)
	if err != nil {
		return err
	}
	*s = append(*s, t)
	return nil
}

// sloScenario as a -slo value adds no target: compare -slo scenario
// judges the new file by its scenario's own slo: targets alone.
const sloScenario = "scenario"

// targets are the targets given, without the sloScenario marks.
func (s sloFlags) targets() []results.Target {
	var out []results.Target
	for _, t := range s {
		if t.Metric != "" {
			out = append(out, t)
		}
	}
	return out
}

// sloMissError is -slo-fail's failure: no column meets every target.
type sloMissError struct{ msg string }

func (e sloMissError) Error() string { return e.msg }

// sloGate is -slo-fail: an error when f's targets are met by no column,
// naming what each misses. Without targets there is nothing to gate on.
func sloGate(f *results.File, enabled bool) error {
	if !enabled {
		return nil
	}
	r := results.Recommend(f, nil)
	if r == nil {
		return usageError{"-slo-fail: the scenario has no slo: targets; add an slo: section or -slo 'METRIC<=LIMIT'"}
	}
	if len(r.Meeting) > 0 {
		return nil
	}
	var why []string
	for _, c := range r.Others {
		var misses []string
		for _, j := range c.Misses() {
			m := j.Target.Label() + " " + j.Verdict.String()
			if j.Verdict == results.Fail {
				m += " by " + j.MissText()
			}
			if d := j.DecideText(); d != "" {
				m += " (to decide: " + d + ")"
			}
			misses = append(misses, m)
		}
		why = append(why, c.Name+": "+strings.Join(misses, ", "))
	}
	return sloMissError{fmt.Sprintf("-slo-fail: no strategy or plan meets every slo target (%s)", strings.Join(why, "; "))}
}

// writeDecision draws a sweep's decision map into dir and prints where
// the answer changes; nothing when the cells have no targets or more
// than two parameters vary.
func writeDecision(stdout io.Writer, dir string, axes []string, rows []results.SweepRow, flags sloFlags) error {
	extra := flags.targets()
	if err := writeSweepSLO(dir, extra); err != nil {
		return err
	}
	m := results.Decide(axes, rows, extra)
	if m == nil {
		if len(extra) > 0 || (len(rows) > 0 && results.SLOOf(rows[0].File) != nil) {
			fmt.Fprintf(stdout, "no decision map: it needs one or two swept parameters with more than one value, got %d\n", len(axes))
		}
		return nil
	}
	if _, err := plot.WriteDecision(dir, m); err != nil {
		return fmt.Errorf("decision map: %w", err)
	}
	fmt.Fprintf(stdout, "decision map (cheapest meeting every target): %s\n", filepath.Join(dir, plot.DecisionName+".png"))
	if len(m.Boundaries) == 0 {
		fmt.Fprintln(stdout, "  the answer is the same in every cell")
	}
	for _, b := range m.Boundaries {
		fmt.Fprintf(stdout, "  %s\n", b.Text)
	}
	for _, u := range m.Undecided {
		fmt.Fprintf(stdout, "  %s: no boundary drawn against it\n", u)
	}
	return nil
}

// checkCompareSLO refuses compare -slo targets on figures the new file
// (named name) does not have, as run and sweep refuse them: a misspelt
// target would otherwise never fail.
func checkCompareSLO(next *results.File, flags sloFlags, name string) error {
	s := &results.SLO{Targets: flags.targets()}
	if field, msg, ok := s.Check(next.Topology); !ok {
		return usageError{fmt.Sprintf("-slo %s: %s: %s", strings.TrimPrefix(field, "targets."), name, msg)}
	}
	return nil
}

// compareSLO is compare -slo: the new file's columns judged against its
// own slo: targets and the flag's, printed under the comparison. Each
// target a column fails counts as a regression, as a -max limit broken;
// an unclear verdict is a warning on stderr.
func compareSLO(stdout, stderr io.Writer, next *results.File, flags sloFlags) (int, error) {
	if len(flags) == 0 {
		return 0, nil
	}
	r := results.Recommend(next, results.SLOOf(next).With(flags.targets()))
	if r == nil {
		return 0, usageError{"-slo: no targets: the new file's scenario has no slo: section; give -slo 'METRIC<=LIMIT'"}
	}
	fmt.Fprintln(stdout, "\nslo targets, new file:")
	failed := 0
	for _, c := range r.Columns {
		for _, j := range c.Judgements {
			line := fmt.Sprintf("  %-10s %-28s %s", c.Name, j.Target.Label(), j.Verdict)
			switch j.Verdict {
			case results.Fail:
				failed++
				line += " by " + j.MissText() + "  MISSED"
			case results.Unclear:
				fmt.Fprintf(stderr, "warning: %s %s unclear: %s\n", c.Name, j.Target.Label(), j.Reason)
				line += " (" + j.Reason + ")"
			case results.NA:
				line += " (" + j.Reason + ")"
			}
			fmt.Fprintln(stdout, line)
		}
	}
	return failed, nil
}

// sweepSLOName is the file in a sweep's directory holding the -slo
// targets it was judged by, one a line, so that report draws the same
// decision map; absent when sweep had none.
const sweepSLOName = "slo.txt"

func writeSweepSLO(dir string, ts []results.Target) error {
	path := filepath.Join(dir, sweepSLOName)
	if len(ts) == 0 {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	}
	return results.WriteFileAtomic(path, func(w io.Writer) error {
		for _, t := range ts {
			if _, err := fmt.Fprintln(w, t); err != nil {
				return err
			}
		}
		return nil
	})
}

// readSweepSLO reads back the targets writeSweepSLO wrote (none without
// the file).
func readSweepSLO(dir string) ([]results.Target, error) {
	data, err := os.ReadFile(filepath.Join(dir, sweepSLOName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var ts []results.Target
	for i, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		t, err := results.ParseTarget(strings.TrimSpace(line))
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %v", filepath.Join(dir, sweepSLOName), i+1, err)
		}
		ts = append(ts, t)
	}
	return ts, nil
}

// checkSLOFlags refuses -slo targets on figures the scenario's results
// will not have, before a sweep runs anything.
func checkSLOFlags(sc *workload.Scenario, flags sloFlags) error {
	c := *sc // WithTargets sets the copy's SLO only
	if err := c.WithTargets(flags.targets()); err != nil {
		return usageError{"-slo: " + err.Error()}
	}
	return nil
}
