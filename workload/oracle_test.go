package workload

import (
	"bytes"
	"math"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sharebench/sharebench/pages"
	"github.com/sharebench/sharebench/results"
	"github.com/sharebench/sharebench/sim"
	"github.com/sharebench/sharebench/strategies"
	"github.com/sharebench/sharebench/workload/judge"
)

// poissonCommits commits every seller's list (one client) at Poisson
// times, lambda per second, until the given time.
func poissonCommits(o *oracle, r *rand.Rand, sellers int, lambda float64, until time.Duration) {
	for s := range strategies.Seller(sellers) {
		v := uint64(0)
		for at := time.Duration(0); ; {
			at += time.Duration(r.ExpFloat64() / lambda * 1e9)
			if at > until {
				break
			}
			v++
			o.committed(strategies.OwnerNode, &strategies.List{Seller: s, Version: v, Committed: at, Clients: make([]strategies.Client, 1)})
		}
	}
}

// TestOracleStalenessMatchesTheory: with Poisson commits at rate λ per
// seller and every read showing the version committed D earlier, a read is
// stale exactly when a commit fell in the last D: probability 1 − e^(−λD);
// and it is behind by the number of those commits: mean λD.
func TestOracleStalenessMatchesTheory(t *testing.T) {
	const sellers, lambda, reads = 1000, 1.0, 200_000
	const d = 300 * time.Millisecond
	hist := judge.NewHistory()
	o := newOracle(hist, sellers, 10*time.Second, 200*time.Second, 0)
	r := rng(8)
	poissonCommits(o, r, sellers, lambda, 200*time.Second)
	for range reads {
		s := strategies.Seller(r.IntN(sellers))
		at := 10*time.Second + time.Duration(r.Float64()*float64(190*time.Second))
		shown := hist.VersionAt(s, at-d)
		page := &strategies.Page{Kind: "gig", Sections: []strategies.Section{{Seller: s, Version: shown, Clients: 1, ReadAt: at}}}
		o.rendered("gig", []strategies.Seller{s}, at, at, page, false)
	}
	m := o.metrics().Pages["all"]
	p := 1 - math.Exp(-lambda*d.Seconds())
	within4SE(t, "stale fraction", m.StaleFraction, p, math.Sqrt(p*(1-p)/reads))
	// Versions behind is Poisson(λD) per read: variance λD.
	within4SE(t, "mean versions behind", m.VersionsBehind, lambda*d.Seconds(), math.Sqrt(lambda*d.Seconds()/reads))
	if m.StalenessMS.Max > float64(d.Milliseconds())+0.5 {
		t.Errorf("staleness max = %vms; a read D = %v late cannot be staler than D", m.StalenessMS.Max, d)
	}
	// PBS's curve: a read less than D after the last write is never
	// consistent here, one more than D after always is.
	lower := 0.0
	for _, b := range o.metrics().Consistency {
		switch {
		case b.AfterMS <= 300 && b.Consistent != 0:
			t.Errorf("reads %v–%vms after a write: %d of %d consistent; want none before D", lower, b.AfterMS, b.Consistent, b.Reads)
		case lower > 300 && b.Consistent != b.Reads:
			t.Errorf("reads %v–%vms after a write: %d of %d consistent; want all after D", lower, b.AfterMS, b.Consistent, b.Reads)
		}
		lower = b.AfterMS
	}
}

// TestOracleCatchesStaleSelfView plants a self-view one version behind the
// owner at its read: it is a violation; the current one is not.
func TestOracleCatchesStaleSelfView(t *testing.T) {
	hist := judge.NewHistory()
	o := newOracle(hist, 10, 0, time.Minute, 0)
	o.committed(strategies.OwnerNode, &strategies.List{Seller: 3, Version: 1, Committed: time.Second})
	o.committed(strategies.OwnerNode, &strategies.List{Seller: 3, Version: 2, Committed: 2 * time.Second})
	at := 3 * time.Second
	for _, v := range []uint64{2, 1} {
		page := &strategies.Page{Kind: "self", Sections: []strategies.Section{{Seller: 3, Version: v, ReadAt: at, FromOwner: true}}}
		o.rendered("self", []strategies.Seller{3}, at, at, page, false)
	}
	if got := o.metrics().SelfViewViolations; got != 1 {
		t.Errorf("self-view violations = %d; want 1 (the planted one at version 1)", got)
	}
}

// TestOracleRoutesRenders: a measured public render counts in its kind, in
// all and in the series, and its owner reads in owner.public_rps; a
// self-view counts in its own kind only; a render sent in the warm-up
// counts in the series only.
func TestOracleRoutesRenders(t *testing.T) {
	o := newOracle(judge.NewHistory(), 10, 10*time.Second, 20*time.Second, 0)
	o.committed(strategies.OwnerNode, &strategies.List{Seller: 1, Version: 1, Committed: 0, Clients: make([]strategies.Client, 1)})
	render := func(kind string, sent time.Duration) {
		page := &strategies.Page{Kind: kind, Sections: []strategies.Section{{Seller: 1, Version: 1, Clients: 1, ReadAt: sent, FromOwner: true}}}
		o.rendered(kind, []strategies.Seller{1}, sent, sent+time.Millisecond, page, false)
	}
	render("gig", 11*time.Second)
	render("self", 12*time.Second)
	render("gig", 5*time.Second)
	for kind, want := range map[string]int64{"gig": 1, "self": 1, "all": 1, "user": 0} {
		if got := o.kinds[kind].pages; got != want {
			t.Errorf("pages.%s.count = %d; want %d", kind, got, want)
		}
	}
	if o.sec.pages != 2 || o.publicReads != 1 {
		t.Errorf("series pages %d, public owner reads %d; want 2 (both gig renders), 1 (the measured gig section)", o.sec.pages, o.publicReads)
	}
	if got := o.metrics().Stats["self_view_violations"].N; got != 1 {
		t.Errorf("self-view sections judged = %d; want 1", got)
	}
}

// theoryScenario is async with a propagation delay dominated by a constant
// 200ms delivery latency: instant links, no page work, uniform traffic,
// add-only writes at λ = 1/s per seller.
const theoryScenario = `
name: theory
seed: 7
duration: 60s
warmup: 5s
strategies: [async]
population: {sellers: 100, with_clients: 1, clients_per_seller: 2}
traffic:
  pages: {rate: 2000/s, popularity: uniform, mix: {gig: 1}}
  writes: {rate: 100/s, mix: {add: 1}}
services:
  topclients: {workers: 8, service_time: 1ms}
  gig: {workers: 64, service_time: 0s}
  user: {workers: 64, service_time: 0s}
  search: {workers: 64, service_time: 0s}
network: {default: {latency: 0s}}
broker: {partitions: 4, publish_latency: 0s, delivery_latency: 200ms}
options: {async: {relay_interval: 1ms, reconcile_every: 0s}}
`

// TestAsyncStalenessMatchesTheoryEndToEnd: the whole pipeline (owner,
// outbox relay, broker, consumer, view, page, oracle) gives the stale
// fraction and version lag theory predicts for its propagation delay D:
// 200ms of delivery plus the relay's 0–1ms poll (0.5ms on average) and
// the owner's 1ms of work, which delays the commit, not the read.
func TestAsyncStalenessMatchesTheoryEndToEnd(t *testing.T) {
	sc, err := Parse("theory.yaml", []byte(theoryScenario))
	if err != nil {
		t.Fatal(err)
	}
	m, _, err := RunOne(sc, strategies.Async, sc.Seed)
	if err != nil {
		t.Fatal(err)
	}
	all := m.Pages["all"]
	t.Logf("stale fraction %.4f, versions behind %.4f, propagation %+v", all.StaleFraction, all.VersionsBehind, m.PropagationMS)
	const lambda, d = 1.0, 0.2005
	p := 1 - math.Exp(-lambda*d)
	// Reads of one seller within D of each other see the same commits, so
	// they are not independent: the error is taken over the 6,000 commit
	// windows, not the 120,000 reads.
	se := math.Sqrt(p * (1 - p) / 6000)
	within4SE(t, "stale fraction", all.StaleFraction, p, se)
	within4SE(t, "mean versions behind", all.VersionsBehind, lambda*d, math.Sqrt(lambda*d/6000))
	if all.Availability != 1 || all.Completeness != 1 {
		t.Errorf("availability %v, completeness %v; want both 1 without faults", all.Availability, all.Completeness)
	}
	if pr := m.PropagationMS; math.Abs(pr.P50-200.5) > 1 || pr.Max > 202 {
		t.Errorf("propagation = %+v; want about 200.5ms, never more than 202ms", pr)
	}
}

// TestCompletenessIsPerRender: pages that fail to render count against
// availability only; when every page that rendered showed its section,
// completeness is 100 %.
func TestCompletenessIsPerRender(t *testing.T) {
	hist := judge.NewHistory()
	o := newOracle(hist, 10, 0, 100*time.Second, 0)
	for s := range strategies.Seller(10) {
		o.committed(strategies.OwnerNode, &strategies.List{Seller: s, Version: 1, Committed: 0, Clients: make([]strategies.Client, 1)})
	}
	const pages, failing = 1000, 250
	for i := range pages {
		at := time.Duration(i) * 100 * time.Millisecond
		s := strategies.Seller(i % 10)
		if i%4 == 0 { // a quarter of the pages fail to render
			o.rendered("gig", []strategies.Seller{s}, at, at+time.Millisecond, nil, true)
			continue
		}
		page := &strategies.Page{Kind: "gig", Sections: []strategies.Section{{Seller: s, Version: 1, Clients: 1, ReadAt: at}}}
		o.rendered("gig", []strategies.Seller{s}, at, at+time.Millisecond, page, false)
	}
	m := o.metrics()
	all := m.Pages["all"]
	if all.Completeness != 1 {
		t.Errorf("completeness = %v; want 1: every rendered page showed its section", all.Completeness)
	}
	if want := float64(pages-failing) / pages; all.Availability != want {
		t.Errorf("availability = %v; want %v", all.Availability, want)
	}
	if all.WithClients != pages-failing || all.Rendered != pages-failing {
		t.Errorf("with clients %d, rendered %d; want both %d (failed pages have no sections to judge)", all.WithClients, all.Rendered, pages-failing)
	}
	if st := m.Stats["completeness"]; st.N != pages-failing || st.Method != results.MethodBatchMeans {
		t.Errorf("Stats[completeness] = %+v; want N %d by batch means", st, pages-failing)
	}
	for _, s := range m.Series {
		if s.Pages > 0 && s.Completeness != 1 {
			t.Errorf("series at %vs: completeness %v; want 1", s.T, s.Completeness)
		}
	}
}

// TestOracleIntervals: every batched metric of a run gets its sample count
// and an interval from 20 batches; the unconditional read staleness
// matches theory within its own interval.
func TestOracleIntervals(t *testing.T) {
	const sellers, lambda, reads = 1000, 1.0, 100_000
	const d = 300 * time.Millisecond
	hist := judge.NewHistory()
	o := newOracle(hist, sellers, 10*time.Second, 200*time.Second, 0)
	r := rng(9)
	poissonCommits(o, r, sellers, lambda, 200*time.Second)
	for i := range reads { // in order of time, as a run sends them
		s := strategies.Seller(r.IntN(sellers))
		at := 10*time.Second + time.Duration(float64(i)/reads*float64(190*time.Second))
		page := &strategies.Page{Kind: "gig", Sections: []strategies.Section{{Seller: s, Version: hist.VersionAt(s, at-d), Clients: 1, ReadAt: at}}}
		o.rendered("gig", []strategies.Seller{s}, at, at, page, false)
	}
	m := o.metrics()
	all := m.Pages["all"]
	for _, mt := range results.Registry {
		st, ok := m.Stats[mt.Name]
		if !ok {
			t.Errorf("Stats[%q] missing; want every registered metric", mt.Name)
			continue
		}
		_, hasCI := m.CI95[mt.Name]
		switch {
		case mt.Within == results.Exact && st.Method != results.MethodExact:
			t.Errorf("Stats[%q].Method = %q; want exact", mt.Name, st.Method)
		case mt.Within == results.Batched && mt.Name != "propagation.p99" && mt.Name != "owner.rps" &&
			(st.Method != results.MethodBatchMeans || st.Batches != 20 || !hasCI):
			// No views, no ticks here: propagation and the owner's rate have no batches.
			t.Errorf("Stats[%q] = %+v, CI95 present %v; want batch means over 20 batches", mt.Name, st, hasCI)
		}
	}
	if st := m.Stats["stale_fraction"]; st.N != reads {
		t.Errorf("Stats[stale_fraction].N = %d; want %d sections shown", st.N, reads)
	}
	if st := m.Stats["staleness.p99"]; st.N != all.Stale || st.N == 0 {
		t.Errorf("Stats[staleness.p99].N = %d; want the %d stale sections", st.N, all.Stale)
	}
	// Expected staleness of a read, fresh ones as 0: the first missed
	// commit came U after the shown one's time with U ~ Exp(λ), U < D, and
	// the read is D − U after it: E = D − (1 − e^(−λD))/λ.
	ds := d.Seconds()
	want := 1000 * (ds - (1-math.Exp(-lambda*ds))/lambda)
	got, ci := all.ReadStalenessMS.Mean, m.CI95["read_staleness.mean"]
	if math.Abs(got-want) > 2*ci || ci <= 0 || ci > want/5 {
		t.Errorf("read_staleness.mean = %.3f ±%.3f ms; want %.3f within twice the interval, and an interval under a fifth of it", got, ci, want)
	}
	p := 100 * (1 - math.Exp(-lambda*ds))
	if f, ci := 100*all.StaleFraction, m.CI95["stale_fraction"]; math.Abs(f-p) > 2*ci {
		t.Errorf("stale_fraction = %.3f ±%.3f %%; want %.3f within twice the interval", f, ci, p)
	}
	// The binomial standard error of independent reads; batch means should
	// find about the same (t(19) = 2.093).
	if se, ci := 100*math.Sqrt(p/100*(1-p/100)/reads), m.CI95["stale_fraction"]; ci < 2.093*se/2 || ci > 2.093*se*2 {
		t.Errorf("CI95[stale_fraction] = %.4f; want within 2× of 2.093·%.4f, the binomial interval", ci, se)
	}
}

// TestTableStarsRestOnEnoughSamples runs baseline (as built in) and
// owner-outage (25 s measured, the outage kept inside) and reads their
// tables: every starred figure rests on at least the samples the rule
// needs, with an interval, and the conditional staleness p99 of the
// fault-free run, which rests on a handful of stale sections, is marked ?
// rather than starred.
func TestTableStarsRestOnEnoughSamples(t *testing.T) {
	if testing.Short() {
		t.Skip("runs two built-in scenarios (~10 s)")
	}
	sep := regexp.MustCompile(`\s{3,}`) // tabwriter pads columns with 3+ spaces; cells hold single ones
	for _, name := range []string{"baseline", "owner-outage"} {
		sc, _, err := Builtin(name)
		if err != nil {
			t.Fatal(err)
		}
		if name == "owner-outage" {
			sc.Duration = Duration(25 * time.Second) // the outage is at 20–30 s
		}
		f, err := Run(sc, RunOptions{Parallel: 1})
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := results.WriteTable(&buf, f); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(buf.String(), "\n")
		header := sep.Split(lines[0], -1)
		stars := 0
		for _, line := range lines[1 : len(results.Registry)+1] {
			cells := sep.Split(line, -1)
			mt, ok := results.Lookup(strings.Fields(cells[0])[0])
			if !ok {
				t.Fatalf("%s: table row %q names no metric", name, line)
			}
			for i, c := range cells[1:] {
				fig := results.FigureOf(f.Strategies[header[i+1]], mt)
				if !strings.Contains(c, "*") {
					continue
				}
				stars++
				if !fig.Comparable(mt) || fig.N < mt.Needed() {
					t.Errorf("%s: %s of %s is starred (%q) on n=%d; the rule needs %d and an interval", name, mt.Name, header[i+1], c, fig.N, mt.Needed())
				}
				if mt.Within == results.Batched && !strings.Contains(c, "n=") {
					t.Errorf("%s: starred %s cell %q shows no sample count", name, mt.Name, c)
				}
			}
			if name == "baseline" && mt.Name == "staleness.p99" {
				if strings.Contains(line, "*") || !strings.Contains(line, "?") {
					t.Errorf("baseline: %q: want a p99 of a few stale sections marked ? and unstarred", line)
				}
				few := false
				for _, m := range f.Strategies {
					if n := results.FigureOf(m, mt).N; n > 0 && n < mt.Needed() {
						few = true
					}
				}
				if !few {
					t.Errorf("baseline: no strategy's staleness.p99 rests on 1–%d stale sections; the test lost its premise", mt.Needed()-1)
				}
			}
		}
		if stars == 0 {
			t.Errorf("%s: no star at all; want the clear latency wins starred:\n%s", name, buf.String())
		}
		t.Logf("%s:\n%s", name, buf.String())
	}
}

// TestOracleStrataFollowFaults: the measured window is cut at each fault's
// start and end, every stratum into batches by its length, at least
// minStratumBatches.
func TestOracleStrataFollowFaults(t *testing.T) {
	o := newOracle(judge.NewHistory(), 10, 5*time.Second, 65*time.Second, 0)
	o.stratify([]sim.Fault{{At: 20 * time.Second, For: 10 * time.Second}, {At: 64 * time.Second, For: time.Minute}, {At: time.Second, For: time.Second}})
	want := []stratum{{5 * time.Second, 20 * time.Second, 0, 5}, {20 * time.Second, 30 * time.Second, 5, 5}, {30 * time.Second, 64 * time.Second, 10, 11}, {64 * time.Second, 65 * time.Second, 21, 5}}
	if !slices.Equal(o.strata, want) {
		t.Errorf("strata = %v; want %v", o.strata, want)
	}
	for _, tt := range []struct {
		at   time.Duration
		want int
	}{{5 * time.Second, 0}, {20*time.Second - 1, 4}, {20 * time.Second, 5}, {29 * time.Second, 9}, {64500 * time.Millisecond, 23}, {70 * time.Second, 25}} {
		b := o.batchAt(tt.at, true)
		got := -1
		for i := range o.batches {
			if &o.batches[i] == b {
				got = i
			}
		}
		if got != tt.want {
			t.Errorf("batchAt(%v) = batch %d; want %d", tt.at, got, tt.want)
		}
	}
	if b := o.batchAt(4*time.Second, true); b != nil {
		t.Errorf("batchAt(in the warm-up) = %p; want nil", b)
	}
}

// TestOraclePageCompleteness: in the general form a rendered page is
// whole when it shows every section whose record has data; a page with
// no such section is not counted; a page failed for a required section
// had data and is not whole, its sections with data had and not shown; a
// page with no answer counts in availability only. Each section is judged against its own read's owner, and counted
// in that owner's sections on every page asked: a page failed for a
// required section counts what each read got (a read its sequence never
// made, not at all); a page with no answer, each section as missing.
func TestOraclePageCompleteness(t *testing.T) {
	topo := pages.Topology{
		Owners:   []string{"a", "b"},
		Services: []string{"p"},
		Kinds: []pages.Kind{{Name: "page", Service: "p", Reads: []pages.Read{
			{Owner: "a", Records: 1, Batch: true}, {Owner: "b", Records: 2},
		}}},
	}
	hists := map[string]*judge.History{"a": judge.NewHistory(), "b": judge.NewHistory()}
	o := newTopologyOracle(topo, true, map[string]int{"a": 10, "b": 10}, hists, 0, time.Minute, 0)
	// a's record 1 and b's record 2 have data; a's 2 and b's 1 have none.
	o.committed("a", &strategies.List{Seller: 1, Version: 1, Clients: make([]strategies.Client, 1)})
	o.committed("b", &strategies.List{Seller: 2, Version: 1, Clients: make([]strategies.Client, 1)})
	shown := func(s strategies.Seller) strategies.Section {
		return strategies.Section{Seller: s, Version: 1, Clients: 1, ReadAt: time.Second}
	}
	empty := func(s strategies.Seller) strategies.Section {
		return strategies.Section{Seller: s, ReadAt: time.Second}
	}
	failed := func(s strategies.Seller) strategies.Section { return strategies.Section{Seller: s, Failed: true} }
	unasked := func(s strategies.Seller) strategies.Section {
		return strategies.Section{Seller: s, Failed: true, Unasked: true}
	}
	for _, c := range []struct {
		name            string
		sellers         []strategies.Seller
		sections        []strategies.Section // nil: no answer
		failed          bool                 // the page failed (for a required section, if it has sections)
		withData, whole int64
	}{
		{"every section with data shown", []strategies.Seller{1, 2, 1}, []strategies.Section{shown(1), shown(2), empty(1)}, false, 1, 1},
		{"b's section with data failed", []strategies.Seller{1, 2, 1}, []strategies.Section{shown(1), failed(2), empty(1)}, false, 1, 0},
		{"a's section with data failed", []strategies.Seller{1, 2, 2}, []strategies.Section{failed(1), shown(2), shown(2)}, false, 1, 0},
		{"a section without data failed", []strategies.Seller{1, 1, 2}, []strategies.Section{shown(1), failed(1), shown(2)}, false, 1, 1},
		{"no record with data", []strategies.Seller{2, 1, 1}, []strategies.Section{empty(2), empty(1), empty(1)}, false, 0, 0},
		{"no answer", []strategies.Seller{1, 2, 2}, nil, true, 0, 0},
		{"failed for a's required section", []strategies.Seller{1, 2, 2}, []strategies.Section{failed(1), shown(2), unasked(2)}, true, 1, 0},
	} {
		before := *o.kinds["page"]
		var page *strategies.Page
		if c.sections != nil {
			page = &strategies.Page{Kind: "page", Sections: c.sections}
		}
		o.rendered("page", c.sellers, 2*time.Second, 2*time.Second+time.Millisecond, page, c.failed)
		k := o.kinds["page"]
		if got, want := k.withData-before.withData, c.withData; got != want {
			t.Errorf("%s: pages with data += %d; want %d", c.name, got, want)
		}
		if got, want := k.whole-before.whole, c.whole; got != want {
			t.Errorf("%s: whole pages += %d; want %d", c.name, got, want)
		}
	}
	m := o.metrics()
	if got, want := *m.Pages["page"].PageCompleteness, 2.0/5; got != want || m.Pages["page"].PagesWithData != 5 {
		t.Errorf("page completeness = %v of %d pages with data; want %v of 5 (the page failed for a's section counts, not whole)", got, m.Pages["page"].PagesWithData, want)
	}
	// The kind's sections with data (a's 1, b's 2), on the pages answered
	// in order: 2, 2, 3, 2, 0 on rendered pages, of them shown 2, 1, 2, 2;
	// 3 on the page failed for a's section (the unasked one included),
	// none shown → 7 of 12. Counting rendered pages alone gave 7 of 9.
	pm := m.Pages["page"]
	if pm.WithClients != 12 || pm.Completeness != 7.0/12 {
		t.Errorf("completeness@page = %v of %d sections with data; want 7/12 of 12", pm.Completeness, pm.WithClients)
	}
	// Staleness counts the sections shown on rendered pages only: 3, 2,
	// 2, 2, 3, not the two of b's the failed page got.
	if pm.Shown != 12 {
		t.Errorf("sections shown = %d; want 12 (none of the failed page's)", pm.Shown)
	}
	// The batch tallies count the same pages as the kind's and all's.
	var withData, whole, has int64
	for _, b := range o.batches {
		withData, whole, has = withData+b.kinds["page"].withData, whole+b.kinds["page"].whole, has+b.kinds["page"].has
		if b.tally.withData != b.kinds["page"].withData || b.tally.has != b.kinds["page"].has {
			t.Errorf("a batch: all's tally has %d pages with data, %d sections; its kind's %d, %d; want equal (one public kind)",
				b.tally.withData, b.tally.has, b.kinds["page"].withData, b.kinds["page"].has)
		}
	}
	if withData != 5 || whole != 2 || has != pm.WithClients {
		t.Errorf("batches: %d pages with data, %d whole, %d sections with data; want 5, 2, %d", withData, whole, has, pm.WithClients)
	}
	if st := m.Stats["page_completeness@page"]; st.N != 5 {
		t.Errorf("Stats[page_completeness@page].N = %d; want 5", st.N)
	}
	// a's sections with data: on rendered pages 1, 1, 1(failed), 1; with
	// no answer 1 (missing); on the page failed for it, 1(failed) → 3 of
	// 6 had. b's: 2, 2(failed), 2, 2, 2 rendered; 2, 2 with no answer;
	// 2 had and one never asked on the failed page → 5 of 8.
	for owner, want := range map[string]float64{"a": 3.0 / 6, "b": 5.0 / 8} {
		if got := m.Owners[owner].Sections.Completeness; got != want {
			t.Errorf("Owners[%s].Sections.Completeness = %v; want %v", owner, got, want)
		}
	}
	if got := m.Owners["b"].Sections.Count; got != 13 {
		t.Errorf("Owners[b].Sections.Count = %d; want 13 (two sections on each of 7 pages, less one never asked)", got)
	}
	if got := m.Pages["page"].Availability; got != 5.0/7 {
		t.Errorf("availability = %v; want 5/7 (two pages failed)", got)
	}
}
