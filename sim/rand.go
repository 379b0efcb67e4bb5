package sim

import (
	"hash/fnv"
	"math/rand/v2"
)

// Streams derives independent random streams from one seed, one per named
// concern ("workload/arrivals", "net/gig->topclients", "fault/3"). Because a
// stream depends only on the seed and its name, adding a concern — a fault,
// a link, a service — never reshuffles the numbers another concern draws.
type Streams struct{ seed uint64 }

// NewStreams returns the streams of seed.
func NewStreams(seed uint64) Streams { return Streams{seed} }

// Seed is the seed the streams derive from.
func (s Streams) Seed() uint64 { return s.seed }

// Stream returns a new generator for the named concern; two calls with the
// same name return generators that yield the same sequence.
func (s Streams) Stream(name string) *rand.Rand {
	return rand.New(rand.NewPCG(s.seed, streamID(name)))
}

func streamID(name string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return h.Sum64()
}
