package results

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sharebench/sharebench/pages"
)

// Encode writes f as indented JSON with a trailing newline. The output is a
// pure function of f (encoding/json sorts map keys), so the same File gives
// the same bytes. JSON has no NaN or infinity; Encode refuses them with the
// field's path rather than writing a file nothing can read.
func Encode(w io.Writer, f *File) error {
	if f == nil {
		return errors.New("results: Encode: nil File")
	}
	if f.Schema != Schema {
		return fmt.Errorf("results: Encode: schema %d; this build writes schema %d", f.Schema, Schema)
	}
	if err := checkFinite(reflect.ValueOf(f).Elem(), ""); err != nil {
		return fmt.Errorf("results: Encode: %w", err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	// The scenario YAML holds "->" and "<"; keep it readable.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(f); err != nil { // Encode adds the trailing newline
		return fmt.Errorf("results: Encode: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// checkFinite walks v and reports the first NaN or infinite float, named by
// its JSON path (e.g. strategies.sync.pages.all.latency_ms.p99). Map keys are
// visited sorted so the error is deterministic too.
func checkFinite(v reflect.Value, path string) error {
	switch v.Kind() {
	case reflect.Float32, reflect.Float64:
		if x := v.Float(); math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("%s is %v; JSON cannot hold it", path, x)
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return checkFinite(v.Elem(), path)
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			sf := t.Field(i)
			name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
			if !sf.IsExported() || name == "-" {
				continue
			}
			if name == "" {
				name = sf.Name
			}
			if err := checkFinite(v.Field(i), join(path, name)); err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if err := checkFinite(v.Index(i), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	case reflect.Map:
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int {
			return strings.Compare(fmt.Sprint(a), fmt.Sprint(b))
		})
		for _, k := range keys {
			if err := checkFinite(v.MapIndex(k), join(path, fmt.Sprint(k))); err != nil {
				return err
			}
		}
	}
	return nil
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// Decode reads a result file. Files of this build's schema or older are read
// leniently: fields this build does not know are ignored. A newer schema, a
// missing one, or malformed JSON is an error that says what to do about it.
func Decode(r io.Reader) (*File, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("results: Decode: %w", err)
	}
	// Read the schema alone first: a newer file may have changed the shape
	// of other fields, and "upgrade" is a better message than a type error.
	var head struct {
		Schema *int `json:"schema"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, jsonError(data, err)
	}
	switch {
	case head.Schema == nil || *head.Schema == 0:
		return nil, errors.New("results: Decode: no schema: not a sharebench result file")
	case *head.Schema < 0:
		return nil, fmt.Errorf("results: Decode: schema %d is not a valid result file schema", *head.Schema)
	case *head.Schema > Schema:
		return nil, fmt.Errorf("results: Decode: result file has schema %d; this build of sharebench reads schema %d and older: upgrade sharebench", *head.Schema, Schema)
	}
	f := new(File)
	if err := json.Unmarshal(data, f); err != nil {
		return nil, jsonError(data, err)
	}
	for _, m := range f.Strategies {
		neverConverged(m)
	}
	return f, nil
}

// jsonError places a decoding error at its line and column.
func jsonError(data []byte, err error) error {
	var offset int64
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		offset = syntax.Offset
	case errors.As(err, &typ):
		offset = typ.Offset
	default:
		return fmt.Errorf("results: Decode: %w", err)
	}
	// encoding/json's offset counts the bytes read, the culprit included.
	line, col := lineCol(data, offset-1)
	return fmt.Errorf("results: Decode: line %d, column %d (byte %d): %w", line, col, offset, err)
}

// lineCol returns the 1-based line and column of data[i].
func lineCol(data []byte, i int64) (line, col int) {
	i = max(0, min(i, int64(len(data))))
	before := data[:i]
	line = 1 + bytes.Count(before, []byte("\n"))
	col = 1 + len(before) - (bytes.LastIndexByte(before, '\n') + 1)
	return line, col
}

// neverConverged reads an older file's convergence of -1 ("never", before
// Metrics.NeverConverged) as the flag, in m and its replicas: the same
// schema, since a file with the flag reads in an older build as 0 ms.
func neverConverged(m *Metrics) {
	if m == nil {
		return
	}
	if m.ConvergenceMS < 0 {
		m.NeverConverged, m.ConvergenceMS = true, 0
		delete(m.CI95, "convergence")
	}
	for _, r := range m.Replicas {
		neverConverged(r)
	}
}

// ReadFile decodes the result file at path; errors name the path.
func ReadFile(path string) (*File, error) {
	r, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	f, err := Decode(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

// WriteFile encodes f to path atomically.
func WriteFile(path string, f *File) error {
	return WriteFileAtomic(path, func(w io.Writer) error { return Encode(w, f) })
}

// WriteFileAtomic makes path hold exactly what write produces, or leaves it
// as it was: write goes to a temporary file in the same directory (so the
// rename cannot cross filesystems), which is synced and renamed over path.
// On any error the temporary file is removed. The new file is mode 0644.
func WriteFileAtomic(path string, write func(io.Writer) error) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return err
	}
	renamed := false
	defer func() { // also when write panics
		if !renamed {
			tmp.Close() // may already be closed; that error is not news
			os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriter(tmp)
	if err := write(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	// CreateTemp makes 0600 files; results are meant to be shared.
	if err := tmp.Chmod(0o644); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	renamed = true
	syncDir(dir)
	return nil
}

// syncDir makes a rename durable. Best effort: some systems cannot fsync a
// directory, and the file itself is already complete either way.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// runStamp names a run directory: UTC, sortable, no characters a shell or
// a filesystem would mind.
const runStamp = "20060102T150405Z"

// RunDir creates <base>/runs/<scenario>/<UTC timestamp of started>/ for a
// run's output and points <base>/runs/<scenario>/latest at it. A directory
// that already exists is never reused: the name gets a suffix -2, -3, … .
// latest is a relative symlink, replaced atomically, so readers see the old
// run or the new one, never neither.
func RunDir(base, scenario string, started time.Time) (string, error) {
	if scenario == "" || scenario == "." || scenario == ".." || strings.ContainsAny(scenario, `/\`) {
		return "", fmt.Errorf("results: RunDir: scenario name %q cannot name a directory", scenario)
	}
	parent := filepath.Join(base, "runs", scenario)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return "", err
	}
	stamp := started.UTC().Format(runStamp)
	var dir string
	for n := 1; ; n++ {
		name := stamp
		if n > 1 {
			name += "-" + strconv.Itoa(n)
		}
		// Mkdir fails if the name exists, so two runs in the same second,
		// even concurrent ones, get different directories.
		dir = filepath.Join(parent, name)
		err := os.Mkdir(dir, 0o755)
		if err == nil {
			break
		}
		if !errors.Is(err, fs.ErrExist) || n >= 10000 {
			return "", err
		}
	}
	if err := pointLatest(parent, filepath.Base(dir)); err != nil {
		return "", err
	}
	return dir, nil
}

// pointLatest replaces parent/latest with a symlink to target (a name in
// parent): a symlink cannot be overwritten in place, but rename replaces
// one atomically.
func pointLatest(parent, target string) error {
	// The run's own name keeps the temporary link unique per run.
	tmp := filepath.Join(parent, ".latest-"+target)
	os.Remove(tmp) // a leftover from a crashed run
	if err := os.Symlink(target, tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(parent, "latest")); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// StripWall returns a copy of f with the Wall section zeroed: what
// determinism checks and comparisons look at. The copy shares everything
// else with f.
func StripWall(f *File) *File {
	if f == nil {
		return nil
	}
	c := *f
	c.Wall = Wall{}
	return &c
}

// ThisBuild names the running build: module version and VCS revision from
// debug.ReadBuildInfo, and the Go version. A test binary or `go run` may
// have no revision; then Revision is empty.
func ThisBuild() BuildVersion {
	v := BuildVersion{Go: runtime.Version()}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	v.Module = info.Main.Version
	dirty := false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Revision = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if dirty && v.Revision != "" {
		v.Revision += "+dirty"
	}
	return v
}

// Differs says, in words, how two builds differ, or "" when they match or
// either is unknown (a schema-1 file): what compare warns about.
func (v BuildVersion) Differs(w BuildVersion) string {
	if v == (BuildVersion{}) || w == (BuildVersion{}) {
		return ""
	}
	var ds []string
	if v.Module != w.Module || v.Revision != w.Revision {
		ds = append(ds, fmt.Sprintf("sharebench %s against %s", v.label(), w.label()))
	}
	if v.Go != w.Go {
		ds = append(ds, fmt.Sprintf("Go %s against %s", v.Go, w.Go))
	}
	// Equal revisions with uncommitted changes on either side cannot be
	// told apart: the commonest case of a changed simulator.
	if len(ds) == 0 && (v.Dirty() || w.Dirty()) {
		ds = append(ds, fmt.Sprintf("sharebench %s against %s: uncommitted changes cannot be told apart", v.label(), w.label()))
	}
	return strings.Join(ds, ", ")
}

// Dirty reports whether the build had uncommitted changes.
func (v BuildVersion) Dirty() bool { return strings.HasSuffix(v.Revision, "+dirty") }

func (v BuildVersion) label() string {
	s := v.Module
	if s == "" {
		s = "(unknown)"
	}
	if v.Revision != "" {
		s += " " + v.Revision
	}
	return s
}

// Shape is the system f describes: its Topology in the general form, the
// marketplace's (pages.Marketplace) otherwise. Tables, plots and the report read
// page kinds, services and owners from here, never from constants.
func (f *File) Shape() pages.Topology {
	if f.Topology != nil {
		return *f.Topology
	}
	// The marketplace's names do not depend on search_results (only the
	// search page's records do, which no reader of a file needs).
	return pages.Marketplace(20)
}
