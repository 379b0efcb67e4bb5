package live

import (
	"testing"

	"github.com/sharebench/sharebench/internal/importrule"
)

// TestImportRule: the live world reaches strategies only through sim, and
// knows nothing of the virtual world or the harness.
func TestImportRule(t *testing.T) {
	importrule.Check(t, "strategies", "workload", "results", "sim/virtual", "cmd")
}
