package sim

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// recorder is a world that writes down the changes it is asked for.
type recorder struct{ log []string }

func (r *recorder) add(format string, args ...any) {
	r.log = append(r.log, fmt.Sprintf(format, args...))
}

func (r *recorder) Down(node string, blackhole bool)   { r.add("down %s %v", node, blackhole) }
func (r *recorder) Up(node string, blackhole bool)     { r.add("up %s %v", node, blackhole) }
func (r *recorder) Slow(node string, factor float64)   { r.add("slow %s %g", node, factor) }
func (r *recorder) Unslow(node string, factor float64) { r.add("unslow %s %g", node, factor) }
func (r *recorder) Duplicate(node string, p float64, _ *rand.Rand) func() {
	r.add("dup %s %g", node, p)
	return func() { r.add("undup %s", node) }
}
func (r *recorder) Cut(links [][2]string, hold bool, delta int) {
	r.add("cut %v %v %+d", links, hold, delta)
}
func (r *recorder) Degrade(links [][2]string, _ DurationDist, p float64, _ *rand.Rand) func() {
	r.add("degrade %v %g", links, p)
	return func() { r.add("restore %v", links) }
}

// TestStartFault: each kind makes its change at the start and undoes
// exactly it at the end.
func TestStartFault(t *testing.T) {
	add := DurationDist{Dist: Const{V: 0.01}}
	cases := []struct {
		f    Fault
		want string
	}{
		{Fault{Kind: Outage, Target: "a"}, "down a false | up a false"},
		{Fault{Kind: Outage, Target: "a", Mode: "blackhole"}, "down a true | up a true"},
		{Fault{Kind: Crash, Target: "a"}, "down a false | up a false"},
		{Fault{Kind: Slowdown, Target: "a", Factor: 3}, "slow a 3 | unslow a 3"},
		{Fault{Kind: Duplicate, Target: "a", P: 0.5}, "dup a 0.5 | undup a"},
		{Fault{Kind: Partition, Link: "a->b"}, "cut [[a b]] false +1 | cut [[a b]] false -1"},
		{Fault{Kind: Partition, Between: []string{"a", "b"}, Mode: "hold"}, "cut [[a b] [b a]] true +1 | cut [[a b] [b a]] true -1"},
		{Fault{Kind: Latency, Link: "a->b", Add: add}, "degrade [[a b]] 0 | restore [[a b]]"},
		{Fault{Kind: Loss, Link: "a->b", P: 0.1}, "degrade [[a b]] 0.1 | restore [[a b]]"},
	}
	for _, c := range cases {
		c.f.For = time.Second
		r := &recorder{}
		end := StartFault(c.f, r, nil)
		r.add("|")
		end()
		if got := strings.Join(r.log, " "); got != c.want {
			t.Errorf("StartFault(%s) then end = %q; want %q", c.f, got, c.want)
		}
	}
}
