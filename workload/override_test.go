package workload

import (
	"strings"
	"testing"
	"time"
)

// TestOverride: -seed and -duration are applied and the scenario checked
// again, the error naming the flag and the field.
func TestOverride(t *testing.T) {
	seed := func(s uint64) *uint64 { return &s }
	dur := func(d time.Duration) *time.Duration { return &d }
	tests := []struct {
		name     string
		seed     *uint64
		duration *time.Duration
		wantErr  string // "" for none
	}{
		{"owner-outage", nil, nil, ""},
		{"owner-outage", seed(42), nil, ""},
		{"owner-outage", nil, dur(25 * time.Second), ""},
		{"owner-outage", seed(42), dur(8 * time.Second), "-duration 8s: faults[0]: runs from 20s to 30s, past the end of the run at 13s"},
		{"baseline", nil, dur(2 * time.Second), "-duration 2s: warmup: the warm-up (5s) must be shorter than the measured duration (2s)"},
	}
	for _, tt := range tests {
		sc, _, err := Builtin(tt.name)
		if err != nil {
			t.Fatal(err)
		}
		before := *sc
		err = sc.Override(tt.seed, tt.duration)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("%s: Override(%v, %v) = %v; want nil", tt.name, tt.seed, tt.duration, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("%s: Override(%v, %v) = %v; want an error containing %q", tt.name, tt.seed, tt.duration, err, tt.wantErr)
		}
		if want := before.Seed; tt.seed != nil {
			want = *tt.seed
			if sc.Seed != want {
				t.Errorf("%s: Override(seed %d) left the seed at %d", tt.name, want, sc.Seed)
			}
		} else if sc.Seed != want {
			t.Errorf("%s: Override without a seed changed it from %d to %d", tt.name, want, sc.Seed)
		}
		if want := before.Duration; tt.duration == nil && sc.Duration != want {
			t.Errorf("%s: Override without a duration changed it from %v to %v", tt.name, want, sc.Duration)
		} else if tt.duration != nil && sc.Duration.D() != *tt.duration {
			t.Errorf("%s: Override(duration %v) left the duration at %v", tt.name, *tt.duration, sc.Duration)
		}
	}
}
