// Package live is the world for real: sim.Env on the wall clock and real
// goroutines, RPC as HTTP on 127.0.0.1 with msgpack bodies, the broker
// through the Kafka protocol (franz-go: an in-process kfake cluster by
// default, any Kafka-protocol cluster with WithKafka), and faults injected
// by TCP proxies on loopback. The same strategy code that runs in
// sim/virtual runs here unchanged; live is how a user checks the virtual
// world's predictions against reality, and how the harness grows past one
// machine (point it at a real cluster).
//
// # Layout of a world
//
// Every service node is a net/http server on its own 127.0.0.1 port. No
// caller dials it directly: each directed link from → to has its own proxy
// listener (also 127.0.0.1), created on the first call, and the proxy
// forwards bytes to the service. Every node's Kafka clients likewise dial
// the broker through that node's own proxy (a kgo.Dialer maps each broker
// address to the node's proxy for it), so a fault between the broker and a
// node cuts exactly that node off. Every listener binds 127.0.0.1 only;
// Addrs lists them.
//
// A call is POST /call/<method> with a msgpack envelope naming the caller,
// the registered wire type of the body (sim.RegisterWireType) and the body;
// the answer is an envelope with the answer's type and value, or an error
// code (unavailable, rejected, remote, corrupt). A body that does not
// decode is answered 400 and counted (Stats.CorruptBodies); an answer that
// does not decode fails the call with ErrCorrupt and is counted
// (Stats.CorruptAnswers). Bytes are checked before decoding so that a
// corrupt length can never make the decoder allocate more than the message
// holds.
//
// # Execution model, and how it differs from the virtual world
//
//   - Nodes run in parallel; within a node, processes take turns. A node's
//     processes (Env.Go, OnStart hooks, group members, service handlers)
//     hold the node's turn while they run and give it up only inside
//     blocking Env calls (Sleep, Call, Publish, Poll, Commit, Group.Wait),
//     exactly as a virtual process runs until it blocks. Strategy code
//     therefore needs no locks of its own, as in the virtual world — but it
//     must pass the ctx it was given (or one derived from it) to blocking
//     calls: that ctx is how a call knows its caller holds the turn. Harness
//     code reads a node's state with Node.Do, which takes the turn. Harness
//     callbacks that strategy code calls (strategies.Config.OnCommit,
//     View.OnApply) run on the calling node's goroutines, so one that
//     several nodes call, or that the harness reads while the world runs,
//     must guard its own state.
//   - Time is the wall clock: Env.Now is the time since New returned.
//     Timeouts are the standard library's and fire within the scheduler's
//     precision, not at the exact nanosecond.
//   - A goroutine cannot be killed. When a node goes down (outage or crash)
//     the ctx of its processes is cancelled and they stop at their next
//     blocking Env call, which returns ctx.Err(); code after it runs,
//     whereas a virtual crash never returns from the blocking call. Start
//     hooks rerun when the node comes back, once the previous generation
//     of its processes has returned.
//   - A service's handler keeps its worker until it returns even if the
//     caller gave up (as in the virtual world); only the node going down
//     cancels it.
//   - Randomness still comes from named streams of the seed (service times,
//     fault draws, Env.Rand), but which request draws which number depends
//     on goroutine scheduling: a live run is not reproducible byte for
//     byte.
//   - The broker is real: BrokerSpec.PublishLatency and DeliveryLatency are
//     not simulated (the broker's own latency is what is measured);
//     Partitions, Retention (topic retention.ms), CommitInterval,
//     SessionTimeout, MaxWait and MaxRecords are passed to Kafka.
//     Record.Published is the record's timestamp (the producer's send time)
//     in world time.
//
// Faults (Inject) and how each is realised live:
//
//	outage refuse     the target's proxies close their listeners (callers get
//	                  connection refused: sim.ErrUnavailable) and reset every
//	                  connection; the node's own outbound connections are
//	                  reset too; its processes are cancelled, its Kafka
//	                  clients dropped without leaving their groups
//	outage blackhole  the target's proxies accept but forward nothing; what
//	                  was sent to it is lost with its connection when the
//	                  outage ends; callers time out
//	crash             as outage refuse, restarting For later
//	partition drop    bytes on the cut link(s) are held back; a connection
//	                  that carried any during the cut is reset when it heals
//	                  (its messages were lost); idle connections survive
//	partition hold    bytes are held back and delivered in order at the heal
//	latency           each chunk of bytes on the link is delayed by a draw
//	                  from Add (order kept)
//	loss              each chunk is lost with probability P, and since a TCP
//	                  stream cannot lose one message and go on, so is its
//	                  connection (the caller sees a reset, not a timeout)
//	slowdown          the target's service times are multiplied by Factor
//	duplicate         the target's consumers see each record again in a
//	                  later poll with probability P
//
// An outage or crash of sim.BrokerNode cuts every node off the broker; the
// broker's log and group state survive, as in the virtual world.
//
// It must not import strategies, workload, results or sim/virtual.
package live
