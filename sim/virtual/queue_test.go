package virtual

import (
	"math/rand/v2"
	"slices"
	"testing"
	"testing/quick"
	"time"
)

// label is an action that records which event fired.
type label struct {
	id  int
	log *[]int
}

func (l label) fire() { *l.log = append(*l.log, l.id) }

// TestEventQueueAgainstSortedSlice checks the heap-plus-FIFO queue against
// the dumbest correct reference: every event ever scheduled, sorted by
// (time, order of scheduling). Scheduling and draining interleave, and many
// events share an instant, which is where a FIFO/heap mix-up would show.
func TestEventQueueAgainstSortedSlice(t *testing.T) {
	check := func(seed uint64) bool {
		r := rand.New(rand.NewPCG(seed, 0))
		var q eventQueue
		var got []int
		type ref struct {
			at time.Duration
			id int
		}
		var all []ref
		id := 0
		add := func(at time.Duration) {
			all = append(all, ref{at, id})
			q.schedule(at, label{id, &got}, 0)
			id++
		}
		for range 1 + r.IntN(50) {
			add(time.Duration(r.IntN(5)))
		}
		for range 2000 {
			if r.IntN(3) > 0 {
				act, _ := q.next(maxTime)
				if act == nil {
					continue
				}
				act.fire()
			} else {
				// Same instant (FIFO path) or a little later (heap).
				add(q.now + time.Duration(r.IntN(3)))
			}
		}
		for act, _ := q.next(maxTime); act != nil; act, _ = q.next(maxTime) {
			act.fire()
		}
		slices.SortStableFunc(all, func(a, b ref) int { return int(a.at - b.at) })
		want := make([]int, len(all))
		for i, e := range all {
			want[i] = e.id
		}
		if !slices.Equal(got, want) {
			t.Logf("seed %d: fired %v; want %v", seed, got, want)
			return false
		}
		return true
	}
	if err := quick.Check(check, &quick.Config{MaxCount: 300}); err != nil {
		t.Error(err)
	}
}

// TestEventQueueUntil: next stops at the horizon and leaves later events.
func TestEventQueueUntil(t *testing.T) {
	var q eventQueue
	var got []int
	for i, at := range []time.Duration{5, 1, 9, 3} {
		q.schedule(at, label{i, &got}, 0)
	}
	for act, _ := q.next(4); act != nil; act, _ = q.next(4) {
		act.fire()
	}
	if !slices.Equal(got, []int{1, 3}) || q.pending() != 2 {
		t.Errorf("next(4) fired %v with %d pending; want [1 3] with 2", got, q.pending())
	}
}
