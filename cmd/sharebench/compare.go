package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/sharebench/sharebench/results"
)

// compareCmd compares two result files, metric by metric, and fails on a
// regression or an -slo target missed: exit 0 none, 1 either, 2 usage, 3
// bad input.
func compareCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	limits := fs.String("max", "", "how far metrics may get worse, e.g. 'latency.p99=+10%,staleness.p99=+20%,availability=-0.1pp'; in the general form also per page kind or owner, e.g. 'latency.p99@product=150,owner.rps@reviews=+10%'")
	alpha := fs.Float64("alpha", results.DefaultAlpha, "significance level: a change is real when the test's p-value is below it")
	test := fs.String("test", results.TestWelch, "the test on several seeds a side: welch (t-test on the seeds' values) or mann-whitney (U test, as benchstat; needs many seeds)")
	var slo sloFlags
	fs.Var(&slo, "slo", "a target as a limit, e.g. 'latency.p99<=150ms' (repeatable; with the new file's own slo: targets; -slo scenario for those alone): a column of the new file failing one is a target missed, which fails like a regression (exit 1)")
	allowMissing := fs.Bool("allow-missing", false, "compare what both files have when the new one lacks a strategy or metric of the base (else bad input, exit 3)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), `usage: sharebench compare [-max LIMITS] [-slo TARGET] [-alpha A] [-test T] [-allow-missing] BASE NEW

Compares two result files (or run directories holding result.json): per
strategy and metric, base, new and the change, with the p-value of a
two-sided test of "no change". With one seed a side the test is Welch's t
on the runs' within-run intervals (batch means), so one seed can show a real
change; with several, Welch's t on the seeds' values. "~" marks a change
within the noise (p ≥ alpha). A metric regresses when it gets worse by more
than its limit and the change is real; without -max nothing can regress.
One run a side of different seeds gets no test (the within-run intervals
hold a seed's population fixed): changes are judged against the limits
alone, marked "not tested". Warnings go to stderr: no -max, seeds that
differ, a test that cannot reach alpha, a metric no test could judge,
builds that differ or have uncommitted changes,
measured inputs ({dist: samples|hdr, file}) that differ.
Exit status: 0 no regression, 1 a regression or an -slo target missed,
2 usage, 3 bad input.

`)
		fs.PrintDefaults()
	}
	if err := parseAnywhere(fs, args); err != nil {
		return usageOrHelp(err)
	}
	if fs.NArg() != 2 {
		return usageError{"compare takes two result files: BASE NEW"}
	}
	ts, err := results.ParseThresholds(*limits)
	if err != nil {
		return usageError{"-max: " + err.Error()}
	}
	if *alpha <= 0 || *alpha >= 1 {
		return usageError{fmt.Sprintf("-alpha %g: want a level between 0 and 1, e.g. 0.05", *alpha)}
	}
	if *test != results.TestWelch && *test != results.TestMannWhitney {
		return usageError{fmt.Sprintf("-test %q: want %s or %s", *test, results.TestWelch, results.TestMannWhitney)}
	}
	base, err := results.ReadFile(resultFile(fs.Arg(0)))
	if err != nil {
		return inputError{err}
	}
	next, err := results.ReadFile(resultFile(fs.Arg(1)))
	if err != nil {
		return inputError{err}
	}
	// A scoped limit names the base's own page kinds and owners: check
	// them against it (an unknown one is the -max's fault, a usage error).
	if err := results.CheckLimits(base, ts); err != nil {
		return usageError{"-max: " + fs.Arg(0) + ": " + err.Error()}
	}
	if err := checkCompareSLO(next, slo, fs.Arg(1)); err != nil {
		return err
	}
	notes, err := results.CheckInputs(base, next, *allowMissing)
	if err != nil {
		return inputError{fmt.Errorf("%s against %s: %w", fs.Arg(0), fs.Arg(1), err)}
	}
	for _, n := range notes {
		fmt.Fprintln(stderr, n)
	}
	if len(ts) == 0 && len(slo) == 0 {
		// Without limits no change is a regression: say so, lest a green
		// exit be read as a pass.
		fmt.Fprintln(stderr, "warning: no -max: compare reports but cannot fail; give limits, e.g. -max 'latency.p99=+10%,availability=-0.1pp'")
	}
	ds, warnings := results.CompareWith(base, next, results.CompareOptions{Limits: ts, Alpha: *alpha, Test: *test})
	for _, w := range warnings {
		fmt.Fprintln(stderr, w)
	}
	if err := results.WriteComparison(stdout, ds); err != nil {
		return err
	}
	missed, err := compareSLO(stdout, stderr, next, slo)
	if err != nil {
		return err
	}
	return compareOutcome(results.Regressions(ds), missed)
}

// compareOutcome is compare's error for n regressions and missed slo
// targets (exit 1 for either), naming them apart: a target the new file
// misses is no change from the base, and identical files can miss one.
func compareOutcome(regressions, missed int) error {
	switch {
	case missed > 0:
		return fmt.Errorf("%d target%s missed (%d regression%s)", missed, plural(missed, "", "s"), regressions, plural(regressions, "", "s"))
	case regressions > 0:
		return fmt.Errorf("%d regression%s", regressions, plural(regressions, "", "s"))
	}
	return nil
}
