package results

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strings"
	"testing"
)

func csvFixture() *File {
	page := func(n int64, p50 float64) *PageMetrics {
		return &PageMetrics{Count: n, LatencyMS: Summary{P50: p50}, Availability: 1}
	}
	return &File{
		Seeds: []uint64{1, 2},
		Order: []string{"sync", "async"},
		Strategies: map[string]*Metrics{
			"sync":  {Pages: map[string]*PageMetrics{"all": page(30, 6.5), "gig": page(20, 6), "search": page(10, 7.25)}, Owner: OwnerMetrics{RPS: 2036}},
			"async": {Pages: map[string]*PageMetrics{"all": page(30, 2.5)}, Broker: BrokerMetrics{Published: 5, MaxLag: 3}},
		},
	}
}

func readCSV(t *testing.T, data string) [][]string {
	t.Helper()
	if !strings.HasPrefix(data, "# units: ") {
		t.Errorf("CSV does not open with the units comment:\n%s", data)
	}
	r := csv.NewReader(strings.NewReader(data))
	r.Comment = '#'
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("CSV does not parse: %v\n%s", err, data)
	}
	return recs
}

// TestWriteCSV: bare metric names, a row per strategy and page kind, the
// strategy-wide metrics only on the "all" row, view metrics empty for a
// strategy without views, values exact.
func TestWriteCSV(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCSV(&buf, csvFixture()); err != nil {
		t.Fatal(err)
	}
	recs := readCSV(t, buf.String())
	h := recs[0]
	col := func(name string) int { return slices.Index(h, name) }
	if !slices.Equal(h[:4], []string{"strategy", "page", "seeds", "count"}) || col("owner.rps") < 0 || col("broker.max_lag") < 0 {
		t.Fatalf("header %q; want strategy, page, seeds, count and the bare metric names", h)
	}
	var rows []string
	for _, r := range recs[1:] {
		rows = append(rows, r[0]+"/"+r[1])
	}
	if want := []string{"sync/all", "sync/gig", "sync/search", "async/all"}; !slices.Equal(rows, want) {
		t.Errorf("rows %v; want %v", rows, want)
	}
	for _, tt := range []struct {
		row     int
		metric  string
		want    string
		comment string
	}{
		{1, "owner.rps", "2036", "strategy-wide on the all row"},
		{2, "owner.rps", "", "strategy-wide, empty on a page kind's row"},
		{3, "latency.p50", "7.25", "the page kind's own figure"},
		{3, "count", "10", "the page kind's own count"},
		{1, "seeds", "2", "the seeds behind the values"},
		{1, "broker.max_lag", "", "a view metric, empty for sync"},
		{4, "broker.max_lag", "3", "a view metric for async"},
		{4, "availability", "100", "in per cent, as the units line says"},
	} {
		if got := recs[tt.row][col(tt.metric)]; got != tt.want {
			t.Errorf("row %s, %s = %q; want %q (%s)", rows[tt.row-1], tt.metric, got, tt.want, tt.comment)
		}
	}
	if !strings.Contains(buf.String(), "owner.rps=req/s") || !strings.Contains(buf.String(), "latency.p99=ms") {
		t.Errorf("units comment lacks the units:\n%s", strings.SplitN(buf.String(), "\n", 2)[0])
	}
}

// TestWriteSweepCSV: the parameters first, then the same bare names.
func TestWriteSweepCSV(t *testing.T) {
	var buf bytes.Buffer
	f := csvFixture()
	if err := WriteSweepCSV(&buf, []string{"population.with_clients"}, []SweepRow{{Values: []string{"0.5"}, File: f}}); err != nil {
		t.Fatal(err)
	}
	recs := readCSV(t, buf.String())
	if want := []string{"population.with_clients", "strategy", "seeds", "count", Registry[0].Name}; !slices.Equal(recs[0][:5], want) {
		t.Errorf("sweep header starts %q; want %q", recs[0][:5], want)
	}
	if len(recs) != 3 || recs[1][0] != "0.5" || recs[1][1] != "sync" || recs[2][1] != "async" || recs[1][slices.Index(recs[0], "owner.rps")] != "2036" {
		t.Errorf("sweep rows %q; want a row per strategy with the cell's value and figures", recs[1:])
	}
}
