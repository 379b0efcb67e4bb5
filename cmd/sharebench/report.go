package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	iofs "io/fs"
	"os"
	"path"
	"path/filepath"

	"github.com/sharebench/sharebench/results"
	"github.com/sharebench/sharebench/results/report"
)

// reportCmd writes report.md and report.html for a result file, a run's
// directory or a sweep's directory, drawing any plot the directory lacks.
func reportCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "", "write the report into this directory (default: the result file's or sweep's directory)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), `usage: sharebench report [-o DIR] RESULT.json|RUN_DIR|SWEEP_DIR

Writes report.md and report.html. For a result file (or a run directory
holding result.json): the scenario, the summary table, every plot, and a
verdict per strategy (which metrics it wins and by how much, where it
falls short). For a sweep's directory: what was swept, the sweep's plots,
a link to sweep.csv and a table of every cell. report.html is one
self-contained file. Plots missing from the directory are drawn first.

`)
		fs.PrintDefaults()
	}
	if err := parseAnywhere(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{"report takes one result file, run directory or sweep directory"}
	}
	arg := fs.Arg(0)
	st, err := os.Stat(arg)
	if err != nil {
		return inputError{fmt.Errorf("%s: %w; expected a result file, a run directory or a sweep directory", arg, unwrapPath(err))}
	}
	if st.IsDir() && isSweepDir(arg) {
		return sweepReport(arg, *out, stdout)
	}
	resultPath := resultFile(arg)
	f, err := results.ReadFile(resultPath)
	if err != nil {
		if st.IsDir() && errors.Is(err, iofs.ErrNotExist) {
			return inputError{fmt.Errorf("%s: a directory with neither %s (a run) nor %s (a sweep)", arg, resultName, sweepManifestName)}
		}
		return inputError{err}
	}
	dir := *out
	if dir == "" {
		dir = filepath.Dir(resultPath)
	}
	if err := checkOutputDir(dir, "-o"); err != nil {
		return err
	}
	if err := report.WriteReport(dir, f); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s and %s\n", filepath.Join(dir, report.MarkdownFile), filepath.Join(dir, report.HTMLFile))
	return nil
}

// isSweepDir reports whether dir is a sweep's directory: one with the
// manifest sweep writes.
func isSweepDir(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, sweepManifestName))
	return err == nil
}

func sweepReport(dir, out string, stdout io.Writer) error {
	m, rows, err := readSweep(dir)
	if err != nil {
		return inputError{err}
	}
	if out == "" {
		out = dir
	}
	if err := checkOutputDir(out, "-o"); err != nil {
		return err
	}
	s := report.Sweep{Scenario: m.Scenario}
	for _, p := range m.Params {
		s.Params = append(s.Params, p.Path)
	}
	s.Rows = rows
	if s.SLO, err = readSweepSLO(dir); err != nil {
		return inputError{err}
	}
	for _, c := range m.Cells {
		rel, err := filepath.Rel(out, filepath.Join(dir, filepath.FromSlash(path.Dir(c.Result))))
		if err != nil {
			rel = ""
		}
		s.CellDirs = append(s.CellDirs, filepath.ToSlash(rel))
	}
	if err := report.WriteSweepReport(out, s); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s and %s (a sweep of %d cells)\n", filepath.Join(out, report.MarkdownFile), filepath.Join(out, report.HTMLFile), len(rows))
	return nil
}

// unwrapPath drops the *PathError's own mention of the path, which the
// message already gives.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
