// Package strategies holds the real implementations being measured: the
// owner (Top Clients) service with its store and outbox, page rendering,
// and the sync, async and hybrid ways of getting the owner's data onto
// other services' pages.
//
// Strategy code is written only against sim.Env, so the same code runs in
// virtual time and live. It imports sim and nothing under sim/virtual or
// sim/live, nor workload or results; it never calls time.Now, time.Sleep
// or the like, and never starts a goroutine.
package strategies
