package results

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/sharebench/sharebench/pages"
)

// Service-level objectives: targets on the table's figures, each column
// (strategy or plan) judged against every one, and the columns meeting
// them all ranked by what they cost. A target passes only when the
// figure's one-sided 95 % bound clears it (Figure.Bounds: the interval
// made one-sided, and for a fraction what counting its failures allows,
// so that no failure in n passes only targets below about 1 − 3/n), and
// fails only when the bound on the other side misses it too: a figure
// whose bounds straddle the target, or a percentile resting on too few
// samples for rule 1, is "unclear", never "pass". Rare events need no
// minimum count here (a bound that clears the target clears it); the
// starring rule keeps its minimum. A figure one run gives no interval
// (owner.rejected, broker.lost, convergence) is judged as observed: it is
// what happened in the run.

// SLO is a scenario's slo: section.
type SLO struct {
	Targets Targets `yaml:"targets"`
	// Cost weighs what a column costs, by metric name (any the table
	// shows, scoped ones included, plus BrokerRate): the cost is Σ
	// weight × figure, the figure in its table unit except bytes, which
	// count in MB (10⁶ B). Nil: DefaultCost.
	Cost map[string]float64 `yaml:"cost,omitempty"`
}

// BrokerRate is the cost term for broker traffic: messages published and
// delivered per second of measured time, which no table row shows.
const BrokerRate = "broker.rps"

// DefaultCost prices 1 request per second to the owners like 1 MB of
// copied data held by page services and like 10 broker messages per
// second: the owner's load is what sharing strategies exist to spare.
var DefaultCost = map[string]float64{"owner.rps": 1, "duplication": 1, BrokerRate: 0.1}

// Target is one objective: a figure at most or at least a limit.
type Target struct {
	Metric  string  // a table's metric name, maybe scoped ("latency.p99@product")
	AtLeast bool    // ≥ Limit; otherwise ≤ Limit
	Limit   float64 // in the metric's table unit (ms, %, req/s, B)
	Text    string  // the limit as written, "150ms"
}

// String is the target as the flag and the table write it:
// "latency.p99<=150ms".
func (t Target) String() string { return t.Metric + t.op() + t.Text }

// Label is the target as the table's verdict row names it: its limit
// with the metric's unit when written bare ("staleness.p99<=5 ms"), and
// for staleness.p99 what it judges ("… (of all reads)").
func (t Target) Label() string {
	text := t.Text
	if mt, ok := lookupAny(baseName(t.Metric)); ok && mt.Unit != "" {
		if _, err := strconv.ParseFloat(strings.ReplaceAll(text, "_", ""), 64); err == nil {
			text += unitSuffix(mt.Unit)
			if mt.Unit == "B" {
				text += " B"
			}
		}
	}
	label := t.Metric + t.op() + text
	if baseName(t.Metric) == "staleness.p99" {
		label += " (" + StaleRead + ")"
	}
	return label
}

func (t Target) op() string {
	if t.AtLeast {
		return ">="
	}
	return "<="
}

// Targets are a scenario's targets in the order the file gives them (a
// YAML mapping of metric name to limit, which a Go map would reorder).
type Targets []Target

// UnmarshalYAML reads `metric: limit` pairs: "<=150ms", ">=99.5%" (quoted:
// YAML reads a leading > as folded text) or a bare limit, which takes the
// metric's better direction (completeness: 99.5% means at least).
func (ts *Targets) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return lineError(n.Line, "slo.targets: give a mapping of metric to limit, e.g. {latency.p99: <=150ms, completeness: 99.5%%}")
	}
	*ts = nil
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if v.Kind != yaml.ScalarNode {
			return lineError(v.Line, "slo.targets.%s: give a limit such as <=150ms or \">=99.5%%\"", k.Value)
		}
		t, err := ParseTargetOf(k.Value, v.Value)
		if err != nil {
			return lineError(v.Line, "slo.targets.%s: %v", k.Value, err)
		}
		if slices.ContainsFunc(*ts, func(o Target) bool { return o.Metric == t.Metric }) {
			return lineError(k.Line, "slo.targets.%s: given twice; keep one", k.Value)
		}
		*ts = append(*ts, t)
	}
	return nil
}

// lineError is a mistake at a line of the scenario, as the YAML decoder
// reports its own (a TypeError), so that the scenario's reader names it
// "file:line: field: message" like every other.
func lineError(line int, format string, args ...any) error {
	return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: ", line) + fmt.Sprintf(format, args...)}}
}

// MarshalYAML writes the targets back as the file gives them, so that a
// result's scenario_yaml loads again.
func (ts Targets) MarshalYAML() (any, error) {
	n := &yaml.Node{Kind: yaml.MappingNode}
	for _, t := range ts {
		n.Content = append(n.Content,
			&yaml.Node{Kind: yaml.ScalarNode, Value: t.Metric},
			&yaml.Node{Kind: yaml.ScalarNode, Value: t.op() + t.Text, Style: yaml.SingleQuotedStyle})
	}
	return n, nil
}

// ParseTarget reads a target as the -slo flag gives it:
// "latency.p99<=150ms", "completeness>=99.5%".
func ParseTarget(s string) (Target, error) {
	for _, op := range []string{"<=", ">="} {
		if name, limit, ok := strings.Cut(s, op); ok {
			return ParseTargetOf(strings.TrimSpace(name), op+strings.TrimSpace(limit))
		}
	}
	return Target{}, fmt.Errorf("%q: write METRIC<=LIMIT or METRIC>=LIMIT, e.g. latency.p99<=150ms or completeness>=99.5%%", s)
}

// ParseTargetOf reads the limit of a target on metric name: "<=150ms",
// ">=99.5%", or a bare limit in the metric's better direction. The unit
// must fit the metric's: a duration for ms, a per cent for %, a byte size
// (B, kB, MB, GB, KiB, MiB, GiB) for bytes, a plain number otherwise.
func ParseTargetOf(name, limit string) (Target, error) {
	base, _ := SplitScope(name)
	mt, ok := lookupAny(base)
	if !ok {
		return Target{}, fmt.Errorf("no metric %q; use a name the table shows: %s (or one of them @ a page kind or owner, e.g. latency.p99@product)", base, strings.Join(targetNames(), ", "))
	}
	t := Target{Metric: name, AtLeast: mt.Better == Higher}
	text := strings.TrimSpace(limit)
	switch {
	case strings.HasPrefix(text, "<="):
		t.AtLeast, text = false, strings.TrimSpace(text[2:])
	case strings.HasPrefix(text, ">="):
		t.AtLeast, text = true, strings.TrimSpace(text[2:])
	case strings.HasPrefix(text, "<") || strings.HasPrefix(text, ">") || strings.HasPrefix(text, "="):
		return Target{}, fmt.Errorf("%q: a target is <= or >= a limit (an interval clears a bound or not), e.g. <=150ms", limit)
	}
	if strings.ContainsAny(text, "<>=") {
		return Target{}, fmt.Errorf("%q: a target is <= or >= one limit, e.g. <=150ms", limit)
	}
	v, err := parseLimit(mt, text)
	if err != nil {
		return Target{}, fmt.Errorf("%q: %v", limit, err)
	}
	t.Limit, t.Text = v, text
	return t, nil
}

// parseLimit reads a limit in the metric's table unit.
func parseLimit(mt Metric, s string) (float64, error) {
	number := func(s string) (float64, error) {
		v, err := strconv.ParseFloat(strings.ReplaceAll(s, "_", ""), 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, fmt.Errorf("%q is not a number", s)
		}
		return v, nil
	}
	switch mt.Unit {
	case "ms":
		if v, err := strconv.ParseFloat(s, 64); err == nil {
			if v > 0 && v < 1 {
				// Under a millisecond is more likely seconds written bare.
				return 0, fmt.Errorf("%s is in ms: a bare %s would be %s ms; write %sms if you mean it, or %sms for %s s", mt.Name, s, s, s, strconv.FormatFloat(1000*v, 'g', -1, 64), s)
			}
			return v, nil // a bare number is milliseconds, as the table shows them
		}
		d, err := time.ParseDuration(s)
		if err != nil {
			return 0, fmt.Errorf("%s is in ms: give a duration such as 150ms or 5s", mt.Name)
		}
		return float64(d) / float64(time.Millisecond), nil
	case "%":
		bare := !strings.HasSuffix(s, "%")
		v, err := number(strings.TrimSuffix(s, "%"))
		if err != nil {
			return 0, fmt.Errorf("%s is a per cent: give e.g. 99.5%%", mt.Name)
		}
		if bare && v > 0 && v < 1 {
			return 0, fmt.Errorf("%s is a per cent, as the table shows it: write %s%% for a fraction of %s, or %s%% if you meant %s per cent", mt.Name, strconv.FormatFloat(100*v, 'g', -1, 64), s, s, s)
		}
		if v < 0 || v > 100 {
			return 0, fmt.Errorf("%s is a per cent, between 0%% and 100%%", mt.Name)
		}
		return v, nil
	case "B":
		for _, u := range []struct {
			suffix string
			size   float64
		}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"GB", 1e9}, {"MB", 1e6}, {"kB", 1e3}, {"KB", 1e3}, {"B", 1}} {
			if rest, ok := strings.CutSuffix(s, u.suffix); ok {
				v, err := number(strings.TrimSpace(rest))
				if err != nil {
					return 0, fmt.Errorf("%s is bytes: give e.g. 64MiB", mt.Name)
				}
				return v * u.size, nil
			}
		}
		return number(s)
	}
	v, err := number(strings.TrimSuffix(strings.TrimSuffix(s, "/s"), mt.Unit))
	if err != nil && mt.Unit != "" {
		return 0, fmt.Errorf("%s is in %s: give a number, e.g. 3000", mt.Name, mt.Unit)
	}
	return v, err
}

// lookupAny finds a Registry metric or page_completeness.
func lookupAny(name string) (Metric, bool) {
	if name == pageCompleteness.Name {
		return pageCompleteness, true
	}
	return Lookup(name)
}

func targetNames() []string {
	var names []string
	for _, m := range Registry {
		names = append(names, m.Name)
	}
	return append(names, pageCompleteness.Name)
}

// With returns the SLO with ts added, a target on a metric s already has
// replaced (the -slo flag overrides the file).
func (s *SLO) With(ts []Target) *SLO {
	out := &SLO{}
	if s != nil {
		out.Targets, out.Cost = slices.Clone(s.Targets), maps.Clone(s.Cost)
	}
	for _, t := range ts {
		if i := slices.IndexFunc(out.Targets, func(o Target) bool { return o.Metric == t.Metric }); i >= 0 {
			out.Targets[i] = t
		} else {
			out.Targets = append(out.Targets, t)
		}
	}
	return out
}

// Check refuses targets and cost terms naming a metric a file of topology
// t (nil: the marketplace form) does not have. field is where it is, e.g.
// "targets.latency.p99@product", and msg how to fix it.
func (s *SLO) Check(t *pages.Topology) (field, msg string, ok bool) {
	if s == nil {
		return "", "", true
	}
	known := map[string]bool{BrokerRate: true}
	for _, m := range SLOMetricsFor(t) {
		known[m.Name] = true
	}
	hint := "scoped names here are " + strings.Join(scopeHints(t), ", ")
	if t == nil {
		hint += "; the marketplace form's owner has the unscoped owner.* figures"
	}
	for _, tg := range s.Targets {
		if !known[tg.Metric] {
			return "targets." + tg.Metric, fmt.Sprintf("no such figure; %s", hint), false
		}
	}
	for _, name := range slices.Sorted(maps.Keys(s.Cost)) {
		w := s.Cost[name]
		if !known[name] {
			return "cost." + name, fmt.Sprintf("no such figure to weigh; use owner.rps, duplication, %s or another table metric (%s)", BrokerRate, hint), false
		}
		if mt, ok := lookupAny(baseName(name)); ok && mt.Better != Lower {
			return "cost." + name, "a cost is something less of is better; this metric is better higher", false
		}
		if w < 0 || math.IsNaN(w) || math.IsInf(w, 0) {
			return "cost." + name, fmt.Sprintf("a weight is a number ≥ 0, got %v", w), false
		}
	}
	return "", "", true
}

func baseName(full string) string { name, _ := SplitScope(full); return name }

func scopeHints(t *pages.Topology) []string {
	if t == nil {
		m := pages.Marketplace(1)
		t = &pages.Topology{Kinds: m.Kinds} // its owner is not a scope
	}
	var out []string
	for _, k := range t.Kinds {
		out = append(out, "…@"+k.Name+" (page kind)")
	}
	for _, o := range t.Owners {
		out = append(out, "…@"+o+" (owner)")
	}
	return out
}

// SLOOf reads the slo: section of f's scenario; nil when it has none.
// Best effort for files: the scenario was checked when it ran.
func SLOOf(f *File) *SLO {
	var doc struct {
		SLO *SLO `yaml:"slo"`
	}
	if f == nil || yaml.Unmarshal([]byte(f.ScenarioYAML), &doc) != nil || doc.SLO == nil || len(doc.SLO.Targets) == 0 {
		return nil
	}
	return doc.SLO
}

// Verdict is how a figure stands against a target.
type Verdict int

// Verdicts, worst last but one: a column meets its targets only when each
// passes or does not apply.
const (
	Pass    Verdict = iota
	NA              // the column does not measure the metric (propagation under sync)
	Unclear         // the interval straddles the limit, or too few samples
	Fail
)

func (v Verdict) String() string {
	return [...]string{"pass", "n/a", "unclear", "fail"}[v]
}

// Judgement is one column's figure against one target.
type Judgement struct {
	Target  Target
	Verdict Verdict
	Figure  Figure
	Unit    string
	// Miss is by how much the figure misses the limit, in the metric's
	// unit (> 0), for a fail or an unclear with a value.
	Miss float64
	// Reason says why a verdict other than pass: "n=200, needs 1000".
	Reason string
	// Samples, for an unclear verdict, is about how many times the
	// samples it rests on would likely decide it (an interval narrows as
	// 1/√n); 0 when more samples would not tell (a value on the limit,
	// or no bound at all). Likely is the verdict they would likely give.
	Samples float64
	Likely  Verdict
	// Needs, for a verdict unclear only because a percentile rests on
	// fewer samples than rule 1 asks, is that count; 0 otherwise.
	Needs int64
}

// DecideText says what would decide an unclear verdict: "about 4× the
// samples (a run 4× longer, or -seeds 4); likely pass". "" otherwise.
func (j Judgement) DecideText() string {
	if j.Verdict != Unclear || j.Samples <= 1 || math.IsInf(j.Samples, 0) || math.IsNaN(j.Samples) {
		return ""
	}
	k := math.Ceil(j.Samples*10) / 10
	if k >= 2 {
		k = math.Ceil(j.Samples)
	}
	times := strconv.FormatFloat(k, 'g', -1, 64)
	text := fmt.Sprintf("about %s× the samples (a run %s× longer, or -seeds %d)", times, times, int(math.Ceil(k)))
	if j.Likely == Pass || j.Likely == Fail {
		text += "; likely " + j.Likely.String()
	}
	return text
}

// Short is the judgement as a table cell: "pass", "fail +30ms", "unclear".
func (j Judgement) Short() string {
	switch j.Verdict {
	case Fail:
		return "fail " + j.MissText()
	case Unclear:
		if j.Reason != "" && strings.HasPrefix(j.Reason, "n=") {
			return "unclear (n)"
		}
	}
	return j.Verdict.String()
}

// MissText is by how much the figure misses: "+30ms", "−0.8%".
func (j Judgement) MissText() string {
	sign := "+"
	if j.Target.AtLeast {
		sign = "−"
	}
	u := j.Unit
	if u == "%" {
		u = " pt"
	} else if u == "B" {
		return sign + Human(u, j.Miss)
	}
	if u != "ms" && u != " pt" && u != "" {
		u = " " + u
	}
	return sign + Human(j.Unit, j.Miss) + u
}

// Judge judges the figure of m for target t (mt is the target's metric,
// MetricsFor's entry for its full name).
func Judge(mt Metric, m *Metrics, t Target) Judgement {
	j := Judgement{Target: t, Unit: mt.Unit}
	if m == nil {
		j.Verdict, j.Reason = Unclear, "not run"
		return j
	}
	if !mt.Applies(m) {
		j.Verdict, j.Reason = NA, "keeps no views: nothing propagates"
		return j
	}
	if base, _ := SplitScope(mt.Name); base == "staleness.p99" {
		return judgeReadP99(mt, m, t)
	}
	f := FigureOf(m, mt)
	j.Figure = f
	if f.Absent {
		if mt.Has != nil && !mt.Has(m) && mt.Name == "convergence" {
			j.Verdict, j.Reason = Fail, "never converged"
			j.Miss = math.Inf(1)
			return j
		}
		if mt.Has != nil && !mt.Has(m) {
			j.Verdict, j.Reason = NA, "not measured for this column"
			return j
		}
		j.Verdict, j.Reason = Unclear, "nothing to count"
		return j
	}
	lo, hi, bounded := f.Bounds(mt)
	if !bounded && mt.hdr != "" {
		// A page kind's percentile the file holds no interval for.
		if qlo, qhi, ok := quantileBounds(m.HDR[mt.hdr], mt.Quantile); ok {
			lo, hi, bounded = min(qlo, f.Value), max(qhi, f.Value), true
		}
	}
	switch {
	case mt.Quantile > 0 && mt.Within == Batched && f.Counted && f.N < mt.Needed():
		// A percentile's batch-means interval on few samples is itself a
		// guess: the count rule stays.
		j.Verdict, j.Miss = Unclear, miss(t, f.Value)
		j.Reason = fmt.Sprintf("n=%s, %s", Count(f.N), mt.NeedText())
		j.Likely, j.Needs = Unclear, mt.Needed()
		if f.N > 0 {
			j.Samples = float64(mt.Needed()) / float64(f.N)
		}
		return j
	case !f.HasCI && mt.Within == Unbatched:
		// A figure only a run's end knows (rejections, lost records, the
		// convergence after the heal) is, for one run, what happened in
		// it: judged as observed. Seeds give it an interval.
		lo, hi, bounded = f.Value, f.Value, true
	case !bounded:
		j.Verdict, j.Miss = Unclear, miss(t, f.Value)
		switch {
		case mt.Rare && f.Events == 0 && f.Counted:
			j.Reason = fmt.Sprintf("n=%s, no stale section: nothing bounds how stale one would be (a stale_fraction target can pass)", Count(f.N))
		case !f.HasCI:
			j.Reason = "no interval from one run: run -seeds 3 or more"
		default:
			j.Reason = "too few samples"
		}
		return j
	}
	if mt.Unit == "%" {
		// A share is within 0–100 %: a bound past it is the interval's
		// symmetric shape, not a possible value.
		lo, hi = max(lo, 0), min(hi, 100)
	}
	return decide(j, mt, t, f, lo, hi)
}

// decide judges figure f of mt against t by its one-sided bounds lo–hi.
func decide(j Judgement, mt Metric, t Target, f Figure, lo, hi float64) Judgement {
	switch {
	case t.AtLeast && lo >= t.Limit || !t.AtLeast && hi <= t.Limit:
		j.Verdict = Pass
	case t.AtLeast && hi < t.Limit || !t.AtLeast && lo > t.Limit:
		j.Verdict, j.Miss = Fail, miss(t, f.Value)
	default:
		j.Verdict, j.Miss = Unclear, miss(t, f.Value)
		j.Samples, j.Likely = samplesToDecide(t, f.Value, lo, hi)
		if mt.Fraction && (f.Value <= 0 || f.Value >= 100) {
			// No failure yet: the rule of three's bound narrows as 1/n,
			// not 1/√n.
			j.Samples = math.Sqrt(j.Samples)
		}
		u := unitSuffix(mt.Unit)
		j.Reason = fmt.Sprintf("%s%s: its one-sided 95 %% bounds %s%s and %s%s straddle %s", Human(mt.Unit, f.Value), u, Human(mt.Unit, lo), u, Human(mt.Unit, hi), u, t.Text)
		if f.Counted {
			j.Reason += fmt.Sprintf(" (n=%s)", Count(f.N))
		}
	}
	return j
}

// StaleRead is what a staleness.p99 target judges, as the table's verdict
// row says it.
const StaleRead = "of all reads"

// judgeReadP99 judges a staleness.p99 target as the staleness one read in
// a hundred exceeds: the unconditional p99 over every section read, fresh
// ones as 0 (the "staleness.p99: <=5s"). The table's staleness.p99
// is the conditional one, over stale sections only, which rare stale
// sections leave on too few samples ever to judge. No Registry metric
// holds the unconditional one (it would add a Stats entry to every result
// file), so it is derived here from the stale fraction s and the stale
// sections' histogram: 0 when s's upper bound is below 1 %; the
// histogram's quantile 1 − 0.01/s when its lower bound is above 1 % (the
// sample rule on the stale sections); unclear between.
func judgeReadP99(mt Metric, m *Metrics, t Target) Judgement {
	j := Judgement{Target: t, Unit: mt.Unit}
	_, scope := SplitScope(mt.Name)
	sfm := staleFractionMetric(scope, m)
	sf := FigureOf(m, sfm)
	slo, shi, ok := sf.Bounds(sfm)
	if !ok || !sf.Counted || sf.N == 0 {
		j.Verdict, j.Reason = Unclear, "no sections counted: nothing bounds the stale fraction"
		return j
	}
	slo, shi = max(slo, 0), min(shi, 100)
	pct := func(v float64) string { return Human("%", v) + "%" }
	switch {
	case shi < 1:
		// Fewer than one read in a hundred is stale: the p99 is a fresh read's 0.
		return decide(j, mt, t, Figure{Value: 0, N: sf.N, Counted: true}, 0, 0)
	case slo <= 1:
		j.Verdict, j.Figure = Unclear, Figure{Value: math.NaN(), N: sf.N, Counted: true}
		j.Reason = fmt.Sprintf("stale fraction %s: its one-sided 95 %% bounds %s and %s straddle 1 %%, so the p99 of all reads is 0 or a stale read's staleness (n=%s)",
			pct(sf.Value), pct(slo), pct(shi), Count(sf.N))
		if k, likely := samplesToDecide(Target{Limit: 1}, sf.Value, slo, shi); likely == Fail {
			// Above 1 %: the p99 is then a stale read's, its verdict still open.
			j.Samples, j.Likely = k, Unclear
		} else {
			j.Samples, j.Likely = k, likely
		}
		return j
	}
	hist := m.HDR["staleness.all"]
	if scope != "" {
		hist = m.HDR[Scoped("staleness", scope)]
	}
	h, err := DecodeHDR(hist)
	if hist == "" || err != nil || h.TotalCount() == 0 {
		j.Verdict, j.Figure = Unclear, Figure{Value: math.NaN()}
		j.Reason = fmt.Sprintf("stale fraction %s is above 1 %%: the p99 of all reads is a stale read's, and this file keeps no staleness histogram for %s (target staleness.p99 unscoped or @ an owner)", pct(sf.Value), mt.Name)
		return j
	}
	q := 1 - 1/sf.Value // sf in per cent: 1 − 0.01/(sf/100)
	n := h.TotalCount()
	value := float64(h.ValueAtQuantile(100*q)) / 1000
	fig := Figure{Value: value, N: n, Counted: true}
	j.Figure = fig
	needed := int64(math.Ceil(MinTail/(1-q) - 1e-9))
	qlo, _, okLo := quantileBounds(hist, 1-1/slo)
	_, qhi, okHi := quantileBounds(hist, 1-1/shi)
	if n < needed || !okLo || !okHi {
		j.Verdict, j.Miss, j.Likely = Unclear, miss(t, value), Unclear
		j.Reason = fmt.Sprintf("n=%s stale sections, needs %d for their %s quantile (stale fraction %s)", Count(n), needed, Significant(q, 3), pct(sf.Value))
		j.Samples = float64(needed) / float64(max(n, 1))
		if n < needed {
			j.Needs = needed
		}
		return j
	}
	return decide(j, mt, t, fig, min(qlo, value), max(qhi, value))
}

// staleFractionMetric is the stale fraction of scope ("" the public
// pages; an owner's or a page kind's name).
func staleFractionMetric(scope string, m *Metrics) Metric {
	switch {
	case scope == "":
		return baseMetric("stale_fraction")
	case m.Owners[scope] != nil:
		return ownerMetric("stale_fraction", scope)
	}
	return kindMetric("stale_fraction", scope)
}

// samplesToDecide is about how many times the samples would narrow bounds
// lo–hi around v (as 1/√n) until they clear t's limit, and which way.
func samplesToDecide(t Target, v, lo, hi float64) (float64, Verdict) {
	gap := v - t.Limit // > 0: v is above the limit
	if gap == 0 {
		return 0, Unclear
	}
	width := v - lo // the side that must shrink to clear the limit
	if gap < 0 {
		width = hi - v
	}
	k := (width / math.Abs(gap)) * (width / math.Abs(gap))
	if (gap > 0) == t.AtLeast {
		return k, Pass
	}
	return k, Fail
}

// unitSuffix is what follows a Human figure to name its unit ("" for
// bytes, which Human names itself).
func unitSuffix(unit string) string {
	switch unit {
	case "", "B":
		return ""
	case "%":
		return "%"
	}
	return " " + unit
}

// miss is how far v is on the wrong side of t's limit (0 if it is not).
func miss(t Target, v float64) float64 {
	if t.AtLeast {
		return max(t.Limit-v, 0)
	}
	return max(v-t.Limit, 0)
}

// Column is one column's judgement against every target and its cost.
type Column struct {
	Name       string
	Verdict    Verdict // Pass: meets every target (n/a ones aside); else the worst
	Judgements []Judgement
	Cost       float64
	CostParts  []CostPart // the terms of Cost, in name order, zero ones left out
	// CostCI95 is the half-width of Cost's 95 % interval, the terms'
	// intervals combined as independent (√Σ (weight·CI95)²); 0 for terms
	// without sampling error (bytes held).
	CostCI95 float64
}

// CostPart is one term of a column's cost.
type CostPart struct {
	Metric string
	Value  float64 // the figure, in the cost's unit (MB for bytes)
	CI95   float64 // its interval's half-width, same unit; 0 when none
	Unit   string
	Weight float64
}

// Meets reports whether the column meets every target.
func (c Column) Meets() bool { return c.Verdict == Pass || c.Verdict == NA }

// Misses are the judgements keeping the column from meeting its targets.
func (c Column) Misses() []Judgement {
	var out []Judgement
	for _, j := range c.Judgements {
		if j.Verdict == Fail || j.Verdict == Unclear {
			out = append(out, j)
		}
	}
	return out
}

// ShortOfSamples says what keeps the column undecided when it fails no
// target and every unclear one is a percentile on too few samples:
// "latency.p99 needs 1000 samples". "" otherwise: more samples are all it
// lacks, so a change of its standing there is no boundary.
func (c Column) ShortOfSamples() string {
	var parts []string
	for _, j := range c.Judgements {
		switch {
		case j.Verdict == Fail:
			return ""
		case j.Verdict == Unclear && j.Needs == 0:
			return ""
		case j.Verdict == Unclear:
			parts = append(parts, fmt.Sprintf("%s needs %d samples", j.Target.Metric, j.Needs))
		}
	}
	return strings.Join(parts, ", ")
}

// Recommendation is f judged against s: Meeting are the columns that
// meet every target, cheapest first; Others the rest, in f's order.
type Recommendation struct {
	SLO     *SLO
	Meeting []Column
	Others  []Column
	// Undecided are the Others that fail no target, only unclear ones,
	// cheapest first: what to look at when none meets every target.
	Undecided []Column
	// Columns are all of them, in f's order.
	Columns []Column
}

// Recommend judges every column of f against s (nil: f's own slo:
// section, and nil if it has none).
func Recommend(f *File, s *SLO) *Recommendation {
	if s == nil {
		s = SLOOf(f)
	}
	if s == nil || len(s.Targets) == 0 {
		return nil
	}
	metrics := map[string]Metric{}
	for _, m := range SLOMetricsFor(f.Topology) {
		if _, dup := metrics[m.Name]; !dup {
			metrics[m.Name] = m
		}
	}
	weights := s.Cost
	if weights == nil {
		weights = DefaultCost
	}
	r := &Recommendation{SLO: s}
	for _, name := range strategyOrder(f) {
		m := f.Strategies[name]
		c := Column{Name: name}
		for _, t := range s.Targets {
			mt, ok := metrics[t.Metric]
			if !ok {
				// Never met by default: a target the file cannot judge is
				// no target met.
				j := Judgement{Target: t, Verdict: Unclear, Reason: "this file has no such figure"}
				c.Judgements = append(c.Judgements, j)
				c.Verdict = max(c.Verdict, Unclear)
				continue
			}
			j := Judge(mt, m, t)
			c.Judgements = append(c.Judgements, j)
			if j.Verdict != NA {
				c.Verdict = max(c.Verdict, j.Verdict)
			}
		}
		if c.Verdict == NA {
			c.Verdict = Pass
		}
		c.Cost, c.CostParts = costOf(f, m, metrics, weights)
		var v float64
		for _, p := range c.CostParts {
			v += (p.Weight * p.CI95) * (p.Weight * p.CI95)
		}
		c.CostCI95 = math.Sqrt(v)
		r.Columns = append(r.Columns, c)
		if c.Meets() {
			r.Meeting = append(r.Meeting, c)
		} else {
			r.Others = append(r.Others, c)
		}
	}
	slices.SortStableFunc(r.Meeting, func(a, b Column) int { return cmp.Compare(a.Cost, b.Cost) })
	for _, c := range r.Others {
		if c.Verdict == Unclear {
			r.Undecided = append(r.Undecided, c)
		}
	}
	slices.SortStableFunc(r.Undecided, func(a, b Column) int { return cmp.Compare(a.Cost, b.Cost) })
	return r
}

// Best is the cheapest column meeting every target; "" when none does.
func (r *Recommendation) Best() string {
	if r == nil || len(r.Meeting) == 0 {
		return ""
	}
	return r.Meeting[0].Name
}

// MeetingNames are the columns meeting every target, cheapest first.
func (r *Recommendation) MeetingNames() []string {
	var out []string
	if r != nil {
		for _, c := range r.Meeting {
			out = append(out, c.Name)
		}
	}
	return out
}

func costOf(f *File, m *Metrics, metrics map[string]Metric, weights map[string]float64) (float64, []CostPart) {
	if m == nil {
		return math.Inf(1), nil
	}
	var total float64
	var parts []CostPart
	for _, name := range slices.Sorted(maps.Keys(weights)) {
		w := weights[name]
		var v, ci float64
		unit := ""
		if name == BrokerRate {
			if f.DurationS > 0 {
				v = float64(m.Broker.Published+m.Broker.Delivered) / f.DurationS
			}
			unit = "msg/s"
		} else if mt, ok := metrics[name]; ok && mt.Applies(m) && (mt.Has == nil || mt.Has(m)) {
			v, unit = mt.Get(m), mt.Unit
			if f := FigureOf(m, mt); f.HasCI && f.Method != MethodExact {
				ci = f.CI95
			}
			if unit == "B" {
				v, ci, unit = v/1e6, ci/1e6, "MB"
			}
		}
		if w == 0 || v == 0 {
			continue
		}
		total += w * v
		parts = append(parts, CostPart{Metric: name, Value: v, CI95: ci, Unit: unit, Weight: w})
	}
	return total, parts
}

// CostText writes a column's cost with its terms: "1,234 (owner.rps 1,200 req/s; duplication 34 MB)".
func (c Column) CostText() string {
	if len(c.CostParts) == 0 {
		return "0"
	}
	var terms []string
	for _, p := range c.CostParts {
		w := ""
		if p.Weight != 1 {
			w = Significant(p.Weight, 3) + "×"
		}
		terms = append(terms, fmt.Sprintf("%s %s%s %s", p.Metric, w, Human("", math.Round(p.Value*100)/100), p.Unit))
		if p.Unit == "MB" {
			// The table shows bytes in MiB; a cost weighs them in MB.
			terms[len(terms)-1] += " (1 MB = 10⁶ B)"
		}
	}
	total := Significant(c.Cost, 4)
	if c.CostCI95 > 0 {
		total += " ±" + Significant(c.CostCI95, 2)
	}
	return total + " (" + strings.Join(terms, "; ") + ")"
}

// CheaperThan reports whether c's cost is below o's with their intervals
// apart: a ranking the noise cannot reverse.
func (c Column) CheaperThan(o Column) bool {
	return o.Cost-c.Cost > c.CostCI95+o.CostCI95
}

// writeSLORows adds the table's verdict rows when f's scenario has
// targets: one per target, then each column's verdict over them all.
func writeSLORows(w io.Writer, f *File, order []string) {
	r := Recommend(f, nil)
	if r == nil {
		return
	}
	by := map[string]Column{}
	for _, c := range r.Columns {
		by[c.Name] = c
	}
	for i, t := range r.SLO.Targets {
		fmt.Fprintf(w, "slo %s", t.Label())
		for _, name := range order {
			cell := "—"
			if c, ok := by[name]; ok {
				cell = c.Judgements[i].Short()
			}
			fmt.Fprintf(w, "\t%s", cell)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprint(w, "slo cost")
	for _, name := range order {
		cell := "—"
		if c, ok := by[name]; ok {
			cell = Significant(c.Cost, 3)
			if c.CostCI95 > 0 {
				cell += " ±" + Significant(c.CostCI95, 2)
			}
		}
		fmt.Fprintf(w, "\t%s", cell)
	}
	fmt.Fprintln(w)
	fmt.Fprint(w, "slo verdict")
	for _, name := range order {
		cell := "—"
		if c, ok := by[name]; ok {
			cell = columnWord(c)
			if c.Meets() {
				cell += cheapestMark(r, c)
			}
		}
		fmt.Fprintf(w, "\t%s", cell)
	}
	fmt.Fprintln(w)
}

// cheapestMark marks a meeting column " (cheapest)", or " (≈ cheapest)"
// when its cost and the cheapest's are within each other's intervals
// (the cheapest itself then too): noise the ranking cannot see through.
func cheapestMark(r *Recommendation, c Column) string {
	best := r.Meeting[0]
	near := false
	for _, o := range r.Meeting[1:] {
		if !best.CheaperThan(o) && (c.Name == best.Name || c.Name == o.Name) {
			near = true
		}
	}
	switch {
	case near:
		return " (≈ cheapest)"
	case c.Name == best.Name:
		return " (cheapest)"
	}
	return ""
}

// columnWord is a column's verdict over all its targets.
func columnWord(c Column) string {
	switch c.Verdict {
	case Pass, NA:
		return "MEETS"
	case Fail:
		return "MISSES"
	}
	return "UNCLEAR"
}

// sloNote explains the verdict rows under the table.
func sloNote(w io.Writer, f *File) {
	s := SLOOf(f)
	if s == nil {
		return
	}
	if slices.ContainsFunc(s.Targets, func(t Target) bool { return baseName(t.Metric) == "staleness.p99" }) {
		fmt.Fprintln(w, "slo staleness.p99 (of all reads): the p99 over every section read, fresh ones as 0 (0 when under 1 % are stale; else the stale sections' quantile 1 − 0.01/stale fraction), not the staleness.p99 row, which is of stale sections only")
	}
	fmt.Fprintln(w, "slo: pass only when the figure's one-sided 95 % bound clears the target (a fraction's counts its failures: none of n supports only about 1 − 3/n); fail when the other bound misses it too (by how much); unclear when they straddle the target, or a percentile rests on too few samples (n); a figure one run gives no interval (counters, convergence) is judged as observed; n/a where the column does not measure the metric. MEETS: every target passes (or is n/a); cost by the slo's cost weights (±: its 95 % interval); ≈ cheapest: costs within each other's intervals")
}
