package plot

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// TrafficWindows returns the changes in the page rate of the scenario a
// result file ran (its scenario_yaml) as windows to shade beside the
// faults: a spike over its span, a ramp over its ramp, each step of a step
// curve as an instant. A constant rate has none; a diurnal curve changes
// all the time, so it is a note instead. Times count from the start of the
// run, warm-up included, as fault times and the series do.
//
// The curve is read from the YAML rather than from workload, which this
// package must not import; a scenario that does not parse shows no
// traffic windows (its faults still show).
func TrafficWindows(scenarioYAML string) (ws []Window, notes []string) {
	var doc struct {
		Traffic struct {
			Pages struct {
				Rate yaml.Node `yaml:"rate"`
			} `yaml:"pages"`
		} `yaml:"traffic"`
	}
	if yaml.Unmarshal([]byte(scenarioYAML), &doc) != nil {
		return nil, nil
	}
	node := doc.Traffic.Pages.Rate
	if node.Kind != yaml.MappingNode {
		return nil, nil // a plain rate, or none
	}
	var c struct {
		Curve     string `yaml:"curve"`
		Base      string `yaml:"base"`
		Peak      string `yaml:"peak"`
		At        string `yaml:"at"`
		For       string `yaml:"for"`
		From      string `yaml:"from"`
		To        string `yaml:"to"`
		Start     string `yaml:"start"`
		Over      string `yaml:"over"`
		Mean      string `yaml:"mean"`
		Amplitude string `yaml:"amplitude"`
		Period    string `yaml:"period"`
		Steps     []struct {
			At   string `yaml:"at"`
			Rate string `yaml:"rate"`
		} `yaml:"steps"`
	}
	if node.Decode(&c) != nil {
		return nil, nil
	}
	switch c.Curve {
	case "spike":
		ws = appendSpan(ws, "spike", c.At, c.For, c.Base, c.Peak)
	case "ramp":
		ws = appendSpan(ws, "ramp", c.Start, c.Over, c.From, c.To)
	case "step":
		prev := 0.0
		for i, st := range c.Steps {
			at, ok1 := seconds(st.At)
			rate, ok2 := perSecond(st.Rate)
			if !ok1 || !ok2 {
				return nil, nil
			}
			// The first step at 0 is the starting rate, not a change.
			if i > 0 || at > 0 {
				ws = append(ws, Window{FromS: at, ToS: at, Kind: "traffic",
					Labels: []string{fmt.Sprintf("traffic %s→%s pages/s", rateString(prev), rateString(rate))}})
			}
			prev = rate
		}
	case "diurnal":
		notes = append(notes, fmt.Sprintf("page rate diurnal: mean %s, amplitude %s, period %s", c.Mean, c.Amplitude, c.Period))
	}
	return ws, notes
}

// appendSpan adds the window of a rate change that takes a span (a spike
// or a ramp: from start, for span, the rate going from one to to), as the
// scenario file writes them; one that does not read adds nothing.
func appendSpan(ws []Window, curve, start, span, from, to string) []Window {
	at, ok1 := seconds(start)
	d, ok2 := seconds(span)
	lo, ok3 := perSecond(from)
	hi, ok4 := perSecond(to)
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return ws
	}
	return append(ws, Window{FromS: at, ToS: at + d, Kind: "traffic",
		Labels: []string{fmt.Sprintf("traffic %s %s→%s pages/s", curve, rateString(lo), rateString(hi))}})
}

// seconds reads a duration as the scenario file writes it ("20s",
// "1m0s", "1.5s").
func seconds(s string) (float64, bool) {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	return d.Seconds(), err == nil
}

// perSecond reads a rate as the scenario file writes it ("2000/s",
// "5/ms", "120/min", "3/h").
func perSecond(s string) (float64, bool) {
	num, unit, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		return 0, false
	}
	x, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil {
		return 0, false
	}
	per := map[string]float64{"s": 1, "ms": 1e3, "us": 1e6, "µs": 1e6, "min": 1.0 / 60, "m": 1.0 / 60, "h": 1.0 / 3600}
	f, ok := per[strings.TrimSpace(unit)]
	return x * f, ok
}

func rateString(r float64) string {
	if r == math.Trunc(r) {
		return strconv.FormatFloat(r, 'f', 0, 64)
	}
	return sig(r)
}
