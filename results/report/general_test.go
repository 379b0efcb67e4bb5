package report

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/sharebench/sharebench/results"
)

// TestReportGeneralNames: a general-form file's report names its own
// services, pages and owners, says what each plan does per owner, has the
// scoped rows in its summary, and never mentions the marketplace.
func TestReportGeneralNames(t *testing.T) {
	f, err := results.ReadFile("../testdata/general.json")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := WriteReport(dir, f); err != nil {
		t.Fatalf("WriteReport(general) = %v", err)
	}
	data := regexp.MustCompile(`src="data:[^"]*"`)
	for _, file := range []string{HTMLFile, MarkdownFile} {
		b, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		text := data.ReplaceAllString(string(b), "") // base64 spells anything
		for _, want := range []string{
			"Owners: inventory, reviews. Page services: storefront.",
			"stock-editor", "self-view (reads its owners directly)",
			"inventory: 1 record, a get, required",
			"reviews: 10 records, one get each, optional",
			"hot-async (inventory: sync, reviews: async)",
			"latency.p99@product (ms)", "owner.rps@reviews (req/s)", "page_completeness (%)",
			"owner reviews (shared sync: sync, async: async, hot-async: async)",
			"page product (public page, rendered by storefront)",
			"lowest load of inventory",
			"strategies: sync, async; plans: hot-async",
		} {
			if !strings.Contains(text, want) {
				t.Errorf("%s lacks %q", file, want)
			}
		}
		for _, gone := range []string{"topclients", "Top Clients", "gig", "seller"} {
			if strings.Contains(text, gone) {
				i := strings.Index(text, gone)
				t.Errorf("%s names the marketplace: %q in …%s…", file, gone, text[max(0, i-80):min(len(text), i+80)])
			}
		}
	}
}

// TestReportMarketplaceHasNoSystem: the marketplace form's report keeps
// its shape: no system section, no scoped rows.
func TestReportMarketplaceHasNoSystem(t *testing.T) {
	p := newPage(readSample(t), nil)
	if p.Topology != nil {
		t.Errorf("newPage(marketplace).Topology = %+v; want none", p.Topology)
	}
	for _, r := range p.Summary.Rows {
		if r.Heading != "" || strings.Contains(r.Metric, "@") {
			t.Errorf("marketplace summary row %+v; want no headings or scoped rows", r)
		}
	}
}

// TestSweepPageGeneral: a general-form sweep's table adds page
// completeness, read from the cells.
func TestSweepPageGeneral(t *testing.T) {
	f, err := results.ReadFile("../testdata/general.json")
	if err != nil {
		t.Fatal(err)
	}
	p := newSweepPage(Sweep{Scenario: "product-page", Params: []string{"owners.reviews.service.workers"},
		Rows: []results.SweepRow{{Values: []string{"4"}, File: f}}}, []string{"owners.reviews.service.workers"}, nil)
	col := slices.Index(p.Header, "page_completeness (%)")
	if col < 0 {
		t.Fatalf("sweep header = %q; want page_completeness (%%)", p.Header)
	}
	if got := p.Rows[0][col]; !strings.HasPrefix(got, "72") {
		t.Errorf("sweep row sync page_completeness = %q; want 72 (%%)", got)
	}
}
