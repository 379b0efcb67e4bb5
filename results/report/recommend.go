package report

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html/template"
	"image/png"
	"io"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/sharebench/sharebench/results"
	"github.com/sharebench/sharebench/results/plot"
)

// recommendation is the report's opening answer when the scenario has
// slo: targets: the columns meeting every target, cheapest first, and for
// the others what they miss and by how much.
type recommendation struct {
	Targets  string
	Headline string
	Ranked   []rankedColumn
	// Undecided: when none meets every target, the columns failing none
	// (only unclear), cheapest first, each unclear target with what would
	// decide it.
	Undecided []rankedColumn
	Others    []missingColumn
	CostNote  string
}

type rankedColumn struct {
	Rank       int
	Name, Cost string
	Notes      []string // n/a targets, with why
}

type missingColumn struct {
	Name, Verdict string
	Misses        []string
}

// newRecommendation judges f against its own targets; nil when it has
// none.
func newRecommendation(f *results.File) *recommendation {
	r := results.Recommend(f, nil)
	if r == nil {
		return nil
	}
	var targets []string
	for _, t := range r.SLO.Targets {
		targets = append(targets, t.Label())
	}
	rec := &recommendation{Targets: strings.Join(targets, ", ")}
	switch best := r.Best(); {
	case best == "" && len(r.Undecided) > 0:
		var names []string
		for _, c := range r.Undecided {
			names = append(names, c.Name)
		}
		rec.Headline = fmt.Sprintf("None is shown to meet every target yet; %s fail%s none, only unclear ones: cheapest first below, with what would decide them.",
			strings.Join(names, ", "), map[bool]string{true: "s", false: ""}[len(names) == 1])
	case best == "":
		rec.Headline = "No strategy or plan meets every target."
	case len(r.Meeting) == 1:
		rec.Headline = fmt.Sprintf("Pick %s: the only one meeting every target.", best)
	case !r.Meeting[0].CheaperThan(r.Meeting[1]):
		rec.Headline = fmt.Sprintf("Pick %s or %s: both meet every target, at costs within each other's intervals.", best, r.Meeting[1].Name)
	default:
		rec.Headline = fmt.Sprintf("Pick %s: it meets every target at the lowest cost; %s meet%s them too, at a higher cost.",
			best, strings.Join(r.MeetingNames()[1:], ", "), map[bool]string{true: "s", false: ""}[len(r.Meeting) == 2])
	}
	for i, c := range r.Meeting {
		rc := rankedColumn{Rank: i + 1, Name: c.Name, Cost: c.CostText()}
		for _, j := range c.Judgements {
			if j.Verdict == results.NA {
				rc.Notes = append(rc.Notes, fmt.Sprintf("%s n/a: %s", j.Target.Label(), j.Reason))
			}
		}
		rec.Ranked = append(rec.Ranked, rc)
	}
	if len(r.Meeting) == 0 {
		for i, c := range r.Undecided {
			rc := rankedColumn{Rank: i + 1, Name: c.Name, Cost: c.CostText()}
			for _, j := range c.Misses() {
				note := missText(j)
				if d := j.DecideText(); d != "" {
					note += "; to decide it: " + d
				}
				rc.Notes = append(rc.Notes, note)
			}
			rec.Undecided = append(rec.Undecided, rc)
		}
	}
	for _, c := range r.Others {
		if len(r.Meeting) == 0 && c.Verdict == results.Unclear {
			continue // ranked above, with what would decide it
		}
		mc := missingColumn{Name: c.Name, Verdict: strings.ToLower(c.Verdict.String())}
		if c.Verdict == results.Fail {
			mc.Verdict = "misses"
		}
		for _, j := range c.Misses() {
			mc.Misses = append(mc.Misses, missText(j))
		}
		rec.Others = append(rec.Others, mc)
	}
	weights := r.SLO.Cost
	which := "the scenario's slo.cost"
	if weights == nil {
		weights, which = results.DefaultCost, "the default weights (set slo.cost to weigh them otherwise)"
	}
	var terms []string
	for _, name := range slices.Sorted(maps.Keys(weights)) {
		terms = append(terms, fmt.Sprintf("%s × %s", results.Significant(weights[name], 3), name))
	}
	rule := "A target passes only when the figure's one-sided 95 % bound clears it (a fraction's bound counts its failures: none in n supports only about 1 − 3/n); it fails when the bound on the other side misses it too; \"unclear\" when the two straddle the target, or a percentile rests on too few samples."
	rec.CostNote = rule
	if len(rec.Ranked)+len(rec.Undecided) > 0 { // a cost only where it ranks something
		rec.CostNote = fmt.Sprintf("Cost = %s, by %s; bytes in MB of 10⁶ B (the table shows MiB of 2²⁰ B), rates per second. %s", strings.Join(terms, " + "), which, rule)
	}
	return rec
}

// missText is one missed target as the report says it: "latency.p99<=150ms:
// 180 ms ±5.0 (n=50.0k), 30.0 ms over".
func missText(j results.Judgement) string {
	f := j.Figure
	fig := results.Human(j.Unit, f.Value) + " " + j.Unit
	if f.HasCI && f.Method != results.MethodExact {
		fig += " ±" + results.Human(j.Unit, f.CI95)
	}
	if f.Counted {
		fig += ", n=" + results.Count(f.N)
	}
	switch j.Verdict {
	case results.Fail:
		return fmt.Sprintf("%s: fails by %s (%s)", j.Target.Label(), strings.TrimLeft(j.MissText(), "+−"), fig)
	case results.Unclear:
		if strings.Contains(j.Reason, "one-sided") {
			return fmt.Sprintf("%s: unclear, %s", j.Target.Label(), j.Reason) // it names the figure and n
		}
		if math.IsNaN(f.Value) {
			return fmt.Sprintf("%s: unclear, %s", j.Target.Label(), j.Reason) // no figure to show
		}
		return fmt.Sprintf("%s: unclear, %s (%s)", j.Target.Label(), j.Reason, fig)
	}
	return fmt.Sprintf("%s: %s", j.Target.Label(), j.Verdict)
}

func writeRecommendMarkdown(b *strings.Builder, r *recommendation) {
	if r == nil {
		return
	}
	fmt.Fprintf(b, "\n## Recommendation\n\nTargets: %s.\n\n**%s**\n\n", r.Targets, r.Headline)
	for _, c := range r.Ranked {
		fmt.Fprintf(b, "%d. **%s** meets every target; cost %s\n", c.Rank, c.Name, c.Cost)
		for _, n := range c.Notes {
			fmt.Fprintf(b, "   - %s\n", n)
		}
	}
	for _, c := range r.Undecided {
		fmt.Fprintf(b, "%d. **%s** fails no target, unclear on %d; cost %s\n", c.Rank, c.Name, len(c.Notes), c.Cost)
		for _, n := range c.Notes {
			fmt.Fprintf(b, "   - %s\n", n)
		}
	}
	if len(r.Ranked) > 0 || len(r.Undecided) > 0 {
		b.WriteString("\n")
	}
	for _, c := range r.Others {
		fmt.Fprintf(b, "- ⚠ **%s** %s:\n", c.Name, c.Verdict)
		for _, m := range c.Misses {
			fmt.Fprintf(b, "  - %s\n", m)
		}
	}
	fmt.Fprintf(b, "\n%s\n", r.CostNote)
}

// The HTML section, called from the report's template.
var _ = template.Must(htmlTemplate.New("recommend").Parse(`{{if .}}<style>
.recommendation { border: 2px solid #4e79a7; border-radius: 6px; padding: 0.2em 1em 0.6em; background: #f4f8fc; }
.recommendation h2 { margin-top: 0.6em; }
.recommendation .headline { font-size: 1.25em; font-weight: bold; }
</style>
<section id="recommendation" class="recommendation">
<h2>Recommendation</h2>
<p class="note">Targets: {{.Targets}}</p>
<p class="headline">{{.Headline}}</p>
{{with .Ranked}}<ol class="ranked">
{{range .}}<li><strong>{{.Name}}</strong> meets every target; cost {{.Cost}}{{range .Notes}}<br><span class="note">{{.}}</span>{{end}}</li>
{{end}}</ol>
{{end}}{{with .Undecided}}<ol class="ranked">
{{range .}}<li><strong>{{.Name}}</strong> fails no target, unclear on {{len .Notes}}; cost {{.Cost}}{{range .Notes}}<br><span class="note">{{.}}</span>{{end}}</li>
{{end}}</ol>
{{end}}{{with .Others}}<ul class="misses">
{{range .}}<li class="loss">⚠ <strong>{{.Name}}</strong> {{.Verdict}}:<ul>{{range .Misses}}<li>{{.}}</li>{{end}}</ul></li>
{{end}}</ul>
{{end}}<p class="note">{{.CostNote}}</p>
</section>
{{end}}`))

// decisionSection is a sweep report's decision map: which columns meet
// every target in each cell, the cheapest of them, and where that
// changes.
type decisionSection struct {
	Targets    string
	Image      image
	Boundaries []string
	// Undecided are the cells' columns only too few samples keep unclear:
	// no boundary is drawn against them.
	Undecided []string
}

// newDecisionSection draws the sweep's decision map (decision.png, written
// into dir if missing) when its cells have slo: targets or extra ones;
// nil otherwise.
func newDecisionSection(dir string, axes []string, rows []results.SweepRow, extra []results.Target) (*decisionSection, error) {
	m := results.Decide(axes, rows, extra)
	if m == nil {
		return nil, nil
	}
	var buf bytes.Buffer
	if err := plot.RenderDecision(&buf, m, "png"); err != nil {
		return nil, err
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(buf.Bytes()))
	if err != nil {
		return nil, fmt.Errorf("report: decision map: %w", err)
	}
	pngBytes := buf.Bytes()
	if err := writeSweepFileIfMissing(dir, plot.DecisionName+".png", func(w io.Writer) error {
		_, err := w.Write(pngBytes)
		return err
	}); err != nil {
		return nil, err
	}
	var targets []string
	for _, t := range m.Targets {
		targets = append(targets, t.Label())
	}
	d := &decisionSection{
		Targets: strings.Join(targets, ", "),
		Image: image{
			Name: plot.DecisionName, Title: "Decision map over " + strings.Join(axes, " × "), File: plot.DecisionName + ".png",
			Src:   template.HTMLAttr(`src="data:image/png;base64,` + base64.StdEncoding.EncodeToString(pngBytes) + `"`),
			Width: cfg.Width, Height: cfg.Height,
		},
	}
	for _, b := range m.Boundaries {
		d.Boundaries = append(d.Boundaries, b.Text)
	}
	if len(d.Boundaries) == 0 {
		d.Boundaries = []string{"The answer is the same in every cell."}
	}
	d.Undecided = m.Undecided
	return d, nil
}

func writeDecisionMarkdown(b *strings.Builder, d *decisionSection) {
	if d == nil {
		return
	}
	fmt.Fprintf(b, "\n## Decision map\n\nTargets: %s. In each cell, the cheapest column meeting every target, the others meeting them, and (?) those still unclear, (n?) those only too few samples keep unclear.\n\n![%s](%s)\n\n", d.Targets, d.Image.Title, d.Image.File)
	for _, s := range d.Boundaries {
		fmt.Fprintf(b, "- %s\n", s)
	}
	if len(d.Undecided) > 0 {
		fmt.Fprintf(b, "\nUndecided (n?: a percentile on too few samples; no boundary drawn against them):\n\n")
		for _, s := range d.Undecided {
			fmt.Fprintf(b, "- %s\n", s)
		}
	}
}

var _ = template.Must(sweepHTML.New("decision").Parse(`{{if .}}<h2 id="decision">Decision map</h2>
<p>Targets: {{.Targets}}. In each cell, the cheapest column meeting every target, the others meeting them, and (?) those still unclear, (n?) those only too few samples keep unclear.</p>
<figure><img {{.Image.Src}} width="{{.Image.Width}}" height="{{.Image.Height}}" alt="{{.Image.Title}}"><figcaption>{{.Image.Title}}</figcaption></figure>
<ul>{{range .Boundaries}}<li>{{.}}</li>{{end}}</ul>
{{if .Undecided}}<p>Undecided (n?: a percentile on too few samples; no boundary drawn against them):</p>
<ul>{{range .Undecided}}<li>{{.}}</li>{{end}}</ul>
{{end}}{{end}}`))
