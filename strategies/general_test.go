package strategies_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sharebench/sharebench/pages"
	"github.com/sharebench/sharebench/sim"
	"github.com/sharebench/sharebench/sim/virtual"
	"github.com/sharebench/sharebench/strategies"
)

// The general form: several owners, each with its own strategy, read by
// page kinds with reads. The world has no link latency, and services spend
// constant times, so latencies below are exact in virtual time.

// general is a deployment of the general form in a small virtual world.
type general struct {
	t       *testing.T
	w       *virtual.World
	d       *strategies.Deployment
	client  *virtual.Node
	commits map[string]int // OnCommit calls by owner
}

// owner is an owner of 50 records, every fifth with three items, whose
// service spends serviceTime per request.
func owner(name string, st strategies.Strategy, serviceTime time.Duration) strategies.OwnerConfig {
	call := strategies.DefaultCallOptions()
	return strategies.OwnerConfig{
		Name: name, Strategy: st, Sellers: 50, ClientSize: 100, Initial: initial,
		Spec: sim.ServiceSpec{Workers: 16, Queue: 1000, ServiceTime: sim.ConstDuration(serviceTime)},
		Call: call, ReconcileTimeout: time.Second,
	}
}

// read is a batch read of one owner's records.
func read(owner string, records int, required bool) pages.Read {
	return pages.Read{Owner: owner, Records: records, Batch: true, Required: required}
}

// newGeneral deploys owners and kinds, every kind on the page service
// "page", whose own work is none unless an option says otherwise.
func newGeneral(t *testing.T, owners []strategies.OwnerConfig, kinds []pages.Kind, opts ...func(*strategies.Config)) *general {
	t.Helper()
	w := virtual.New(1)
	t.Cleanup(w.Close)
	if err := w.AddBroker(sim.BrokerSpec{
		Partitions: 2, PublishLatency: sim.ConstDuration(ms), DeliveryLatency: sim.ConstDuration(2 * ms),
		CommitInterval: time.Second, SessionTimeout: 3 * time.Second,
	}); err != nil {
		t.Fatal(err)
	}
	g := &general{t: t, w: w, commits: map[string]int{}}
	cfg := strategies.DefaultConfig()
	cfg.Owners, cfg.Kinds = owners, kinds
	cfg.Pages = map[string]sim.ServiceSpec{"page": {Workers: 64, ServiceTime: sim.ConstDuration(0)}}
	cfg.OnCommit = func(owner string, _ *strategies.List) { g.commits[owner]++ }
	for _, o := range opts {
		o(&cfg)
	}
	d, err := strategies.Deploy(w.Hosts(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	g.d, g.client = d, w.Node("client")
	return g
}

// renderAt asks "page" for a page of kind at virtual time at.
func (g *general) renderAt(at time.Duration, kind string, sellers ...strategies.Seller) *render {
	return g.renderOn(at, "page", kind, sellers...)
}

// renderOn asks service for a page of kind at virtual time at.
func (g *general) renderOn(at time.Duration, service, kind string, sellers ...strategies.Seller) *render {
	rd := &render{kind: kind, sellers: sellers}
	g.w.At(at, func() {
		g.client.Go("render", func(ctx context.Context) {
			ctx, cancel := g.client.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			rd.sent = g.client.Now()
			body, err := g.client.Call(ctx, service, strategies.MethodRender, strategies.PageRequest{Kind: kind, Sellers: sellers})
			rd.done, rd.err = g.client.Now(), err
			if err == nil {
				rd.page = body.(strategies.Page)
				rd.err = rd.page.Err() // a page failed for a required section
			}
		})
	})
	return rd
}

// writeAt sends a write to owner at virtual time at.
func (g *general) writeAt(at time.Duration, owner string, wr strategies.Write) {
	g.w.At(at, func() {
		g.client.Go("write", func(ctx context.Context) {
			ctx, cancel := g.client.WithTimeout(ctx, time.Second)
			defer cancel()
			if _, err := g.client.Call(ctx, owner, strategies.MethodWrite, wr); err != nil {
				g.t.Errorf("write to %s: %v", owner, err)
			}
		})
	})
}

// arrivedBetween counts the requests node gets in [from, to).
func (g *general) arrivedBetween(node string, from, to time.Duration) func() int64 {
	var before, after int64
	n := g.w.Node(node)
	g.w.At(from, func() { before = n.Stats().Arrived })
	g.w.At(to, func() { after = n.Stats().Arrived })
	return func() int64 { return after - before }
}

// Two owners with different strategies on one page service: the sync
// owner is called on every render, the async one never; its view is fed
// by its own topic and consumer group and shows its writes.
func TestTwoOwnersEachByItsStrategy(t *testing.T) {
	g := newGeneral(t,
		[]strategies.OwnerConfig{owner("prices", strategies.Sync, ms), owner("reviews", strategies.Async, ms)},
		[]pages.Kind{{Name: "product", Service: "page", Reads: []pages.Read{read("prices", 1, false), read("reviews", 1, false)}}})
	g.writeAt(100*ms, "reviews", strategies.Write{Seller: 7, Op: strategies.Add, Client: 1})
	g.writeAt(100*ms, "prices", strategies.Write{Seller: 7, Op: strategies.Add, Client: 2})
	prices, reviews := g.arrivedBetween("prices", time.Second, 2*time.Second), g.arrivedBetween("reviews", time.Second, 2*time.Second)
	var rs []*render
	for i := range 6 {
		rs = append(rs, g.renderAt(time.Second+time.Duration(i)*10*ms, "product", 7, 7))
	}
	g.w.Run(3 * time.Second)

	if got := prices(); got != 6 {
		t.Errorf("sync owner prices got %d calls for 6 renders; want 6", got)
	}
	if got := reviews(); got != 0 {
		t.Errorf("async owner reviews got %d calls for 6 renders; want 0 (pages read the view)", got)
	}
	for _, rd := range rs {
		if rd.err != nil || len(rd.page.Sections) != 2 {
			t.Fatalf("render: %+v, %v; want 2 sections", rd.page, rd.err)
		}
		p, r := rd.page.Sections[0], rd.page.Sections[1]
		if !p.FromOwner || p.Version != 1 || r.FromOwner || r.Version != 1 {
			t.Errorf("sections %+v; want prices from its owner and reviews from the view, both at version 1", rd.page.Sections)
		}
	}
	if v := g.d.View("page", "reviews"); v == nil || v.Entry(7).Version != 1 {
		t.Errorf("page's view of reviews = %v; want one holding seller 7 at version 1", v)
	}
	if v := g.d.View("page", "prices"); v != nil {
		t.Errorf("page keeps a view of sync owner prices; want none")
	}
	if got := g.w.GroupStats("reviews.lists", "page-reviews-view").Delivered; got != 1 {
		t.Errorf("group page-reviews-view on reviews.lists got %d records; want the 1 write", got)
	}
	if got := g.w.GroupStats("prices.lists", "page-prices-view").Published; got != 0 {
		t.Errorf("sync owner prices published %d records; want 0", got)
	}
	// Every fifth record starts with items: 10 initial commits each, then
	// one write.
	if want := map[string]int{"prices": 11, "reviews": 11}; g.commits["prices"] != 11 || g.commits["reviews"] != 11 {
		t.Errorf("OnCommit by owner = %v; want %v", g.commits, want)
	}
	dup := g.d.DuplicationByOwner()
	if dup["prices"]["page"] != 0 || dup["reviews"]["page"] <= 0 {
		t.Errorf("DuplicationByOwner() = %v; want nothing of prices and the view's bytes of reviews", dup)
	}
	if got, want := g.d.Duplication()["page"], dup["reviews"]["page"]; got != want {
		t.Errorf("Duplication()[page] = %d; want the sum over owners, %d", got, want)
	}
	if got := slices.Sorted(func(yield func(string) bool) {
		for name := range g.d.Owners {
			yield(name)
		}
	}); !slices.Equal(got, []string{"prices", "reviews"}) || g.d.Owner != g.d.Owners["prices"] {
		t.Errorf("Owners = %v, Owner = %s; want prices and reviews, Owner the first", got, g.d.Owner.Name())
	}
}

// Under an outage of one owner, a page that requires its section fails;
// one for which it is optional renders without it.
func TestRequiredSectionFailsThePage(t *testing.T) {
	g := newGeneral(t,
		[]strategies.OwnerConfig{owner("a", strategies.Sync, ms), owner("b", strategies.Sync, ms)},
		[]pages.Kind{
			{Name: "needs-a", Service: "page", Reads: []pages.Read{read("a", 1, true), read("b", 1, false)}},
			{Name: "wants-a", Service: "page", Reads: []pages.Read{read("a", 1, false), read("b", 1, true)}},
		})
	if err := g.w.Inject(sim.Fault{At: 500 * ms, For: time.Second, Kind: sim.Outage, Target: "a"}); err != nil {
		t.Fatal(err)
	}
	needsUp, wantsUp := g.renderAt(100*ms, "needs-a", 5, 5), g.renderAt(100*ms, "wants-a", 5, 5)
	needsDown, wantsDown := g.renderAt(time.Second, "needs-a", 5, 5), g.renderAt(time.Second, "wants-a", 5, 5)
	g.w.Run(3 * time.Second)

	for _, rd := range []*render{needsUp, wantsUp} {
		if rd.err != nil || slices.ContainsFunc(rd.page.Sections, func(s strategies.Section) bool { return !s.Shown() }) {
			t.Errorf("%s with both owners up: %+v, %v; want every section shown", rd.kind, rd.page, rd.err)
		}
	}
	if needsDown.err == nil || !strings.Contains(needsDown.err.Error(), "required section of a") {
		t.Errorf("needs-a with a down: err = %v; want the page failed for its required section of a", needsDown.err)
	}
	// The failed page still says what each read got: a's section failed,
	// b's was had (so each owner's completeness can be counted).
	if s := needsDown.page.Sections; len(s) != 2 || !s[0].Failed || !s[1].Shown() {
		t.Errorf("needs-a with a down: sections %+v; want a's Failed and b's had", s)
	}
	if wantsDown.err != nil {
		t.Fatalf("wants-a with a down: %v; want the page rendered without a's section", wantsDown.err)
	}
	if s := wantsDown.page.Sections; len(s) != 2 || !s[0].Failed || !s[1].Shown() {
		t.Errorf("wants-a with a down: sections %+v; want a's left out (Failed) and b's shown", s)
	}
}

// Reads in parallel take as long as the slowest; in sequence, the sum.
// Single gets cost one call per record, a batch one call. The page's own
// Work comes after the reads of an owner whose calls are not made
// alongside it (Call.Parallel false), and beside those of one whose are.
func TestReadShapes(t *testing.T) {
	two := []pages.Read{read("a", 1, false), read("b", 1, false)}
	single := read("a", 4, false)
	single.Batch = false
	beside := owner("c", strategies.Sync, 10*ms)
	beside.Call.Parallel = true
	g := newGeneral(t,
		[]strategies.OwnerConfig{owner("a", strategies.Sync, 10*ms), owner("b", strategies.Sync, 30*ms), beside},
		[]pages.Kind{
			{Name: "parallel", Service: "page", Reads: two},
			{Name: "sequence", Service: "page", Reads: two, Sequential: true},
			{Name: "batch", Service: "page", Reads: []pages.Read{read("a", 4, false)}},
			{Name: "single", Service: "page", Reads: []pages.Read{single}},
			{Name: "worked", Service: "page", Reads: []pages.Read{read("a", 1, false)}},
			{Name: "beside", Service: "page", Reads: []pages.Read{read("c", 1, false)}},
			{Name: "mixed", Service: "page", Reads: []pages.Read{read("a", 1, false), read("c", 1, false)}},
			{Name: "seq-beside", Service: "page", Sequential: true, Reads: []pages.Read{read("c", 1, false), read("c", 1, false)}},
			{Name: "seq-mixed", Service: "page", Sequential: true, Reads: []pages.Read{read("a", 1, false), read("c", 1, false)}},
		},
		func(c *strategies.Config) {
			c.Work = map[string]sim.DurationDist{
				"worked": sim.ConstDuration(5 * ms), "beside": sim.ConstDuration(25 * ms), "mixed": sim.ConstDuration(25 * ms),
				"seq-beside": sim.ConstDuration(25 * ms), "seq-mixed": sim.ConstDuration(25 * ms),
			}
		})
	par, seq := g.renderAt(100*ms, "parallel", 1, 2), g.renderAt(200*ms, "sequence", 1, 2)
	batchCalls, singleCalls := g.arrivedBetween("a", 290*ms, 390*ms), g.arrivedBetween("a", 390*ms, 490*ms)
	batch, singles := g.renderAt(300*ms, "batch", 0, 1, 2, 3), g.renderAt(400*ms, "single", 0, 1, 2, 3)
	worked := g.renderAt(500*ms, "worked", 0)
	// c's calls run alongside the page's own work; a's before it.
	besideWork, mixed := g.renderAt(600*ms, "beside", 0), g.renderAt(700*ms, "mixed", 0, 0)
	// A chain goes alongside only if all its calls may.
	seqBeside, seqMixed := g.renderAt(800*ms, "seq-beside", 0, 0), g.renderAt(900*ms, "seq-mixed", 0, 0)
	g.w.Run(2 * time.Second)

	for _, tt := range []struct {
		rd   *render
		want time.Duration
	}{
		{par, 30 * ms}, {seq, 40 * ms}, {batch, 10 * ms}, {singles, 10 * ms}, {worked, 15 * ms},
		{besideWork, 25 * ms}, {mixed, 35 * ms}, {seqBeside, 25 * ms}, {seqMixed, 45 * ms},
	} {
		if tt.rd.err != nil {
			t.Errorf("%s: %v", tt.rd.kind, tt.rd.err)
		} else if got := tt.rd.latency(); got != tt.want {
			t.Errorf("%s page latency = %v; want %v", tt.rd.kind, got, tt.want)
		}
	}
	if got := batchCalls(); got != 1 {
		t.Errorf("a batch read of 4 records made %d calls; want 1", got)
	}
	if got := singleCalls(); got != 4 {
		t.Errorf("a single read of 4 records made %d calls; want 4", got)
	}
	for _, rd := range []*render{batch, singles} {
		var got []strategies.Seller
		for _, s := range rd.page.Sections {
			got = append(got, s.Seller)
		}
		if !slices.Equal(got, rd.sellers) {
			t.Errorf("%s page's sections are of %v; want %v, in order", rd.kind, got, rd.sellers)
		}
	}
}

// A sequence stops at a required read that fails: later reads are not
// made, and their sections are Failed.
func TestSequenceStopsAtFailedRequiredRead(t *testing.T) {
	g := newGeneral(t,
		[]strategies.OwnerConfig{owner("a", strategies.Sync, ms), owner("b", strategies.Sync, ms)},
		[]pages.Kind{{Name: "chain", Service: "page", Sequential: true, Reads: []pages.Read{read("a", 1, true), read("b", 1, false)}}})
	if err := g.w.Inject(sim.Fault{At: 0, For: time.Hour, Kind: sim.Outage, Target: "a"}); err != nil {
		t.Fatal(err)
	}
	bCalls := g.arrivedBetween("b", 0, time.Second)
	rd := g.renderAt(100*ms, "chain", 1, 1)
	g.w.Run(time.Second)
	if rd.err == nil {
		t.Errorf("chain with a down: rendered %+v; want the page failed", rd.page)
	}
	if got := bCalls(); got != 0 {
		t.Errorf("b got %d calls after a's required read failed; want 0", got)
	}
	// The failed page says which reads were made: a's, failed; b's never.
	if s := rd.page.Sections; len(s) != 2 || !s[0].Failed || s[0].Unasked || !s[1].Failed || !s[1].Unasked {
		t.Errorf("chain with a down: sections %+v; want a's Failed and b's Failed and Unasked", s)
	}
}

// A self-view reads each of its owners directly, whatever their strategy,
// and no other owner.
func TestSelfViewReadsItsOwner(t *testing.T) {
	g := newGeneral(t,
		[]strategies.OwnerConfig{owner("a", strategies.Async, ms), owner("b", strategies.Hybrid, ms)},
		[]pages.Kind{
			{Name: "public", Service: "page", Reads: []pages.Read{read("a", 1, false), read("b", 1, false)}},
			{Name: "a-editor", Service: "page", Self: true, Reads: []pages.Read{read("a", 1, false)}},
		})
	aCalls, bCalls := g.arrivedBetween("a", 0, time.Second), g.arrivedBetween("b", 0, time.Second)
	// Seller 1 has no items: hybrid knows it need not call b.
	pub := g.renderAt(100*ms, "public", 1, 1)
	// The write commits at 201ms; the view hears of it at least 3ms later.
	g.writeAt(200*ms, "a", strategies.Write{Seller: 1, Op: strategies.Add, Client: 9})
	self := g.renderAt(202*ms, "a-editor", 1)
	g.w.Run(time.Second)
	if pub.err != nil || self.err != nil {
		t.Fatalf("renders: %v, %v", pub.err, self.err)
	}
	if got := aCalls(); got != 2 {
		t.Errorf("a got %d requests (1 write, 1 self-view read); want 2", got)
	}
	if got := bCalls(); got != 0 {
		t.Errorf("b got %d requests; want 0 (the public page needs none, the editor reads only a)", got)
	}
	if s := self.page.Sections[0]; !s.FromOwner || s.Version != 1 {
		t.Errorf("a-editor section = %+v; want version 1 read from the owner (read your writes)", s)
	}
}

// A page service whose kinds read an owner only through a self-view keeps
// no copy of it (no view, no cache, no consumer group): the self-view
// reads the owner directly. Its duplication is 0 and the owner's is the
// public page service's alone.
func TestSelfViewOnlyServiceKeepsNoCopy(t *testing.T) {
	g := newGeneral(t,
		[]strategies.OwnerConfig{owner("a", strategies.Async, ms), owner("b", strategies.SyncCache, ms)},
		[]pages.Kind{
			{Name: "public", Service: "page", Reads: []pages.Read{read("a", 1, false), read("b", 1, false)}},
			{Name: "my-a", Service: "account", Self: true, Reads: []pages.Read{read("a", 1, false), read("b", 1, false)}},
		},
		func(c *strategies.Config) {
			c.Pages["account"] = sim.ServiceSpec{Workers: 4, ServiceTime: sim.ConstDuration(0)}
		})
	aCalls := g.arrivedBetween("a", 0, time.Second)
	g.writeAt(100*ms, "a", strategies.Write{Seller: 3, Op: strategies.Add, Client: 9})
	pub := g.renderAt(300*ms, "public", 0, 0)
	self := g.renderOn(300*ms, "account", "my-a", 0, 0)
	g.w.Run(time.Second)
	if pub.err != nil || self.err != nil {
		t.Fatalf("renders: %v, %v", pub.err, self.err)
	}
	if v := g.d.Views["account"]; len(v) != 0 {
		t.Errorf("account's views = %v; want none (only a self-view reads a)", v)
	}
	dup := g.d.Duplication()
	if dup["account"] != 0 || dup["page"] == 0 {
		t.Errorf("Duplication() = %v; want account 0 and page > 0 (its view of a, its cache of b)", dup)
	}
	for owner, byService := range g.d.DuplicationByOwner() {
		if _, ok := byService["account"]; ok || len(byService) != 1 {
			t.Errorf("DuplicationByOwner()[%s] = %v; want page's copy only", owner, byService)
		}
	}
	// One consumer group (page's view of a): each record published is
	// delivered once.
	if bs := g.w.BrokerStats(); bs.Published == 0 || bs.Delivered != bs.Published {
		t.Errorf("broker published %d, delivered %d; want each record delivered once (no account group)", bs.Published, bs.Delivered)
	}
	if got := aCalls(); got != 2 {
		t.Errorf("a got %d requests; want 2 (the write, the self-view's read)", got)
	}
	if s := self.page.Sections; !s[0].FromOwner || !s[1].FromOwner || s[0].Version != 1 {
		t.Errorf("my-a sections = %+v; want both read from their owners", s)
	}
}

// Deploy refuses configurations it cannot run, naming the place.
func TestValidateGeneral(t *testing.T) {
	base := func() strategies.Config {
		c := strategies.DefaultConfig()
		c.Owners = []strategies.OwnerConfig{owner("a", strategies.Sync, ms), owner("b", strategies.Async, ms)}
		c.Kinds = []pages.Kind{{Name: "p", Service: "page", Reads: []pages.Read{read("a", 1, false), read("b", 2, true)}}}
		c.Pages = map[string]sim.ServiceSpec{"page": {Workers: 1}}
		return c
	}
	for _, tt := range []struct {
		name   string
		change func(*strategies.Config)
		want   string // in the error; "" for none
	}{
		{"valid", func(*strategies.Config) {}, ""},
		{"unknown owner", func(c *strategies.Config) { c.Kinds[0].Reads[1].Owner = "z" }, `reads[1] names owner "z"`},
		{"no records", func(c *strategies.Config) { c.Kinds[0].Reads[0].Records = 0 }, "must show ≥ 1 record"},
		{"owner twice", func(c *strategies.Config) { c.Owners[1].Name = "a" }, `owner "a" is named twice`},
		{"no service spec", func(c *strategies.Config) { c.Kinds[0].Service = "other" }, "no spec for page service other"},
		{"bad strategy", func(c *strategies.Config) { c.Owners[1].Strategy = "psychic" }, `owners[1] (b): unknown strategy "psychic"`},
		{"bad owner spec", func(c *strategies.Config) { c.Owners[0].Spec.Workers = 0 }, "owners[0] (a): owner: workers must be ≥ 1"},
		{"kind twice", func(c *strategies.Config) { c.Kinds = append(c.Kinds, c.Kinds[0]) }, "page kind named twice"},
		{"work for no kind", func(c *strategies.Config) { c.Work = map[string]sim.DurationDist{"q": sim.ConstDuration(ms)} }, `work for page kind "q"`},
	} {
		c := base()
		tt.change(&c)
		err := c.Validate()
		if got := err != nil && strings.Contains(err.Error(), tt.want); (tt.want == "") != (err == nil) || (tt.want != "" && !got) {
			t.Errorf("%s: Validate() = %v; want an error containing %q", tt.name, err, tt.want)
		}
	}
}

// A request naming the wrong number of records for its kind, or a record
// its owner does not have, is refused.
func TestWrongRecordCount(t *testing.T) {
	g := newGeneral(t,
		[]strategies.OwnerConfig{owner("a", strategies.Sync, ms)},
		[]pages.Kind{{Name: "three", Service: "page", Reads: []pages.Read{read("a", 3, false)}}})
	short, outside := g.renderAt(0, "three", 1, 2), g.renderAt(0, "three", 1, 2, 50)
	g.w.Run(time.Second)
	if short.err == nil || !strings.Contains(short.err.Error(), "shows 3 records; the request names 2") {
		t.Errorf("a 3-record page asked with 2 sellers: err = %v; want the count named", short.err)
	}
	if outside.err == nil || !strings.Contains(outside.err.Error(), "record 50 of a, which owns 0..49") {
		t.Errorf("a page asked for record 50 of 50: err = %v; want the record and the range named", outside.err)
	}
}

// Adding an owner reshuffles no other owner's draws: the pages of owner a
// (cache lives, retry backoffs, the page's own work, all random) come out
// the same to the nanosecond whether or not owner b's pages are rendered
// on the same service at the same times, through outages of both.
func TestAnotherOwnerReshufflesNothing(t *testing.T) {
	run := func(withB bool) []*render {
		o := func(name string) strategies.OwnerConfig {
			oc := owner(name, strategies.SyncCache, 0)
			oc.Spec.ServiceTime = sim.DurationDist{Dist: sim.Exp{M: 0.002}}
			oc.Call.Retries, oc.Call.RetryBudget = 3, -1
			return oc
		}
		single := read("a", 3, false)
		single.Batch = false
		owners := []strategies.OwnerConfig{o("a")}
		kinds := []pages.Kind{{Name: "ka", Service: "page", Reads: []pages.Read{single}}}
		work := map[string]sim.DurationDist{"ka": {Dist: sim.Exp{M: 0.001}}}
		if withB {
			owners = append(owners, o("b"))
			kinds = append(kinds, pages.Kind{Name: "kb", Service: "page", Reads: []pages.Read{{Owner: "b", Records: 3, Required: true}}})
			work["kb"] = sim.DurationDist{Dist: sim.Exp{M: 0.001}}
		}
		g := newGeneral(t, owners, kinds, func(c *strategies.Config) {
			c.Work, c.CacheTTL = work, 200*ms
			c.Pages["page"] = sim.ServiceSpec{Workers: 1000, ServiceTime: sim.ConstDuration(0)}
		})
		faults := []sim.Fault{{At: 300 * ms, For: 200 * ms, Kind: sim.Outage, Target: "a"}}
		if withB {
			faults = append(faults, sim.Fault{At: 250 * ms, For: 400 * ms, Kind: sim.Outage, Target: "b"})
		}
		if err := g.w.Inject(faults...); err != nil {
			t.Fatal(err)
		}
		var rs []*render
		for i := range 100 {
			at := time.Duration(i) * 10 * ms
			s := strategies.Seller(i % 7)
			rs = append(rs, g.renderAt(at, "ka", s, s+1, s+2))
			if withB {
				g.renderAt(at, "kb", s, s+3, s+5)
			}
		}
		g.w.Run(2 * time.Second)
		byOwner, sum := g.d.CacheStatsByOwner(), g.d.CacheStats()["page"]
		a, b := byOwner["a"]["page"], byOwner["b"]["page"]
		if a.Hits == 0 || sum.Hits != a.Hits+b.Hits || sum.Misses != a.Misses+b.Misses || sum.Failed != a.Failed+b.Failed {
			t.Errorf("CacheStats()[page] = %+v; want the sum of a's %+v and b's %+v, a with hits", sum, a, b)
		}
		return rs
	}
	alone, beside := run(false), run(true)
	var cached, fetched, failed int
	for i := range alone {
		a, b := alone[i], beside[i]
		if a.latency() != b.latency() || !slices.Equal(a.page.Sections, b.page.Sections) || (a.err == nil) != (b.err == nil) {
			t.Fatalf("render %d of ka: %v %+v alone, %v %+v beside owner b; want the same", i, a.latency(), a.page.Sections, b.latency(), b.page.Sections)
		}
		for _, sec := range a.page.Sections {
			switch {
			case sec.Failed:
				failed++ // after retries, in a's outage
			case sec.FromOwner:
				fetched++
			default:
				cached++
			}
		}
	}
	if cached == 0 || fetched == 0 || failed == 0 {
		t.Errorf("ka's sections: %d from the cache, %d from a, %d failed; want some of each, or the test checks little", cached, fetched, failed)
	}
}

// Over random fault schedules, every view of every owner on every page
// service converges to its own owner once faults heal and writes stop,
// through its own topic and group alone (no anti-entropy): owners' topics
// and groups never cross, and each outbox loses nothing.
func TestGeneralConvergence(t *testing.T) {
	const writesEnd = 6 * time.Second
	names := []string{"a", "b", "c"}
	for seed := range uint64(seeds(6, 2)) {
		rng := rand.New(rand.NewPCG(seed, 14))
		owners := []strategies.OwnerConfig{
			owner("a", strategies.Async, ms), owner("b", strategies.Hybrid, ms), owner("c", strategies.Sync, ms),
		}
		all := []pages.Read{read("a", 2, false), read("b", 2, false), read("c", 1, false)}
		g := newGeneral(t, owners, []pages.Kind{
			{Name: "front", Service: "page", Reads: all},
			{Name: "side", Service: "side", Reads: all[:2]},
		}, func(c *strategies.Config) {
			c.Pages["side"] = sim.ServiceSpec{Workers: 8, ServiceTime: sim.ConstDuration(ms)}
		})
		var faults []sim.Fault
		for range 2 + rng.IntN(4) {
			f := sim.Fault{At: time.Duration(rng.Int64N(int64(writesEnd - time.Second))), For: time.Duration(100+rng.IntN(2000)) * ms}
			switch rng.IntN(4) {
			case 0:
				f.Kind, f.Target = sim.Crash, names[rng.IntN(2)]
			case 1:
				f.Kind, f.Target = sim.Outage, sim.BrokerNode
			case 2:
				f.Kind, f.Target = sim.Crash, []string{"page", "side"}[rng.IntN(2)]
			case 3:
				f.Kind, f.Between = sim.Partition, []string{sim.BrokerNode, []string{"page", "side"}[rng.IntN(2)]}
			}
			faults = append(faults, f)
		}
		if err := g.w.Inject(faults...); err != nil {
			t.Fatal(err)
		}
		for at := time.Duration(0); at < writesEnd; at += time.Duration(rng.ExpFloat64() / 100 * 1e9) {
			s := strategies.Seller(rng.IntN(50))
			op := []strategies.Op{strategies.Add, strategies.Add, strategies.Remove, strategies.Reorder}[rng.IntN(4)]
			o := names[rng.IntN(3)]
			g.w.At(at, func() {
				g.client.Go("write", func(ctx context.Context) {
					ctx, cancel := g.client.WithTimeout(ctx, time.Second)
					defer cancel()
					g.client.Call(ctx, o, strategies.MethodWrite, strategies.Write{Seller: s, Op: op, Client: uint32(s)*100 + uint32(rng.IntN(6))})
				})
			})
		}
		g.w.Run(writesEnd + convergenceBound + 3*time.Second)
		views := 0
		for _, service := range []string{"page", "side"} {
			for _, o := range names {
				v := g.d.View(service, o)
				if v == nil {
					continue
				}
				views++
				for s := range strategies.Seller(50) {
					truth, e := g.d.Owners[o].List(s), v.Entry(s)
					if e.Version != truth.Version {
						t.Errorf("seed %d (faults %v): %s's view of %s holds seller %d at version %d; the owner at %d", seed, faults, service, o, s, e.Version, truth.Version)
					}
				}
			}
		}
		if views != 4 {
			t.Errorf("seed %d: %d views; want a's and b's on page and side", seed, views)
		}
		if g.commits["a"] <= 10 || g.commits["b"] <= 10 || g.commits["c"] <= 10 {
			t.Errorf("seed %d: commits by owner %v; want writes to every owner beyond the 10 initial", seed, g.commits)
		}
	}
}
