package live

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportRule: the live world reaches strategies only through sim, and
// knows nothing of the virtual world or the harness.
func TestImportRule(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	const module = "github.com/sharebench/sharebench/"
	for _, dep := range strings.Fields(string(out)) {
		for _, banned := range []string{"strategies", "workload", "results", "sim/virtual", "cmd"} {
			if dep == module+banned || strings.HasPrefix(dep, module+banned+"/") {
				t.Errorf("sim/live depends on %s", dep)
			}
		}
	}
}
