package results

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode"

	"github.com/sharebench/sharebench/pages"
)

// WriteBench writes f in the Go benchmark format, which benchstat and
// github-action-benchmark read as they are: a result line per seed, per
// strategy and per page kind, named like
// BenchmarkBaseline/strategy=sync/page=gig, with "Unit … better=…" lines
// saying which way each unit improves. Several seeds make several lines,
// the samples benchstat's statistics need.
//
// In the general form (f.Topology set) the scenario's own names scope the
// lines, as name keys rather than the "@" of scoped metric names: a line
// per page kind (page=product, with page-complete-% too) and per owner
// (BenchmarkProductPage/strategy=hot-async/owner=reviews) with the owner's
// units (owner-req/s, completeness-%, …). benchstat's projection syntax
// (-col, -row, -filter) reserves space and ():@, in a bare word, and the
// name syntax '/' and '=', so any of those in a name (a plan, a kind, an
// owner) is written as '_' (see benchWord): a filter like owner:reviews
// then works unquoted.
func WriteBench(w io.Writer, f *File) error {
	fmt.Fprintf(w, "scenario: %s\n", f.Scenario)
	units := benchUnits
	if f.Topology != nil {
		units = append(append(slices.Clone(benchUnits), generalPageUnits...), ownerUnits...)
	}
	seen := map[string]bool{}
	for _, u := range units {
		if seen[u.name] { // an owner's completeness-% is the pages' unit
			continue
		}
		seen[u.name] = true
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
		column := strategy
		if f.Topology != nil {
			column = benchWord(strategy)
		}
		for _, kind := range append([]string{pages.All}, f.Shape().KindNames()...) {
			page := kind
			if f.Topology != nil {
				page = benchWord(kind)
			}
			for _, r := range reps {
				p := r.Pages[kind]
				if p == nil || p.Count == 0 {
					continue
				}
				fmt.Fprintf(w, "%s/strategy=%s/page=%s %d", name, column, page, p.Count)
				for _, u := range benchUnits {
					if u.name == stalenessUnit && noStale(p) {
						continue // nothing stale to describe: no value, not 0
					}
					if u.page != nil {
						fmt.Fprintf(w, " %g %s", u.page(p), u.name)
					} else if kind == pages.All && u.run != nil && (!u.views || HasViews(r)) {
						fmt.Fprintf(w, " %g %s", u.run(r), u.name)
					}
				}
				if f.Topology != nil && p.PageCompleteness != nil {
					for _, u := range generalPageUnits {
						fmt.Fprintf(w, " %g %s", u.page(p), u.name)
					}
				}
				fmt.Fprintln(w)
			}
		}
		if f.Topology == nil {
			continue
		}
		for _, owner := range f.Topology.Owners {
			for _, r := range reps {
				o := r.Owners[owner]
				if o == nil {
					continue
				}
				// The iteration count must be positive; an owner read by no
				// measured page still has its load to report.
				fmt.Fprintf(w, "%s/strategy=%s/owner=%s %d", name, column, benchWord(owner), max(1, o.Sections.Count))
				for _, u := range ownerUnits {
					if u.name == stalenessUnit && noStale(&o.Sections) {
						continue
					}
					if !u.views || o.PropagationMS.N > 0 {
						fmt.Fprintf(w, " %g %s", u.owner(o), u.name)
					}
				}
				fmt.Fprintln(w)
			}
		}
	}
	return nil
}

// benchWord writes a scenario's name (a plan, page kind or owner) so that
// benchstat reads it as one bare word of a name key: whitespace and the
// characters its name and projection syntax reserve become '_', as does a
// leading character a bare word may not start with.
func benchWord(s string) string {
	var b strings.Builder
	for i, r := range s {
		switch {
		case unicode.IsSpace(r) || strings.ContainsRune("():@,/=", r):
			r = '_'
		case i == 0 && strings.ContainsRune("-*\"", r):
			r = '_'
		}
		b.WriteRune(r)
	}
	return b.String()
}

type benchUnit struct {
	name   string
	higher bool
	page   func(*PageMetrics) float64 // per page kind
	run    func(*Metrics) float64     // once, on the page=all line
	owner  func(*OwnerResult) float64 // per owner (general form)
	views  bool                       // only for strategies with views (an owner's: with propagation)
}

// generalPageUnits are the page units only the general form measures.
var generalPageUnits = []benchUnit{
	{name: "page-complete-%", higher: true, page: func(p *PageMetrics) float64 { return 100 * pageCompletenessOf(p) }},
}

// ownerUnits are each owner's, on its owner= line: its load, its sections
// on the public pages, its propagation and the bytes its views hold.
var ownerUnits = []benchUnit{
	{name: "owner-req/s", owner: func(o *OwnerResult) float64 { return o.Load.RPS }},
	{name: "owner-public-reads/s", owner: func(o *OwnerResult) float64 { return o.Load.PublicRPS }},
	{name: "completeness-%", higher: true, owner: func(o *OwnerResult) float64 { return 100 * o.Sections.Completeness }},
	{name: "stale-%", owner: func(o *OwnerResult) float64 { return 100 * o.Sections.StaleFraction }},
	{name: "staleness-p99-ns", owner: func(o *OwnerResult) float64 { return 1e6 * o.Sections.StalenessMS.P99 }},
	{name: "read-staleness-mean-ns", owner: func(o *OwnerResult) float64 { return 1e6 * o.Sections.ReadStalenessMS.Mean }},
	{name: "duplication-B", owner: func(o *OwnerResult) float64 { return sumBytes(o.Duplication) }},
	{name: "propagation-p99-ns", views: true, owner: func(o *OwnerResult) float64 { return 1e6 * o.PropagationMS.P99 }},
}

// stalenessUnit is the conditional staleness, of stale sections only:
// left out where none was stale, as the table shows "—".
const stalenessUnit = "staleness-p99-ns"

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
	{name: "duplication-B", run: func(m *Metrics) float64 { return sumBytes(m.DuplicationBytes) }},
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
