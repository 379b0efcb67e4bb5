package results

import (
	"math"
	"math/rand"
	"reflect"
	"slices"
	"testing"
	"testing/quick"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// latencies is a quick.Generator: microsecond values spread log-uniformly
// from 1 µs to 1 hour, so every bucket magnitude gets exercised.
type latencies []int64

func (latencies) Generate(r *rand.Rand, size int) reflect.Value {
	n := 1 + r.Intn(10*size+1)
	vs := make(latencies, n)
	for i := range vs {
		vs[i] = int64(math.Exp(r.Float64() * math.Log(hdrHighestUS)))
		vs[i] = max(hdrLowestUS, min(hdrHighestUS, vs[i]))
	}
	return reflect.ValueOf(vs)
}

func record(t *testing.T, vs ...int64) *hdrhistogram.Histogram {
	t.Helper()
	h := NewLatencyHistogram()
	for _, v := range vs {
		if err := h.RecordValue(v); err != nil {
			t.Fatalf("RecordValue(%d) = %v; want nil", v, err)
		}
	}
	return h
}

// nearestRank is the dumb reference: sort, and take the value at the
// percentile's nearest rank (1-based, clamped to [1, n]).
func nearestRank(sorted []int64, p float64) int64 {
	n := len(sorted)
	rank := int(p/100*float64(n) + 0.5)
	rank = max(1, min(n, rank))
	return sorted[rank-1]
}

// exactSummary computes a Summary from the values themselves, in ms.
func exactSummary(vs []int64) Summary {
	s := slices.Sorted(slices.Values(vs))
	var sum float64
	for _, v := range s {
		sum += float64(v)
	}
	ms := func(v int64) float64 { return float64(v) / 1000 }
	return Summary{
		Mean: sum / float64(len(s)) / 1000,
		P50:  ms(nearestRank(s, 50)),
		P90:  ms(nearestRank(s, 90)),
		P99:  ms(nearestRank(s, 99)),
		P999: ms(nearestRank(s, 99.9)),
		Max:  ms(s[len(s)-1]),
	}
}

// within says whether got is the HDR rendering of want: 3 significant digits
// put it within 0.1 % (1/1024 of the value, plus float rounding).
func within(got, want float64) bool {
	return math.Abs(got-want) <= want/1000+1e-9
}

func summaryWithin(got, want Summary) bool {
	return within(got.Mean, want.Mean) && within(got.P50, want.P50) &&
		within(got.P90, want.P90) && within(got.P99, want.P99) &&
		within(got.P999, want.P999) && within(got.Max, want.Max)
}

func TestSummaryOfMatchesExactSort(t *testing.T) {
	f := func(vs latencies) bool {
		got := SummaryOf(record(t, vs...))
		want := exactSummary(vs)
		if !summaryWithin(got, want) {
			t.Logf("SummaryOf(%d values) = %+v; want %+v within 0.1 %%", len(vs), got, want)
			return false
		}
		return true
	}
	cfg := &quick.Config{MaxCount: 200, Rand: rand.New(rand.NewSource(1))}
	if err := quick.Check(f, cfg); err != nil {
		t.Error(err)
	}
}

func TestSummaryOf(t *testing.T) {
	tests := []struct {
		name string
		h    *hdrhistogram.Histogram
		want Summary
	}{
		{"nil", nil, Summary{}},
		{"empty", NewLatencyHistogram(), Summary{}},
		{"one value", record(t, 1500), Summary{N: 1, Mean: 1.5, P50: 1.5, P90: 1.5, P99: 1.5, P999: 1.5, Max: 1.5}},
		// Below 2048 µs every microsecond has its own bucket: exact.
		{"1..1000 µs", record(t, seq(1, 1000)...), Summary{N: 1000, Mean: 0.5005, P50: 0.5, P90: 0.9, P99: 0.99, P999: 0.999, Max: 1}},
	}
	for _, tt := range tests {
		got := SummaryOf(tt.h)
		if got != tt.want {
			t.Errorf("SummaryOf(%s) = %+v; want %+v", tt.name, got, tt.want)
		}
	}
}

func seq(from, to int64) []int64 {
	var vs []int64
	for v := from; v <= to; v++ {
		vs = append(vs, v)
	}
	return vs
}

func TestEncodeDecodeHDR(t *testing.T) {
	tests := []struct {
		name string
		vs   []int64
	}{
		{"empty", nil},
		{"one", []int64{42}},
		{"spread", []int64{1, 999, 2049, 123_456, 3_600_000_000}},
	}
	for _, tt := range tests {
		h := record(t, tt.vs...)
		s, err := EncodeHDR(h)
		if err != nil {
			t.Fatalf("EncodeHDR(%s) = %v; want nil", tt.name, err)
		}
		again, err := EncodeHDR(h)
		if err != nil || again != s {
			t.Errorf("EncodeHDR(%s) twice = %q, %v; want %q, nil (byte-identical)", tt.name, again, err, s)
		}
		back, err := DecodeHDR(s)
		if err != nil {
			t.Fatalf("DecodeHDR(EncodeHDR(%s)) = %v; want nil", tt.name, err)
		}
		if !back.Equals(h) {
			t.Errorf("DecodeHDR(EncodeHDR(%s)) = %v; want %v", tt.name, back.Export(), h.Export())
		}
		if got, want := SummaryOf(back), SummaryOf(h); got != want {
			t.Errorf("SummaryOf(DecodeHDR(EncodeHDR(%s))) = %+v; want %+v", tt.name, got, want)
		}
	}
}

func TestDecodeHDRRejectsGarbage(t *testing.T) {
	for _, s := range []string{"", "not base64!", "AAAA"} {
		if _, err := DecodeHDR(s); err == nil {
			t.Errorf("DecodeHDR(%q) = nil error; want an error", s)
		}
	}
}

func TestMergeHDRPoolsValues(t *testing.T) {
	f := func(a, b latencies) bool {
		ea, err := EncodeHDR(record(t, a...))
		if err != nil {
			t.Fatal(err)
		}
		eb, err := EncodeHDR(record(t, b...))
		if err != nil {
			t.Fatal(err)
		}
		merged, err := MergeHDR(ea, eb)
		if err != nil {
			t.Logf("MergeHDR = %v; want nil", err)
			return false
		}
		h, err := DecodeHDR(merged)
		if err != nil {
			t.Fatal(err)
		}
		pooled := append(slices.Clone(a), b...)
		got, want := SummaryOf(h), exactSummary(pooled)
		if !summaryWithin(got, want) || h.TotalCount() != int64(len(pooled)) {
			t.Logf("SummaryOf(MergeHDR(%d, %d values)) = %+v (count %d); want %+v (count %d)",
				len(a), len(b), got, h.TotalCount(), want, len(pooled))
			return false
		}
		return true
	}
	cfg := &quick.Config{MaxCount: 50, Rand: rand.New(rand.NewSource(2))}
	if err := quick.Check(f, cfg); err != nil {
		t.Error(err)
	}
}

func TestMergeHDREdges(t *testing.T) {
	empty, err := MergeHDR()
	if err != nil {
		t.Fatalf("MergeHDR() = %v; want nil", err)
	}
	if h, err := DecodeHDR(empty); err != nil || h.TotalCount() != 0 {
		t.Errorf("DecodeHDR(MergeHDR()) = %v, %v; want an empty histogram", h, err)
	}

	// A narrower first snapshot cannot hold the second's values: an error,
	// not a quietly smaller count.
	narrow := hdrhistogram.New(1, 1000, 3)
	if err := narrow.RecordValue(10); err != nil {
		t.Fatal(err)
	}
	en, err := EncodeHDR(narrow)
	if err != nil {
		t.Fatal(err)
	}
	wide, err := EncodeHDR(record(t, 1_000_000))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := MergeHDR(en, wide); err == nil {
		t.Errorf("MergeHDR(narrow, wide) = nil error; want values-dropped error")
	}
	if _, err := MergeHDR(wide, "garbage"); err == nil {
		t.Errorf("MergeHDR(wide, garbage) = nil error; want a decode error")
	}
}
