package main

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sharebench/sharebench/results"
	"github.com/sharebench/sharebench/workload"
)

// gateScenario is baseline made small: fewer sellers, less traffic, a
// short window, and the owner's service time scaled by %[1]g.
const gateScenario = `
name: gate
seed: 42
duration: %[2]s
warmup: 2s
strategies: [sync, async, hybrid]
population:
  sellers: 5000
  with_clients: 0.2
  clients_per_seller: {dist: uniform, min: 1, max: 10}
  client_bytes: 200
traffic:
  pages:
    rate: 1000/s
    arrival: poisson
    popularity: {zipf: 1.1}
    mix: {gig: 0.5, user: 0.3, search: 0.15, self: 0.05}
    search_results: 20
  writes: {rate: 20/s, mix: {add: 0.6, remove: 0.3, reorder: 0.1}}
services:
  topclients: {workers: 8, queue: 1000, service_time: {dist: lognormal, median: %[3]gms, p99: %[4]gms}}
  gig:        {workers: 64, service_time: {dist: exp, mean: 1ms}}
  user:       {workers: 64, service_time: {dist: exp, mean: 1ms}}
  search:     {workers: 64, service_time: {dist: exp, mean: 3ms}}
options:
  sync:   {timeout: 50ms, retries: 1, parallel: true}
  hybrid: {timeout: 50ms}
`

// gateFile runs the gate scenario with the owner scale× slower and writes
// its result file; it returns the path.
func gateFile(t *testing.T, scale float64, duration string, seeds int) string {
	t.Helper()
	sc, err := workload.Parse("gate.yaml", []byte(fmt.Sprintf(gateScenario, scale, duration, 2*scale, 20*scale)))
	if err != nil {
		t.Fatal(err)
	}
	f, err := workload.Run(sc, workload.RunOptions{Seeds: seeds, Parallel: 2})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "result.json")
	if err := results.WriteFile(path, f); err != nil {
		t.Fatal(err)
	}
	return path
}

// exitOf is main's mapping of a command's error to its exit status.
func exitOf(err error) int {
	var ue usageError
	var ie inputError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ue):
		return exitUsage
	case errors.As(err, &ie):
		return exitInput
	}
	return exitFailure
}

func compareExit(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(append([]string{"compare"}, args...), &out, &errOut)
	return exitOf(err), out.String(), errOut.String()
}

const gateLimits = "latency.p99=+10%,availability=-0.5pp"

// TestCompareGateOneSeed: with one seed a side the within-run intervals
// judge: the same seed passes, an owner 1.5× slower fails.
func TestCompareGateOneSeed(t *testing.T) {
	base := gateFile(t, 1, "15s", 1)
	if code, out, errOut := compareExit(t, "-max", gateLimits, base, gateFile(t, 1, "15s", 1)); code != 0 {
		t.Errorf("compare of the same seed: exit %d; want 0\n%s%s", code, out, errOut)
	}
	code, out, errOut := compareExit(t, "-max", gateLimits, base, gateFile(t, 1.5, "15s", 1))
	if code != 1 || !strings.Contains(out, "REGRESSION (limit latency.p99=+10%)") {
		t.Errorf("compare of an owner 1.5× slower, 1 seed a side: exit %d; want 1 with a latency.p99 regression\n%s%s", code, out, errOut)
	}
	t.Logf("1.5× slower owner, one seed a side:\n%s", out)
}

// TestCompareGateSeeds: with three seeds a side (where Mann–Whitney could
// not go below p = 0.1) an owner 1.5× slower fails; with ten a side an
// owner 1 % slower passes.
func TestCompareGateSeeds(t *testing.T) {
	if testing.Short() {
		t.Skip("26 short runs")
	}
	base := gateFile(t, 1, "10s", 3)
	code, out, errOut := compareExit(t, "-max", gateLimits, base, gateFile(t, 1.5, "10s", 3))
	if code != 1 || !strings.Contains(out, "REGRESSION (limit latency.p99=+10%)") {
		t.Errorf("compare of an owner 1.5× slower, 3 seeds a side: exit %d; want 1 with a latency.p99 regression\n%s%s", code, out, errOut)
	}
	// The U test would be blind here, and says so.
	_, _, errOut = compareExit(t, "-test", "mann-whitney", "-max", gateLimits, base, gateFile(t, 1, "10s", 3))
	if !strings.Contains(errOut, "cannot reach p < 0.05") || !strings.Contains(errOut, "0.1") {
		t.Errorf("compare -test mann-whitney, 3 seeds a side: stderr %q; want a warning that it cannot reach 0.05 (its smallest p is 0.1)", errOut)
	}
	ten := gateFile(t, 1, "10s", 10)
	if code, out, errOut := compareExit(t, "-max", gateLimits, ten, gateFile(t, 1.01, "10s", 10)); code != 0 {
		t.Errorf("compare of an owner 1%% slower, 10 seeds a side: exit %d; want 0\n%s%s", code, out, errOut)
	}
}

// TestCompareBadInputs: a new result lacking a strategy of the base, or
// with no strategies, is bad input (exit 3) unless -allow-missing.
func TestCompareBadInputs(t *testing.T) {
	base := gateFile(t, 1, "5s", 1)
	f, err := results.ReadFile(base)
	if err != nil {
		t.Fatal(err)
	}
	write := func(f *results.File) string {
		path := filepath.Join(t.TempDir(), "result.json")
		if err := results.WriteFile(path, f); err != nil {
			t.Fatal(err)
		}
		return path
	}
	noHybrid := *f
	noHybrid.Strategies = map[string]*results.Metrics{"sync": f.Strategies["sync"], "async": f.Strategies["async"]}
	noHybrid.Order = []string{"sync", "async"}
	lacking := write(&noHybrid)
	empty := noHybrid
	empty.Strategies, empty.Order = map[string]*results.Metrics{}, nil
	none := write(&empty)
	noMetric := *f
	sync := *f.Strategies["sync"]
	sync.Stats = map[string]results.Stat{}
	for k, v := range f.Strategies["sync"].Stats {
		if k != "read_staleness.mean" {
			sync.Stats[k] = v
		}
	}
	noMetric.Strategies = map[string]*results.Metrics{"sync": &sync, "async": f.Strategies["async"], "hybrid": f.Strategies["hybrid"]}
	lackingMetric := write(&noMetric)
	otherBuild := *f
	otherBuild.Version.Revision = "0123abcd"
	other := write(&otherBuild)

	tests := []struct {
		name     string
		args     []string
		code     int
		inStderr string // and in the error
	}{
		{"missing strategy", []string{base, lacking}, 3, "strategy hybrid"},
		{"missing strategy allowed", []string{"-allow-missing", base, lacking}, 0, "lacks strategy hybrid"},
		{"missing metric", []string{base, lackingMetric}, 3, "metric read_staleness.mean of sync"},
		{"empty strategies, new", []string{base, none}, 3, "no strategies"},
		{"empty strategies, base", []string{none, base}, 3, "no strategies"},
		{"other build", []string{base, other}, 0, "different builds"},
		{"bad alpha", []string{"-alpha", "5", base, base}, 2, ""},
	}
	for _, tt := range tests {
		var out, errOut bytes.Buffer
		err := run(append([]string{"compare"}, tt.args...), &out, &errOut)
		if code := exitOf(err); code != tt.code {
			t.Errorf("%s: compare %v: exit %d (%v); want %d", tt.name, tt.args, code, err, tt.code)
		}
		msg := errOut.String()
		if err != nil {
			msg += err.Error()
		}
		if !strings.Contains(msg, tt.inStderr) {
			t.Errorf("%s: compare %v: messages %q; want them to mention %q", tt.name, tt.args, msg, tt.inStderr)
		}
	}
}
