package results

import (
	"bytes"
	"encoding/csv"
	"math"
	"slices"
	"strings"
	"testing"

	"golang.org/x/perf/benchfmt"

	"github.com/sharebench/sharebench/pages"
)

// generalTopology is a two-owner system: a product page reading
// inventory (required, one record) and reviews (ten, one get each), and
// the inventory editor, a self-view; a plan shares reviews async and
// inventory sync.
func generalTopology() *pages.Topology {
	return &pages.Topology{
		Owners:   []string{"inventory", "reviews"},
		Services: []string{"storefront"},
		Kinds: []pages.Kind{
			{Name: "product", Service: "storefront", Reads: []pages.Read{
				{Owner: "inventory", Records: 1, Batch: true, Required: true},
				{Owner: "reviews", Records: 10},
			}},
			{Name: "stock-editor", Service: "storefront", Self: true, Reads: []pages.Read{{Owner: "inventory", Records: 1, Batch: true}}},
		},
		Plans: map[string]map[string]string{"hot-async": {"inventory": "sync", "reviews": "async"}},
	}
}

// generalMetrics is one run of column col: sync puts load on both owners
// and is slow; async and the plan keep views. Figures differ by far more
// than their 2 % intervals, so rows have clear winners.
func generalMetrics(col string, seed int) *Metrics {
	j := float64(seed)
	strategy := map[string]map[string]string{
		"sync":      {"inventory": "sync", "reviews": "sync"},
		"async":     {"inventory": "async", "reviews": "async"},
		"hot-async": {"inventory": "sync", "reviews": "async"},
	}[col]
	p99 := map[string]float64{"sync": 120, "async": 20, "hot-async": 60}[col] + j
	pc := map[string]float64{"sync": 0.72, "async": 0.99, "hot-async": 0.9}[col] + j/1000
	page := func(p99 float64, count int64) *PageMetrics {
		pc := pc
		return &PageMetrics{Count: count, Rendered: count, LatencyMS: Summary{N: count, Mean: p99 / 4, P50: p99 / 3, P90: p99 / 2, P99: p99, P999: 2 * p99, Max: 3 * p99},
			Availability: 0.999, Completeness: pc, WithClients: count, Shown: 11 * count, PageCompleteness: &pc, PagesWithData: count}
	}
	m := &Metrics{
		Pages:            map[string]*PageMetrics{pages.All: page(p99, 100_000), "product": page(p99, 100_000), "stock-editor": page(p99/2, 5_000)},
		Owners:           map[string]*OwnerResult{},
		DuplicationBytes: map[string]int64{},
	}
	var rps, views float64
	for _, o := range []string{"inventory", "reviews"} {
		r := &OwnerResult{Strategy: strategy[o], Duplication: map[string]int64{}}
		r.Sections = PageMetrics{Count: 100_000, Completeness: pc, Shown: 100_000, WithClients: 100_000}
		if strategy[o] == "sync" {
			r.Load = OwnerMetrics{Requests: 60_000, RPS: 1000 + 10*j, PublicRPS: 950 + 10*j}
		} else {
			r.Load = OwnerMetrics{Requests: 3_000, RPS: 50 + j, PublicRPS: 0}
			r.Duplication["storefront"] = 400_000
			r.PropagationMS = Summary{N: 5_000, P99: 80 + j}
			r.Sections.StaleFraction, r.Sections.Stale = 0.01, 1_000
			views++
		}
		if o == "reviews" {
			r.Load.RPS *= 3 // reviews are read ten at a time
		}
		rps += r.Load.RPS
		m.Owner.RPS += r.Load.RPS
		m.Owner.PublicRPS += r.Load.PublicRPS
		m.DuplicationBytes["storefront"] += r.Duplication["storefront"]
		m.Owners[o] = r
	}
	if views > 0 {
		m.Broker = BrokerMetrics{Published: 1000, Delivered: 1000 * int64(views)}
		m.PropagationMS = Summary{N: 5_000, P99: 80 + j}
	}
	m.Stats, m.CI95 = map[string]Stat{}, map[string]float64{}
	for _, mt := range MetricsFor(generalTopology()) {
		switch mt.Within {
		case Exact:
			m.Stats[mt.Name], m.CI95[mt.Name] = Stat{N: 1, Method: MethodExact}, 0
		case Unbatched:
			m.Stats[mt.Name] = Stat{N: 1, Method: MethodNone}
		default:
			m.Stats[mt.Name] = Stat{N: 100_000, Method: MethodBatchMeans, Batches: 20, DF: 19}
			m.CI95[mt.Name] = 0.02 * math.Abs(mt.Get(m))
		}
	}
	return m
}

// generalFile is a general-form file of the three columns (two plain
// strategies and a plan), seeds runs each.
func generalFile(seeds int) *File {
	f := &File{
		Schema: Schema, Mode: "virtual", Scenario: "product-page", DurationS: 60, WarmupS: 5,
		ScenarioYAML: "name: product-page\n",
		Order:        []string{"sync", "async", "hot-async"},
		Strategies:   map[string]*Metrics{},
		Topology:     generalTopology(),
		Faults:       []FaultWindow{{AtS: 20, ForS: 10, Kind: "outage", Label: "outage reviews (refuse)"}},
	}
	for s := range seeds {
		f.Seeds = append(f.Seeds, uint64(1+s))
	}
	for _, col := range f.Order {
		var rs []*Metrics
		for s := range seeds {
			rs = append(rs, generalMetrics(col, s))
		}
		f.Strategies[col] = Aggregate(rs)
	}
	return f
}

// TestGeneralFixture writes the general-form file the plot and report
// tests read (testdata/general.json; go test -update rewrites it).
func TestGeneralFixture(t *testing.T) {
	var b bytes.Buffer
	if err := Encode(&b, generalFile(1)); err != nil {
		t.Fatal(err)
	}
	golden(t, "general.json", b.Bytes())
}

// tableCells finds the table line of a row label and splits its cells
// (cells are three spaces or more apart).
func tableCells(t *testing.T, table, label string) []string {
	t.Helper()
	for _, line := range strings.Split(table, "\n") {
		if strings.HasPrefix(line, label+" ") {
			var cells []string
			for _, c := range strings.Split(line, "   ") {
				if c = strings.TrimSpace(c); c != "" {
					cells = append(cells, c)
				}
			}
			return cells
		}
	}
	t.Fatalf("table has no row %q:\n%s", label, table)
	return nil
}

func TestWriteTableGeneral(t *testing.T) {
	f := generalFile(1)
	var b bytes.Buffer
	if err := WriteTable(&b, f); err != nil {
		t.Fatal(err)
	}
	table := b.String()
	for _, want := range []string{"\npage product (public page, service storefront)\n", "\npage stock-editor (self-view, service storefront)\n"} {
		if !strings.Contains(table, want) {
			t.Errorf("WriteTable(general) lacks heading %q:\n%s", want, table)
		}
	}
	tests := []struct {
		label string
		want  []string // cell prefixes per column: sync, async, hot-async
	}{
		{"owner reviews: strategy", []string{"sync", "async", "async"}},
		{"owner inventory: strategy", []string{"sync", "async", "sync"}},
		{"latency.p99@product (ms)", []string{"120 ", "20.0* ", "60.0 "}},
		{"page_completeness (%)", []string{"72.00 ", "99.00* ", "90.00 "}},
		// A tie at the best value stars both (rule 3).
		{"owner.rps@reviews (req/s)", []string{"3,000 ", "150* ", "150* "}},
		{"owner.rps@inventory (req/s)", []string{"1,000 ", "50.0* ", "1,000 "}},
	}
	for _, tt := range tests {
		cells := tableCells(t, table, tt.label)
		if len(cells) != 4 {
			t.Errorf("row %q = %q; want the label and 3 columns", tt.label, cells)
			continue
		}
		for i, w := range tt.want {
			if !strings.HasPrefix(cells[i+1], w) {
				t.Errorf("row %q column %s = %q; want it to start %q", tt.label, f.Order[i], cells[i+1], w)
			}
		}
	}
	// Too few samples behind one column's figure: marked, never starred.
	f.Strategies["async"].Stats["latency.p99@product"] = Stat{N: 50, Method: MethodBatchMeans, Batches: 20, DF: 19}
	b.Reset()
	if err := WriteTable(&b, f); err != nil {
		t.Fatal(err)
	}
	if cells := tableCells(t, b.String(), "latency.p99@product (ms)"); !strings.HasPrefix(cells[2], "20.0? ") || strings.Contains(strings.Join(cells, " "), "*") {
		t.Errorf("latency.p99@product row with async on 50 samples = %q; want async marked ? and no star", cells)
	}
	// The marketplace form has none of it.
	var mb bytes.Buffer
	if err := WriteTable(&mb, fixtureFile(t, 1)); err != nil {
		t.Fatal(err)
	}
	if s := mb.String(); strings.Contains(s, "@") || strings.Contains(s, "page_completeness") {
		t.Errorf("WriteTable(marketplace) shows general-form rows:\n%s", s)
	}
}

func TestWriteCSVGeneral(t *testing.T) {
	f := generalFile(1)
	var b bytes.Buffer
	if err := WriteCSV(&b, f); err != nil {
		t.Fatal(err)
	}
	comment, _, _ := strings.Cut(b.String(), "\n")
	if !strings.Contains(comment, " latency.p99@product=ms") || !strings.Contains(comment, " owner.rps@reviews=req/s") {
		t.Errorf("CSV comment = %q; want the scoped columns' units", comment)
	}
	r := csv.NewReader(&b)
	r.Comment = '#'
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := func(name string) int {
		i := slices.Index(rows[0], name)
		if i < 0 {
			t.Fatalf("CSV header lacks %q: %q", name, rows[0])
		}
		return i
	}
	row := func(strategy, page string) []string {
		for _, r := range rows[1:] {
			if r[0] == strategy && r[1] == page {
				return r
			}
		}
		t.Fatalf("CSV has no row strategy=%s page=%s", strategy, page)
		return nil
	}
	tests := []struct {
		strategy, page, column, want string
	}{
		{"sync", "all", "latency.p99@product", "120"},
		{"hot-async", "all", "owner.rps@inventory", "1000"},
		{"hot-async", "all", "owner.rps@reviews", "150"},
		{"async", "all", "duplication@reviews", "400000"},
		{"sync", "all", "page_completeness", "72"},
		{"async", "stock-editor", "latency.p99", "10"},
		{"async", "stock-editor", "latency.p99@product", ""}, // the all row holds the scoped columns
		{"async", "product", "page_completeness", "99"},
	}
	for _, tt := range tests {
		if got := row(tt.strategy, tt.page)[col(tt.column)]; got != tt.want {
			t.Errorf("CSV %s/%s %s = %q; want %q", tt.strategy, tt.page, tt.column, got, tt.want)
		}
	}
}

func TestWriteBenchGeneral(t *testing.T) {
	f := generalFile(2)
	f.Order = append(f.Order, "odd plan(1)")
	f.Strategies["odd plan(1)"] = f.Strategies["hot-async"]
	f.Topology.Plans["odd plan(1)"] = f.Topology.Plans["hot-async"]
	var b bytes.Buffer
	if err := WriteBench(&b, f); err != nil {
		t.Fatal(err)
	}
	r := benchfmt.NewReader(&b, "bench.txt")
	got := map[string][]float64{} // name → owner-req/s or p99-sec per line
	for r.Scan() {
		switch rec := r.Result().(type) {
		case *benchfmt.Result:
			name := string(rec.Name.Full())
			unit := "p99-sec"
			if strings.Contains(name, "/owner=") {
				unit = "owner-req/s"
			}
			v, ok := rec.Value(unit)
			if !ok {
				t.Errorf("%s has no %s", name, unit)
			}
			got[name] = append(got[name], v)
		case *benchfmt.SyntaxError:
			t.Errorf("benchfmt: %v", rec)
		}
	}
	tests := []struct {
		name string
		want []float64
	}{
		{"ProductPage/strategy=hot-async/owner=reviews", []float64{150, 153}},
		{"ProductPage/strategy=sync/owner=inventory", []float64{1000, 1010}},
		{"ProductPage/strategy=odd_plan_1_/owner=inventory", []float64{1000, 1010}},
		{"ProductPage/strategy=async/page=product", []float64{0.020, 0.021}},
		{"ProductPage/strategy=sync/page=stock-editor", []float64{0.060, 0.0605}},
	}
	for _, tt := range tests {
		if g := got[tt.name]; len(g) != len(tt.want) || math.Abs(g[0]-tt.want[0]) > 1e-9 || math.Abs(g[1]-tt.want[1]) > 1e-9 {
			t.Errorf("bench %s = %v; want %v (one line per seed)", tt.name, g, tt.want)
		}
	}
}

func TestBenchWord(t *testing.T) {
	tests := []struct{ in, want string }{
		{"hot-async", "hot-async"},
		{"a b", "a_b"},
		{"x@y", "x_y"},
		{"k=v/w", "k_v_w"},
		{"-neg", "_neg"},
		{"f(a,b):c", "f_a_b__c"},
	}
	for _, tt := range tests {
		if got := benchWord(tt.in); got != tt.want {
			t.Errorf("benchWord(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestCompareScoped(t *testing.T) {
	base := generalFile(1)
	worse := generalFile(1)
	worse.Strategies["sync"].Pages["product"].LatencyMS.P99 = 300
	tests := []struct {
		limits    string
		regressed []string
	}{
		{"latency.p99@product=150", []string{"sync latency.p99@product"}},
		{"latency.p99@product=+200%", nil},
		{"latency.p99=+10%", nil}, // the public pages as a whole did not move
		{"owner.rps@reviews=+10%", nil},
	}
	for _, tt := range tests {
		ts := mustThresholds(t, tt.limits)
		if err := CheckLimits(base, ts); err != nil {
			t.Fatalf("CheckLimits(%s) = %v; want nil", tt.limits, err)
		}
		var got []string
		for _, d := range Compare(base, worse, ts) {
			if d.Regressed {
				got = append(got, d.Strategy+" "+d.Metric.Name)
			}
		}
		if !slices.Equal(got, tt.regressed) {
			t.Errorf("Compare(-max %s) regressed %q; want %q", tt.limits, got, tt.regressed)
		}
	}
	bad := []struct{ limits, want string }{
		{"latency.p99@checkout=150", `no page kind or owner "checkout"; its page kinds are product, stock-editor`},
		{"owner.rps@product=+1%", "a page kind has no owner.rps"},
		{"latency.p99@reviews=+1%", "an owner has no latency.p99"},
	}
	for _, tt := range bad {
		err := CheckLimits(base, mustThresholds(t, tt.limits))
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "owners inventory, reviews") {
			t.Errorf("CheckLimits(%s) = %v; want an error saying %q and listing the owners", tt.limits, err, tt.want)
		}
	}
	if err := CheckLimits(fixtureFile(t, 1), mustThresholds(t, "latency.p99@gig=+1%")); err == nil || !strings.Contains(err.Error(), "marketplace form") {
		t.Errorf("CheckLimits(marketplace, latency.p99@gig) = %v; want an error naming the marketplace form", err)
	}
	if _, err := ParseThresholds("owner.rejected@reviews=+1"); err == nil {
		t.Errorf("ParseThresholds(owner.rejected@reviews) = nil error; want unknown (owners have no scoped owner.rejected)")
	}
}

func TestAggregateOwners(t *testing.T) {
	a, b := generalMetrics("hot-async", 0), generalMetrics("hot-async", 4)
	agg := Aggregate([]*Metrics{a, b})
	rv := agg.Owners["reviews"]
	if rv == nil || agg.Owners["inventory"] == nil {
		t.Fatalf("Aggregate owners = %v; want inventory and reviews", agg.Owners)
	}
	if want := (a.Owners["reviews"].Load.RPS + b.Owners["reviews"].Load.RPS) / 2; rv.Load.RPS != want {
		t.Errorf("Aggregate reviews rps = %g; want the mean %g", rv.Load.RPS, want)
	}
	if rv.Strategy != "async" || agg.Owners["inventory"].Strategy != "sync" {
		t.Errorf("Aggregate strategies = %s, %s; want async, sync", rv.Strategy, agg.Owners["inventory"].Strategy)
	}
	if rv.Duplication["storefront"] != 400_000 {
		t.Errorf("Aggregate reviews duplication = %v; want storefront 400000", rv.Duplication)
	}
	pc := agg.Pages["product"].PageCompleteness
	if want := (*a.Pages["product"].PageCompleteness + *b.Pages["product"].PageCompleteness) / 2; pc == nil || math.Abs(*pc-want) > 1e-12 {
		t.Errorf("Aggregate product page completeness = %v; want %g", pc, want)
	}
	for _, name := range []string{"owner.rps@reviews", "latency.p99@product", "page_completeness", "propagation.p99@reviews"} {
		mt := lookupIn(t, name)
		want := CI95([]float64{mt.Get(a), mt.Get(b)})
		if got, ok := agg.CI95[name]; !ok || got != want || want == 0 {
			t.Errorf("Aggregate CI95[%s] = %g, %v; want %g over the two seeds", name, got, ok, want)
		}
		if st := agg.Stats[name]; st.Method != MethodSeeds || st.N != a.Stats[name].N+b.Stats[name].N {
			t.Errorf("Aggregate Stats[%s] = %+v; want seeds, N summed", name, st)
		}
	}
	// The marketplace form stays without owners.
	if m := Aggregate([]*Metrics{strategyMetrics(t, "sync", 0), strategyMetrics(t, "sync", 1)}); m.Owners != nil || len(m.CI95) != len(Registry) {
		t.Errorf("Aggregate(marketplace) owners %v, %d intervals; want none, %d", m.Owners, len(m.CI95), len(Registry))
	}
}

func lookupIn(t *testing.T, name string) Metric {
	t.Helper()
	for _, mt := range MetricsFor(generalTopology()) {
		if mt.Name == name {
			return mt
		}
	}
	t.Fatalf("no metric %s", name)
	return Metric{}
}

// TestScopedRareEvents: a scoped stale-fraction figure counts its own
// scope's stale sections, not the public pages'.
func TestScopedRareEvents(t *testing.T) {
	m := generalMetrics("async", 0)
	m.Stats[Scoped("staleness.p99", "reviews")] = Stat{N: 7, Method: MethodBatchMeans, Batches: 20}
	for _, tt := range []struct {
		name string
		want int64
	}{{"stale_fraction@reviews", 7}, {"stale_fraction", m.Stats["staleness.p99"].N}} {
		if got := FigureOf(m, lookupIn(t, tt.name)).Events; got != tt.want {
			t.Errorf("FigureOf(%s).Events = %d; want %d", tt.name, got, tt.want)
		}
	}
	delete(m.Stats, Scoped("staleness.p99", "reviews"))
	if got := FigureOf(m, lookupIn(t, "stale_fraction@reviews")).Events; got != m.Owners["reviews"].Sections.Stale {
		t.Errorf("FigureOf(stale_fraction@reviews).Events without a count = %d; want the owner's stale sections %d", got, m.Owners["reviews"].Sections.Stale)
	}
}
