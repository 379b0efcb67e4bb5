package main

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/sharebench/sharebench/results"
	"github.com/sharebench/sharebench/results/plot"
	"github.com/sharebench/sharebench/workload"
)

// setFlags collects repeated -set flags.
type setFlags []workload.Param

func (s *setFlags) String() string { return fmt.Sprint(*s) }
func (s *setFlags) Set(v string) error {
	p, err := workload.ParseSet(v)
	if err != nil {
		return err
	}
	*s = append(*s, p)
	return nil
}

// sweepCmd runs a scenario over a grid of values of any of its fields.
func sweepCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sweep", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var sets setFlags
	fs.Var(&sets, "set", "a field and its values, e.g. population.with_clients=0,0.05,0.2 (repeat for a grid)")
	out := fs.String("o", "", "the sweep's directory (default runs/<scenario>/sweep-<hash of the -set flags>); cells already there are not run again")
	seeds := fs.Int("seeds", 1, "seeds per cell")
	parallel := fs.Int("parallel", runtime.NumCPU(), "cells at once")
	quiet := fs.Bool("q", false, "no progress lines")
	force := fs.Bool("force", false, "run even if a cell's size estimate says it will not fit this machine")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), `usage: sharebench sweep -set FIELD=V1,V2,… [-set …] [flags] NAME|FILE

Runs the scenario once per combination of the values given, every field
addressed by its dotted path (population.with_clients, traffic.pages.rate,
services.topclients.workers, options.sync.timeout, …). Every cell is
checked before anything runs; each cell's result is written as it finishes,
so a sweep interrupted and run again does only the cells still missing.
Writes DIR/sweep.csv, a row per cell and strategy, and plots: over one
parameter, each metric against it with a line per strategy; over two, a
heatmap per strategy.

`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return usageOrHelp(err)
	}
	if fs.NArg() != 1 {
		return usageError{"sweep takes one scenario"}
	}
	if len(sets) == 0 {
		return usageError{"sweep needs at least one -set FIELD=V1,V2,…"}
	}
	if *seeds < 1 || *parallel < 1 {
		return usageError{"-seeds and -parallel must be ≥ 1"}
	}
	name, source, err := workload.Source(fs.Arg(0))
	if err != nil {
		return inputError{err}
	}
	cells, err := workload.Cells(name, source, sets)
	if err != nil {
		return inputError{err}
	}
	for _, c := range cells { // cells run one at a time each, parallel of them at once
		if _, err := sizeGuard(c.Scenario, defaultConcurrency(len(cells), *parallel), *force); err != nil {
			return fmt.Errorf("cell %s: %w", c.Key(sets), err)
		}
	}
	dir := *out
	if dir == "" {
		dir = workload.SweepDir(".", cells[0].Scenario.Name, sets)
	}
	done, resumed := 0, 0
	opts := workload.SweepOptions{Dir: dir, Seeds: *seeds, Parallel: *parallel, Done: func(c workload.Cell, skipped bool) {
		done++
		if skipped {
			resumed++
		}
		if !*quiet {
			how := "ran"
			if skipped {
				how = "already done"
			}
			fmt.Fprintf(stderr, "[%d/%d] %s: %s\n", done, len(cells), c.Key(sets), how)
		}
	}}
	files, err := workload.Sweep(sets, cells, opts)
	if err != nil {
		return err
	}
	rows := make([]results.SweepRow, len(cells))
	for i, c := range cells {
		rows[i] = results.SweepRow{Values: c.Values, File: files[i]}
	}
	var paths []string
	for _, p := range sets {
		paths = append(paths, p.Path)
	}
	csvPath := filepath.Join(dir, "sweep.csv")
	if err := results.WriteFileAtomic(csvPath, func(w io.Writer) error { return results.WriteSweepCSV(w, paths, rows) }); err != nil {
		return err
	}
	// The plots' axes are the parameters that vary; one set to a single
	// value is part of the scenario.
	var axes []string
	var axisRows []results.SweepRow
	for _, p := range sets {
		if len(p.Values) > 1 {
			axes = append(axes, p.Path)
		}
	}
	for _, r := range rows {
		ar := results.SweepRow{File: r.File}
		for i, p := range sets {
			if len(p.Values) > 1 {
				ar.Values = append(ar.Values, r.Values[i])
			}
		}
		axisRows = append(axisRows, ar)
	}
	plots, err := plot.WriteSweep(dir, axes, axisRows)
	if err != nil {
		return fmt.Errorf("plots: %w", err)
	}
	fmt.Fprintf(stdout, "%d cells over %s: %d run, %d already done\nwrote %s and %d plots in %s\n",
		len(cells), strings.Join(paths, " × "), len(cells)-resumed, resumed, csvPath, len(plots), dir)
	return nil
}
