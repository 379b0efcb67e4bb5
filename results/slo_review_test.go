package results

import (
	"bytes"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/sharebench/sharebench/pages"
)

// staleReads is a column whose public pages showed shown sections, stale
// of them stale, their staleness exponential with mean meanMS.
func staleReads(t *testing.T, shown, stale int64, meanMS float64) *Metrics {
	t.Helper()
	h := NewLatencyHistogram()
	r := rand.New(rand.NewPCG(1, 2))
	for range stale {
		if err := h.RecordValue(int64(r.ExpFloat64()*meanMS*1000) + 1); err != nil {
			t.Fatal(err)
		}
	}
	enc, err := EncodeHDR(h)
	if err != nil {
		t.Fatal(err)
	}
	p := &PageMetrics{Shown: shown, Stale: stale, StaleFraction: float64(stale) / float64(shown), StalenessMS: SummaryOf(h)}
	return &Metrics{
		Pages: map[string]*PageMetrics{pages.All: p},
		HDR:   map[string]string{"staleness.all": enc},
		Stats: map[string]Stat{
			"stale_fraction": {N: shown, Method: MethodBatchMeans, Batches: 20, DF: 19},
			"staleness.p99":  {N: stale, Method: MethodBatchMeans, Batches: 20, DF: 19},
		},
		CI95: map[string]float64{},
	}
}

// TestJudgeStalenessOfAllReads: a staleness.p99 target is the staleness
// one read in a hundred exceeds. Few stale reads (the example:
// 3 of 37.6k) pass any limit, where the conditional p99 could never be
// judged; many stale ones are judged on the stale sections' quantile
// 1 − 0.01/stale fraction; a stale fraction straddling 1 % is unclear.
func TestJudgeStalenessOfAllReads(t *testing.T) {
	mt, _ := Lookup("staleness.p99")
	tests := []struct {
		name         string
		shown, stale int64
		meanMS       float64
		target       string
		want         Verdict
	}{
		{"3 stale of 37.6k", 37_600, 3, 2000, "staleness.p99<=5s", Pass},
		{"none stale of 37.6k", 37_600, 0, 1, "staleness.p99<=1ms", Pass},
		// 10 % stale: the p99 of all reads is the stale ones' p90,
		// 2.3 × the mean of an exponential.
		{"10% stale, limit above their p90", 1_000_000, 100_000, 100, "staleness.p99<=300ms", Pass},
		{"10% stale, limit below their p90", 1_000_000, 100_000, 100, "staleness.p99<=150ms", Fail},
		{"1% stale", 100_000, 1_000, 100, "staleness.p99<=5s", Unclear},
		{"10% stale of too few", 200, 20, 100, "staleness.p99<=300ms", Unclear},
	}
	for _, tt := range tests {
		tg, err := ParseTarget(tt.target)
		if err != nil {
			t.Fatal(err)
		}
		j := Judge(mt, staleReads(t, tt.shown, tt.stale, tt.meanMS), tg)
		if j.Verdict != tt.want {
			t.Errorf("%s: Judge(%s) = %v (%s); want %v", tt.name, tt.target, j.Verdict, j.Reason, tt.want)
		}
	}
}

// TestSLORowsShowUnitsAndMeaning: a bare limit shows its unit in the
// verdict row, and a staleness target says it is of all reads.
func TestSLORowsShowUnitsAndMeaning(t *testing.T) {
	tests := []struct{ in, want string }{
		{"staleness.p99<=5", "staleness.p99<=5 ms (" + StaleRead + ")"},
		{"latency.p99<=150ms", "latency.p99<=150ms"},
		{"owner.rps<=1000", "owner.rps<=1000 req/s"},
		{"completeness>=99.5", "completeness>=99.5%"},
		{"duplication<=1000000", "duplication<=1000000 B"},
	}
	for _, tt := range tests {
		tg, err := ParseTarget(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := tg.Label(); got != tt.want {
			t.Errorf("ParseTarget(%q).Label() = %q; want %q", tt.in, got, tt.want)
		}
	}
	f := &File{
		Order:        []string{"sync"},
		Strategies:   map[string]*Metrics{"sync": staleReads(t, 37_600, 3, 2000)},
		DurationS:    10,
		ScenarioYAML: "name: x\nslo:\n  targets:\n    staleness.p99: <=5\n",
	}
	var b bytes.Buffer
	if err := WriteTable(&b, f); err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`slo staleness\.p99<=5 ms \(of all reads\) +pass`).MatchString(b.String()) || !strings.Contains(b.String(), "slo staleness.p99 (of all reads): the p99 over every section read") {
		t.Errorf("WriteTable: no row \"slo staleness.p99<=5 ms (of all reads)  pass\" in\n%s", b.String())
	}
}

// TestJudgeBoundsCapped: a share's bounds are printed within 0–100 %.
func TestJudgeBoundsCapped(t *testing.T) {
	comp, _ := Lookup("completeness")
	tg, _ := ParseTarget("completeness>=99.9%")
	j := Judge(comp, sloMetrics(1, 0, 50_000, 99.97, 0.09, 0, false), tg)
	if j.Verdict != Unclear || !strings.Contains(j.Reason, "and 100.00%") {
		t.Errorf("Judge(completeness 99.97 ±0.09 >= 99.9%%) = %v (%s); want unclear with the upper bound 100%%", j.Verdict, j.Reason)
	}
}

// TestCostTextByteUnit: the cost line says what its MB is.
func TestCostTextByteUnit(t *testing.T) {
	c := Column{Cost: 7.17, CostParts: []CostPart{{Metric: "duplication", Value: 7.17, Unit: "MB", Weight: 1}}}
	if got := c.CostText(); !strings.Contains(got, "7.17 MB (1 MB = 10⁶ B)") {
		t.Errorf("CostText() = %q; want the term as 7.17 MB (1 MB = 10⁶ B)", got)
	}
}
