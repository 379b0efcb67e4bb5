package workload

import (
	"strings"
	"testing"
	"time"

	"github.com/sharebench/sharebench/results"
)

// TestSLOSection: the slo: section is read in the file's order, written
// back into scenario_yaml so that it loads again, and a figure the
// scenario does not have is refused at its line.
func TestSLOSection(t *testing.T) {
	base, _, err := Builtin("owner-outage")
	if err != nil {
		t.Fatal(err)
	}
	text := base.YAML() + "slo:\n  targets:\n    latency.p99: <=150ms\n    completeness: '>=99.5%'\n    self_view_violations: 0\n  cost: {owner.rps: 1, duplication: 2}\n"
	sc, err := Parse("x.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tg := range sc.SLO.Targets {
		got = append(got, tg.String())
	}
	if want := "latency.p99<=150ms completeness>=99.5% self_view_violations<=0"; strings.Join(got, " ") != want {
		t.Errorf("Parse slo targets = %s; want %s", strings.Join(got, " "), want)
	}
	again, err := Parse("scenario_yaml", []byte(sc.YAML()))
	if err != nil || again.YAML() != sc.YAML() {
		t.Errorf("scenario_yaml with an slo does not load back the same: %v\n%s", err, sc.YAML())
	}
	bad := map[string]string{
		"slo:\n  targets:\n    latency.p99@product: <=150ms\n": "slo.targets.latency.p99@product: no such figure",
		"slo:\n  targets:\n    latency.p99: fast\n":            "give a duration",
		"slo:\n  targets:\n    completeness: 0.99\n":           "write 99%",
		"slo:\n  cost: {availability: 1}\n":                    "slo.cost.availability",
	}
	for add, want := range bad {
		_, err := Parse("x.yaml", []byte(base.YAML()+add))
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "x.yaml:") {
			t.Errorf("Parse(…%q) = %v; want an error at its line saying %q", add, err, want)
		}
	}
}

// TestSLOOwnerOutage: with completeness >= 99 %, the outage of the owner
// fails sync and hybrid (they lose the section of sellers with clients
// for 10 s) and async passes (its views do not notice), each verdict
// decided, not unclear. The run is cut to 25 s measured, which still holds
// the whole outage (20–30 s).
func TestSLOOwnerOutage(t *testing.T) {
	if testing.Short() {
		t.Skip("runs owner-outage")
	}
	sc, err := Resolve("owner-outage")
	if err != nil {
		t.Fatal(err)
	}
	d := 25 * time.Second
	if err := sc.Override(nil, &d); err != nil {
		t.Fatal(err)
	}
	target, _ := results.ParseTarget("completeness>=99%")
	if err := sc.WithTargets([]results.Target{target}); err != nil {
		t.Fatal(err)
	}
	f, err := Run(sc, RunOptions{Seeds: 1, Parallel: 2})
	if err != nil {
		t.Fatal(err)
	}
	r := results.Recommend(f, nil) // the targets travel in scenario_yaml
	if r == nil {
		t.Fatal("Recommend = nil; the result's scenario_yaml lost the slo")
	}
	want := map[string]results.Verdict{"sync": results.Fail, "async": results.Pass, "hybrid": results.Fail}
	for _, c := range r.Columns {
		j := c.Judgements[0]
		t.Logf("%s: completeness %.3f%% ±%.3f n=%d: %v", c.Name, j.Figure.Value, j.Figure.CI95, j.Figure.N, j.Verdict)
		if j.Verdict != want[c.Name] {
			t.Errorf("%s: completeness %.2f%% ±%.2f n=%d: verdict %v (%s); want %v", c.Name, j.Figure.Value, j.Figure.CI95, j.Figure.N, j.Verdict, j.Reason, want[c.Name])
		}
	}
	if got := strings.Join(r.MeetingNames(), ","); got != "async" {
		t.Errorf("meeting every target: %s; want async", got)
	}
}
