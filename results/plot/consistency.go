package plot

import (
	"fmt"

	"github.com/sharebench/sharebench/results"
)

// minBinReads is the fewest reads a consistency bin is drawn from: a bin
// of one read is 0 % or 100 % by chance, and a run has a handful of reads
// within milliseconds of a write. Sparser bins merge with the next.
const minBinReads = 30

// consistency draws, PBS style, the probability that a public read shows
// its seller's latest write against the time since that write, and below
// it how many reads each point rests on.
func consistency(s source) Figure {
	p := Panel{
		Title: fmt.Sprintf("reads showing the latest write (bins of fewer than %d reads merged)", minBinReads),
		X:     Axis{Label: "time since the seller's last write (ms, log scale; a bin's upper edge)", Log: true},
		Y:     Axis{Label: "consistent reads (%)", Min: 0, Max: 102},
	}
	counts := Panel{
		Title: "reads per bin",
		X:     p.X,
		Y:     Axis{Label: "reads (log scale)", Log: true},
	}
	var xs, ns []float64
	for _, name := range s.names {
		bins := mergeBins(s.metrics(name).Consistency, minBinReads)
		var pts, cnt []XY
		var reads int64
		for _, c := range bins {
			pts = append(pts, XY{c.AfterMS, 100 * float64(c.Consistent) / float64(c.Reads)})
			cnt = append(cnt, XY{c.AfterMS, float64(c.Reads)})
			xs = append(xs, c.AfterMS)
			ns = append(ns, float64(c.Reads))
			reads += c.Reads
		}
		if len(pts) == 0 {
			p.Notes = append(p.Notes, name+": no reads binned by time since write")
			continue
		}
		if reads < minBinReads {
			p.Notes = append(p.Notes, fmt.Sprintf("%s: %d reads in all, too few to judge", name, reads))
		}
		label := fmt.Sprintf("%s (%d reads)", name, reads)
		p.Lines = append(p.Lines, Line{Label: label, Style: s.style[name], Marks: true, Segments: [][]XY{pts}})
		counts.Lines = append(counts.Lines, Line{Label: label, Style: s.style[name], Marks: true, Segments: [][]XY{cnt}})
	}
	p.X.Min, p.X.Max = logRange(xs, 1.25, 1.25)
	counts.X = p.X
	counts.Y.Min, counts.Y.Max = logRange(ns, 1.5, 1.5)
	fig := Figure{Name: "consistency", Title: "Probability of a consistent read by time since the write (PBS)"}
	addBasis(s, &fig, &p, "stale_fraction", "stale")
	fig.Panels = []Panel{p, counts}
	return fig
}

// mergeBins drops empty bins and bins at or before the write (no place on
// a log axis), then merges each run of sparse bins with the next until it
// holds at least min reads; a sparse remainder at the end joins the last
// full bin. A merged bin takes the upper edge of the last bin in it.
func mergeBins(bins []results.ConsistencyPoint, min int64) []results.ConsistencyPoint {
	var out []results.ConsistencyPoint
	var acc results.ConsistencyPoint
	for _, c := range bins {
		if c.Reads <= 0 || c.AfterMS <= 0 {
			continue
		}
		acc.AfterMS = c.AfterMS
		acc.Reads += c.Reads
		acc.Consistent += c.Consistent
		if acc.Reads >= min {
			out = append(out, acc)
			acc = results.ConsistencyPoint{}
		}
	}
	if acc.Reads > 0 {
		if n := len(out); n > 0 {
			out[n-1].AfterMS = acc.AfterMS
			out[n-1].Reads += acc.Reads
			out[n-1].Consistent += acc.Consistent
		} else {
			out = append(out, acc)
		}
	}
	return out
}
