package virtual

import (
	"testing"

	"github.com/sharebench/sharebench/internal/importrule"
)

// TestImportRule: nothing under sim imports the strategies or the harness.
func TestImportRule(t *testing.T) {
	importrule.Check(t, "strategies", "workload", "results", "sim/live", "cmd")
}
