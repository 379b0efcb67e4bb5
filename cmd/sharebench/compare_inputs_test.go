package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/sharebench/sharebench/results"
)

// TestCompareWarnsOfOtherInputs: compare of two results whose measured
// service time came from different files (other sha256) warns on stderr,
// as it does for different builds, and still compares (exit 0); the same
// inputs give no such warning.
func TestCompareWarnsOfOtherInputs(t *testing.T) {
	f, err := results.ReadFile(gateFile(t, 1, "5s", 1))
	if err != nil {
		t.Fatal(err)
	}
	withInput := func(sha string) string {
		g := *f
		g.Inputs = []results.Input{{Field: "services.topclients.service_time", Dist: "samples", File: "owner.csv", SHA256: sha, Count: 500, MeanMS: 2, P50MS: 1.8, P99MS: 6}}
		path := filepath.Join(t.TempDir(), "result.json")
		if err := results.WriteFile(path, &g); err != nil {
			t.Fatal(err)
		}
		return path
	}
	base := withInput("0123456789abcdef0123")
	same := withInput("0123456789abcdef0123")
	other := withInput("fedcba98765432100123")
	const warning = "measured services.topclients.service_time from different data (owner.csv sha256 0123456789ab against owner.csv sha256 fedcba987654)"
	if code, out, errOut := compareExit(t, base, other); code != 0 || !strings.Contains(errOut, warning) {
		t.Errorf("compare of other inputs: exit %d, stderr %q; want 0 and a warning containing %q\n%s", code, errOut, warning, out)
	}
	if code, _, errOut := compareExit(t, base, same); code != 0 || strings.Contains(errOut, "different data") {
		t.Errorf("compare of the same inputs: exit %d, stderr %q; want 0 and no warning of other data", code, errOut)
	}
}
