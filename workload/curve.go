package workload

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/sharebench/sharebench/sim"
)

// Curve is a rate as a pure function of time since the start of the run.
type Curve interface {
	// At is the rate at t, per second.
	At(t time.Duration) float64
	// Max bounds At over the whole run (arrivals thin against it).
	Max() float64
	// Next is the earliest instant at or after t from which the rate is
	// positive (the infimum: At(Next(t)) may itself be 0, as at the start
	// of a ramp up from 0); false if the rate stays 0 from t on. Arrival
	// generators jump over stretches of zero traffic with it instead of
	// spinning through them.
	Next(t time.Duration) (time.Duration, bool)
	// Integral is the expected number of arrivals in [a, b): ∫ At.
	Integral(a, b time.Duration) float64
	// Bound bounds At over [t, until), until being the end of the piece
	// (constant stretch, ramp, spike, ...) t falls in, or never for the
	// last: Poisson arrivals thin against it where the rate is tiny, so
	// that a rate of 1e-6/s costs a few draws rather than a billion.
	Bound(t time.Duration) (rate float64, until time.Duration)
}

// piecewiseIntegral integrates c over [a, b) split at breaks, between
// which c is constant or linear, so the midpoint rule is exact.
func piecewiseIntegral(c Curve, a, b time.Duration, breaks ...time.Duration) float64 {
	if b <= a {
		return 0
	}
	pts := []time.Duration{a}
	for _, x := range breaks {
		if x > a && x < b {
			pts = append(pts, x)
		}
	}
	slices.Sort(pts)
	pts = append(pts, b)
	sum := 0.0
	for i := 1; i < len(pts); i++ {
		x, y := pts[i-1], pts[i]
		sum += c.At(x+(y-x)/2) * (y - x).Seconds()
	}
	return sum
}

// RateCurve is a Curve as written in a scenario: a plain rate ("2000/s")
// or a mapping naming a curve:
//
//	{curve: step, steps: [{at: 0s, rate: 1000/s}, {at: 30s, rate: 2000/s}]}
//	{curve: ramp, from: 1000/s, to: 5000/s, start: 10s, over: 60s}
//	{curve: spike, base: 2000/s, peak: 20000/s, at: 20s, for: 10s}
//	{curve: diurnal, mean: 2000/s, amplitude: 0.5, period: 24h, phase: 6h}
type RateCurve struct{ Curve }

type constantCurve struct{ r float64 }

func (c constantCurve) At(time.Duration) float64 { return c.r }
func (c constantCurve) Max() float64             { return c.r }
func (c constantCurve) Next(t time.Duration) (time.Duration, bool) {
	return t, c.r > 0
}
func (c constantCurve) Integral(a, b time.Duration) float64 {
	return c.r * max(b-a, 0).Seconds()
}
func (c constantCurve) Bound(time.Duration) (float64, time.Duration) { return c.r, never }

type step struct {
	At   Duration `yaml:"at"`
	Rate Rate     `yaml:"rate"`
}

type stepCurve struct {
	Curve string `yaml:"curve"`
	Steps []step `yaml:"steps"`
}

func (c stepCurve) At(t time.Duration) float64 {
	r := 0.0
	for _, s := range c.Steps {
		if s.At.D() <= t {
			r = float64(s.Rate)
		}
	}
	return r
}

func (c stepCurve) Max() float64 {
	m := 0.0
	for _, s := range c.Steps {
		m = max(m, float64(s.Rate))
	}
	return m
}

func (c stepCurve) Next(t time.Duration) (time.Duration, bool) {
	if c.At(t) > 0 {
		return t, true
	}
	for _, s := range c.Steps {
		if s.At.D() > t && s.Rate > 0 {
			return s.At.D(), true
		}
	}
	return 0, false
}

func (c stepCurve) Bound(t time.Duration) (float64, time.Duration) {
	for i, s := range c.Steps {
		if i+1 < len(c.Steps) && c.Steps[i+1].At.D() > t {
			return float64(s.Rate), c.Steps[i+1].At.D()
		}
	}
	return float64(c.Steps[len(c.Steps)-1].Rate), never
}

func (c stepCurve) Integral(a, b time.Duration) float64 {
	var breaks []time.Duration
	for _, s := range c.Steps {
		breaks = append(breaks, s.At.D())
	}
	return piecewiseIntegral(c, a, b, breaks...)
}

type rampCurve struct {
	Curve string   `yaml:"curve"`
	From  Rate     `yaml:"from"`
	To    Rate     `yaml:"to"`
	Start Duration `yaml:"start"`
	Over  Duration `yaml:"over"`
}

func (c rampCurve) At(t time.Duration) float64 {
	switch {
	case t <= c.Start.D():
		return float64(c.From)
	case t >= c.Start.D()+c.Over.D():
		return float64(c.To)
	}
	f := float64(t-c.Start.D()) / float64(c.Over.D())
	return float64(c.From) + f*float64(c.To-c.From)
}

func (c rampCurve) Max() float64 { return max(float64(c.From), float64(c.To)) }

func (c rampCurve) end() time.Duration { return sim.AddDurations(c.Start.D(), c.Over.D()) }

func (c rampCurve) Next(t time.Duration) (time.Duration, bool) {
	switch {
	case c.At(t) > 0:
		return t, true
	case t < c.Start.D() && c.To > 0: // from 0 until the ramp starts up
		return c.Start.D(), true
	case t < c.end() && c.To > 0: // only the ramp's first instant is 0
		return t, true
	}
	return 0, false // down to 0 and staying there
}

// Bound: the ramp is linear, so its largest rate over what is left of it
// is at one end.
func (c rampCurve) Bound(t time.Duration) (float64, time.Duration) {
	switch {
	case t < c.Start.D():
		return float64(c.From), c.Start.D()
	case t < c.end():
		return max(c.At(t), float64(c.To)), c.end()
	}
	return float64(c.To), never
}

func (c rampCurve) Integral(a, b time.Duration) float64 {
	return piecewiseIntegral(c, a, b, c.Start.D(), c.end())
}

type spikeCurve struct {
	Curve string   `yaml:"curve"`
	Base  Rate     `yaml:"base"`
	Peak  Rate     `yaml:"peak"`
	Start Duration `yaml:"at"`
	For   Duration `yaml:"for"`
}

func (c spikeCurve) At(t time.Duration) float64 {
	if t >= c.Start.D() && t < c.Start.D()+c.For.D() {
		return float64(c.Peak)
	}
	return float64(c.Base)
}

func (c spikeCurve) Max() float64 { return max(float64(c.Base), float64(c.Peak)) }

func (c spikeCurve) end() time.Duration { return sim.AddDurations(c.Start.D(), c.For.D()) }

func (c spikeCurve) Next(t time.Duration) (time.Duration, bool) {
	switch {
	case c.At(t) > 0:
		return t, true
	case t < c.Start.D() && c.Peak > 0:
		return c.Start.D(), true
	case t < c.end() && c.Base > 0:
		return c.end(), true
	}
	return 0, false
}

func (c spikeCurve) Bound(t time.Duration) (float64, time.Duration) {
	switch {
	case t < c.Start.D():
		return float64(c.Base), c.Start.D()
	case t < c.end():
		return float64(c.Peak), c.end()
	}
	return float64(c.Base), never
}

func (c spikeCurve) Integral(a, b time.Duration) float64 {
	return piecewiseIntegral(c, a, b, c.Start.D(), c.end())
}

type diurnalCurve struct {
	Curve     string   `yaml:"curve"`
	Mean      Rate     `yaml:"mean"`
	Amplitude float64  `yaml:"amplitude"`
	Period    Duration `yaml:"period"`
	Phase     Duration `yaml:"phase"`
}

func (c diurnalCurve) At(t time.Duration) float64 {
	x := 2 * math.Pi * float64(t+c.Phase.D()) / float64(c.Period.D())
	return float64(c.Mean) * (1 + c.Amplitude*math.Sin(x))
}

func (c diurnalCurve) Max() float64 { return float64(c.Mean) * (1 + c.Amplitude) }

// Next: with amplitude ≤ 1 the rate is 0 only at isolated troughs (at
// amplitude 1), never over a stretch.
func (c diurnalCurve) Next(t time.Duration) (time.Duration, bool) { return t, c.Mean > 0 }

// Bound: one piece. Its peak is at most twice its mean (amplitude ≤ 1),
// so thinning against it never rejects more than one draw per arrival on
// average, even through a trough that touches 0.
func (c diurnalCurve) Bound(time.Duration) (float64, time.Duration) { return c.Max(), never }

func (c diurnalCurve) Integral(a, b time.Duration) float64 {
	if b <= a {
		return 0
	}
	x := func(t time.Duration) float64 { return 2 * math.Pi * float64(t+c.Phase.D()) / float64(c.Period.D()) }
	return float64(c.Mean) * ((b - a).Seconds() + c.Amplitude*c.Period.D().Seconds()/(2*math.Pi)*(math.Cos(x(a))-math.Cos(x(b))))
}

// UnmarshalYAML reads a plain rate or a curve, strictly.
func (rc *RateCurve) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		var r Rate
		if err := n.Decode(&r); err != nil {
			return err
		}
		rc.Curve = constantCurve{float64(r)}
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return &sim.SpecError{Line: n.Line, Column: n.Column, Msg: "expected a rate like 2000/s or a curve like {curve: spike, base: 2000/s, peak: 20000/s, at: 20s, for: 10s}"}
	}
	var kind string
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == "curve" {
			kind = n.Content[i+1].Value
		}
	}
	fail := func(field, format string, args ...any) error {
		return &sim.SpecError{Line: n.Line, Column: n.Column, Field: field, Msg: fmt.Sprintf(format, args...)}
	}
	decode := func(v any) error { return strictDecode(n, v) }
	switch kind {
	case "step":
		var c stepCurve
		if err := decode(&c); err != nil {
			return err
		}
		if len(c.Steps) == 0 || c.Steps[0].At != 0 {
			return fail("steps", "a step curve needs steps, the first at 0s: {curve: step, steps: [{at: 0s, rate: 1000/s}, {at: 30s, rate: 2000/s}]}")
		}
		if !slices.IsSortedFunc(c.Steps, func(a, b step) int { return int(a.At - b.At) }) {
			return fail("steps", "steps must be in time order")
		}
		rc.Curve = c
	case "ramp":
		var c rampCurve
		if err := decode(&c); err != nil {
			return err
		}
		if c.Over <= 0 {
			return fail("over", "a ramp needs over > 0: how long it takes to go from `from` to `to`")
		}
		rc.Curve = c
	case "spike":
		var c spikeCurve
		if err := decode(&c); err != nil {
			return err
		}
		if c.For <= 0 {
			return fail("for", "a spike needs for > 0: how long the peak lasts")
		}
		rc.Curve = c
	case "diurnal":
		var c diurnalCurve
		if err := decode(&c); err != nil {
			return err
		}
		if c.Period <= 0 {
			return fail("period", "a diurnal curve needs period > 0, e.g. period: 24h")
		}
		if !(c.Amplitude >= 0 && c.Amplitude <= 1) { // NaN too
			return fail("amplitude", "must be in [0, 1] (1: the rate touches 0 at each trough), got %v", c.Amplitude)
		}
		rc.Curve = c
	case "":
		return fail("curve", "missing; say which curve: step, ramp, spike or diurnal")
	default:
		return fail("curve", "unknown curve %q; use step, ramp, spike or diurnal", kind)
	}
	return nil
}

// MarshalYAML writes the curve back as it was written.
func (rc RateCurve) MarshalYAML() (any, error) {
	if c, ok := rc.Curve.(constantCurve); ok {
		return Rate(c.r), nil
	}
	return rc.Curve, nil
}

// strictDecode decodes n into v, refusing unknown fields. node.Decode
// does not carry a decoder's KnownFields, so the keys are checked against
// v's fields first; decoding the node itself keeps every error's line and
// column those of the file.
func strictDecode(n *yaml.Node, v any) error {
	if err := checkKnown(n, reflect.TypeOf(v).Elem()); err != nil {
		return err
	}
	return n.Decode(v)
}

// checkKnown refuses keys of mapping n that struct type t has no field
// for, in nested mappings and sequences of them too.
func checkKnown(n *yaml.Node, t reflect.Type) error {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n == nil {
		return nil
	}
	switch {
	case t.Kind() == reflect.Slice && n.Kind == yaml.SequenceNode:
		for _, item := range n.Content {
			if err := checkKnown(item, t.Elem()); err != nil {
				return err
			}
		}
	case t.Kind() == reflect.Struct && n.Kind == yaml.MappingNode:
		fields := map[string]reflect.Type{}
		var names []string
		for i := range t.NumField() {
			if tag, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ","); tag != "" && tag != "-" {
				fields[tag] = t.Field(i).Type
				names = append(names, tag)
			}
		}
		if _, custom := reflect.PointerTo(t).MethodByName("UnmarshalYAML"); custom {
			return nil
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			ft, ok := fields[k.Value]
			if !ok {
				return &sim.SpecError{Line: k.Line, Column: k.Column, Field: k.Value, Msg: "unknown field; it takes " + strings.Join(names, ", ")}
			}
			if err := checkKnown(n.Content[i+1], ft); err != nil {
				return err
			}
		}
	}
	return nil
}
