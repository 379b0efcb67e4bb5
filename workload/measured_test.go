package workload

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/sharebench/sharebench/results"
)

const measuredDir = "testdata/measured"

// ownerHlog is testdata/measured/owner.hlog: an HdrHistogram interval log
// as wrk2 writes it (microseconds, a StartTime and BaseTime header, the
// legend, one line per second), made with hdrhistogram-go's own writer.
// Set SHAREBENCH_UPDATE_FIXTURES=1 to write it again.
func ownerHlog(t *testing.T) []byte {
	t.Helper()
	r := rand.New(rand.NewPCG(14, 14))
	var b bytes.Buffer
	w := hdrhistogram.NewHistogramLogWriter(&b)
	const start = 1_700_000_000_000 // ms since the epoch
	w.SetBaseTime(start)
	for _, err := range []error{w.OutputLogFormatVersion(), w.OutputStartTime(start), w.OutputBaseTime(start), w.OutputLegend()} {
		if err != nil {
			t.Fatal(err)
		}
	}
	for i := range int64(3) {
		h := hdrhistogram.New(1, 60_000_000, 3)
		for range 500 {
			if err := h.RecordValue(min(30_000, int64(300+r.ExpFloat64()*1700))); err != nil { // µs
				t.Fatal(err)
			}
		}
		h.SetStartTimeMs(start + i*1000)
		h.SetEndTimeMs(start + (i+1)*1000)
		if err := w.OutputIntervalHistogram(h); err != nil {
			t.Fatal(err)
		}
	}
	return b.Bytes()
}

func TestMeasuredFixtureIsGenerated(t *testing.T) {
	path := filepath.Join(measuredDir, "owner.hlog")
	want := ownerHlog(t)
	if os.Getenv("SHAREBENCH_UPDATE_FIXTURES") != "" {
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from what ownerHlog writes; run with SHAREBENCH_UPDATE_FIXTURES=1 to write it again", path)
	}
}

// samplesFileStats is the mean and standard deviation, in milliseconds, of the
// values in a samples file, read here without sim's reader, and the
// file's sha256.
func samplesFileStats(t *testing.T, path string) (mean, sd float64, hash string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var sum, sum2, n float64
	for _, line := range strings.Split(string(data), "\n") {
		if line = strings.TrimSpace(line); line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		d, err := time.ParseDuration(line)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		ms := float64(d) / 1e6
		sum, sum2, n = sum+ms, sum2+ms*ms, n+1
	}
	h := sha256.Sum256(data)
	mean = sum / n
	return mean, math.Sqrt(sum2/n - mean*mean), hex.EncodeToString(h[:])
}

// hdrFileStats merges the log with hdrhistogram-go's own log reader.
func hdrFileStats(t *testing.T, path string) (mean, sd float64, hash string, merged *hdrhistogram.Histogram) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rd := hdrhistogram.NewHistogramLogReader(bytes.NewReader(data))
	merged = hdrhistogram.New(1, 60_000_000, 3)
	for {
		h, err := rd.NextIntervalHistogram()
		if err != nil {
			t.Fatal(err)
		}
		if h == nil {
			break
		}
		merged.Merge(h)
	}
	sum := sha256.Sum256(data)
	return merged.Mean() / 1e3, merged.StdDev() / 1e3, hex.EncodeToString(sum[:]), merged
}

// TestMeasuredServiceTimeThroughTheStack: a whole sync run whose owner's
// service time is a file of measured latencies gives gig pages a mean
// latency of 4ms of network plus the file's mean, within 4 standard errors
// (and HDR's 0.1 %); the result file records the file's hash and figures.
func TestMeasuredServiceTimeThroughTheStack(t *testing.T) {
	for _, name := range []string{"samples", "hdr"} {
		t.Run(name, func(t *testing.T) {
			sc, err := Load(filepath.Join(measuredDir, name+".yaml"))
			if err != nil {
				t.Fatal(err)
			}
			var mean, sd float64
			var hash string
			var p99 float64
			if name == "samples" {
				mean, sd, hash = samplesFileStats(t, filepath.Join(measuredDir, "owner.txt"))
			} else {
				var merged *hdrhistogram.Histogram
				mean, sd, hash, merged = hdrFileStats(t, filepath.Join(measuredDir, "owner.hlog"))
				p99 = float64(merged.ValueAtQuantile(99)) / 1e3
			}
			f, err := Run(sc, RunOptions{Parallel: 1, Seeds: 1})
			if err != nil {
				t.Fatal(err)
			}
			gig := f.Strategies["sync"].Pages["gig"]
			if gig.Count != 2000 || gig.Availability != 1 {
				t.Fatalf("gig pages: %d, availability %v; want 2000, 1", gig.Count, gig.Availability)
			}
			want := 4 + mean
			tol := 4*sd/math.Sqrt(float64(gig.Count)) + 0.001*want
			t.Logf("%s: mean gig page latency %.4fms over %d pages; 4ms + the file's mean = %.4fms ± %.4fms", name, gig.LatencyMS.Mean, gig.Count, want, tol)
			if got := gig.LatencyMS.Mean; math.Abs(got-want) > tol {
				t.Errorf("mean gig page latency = %.4fms; want 4ms + the file's mean %.4fms = %.4fms ± %.4fms", got, mean, want, tol)
			}
			if len(f.Inputs) != 1 {
				t.Fatalf("result inputs = %+v; want the one measured file", f.Inputs)
			}
			in := f.Inputs[0]
			if in.Field != "services.topclients.service_time" || in.Dist != name || in.SHA256 != hash {
				t.Errorf("input = %s %s %s; want services.topclients.service_time %s %s", in.Field, in.Dist, in.SHA256, name, hash)
			}
			if math.Abs(in.MeanMS-mean) > 1e-6*mean || in.P0MS > in.P50MS || in.P50MS > in.P99MS || in.P99MS > in.MaxMS {
				t.Errorf("input figures = mean %v, p0 %v, p50 %v, p99 %v, max %v; want mean %v and ordered percentiles", in.MeanMS, in.P0MS, in.P50MS, in.P99MS, in.MaxMS, mean)
			}
			if p99 > 0 && math.Abs(in.P99MS-p99) > 0.002*p99 {
				t.Errorf("input p99 = %vms; want the log's %vms within its precision", in.P99MS, p99)
			}
			if wantCount := map[string]int64{"samples": 1000, "hdr": 1500}[name]; in.Count != wantCount {
				t.Errorf("input count = %d; want %d", in.Count, wantCount)
			}
			// The inputs section survives the file's encoding.
			var buf bytes.Buffer
			if err := results.Encode(&buf, f); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(buf.String(), `"inputs": [`) || !strings.Contains(buf.String(), `"sha256": "`+hash+`"`) {
				t.Errorf("the encoded result has no inputs section with the file's hash")
			}
			back, err := results.Decode(&buf)
			if err != nil || !reflect.DeepEqual(back.Inputs, f.Inputs) {
				t.Errorf("decoded inputs = %+v, %v; want %+v", back.Inputs, err, f.Inputs)
			}
		})
	}
}

// TestMeasuredScenarioRoundTrip: the scenario_yaml of a run keeps the
// file and pins its hash; parsed again beside the same file, it writes the
// same text and runs to the same figures.
func TestMeasuredScenarioRoundTrip(t *testing.T) {
	path := filepath.Join(measuredDir, "samples.yaml")
	sc, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	_, _, hash := samplesFileStats(t, filepath.Join(measuredDir, "owner.txt"))
	text := sc.YAML()
	if want := "{dist: samples, file: owner.txt, sha256: " + hash + "}"; !strings.Contains(text, want) {
		t.Fatalf("scenario YAML does not hold %q:\n%s", want, text)
	}
	again, err := Parse(path, []byte(text))
	if err != nil {
		t.Fatalf("Parse(its own YAML): %v", err)
	}
	if again.YAML() != text {
		t.Errorf("YAML → Parse → YAML differs:\n%s\nthen\n%s", text, again.YAML())
	}
	sc.Duration, again.Duration = Duration(2*time.Second), Duration(2*time.Second) // shorter: the same either way
	a, err := Run(sc, RunOptions{Parallel: 1, Seeds: 1})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Run(again, RunOptions{Parallel: 2, Seeds: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a.Strategies, b.Strategies) || !reflect.DeepEqual(a.Inputs, b.Inputs) || a.ScenarioYAML != b.ScenarioYAML {
		t.Errorf("a run of the scenario and of its own YAML differ")
	}
}

// TestMeasuredPathsRelativeToScenarioFile: a file resolves beside the
// scenario file, found by path or through Source as the commands find it;
// the same text given as a bare name resolves against the working
// directory, where owner.txt is not.
func TestMeasuredPathsRelativeToScenarioFile(t *testing.T) {
	arg := filepath.Join(measuredDir, "samples.yaml")
	if _, err := Resolve(arg); err != nil {
		t.Errorf("Resolve(%s) = %v; want owner.txt found beside it", arg, err)
	}
	name, data, err := Source(arg)
	if err != nil {
		t.Fatal(err)
	}
	cells, err := Cells(name, data, []Param{{Path: "services.topclients.service_time", Values: []string{"{dist: samples, file: owner.txt}", "{dist: hdr, file: owner.hlog}"}}})
	if err != nil {
		t.Fatalf("Cells of %s setting the owner's service time to each file = %v; want both found beside it", arg, err)
	}
	for i, kind := range []string{"samples", "hdr"} {
		if in := cells[i].Scenario.inputs(); len(in) != 1 || in[0].Dist != kind || in[0].Count == 0 {
			t.Errorf("cell %d inputs = %+v; want the %s file, read", i, in, kind)
		}
	}
	_, err = Parse("samples.yaml", data)
	for _, want := range []string{"samples.yaml:15:", "services.topclients.service_time.file", "owner.txt: no such file", "relative to the scenario file"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(samples.yaml) from the working directory = %v; want an error containing %q", err, want)
		}
	}
}
