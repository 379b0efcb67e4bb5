// Package virtual is the deterministic world: a discrete-event kernel with
// a virtual clock, simulated processes, queueing services, a network of
// links, and fault injection. It implements sim.Env, so strategy code runs
// in it unchanged.
//
// # Execution model
//
// Every process is a stackful coroutine (iter.Pull) and exactly one runs at
// a time: it runs until it blocks in a Node method (Sleep, Call, Group.Wait,
// ...), which parks it and returns control to the kernel. The kernel pops
// the next event in (time, sequence) order and either resumes a process or
// fires a kernel action. Nothing reads the wall clock, no goroutine runs
// beside the kernel, and all randomness comes from named streams of one
// seed (sim.Streams), so a run is a pure function of the seed and the setup:
// the same inputs give the same trace, byte for byte.
//
// Contracts worth knowing:
//
//   - Time only moves between events. A process that never blocks holds the
//     world still; one that blocks on a real channel or mutex stalls it.
//   - Contexts for deadlines and cancellation come from Node.WithTimeout and
//     Node.WithCancel. Their deadlines are exact: a timeout fires at the
//     instant it names, and ctx.Err() reports it from that instant on.
//   - A crash (an outage or crash fault) stops the node's processes at their
//     current blocking call: they unwind with their deferred calls run and
//     never return from it. Processes are pooled; Close unwinds those left,
//     so no goroutine outlives the World.
//   - A message's fate on a link (lost, held, delayed) is decided when it is
//     sent; faults that begin later do not touch messages already in flight.
//   - A World is not safe for concurrent use: one goroutine drives it. Run
//     many Worlds in parallel instead.
//
// This package must not import strategies, workload, results or sim/live.
package virtual
