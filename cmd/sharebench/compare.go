package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/sharebench/sharebench/results"
)

// compareCmd compares two result files, metric by metric, and fails on a
// regression: exit 0 none, 1 a regression, 2 usage, 3 bad input.
func compareCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	limits := fs.String("max", "", "how far metrics may get worse, e.g. 'latency.p99=+10%,staleness.p99=+20%,availability=-0.1pp'")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), `usage: sharebench compare [-max LIMITS] BASE NEW

Compares two result files (or run directories holding result.json): per
strategy and metric, base, new and the change. With several seeds on each
side (run -seeds N), a Mann–Whitney U test tells a real change from noise
(p < 0.05), as benchstat does; "~" marks a change within the noise. A metric
regresses when it gets worse by more than its limit and the change is real.
Exit status: 0 no regression, 1 a regression, 2 usage, 3 bad input.

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
	base, err := results.ReadFile(resultFile(fs.Arg(0)))
	if err != nil {
		return inputError{err}
	}
	next, err := results.ReadFile(resultFile(fs.Arg(1)))
	if err != nil {
		return inputError{err}
	}
	if base.Scenario != next.Scenario {
		fmt.Fprintf(stderr, "note: comparing different scenarios, %s and %s\n", base.Scenario, next.Scenario)
	}
	for _, m := range results.Missing(base, next) {
		fmt.Fprintf(stderr, "note: strategy %s\n", m)
	}
	ds := results.Compare(base, next, ts)
	if err := results.WriteComparison(stdout, ds); err != nil {
		return err
	}
	if n := results.Regressions(ds); n > 0 {
		return fmt.Errorf("%d regression%s", n, plural(n, "", "s"))
	}
	return nil
}
