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

// MarshalYAML writes the duration back as "60s".
func (d Duration) MarshalYAML() (any, error) { return time.Duration(d).String(), nil }

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
