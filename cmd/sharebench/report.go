package main

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/sharebench/sharebench/results"
	"github.com/sharebench/sharebench/results/report"
)

// reportCmd writes report.md and report.html into a run's directory from
// its result.json, drawing any plot the directory lacks.
func reportCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), `usage: sharebench report DIR

Writes DIR/report.md and DIR/report.html from DIR/result.json: the scenario,
the summary table, every plot, and a verdict per strategy (which metrics it
wins and by how much, where it falls short). report.html is one
self-contained file. Plots missing from DIR are drawn first.

`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return usageOrHelp(err)
	}
	if fs.NArg() != 1 {
		return usageError{"report takes one run directory: DIR"}
	}
	dir := fs.Arg(0)
	f, err := results.ReadFile(filepath.Join(dir, resultName))
	if err != nil {
		return inputError{err}
	}
	if err := report.WriteReport(dir, f); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s and %s\n", filepath.Join(dir, report.MarkdownFile), filepath.Join(dir, report.HTMLFile))
	return nil
}
