package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/sharebench/sharebench/results"
	"github.com/sharebench/sharebench/workload"
)

func TestMM1CommandMatchesTheory(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run([]string{"mm1", "-customers", "200000", "-rho", "0.5"}, &out, &errOut); err != nil {
		t.Fatalf("mm1: %v\n%s", err, errOut.String())
	}
	// At ρ = 0.5 and 200,000 customers the standard error of the mean is
	// about 0.5 %; 5 % catches a wrong simulator or a wrong formula.
	m := regexp.MustCompile(`mean response\s+\S+\s+2ms\s+([-+]\d+\.\d)%`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("mm1 output has no mean response row with theory 2ms:\n%s", out.String())
	}
	if e, _ := strconv.ParseFloat(m[1], 64); e > 5 || e < -5 {
		t.Errorf("mm1 mean response off theory by %s%%; want within 5%%\n%s", m[1], out.String())
	}
	for _, want := range []string{"p99 response", "utilisation", "L = λW", "customers/s"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("mm1 output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"frobnicate"},
		{"mm1", "-rho", "1"},
		{"mm1", "-rho", "abc"},
		{"mm1", "-customers", "3"},
		{"mm1", "extra"},
	} {
		var out, errOut bytes.Buffer
		err := run(args, &out, &errOut)
		var ue usageError
		if !errors.As(err, &ue) {
			t.Errorf("run(%q) = %v; want a usage error (exit status 2)", args, err)
		}
	}
}

const tinyScenario = `
name: tiny
duration: 3s
warmup: 1s
strategies: [sync, async]
population: {sellers: 500}
traffic: {pages: {rate: 200/s}}
faults:
  - {at: 2s, for: 500ms, kind: outage, target: topclients}
`

func writeScenario(t *testing.T, text string) string {
	path := filepath.Join(t.TempDir(), "tiny.yaml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestRunWritesTableAndResultFile: run prints the table, with a row per
// metric and a column per strategy, and writes a result file that reads
// back; -json prints that document instead.
func TestRunWritesTableAndResultFile(t *testing.T) {
	scenario := writeScenario(t, tinyScenario)
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	if err := run([]string{"run", "-q", "-o", dir, scenario}, &out, &errOut); err != nil {
		t.Fatalf("run: %v\n%s", err, errOut.String())
	}
	for _, want := range []string{"sync", "async", "latency.p99 (ms)", "availability (%)", "* best of the row", "wrote " + filepath.Join(dir, "result.json")} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("run output lacks %q:\n%s", want, out.String())
		}
	}
	f, err := results.ReadFile(filepath.Join(dir, "result.json"))
	if err != nil {
		t.Fatal(err)
	}
	if f.Scenario != "tiny" || len(f.Strategies) != 2 || f.Strategies["sync"].Pages["all"].Count == 0 {
		t.Errorf("result file: scenario %q, %d strategies; want tiny with sync and async measured", f.Scenario, len(f.Strategies))
	}

	out.Reset()
	if err := run([]string{"run", "-q", "-json", "-o", t.TempDir(), scenario}, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	again, err := results.Decode(&out)
	if err != nil {
		t.Fatalf("-json output does not decode: %v", err)
	}
	var a, b bytes.Buffer
	results.Encode(&a, results.StripWall(f))
	results.Encode(&b, results.StripWall(again))
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("-json printed a different document than the same run wrote")
	}
}

func TestBadScenarioIsInputError(t *testing.T) {
	bad := writeScenario(t, "name: x\nduration: 10s\ntraffic: {pages: {mix: {gig: 0.5}}}\n")
	var out, errOut bytes.Buffer
	for _, args := range [][]string{{"run", "-q", bad}, {"validate", bad}, {"run", "no-such-scenario"}} {
		err := run(args, &out, &errOut)
		var ie inputError
		if !errors.As(err, &ie) {
			t.Errorf("run(%q) = %v; want an input error (exit status 3)", args, err)
		}
	}
	if err := run([]string{"validate", writeScenario(t, tinyScenario)}, &out, &errOut); err != nil {
		t.Errorf("validate of a good scenario: %v", err)
	}
}

func TestScenariosListsBuiltins(t *testing.T) {
	var out bytes.Buffer
	if err := run([]string{"scenarios"}, &out, &out); err != nil {
		t.Fatal(err)
	}
	for _, name := range workload.BuiltinNames() {
		if !strings.Contains(out.String(), name+" ") {
			t.Errorf("scenarios output lacks %s:\n%s", name, out.String())
		}
	}
}

// compareScenario is small enough to run ten seeds a side.
const compareScenario = `
name: cmp
duration: 4s
warmup: 1s
strategies: [sync]
population: {sellers: 2000}
traffic: {pages: {rate: 400/s}}
services:
  topclients: {workers: 4, queue: 1000, service_time: {dist: lognormal, median: %s, p99: %s}}
  gig: {workers: 64, service_time: {dist: exp, mean: 1ms}}
  user: {workers: 64, service_time: {dist: exp, mean: 1ms}}
  search: {workers: 64, service_time: {dist: exp, mean: 3ms}}
`

func runTo(t *testing.T, median, p99 string, seeds int) string {
	t.Helper()
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	args := []string{"run", "-q", "-o", dir, "-seeds", strconv.Itoa(seeds), writeScenario(t, fmt.Sprintf(compareScenario, median, p99))}
	if err := run(args, &out, &errOut); err != nil {
		t.Fatalf("run: %v\n%s", err, errOut.String())
	}
	return dir
}

// TestCompareGates: the same seed twice passes; the owner twice as slow
// fails; with ten seeds a side, a 1% slower owner — inside the noise —
// passes even against a 0.5% limit.
func TestCompareGates(t *testing.T) {
	limits := "latency.p99=+10%,owner.rejected=+0,availability=-0.1pp"
	base := runTo(t, "2ms", "20ms", 1)
	var out, errOut bytes.Buffer
	if err := run([]string{"compare", "-max", limits, base, runTo(t, "2ms", "20ms", 1)}, &out, &errOut); err != nil {
		t.Errorf("compare of two runs of the same seed = %v; want no regression\n%s", err, out.String())
	}
	out.Reset()
	err := run([]string{"compare", "-max", limits, base, runTo(t, "4ms", "40ms", 1)}, &out, &errOut)
	if err == nil || !strings.Contains(out.String(), "REGRESSION (limit latency.p99=+10%)") {
		t.Errorf("compare against an owner twice as slow = %v; want a latency.p99 regression\n%s", err, out.String())
	}
	if testing.Short() {
		return
	}
	out.Reset()
	ten := runTo(t, "2ms", "20ms", 10)
	if err := run([]string{"compare", "-max", "latency.p99=+0.5%,latency.p50=+0.5%", ten, runTo(t, "2.02ms", "20.2ms", 10)}, &out, &errOut); err != nil {
		t.Errorf("compare of a 1%% slower owner, 10 seeds a side = %v; want no regression (inside the noise)\n%s", err, out.String())
	}
	// The noise test has teeth: ten seeds of an owner twice as slow fail.
	out.Reset()
	if err := run([]string{"compare", "-max", "latency.p99=+10%", ten, runTo(t, "4ms", "40ms", 10)}, &out, &errOut); err == nil {
		t.Errorf("compare of an owner twice as slow, 10 seeds a side = nil; want a regression\n%s", out.String())
	}
}

func TestCompareBadInput(t *testing.T) {
	dir := runTo(t, "2ms", "20ms", 1)
	var out, errOut bytes.Buffer
	var ue usageError
	if err := run([]string{"compare", "-max", "latency.p98=+10%", dir, dir}, &out, &errOut); !errors.As(err, &ue) {
		t.Errorf("compare with an unknown metric = %v; want a usage error (exit 2)", err)
	}
	newer := filepath.Join(t.TempDir(), "result.json")
	os.WriteFile(newer, []byte(`{"schema": 99}`), 0o644)
	var ie inputError
	if err := run([]string{"compare", dir, newer}, &out, &errOut); !errors.As(err, &ie) || !strings.Contains(err.Error(), "99") {
		t.Errorf("compare with a newer-schema file = %v; want an input error (exit 3) naming the schema", err)
	}
}

func TestRunFormatBench(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run([]string{"run", "-q", "-format", "bench", "-o", t.TempDir(), writeScenario(t, tinyScenario)}, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "BenchmarkTiny/strategy=sync/page=all ") || !strings.Contains(out.String(), "Unit p99-ns better=lower") {
		t.Errorf("-format bench output:\n%s", out.String())
	}
}
