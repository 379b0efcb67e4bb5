package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"github.com/sharebench/sharebench/results"
	"github.com/sharebench/sharebench/results/plot"
	"github.com/sharebench/sharebench/workload"
)

// setFlags collects repeated -set flags; a field set twice is a mistake
// (which one was meant?), not the last one winning.
type setFlags []workload.Param

func (s *setFlags) String() string { return fmt.Sprint(*s) }
func (s *setFlags) Set(v string) error {
	p, err := workload.ParseSet(v)
	if err != nil {
		return err
	}
	for _, q := range *s {
		if q.Path == p.Path {
			return fmt.Errorf("%s is set twice (%s and %s): give all its values in one -set %s=V1,V2,…", p.Path, strings.Join(q.Values, ","), strings.Join(p.Values, ","), p.Path)
		}
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
	seed := fs.Uint64("seed", 0, "override the scenario's seed in every cell")
	duration := fs.Duration("duration", 0, "override the scenario's measured duration in every cell (> 0)")
	force := fs.Bool("force", false, "run even if a cell's size estimate says it will not fit this machine")
	var slo sloFlags
	fs.Var(&slo, "slo", "a target for the decision map, e.g. 'owner.rps<=3000' (repeatable; adds to the scenario's slo: targets; the cells' runs do not change)")
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
	if err := parseAnywhere(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{fmt.Sprintf("sweep takes one scenario, got %d arguments: %s", fs.NArg(), strings.Join(fs.Args(), " "))}
	}
	if len(sets) == 0 {
		return usageError{"sweep needs at least one -set FIELD=V1,V2,…"}
	}
	if *seeds < 1 || *parallel < 1 {
		return usageError{"-seeds and -parallel must be ≥ 1"}
	}
	if flagSet(fs, "duration") && *duration <= 0 {
		return usageError{fmt.Sprintf("-duration %v: the measured duration must be positive, e.g. -duration 30s", *duration)}
	}
	name, source, err := workload.Source(fs.Arg(0))
	if err != nil {
		return inputError{err}
	}
	cells, err := workload.Cells(name, source, sets)
	if err != nil {
		return inputError{err}
	}
	if err := checkSLOFlags(cells[0].Scenario, slo); err != nil {
		return err
	}
	// -seed and -duration apply to every cell, as run's do to its
	// scenario; they are part of each cell's scenario, so a cell run
	// without them is not taken as done.
	var overrides []workload.Param
	for _, c := range cells {
		if err := c.Scenario.Override(seedAndDuration(fs, seed, duration)); err != nil {
			if len(sets) > 0 {
				return usageError{fmt.Sprintf("cell %s: %v", c.Key(sets), err)}
			}
			return usageError{err.Error()}
		}
	}
	if flagSet(fs, "seed") {
		overrides = append(overrides, workload.Param{Path: "seed", Values: []string{fmt.Sprint(*seed)}})
	}
	if flagSet(fs, "duration") {
		overrides = append(overrides, workload.Param{Path: "duration", Values: []string{duration.String()}})
	}
	for _, c := range cells { // cells run one at a time each, parallel of them at once
		if _, err := sizeGuard(c.Scenario, defaultConcurrency(len(cells), *parallel), *force); err != nil {
			return fmt.Errorf("cell %s: %w", c.Key(sets), err)
		}
	}
	dir := *out
	if dir == "" {
		dir = workload.SweepDir(".", cells[0].Scenario.Name, append(slices.Clone(sets), overrides...))
	}
	// Where the output goes is checked before any cell runs.
	if err := checkOutputDir(dir, "-o"); err != nil {
		return err
	}
	done, resumed := 0, 0
	opts := workload.SweepOptions{Dir: dir, Seeds: *seeds, Parallel: *parallel, MaxEvents: func(sc *workload.Scenario) uint64 { return eventBudget(sc, *force) }, Done: func(c workload.Cell, skipped bool) {
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
	if err := writeSweepManifest(dir, cells[0].Scenario.Name, sets, cells); err != nil {
		return err
	}
	axes, axisRows := sweepAxes(sets, rows)
	plots, err := plot.WriteSweep(dir, axes, axisRows)
	if err != nil {
		return fmt.Errorf("plots: %w", err)
	}
	fmt.Fprintf(stdout, "%d cells over %s: %d run, %d already done\nwrote %s and %d plots in %s (sharebench report %[7]s writes a report)\n",
		len(cells), strings.Join(paths, " × "), len(cells)-resumed, resumed, csvPath, len(plots), dir)
	return writeDecision(stdout, dir, axes, axisRows, slo)
}

// sweepAxes returns the parameters that vary, which are the plots' axes,
// and the rows with only their values: a parameter set to a single value
// is part of the scenario.
func sweepAxes(sets []workload.Param, rows []results.SweepRow) ([]string, []results.SweepRow) {
	var axes []string
	for _, p := range sets {
		if len(p.Values) > 1 {
			axes = append(axes, p.Path)
		}
	}
	var axisRows []results.SweepRow
	for _, r := range rows {
		ar := results.SweepRow{File: r.File}
		for i, p := range sets {
			if len(p.Values) > 1 {
				ar.Values = append(ar.Values, r.Values[i])
			}
		}
		axisRows = append(axisRows, ar)
	}
	return axes, axisRows
}

// sweepManifestName is the file in a sweep's directory that lists its
// parameters and cells, so that report can find them again.
const sweepManifestName = "sweep.json"

// sweepManifest is the content of sweep.json.
type sweepManifest struct {
	Scenario string           `json:"scenario"`
	Params   []workload.Param `json:"params"`
	Cells    []manifestCell   `json:"cells"`
}

type manifestCell struct {
	Values []string `json:"values"`
	Result string   `json:"result"` // relative to the sweep's directory
}

func writeSweepManifest(dir, scenario string, sets []workload.Param, cells []workload.Cell) error {
	m := sweepManifest{Scenario: scenario, Params: sets}
	for _, c := range cells {
		rel, err := filepath.Rel(dir, workload.CellPath(dir, sets, c))
		if err != nil {
			return err
		}
		m.Cells = append(m.Cells, manifestCell{Values: c.Values, Result: filepath.ToSlash(rel)})
	}
	return results.WriteFileAtomic(filepath.Join(dir, sweepManifestName), func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(m)
	})
}

// readSweep reads a sweep's directory back: its manifest and every cell's
// result, in grid order.
func readSweep(dir string) (sweepManifest, []results.SweepRow, error) {
	var m sweepManifest
	data, err := os.ReadFile(filepath.Join(dir, sweepManifestName))
	if err != nil {
		return m, nil, err
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return m, nil, fmt.Errorf("%s: %v", filepath.Join(dir, sweepManifestName), err)
	}
	var rows []results.SweepRow
	for _, c := range m.Cells {
		if len(c.Values) != len(m.Params) {
			return m, nil, fmt.Errorf("%s: cell %s has %d values for %d parameters", filepath.Join(dir, sweepManifestName), c.Result, len(c.Values), len(m.Params))
		}
		f, err := results.ReadFile(filepath.Join(dir, filepath.FromSlash(c.Result)))
		if err != nil {
			return m, nil, fmt.Errorf("%w (run the sweep again: it does only the missing cells)", err)
		}
		rows = append(rows, results.SweepRow{Values: c.Values, File: f})
	}
	return m, rows, nil
}
