package plot

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportRule: plot reads result files and nothing of the harness that
// makes them (see the package comment).
func TestImportRule(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	const module = "github.com/sharebench/sharebench/"
	for _, dep := range strings.Fields(string(out)) {
		for _, banned := range []string{"strategies", "sim", "workload", "cmd"} {
			if dep == module+banned || strings.HasPrefix(dep, module+banned+"/") {
				t.Errorf("results/plot depends on %s; it must not", dep)
			}
		}
	}

	// Rendering stays out of results itself, which every command and test
	// of the harness links.
	out, err = exec.Command("go", "list", "-deps", "..").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps ..: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, "gonum.org/v1/plot") {
			t.Errorf("results depends on %s; drawing belongs in results/plot", dep)
		}
	}
}
