package virtual

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/sharebench/sharebench/sim"
)

const ms = time.Millisecond

// serve registers a service or fails the test.
func serve(t *testing.T, w *World, name string, spec sim.ServiceSpec) *Node {
	t.Helper()
	n, err := w.Serve(name, spec)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func inject(t *testing.T, w *World, faults ...sim.Fault) {
	t.Helper()
	if err := w.Inject(faults...); err != nil {
		t.Fatal(err)
	}
}

// outcome is what one call saw.
type outcome struct {
	sent, returned time.Duration
	err            error
}

// callEvery starts, at each of the given times, a process on from that
// calls to with the given timeout, and records what each call saw.
func callEvery(w *World, from, to string, at []time.Duration, timeout time.Duration) []outcome {
	client := w.Node(from)
	out := make([]outcome, len(at))
	for i, t := range at {
		w.At(t, func() {
			client.Go("caller", func(ctx context.Context) {
				ctx, cancel := client.WithTimeout(ctx, timeout)
				defer cancel()
				out[i].sent = client.Now()
				_, out[i].err = client.Call(ctx, to, "get", nil)
				out[i].returned = client.Now()
			})
		})
	}
	return out
}

func millis(from, to time.Duration) []time.Duration {
	var ts []time.Duration
	for t := from; t < to; t += ms {
		ts = append(ts, t)
	}
	return ts
}

func TestTimeoutFiresAtItsDeadline(t *testing.T) {
	w := New(1)
	defer w.Close()
	serve(t, w, "slow", sim.ServiceSpec{Workers: 1, ServiceTime: sim.ConstDuration(50 * ms)})
	serve(t, w, "hole", sim.ServiceSpec{Workers: 1})
	inject(t, w, sim.Fault{At: 0, For: time.Hour, Kind: sim.Outage, Target: "hole", Mode: "blackhole"})
	n := w.Node("client")
	type result struct {
		at  time.Duration
		err error
	}
	got := map[string]result{}
	record := func(name string, err error) { got[name] = result{n.Now(), err} }
	w.At(time.Second, func() {
		n.Go("blackhole", func(ctx context.Context) {
			ctx, cancel := n.WithTimeout(ctx, 37*ms)
			defer cancel()
			_, err := n.Call(ctx, "hole", "get", nil)
			record("blackhole", err)
		})
		n.Go("sleep", func(ctx context.Context) {
			ctx, cancel := n.WithTimeout(ctx, 30*ms)
			defer cancel()
			record("sleep", n.Sleep(ctx, time.Hour))
		})
		n.Go("nested", func(ctx context.Context) {
			parent, cancel := n.WithTimeout(ctx, 20*ms)
			defer cancel()
			child, cancel2 := n.WithTimeout(parent, 50*ms)
			defer cancel2()
			if d, ok := child.Deadline(); !ok || d != Epoch.Add(time.Second+20*ms) {
				t.Errorf("child deadline = %v, %v; want the parent's, 1.02s after Epoch", d, ok)
			}
			record("nested", n.Sleep(child, time.Hour))
		})
		n.Go("answer-at-deadline", func(ctx context.Context) {
			// The answer would come exactly at the deadline: too late.
			ctx, cancel := n.WithTimeout(ctx, 50*ms)
			defer cancel()
			_, err := n.Call(ctx, "slow", "get", nil)
			record("answer-at-deadline", err)
		})
		n.Go("answer-before-deadline", func(ctx context.Context) {
			ctx, cancel := n.WithTimeout(ctx, 50*ms+1)
			defer cancel()
			n.Sleep(ctx, 0) // let the other caller take the worker first
			_, err := n.Call(ctx, "slow", "get", nil)
			record("answer-before-deadline", err)
		})
		n.Go("err-at-deadline", func(ctx context.Context) {
			// Sleeping to exactly the deadline, ctx.Err reports it
			// whichever same-instant event runs first.
			ctx, cancel := n.WithTimeout(ctx, 10*ms)
			defer cancel()
			n.Sleep(context.Background(), 10*ms)
			record("err-at-deadline", ctx.Err())
		})
	})
	w.Run(2 * time.Second)
	want := map[string]result{
		"blackhole":              {time.Second + 37*ms, context.DeadlineExceeded},
		"sleep":                  {time.Second + 30*ms, context.DeadlineExceeded},
		"nested":                 {time.Second + 20*ms, context.DeadlineExceeded},
		"answer-at-deadline":     {time.Second + 50*ms, context.DeadlineExceeded},
		"answer-before-deadline": {time.Second + 100*ms, context.DeadlineExceeded},
		"err-at-deadline":        {time.Second + 10*ms, context.DeadlineExceeded},
	}
	// The second caller queues behind the first (50ms) and would be
	// answered at 100ms, past its deadline at 50ms+1ns: it gives up at its
	// deadline.
	want["answer-before-deadline"] = result{time.Second + 50*ms + 1, context.DeadlineExceeded}
	for name, w := range want {
		if g := got[name]; g != w {
			t.Errorf("%s returned at %v with %v; want at %v with %v", name, g.at, g.err, w.at, w.err)
		}
	}
}

// TestPartitionWindow: a dropping partition loses exactly the messages
// sent in [At, At+For); a holding one delivers them when it heals.
func TestPartitionWindow(t *testing.T) {
	for _, mode := range []string{"drop", "hold"} {
		t.Run(mode, func(t *testing.T) {
			w := New(1)
			defer w.Close()
			serve(t, w, "server", sim.ServiceSpec{Workers: 100})
			w.Node("client")
			inject(t, w, sim.Fault{At: 20 * ms, For: 10 * ms, Kind: sim.Partition, Link: "client->server", Mode: mode})
			out := callEvery(w, "client", "server", millis(0, 50*ms), 15*ms)
			w.Run(time.Second)
			for _, o := range out {
				inWindow := o.sent >= 20*ms && o.sent < 30*ms
				switch {
				case !inWindow && (o.err != nil || o.returned != o.sent):
					t.Errorf("call sent at %v outside the partition: returned at %v with %v; want at once, no error", o.sent, o.returned, o.err)
				case inWindow && mode == "drop" && (!errors.Is(o.err, context.DeadlineExceeded) || o.returned != o.sent+15*ms):
					t.Errorf("call sent at %v inside a dropping partition: returned at %v with %v; want a timeout at %v", o.sent, o.returned, o.err, o.sent+15*ms)
				case inWindow && mode == "hold" && (o.err != nil || o.returned != 30*ms):
					t.Errorf("call sent at %v inside a holding partition: returned at %v with %v; want an answer at the heal, 30ms", o.sent, o.returned, o.err)
				}
			}
			st := w.LinkStats("client", "server")
			if want := (LinkStats{Sent: 50, Dropped: 10}); mode == "drop" && st != want {
				t.Errorf("LinkStats = %+v; want %+v", st, want)
			}
			if want := (LinkStats{Sent: 50, Held: 10}); mode == "hold" && st != want {
				t.Errorf("LinkStats = %+v; want %+v", st, want)
			}
		})
	}
}

// TestTwoWayPartition: between cuts both directions, so an answer sent in
// the window is lost too.
func TestTwoWayPartition(t *testing.T) {
	w := New(1)
	defer w.Close()
	serve(t, w, "server", sim.ServiceSpec{Workers: 10, ServiceTime: sim.ConstDuration(2 * ms)})
	w.Node("client")
	inject(t, w, sim.Fault{At: 20 * ms, For: 10 * ms, Kind: sim.Partition, Between: []string{"client", "server"}, Mode: "drop"})
	out := callEvery(w, "client", "server", []time.Duration{19 * ms, 29 * ms, 30 * ms}, 5*ms)
	w.Run(time.Second)
	wantErr := []error{context.DeadlineExceeded, context.DeadlineExceeded, nil}
	for i, o := range out {
		if !errors.Is(o.err, wantErr[i]) && o.err != wantErr[i] {
			t.Errorf("call sent at %v: %v; want %v", o.sent, o.err, wantErr[i])
		}
	}
	if st := w.LinkStats("server", "client"); st.Dropped != 1 {
		t.Errorf("answers dropped = %d; want 1 (the one sent at 21ms)", st.Dropped)
	}
}

func TestOutageModes(t *testing.T) {
	for _, mode := range []string{"refuse", "blackhole"} {
		t.Run(mode, func(t *testing.T) {
			w := New(1, WithDefaultLink(LinkSpec{Latency: sim.ConstDuration(ms)}))
			defer w.Close()
			serve(t, w, "server", sim.ServiceSpec{Workers: 10, ServiceTime: sim.ConstDuration(5 * ms)})
			w.Node("client")
			inject(t, w, sim.Fault{At: 100 * ms, For: 100 * ms, Kind: sim.Outage, Target: "server", Mode: mode})
			// 97ms: arrives at 98, served until 103: lost in the crash.
			out := callEvery(w, "client", "server", []time.Duration{90 * ms, 97 * ms, 150 * ms, 250 * ms}, 20*ms)
			w.Run(time.Second)
			type want struct {
				returned time.Duration
				err      error
			}
			wants := []want{{97 * ms, nil}, {101 * ms, sim.ErrUnavailable}, {152 * ms, sim.ErrUnavailable}, {257 * ms, nil}}
			if mode == "blackhole" {
				wants[1] = want{117 * ms, context.DeadlineExceeded}
				wants[2] = want{170 * ms, context.DeadlineExceeded}
			}
			for i, o := range out {
				if o.returned != wants[i].returned || !errors.Is(o.err, wants[i].err) {
					t.Errorf("call sent at %v returned at %v with %v; want at %v with %v", o.sent, o.returned, o.err, wants[i].returned, wants[i].err)
				}
			}
			st := w.Node("server").Stats()
			if st.Lost != 1 || st.Completed != 2 {
				t.Errorf("Stats = %+v; want Lost 1, Completed 2", st)
			}
		})
	}
}

func TestSlowdownAndAddedLatency(t *testing.T) {
	w := New(1, WithDefaultLink(LinkSpec{Latency: sim.ConstDuration(ms)}))
	defer w.Close()
	serve(t, w, "server", sim.ServiceSpec{Workers: 10, ServiceTime: sim.ConstDuration(10 * ms)})
	w.Node("client")
	inject(t, w,
		sim.Fault{At: 100 * ms, For: 100 * ms, Kind: sim.Slowdown, Target: "server", Factor: 3},
		sim.Fault{At: 300 * ms, For: 100 * ms, Kind: sim.Latency, Link: "client->server", Add: sim.ConstDuration(40 * ms)},
		// Overlapping latency faults add up.
		sim.Fault{At: 350 * ms, For: 10 * ms, Kind: sim.Latency, Link: "client->server", Add: sim.ConstDuration(5 * ms)},
	)
	out := callEvery(w, "client", "server", []time.Duration{50 * ms, 150 * ms, 250 * ms, 320 * ms, 355 * ms, 450 * ms}, time.Second)
	w.Run(2 * time.Second)
	want := []time.Duration{12 * ms, 32 * ms, 12 * ms, 52 * ms, 57 * ms, 12 * ms}
	for i, o := range out {
		if o.err != nil || o.returned-o.sent != want[i] {
			t.Errorf("call sent at %v took %v (%v); want %v", o.sent, o.returned-o.sent, o.err, want[i])
		}
	}
}

// TestLoss: each message is lost with probability p; over n requests the
// count lost is binomial, so 4 standard errors bound it.
func TestLoss(t *testing.T) {
	const n, p = 20_000, 0.25
	w := New(3)
	defer w.Close()
	serve(t, w, "server", sim.ServiceSpec{Workers: 1})
	w.Node("client")
	inject(t, w, sim.Fault{At: 0, For: time.Hour, Kind: sim.Loss, Link: "client->server", P: p})
	var at []time.Duration
	for i := range n {
		at = append(at, time.Duration(i)*ms)
	}
	out := callEvery(w, "client", "server", at, ms/2)
	w.Run(time.Hour)
	lost := 0
	for _, o := range out {
		if o.err != nil {
			lost++
		}
	}
	se := 4 * n * 0.0030618621784789728 // 4·sqrt(p(1−p)/n)·n
	if d := float64(lost) - n*p; d > se || d < -se {
		t.Errorf("lost %d of %d; want %v ± %.0f", lost, n, n*p, se)
	}
	if st := w.LinkStats("client", "server"); st.Dropped != int64(lost) {
		t.Errorf("LinkStats.Dropped = %d; want %d", st.Dropped, lost)
	}
}

// TestCrashStopsProcessesMidCall: a crash unwinds the node's processes in
// the middle of a call (deferred calls run, the code after the call never
// does), answers their requests with ErrUnavailable, restarts the start
// hooks when the node returns, keeps the store, and leaves no goroutine.
func TestCrashStopsProcessesMidCall(t *testing.T) {
	before := runtime.NumGoroutine()
	w := New(1)
	serve(t, w, "owner", sim.ServiceSpec{Workers: 4, ServiceTime: sim.ConstDuration(time.Hour)})
	var deferred, after, starts int
	gig := serve(t, w, "gig", sim.ServiceSpec{Workers: 4, Handler: func(ctx context.Context, req sim.Request) (any, error) {
		defer func() { deferred++ }()
		_, err := w.Node("gig").Call(ctx, "owner", "get", nil)
		after++
		return nil, err
	}})
	gig.Store().Put("view/1", "v1")
	gig.OnStart("consumer", func(ctx context.Context) {
		starts++
		gig.Sleep(ctx, time.Hour)
	})
	inject(t, w, sim.Fault{At: 10 * ms, For: 10 * ms, Kind: sim.Crash, Target: "gig"})
	out := callEvery(w, "client", "gig", []time.Duration{ms, 2 * ms}, time.Second)
	w.Run(time.Second)
	if deferred != 2 || after != 0 {
		t.Errorf("handlers: %d deferred calls ran, %d returned from Call; want 2 and 0", deferred, after)
	}
	for _, o := range out {
		if !errors.Is(o.err, sim.ErrUnavailable) || o.returned != 10*ms {
			t.Errorf("call sent at %v returned at %v with %v; want ErrUnavailable at the crash, 10ms", o.sent, o.returned, o.err)
		}
	}
	if starts != 2 {
		t.Errorf("start hook ran %d times; want 2 (start, restart)", starts)
	}
	if v, _ := gig.Store().Get("view/1"); v != "v1" {
		t.Errorf("store after crash: view/1 = %v; want v1", v)
	}
	if gig.Procs() != 1 {
		t.Errorf("gig has %d live processes; want 1 (the restarted consumer)", gig.Procs())
	}
	w.Close()
	if n := runtime.NumGoroutine(); n != before {
		t.Errorf("%d goroutines after Close; want %d, as before the world", n, before)
	}
}

// TestCloseLeavesNoGoroutine: parked processes of every kind unwind on
// Close.
func TestCloseLeavesNoGoroutine(t *testing.T) {
	before := runtime.NumGoroutine()
	w := New(1)
	serve(t, w, "hole", sim.ServiceSpec{Workers: 1})
	inject(t, w, sim.Fault{At: 0, For: time.Hour, Kind: sim.Outage, Target: "hole", Mode: "blackhole"})
	n := w.Node("n")
	unwound := 0
	for range 100 {
		n.Go("sleeper", func(ctx context.Context) {
			defer func() { unwound++ }()
			n.Sleep(ctx, time.Hour)
		})
		n.Go("caller", func(ctx context.Context) {
			defer func() { unwound++ }()
			n.Call(ctx, "hole", "get", nil) // no deadline: waits forever
		})
		g, _ := n.Group(context.Background())
		n.Go("waiter", func(ctx context.Context) {
			defer func() { unwound++ }()
			g.Go(func(ctx context.Context) error { return n.Sleep(ctx, time.Hour) })
			g.Wait()
		})
	}
	w.Run(time.Minute)
	// A goroutine an earlier test left may exit meanwhile, so the counts
	// are bounds: at least most of the 400 parked, none left after Close.
	if running := runtime.NumGoroutine() - before; running < 390 {
		t.Fatalf("only %d goroutines while 400 processes are parked; is the test measuring anything?", running)
	}
	w.Close()
	if unwound != 300 {
		t.Errorf("%d processes ran their deferred calls; want 300", unwound)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines after Close; want at most the %d before", n, before)
	}
}

func TestGroupFirstErrorCancelsTheRest(t *testing.T) {
	w := New(1)
	defer w.Close()
	n := w.Node("n")
	boom := errors.New("boom")
	var waitErr, sleepErr error
	var waitAt, sleepAt time.Duration
	n.Go("main", func(ctx context.Context) {
		g, gctx := n.Group(ctx)
		g.Go(func(ctx context.Context) error {
			sleepErr = n.Sleep(ctx, time.Hour)
			sleepAt = n.Now()
			return sleepErr
		})
		g.Go(func(ctx context.Context) error {
			n.Sleep(ctx, 7*ms)
			return boom
		})
		waitErr = g.Wait()
		waitAt = n.Now()
		if gctx.Err() == nil {
			t.Error("group context not done after Wait")
		}
	})
	w.Run(time.Minute)
	if waitErr != boom || waitAt != 7*ms {
		t.Errorf("Wait = %v at %v; want boom at 7ms", waitErr, waitAt)
	}
	if !errors.Is(sleepErr, context.Canceled) || sleepAt != 7*ms {
		t.Errorf("the other member's Sleep = %v at %v; want context.Canceled at 7ms", sleepErr, sleepAt)
	}
}

type ctxKey struct{}

func TestContextsOnTopOfVirtualOnes(t *testing.T) {
	w := New(1)
	defer w.Close()
	n := w.Node("n")
	var valueErr error
	var valueAt time.Duration
	var panicMsg string
	n.Go("value", func(ctx context.Context) {
		ctx, cancel := n.WithTimeout(ctx, 5*ms)
		defer cancel()
		vctx := context.WithValue(ctx, ctxKey{}, "v")
		valueErr = n.Sleep(vctx, time.Hour)
		valueAt = n.Now()
		if vctx.Value(ctxKey{}) != "v" {
			t.Error("value lost")
		}
	})
	n.Go("stdlib-child", func(ctx context.Context) {
		// A library may derive a standard context from ours without
		// blocking on it: cancellation reaches it in the same instant,
		// through vctx.AfterFunc, without a goroutine.
		parent, cancel := n.WithTimeout(ctx, 3*ms)
		defer cancel()
		goroutines := runtime.NumGoroutine()
		child, cancelChild := context.WithCancel(parent)
		defer cancelChild()
		if g := runtime.NumGoroutine(); g != goroutines {
			t.Errorf("%d goroutines after context.WithCancel(virtual ctx); want %d: no watcher goroutine", g, goroutines)
		}
		n.Sleep(ctx, 3*ms)
		if !errors.Is(child.Err(), context.DeadlineExceeded) {
			t.Errorf("stdlib child of a virtual context at its deadline: Err = %v; want DeadlineExceeded", child.Err())
		}
	})
	n.Go("stdlib-cancel", func(ctx context.Context) {
		defer func() { panicMsg, _ = recover().(string) }()
		c, cancel := context.WithCancel(ctx)
		defer cancel()
		n.Sleep(c, ms)
	})
	w.Run(time.Minute)
	if !errors.Is(valueErr, context.DeadlineExceeded) || valueAt != 5*ms {
		t.Errorf("Sleep on WithValue(virtual ctx) = %v at %v; want DeadlineExceeded at 5ms", valueErr, valueAt)
	}
	if !strings.Contains(panicMsg, "Env.WithCancel") {
		t.Errorf("blocking on a stdlib cancellable context panicked with %q; want advice to use Env.WithCancel", panicMsg)
	}
}

func TestInjectRejectsBadSchedules(t *testing.T) {
	w := New(1)
	defer w.Close()
	serve(t, w, "server", sim.ServiceSpec{Workers: 1})
	w.Node("client")
	for _, tt := range []struct {
		f    sim.Fault
		want string
	}{
		{sim.Fault{At: 0, For: ms, Kind: sim.Outage, Target: "nobody", Mode: "refuse"}, `"nobody", which is not in this world`},
		{sim.Fault{At: 0, For: ms, Kind: sim.Slowdown, Target: "client", Factor: 2}, "serves nothing"},
		{sim.Fault{At: 0, For: ms, Kind: sim.Partition, Link: "client->server", Mode: "sideways"}, "drop or hold"},
	} {
		if err := w.Inject(tt.f); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Inject(%s) = %v; want an error mentioning %q", tt.f, err, tt.want)
		}
	}
}

// TestSendAnswersOrTimesOutExactly: Send calls back with the answer when
// it arrives, or with DeadlineExceeded exactly at the timeout, never both.
func TestSendAnswersOrTimesOutExactly(t *testing.T) {
	w := New(1, WithDefaultLink(LinkSpec{Latency: sim.ConstDuration(ms)}))
	defer w.Close()
	serve(t, w, "server", sim.ServiceSpec{Workers: 1, ServiceTime: sim.ConstDuration(10 * ms)})
	client := w.Node("client")
	type result struct {
		at  time.Duration
		err error
	}
	var got []result
	for _, timeout := range []time.Duration{15 * ms, 11 * ms} {
		w.At(time.Second, func() {
			client.Send("server", "get", nil, timeout, func(_ any, err error) { got = append(got, result{w.Now(), err}) })
		})
	}
	w.Run(2 * time.Second)
	// The first is served 1.001–1.011s and answered at 1.012s, within its
	// 15ms; the second waits behind it and gives up at 1.011s.
	want := []result{{time.Second + 11*ms, context.DeadlineExceeded}, {time.Second + 12*ms, nil}}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("Send callbacks = %v; want %v", got, want)
	}
}
