package workload

import (
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/sharebench/sharebench/pages"
	"github.com/sharebench/sharebench/sim"
	"github.com/sharebench/sharebench/strategies"
)

// The generators are pure schedules: given the scenario and its random
// streams (one per concern), they say what happens when, with no clock of
// their own. The driver walks them in virtual time.

// clientsPerSellerSpace is how many client IDs each seller draws from:
// seller s's clients are s·1024 + k (wrapping in uint32 for huge
// populations, which only makes two sellers share a client, as happens).
const clientsPerSellerSpace = 1024

// Sellers is the seller population at the start.
type Sellers struct {
	counts []uint16 // initial clients per seller
}

// NewSellers draws the population: each seller has clients with
// probability with_clients, then a count from clients_per_seller
// (rounded, at least 1). Both draws are made for every seller, from two
// streams, so that the sellers with clients at a lower with_clients are
// among those at a higher one and keep their counts: a sweep over
// with_clients compares like with like (common random numbers).
func NewSellers(p Population, has, counts *rand.Rand) *Sellers {
	s := &Sellers{counts: make([]uint16, p.Sellers)}
	for i := range s.counts {
		u, n := has.Float64(), int(math.Round(p.ClientsPerSeller.Sample(counts)))
		if u < *p.WithClients {
			s.counts[i] = uint16(min(max(n, 1), clientsPerSellerSpace))
		}
	}
	return s
}

// Initial lists seller id's clients at the start.
func (s *Sellers) Initial(id strategies.Seller) []uint32 {
	n := int(s.counts[id])
	if n == 0 {
		return nil
	}
	ids := make([]uint32, n)
	for k := range ids {
		ids[k] = uint32(id)*clientsPerSellerSpace + uint32(k)
	}
	return ids
}

// WithClients counts the sellers who start with clients.
func (s *Sellers) WithClients() int {
	n := 0
	for _, c := range s.counts {
		if c > 0 {
			n++
		}
	}
	return n
}

// picker picks sellers by popularity.
type picker interface {
	pick(r *rand.Rand) strategies.Seller
}

type uniformPicker int

func (n uniformPicker) pick(r *rand.Rand) strategies.Seller { return strategies.Seller(r.IntN(int(n))) }

// aliasPicker picks from a discrete distribution in O(1) by Vose's alias
// method; rank k (weight 1/k^s for Zipf) maps to a seller through a
// shuffle, so that popularity has nothing to do with seller numbers.
type aliasPicker struct {
	prob   []float64
	alias  []int32
	seller []strategies.Seller
}

func newPicker(p Popularity, n int, r *rand.Rand) picker {
	if p.Zipf == 0 {
		return uniformPicker(n)
	}
	w := make([]float64, n)
	total := 0.0
	for k := range w {
		w[k] = math.Pow(float64(k+1), -p.Zipf)
		total += w[k]
	}
	a := &aliasPicker{prob: make([]float64, n), alias: make([]int32, n), seller: make([]strategies.Seller, n)}
	for i := range a.seller {
		a.seller[i] = strategies.Seller(i)
	}
	r.Shuffle(n, func(i, j int) { a.seller[i], a.seller[j] = a.seller[j], a.seller[i] })
	var small, large []int32
	for k := range w {
		w[k] *= float64(n) / total
		if w[k] < 1 {
			small = append(small, int32(k))
		} else {
			large = append(large, int32(k))
		}
	}
	for len(small) > 0 && len(large) > 0 {
		s, l := small[len(small)-1], large[len(large)-1]
		small = small[:len(small)-1]
		a.prob[s], a.alias[s] = w[s], l
		w[l] -= 1 - w[s]
		if w[l] < 1 {
			large = large[:len(large)-1]
			small = append(small, l)
		}
	}
	for _, k := range slices.Concat(small, large) {
		a.prob[k] = 1
	}
	return a
}

func (a *aliasPicker) pick(r *rand.Rand) strategies.Seller {
	k := r.IntN(len(a.prob))
	if r.Float64() >= a.prob[k] {
		k = int(a.alias[k])
	}
	return a.seller[k]
}

// arrivals is an open-loop arrival schedule under a rate curve: Poisson
// (non-homogeneous, by thinning) or constant spacing 1/rate.
type arrivals struct {
	curve   Curve
	poisson bool
	r       *rand.Rand
	t       time.Duration
	unit    time.Duration // constant arrivals under a varying curve: where the last unit of ∫ rate was completed
}

// never is later than any run.
const never = time.Duration(math.MaxInt64)

// tinyShare: a piece of a curve whose largest rate is below this share of
// the curve's peak is thinned against its own bound; every other piece
// against the peak, as it always was, so that the schedule of a curve
// that never gets tiny (every built-in) is the same draw for draw. At a
// share of 1/1024 thinning against the peak rejects at most ~2048 draws
// per expected arrival (a ramp's bound is at most twice its mean).
const tinyShare = 1.0 / 1024

// next returns the next arrival before end, or never if there is none.
// Stretches of zero rate are jumped over (Curve.Next) and a stretch of tiny
// rate is crossed by thinning against its own bound (Curve.Bound): for
// Poisson arrivals both are exact, the process being memoryless; every
// addition saturates, so a vanishing rate means never rather than an
// overflow. Nothing is generated at or past end: a rate of 1e-6/s would
// otherwise take ~1e9 draws to find its next arrival, long after the run.
func (a *arrivals) next(end time.Duration) time.Duration {
	peak := a.curve.Max()
	if !(peak > 0) {
		return never
	}
	if !a.poisson {
		if c, ok := a.curve.(constantCurve); ok {
			gap := never
			if x := 1e9/c.r + 0.5; x < math.MaxInt64 {
				gap = time.Duration(x)
			}
			a.t = sim.AddDurations(a.t, gap)
		} else if a.unit = a.nextUnit(end); a.unit == never {
			a.t = never
		} else {
			// The arrival is the nanosecond during which the unit
			// completes, which has a positive rate.
			a.t = max(a.unit-1, a.t+1)
		}
		if a.t >= end {
			return never
		}
		return a.t
	}
	for a.t < end {
		if a.curve.At(a.t) == 0 {
			n, ok := a.curve.Next(a.t)
			if !ok {
				a.t = never
				break
			}
			a.t = n
		}
		bound, until := a.curve.Bound(a.t)
		if !(bound < peak*tinyShare) {
			bound, until = peak, never
		}
		t := sim.AddDurations(a.t, sim.ScaleDuration(time.Second, a.r.ExpFloat64()/bound))
		if t >= until { // past the tiny piece: start afresh at its end
			a.t = until
			continue
		}
		if a.t = t; a.t >= end {
			break
		}
		if a.r.Float64()*bound < a.curve.At(a.t) {
			return a.t
		}
	}
	return never
}

// nextUnit is the first instant after a.unit by which the curve has added
// one expected arrival (∫ rate = 1), or never if that is not before end:
// constant arrivals under a varying curve are regular in "arrival time",
// so none falls where the rate is 0 and their count is ⌊∫ rate⌋.
// Exponential then binary search, on whole nanoseconds.
func (a *arrivals) nextUnit(end time.Duration) time.Duration {
	from := a.unit
	enough := func(t time.Duration) bool { return a.curve.Integral(from, t) >= 1 }
	step := max(time.Duration(1e9/a.curve.Max()), 1)
	hi := sim.AddDurations(from, step)
	for !enough(hi) {
		if hi >= end {
			return never // the rate fades out before one more arrival in the run
		}
		step = sim.AddDurations(step, step)
		hi = sim.AddDurations(from, step)
	}
	lo := from // !enough(lo)
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if enough(mid) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi
}

// weighted picks a kind by its share of a mix.
type weighted struct {
	kinds []string
	cum   []float64
}

func newWeighted(mix map[string]float64, order []string) weighted {
	var w weighted
	sum := 0.0
	for _, k := range order {
		if mix[k] > 0 {
			sum += mix[k]
			w.kinds = append(w.kinds, k)
			w.cum = append(w.cum, sum)
		}
	}
	return w
}

func (w weighted) pick(r *rand.Rand) string {
	x := r.Float64() * w.cum[len(w.cum)-1]
	i, _ := slices.BinarySearch(w.cum, x)
	return w.kinds[min(i, len(w.kinds)-1)]
}

// recentWriters remembers the sellers written last, for self-views.
type recentWriters struct {
	ring []strategies.Seller
	next int
}

const recentWritersKept = 64

func (rw *recentWriters) add(s strategies.Seller) {
	if len(rw.ring) < recentWritersKept {
		rw.ring = append(rw.ring, s)
		return
	}
	rw.ring[rw.next] = s
	rw.next = (rw.next + 1) % recentWritersKept
}

// pageGen generates page requests: kind by the shares, then for each of
// the kind's reads its records by popularity over that read's owner (one
// picker per owner), concatenated in read order. Every record is its own
// draw: the reads of one page are unrelated (a product page's inventory
// and reviews records are not the same product's), and a read may repeat
// a record; a self-view's first
// record is, with probability self_recent, a recent writer of its first
// read's owner. The marketplace draws what it always drew: a kind, then
// one seller (search: search_results of them), then the self-view's coin.
type pageGen struct {
	r          *rand.Rand
	kinds      weighted
	byName     map[string]pages.Kind
	pop        map[string]picker // by owner
	selfRecent float64
	recent     map[string]*recentWriters // by owner
}

func (g *pageGen) next() (pages.Kind, []strategies.Seller) {
	kind := g.byName[g.kinds.pick(g.r)]
	sellers := make([]strategies.Seller, 0, kind.Records())
	for _, rd := range kind.Reads {
		pop := g.pop[rd.Owner]
		for range rd.Records {
			sellers = append(sellers, pop.pick(g.r))
		}
	}
	if kind.Self && len(sellers) > 0 {
		if recent := g.recent[kind.Reads[0].Owner]; recent != nil && len(recent.ring) > 0 && g.r.Float64() < g.selfRecent {
			sellers[0] = recent.ring[g.r.IntN(len(recent.ring))]
		}
	}
	return kind, sellers
}

// writeGen generates sellers' edits. It keeps its own idea of each list
// (what it asked for) so that removals and moves name clients that are
// there and additions ones that are not; a write the owner never got only
// makes a later one a no-op.
type writeGen struct {
	r       *rand.Rand
	ops     weighted
	pop     picker
	sellers *Sellers
	lists   map[strategies.Seller][]uint32
}

func (g *writeGen) next() strategies.Write {
	s := g.pop.pick(g.r)
	ids, ok := g.lists[s]
	if !ok {
		ids = g.sellers.Initial(s)
	}
	op := strategies.Op(g.ops.pick(g.r))
	if len(ids) == 0 || len(ids) >= clientsPerSellerSpace {
		op = map[bool]strategies.Op{true: strategies.Add, false: strategies.Remove}[len(ids) == 0]
	}
	w := strategies.Write{Seller: s, Op: op}
	switch op {
	case strategies.Add:
		for {
			w.Client = uint32(s)*clientsPerSellerSpace + uint32(g.r.IntN(clientsPerSellerSpace))
			if !slices.Contains(ids, w.Client) {
				break
			}
		}
		ids = append(slices.Clone(ids), w.Client)
	case strategies.Remove:
		i := g.r.IntN(len(ids))
		w.Client = ids[i]
		ids = slices.Delete(slices.Clone(ids), i, i+1)
	case strategies.Reorder:
		i := g.r.IntN(len(ids))
		w.Client = ids[i]
		ids = append([]uint32{ids[i]}, slices.Delete(slices.Clone(ids), i, i+1)...)
	}
	g.lists[s] = ids
	return w
}

// streams names the random streams of a run, one per concern.
type streams struct{ s sim.Streams }

func (s streams) get(concern string) *rand.Rand { return s.s.Stream("workload/" + concern) }

// of is owner's stream for concern: the marketplace's owner keeps the
// names it always had, every other owner's are suffixed "/<owner>", so
// that adding an owner reshuffles nothing of the others.
func (s streams) of(owner, concern string) *rand.Rand {
	if owner == strategies.OwnerNode {
		return s.get(concern)
	}
	return s.get(concern + "/" + owner)
}
