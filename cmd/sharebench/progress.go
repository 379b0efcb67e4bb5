package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/sharebench/sharebench/workload"
)

// isTerminal reports whether w is a terminal, for progress bars.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// progressBar draws the progress within the runs on w: virtual time
// simulated out of the total over all runs, pages per second of wall time
// and an ETA. Until the runs have shown their own pace the ETA comes from
// the size estimate (its CPU time per run, the runs spread over the cores
// used).
func progressBar(w io.Writer, name string, est workload.Estimate, runs, parallel int) func(workload.Progress) {
	cores := max(1, min(parallel, runs, runtime.NumCPU()))
	estWall := time.Duration(float64(est.CPU) * float64(runs) / float64(cores))
	started := time.Now()
	bar := progressbar.NewOptions64(1,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetWidth(30),
		progressbar.OptionSetPredictTime(false), // ours starts from the estimate
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetDescription(fmt.Sprintf("%s: starting, ETA %v (estimated)", name, estWall.Round(time.Second))),
	)
	_ = bar.RenderBlank()
	return func(p workload.Progress) {
		if bar.GetMax64() != p.Total.Milliseconds() {
			bar.ChangeMax64(max(p.Total.Milliseconds(), 1))
		}
		elapsed := time.Since(started)
		eta, how := estWall-elapsed, "estimated"
		if p.Done > 0 && elapsed > 2*time.Second {
			eta, how = time.Duration(float64(elapsed)*float64(p.Total-p.Done)/float64(p.Done)), "at this pace"
		}
		bar.Describe(fmt.Sprintf("%s: %d/%d runs, %v/%v virtual, %.0f pages/s, ETA %v (%s)",
			name, p.RunsDone, p.Runs, p.Done.Round(time.Second), p.Total.Round(time.Second),
			float64(p.Pages)/max(elapsed.Seconds(), 1e-3), max(eta, 0).Round(time.Second), how))
		_ = bar.Set64(p.Done.Milliseconds())
		if p.RunsDone == p.Runs {
			_ = bar.Finish()
		}
	}
}
