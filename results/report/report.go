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
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/sharebench/sharebench/results"
	"github.com/sharebench/sharebench/results/plot"
)

// File names WriteReport writes into the run's directory.
const (
	MarkdownFile = "report.md"
	HTMLFile     = "report.html"
)

// WriteReport writes report.md and report.html for f into dir, each
// atomically. report.md links the plots as PNG files beside it; any plot
// file (PNG, SVG or PDF) missing from dir is written too, so the links hold.
// report.html embeds its plots and needs nothing else.
func WriteReport(dir string, f *results.File) error {
	if f == nil {
		return errors.New("report: WriteReport: nil result file")
	}
	figs := plot.Figures(f)
	images := make([]image, len(figs))
	for i, fig := range figs {
		var buf bytes.Buffer
		if err := plot.Render(&buf, fig, "png"); err != nil {
			return err
		}
		img, err := newImage(fig, buf.Bytes())
		if err != nil {
			return err
		}
		images[i] = img
		if err := writeIfMissing(dir, fig.Name+".png", func(w io.Writer) error {
			_, err := w.Write(buf.Bytes())
			return err
		}); err != nil {
			return err
		}
		for _, format := range plot.Formats {
			if format == "png" {
				continue
			}
			if err := writeIfMissing(dir, fig.Name+"."+format, func(w io.Writer) error {
				return plot.Render(w, fig, format)
			}); err != nil {
				return err
			}
		}
	}
	page := newPage(f, images)
	if err := results.WriteFileAtomic(filepath.Join(dir, MarkdownFile), func(w io.Writer) error {
		return writeMarkdown(w, page)
	}); err != nil {
		return err
	}
	return results.WriteFileAtomic(filepath.Join(dir, HTMLFile), func(w io.Writer) error {
		return writeHTML(w, page)
	})
}

func writeIfMissing(dir, name string, write func(io.Writer) error) error {
	path := filepath.Join(dir, name)
	if _, err := os.Stat(path); err == nil {
		return nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return results.WriteFileAtomic(path, write)
}

// image is a rendered plot as the report shows it.
type image struct {
	Name, Title string
	// Basis: the headline figures the plot shows, with interval and
	// samples; TooFew those resting on too few samples, which set the
	// figure apart.
	Basis, TooFew []string
	File          string            // the PNG beside the report
	Src           template.HTMLAttr // src="data:image/png;base64,…"
	Width, Height int               // pixels
}

func newImage(fig plot.Figure, pngBytes []byte) (image, error) {
	cfg, err := png.DecodeConfig(bytes.NewReader(pngBytes))
	if err != nil {
		return image{}, fmt.Errorf("report: plot %s: %w", fig.Name, err)
	}
	var basis, few []string
	for _, b := range fig.Basis {
		basis = append(basis, b.Text)
	}
	for _, b := range fig.TooFew() {
		few = append(few, strings.TrimPrefix(b.Text, "too few samples: "))
	}
	return image{
		Name:   fig.Name,
		Title:  fig.Title,
		Basis:  basis,
		TooFew: few,
		File:   fig.Name + ".png",
		// Our own PNG as a data: URI, which base64 keeps free of quotes and
		// markup. As a trusted attribute it is written as is; as a URL,
		// html/template would spell every + as &#43;.
		Src:    template.HTMLAttr(`src="data:image/png;base64,` + base64.StdEncoding.EncodeToString(pngBytes) + `"`),
		Width:  cfg.Width,
		Height: cfg.Height,
	}, nil
}

// page is everything both reports show, computed once.
type page struct {
	Scenario    string
	Description string
	Facts       []string
	Faults      []string
	Verdicts    []Verdict
	Recommend   *recommendation // the answer to the slo: targets, if any (recommend.go)
	Summary     summary
	Recovery    recoveryTable
	Topology    *topologySection // the general form's services, pages and owners
	Inputs      []inputRow       // measured inputs, if any
	InputsNote  string
	Images      []image
	YAML        string
	Wall        string
}

func newPage(f *results.File, images []image) page {
	p := page{
		Scenario: f.Scenario,
		Verdicts: Verdicts(f),
		Images:   images,
		YAML:     strings.TrimRight(f.ScenarioYAML, "\n"),
		Inputs:   newInputRows(f.Inputs),
		Topology: newTopologySection(f),
	}
	if len(p.Inputs) > 0 {
		p.InputsNote = inputsNote
	}
	if p.Scenario == "" {
		p.Scenario = "unnamed scenario"
	}
	var head struct {
		Description string `yaml:"description"`
	}
	// Best effort: a scenario that does not parse still gets a report.
	if yaml.Unmarshal([]byte(f.ScenarioYAML), &head) == nil {
		p.Description = head.Description
	}
	seeds := make([]string, len(f.Seeds))
	for i, s := range f.Seeds {
		seeds[i] = strconv.FormatUint(s, 10)
	}
	seedWord := "seed"
	if len(seeds) != 1 {
		seedWord = "seeds"
	}
	p.Facts = []string{
		columnsFact(f),
		fmt.Sprintf("%s s measured after %s s of warm-up, virtual time", num(f.DurationS), num(f.WarmupS)),
		seedWord + " " + strings.Join(seeds, ", "),
	}
	for _, w := range f.Faults {
		label := w.Label
		if label == "" {
			label = w.Kind
		}
		p.Faults = append(p.Faults, fmt.Sprintf("%s–%s s: %s", num(w.AtS), num(w.AtS+w.ForS), label))
	}
	traffic, notes := plot.TrafficWindows(f.ScenarioYAML)
	for _, w := range traffic {
		span := num(w.FromS) + "–" + num(w.ToS) + " s"
		if w.ToS == w.FromS {
			span = "at " + num(w.FromS) + " s"
		}
		p.Facts = append(p.Facts, fmt.Sprintf("%s: %s", span, strings.Join(w.Labels, "; ")))
	}
	p.Facts = append(p.Facts, notes...)
	p.Recommend = newRecommendation(f)
	p.Summary = newSummary(f)
	p.Recovery = newRecoveryTable(f, p.Verdicts)
	if f.Wall.ElapsedS > 0 {
		p.Wall = fmt.Sprintf("Simulated in %s of wall time with %s, %s simulated page requests per second per core.",
			wallTime(f.Wall.ElapsedS), f.Wall.GoVersion, results.Thousands(math.Round(f.Wall.PagesPerSecond)))
	}
	return p
}

// columnsFact lists the columns compared: the strategies, and the plans
// apart (a plan's choices are in the System section).
func columnsFact(f *results.File) string {
	var plain, plans []string
	for _, name := range strategyNames(f) {
		if _, ok := f.Shape().Plans[name]; ok {
			plans = append(plans, name)
		} else {
			plain = append(plain, name)
		}
	}
	s := "strategies: " + strings.Join(plain, ", ")
	if len(plans) > 0 {
		s += "; plans: " + strings.Join(plans, ", ")
	}
	return s
}

// wallTime rounds a wall-clock duration as a reader wants it: 1.3 s,
// 14 s, 2 min 5 s.
func wallTime(s float64) string {
	switch {
	case s < 10:
		return strconv.FormatFloat(math.Round(s*10)/10, 'f', -1, 64) + " s"
	case s < 120:
		return strconv.FormatFloat(math.Round(s), 'f', 0, 64) + " s"
	}
	m := int(math.Round(s)) / 60
	return fmt.Sprintf("%d min %d s", m, int(math.Round(s))-60*m)
}

func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func writeMarkdown(w io.Writer, p page) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# sharebench report: %s\n\n", p.Scenario)
	if p.Description != "" {
		fmt.Fprintf(&b, "%s\n\n", p.Description)
	}
	for _, fact := range p.Facts {
		fmt.Fprintf(&b, "- %s\n", fact)
	}
	if len(p.Faults) == 0 {
		b.WriteString("- no faults\n")
	}
	for _, fault := range p.Faults {
		fmt.Fprintf(&b, "- fault %s\n", fault)
	}
	writeRecommendMarkdown(&b, p.Recommend)
	if p.Topology != nil {
		p.Topology.markdown(&b)
	}
	b.WriteString("\n## Verdict\n\n")
	for _, v := range p.Verdicts {
		fmt.Fprintf(&b, "**%s**\n\n", v.Label)
		if len(v.Wins) == 0 {
			b.WriteString("- best on no metric\n")
		}
		for _, s := range v.Wins {
			fmt.Fprintf(&b, "- %s\n", s)
		}
		for _, s := range v.Losses {
			fmt.Fprintf(&b, "- ⚠ %s\n", s)
		}
		for _, s := range v.Recovery {
			fmt.Fprintf(&b, "- recovery %s\n", s)
		}
		for _, s := range v.Explanations {
			fmt.Fprintf(&b, "- why: %s\n", s)
		}
		b.WriteString("\n")
	}
	if len(p.Recovery.Rows) > 0 {
		b.WriteString("## Recovery\n\n" + p.Recovery.Definition + "\n\n")
		p.Recovery.markdown(&b)
		b.WriteString("\n")
	}
	b.WriteString("## Summary\n\n")
	p.Summary.markdown(&b)
	b.WriteString("\n## Plots\n\n")
	for _, img := range p.Images {
		fmt.Fprintf(&b, "### %s\n\n", img.Title)
		if len(img.TooFew) > 0 {
			fmt.Fprintf(&b, "> ⚠ **Too few samples to compare** — drawn faint, decides nothing: %s.\n\n", strings.Join(img.TooFew, "; "))
		}
		fmt.Fprintf(&b, "![%s](%s)\n\n", img.Title, img.File)
		if len(img.Basis) > 0 {
			fmt.Fprintf(&b, "Figures (95 %% interval, samples): %s.\n\n", strings.Join(img.Basis, "; "))
		}
		fmt.Fprintf(&b, "[SVG](%s.svg) · [PDF](%s.pdf)\n\n", img.Name, img.Name)
	}
	inputsMarkdown(&b, p.Inputs)
	fmt.Fprintf(&b, "## Scenario\n\n```yaml\n%s\n```\n", p.YAML)
	if p.Wall != "" {
		fmt.Fprintf(&b, "\n%s\n", p.Wall)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeHTML(w io.Writer, p page) error {
	return htmlTemplate.Execute(w, p)
}

// htmlTemplate is the whole page: styles inline, images as data: URIs, no
// script and no external resource, so the file works anywhere alone. The
// empty data: icon keeps browsers from asking for a favicon.
var htmlTemplate = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>sharebench report: {{.Scenario}}</title>
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", "Liberation Sans", sans-serif; max-width: 1180px; margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { border-bottom: 1px solid #ddd; padding-bottom: 0.2em; margin-top: 2em; }
.description { font-size: 1.1em; color: #444; }
pre { background: #f6f6f6; padding: 0.8em; overflow-x: auto; font-size: 0.85em; line-height: 1.3; }
.verdict { margin: 0.8em 0; }
.verdict h3 { margin: 0.3em 0; font-size: 1.1em; }
.verdict ul { margin: 0.2em 0; }
.loss { color: #a02020; }
figure { margin: 1.5em 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #555; font-size: 0.9em; }
figcaption .basis { font-size: 0.85em; color: #666; }
figure.toofew { border-left: 6px solid #e0a030; padding-left: 0.8em; background: #fffaf0; }
figure.toofew img { opacity: 0.8; }
.toofew-banner { color: #8a5a00; font-weight: bold; margin: 0.3em 0; }
.wall { color: #777; font-size: 0.85em; }
table.summary { border-collapse: collapse; font-size: 0.9em; margin: 0.5em 0; }
table.summary th, table.summary td { border-bottom: 1px solid #e4e4e4; padding: 0.25em 0.8em; }
table.summary thead th { border-bottom: 2px solid #bbb; text-align: right; }
table.summary thead th:first-child, table.summary tbody th { text-align: left; font-weight: normal; font-family: ui-monospace, "Liberation Mono", monospace; }
table.summary td { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.summary td.best { font-weight: bold; background: #eef6ea; }
table.summary td.blank { color: #aaa; }
table.topology td, table.topology thead th { text-align: left; white-space: normal; }
table.summary tr.heading th { font-family: inherit; font-weight: bold; padding-top: 0.9em; border-bottom: 1px solid #bbb; }
table.summary td.bad { color: #a02020; }
table.summary td.ok { color: #2a6a2a; }
.ci, .n { color: #777; font-weight: normal; font-size: 0.85em; }
table.summary td.toofew { color: #999; font-style: italic; background: repeating-linear-gradient(45deg, #fff, #fff 4px, #f4f0e6 4px, #f4f0e6 8px); }
.note { color: #555; font-size: 0.85em; margin: 0.2em 0; }
.recovery { color: #1f4e8c; }
.why { color: #444; font-style: italic; }
</style>
</head>
<body>
<h1>sharebench report: {{.Scenario}}</h1>
{{with .Description}}<p class="description">{{.}}</p>{{end}}
<ul>
{{range .Facts}}<li>{{.}}</li>
{{end}}{{range .Faults}}<li>fault {{.}}</li>
{{else}}<li>no faults</li>
{{end}}</ul>
{{template "recommend" .Recommend}}

{{with .Topology}}
<h2 id="topology">System</h2>
<p>{{.Intro}}</p>
<table class="summary topology" id="topology-table">
<thead><tr><th>page kind</th><th>service</th><th>what</th><th>reads</th></tr></thead>
<tbody>
{{range .Kinds}}<tr><th>{{.Name}}</th><td>{{.Service}}</td><td>{{.What}}</td><td>{{range $i, $r := .Reads}}{{if $i}}<br>{{end}}{{$r}}{{end}}</td></tr>
{{end}}</tbody>
</table>
{{with .Plans}}<p>Plans (each a column, compared like a strategy):</p>
<ul>
{{range .}}<li>{{.}}</li>
{{end}}</ul>
{{end}}{{end}}
<h2>Verdict</h2>
{{range .Verdicts}}<div class="verdict">
<h3>{{.Label}}</h3>
<ul>
{{range .Wins}}<li>{{.}}</li>
{{else}}<li>best on no metric</li>
{{end}}{{range .Losses}}<li class="loss">⚠ {{.}}</li>
{{end}}{{range .Recovery}}<li class="recovery">recovery {{.}}</li>
{{end}}{{range .Explanations}}<li class="why">why: {{.}}</li>
{{end}}</ul>
</div>
{{end}}
{{with .Recovery}}{{if .Rows}}<h2 id="recovery">Recovery</h2>
<p>{{.Definition}}</p>
<table class="summary">
<thead><tr><th>strategy</th>{{range .Disturbances}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>
{{range .Rows}}<tr><th>{{.Strategy}}</th>{{range .Cells}}<td class="{{.Class}}">{{.Text}}</td>{{end}}</tr>
{{end}}</tbody>
</table>
{{end}}{{end}}
<h2 id="summary">Summary</h2>
<table class="summary" id="summary-table">
<thead><tr><th>metric</th>{{range .Summary.Strategies}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>
{{range .Summary.Rows}}{{with .Heading}}<tr class="heading"><th colspan="{{$.Summary.Span}}">{{.}}</th></tr>
{{end}}<tr><th title="{{.Name}}">{{.Label}}</th>{{range .Cells}}<td{{if .Best}} class="best"{{else if .TooFew}} class="toofew"{{else if .Blank}} class="blank"{{end}}{{with .Title}} title="{{.}}"{{end}}>{{.Text}}{{if .Best}} ★{{else if .TooFew}} ?{{end}}{{with .Interval}} <span class="ci">{{.}}</span>{{end}}{{with .N}} <span class="n">{{.}}</span>{{end}}</td>{{end}}</tr>
{{end}}</tbody>
</table>
{{range .Summary.Notes}}<p class="note">{{.}}</p>
{{end}}
<h2>Plots</h2>
{{range .Images}}<figure id="{{.Name}}"{{if .TooFew}} class="toofew"{{end}}>
{{with .TooFew}}<p class="toofew-banner">⚠ Too few samples to compare — drawn faint, decides nothing:{{range .}}<br>{{.}}{{end}}</p>
{{end}}<img {{.Src}} alt="{{.Title}}" width="{{.Width}}" height="{{.Height}}">
<figcaption>{{.Title}}{{with .Basis}}<span class="basis">{{range .}}<br>{{.}}{{end}}</span>{{end}}</figcaption>
</figure>
{{end}}
{{if .Inputs}}<h2 id="inputs">Measured inputs</h2>
<p class="note">{{.InputsNote}}</p>
<table class="summary" id="inputs-table">
<thead><tr><th>field</th><th>dist</th><th>file</th><th>sha256</th><th>count</th><th>p50</th><th>p99</th></tr></thead>
<tbody>
{{range .Inputs}}<tr><th>{{.Field}}</th><td>{{.Dist}}</td><td>{{.File}}</td><td>{{.SHA256}}</td><td>{{.Count}}</td><td>{{.P50}}</td><td>{{.P99}}</td></tr>
{{end}}</tbody>
</table>
{{end}}<h2>Scenario</h2>
<pre>{{.YAML}}</pre>
{{with .Wall}}<p class="wall">{{.}}</p>{{end}}
</body>
</html>
`))
