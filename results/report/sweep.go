package report

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"image/png"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/sharebench/sharebench/pages"
	"github.com/sharebench/sharebench/results"
	"github.com/sharebench/sharebench/results/plot"
)

// SweepCSVFile is the sweep's data file, beside its report, which the
// report links.
const SweepCSVFile = "sweep.csv"

// sweepTableMetrics are the metrics the sweep report's table of cells
// shows; sweep.csv has them all.
var sweepTableMetrics = []string{"latency.p50", "latency.p99", "availability", "completeness", "stale_fraction", "owner.rps", "duplication"}

// Sweep is a sweep as its report shows it.
type Sweep struct {
	Scenario string
	// Params are the swept fields' dotted paths, in the order of every
	// row's Values.
	Params []string
	Rows   []results.SweepRow
	// CellDirs, if set, are the cells' directories relative to the
	// report, one per row, which the table links.
	CellDirs []string
	// SLO are targets given beside the cells' own (sweep -slo), which the
	// decision map judges them by too.
	SLO []results.Target
}

// WriteSweepReport writes report.md and report.html for a sweep into dir,
// each atomically: what was swept, the sweep's plots (over the parameters
// that take more than one value; any PNG or SVG missing from dir is
// written too), a link to sweep.csv and a table of every cell and strategy
// with the main metrics, their sample counts and seeds. report.html embeds
// its plots and needs nothing else.
func WriteSweepReport(dir string, s Sweep) error {
	if len(s.Rows) == 0 {
		return errors.New("report: WriteSweepReport: a sweep with no cells")
	}
	for i, r := range s.Rows {
		if len(r.Values) != len(s.Params) || r.File == nil {
			return fmt.Errorf("report: WriteSweepReport: cell %d has %d values for %d parameters", i, len(r.Values), len(s.Params))
		}
	}
	axes, axisRows := varying(s.Params, s.Rows)
	var images []image
	for _, fig := range plot.SweepFigures(axes, axisRows) {
		var buf bytes.Buffer
		if err := plot.Render(&buf, fig, "png"); err != nil {
			return err
		}
		cfg, err := png.DecodeConfig(bytes.NewReader(buf.Bytes()))
		if err != nil {
			return fmt.Errorf("report: plot %s: %w", fig.Name, err)
		}
		images = append(images, image{
			Name: fig.Name, Title: fig.Title, File: fig.Name + ".png",
			// Our own PNG as a data: URI (see newImage).
			Src:   template.HTMLAttr(`src="data:image/png;base64,` + base64.StdEncoding.EncodeToString(buf.Bytes()) + `"`),
			Width: cfg.Width, Height: cfg.Height,
		})
		pngBytes := buf.Bytes()
		if err := writeSweepFileIfMissing(dir, fig.Name+".png", func(w io.Writer) error {
			_, err := w.Write(pngBytes)
			return err
		}); err != nil {
			return err
		}
		if err := writeSweepFileIfMissing(dir, fig.Name+".svg", func(w io.Writer) error {
			return plot.Render(w, fig, "svg")
		}); err != nil {
			return err
		}
	}
	p := newSweepPage(s, axes, images)
	var err error
	if p.Decision, err = newDecisionSection(dir, axes, axisRows, s.SLO); err != nil {
		return err
	}
	if err := results.WriteFileAtomic(filepath.Join(dir, MarkdownFile), func(w io.Writer) error {
		return writeSweepMarkdown(w, p)
	}); err != nil {
		return err
	}
	return results.WriteFileAtomic(filepath.Join(dir, HTMLFile), func(w io.Writer) error {
		return sweepHTML.Execute(w, p)
	})
}

// varying returns the parameters that take more than one value, which
// are the plots' axes, and the rows with only those values.
func varying(params []string, rows []results.SweepRow) ([]string, []results.SweepRow) {
	var keep []int
	for i := range params {
		for _, r := range rows[1:] {
			if r.Values[i] != rows[0].Values[i] {
				keep = append(keep, i)
				break
			}
		}
	}
	axes := make([]string, len(keep))
	for j, i := range keep {
		axes[j] = params[i]
	}
	out := make([]results.SweepRow, len(rows))
	for k, r := range rows {
		out[k].File = r.File
		for _, i := range keep {
			out[k].Values = append(out[k].Values, r.Values[i])
		}
	}
	return axes, out
}

func writeSweepFileIfMissing(dir, name string, write func(io.Writer) error) error {
	if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
		return nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return results.WriteFileAtomic(filepath.Join(dir, name), write)
}

// sweepPage is everything both sweep reports show, computed once.
type sweepPage struct {
	Scenario string
	Facts    []string
	CSV      string
	Images   []image
	Header   []string
	Rows     [][]string
	Links    []string // per table row: the cell's directory, or ""
	// Decision is the slo's decision map, if any (recommend.go).
	Decision *decisionSection
}

func newSweepPage(s Sweep, axes []string, images []image) sweepPage {
	p := sweepPage{Scenario: s.Scenario, CSV: SweepCSVFile, Images: images}
	for i, param := range s.Params {
		var values []string
		for _, r := range s.Rows {
			if !slices.Contains(values, r.Values[i]) {
				values = append(values, r.Values[i])
			}
		}
		p.Facts = append(p.Facts, fmt.Sprintf("%s: %s", param, strings.Join(values, ", ")))
	}
	p.Facts = append(p.Facts, fmt.Sprintf("%d cells; seeds per cell: %d", len(s.Rows), max(len(s.Rows[0].File.Seeds), 1)))
	if len(axes) > 2 {
		p.Facts = append(p.Facts, fmt.Sprintf("%d parameters vary: plots cover one or two; %s holds every figure", len(axes), SweepCSVFile))
	}
	topology := s.Rows[0].File.Topology
	tableMetrics := sweepTableMetrics
	if topology != nil {
		// The general form: whether whole pages show every section.
		tableMetrics = append(slices.Clone(tableMetrics), "page_completeness")
	}
	p.Header = append(append(slices.Clone(s.Params), "strategy", "pages"), tableMetrics...)
	for i, h := range p.Header[len(s.Params)+2:] {
		if m, ok := results.LookupIn(topology, h); ok && m.Unit != "" {
			p.Header[len(s.Params)+2+i] = fmt.Sprintf("%s (%s)", h, m.Unit)
		}
	}
	for k, r := range s.Rows {
		for _, name := range r.File.Order {
			m := r.File.Strategies[name]
			if m == nil {
				continue
			}
			var count int64
			if all := m.Pages[pages.All]; all != nil {
				count = all.Count
			}
			row := append(slices.Clone(r.Values), name, fmt.Sprint(count))
			for _, metricName := range tableMetrics {
				cell := "—"
				if metric, ok := results.LookupIn(topology, metricName); ok && metric.Applies(m) && (metric.Has == nil || metric.Has(m)) {
					cell = results.Significant(metric.Get(m), 3)
					// FigureOf: the interval as every reader sees it,
					// widened to what the counts allow.
					if f := results.FigureOf(m, metric); f.HasCI && f.Method != results.MethodExact && f.CI95 > 0 {
						cell += " ± " + results.Significant(f.CI95, 2)
					}
				}
				row = append(row, cell)
			}
			p.Rows = append(p.Rows, row)
			link := ""
			if k < len(s.CellDirs) {
				link = s.CellDirs[k]
			}
			p.Links = append(p.Links, link)
		}
	}
	return p
}

func writeSweepMarkdown(w io.Writer, p sweepPage) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# Sweep of %s\n\n", p.Scenario)
	for _, f := range p.Facts {
		fmt.Fprintf(&b, "- %s\n", f)
	}
	fmt.Fprintf(&b, "\nEvery metric of every cell and strategy: [%s](%s) (units in its first line; pandas: `read_csv(%q, comment=\"#\")`).\n", p.CSV, p.CSV, p.CSV)
	writeDecisionMarkdown(&b, p.Decision)
	if len(p.Images) > 0 {
		b.WriteString("\n## Plots\n\n")
		for _, img := range p.Images {
			fmt.Fprintf(&b, "![%s](%s)\n\n", img.Title, img.File)
		}
	}
	b.WriteString("\n## Cells\n\n| " + strings.Join(p.Header, " | ") + " |\n|")
	b.WriteString(strings.Repeat("---|", len(p.Header)) + "\n")
	for i, row := range p.Rows {
		cells := slices.Clone(row)
		if p.Links[i] != "" {
			cells[0] = fmt.Sprintf("[%s](%s)", cells[0], p.Links[i])
		}
		for j := range cells {
			cells[j] = strings.ReplaceAll(cells[j], "|", `\|`)
		}
		b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

var sweepHTML = template.Must(template.New("sweep").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Sweep of {{.Scenario}}</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 1200px; margin: 2em auto; padding: 0 1em; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #ccc; padding: 0.2em 0.5em; text-align: right; }
img { max-width: 100%; height: auto; }
</style>
</head>
<body>
<h1>Sweep of {{.Scenario}}</h1>
<ul>{{range .Facts}}<li>{{.}}</li>{{end}}</ul>
<p>Every metric of every cell and strategy: <a href="{{.CSV}}">{{.CSV}}</a> (units in its first line).</p>
{{template "decision" .Decision}}
{{if .Images}}<h2>Plots</h2>
{{range .Images}}<figure><img {{.Src}} width="{{.Width}}" height="{{.Height}}" alt="{{.Title}}"><figcaption>{{.Title}}</figcaption></figure>
{{end}}{{end}}
<h2>Cells</h2>
<table>
<tr>{{range .Header}}<th>{{.}}</th>{{end}}</tr>
{{range .Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>
{{end}}</table>
</body>
</html>
`))
