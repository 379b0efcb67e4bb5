package judge

import (
	"sort"
	"time"

	"github.com/sharebench/sharebench/strategies"
)

// History is the owner's version history as the harness records it
// through strategies.Config.OnCommit: when each version of each seller's
// list was committed. It is what renders are judged against.
type History struct {
	commits [][]commit // by seller
}

type commit struct {
	version uint64
	at      time.Duration
	clients int
}

// NewHistory returns an empty history.
func NewHistory() *History { return &History{} }

func (h *History) of(s strategies.Seller) []commit {
	if int(s) < len(h.commits) {
		return h.commits[s]
	}
	return nil
}

// Record notes a commit; commits arrive in commit order. Use it as
// strategies.Config.OnCommit.
func (h *History) Record(l *strategies.List) {
	for int(l.Seller) >= len(h.commits) {
		h.commits = append(h.commits, nil)
	}
	h.commits[l.Seller] = append(h.commits[l.Seller], commit{l.Version, l.Committed, len(l.Clients)})
}

// VersionAt is the version of s's list committed at or before t (0 if
// none was).
func (h *History) VersionAt(s strategies.Seller, t time.Duration) uint64 {
	v, _ := h.At(s, t)
	return v
}

// At is the version of s's list committed at or before t and how many
// clients it had.
func (h *History) At(s strategies.Seller, t time.Duration) (version uint64, clients int) {
	cs := h.of(s)
	i := sort.Search(len(cs), func(i int) bool { return cs[i].at > t })
	if i == 0 {
		return 0, 0
	}
	return cs[i-1].version, cs[i-1].clients
}

// Latest is the newest version of s's list.
func (h *History) Latest(s strategies.Seller) uint64 { return h.VersionAt(s, 1<<62) }

// CommittedAt is when version v of s's list was committed.
func (h *History) CommittedAt(s strategies.Seller, v uint64) (time.Duration, bool) {
	cs := h.of(s)
	i := sort.Search(len(cs), func(i int) bool { return cs[i].version >= v })
	if i == len(cs) || cs[i].version != v {
		return 0, false
	}
	return cs[i].at, true
}

// Current reports whether a section shows what the owner held when its
// source read it: the self-view contract. A commit in the very instant of
// the read may fall on either side of it. A failed section shows nothing
// and is not judged.
func (h *History) Current(sec strategies.Section) bool {
	if sec.Failed {
		return true
	}
	before := h.VersionAt(sec.Seller, sec.ReadAt-1)
	return before <= sec.Version && sec.Version <= h.VersionAt(sec.Seller, sec.ReadAt)
}
