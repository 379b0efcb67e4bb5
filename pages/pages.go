// Package pages is the one home of the page kinds: which pages the
// workload asks for, which page service renders each, and which are public.
// Every layer reads the kinds from here (the import rule lets them all
// import it), so a kind is named once; the next step turns this list into
// scenario data, so code reads a kind's fields rather than comparing names.
//
// It must not import any package of the module.
package pages

// Kind is one kind of page.
type Kind struct {
	Name    string `json:"name"`    // as scenario files, metrics and plots name it
	Service string `json:"service"` // the page service that renders it
	// Self marks a self-view (the seller's own editor): it reads its owner
	// directly (read your writes) whatever the strategy, and is not a
	// public page, so it is kept out of All.
	Self bool `json:"self,omitempty"`
	// Results marks the marketplace's page of search results: it shows
	// traffic.pages.search_results sellers where the others show one.
	Results bool `json:"-"`
	// Reads are the sections the page shows, in order.
	Reads []Read `json:"reads"`
	// Sequential runs the reads one after another (one needs another's
	// result), stopping at a required one that fails; else in parallel.
	Sequential bool `json:"sequential,omitempty"`
}

// Kinds are the page kinds in report order: the public pages, then the
// seller's own editor, which the user service renders.
var Kinds = Marketplace(20).Kinds

// All is the name metrics, tables and plots give the public pages taken
// together: every kind but the self-views.
const All = "all"

// Names lists every kind's name, in report order.
func Names() []string { return names(func(Kind) bool { return true }) }

// Public lists the public kinds' names (those All takes together), in
// report order.
func Public() []string { return names(func(k Kind) bool { return !k.Self }) }

func names(keep func(Kind) bool) []string {
	var ns []string
	for _, k := range Kinds {
		if keep(k) {
			ns = append(ns, k.Name)
		}
	}
	return ns
}

// Services lists the page services, each once, in the order the kinds
// first name them.
func Services() []string {
	var ss []string
	seen := map[string]bool{}
	for _, k := range Kinds {
		if !seen[k.Service] {
			seen[k.Service] = true
			ss = append(ss, k.Service)
		}
	}
	return ss
}

// ServiceByKind maps each kind's name to the page service that renders it.
func ServiceByKind() map[string]string {
	m := make(map[string]string, len(Kinds))
	for _, k := range Kinds {
		m[k.Name] = k.Service
	}
	return m
}

// Get returns the kind named name.
func Get(name string) (Kind, bool) {
	for _, k := range Kinds {
		if k.Name == name {
			return k, true
		}
	}
	return Kind{}, false
}

// IsSelf reports whether name is a self-view kind; an unknown name is not.
func IsSelf(name string) bool {
	k, _ := Get(name)
	return k.Self
}

// ShowsResults reports whether name is a kind of search-results page; an
// unknown name is not.
func ShowsResults(name string) bool {
	k, _ := Get(name)
	return k.Results
}

// Share adds up mix's shares (by kind name) of the kinds keep keeps, in
// report order.
func Share(mix map[string]float64, keep func(Kind) bool) float64 {
	s := 0.0
	for _, k := range Kinds {
		if keep(k) {
			s += mix[k.Name]
		}
	}
	return s
}
