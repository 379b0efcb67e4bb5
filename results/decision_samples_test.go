package results

import (
	"strings"
	"testing"
)

// TestDecideUndecidedForSamples: async's p99 is 9 ms at every rate, but
// at the lowest rate it rests on 500 renders (a p99 needs 1000): that cell
// is undecided for lack of samples, said so, and no boundary is drawn
// against it; a real change of standing still is one.
func TestDecideUndecidedForSamples(t *testing.T) {
	cell := func(rate string, n int64, syncRPS float64) SweepRow {
		return SweepRow{Values: []string{rate}, File: &File{
			Order: []string{"sync", "async"},
			Strategies: map[string]*Metrics{
				"sync":  sloMetrics(9, 0.5, n, 100, 0, syncRPS, false),
				"async": sloMetrics(9, 0.5, n, 100, 0, 10, true),
			},
			DurationS:    3,
			ScenarioYAML: "slo:\n  targets: {latency.p99: <=50ms, owner.rps: <=1000}\n",
		}}
	}
	rows := []SweepRow{cell("200/s", 500, 200), cell("500/s", 5_000, 500), cell("1000/s", 10_000, 2000)}
	m := Decide([]string{"traffic.pages.rate"}, rows, nil)
	if m == nil {
		t.Fatal("Decide = nil")
	}
	for _, b := range m.Boundaries {
		if b.From == "200/s" {
			t.Errorf("Decide boundary %q; want none against the cell short of samples", b.Text)
		}
	}
	wantText := "between traffic.pages.rate = 500/s and 1000/s, sync stops meeting every target (owner.rps<=1000 req/s fail by +1,000 req/s)"
	if len(m.Boundaries) != 1 || m.Boundaries[0].Text != wantText {
		var got []string
		for _, b := range m.Boundaries {
			got = append(got, b.Text)
		}
		t.Errorf("Decide boundaries = %q; want [%q]", got, wantText)
	}
	c := m.Cell(0)
	if strings.Join(c.Undecided, ",") != "sync,async" {
		t.Errorf("cell 200/s undecided = %v; want [sync async]", c.Undecided)
	}
	want := "at traffic.pages.rate = 200/s: async undecided (latency.p99 needs 1000 samples)"
	if len(m.Undecided) != 2 || m.Undecided[1] != want {
		t.Errorf("Decide undecided = %q; want its second %q", m.Undecided, want)
	}
	if a, b := m.Cell(0), m.Cell(1); func() bool { changed, _ := Changes(a, b); return changed }() {
		t.Errorf("Changes(200/s, 500/s) = changed; want no change (200/s only short of samples)")
	}
	if changed, setOnly := Changes(m.Cell(1), m.Cell(2)); !changed || !setOnly {
		t.Errorf("Changes(500/s, 1000/s) = %v, %v; want a change of the set meeting every target only", changed, setOnly)
	}
}
