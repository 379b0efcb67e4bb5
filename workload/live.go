package workload

import (
	"slices"
	"sync"
	"time"

	"github.com/sharebench/sharebench/results"
	"github.com/sharebench/sharebench/sim"
	"github.com/sharebench/sharebench/strategies"
)

// LiveOptions say how to run in the live world.
type LiveOptions struct {
	// Kafka lists the seed brokers of a Kafka-protocol cluster to use;
	// none starts an embedded kfake cluster per run.
	Kafka []string
}

// RunOneLive runs one strategy with one seed in the live world: real
// goroutines, HTTP on loopback, the Kafka protocol, faults through TCP
// proxies, on the wall clock. The scenario's network latencies are
// injected by the proxies for the whole run. It returns the metrics (the
// same keys as a virtual run) and the page requests sent. A live run is
// not reproducible byte for byte: timing comes from the machine.
func RunOneLive(sc *Scenario, strategy strategies.Strategy, seed uint64, lo LiveOptions) (*results.Metrics, int64, error) {
	w, err := newLiveWorld(sc, seed, lo)
	if err != nil {
		return nil, 0, err
	}
	return runIn(w, sc, string(strategy), seed, nil, 0)
}

// networkFaults turns the scenario's network into latency and loss faults
// for the whole run, which the live world's proxies apply to every link:
// a live world has no network model of its own, only loopback.
func networkFaults(sc *Scenario) []sim.Fault {
	nodes := sc.Nodes()
	whole := sc.End() + sc.Traffic.Pages.Timeout.D() + time.Minute
	var fs []sim.Fault
	for _, from := range nodes {
		for _, to := range nodes {
			if from == to {
				continue
			}
			l := sc.Network.Default
			if ll, ok := sc.Network.Links[from+"->"+to]; ok {
				l = ll
			}
			link := from + "->" + to
			if !l.Latency.IsZero() {
				fs = append(fs, sim.Fault{At: 0, For: whole, Kind: sim.Latency, Link: link, Add: l.Latency})
			}
			if l.Loss > 0 {
				fs = append(fs, sim.Fault{At: 0, For: whole, Kind: sim.Loss, Link: link, P: l.Loss})
			}
		}
	}
	return fs
}

// RunLive runs every strategy of the scenario for every seed in the live
// world, one run at a time (runs side by side would disturb each other's
// timing), and returns the result file with Mode "live".
func RunLive(sc *Scenario, opts RunOptions, lo LiveOptions) (*results.File, error) {
	opts.Parallel = 1
	return runAll(sc, opts, "live", func(seed uint64) (world, error) { return newLiveWorld(sc, seed, lo) })
}

// Overloaded is the timer lateness (StartTimerProbe) beyond which a
// machine is too busy for the live world: its injected delays of a few
// milliseconds are no longer what calls experience.
const Overloaded = 5 * time.Millisecond

// StartTimerProbe samples, until the returned function is called, how late
// a 2ms sleep wakes, and that function returns the 99th percentile:
// whether the machine, during a live run, honoured the short waits the
// live world's delays are made of. It costs one goroutine waking 500 times
// a second.
func StartTimerProbe() (stop func() time.Duration) {
	var late []time.Duration
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-done:
				return
			default:
			}
			start := time.Now()
			time.Sleep(2 * time.Millisecond)
			late = append(late, time.Since(start)-2*time.Millisecond)
		}
	})
	return func() time.Duration {
		close(done)
		wg.Wait()
		if len(late) == 0 {
			return 0
		}
		slices.Sort(late)
		return late[len(late)*99/100]
	}
}
