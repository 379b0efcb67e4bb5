package plot

import (
	"strings"
	"testing"

	"github.com/sharebench/sharebench/internal/importrule"
)

// TestImportRule: plot reads result files and nothing of the harness that
// makes them (see the package comment); and rendering stays out of results
// itself, which every command and test of the harness links.
func TestImportRule(t *testing.T) {
	importrule.Check(t, "strategies", "sim", "workload", "cmd")
	for _, dep := range importrule.Deps(t, "..") {
		if strings.HasPrefix(dep, "gonum.org/v1/plot") {
			t.Errorf("results depends on %s; drawing belongs in results/plot", dep)
		}
	}
}
