package sim

import (
	"context"
	"fmt"
	"time"
)

// What both worlds share about their nodes: the Hosts adapter, the names
// of their random streams, and the checks a fault schedule passes before
// a world takes it. Kept here so that the two worlds cannot drift apart.

// HostNode is a world's node as HostsOf needs it.
type HostNode interface {
	Env
	// OnStart runs fn as a process of the node now and whenever it comes
	// back from a crash.
	OnStart(name string, fn func(ctx context.Context))
}

// HostWorld is a world as HostsOf needs it.
type HostWorld[N HostNode] interface {
	Node(name string) N
	Serve(name string, spec ServiceSpec) (N, error)
}

// HostsOf is a world as Hosts, for deploying strategies into it; each
// world's Hosts method returns one.
func HostsOf[N HostNode](w HostWorld[N]) Hosts { return hosts[N]{w} }

type hosts[N HostNode] struct{ w HostWorld[N] }

func (h hosts[N]) Node(name string) Env { return h.w.Node(name) }
func (h hosts[N]) Serve(name string, spec ServiceSpec) error {
	_, err := h.w.Serve(name, spec)
	return err
}
func (h hosts[N]) OnStart(node, name string, fn func(ctx context.Context)) {
	h.w.Node(node).OnStart(name, fn)
}

// NodeStream names a node's random stream for a concern (Env.Rand).
func NodeStream(node, concern string) string { return "node/" + node + "/" + concern }

// ServiceStream names the stream a service draws its service times from.
func ServiceStream(service string) string { return "service/" + service }

// FaultStream names the stream of the id-th fault a world was given.
func FaultStream(id int) string { return fmt.Sprintf("fault/%d", id) }

// CheckInject is the check every world makes before it takes a fault
// schedule, the same in both so that a schedule one world takes the other
// takes too: CheckFaults against the world's nodes and horizon; no
// slowdown of a node that serves nothing, nor of the broker (its time is
// its latencies, not a service time); no duplicate aimed at the broker (it
// has no consumers); and no fault that has healed by now. A fault whose
// start has passed but which has not healed starts at once and ends at
// its End: a world's clock may have moved on while it was built (the live
// one's always has).
func CheckInject(faults []Fault, nodes []string, serves func(node string) bool, now, horizon time.Duration) error {
	if err := CheckFaults(faults, nodes, horizon); err != nil {
		return err
	}
	for i, f := range faults {
		switch {
		case f.Kind == Slowdown && (f.Target == BrokerNode || !serves(f.Target)):
			return fmt.Errorf("faults[%d]: slowdown of %s, which serves nothing that a slowdown reaches; slow down a service", i, f.Target)
		case f.Kind == Duplicate && f.Target == BrokerNode:
			return fmt.Errorf("faults[%d]: duplicate targets the consumers of a node; the broker has none", i)
		case f.End() < now || (f.For > 0 && f.End() == now):
			return fmt.Errorf("faults[%d]: %s would heal at %v, before now (%v)", i, f, f.End(), now)
		}
	}
	return nil
}

// ServiceCounts are the counters of a service that every world keeps,
// each with one meaning in every world (each world's ServiceStats embeds
// them), so that a figure read from them is one figure in both.
type ServiceCounts struct {
	// Arrived counts the requests sent to the node: refused or swallowed
	// by an outage, rejected, or admitted. It is owner.requests. A world
	// whose outages keep a request from the server (live: its proxies
	// refuse it or hold its bytes) counts it as it is sent, when the
	// callee is down.
	Arrived   int64
	Refused   int64 // ... while it was down in refuse mode
	Swallowed int64 // ... while it was down in blackhole mode
	Rejected  int64 // ... with every worker busy and the queue full
	Completed int64 // served and answered
	Lost      int64 // admitted, then dropped by the node going down

	Sojourn     time.Duration // total over completed requests of arrival → answer
	MaxQueue    int           // longest the queue has been
	MaxInSystem int           // most requests in service or queued at once
}

// Admitted is how many requests were queued or served.
func (s ServiceCounts) Admitted() int64 { return s.Arrived - s.Refused - s.Swallowed - s.Rejected }
