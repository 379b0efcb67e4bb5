package pages

import (
	"slices"
	"testing"
)

// TestLists: the lists every layer reads keep report order and the kinds'
// services and publicity.
func TestLists(t *testing.T) {
	for _, c := range []struct {
		name      string
		got, want []string
	}{
		{"Names()", Names(), []string{"gig", "user", "search", "self"}},
		{"Public()", Public(), []string{"gig", "user", "search"}},
		{"Services()", Services(), []string{"gig", "user", "search"}},
	} {
		if !slices.Equal(c.got, c.want) {
			t.Errorf("%s = %v; want %v", c.name, c.got, c.want)
		}
	}
}

func TestServiceByKind(t *testing.T) {
	m := ServiceByKind()
	for kind, want := range map[string]string{"gig": "gig", "user": "user", "search": "search", "self": "user"} {
		if got := m[kind]; got != want {
			t.Errorf("ServiceByKind()[%q] = %q; want %q", kind, got, want)
		}
	}
	if len(m) != len(Kinds) {
		t.Errorf("len(ServiceByKind()) = %d; want %d", len(m), len(Kinds))
	}
}

func TestPredicates(t *testing.T) {
	for _, c := range []struct {
		name          string
		self, results bool
	}{
		{"gig", false, false},
		{"search", false, true},
		{"self", true, false},
		{"nosuch", false, false},
	} {
		if got := IsSelf(c.name); got != c.self {
			t.Errorf("IsSelf(%q) = %v; want %v", c.name, got, c.self)
		}
		if got := ShowsResults(c.name); got != c.results {
			t.Errorf("ShowsResults(%q) = %v; want %v", c.name, got, c.results)
		}
	}
	if _, ok := Get("nosuch"); ok {
		t.Errorf("Get(%q) found a kind; want none", "nosuch")
	}
}

// TestShare: a share sums the kept kinds' entries, and a kind the mix
// leaves out counts 0.
func TestShare(t *testing.T) {
	mix := map[string]float64{"gig": 0.5, "user": 0.25, "self": 0.125}
	self := func(k Kind) bool { return k.Self }
	public := func(k Kind) bool { return !k.Self }
	onUser := func(k Kind) bool { return k.Service == "user" }
	for _, c := range []struct {
		name string
		keep func(Kind) bool
		want float64
	}{{"self", self, 0.125}, {"public", public, 0.75}, {"on user", onUser, 0.375}} {
		if got := Share(mix, c.keep); got != c.want {
			t.Errorf("Share(mix, %s) = %v; want %v", c.name, got, c.want)
		}
	}
}

// TestServiceReads: a page service keeps a copy only of the owners its
// public kinds read; it calls those and the ones its self-views read.
func TestServiceReads(t *testing.T) {
	one := func(o string) []Read { return []Read{{Owner: o, Records: 1, Batch: true}} }
	topo := Topology{
		Owners:   []string{"inventory", "pricing", "reviews"},
		Services: []string{"store", "account"},
		Kinds: []Kind{
			{Name: "product", Service: "store", Reads: append(one("pricing"), one("inventory")...)},
			{Name: "stock-editor", Service: "store", Self: true, Reads: one("reviews")},
			{Name: "my-reviews", Service: "account", Self: true, Reads: one("reviews")},
		},
	}
	for _, tt := range []struct {
		service     string
		reads, call []string
	}{
		{"store", []string{"inventory", "pricing"}, []string{"inventory", "pricing", "reviews"}},
		{"account", nil, []string{"reviews"}},
	} {
		if got := topo.ServiceReads(tt.service); !slices.Equal(got, tt.reads) {
			t.Errorf("ServiceReads(%s) = %v; want %v", tt.service, got, tt.reads)
		}
		if got := topo.ServiceCalls(tt.service); !slices.Equal(got, tt.call) {
			t.Errorf("ServiceCalls(%s) = %v; want %v", tt.service, got, tt.call)
		}
	}
	m := Marketplace(20)
	for _, svc := range m.Services {
		if got := m.ServiceReads(svc); !slices.Equal(got, []string{"topclients"}) {
			t.Errorf("Marketplace ServiceReads(%s) = %v; want [topclients]", svc, got)
		}
	}
}
