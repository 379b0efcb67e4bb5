package main

import (
	"strings"
	"testing"
)

// TestCompareWithoutMaxWarns: without -max compare cannot fail, even for
// an owner 1.5× slower; it says so rather than pass in silence.
func TestCompareWithoutMaxWarns(t *testing.T) {
	base, slow := gateFile(t, 1, "10s", 1), gateFile(t, 1.5, "10s", 1)
	const warn = "no -max: compare reports but cannot fail"
	code, out, errOut := compareExit(t, base, slow)
	if code != 0 || !strings.Contains(errOut, warn) {
		t.Errorf("compare without -max: exit %d, stderr %q; want 0 and %q\n%s", code, errOut, warn, out)
	}
	if _, _, errOut := compareExit(t, "-max", gateLimits, base, slow); strings.Contains(errOut, warn) {
		t.Errorf("compare with -max: stderr %q; want no %q", errOut, warn)
	}
}
