package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// The tests in this file run the built binary, so that what main does
// with run's error — the exit status CI scripts rely on — is tested too:
// 0 success, 1 the run failed, 2 usage, 3 bad input.

var (
	binOnce sync.Once
	binDir  string
	binPath string
	binErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// binary builds sharebench once for every test that needs it.
func binary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		if binDir, binErr = os.MkdirTemp("", "sharebench-bin-"); binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "sharebench")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// sharebench runs the binary in dir and returns its exit status, stdout
// and stderr.
func sharebench(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	cmd.Dir = dir
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, out.String(), errOut.String()
	case errors.As(err, &ee):
		return ee.ExitCode(), out.String(), errOut.String()
	}
	t.Fatalf("sharebench %q: %v", args, err)
	return 0, "", ""
}

// binaryScenario is small: a run takes a fraction of a second, yet its
// p99 rests on the 1,000 samples compare needs to judge one.
const binaryScenario = `
name: bin
duration: 8s
warmup: 500ms
strategies: [sync]
population: {sellers: 300}
traffic: {pages: {rate: 400/s}}
services:
  topclients: {workers: 4, queue: 1000, service_time: {dist: lognormal, median: %s, p99: %s}}
`

// TestBinaryExitStatus: each documented status, from the binary itself.
func TestBinaryExitStatus(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644)
		return name
	}
	base := write("base.yaml", fmt.Sprintf(binaryScenario, "2ms", "20ms"))
	slow := write("slow.yaml", fmt.Sprintf(binaryScenario, "4ms", "40ms")) // the owner twice as slow
	bad := write("bad.yaml", "name: x\nduration: 10s\ntraffic: {pages: {mix: {gig: 0.5}}}\n")
	limits := "latency.p99=+10%,latency.p50=+10%"

	for _, tt := range []struct {
		args     []string
		want     int
		inStdout string // "" for no check
		inStderr string
	}{
		{[]string{"run", "-q", "-o", "a", base}, 0, "wrote a/result.json", ""},
		{[]string{"run", base, "-q", "-o", "a2"}, 0, "wrote a2/result.json", ""}, // flags after the scenario
		{[]string{"run", "-q", "-o", "b", slow}, 0, "", ""},
		{[]string{"compare", "-max", limits, "a", "a2"}, 0, "", ""},
		{[]string{"compare", "-max", limits, "a/result.json", "b/result.json"}, 1, "REGRESSION", "regression"},
		{[]string{"compare", "a", "b", "-max", limits}, 1, "REGRESSION", "regression"},
		{[]string{}, 2, "", "usage: sharebench"},
		{[]string{"frobnicate"}, 2, "", "unknown command"},
		{[]string{"run", "-duration", "0s", base}, 2, "", "-duration 0s"},
		{[]string{"run", "-kafka", "127.0.0.1:1", base}, 2, "", "-live"},
		{[]string{"compare", "a"}, 2, "", "two result files"},
		{[]string{"compare", "-max", "latency.p98=+1%", "a", "b"}, 2, "", "latency.p98"},
		{[]string{"run", "-q", bad}, 3, "", "bad.yaml"},
		{[]string{"validate", bad}, 3, "", "bad.yaml"},
		{[]string{"compare", "a", "missing.json"}, 3, "", "missing.json"},
		{[]string{"run", "-q", "."}, 3, "", "is a directory"},
		{[]string{"-h"}, 0, "usage: sharebench", ""},
		{[]string{"--help"}, 0, "usage: sharebench", ""},
		{[]string{"help"}, 0, "usage: sharebench", ""},
		{[]string{"help", "compare"}, 0, "usage: sharebench compare", ""},
		{[]string{"run", "-h"}, 0, "usage: sharebench run", ""},
		{[]string{"scenarios"}, 0, "baseline", ""},
	} {
		code, out, errOut := sharebench(t, dir, tt.args...)
		if code != tt.want {
			t.Errorf("sharebench %s: exit %d; want %d\nstdout: %s\nstderr: %s", strings.Join(tt.args, " "), code, tt.want, out, errOut)
			continue
		}
		if !strings.Contains(out, tt.inStdout) || !strings.Contains(errOut, tt.inStderr) {
			t.Errorf("sharebench %s: stdout %q, stderr %q; want them to contain %q and %q", strings.Join(tt.args, " "), out, errOut, tt.inStdout, tt.inStderr)
		}
	}
}
