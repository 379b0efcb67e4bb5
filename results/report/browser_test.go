package report

import (
	"context"
	"encoding/json"
	"errors"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sharebench/sharebench/results"
	"github.com/sharebench/sharebench/results/plot"
)

// checker is put at the top of a copy of report.html: it records errors
// (scripts and resources that fail to load, console.error) and, once the
// page has loaded, the size of every image, into a <pre> that
// --dump-dom prints. The report itself has no script.
const checker = `<script>
window.__sharebenchErrors = [];
window.addEventListener("error", function (e) {
  var t = e.target;
  __sharebenchErrors.push(e.message || ("failed to load " + (t && (t.src || t.href || t.tagName))));
}, true);
var __consoleError = console.error;
console.error = function () {
  __sharebenchErrors.push("console.error: " + Array.prototype.join.call(arguments, " "));
  __consoleError.apply(console, arguments);
};
window.addEventListener("load", function () {
  var out = {errors: __sharebenchErrors, images: []};
  document.querySelectorAll("img, svg").forEach(function (el) {
    var r = el.getBoundingClientRect();
    out.images.push({tag: el.tagName.toLowerCase(), alt: el.getAttribute("alt") || "",
      width: r.width, height: r.height,
      naturalWidth: el.naturalWidth === undefined ? r.width : el.naturalWidth,
      complete: el.complete === undefined ? true : el.complete});
  });
  var table = document.getElementById("summary-table");
  out.summaryRows = table ? table.tBodies[0].rows.length : 0;
  out.summaryWidth = table ? table.getBoundingClientRect().width : 0;
  out.tooFew = [];
  document.querySelectorAll("figure.toofew").forEach(function (el) {
    out.tooFew.push({id: el.id, border: parseFloat(getComputedStyle(el).borderLeftWidth)});
  });
  var pre = document.createElement("pre");
  pre.id = "sharebench-check";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>
`

type browserCheck struct {
	Errors       []string `json:"errors"`
	SummaryRows  int      `json:"summaryRows"`
	SummaryWidth float64  `json:"summaryWidth"`
	TooFew       []struct {
		ID     string  `json:"id"`
		Border float64 `json:"border"`
	} `json:"tooFew"`
	Images []struct {
		Tag          string  `json:"tag"`
		Alt          string  `json:"alt"`
		Width        float64 `json:"width"`
		Height       float64 `json:"height"`
		NaturalWidth float64 `json:"naturalWidth"`
		Complete     bool    `json:"complete"`
	} `json:"images"`
}

func chromium() (string, error) {
	for _, name := range []string{"chromium", "chromium-browser"} {
		if path, err := exec.LookPath(name); err == nil {
			return path, nil
		}
	}
	return "", errors.New("neither chromium nor chromium-browser is on PATH (Debian: apt-get install chromium)")
}

// TestReportInChromium opens report.html in headless Chromium: the page
// loads with no error on the console and shows every plot at a non-zero
// size. CI installs Chromium when it can; without it the test skips.
func TestReportInChromium(t *testing.T) {
	bin, err := chromium()
	if err != nil {
		t.Skip("chromium not installed: " + err.Error())
	}
	if testing.Short() {
		t.Skip("-short: the browser check runs in the full test pass")
	}
	f := readSample(t)
	dir := t.TempDir()
	if err := WriteReport(dir, f); err != nil {
		t.Fatalf("WriteReport = %v", err)
	}
	page, err := os.ReadFile(filepath.Join(dir, HTMLFile))
	if err != nil {
		t.Fatal(err)
	}
	checked := strings.Replace(string(page), "<head>", "<head>\n"+checker, 1)
	checkedPath := filepath.Join(dir, "checked.html")
	if err := os.WriteFile(checkedPath, []byte(checked), 0o644); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin,
		"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+t.TempDir(),
		"--enable-logging=stderr", "--v=0",
		"--window-size=1280,1024",
		"--virtual-time-budget=5000",
		"--dump-dom", "file://"+checkedPath)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v (timed out: %v)\nstderr:\n%s", bin, err, ctx.Err() != nil, stderr.String())
	}

	// Console messages reach Chromium's log as CONSOLE lines; the report
	// has no script, so any is a failure to load something.
	for _, line := range strings.Split(stderr.String(), "\n") {
		if strings.Contains(line, ":CONSOLE") || strings.Contains(line, "Failed to load resource") {
			t.Errorf("chromium console: %s", line)
		}
	}
	m := regexp.MustCompile(`(?s)<pre id="sharebench-check">(.*?)</pre>`).FindStringSubmatch(stdout.String())
	if m == nil {
		t.Fatalf("the dumped DOM has no check result: the page did not finish loading\nstderr:\n%s", stderr.String())
	}
	var got browserCheck
	if err := json.Unmarshal([]byte(html.UnescapeString(m[1])), &got); err != nil {
		t.Fatalf("check result %q: %v", m[1], err)
	}
	if len(got.Errors) > 0 {
		t.Errorf("page errors = %q; want none", got.Errors)
	}
	if want := len(plot.Figures(f)); len(got.Images) != want {
		t.Errorf("page shows %d images; want %d, one per plot", len(got.Images), want)
	}
	for _, img := range got.Images {
		if img.Width <= 0 || img.Height <= 0 || img.NaturalWidth <= 0 || !img.Complete {
			t.Errorf("image %q (%s) shows at %vx%v, natural width %v, complete %v; want a decoded image at a non-zero size",
				img.Alt, img.Tag, img.Width, img.Height, img.NaturalWidth, img.Complete)
		}
	}
	// The summary is a real table, a row per metric, laid out at a width.
	if got.SummaryRows != len(results.Registry) || got.SummaryWidth <= 0 {
		t.Errorf("summary table: %d rows, %v px wide; want %d rows at a non-zero width", got.SummaryRows, got.SummaryWidth, len(results.Registry))
	}
	// Figures resting on too few samples are visibly set apart.
	var few []string
	for _, fig := range plot.Figures(f) {
		if len(fig.TooFew()) > 0 {
			few = append(few, fig.Name)
		}
	}
	var shown []string
	for _, tf := range got.TooFew {
		if tf.Border > 0 {
			shown = append(shown, tf.ID)
		}
	}
	if len(few) == 0 || !slices.Equal(shown, few) {
		t.Errorf("figures set apart with a border = %q; want those with too few samples %q (some)", shown, few)
	}
	t.Logf("%s: %d images, all at non-zero size, no console errors; summary table of %d rows; set apart: %q", filepath.Base(bin), len(got.Images), got.SummaryRows, shown)
}
