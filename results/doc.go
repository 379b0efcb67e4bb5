// Package results turns measurements into result files (versioned JSON
// with HDR histogram snapshots), comparisons against a baseline, plots and
// reports. It writes to io.Writers and never runs anything.
//
// It imports neither the strategies nor any world (sim/virtual, sim/live),
// nor workload or cmd.
package results
