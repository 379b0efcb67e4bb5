package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sharebench/sharebench/workload"
)

// TestValidatePrintsEstimates: validate prints the work and memory
// estimate of every built-in it checks.
func TestValidatePrintsEstimates(t *testing.T) {
	names := workload.BuiltinNames()
	var out, errOut bytes.Buffer
	if err := run(append([]string{"validate"}, names...), &out, &errOut); err != nil {
		t.Fatalf("validate %v = %v (%s)", names, err, errOut.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != len(names) {
		t.Fatalf("validate printed %d lines for %d built-ins:\n%s", len(lines), len(names), out.String())
	}
	for i, l := range lines {
		for _, want := range []string{names[i] + ": ok", " pages, ", " events, ", " of CPU and ", "iB of memory per run"} {
			if !strings.Contains(l, want) {
				t.Errorf("validate line %q; want it to contain %q", l, want)
			}
		}
	}
}

// TestSizeGuardRefuses: validate, run and sweep refuse a scenario too big
// for any machine (exit status 3, located at the field's line like every
// scenario error, naming -force) before running anything; run writes no
// result.
func TestSizeGuardRefuses(t *testing.T) {
	bad := filepath.Join("..", "..", "workload", "testdata", "toobig", "rate-1e12.yaml")
	dir := t.TempDir()
	for _, args := range [][]string{
		{"validate", bad},
		{"run", "-q", "-o", dir, bad},
		{"sweep", "-q", "-o", dir, "-set", "population.with_clients=0.1,0.2", bad},
	} {
		var out, errOut bytes.Buffer
		err := run(args, &out, &errOut)
		var ie inputError
		if !errors.As(err, &ie) {
			t.Errorf("%v = %v; want a bad-input error (exit 3)", args, err)
			continue
		}
		msg := err.Error() + errOut.String()
		for _, want := range []string{"rate-1e12.yaml:2: traffic.pages.rate: too big to run", "-force", "of memory"} {
			if !strings.Contains(msg, want) {
				t.Errorf("%v: %q; want it to mention %q", args, msg, want)
			}
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a refused run left %d entries in its output directory; want none", len(entries))
	}
}

// TestEventBudget: run and sweep cells get the estimate's event budget
// (10× the estimated events and 10 million more); -force lifts it.
func TestEventBudget(t *testing.T) {
	sc, err := workload.Resolve("baseline")
	if err != nil {
		t.Fatal(err)
	}
	want := uint64(10*sc.Estimate().Events) + 10_000_000
	if got := eventBudget(sc, false); got != want {
		t.Errorf("eventBudget(baseline, false) = %d; want %d", got, want)
	}
	if got := eventBudget(sc, true); got != 0 {
		t.Errorf("eventBudget(baseline, -force) = %d; want 0 (no budget)", got)
	}
}

// TestValidateCountsColumns: validate counts strategies and plans apart,
// each in its number (review: "4 strategies" for 3 and a plan).
func TestValidateCountsColumns(t *testing.T) {
	plan := "plans:\n  - {name: mixed, default: sync, owners: {reviews: async}}\n"
	tests := []struct{ yaml, want string }{
		{shopScenario, "2 strategies, 4s + 1s warm-up, 0 faults"},
		{strings.Replace(shopScenario, "[sync, async]", "[sync]", 1), "1 strategy, "},
		{shopScenario + plan, "2 strategies + 1 plan, "},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		if err := run([]string{"validate", writeScenario(t, tt.yaml)}, &out, new(bytes.Buffer)); err != nil || !strings.Contains(out.String(), tt.want) {
			t.Errorf("validate → %q, %v; want %q", out.String(), err, tt.want)
		}
	}
}
