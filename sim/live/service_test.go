package live

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/sharebench/sharebench/sim"
)

// TestCall: an answer comes back decoded into its registered type, with the
// caller's name and the drawn work; a handler's error arrives as a
// *sim.RemoteError; a deadline as context.DeadlineExceeded.
func TestCall(t *testing.T) {
	w := newWorld(t)
	serveEcho(t, w, "svc", sim.ServiceSpec{ServiceTime: sim.ConstDuration(2 * ms)})
	client := w.Node("client")

	got, err := call(client, "svc", time.Second, echoReq{N: 7})
	if err != nil {
		t.Fatalf("Call = %v", err)
	}
	if r := got.(echoResp); r.N != 7 || r.From != "client" || r.Work != 2*ms {
		t.Errorf("Call = %+v; want N 7 from client with work 2ms", r)
	}

	_, err = call(client, "svc", time.Second, echoReq{Msg: "fail"})
	var re *sim.RemoteError
	if !errors.As(err, &re) || re.Service != "svc" || re.Msg != "asked to fail" {
		t.Errorf("Call of a failing handler = %v; want a *sim.RemoteError from svc", err)
	}

	slow := serveEcho(t, w, "slow", sim.ServiceSpec{ServiceTime: sim.ConstDuration(300 * ms)})
	start := time.Now()
	_, err = call(client, "slow", 50*ms, echoReq{})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Call past its deadline = %v; want context.DeadlineExceeded", err)
	}
	if el := time.Since(start); el > 250*ms {
		t.Errorf("Call with a 50ms deadline took %v", el)
	}
	// The handler keeps its worker to the end, as a virtual one does.
	if !eventually(2*time.Second, func() bool { return slow.Stats().Completed == 1 }) {
		t.Errorf("abandoned call not completed by the service: %+v", slow.Stats())
	}
}

// TestAdmission: Workers serve at once, Queue wait, the rest are rejected.
func TestAdmission(t *testing.T) {
	w := newWorld(t)
	svc, err := w.Serve("svc", sim.ServiceSpec{Workers: 2, Queue: 3, ServiceTime: sim.ConstDuration(250 * ms)})
	if err != nil {
		t.Fatal(err)
	}
	client := w.Node("client")
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = call(client, "svc", 5*time.Second, nil)
		}()
	}
	wg.Wait()
	rejected := 0
	for _, err := range errs {
		switch {
		case errors.Is(err, sim.ErrRejected):
			rejected++
		case err != nil:
			t.Errorf("Call = %v; want success or sim.ErrRejected", err)
		}
	}
	st := svc.Stats()
	if rejected != 3 || st.Rejected != 3 || st.Completed != 5 || st.MaxQueue != 3 || st.MaxInSystem != 5 {
		t.Errorf("8 calls at once to 2 workers + 3 queued: %d rejected, stats %+v; want 3 rejected, 5 completed, max queue 3, max in system 5", rejected, st)
	}
}

// TestCorruptBodies: bodies that do not decode — garbage, truncated, a
// length far past the bytes, nesting without end, an unknown type, the
// wrong type for a registered name — get 400 and are counted, never a
// crash; the service serves the next good call.
func TestCorruptBodies(t *testing.T) {
	w := newWorld(t)
	serveEcho(t, w, "svc", sim.ServiceSpec{})
	client := w.Node("client")
	if _, err := call(client, "svc", time.Second, echoReq{N: 1}); err != nil {
		t.Fatal(err)
	}
	good, err := encodeCall("client", echoReq{N: 1, Msg: "hello"})
	if err != nil {
		t.Fatal(err)
	}
	huge := []byte{0x83, 0xa1, 'f', 0xa0, 0xa1, 't', 0xa0, 0xa1, 'b', 0xdd, 0xff, 0xff, 0xff, 0xff}
	deep := append(bytes.Repeat([]byte{0x91}, 100000), 0xc0)
	wrong, _ := msgpack.Marshal(callMsg{From: "x", Type: "live.echoReq", Body: msgpack.RawMessage{0xa3, 'a', 'b', 'c'}})
	unknown, _ := msgpack.Marshal(callMsg{From: "x", Type: "no.SuchType", Body: msgpack.RawMessage{0xc0}})
	bodies := map[string][]byte{
		"garbage":   []byte("\xc1this is not msgpack"),
		"truncated": good[:len(good)-3],
		"huge":      huge,
		"deep":      deep,
		"wrongtype": wrong,
		"unknown":   unknown,
		"trailing":  append(append([]byte{}, good...), 0x01),
		"empty":     nil,
	}
	p := w.serviceProxy(client, "svc")
	for name, body := range bodies {
		resp, err := http.Post("http://"+p.Addr()+"/call/echo", "application/msgpack", bytes.NewReader(body))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s body: status %d; want 400", name, resp.StatusCode)
		}
	}
	http.DefaultClient.CloseIdleConnections()
	if got := w.Stats().CorruptBodies; got != int64(len(bodies)) {
		t.Errorf("Stats().CorruptBodies = %d; want %d", got, len(bodies))
	}
	if got, err := call(client, "svc", time.Second, echoReq{N: 2}); err != nil || got.(echoResp).N != 2 {
		t.Errorf("call after corrupt bodies = %v, %v; want N 2", got, err)
	}
}

// TestHandlerPanic: a handler that panics is answered as a remote error
// and counted; the world goes on.
func TestHandlerPanic(t *testing.T) {
	w := newWorld(t)
	if _, err := w.Serve("svc", sim.ServiceSpec{Workers: 1, Handler: func(ctx context.Context, req sim.Request) (any, error) {
		return req.Body.(echoResp), nil // a caller sends echoReq: a harness bug
	}}); err != nil {
		t.Fatal(err)
	}
	_, err := call(w.Node("client"), "svc", time.Second, echoReq{})
	var re *sim.RemoteError
	if !errors.As(err, &re) || !contains(re.Msg, "panicked") || w.Stats().HandlerPanics != 1 {
		t.Errorf("call of a panicking handler = %v, %d panics counted; want a remote error and 1", err, w.Stats().HandlerPanics)
	}
}
