package workload

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sharebench/sharebench/results"
)

var updateGolden = flag.Bool("update-golden", false, "rewrite testdata/golden/*.json from this build")

// goldenDuration is the measured time of a golden run: short enough that
// every built-in runs in about a second, long enough that every built-in's
// faults and traffic changes (20 s to 40 s after the start) fall inside it.
const goldenDuration = 36 * time.Second

// TestGolden pins every built-in's result file, and those of the scenarios
// under testdata/golden/scenarios (which reach what the built-ins do not:
// sync-cache, async-dualwrite, anti-entropy within the window), byte for byte outside the
// wall-clock facts and the build's name: a refactor or a speed-up moves no
// number. A change that means to move numbers rewrites them with
// `go test ./workload -run Golden -update-golden`, in a commit of its own
// whose message says which numbers moved and why.
func TestGolden(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the golden runs take seconds")
	}
	extra, err := filepath.Glob(filepath.Join("testdata", "golden", "scenarios", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range append(BuiltinNames(), extra...) {
		load := func() (*Scenario, error) { sc, _, err := Builtin(name); return sc, err }
		if path := name; filepath.Ext(path) == ".yaml" {
			load = func() (*Scenario, error) { return Load(path) }
			name = strings.TrimSuffix(filepath.Base(path), ".yaml")
		}
		t.Run(name, func(t *testing.T) {
			sc, err := load()
			if err != nil {
				t.Fatal(err)
			}
			sc.Duration = Duration(min(goldenDuration, sc.Duration.D()))
			f, err := Run(sc, RunOptions{Parallel: 2})
			if err != nil {
				t.Fatal(err)
			}
			got := goldenBytes(t, f)
			path := filepath.Join("testdata", "golden", name+".json")
			if *updateGolden {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update-golden to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s: the result file differs from %s; a change that means to move numbers rewrites it with -update-golden in a commit of its own", name, path)
				reportFirstDifference(t, got, want)
			}
		})
	}
}

// goldenBytes encodes f without what differs from build to build and run
// to run: the wall-clock facts and the build's version.
func goldenBytes(t *testing.T, f *results.File) []byte {
	t.Helper()
	c := results.StripWall(f)
	c.Version = results.BuildVersion{}
	var b bytes.Buffer
	if err := results.Encode(&b, c); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func reportFirstDifference(t *testing.T, got, want []byte) {
	t.Helper()
	gl, wl := bytes.Split(got, []byte("\n")), bytes.Split(want, []byte("\n"))
	for i := range max(len(gl), len(wl)) {
		var g, w []byte
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if !bytes.Equal(g, w) {
			t.Errorf("first difference at line %d:\n got: %s\nwant: %s", i+1, g, w)
			return
		}
	}
}
