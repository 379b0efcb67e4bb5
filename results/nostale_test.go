package results

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strings"
	"testing"
)

// TestNoStaleNoStaleness: where no section was stale the conditional
// staleness has no value: the table shows "—", and so CSV leaves the cell
// empty and -format bench leaves the unit out, on every page kind's and
// owner's line (review 18: they wrote 0).
func TestNoStaleNoStaleness(t *testing.T) {
	f, err := ReadFile("testdata/general.json")
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteCSV(&b, f); err != nil {
		t.Fatal(err)
	}
	body := b.String()[strings.Index(b.String(), "\n")+1:] // past the units comment
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := slices.Index(rows[0], "staleness.p99")
	if col < 0 {
		t.Fatalf("CSV header %v has no staleness.p99", rows[0])
	}
	for _, r := range rows[1:] {
		if r[col] != "" {
			t.Errorf("CSV %s/%s staleness.p99 = %q; want empty (no stale section)", r[0], r[1], r[col])
		}
	}
	b.Reset()
	if err := WriteBench(&b, f); err != nil {
		t.Fatal(err)
	}
	// The sample's pages show 1.1M sections, none stale; its owners' sections
	// carry no counts, so their lines keep the unit.
	lines := 0
	for _, l := range strings.Split(b.String(), "\n") {
		if strings.HasPrefix(l, "Benchmark") {
			lines++
			if strings.Contains(l, " 0 stale-%") && strings.Contains(l, " staleness-p99-ns") {
				t.Errorf("bench line %q has staleness-p99-ns; want it left out (no stale section)", l)
			}
		}
	}
	if lines == 0 {
		t.Fatal("WriteBench wrote no benchmark lines")
	}
}
