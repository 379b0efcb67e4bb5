package results

import (
	"testing"

	"github.com/sharebench/sharebench/internal/importrule"
)

// TestImportRule: results imports neither the strategies nor any world.
func TestImportRule(t *testing.T) {
	importrule.Check(t, "strategies", "sim", "workload", "cmd")
}
