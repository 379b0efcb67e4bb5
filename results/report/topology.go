package report

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sharebench/sharebench/results"
)

// topologySection is the system a general-form scenario describes, as the
// report lists it: its owners and page services, each page kind with its
// service and reads, and each plan's strategy per owner. A file of the
// marketplace form has none (its system is the worked example, which the
// README describes).
type topologySection struct {
	Intro string
	Kinds []topologyKind
	Plans []string // e.g. "hot-async: inventory sync, reviews async"
}

type topologyKind struct {
	Name, Service, What string
	Reads               []string // e.g. "reviews: 10 records, one get each, optional"
}

func newTopologySection(f *results.File) *topologySection {
	t := f.Topology
	if t == nil {
		return nil
	}
	s := &topologySection{Intro: fmt.Sprintf("Owners: %s. Page services: %s. Pages read the owners' records as below; a required section that cannot be had fails the page, an optional one is left out.",
		strings.Join(t.Owners, ", "), strings.Join(t.Services, ", "))}
	for _, k := range t.Kinds {
		tk := topologyKind{Name: k.Name, Service: k.Service, What: "public page"}
		if k.Self {
			tk.What = "self-view (reads its owners directly)"
		}
		order := "in parallel"
		if k.Sequential {
			order = "in sequence"
		}
		if len(k.Reads) > 1 {
			tk.What += ", reads " + order
		}
		for _, r := range k.Reads {
			records := "1 record"
			if r.Records != 1 {
				records = fmt.Sprintf("%d records", r.Records)
			}
			call := "one call"
			switch {
			case !r.Batch && r.Records > 1:
				call = "one get each"
			case r.Records == 1:
				call = "a get"
			}
			section := "optional"
			if r.Required {
				section = "required"
			}
			tk.Reads = append(tk.Reads, fmt.Sprintf("%s: %s, %s, %s", r.Owner, records, call, section))
		}
		s.Kinds = append(s.Kinds, tk)
	}
	for _, name := range strategyNames(f) {
		if _, ok := t.Plans[name]; ok {
			s.Plans = append(s.Plans, f.ColumnLabel(name))
		}
	}
	// Plans the file names but ran no column of still say what they are.
	for _, name := range sortedPlans(t.Plans) {
		if f.Strategies[name] == nil {
			s.Plans = append(s.Plans, f.ColumnLabel(name)+" (not run)")
		}
	}
	return s
}

func sortedPlans(plans map[string]map[string]string) []string {
	var names []string
	for n := range plans {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func (s *topologySection) markdown(b *strings.Builder) {
	b.WriteString("\n## System\n\n" + s.Intro + "\n\n")
	b.WriteString("| page kind | service | what | reads |\n|---|---|---|---|\n")
	for _, k := range s.Kinds {
		fmt.Fprintf(b, "| %s | %s | %s | %s |\n", k.Name, k.Service, k.What, strings.Join(k.Reads, "; "))
	}
	if len(s.Plans) > 0 {
		b.WriteString("\nPlans (each a column, compared like a strategy):\n\n")
		for _, p := range s.Plans {
			b.WriteString("- " + p + "\n")
		}
	}
}
