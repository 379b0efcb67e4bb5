package sim

import "math/rand/v2"

// FaultEffects are the changes a world can make to itself for faults.
// StartFault decides which a fault makes, and its end undoes exactly
// those, the same in every world; each world says only how a change is
// made in it.
type FaultEffects interface {
	// Down takes node down: swallowing what is sent to it (blackhole) or
	// refusing it. Up undoes one Down with the same blackhole; outages
	// nest, and the node is up when the last one has ended.
	Down(node string, blackhole bool)
	Up(node string, blackhole bool)
	// Slow multiplies node's service times by factor; Unslow divides
	// them by it again.
	Slow(node string, factor float64)
	Unslow(node string, factor float64)
	// Duplicate makes node's consumers see each record again with
	// probability p, drawing from rng, until stop is called.
	Duplicate(node string, p float64, rng *rand.Rand) (stop func())
	// Cut partitions the links (from, to): their messages are held
	// (hold) or dropped. delta is +1 at a partition's start, -1 at its
	// end; partitions nest.
	Cut(links [][2]string, hold bool, delta int)
	// Degrade adds a delay drawn from add, and a loss with probability
	// p, to every message on the links, drawing from rng, until stop is
	// called.
	Degrade(links [][2]string, add DurationDist, p float64, rng *rand.Rand) (stop func())
}

// StartFault applies f to a world through e and returns what undoes it,
// to be called at f's end. rng is the fault's own stream (FaultStream).
func StartFault(f Fault, e FaultEffects, rng *rand.Rand) (end func()) {
	switch f.Kind {
	case Outage, Crash:
		blackhole := f.Mode == "blackhole"
		e.Down(f.Target, blackhole)
		return func() { e.Up(f.Target, blackhole) }
	case Slowdown:
		e.Slow(f.Target, f.Factor)
		return func() { e.Unslow(f.Target, f.Factor) }
	case Duplicate:
		return e.Duplicate(f.Target, f.P, rng)
	case Partition:
		hold := f.Mode == "hold"
		e.Cut(f.Links(), hold, 1)
		return func() { e.Cut(f.Links(), hold, -1) }
	case Latency, Loss:
		return e.Degrade(f.Links(), f.Add, f.P, rng)
	}
	return func() {}
}
