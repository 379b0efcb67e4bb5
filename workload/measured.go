package workload

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"

	"github.com/sharebench/sharebench/results"
	"github.com/sharebench/sharebench/sim"
)

// measuredField is a distribution the scenario reads from a file of
// measured latencies, and the field that gives it.
type measuredField struct {
	Path   string // e.g. "services.topclients.service_time"
	M      *sim.Measured
	Number bool // a NumberDist: values are plain numbers, not seconds
}

// measured finds every measured distribution in the scenario, in a fixed
// order (fields in declaration order, map entries by key), so the result
// file lists them the same way every time. It walks the types rather than
// naming the fields, so a distribution field added later is covered.
func (sc *Scenario) measured() []measuredField {
	var out []measuredField
	walkMeasured(reflect.ValueOf(sc).Elem(), "", &out)
	return out
}

var (
	durationDistType = reflect.TypeFor[sim.DurationDist]()
	numberDistType   = reflect.TypeFor[sim.NumberDist]()
)

func walkMeasured(v reflect.Value, path string, out *[]measuredField) {
	join := func(key string) string {
		if path == "" {
			return key
		}
		return path + "." + key
	}
	if v.Type() == durationDistType || v.Type() == numberDistType {
		if m, ok := v.Field(0).Interface().(*sim.Measured); ok {
			*out = append(*out, measuredField{path, m, v.Type() == numberDistType})
		}
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			walkMeasured(v.Elem(), path, out)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			f := v.Type().Field(i)
			tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if f.IsExported() && tag != "" && tag != "-" {
				walkMeasured(v.Field(i), join(tag), out)
			}
		}
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String {
			return
		}
		var names []string
		for _, k := range v.MapKeys() {
			names = append(names, k.String())
		}
		slices.Sort(names)
		for _, k := range names {
			walkMeasured(v.MapIndex(reflect.ValueOf(k).Convert(v.Type().Key())), join(k), out)
		}
	case reflect.Slice:
		for i := range v.Len() {
			walkMeasured(v.Index(i), fmt.Sprintf("%s[%d]", path, i), out)
		}
	}
}

// loadMeasured reads every measured distribution's file, relative to dir
// (the scenario file's directory; "" is the working directory).
func (sc *Scenario) loadMeasured(dir string) error {
	for _, f := range sc.measured() {
		if err := sim.LoadMeasured(f.M, dir); err != nil {
			return err
		}
	}
	return nil
}

// inputs records each measured distribution in the result file: its file,
// the file's hash and the figures the runs drew from.
func (sc *Scenario) inputs() []results.Input {
	var in []results.Input
	for _, f := range sc.measured() {
		// Milliseconds to the nanosecond, so a 7.738ms reads as that and
		// not as its float neighbour; numbers as they are.
		ms := func(x float64) float64 { return math.Round(x*1e9) / 1e6 }
		if f.Number {
			ms = func(x float64) float64 { return x }
		}
		q := func(p float64) float64 { return ms(f.M.Quantile(p)) }
		in = append(in, results.Input{
			Field: f.Path, Dist: f.M.Kind, File: f.M.File, SHA256: f.M.SHA256, Unit: f.M.Unit,
			Count: f.M.Count(), MeanMS: ms(f.M.Mean()),
			P0MS: q(0), P50MS: q(0.5), P90MS: q(0.9), P99MS: q(0.99), P999MS: q(0.999), MaxMS: q(1),
		})
	}
	return in
}
