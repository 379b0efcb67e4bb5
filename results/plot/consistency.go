package plot

import "fmt"

// consistency draws, PBS style, the probability that a public read shows
// its seller's latest write against the time since that write.
func consistency(s source) Figure {
	p := Panel{
		X: Axis{Label: "time since the seller's last write (ms, log scale)", Log: true},
		Y: Axis{Label: "reads showing the latest write (%)", Min: 0, Max: 102},
	}
	var xs []float64
	for _, name := range s.names {
		m := s.metrics(name)
		var pts []XY
		var reads int64
		for _, c := range m.Consistency {
			// An empty bin says nothing; a bin at or before the write has
			// no place on the log axis.
			if c.Reads <= 0 || c.AfterMS <= 0 {
				continue
			}
			pts = append(pts, XY{c.AfterMS, 100 * float64(c.Consistent) / float64(c.Reads)})
			xs = append(xs, c.AfterMS)
			reads += c.Reads
		}
		if len(pts) == 0 {
			p.Notes = append(p.Notes, name+": no reads binned by time since write")
			continue
		}
		p.Lines = append(p.Lines, Line{
			Label:    fmt.Sprintf("%s (%d reads)", name, reads),
			Style:    s.style[name],
			Marks:    true,
			Segments: [][]XY{pts},
		})
	}
	p.X.Min, p.X.Max = logRange(xs, 1.25, 1.25)
	return Figure{
		Name:   "consistency",
		Title:  "Probability of a consistent read by time since the write (PBS)",
		Panels: []Panel{p},
	}
}
