package sim

import (
	"testing"

	"github.com/sharebench/sharebench/internal/importrule"
)

// TestImportRule: sim is the seam; it imports neither world, nor the
// strategies, nor the harness.
func TestImportRule(t *testing.T) {
	importrule.Check(t, "strategies", "workload", "results", "sim/virtual", "sim/live", "cmd")
}
