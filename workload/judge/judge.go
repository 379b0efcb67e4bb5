// Package judge decides what each section a page showed was worth, against
// the owner's full version history: fresh, stale (by how long and by how
// many versions), missing, or, on the owner's own view, a broken
// read-your-writes promise. It is the harness's checker, in the spirit of
// porcupine's CheckOperations: pure functions of a recorded history and
// the reads made against it, usable on their own (Check) or one section at
// a time as a run streams by (Judge, as the workload's oracle does).
//
// It is harness code: strategies must not import it. It depends on the
// strategies' domain types only, and must not import the worlds
// (sim/virtual, sim/live), the workload that drives them, results or cmd.
package judge

import (
	"time"

	"github.com/sharebench/sharebench/strategies"
)

// Read is one section as a page showed it, and when the page arrived.
type Read struct {
	Section strategies.Section
	Arrived time.Duration
	// Self marks the owner's own view, held to the self-view contract: it
	// must show what the owner held when it read (History.Current).
	Self bool
}

// Outcome is a verdict's headline.
type Outcome uint8

const (
	// Fresh: the section shows the version the owner held when the page
	// arrived.
	Fresh Outcome = iota
	// Stale: the section shows an older version; Verdict.Behind and
	// Verdict.Staleness say by how much.
	Stale
	// Missing: the section could not be had; the page showed nothing for
	// it. Nothing shown is neither fresh nor stale.
	Missing
	// SelfViolation: the owner's own view did not show what the owner
	// held when it read. It may be stale too; Behind and Staleness still
	// say by how much.
	SelfViolation
)

func (o Outcome) String() string {
	switch o {
	case Fresh:
		return "fresh"
	case Stale:
		return "stale"
	case Missing:
		return "missing"
	case SelfViolation:
		return "self-view violation"
	}
	return "outcome(?)"
}

// Verdict is what one read was worth, judged at the page's arrival.
type Verdict struct {
	Outcome Outcome
	// The owner's version of the seller's list at arrival, and how many
	// clients it had.
	Owner   uint64
	Clients int
	// Behind is how many versions the section is behind Owner; Staleness
	// how long before arrival the first version it missed was committed.
	// Both are 0 unless the section shows an older version.
	Behind    uint64
	Staleness time.Duration
	// SinceWrite is how long before arrival Owner was committed, for the
	// consistency curve (PBS's t-visibility); -1 while the owner has no
	// version of the list.
	SinceWrite time.Duration
}

// IsStale reports whether the section showed an older version than the
// owner held at arrival, whatever the headline.
func (v Verdict) IsStale() bool { return v.Behind > 0 }

// Judge judges one read against the owner's history. It is pure: the same
// history and read give the same verdict.
func Judge(h *History, r Read) Verdict {
	sec := r.Section
	v := Verdict{SinceWrite: -1}
	v.Owner, v.Clients = h.At(sec.Seller, r.Arrived)
	if v.Owner > 0 {
		if at, ok := h.CommittedAt(sec.Seller, v.Owner); ok {
			v.SinceWrite = r.Arrived - at
		}
	}
	switch {
	case sec.Failed:
		v.Outcome = Missing
		return v // nothing shown: not judged further, not even a self-view
	case sec.Version < v.Owner:
		v.Outcome = Stale
		v.Behind = v.Owner - sec.Version
		if at, ok := h.CommittedAt(sec.Seller, sec.Version+1); ok {
			v.Staleness = r.Arrived - at
		}
	}
	if r.Self && !h.Current(sec) {
		v.Outcome = SelfViolation
	}
	return v
}

// Report is the verdict on a whole set of reads.
type Report struct {
	Verdicts []Verdict // one per read, in the reads' order
	// How many reads got each headline.
	Fresh, Stale, Missing, SelfViolations int
	// Violations are the indices of the reads that broke the self-view
	// contract: where to look.
	Violations []int
	// VersionsBehind sums Behind over the reads; MaxStaleness is the
	// largest Staleness.
	VersionsBehind uint64
	MaxStaleness   time.Duration
}

// OK reports whether the reads kept the one promise a strategy makes: every
// self-view current. Staleness is measured, not a failure.
func (r Report) OK() bool { return r.SelfViolations == 0 }

// Check judges every read against the owner's history.
func Check(h *History, reads []Read) Report {
	rep := Report{Verdicts: make([]Verdict, len(reads))}
	for i, r := range reads {
		v := Judge(h, r)
		rep.Verdicts[i] = v
		switch v.Outcome {
		case Fresh:
			rep.Fresh++
		case Stale:
			rep.Stale++
		case Missing:
			rep.Missing++
		case SelfViolation:
			rep.SelfViolations++
			rep.Violations = append(rep.Violations, i)
		}
		rep.VersionsBehind += v.Behind
		rep.MaxStaleness = max(rep.MaxStaleness, v.Staleness)
	}
	return rep
}
