// Package workload reads scenario files, generates the seller population,
// page traffic, writes and fault schedules as pure schedules of time,
// drives a world with them, and measures every page render (the oracle):
// the judge (package workload/judge) gives each section a verdict against
// the owner's full version history, and the oracle adds the verdicts up
// per page kind, per second and per batch.
//
// It is one of the two places (with cmd) that wire a world to the
// strategies; it must not import cmd.
package workload
