package results

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"golang.org/x/perf/benchmath"
	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/sharebench/sharebench/pages"
)

// Threshold is how much a metric may get worse before a comparison calls
// it a regression.
type Threshold struct {
	Metric Metric
	Amount float64   // ≥ 0, in the direction of worse
	Kind   Allowance // what Amount measures
}

// Allowance is how a Threshold's Amount is measured.
type Allowance int

// Allowances.
const (
	Relative Allowance = iota // per cent of the base value: "+10%"
	Points                    // percentage points, for % metrics: "-0.1pp"
	Absolute                  // in the metric's unit: "+5"
)

func (t Threshold) String() string {
	sign := "+"
	if t.Metric.Better == Higher {
		sign = "-"
	}
	unit := map[Allowance]string{Relative: "%", Points: "pp", Absolute: ""}[t.Kind]
	return t.Metric.Name + "=" + sign + strconv.FormatFloat(t.Amount, 'g', -1, 64) + unit
}

// ParseThresholds reads a list like
// "latency.p99=+10%,staleness.p99=+20%,availability=-0.1pp": for each
// metric, how far it may move in its worse direction — up for a
// lower-is-better metric, down for a higher-is-better one — in per cent of
// the base (%), in percentage points (pp, for % metrics) or in the
// metric's unit (a bare number). A sign, if given, must point the worse
// way. A metric may be scoped to a page kind or owner of a general-form
// file (latency.p99@product, owner.rps@reviews: a name of KindScoped or
// OwnerScoped, "@", the scope); whether the scope exists is a question
// for the files compared (CheckLimits).
func ParseThresholds(s string) ([]Threshold, error) {
	var ts []Threshold
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		name, amount, ok := strings.Cut(item, "=")
		if !ok {
			return nil, fmt.Errorf("threshold %q: write metric=+10%% (or -0.1pp, or +5)", item)
		}
		m, ok := lookupScoped(strings.TrimSpace(name))
		if !ok {
			return nil, fmt.Errorf("threshold %q: unknown metric %q; the metrics are %s", item, name, metricNames())
		}
		t := Threshold{Metric: m, Kind: Absolute}
		amount = strings.TrimSpace(amount)
		switch {
		case strings.HasSuffix(amount, "pp"):
			if m.Unit != "%" {
				return nil, fmt.Errorf("threshold %q: pp (percentage points) is for %% metrics; %s is in %s", item, m.Name, unitName(m.Unit))
			}
			t.Kind, amount = Points, strings.TrimSuffix(amount, "pp")
		case strings.HasSuffix(amount, "%"):
			t.Kind, amount = Relative, strings.TrimSuffix(amount, "%")
		}
		worse := "+"
		if m.Better == Higher {
			worse = "-"
		}
		if sign := amount[:min(1, len(amount))]; sign == "+" || sign == "-" {
			if sign != worse {
				return nil, fmt.Errorf("threshold %q: %s gets worse as it goes %s; write %s%s", item, m.Name,
					map[string]string{"+": "up", "-": "down"}[worse], worse, amount[1:]+map[Allowance]string{Relative: "%", Points: "pp"}[t.Kind])
			}
			amount = amount[1:]
		}
		x, err := strconv.ParseFloat(amount, 64)
		if err != nil || x < 0 || math.IsInf(x, 0) || math.IsNaN(x) {
			return nil, fmt.Errorf("threshold %q: %q is not an amount ≥ 0", item, amount)
		}
		t.Amount = x
		ts = append(ts, t)
	}
	return ts, nil
}

func unitName(u string) string {
	if u == "" {
		return "a count"
	}
	return u
}

func metricNames() string {
	var names []string
	for _, m := range Registry {
		names = append(names, m.Name)
	}
	return strings.Join(names, ", ") + "; in the general form also page_completeness, and scoped to a page kind (" +
		strings.Join(KindScoped, ", ") + ")@kind or to an owner (" + strings.Join(OwnerScoped, ", ") + ")@owner"
}

// lookupScoped finds a metric by its name, scoped or not, without knowing
// the scopes: a scoped name's direction and unit are its base metric's.
func lookupScoped(full string) (Metric, bool) {
	name, scope := SplitScope(full)
	if scope == "" {
		if name == pageCompleteness.Name {
			return pageCompleteness, true
		}
		return Lookup(name)
	}
	if !slices.Contains(KindScoped, name) && !slices.Contains(OwnerScoped, name) {
		return Metric{}, false
	}
	mt := baseMetric(name)
	mt.Name = full
	return mt, true
}

// CheckLimits reports a limit naming a metric f does not have: a scope
// that is neither a page kind nor an owner of its topology, a metric the
// scope lacks, or any scoped or general-form metric in a marketplace file.
// The error lists the file's scopes, so the fix is at hand.
func CheckLimits(f *File, limits []Threshold) error {
	known := map[string]bool{}
	for _, mt := range MetricsFor(f.Topology) {
		known[mt.Name] = true
	}
	for _, t := range limits {
		if known[t.Metric.Name] {
			continue
		}
		if f.Topology == nil {
			return fmt.Errorf("%s: the file is of the marketplace form, which has no metrics per page kind or owner (and no page_completeness); its metrics are those of the registry: %s",
				t.Metric.Name, metricNames())
		}
		name, scope := SplitScope(t.Metric.Name)
		var kinds []string
		for _, k := range f.Topology.Kinds {
			kinds = append(kinds, k.Name)
		}
		scopes := fmt.Sprintf("its page kinds are %s (metrics %s) and its owners %s (metrics %s)",
			strings.Join(kinds, ", "), strings.Join(KindScoped, ", "), strings.Join(f.Topology.Owners, ", "), strings.Join(OwnerScoped, ", "))
		switch {
		case slices.Contains(kinds, scope):
			return fmt.Errorf("%s: a page kind has no %s; %s", t.Metric.Name, name, scopes)
		case slices.Contains(f.Topology.Owners, scope):
			return fmt.Errorf("%s: an owner has no %s; %s", t.Metric.Name, name, scopes)
		}
		return fmt.Errorf("%s: the file has no page kind or owner %q; %s", t.Metric.Name, scope, scopes)
	}
	return nil
}

// hasScope reports whether m measured the page kind or owner a scoped
// metric reads (always, for an unscoped one).
func hasScope(m *Metrics, mt Metric) bool {
	_, scope := SplitScope(mt.Name)
	return scope == "" || m.Pages[scope] != nil || m.Owners[scope] != nil
}

// worsening is how much new is worse than base, in the allowance's
// measure (negative: better).
func (t Threshold) worsening(base, new float64) float64 {
	d := new - base
	if t.Metric.Better == Higher {
		d = -d
	}
	switch t.Kind {
	case Relative:
		if base == 0 {
			if d > 0 {
				return math.Inf(1)
			}
			return 0
		}
		return 100 * d / math.Abs(base)
	}
	return d // points and absolute: % metrics are already in per cent
}

// Delta is one metric of one strategy compared.
type Delta struct {
	Strategy  string
	Metric    Metric
	Base, New float64
	// P is the two-sided p-value of the test (Test), NaN when no test was
	// possible: a single run without a within-run interval on a side (a
	// schema-1 file, or a metric one run gives no interval, like
	// convergence). Then any change past the limit counts.
	P      float64
	Test   string // TestWelch, TestMannWhitney or "" (none)
	N1, N2 int    // runs (seeds) on each side
	Limit  *Threshold
	// Alpha is the significance level the change was judged at.
	Alpha float64
	// TooFew: a side's figure rests on fewer samples than the rule allows
	// (Figure.Short): no verdict, whatever the change.
	TooFew bool
	// BaseAbsent, NewAbsent: a side has no value (Figure.Absent: nothing
	// to count, or views that never converged). No test; a new side that
	// never converged where the base did is a regression if limited.
	BaseAbsent, NewAbsent bool
	// NotTested says why no test was allowed although the files give
	// intervals: base and new are single runs of different seeds, and the
	// within-run intervals hold a seed's population fixed. The change is
	// judged against its limit alone.
	NotTested string
	Regressed bool
}

// Tests a comparison can use.
const (
	// TestWelch is Welch's t-test on the difference of two figures, each
	// with its standard error and degrees of freedom: with several seeds
	// the seeds' values (the mean, s/√n, n−1); with one seed the run's
	// batch means (the figure, half-width/t, batches−1); an exact figure
	// has no error. The degrees of freedom are Welch–Satterthwaite's.
	TestWelch = "welch"
	// TestMannWhitney is the Mann–Whitney U test on the seeds' values,
	// as benchstat does. It needs several seeds a side and cannot go below
	// p = 2/C(n1+n2, n1): 0.1 with 3 against 3. With a single seed on a side
	// Welch on the batch means is used instead.
	TestMannWhitney = "mann-whitney"
)

// DefaultAlpha is the significance level compare judges changes at.
const DefaultAlpha = 0.05

// Significant reports whether the change is more than noise: the test
// rejects "no change" at Alpha, or there was no test.
func (d Delta) Significant() bool {
	alpha := d.Alpha
	if alpha == 0 {
		alpha = DefaultAlpha
	}
	return math.IsNaN(d.P) || d.P < alpha
}

// CompareOptions say how to compare two result files.
type CompareOptions struct {
	Limits []Threshold
	Alpha  float64 // default DefaultAlpha
	Test   string  // default TestWelch
}

// Compare compares every metric of MetricsFor(base.Topology) (the
// registry, and in the general form each page kind's and owner's) of every
// strategy the two files share, by Welch's t-test at DefaultAlpha. A metric
// regresses when it got worse by more than its threshold and the change is
// significant.
func Compare(base, new *File, limits []Threshold) []Delta {
	ds, _ := CompareWith(base, new, CompareOptions{Limits: limits})
	return ds
}

// CompareWith compares as Compare does, with the options given, and
// returns warnings a reader must see: a test that cannot reach the
// significance asked, a metric no test could judge.
func CompareWith(base, new *File, opts CompareOptions) ([]Delta, []string) {
	if opts.Alpha <= 0 {
		opts.Alpha = DefaultAlpha
	}
	if opts.Test == "" {
		opts.Test = TestWelch
	}
	var ds []Delta
	var warnings []string
	untested := map[string][]string{} // metric → strategies with no test
	few := map[string][]string{}      // metric → strategies with too few samples
	unreachable := false
	// One run a side with different seeds: each seed draws its own
	// population, and a within-run interval (batch means) measures only
	// the noise over time with that population fixed, so it cannot tell a
	// change from the difference between seeds.
	seedsDiffer := runsOf(base) == 1 && runsOf(new) == 1 && len(base.Seeds) == 1 && len(new.Seeds) == 1 && base.Seeds[0] != new.Seeds[0]
	if seedsDiffer {
		warnings = append(warnings, fmt.Sprintf("warning: base is seed %d and new seed %d, one run each: the within-run intervals hold the seed's population fixed and cannot test a change between seeds; no test is made, and changes are judged against the limits alone (marked \"not tested\"). Compare one seed against the same seed, or use -seeds N a side",
			base.Seeds[0], new.Seeds[0]))
	}
	for _, name := range base.Order {
		b, n := base.Strategies[name], new.Strategies[name]
		if b == nil || n == nil {
			continue
		}
		for _, m := range MetricsFor(base.Topology) {
			if !m.Applies(b) || !m.Applies(n) || !hasScope(b, m) || !hasScope(n, m) {
				continue
			}
			d := Delta{Strategy: name, Metric: m, Base: m.Get(b), New: m.Get(n), P: math.NaN(), N1: runs(b), N2: runs(n), Alpha: opts.Alpha}
			d.TooFew = tooFew(b, m) || tooFew(n, m)
			d.BaseAbsent, d.NewAbsent = FigureOf(b, m).Absent, FigureOf(n, m).Absent
			switch {
			case d.BaseAbsent || d.NewAbsent:
				d.TooFew = false // no value to count samples of
			case seedsDiffer:
				d.NotTested = "seeds differ"
			case opts.Test == TestMannWhitney && d.N1 > 1 && d.N2 > 1:
				c := benchmath.AssumeNothing.Compare(sample(b, m), sample(n, m))
				d.P, d.Test = c.P, TestMannWhitney
				if minUP(d.N1, d.N2) >= opts.Alpha {
					unreachable = true
				}
			default:
				if p, ok := welch(estimateOf(b, m), estimateOf(n, m)); ok {
					d.P, d.Test = p, TestWelch
				}
			}
			for i := range opts.Limits {
				if opts.Limits[i].Metric.Name == m.Name {
					d.Limit = &opts.Limits[i]
					d.Regressed = opts.Limits[i].worsening(d.Base, d.New) > opts.Limits[i].Amount && d.Significant() && !d.TooFew
					if d.BaseAbsent || d.NewAbsent {
						// Never converging where the base did is worse than
						// any limit; nothing to count is no verdict.
						d.Regressed = m.Has != nil && !d.BaseAbsent && d.NewAbsent
					}
					switch {
					case d.BaseAbsent || d.NewAbsent:
					case d.TooFew:
						few[m.Name] = append(few[m.Name], name)
					case d.Test == "" && d.NotTested == "":
						untested[m.Name] = append(untested[m.Name], name)
					}
				}
			}
			ds = append(ds, d)
		}
	}
	if unreachable {
		warnings = append(warnings, fmt.Sprintf("warning: Mann–Whitney with %d against %d seeds cannot reach p < %g (its smallest p is %.3g): it can never call a change real; use more seeds or the default Welch test",
			runsOf(base), runsOf(new), opts.Alpha, minUP(runsOf(base), runsOf(new))))
	}
	for _, m := range slices.Sorted(maps.Keys(few)) {
		mt, _ := lookupScoped(m)
		warnings = append(warnings, fmt.Sprintf("warning: %s of %s rests on too few samples on a side (%s): not judged; run longer or with more seeds",
			m, strings.Join(few[m], ", "), mt.NeedText()))
	}
	for _, m := range slices.Sorted(maps.Keys(untested)) {
		warnings = append(warnings, fmt.Sprintf("warning: %s of %s: no interval on a side (one run gives none for it, or the file predates schema 2): no test; any change past the limit counts",
			m, strings.Join(untested[m], ", ")))
	}
	return ds, warnings
}

// minUP is the smallest two-sided p-value a Mann–Whitney U test of n1
// against n2 values can give: both tails of the most extreme ordering.
func minUP(n1, n2 int) float64 {
	// 2 / C(n1+n2, n1), in logs to stay finite.
	lg := func(x int) float64 { v, _ := math.Lgamma(float64(x) + 1); return v }
	return math.Min(1, 2*math.Exp(lg(n1)+lg(n2)-lg(n1+n2)))
}

func runsOf(f *File) int {
	n := 0
	for _, m := range f.Strategies {
		if m != nil {
			n = max(n, runs(m))
		}
	}
	return n
}

// tooFew reports whether a figure counted in a schema-2 file rests on too
// few samples to judge by rule 1 (Figure.Short); an older file, with no
// counts, is judged as before.
func tooFew(m *Metrics, mt Metric) bool { return FigureOf(m, mt).Short(mt) }

// estimate is a figure with its standard error and degrees of freedom.
type estimate struct {
	x, se, df float64
	ok        bool
}

// estimateOf is what a strategy's file says about a metric for a test:
// with several seeds the mean of the seeds' values, s/√n, n−1; with one
// the figure, its within-run standard error and batches−1; an exact figure
// with no error.
func estimateOf(m *Metrics, mt Metric) estimate {
	if len(m.Replicas) >= 2 {
		xs := make([]float64, len(m.Replicas))
		for i, r := range m.Replicas {
			xs[i] = mt.Get(r)
		}
		_, sd := stat.MeanStdDev(xs, nil)
		if allEqual(xs) {
			sd = 0
		}
		se := sd / math.Sqrt(float64(len(xs)))
		if f := FigureOf(m, mt); mt.Rare && f.Counted {
			se = math.Max(se, f.rareFloor(mt)/1.96) // rule 1: at least a Poisson count's error
		}
		return estimate{x: mean(xs), se: se, df: float64(len(xs) - 1), ok: true}
	}
	f := FigureOf(m, mt)
	switch {
	case f.Method == MethodExact:
		return estimate{x: f.Value, se: 0, df: math.Inf(1), ok: true}
	case f.Method == MethodBatchMeans && f.HasCI && f.DF > 0:
		return estimate{x: f.Value, se: SEdf(f.CI95, f.DF), df: f.DF, ok: true}
	}
	return estimate{}
}

// welch is the two-sided p-value of Welch's t-test for a difference
// between two estimates. With no error on either side, any difference is
// certain (p 0) and none is none (p 1).
func welch(a, b estimate) (float64, bool) {
	if !a.ok || !b.ok {
		return math.NaN(), false
	}
	va, vb := a.se*a.se, b.se*b.se
	diff := b.x - a.x
	if va+vb == 0 {
		if diff == 0 {
			return 1, true
		}
		return 0, true
	}
	// Welch–Satterthwaite; a side with no error (infinite df) adds nothing.
	den := 0.0
	if va > 0 {
		den += va * va / a.df
	}
	if vb > 0 {
		den += vb * vb / b.df
	}
	df := (va + vb) * (va + vb) / den
	t := math.Abs(diff) / math.Sqrt(va+vb)
	return 2 * distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Survival(t), true
}

func runs(m *Metrics) int { return max(1, len(m.Replicas)) }

func sample(m *Metrics, metric Metric) *benchmath.Sample {
	reps := m.Replicas
	if len(reps) == 0 {
		reps = []*Metrics{m}
	}
	xs := make([]float64, len(reps))
	for i, r := range reps {
		xs[i] = metric.Get(r)
	}
	return benchmath.NewSample(xs, &benchmath.DefaultThresholds)
}

// Missing lists the strategies one file has and the other lacks.
func Missing(base, new *File) []string {
	var out []string
	for _, name := range base.Order {
		if new.Strategies[name] == nil {
			out = append(out, name+" (only in base)")
		}
	}
	for _, name := range new.Order {
		if base.Strategies[name] == nil {
			out = append(out, name+" (only in new)")
		}
	}
	return out
}

// CheckInputs says whether two result files can be compared. A file
// without strategies is an error; so is a new file that lacks a strategy
// the base has, or a metric the base has for a strategy both have, unless
// allowMissing, when each becomes a note. Notes also name what only the
// new file has, builds that differ (a change in the simulator is not
// a change in the system) and measured inputs that differ (a change in
// what was fed in is not one either).
func CheckInputs(base, new *File, allowMissing bool) (notes []string, err error) {
	for _, side := range []struct {
		name string
		f    *File
	}{{"base", base}, {"new", new}} {
		if len(side.f.Strategies) == 0 {
			return nil, fmt.Errorf("%s: the result file has no strategies (strategies: {}): nothing to compare", side.name)
		}
	}
	var missing []string
	for _, name := range base.Order {
		b, n := base.Strategies[name], new.Strategies[name]
		if b == nil {
			continue
		}
		if n == nil {
			missing = append(missing, "strategy "+name)
			continue
		}
		for _, mt := range MetricsFor(base.Topology) {
			if hasMetric(b, mt) && !hasMetric(n, mt) {
				missing = append(missing, "metric "+mt.Name+" of "+name)
			}
		}
	}
	for _, name := range new.Order {
		if base.Strategies[name] == nil && new.Strategies[name] != nil {
			notes = append(notes, "note: strategy "+name+" is only in new")
		}
	}
	if len(missing) > 0 {
		what := "the new result lacks " + strings.Join(missing, ", ") + " that the base has"
		if !allowMissing {
			return nil, errors.New(what + ": rerun it with the same scenario, or pass -allow-missing to compare the rest")
		}
		notes = append(notes, "note: "+what)
	}
	if base.Scenario != new.Scenario {
		notes = append(notes, fmt.Sprintf("note: comparing different scenarios, %s and %s", base.Scenario, new.Scenario))
	}
	if d := base.Version.Differs(new.Version); d != "" {
		notes = append(notes, "warning: base and new come from different builds ("+d+"): a change in the simulator is not a change in the system")
	}
	return append(notes, inputWarnings(base.Inputs, new.Inputs)...), nil
}

// inputWarnings names each field measured from different data in base and
// new (its files' sha256 differ) or measured on one side only, in the
// base's order and then the new's.
func inputWarnings(base, new []Input) []string {
	find := func(in []Input, field string) *Input {
		for i := range in {
			if in[i].Field == field {
				return &in[i]
			}
		}
		return nil
	}
	var ws []string
	for _, b := range base {
		switch n := find(new, b.Field); {
		case n == nil:
			ws = append(ws, fmt.Sprintf("warning: base measured %s from %s (sha256 %s), new does not: a change in the input is not a change in the system", b.Field, b.File, shortHash(b.SHA256)))
		case n.SHA256 != b.SHA256:
			ws = append(ws, fmt.Sprintf("warning: base and new measured %s from different data (%s sha256 %s against %s sha256 %s): a change in the input is not a change in the system",
				b.Field, b.File, shortHash(b.SHA256), n.File, shortHash(n.SHA256)))
		}
	}
	for _, n := range new {
		if find(base, n.Field) == nil {
			ws = append(ws, fmt.Sprintf("warning: new measured %s from %s (sha256 %s), base does not: a change in the input is not a change in the system", n.Field, n.File, shortHash(n.SHA256)))
		}
	}
	return ws
}

// shortHash is a hash's first 12 hex digits, enough to tell files apart
// at a glance.
func shortHash(h string) string { return h[:min(12, len(h))] }

// hasMetric reports whether m measures mt: it applies, the page figures
// exist, and a schema-2 file lists it.
func hasMetric(m *Metrics, mt Metric) bool {
	if !mt.Applies(m) || !hasScope(m, mt) {
		return false
	}
	if m.Pages[pages.All] == nil && mt.Pages {
		return false
	}
	if len(m.Stats) > 0 {
		_, ok := m.Stats[mt.Name]
		return ok
	}
	return true
}

// WriteComparison prints the deltas as a table: base, new, change, the
// p-value ("-": no test) and the verdict, regressions marked; "~" marks a
// change the test finds within the noise.
func WriteComparison(w io.Writer, ds []Delta) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "strategy\tmetric\tbase\tnew\tdelta\tp\tverdict")
	for _, d := range ds {
		delta := "0"
		switch {
		case d.New == d.Base:
		case d.Base != 0:
			delta = fmt.Sprintf("%+.2f%%", 100*(d.New-d.Base)/math.Abs(d.Base))
		default:
			delta = fmt.Sprintf("%+g", d.New-d.Base)
		}
		p := "-"
		if !math.IsNaN(d.P) {
			p = fmt.Sprintf("%.3f", d.P)
			if d.P < 0.001 {
				p = "<0.001"
			}
			if !d.Significant() {
				delta = "~"
			}
		}
		if d.NotTested != "" {
			p = "not tested"
		}
		baseText, newText := Human(d.Metric.Unit, d.Base), Human(d.Metric.Unit, d.New)
		if d.BaseAbsent || d.NewAbsent {
			delta = "-"
			if d.BaseAbsent {
				baseText = AbsentText(d.Metric)
			}
			if d.NewAbsent {
				newText = AbsentText(d.Metric)
			}
		}
		verdict := ""
		switch {
		case d.TooFew && d.Limit != nil:
			verdict = "too few samples (limit " + d.Limit.String() + ")"
		case d.TooFew:
			verdict = "too few samples"
		case d.Regressed && d.NotTested != "":
			verdict = "REGRESSION (limit " + d.Limit.String() + "; not tested: " + d.NotTested + ")"
		case d.Regressed:
			verdict = "REGRESSION (limit " + d.Limit.String() + ")"
		case d.Limit != nil:
			verdict = "ok (limit " + d.Limit.String() + ")"
		}
		unit := ""
		if d.Metric.Unit != "" {
			unit = " (" + d.Metric.Unit + ")"
		}
		fmt.Fprintf(tw, "%s\t%s%s\t%s\t%s\t%s\t%s\t%s\n", d.Strategy, d.Metric.Name, unit,
			baseText, newText, delta, p, verdict)
	}
	return tw.Flush()
}

// Regressions counts the deltas that regressed.
func Regressions(ds []Delta) int {
	return len(slices.DeleteFunc(slices.Clone(ds), func(d Delta) bool { return !d.Regressed }))
}
