package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sharebench/sharebench/results"
)

// TestOverrideRechecksTheScenario: a -duration that puts a fault past the
// end of the run is refused as the same scenario would be by validate,
// by run and sweep alike, as a usage error (exit 2) naming the flag and
// the field, before anything runs.
func TestOverrideRechecksTheScenario(t *testing.T) {
	for _, args := range [][]string{
		{"run", "-q", "-duration", "8s", "owner-outage"},
		{"run", "-q", "-seed", "3", "-duration", "8s", "owner-outage"},
		{"sweep", "-q", "-duration", "8s", "-set", "traffic.pages.rate=100/s,200/s", "owner-outage"},
	} {
		args = append(args, "-o", filepath.Join(t.TempDir(), "out"))
		var stdout, stderr bytes.Buffer
		err := run(args, &stdout, &stderr)
		var ue usageError
		if !errors.As(err, &ue) || exitStatus(err, new(bytes.Buffer)) != exitUsage {
			t.Errorf("%s = %v (exit %d); want a usage error, exit %d", strings.Join(args, " "), err, exitStatus(err, new(bytes.Buffer)), exitUsage)
			continue
		}
		for _, want := range []string{"-duration 8s: ", "faults[0]", "past the end of the run at 13s"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s = %q; want it to contain %q", strings.Join(args, " "), err, want)
			}
		}
	}
}

// TestOverriddenScenarioYAMLReproducesTheRun: the scenario_yaml of a run
// with -duration and -seed, fed back to run with no flags, gives the same
// result file outside the wall-clock facts and the build.
func TestOverriddenScenarioYAMLReproducesTheRun(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: runs a built-in twice")
	}
	runTo := func(args ...string) *results.File {
		t.Helper()
		dir := t.TempDir()
		var stdout, stderr bytes.Buffer
		argv := append([]string{"run", "-q", "-parallel", "2", "-o", dir}, args...)
		if err := run(argv, &stdout, &stderr); err != nil {
			t.Fatalf("%s: %v", strings.Join(argv, " "), err)
		}
		f, err := results.ReadFile(filepath.Join(dir, resultName))
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	first := runTo("-duration", "26s", "-seed", "7", "owner-outage")
	if first.DurationS != 26 || len(first.Seeds) != 1 || first.Seeds[0] != 7 {
		t.Fatalf("run -duration 26s -seed 7: duration %vs, seeds %v; want 26s and [7]", first.DurationS, first.Seeds)
	}
	file := filepath.Join(t.TempDir(), "owner-outage.yaml")
	if err := os.WriteFile(file, []byte(first.ScenarioYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	second := runTo(file)
	strip := func(f *results.File) []byte {
		c := results.StripWall(f)
		c.Version = results.BuildVersion{}
		var b bytes.Buffer
		if err := results.Encode(&b, c); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	if a, b := strip(first), strip(second); !bytes.Equal(a, b) {
		t.Errorf("running the scenario_yaml of run -duration 26s -seed 7 owner-outage gave another result file (%d bytes against %d)", len(b), len(a))
	}
}
