package workload

import (
	"math"
	"os"
	"strings"
	"testing"
)

const sweepScenario = `
name: economy
duration: 8s
warmup: 1s
strategies: [sync, async, hybrid]
population: {sellers: 5000}
traffic:
  pages: {rate: 1000/s, popularity: uniform}
  writes: {rate: 0/s}
`

func TestParseSet(t *testing.T) {
	p, err := ParseSet("services.topclients.service_time={dist: exp, mean: 2ms},{dist: exp, mean: 4ms}, 3ms")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"{dist: exp, mean: 2ms}", "{dist: exp, mean: 4ms}", "3ms"}
	if p.Path != "services.topclients.service_time" || strings.Join(p.Values, "|") != strings.Join(want, "|") {
		t.Errorf("ParseSet = %+v; want the path and %v", p, want)
	}
	for _, bad := range []string{"population.sellers", "=1,2", "x={a: 1", "x="} {
		if _, err := ParseSet(bad); err == nil {
			t.Errorf("ParseSet(%q) = nil error; want one", bad)
		}
	}
}

// TestCellsAreCheckedFirst: a path or value the scenario rejects fails the
// whole sweep before anything runs, naming the cell.
func TestCellsAreCheckedFirst(t *testing.T) {
	for _, tt := range []struct{ set, want string }{
		{"population.with_clients=0.5,1.5", "cell population.with_clients=1.5"},
		{"population.wth_clients=0.5", `unknown field "wth_clients" in population`},
		{"traffic.pages.rate=100/s,fast", `"fast" is not a rate`},
	} {
		p, err := ParseSet(tt.set)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Cells("economy.yaml", []byte(sweepScenario), []Param{p}); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Cells(-set %s) = %v; want an error mentioning %q", tt.set, err, tt.want)
		}
	}
}

// TestWithClientsSweep: the seed's insight. Over with_clients from 0 to 1,
// hybrid's owner reads for public pages grow linearly — the share of
// sellers with clients of sync's — and meet sync's at 1; async reads the
// owner for no public page at all.
func TestWithClientsSweep(t *testing.T) {
	p, _ := ParseSet("population.with_clients=0,0.25,0.5,0.75,1")
	cells, err := Cells("economy.yaml", []byte(sweepScenario), []Param{p})
	if err != nil {
		t.Fatal(err)
	}
	files, err := Sweep([]Param{p}, cells, SweepOptions{Dir: t.TempDir(), Parallel: 2})
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range files {
		w := []float64{0, 0.25, 0.5, 0.75, 1}[i]
		sync, async, hybrid := f.Strategies["sync"].Owner.PublicRPS, f.Strategies["async"].Owner.PublicRPS, f.Strategies["hybrid"].Owner.PublicRPS
		if async != 0 {
			t.Errorf("with_clients %v: async reads the owner %v times a second for public pages; want 0", w, async)
		}
		// The share of sellers with clients is binomial over 5,000 sellers:
		// 3% of sync's reads covers it with room to spare.
		if math.Abs(hybrid-w*sync) > 0.03*sync {
			t.Errorf("with_clients %v: hybrid %v owner reads/s; want ≈ %v × sync's %v = %v", w, hybrid, w, sync, w*sync)
		}
		t.Logf("with_clients %.2f: sync %.0f, hybrid %.0f, async %.0f public owner reads/s", w, sync, hybrid, async)
	}
}

// TestSweepResumes: a sweep run again does only the cells still missing.
func TestSweepResumes(t *testing.T) {
	p, _ := ParseSet("traffic.pages.rate=100/s,200/s,300/s")
	d, _ := ParseSet("duration=2s")
	params := []Param{p, d}
	cells, err := Cells("economy.yaml", []byte(sweepScenario), params)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	count := func() (ran, skipped int) {
		_, err := Sweep(params, cells, SweepOptions{Dir: dir, Parallel: 2, Done: func(_ Cell, skip bool) {
			if skip {
				skipped++
			} else {
				ran++
			}
		}})
		if err != nil {
			t.Fatal(err)
		}
		return
	}
	if ran, skipped := count(); ran != 3 || skipped != 0 {
		t.Fatalf("first sweep ran %d, skipped %d; want 3 and 0", ran, skipped)
	}
	// An interruption: the middle cell never finished.
	if err := os.Remove(CellPath(dir, params, cells[1])); err != nil {
		t.Fatal(err)
	}
	if ran, skipped := count(); ran != 1 || skipped != 2 {
		t.Errorf("sweep after an interruption ran %d, skipped %d; want 1 and 2", ran, skipped)
	}
}

// TestSafeName: any scenario name becomes one path component that stays
// inside runs/, and names already safe are kept as they are.
func TestSafeName(t *testing.T) {
	for _, tt := range []struct{ name, want string }{
		{"baseline", "baseline"},
		{"owner-outage_2.v1", "owner-outage_2.v1"},
		{"../x", "_._x"},
		{"..", "scenario_."},
		{".", "scenario_"},
		{"", "scenario"},
		{"a/b\\c", "a_b_c"},
		{".hidden", "_hidden"},
		{"my scenario: v2", "my_scenario__v2"},
		{"café", "café"},
	} {
		if got := SafeName(tt.name); got != tt.want {
			t.Errorf("SafeName(%q) = %q; want %q", tt.name, got, tt.want)
		}
	}
	long := SafeName(strings.Repeat("x/", 100))
	if len(long) > 100 || strings.ContainsAny(long, `/\`) || long == SafeName(strings.Repeat("x\\", 100)) {
		t.Errorf("SafeName of a long name = %q (%d bytes); want ≤ 100 bytes, no separator, a hash telling names apart", long, len(long))
	}
}

// TestCellsRefuseAFieldSetTwice: which of two -set values of one field was
// meant is not for the sweep to guess.
func TestCellsRefuseAFieldSetTwice(t *testing.T) {
	a, _ := ParseSet("population.with_clients=0,0.5")
	b, _ := ParseSet("population.with_clients=1")
	if _, err := Cells("economy.yaml", []byte(sweepScenario), []Param{a, b}); err == nil || !strings.Contains(err.Error(), "population.with_clients is given twice") {
		t.Errorf("Cells(the same field twice) = %v; want an error saying it is given twice", err)
	}
}

// TestSourceDirectory: a directory given as a scenario is called one,
// with what was expected; one named like a built-in does not hide it.
func TestSourceDirectory(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := Source(dir); err == nil || !strings.Contains(err.Error(), "is a directory") || !strings.Contains(err.Error(), "scenario file") {
		t.Errorf("Source(%s) = %v; want an error saying it is a directory and what was expected", dir, err)
	}
	t.Chdir(dir)
	os.Mkdir("baseline", 0o755)
	if name, _, err := Source("baseline"); err != nil || name != "baseline.yaml" {
		t.Errorf("Source(baseline) beside a directory baseline = %q, %v; want the built-in", name, err)
	}
}
