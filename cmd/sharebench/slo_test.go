package main

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/sharebench/sharebench/results"
)

// linearLoad is a marketplace whose owner load has a closed form: gig
// pages only (one seller each), sellers picked uniformly, no self-views.
// sync calls the owner on every page: pageRate + writeRate requests per
// second whatever with_clients is. hybrid calls it only for the sellers
// its ID view says have clients: pageRate·w + writeRate at with_clients = w.
// async only takes the writes.
const (
	pageRate, writeRate = 1000.0, 10.0
	rpsLimit            = 460.0
)

var linearLoad = `name: linear-load
seed: 7
duration: 10s
warmup: 2s
strategies: [sync, async, hybrid]
population:
  sellers: 20000
  with_clients: 0.3
  clients_per_seller: {dist: uniform, min: 1, max: 4}
  client_bytes: 100
traffic:
  pages: {rate: ` + strconv.Itoa(int(pageRate)) + `/s, popularity: uniform, mix: {gig: 1}}
  writes: {rate: ` + strconv.Itoa(int(writeRate)) + `/s}
services:
  topclients: {workers: 16, queue: 1000, service_time: {dist: exp, mean: 1ms}}
slo:
  targets:
    owner.rps: <=` + strconv.Itoa(int(rpsLimit)) + `
`

// TestDecisionMapClosedForm: under owner.rps <= 460, hybrid (load
// 1000·w + 10 req/s) meets the target up to w* = (460 − 10)/1000 = 0.45
// and sync (1010 req/s) nowhere. Swept over with_clients = 0.3 … 0.6, the
// map must put hybrid's boundary between the 0.4 and 0.5 cells, and each
// cell's measured load must match the closed form within its interval
// (3 half-widths).
func TestDecisionMapClosedForm(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a four-cell sweep")
	}
	dir := t.TempDir()
	scenario := filepath.Join(dir, "linear-load.yaml")
	if err := os.WriteFile(scenario, []byte(linearLoad), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "sweep")
	var stdout, stderr bytes.Buffer
	if err := run([]string{"sweep", "-q", "-parallel", "2", "-set", "population.with_clients=0.3,0.4,0.5,0.6", "-o", out, scenario}, &stdout, &stderr); err != nil {
		t.Fatalf("sweep: %v\n%s", err, stderr.String())
	}
	wStar := (rpsLimit - writeRate) / pageRate
	_, rows, err := readSweep(out)
	if err != nil {
		t.Fatal(err)
	}
	m := results.Decide([]string{"population.with_clients"}, rows, nil)
	if m == nil {
		t.Fatal("Decide = nil; want a map from the cells' slo")
	}
	hybrid, _ := results.Lookup("owner.rps")
	for i, c := range m.Cells {
		w, _ := strconv.ParseFloat(c.Values[0], 64)
		f := results.FigureOf(rows[i].File.Strategies["hybrid"], hybrid)
		if want := pageRate*w + writeRate; math.Abs(f.Value-want) > 3*f.CI95 {
			t.Errorf("hybrid owner.rps at with_clients=%v = %.1f ±%.1f; closed form %.0f", w, f.Value, f.CI95, want)
		}
		meets := slices.Contains(c.Meeting, "hybrid")
		if meets != (w < wStar) {
			t.Errorf("with_clients=%v: hybrid meets owner.rps<=%v: %v; want %v (w* = %.2f)", w, rpsLimit, meets, w < wStar, wStar)
		}
		if slices.Contains(c.Meeting, "sync") {
			t.Errorf("with_clients=%v: sync meets owner.rps<=%v; its load is %v", w, rpsLimit, pageRate+writeRate)
		}
	}
	var hybridEdges []results.Boundary
	for _, b := range m.Boundaries {
		if b.Column == "hybrid" {
			hybridEdges = append(hybridEdges, b)
		}
	}
	if len(hybridEdges) != 1 || hybridEdges[0].From != "0.4" || hybridEdges[0].To != "0.5" {
		t.Errorf("hybrid boundaries = %+v; want one, between with_clients 0.4 and 0.5", hybridEdges)
	}
	if want := "between population.with_clients = 0.4 and 0.5, hybrid stops meeting every target"; !strings.Contains(stdout.String(), want) {
		t.Errorf("sweep output lacks %q:\n%s", want, stdout.String())
	}
	if _, err := os.Stat(filepath.Join(out, "decision.png")); err != nil {
		t.Errorf("no decision map: %v", err)
	}
	if err := run([]string{"report", out}, new(bytes.Buffer), &stderr); err != nil {
		t.Fatalf("report on the sweep: %v", err)
	}
	md, _ := os.ReadFile(filepath.Join(out, "report.md"))
	if want := "- between population.with_clients = 0.4 and 0.5, hybrid stops meeting every target"; !strings.Contains(string(md), "## Decision map") || !strings.Contains(string(md), want) {
		t.Errorf("sweep report lacks the decision map or %q", want)
	}
}

// TestSLOExitStatus: run -slo-fail exits 4 when no column meets every
// target and 0 when one does; compare -slo counts a target the new file
// fails, as a target missed (exit 1).
func TestSLOExitStatus(t *testing.T) {
	if testing.Short() {
		t.Skip("runs owner-outage")
	}
	dir := t.TempDir()
	args := []string{"run", "-q", "-duration", "25s", "-slo", "completeness>=99%"}
	var stdout, stderr bytes.Buffer
	err := run(append(args, "-slo", "latency.p99<=1ms", "-slo-fail", "-o", filepath.Join(dir, "a"), "owner-outage"), &stdout, &stderr)
	if code := exitStatus(err, new(bytes.Buffer)); code != exitSLO || !strings.Contains(err.Error(), "no strategy or plan meets every slo target") {
		t.Errorf("run -slo-fail, targets no one meets: exit %d (%v); want %d", code, err, exitSLO)
	}
	err = run(append(args, "-slo-fail", "-o", filepath.Join(dir, "b"), "owner-outage"), &stdout, &stderr)
	if code := exitStatus(err, new(bytes.Buffer)); code != 0 {
		t.Errorf("run -slo-fail, async meets completeness>=99%%: exit %d (%v); want 0", code, err)
	}
	if !strings.Contains(stdout.String(), "slo completeness>=99%") || !strings.Contains(stdout.String(), "MEETS (cheapest)") {
		t.Errorf("run table lacks the slo rows:\n%s", stdout.String())
	}
	stdout.Reset()
	err = run([]string{"compare", "-slo", "scenario", filepath.Join(dir, "b"), filepath.Join(dir, "b")}, &stdout, &stderr)
	if code := exitStatus(err, new(bytes.Buffer)); code != exitFailure || !strings.Contains(stdout.String(), "sync       completeness>=99%            fail") || !strings.Contains(err.Error(), "missed (0 regressions)") {
		t.Errorf("compare -slo scenario: exit %d (%v); want 1 with sync failing completeness:\n%s", code, err, stdout.String())
	}
	err = run([]string{"sweep", "-q", "-set", "population.with_clients=0.1,0.2", "-slo", "owner.rps@reviews<=3", "-o", filepath.Join(dir, "sw"), "owner-outage"}, new(bytes.Buffer), new(bytes.Buffer))
	if code := exitStatus(err, new(bytes.Buffer)); code != exitUsage || !strings.Contains(err.Error(), "owner.rps@reviews: no such figure") {
		t.Errorf("sweep -slo on an owner the scenario lacks: exit %d (%v); want %d before any cell runs", code, err, exitUsage)
	}
	err = run([]string{"compare", "-slo", "completeness>=50%", "-slo", "scenario", filepath.Join(dir, "b"), filepath.Join(dir, "b")}, new(bytes.Buffer), &stderr)
	if code := exitStatus(err, new(bytes.Buffer)); code != 0 {
		t.Errorf("compare -slo completeness>=50%%: exit %d (%v); want 0", code, err)
	}
}

// shopScenario is a small scenario of the general form: owners inventory
// and reviews, page kind product on service store.
const shopScenario = `name: shop
duration: 4s
warmup: 1s
strategies: [sync, async]
owners:
  inventory:
    population: {records: 500}
  reviews:
    population: {records: 200}
page_services: {store: {workers: 8}}
page_kinds:
  product: {service: store, share: 1, reads: [{owner: inventory}, {owner: reviews, records: 5}]}
`

// TestCompareSLOUnknownTarget: compare -slo refuses a target on a figure
// the new file lacks (a misspelt owner) with a usage error, as run -slo
// does, instead of warning and passing.
func TestCompareSLOUnknownTarget(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "shop.yaml")
	if err := os.WriteFile(path, []byte(shopScenario), 0o644); err != nil {
		t.Fatal(err)
	}
	r := filepath.Join(dir, "r")
	if err := run([]string{"run", "-q", "-o", r, path}, new(bytes.Buffer), new(bytes.Buffer)); err != nil {
		t.Fatal(err)
	}
	var stdout bytes.Buffer
	err := run([]string{"compare", "-slo", "owner.rps@reveiws<=10", r, r}, &stdout, new(bytes.Buffer))
	if code := exitStatus(err, new(bytes.Buffer)); code != exitUsage || !strings.Contains(err.Error(), "owner.rps@reveiws") || !strings.Contains(err.Error(), "no such figure") {
		t.Errorf("compare -slo owner.rps@reveiws<=10: exit %d (%v); want %d naming the target", code, err, exitUsage)
	}
	err = run([]string{"compare", "-slo", "owner.rps@reviews<=100000", r, r}, &stdout, new(bytes.Buffer))
	if code := exitStatus(err, new(bytes.Buffer)); code != 0 {
		t.Errorf("compare -slo owner.rps@reviews<=100000: exit %d (%v); want 0", code, err)
	}
}

// TestRunSLORareEvents: the review's run: no failed page in a few
// thousand cannot pass 99.99 % (the rule of three supports about
// 1 − 3/n), while a stale fraction of a few sections in tens of
// thousands passes 1 % (its Poisson bound clears it), whatever the count.
func TestRunSLORareEvents(t *testing.T) {
	path := writeScenario(t, shopScenario)
	var stdout bytes.Buffer
	args := []string{"run", "-q", "-o", t.TempDir(), "-slo", "availability>=99.99%", "-slo", "stale_fraction<=1%", "-slo", "owner.rejected<=0", path}
	if err := run(args, &stdout, new(bytes.Buffer)); err != nil {
		t.Fatal(err)
	}
	rows := map[string][]string{}
	for _, line := range strings.Split(stdout.String(), "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[0] == "slo" {
			rows[f[1]] = f[2:]
		}
	}
	for target, want := range map[string]string{"availability>=99.99%": "unclear", "stale_fraction<=1%": "pass", "owner.rejected<=0": "pass"} {
		got := rows[target]
		if len(got) != 2 || got[0] != want || got[1] != want {
			t.Errorf("run -slo %s: verdicts %q; want %s for sync and async\n%s", target, got, want, stdout.String())
		}
	}
}

// TestSLOGateSaysWhatDecides: -slo-fail with only unclear verdicts names
// what would decide each (review 8).
func TestSLOGateSaysWhatDecides(t *testing.T) {
	path := writeScenario(t, shopScenario)
	err := run([]string{"run", "-q", "-o", t.TempDir(), "-slo", "availability>=99.99%", "-slo-fail", path}, new(bytes.Buffer), new(bytes.Buffer))
	if code := exitStatus(err, new(bytes.Buffer)); code != exitSLO || !strings.Contains(err.Error(), "availability>=99.99% unclear (to decide: about ") {
		t.Errorf("run -slo-fail availability>=99.99%%: exit %d (%v); want %d saying what would decide it", code, err, exitSLO)
	}
}
