package plot

import (
	"bytes"
	"image/png"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/sharebench/sharebench/results"
)

// generalFile is the two-owner file with a plan column that the results
// tests write (results/testdata/general.json).
func generalFile(t *testing.T) *results.File {
	t.Helper()
	f, err := results.ReadFile("../testdata/general.json")
	if err != nil {
		t.Fatal(err)
	}
	return f
}

const planLabel = "hot-async (inventory: sync, reviews: async)"

func TestGeneralFigures(t *testing.T) {
	f := generalFile(t)
	figs := Figures(f)
	var names []string
	for _, fig := range figs {
		names = append(names, fig.Name)
	}
	for _, want := range []string{"latency-all", "latency-product", "latency-stock-editor", "cost", "owners"} {
		if !slices.Contains(names, want) {
			t.Errorf("Figures(general) = %q; want %s", names, want)
		}
	}
	for _, gone := range []string{"latency-gig", "latency-self"} {
		if slices.Contains(names, gone) {
			t.Errorf("Figures(general) = %q; want no marketplace figure %s", names, gone)
		}
	}
	i := slices.Index(names, "owners")
	if i < 0 {
		t.Fatal("no owners figure")
	}
	owners := figs[i]
	load, dup := owners.Panels[0], owners.Panels[1]
	if !slices.Equal(load.Bars.Groups, []string{"inventory", "reviews"}) {
		t.Errorf("owner load groups = %q; want inventory, reviews", load.Bars.Groups)
	}
	var labels []string
	for _, s := range load.Bars.Series {
		labels = append(labels, s.Label)
	}
	if want := []string{"sync", "async", planLabel}; !slices.Equal(labels, want) {
		t.Errorf("owner load series = %q; want %q", labels, want)
	}
	// The plan shares inventory sync: its load is sync's, reviews' async's.
	plan, sync, async := load.Bars.Series[2], load.Bars.Series[0], load.Bars.Series[1]
	if plan.Values[0] != sync.Values[0] || plan.Values[1] != async.Values[1] || plan.Values[0] == async.Values[0] {
		t.Errorf("owner load (inventory, reviews): plan %v, sync %v, async %v; want the plan to follow sync on inventory and async on reviews", plan.Values, sync.Values, async.Values)
	}
	if !slices.Equal(dup.Bars.Groups, []string{"inventory\nin storefront", "reviews\nin storefront"}) {
		t.Errorf("duplication groups = %q; want storefront × each owner", dup.Bars.Groups)
	}
	if v := dup.Bars.Series[2].Values; v[0] != 0 || v[1] <= 0 {
		t.Errorf("plan's duplication (inventory, reviews) = %v; want none of inventory (sync), some of reviews", v)
	}
	if len(owners.Basis) != 3*2*2 {
		t.Errorf("owners basis has %d figures; want 12 (load and completeness of 2 owners × 3 columns)", len(owners.Basis))
	}
	for _, fig := range figs {
		for _, s := range []string{fig.Title, strings.Join(panelTitles(fig), " ")} {
			if strings.Contains(s, "Top Clients") || strings.Contains(s, "gig") {
				t.Errorf("figure %s: %q names the marketplace", fig.Name, s)
			}
		}
	}
}

func panelTitles(fig Figure) []string {
	var ts []string
	for _, p := range fig.Panels {
		ts = append(ts, p.Title)
	}
	return ts
}

// TestGeneralRender: the per-owner figure draws, and its legend gives the
// plan's choice per owner. SHAREBENCH_PLOT_DIR keeps the PNG to look at.
func TestGeneralRender(t *testing.T) {
	for _, fig := range Figures(generalFile(t)) {
		if fig.Name != "owners" && fig.Name != "tradeoff" {
			continue
		}
		var pngBuf, svgBuf bytes.Buffer
		if err := Render(&pngBuf, fig, "png"); err != nil {
			t.Fatalf("Render(%s, png) = %v", fig.Name, err)
		}
		if img, err := png.Decode(bytes.NewReader(pngBuf.Bytes())); err != nil || img.Bounds().Dx() < 500 {
			t.Errorf("Render(%s, png) = %v; want a PNG at least 500 px wide", fig.Name, err)
		}
		if dir := os.Getenv("SHAREBENCH_PLOT_DIR"); dir != "" {
			_ = os.WriteFile(dir+"/"+fig.Name+".png", pngBuf.Bytes(), 0o644)
		}
		if err := Render(&svgBuf, fig, "svg"); err != nil {
			t.Fatalf("Render(%s, svg) = %v", fig.Name, err)
		}
		texts, err := svgTexts(&svgBuf)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(texts, planLabel) {
			t.Errorf("Render(%s, svg) texts = %q; want the legend entry %q", fig.Name, texts, planLabel)
		}
	}
}

// TestGeneralSpectrumBasis: in the general form a page kind's spectrum
// carries that kind's scoped figures, with the plan's name.
func TestGeneralSpectrumBasis(t *testing.T) {
	for _, fig := range Figures(generalFile(t)) {
		if fig.Name != "latency-product" {
			continue
		}
		var metrics []string
		for _, b := range fig.Basis {
			if b.Strategy == "hot-async" {
				metrics = append(metrics, b.Metric)
			}
		}
		if want := []string{"latency.p50@product", "latency.p99@product", "latency.p999@product"}; !slices.Equal(metrics, want) {
			t.Errorf("latency-product basis of hot-async = %q; want %q", metrics, want)
		}
		return
	}
	t.Fatal("no latency-product figure")
}

// TestGeneralSweepFigures: a sweep of a general-form scenario plots page
// completeness and each owner's load, named without the "@".
func TestGeneralSweepFigures(t *testing.T) {
	var rows []results.SweepRow
	for _, v := range []string{"4", "8"} {
		rows = append(rows, results.SweepRow{Values: []string{v}, File: generalFile(t)})
	}
	var names []string
	for _, fig := range SweepFigures([]string{"owners.reviews.service.workers"}, rows) {
		names = append(names, fig.Name)
		if fig.Name == "sweep-owner-rps-reviews" {
			line := fig.Panels[0].Lines[2]
			if line.Label != planLabel || len(line.Segments[0]) != 2 {
				t.Errorf("sweep-owner-rps-reviews third line = %q with %v; want the plan's label and a point per cell", line.Label, line.Segments)
			}
		}
	}
	for _, want := range []string{"sweep-page_completeness", "sweep-owner-rps-inventory", "sweep-owner-rps-reviews"} {
		if !slices.Contains(names, want) {
			t.Errorf("SweepFigures(general) = %q; want %s", names, want)
		}
	}
}
