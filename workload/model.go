package workload

import (
	"math"
	"slices"

	"github.com/sharebench/sharebench/pages"
	"github.com/sharebench/sharebench/sim"
	"github.com/sharebench/sharebench/strategies"
)

// A scenario comes in two forms. The marketplace form (population,
// traffic.writes, services, traffic.pages.mix) describes the worked
// example: one owner, topclients, and the gig, user, search and self
// pages. The general form (owners, page_services, page_kinds, plans)
// describes any system. Both are read into one model, which is all the
// run, the generators, the oracle and the estimate look at; the
// marketplace form is the model of pages.Marketplace, so its runs are the
// runs they always were.

// Owner is one owner in the general form: a service owning one kind of
// record.
type Owner struct {
	Population OwnerPopulation `yaml:"population"`
	Service    Service         `yaml:"service"`
	Writes     Writes          `yaml:"writes"`
}

// OwnerPopulation is an owner's records at the start.
type OwnerPopulation struct {
	Records   int            `yaml:"records"`
	WithData  *float64       `yaml:"with_data"`  // share of records that have any items
	Items     sim.NumberDist `yaml:"items"`      // items per record that has data
	ItemBytes int            `yaml:"item_bytes"` // encoded size of one item
}

// PageKind is one kind of page in the general form.
type PageKind struct {
	Service string  `yaml:"service"` // the page service that renders it
	Share   float64 `yaml:"share"`   // of the page traffic
	// Work is the page's own work; nil: the page service's service_time.
	Work *sim.DurationDist `yaml:"work,omitempty"`
	// Self marks a self-view: it reads its owner directly (read your
	// writes), whatever the strategy, and is not a public page.
	Self  bool       `yaml:"self,omitempty"`
	Order string     `yaml:"order"` // parallel | sequence
	Reads []ReadSpec `yaml:"reads"`
}

// ReadSpec is one read of a page kind: a section of one owner's records.
type ReadSpec struct {
	Owner   string `yaml:"owner"`
	Records int    `yaml:"records"` // how many records the section shows
	Call    string `yaml:"call"`    // batch (one call) | single (one get per record)
	Section string `yaml:"section"` // optional (left out if it cannot be had) | required (fails the page)
}

// Plan is a named mix of strategies, one per owner, compared side by side
// with the plain strategies.
type Plan struct {
	Name    string            `yaml:"name"`
	Default string            `yaml:"default,omitempty"` // the strategy of owners Owners does not name; "" only when Owners names them all
	Owners  map[string]string `yaml:"owners,omitempty"`  // owner → strategy
}

// The general form's defaults: what an entry of owners, page_services or
// page_kinds, or a read, takes for a field it leaves out. An owner is the
// marketplace's owner (topclients) as DefaultScenario has it, its records
// being population.sellers; a page service is the gig page service. Each
// call returns fresh values, so that decoding one entry onto them cannot
// reach another's.
func defaultOwner() Owner {
	d := DefaultScenario()
	return Owner{
		Population: OwnerPopulation{
			Records: d.Population.Sellers, WithData: d.Population.WithClients,
			Items: d.Population.ClientsPerSeller, ItemBytes: d.Population.ClientBytes,
		},
		Service: *d.Services[strategies.OwnerNode],
		Writes:  d.Traffic.Writes,
	}
}

func defaultPageService() Service { return *DefaultScenario().Services["gig"] }

// defaultPageKind has no share: a kind's share of the traffic is given,
// never guessed (check says so when it is left out).
func defaultPageKind() PageKind { return PageKind{Share: math.NaN(), Order: "parallel"} }

func defaultRead() ReadSpec { return ReadSpec{Records: 1, Call: "batch", Section: "optional"} }

// model is a scenario read as the general form: what a run needs.
type model struct {
	topo     pages.Topology
	owners   map[string]ownerModel
	services map[string]*Service          // page services
	shares   map[string]float64           // page kind → share of the page traffic
	work     map[string]*sim.DurationDist // page kind → its own work; absent: the service's time
}

// ownerModel is one owner as a run sees it, in the marketplace's terms:
// records are "sellers", items are "clients".
type ownerModel struct {
	Population Population
	Service    *Service
	Writes     Writes
}

// general reports whether the scenario is written in the general form.
func (sc *Scenario) general() bool { return len(sc.Owners) > 0 }

// model reads the scenario as the general form.
func (sc *Scenario) model() *model {
	if !sc.general() {
		return &model{
			topo: pages.Marketplace(sc.Traffic.Pages.SearchResults),
			owners: map[string]ownerModel{strategies.OwnerNode: {
				Population: sc.Population, Service: sc.Services[strategies.OwnerNode], Writes: sc.Traffic.Writes,
			}},
			services: map[string]*Service{"gig": sc.Services["gig"], "user": sc.Services["user"], "search": sc.Services["search"]},
			shares:   sc.Traffic.Pages.Mix,
			work:     map[string]*sim.DurationDist{},
		}
	}
	m := &model{owners: map[string]ownerModel{}, services: map[string]*Service{}, shares: map[string]float64{}, work: map[string]*sim.DurationDist{}}
	m.topo.Owners = sortedKeys(sc.Owners)
	m.topo.Services = sortedKeys(sc.PageServices)
	for _, name := range m.topo.Owners {
		o := sc.Owners[name]
		m.owners[name] = ownerModel{
			Population: Population{
				Sellers: o.Population.Records, WithClients: o.Population.WithData,
				ClientsPerSeller: o.Population.Items, ClientBytes: o.Population.ItemBytes,
			},
			Service: &o.Service,
			Writes:  o.Writes,
		}
	}
	for _, name := range m.topo.Services {
		m.services[name] = sc.PageServices[name]
	}
	// Public kinds first, then self-views, each by name.
	names := sortedKeys(sc.PageKinds)
	slices.SortStableFunc(names, func(a, b string) int {
		return boolOrder(sc.PageKinds[a].Self) - boolOrder(sc.PageKinds[b].Self)
	})
	total := 0.0
	for _, name := range names { // in a fixed order: a float sum depends on it
		total += sc.PageKinds[name].Share
	}
	for _, name := range names {
		pk := sc.PageKinds[name]
		k := pages.Kind{Name: name, Service: pk.Service, Self: pk.Self, Sequential: pk.Order == "sequence"}
		for _, r := range pk.Reads {
			k.Reads = append(k.Reads, pages.Read{Owner: r.Owner, Records: r.Records, Batch: r.Call != "single", Required: r.Section == "required"})
		}
		m.topo.Kinds = append(m.topo.Kinds, k)
		// Shares are weights: divided by their sum (check keeps it > 0),
		// so that a sweep over one kind's share needs no other change.
		m.shares[name] = pk.Share / total
		if pk.Work != nil {
			m.work[name] = pk.Work
		}
	}
	if len(sc.Plans) > 0 {
		m.topo.Plans = map[string]map[string]string{}
		for _, p := range sc.Plans {
			choice := map[string]string{}
			for _, o := range m.topo.Owners {
				choice[o] = p.Default
				if s, ok := p.Owners[o]; ok {
					choice[o] = s
				}
			}
			m.topo.Plans[p.Name] = choice
		}
	}
	return m
}

// nodes lists the nodes of the scenario's world: the owners, the page
// services, the broker and the client (the marketplace's: topclients, gig,
// user, search, broker, client).
func (m *model) nodes() []string {
	return append(append(slices.Clone(m.topo.Owners), m.topo.Services...), sim.BrokerNode, clientNode)
}

// roles is what each node of the world does, for sim.CheckRoles: the
// client sends writes to each owner and pages to each page service, which
// calls the owners any of its kinds read; each owner publishes to the
// broker, and a page service whose public kinds read an owner consumes
// from it (a view of that owner). A service only self-views use keeps no
// view, so it has no link to the broker. No other two nodes exchange
// messages.
func (m *model) roles() sim.Roles {
	r := sim.Roles{
		Services: append(slices.Clone(m.topo.Owners), m.topo.Services...),
		Driver:   clientNode,
	}
	for _, o := range m.topo.Owners {
		r.Talk = append(r.Talk, [2]string{clientNode, o}, [2]string{o, sim.BrokerNode})
	}
	for _, p := range m.topo.Services {
		r.Talk = append(r.Talk, [2]string{clientNode, p})
		for _, o := range m.topo.ServiceCalls(p) {
			r.Talk = append(r.Talk, [2]string{p, o})
		}
		if len(m.topo.ServiceReads(p)) > 0 {
			r.Consumers = append(r.Consumers, p)
			r.Talk = append(r.Talk, [2]string{p, sim.BrokerNode})
		}
	}
	return r
}

// Columns are what the scenario compares side by side: its strategies,
// then its plans, by name.
func (sc *Scenario) Columns() []string {
	cols := slices.Clone(sc.Strategies)
	for _, p := range sc.Plans {
		cols = append(cols, p.Name)
	}
	return cols
}

func boolOrder(b bool) int {
	if b {
		return 1
	}
	return 0
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
