package results

import (
	"fmt"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Latency histograms hold microseconds: 1 µs resolution is finer than any
// simulated delay we report, and an hour bounds any single render or lag.
const (
	hdrLowestUS  = 1
	hdrHighestUS = 3_600_000_000 // 1 hour
	hdrDigits    = 3             // values within 0.1 %
)

// NewLatencyHistogram returns an empty histogram for microsecond values from
// 1 µs to 1 hour with 3 significant digits, the geometry every snapshot in a
// result file uses. RecordValue returns an error for a value outside that
// range; callers decide whether that is a clamp or a bug.
func NewLatencyHistogram() *hdrhistogram.Histogram {
	return hdrhistogram.New(hdrLowestUS, hdrHighestUS, hdrDigits)
}

// EncodeHDR returns h as an HdrHistogram V2 compressed, base64 snapshot, the
// form Metrics.HDR keeps. The same histogram always gives the same string.
func EncodeHDR(h *hdrhistogram.Histogram) (string, error) {
	b, err := h.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
	if err != nil {
		return "", fmt.Errorf("results: EncodeHDR: %w", err)
	}
	return string(b), nil
}

// DecodeHDR reads a snapshot written by EncodeHDR (or any V2 compressed
// writer, Java and C included).
func DecodeHDR(s string) (*hdrhistogram.Histogram, error) {
	h, err := hdrhistogram.Decode([]byte(s))
	if err != nil {
		return nil, fmt.Errorf("results: DecodeHDR: %w", err)
	}
	return h, nil
}

// MergeHDR pools the values of several snapshots into one. The result has the
// first snapshot's geometry; a value it cannot hold is an error rather than a
// silently smaller count. With no snapshots it returns an empty latency
// histogram.
func MergeHDR(encoded ...string) (string, error) {
	if len(encoded) == 0 {
		return EncodeHDR(NewLatencyHistogram())
	}
	h, err := mergeHDR(encoded)
	if err != nil {
		return "", err
	}
	return EncodeHDR(h)
}

func mergeHDR(encoded []string) (*hdrhistogram.Histogram, error) {
	var into *hdrhistogram.Histogram
	for i, s := range encoded {
		h, err := hdrhistogram.Decode([]byte(s))
		if err != nil {
			return nil, fmt.Errorf("results: MergeHDR: snapshot %d: %w", i, err)
		}
		if into == nil {
			into = h
			continue
		}
		if dropped := into.Merge(h); dropped > 0 {
			return nil, fmt.Errorf("results: MergeHDR: snapshot %d: %d values outside the range of snapshot 0", i, dropped)
		}
	}
	return into, nil
}

// SummaryOf describes a microsecond histogram in milliseconds. Percentiles
// are nearest-rank values reported as the top of their HDR bucket, so they
// are never below the exact value and at most 0.1 % above it. An empty (or
// nil) histogram gives all zeros, never NaN.
func SummaryOf(h *hdrhistogram.Histogram) Summary {
	if h == nil || h.TotalCount() == 0 {
		return Summary{}
	}
	p := h.ValueAtPercentilesSlice([]float64{50, 90, 99, 99.9})
	return Summary{
		N:    h.TotalCount(),
		Mean: h.Mean() / 1000,
		P50:  float64(p[0]) / 1000,
		P90:  float64(p[1]) / 1000,
		P99:  float64(p[2]) / 1000,
		P999: float64(p[3]) / 1000,
		Max:  float64(h.Max()) / 1000,
	}
}

// ReadStalenessOf describes the staleness of every section read, fresh ones
// counting as 0, from the histogram of the stale ones (microseconds) and
// how many sections were read in all: the q-th percentile is 0 while q is
// within the fresh share, and beyond it the stale histogram's percentile at
// the matching rank. No histogram is kept of the zeros. N is read; a read
// count below the stale count is taken as the stale count.
func ReadStalenessOf(stale *hdrhistogram.Histogram, read int64) Summary {
	if read <= 0 {
		return Summary{}
	}
	var n int64
	if stale != nil {
		n = stale.TotalCount()
	}
	read = max(read, n)
	if n == 0 {
		return Summary{N: read}
	}
	f := float64(n) / float64(read)
	at := func(q float64) float64 {
		fresh := 100 * (1 - f)
		if q <= fresh {
			return 0
		}
		return float64(stale.ValueAtPercentile(min(100, (q-fresh)/f))) / 1000
	}
	return Summary{
		N:    read,
		Mean: f * stale.Mean() / 1000,
		P50:  at(50),
		P90:  at(90),
		P99:  at(99),
		P999: at(99.9),
		Max:  float64(stale.Max()) / 1000,
	}
}
