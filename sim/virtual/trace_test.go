package virtual

import (
	"bytes"
	"context"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/sharebench/sharebench/sim"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// traceWorld runs a small world that exercises every mechanism — random
// latencies, queueing, handlers calling other services in parallel,
// timeouts, and each kind of fault — and returns its trace.
func traceWorld(seed uint64) string {
	var buf bytes.Buffer
	lat := sim.DurationDist{Dist: sim.LogNormal{Mu: math.Log(0.0005), Sigma: 0.8}}
	w := New(seed, WithTrace(&buf), WithDefaultLink(LinkSpec{Latency: lat}))
	defer w.Close()
	if _, err := w.Serve("owner", sim.ServiceSpec{Workers: 2, Queue: 3, ServiceTime: sim.DurationDist{Dist: sim.Exp{M: 0.004}}}); err != nil {
		panic(err)
	}
	gig := w.Node("gig")
	if _, err := w.Serve("gig", sim.ServiceSpec{Workers: 4, ServiceTime: sim.ConstDuration(2 * ms), Handler: func(ctx context.Context, req sim.Request) (any, error) {
		g, _ := gig.Group(ctx)
		g.Go(func(ctx context.Context) error { return gig.Sleep(ctx, req.Work) })
		g.Go(func(ctx context.Context) error {
			ctx, cancel := gig.WithTimeout(ctx, 20*ms)
			defer cancel()
			_, err := gig.Call(ctx, "owner", "clients", req.Body)
			return err
		})
		return nil, g.Wait()
	}}); err != nil {
		panic(err)
	}
	client := w.Node("client")
	if err := w.Inject(
		sim.Fault{At: 200 * ms, For: 100 * ms, Kind: sim.Outage, Target: "owner", Mode: "refuse"},
		sim.Fault{At: 400 * ms, For: 50 * ms, Kind: sim.Partition, Between: []string{"gig", "owner"}, Mode: "hold"},
		sim.Fault{At: 500 * ms, For: 100 * ms, Kind: sim.Loss, Link: "client->gig", P: 0.3},
		sim.Fault{At: 700 * ms, For: 100 * ms, Kind: sim.Slowdown, Target: "owner", Factor: 4},
		sim.Fault{At: 850 * ms, For: 20 * ms, Kind: sim.Crash, Target: "gig"},
		sim.Fault{At: 900 * ms, For: 50 * ms, Kind: sim.Latency, Link: "gig->owner", Add: sim.DurationDist{Dist: sim.Exp{M: 0.01}}},
	); err != nil {
		panic(err)
	}
	client.Go("arrivals", func(ctx context.Context) {
		r := client.Rand("arrivals")
		for i := 0; client.Now() < time.Second; i++ {
			client.Go("page", func(ctx context.Context) {
				ctx, cancel := client.WithTimeout(ctx, 60*ms)
				defer cancel()
				client.Call(ctx, "gig", "render", i)
			})
			client.Sleep(ctx, time.Duration(r.ExpFloat64()*float64(20*ms)))
		}
	})
	w.Run(1200 * ms)
	return buf.String()
}

// TestGoldenTrace: a seeded run renders the same trace, byte for byte, as
// the reviewed one under testdata/ (go test -update rewrites it); another
// seed renders a different one.
func TestGoldenTrace(t *testing.T) {
	got := traceWorld(1)
	if again := traceWorld(1); again != got {
		t.Fatal("two runs with seed 1 traced differently")
	}
	path := filepath.Join("testdata", "trace.golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("trace differs from %s; review the difference and run go test -update if it is intended\n%s", path, firstDiff(got, string(want)))
	}
	if traceWorld(2) == got {
		t.Error("seeds 1 and 2 traced identically")
	}
}

func firstDiff(a, b string) string {
	al, bl := bytes.Split([]byte(a), []byte("\n")), bytes.Split([]byte(b), []byte("\n"))
	for i := range min(len(al), len(bl)) {
		if !bytes.Equal(al[i], bl[i]) {
			return "line " + strconv.Itoa(i+1) + ":\n got: " + string(al[i]) + "\nwant: " + string(bl[i])
		}
	}
	return "one trace is a prefix of the other"
}
