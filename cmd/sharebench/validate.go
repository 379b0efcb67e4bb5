package main

import (
	"flag"
	"fmt"
	"io"
	"runtime"

	"github.com/sharebench/sharebench/workload"
)

// validateCmd checks scenario files without running them, and says what
// each run will take.
func validateCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: sharebench validate FILE|NAME...\n\nChecks scenarios without running them, and prints the work and memory each run will take;\none that would not fit this machine (see run -force) is an error.\n")
	}
	if err := parseAnywhere(fs, args); err != nil {
		return usageOrHelp(err)
	}
	if fs.NArg() == 0 {
		return usageError{"validate: name at least one scenario file"}
	}
	bad := 0
	limits := workload.DefaultLimits()
	for _, arg := range fs.Args() {
		sc, err := workload.Resolve(arg)
		if err != nil {
			fmt.Fprintln(stderr, err)
			bad++
			continue
		}
		// Judged as run would run it: its strategies at once, as far as
		// the cores go.
		est, err := sc.CheckSize(limits, defaultConcurrency(len(sc.Columns()), runtime.NumCPU()))
		if err != nil {
			fmt.Fprintln(stderr, err) // located: FILE:LINE: field: …
			bad++
			continue
		}
		fmt.Fprintf(stdout, "%s: ok (%s, %s, %v + %v warm-up, %s); %s\n", arg, sc.Name, columnsText(sc), sc.Duration.D(), sc.Warmup.D(), countText(len(sc.Faults), "fault", "faults"), est)
	}
	if bad > 0 {
		return inputError{fmt.Errorf("%d of %d scenarios are invalid", bad, fs.NArg())}
	}
	return nil
}

// sizeGuard estimates what the runs will take and refuses (bad input,
// exit 3) what will not fit this machine: memory for the runs held at once
// (concurrent of them), CPU per run. With force it only estimates. The
// estimate also sets the runs' event budget (RunOptions.MaxEvents).
func sizeGuard(sc *workload.Scenario, concurrent int, force bool) (workload.Estimate, error) {
	if force {
		return sc.Estimate(), nil
	}
	est, err := sc.CheckSize(workload.DefaultLimits(), concurrent)
	if err != nil {
		return est, inputError{err}
	}
	return est, nil
}

// eventBudget is the most events a run of sc may process, for run and
// for each cell of sweep alike: the estimate's budget
// (workload.Estimate.EventBudget), none with -force.
func eventBudget(sc *workload.Scenario, force bool) uint64 {
	if force {
		return 0
	}
	return sc.Estimate().EventBudget()
}

// defaultConcurrency is how many runs of runs are held at once with
// parallel of them allowed.
func defaultConcurrency(runs, parallel int) int { return max(1, min(runs, parallel)) }

// columnsText counts a scenario's columns as what they are: "3 strategies
// + 1 plan", "1 strategy".
func columnsText(sc *workload.Scenario) string {
	plans := len(sc.Plans)
	text := countText(len(sc.Columns())-plans, "strategy", "strategies")
	if plans > 0 {
		text += " + " + countText(plans, "plan", "plans")
	}
	return text
}

// countText is n and the noun in its number: "1 plan", "2 plans".
func countText(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
