package main

import (
	"fmt"
	"strings"

	"github.com/sharebench/sharebench/results"
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
	t, err := results.ParseTarget(v)
	if err != nil {
		return err
	}
	*s = append(*s, t)
	return nil
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
			m := j.Target.String() + " " + j.Verdict.String()
			if j.Verdict == results.Fail {
				m += " by " + j.MissText()
			}
			misses = append(misses, m)
		}
		why = append(why, c.Name+": "+strings.Join(misses, ", "))
	}
	return sloMissError{fmt.Sprintf("-slo-fail: no strategy or plan meets every slo target (%s)", strings.Join(why, "; "))}
}
