package results

import (
	"strings"

	"github.com/sharebench/sharebench/pages"
)

// A scenario in the general form names its own page kinds and owners, and
// its figures are named after them: a metric of one page kind or one
// owner is the Registry name, "@", and the scope, e.g. "latency.p99@product"
// or "owner.rps@reviews". Tables, CSV, -format bench, compare's -max and
// the SLO targets all use these names. Unscoped names keep meaning what
// they mean in the Registry (all public pages; owners summed).

// ScopeSep separates a metric's name from its scope.
const ScopeSep = "@"

// Scoped names metric name of scope (a page kind or an owner).
func Scoped(name, scope string) string { return name + ScopeSep + scope }

// SplitScope splits a full metric name into its Registry name and scope
// ("" when unscoped).
func SplitScope(full string) (name, scope string) {
	name, scope, _ = strings.Cut(full, ScopeSep)
	return name, scope
}

// KindScoped are the metrics each page kind has, by Registry-style name.
var KindScoped = []string{
	"latency.p50", "latency.p99", "latency.p999", "availability", "completeness", "page_completeness",
	"stale_fraction", "staleness.p99", "read_staleness.mean",
}

// OwnerScoped are the metrics each owner has.
var OwnerScoped = []string{
	"owner.rps", "owner.public_rps", "completeness", "stale_fraction", "staleness.p99",
	"read_staleness.mean", "propagation.p99", "duplication",
}

// pageCompleteness is the whole-page completeness of the public pages,
// the general form's figure for "pages showing everything they should".
var pageCompleteness = metric("page_completeness", "%", Higher, func(m *Metrics) float64 {
	return 100 * pageCompletenessOf(allPages(m))
}, page, fraction, func(mt *Metric) { mt.Has = func(m *Metrics) bool { return allPages(m).PageCompleteness != nil } })

func pageCompletenessOf(p *PageMetrics) float64 {
	if p == nil || p.PageCompleteness == nil {
		return 0
	}
	return *p.PageCompleteness
}

// MetricsFor lists the metrics of a file of topology t, in the order tables
// show them: the Registry, then for the general form page_completeness,
// each page kind's metrics (KindScoped) and each owner's (OwnerScoped). A
// nil t (the marketplace form) has the Registry alone.
func MetricsFor(t *pages.Topology) []Metric {
	if t == nil {
		return Registry
	}
	out := append(append([]Metric(nil), Registry...), pageCompleteness)
	for _, k := range t.Kinds {
		for _, name := range KindScoped {
			out = append(out, kindMetric(name, k.Name))
		}
	}
	for _, o := range t.Owners {
		for _, name := range OwnerScoped {
			out = append(out, ownerMetric(name, o))
		}
	}
	return out
}

// kindMetric is base metric name read from page kind kind instead of all
// public pages.
func kindMetric(name, kind string) Metric {
	base := baseMetric(name)
	of := func(m *Metrics) *PageMetrics {
		if p := m.Pages[kind]; p != nil {
			return p
		}
		return &PageMetrics{}
	}
	mt := base
	mt.Name = Scoped(name, kind)
	mt.Get = func(m *Metrics) float64 { return base.Get(&Metrics{Pages: map[string]*PageMetrics{pages.All: of(m)}}) }
	if base.Has != nil {
		mt.Has = func(m *Metrics) bool { return base.Has(&Metrics{Pages: map[string]*PageMetrics{pages.All: of(m)}}) }
	}
	mt.counts = func(m *Metrics) (n, events int64) {
		p := of(m)
		switch {
		case strings.HasPrefix(name, "latency."):
			return p.Rendered, 0
		case name == "availability":
			return p.Count, 0
		case name == "completeness":
			return p.WithClients, 0
		case name == "page_completeness":
			return p.PagesWithData, 0
		case name == "staleness.p99":
			return p.Stale, p.Stale
		}
		return p.Shown, p.Stale // stale fraction, read staleness
	}
	if strings.HasPrefix(name, "latency.") {
		mt.hdr = "latency." + kind
	}
	return mt
}

// SLOMetricsFor lists the metrics slo targets may name in a file of
// topology t: MetricsFor's, and for the marketplace form (nil t) also each
// of its page kinds' (latency.p99@gig), which its files hold without
// intervals of their own: a target on one is judged by the kind's counts
// (a fraction) or its latency histogram's order statistics (a
// percentile).
func SLOMetricsFor(t *pages.Topology) []Metric {
	out := MetricsFor(t)
	if t != nil {
		return out
	}
	for _, k := range pages.Marketplace(1).Kinds {
		for _, name := range KindScoped {
			if name != pageCompleteness.Name {
				out = append(out, kindMetric(name, k.Name))
			}
		}
	}
	return out
}

// ownerMetric is base metric name read from owner owner's figures.
func ownerMetric(name, owner string) Metric {
	base := baseMetric(name)
	of := func(m *Metrics) *OwnerResult {
		if o := m.Owners[owner]; o != nil {
			return o
		}
		return &OwnerResult{}
	}
	mt := base
	mt.Name = Scoped(name, owner)
	mt.Has = nil
	mt.Get = func(m *Metrics) float64 {
		o := of(m)
		sections := o.Sections
		return base.Get(&Metrics{
			Pages: map[string]*PageMetrics{pages.All: &sections}, Owner: o.Load,
			PropagationMS: o.PropagationMS, DuplicationBytes: o.Duplication, Broker: m.Broker,
		})
	}
	if name == "propagation.p99" {
		// Only an owner shared through views propagates anything.
		mt.Has = func(m *Metrics) bool { return of(m).PropagationMS.N > 0 }
	}
	return mt
}

func baseMetric(name string) Metric {
	if name == pageCompleteness.Name {
		return pageCompleteness
	}
	mt, ok := Lookup(name)
	if !ok {
		panic("results: no registered metric " + name)
	}
	return mt
}
