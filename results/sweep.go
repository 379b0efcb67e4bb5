package results

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"

	"github.com/sharebench/sharebench/pages"
)

// SweepRow is one cell of a sweep: its parameter values and its result.
type SweepRow struct {
	Values []string
	File   *File
}

// WriteSweepCSV writes a sweep as one table for pandas, R and
// spreadsheets: the units comment line (see CSVComment), a header of the
// parameter paths, strategy, seeds, count (public page renders) and the
// bare metric names, then a row per cell and strategy (empty where a
// metric does not apply).
func WriteSweepCSV(w io.Writer, params []string, rows []SweepRow) error {
	// A sweep's cells share the scenario's topology (a sweep changes
	// numbers, not names): the first cell's names the columns.
	var t *pages.Topology
	if len(rows) > 0 {
		t = rows[0].File.Topology
	}
	ms := MetricsFor(t)
	if _, err := fmt.Fprintln(w, CSVCommentFor(t)); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	header := append(append([]string{}, params...), "strategy", "seeds", "count")
	if err := cw.Write(append(header, metricColumns(ms)...)); err != nil {
		return err
	}
	for _, r := range rows {
		seeds := strconv.Itoa(max(len(r.File.Seeds), 1))
		for _, s := range strategyOrder(r.File) {
			m := r.File.Strategies[s]
			rec := append(append([]string{}, r.Values...), s, seeds, strconv.FormatInt(allPages(m).Count, 10))
			if err := cw.Write(append(rec, metricCells(ms, m, false)...)); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}
