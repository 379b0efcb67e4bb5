package plot

import (
	"bytes"
	"image/png"
	"strings"
	"testing"

	"github.com/sharebench/sharebench/results"
)

// TestDecisionLabel: a cell names the cheapest column meeting every
// target, the others meeting them, near ties and the unclear.
func TestDecisionLabel(t *testing.T) {
	tests := []struct {
		cell results.DecisionCell
		want string
	}{
		{results.DecisionCell{Meeting: []string{"async", "hybrid"}, Best: "async"}, "async (cheapest)\nalso hybrid"},
		{results.DecisionCell{Meeting: []string{"async", "hybrid"}, Best: "async", Near: "hybrid"}, "async (cheapest, ≈ hybrid)\nalso hybrid"},
		{results.DecisionCell{Unclear: []string{"sync"}}, "none meets all\n? sync"},
	}
	for _, tt := range tests {
		if got := DecisionLabel(&tt.cell); got != tt.want {
			t.Errorf("DecisionLabel(%+v) = %q; want %q", tt.cell, got, tt.want)
		}
	}
}

// TestRenderDecision: maps over one and two parameters draw in every
// format; more parameters are an error, not a panic.
func TestRenderDecision(t *testing.T) {
	target, _ := results.ParseTarget("owner.rps<=460")
	one := &results.DecisionMap{
		Params: []string{"population.with_clients"}, Values: [][]string{{"0.4", "0.5"}},
		Columns: []string{"sync", "async", "hybrid"}, Targets: []results.Target{target},
		Cells: []results.DecisionCell{
			{Values: []string{"0.4"}, Meeting: []string{"async", "hybrid"}, Best: "async"},
			{Values: []string{"0.5"}, Meeting: []string{"async"}, Best: "async"},
		},
	}
	two := &results.DecisionMap{
		Params: []string{"a", "b"}, Values: [][]string{{"1", "2"}, {"x"}},
		Columns: []string{"sync", "hybrid"}, Targets: []results.Target{target},
		Cells: []results.DecisionCell{
			{Values: []string{"1", "x"}, Meeting: []string{"hybrid"}, Best: "hybrid"},
			{Values: []string{"2", "x"}},
		},
	}
	for _, m := range []*results.DecisionMap{one, two} {
		for _, format := range Formats {
			var b bytes.Buffer
			if err := RenderDecision(&b, m, format); err != nil || b.Len() == 0 {
				t.Errorf("RenderDecision(%v, %s) = %v, %d bytes; want a drawing", m.Params, format, err, b.Len())
				continue
			}
			if format == "png" {
				if cfg, err := png.DecodeConfig(&b); err != nil || cfg.Width == 0 {
					t.Errorf("RenderDecision(%v, png): %v, width %d", m.Params, err, cfg.Width)
				}
			}
		}
	}
	three := &results.DecisionMap{Params: []string{"a", "b", "c"}}
	if err := RenderDecision(new(bytes.Buffer), three, "png"); err == nil || !strings.Contains(err.Error(), "one or two") {
		t.Errorf("RenderDecision over three parameters = %v; want an error", err)
	}
}

// TestDecisionFigureKey: the map states the cost weights it ranks by and
// explains its marks (review 15).
func TestDecisionFigureKey(t *testing.T) {
	target, _ := results.ParseTarget("owner.rps<=460")
	m := &results.DecisionMap{
		Params: []string{"population.with_clients"}, Values: [][]string{{"0.4", "0.5"}},
		Columns: []string{"async", "hybrid"}, Targets: []results.Target{target},
		Weights: map[string]float64{"owner.rps": 1, "duplication": 2},
		Cells: []results.DecisionCell{
			{Values: []string{"0.4"}, Meeting: []string{"async", "hybrid"}, Best: "async", Near: "hybrid"},
			{Values: []string{"0.5"}, Unclear: []string{"hybrid"}},
		},
	}
	var b bytes.Buffer
	if err := RenderDecision(&b, m, "svg"); err != nil {
		t.Fatal(err)
	}
	texts, err := svgTexts(&b)
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(texts, "\n")
	for _, want := range []string{"cost = 2.00 × duplication (MB of 10⁶ B) + 1.00 × owner.rps", "≈: costs within each other's 95 % intervals", "? fails no target but is unclear on some", "n? undecided (a percentile on too few samples)"} {
		if !strings.Contains(all, want) {
			t.Errorf("decision map SVG texts lack %q:\n%s", want, all)
		}
	}
}
