package plot

import (
	"testing"

	"github.com/sharebench/sharebench/results"
)

// TestDecisionLabelUndecided: a column unclear only for lack of samples
// is shown apart (n?) from one unclear on its interval (?).
func TestDecisionLabelUndecided(t *testing.T) {
	c := &results.DecisionCell{Best: "sync", Meeting: []string{"sync"}, Unclear: []string{"hybrid", "async"}, Undecided: []string{"async"}, Why: []string{"latency.p99 needs 1000 samples"}}
	want := "sync (cheapest)\n? hybrid\nn? async"
	if got := DecisionLabel(c); got != want {
		t.Errorf("DecisionLabel(%+v) = %q; want %q", c, got, want)
	}
}
