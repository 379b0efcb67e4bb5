package strategies

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/sharebench/sharebench/sim"
	"github.com/sharebench/sharebench/sim/virtual"
)

// TestOwnerClientRoundTrip: Get, Batch and Digest, called through the
// typed client in a virtual world, answer what the owner holds.
func TestOwnerClientRoundTrip(t *testing.T) {
	w := virtual.New(1)
	defer w.Close()
	cfg := testConfig(Sync)
	o := testOwner(w, cfg)
	o.seed([]*List{{Seller: 2, Version: 3, Clients: []Client{NewClient(7, 50)}}})
	if _, err := w.Serve(OwnerNode, sim.ServiceSpec{Workers: 1, Handler: o.Handle}); err != nil {
		t.Fatal(err)
	}
	page := w.Node("gig")
	c := ownerClient{env: page, owner: OwnerNode, timeout: time.Second}
	var get, batch ReadReply
	var digest []uint64
	var errs [3]error
	page.Go("calls", func(ctx context.Context) {
		get, errs[0] = c.Get(ctx, 2)
		batch, errs[1] = c.Batch(ctx, []Seller{1, 2})
		digest, errs[2] = c.Digest(ctx, DigestRequest{From: 1, To: 20})
	})
	w.Run(time.Second)
	for i, err := range errs {
		if err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if len(get.Lists) != 1 || get.Lists[0].Version != 3 || get.Lists[0].Clients[0].ID != 7 {
		t.Errorf("Get(2) = %+v; want seller 2's list at version 3 with client 7", get.Lists)
	}
	if len(batch.Lists) != 2 || batch.Lists[0].Seller != 1 || batch.Lists[0].Version != 0 || batch.Lists[1].Version != 3 {
		t.Errorf("Batch(1, 2) = %+v; want versions 0 and 3, in order", batch.Lists)
	}
	// Sellers run 0..7: a digest past the end answers only those that exist.
	if want := []uint64{0, 3, 0, 0, 0, 0, 0}; !slices.Equal(digest, want) {
		t.Errorf("Digest(1..20) = %v; want %v", digest, want)
	}
}

// TestOwnerRefusesWrongBodies: a body of the wrong type is an error that
// names the method and both types, never a panic; so is an unknown method.
func TestOwnerRefusesWrongBodies(t *testing.T) {
	w := virtual.New(1)
	defer w.Close()
	o := testOwner(w, testConfig(Sync))
	o.seed(nil)
	tests := []struct {
		method string
		body   any
		want   []string
	}{
		{methodGet, []Seller{1}, []string{"topclients.get", "strategies.Seller", "[]strategies.Seller"}},
		{methodBatch, Seller(1), []string{"topclients.batch", "[]strategies.Seller"}},
		{MethodWrite, Seller(1), []string{"topclients.write", "strategies.Write"}},
		{methodDigest, nil, []string{"topclients.digest", "strategies.DigestRequest", "<nil>"}},
		{"put", Seller(1), []string{`unknown method "put"`}},
	}
	errs := make([]error, len(tests))
	w.Node(OwnerNode).Go("handle", func(ctx context.Context) {
		for i, tt := range tests {
			_, errs[i] = o.Handle(ctx, sim.Request{Method: tt.method, Body: tt.body})
		}
	})
	w.Run(time.Second)
	for i, tt := range tests {
		for _, want := range tt.want {
			if err := errs[i]; err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("Handle(%s, %T) = %v; want an error naming %q", tt.method, tt.body, err, want)
			}
		}
	}
}

// TestOwnerClientChecksAnswers: an owner that answers the wrong type
// gives the caller an error naming the method, not a panic.
func TestOwnerClientChecksAnswers(t *testing.T) {
	w := virtual.New(1)
	defer w.Close()
	wrong := func(context.Context, sim.Request) (any, error) { return "not a reply", nil }
	if _, err := w.Serve(OwnerNode, sim.ServiceSpec{Workers: 1, Handler: wrong}); err != nil {
		t.Fatal(err)
	}
	page := w.Node("gig")
	var err error
	page.Go("get", func(ctx context.Context) {
		_, err = ownerClient{env: page, owner: OwnerNode, timeout: time.Second}.Get(ctx, 1)
	})
	w.Run(time.Second)
	if err == nil || !strings.Contains(err.Error(), "topclients.get answered a string") {
		t.Errorf("Get against an owner answering a string: error %v; want one naming topclients.get and the type", err)
	}
}

// TestAPITravels: every method's body and answer is a registered wire
// type that comes back from msgpack as the same Go type, as the live
// world decodes it.
func TestAPITravels(t *testing.T) {
	for _, m := range api {
		for _, v := range []any{m.body, m.answer} {
			name, ok := sim.WireName(v)
			if !ok {
				t.Errorf("%s.%s: %T is not a registered wire type", m.service, m.method, v)
				continue
			}
			b, err := msgpack.Marshal(v)
			if err != nil {
				t.Fatalf("%s.%s: encoding %T: %v", m.service, m.method, v, err)
			}
			p, ok := sim.WireNew(name)
			if !ok {
				t.Fatalf("WireNew(%q) found nothing", name)
			}
			if err := msgpack.Unmarshal(b, p); err != nil {
				t.Fatalf("%s.%s: decoding %s: %v", m.service, m.method, name, err)
			}
			if got := reflect.ValueOf(p).Elem().Type(); got != reflect.TypeOf(v) {
				t.Errorf("%s.%s: %T travels back as %v", m.service, m.method, v, got)
			}
		}
	}
}

// TestFailedPageTravels: a page failed for a required section crosses
// the live world's wire with its reason and every read's sections, so the
// harness counts each owner's part in either world.
func TestFailedPageTravels(t *testing.T) {
	page := Page{Kind: "product", Failed: "product: the product page's required section of a could not be had", Sections: []Section{
		{Seller: 1, Failed: true}, {Seller: 2, Version: 3, Clients: 2, FromOwner: true}, {Seller: 4, Failed: true, Unasked: true},
	}}
	b, err := msgpack.Marshal(page)
	if err != nil {
		t.Fatal(err)
	}
	var got Page
	if err := msgpack.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, page) {
		t.Errorf("failed page travels back as %+v; want %+v", got, page)
	}
	if err := got.Err(); err == nil || err.Error() != page.Failed {
		t.Errorf("Err() = %v; want %q", err, page.Failed)
	}
	if err := (Page{Kind: "product"}).Err(); err != nil {
		t.Errorf("Err() of a rendered page = %v; want nil", err)
	}
}
