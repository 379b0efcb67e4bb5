package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sharebench/sharebench/results"
)

// TestCompareScopedMax: compare gates a general-form file on a page
// kind's metric (-max latency.p99@product=…), prints the scoped rows, and
// refuses a scope the file does not have with a usage error naming its
// page kinds and owners.
func TestCompareScopedMax(t *testing.T) {
	base, err := results.ReadFile("../../results/testdata/general.json")
	if err != nil {
		t.Fatal(err)
	}
	worse, err := results.ReadFile("../../results/testdata/general.json")
	if err != nil {
		t.Fatal(err)
	}
	worse.Strategies["sync"].Pages["product"].LatencyMS.P99 = 300 // was 120 ± 2.4
	dir := t.TempDir()
	basePath, newPath := filepath.Join(dir, "base.json"), filepath.Join(dir, "new.json")
	for path, f := range map[string]*results.File{basePath: base, newPath: worse} {
		if err := results.WriteFile(path, f); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		max    string
		status int
		stdout string // a line holding this, if set
		stderr string
	}{
		{"latency.p99@product=150", exitFailure, "REGRESSION (limit latency.p99@product=+150)", ""},
		{"latency.p99@product=200", 0, "ok (limit latency.p99@product=+200)", ""},
		{"owner.rps@reviews=+5%", 0, "owner.rps@reviews (req/s)", ""},
		{"latency.p99@checkout=150", exitUsage, "", `no page kind or owner "checkout"; its page kinds are product, stock-editor`},
		{"owner.rejected@reviews=+1", exitUsage, "", "unknown metric"},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		err := run([]string{"compare", "-max", tt.max, basePath, newPath}, &stdout, &stderr)
		if got := exitStatus(err, &stderr); got != tt.status {
			t.Errorf("compare -max %s: exit %d; want %d (stderr %s)", tt.max, got, tt.status, stderr.String())
		}
		if tt.stdout != "" && !strings.Contains(stdout.String(), tt.stdout) {
			t.Errorf("compare -max %s: stdout lacks %q:\n%s", tt.max, tt.stdout, stdout.String())
		}
		if tt.stderr != "" && !strings.Contains(stderr.String(), tt.stderr) {
			t.Errorf("compare -max %s: stderr lacks %q: %s", tt.max, tt.stderr, stderr.String())
		}
	}
}
