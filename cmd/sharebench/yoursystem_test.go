package main

// The README's "Model your own system" example, end to end: the command it
// shows runs, the scenario it shows is the built-in, and the report speaks
// of the scenario's own services, pages and owners, never the
// marketplace's. And sweeps reach the general form's fields.

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/sharebench/sharebench/results"
	"github.com/sharebench/sharebench/workload"
)

// readmeSection returns the lines of the README section titled heading,
// up to the next heading of the same or a higher level.
func readmeSection(t *testing.T, heading string) []string {
	t.Helper()
	data, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	start := slices.Index(lines, heading)
	if start < 0 {
		t.Fatalf("README has no section %q", heading)
	}
	level := headingLevel(heading)
	end := len(lines)
	fenced := false // a # inside a code block is a comment, not a heading
	for i := start + 1; i < len(lines); i++ {
		if strings.HasPrefix(lines[i], "```") {
			fenced = !fenced
		}
		if l := headingLevel(lines[i]); !fenced && l > 0 && l <= level {
			end = i
			break
		}
	}
	return lines[start:end]
}

// headingLevel is the number of #s opening a Markdown heading, 0 for any
// other line.
func headingLevel(line string) int {
	n := len(line) - len(strings.TrimLeft(line, "#"))
	if n == 0 || !strings.HasPrefix(line[n:], " ") {
		return 0
	}
	return n
}

// fencedBlocks returns the fenced code blocks of lines whose opening fence
// is exactly fence (```yaml, ```sh), each as its text.
func fencedBlocks(lines []string, fence string) []string {
	var blocks []string
	for i := 0; i < len(lines); i++ {
		if lines[i] != fence {
			continue
		}
		j := i + 1
		for j < len(lines) && !strings.HasPrefix(lines[j], "```") {
			j++
		}
		blocks = append(blocks, strings.Join(lines[i+1:j], "\n")+"\n")
		i = j
	}
	return blocks
}

const yourSystemHeading = "## Model your own system"

// TestREADMEProductPageIsTheBuiltin: the scenario the README shows is the
// built-in product-page, byte for byte, so the example and the file never
// drift apart.
func TestREADMEProductPageIsTheBuiltin(t *testing.T) {
	section := readmeSection(t, yourSystemHeading)
	_, builtin, err := workload.Builtin("product-page")
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range fencedBlocks(section, "```yaml") {
		if strings.HasPrefix(b, "name: product-page\n") {
			if b != string(builtin) {
				t.Errorf("the README's product-page scenario differs from workload/scenarios/product-page.yaml; copy the file into the README")
			}
			return
		}
	}
	t.Fatalf("README section %q shows no ```yaml block starting with name: product-page", yourSystemHeading)
}

// readmeCommand finds the README section's shell line running sharebench
// with the given subcommand and returns its arguments.
func readmeCommand(t *testing.T, section []string, sub string) []string {
	t.Helper()
	for _, b := range fencedBlocks(section, "```sh") {
		for _, line := range strings.Split(b, "\n") {
			line, _, _ = strings.Cut(line, "#")
			if args, ok := strings.CutPrefix(strings.TrimSpace(line), "go run ./cmd/sharebench "); ok {
				if f := strings.Fields(args); len(f) > 0 && f[0] == sub {
					return f
				}
			}
		}
	}
	t.Fatalf("README section %q has no `go run ./cmd/sharebench %s …` line", yourSystemHeading, sub)
	return nil
}

// TestREADMEProductPageReportNamesItsOwnSystem runs the README's command
// (into a temporary directory, quietly), then `report` on the run, and
// reads report.md and report.html: they name the scenario's page service,
// page kinds, owners and plan, and never the marketplace's owner or page
// services.
func TestREADMEProductPageReportNamesItsOwnSystem(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: runs the product-page example (seconds)")
	}
	section := readmeSection(t, yourSystemHeading)
	args := readmeCommand(t, section, "run")
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	argv := append(slices.Clone(args), "-q", "-o", dir)
	if err := run(argv, &stdout, &stderr); err != nil {
		t.Fatalf("sharebench %s: %v\n%s", strings.Join(argv, " "), err, stderr.String())
	}
	table := stdout.String()
	if err := run([]string{"report", dir}, &stdout, &stderr); err != nil {
		t.Fatalf("sharebench report %s: %v\n%s", dir, err, stderr.String())
	}
	f, err := results.ReadFile(filepath.Join(dir, resultName))
	if err != nil {
		t.Fatal(err)
	}
	if f.Topology == nil {
		t.Fatal("result.json has no topology; a general-form run must record it")
	}
	// The names the scenario gives, which a reader must find everywhere.
	own := []string{"product", "inventory-editor", "inventory", "pricing", "reviews", "hot-async"}
	if got := f.Order; !slices.Equal(got, []string{"sync", "async", "hybrid", "hot-async"}) {
		t.Errorf("result.json order = %v; want the strategies, then the plan", got)
	}
	embedded := regexp.MustCompile(`data:[a-z/+.-]+;base64,[A-Za-z0-9+/=]+`)
	// Its owner, its page services, and its records' items (clients):
	// words of the marketplace, none of which product-page uses.
	marketplace := regexp.MustCompile(`(?i)\btopclients\b|\btop clients\b|\bgig\b|\bclients\b`)
	for _, name := range []string{"report.md", "report.html"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		// Plots are embedded as base64, whose + and / could frame any word.
		text := embedded.ReplaceAllString(string(data), "")
		for _, w := range own {
			if !regexp.MustCompile(`\b` + regexp.QuoteMeta(w) + `\b`).MatchString(text) {
				t.Errorf("%s never names %q, a name of the scenario's own", name, w)
			}
		}
		if loc := marketplace.FindStringIndex(text); loc != nil {
			lo, hi := max(loc[0]-60, 0), min(loc[1]+60, len(text))
			t.Errorf("%s names the marketplace (%q) in a product-page report: …%s…", name, text[loc[0]:loc[1]], text[lo:hi])
		}
	}
	// The table on stdout reads the same way.
	for _, w := range []string{"hot-async", "reviews", "product"} {
		if !strings.Contains(table, w) {
			t.Errorf("run's table never names %q:\n%s", w, table)
		}
	}
	if marketplace.MatchString(table) {
		t.Errorf("run's table names the marketplace:\n%s", table)
	}
}

// sweepScenario: one page of two owners read by sync, and a plan mix that
// shares them its own way. Owner slow has one worker at ρ = 0.8 (400
// pages/s, exponential service of mean 2ms), so its sojourn, the page's
// tail, is long: p99 ln(100)/(μ − λ) = 46ms; two workers bring it to
// ρ = 0.4 and four to 0.2, where a call barely waits. Owner quick never
// makes the page wait long.
const sweepScenario = `
name: sweep-own
seed: 4
duration: 20s
warmup: 1s
strategies: [sync]
plans:
  - {name: mix, default: sync, owners: {}}
owners:
  slow:
    population: {records: 2000, with_data: 1, items: 2, item_bytes: 100}
    service: {workers: 1, queue: unbounded, service_time: {dist: exp, mean: 2ms}}
    writes: {rate: 20/s}
  quick:
    population: {records: 2000, with_data: 1, items: 2, item_bytes: 100}
    service: {workers: 8, queue: unbounded, service_time: 200us}
    writes: {rate: 20/s}
page_services:
  front: {workers: 256, queue: unbounded, service_time: 0s}
page_kinds:
  page:
    service: front
    share: 1
    reads:
      - {owner: slow}
      - {owner: quick}
traffic:
  pages: {rate: 400/s, popularity: uniform, timeout: 5s}
network: {default: {latency: 0s}}
options:
  sync: {timeout: 5s, retries: 0}
  async: {reconcile_every: 0s}
`

// runSweep writes text as a scenario file, runs `sharebench sweep -q -o
// DIR -set … FILE` and reads the cells back in grid order.
func runSweep(t *testing.T, text string, sets ...string) []results.SweepRow {
	t.Helper()
	file := filepath.Join(t.TempDir(), "sweep-own.yaml")
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	argv := []string{"sweep", "-q", "-o", dir, "-parallel", "2"}
	for _, s := range sets {
		argv = append(argv, "-set", s)
	}
	var stdout, stderr bytes.Buffer
	if err := run(append(argv, file), &stdout, &stderr); err != nil {
		t.Fatalf("sharebench %s: %v\n%s", strings.Join(argv, " "), err, stderr.String())
	}
	_, rows, err := readSweep(dir)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestSweepOwnerWorkers: a sweep over one owner's workers runs, and the
// page's p99, which waits for that owner, falls with every worker added,
// each step clearing both intervals.
func TestSweepOwnerWorkers(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: three cells of 21s")
	}
	rows := runSweep(t, sweepScenario, "owners.slow.service.workers=1,2,4")
	if len(rows) != 3 {
		t.Fatalf("%d cells; want 3", len(rows))
	}
	p99 := func(r results.SweepRow) (float64, float64) {
		m := r.File.Strategies["sync"]
		return m.Pages["all"].LatencyMS.P99, m.CI95["latency.p99"]
	}
	// One worker to two: ρ 0.8 to 0.4, the p99 falls several-fold. Two to
	// four: ρ 0.4 to 0.2, where a call seldom waits either way (M/M/2's p99
	// is about 1.2 times M/M/4's), so it must not rise.
	one, oneCI := p99(rows[0])
	two, twoCI := p99(rows[1])
	four, fourCI := p99(rows[2])
	if !(one-oneCI > two+twoCI) {
		t.Errorf("latency.p99 with owners.slow.service.workers=1 = %.2f ± %.2f ms; with 2 = %.2f ± %.2f ms; want it to fall, the intervals apart", one, oneCI, two, twoCI)
	}
	if four-fourCI > two+twoCI {
		t.Errorf("latency.p99 with owners.slow.service.workers=2 = %.2f ± %.2f ms; with 4 = %.2f ± %.2f ms; want no rise", two, twoCI, four, fourCI)
	}
	// One worker at ρ = 0.8: the page's p99 is at least the slow owner's
	// M/M/1 sojourn p99, ln(100)/(μ − λ) = 46ms, less its interval.
	if got, ci := p99(rows[0]); got < 46.05-2*ci {
		t.Errorf("latency.p99 with one worker = %.2f ± %.2f ms; want at least the M/M/1 sojourn's p99, 46ms", got, ci)
	}
	// The other owner's load is the same in every cell: the sweep changed
	// slow's workers and nothing else.
	for _, r := range rows {
		if q := r.File.Strategies["sync"].Owners["quick"]; q == nil || q.Load.Requests == 0 {
			t.Errorf("cell %v: owners.quick = %+v; want its load", r.Values, q)
		}
	}
}

// TestSweepPlanOwnerChoice: a sweep over a plan's choice for one owner
// runs, and the plan column follows it: with slow shared sync the plan
// calls slow on every public page; with async it calls it never and holds
// a view of slow's data instead, while quick stays sync in both.
func TestSweepPlanOwnerChoice(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: two cells of 21s")
	}
	rows := runSweep(t, sweepScenario, "plans.mix.owners.slow=sync,async")
	if len(rows) != 2 {
		t.Fatalf("%d cells; want 2", len(rows))
	}
	for _, r := range rows {
		choice := r.Values[0]
		mix := r.File.Strategies["mix"]
		if mix == nil {
			t.Fatalf("cell %s: no column mix; order %v", choice, r.File.Order)
		}
		slow, quick := mix.Owners["slow"], mix.Owners["quick"]
		if slow == nil || quick == nil {
			t.Fatalf("cell %s: owners = %v; want slow and quick", choice, mix.Owners)
		}
		if slow.Strategy != choice || quick.Strategy != "sync" {
			t.Errorf("cell plans.mix.owners.slow=%s: owners' strategies slow %q, quick %q; want %s and sync", choice, slow.Strategy, quick.Strategy, choice)
		}
		pages := mix.Pages["all"].Count
		switch choice {
		case "sync":
			if slow.Load.PublicReads != pages || slow.Duplication["front"] != 0 {
				t.Errorf("cell slow=sync: slow read %d times for %d public pages, %d bytes held by front; want one read a page and no copy", slow.Load.PublicReads, pages, slow.Duplication["front"])
			}
		case "async":
			if slow.Load.PublicReads != 0 || slow.Duplication["front"] == 0 {
				t.Errorf("cell slow=async: slow read %d times by public pages, %d bytes held by front; want none and a view", slow.Load.PublicReads, slow.Duplication["front"])
			}
		}
		if quick.Load.PublicReads != pages {
			t.Errorf("cell slow=%s: quick read %d times for %d public pages; want one read a page (it stays sync)", choice, quick.Load.PublicReads, pages)
		}
	}
}
