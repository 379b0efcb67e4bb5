package report

import (
	"strings"
	"testing"
)

// TestMarkdownHeader: the summary and the recovery table share one header:
// the first column left-aligned, the figures right-aligned.
func TestMarkdownHeader(t *testing.T) {
	for _, c := range []struct {
		first   string
		columns []string
		want    string
	}{
		{"metric", []string{"sync", "async"}, "| metric | sync | async |\n|---|--:|--:|\n"},
		{"strategy", nil, "| strategy |\n|---|\n"},
	} {
		var b strings.Builder
		markdownHeader(&b, c.first, c.columns)
		if got := b.String(); got != c.want {
			t.Errorf("markdownHeader(%q, %q) = %q; want %q", c.first, c.columns, got, c.want)
		}
	}
	var b strings.Builder
	recoveryTable{Disturbances: []string{"outage"}, Rows: []recoveryRow{{Strategy: "sync"}}}.markdown(&b)
	if want := "| strategy | outage |\n|---|--:|\n| sync |\n"; !strings.HasPrefix(b.String(), want) {
		t.Errorf("recovery table markdown = %q; want it to start %q", b.String(), want)
	}
}
