package report

import (
	"testing"

	"github.com/sharebench/sharebench/internal/importrule"
)

// TestImportRule: report reads result files and nothing of the harness that
// makes them (see the package comment).
func TestImportRule(t *testing.T) {
	importrule.Check(t, "strategies", "sim", "workload", "cmd")
}
