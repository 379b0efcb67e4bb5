package workload

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// extremeSeeds are valid scenarios at the edges: heavy tails past any
// duration, rate curves reaching 0/s, tiny and huge sizes.
var extremeSeeds = []string{
	"network: {default: {latency: {dist: pareto, min: 1ms, alpha: 0.05}}}",
	"network: {default: {latency: {dist: lognormal, median: 1ms, sigma: 50}}}",
	"services: {topclients: {workers: 8, service_time: {dist: exp, mean: 2000000h}}, gig: {workers: 64, service_time: 1ms}, user: {workers: 64, service_time: 1ms}, search: {workers: 64, service_time: 1ms}}",
	"broker: {partitions: 1, delivery_latency: {dist: pareto, min: 1ns, alpha: 0.001}, publish_latency: {dist: lognormal, mu: 20, sigma: 10}}",
	"network: {default: {latency: {dist: normal, mean: 2000000h, stddev: 1000000h}}}",
	"network: {default: {latency: {dist: empirical, percentiles: {0: 0s, 50: 1ms, 100: 2562047h}}}}",
	"network: {default: {latency: {dist: uniform, min: 0s, max: 2562047h}}}",
	"traffic: {pages: {rate: {curve: ramp, from: 1000/s, to: 0/s, start: 100ms, over: 200ms}}}",
	"traffic: {pages: {rate: {curve: ramp, from: 0/s, to: 1000/s, start: 200ms, over: 200ms}, arrival: constant}}",
	"traffic: {pages: {rate: {curve: step, steps: [{at: 0s, rate: 1000/s}, {at: 100ms, rate: 0/s}]}}}",
	"traffic: {pages: {rate: {curve: spike, base: 0/s, peak: 2000/s, at: 100ms, for: 100ms}}}",
	"traffic: {pages: {rate: {curve: diurnal, mean: 1000/s, amplitude: 1, period: 200ms}, arrival: constant}}",
	"traffic: {writes: {rate: 0/s}}",
	"traffic: {pages: {rate: {curve: ramp, from: 1000/s, to: 0.000001/s, start: 1s, over: 2s}}}", // the review's hang
	"traffic: {pages: {rate: {curve: ramp, from: 1000/s, to: 0.000001/s, start: 100ms, over: 200ms}}}",
	"traffic: {pages: {rate: {curve: step, steps: [{at: 0s, rate: 1000/s}, {at: 100ms, rate: 1e-9/s}, {at: 300ms, rate: 1000/s}]}}}",
	"traffic: {pages: {rate: {curve: spike, base: 1e-9/s, peak: 2000/s, at: 100ms, for: 100ms}}}",
	"traffic: {pages: {rate: 1e-12/s}, writes: {rate: 1e-12/s}}",
	"population: {sellers: 1, with_clients: 1}",
	"options: {sync: {timeout: 1ns, retries: 100, backoff: 2562047h}}",
	"faults: [{at: 100ms, for: 100ms, kind: slowdown, target: topclients, factor: 1e300}]",
}

// fuzzLimits keep the fuzzer's runs small: a scenario bigger than this is
// refused before it runs, which is one of the two outcomes allowed.
var fuzzLimits = Limits{MaxBytes: 200 << 20, MaxCPU: time.Second, Why: "the fuzz test's limit"}

// fuzzBudget is how far a run may exceed its estimated events before the
// budget stops it, which the test reports as a mis-estimate.
const fuzzBudget = 4

// FuzzScenarioRun decodes a scenario and runs it, shortened to half a second
// of virtual time: either it fails before the run with an error (decoding,
// or the size guard), or it runs to its end within fuzzBudget × its own
// event estimate. A panic, a hang or a run over its budget is a bug.
//
//	go test ./workload -run XXX -fuzz FuzzScenarioRun -fuzztime 3m
func FuzzScenarioRun(f *testing.F) {
	for _, name := range BuiltinNames() {
		_, data, err := Builtin(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, dir := range []string{"testdata/bad", "testdata/toobig"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
		for _, path := range files {
			if data, err := os.ReadFile(path); err == nil { // some bad "files" are directories
				f.Add(data)
			}
		}
	}
	for _, s := range extremeSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, err := Parse("fuzz.yaml", data)
		if err != nil {
			return
		}
		runFuzzed(t, sc)
	})
}

// fieldSeeds are (field, value) pairs for FuzzScenarioField: the extremes
// of each section, written as sweep's -set writes them.
var fieldSeeds = [][2]string{
	{"network.default.latency", "{dist: pareto, min: 1ms, alpha: 0.05}"},
	{"network.default.latency", "{dist: lognormal, median: 1ms, sigma: 50}"},
	{"network.default.loss", "1"},
	{"services.topclients.service_time", "{dist: exp, mean: 2000000h}"},
	{"services.gig.workers", "1"},
	{"services.search.queue", "0"},
	{"broker.delivery_latency", "{dist: normal, mean: 2000000h, stddev: 1000000h}"},
	{"broker.max_wait", "1ms"},
	{"broker.partitions", "1"},
	{"traffic.pages.rate", "{curve: step, steps: [{at: 0s, rate: 1000/s}, {at: 100ms, rate: 0/s}]}"},
	{"traffic.pages.rate", "{curve: diurnal, mean: 1000/s, amplitude: 1, period: 100ms}"},
	{"traffic.pages.arrival", "constant"},
	{"traffic.pages.search_results", "1000"},
	{"traffic.pages.timeout", "1ns"},
	{"traffic.writes.rate", "5000/s"},
	{"population.clients_per_seller", "{dist: pareto, min: 1, alpha: 0.1}"},
	{"population.with_clients", "1"},
	{"population.client_bytes", "16"},
	{"options.sync.retries", "50"},
	{"options.sync.timeout", "1ns"},
	{"options.sync.retry_budget", "1e9"},
	{"options.async.reconcile_every", "1ms"},
	{"faults", "[{at: 100ms, for: 0s, kind: crash, target: topclients}]"},
	{"faults", "[{at: 0s, for: 1s, kind: slowdown, target: gig, factor: 1e300}]"},
	{"faults", "[{at: 0s, for: 1s, kind: latency, between: [gig, topclients], add: {dist: pareto, min: 1ms, alpha: 0.01}}]"},
}

// FuzzScenarioField changes one field of a built-in, as sweep's -set
// does, and runs the result like FuzzScenarioRun: the fuzzer explores
// values (most raw YAML it makes does not parse) while the scenario stays
// whole.
//
//	go test ./workload -run XXX -fuzz FuzzScenarioField -fuzztime 3m
func FuzzScenarioField(f *testing.F) {
	names := BuiltinNames()
	for i, fs := range fieldSeeds {
		f.Add(uint8(i), fs[0], fs[1])
	}
	f.Fuzz(func(t *testing.T, base uint8, field, value string) {
		name := names[int(base)%len(names)]
		_, source, err := Builtin(name)
		if err != nil {
			t.Fatal(err)
		}
		cells, err := Cells(name, source, []Param{{Path: field, Values: []string{value}}})
		if err != nil {
			return
		}
		runFuzzed(t, cells[0].Scenario)
	})
}

// runFuzzed runs a decoded scenario, shortened: refused by the size guard
// or run to the end within fuzzBudget × its event estimate.
func runFuzzed(t *testing.T, sc *Scenario) {
	t.Helper()
	shorten(sc)
	est := sc.Estimate()
	if err := est.Check(fuzzLimits, 1); err != nil {
		return
	}
	budget := uint64(fuzzBudget*est.Events) + 10_000
	var last Progress
	_, err := Run(sc, RunOptions{MaxEvents: budget, Progress: func(p Progress) { last = p }})
	switch {
	case errors.Is(err, ErrOverBudget):
		t.Fatalf("run over %d× its estimate of %.0f events: %v\n%s", fuzzBudget, est.Events, err, sc.YAML())
	case err != nil:
		t.Fatalf("Parse accepted the scenario but Run failed: %v\n%s", err, sc.YAML())
	}
	if last.RunsDone != len(sc.Columns()) || last.Done != last.Total {
		t.Fatalf("progress at the end = %+v; want all %d runs done", last, len(sc.Columns()))
	}
}

// shorten cuts a scenario to at most half a second of measured time
// after 100ms of warm-up, and 5000 sellers, so a fuzz input runs in
// moments; faults after the end simply do not happen.
// With -short (the race pass) runs are shorter still.
func shorten(sc *Scenario) {
	measured := Duration(500 * time.Millisecond)
	if testing.Short() {
		measured = Duration(150 * time.Millisecond)
	}
	sc.Warmup = min(sc.Warmup, Duration(100*time.Millisecond))
	sc.Duration = min(sc.Duration, measured)
	sc.Population.Sellers = min(sc.Population.Sellers, 5000)
	if sc.Warmup >= sc.Duration {
		sc.Warmup = sc.Duration / 2
	}
}
