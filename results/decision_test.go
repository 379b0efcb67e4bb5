package results

import (
	"slices"
	"strings"
	"testing"
)

// TestDecide: a two-parameter map built from constructed cells, where
// hybrid's owner load doubles along a (300, then 600 req/s against
// owner.rps <= 500) and async's copies grow tenfold along b (100, then
// 1,000 MB, weighed 1 per MB as owner req/s are). Each cell's answer and
// every boundary follow by hand.
func TestDecide(t *testing.T) {
	cell := func(a, b string) SweepRow {
		hybridRPS, asyncMB := 300.0, 100.0
		if a == "2" {
			hybridRPS = 600
		}
		if b == "y" {
			asyncMB = 1000
		}
		async := sloMetrics(10, 1, 50_000, 100, 0, 10, true)
		async.DuplicationBytes = map[string]int64{"gig": int64(asyncMB * 1e6)}
		return SweepRow{Values: []string{a, b}, File: &File{
			Order: []string{"sync", "async", "hybrid"},
			Strategies: map[string]*Metrics{
				"sync":   sloMetrics(10, 1, 50_000, 100, 0, 2000, false),
				"async":  async,
				"hybrid": sloMetrics(10, 1, 50_000, 100, 0, hybridRPS, true),
			},
			DurationS:    10,
			ScenarioYAML: "slo:\n  targets: {owner.rps: <=500}\n  cost: {owner.rps: 1, duplication: 1}\n",
		}}
	}
	rows := []SweepRow{cell("1", "x"), cell("1", "y"), cell("2", "x"), cell("2", "y")}
	m := Decide([]string{"a", "b"}, rows, nil)
	if m == nil {
		t.Fatal("Decide = nil")
	}
	want := map[[2]int]string{{0, 0}: "async hybrid", {0, 1}: "hybrid async", {1, 0}: "async", {1, 1}: "async"}
	for idx, w := range want {
		c := m.Cell(idx[0], idx[1])
		if got := strings.Join(c.Meeting, " "); got != w {
			t.Errorf("cell a=%s b=%s meeting = %q; want %q", c.Values[0], c.Values[1], got, w)
		}
	}
	var got []string
	for _, b := range m.Boundaries {
		got = append(got, b.Text)
	}
	wantEdges := []string{
		// The same change at b = x and y is one line (review 15).
		"between a = 1 and 2 (b = x, y), hybrid stops meeting every target (owner.rps<=500 req/s fail by +100 req/s)",
		"between a = 1 and 2 (b = y), the cheapest meeting every target changes from hybrid to async",
		"between b = x and y (a = 1), async stops being cheaper than hybrid",
	}
	if !slices.Equal(got, wantEdges) {
		t.Errorf("Decide boundaries =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(wantEdges, "\n"))
	}
	// Extra targets (the -slo flag) apply to every cell.
	strict, _ := ParseTarget("owner.rps<=5")
	if m := Decide([]string{"a", "b"}, rows, []Target{strict}); m.Cell(0, 0).Best != "" {
		t.Errorf("with owner.rps<=5 the best of a=1 b=x is %q; want none", m.Cell(0, 0).Best)
	}
	if Decide([]string{"a", "b", "c"}, rows, nil) != nil {
		t.Error("Decide over three parameters: want nil (a map has one or two)")
	}
}

// TestGroupBoundaries: the same change at several values of the other
// parameter is one line; details that differ are shown as one example.
func TestGroupBoundaries(t *testing.T) {
	b := func(at, detail string) Boundary {
		return Boundary{Param: "a", From: "1", To: "2", At: at, Column: "hybrid", what: "hybrid stops meeting every target", detail: detail}
	}
	got := group([]Boundary{b("b = x", " (fail by 1)"), b("b = y", " (fail by 2)"), b("b = z", " (fail by 1)")})
	want := "between a = 1 and 2 (b = x, y, z), hybrid stops meeting every target (e.g. at b = x: fail by 1)"
	if len(got) != 1 || got[0].Text != want {
		t.Errorf("group = %+v; want one boundary %q", got, want)
	}
}
