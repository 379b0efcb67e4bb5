package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/sharebench/sharebench/workload"
)

// validateCmd checks scenario files without running them.
func validateCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: sharebench validate FILE|NAME...\n\nChecks scenarios without running them.\n")
	}
	if err := parseAnywhere(fs, args); err != nil {
		return usageOrHelp(err)
	}
	if fs.NArg() == 0 {
		return usageError{"validate: name at least one scenario file"}
	}
	bad := 0
	for _, arg := range fs.Args() {
		sc, err := workload.Resolve(arg)
		if err != nil {
			fmt.Fprintln(stderr, err)
			bad++
			continue
		}
		fmt.Fprintf(stdout, "%s: ok (%s, %d strategies, %v + %v warm-up, %d faults)\n", arg, sc.Name, len(sc.Strategies), sc.Duration.D(), sc.Warmup.D(), len(sc.Faults))
	}
	if bad > 0 {
		return inputError{fmt.Errorf("%d of %d scenarios are invalid", bad, fs.NArg())}
	}
	return nil
}
