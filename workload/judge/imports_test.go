package judge_test

import (
	"testing"

	"github.com/sharebench/sharebench/internal/importrule"
)

// TestImportRule: the judge is a pure checker over the strategies' domain
// types; it depends on no world, results or cmd (and cannot depend on the
// workload, which imports it).
func TestImportRule(t *testing.T) {
	importrule.Check(t, "sim/virtual", "sim/live", "results", "cmd")
}
