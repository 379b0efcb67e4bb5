package main

import (
	"bytes"
	"testing"
)

// TestCompareOutcome: missed slo targets are named apart from
// regressions, and either exits 1.
func TestCompareOutcome(t *testing.T) {
	tests := []struct {
		regressions, missed int
		want                string
	}{
		{0, 6, "6 targets missed (0 regressions)"},
		{2, 1, "1 target missed (2 regressions)"},
		{3, 0, "3 regressions"},
		{1, 0, "1 regression"},
	}
	for _, tt := range tests {
		err := compareOutcome(tt.regressions, tt.missed)
		if err == nil || err.Error() != tt.want {
			t.Errorf("compareOutcome(%d, %d) = %v; want %q", tt.regressions, tt.missed, err, tt.want)
			continue
		}
		if code := exitStatus(err, new(bytes.Buffer)); code != exitFailure {
			t.Errorf("exitStatus(compareOutcome(%d, %d)) = %d; want %d", tt.regressions, tt.missed, code, exitFailure)
		}
	}
	if err := compareOutcome(0, 0); err != nil {
		t.Errorf("compareOutcome(0, 0) = %v; want nil", err)
	}
}
