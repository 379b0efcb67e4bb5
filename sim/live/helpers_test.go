package live

import (
	"bytes"
	"context"
	"errors"
	"net"
	"runtime"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"github.com/sharebench/sharebench/sim"
)

const ms = time.Millisecond

// echoReq and echoResp are the test services' wire types.
type echoReq struct {
	N   int
	Msg string
}

type echoResp struct {
	N    int
	From string
	Work time.Duration
}

func init() { sim.RegisterWireType(echoReq{}, echoResp{}, []byte{}) }

// newWorld returns a world that the test's cleanup closes, checking that
// every listener was on 127.0.0.1, that Close reported nothing, that the
// goroutine count returns to what it was before the world, and that none
// of its ports still accepts connections.
func newWorld(t *testing.T, opts ...Option) *World {
	t.Helper()
	base := runtime.NumGoroutine()
	w, err := New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeWorld(t, w, base) })
	return w
}

func closeWorld(t *testing.T, w *World, base int) {
	t.Helper()
	addrs := w.Addrs()
	for _, a := range addrs {
		if host, _, _ := net.SplitHostPort(a); host != "127.0.0.1" {
			t.Errorf("listener on %s; every listener must bind 127.0.0.1", a)
		}
	}
	if err := w.Close(); err != nil {
		t.Error(err)
	}
	checkNoLeaks(t, base, addrs)
}

// checkNoLeaks polls until the goroutine count is back to base (live
// goroutines exit asynchronously) and checks that no address accepts.
func checkNoLeaks(t *testing.T, base int, addrs []string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > base && time.Now().Before(deadline) {
		time.Sleep(20 * ms)
	}
	if n := runtime.NumGoroutine(); n > base {
		var buf bytes.Buffer
		pprof.Lookup("goroutine").WriteTo(&buf, 1)
		t.Errorf("%d goroutines after Close; %d before the world:\n%s", n, base, buf.String())
	}
	for _, a := range addrs {
		if c, err := net.DialTimeout("tcp", a, time.Second); err == nil {
			c.Close()
			t.Errorf("%s still accepts connections after Close", a)
		}
	}
}

// echo is a handler that spends its work and answers who called and what.
func echo(env sim.Env) sim.Handler {
	return func(ctx context.Context, req sim.Request) (any, error) {
		if err := env.Sleep(ctx, req.Work); err != nil {
			return nil, err
		}
		r := req.Body.(echoReq)
		if r.Msg == "fail" {
			return nil, errors.New("asked to fail")
		}
		return echoResp{N: r.N, From: req.From, Work: req.Work}, nil
	}
}

// serveEcho makes name an echo service with constant work.
func serveEcho(t *testing.T, w *World, name string, spec sim.ServiceSpec) *Node {
	t.Helper()
	if spec.Workers == 0 {
		spec.Workers = 16
	}
	spec.Handler = echo(w.Node(name))
	n, err := w.Serve(name, spec)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// call makes one call from node from with timeout d.
func call(n *Node, to string, d time.Duration, body any) (any, error) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	return n.Call(ctx, to, "echo", body)
}

// eventually polls cond every 20ms until it holds or d passes.
func eventually(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * ms)
	}
}

func isUnavailable(err error) bool { return errors.Is(err, sim.ErrUnavailable) }

func contains(s, sub string) bool { return strings.Contains(s, sub) }
