package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sharebench/sharebench/results"
)

// TestReportInputs: a result with measured inputs gets a table of them in
// both reports (field, file, sha256 cut to 12 digits, count, p50, p99); one
// without gets none.
func TestReportInputs(t *testing.T) {
	f := readSample(t)
	f.Inputs = []results.Input{{Field: "services.topclients.service_time", Dist: "samples", File: "owner.csv",
		SHA256: "0123456789abcdef0123456789abcdef", Count: 12345, MeanMS: 2.1, P50MS: 1.875, P99MS: 7.738}}
	dir := t.TempDir()
	if err := WriteReport(dir, f); err != nil {
		t.Fatal(err)
	}
	md, _ := os.ReadFile(filepath.Join(dir, MarkdownFile))
	html, _ := os.ReadFile(filepath.Join(dir, HTMLFile))
	for _, c := range []struct{ file, got, want string }{
		{MarkdownFile, string(md), "## Measured inputs\n"},
		{MarkdownFile, string(md), "| services.topclients.service_time | samples | owner.csv | 0123456789ab | 12,345 | 1.875 | 7.738 |"},
		{HTMLFile, string(html), `<h2 id="inputs">Measured inputs</h2>`},
		{HTMLFile, string(html), "<tr><th>services.topclients.service_time</th><td>samples</td><td>owner.csv</td><td>0123456789ab</td><td>12,345</td><td>1.875</td><td>7.738</td></tr>"},
	} {
		if !strings.Contains(c.got, c.want) {
			t.Errorf("%s with an input lacks %q", c.file, c.want)
		}
	}

	f.Inputs = nil
	dir = t.TempDir()
	if err := WriteReport(dir, f); err != nil {
		t.Fatal(err)
	}
	md, _ = os.ReadFile(filepath.Join(dir, MarkdownFile))
	html, _ = os.ReadFile(filepath.Join(dir, HTMLFile))
	if strings.Contains(string(md), "Measured inputs") || strings.Contains(string(html), "Measured inputs") {
		t.Errorf("a report without measured inputs shows an inputs table")
	}
}
