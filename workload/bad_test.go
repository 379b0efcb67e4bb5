package workload

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBadScenarioFiles: every testdata/bad/NAME.yaml is refused by Load
// with an error containing every line of NAME.err — the file, the line,
// the field and the fix. Anyone may add a pair; the test finds it.
func TestBadScenarioFiles(t *testing.T) {
	const dir = "testdata/bad"
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	cases := 0
	for _, e := range entries {
		name, isScenario := strings.CutSuffix(e.Name(), ".yaml")
		if !isScenario {
			if base, isErr := strings.CutSuffix(e.Name(), ".err"); !isErr {
				t.Errorf("%s/%s: neither NAME.yaml nor NAME.err", dir, e.Name())
			} else if _, err := os.Stat(filepath.Join(dir, base+".yaml")); err != nil {
				t.Errorf("%s/%s has no %s.yaml beside it", dir, e.Name(), base)
			}
			continue
		}
		cases++
		t.Run(name, func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join(dir, name+".err"))
			if err != nil {
				t.Fatalf("%s.yaml has no %s.err saying what its error must contain: %v", name, name, err)
			}
			_, err = Load(filepath.Join(dir, e.Name()))
			if err == nil {
				t.Fatalf("Load(%s) = nil error; want one containing %q", e.Name(), want)
			}
			if !strings.Contains(err.Error(), e.Name()) {
				t.Errorf("Load(%s) = %q; want it to name the file", e.Name(), err)
			}
			for _, line := range strings.Split(strings.TrimSpace(string(want)), "\n") {
				if line = strings.TrimSpace(line); line != "" && !strings.Contains(err.Error(), line) {
					t.Errorf("Load(%s) = %q; want it to contain %q", e.Name(), err, line)
				}
			}
		})
	}
	if cases < 80 {
		t.Errorf("%s holds %d bad scenarios; want the whole catalogue (at least 80)", dir, cases)
	}
}
