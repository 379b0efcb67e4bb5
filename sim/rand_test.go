package sim

import "testing"

func TestStreamsAreNamedAndIndependent(t *testing.T) {
	s := NewStreams(42)
	draw := func(name string, n int) []uint64 {
		r := s.Stream(name)
		out := make([]uint64, n)
		for i := range out {
			out[i] = r.Uint64()
		}
		return out
	}
	a1 := draw("workload/arrivals", 5)
	// Using other concerns in between must not shift this one.
	draw("fault/0", 1000)
	draw("net/gig->topclients", 1000)
	a2 := draw("workload/arrivals", 5)
	for i := range a1 {
		if a1[i] != a2[i] {
			t.Fatalf("stream %q draw %d = %d, then %d after other streams were used; want equal", "workload/arrivals", i, a1[i], a2[i])
		}
	}
	if b := draw("workload/writes", 5); b[0] == a1[0] && b[1] == a1[1] {
		t.Errorf("streams %q and %q start alike; want independent streams", "workload/arrivals", "workload/writes")
	}
	if c := NewStreams(43).Stream("workload/arrivals").Uint64(); c == a1[0] {
		t.Errorf("seeds 42 and 43 give the same first draw %d; want different", c)
	}
}
