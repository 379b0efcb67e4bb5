package workload

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sharebench/sharebench/sim"
	"github.com/sharebench/sharebench/sim/live"
	"github.com/sharebench/sharebench/sim/virtual"
)

// The tests here hold the two worlds to one meaning for each statistic and
// check, where they used to differ (issue 13, item 1).

// waitFor polls cond every few milliseconds for up to 10s: the live world
// applies faults on goroutines of its own.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not after 10s", what)
		}
	}
}

// TestArrivedCountsUnreachedCalls: a call to a service that is down counts
// in its ServiceStats.Arrived, refused or swallowed, in both worlds:
// Arrived is what owner.requests reports. (The live world used not to
// count them: its proxies keep such calls from the server.)
func TestArrivedCountsUnreachedCalls(t *testing.T) {
	for _, mode := range []string{"refuse", "blackhole"} {
		outage := sim.Fault{At: 0, For: time.Minute, Kind: sim.Outage, Target: "svc", Mode: mode}

		vw := virtual.New(1)
		if _, err := vw.Serve("svc", sim.ServiceSpec{Workers: 1}); err != nil {
			t.Fatal(err)
		}
		client := vw.Node("client")
		if err := vw.Inject(outage); err != nil {
			t.Fatal(err)
		}
		var verr error
		vw.At(time.Second, func() {
			client.Send("svc", "x", nil, 200*time.Millisecond, func(_ any, err error) { verr = err })
		})
		vw.Run(2 * time.Second)
		vw.Close()
		if got := vw.Node("svc").Stats().Arrived; got != 1 || verr == nil {
			t.Errorf("virtual, outage %s: Arrived = %d, call error %v; want 1 and an error", mode, got, verr)
		}

		lw, err := live.New()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := lw.Serve("svc", sim.ServiceSpec{Workers: 1}); err != nil {
			t.Fatal(err)
		}
		lclient := lw.Node("client")
		if err := lw.Inject(outage); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "live outage", func() bool { return !lw.Node("svc").Up() })
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		_, lerr := lclient.Call(ctx, "svc", "x", nil)
		cancel()
		got := lw.Node("svc").Stats().Arrived
		if err := lw.Close(); err != nil {
			t.Error(err)
		}
		if got != 1 || lerr == nil {
			t.Errorf("live, outage %s: Arrived = %d, call error %v; want 1 and an error", mode, got, lerr)
		}
	}
}

// TestLiveSeriesHasLag: a live run reports the consumer lag in its
// per-second series, as a virtual run does, rather than 0 throughout. The
// page services are cut off from the broker for 2s while 80 writes a
// second go on, so their groups fall behind.
func TestLiveSeriesHasLag(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: a live run of about 6s of wall clock")
	}
	sc, _, err := Builtin("calibration")
	if err != nil {
		t.Fatal(err)
	}
	sc.Strategies = []string{"async"}
	sc.Duration, sc.Warmup = Duration(5*time.Second), Duration(time.Second)
	for _, svc := range []string{"gig", "user", "search"} {
		sc.Faults = append(sc.Faults, sim.Fault{At: 2 * time.Second, For: 2 * time.Second, Kind: sim.Partition, Between: []string{sim.BrokerNode, svc}})
	}
	m, _, err := RunOneLive(sc, "async", sc.Seed, LiveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var lags []int64
	for _, s := range m.Series {
		lags = append(lags, s.ConsumerLag)
	}
	if len(lags) == 0 || slices.Max(lags) == 0 {
		t.Errorf("live series consumer_lag = %v; want some second > 0 (the views are cut off from the broker from 2s to 4s)", lags)
	}
}

// TestLiveBrokerLag: the live world's BrokerLag counts the records a group
// has not been given yet, as the virtual world's does.
func TestLiveBrokerLag(t *testing.T) {
	w, err := live.New()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.AddBroker(sim.BrokerSpec{Partitions: 1, CommitInterval: time.Second, SessionTimeout: 6 * time.Second, MaxWait: 100 * time.Millisecond, MaxRecords: 100}); err != nil {
		t.Fatal(err)
	}
	n := w.Node("n")
	c, err := n.Subscribe("t", "g")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for i := range 3 {
		if err := n.Publish(ctx, "t", string(rune('a'+i)), []byte("v")); err != nil {
			t.Fatal(err)
		}
	}
	if got := w.BrokerLag(); got != 3 {
		t.Errorf("BrokerLag() before any poll = %d; want 3", got)
	}
	got := 0
	for got < 3 {
		recs, err := c.Poll(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got += len(recs)
	}
	if lag := w.BrokerLag(); lag != 0 {
		t.Errorf("BrokerLag() after polling all 3 = %d; want 0", lag)
	}
}

// injector is what the fault checks need of a world.
type injector struct {
	name   string
	inject func(...sim.Fault) error
	now    func() time.Duration
	up     func(node string) bool
	run    func(d time.Duration) // on by d (live: the wall clock runs by itself)
	close  func()
}

// worlds builds both worlds, each with a broker, a service "svc" and a
// client, with its clock at 1s or later.
func worlds(t *testing.T) []injector {
	t.Helper()
	spec := sim.BrokerSpec{Partitions: 1, CommitInterval: time.Second, SessionTimeout: 6 * time.Second, MaxWait: 100 * time.Millisecond, MaxRecords: 100}
	vw := virtual.New(1)
	lw, err := live.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range []error{vw.AddBroker(spec), lw.AddBroker(spec)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, serve := range []func(string, sim.ServiceSpec) error{
		func(n string, s sim.ServiceSpec) error { _, err := vw.Serve(n, s); return err },
		func(n string, s sim.ServiceSpec) error { _, err := lw.Serve(n, s); return err },
	} {
		if err := serve("svc", sim.ServiceSpec{Workers: 1}); err != nil {
			t.Fatal(err)
		}
	}
	vw.Node("client")
	lw.Node("client")
	vw.Run(time.Second)
	waitFor(t, "live clock", func() bool { return lw.Now() >= time.Second })
	return []injector{
		{"virtual", vw.Inject, vw.Now, func(n string) bool { return vw.Node(n).Up() }, func(d time.Duration) { vw.Run(vw.Now() + d) }, vw.Close},
		{"live", lw.Inject, lw.Now, func(n string) bool { return lw.Node(n).Up() }, func(time.Duration) {}, func() { lw.Close() }},
	}
}

// TestFaultChecksAgree: both worlds refuse the same fault schedules, with
// the same message: a duplicate aimed at the broker (it has no consumers),
// a slowdown of the broker (its time is not a service time) or of a node
// that serves nothing, a fault that has healed by now. (The virtual world
// used to take the first two, and the live one the third's cousin below.)
func TestFaultChecksAgree(t *testing.T) {
	ws := worlds(t)
	defer func() {
		for _, w := range ws {
			w.close()
		}
	}()
	bad := []struct {
		name string
		f    sim.Fault
		want string
	}{
		{"duplicate at the broker", sim.Fault{At: 30 * time.Second, For: time.Second, Kind: sim.Duplicate, Target: sim.BrokerNode, P: 0.5}, "the broker has none"},
		{"slowdown of the broker", sim.Fault{At: 30 * time.Second, For: time.Second, Kind: sim.Slowdown, Target: sim.BrokerNode, Factor: 2}, "slowdown of broker"},
		{"slowdown of the client", sim.Fault{At: 30 * time.Second, For: time.Second, Kind: sim.Slowdown, Target: "client", Factor: 2}, "slowdown of client"},
		{"healed before now", sim.Fault{At: 0, For: 500 * time.Millisecond, Kind: sim.Outage, Target: "svc"}, "before now"},
	}
	for _, c := range bad {
		var msgs []string
		for _, w := range ws {
			err := w.inject(c.f)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s: Inject(%s) = %v; want an error saying %q", w.name, c.name, err, c.want)
				continue
			}
			msgs = append(msgs, strings.Split(err.Error(), " before now (")[0]) // now differs between the worlds
		}
		if len(msgs) == 2 && msgs[0] != msgs[1] {
			t.Errorf("%s: the worlds refuse with %q and %q; want one message", c.name, msgs[0], msgs[1])
		}
	}
}

// TestFaultStartedBeforeNowStartsNow: a fault whose start has passed but
// which has not healed is taken and starts at once, in both worlds. (The
// virtual world used to refuse it.)
func TestFaultStartedBeforeNowStartsNow(t *testing.T) {
	ws := worlds(t)
	defer func() {
		for _, w := range ws {
			w.close()
		}
	}()
	for _, w := range ws {
		f := sim.Fault{At: 500 * time.Millisecond, For: time.Minute, Kind: sim.Outage, Target: "svc"}
		if err := w.inject(f); err != nil {
			t.Errorf("%s at %v: Inject(outage from 500ms for 1m) = %v; want nil (it has not healed)", w.name, w.now(), err)
		}
	}
	for _, w := range ws {
		w.run(time.Millisecond)
		waitFor(t, w.name+": svc down at once", func() bool { return !w.up("svc") })
	}
}

// TestCapabilities: both worlds can run every built-in scenario; a world
// that lacks a fault kind refuses a scenario that needs it, before it
// deploys anything, with one message whatever the world.
func TestCapabilities(t *testing.T) {
	worlds := map[string]Capabilities{"virtual": (&virtualWorld{}).caps(), "live": (&liveWorld{}).caps()}
	for _, name := range BuiltinNames() {
		sc, _, err := Builtin(name)
		if err != nil {
			t.Fatal(err)
		}
		for mode, c := range worlds {
			if err := checkCapabilities(sc, c); err != nil {
				t.Errorf("checkCapabilities(%s, %s) = %v; want nil", name, mode, err)
			}
		}
	}
	sc, _, err := Builtin("owner-outage")
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for mode, c := range worlds {
		c.Faults = slices.DeleteFunc(slices.Clone(c.Faults), func(k sim.FaultKind) bool { return k == sim.Outage })
		err := checkCapabilities(sc, c)
		if err == nil || !strings.Contains(err.Error(), "cannot apply outage faults") {
			t.Errorf("checkCapabilities(owner-outage, %s without outages) = %v; want it refused", mode, err)
			continue
		}
		msgs = append(msgs, err.Error())
	}
	if len(msgs) == 2 && msgs[0] != msgs[1] {
		t.Errorf("the worlds refuse with %q and %q; want one message", msgs[0], msgs[1])
	}
	lacking := newVirtualWorld(sc, 1)
	_, _, err = runIn(lackingWorld{lacking}, sc, "sync", 1, nil, 0)
	if err == nil || !strings.Contains(err.Error(), "cannot apply outage faults") {
		t.Errorf("runIn(owner-outage) in a world without outages = %v; want it refused", err)
	}
	if names := lacking.w.NodeNames(); len(names) != 0 {
		t.Errorf("a refused run deployed %v; want nothing deployed", names)
	}
}

// lackingWorld is the virtual world without outages.
type lackingWorld struct{ *virtualWorld }

func (l lackingWorld) caps() Capabilities {
	c := l.virtualWorld.caps()
	c.Faults = slices.DeleteFunc(slices.Clone(c.Faults), func(k sim.FaultKind) bool { return k == sim.Outage })
	return c
}
