package pages

import (
	"testing"

	"github.com/sharebench/sharebench/internal/importrule"
)

// TestImportRule: pages is the leaf every layer reads the page kinds
// from; it imports no package of the module.
func TestImportRule(t *testing.T) {
	importrule.Check(t, "sim", "strategies", "workload", "results", "cmd", "internal")
}
