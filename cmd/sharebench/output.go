package main

import (
	"flag"
	"fmt"
	"os"
)

// checkOutputDir makes dir (and its parents) and proves a file can be
// written there, so that a location that cannot take the output fails in
// a moment rather than after the whole simulation. flagName names the
// flag that chose dir, for the fix; "" when dir is the default.
func checkOutputDir(dir, flagName string) error {
	fix := "check its permissions"
	if flagName != "" {
		fix = "choose another with " + flagName
	}
	fail := func(err error) error {
		return usageError{fmt.Sprintf("cannot write output into %s: %v; %s", dir, err, fix)}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fail(err)
	}
	probe, err := os.CreateTemp(dir, ".sharebench-probe-*")
	if err != nil {
		return fail(err)
	}
	_, werr := probe.Write([]byte("probe\n"))
	cerr := probe.Close()
	rerr := os.Remove(probe.Name())
	for _, err := range []error{werr, cerr, rerr} {
		if err != nil {
			return fail(err)
		}
	}
	return nil
}

// flagSet reports whether the flag name was given on the command line,
// to tell "-duration 0s" from no -duration at all.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
