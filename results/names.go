package results

import (
	"strings"

	"github.com/sharebench/sharebench/pages"
)

// LookupIn finds a metric of a file of topology t by its full name, scoped
// ones (latency.p99@product) included: one of MetricsFor(t).
func LookupIn(t *pages.Topology, name string) (Metric, bool) {
	if t == nil {
		return Lookup(name)
	}
	for _, m := range MetricsFor(t) {
		if m.Name == name {
			return m, true
		}
	}
	return Metric{}, false
}

// ColumnLabel is how legends and the report name a column of f: a plain
// strategy by its name, a plan by its name and its strategy per owner, in
// the topology's owner order, e.g. "hot-async (inventory: hybrid,
// pricing: sync, reviews: async)".
func (f *File) ColumnLabel(column string) string {
	if f == nil || f.Topology == nil {
		return column
	}
	plan, ok := f.Topology.Plans[column]
	if !ok {
		return column
	}
	var choices []string
	for _, o := range f.Topology.Owners {
		if s := plan[o]; s != "" {
			choices = append(choices, o+": "+s)
		}
	}
	return column + " (" + strings.Join(choices, ", ") + ")"
}
