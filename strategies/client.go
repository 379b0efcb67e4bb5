package strategies

import (
	"context"
	"fmt"
	"time"

	"github.com/sharebench/sharebench/sim"
)

// The owner's API, as it travels: each method's name on the wire, with
// the body it takes and the answer it gives.
const (
	methodGet    = "get"    // Seller → ReadReply
	methodBatch  = "batch"  // []Seller → ReadReply
	methodDigest = "digest" // DigestRequest → []uint64

	// MethodWrite is the owner's write: a Write → a WriteReply. The
	// workload driver sends it; no page service does.
	MethodWrite = "write"
	// MethodRender is every page service's one method: a PageRequest → a
	// Page.
	MethodRender = "render"
)

// api is every method that travels between nodes, with an example of
// its body and of its answer.
var api = []struct {
	service, method string
	body, answer    any
}{
	{"every owner", methodGet, Seller(0), ReadReply{}},
	{"every owner", methodBatch, []Seller{}, ReadReply{}},
	{"every owner", methodDigest, DigestRequest{}, []uint64{}},
	{"every owner", MethodWrite, Write{}, WriteReply{}},
	{"every page service", MethodRender, PageRequest{}, Page{}},
}

func init() {
	// Worlds that put calls on a wire (live) decode bodies and answers
	// into the registered types.
	for _, m := range api {
		sim.RegisterWireType(m.body, m.answer)
	}
}

// ownerClient is one node's client of the owner: typed calls over
// Env.Call, each bounded by timeout. It makes one attempt; retrying is
// the caller's policy.
type ownerClient struct {
	env     sim.Env
	owner   string        // the owner's node
	timeout time.Duration // per call
}

// Get reads one seller's list.
func (c ownerClient) Get(ctx context.Context, s Seller) (ReadReply, error) {
	return call[ReadReply](ctx, c, methodGet, s)
}

// Batch reads several sellers' lists in one call, answered in order.
func (c ownerClient) Batch(ctx context.Context, sellers []Seller) (ReadReply, error) {
	return call[ReadReply](ctx, c, methodBatch, sellers)
}

// Digest reads the versions of sellers r.From..r.To-1 (those that
// exist), for anti-entropy.
func (c ownerClient) Digest(ctx context.Context, r DigestRequest) ([]uint64, error) {
	return call[[]uint64](ctx, c, methodDigest, r)
}

// call makes one call to the owner and checks the answer's type: a wrong
// one is an error naming the method, never a panic.
func call[R any](ctx context.Context, c ownerClient, method string, body any) (R, error) {
	var zero R
	ctx, cancel := c.env.WithTimeout(ctx, c.timeout)
	defer cancel()
	resp, err := c.env.Call(ctx, c.owner, method, body)
	if err != nil {
		return zero, err
	}
	r, ok := resp.(R)
	if !ok {
		return zero, fmt.Errorf("%s.%s answered a %T; want a %T", c.owner, method, resp, zero)
	}
	return r, nil
}

// serve hands a request's body to fn if it has fn's type, and refuses it
// with an error naming the method and both types otherwise.
func serve[B, R any](owner string, req sim.Request, fn func(B) (R, error)) (any, error) {
	b, ok := req.Body.(B)
	if !ok {
		return nil, fmt.Errorf("%s.%s takes a %T; got a %T", owner, req.Method, b, req.Body)
	}
	return fn(b)
}
