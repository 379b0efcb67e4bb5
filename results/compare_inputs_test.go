package results

import (
	"strings"
	"testing"
)

// TestCheckInputsMeasured: compare warns when the measured inputs of base
// and new differ (same field, other sha256; a field measured on one side
// only) and says nothing when they are the same.
func TestCheckInputsMeasured(t *testing.T) {
	in := func(field, file, sha string) Input {
		return Input{Field: field, Dist: "samples", File: file, SHA256: sha, Count: 100}
	}
	st := "services.topclients.service_time"
	a := in(st, "owner.csv", "aaaaaaaaaaaaaaaa1111")
	b := in(st, "owner-v2.csv", "bbbbbbbbbbbbbbbb2222")
	lat := in("network.default.latency", "rtt.hgrm", "cccccccccccccccc3333")
	tests := []struct {
		name      string
		base, new []Input
		want      []string // each must be in one warning; none: no warning
	}{
		{"same", []Input{a, lat}, []Input{a, lat}, nil},
		{"none", nil, nil, nil},
		{"other data", []Input{a}, []Input{b}, []string{"measured " + st + " from different data (owner.csv sha256 aaaaaaaaaaaa against owner-v2.csv sha256 bbbbbbbbbbbb)"}},
		{"same data, renamed", []Input{a}, []Input{in(st, "renamed.csv", a.SHA256)}, nil},
		{"base only", []Input{a, lat}, []Input{a}, []string{"base measured network.default.latency from rtt.hgrm"}},
		{"new only", []Input{a}, []Input{lat, a}, []string{"new measured network.default.latency from rtt.hgrm"}},
	}
	for _, tt := range tests {
		base, new := batched(25, 1, 50_000), batched(25, 1, 50_000)
		base.Inputs, new.Inputs = tt.base, tt.new
		notes, err := CheckInputs(base, new, false)
		if err != nil {
			t.Fatalf("%s: CheckInputs = %v; want nil", tt.name, err)
		}
		var warnings []string
		for _, n := range notes {
			if strings.HasPrefix(n, "warning:") {
				warnings = append(warnings, n)
			}
		}
		if len(warnings) != len(tt.want) {
			t.Errorf("%s: CheckInputs warnings = %q; want %d", tt.name, warnings, len(tt.want))
			continue
		}
		for i, w := range tt.want {
			if !strings.Contains(warnings[i], w) {
				t.Errorf("%s: CheckInputs warning %q; want it to contain %q", tt.name, warnings[i], w)
			}
		}
	}
}
