package workload

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/sharebench/sharebench/strategies"

	"github.com/sharebench/sharebench/sim"
)

func TestBuiltinsParseAndSayWhatTheyShow(t *testing.T) {
	names := BuiltinNames()
	want := []string{"baseline", "broker-partition", "calibration", "consumer-crash", "dense-clients", "fan-out", "hot-seller", "mixed-plan", "owner-outage", "owner-slow", "product-page", "search-heavy", "sparse-clients", "traffic-spike", "two-owners"}
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
		if !reflect.DeepEqual(withoutLines(again), withoutLines(sc)) {
			t.Errorf("Parse(Builtin(%q).YAML()) = %+v; want %+v", name, again, sc)
		}
		if again.YAML() != sc.YAML() {
			t.Errorf("Builtin(%q): YAML round trip differs:\n%s\nthen\n%s", name, sc.YAML(), again.YAML())
		}
		for _, goNotation := range []string{"m0s", "h0m", "null", "µs"} {
			if strings.Contains(sc.YAML(), goNotation) {
				t.Errorf("Builtin(%q).YAML() has %q; want the scenario notation:\n%s", name, goNotation, sc.YAML())
			}
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

// FuzzParse: no input makes the scenario decoder panic, and whatever it
// accepts renders YAML that parses back to the same scenario.
func FuzzParse(f *testing.F) {
	for _, name := range BuiltinNames() {
		_, data, _ := Builtin(name)
		f.Add(data)
	}
	f.Add([]byte("name: x\nduration: 10s\ntraffic: {pages: {rate: {curve: ramp, from: 1/s, to: 5/s, over: 3s}}}\n"))
	for _, dir := range []string{"testdata/partial", "testdata/bad"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
		for _, file := range files {
			if data, err := os.ReadFile(file); err == nil {
				f.Add(data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, err := Parse("fuzz.yaml", data)
		if err != nil {
			return
		}
		again, err := Parse("fuzz.yaml", []byte(sc.YAML()))
		if err != nil {
			t.Fatalf("accepted scenario renders YAML that does not parse: %v\n%s", err, sc.YAML())
		}
		if !reflect.DeepEqual(withoutLines(again), withoutLines(sc)) {
			t.Fatalf("accepted scenario renders YAML that parses to another scenario:\n%s\nthen\n%s", sc.YAML(), again.YAML())
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

// withoutLines is sc with its faults' source lines cleared: where a fault
// was written is not part of what it does.
func withoutLines(sc *Scenario) *Scenario {
	c := *sc
	c.src = nil // where it was read from
	c.Faults = nil
	for _, f := range sc.Faults {
		f.Line = 0
		c.Faults = append(c.Faults, f)
	}
	return &c
}

// TestPartialEntriesTakeDefaults: each testdata/partial/NAME.yaml leaves
// fields out — of an entry of a mapping, of a section, or whole sections —
// and gives the same scenario, and the same result file, as
// NAME.spelled.yaml, which spells every default out.
func TestPartialEntriesTakeDefaults(t *testing.T) {
	spelled, err := filepath.Glob("testdata/partial/*.spelled.yaml")
	if err != nil || len(spelled) < 8 {
		t.Fatalf("testdata/partial has %d spelled-out scenarios (%v); want the catalogue", len(spelled), err)
	}
	for _, full := range spelled {
		partial := strings.TrimSuffix(full, ".spelled.yaml") + ".yaml"
		t.Run(filepath.Base(partial), func(t *testing.T) {
			a, err := Load(partial)
			if err != nil {
				t.Fatal(err)
			}
			b, err := Load(full)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(withoutLines(a), withoutLines(b)) {
				t.Fatalf("Load(%s) = \n%s\nwant, as %s:\n%s", partial, a.YAML(), full, b.YAML())
			}
			if testing.Short() {
				return
			}
			ra, err := Run(a, RunOptions{Parallel: 2})
			if err != nil {
				t.Fatal(err)
			}
			rb, err := Run(b, RunOptions{Parallel: 2})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(encode(t, ra), encode(t, rb)) {
				t.Errorf("%s and %s ran to different result files", partial, full)
			}
		})
	}
}

// TestScenarioYAMLReproducesTheRun: feeding a result's scenario_yaml back
// gives the same result file, byte for byte outside wall (built-ins
// compressed to a few seconds, a fault and a rate curve among them).
func TestScenarioYAMLReproducesTheRun(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: runs two scenarios twice")
	}
	for _, name := range []string{"owner-outage", "traffic-spike"} {
		sc, _, err := Builtin(name)
		if err != nil {
			t.Fatal(err)
		}
		if sc, err = sc.Scaled(0.05); err != nil {
			t.Fatal(err)
		}
		sc.Population.Sellers = 5000
		first, err := Run(sc, RunOptions{Parallel: 2})
		if err != nil {
			t.Fatal(err)
		}
		again, err := Parse("scenario_yaml", []byte(first.ScenarioYAML))
		if err != nil {
			t.Fatalf("%s: scenario_yaml does not parse: %v\n%s", name, err, first.ScenarioYAML)
		}
		second, err := Run(again, RunOptions{Parallel: 2})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(encode(t, first), encode(t, second)) {
			t.Errorf("%s: running its scenario_yaml gave another result file", name)
		}
	}
}

// TestExplicitZeroMeansZero: a zero written in a file reaches the
// strategies as zero (no retry budget, no backoff, no cache, no
// anti-entropy, no waiting room), and only a field left out takes the
// default.
func TestExplicitZeroMeansZero(t *testing.T) {
	head := "duration: 10s\nwarmup: 0s\n"
	zero, err := Parse("zero.yaml", []byte(head+`services: {gig: {queue: 0}}
options:
  sync: {retries: 0, retry_budget: 0, backoff: 0s, cache_ttl: 0s, parallel: false}
  async: {reconcile_every: 0s}
traffic: {writes: {rate: 0/s}}
population: {with_clients: 0}
network: {default: {latency: 0s}}
broker: {publish_latency: 0s}
`))
	if err != nil {
		t.Fatal(err)
	}
	def, err := Parse("default.yaml", []byte(head))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		got, want any
	}{
		{"warmup", zero.Warmup.D(), time.Duration(0)},
		{"retries", zero.strategyConfig(strategies.Sync, nil, nil).Call.Retries, 0},
		{"retry_budget", zero.strategyConfig(strategies.Sync, nil, nil).Call.RetryBudget, 0.0},
		{"backoff", zero.strategyConfig(strategies.Sync, nil, nil).Call.Backoff, time.Duration(0)},
		{"parallel", zero.strategyConfig(strategies.Sync, nil, nil).Call.Parallel, false},
		{"cache_ttl", zero.strategyConfig(strategies.SyncCache, nil, nil).CacheTTL, time.Duration(0)},
		{"reconcile_every", zero.strategyConfig(strategies.Async, nil, nil).ReconcileEvery, time.Duration(0)},
		{"hybrid follows sync's retries", *zero.Options.Hybrid.Retries, 0},
		{"queue", zero.Services["gig"].spec().Queue, sim.NoQueue},
		{"writes rate", float64(*zero.Traffic.Writes.Rate), 0.0},
		{"with_clients", *zero.Population.WithClients, 0.0},
		{"latency", zero.Network.Default.Latency.Dist, sim.Dist(sim.Const{})},
		{"default retry_budget", def.strategyConfig(strategies.Sync, nil, nil).Call.RetryBudget, 0.2},
		{"default backoff", def.strategyConfig(strategies.Sync, nil, nil).Call.Backoff, 5 * time.Millisecond},
		{"default cache_ttl", def.strategyConfig(strategies.SyncCache, nil, nil).CacheTTL, 10 * time.Second},
		{"default reconcile_every", def.strategyConfig(strategies.Async, nil, nil).ReconcileEvery, 10 * time.Minute},
		{"default queue", def.Services["gig"].spec().Queue, 0}, // sim's unbounded
		{"default commit_interval", def.brokerSpec().CommitInterval, 5 * time.Second},
	}
	for _, tt := range tests {
		if !reflect.DeepEqual(tt.got, tt.want) {
			t.Errorf("%s = %v; want %v", tt.name, tt.got, tt.want)
		}
	}
}

// TestEveryCountRefusesFractions: every integer field of the scenario, as
// its types say (so a field added later is covered too), refuses a
// fraction with its path.
func TestEveryCountRefusesFractions(t *testing.T) {
	var paths [][]string
	var walk func(typ reflect.Type, path []string)
	walk = func(typ reflect.Type, path []string) {
		for typ.Kind() == reflect.Pointer {
			typ = typ.Elem()
		}
		if reflect.PointerTo(typ).Implements(reflect.TypeFor[yaml.Unmarshaler]()) {
			return // its own notation (durations, rates, queue) and its own bad files
		}
		switch typ.Kind() {
		case reflect.Struct:
			for i := range typ.NumField() {
				tag, _, _ := strings.Cut(typ.Field(i).Tag.Get("yaml"), ",")
				if tag != "" && tag != "-" {
					walk(typ.Field(i).Type, append(slices.Clone(path), tag))
				}
			}
		case reflect.Map:
			key := map[string]string{"services": "gig", "links": "gig->topclients"}[path[len(path)-1]]
			if key != "" {
				walk(typ.Elem(), append(slices.Clone(path), key))
			}
		case reflect.Int, reflect.Int64, reflect.Uint64:
			paths = append(paths, path)
		}
	}
	walk(reflect.TypeFor[Scenario](), nil)
	if sc, err := Parse("x.yaml", []byte("duration: 10s\npopulation: {sellers: 1e5}\n")); err != nil || sc.Population.Sellers != 100_000 {
		t.Errorf("Parse(sellers: 1e5) = %v; want 100000 sellers: a whole number written with an exponent is a count", err)
	}
	if len(paths) < 8 {
		t.Fatalf("found %d count fields (%v); want every one", len(paths), paths)
	}
	for _, path := range paths {
		doc := "2.5"
		for i := len(path) - 1; i >= 0; i-- {
			doc = fmt.Sprintf("{%s: %s}", path[i], doc)
		}
		text := "duration: 10s\n" + strings.TrimSuffix(strings.TrimPrefix(doc, "{"), "}") + "\n"
		_, err := Parse("x.yaml", []byte(text))
		dotted := strings.Join(path, ".")
		if err == nil || !strings.Contains(err.Error(), dotted) || !strings.Contains(err.Error(), "whole number") {
			t.Errorf("Parse(%q) = %v; want an error naming %s and asking for a whole number", text, err, dotted)
		}
	}
}

// TestLoadDirectory: a directory is not a scenario, and Load says so.
func TestLoadDirectory(t *testing.T) {
	dir := t.TempDir()
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("Load(dir) = %v; want an error saying it is a directory", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "x.yaml"), []byte("duration: 2s\nwarmup: 1s\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(filepath.Join(dir, "x.yaml")); err != nil {
		t.Errorf("Load(x.yaml) = %v; want a scenario", err)
	}
}

// TestREADMEFaultTable keeps the README's table of fault kinds × targets
// true: a cell saying "refused" is refused, any other runs.
func TestREADMEFaultTable(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	header := "| kind | `topclients` (owner) | `gig`, `user`, `search` (page services) | `broker` | `client` (the driver) |"
	_, table, ok := strings.Cut(string(readme), header)
	if !ok {
		t.Fatalf("README.md has no fault table starting %q", header)
	}
	targets := [][]string{{"topclients"}, {"gig", "user", "search"}, {"broker"}, {"client"}}
	extra := map[string]string{"slowdown": ", factor: 3", "duplicate": ", p: 0.1"}
	checked := 0
	for _, row := range strings.Split(table, "\n")[2:] {
		if !strings.HasPrefix(row, "|") {
			break
		}
		cells := strings.Split(strings.Trim(row, "|"), "|")
		for _, kind := range strings.Split(strings.ReplaceAll(strings.TrimSpace(cells[0]), "`", ""), ", ") {
			for i, names := range targets {
				cell := strings.TrimSpace(cells[i+1])
				if cell == "—" {
					continue
				}
				for _, target := range names {
					text := fmt.Sprintf("duration: 10s\nwarmup: 1s\nfaults:\n  - {at: 2s, for: 1s, kind: %s, target: %s%s}\n", kind, target, extra[kind])
					_, err := Parse("x.yaml", []byte(text))
					refused := strings.HasPrefix(cell, "refused")
					if refused != (err != nil) || (refused && !strings.Contains(err.Error(), "would change nothing")) {
						t.Errorf("README says %s of %s: %q; Parse = %v", kind, target, cell, err)
					}
					checked++
				}
			}
		}
	}
	if checked < 20 {
		t.Errorf("checked %d cells of the README's fault table; want every kind × node target", checked)
	}
}

// TestREADMEScenarioShowsTheDefaults keeps "any field left out takes the
// value shown" true: the README's annotated scenario, but for its example
// link and fault, is DefaultScenario.
func TestREADMEScenarioShowsTheDefaults(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, _ := strings.Cut(string(readme), "## The scenario file")
	_, block, ok := strings.Cut(section, "```yaml\n")
	block, _, _ = strings.Cut(block, "```")
	if !ok || !strings.Contains(block, "services:") {
		t.Fatal("README.md's scenario file section has no ```yaml block")
	}
	var kept []string
	skip := false
	for _, line := range strings.Split(block, "\n") {
		switch {
		case strings.HasPrefix(line, "  links:"):
			continue // an example; there are none by default
		case strings.HasPrefix(line, "faults:"):
			skip = true // an example; there are none by default
		case strings.HasPrefix(line, "description:"):
			continue
		}
		if !skip {
			kept = append(kept, line)
		}
	}
	shown, err := Parse("baseline.yaml", []byte(strings.Join(kept, "\n")))
	if err != nil {
		t.Fatalf("README's scenario does not parse: %v", err)
	}
	def, err := Parse("baseline.yaml", []byte("name: baseline\n"))
	if err != nil {
		t.Fatal(err)
	}
	if shown.YAML() != def.YAML() {
		t.Errorf("README's scenario is\n%s\nwant the defaults,\n%s", shown.YAML(), def.YAML())
	}
}
