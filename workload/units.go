package workload

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/sharebench/sharebench/sim"
)

// Duration is a time.Duration written as people write it: "60s", "2ms".
type Duration time.Duration

// D is the duration as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// UnmarshalYAML reads "60s"; a bare number is refused (its unit would be a
// guess).
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := sim.ParseDuration(n.Value)
	if err != nil || n.Kind != yaml.ScalarNode {
		if err == nil {
			err = fmt.Errorf("expected a duration like 60s")
		}
		return &sim.SpecError{Line: n.Line, Column: n.Column, Msg: err.Error()}
	}
	*d = Duration(v)
	return nil
}

// MarshalYAML writes the duration back in the scenario notation ("60s",
// "1m", "1.5s").
func (d Duration) MarshalYAML() (any, error) { return sim.FormatDuration(time.Duration(d)), nil }

// Rate is events per second, written "2000/s", "5/ms", "120/min" or "3/h".
type Rate float64

// ParseRate reads a rate.
func ParseRate(s string) (Rate, error) {
	num, unit, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		return 0, fmt.Errorf("%q is not a rate; write e.g. 2000/s", s)
	}
	x, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil || x < 0 || x != x || x > 1e12 {
		return 0, fmt.Errorf("%q: %q is not a non-negative number; write e.g. 2000/s", s, num)
	}
	per := map[string]float64{"s": 1, "ms": 1e3, "us": 1e6, "µs": 1e6, "min": 1.0 / 60, "m": 1.0 / 60, "h": 1.0 / 3600}
	f, ok := per[strings.TrimSpace(unit)]
	if !ok {
		return 0, fmt.Errorf("%q: unknown unit %q; write per s, ms, min or h, e.g. 2000/s", s, unit)
	}
	return Rate(x * f), nil
}

// UnmarshalYAML reads "2000/s".
func (r *Rate) UnmarshalYAML(n *yaml.Node) error {
	v, err := ParseRate(n.Value)
	if err != nil {
		return &sim.SpecError{Line: n.Line, Column: n.Column, Msg: err.Error()}
	}
	*r = v
	return nil
}

// MarshalYAML writes the rate as "2000/s".
func (r Rate) MarshalYAML() (any, error) { return r.String(), nil }

func (r Rate) String() string { return strconv.FormatFloat(float64(r), 'g', -1, 64) + "/s" }

// Queue is a service's waiting room: Unbounded, or how many requests may
// wait (0: none, so a request finding every worker busy is rejected).
type Queue int

// Unbounded is a waiting room without a limit, written "unbounded".
const Unbounded Queue = -1

// UnmarshalYAML reads "unbounded" or a whole number ≥ 0.
func (q *Queue) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode && n.Value == "unbounded" {
		*q = Unbounded
		return nil
	}
	v, err := strconv.Atoi(n.Value)
	if n.Kind != yaml.ScalarNode || err != nil || v < 0 {
		return &sim.SpecError{Line: n.Line, Column: n.Column, Field: "queue",
			Msg: fmt.Sprintf("%q is not a queue length: write a whole number of waiting requests ≥ 0 (0: no waiting room) or unbounded", n.Value)}
	}
	*q = Queue(v)
	return nil
}

// MarshalYAML writes "unbounded" or the count.
func (q Queue) MarshalYAML() (any, error) {
	if q == Unbounded {
		return "unbounded", nil
	}
	return int(q), nil
}
