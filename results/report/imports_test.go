package report

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportRule: report reads result files and nothing of the harness that
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
				t.Errorf("results/report depends on %s; it must not", dep)
			}
		}
	}
}
