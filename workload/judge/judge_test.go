package judge

import (
	"slices"
	"testing"
	"time"

	"github.com/sharebench/sharebench/strategies"
)

const ms = time.Millisecond

// history: seller 3's list at version 1 (1 client) from 1s, version 2
// (2 clients) from 2s, version 3 (3 clients) from 2.5s. Seller 7 has no
// version yet.
func history() *History {
	h := NewHistory()
	for _, c := range []struct {
		v  uint64
		at time.Duration
	}{{1, 1000 * ms}, {2, 2000 * ms}, {3, 2500 * ms}} {
		h.Record(&strategies.List{Seller: 3, Version: c.v, Committed: c.at, Clients: make([]strategies.Client, c.v)})
	}
	return h
}

// shows is a section of seller s showing version v with its clients, read
// at readAt.
func shows(s strategies.Seller, v uint64, readAt time.Duration) strategies.Section {
	return strategies.Section{Seller: s, Version: v, Clients: int(v), ReadAt: readAt}
}

// TestJudge is the judge's specification: one case for each verdict, and
// the edges between them.
func TestJudge(t *testing.T) {
	h := history()
	for _, tt := range []struct {
		name string
		read Read
		want Verdict
	}{{
		name: "fresh: shows the version the owner holds at arrival",
		read: Read{Section: shows(3, 3, 3000*ms), Arrived: 4000 * ms},
		want: Verdict{Outcome: Fresh, Owner: 3, Clients: 3, SinceWrite: 1500 * ms},
	}, {
		name: "stale by time: current when read, a commit landed before the page arrived",
		read: Read{Section: shows(3, 2, 2400*ms), Arrived: 2600 * ms},
		want: Verdict{Outcome: Stale, Owner: 3, Clients: 3, Behind: 1, Staleness: 100 * ms, SinceWrite: 100 * ms},
	}, {
		name: "stale by versions: two commits behind, stale since the first it missed",
		read: Read{Section: shows(3, 1, 4000*ms), Arrived: 4000 * ms},
		want: Verdict{Outcome: Stale, Owner: 3, Clients: 3, Behind: 2, Staleness: 2000 * ms, SinceWrite: 1500 * ms},
	}, {
		name: "missing section: nothing shown is neither fresh nor stale",
		read: Read{Section: strategies.Section{Seller: 3, Failed: true}, Arrived: 4000 * ms},
		want: Verdict{Outcome: Missing, Owner: 3, Clients: 3, SinceWrite: 1500 * ms},
	}, {
		name: "self-view violation: the owner's own view showed what it held before the read",
		read: Read{Section: shows(3, 1, 3000*ms), Arrived: 3000 * ms, Self: true},
		want: Verdict{Outcome: SelfViolation, Owner: 3, Clients: 3, Behind: 2, Staleness: 1000 * ms, SinceWrite: 500 * ms},
	}, {
		name: "self-view stale by time is no violation: it was current when read",
		read: Read{Section: shows(3, 2, 2400*ms), Arrived: 2600 * ms, Self: true},
		want: Verdict{Outcome: Stale, Owner: 3, Clients: 3, Behind: 1, Staleness: 100 * ms, SinceWrite: 100 * ms},
	}, {
		name: "self-view read in the very instant of a commit may show either side of it",
		read: Read{Section: shows(3, 2, 2500*ms), Arrived: 2500 * ms, Self: true},
		want: Verdict{Outcome: Stale, Owner: 3, Clients: 3, Behind: 1, Staleness: 0, SinceWrite: 0},
	}, {
		name: "self-view showing a version the owner did not yet hold is a violation",
		read: Read{Section: shows(3, 3, 2400*ms), Arrived: 2600 * ms, Self: true},
		want: Verdict{Outcome: SelfViolation, Owner: 3, Clients: 3, SinceWrite: 100 * ms},
	}, {
		name: "missing self-view: nothing shown breaks no promise",
		read: Read{Section: strategies.Section{Seller: 3, Failed: true, ReadAt: 3000 * ms}, Arrived: 3000 * ms, Self: true},
		want: Verdict{Outcome: Missing, Owner: 3, Clients: 3, SinceWrite: 500 * ms},
	}, {
		name: "fresh before any commit: the empty list, and no write to measure from",
		read: Read{Section: shows(7, 0, 3000*ms), Arrived: 3000 * ms},
		want: Verdict{Outcome: Fresh, SinceWrite: -1},
	}} {
		if got := Judge(h, tt.read); got != tt.want {
			t.Errorf("%s:\nJudge(%+v) = %+v;\nwant %+v", tt.name, tt.read, got, tt.want)
		}
	}
}

// TestCheck: a set of reads gets every verdict, in order, the headline
// counts, where the violations are, and the staleness summed and at worst.
func TestCheck(t *testing.T) {
	h := history()
	reads := []Read{
		{Section: shows(3, 3, 3000*ms), Arrived: 3000 * ms},                // fresh
		{Section: shows(3, 1, 3000*ms), Arrived: 3000 * ms},                // stale, 2 behind, 1s
		{Section: shows(3, 2, 2400*ms), Arrived: 2600 * ms, Self: true},    // stale, 1 behind, 100ms
		{Section: strategies.Section{Seller: 3, Failed: true}, Arrived: 0}, // missing
		{Section: shows(3, 2, 3000*ms), Arrived: 3000 * ms, Self: true},    // violation, 1 behind, 500ms
	}
	rep := Check(h, reads)
	if len(rep.Verdicts) != len(reads) {
		t.Fatalf("Check gave %d verdicts; want %d, one per read", len(rep.Verdicts), len(reads))
	}
	for i, r := range reads {
		if got, want := rep.Verdicts[i], Judge(h, r); got != want {
			t.Errorf("Check(...).Verdicts[%d] = %+v; want Judge's %+v", i, got, want)
		}
	}
	if rep.Fresh != 1 || rep.Stale != 2 || rep.Missing != 1 || rep.SelfViolations != 1 {
		t.Errorf("Check(...) counts fresh %d, stale %d, missing %d, violations %d; want 1, 2, 1, 1",
			rep.Fresh, rep.Stale, rep.Missing, rep.SelfViolations)
	}
	if !slices.Equal(rep.Violations, []int{4}) || rep.OK() {
		t.Errorf("Check(...).Violations = %v, OK %v; want [4], not OK", rep.Violations, rep.OK())
	}
	if rep.VersionsBehind != 4 || rep.MaxStaleness != 1000*ms {
		t.Errorf("Check(...) versions behind %d, max staleness %v; want 4, 1s", rep.VersionsBehind, rep.MaxStaleness)
	}
	if clean := Check(h, reads[:4]); !clean.OK() || clean.Violations != nil {
		t.Errorf("Check(reads without the violation) OK %v, violations %v; want OK, none", clean.OK(), clean.Violations)
	}
}

// TestHistory: versions are looked up by time, a commit counting from its
// own instant, and commit times by version.
func TestHistory(t *testing.T) {
	h := history()
	for _, tt := range []struct {
		s    strategies.Seller
		at   time.Duration
		v    uint64
		kids int
	}{{3, 999 * ms, 0, 0}, {3, 1000 * ms, 1, 1}, {3, 2499 * ms, 2, 2}, {3, 2500 * ms, 3, 3}, {7, time.Hour, 0, 0}} {
		if v, c := h.At(tt.s, tt.at); v != tt.v || c != tt.kids {
			t.Errorf("At(%d, %v) = %d, %d; want %d, %d", tt.s, tt.at, v, c, tt.v, tt.kids)
		}
	}
	if got := h.Latest(3); got != 3 {
		t.Errorf("Latest(3) = %d; want 3", got)
	}
	if at, ok := h.CommittedAt(3, 2); !ok || at != 2000*ms {
		t.Errorf("CommittedAt(3, 2) = %v, %v; want 2s, true", at, ok)
	}
	if _, ok := h.CommittedAt(3, 4); ok {
		t.Errorf("CommittedAt(3, 4) found a version never committed")
	}
}

func TestOutcomeString(t *testing.T) {
	for o, want := range map[Outcome]string{Fresh: "fresh", Stale: "stale", Missing: "missing", SelfViolation: "self-view violation"} {
		if got := o.String(); got != want {
			t.Errorf("Outcome(%d).String() = %q; want %q", o, got, want)
		}
	}
}
