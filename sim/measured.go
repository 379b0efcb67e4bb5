package sim

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"go.yaml.in/yaml/v3"
)

// Measured is a distribution read from a file of latencies someone
// measured: {dist: samples, file: F} (one value per line) or
// {dist: hdr, file: F} (an HdrHistogram interval log, as HistogramLogWriter
// writes it).
//
// A samples file is drawn from by bootstrap: every sample equally likely,
// no value invented between them. Interpolating the empirical CDF would
// smooth the steps, but it would also move the mean off the file's mean
// and make up tail values nobody measured; with the thousands of samples
// a latency file holds, the steps are finer than anything a run resolves.
// An hdr log is drawn from the same way: a quantile drawn uniformly and
// read from the merged histogram, each bucket standing for its
// median-equivalent value (as HdrHistogram's own Mean does), so values are
// within the log's precision and the mean is the log's mean.
//
// Decoding a scenario makes a Measured that names its file; Load reads it,
// relative to the scenario file's directory, before anything samples it.
// Loaded, it is immutable and safe to share; Sample is pure (no clock, no
// goroutines), so it runs in virtual time.
type Measured struct {
	Kind string // "samples" or "hdr"
	File string // as the scenario wrote it
	// Unit is the unit of an hdr log's integer values: "ns", "us", "ms" or
	// "s"; "us" when the scenario leaves it out, as wrk2 records
	// microseconds. For samples it is the unit of bare numbers, and
	// empty (the default) when every value must name its own.
	Unit string
	// Column picks a column of a CSV samples file by its header's name;
	// empty for a file of one value per line.
	Column string
	// SHA256 is the hex digest of the file's bytes: what the scenario gave
	// (checked on Load), or what Load found.
	SHA256 string

	fileLine, fileColumn int // where the scenario names the file, for errors
	hashLine, hashColumn int // where it gives the sha256, if it does

	values []float64 // ascending, distinct: seconds (durations) or numbers
	cum    []int64   // cum[i] = how many samples are ≤ values[i]
	number bool      // a number distribution (no unit) rather than durations
}

// DefaultHdrUnit is the unit of an hdr log's values when the scenario
// leaves unit out: wrk2, the load generator whose HdrHistograms these
// logs most often come from, records microseconds.
const DefaultHdrUnit = "us"

var hdrUnits = map[string]float64{"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1}

// Loaded reports whether Load has read the file.
func (m *Measured) Loaded() bool { return len(m.cum) > 0 }

// Count is the number of measured values.
func (m *Measured) Count() int64 {
	if !m.Loaded() {
		return 0
	}
	return m.cum[len(m.cum)-1]
}

func (m *Measured) mustBeLoaded() {
	if !m.Loaded() {
		panic(fmt.Sprintf("sim: %s distribution of %s used before Load", m.Kind, m.File))
	}
}

// Sample draws one of the measured values, each sample equally likely.
func (m *Measured) Sample(r *rand.Rand) float64 {
	m.mustBeLoaded()
	rank := int64(r.Float64() * float64(m.Count())) // 0 … Count-1
	return m.values[sort.Search(len(m.cum), func(i int) bool { return m.cum[i] > rank })]
}

// Mean is the measured values' mean.
func (m *Measured) Mean() float64 {
	m.mustBeLoaded()
	var sum float64
	var prev int64
	for i, c := range m.cum {
		sum += float64(c-prev) * m.values[i]
		prev = c
	}
	return sum / float64(m.Count())
}

// Quantile is the smallest measured value with at least a fraction p of
// the samples at or below it (the nearest-rank percentile).
func (m *Measured) Quantile(p float64) float64 {
	m.mustBeLoaded()
	rank := int64(math.Ceil(p * float64(m.Count())))
	return m.values[min(sort.Search(len(m.cum), func(i int) bool { return m.cum[i] >= rank }), len(m.values)-1)]
}

func (m *Measured) notation(func(float64) string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "{dist: %s, file: %s", m.Kind, yamlString(m.File))
	if m.Column != "" {
		fmt.Fprintf(&b, ", column: %s", yamlString(m.Column))
	}
	if m.Unit != "" {
		fmt.Fprintf(&b, ", unit: %s", m.Unit)
	}
	if m.SHA256 != "" {
		fmt.Fprintf(&b, ", sha256: %s", m.SHA256)
	}
	b.WriteString("}")
	return b.String()
}

// plainPath is a path YAML reads back as itself without quotes.
var plainPath = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_./-]*$`)

func yamlString(s string) string {
	if plainPath.MatchString(s) {
		return s
	}
	return strconv.Quote(s)
}

// decodeMeasured reads {dist: samples|hdr, file: F[, unit: U][, sha256: H]}
// without reading F: the scenario's directory is not known here.
func (p *distParser) measured() Dist {
	f, ok := p.fields["file"]
	if !ok || f.Kind != yaml.ScalarNode || strings.TrimSpace(f.Value) == "" {
		p.fail("file", "missing; name the file of measured latencies, relative to the scenario file, e.g. {dist: %s, file: latencies%s}", p.name, map[string]string{"samples": ".txt", "hdr": ".hlog"}[p.name])
		return nil
	}
	m := &Measured{Kind: p.name, File: f.Value, fileLine: f.Line, fileColumn: f.Column, number: p.u.example == numberUnit.example}
	if p.name == "hdr" {
		if m.number {
			p.fail("dist", "an hdr log holds latencies; it cannot give a plain number")
			return nil
		}
		m.Unit = DefaultHdrUnit
	}
	if u, ok := p.fields["unit"]; ok {
		if m.number {
			p.fail("unit", "a number distribution's values have no unit; leave unit out")
			return nil
		}
		if _, known := hdrUnits[u.Value]; !known {
			p.fail("unit", "%q is not a unit; use ns, us (wrk2's), ms or s", u.Value)
			return nil
		}
		m.Unit = u.Value
	}
	if c, ok := p.fields["column"]; ok {
		if c.Kind != yaml.ScalarNode || strings.TrimSpace(c.Value) == "" {
			p.fail("column", "expected the name of a column in the CSV file's header, e.g. column: latency_ms")
			return nil
		}
		m.Column = strings.TrimSpace(c.Value)
	}
	if h, ok := p.fields["sha256"]; ok {
		if _, err := hex.DecodeString(h.Value); err != nil || len(h.Value) != 64 {
			p.fail("sha256", "%q is not a sha256 (64 hex digits); remove it to take the file as it is", h.Value)
			return nil
		}
		m.SHA256, m.hashLine, m.hashColumn = strings.ToLower(h.Value), h.Line, h.Column
	}
	return m
}

// Load reads the file, relative to dir unless absolute ("" is the working
// directory), and checks it against the sha256 the scenario gave. Its
// errors are *SpecError located at the scenario's file: field, naming the
// data file's line.
func (m *Measured) Load(dir string) error {
	fail := func(format string, args ...any) error {
		return &SpecError{Line: m.fileLine, Column: m.fileColumn, Field: "file", Msg: fmt.Sprintf(format, args...)}
	}
	path := m.File
	if !filepath.IsAbs(path) && dir != "" {
		path = filepath.Join(dir, path)
	}
	// A device or a pipe (/dev/zero) would never end; only a file can be hashed.
	if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() {
		return fail("%s: not a regular file; name a file of measured latencies", path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		if os.IsNotExist(err) {
			return fail("%s: no such file; paths are relative to the scenario file's directory", path)
		}
		return fail("%v", err)
	}
	sum := sha256.Sum256(data)
	got := hex.EncodeToString(sum[:])
	if m.SHA256 != "" && m.SHA256 != got {
		return &SpecError{Line: m.hashLine, Column: m.hashColumn, Field: "sha256",
			Msg: fmt.Sprintf("%s has sha256 %s, not the %s the scenario gives: the file changed since; restore it, or remove sha256 to run with the file as it is now", path, got, m.SHA256)}
	}
	var values []float64
	var counts []int64
	if m.Kind == "hdr" {
		values, counts, err = readHdrLog(data, hdrUnits[m.Unit])
	} else {
		u := durationUnit
		if m.number {
			u = numberUnit
		}
		values, counts, err = readSamples(data, u, m.Column, hdrUnits[m.Unit])
	}
	if err != nil {
		return fail("%s%v", filepath.Base(path), err)
	}
	m.SHA256 = got
	m.values, m.cum = values, nil
	var total int64
	for _, c := range counts {
		total += c
		m.cum = append(m.cum, total)
	}
	return nil
}

// readSamples reads one value per line in unit u, or with column the
// named column of a CSV file with a header; '#' starts a comment. A bare
// number is in seconds × scale when scale > 0 (the scenario gave a unit),
// and refused otherwise. It returns the distinct values ascending and how
// often each occurs; its errors start with ":LINE: " for the caller to
// prefix the file's name.
func readSamples(data []byte, u unit, column string, scale float64) ([]float64, []int64, error) {
	var xs []float64
	col := -1 // the column's index, once the header is read
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for line := 1; sc.Scan(); line++ {
		text, _, _ := strings.Cut(sc.Text(), "#")
		text = strings.TrimSpace(text)
		if text == "" {
			continue
		}
		if column != "" {
			cells := strings.Split(text, ",")
			for i := range cells {
				cells[i] = strings.Trim(strings.TrimSpace(cells[i]), `"`)
			}
			if col < 0 {
				if col = slices.Index(cells, column); col < 0 {
					return nil, nil, fmt.Errorf(":%d: the header has no column %q; it has %s", line, column, strings.Join(cells, ", "))
				}
				continue
			}
			if col >= len(cells) {
				return nil, nil, fmt.Errorf(":%d: has %d columns; column %q is number %d", line, len(cells), column, col+1)
			}
			text = cells[col]
		} else if strings.ContainsAny(text, ", \t;") {
			return nil, nil, fmt.Errorf(":%d: %q holds more than one value; a samples file holds one value per line, e.g. 12.5ms (for a CSV file, give column: NAME)", line, text)
		}
		x, err := u.parse(text)
		if bare, berr := strconv.ParseFloat(text, 64); berr == nil && scale > 0 {
			x, err = bare*scale, nil
			if math.IsNaN(bare) || math.IsInf(bare, 0) {
				err = fmt.Errorf("%q is not a finite number", text)
			}
		} else if err != nil && berr == nil && u.example == durationUnit.example {
			err = fmt.Errorf("%v, or give the file's unit in the scenario, e.g. unit: ms", err)
		}
		if err != nil {
			return nil, nil, fmt.Errorf(":%d: %v", line, err)
		}
		if x < 0 {
			return nil, nil, fmt.Errorf(":%d: %s is negative; measured values are ≥ 0", line, text)
		}
		xs = append(xs, x)
	}
	if err := sc.Err(); err != nil {
		return nil, nil, fmt.Errorf(": %v", err)
	}
	if len(xs) == 0 {
		return nil, nil, fmt.Errorf(": holds no values; write one per line, e.g. 12.5ms (lines starting with # are comments)")
	}
	sort.Float64s(xs)
	var values []float64
	var counts []int64
	for _, x := range xs {
		if n := len(values); n > 0 && values[n-1] == x {
			counts[n-1]++
			continue
		}
		values, counts = append(values, x), append(counts, 1)
	}
	return values, counts, nil
}

// readHdrLog merges the intervals of an HdrHistogram log (the format of
// HdrHistogram's HistogramLogWriter: '#' header lines, a legend
// line, then "[Tag=T,]start,length,max,BASE64" lines) into one histogram,
// with hdrhistogram-go decoding each interval. Every tag is merged. It
// returns each non-empty bucket's median-equivalent value, times scale,
// ascending, with its count.
func readHdrLog(data []byte, scale float64) ([]float64, []int64, error) {
	var merged *hdrhistogram.Histogram
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 16<<20) // an interval's histogram is one long line
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") || strings.HasPrefix(text, `"StartTimestamp"`) {
			continue
		}
		if strings.HasPrefix(text, "Tag=") {
			_, text, _ = strings.Cut(text, ",")
		}
		parts := strings.SplitN(text, ",", 4)
		if len(parts) != 4 {
			return nil, nil, fmt.Errorf(":%d: not an interval line; an hdr log's lines are start,length,max,HISTFAAA… (a compressed histogram) after its # header", line)
		}
		for i, what := range []string{"start", "length", "max"} {
			if _, err := strconv.ParseFloat(parts[i], 64); err != nil {
				return nil, nil, fmt.Errorf(":%d: interval %s %q is not a number; an hdr log's lines are start,length,max,HISTFAAA…", line, what, parts[i])
			}
		}
		h, err := hdrhistogram.Decode([]byte(strings.TrimSpace(parts[3])))
		if err != nil {
			return nil, nil, fmt.Errorf(":%d: the interval's histogram does not decode (%v); is the file an HdrHistogram log?", line, err)
		}
		if merged == nil {
			merged = h
		} else if dropped := merged.Merge(h); dropped > 0 {
			return nil, nil, fmt.Errorf(":%d: %d values lie beyond the range of the log's first interval (highest %d); write the log with one histogram range", line, dropped, merged.HighestTrackableValue())
		}
	}
	if err := sc.Err(); err != nil {
		return nil, nil, fmt.Errorf(": %v", err)
	}
	if merged == nil {
		return nil, nil, fmt.Errorf(": holds no histogram intervals; give an HdrHistogram interval log (as HistogramLogWriter writes it: start,length,max,HISTFAAA… lines)")
	}
	if merged.TotalCount() == 0 {
		return nil, nil, fmt.Errorf(": its intervals record no values")
	}
	var values []float64
	var counts []int64
	for _, bar := range merged.Distribution() {
		if bar.Count == 0 {
			continue
		}
		// The bucket's median-equivalent value, as Histogram.Mean counts it.
		mid := bar.From + (bar.To-bar.From+1)/2
		values, counts = append(values, float64(mid)*scale), append(counts, bar.Count)
	}
	return values, counts, nil
}
