package live

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sharebench/sharebench/sim"
)

// TestOutageModes: during a refusing outage calls fail at once with
// sim.ErrUnavailable (connection refused); during a blackhole they time
// out; afterwards they succeed again.
func TestOutageModes(t *testing.T) {
	for _, mode := range []string{"refuse", "blackhole"} {
		t.Run(mode, func(t *testing.T) {
			w := newWorld(t)
			serveEcho(t, w, "svc", sim.ServiceSpec{})
			client := w.Node("client")
			if _, err := call(client, "svc", time.Second, echoReq{}); err != nil {
				t.Fatal(err) // a pooled connection exists: the outage must reach it too
			}
			at := w.Now() + 50*ms
			if err := w.Inject(sim.Fault{At: at, For: 400 * ms, Kind: sim.Outage, Target: "svc", Mode: mode}); err != nil {
				t.Fatal(err)
			}
			time.Sleep(at - w.Now() + 50*ms)
			start := time.Now()
			_, err := call(client, "svc", 200*ms, echoReq{})
			took := time.Since(start)
			switch mode {
			case "refuse":
				if !isUnavailable(err) || took > 100*ms {
					t.Errorf("call during a refusing outage = %v after %v; want sim.ErrUnavailable at once", err, took)
				}
			case "blackhole":
				if !errors.Is(err, context.DeadlineExceeded) || took < 190*ms {
					t.Errorf("call during a blackhole = %v after %v; want context.DeadlineExceeded at its deadline", err, took)
				}
			}
			if !eventually(2*time.Second, func() bool {
				_, err := call(client, "svc", 200*ms, echoReq{})
				return err == nil
			}) {
				t.Errorf("calls still fail after the outage")
			}
		})
	}
}

// TestOutageLosesCallsInFlight: a call the service holds when it goes down
// is lost: in refuse mode the caller learns at once.
func TestOutageLosesCallsInFlight(t *testing.T) {
	w := newWorld(t)
	svc := serveEcho(t, w, "svc", sim.ServiceSpec{ServiceTime: sim.ConstDuration(time.Second)})
	if err := w.Inject(sim.Fault{At: w.Now() + 100*ms, For: 300 * ms, Kind: sim.Crash, Target: "svc"}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err := call(w.Node("client"), "svc", 3*time.Second, echoReq{})
	if !isUnavailable(err) || time.Since(start) > 600*ms {
		t.Errorf("call held through a crash = %v after %v; want sim.ErrUnavailable soon after the crash", err, time.Since(start))
	}
	if !eventually(time.Second, func() bool { return svc.Stats().Lost == 1 }) {
		t.Errorf("stats %+v; want 1 lost", svc.Stats())
	}
}

// TestPartitionModes: a partition cuts exactly its link; in drop mode a
// call sent during it is lost (the caller times out, and its connection is
// reset at the heal), in hold mode it is delivered when the partition
// heals.
func TestPartitionModes(t *testing.T) {
	for _, mode := range []string{"drop", "hold"} {
		t.Run(mode, func(t *testing.T) {
			w := newWorld(t)
			serveEcho(t, w, "svc", sim.ServiceSpec{})
			a, b := w.Node("a"), w.Node("b")
			for _, n := range []*Node{a, b} {
				if _, err := call(n, "svc", time.Second, echoReq{}); err != nil {
					t.Fatal(err)
				}
			}
			at, dur := w.Now()+50*ms, 500*ms
			if err := w.Inject(sim.Fault{At: at, For: dur, Kind: sim.Partition, Between: []string{"a", "svc"}, Mode: mode}); err != nil {
				t.Fatal(err)
			}
			time.Sleep(at - w.Now() + 50*ms)
			if _, err := call(b, "svc", 200*ms, echoReq{}); err != nil {
				t.Errorf("b's call during a partition between a and svc = %v; want an answer", err)
			}
			start := w.Now()
			_, err := call(a, "svc", 2*time.Second, echoReq{N: 5})
			end := w.Now()
			switch mode {
			case "drop":
				if !isUnavailable(err) && !errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("call across a dropping partition = %v; want it lost", err)
				}
			case "hold":
				if err != nil || end < at+dur || end > at+dur+time.Second {
					t.Errorf("call across a holding partition sent at %v = %v at %v; want its answer after the heal at %v", start, err, end, at+dur)
				}
			}
			if !eventually(2*time.Second, func() bool {
				_, err := call(a, "svc", 200*ms, echoReq{})
				return err == nil
			}) {
				t.Errorf("a's calls still fail after the partition healed")
			}
		})
	}
}

// TestLatencyFault adds a constant delay to a link: each direction of a
// call pays it.
func TestLatencyFault(t *testing.T) {
	w := newWorld(t)
	serveEcho(t, w, "svc", sim.ServiceSpec{})
	client := w.Node("client")
	if _, err := call(client, "svc", time.Second, echoReq{}); err != nil {
		t.Fatal(err)
	}
	at := w.Now() + 20*ms
	if err := w.Inject(sim.Fault{At: at, For: time.Second, Kind: sim.Latency, Link: "client->svc", Add: sim.ConstDuration(100 * ms)}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(at - w.Now() + 10*ms)
	start := time.Now()
	if _, err := call(client, "svc", time.Second, echoReq{}); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took < 100*ms || took > 400*ms {
		t.Errorf("call over a link with 100ms added took %v; want 100ms and a little", took)
	}
	time.Sleep(at + time.Second - w.Now() + 20*ms)
	start = time.Now()
	if _, err := call(client, "svc", time.Second, echoReq{}); err != nil || time.Since(start) > 50*ms {
		t.Errorf("call after the latency fault = %v in %v; want fast", err, time.Since(start))
	}
}

// TestLossFault: every chunk lost loses every call.
func TestLossFault(t *testing.T) {
	w := newWorld(t)
	serveEcho(t, w, "svc", sim.ServiceSpec{})
	client := w.Node("client")
	if err := w.Inject(sim.Fault{At: 0, For: time.Hour, Kind: sim.Loss, Between: []string{"client", "svc"}, P: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := call(client, "svc", time.Second, echoReq{}); !isUnavailable(err) {
		t.Errorf("call over a link losing everything = %v; want sim.ErrUnavailable (a reset)", err)
	}
}

// TestSlowdown multiplies service times.
func TestSlowdown(t *testing.T) {
	w := newWorld(t)
	serveEcho(t, w, "svc", sim.ServiceSpec{ServiceTime: sim.ConstDuration(10 * ms)})
	if err := w.Inject(sim.Fault{At: 0, For: time.Hour, Kind: sim.Slowdown, Target: "svc", Factor: 5}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(10 * ms)
	got, err := call(w.Node("client"), "svc", time.Second, echoReq{})
	if err != nil || got.(echoResp).Work != 50*ms {
		t.Errorf("call during slowdown ×5 = %v, %v; want work 50ms", got, err)
	}
}

// TestInjectChecks refuses faults naming unknown nodes, slowing down what
// serves nothing, or healed before now.
func TestInjectChecks(t *testing.T) {
	w := newWorld(t)
	serveEcho(t, w, "svc", sim.ServiceSpec{})
	w.Node("client")
	time.Sleep(20 * ms)
	for _, f := range []sim.Fault{
		{At: time.Second, For: time.Second, Kind: sim.Outage, Target: "nobody"},
		{At: time.Second, For: time.Second, Kind: sim.Slowdown, Target: "client", Factor: 2},
		{At: 0, For: ms, Kind: sim.Outage, Target: "svc"},
	} {
		if err := w.Inject(f); err == nil {
			t.Errorf("Inject(%v) = nil; want an error", f)
		}
	}
}
