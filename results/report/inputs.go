package report

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/sharebench/sharebench/results"
)

// inputRow is one measured input of a result ({dist: samples|hdr, file}):
// what a reader needs to tell which data the run drew from.
type inputRow struct {
	Field, Dist, File string
	SHA256            string // its first 12 hex digits, enough to tell files apart
	Count             string
	P50, P99          string
}

// inputsNote says what the inputs table's figures are in.
const inputsNote = "p50 and p99 of each file's values, in milliseconds (a count distribution's as plain numbers); sha256 is the file's, cut to 12 digits."

func newInputRows(in []results.Input) []inputRow {
	var rows []inputRow
	for _, i := range in {
		rows = append(rows, inputRow{
			Field: i.Field, Dist: i.Dist, File: i.File,
			SHA256: i.SHA256[:min(12, len(i.SHA256))],
			Count:  results.Thousands(float64(i.Count)),
			P50:    strconv.FormatFloat(i.P50MS, 'g', 4, 64),
			P99:    strconv.FormatFloat(i.P99MS, 'g', 4, 64),
		})
	}
	return rows
}

func inputsMarkdown(b *strings.Builder, rows []inputRow) {
	if len(rows) == 0 {
		return
	}
	b.WriteString("## Measured inputs\n\n" + inputsNote + "\n\n")
	b.WriteString("| field | dist | file | sha256 | count | p50 | p99 |\n|---|---|---|---|--:|--:|--:|\n")
	for _, r := range rows {
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %s |\n", r.Field, r.Dist, r.File, r.SHA256, r.Count, r.P50, r.P99)
	}
	b.WriteString("\n")
}
