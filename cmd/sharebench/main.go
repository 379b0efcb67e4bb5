// Command sharebench measures how microservices should share data another
// service owns: it runs the sync, async and hybrid strategies side by side
// on the same workload and faults and reports what each costs.
//
// Each subcommand lives in its own file with its own flag.FlagSet and
// returns an error; only main exits. This package may import everything;
// nothing imports it.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// command is one subcommand.
type command struct {
	name, summary string
	run           func(args []string, stdout, stderr io.Writer) error
}

var commands = []command{
	{"run", "run a scenario's strategies and report what each costs", runCmd},
	{"scenarios", "list the built-in scenarios", scenariosCmd},
	{"validate", "check scenario files without running them", validateCmd},
	{"plot", "draw a result file's plots (PNG and SVG)", plotCmd},
	{"report", "write report.md and a self-contained report.html for a run directory", reportCmd},
	{"sweep", "run a scenario over a grid of values of its fields", sweepCmd},
	{"compare", "compare two result files and fail on a regression", compareCmd},
	{"calibrate", "run a scenario virtually and live and check the simulator's predictions", calibrateCmd},
	{"mm1", "run an M/M/1 queue in the virtual world and compare it with theory", mm1Cmd},
}

// Exit statuses.
const (
	exitFailure = 1 // the run failed
	exitUsage   = 2 // a mistake on the command line
	exitInput   = 3 // bad input: a scenario or result file
)

// usageError is a mistake on the command line.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// inputError is bad input: a scenario or result file that cannot be used.
type inputError struct{ err error }

func (e inputError) Error() string { return e.err.Error() }
func (e inputError) Unwrap() error { return e.err }

func usageOrHelp(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return err
	}
	return usageError{err.Error()}
}

func main() {
	err := run(os.Args[1:], os.Stdout, os.Stderr)
	switch {
	case err == nil:
	case errors.Is(err, flag.ErrHelp):
	default:
		fmt.Fprintln(os.Stderr, "sharebench:", err)
		var ue usageError
		var ie inputError
		switch {
		case errors.As(err, &ue):
			os.Exit(exitUsage)
		case errors.As(err, &ie):
			os.Exit(exitInput)
		}
		os.Exit(exitFailure)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "-help" || args[0] == "help" {
		usage(stdout)
		return nil
	}
	i := slices.IndexFunc(commands, func(c command) bool { return c.name == args[0] })
	if i < 0 {
		usage(stderr)
		return usageError{fmt.Sprintf("unknown command %q", args[0])}
	}
	return commands[i].run(args[1:], stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: sharebench <command> [flags]\n\ncommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun sharebench <command> -h for a command's flags.")
}

// parseFlags parses args into fs, turning flag errors into usage errors.
func parseFlags(fs *flag.FlagSet, args []string) error {
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: sharebench %s [flags]\n", fs.Name())
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return usageOrHelp(err)
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("%s takes no arguments, got %s", fs.Name(), strings.Join(fs.Args(), " "))}
	}
	return nil
}
