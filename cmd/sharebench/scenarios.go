package main

import (
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/sharebench/sharebench/workload"
)

// scenariosCmd lists the built-in scenarios with what each demonstrates,
// or prints one's YAML.
func scenariosCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("scenarios", flag.ContinueOnError)
	fs.SetOutput(stderr)
	show := fs.String("show", "", "print this built-in scenario's YAML, to copy and edit")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *show != "" {
		_, data, err := workload.Builtin(*show)
		if err != nil {
			return inputError{err}
		}
		_, err = stdout.Write(data)
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	for _, name := range workload.BuiltinNames() {
		sc, _, err := workload.Builtin(name)
		if err != nil {
			return err // a broken built-in is a bug
		}
		fmt.Fprintf(tw, "%s\t%s\n", name, sc.Description)
	}
	return tw.Flush()
}
