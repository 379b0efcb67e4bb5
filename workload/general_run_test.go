package workload

import (
	"bytes"
	"math"
	"testing"
	"time"

	"github.com/sharebench/sharebench/results"
	"github.com/sharebench/sharebench/sim"
)

// generalScenario is a small scenario in the general form, built as Go
// values with every field set: two owners (inventory, reviews), one page
// service, a product page reading both (reviews one get per record), a
// checkout page requiring both, and a self-view of reviews; columns sync,
// async and the plan "mixed" (reviews async, the rest sync).
func generalScenario() *Scenario {
	sc := DefaultScenario()
	sc.Name = "two-owners-test"
	sc.Duration, sc.Warmup = Duration(10*time.Second), Duration(2*time.Second)
	sc.Strategies = []string{"sync", "async"}
	sc.Plans = []Plan{{Name: "mixed", Default: "sync", Owners: map[string]string{"reviews": "async"}}}
	sc.Traffic.Pages.Rate = RateCurve{constantCurve{300}}
	sc.Traffic.Pages.Mix = nil
	one := 1.0
	exp := func(mean float64) sim.DurationDist { return sim.DurationDist{Dist: sim.Exp{M: mean}} }
	owner := func(records int, rate Rate) *Owner {
		return &Owner{
			Population: OwnerPopulation{Records: records, WithData: &one, Items: sim.NumberDist{Dist: sim.Uniform{Min: 1, Max: 5}}, ItemBytes: 100},
			Service:    Service{Workers: 8, Queue: 1000, ServiceTime: exp(0.002)},
			Writes:     Writes{Rate: &rate, Mix: map[string]float64{"add": 0.6, "remove": 0.3, "reorder": 0.1}},
		}
	}
	sc.Owners = map[string]*Owner{"inventory": owner(1000, 20), "reviews": owner(500, 10)}
	sc.PageServices = map[string]*Service{"product": {Workers: 64, Queue: Unbounded, ServiceTime: exp(0.001)}}
	sc.PageKinds = map[string]*PageKind{
		"product": {Service: "product", Share: 0.6, Order: "parallel", Reads: []ReadSpec{
			{Owner: "inventory", Records: 1, Call: "batch", Section: "optional"},
			{Owner: "reviews", Records: 2, Call: "single", Section: "optional"},
		}},
		"checkout": {Service: "product", Share: 0.3, Order: "sequence", Reads: []ReadSpec{
			{Owner: "inventory", Records: 1, Call: "batch", Section: "required"},
			{Owner: "reviews", Records: 1, Call: "batch", Section: "required"},
		}},
		"editor": {Service: "product", Share: 0.1, Self: true, Order: "parallel", Reads: []ReadSpec{
			{Owner: "reviews", Records: 1, Call: "batch", Section: "optional"},
		}},
	}
	return sc
}

// TestGeneralDeterminism: a general-form scenario of two owners, with an
// owner's outage and a page service cut off from the broker, writes the
// same bytes twice and at -parallel 2 (two seeds each), with its topology
// and a column per strategy and plan.
func TestGeneralDeterminism(t *testing.T) {
	sc := generalScenario()
	sc.Faults = []sim.Fault{
		{Kind: sim.Outage, Target: "reviews", At: 4 * time.Second, For: 2 * time.Second},
		{Kind: sim.Partition, Between: []string{sim.BrokerNode, "product"}, Mode: "hold", At: 7 * time.Second, For: 2 * time.Second},
	}
	run := func(parallel, seeds int) (*results.File, []byte) {
		f, err := Run(sc, RunOptions{Parallel: parallel, Seeds: seeds})
		if err != nil {
			t.Fatal(err)
		}
		return f, encode(t, f)
	}
	_, one := run(1, 2)
	if _, again := run(1, 2); !bytes.Equal(one, again) {
		t.Error("two runs of the general form with the same seeds wrote different result files")
	}
	if _, two := run(2, 2); !bytes.Equal(one, two) {
		t.Error("-parallel 1 and -parallel 2 wrote different result files for the general form")
	}
	// The figures of one seed (merging seeds is results.Aggregate's).
	f, _ := run(2, 1)
	if f.Topology == nil || len(f.Topology.Owners) != 2 {
		t.Fatalf("File.Topology = %+v; want the scenario's two owners", f.Topology)
	}
	if want := []string{"sync", "async", "mixed"}; len(f.Order) != 3 || f.Order[0] != want[0] || f.Order[2] != want[2] {
		t.Errorf("File.Order = %v; want %v", f.Order, want)
	}
	for _, col := range f.Order {
		m := f.Strategies[col]
		if m == nil || m.Owners == nil || m.Pages["product"] == nil || m.Pages["product"].PageCompleteness == nil {
			t.Fatalf("column %s: no per-owner figures or page completeness", col)
		}
		for _, key := range []string{"latency.product", "latency.checkout", "staleness@reviews", "propagation@inventory"} {
			if _, ok := m.HDR[key]; !ok {
				t.Errorf("column %s: HDR[%s] missing; want a snapshot to merge seeds by", col, key)
			}
		}
	}
}

// TestGeneralPerOwnerFigures: each owner's owner.rps is its node's
// requests over the measured seconds; the owners' sum is the unscoped
// figure; a plan's column reports each owner's strategy as the plan
// chose; every scoped metric has its sample count and an interval.
func TestGeneralPerOwnerFigures(t *testing.T) {
	sc := generalScenario()
	secs := sc.Duration.D().Seconds()
	md := sc.model()
	for _, col := range sc.Columns() {
		m, _, err := RunColumn(sc, col, sc.Seed)
		if err != nil {
			t.Fatal(err)
		}
		var requests int64
		for _, name := range []string{"inventory", "reviews"} {
			o := m.Owners[name]
			if o == nil {
				t.Fatalf("%s: Owners[%s] missing", col, name)
			}
			requests += o.Load.Requests
			if got, want := o.Load.RPS, float64(o.Load.Requests)/secs; got != want || o.Load.Requests == 0 {
				t.Errorf("%s: Owners[%s].Load.RPS = %v; want requests/seconds = %d/%v = %v", col, name, got, o.Load.Requests, secs, want)
			}
			if got, want := o.Strategy, md.topo.StrategyFor(col, name); got != want {
				t.Errorf("%s: Owners[%s].Strategy = %q; want %q", col, name, got, want)
			}
			mt, _ := results.Lookup("owner.rps")
			if got := mt.Get(&results.Metrics{Owner: o.Load}); math.Abs(got-o.Load.RPS) > 1e-9 {
				t.Errorf("%s: owner.rps of %s = %v; want %v", col, name, got, o.Load.RPS)
			}
		}
		for _, mt := range results.MetricsFor(&md.topo) {
			if _, ok := m.Stats[mt.Name]; !ok {
				t.Errorf("%s: Stats[%s] missing; want an entry for every metric of the topology", col, mt.Name)
			}
		}
		if col == "sync" {
			// Sync calls the owners for every page: inventory once per
			// product and checkout page, reviews once per record of every
			// page that reads it (product's two single gets, checkout's
			// one, the editor's one); each owner also takes its writes.
			pagesOf := func(kind string) float64 { return float64(m.Pages[kind].Count) }
			want := map[string]float64{
				"inventory": pagesOf("product") + pagesOf("checkout") + 20*secs,
				"reviews":   2*pagesOf("product") + pagesOf("checkout") + pagesOf("editor") + 10*secs,
			}
			for name, w := range want {
				t.Logf("sync: %s requests %d; pages' calls and writes %.0f", name, m.Owners[name].Load.Requests, w)
				if got := float64(m.Owners[name].Load.Requests); math.Abs(got-w) > 0.02*w {
					t.Errorf("sync: Owners[%s].Load.Requests = %.0f; want its pages' calls and writes ≈ %.0f ± 2%%", name, got, w)
				}
			}
		}
		if m.Owner.Requests != requests {
			t.Errorf("%s: Owner.Requests = %d; want the owners' sum %d", col, m.Owner.Requests, requests)
		}
		for _, full := range []string{"owner.rps@inventory", "owner.rps@reviews", "latency.p99@product", "completeness@reviews", "page_completeness@product", "page_completeness"} {
			st, ok := m.Stats[full]
			if !ok || st.N == 0 || st.Method != results.MethodBatchMeans {
				t.Errorf("%s: Stats[%s] = %+v (present %v); want samples and a batch-means interval", col, full, st, ok)
			}
			if _, ok := m.CI95[full]; !ok {
				t.Errorf("%s: CI95[%s] missing", col, full)
			}
		}
		// The interval's samples are the requests of the measured seconds;
		// the load also counts those of pages still in flight at the end.
		if st, n := m.Stats["owner.rps@reviews"], m.Owners["reviews"].Load.Requests; st.N > n || st.N < n-n/100 {
			t.Errorf("%s: Stats[owner.rps@reviews].N = %d; want the reviews node's measured requests %d, less at most 1%% still in flight at the end", col, st.N, n)
		}
	}
	mixed, _, err := RunColumn(sc, "mixed", sc.Seed)
	if err != nil {
		t.Fatal(err)
	}
	if got := mixed.Owners["reviews"].Strategy; got != "async" {
		t.Errorf("mixed: Owners[reviews].Strategy = %q; want the plan's async", got)
	}
	if got := mixed.Owners["inventory"].Strategy; got != "sync" {
		t.Errorf("mixed: Owners[inventory].Strategy = %q; want the plan's default sync", got)
	}
}

// TestGeneralCompletenessUnderOutage: reviews is down for 4 of the 10
// measured seconds. Under sync, a product page (both sections optional,
// every record with data) still renders but is whole only when reviews is
// up: page completeness ≈ 0.6, inventory's sections all shown; a
// checkout page requires reviews, so it fails in the outage: availability
// ≈ 0.6, and is whole (page completeness) ≈ 0.6 of the time too.
// Reviews' sections are counted on every page that asked for them,
// rendered or not: product's two per page and checkout's one, each had
// only when reviews is up: 0.6.
func TestGeneralCompletenessUnderOutage(t *testing.T) {
	sc := generalScenario()
	sc.Faults = []sim.Fault{{Kind: sim.Outage, Target: "reviews", At: 5 * time.Second, For: 4 * time.Second}}
	m, _, err := RunColumn(sc, "sync", sc.Seed)
	if err != nil {
		t.Fatal(err)
	}
	const up, tol = 0.6, 0.05
	product := m.Pages["product"]
	if got := *product.PageCompleteness; math.Abs(got-up) > tol {
		t.Errorf("product page completeness = %.3f (%d pages with data); want %.2f ± %.2f", got, product.PagesWithData, up, tol)
	}
	if product.Availability < 0.999 {
		t.Errorf("product availability = %.3f; want 1 (its sections are optional)", product.Availability)
	}
	if got := m.Owners["inventory"].Sections.Completeness; got < 0.999 {
		t.Errorf("inventory section completeness = %.3f; want 1 (inventory stays up)", got)
	}
	// Counted on rendered pages only, as before the fix, it would be
	// (1.2·0.6 + 0.3·0.6) / (1.2 + 0.3·0.6) ≈ 0.65.
	reviews := up
	if got := m.Owners["reviews"].Sections.Completeness; math.Abs(got-reviews) > tol {
		t.Errorf("reviews section completeness = %.3f; want %.3f ± %.2f", got, reviews, tol)
	}
	if got := m.Pages["checkout"].Availability; math.Abs(got-up) > tol {
		t.Errorf("checkout availability = %.3f; want %.2f ± %.2f (reviews is required)", got, up, tol)
	}
	// A checkout page failed for reviews had data and showed none of it:
	// it counts as not whole, as a product page missing reviews does, so
	// checkout and all public pages are whole ≈ 0.6 of the time too.
	for _, kind := range []string{"checkout", "all"} {
		pm := m.Pages[kind]
		if got := *pm.PageCompleteness; math.Abs(got-up) > tol {
			t.Errorf("page_completeness@%s = %.3f (%d pages with data); want %.2f ± %.2f", kind, got, pm.PagesWithData, up, tol)
		}
	}
}

// TestOwnerCompletenessCountsFailedPages: inventory, required on both
// public kinds, is down for 2 of the 10 measured seconds. Under sync both
// kinds fail in the outage (availability ≈ 0.8), and inventory's sections
// are counted on every page that asked for them, failed or not:
// completeness@inventory ≈ 0.8, where counting rendered pages alone would
// give 1. Reviews stays up: its sections on product pages that failed for
// inventory were had (complete), and checkout's, never asked once its
// sequence stopped at inventory, are not reviews' to count: ≈ 1. The
// kinds' completeness and page completeness count the failed pages too
// (had data, showed none): ≈ 0.8, agreeing with inventory's.
func TestOwnerCompletenessCountsFailedPages(t *testing.T) {
	sc := generalScenario()
	sc.PageKinds["product"].Reads[0].Section = "required"
	sc.Faults = []sim.Fault{{Kind: sim.Outage, Target: "inventory", At: 6 * time.Second, For: 2 * time.Second}}
	m, _, err := RunColumn(sc, "sync", sc.Seed)
	if err != nil {
		t.Fatal(err)
	}
	const up, tol = 0.8, 0.03
	for _, kind := range []string{"product", "checkout"} {
		if got := m.Pages[kind].Availability; math.Abs(got-up) > tol {
			t.Errorf("availability@%s = %.3f (n=%d); want %.2f ± %.2f (inventory is required)", kind, got, m.Pages[kind].Count, up, tol)
		}
	}
	inv := m.Owners["inventory"].Sections
	if got := inv.Completeness; math.Abs(got-up) > tol {
		t.Errorf("completeness@inventory = %.3f (%d sections with data); want %.2f ± %.2f", got, inv.WithClients, up, tol)
	}
	if got := m.Owners["reviews"].Sections.Completeness; got < 0.99 {
		t.Errorf("completeness@reviews = %.3f; want ≈ 1 (reviews stays up; checkout's unasked reads not counted)", got)
	}
	// A page failed for inventory had data and showed none: the product
	// kind's completeness and page completeness fall with its
	// availability and agree with inventory's (counting rendered pages
	// alone, as before, gave ≈ 1 for both).
	product := m.Pages["product"]
	for _, c := range []struct {
		name string
		got  float64
		n    int64
	}{
		{"completeness@product", product.Completeness, product.WithClients},
		{"page_completeness@product", *product.PageCompleteness, product.PagesWithData},
		{"completeness@all", m.Pages["all"].Completeness, m.Pages["all"].WithClients},
		{"page_completeness@all", *m.Pages["all"].PageCompleteness, m.Pages["all"].PagesWithData},
	} {
		if math.Abs(c.got-up) > tol {
			t.Errorf("%s = %.3f (n=%d); want %.2f ± %.2f (failed pages count, not whole)", c.name, c.got, c.n, up, tol)
		}
		if d := math.Abs(c.got - inv.Completeness); d > 0.03 {
			t.Errorf("%s = %.3f, completeness@inventory %.3f: differ by %.3f; want within 0.03", c.name, c.got, inv.Completeness, d)
		}
	}
	if d := math.Abs(product.Completeness - product.Availability); d > 0.03 {
		t.Errorf("completeness@product %.3f, availability@product %.3f: differ by %.3f; want within 0.03 (only inventory fails)", product.Completeness, product.Availability, d)
	}
	// The scoped intervals rest on the same pages: their counts are the
	// tallies', failed pages included (the rendered ones alone are fewer).
	for name, want := range map[string]int64{
		"completeness@product":      product.WithClients,
		"page_completeness@product": product.PagesWithData,
		"page_completeness":         m.Pages["all"].PagesWithData,
	} {
		if st := m.Stats[name]; st.N != want || st.Method != results.MethodBatchMeans {
			t.Errorf("Stats[%s] = %+v; want N %d by batch means", name, st, want)
		}
	}
	if product.PagesWithData <= product.Rendered {
		t.Errorf("product: %d pages with data, %d rendered; want more with data (failed pages count)", product.PagesWithData, product.Rendered)
	}
	// Staleness still counts only sections shown on rendered pages: at
	// most their three each.
	if product.Shown > 3*product.Rendered {
		t.Errorf("product: %d sections shown on %d rendered pages; want at most 3 a page", product.Shown, product.Rendered)
	}
}

// TestSelfViewOnlyServiceHoldsNothing: a page service that serves only a
// self-view (account, the editor of reviews) reads reviews directly under
// every strategy: it holds no bytes, reviews' duplication is the product
// service's copy alone, and the broker delivers each record to one group
// per owner (product's), not two.
func TestSelfViewOnlyServiceHoldsNothing(t *testing.T) {
	sc := generalScenario()
	sc.PageServices["account"] = &Service{Workers: 8, Queue: Unbounded, ServiceTime: sim.DurationDist{Dist: sim.Exp{M: 0.001}}}
	sc.PageKinds["editor"].Service = "account"
	m, _, err := RunColumn(sc, "async", sc.Seed)
	if err != nil {
		t.Fatal(err)
	}
	if got := m.DuplicationBytes["account"]; got != 0 || m.DuplicationBytes["product"] == 0 {
		t.Errorf("DuplicationBytes = %v; want account 0 (it only self-views) and product > 0", m.DuplicationBytes)
	}
	for _, owner := range []string{"inventory", "reviews"} {
		if d := m.Owners[owner].Duplication; len(d) != 1 || d["product"] == 0 {
			t.Errorf("Owners[%s].Duplication = %v; want product's copy only", owner, d)
		}
	}
	if b := m.Broker; b.Published == 0 || b.Delivered-b.Redelivered > b.Published {
		t.Errorf("broker published %d, delivered %d (%d again); want each record delivered once, to product's group", b.Published, b.Delivered, b.Redelivered)
	}
	if got := m.Pages["editor"].Availability; got < 0.999 {
		t.Errorf("availability@editor = %.3f; want 1 (it reads reviews directly)", got)
	}
}
