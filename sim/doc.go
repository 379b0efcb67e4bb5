// Package sim is the world as strategy code sees it: the Env interface
// (clock, sleep, deadlines, processes, RPC, broker, store, randomness),
// the service and fault specifications every world implements, the
// probability distributions of the scenario notation (some read from files
// of measured latencies, sim/measured.go), and seeded random
// streams split by concern.
//
// Two worlds implement Env: sim/virtual (deterministic, virtual time) and
// sim/live (wall clock, loopback HTTP, the Kafka protocol). Strategy code
// written against Env runs unchanged in both.
//
// sim imports neither world, nor strategies, workload or results: it is
// the seam they all meet at.
package sim
