package virtual

import (
	"context"
	"time"

	"github.com/sharebench/sharebench/sim"
)

// OpenQueue is the textbook queueing experiment, written as processes
// through the public API: customers arrive at a service open-loop (an
// arrival never waits for earlier customers), each customer a process that
// calls the service and measures its response time. With exponential
// interarrival and service times and one worker it is an M/M/1 queue.
type OpenQueue struct {
	Seed         uint64
	Service      sim.ServiceSpec  // Handler is ignored: customers only take service time
	Interarrival sim.DurationDist // time between arrivals
	Customers    int              // how many arrive
	// Observe, if set, receives each customer's response time (arrival to
	// answer) and error, in completion order.
	Observe func(response time.Duration, err error)
}

// QueueResult is what an OpenQueue run measured.
type QueueResult struct {
	Served       int           // customers answered without error
	MeanResponse time.Duration // over served customers
	Elapsed      time.Duration // virtual time from first arrival to last answer
	Stats        ServiceStats  // the service's own counters
}

// Run runs the experiment in a fresh world.
func (q OpenQueue) Run() QueueResult {
	w := New(q.Seed)
	defer w.Close()
	spec := q.Service
	spec.Handler = nil
	if _, err := w.Serve("server", spec); err != nil {
		panic(err)
	}
	client := w.Node("client")
	var res QueueResult
	var total time.Duration
	customer := func(ctx context.Context) {
		start := client.Now()
		_, err := client.Call(ctx, "server", "serve", nil)
		rt := client.Now() - start
		if err == nil {
			res.Served++
			total += rt
		}
		if q.Observe != nil {
			q.Observe(rt, err)
		}
	}
	client.Go("arrivals", func(ctx context.Context) {
		r := w.Stream("arrivals")
		for range q.Customers {
			client.Go("customer", customer)
			client.Sleep(ctx, q.Interarrival.Sample(r))
		}
	})
	res.Elapsed = w.RunUntilIdle()
	if res.Served > 0 {
		res.MeanResponse = total / time.Duration(res.Served)
	}
	res.Stats = w.nodes["server"].Stats()
	return res
}
