package workload

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/sharebench/sharebench/pages"
	"github.com/sharebench/sharebench/sim"
	"github.com/sharebench/sharebench/strategies"
)

func rng(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 7)) }

// within4SE checks a count against its expectation for a binomial or
// Poisson count (standard error √(n·p·(1−p)) or √mean).
func within4SE(t *testing.T, what string, got, want, se float64) {
	t.Helper()
	if math.Abs(got-want) > 4*se {
		t.Errorf("%s = %v; want %v ± %.1f (4 standard errors)", what, got, want, 4*se)
	}
}

func TestCurves(t *testing.T) {
	parse := func(s string) Curve {
		var rc RateCurve
		if err := unmarshalNode(s, &rc); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		return rc.Curve
	}
	tests := []struct {
		curve string
		at    time.Duration
		want  float64
	}{
		{"2000/s", 5 * time.Second, 2000},
		{"3/ms", 0, 3000},
		{"120/min", 0, 2},
		{"{curve: step, steps: [{at: 0s, rate: 10/s}, {at: 30s, rate: 20/s}]}", 29 * time.Second, 10},
		{"{curve: step, steps: [{at: 0s, rate: 10/s}, {at: 30s, rate: 20/s}]}", 30 * time.Second, 20},
		{"{curve: ramp, from: 100/s, to: 300/s, start: 10s, over: 20s}", 5 * time.Second, 100},
		{"{curve: ramp, from: 100/s, to: 300/s, start: 10s, over: 20s}", 20 * time.Second, 200},
		{"{curve: ramp, from: 100/s, to: 300/s, start: 10s, over: 20s}", time.Minute, 300},
		{"{curve: spike, base: 10/s, peak: 100/s, at: 20s, for: 10s}", 19 * time.Second, 10},
		{"{curve: spike, base: 10/s, peak: 100/s, at: 20s, for: 10s}", 25 * time.Second, 100},
		{"{curve: spike, base: 10/s, peak: 100/s, at: 20s, for: 10s}", 30 * time.Second, 10},
		{"{curve: diurnal, mean: 100/s, amplitude: 0.5, period: 40s}", 10 * time.Second, 150},
		{"{curve: diurnal, mean: 100/s, amplitude: 0.5, period: 40s}", 30 * time.Second, 50},
	}
	for _, tt := range tests {
		if got := parse(tt.curve).At(tt.at); math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("%s .At(%v) = %v; want %v", tt.curve, tt.at, got, tt.want)
		}
	}
}

// TestPoissonArrivalsFollowTheCurve: the count in a window of a
// (non-homogeneous) Poisson process is Poisson with mean ∫rate.
func TestPoissonArrivalsFollowTheCurve(t *testing.T) {
	a := &arrivals{curve: spikeCurve{Base: 1000, Peak: 10000, Start: Duration(20 * time.Second), For: Duration(10 * time.Second)}, poisson: true, r: rng(1)}
	var before, during, after int
	for at := a.next(never); at < 40*time.Second; at = a.next(never) {
		switch {
		case at < 20*time.Second:
			before++
		case at < 30*time.Second:
			during++
		default:
			after++
		}
	}
	within4SE(t, "arrivals in [0, 20s) at 1000/s", float64(before), 20000, math.Sqrt(20000))
	within4SE(t, "arrivals in the 10s spike at 10000/s", float64(during), 100000, math.Sqrt(100000))
	within4SE(t, "arrivals in [30s, 40s) at 1000/s", float64(after), 10000, math.Sqrt(10000))
}

func TestConstantArrivalsAreEvenlySpaced(t *testing.T) {
	a := &arrivals{curve: constantCurve{250}, r: rng(1)}
	for i := 1; i <= 1000; i++ {
		if got, want := a.next(never), time.Duration(i)*4*time.Millisecond; got != want {
			t.Fatalf("arrival %d at %v; want %v", i, got, want)
		}
	}
}

// TestZipfPopularity: the k-th most popular seller is picked with
// probability (1/k^s)/H, and popularity is shuffled over seller numbers.
func TestZipfPopularity(t *testing.T) {
	const n, s, draws = 1000, 1.1, 1_000_000
	p := newPicker(Popularity{Zipf: s}, n, rng(2)).(*aliasPicker)
	counts := map[strategies.Seller]int{}
	r := rng(3)
	for range draws {
		counts[p.pick(r)]++
	}
	h := 0.0
	for k := 1; k <= n; k++ {
		h += math.Pow(float64(k), -s)
	}
	for k := 1; k <= 20; k++ {
		prob := math.Pow(float64(k), -s) / h
		within4SE(t, "draws of rank "+itoa(k), float64(counts[p.seller[k-1]]), draws*prob, math.Sqrt(draws*prob*(1-prob)))
	}
	if slices.IsSorted(p.seller[:20]) {
		t.Error("the 20 most popular sellers are in seller order; popularity should be shuffled over sellers")
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func unmarshalNode(s string, v any) error { return yaml.Unmarshal([]byte(s), v) }

func TestPageMixAndSelfRecent(t *testing.T) {
	const draws = 200_000
	recent := &recentWriters{}
	for s := range strategies.Seller(10) {
		recent.add(1000 + s)
	}
	topo := pages.Marketplace(20)
	g := &pageGen{r: rng(4), kinds: newWeighted(map[string]float64{"gig": 0.5, "user": 0.3, "search": 0.15, "self": 0.05}, topo.KindNames()),
		byName: map[string]pages.Kind{}, pop: map[string]picker{strategies.OwnerNode: uniformPicker(100)}, selfRecent: 0.8,
		recent: map[string]*recentWriters{strategies.OwnerNode: recent}}
	for _, k := range topo.Kinds {
		g.byName[k.Name] = k
	}
	counts := map[string]int{}
	selfRecent := 0
	for range draws {
		k, sellers := g.next()
		kind := k.Name
		counts[kind]++
		if want := map[bool]int{true: 20, false: 1}[kind == "search"]; len(sellers) != want {
			t.Fatalf("%s page with %d sellers; want %d", kind, len(sellers), want)
		}
		if kind == "self" && sellers[0] >= 1000 {
			selfRecent++
		}
	}
	for kind, share := range map[string]float64{"gig": 0.5, "user": 0.3, "search": 0.15, "self": 0.05} {
		within4SE(t, kind+" pages", float64(counts[kind]), draws*share, math.Sqrt(draws*share*(1-share)))
	}
	within4SE(t, "self-views of recent writers", float64(selfRecent), 0.8*float64(counts["self"]), math.Sqrt(float64(counts["self"])*0.16))
}

func TestPopulationAndWrites(t *testing.T) {
	const n = 100_000
	wc := 0.2
	cps := sim.NumberDist{Dist: sim.Uniform{Min: 1, Max: 10}}
	sellers := NewSellers(Population{Sellers: n, WithClients: &wc, ClientsPerSeller: cps}, rng(5), rng(6))
	// A larger with_clients keeps the sellers with clients and their counts.
	more := 0.5
	bigger := NewSellers(Population{Sellers: n, WithClients: &more, ClientsPerSeller: cps}, rng(5), rng(6))
	for s := range strategies.Seller(n) {
		if a := sellers.Initial(s); len(a) > 0 && len(bigger.Initial(s)) != len(a) {
			t.Fatalf("seller %d has %d clients at with_clients 0.2 and %d at 0.5; want the same", s, len(a), len(bigger.Initial(s)))
		}
	}
	within4SE(t, "sellers with clients", float64(sellers.WithClients()), n*wc, math.Sqrt(n*wc*(1-wc)))
	for s := range strategies.Seller(100) {
		if ids := sellers.Initial(s); len(ids) > 10 {
			t.Fatalf("seller %d starts with %d clients; want at most 10", s, len(ids))
		}
	}
	// The write generator removes and moves only clients a list has and
	// adds only ones it lacks, so almost no write is a no-op.
	g := &writeGen{r: rng(6), ops: newWeighted(map[string]float64{"add": 0.6, "remove": 0.3, "reorder": 0.1}, []string{"add", "remove", "reorder"}),
		pop: uniformPicker(50), sellers: sellers, lists: map[strategies.Seller][]uint32{}}
	lists := map[strategies.Seller]*strategies.List{}
	noops := 0
	for range 5000 {
		w := g.next()
		l, ok := lists[w.Seller]
		if !ok {
			l = &strategies.List{Seller: w.Seller}
			for _, id := range sellers.Initial(w.Seller) {
				l.Clients = append(l.Clients, strategies.Client{ID: id})
			}
		}
		next := w.Apply(l, 16)
		if next == nil {
			noops++
			continue
		}
		lists[w.Seller] = next
	}
	// Only a reorder of the client already first changes nothing.
	if noops > 5000*0.1 {
		t.Errorf("%d of 5000 writes changed nothing; want only reorders of the first client", noops)
	}
}

// TestCurvesReachingZero: every curve shape that reaches 0/s ends its
// arrivals or jumps the zero stretch: no arrival inside a stretch of zero
// rate, the generator returns (never) once the rate stays 0, and the count
// where the rate is positive matches ∫ rate — Poisson within 5 standard
// errors (√∫rate), constant spacing within one arrival (plus a nanosecond
// of rounding per arrival at the peak rate).
func TestCurvesReachingZero(t *testing.T) {
	const horizon = 6 * time.Second
	s := time.Second
	type span struct{ from, to time.Duration }
	tests := []struct {
		curve string
		zero  []span // [from, to): the rate is 0 there
	}{
		{"{curve: ramp, from: 1000/s, to: 0/s, start: 1s, over: 2s}", []span{{3 * s, horizon}}},
		{"{curve: ramp, from: 0/s, to: 1000/s, start: 2s, over: 2s}", []span{{0, 2*s + 1}}},
		{"{curve: step, steps: [{at: 0s, rate: 1000/s}, {at: 2s, rate: 0/s}, {at: 4s, rate: 500/s}]}", []span{{2 * s, 4 * s}}},
		{"{curve: step, steps: [{at: 0s, rate: 1000/s}, {at: 2s, rate: 0/s}]}", []span{{2 * s, horizon}}},
		{"{curve: step, steps: [{at: 0s, rate: 0/s}, {at: 5s, rate: 2000/s}]}", []span{{0, 5 * s}}},
		{"{curve: spike, base: 0/s, peak: 1000/s, at: 1s, for: 2s}", []span{{0, s}, {3 * s, horizon}}},
		{"{curve: spike, base: 1000/s, peak: 0/s, at: 1s, for: 1s}", []span{{s, 2 * s}}},
		{"{curve: diurnal, mean: 500/s, amplitude: 1, period: 2s}", nil}, // 0 only at each trough
		{"{curve: diurnal, mean: 500/s, amplitude: 1, period: 4s, phase: 1s}", nil},
		{"0/s", []span{{0, horizon}}},
	}
	for _, tt := range tests {
		var rc RateCurve
		if err := unmarshalNode(tt.curve, &rc); err != nil {
			t.Fatalf("%s: %v", tt.curve, err)
		}
		c := rc.Curve
		for _, z := range tt.zero {
			for _, at := range []time.Duration{z.from, (z.from + z.to) / 2, z.to - 1} {
				if r := c.At(at); r != 0 {
					t.Fatalf("%s: At(%v) = %v; the test expects a zero stretch [%v, %v)", tt.curve, at, r, z.from, z.to)
				}
			}
		}
		want := c.Integral(0, horizon)
		for _, poisson := range []bool{true, false} {
			a := &arrivals{curve: c, poisson: poisson, r: rng(9)}
			n, prev := 0, time.Duration(-1)
			limit := int(3*c.Max()*horizon.Seconds()) + 100 // a hang shows as a runaway count
			for at := a.next(never); at < horizon; at = a.next(never) {
				if at <= prev && !(at == prev && poisson) {
					t.Fatalf("%s (poisson %v): arrival at %v after %v; want increasing", tt.curve, poisson, at, prev)
				}
				prev = at
				for _, z := range tt.zero {
					if at >= z.from && at < z.to {
						t.Errorf("%s (poisson %v): arrival at %v, inside the zero stretch [%v, %v)", tt.curve, poisson, at, z.from, z.to)
					}
				}
				if n++; n > limit {
					t.Fatalf("%s (poisson %v): more than %d arrivals by %v; want about %.0f", tt.curve, poisson, limit, horizon, want)
				}
			}
			tol := 1 + want*c.Max()*1e-9
			if poisson {
				tol = 5 * math.Sqrt(want)
			}
			if math.Abs(float64(n)-want) > tol {
				t.Errorf("%s (poisson %v): %d arrivals in [0, %v); want ∫rate = %.1f ± %.1f", tt.curve, poisson, n, horizon, want, tol)
			}
		}
	}
}

// TestCurveIntegrals: ∫ rate for each shape, against the area worked out
// by hand.
func TestCurveIntegrals(t *testing.T) {
	s := time.Second
	tests := []struct {
		curve string
		a, b  time.Duration
		want  float64
	}{
		{"2000/s", 0, 3 * s, 6000},
		{"{curve: ramp, from: 1000/s, to: 0/s, start: 1s, over: 2s}", 0, 10 * s, 1000 + 1000},
		{"{curve: ramp, from: 100/s, to: 300/s, start: 10s, over: 20s}", 15 * s, 25 * s, 2000},
		{"{curve: step, steps: [{at: 0s, rate: 10/s}, {at: 30s, rate: 20/s}]}", 20 * s, 40 * s, 300},
		{"{curve: spike, base: 10/s, peak: 100/s, at: 20s, for: 10s}", 0, 60 * s, 500 + 1000},
		{"{curve: diurnal, mean: 100/s, amplitude: 0.5, period: 40s}", 0, 40 * s, 4000},
		{"{curve: diurnal, mean: 100/s, amplitude: 1, period: 40s}", 0, 20 * s, 2000 + 100*40/math.Pi},
	}
	for _, tt := range tests {
		var rc RateCurve
		if err := unmarshalNode(tt.curve, &rc); err != nil {
			t.Fatalf("%s: %v", tt.curve, err)
		}
		if got := rc.Integral(tt.a, tt.b); math.Abs(got-tt.want) > 1e-6*tt.want {
			t.Errorf("%s .Integral(%v, %v) = %v; want %v", tt.curve, tt.a, tt.b, got, tt.want)
		}
	}
}

// TestBadDistsAndCurves: each testdata/bad/{dist,curve}-NAME.yaml (this
// part's bad inputs: non-finite parameters, NaN rates) fails to load with
// an error containing every line of its .err file (file:line:column, the
// field, the fix). The scenario part's table test runs them all as well.
func TestBadDistsAndCurves(t *testing.T) {
	var files []string
	for _, prefix := range []string{"dist-", "curve-"} {
		m, _ := filepath.Glob("testdata/bad/" + prefix + "*.yaml")
		files = append(files, m...)
	}
	if len(files) < 8 {
		t.Fatalf("%d dist- and curve- files in testdata/bad; want at least 8", len(files))
	}
	for _, path := range files {
		want, err := os.ReadFile(strings.TrimSuffix(path, ".yaml") + ".err")
		if err != nil {
			t.Fatal(err)
		}
		_, err = Load(path)
		for _, line := range strings.Split(strings.TrimSpace(string(want)), "\n") {
			if err == nil || !strings.Contains(err.Error(), line) {
				t.Errorf("Load(%s) = %v; want an error containing %q", path, err, line)
			}
		}
	}
}

// drawCounter is a random source that counts its draws and fails the test
// past a limit: a runaway thinning loop shows as a count, not a timeout.
type drawCounter struct {
	src      rand.Source
	n, limit int
	t        *testing.T
	what     string
}

func (c *drawCounter) Uint64() uint64 {
	if c.n++; c.n > c.limit {
		c.t.Fatalf("%s: more than %d random draws: a runaway arrival generator", c.what, c.limit)
	}
	return c.src.Uint64()
}

// TestTinyRatesEndInTime: every curve shape that reaches (or passes
// through) a tiny positive rate generates its arrivals in [0, end) in a
// bounded number of draws — five per expected arrival (two per candidate,
// at most ~2 candidates per arrival: a piece's bound is at most twice its
// mean here), nothing spent crossing a tiny stretch — none where the rate
// is tiny, and ∫ rate of them; then never. (Thinning against the overall peak took ~1e9 draws
// per arrival at 1e-6/s, and did not stop at the run's end.)
func TestTinyRatesEndInTime(t *testing.T) {
	const end = 10 * time.Second
	s := time.Second
	type span struct{ from, to time.Duration }
	tests := []struct {
		curve string
		tiny  []span  // where the rate is tiny: no arrival there
		want  float64 // ∫ rate over [0, end), by hand
	}{
		{"{curve: ramp, from: 1000/s, to: 0.000001/s, start: 1s, over: 2s}", []span{{3 * s, end}}, 1000 + 1000},
		{"{curve: ramp, from: 0.000001/s, to: 1000/s, start: 2s, over: 2s}", []span{{0, 2 * s}}, 1000 + 6000},
		{"{curve: step, steps: [{at: 0s, rate: 1000/s}, {at: 2s, rate: 1e-6/s}]}", []span{{2 * s, end}}, 2000},
		{"{curve: step, steps: [{at: 0s, rate: 1000/s}, {at: 1s, rate: 1e-6/s}, {at: 3s, rate: 1000/s}]}", []span{{1 * s, 3 * s}}, 1000 + 7000},
		{"{curve: spike, base: 1e-6/s, peak: 1000/s, at: 1s, for: 2s}", []span{{0, 1 * s}, {3 * s, end}}, 2000},
		{"{curve: spike, base: 1000/s, peak: 1e-6/s, at: 1s, for: 2s}", []span{{1 * s, 3 * s}}, 8000},
		{"1e-6/s", []span{{0, end}}, 0},
		{"{curve: diurnal, mean: 1e-6/s, amplitude: 1, period: 4s}", []span{{0, end}}, 0},
		{"{curve: diurnal, mean: 1000/s, amplitude: 1, period: 4s, phase: 1s}", nil, 10000}, // whole periods from the trough: ∫ sin = 0
	}
	for _, tt := range tests {
		var rc RateCurve
		if err := unmarshalNode(tt.curve, &rc); err != nil {
			t.Fatalf("%s: %v", tt.curve, err)
		}
		c := rc.Curve
		if got := c.Integral(0, end); math.Abs(got-tt.want) > 1e-3 {
			t.Fatalf("%s: ∫ rate over [0, %v) = %v; the table says %v", tt.curve, end, got, tt.want)
		}
		for _, poisson := range []bool{true, false} {
			what := fmt.Sprintf("%s (poisson %v)", tt.curve, poisson)
			src := &drawCounter{src: rand.NewPCG(9, 7), limit: int(5*tt.want) + 100, t: t, what: what}
			a := &arrivals{curve: c, poisson: poisson, r: rand.New(src)}
			n := 0
			at := a.next(end)
			for ; at != never; at = a.next(end) {
				if at >= end {
					t.Fatalf("%s: arrival at %v; want none at or after the end %v", what, at, end)
				}
				for _, z := range tt.tiny {
					if at >= z.from && at < z.to {
						t.Errorf("%s: arrival at %v, where the rate is tiny [%v, %v)", what, at, z.from, z.to)
					}
				}
				if n++; n > 3*int(tt.want)+10 {
					t.Fatalf("%s: more than %d arrivals; want about %.0f", what, n-1, tt.want)
				}
			}
			if got := a.next(end); got != never {
				t.Errorf("%s: next(%v) after never = %v; want never", what, end, got)
			}
			tol := 1.0 // constant spacing: ⌊∫ rate⌋
			if poisson {
				tol = 5 * math.Sqrt(tt.want)
			}
			if math.Abs(float64(n)-tt.want) > tol {
				t.Errorf("%s: %d arrivals in [0, %v); want ∫rate = %.1f ± %.1f", what, n, end, tt.want, tol)
			}
		}
	}
}

// TestPageGenReadsEachOwner: a page of two reads draws each read's records
// from its own owner's records, in read order, and a self-view's first
// record is a recent writer of its first read's owner.
func TestPageGenReadsEachOwner(t *testing.T) {
	product := pages.Kind{Name: "product", Service: "product", Reads: []pages.Read{
		{Owner: "inventory", Records: 2, Batch: true}, {Owner: "reviews", Records: 3},
	}}
	editor := pages.Kind{Name: "editor", Service: "product", Self: true, Reads: []pages.Read{{Owner: "reviews", Records: 1}}}
	recent := map[string]*recentWriters{"inventory": {}, "reviews": {}}
	recent["reviews"].add(7777)
	g := &pageGen{
		r: rng(9), kinds: newWeighted(map[string]float64{"product": 0.5, "editor": 0.5}, []string{"product", "editor"}),
		byName:     map[string]pages.Kind{"product": product, "editor": editor},
		pop:        map[string]picker{"inventory": uniformPicker(10), "reviews": uniformPicker(10_000)},
		selfRecent: 1, recent: recent,
	}
	for range 1000 {
		k, ss := g.next()
		if len(ss) != k.Records() {
			t.Fatalf("next() = %s page with %d records; want %d", k.Name, len(ss), k.Records())
		}
		switch k.Name {
		case "product":
			for i, s := range ss[:2] {
				if s >= 10 {
					t.Fatalf("product page record %d = %d; want an inventory record (< 10)", i, s)
				}
			}
		case "editor":
			if ss[0] != 7777 {
				t.Fatalf("editor page record = %d; want the recent reviews writer 7777", ss[0])
			}
		}
	}
}

// TestOwnerStreams: the marketplace's owner keeps its stream names, every
// other owner's are its own.
func TestOwnerStreams(t *testing.T) {
	st := streams{sim.NewStreams(1)}
	first := func(r *rand.Rand) uint64 { return r.Uint64() }
	if a, b := first(st.of(strategies.OwnerNode, "writes")), first(st.get("writes")); a != b {
		t.Errorf("of(topclients, writes) draws %d; want get(writes)'s %d", a, b)
	}
	if a, b := first(st.of("reviews", "writes")), first(st.get("writes")); a == b {
		t.Errorf("of(reviews, writes) draws %d, the same as get(writes); want a stream of its own", a)
	}
	if a, b := first(st.of("reviews", "writes")), first(st.get("writes/reviews")); a != b {
		t.Errorf("of(reviews, writes) draws %d; want get(writes/reviews)'s %d", a, b)
	}
}
