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
	{"plot", "draw a result file's plots (PNG, SVG and PDF)", plotCmd},
	{"report", "write report.md and a self-contained report.html for a result, run or sweep", reportCmd},
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
	// exitSLO (slo.go) = 4: run -slo-fail, no column meets every target
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
	os.Exit(exitStatus(run(os.Args[1:], os.Stdout, os.Stderr), os.Stderr))
}

// exitStatus reports err on stderr and returns the documented exit status:
// 0 success (help included), 1 the run failed, 2 usage, 3 bad input.
func exitStatus(err error, stderr io.Writer) int {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return 0
	}
	fmt.Fprintln(stderr, "sharebench:", err)
	var ue usageError
	var ie inputError
	var se sloMissError
	switch {
	case errors.As(err, &se):
		return exitSLO
	case errors.As(err, &ue):
		return exitUsage
	case errors.As(err, &ie):
		return exitInput
	}
	return exitFailure
}

// isHelp reports whether arg asks for help, as people type it.
func isHelp(arg string) bool {
	return arg == "-h" || arg == "--h" || arg == "-help" || arg == "--help"
}

func run(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		usage(stderr)
		return usageError{"name a command"}
	}
	if isHelp(args[0]) || args[0] == "help" {
		if args[0] == "help" && len(args) > 1 {
			i := slices.IndexFunc(commands, func(c command) bool { return c.name == args[1] })
			if i < 0 {
				usage(stderr)
				return usageError{fmt.Sprintf("help %s: unknown command", args[1])}
			}
			// The command prints its own help, here on stdout: asked for,
			// not a mistake.
			if err := commands[i].run([]string{"-h"}, stdout, stdout); !errors.Is(err, flag.ErrHelp) {
				return err
			}
			return nil
		}
		usage(stdout)
		return nil
	}
	i := slices.IndexFunc(commands, func(c command) bool { return c.name == args[0] })
	if i < 0 {
		usage(stderr)
		return usageError{fmt.Sprintf("unknown command %q", args[0])}
	}
	rest := args[1:]
	flags := rest
	if end := slices.Index(rest, "--"); end >= 0 {
		flags = rest[:end]
	}
	if slices.ContainsFunc(flags, isHelp) {
		// Help asked for goes to stdout, as with help CMD.
		stderr = stdout
	}
	return commands[i].run(rest, stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: sharebench <command> [flags] [arguments]\n\ncommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun sharebench help <command> (or <command> -h) for a command's flags.\nFlags may come before or after the arguments; -- ends the flags.\nExit status: 0 success, 1 the run failed, 2 usage, 3 bad input, 4 run -slo-fail: no strategy meets the targets.")
}

// parseFlags parses args into fs for a command that takes no arguments.
func parseFlags(fs *flag.FlagSet, args []string) error {
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: sharebench %s [flags]\n", fs.Name())
		fs.PrintDefaults()
	}
	if err := parseAnywhere(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("%s takes no arguments, got %s", fs.Name(), strings.Join(fs.Args(), " "))}
	}
	return nil
}

// parseAnywhere parses args into fs with flags allowed anywhere among the
// arguments, as people type them (run baseline -seeds 3); Go's flag
// package alone stops at the first argument. "--" ends the flags: what
// follows is arguments, even if it starts with "-". Afterwards fs.Args()
// holds the arguments in order. Errors are usage errors, or flag.ErrHelp.
func parseAnywhere(fs *flag.FlagSet, args []string) error {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return usageOrHelp(err)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if endedByDashes(fs, args[:len(args)-len(rest)]) {
			positional = append(positional, rest...)
			break
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
	// Parse again with only the arguments, behind "--", so that fs.Args()
	// returns them; the flags keep the values already set.
	if err := fs.Parse(append([]string{"--"}, positional...)); err != nil {
		return usageOrHelp(err)
	}
	return nil
}

// endedByDashes reports whether flag parsing of consumed stopped at a "--"
// that ends the flags, rather than one that is a flag's value (-o --).
func endedByDashes(fs *flag.FlagSet, consumed []string) bool {
	n := len(consumed)
	if n == 0 || consumed[n-1] != "--" {
		return false
	}
	if n == 1 {
		return true
	}
	prev := strings.TrimLeft(consumed[n-2], "-")
	if !strings.HasPrefix(consumed[n-2], "-") || strings.Contains(prev, "=") {
		return true
	}
	f := fs.Lookup(prev)
	if f == nil {
		return true
	}
	if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
		return true
	}
	return false // "--" was the value of the flag before it
}
