package main

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/sharebench/sharebench/results"
	"github.com/sharebench/sharebench/workload"
)

// calibrateCmd runs a scenario virtually and live and says, strategy by
// strategy, whether the simulator's predictions hold.
func calibrateCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("calibrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	scale := fs.Float64("scale", 1, "compress the scenario's time by this factor (0 < F ≤ 1): durations, fault times and rates")
	kafka := fs.String("kafka", "", "Kafka-protocol seed brokers host:port,… (default: an embedded kfake cluster)")
	out := fs.String("o", "", "write the two result files into this directory (default runs/<scenario>/calibrate-<timestamp>/)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), `usage: sharebench calibrate [flags] NAME|FILE

Runs the scenario in the virtual world and in the live one (goroutines,
HTTP on loopback, the Kafka protocol, faults through TCP proxies) and
prints, per strategy, live/virtual ratios for p50 and p99 latency, stale
fraction, p50 and p99 staleness and owner load, each with the samples it
rests on and a verdict: inside or outside tolerance (latency and staleness
p50 ±20%%, p99 ±30%%, stale fraction ±25%%, owner load ±10%%), or "too few
samples" when either world measured fewer than the figure needs (30 for a
rate or fraction, whose samples are its events; ⌈10/(1−q)⌉ for a
percentile q). Exit status 1 if any figure is outside or could not be
judged. The built-in scenario calibration is made for it.

`)
		fs.PrintDefaults()
	}
	if err := parseAnywhere(fs, args); err != nil {
		return usageOrHelp(err)
	}
	if fs.NArg() != 1 {
		return usageError{"calibrate takes one scenario"}
	}
	sc, err := workload.Resolve(fs.Arg(0))
	if err != nil {
		return inputError{err}
	}
	if sc, err = sc.Scaled(*scale); err != nil {
		return usageError{"-scale: " + err.Error()}
	}
	lo := workload.LiveOptions{}
	if *kafka != "" {
		lo.Kafka = strings.Split(*kafka, ",")
	}
	dir := *out
	if dir == "" {
		dir = filepath.Join("runs", workload.SafeName(sc.Name), "calibrate-"+time.Now().UTC().Format("20060102T150405Z"))
	}
	if err := checkOutputDir(dir, "-o"); err != nil { // before the runs, not after
		return err
	}
	fmt.Fprintf(stderr, "calibrating %s: %d strategies, %v of live time each\n", sc.Name, len(sc.Columns()), sc.End())
	probe := workload.StartTimerProbe()
	cs, virtual, live, err := workload.Calibrate(sc, workload.RunOptions{Parallel: 1}, lo)
	late := probe()
	if err != nil {
		return err
	}
	for name, f := range map[string]*results.File{"virtual.json": virtual, "live.json": live} {
		if err := results.WriteFile(filepath.Join(dir, name), f); err != nil {
			return err
		}
	}
	if err := workload.WriteCalibration(stdout, cs); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s and %s\n", filepath.Join(dir, "virtual.json"), filepath.Join(dir, "live.json"))
	// Whether the machine honoured the live world's delays: a figure outside
	// on an overloaded machine says more about the machine than the model.
	note := "the machine kept up"
	if late > workload.Overloaded {
		note = fmt.Sprintf("over %v: the machine was overloaded and the live figures say more about it than about the simulator; run again on a quieter machine", workload.Overloaded)
	}
	fmt.Fprintf(stdout, "2ms timers woke late by %v at p99 during the runs: %s\n", late.Round(10*time.Microsecond), note)
	outside, tooFew := 0, 0
	for _, c := range cs {
		switch c.Verdict {
		case workload.Outside:
			outside++
		case workload.TooFew:
			tooFew++
		}
	}
	switch {
	case outside > 0:
		return fmt.Errorf("%d figure%s outside tolerance", outside, plural(outside, "", "s"))
	case tooFew > 0:
		return fmt.Errorf("%d figure%s not judged: too few samples (give the scenario more traffic, writes or time)", tooFew, plural(tooFew, "", "s"))
	}
	return nil
}
