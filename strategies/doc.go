// Package strategies holds the real implementations being measured: the
// owner services (the marketplace's Top Clients, or any number of a
// scenario's own), each with its store and outbox; page rendering, each
// page kind reading sections of one or more owners; and the sync, async
// and hybrid ways of getting each owner's data onto other services'
// pages, chosen per owner.
//
// Strategy code is written only against sim.Env, so the same code runs in
// virtual time and live. It imports sim and nothing under sim/virtual or
// sim/live, nor workload or results; it never calls time.Now, time.Sleep
// or the like, and never starts a goroutine.
package strategies
