package results

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// A sweep's decision map: each cell of the grid judged against the slo
// targets, the columns meeting them all and the cheapest of them, and the
// places where moving one parameter changes the answer.

// DecisionCell is one cell of a sweep judged against its targets.
type DecisionCell struct {
	Values []string // the swept parameters' values, in Params order
	// Meeting are the columns meeting every target, cheapest first;
	// Best is the first of them ("" if none).
	Meeting []string
	Best    string
	// Near is the runner-up when Best is not cheaper than it beyond the
	// costs' intervals ("" otherwise): the noise could swap them.
	Near string
	// Unclear are the columns that fail nothing but are unclear on some
	// target: more seeds or a longer run would decide them.
	Unclear []string
	// Undecided are those of Unclear held back only by a percentile on too
	// few samples (Column.ShortOfSamples), and Why says so for each:
	// "latency.p99 needs 1000 samples". No boundary is drawn against them.
	Undecided, Why []string
	// Judged holds the cell's whole recommendation (what each column
	// misses).
	Judged *Recommendation
}

// DecisionMap is a sweep of one or two parameters judged cell by cell.
type DecisionMap struct {
	Params  []string
	Values  [][]string // each parameter's values, in the order swept
	Columns []string   // the columns compared, in the scenario's order
	Targets []Target
	// Weights are the cost's weights the cells were ranked by (the
	// scenario's slo.cost, else DefaultCost).
	Weights map[string]float64
	Cells   []DecisionCell
	// Boundaries are where the answer changes between neighbouring
	// cells, as the report says them.
	Boundaries []Boundary
	// Undecided says, cell by cell, the columns too few samples leave
	// undecided: "at traffic.pages.rate = 200/s: async undecided
	// (latency.p99 needs 1000 samples)".
	Undecided []string
}

// Boundary is one change of the answer between two neighbouring cells,
// along Param, from value From to value To, the other parameter (if any)
// held at At.
type Boundary struct {
	Param, From, To string
	At              string // "page rate = 2000/s" for a two-parameter map; "" otherwise
	Column          string // the column whose standing changes; "" for a change of the cheapest
	Text            string
	// what and detail make Text: "hybrid stops meeting every target" and
	// " (owner.rps<=500 req/s fail by +100 req/s)"; the same change at several
	// values of the other parameter is one boundary (grouped).
	what, detail string
}

// Decide judges every cell of a sweep over params (rows as
// plot.WriteSweep takes them: one value per parameter, in grid order)
// against each cell's slo: targets with extra added (the -slo flag). Nil
// when no cell has targets or the sweep has more than two parameters.
func Decide(params []string, rows []SweepRow, extra []Target) *DecisionMap {
	if len(params) == 0 || len(params) > 2 || len(rows) == 0 {
		return nil
	}
	m := &DecisionMap{Params: params, Values: make([][]string, len(params))}
	for _, r := range rows {
		if len(r.Values) != len(params) || r.File == nil {
			return nil
		}
		for i, v := range r.Values {
			if !slices.Contains(m.Values[i], v) {
				m.Values[i] = append(m.Values[i], v)
			}
		}
		s := SLOOf(r.File)
		if len(extra) > 0 {
			s = s.With(extra)
		}
		rec := Recommend(r.File, s)
		if rec == nil {
			return nil
		}
		if m.Targets == nil {
			m.Targets = rec.SLO.Targets
			m.Columns = strategyOrder(r.File)
			m.Weights = rec.SLO.Cost
			if m.Weights == nil {
				m.Weights = DefaultCost
			}
		}
		c := DecisionCell{Values: r.Values, Meeting: rec.MeetingNames(), Best: rec.Best(), Judged: rec}
		if len(rec.Meeting) > 1 && !rec.Meeting[0].CheaperThan(rec.Meeting[1]) {
			c.Near = rec.Meeting[1].Name
		}
		for _, col := range rec.Others {
			if col.Verdict == Unclear {
				c.Unclear = append(c.Unclear, col.Name)
				if why := col.ShortOfSamples(); why != "" {
					c.Undecided, c.Why = append(c.Undecided, col.Name), append(c.Why, why)
				}
			}
		}
		m.Cells = append(m.Cells, c)
	}
	m.Boundaries = m.boundaries()
	for _, c := range m.Cells {
		var where []string
		for i, p := range m.Params {
			where = append(where, p+" = "+c.Values[i])
		}
		for i, col := range c.Undecided {
			m.Undecided = append(m.Undecided, fmt.Sprintf("at %s: %s undecided (%s)", strings.Join(where, ", "), col, c.Why[i]))
		}
	}
	return m
}

// Settled reports whether neighbouring cells a and b can be compared for
// col: neither leaves it undecided for lack of samples ("" col: always).
func Settled(a, b *DecisionCell, col string) bool {
	return col == "" || !slices.Contains(a.Undecided, col) && !slices.Contains(b.Undecided, col)
}

// Changes reports whether the answer changes from cell a to b where the
// samples settle it: the cheapest meeting every target (changed), or only
// the set meeting them (setOnly). A column undecided for lack of samples
// in either cell changes nothing there.
func Changes(a, b *DecisionCell) (changed, setOnly bool) {
	for _, col := range slices.Concat(a.Meeting, b.Meeting) {
		if slices.Contains(a.Meeting, col) != slices.Contains(b.Meeting, col) && Settled(a, b, col) {
			setOnly = true
		}
	}
	if a.Best != b.Best && Settled(a, b, a.Best) && Settled(a, b, b.Best) {
		return true, false
	}
	return setOnly, setOnly
}

// CostText is the cost the cells are ranked by: "cost = 1 × owner.rps +
// 1 × duplication (MB) + 0.1 × broker.rps".
func (m *DecisionMap) CostText() string {
	w := m.Weights
	if w == nil {
		w = DefaultCost
	}
	var terms []string
	for _, name := range slices.Sorted(maps.Keys(w)) {
		term := Significant(w[name], 3) + " × " + name
		if mt, ok := lookupAny(baseName(name)); ok && mt.Unit == "B" {
			term += " (MB of 10⁶ B)"
		}
		terms = append(terms, term)
	}
	return "cost = " + strings.Join(terms, " + ")
}

// Cell returns the cell at the given value indexes (one per parameter).
func (m *DecisionMap) Cell(idx ...int) *DecisionCell {
	if len(idx) != len(m.Params) {
		return nil
	}
	for p, j := range idx {
		if j < 0 || j >= len(m.Values[p]) {
			return nil
		}
	}
	for i := range m.Cells {
		c := &m.Cells[i]
		ok := true
		for p, j := range idx {
			if c.Values[p] != m.Values[p][j] {
				ok = false
			}
		}
		if ok {
			return c
		}
	}
	return nil
}

// boundaries walks each parameter's axis, the other held fixed, and names
// every step where a column starts or stops meeting every target, and
// where the cheapest column meeting them changes.
func (m *DecisionMap) boundaries() []Boundary {
	var out []Boundary
	for axis := range m.Params {
		other := 1 - axis
		fixed := []int{0}
		if len(m.Params) == 2 {
			fixed = make([]int, len(m.Values[other]))
			for i := range fixed {
				fixed[i] = i
			}
		}
		for _, f := range fixed {
			at := ""
			if len(m.Params) == 2 {
				at = fmt.Sprintf("%s = %s", m.Params[other], m.Values[other][f])
			}
			for i := 0; i+1 < len(m.Values[axis]); i++ {
				idx := func(j int) []int {
					if len(m.Params) == 1 {
						return []int{j}
					}
					x := make([]int, 2)
					x[axis], x[other] = j, f
					return x
				}
				a, b := m.Cell(idx(i)...), m.Cell(idx(i+1)...)
				if a == nil || b == nil {
					continue
				}
				out = append(out, m.step(axis, at, a, b)...)
			}
		}
	}
	return group(out)
}

// group makes one boundary of the same change between the same two
// values at several values of the other parameter: "between a = 1 and 2
// (b = x, y), hybrid stops …". Their details are kept when all agree,
// else the first's, named as one example.
func group(bs []Boundary) []Boundary {
	var out []Boundary
	var ats [][]string
	var details [][]string
	for _, b := range bs {
		i := slices.IndexFunc(out, func(o Boundary) bool {
			return o.Param == b.Param && o.From == b.From && o.To == b.To && o.what == b.what && o.Column == b.Column
		})
		if i < 0 {
			out, ats, details = append(out, b), append(ats, nil), append(details, nil)
			i = len(out) - 1
		}
		if b.At != "" {
			ats[i] = append(ats[i], b.At)
		}
		details[i] = append(details[i], b.detail)
	}
	for i := range out {
		b := &out[i]
		where := fmt.Sprintf("between %s = %s and %s", b.Param, b.From, b.To)
		if len(ats[i]) > 0 {
			name, _, _ := strings.Cut(ats[i][0], " = ")
			var vals []string
			for _, at := range ats[i] {
				_, v, _ := strings.Cut(at, " = ")
				vals = append(vals, v)
			}
			b.At = name + " = " + strings.Join(vals, ", ")
			where += " (" + b.At + ")"
		}
		detail := details[i][0]
		if len(ats[i]) > 1 && detail != "" && slices.ContainsFunc(details[i], func(d string) bool { return d != detail }) {
			detail = " (e.g. at " + ats[i][0] + ": " + strings.TrimPrefix(detail, " (")
		}
		b.Text = where + ", " + b.what + detail
	}
	return out
}

// step names what changes from cell a to its neighbour b along axis
// (group writes the text).
func (m *DecisionMap) step(axis int, at string, a, b *DecisionCell) []Boundary {
	param, from, to := m.Params[axis], a.Values[axis], b.Values[axis]
	var out []Boundary
	for _, col := range m.Columns {
		was, is := slices.Contains(a.Meeting, col), slices.Contains(b.Meeting, col)
		if was == is || !Settled(a, b, col) {
			continue // the same, or one side short of samples: no boundary
		}
		bd := Boundary{Param: param, From: from, To: to, At: at, Column: col}
		if was {
			bd.what, bd.detail = col+" stops meeting every target", " ("+missesOf(b, col)+")"
		} else {
			bd.what, bd.detail = col+" starts meeting every target", " ("+missesOf(a, col)+" before)"
		}
		out = append(out, bd)
	}
	if a.Best != b.Best && Settled(a, b, a.Best) && Settled(a, b, b.Best) {
		bd := Boundary{Param: param, From: from, To: to, At: at}
		switch {
		case a.Best == "":
			bd.what, bd.detail = b.Best+" becomes the cheapest meeting every target", " (none did)"
		case b.Best == "":
			bd.what, bd.detail = "no column meets every target any more", " ("+a.Best+" did)"
		case slices.Contains(b.Meeting, a.Best):
			bd.what = fmt.Sprintf("%s stops being cheaper than %s", a.Best, b.Best)
		default:
			bd.what = fmt.Sprintf("the cheapest meeting every target changes from %s to %s", a.Best, b.Best)
		}
		if a.Near != "" || b.Near != "" {
			bd.detail += " (costs within their intervals on one side)"
		}
		out = append(out, bd)
	}
	return out
}

// missesOf is what col misses in cell c: "owner.rps<=460 req/s fail +49.7 req/s".
func missesOf(c *DecisionCell, col string) string {
	for _, cl := range c.Judged.Columns {
		if cl.Name != col {
			continue
		}
		var parts []string
		for _, j := range cl.Misses() {
			p := j.Target.Label() + " " + j.Verdict.String()
			if j.Verdict == Fail {
				p += " by " + j.MissText()
			}
			parts = append(parts, p)
		}
		return strings.Join(parts, ", ")
	}
	return "not run"
}
