package results

import (
	"encoding/csv"
	"io"
	"strconv"
)

// SweepRow is one cell of a sweep: its parameter values and its result.
type SweepRow struct {
	Values []string
	File   *File
}

// WriteSweepCSV writes a sweep as one table for pandas and spreadsheets:
// a header, then a row per cell and strategy with the parameter values and
// every registered metric (empty where a metric does not apply).
func WriteSweepCSV(w io.Writer, params []string, rows []SweepRow) error {
	cw := csv.NewWriter(w)
	header := append(append([]string{}, params...), "strategy")
	for _, m := range Registry {
		name := m.Name
		if m.Unit != "" {
			name += " (" + m.Unit + ")"
		}
		header = append(header, name)
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, r := range rows {
		for _, s := range r.File.Order {
			m := r.File.Strategies[s]
			if m == nil {
				continue
			}
			rec := append(append([]string{}, r.Values...), s)
			for _, metric := range Registry {
				v := ""
				if metric.Applies(m) {
					v = strconv.FormatFloat(metric.Get(m), 'g', 6, 64)
				}
				rec = append(rec, v)
			}
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}
