package pages

import "slices"

// Topology is a system's shape as the harness runs it: the owners (each
// owns one kind of record), the page services, and the page kinds with
// the reads each page makes. The marketplace (Marketplace) is one
// topology; a scenario in the general form (owners:, page_services:,
// page_kinds:) gives its own. Every layer reads names and shapes from here
// rather than from constants, so a report names the scenario's own
// services, pages and owners.
type Topology struct {
	Owners   []string `json:"owners"`        // in report order
	Services []string `json:"page_services"` // in report order
	// Kinds in report order: public kinds first, then self-views.
	Kinds []Kind `json:"page_kinds"`
	// Plans maps each column the scenario compares that is a plan (not a
	// plain strategy) to its strategy per owner. Empty for the marketplace
	// form, where every column is a plain strategy.
	Plans map[string]map[string]string `json:"plans,omitempty"`
}

// Read is one section a page shows: records of one owner.
type Read struct {
	Owner   string `json:"owner"`
	Records int    `json:"records"` // how many of the owner's records the page shows (1 for a gig page, 20 for a search page)
	// Batch reads all of them in one call (a get for one record); else one
	// get per record, the gets in parallel.
	Batch bool `json:"batch"`
	// Required: a section that cannot be had in time fails the page (an
	// error, counted in availability). Otherwise it is left out and the page
	// renders without it.
	Required bool `json:"required"`
}

// Marketplace is the worked example's topology: the top-clients owner,
// the gig, user and search page services, and the gig, user, search and
// self (the seller's own editor) page kinds; a search page shows
// searchResults sellers. Every section is optional and read in one call.
func Marketplace(searchResults int) Topology {
	const owner = "topclients"
	one := []Read{{Owner: owner, Records: 1, Batch: true}}
	return Topology{
		Owners:   []string{owner},
		Services: []string{"gig", "user", "search"},
		Kinds: []Kind{
			{Name: "gig", Service: "gig", Reads: one},
			{Name: "user", Service: "user", Reads: one},
			{Name: "search", Service: "search", Results: true, Reads: []Read{{Owner: owner, Records: searchResults, Batch: true}}},
			{Name: "self", Service: "user", Self: true, Reads: one},
		},
	}
}

// Kind returns the kind named name.
func (t Topology) Kind(name string) (Kind, bool) {
	for _, k := range t.Kinds {
		if k.Name == name {
			return k, true
		}
	}
	return Kind{}, false
}

// KindNames lists every kind's name, in report order.
func (t Topology) KindNames() []string {
	return t.kindNames(func(Kind) bool { return true })
}

// PublicKinds lists the public kinds' names (those All takes together).
func (t Topology) PublicKinds() []string {
	return t.kindNames(func(k Kind) bool { return !k.Self })
}

func (t Topology) kindNames(keep func(Kind) bool) []string {
	var ns []string
	for _, k := range t.Kinds {
		if keep(k) {
			ns = append(ns, k.Name)
		}
	}
	return ns
}

// Records is how many records a page of kind k shows, over all its reads.
func (k Kind) Records() int {
	n := 0
	for _, r := range k.Reads {
		n += r.Records
	}
	return n
}

// ReadsOwner reports whether a page of kind k reads owner.
func (k Kind) ReadsOwner(owner string) bool {
	return slices.ContainsFunc(k.Reads, func(r Read) bool { return r.Owner == owner })
}

// ServiceReads lists the owners a page service's public kinds read, in
// the topology's owner order: those it keeps a copy of (a view, a cache)
// when the owner's strategy keeps one. A self-view reads its owner
// directly (read your writes), so an owner only self-views read is not
// among them.
func (t Topology) ServiceReads(service string) []string {
	return t.serviceOwners(service, func(k Kind) bool { return !k.Self })
}

// ServiceCalls lists the owners any of a page service's kinds read,
// public or self-view, in the topology's owner order: those it may call.
func (t Topology) ServiceCalls(service string) []string {
	return t.serviceOwners(service, func(Kind) bool { return true })
}

func (t Topology) serviceOwners(service string, keep func(Kind) bool) []string {
	var os []string
	for _, o := range t.Owners {
		if slices.ContainsFunc(t.Kinds, func(k Kind) bool { return k.Service == service && keep(k) && k.ReadsOwner(o) }) {
			os = append(os, o)
		}
	}
	return os
}

// StrategyFor is the strategy column uses for owner: the plan's choice,
// or column itself when it is a plain strategy.
func (t Topology) StrategyFor(column, owner string) string {
	if p, ok := t.Plans[column]; ok {
		return p[owner]
	}
	return column
}
