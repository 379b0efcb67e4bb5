package strategies_test

import (
	"testing"
	"time"

	"github.com/sharebench/sharebench/strategies"
)

// TestDesignsSayWhatDeploymentsDo: each strategy's Design row is what its
// deployment does. After one write, the owner has published iff the row
// says it publishes; the page services hold views or caches iff it says
// they keep them; and four public renders (a seller with clients and one
// without, each twice) call the owner as often as the row's Reads says.
func TestDesignsSayWhatDeploymentsDo(t *testing.T) {
	// Owner calls for renders of seller 0 (clients), 0, 1 (none), 1.
	calls := map[strategies.OwnerReads]int64{
		strategies.ReadsAlways:     4,
		strategies.ReadsOnMiss:     2, // the second render of each is a hit
		strategies.ReadsNever:      0,
		strategies.ReadsWhenListed: 2, // only seller 0 is listed
	}
	for _, s := range strategies.Strategies {
		d := s.Design()
		want, ok := calls[d.Reads]
		if !ok {
			t.Errorf("%s: Design() = %+v; want a known Reads", s, d)
			continue
		}
		r := newRig(t, s, 1)
		r.writeAt(100*ms, strategies.Write{Seller: 11, Op: strategies.Add, Client: 1})
		owner := r.w.Node(strategies.OwnerNode)
		var before, after int64
		r.w.At(time.Second, func() { before = owner.Stats().Arrived })
		for i, seller := range []strategies.Seller{0, 0, 1, 1} {
			r.renderAt(time.Second+time.Duration(i+1)*100*ms, "gig", seller)
		}
		r.w.At(2*time.Second, func() { after = owner.Stats().Arrived })
		r.w.Run(3 * time.Second)

		if got := r.d.Pages["gig"].Stats.Renders["gig"]; got != 4 {
			t.Errorf("%s: gig service counted %d gig renders; want 4", s, got)
		}
		if got := after - before; got != want {
			t.Errorf("%s reads the owner %q: 4 renders made %d owner calls; want %d", s, d.Reads, got, want)
		}
		if published := r.d.Owner.Stats.Published > 0; published != (d.Publishes != strategies.NoEvents) {
			t.Errorf("%s publishes %q: owner published %d events after a write", s, d.Publishes, r.d.Owner.Stats.Published)
		}
		views := len(r.d.Views) == len(strategies.PageServiceNames)
		if wantViews := d.Keeps == strategies.KeepsLists || d.Keeps == strategies.KeepsIDSets; views != wantViews || (!wantViews && len(r.d.Views) != 0) {
			t.Errorf("%s keeps %q: %d views; want %v", s, d.Keeps, len(r.d.Views), wantViews)
		}
		if caches := len(r.d.CacheStats()) > 0; caches != (d.Keeps == strategies.KeepsCache) {
			t.Errorf("%s keeps %q: %d caches", s, d.Keeps, len(r.d.CacheStats()))
		}
		if d.Keeps == strategies.KeepsIDSets {
			if e := r.d.View("gig", strategies.OwnerNode).Entry(11); len(e.IDs) != 1 || len(e.Clients) != 0 {
				t.Errorf("%s keeps %q: entry %+v after adding a client; want one ID and no clients", s, d.Keeps, e)
			}
		}
		if d.Keeps == strategies.KeepsLists {
			if e := r.d.View("gig", strategies.OwnerNode).Entry(11); len(e.Clients) != 1 || len(e.IDs) != 0 {
				t.Errorf("%s keeps %q: entry %+v after adding a client; want one client and no IDs", s, d.Keeps, e)
			}
		}
	}
}
