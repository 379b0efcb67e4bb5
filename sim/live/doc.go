// Package live is the world for real: sim.Env on the wall clock and
// goroutines, with RPC as HTTP on 127.0.0.1, the broker through the Kafka
// protocol, and faults injected by a TCP proxy on loopback. It is how a
// user checks the virtual world's predictions against reality.
//
// It must not import strategies, workload, results or sim/virtual.
package live
