package results

import (
	"math"
	"reflect"
	"slices"
	"testing"
)

func TestCI95(t *testing.T) {
	tests := []struct {
		xs   []float64
		want float64
	}{
		{nil, 0},
		{[]float64{7}, 0},
		{[]float64{0.1, 0.1, 0.1}, 0},
		{[]float64{1, 2, 3, 4, 5}, 2.776445 * math.Sqrt(2.5) / math.Sqrt(5)}, // t(0.975, 4)·s/√n
		{[]float64{1, 3}, 12.706205 * math.Sqrt2 / math.Sqrt2},               // t(0.975, 1) = 12.706
	}
	for _, tt := range tests {
		if got := CI95(tt.xs); math.Abs(got-tt.want) > 1e-4 {
			t.Errorf("CI95(%v) = %v; want %v", tt.xs, got, tt.want)
		}
	}
}

func TestAggregateOne(t *testing.T) {
	if got := Aggregate(nil); got != nil {
		t.Errorf("Aggregate(nil) = %+v; want nil", got)
	}
	m := sampleMetrics(t, 1, []int64{1000, 2000})
	if got := Aggregate([]*Metrics{m}); got != m {
		t.Errorf("Aggregate([m]) = %p; want m itself (%p)", got, m)
	}
	if m.Replicas != nil || m.CI95 != nil {
		t.Errorf("Aggregate([m]) set Replicas %v, CI95 %v; want both nil", m.Replicas, m.CI95)
	}
}

func TestAggregateIdenticalReplicas(t *testing.T) {
	m := sampleMetrics(t, 0.1, []int64{1000, 2000, 5000})
	withStats(m, "hybrid")
	agg := Aggregate([]*Metrics{m, m, m})
	for _, metric := range Registry {
		if got := agg.CI95[metric.Name]; got != 0 {
			t.Errorf("Aggregate(3×m).CI95[%q] = %v; want 0", metric.Name, got)
		}
		if got, want := metric.Get(agg), metric.Get(m); got != want {
			t.Errorf("%s of Aggregate(3×m) = %v; want %v", metric.Name, got, want)
		}
	}
	for _, metric := range Registry {
		st := agg.Stats[metric.Name]
		want := Stat{N: 3 * m.Stats[metric.Name].N, Method: MethodSeeds, Batches: 3, DF: 2}
		if metric.Within != Batched {
			want.N = 3 // runs
		}
		if st != want {
			t.Errorf("Aggregate(3×m).Stats[%q] = %+v; want %+v", metric.Name, st, want)
		}
	}
	if len(agg.CI95) != len(Registry) {
		t.Errorf("len(Aggregate(3×m).CI95) = %d; want %d, one per Registry metric", len(agg.CI95), len(Registry))
	}
	// Merging three copies triples the counts but keeps every percentile.
	want := m.Pages["all"].LatencyMS
	want.N *= 3
	if got := agg.Pages["all"].LatencyMS; got != want {
		t.Errorf("Aggregate(3×m).Pages[all].LatencyMS = %+v; want %+v", got, want)
	}
	if got := len(agg.Replicas); got != 3 {
		t.Errorf("len(Aggregate(3×m).Replicas) = %d; want 3", got)
	}
}

func TestAggregateMeans(t *testing.T) {
	a := &Metrics{
		Pages: map[string]*PageMetrics{
			"all": {Count: 10, Availability: 1, StalenessMS: Summary{P99: 4}},
			"gig": {Count: 3},
		},
		ConvergenceMS:      100,
		SelfViewViolations: 1,
		Owner:              OwnerMetrics{Requests: 10, RPS: 1.5, Rejected: 1, PeakConcurrency: 4},
		DuplicationBytes:   map[string]int64{"gig": 100},
		Broker:             BrokerMetrics{Published: 5, Delivered: 5, Redelivered: 0, Lost: 0, MaxLag: 2},
		Series:             []Second{{T: 0, Pages: 10, OwnerRPS: 2}, {T: 1, Pages: 20}},
	}
	b := &Metrics{
		Pages: map[string]*PageMetrics{
			"all": {Count: 20, Availability: 0.5, StalenessMS: Summary{P99: 8}},
		},
		ConvergenceMS:      300,
		SelfViewViolations: 2,
		Owner:              OwnerMetrics{Requests: 20, RPS: 2.5, Rejected: 2, PeakConcurrency: 5},
		DuplicationBytes:   map[string]int64{"gig": 200, "user": 51},
		Broker:             BrokerMetrics{Published: 7, Delivered: 9, Redelivered: 4, Lost: 1, MaxLag: 3},
		Series:             []Second{{T: 0, Pages: 30, OwnerRPS: 4}},
	}
	got := Aggregate([]*Metrics{a, b})
	want := &Metrics{
		Pages: map[string]*PageMetrics{
			"all": {Count: 15, Availability: 0.75, StalenessMS: Summary{P99: 6}},
			"gig": {Count: 3}, // only a has it
		},
		ConvergenceMS:      200,
		SelfViewViolations: 2, // 1.5 rounds away from zero
		Owner:              OwnerMetrics{Requests: 15, RPS: 2, Rejected: 2, PeakConcurrency: 5},
		DuplicationBytes:   map[string]int64{"gig": 150, "user": 26}, // 25.5 rounded; a holds 0
		Broker:             BrokerMetrics{Published: 6, Delivered: 7, Redelivered: 2, Lost: 1, MaxLag: 3},
		Series:             []Second{{T: 0, Pages: 20, OwnerRPS: 3}, {T: 1, Pages: 20}},
		Consistency:        []ConsistencyPoint{},
		HDR:                map[string]string{},
		Replicas:           []*Metrics{a, b},
		CI95:               got.CI95, // checked below
		Stats:              got.Stats,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Aggregate(a, b) =\n%+v; want\n%+v", got, want)
	}
	// t(0.975, 1)·s/√2 with s = |a−b|/√2 is 12.706·|a−b|/2.
	for _, tt := range []struct {
		name string
		want float64
	}{
		{"convergence", 12.706205 * 100},
		{"availability", 12.706205 * 25},
		{"self_view_violations", 12.706205 * 0.5},
		{"duplication", 12.706205 * 151 / 2},
		{"versions_behind", 0},
	} {
		if got := got.CI95[tt.name]; math.Abs(got-tt.want) > 1e-3 {
			t.Errorf("Aggregate(a, b).CI95[%q] = %v; want %v", tt.name, got, tt.want)
		}
	}
}

// Every numeric field must be averaged, including ones added after this
// test was written: fill each with its index and check the mean of i and 3i.
func TestAggregateCoversEveryNumericField(t *testing.T) {
	a, b := new(Metrics), new(Metrics)
	fill(reflect.ValueOf(a).Elem(), 1)
	fill(reflect.ValueOf(b).Elem(), 3)
	want := new(Metrics)
	fill(reflect.ValueOf(want).Elem(), 2)
	got := Aggregate([]*Metrics{a, b})
	got.Pages, got.DuplicationBytes, got.Series, got.Consistency, got.HDR, got.Replicas, got.CI95, got.Stats = nil, nil, nil, nil, nil, nil, nil, nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Aggregate(a, b) scalars = %+v; want %+v", got, want)
	}
}

// fill sets the i-th numeric field met, depth first, to k·i.
func fill(v reflect.Value, k int64) {
	var i int64
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		for j := range v.NumField() {
			f := v.Field(j)
			switch f.Kind() {
			case reflect.Float64:
				i++
				f.SetFloat(float64(k * i))
			case reflect.Int64:
				i++
				f.SetInt(k * i)
			case reflect.Struct:
				walk(f)
			}
		}
	}
	walk(v)
}

func TestAggregateMergesHDR(t *testing.T) {
	av := []int64{1000, 1500, 2000, 80_000}
	bv := []int64{3000, 3500, 250_000, 900_000, 1_200_000}
	a := sampleMetrics(t, 1, av)
	b := sampleMetrics(t, 2, bv)
	agg := Aggregate([]*Metrics{a, b})

	want := exactSummary(append(slices.Clone(av), bv...))
	for _, tt := range []struct {
		name string
		got  Summary
	}{
		{"Pages[all].LatencyMS", agg.Pages["all"].LatencyMS},
		{"Pages[all].StalenessMS", agg.Pages["all"].StalenessMS},
		{"PropagationMS", agg.PropagationMS},
	} {
		if !summaryWithin(tt.got, want) {
			t.Errorf("Aggregate(a, b).%s = %+v; want pooled %+v", tt.name, tt.got, want)
		}
	}
	h, err := DecodeHDR(agg.HDR["latency.all"])
	if err != nil {
		t.Fatalf("DecodeHDR(Aggregate(a, b).HDR[latency.all]) = %v; want nil", err)
	}
	if got := h.TotalCount(); got != int64(len(av)+len(bv)) {
		t.Errorf("Aggregate(a, b).HDR[latency.all] holds %d values; want %d", got, len(av)+len(bv))
	}

	// Without b's snapshot the summary is the mean of the two summaries,
	// and no merged snapshot claims to describe both runs.
	b2 := *b
	b2.HDR = map[string]string{"latency.all": b.HDR["latency.all"]}
	agg = Aggregate([]*Metrics{a, &b2})
	wantProp := Summary{}
	meanFields(reflect.ValueOf(&wantProp).Elem(), valuesOf([]*Summary{&a.PropagationMS, &b.PropagationMS}))
	if agg.PropagationMS != wantProp {
		t.Errorf("Aggregate(a, b without propagation HDR).PropagationMS = %+v; want mean %+v", agg.PropagationMS, wantProp)
	}
	if _, ok := agg.HDR["propagation"]; ok {
		t.Errorf("Aggregate(a, b without propagation HDR).HDR has propagation; want none")
	}
	if _, ok := agg.HDR["latency.all"]; !ok {
		t.Errorf("Aggregate(a, b without propagation HDR).HDR lacks latency.all; want it merged")
	}
}

// sampleMetrics builds a replica whose latency, staleness and propagation
// all hold the microsecond values vs, with scalars scaled by k.
func sampleMetrics(t *testing.T, k float64, vs []int64) *Metrics {
	t.Helper()
	h := record(t, vs...)
	enc, err := EncodeHDR(h)
	if err != nil {
		t.Fatal(err)
	}
	s := SummaryOf(h)
	return &Metrics{
		Pages: map[string]*PageMetrics{
			"all": {
				Count: int64(len(vs)), LatencyMS: s, Availability: 0.99 * k, Completeness: 0.9 * k,
				StaleFraction: 0.01 * k, StalenessMS: s, VersionsBehind: 0.02 * k,
			},
		},
		PropagationMS:      s,
		ConvergenceMS:      1234.5 * k,
		SelfViewViolations: 0,
		Owner:              OwnerMetrics{Requests: int64(100 * k), RPS: 10 * k, EmptyFraction: 0.8, Rejected: int64(3 * k)},
		DuplicationBytes:   map[string]int64{"gig": int64(1000 * k), "search": int64(500 * k)},
		Broker:             BrokerMetrics{Published: 10, Delivered: 12, Redelivered: 2, MaxLag: int64(5 * k)},
		Series:             []Second{{T: 0, Pages: 5, P50MS: s.P50 * k}, {T: 1, Pages: 6, P99MS: s.P99}},
		HDR:                map[string]string{"latency.all": enc, "staleness.all": enc, "propagation": enc},
	}
}
