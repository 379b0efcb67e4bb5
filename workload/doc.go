// Package workload reads scenario files, generates the seller population,
// page traffic, writes and fault schedules as pure schedules of time,
// drives a world with them, and judges every page render against the
// owner's full version history (the oracle).
//
// It is one of the two places (with cmd) that wire a world to the
// strategies; it must not import cmd.
package workload
