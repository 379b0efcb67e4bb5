package workload

import (
	"testing"

	"github.com/sharebench/sharebench/internal/importrule"
)

// TestImportRule: workload wires worlds to the strategies; only cmd sits
// above it.
func TestImportRule(t *testing.T) {
	importrule.Check(t, "cmd")
}
