package workload

import (
	"math"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/sharebench/sharebench/pages"
)

// productPage is the general form as the README writes it: three owners,
// one page service, a public page reading all three and a self-view, and
// a plan.
const productPage = `
name: product-page
duration: 10s
warmup: 1s
strategies: [sync, async]
plans:
  - {name: hot-async, default: sync, owners: {reviews: async, inventory: hybrid}}
owners:
  inventory:
    population: {records: 5000, with_data: 0.9}
    service: {workers: 8, queue: 1000, service_time: {dist: exp, mean: 2ms}}
    writes: {rate: 50/s}
  pricing: {population: {records: 5000}}
  reviews: {population: {records: 5000}, writes: {rate: 5/s, mix: {add: 1}}}
page_services:
  product: {workers: 32}
page_kinds:
  product:
    service: product
    share: 3
    order: sequence
    work: {dist: exp, mean: 2ms}
    reads:
      - {owner: inventory, section: required}
      - {owner: pricing, call: single, records: 2, section: required}
      - {owner: reviews, records: 10}
  inventory-editor: {service: product, share: 1, self: true, reads: [{owner: inventory}]}
traffic:
  pages: {rate: 200/s}
faults:
  - {kind: outage, target: reviews, at: 2s, for: 1s}
  - {kind: latency, between: [product, reviews], add: 5ms, at: 2s, for: 1s}
`

// TestGeneralFormYAMLRoundTrips: a general-form scenario's YAML, every
// default filled in, parses back to the same scenario and the same YAML,
// and leaves the marketplace form's fields out (the general form may not
// give them).
func TestGeneralFormYAMLRoundTrips(t *testing.T) {
	sc, err := Parse("product-page.yaml", []byte(productPage))
	if err != nil {
		t.Fatal(err)
	}
	y := sc.YAML()
	again, err := Parse("product-page.yaml", []byte(y))
	if err != nil {
		t.Fatalf("Parse(YAML()) = %v; want the scenario back\n%s", err, y)
	}
	if !reflect.DeepEqual(withoutLines(sc), withoutLines(again)) {
		t.Errorf("Parse(YAML()) = \n%s\nwant\n%s", again.YAML(), y)
	}
	if again.YAML() != y {
		t.Errorf("YAML() of the parsed YAML differs:\n%s\nwant\n%s", again.YAML(), y)
	}
	for _, field := range []string{"\npopulation:", "\nservices:", "  writes:\n    rate: 20/s\n    mix", "search_results:", "  mix:\n      gig"} {
		if strings.Contains(y, field) {
			t.Errorf("YAML() contains %q, a field of the marketplace form:\n%s", field, y)
		}
	}
	for _, field := range []string{"work: {dist: exp, mean: 2ms}", "order: sequence", "call: single", "section: required", "self: true", "records: 5000", "with_data: 0.9", "default: sync"} {
		if !strings.Contains(y, field) {
			t.Errorf("YAML() lacks %q:\n%s", field, y)
		}
	}
}

// TestGeneralModel: the general form read into the model the run uses:
// owners, page services and kinds by name (public kinds before
// self-views), reads in file order with their call and section, shares
// divided by their sum, plans with their default filled in per owner.
func TestGeneralModel(t *testing.T) {
	sc, err := Parse("product-page.yaml", []byte(productPage))
	if err != nil {
		t.Fatal(err)
	}
	m := sc.model()
	want := pages.Topology{
		Owners:   []string{"inventory", "pricing", "reviews"},
		Services: []string{"product"},
		Kinds: []pages.Kind{
			{Name: "product", Service: "product", Sequential: true, Reads: []pages.Read{
				{Owner: "inventory", Records: 1, Batch: true, Required: true},
				{Owner: "pricing", Records: 2, Batch: false, Required: true},
				{Owner: "reviews", Records: 10, Batch: true, Required: false},
			}},
			{Name: "inventory-editor", Service: "product", Self: true, Reads: []pages.Read{{Owner: "inventory", Records: 1, Batch: true}}},
		},
		Plans: map[string]map[string]string{"hot-async": {"inventory": "hybrid", "pricing": "sync", "reviews": "async"}},
	}
	if !reflect.DeepEqual(m.topo, want) {
		t.Errorf("model().topo = %+v; want %+v", m.topo, want)
	}
	for kind, share := range map[string]float64{"product": 0.75, "inventory-editor": 0.25} {
		if got := m.shares[kind]; math.Abs(got-share) > 1e-12 {
			t.Errorf("model().shares[%s] = %v; want %v (share 3 and 1, divided by their sum)", kind, got, share)
		}
	}
	if w := m.work["product"]; w == nil || w.Mean().Milliseconds() != 2 {
		t.Errorf("model().work[product] = %v; want the kind's own exp 2ms", w)
	}
	if _, ok := m.work["inventory-editor"]; ok {
		t.Errorf("model().work[inventory-editor] is set; want it absent (the page service's service_time)")
	}
	if got := m.owners["reviews"]; got.Population.Sellers != 5000 || *got.Writes.Rate != 5 || got.Writes.Mix["add"] != 1 || got.Service.Workers != 8 {
		t.Errorf("model().owners[reviews] = %+v; want 5000 records, writes 5/s all adds, the default 8 workers", got)
	}
	if got := m.services["product"]; got == nil || got.Workers != 32 || got.Queue != Unbounded {
		t.Errorf("model().services[product] = %+v; want 32 workers, an unbounded queue", got)
	}
	if got, want := sc.Columns(), []string{"sync", "async", "hot-async"}; !slices.Equal(got, want) {
		t.Errorf("Columns() = %v; want %v", got, want)
	}
	if got, want := sc.Nodes(), []string{"inventory", "pricing", "reviews", "product", "broker", "client"}; !slices.Equal(got, want) {
		t.Errorf("Nodes() = %v; want %v", got, want)
	}
	if !reflect.DeepEqual(m.topo.Plans, want.Plans) {
		t.Errorf("plans = %v; want %v", m.topo.Plans, want.Plans)
	}
}

// TestMarketplaceModelUnchanged: the marketplace form's nodes and roles are
// the ones it always had, so its fault checks and their messages are too.
func TestMarketplaceModelUnchanged(t *testing.T) {
	sc, err := Parse("baseline.yaml", []byte("name: baseline\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := sc.Nodes(), []string{"topclients", "gig", "user", "search", "broker", "client"}; !slices.Equal(got, want) {
		t.Errorf("Nodes() = %v; want %v", got, want)
	}
	r := sc.model().roles()
	want := [][2]string{
		{"client", "topclients"}, {"topclients", "broker"},
		{"client", "gig"}, {"gig", "topclients"}, {"gig", "broker"},
		{"client", "user"}, {"user", "topclients"}, {"user", "broker"},
		{"client", "search"}, {"search", "topclients"}, {"search", "broker"},
	}
	if !reflect.DeepEqual(r.Talk, want) {
		t.Errorf("roles().Talk = %v; want %v", r.Talk, want)
	}
	if !slices.Equal(r.Consumers, []string{"gig", "user", "search"}) || !slices.Equal(r.Services, []string{"topclients", "gig", "user", "search"}) {
		t.Errorf("roles() = %+v; want the owner and page services as services, the page services as consumers", r)
	}
	if got := sc.Columns(); !slices.Equal(got, sc.Strategies) {
		t.Errorf("Columns() = %v; want the strategies %v", got, sc.Strategies)
	}
}

// TestPlansOnly: strategies: [] is allowed when plans give the columns.
func TestPlansOnly(t *testing.T) {
	text := strings.Replace(productPage, "strategies: [sync, async]", "strategies: []", 1)
	sc, err := Parse("product-page.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if got := sc.Columns(); !slices.Equal(got, []string{"hot-async"}) {
		t.Errorf("Columns() = %v; want [hot-async]", got)
	}
}

// TestSweepReachesTheGeneralForm: sweep paths set an owner's, a page
// service's, a read's (selected by its owner) and a plan's per-owner
// choice (selected by the plan's name), and refuse unknown names clearly.
func TestSweepReachesTheGeneralForm(t *testing.T) {
	for _, tt := range []struct {
		set  string
		want []string
		got  func(*Scenario) string
	}{
		{"owners.reviews.service.workers=4,8,16", []string{"4", "8", "16"},
			func(sc *Scenario) string { return strconv.Itoa(sc.Owners["reviews"].Service.Workers) }},
		{"owners.pricing.population.records=100,200", []string{"100", "200"},
			func(sc *Scenario) string { return strconv.Itoa(sc.Owners["pricing"].Population.Records) }},
		{"page_services.product.workers=2,64", []string{"2", "64"},
			func(sc *Scenario) string { return strconv.Itoa(sc.PageServices["product"].Workers) }},
		{"page_kinds.product.reads.reviews.records=1,20", []string{"1", "20"},
			func(sc *Scenario) string { return strconv.Itoa(sc.PageKinds["product"].Reads[2].Records) }},
		{"page_kinds.product.reads.0.section=optional,required", []string{"optional", "required"},
			func(sc *Scenario) string { return sc.PageKinds["product"].Reads[0].Section }},
		{"plans.hot-async.owners.reviews=sync,async", []string{"sync", "async"},
			func(sc *Scenario) string { return sc.model().topo.StrategyFor("hot-async", "reviews") }},
		{"plans.hot-async.owners.pricing=hybrid", []string{"hybrid"},
			func(sc *Scenario) string { return sc.Plans[0].Owners["pricing"] }},
	} {
		p, err := ParseSet(tt.set)
		if err != nil {
			t.Fatal(err)
		}
		cells, err := Cells("product-page.yaml", []byte(productPage), []Param{p})
		if err != nil {
			t.Errorf("Cells(-set %s) = %v", tt.set, err)
			continue
		}
		var got []string
		for _, c := range cells {
			got = append(got, tt.got(c.Scenario))
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("Cells(-set %s) set %v; want %v", tt.set, got, tt.want)
		}
	}
	for _, tt := range []struct{ text, set, want string }{
		{productPage, "owners.reveiws.service.workers=4", `no owner named "reveiws"; its owners are inventory, pricing, reviews`},
		{productPage, "page_services.web.workers=4", `no page service named "web"; its page_services are product`},
		{productPage, "plans.cold-async.owners.reviews=sync", "plans has no entry cold-async; its entries are hot-async"},
		{productPage, "plans.hot-async.owners.ratings=sync", `"ratings" is not an owner`},
		{productPage, "plans.hot-async.owners.reviews=fast", `"fast" is not a strategy`},
		{productPage, "page_kinds.product.reads.ratings.records=2", "its entries are inventory, pricing, reviews"},
		{sweepScenario, "owners.reviews.service.workers=4", "the scenario has no owners: it is in the marketplace form"},
		{sweepScenario, "plans.hot-async.owners.reviews=sync", "the scenario has no plans"},
	} {
		p, err := ParseSet(tt.set)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Cells("x.yaml", []byte(tt.text), []Param{p}); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Cells(-set %s) = %v; want an error containing %q", tt.set, err, tt.want)
		}
	}
}

// TestScaledGeneralForm: scaling a general-form scenario lowers each
// owner's write rate, leaves the original alone, and still writes a
// scenario that parses.
func TestScaledGeneralForm(t *testing.T) {
	sc, err := Parse("product-page.yaml", []byte(productPage))
	if err != nil {
		t.Fatal(err)
	}
	s, err := sc.Scaled(0.1)
	if err != nil {
		t.Fatal(err)
	}
	for owner, want := range map[string]Rate{"inventory": 5, "pricing": 2, "reviews": 0.5} {
		if got := *s.Owners[owner].Writes.Rate; math.Abs(float64(got-want)) > 1e-9 {
			t.Errorf("Scaled(0.1).Owners[%s] writes %v/s; want %v/s", owner, got, want)
		}
	}
	if got := *sc.Owners["inventory"].Writes.Rate; got != 50 {
		t.Errorf("after Scaled, the original's inventory writes %v/s; want 50/s", got)
	}
	if _, err := Parse("scaled.yaml", []byte(s.YAML())); err != nil {
		t.Errorf("the scaled scenario's YAML does not parse: %v", err)
	}
}

// TestREADMEGeneralFormShowsTheDefaults keeps the README's general-form
// block true: it parses, its spelled-out owner and page service are the
// defaults (an entry left empty equals them), and its first read is a
// read's defaults.
func TestREADMEGeneralFormShowsTheDefaults(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, _ := strings.Cut(string(readme), "### The general form")
	_, block, ok := strings.Cut(section, "```yaml\n")
	block, _, _ = strings.Cut(block, "```")
	if !ok || !strings.Contains(block, "owners:") {
		t.Fatal("README.md's general form section has no ```yaml block")
	}
	sc, err := Parse("readme.yaml", []byte(block))
	if err != nil {
		t.Fatalf("README's general-form block does not parse: %v", err)
	}
	if !reflect.DeepEqual(sc.Owners["inventory"], sc.Owners["reviews"]) {
		t.Errorf("README's inventory = %+v; want the defaults, as reviews: {} is: %+v", sc.Owners["inventory"], sc.Owners["reviews"])
	}
	if want := defaultOwner(); !reflect.DeepEqual(*sc.Owners["reviews"], want) {
		t.Errorf("owner {} = %+v; want defaultOwner() %+v", *sc.Owners["reviews"], want)
	}
	if got, want := *sc.PageServices["product"], defaultPageService(); !reflect.DeepEqual(got, want) {
		t.Errorf("README's page service product = %+v; want the defaults %+v", got, want)
	}
	if got, want := sc.PageKinds["product"].Reads[0], defaultRead(); got.Records != want.Records || got.Call != want.Call || got.Section != want.Section {
		t.Errorf("README's first read = %+v; want a read's defaults %+v", got, want)
	}
	if got := sc.PageKinds["product"].Order; got != defaultPageKind().Order {
		t.Errorf("README's product order = %q; want the default %q", got, defaultPageKind().Order)
	}
}

// TestGeneralCountsRefuseFractions: the general form's counts, like every
// other, refuse a fraction with their path rather than truncate it.
func TestGeneralCountsRefuseFractions(t *testing.T) {
	for _, tt := range []struct{ set, path string }{
		{"owners.reviews.population.records=2.5", "owners.reviews.population.records"},
		{"owners.reviews.population.item_bytes=200.5", "owners.reviews.population.item_bytes"},
		{"owners.reviews.service.workers=1.5", "owners.reviews.service.workers"},
		{"page_services.product.workers=1.5", "page_services.product.workers"},
		{"page_kinds.product.reads.reviews.records=2.5", "page_kinds.product.reads[2].records"},
	} {
		p, err := ParseSet(tt.set)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Cells("product-page.yaml", []byte(productPage), []Param{p})
		if err == nil || !strings.Contains(err.Error(), tt.path) || !strings.Contains(err.Error(), "whole number") {
			t.Errorf("Cells(-set %s) = %v; want an error naming %s and asking for a whole number", tt.set, err, tt.path)
		}
	}
}

// TestSelfViewOnlyServiceRoles: a page service that only self-views use
// calls its owner but has no consumers, so a fault on its link to the
// broker is refused as changing nothing, while one on its link to the
// owner is taken.
func TestSelfViewOnlyServiceRoles(t *testing.T) {
	base := strings.Replace(productPage, "  product: {workers: 32}\n", "  product: {workers: 32}\n  account: {workers: 4}\n", 1)
	base = strings.Replace(base, "inventory-editor: {service: product,", "inventory-editor: {service: account,", 1)
	sc, err := Parse("shop.yaml", []byte(base))
	if err != nil {
		t.Fatal(err)
	}
	r := sc.model().roles()
	if !slices.Equal(r.Consumers, []string{"product"}) {
		t.Errorf("roles().Consumers = %v; want [product] (account only self-views)", r.Consumers)
	}
	for _, tt := range []struct {
		link string
		ok   bool
	}{
		{"account->inventory", true},
		{"account->broker", false},
		{"product->broker", true},
		{"account->reviews", false},
	} {
		y := strings.Replace(base, "faults:\n", "faults:\n  - {kind: partition, link: "+tt.link+", at: 2s, for: 1s}\n", 1)
		_, err := Parse("shop.yaml", []byte(y))
		if (err == nil) != tt.ok {
			t.Errorf("Parse(partition %s) = %v; want ok %v", tt.link, err, tt.ok)
		}
	}
}
