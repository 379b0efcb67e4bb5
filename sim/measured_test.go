package sim

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"go.yaml.in/yaml/v3"
)

// writeHdrLog writes an HdrHistogram interval log as wrk2 and
// HistogramLogWriter write it — a StartTime and BaseTime header, the
// legend, then one line per interval — holding the given intervals; the
// last interval is tagged, as HdrHistogram's tools may write them.
func writeHdrLog(t testing.TB, path string, intervals ...*hdrhistogram.Histogram) {
	t.Helper()
	var b bytes.Buffer
	w := hdrhistogram.NewHistogramLogWriter(&b)
	const start = 1_700_000_000_000 // ms since the epoch; fixed so the file is too
	w.SetBaseTime(start)
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(w.OutputLogFormatVersion())
	must(w.OutputStartTime(start))
	must(w.OutputBaseTime(start))
	must(w.OutputLegend())
	for i, h := range intervals {
		h.SetStartTimeMs(start + int64(i)*1000)
		h.SetEndTimeMs(start + int64(i+1)*1000)
		if i == len(intervals)-1 && i > 0 {
			h.SetTag("warm")
		}
		must(w.OutputIntervalHistogram(h))
	}
	must(os.WriteFile(path, b.Bytes(), 0o644))
}

// loadDist decodes a distribution and loads its file from dir.
func loadDist(t *testing.T, text, dir string) *Measured {
	t.Helper()
	var d DurationDist
	if err := unmarshalText(text, &d); err != nil {
		t.Fatalf("%s: %v", text, err)
	}
	m, ok := d.Dist.(*Measured)
	if !ok {
		t.Fatalf("%s decodes to %T; want *Measured", text, d.Dist)
	}
	if err := m.Load(dir); err != nil {
		t.Fatalf("%s: Load: %v", text, err)
	}
	return m
}

// checkDraws draws n values and checks that their mean is within 4
// standard errors of m's mean and that the share of draws at or below
// each of m's quantiles is within 4 binomial standard errors of p.
func checkDraws(t *testing.T, m *Measured, n int) {
	t.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	draws := make([]float64, n)
	var sum, sum2 float64
	for i := range draws {
		x := m.Sample(r)
		draws[i] = x
		sum += x
		sum2 += x * x
	}
	mean := sum / float64(n)
	se := math.Sqrt((sum2/float64(n) - mean*mean) / float64(n))
	if math.Abs(mean-m.Mean()) > 4*se {
		t.Errorf("mean of %d draws = %g; want %g ± %g (4 SE)", n, mean, m.Mean(), 4*se)
	}
	slices.Sort(draws)
	for _, p := range []float64{0.1, 0.5, 0.9, 0.99} {
		q := m.Quantile(p)
		below := float64(sortSearchAbove(draws, q)) / float64(n)
		// Quantile(p) has at least p of the mass at or below it, and less
		// than p below the value under it: the share at or below q is ≥ p
		// up to sampling error.
		if se := math.Sqrt(p * (1 - p) / float64(n)); below < p-4*se {
			t.Errorf("share of draws ≤ Quantile(%v) = %v; want ≥ %v - %v", p, below, p, 4*se)
		}
	}
}

// sortSearchAbove is how many of the ascending xs are ≤ q.
func sortSearchAbove(xs []float64, q float64) int {
	i, _ := slices.BinarySearchFunc(xs, q, func(x, q float64) int {
		if x <= q {
			return -1
		}
		return 1
	})
	return i
}

func TestSamplesFileMatchesItsValues(t *testing.T) {
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(7, 7))
	var text strings.Builder
	text.WriteString("# latencies of GET /clients, measured 2026-11-30\n\n")
	var want []float64 // seconds
	for i := range 2000 {
		us := int64(math.Round(math.Exp(7 + 0.8*r.NormFloat64()))) // microseconds, lognormal around 1.1ms
		switch i % 3 {                                             // in every unit, exactly
		case 0:
			fmt.Fprintf(&text, "%dus", us)
		case 1:
			fmt.Fprintf(&text, "%d.%03dms", us/1000, us%1000)
		case 2:
			fmt.Fprintf(&text, "%d.%06ds", us/1_000_000, us%1_000_000)
		}
		if i%100 == 0 {
			text.WriteString("  # a comment after a value")
		}
		text.WriteString("\n")
		want = append(want, float64(us)*1e-6)
	}
	path := filepath.Join(dir, "lat.txt")
	if err := os.WriteFile(path, []byte(text.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	m := loadDist(t, "{dist: samples, file: lat.txt}", dir)
	slices.Sort(want)
	if m.Count() != int64(len(want)) {
		t.Fatalf("Count = %d; want %d", m.Count(), len(want))
	}
	var sum float64
	for _, x := range want {
		sum += x
	}
	if got := m.Mean(); math.Abs(got-sum/float64(len(want))) > 1e-12 {
		t.Errorf("Mean = %g; want the file's mean %g", got, sum/float64(len(want)))
	}
	for _, p := range []float64{0, 0.001, 0.5, 0.9, 0.99, 0.999, 1} {
		rank := max(int(math.Ceil(p*float64(len(want)))), 1) // nearest rank
		if got := m.Quantile(p); math.Abs(got-want[rank-1]) > 1e-12 {
			t.Errorf("Quantile(%v) = %g; want the nearest-rank value %g", p, got, want[rank-1])
		}
	}
	sum256 := sha256.Sum256([]byte(text.String()))
	if m.SHA256 != hex.EncodeToString(sum256[:]) {
		t.Errorf("SHA256 = %s; want the file's %x", m.SHA256, sum256)
	}
	checkDraws(t, m, 200_000)
}

func TestHdrLogMatchesMergedHistogram(t *testing.T) {
	for _, sigfigs := range []int{2, 3} {
		t.Run(fmt.Sprint(sigfigs, " digits"), func(t *testing.T) {
			dir := t.TempDir()
			r := rand.New(rand.NewPCG(3, uint64(sigfigs)))
			merged := hdrhistogram.New(1, 60_000_000, sigfigs) // µs, up to a minute
			var intervals []*hdrhistogram.Histogram
			for range 3 {
				h := hdrhistogram.New(1, 60_000_000, sigfigs)
				for range 20_000 {
					v := int64(200 + r.ExpFloat64()*1500) // µs
					if err := h.RecordValue(v); err != nil {
						t.Fatal(err)
					}
					if err := merged.RecordValue(v); err != nil {
						t.Fatal(err)
					}
				}
				intervals = append(intervals, h)
			}
			writeHdrLog(t, filepath.Join(dir, "x.hlog"), intervals...)
			m := loadDist(t, "{dist: hdr, file: x.hlog}", dir)
			if m.Unit != "us" || m.Count() != merged.TotalCount() {
				t.Fatalf("Unit, Count = %s, %d; want us (the default), %d", m.Unit, m.Count(), merged.TotalCount())
			}
			// A bucket spans a relative 10^-sigfigs of its value (twice that
			// at the bottom of a half-range): within it is as exact as the log.
			precision := 2 * math.Pow(10, -float64(sigfigs))
			for _, p := range []float64{0.01, 0.5, 0.9, 0.99, 0.999, 1} {
				want := float64(merged.ValueAtQuantile(p*100)) * 1e-6
				if got := m.Quantile(p); math.Abs(got-want) > precision*want {
					t.Errorf("Quantile(%v) = %g s; want the histogram's %g s within %.2g relative", p, got, want, precision)
				}
			}
			if got, want := m.Mean(), merged.Mean()*1e-6; math.Abs(got-want) > 1e-9*want {
				t.Errorf("Mean = %g; want the merged histogram's %g", got, want)
			}
			checkDraws(t, m, 200_000)
		})
	}
}

// TestSamplesUnitAndColumn: with unit, bare numbers are in it (a value
// naming its own unit keeps it); with column, a CSV file's column is read
// by its header's name.
func TestSamplesUnitAndColumn(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "lat.csv"), []byte("# from a load test\ntime,\"latency_ms\",status\n1,2.5,200\n2,1ms,200\n3,4,500\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	text := "{dist: samples, file: lat.csv, column: latency_ms, unit: ms}"
	m := loadDist(t, text, dir)
	if m.Count() != 3 || math.Abs(m.Mean()-7.5e-3/3) > 1e-15 || m.Quantile(0) != 1e-3 || m.Quantile(1) != 4e-3 {
		t.Errorf("%s: count %d, mean %g, min %g, max %g; want 3, 2.5ms, 1ms, 4ms", text, m.Count(), m.Mean(), m.Quantile(0), m.Quantile(1))
	}
	if got, want := m.notation(formatSeconds), "{dist: samples, file: lat.csv, column: latency_ms, unit: ms, sha256: "+m.SHA256+"}"; got != want {
		t.Errorf("notation = %q; want %q", got, want)
	}
}

func TestHdrUnit(t *testing.T) {
	dir := t.TempDir()
	h := hdrhistogram.New(1, 1_000_000, 3)
	for range 10 {
		if err := h.RecordValue(5); err != nil {
			t.Fatal(err)
		}
	}
	writeHdrLog(t, filepath.Join(dir, "x.hlog"), h)
	for unit, want := range map[string]float64{"ns": 5e-9, "us": 5e-6, "ms": 5e-3, "s": 5} {
		m := loadDist(t, "{dist: hdr, file: x.hlog, unit: "+unit+"}", dir)
		if got := m.Quantile(0.5); math.Abs(got-want) > 1e-12*want {
			t.Errorf("{unit: %s}.Quantile(0.5) = %g; want %g", unit, got, want)
		}
	}
}

// TestMeasuredNotation: what a measured distribution writes reads back as
// the same file with the same hash, and a changed file is refused.
func TestMeasuredNotation(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "lat.txt")
	if err := os.WriteFile(path, []byte("1ms\n2ms\n4ms\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	m := loadDist(t, "{dist: samples, file: lat.txt}", dir)
	text := m.notation(formatSeconds)
	want := "{dist: samples, file: lat.txt, sha256: " + m.SHA256 + "}"
	if text != want {
		t.Fatalf("notation = %q; want %q", text, want)
	}
	again := loadDist(t, text, dir)
	if again.Mean() != m.Mean() || again.SHA256 != m.SHA256 {
		t.Errorf("%s reads back with mean %g, hash %s; want %g, %s", text, again.Mean(), again.SHA256, m.Mean(), m.SHA256)
	}
	var d DurationDist
	if err := unmarshalText("{dist: samples, file: lat.txt, sha256: "+m.SHA256+"}", &d); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("1ms\n2ms\n5ms\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var se *SpecError
	if err := d.Dist.(*Measured).Load(dir); !errors.As(err, &se) || se.Field != "sha256" || se.Line != 1 || !strings.Contains(se.Msg, "changed") || !strings.Contains(se.Msg, "remove sha256") {
		t.Errorf("Load of a changed file = %v; want a sha256 error at line 1 saying it changed and how to go on", err)
	}
	// A path YAML would misread is quoted.
	spaced := &Measured{Kind: "samples", File: "my lat: 1.txt"}
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(spaced.notation(formatSeconds)), &n); err != nil || n.Content[0].Content[3].Value != spaced.File {
		t.Errorf("notation %s does not read back the file name %q: %v", spaced.notation(formatSeconds), spaced.File, err)
	}
}

func TestMeasuredErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("bare.txt", "1ms\n\n12\n")
	write("neg.txt", "# x\n-3ms\n")
	write("empty.txt", "# only a comment\n\n")
	write("two.txt", "1ms, 2ms\n")
	write("lat.csv", "t,ms\n1,2\n3\n")
	write("nan.txt", "NaN\n")
	write("junk.hlog", "#[StartTime: 1 (seconds since epoch)]\n0.1,1.0,2.0,HISTnotbase64\n")
	write("none.hlog", "#[StartTime: 1 (seconds since epoch)]\n\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\"\n")
	tests := []struct {
		text  string
		field string
		want  []string
	}{
		{"{dist: samples, file: bare.txt}", "file", []string{"bare.txt:3:", `"12" has no unit`, "12ms", "unit: ms"}},
		{"{dist: samples, file: neg.txt}", "file", []string{"neg.txt:2:", "negative"}},
		{"{dist: samples, file: empty.txt}", "file", []string{"empty.txt", "no values"}},
		{"{dist: samples, file: two.txt}", "file", []string{"two.txt:1:", "one value per line"}},
		{"{dist: samples, file: missing.txt}", "file", []string{"missing.txt", "no such file", "relative to the scenario file"}},
		{"{dist: hdr, file: junk.hlog}", "file", []string{"junk.hlog:2:", "does not decode"}},
		{"{dist: samples, file: .}", "file", []string{"not a regular file"}},
		{"{dist: hdr, file: none.hlog}", "file", []string{"none.hlog", "no histogram intervals"}},
		{"{dist: hdr, file: none.hlog, unit: min}", "unit", []string{`"min"`, "ns, us"}},
		{"{dist: samples}", "file", []string{"missing", "file: latencies.txt"}},
		{"{dist: samples, file: bare.txt, sha256: abc}", "sha256", []string{"64 hex digits"}},
		{"{dist: samples, file: bare.txt, tag: a}", "tag", []string{"unknown field", "file, column, unit, sha256"}},
		{"{dist: samples, file: bare.txt, unit: ms, column: p}", "file", []string{"bare.txt:1:", `no column "p"`}},
		{"{dist: samples, file: lat.csv, column: ms, unit: ms}", "file", []string{"lat.csv:3:", "has 1 columns"}},
		{"{dist: samples, file: nan.txt, unit: ms}", "file", []string{"nan.txt:1:", "not a finite number"}},
	}
	for _, tt := range tests {
		var d DurationDist
		err := unmarshalText(tt.text, &d)
		if err == nil {
			err = LoadMeasured(d.Dist, dir)
		}
		var se *SpecError
		if !errors.As(err, &se) || se.Field != tt.field || se.Line != 1 {
			t.Errorf("%s: error %v; want a SpecError at line 1, field %s", tt.text, err, tt.field)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q; want it to contain %q", tt.text, err, w)
			}
		}
	}
	var n NumberDist
	if err := unmarshalText("{dist: hdr, file: junk.hlog}", &n); err == nil || !strings.Contains(err.Error(), "latencies") {
		t.Errorf("an hdr number distribution: error %v; want one saying hdr logs hold latencies", err)
	}
}
