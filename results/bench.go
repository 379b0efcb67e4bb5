package results

import (
	"fmt"
	"io"
	"strings"

	"github.com/sharebench/sharebench/pages"
)

// WriteBench writes f in the Go benchmark format, which benchstat and
// github-action-benchmark read as they are: a result line per seed, per
// strategy and per page kind, named like
// BenchmarkBaseline/strategy=sync/page=gig, with "Unit … better=…" lines
// saying which way each unit improves. Several seeds make several lines,
// the samples benchstat's statistics need.
func WriteBench(w io.Writer, f *File) error {
	fmt.Fprintf(w, "scenario: %s\n", f.Scenario)
	for _, u := range benchUnits {
		better := "lower"
		if u.higher {
			better = "higher"
		}
		fmt.Fprintf(w, "Unit %s better=%s\n", u.name, better)
	}
	name := "Benchmark" + camel(f.Scenario)
	for _, strategy := range f.Order {
		m := f.Strategies[strategy]
		if m == nil {
			continue
		}
		reps := m.Replicas
		if len(reps) == 0 {
			reps = []*Metrics{m}
		}
		for _, kind := range append([]string{pages.All}, pages.Names()...) {
			for _, r := range reps {
				p := r.Pages[kind]
				if p == nil || p.Count == 0 {
					continue
				}
				fmt.Fprintf(w, "%s/strategy=%s/page=%s %d", name, strategy, kind, p.Count)
				for _, u := range benchUnits {
					if u.page != nil {
						fmt.Fprintf(w, " %g %s", u.page(p), u.name)
					} else if kind == pages.All && u.run != nil && (!u.views || HasViews(r)) {
						fmt.Fprintf(w, " %g %s", u.run(r), u.name)
					}
				}
				fmt.Fprintln(w)
			}
		}
	}
	return nil
}

type benchUnit struct {
	name   string
	higher bool
	page   func(*PageMetrics) float64 // per page kind
	run    func(*Metrics) float64     // once, on the page=all line
	views  bool                       // only for strategies with views
}

var benchUnits = []benchUnit{
	{name: "p50-ns", page: func(p *PageMetrics) float64 { return 1e6 * p.LatencyMS.P50 }},
	{name: "p99-ns", page: func(p *PageMetrics) float64 { return 1e6 * p.LatencyMS.P99 }},
	{name: "p999-ns", page: func(p *PageMetrics) float64 { return 1e6 * p.LatencyMS.P999 }},
	{name: "availability-%", higher: true, page: func(p *PageMetrics) float64 { return 100 * p.Availability }},
	{name: "completeness-%", higher: true, page: func(p *PageMetrics) float64 { return 100 * p.Completeness }},
	{name: "stale-%", page: func(p *PageMetrics) float64 { return 100 * p.StaleFraction }},
	{name: "staleness-p99-ns", page: func(p *PageMetrics) float64 { return 1e6 * p.StalenessMS.P99 }},
	{name: "read-staleness-mean-ns", page: func(p *PageMetrics) float64 { return 1e6 * p.ReadStalenessMS.Mean }},
	{name: "owner-req/s", run: func(m *Metrics) float64 { return m.Owner.RPS }},
	{name: "owner-public-reads/s", run: func(m *Metrics) float64 { return m.Owner.PublicRPS }},
	{name: "self-view-violations", run: func(m *Metrics) float64 { return float64(m.SelfViewViolations) }},
	{name: "duplication-B", run: func(m *Metrics) float64 {
		var n int64
		for _, b := range m.DuplicationBytes {
			n += b
		}
		return float64(n)
	}},
	{name: "propagation-p99-ns", views: true, run: func(m *Metrics) float64 { return 1e6 * m.PropagationMS.P99 }},
	{name: "redelivered-records", views: true, run: func(m *Metrics) float64 { return float64(m.Broker.Redelivered) }},
}

// camel turns "owner-outage" into "OwnerOutage".
func camel(s string) string {
	var b strings.Builder
	up := true
	for _, r := range s {
		switch {
		case r == '-' || r == '_' || r == ' ' || r == '.':
			up = true
		case up:
			b.WriteString(strings.ToUpper(string(r)))
			up = false
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
