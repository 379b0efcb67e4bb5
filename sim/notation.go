package sim

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// SpecError is a mistake in a scenario or fault specification, located in
// its source text, saying what is wrong and how to fix it.
type SpecError struct {
	Line, Column int    // 1-based position in the YAML source; 0 if unknown
	Field        string // the offending field, e.g. "mean"; may be empty
	Msg          string // what is wrong and the fix
}

func (e *SpecError) Error() string {
	var b strings.Builder
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d, column %d: ", e.Line, e.Column)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, "%s: ", e.Field)
	}
	b.WriteString(e.Msg)
	return b.String()
}

func specErr(n *yaml.Node, field, format string, args ...any) *SpecError {
	e := &SpecError{Field: field, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Column = n.Line, n.Column
	}
	return e
}

// unit says how the values of a distribution are written.
type unit struct {
	parse   func(string) (float64, error)
	format  func(float64) string
	example string
}

var (
	durationUnit = unit{parse: parseSeconds, format: formatSeconds, example: "2ms"}
	numberUnit   = unit{parse: parseNumber, format: formatNumber, example: "5"}
)

// ParseDuration reads a non-negative duration as people write it ("2ms",
// "1.5s", "500us", "0"); a bare non-zero number is refused because its unit
// would be a guess.
func ParseDuration(s string) (time.Duration, error) {
	sec, err := parseSeconds(s)
	if err != nil {
		return 0, err
	}
	return secondsToDuration(sec), nil
}

func parseSeconds(s string) (float64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("empty duration; write one with a unit, e.g. 2ms")
	}
	if x, err := strconv.ParseFloat(s, 64); err == nil && (math.IsNaN(x) || math.IsInf(x, 0)) {
		return 0, fmt.Errorf("%q is not a finite duration; write e.g. 2ms", s)
	} else if err == nil && s != "0" {
		return 0, fmt.Errorf("%q has no unit; write e.g. %sms or %ss", s, s, s)
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration; write e.g. 500us, 2ms, 1.5s or 1m", s)
	}
	if d < 0 {
		return 0, fmt.Errorf("%q is negative; durations must be ≥ 0", s)
	}
	return d.Seconds(), nil
}

func parseNumber(s string) (float64, error) {
	x, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		return 0, fmt.Errorf("%q is not a finite number", s)
	}
	return x, nil
}

// ParseDurationDist reads a duration distribution in the scenario notation:
// a plain duration ("2ms") or a mapping ("{dist: exp, mean: 1ms}"). A
// measured distribution's file is read relative to the working directory.
func ParseDurationDist(s string) (DurationDist, error) {
	var d DurationDist
	if err := unmarshalText(s, &d); err != nil {
		return d, err
	}
	return d, LoadMeasured(d.Dist, "")
}

// ParseNumberDist reads a number distribution in the scenario notation:
// a plain number ("5") or a mapping ("{dist: uniform, min: 1, max: 10}").
// A measured distribution's file is read relative to the working directory.
func ParseNumberDist(s string) (NumberDist, error) {
	var d NumberDist
	if err := unmarshalText(s, &d); err != nil {
		return d, err
	}
	return d, LoadMeasured(d.Dist, "")
}

// LoadMeasured reads d's file relative to dir if d is a *Measured not yet
// loaded; any other distribution needs nothing.
func LoadMeasured(d Dist, dir string) error {
	if m, ok := d.(*Measured); ok && !m.Loaded() {
		return m.Load(dir)
	}
	return nil
}

func unmarshalText(s string, v any) error {
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(s), &n); err != nil {
		return &SpecError{Msg: fmt.Sprintf("not valid YAML: %v", err)}
	}
	if n.Kind != yaml.DocumentNode || len(n.Content) != 1 {
		return &SpecError{Msg: "empty; write a value such as 2ms or {dist: exp, mean: 1ms}"}
	}
	return n.Content[0].Decode(v)
}

// UnmarshalYAML reads the scenario notation for a duration distribution.
func (d *DurationDist) UnmarshalYAML(n *yaml.Node) error {
	dist, err := decodeDist(n, durationUnit)
	if err != nil {
		return err
	}
	d.Dist = dist
	return nil
}

// MarshalYAML writes d in the notation UnmarshalYAML reads, so that what
// it writes reads back as exactly d: durations as FormatDuration writes
// them, and a lognormal whose median and p99, rounded to the nanosecond,
// would not give back its mu and sigma as mu and sigma themselves.
func (d DurationDist) MarshalYAML() (any, error) {
	if d.Dist == nil {
		return flowNode("0s")
	}
	return flowNode(exactNotation(d.Dist, formatDurationSeconds, func(s string) (Dist, error) {
		back, err := ParseDurationDist(s)
		return back.Dist, err
	}))
}

// exactNotation writes d in the notation, falling back for a lognormal to
// its mu and sigma when its median and p99, as written, would not read
// back as exactly d.
func exactNotation(d Dist, format func(float64) string, parse func(string) (Dist, error)) string {
	text := d.notation(format)
	if ln, ok := d.(LogNormal); ok {
		if back, err := parse(text); err != nil || back != d {
			text = fmt.Sprintf("{dist: lognormal, mu: %s, sigma: %s}", formatNumber(ln.Mu), formatNumber(ln.Sigma))
		}
	}
	return text
}

func formatDurationSeconds(s float64) string { return FormatDuration(secondsToDuration(s)) }

// FormatDuration writes d in the scenario notation: the largest unit that
// says it in a whole number ("1m", "10m", "1h", "90s", "500us"), or with up
// to three decimals ("1.5s", "2.25ms"); ParseDuration reads it back as
// exactly d.
func FormatDuration(d time.Duration) string {
	if d == 0 {
		return "0s"
	}
	sign := ""
	if d < 0 {
		if d == math.MinInt64 {
			return d.String()
		}
		sign, d = "-", -d
	}
	units := []struct {
		name string
		size time.Duration
		frac bool // may be written with decimals
	}{{"h", time.Hour, false}, {"m", time.Minute, false}, {"s", time.Second, true}, {"ms", time.Millisecond, true}, {"us", time.Microsecond, true}, {"ns", 1, false}}
	for _, u := range units {
		if d%u.size == 0 {
			return sign + strconv.FormatInt(int64(d/u.size), 10) + u.name
		}
		if u.frac && d >= u.size && (d%u.size)%(u.size/1000) == 0 {
			frac := strings.TrimRight(fmt.Sprintf("%03d", (d%u.size)/(u.size/1000)), "0")
			return sign + strconv.FormatInt(int64(d/u.size), 10) + "." + frac + u.name
		}
	}
	return sign + strconv.FormatInt(int64(d), 10) + "ns"
}

// UnmarshalYAML reads the scenario notation for a number distribution.
func (d *NumberDist) UnmarshalYAML(n *yaml.Node) error {
	dist, err := decodeDist(n, numberUnit)
	if err != nil {
		return err
	}
	d.Dist = dist
	return nil
}

// MarshalYAML writes d in the notation UnmarshalYAML reads, so that it
// reads back as exactly d.
func (d NumberDist) MarshalYAML() (any, error) {
	if d.Dist == nil {
		return flowNode("0")
	}
	return flowNode(exactNotation(d.Dist, formatNumber, func(s string) (Dist, error) {
		back, err := ParseNumberDist(s)
		return back.Dist, err
	}))
}

func flowNode(s string) (any, error) {
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(s), &n); err != nil {
		return nil, err
	}
	return n.Content[0], nil
}

// distFields lists the fields each distribution takes, in the order the
// error messages name them.
var distFields = map[string][]string{
	"const":     {"value"},
	"uniform":   {"min", "max"},
	"exp":       {"mean"},
	"normal":    {"mean", "stddev"},
	"lognormal": {"median", "p99", "mu", "sigma"},
	"pareto":    {"min", "alpha"},
	"empirical": {"percentiles"},
	"samples":   {"file", "column", "unit", "sha256"},
	"hdr":       {"file", "unit", "sha256"},
}

// distNames is the sorted list of distribution names, for error messages.
var distNames = slices.Sorted(maps.Keys(distFields))

func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

func decodeDist(n *yaml.Node, u unit) (Dist, error) {
	n = resolve(n)
	switch n.Kind {
	case yaml.ScalarNode:
		v, err := u.parse(n.Value)
		if err != nil {
			return nil, specErr(n, "", "%v", err)
		}
		if v < 0 {
			return nil, specErr(n, "", "%s is negative; values must be ≥ 0", n.Value)
		}
		return Const{v}, nil
	case yaml.MappingNode:
	default:
		return nil, specErr(n, "", "expected a value like %s or a mapping like {dist: exp, mean: %s}", u.example, u.example)
	}

	fields := map[string]*yaml.Node{}
	var distNode *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), resolve(n.Content[i+1])
		if _, dup := fields[k.Value]; dup || (k.Value == "dist" && distNode != nil) {
			return nil, specErr(k, k.Value, "given twice; keep one")
		}
		if k.Value == "dist" {
			distNode = v
			continue
		}
		fields[k.Value] = v
	}
	if distNode == nil {
		return nil, specErr(n, "dist", "missing; say which distribution, one of %s", strings.Join(distNames, ", "))
	}
	name := distNode.Value
	allowed, ok := distFields[name]
	if !ok {
		return nil, specErr(distNode, "dist", "unknown distribution %q; use one of %s", name, strings.Join(distNames, ", "))
	}
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		if !slices.Contains(allowed, k) {
			return nil, specErr(fieldKey(n, k), k, "unknown field for %s; it takes %s", name, strings.Join(allowed, ", "))
		}
	}

	p := distParser{n: n, fields: fields, u: u, name: name}
	var d Dist
	switch name {
	case "const":
		d = Const{p.value("value")}
	case "uniform":
		lo, hi := p.value("min"), p.value("max")
		if p.err == nil && lo > hi {
			p.fail("max", "%s is below min (%s); swap them", u.format(hi), u.format(lo))
		}
		d = Uniform{lo, hi}
	case "exp":
		d = Exp{p.positive("mean")}
	case "normal":
		d = Normal{p.value("mean"), p.positive("stddev")}
	case "lognormal":
		d = p.lognormal()
	case "pareto":
		d = Pareto{p.positive("min"), p.positiveNumber("alpha")}
	case "empirical":
		d = p.empirical()
	case "samples", "hdr":
		d = p.measured()
	}
	if p.err != nil {
		return nil, p.err
	}
	return d, nil
}

// fieldKey finds the key node of field k in mapping n, for its position.
func fieldKey(n *yaml.Node, k string) *yaml.Node {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == k {
			return n.Content[i]
		}
	}
	return n
}

// distParser reads the fields of one distribution mapping, keeping the
// first error so each field accessor stays a one-liner at the call site.
type distParser struct {
	n      *yaml.Node
	fields map[string]*yaml.Node
	u      unit
	name   string
	err    error
}

func (p *distParser) fail(field, format string, args ...any) {
	if p.err == nil {
		at := p.n
		if v, ok := p.fields[field]; ok {
			at = v
		}
		p.err = specErr(at, field, format, args...)
	}
}

func (p *distParser) has(k string) bool { _, ok := p.fields[k]; return ok }

func (p *distParser) parse(field string, u unit) float64 {
	v, ok := p.fields[field]
	if !ok {
		p.fail(field, "missing; %s takes %s", p.name, strings.Join(distFields[p.name], ", "))
		return 0
	}
	if v.Kind != yaml.ScalarNode {
		p.fail(field, "expected a single value like %s", u.example)
		return 0
	}
	x, err := u.parse(v.Value)
	if err != nil {
		p.fail(field, "%v", err)
	}
	return x
}

// value is a field in the distribution's unit that must be ≥ 0.
func (p *distParser) value(field string) float64 {
	x := p.parse(field, p.u)
	if x < 0 {
		p.fail(field, "%s is negative; it must be ≥ 0", p.fields[field].Value)
	}
	return x
}

// positive is a field in the distribution's unit that must be > 0.
func (p *distParser) positive(field string) float64 {
	x := p.parse(field, p.u)
	if p.err == nil && x <= 0 {
		p.fail(field, "must be > 0, got %s", p.fields[field].Value)
	}
	return x
}

// positiveNumber is a unitless field (shape, sigma) that must be > 0.
func (p *distParser) positiveNumber(field string) float64 {
	x := p.parse(field, numberUnit)
	if p.err == nil && x <= 0 {
		p.fail(field, "must be > 0, got %s", p.fields[field].Value)
	}
	return x
}

func (p *distParser) lognormal() Dist {
	median, p99, mu, sigma := p.has("median"), p.has("p99"), p.has("mu"), p.has("sigma")
	const forms = "give median and p99, median and sigma, or mu and sigma"
	switch {
	case median && p99 && !mu && !sigma:
		m, q := p.positive("median"), p.positive("p99")
		if p.err == nil && q <= m {
			p.fail("p99", "%s must be above the median (%s)", p.u.format(q), p.u.format(m))
		}
		return LogNormal{math.Log(m), (math.Log(q) - math.Log(m)) / z99}
	case median && sigma && !mu && !p99:
		return LogNormal{math.Log(p.positive("median")), p.positiveNumber("sigma")}
	case mu && sigma && !median && !p99:
		m := p.parse("mu", numberUnit)
		if p.err == nil && math.IsInf(math.Exp(m), 1) {
			p.fail("mu", "%s puts the median at e^%s, past any value; mu is the log of the median (of seconds, for durations), e.g. mu: -6.2 for 2ms", p.fields["mu"].Value, p.fields["mu"].Value)
		}
		return LogNormal{m, p.positiveNumber("sigma")}
	}
	p.fail("", "lognormal: %s (mu and sigma are of the log of the value in seconds for durations)", forms)
	return nil
}

func (p *distParser) empirical() Dist {
	v, ok := p.fields["percentiles"]
	if !ok {
		p.fail("percentiles", "missing; write e.g. {dist: empirical, percentiles: {0: 1ms, 50: 2ms, 99: 20ms, 100: 50ms}}")
		return nil
	}
	if v.Kind != yaml.MappingNode || len(v.Content) < 4 {
		p.fail("percentiles", "expected a mapping of at least two percentiles to values, from 0 to 100, e.g. {0: 1ms, 50: 2ms, 100: 50ms}")
		return nil
	}
	type point struct {
		p, v float64
		n    *yaml.Node
	}
	var pts []point
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, val := resolve(v.Content[i]), resolve(v.Content[i+1])
		pc, err := parseNumber(k.Value)
		if err != nil || pc < 0 || pc > 100 {
			p.err = specErr(k, "percentiles", "%q is not a percentile; keys are numbers from 0 to 100", k.Value)
			return nil
		}
		x, err := p.u.parse(val.Value)
		if err != nil {
			p.err = specErr(val, "percentiles", "at %s: %v", k.Value, err)
			return nil
		}
		pts = append(pts, point{pc / 100, x, k})
	}
	slices.SortStableFunc(pts, func(a, b point) int {
		switch {
		case a.p < b.p:
			return -1
		case a.p > b.p:
			return 1
		}
		return 0
	})
	var d Empirical
	for i, pt := range pts {
		if i > 0 && pt.p == pts[i-1].p {
			p.err = specErr(pt.n, "percentiles", "percentile %s given twice; keep one", formatNumber(pt.p*100))
			return nil
		}
		if i > 0 && pt.v < pts[i-1].v {
			p.err = specErr(pt.n, "percentiles", "value at percentile %s is below the value at %s; values must not decrease",
				formatNumber(pt.p*100), formatNumber(pts[i-1].p*100))
			return nil
		}
		d.P = append(d.P, pt.p)
		d.V = append(d.V, pt.v)
	}
	if d.P[0] != 0 || d.P[len(d.P)-1] != 1 {
		p.fail("percentiles", "must include percentiles 0 and 100 (the smallest and largest values)")
		return nil
	}
	return d
}
