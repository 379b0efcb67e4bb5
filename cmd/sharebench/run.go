package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/sharebench/sharebench/results"
	"github.com/sharebench/sharebench/results/plot"
	"github.com/sharebench/sharebench/workload"
)

// runCmd runs a scenario (baseline if none is named) in virtual time,
// writes its result file and prints the summary table.
func runCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "", "write the result into this directory instead of runs/<scenario>/<UTC timestamp>/")
	format := fs.String("format", "table", "what to print on stdout: table, json (the result document), csv (a row per strategy and page kind) or bench (Go benchmark format, for benchstat)")
	asJSON := fs.Bool("json", false, "short for -format json")
	seeds := fs.Int("seeds", 1, "replications: run seeds seed, seed+1, … and report means with 95% confidence intervals")
	parallel := fs.Int("parallel", runtime.NumCPU(), "runs at once (the output is the same for any value)")
	seed := fs.Uint64("seed", 0, "override the scenario's seed")
	duration := fs.Duration("duration", 0, "override the scenario's measured duration (> 0)")
	quiet := fs.Bool("q", false, "no progress bar")
	live := fs.Bool("live", false, "run in the live world: goroutines, HTTP on loopback, the Kafka protocol, faults through TCP proxies, on the wall clock")
	scale := fs.Float64("scale", 1, "compress the scenario's time by this factor (0 < F ≤ 1): durations, fault times and rates; for live runs")
	kafka := fs.String("kafka", "", "with -live: Kafka-protocol seed brokers host:port,… (default: an embedded kfake cluster)")
	force := fs.Bool("force", false, "run even if the size estimate says it will not fit this machine (and lift the runs' event budget)")
	var slo sloFlags
	fs.Var(&slo, "slo", "a target, e.g. 'latency.p99<=150ms' or 'completeness>=99.5%' (repeatable; adds to the scenario's slo: targets, replacing one on the same metric)")
	sloFail := fs.Bool("slo-fail", false, "exit with status 4 when no strategy or plan meets every slo target (for CI)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: sharebench run [flags] [NAME|FILE]\n\nRuns a scenario (default: baseline) for each of its strategies.\nFlags may come before or after the scenario.\n\n")
		fs.PrintDefaults()
	}
	if err := parseAnywhere(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return usageError{fmt.Sprintf("run takes one scenario, got %s", strings.Join(fs.Args(), " "))}
	}
	if *seeds < 1 || *parallel < 1 {
		return usageError{"-seeds and -parallel must be ≥ 1"}
	}
	if *asJSON {
		*format = "json"
	}
	if !slices.Contains(runFormats, *format) {
		return usageError{fmt.Sprintf("-format %q: use %s", *format, strings.Join(runFormats, ", "))}
	}
	if flagSet(fs, "duration") && *duration <= 0 {
		return usageError{fmt.Sprintf("-duration %v: the measured duration must be positive, e.g. -duration 30s", *duration)}
	}
	if *kafka != "" && !*live {
		return usageError{"-kafka names a cluster for the live world: add -live, or drop -kafka"}
	}
	name := "baseline"
	if fs.NArg() == 1 {
		name = fs.Arg(0)
	}
	sc, err := workload.Resolve(name)
	if err != nil {
		return inputError{err}
	}
	if sc, err = sc.Scaled(*scale); err != nil {
		return usageError{"-scale: " + err.Error()}
	}
	if err := sc.Override(seedAndDuration(fs, seed, duration)); err != nil {
		return usageError{err.Error()}
	}
	if err := sc.WithTargets(slo); err != nil {
		return usageError{"-slo: " + err.Error()}
	}
	if *sloFail && sc.SLO == nil {
		return usageError{"-slo-fail: the scenario has no slo: targets; add an slo: section or -slo 'METRIC<=LIMIT'"}
	}
	est, err := sizeGuard(sc, defaultConcurrency(len(sc.Columns())**seeds, *parallel), *force)
	if err != nil {
		return err
	}
	// Where the output goes is checked before the simulation, not after.
	if *out != "" {
		err = checkOutputDir(*out, "-o")
	} else {
		err = checkOutputDir(filepath.Join("runs", workload.SafeName(sc.Name)), "-o")
	}
	if err != nil {
		return err
	}

	opts := workload.RunOptions{Seeds: *seeds, Parallel: *parallel, MaxEvents: eventBudget(sc, *force)}
	if !*quiet && isTerminal(stderr) {
		opts.Progress = progressBar(stderr, sc.Name, est, len(sc.Columns())**seeds, *parallel)
	}
	var f *results.File
	if *live {
		lo := workload.LiveOptions{}
		if *kafka != "" {
			lo.Kafka = strings.Split(*kafka, ",")
		}
		f, err = workload.RunLive(sc, opts, lo)
	} else {
		f, err = workload.Run(sc, opts)
	}
	if err != nil {
		return err
	}

	dir := *out
	if dir == "" {
		if dir, err = results.RunDir(".", workload.SafeName(sc.Name), time.Now()); err != nil {
			return err
		}
	}
	path := filepath.Join(dir, resultName)
	if err := results.WriteFile(path, f); err != nil {
		return err
	}
	if _, err := plot.WriteAll(dir, f); err != nil {
		return fmt.Errorf("plots: %w", err)
	}
	gate := sloGate(f, *sloFail)
	switch *format {
	case "json":
		return errors.Join(results.Encode(stdout, f), gate)
	case "bench":
		return errors.Join(results.WriteBench(stdout, f), gate)
	case "csv":
		return errors.Join(results.WriteCSV(stdout, f), gate)
	}
	if err := results.WriteTable(stdout, f); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\n%s: %s × %s in %.1fs of wall time, %.0f simulated page requests per second per core, max RSS %d MiB\nwrote %s\n",
		sc.Name, columnsText(sc), countText(len(f.Seeds), "seed", "seeds"),
		f.Wall.ElapsedS, f.Wall.PagesPerSecond, f.Wall.MaxRSSBytes>>20, path)
	return gate
}

// seedAndDuration are -seed and -duration as Scenario.Override takes them: nil
// where the flag is not given.
func seedAndDuration(fs *flag.FlagSet, seed *uint64, duration *time.Duration) (*uint64, *time.Duration) {
	if !flagSet(fs, "seed") {
		seed = nil
	}
	if !flagSet(fs, "duration") {
		duration = nil
	}
	return seed, duration
}

// runFormats are what run -format prints on stdout.
var runFormats = []string{"table", "json", "csv", "bench"}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
