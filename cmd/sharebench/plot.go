package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/sharebench/sharebench/results"
	"github.com/sharebench/sharebench/results/plot"
)

// plotCmd draws a result file's plots, PNG, SVG and PDF, into a directory: by
// default the result file's own.
func plotCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("plot", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "", "write the plots into this directory (default: the result file's directory)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), `usage: sharebench plot [-o DIR] RESULT.json

Draws the plots of a result file (or of DIR/result.json, given a run's
directory) as PNG, SVG and PDF: latency percentile spectra, time series with the
faults shaded, the latency–staleness trade-off map, the consistency curve
and the cost bars. run writes the same plots beside each result.

`)
		fs.PrintDefaults()
	}
	if err := parseAnywhere(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{"plot takes one result file: RESULT.json"}
	}
	path := resultFile(fs.Arg(0))
	f, err := results.ReadFile(path)
	if err != nil {
		return inputError{err}
	}
	dir := *out
	if dir == "" {
		dir = filepath.Dir(path)
	}
	if err := checkOutputDir(dir, "-o"); err != nil {
		return err
	}
	names, err := plot.WriteAll(dir, f)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %d plots (%d files) into %s\n", len(names)/len(plot.Formats), len(names), dir)
	return nil
}

// resultName is the result file's name in a run's directory.
const resultName = "result.json"

// resultFile returns the result file arg names: arg itself, or
// arg/result.json when arg is a run's directory.
func resultFile(arg string) string {
	if st, err := os.Stat(arg); err == nil && st.IsDir() {
		return filepath.Join(arg, resultName)
	}
	return arg
}
