package workload

import (
	"strings"
	"testing"
	"time"

	"github.com/sharebench/sharebench/sim"
)

func TestBuiltinsParseAndSayWhatTheyShow(t *testing.T) {
	names := BuiltinNames()
	want := []string{"baseline", "broker-partition", "calibration", "consumer-crash", "dense-clients", "hot-seller", "owner-outage", "owner-slow", "search-heavy", "sparse-clients", "traffic-spike"}
	if strings.Join(names, ",") != strings.Join(want, ",") {
		t.Fatalf("BuiltinNames() = %v; want %v", names, want)
	}
	for _, name := range names {
		sc, _, err := Builtin(name)
		if err != nil {
			t.Errorf("Builtin(%q): %v", name, err)
			continue
		}
		if sc.Name != name || len(sc.Description) < 20 {
			t.Errorf("Builtin(%q) = name %q, description %q; want its own name and a line saying what it demonstrates", name, sc.Name, sc.Description)
		}
		// What it renders parses back to the same scenario.
		again, err := Parse(name+".yaml", []byte(sc.YAML()))
		if err != nil {
			t.Errorf("Builtin(%q).YAML() does not parse: %v\n%s", name, err, sc.YAML())
			continue
		}
		if again.YAML() != sc.YAML() {
			t.Errorf("Builtin(%q): YAML round trip differs:\n%s\nthen\n%s", name, sc.YAML(), again.YAML())
		}
	}
}

func TestMinimalScenarioTakesDefaults(t *testing.T) {
	sc, err := Parse("tiny.yaml", []byte("name: tiny\nduration: 10s\nwarmup: 1s\nstrategies: [sync]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if sc.Population.Sellers != 100_000 || sc.Services["topclients"].Workers != 8 || sc.Traffic.Pages.Mix["gig"] != 0.5 {
		t.Errorf("defaults not taken: %+v", sc)
	}
	if sc.End() != 11*time.Second {
		t.Errorf("End() = %v; want 11s", sc.End())
	}
}

// TestBadScenarios: each kind of mistake gets an error naming the file,
// the line and what to do, never a panic.
func TestBadScenarios(t *testing.T) {
	base := "name: x\nduration: 10s\nwarmup: 1s\nstrategies: [sync, async]\n"
	tests := []struct {
		name, yaml string
		want       []string
	}{
		{"unknown field", base + "traffic:\n  pages:\n    rte: 100/s\n", []string{"x.yaml:7", `unknown field "rte" in traffic.pages`, "rate, arrival"}},
		{"unknown top-level field", base + "sellers: 10\n", []string{"x.yaml:5", `unknown field "sellers"`, "population"}},
		{"mix not summing to 1", base + "traffic:\n  pages:\n    mix: {gig: 0.5, user: 0.3}\n", []string{"x.yaml:7", "traffic.pages.mix", "add up to 0.8", "must add up to 1"}},
		{"unknown page kind", base + "traffic:\n  pages:\n    mix: {gig: 0.5, blog: 0.5}\n", []string{"traffic.pages.mix", `unknown kind "blog"`, "gig, user, search, self"}},
		{"negative rate", base + "traffic:\n  pages:\n    rate: -5/s\n", []string{"x.yaml:7", "not a non-negative number", "2000/s"}},
		{"zero rate", base + "traffic:\n  pages:\n    rate: 0/s\n", []string{"traffic.pages.rate", "must be > 0"}},
		{"rate without unit", base + "traffic:\n  pages:\n    rate: 100\n", []string{"not a rate", "2000/s"}},
		{"duration without unit", "name: x\nduration: 10\n", []string{"x.yaml:2", "no unit", "10s"}},
		{"zero duration", "name: x\nduration: 0s\n", []string{"duration", "must be > 0"}},
		{"warmup not shorter", "name: x\nduration: 10s\nwarmup: 10s\n", []string{"x.yaml:3", "warmup", "shorter than the measured duration"}},
		{"unknown strategy", "name: x\nduration: 10s\nwarmup: 1s\nstrategies: [sync, cqrs]\n", []string{"x.yaml:4", `unknown strategy "cqrs"`, "sync, sync-cache, async"}},
		{"strategy twice", "name: x\nduration: 10s\nwarmup: 1s\nstrategies: [sync, sync]\n", []string{"strategies", "twice"}},
		{"fault naming no node", base + "faults:\n  - {at: 2s, for: 1s, kind: outage, target: payments}\n", []string{"x.yaml:6", `"payments"`, "topclients, gig, user, search, broker, client"}},
		{"fault past the end", base + "faults:\n  - {at: 10s, for: 5s, kind: outage, target: gig}\n", []string{"x.yaml:6", "past the end of the run at 11s"}},
		{"bad fault", base + "faults:\n  - {at: 2s, for: 1s, kind: flood, target: gig}\n", []string{"x.yaml:6", `unknown fault kind "flood"`}},
		{"bad distribution", base + "services:\n  topclients: {workers: 8, service_time: {dist: exp, mean: -2ms}}\n", []string{"x.yaml:6", "mean", "negative"}},
		{"missing service", base + "services:\n  topclients: {workers: 8, service_time: 2ms}\n", []string{"services", "no gig", "every scenario has topclients, gig, user, search"}},
		{"zero workers", base + "services:\n  topclients: {workers: 0, service_time: 2ms}\n  gig: {workers: 1}\n  user: {workers: 1}\n  search: {workers: 1}\n", []string{"services.topclients", "workers must be ≥ 1"}},
		{"fraction out of range", base + "population:\n  with_clients: 1.5\n", []string{"x.yaml:6", "population.with_clients", "[0, 1]"}},
		{"no sellers", base + "population:\n  sellers: 0\n", []string{"population.sellers", "≥ 1"}},
		{"bad arrival", base + "traffic:\n  pages:\n    arrival: bursty\n", []string{"traffic.pages.arrival", "poisson or constant"}},
		{"bad popularity", base + "traffic:\n  pages:\n    popularity: {zipf: -1}\n", []string{"x.yaml:7", "{zipf: s} with s > 0"}},
		{"bad link", base + "network:\n  links:\n    gig-topclients: {latency: 1ms}\n", []string{"network.links", `"gig-topclients"`, "from->to"}},
		{"bad curve", base + "traffic:\n  pages:\n    rate: {curve: zigzag}\n", []string{"x.yaml:7", `unknown curve "zigzag"`, "step, ramp, spike or diurnal"}},
		{"broker partitions", base + "broker:\n  partitions: 0\n", []string{"broker", "partitions must be ≥ 1"}},
		{"not a mapping", "- just\n- a list\n", []string{"x.yaml", "a scenario is a YAML mapping"}},
		{"broken YAML", "name: [x\n", []string{"x.yaml", "not valid YAML"}},
		{"empty file", "", []string{"x.yaml", "a scenario is a YAML mapping"}},
	}
	for _, tt := range tests {
		_, err := Parse("x.yaml", []byte(tt.yaml))
		if err == nil {
			t.Errorf("%s: Parse = nil error; want one mentioning %q", tt.name, tt.want)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: Parse error = %q; want it to mention %q", tt.name, err, w)
			}
		}
	}
}

// FuzzParse: no input makes the scenario decoder panic, and whatever it
// accepts renders YAML it accepts again.
func FuzzParse(f *testing.F) {
	for _, name := range BuiltinNames() {
		_, data, _ := Builtin(name)
		f.Add(data)
	}
	f.Add([]byte("name: x\nduration: 10s\ntraffic: {pages: {rate: {curve: ramp, from: 1/s, to: 5/s, over: 3s}}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, err := Parse("fuzz.yaml", data)
		if err != nil {
			return
		}
		if _, err := Parse("again.yaml", []byte(sc.YAML())); err != nil {
			t.Fatalf("accepted scenario renders YAML that does not parse: %v\n%s", err, sc.YAML())
		}
	})
}

func TestScaled(t *testing.T) {
	sc, _, err := Builtin("traffic-spike")
	if err != nil {
		t.Fatal(err)
	}
	sc.Faults = []sim.Fault{{At: 20 * time.Second, For: 10 * time.Second, Kind: sim.Outage, Target: "topclients"}}
	s, err := sc.Scaled(0.1)
	if err != nil {
		t.Fatal(err)
	}
	if s.Duration.D() != 6*time.Second || s.Warmup.D() != 500*time.Millisecond {
		t.Errorf("scaled duration %v + %v; want 6s + 500ms", s.Duration.D(), s.Warmup.D())
	}
	// The spike ran 20s–30s at 20000/s: now 2s–3s at 2000/s.
	if got := s.Traffic.Pages.Rate.At(2500 * time.Millisecond); got != 2000 {
		t.Errorf("scaled spike rate at 2.5s = %v; want 2000", got)
	}
	if got := s.Traffic.Pages.Rate.At(3500 * time.Millisecond); got != 200 {
		t.Errorf("scaled base rate at 3.5s = %v; want 200", got)
	}
	if *s.Traffic.Writes.Rate != 2 {
		t.Errorf("scaled write rate = %v; want 2/s", *s.Traffic.Writes.Rate)
	}
	if f := s.Faults[0]; f.At != 2*time.Second || f.For != time.Second {
		t.Errorf("scaled fault at %v for %v; want at 2s for 1s", f.At, f.For)
	}
	// It still writes itself out as a valid scenario.
	if _, err := Parse("scaled.yaml", []byte(s.YAML())); err != nil {
		t.Errorf("scaled scenario's YAML does not parse: %v", err)
	}
	if _, err := sc.Scaled(0); err == nil {
		t.Error("Scaled(0) = nil error; want one")
	}
}
