package live

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sharebench/sharebench/sim"
)

// TestTurns: a node's processes and handlers take turns, switching only in
// blocking Env calls, so state they share needs no lock (the race detector
// checks this test); nodes run in parallel.
func TestTurns(t *testing.T) {
	w := newWorld(t)
	counter := 0 // the node's state, touched by processes and handlers
	svc := w.Node("svc")
	if _, err := w.Serve("svc", sim.ServiceSpec{Workers: 8, Handler: func(ctx context.Context, req sim.Request) (any, error) {
		counter++
		return nil, svc.Sleep(ctx, time.Millisecond)
	}}); err != nil {
		t.Fatal(err)
	}
	for range 4 {
		svc.Go("loop", func(ctx context.Context) {
			for range 50 {
				if svc.Sleep(ctx, 100*time.Microsecond) != nil {
					return
				}
				counter++
			}
		})
	}
	client := w.Node("client")
	g, gctx := client.Group(context.Background())
	for range 50 {
		g.Go(func(ctx context.Context) error {
			_, err := client.Call(ctx, "svc", "x", nil)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatalf("group of calls: %v", err)
	}
	if gctx.Err() == nil {
		t.Errorf("group ctx not done after Wait")
	}
	if !eventually(5*time.Second, func() bool {
		n := 0
		svc.Do(func() { n = counter })
		return n == 250
	}) {
		svc.Do(func() { t.Errorf("counter = %d; want 250 (200 by processes, 50 by handlers)", counter) })
	}
}

// TestGroupFirstError: the first error cancels the group's ctx and is
// what Wait returns, as errgroup's.
func TestGroupFirstError(t *testing.T) {
	w := newWorld(t)
	n := w.Node("n")
	boom := errors.New("boom")
	done := make(chan error, 1)
	n.Go("main", func(ctx context.Context) {
		g, gctx := n.Group(ctx)
		g.Go(func(ctx context.Context) error { return boom })
		g.Go(func(ctx context.Context) error { return n.Sleep(ctx, time.Minute) })
		err := g.Wait()
		if gctx.Err() == nil {
			err = errors.New("group ctx still live")
		}
		done <- err
	})
	select {
	case err := <-done:
		if !errors.Is(err, boom) {
			t.Errorf("Wait = %v; want boom", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("group did not finish")
	}
}

// TestOutageStopsAndRestarts: an outage cancels the node's processes (they
// stop at their next blocking call) and reruns its start hooks when it
// ends; Go on a node that is down does nothing.
func TestOutageStopsAndRestarts(t *testing.T) {
	w := newWorld(t)
	n := w.Node("n")
	var starts, stops atomic.Int32
	n.OnStart("loop", func(ctx context.Context) {
		starts.Add(1)
		defer stops.Add(1)
		for n.Sleep(ctx, 10*ms) == nil {
		}
	})
	if err := w.Inject(sim.Fault{At: 100 * ms, For: 200 * ms, Kind: sim.Outage, Target: "n"}); err != nil {
		t.Fatal(err)
	}
	if !eventually(time.Second, func() bool { return stops.Load() == 1 }) {
		t.Fatalf("process not stopped by the outage")
	}
	if n.Up() {
		t.Errorf("node up during its outage")
	}
	ran := make(chan bool, 1)
	n.Go("late", func(context.Context) { ran <- true })
	if !eventually(2*time.Second, func() bool { return starts.Load() == 2 }) {
		t.Fatalf("start hook ran %d times; want 2 (again after the outage)", starts.Load())
	}
	select {
	case <-ran:
		t.Errorf("Go on a node that was down started a process")
	default:
	}
}
