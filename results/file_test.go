package results

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestEncodeDecodeRoundTrip(t *testing.T) {
	for _, seeds := range []int{1, 3} {
		f := fixtureFile(t, seeds)
		var a, b bytes.Buffer
		if err := Encode(&a, f); err != nil {
			t.Fatalf("Encode(%d seeds) = %v; want nil", seeds, err)
		}
		if err := Encode(&b, f); err != nil {
			t.Fatalf("Encode(%d seeds) = %v; want nil", seeds, err)
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Errorf("Encode(%d seeds) twice differs; want byte-identical output", seeds)
		}
		if !bytes.HasSuffix(a.Bytes(), []byte("}\n")) {
			t.Errorf("Encode(%d seeds) ends %q; want a trailing newline", seeds, a.Bytes()[a.Len()-5:])
		}
		if !bytes.Contains(a.Bytes(), []byte("gig->topclients")) {
			t.Errorf("Encode(%d seeds) escaped the scenario YAML; want it readable", seeds)
		}
		got, err := Decode(&a)
		if err != nil {
			t.Fatalf("Decode(Encode(%d seeds)) = %v; want nil", seeds, err)
		}
		if !reflect.DeepEqual(got, f) {
			t.Errorf("Decode(Encode(%d seeds)) differs from the File encoded", seeds)
		}
	}
}

func TestEncodeRefusesNonFinite(t *testing.T) {
	tests := []struct {
		set  func(f *File)
		path string
	}{
		{func(f *File) { f.Strategies["sync"].Pages["all"].LatencyMS.P99 = math.NaN() }, "strategies.sync.pages.all.latency_ms.p99"},
		{func(f *File) { f.Strategies["async"].CI95["latency.p50"] = math.Inf(1) }, "strategies.async.ci95.latency.p50"},
		{func(f *File) { f.Strategies["hybrid"].Series[1].P50MS = math.Inf(-1) }, "strategies.hybrid.series[1].p50_ms"},
		{func(f *File) { f.Strategies["sync"].Replicas[2].Owner.RPS = math.NaN() }, "strategies.sync.replicas[2].owner.rps"},
		{func(f *File) { f.Wall.ElapsedS = math.NaN() }, "wall.elapsed_s"},
		{func(f *File) { f.Faults[0].AtS = math.Inf(1) }, "faults[0].at_s"},
	}
	for _, tt := range tests {
		f := fixtureFile(t, 3)
		tt.set(f)
		var buf bytes.Buffer
		err := Encode(&buf, f)
		if err == nil || !strings.Contains(err.Error(), tt.path+" is ") {
			t.Errorf("Encode(%s non-finite) = %v; want an error naming %s", tt.path, err, tt.path)
		}
		if buf.Len() != 0 {
			t.Errorf("Encode(%s non-finite) wrote %d bytes; want none", tt.path, buf.Len())
		}
	}
}

func TestEncodeRefusesOtherSchema(t *testing.T) {
	for _, schema := range []int{0, Schema + 1} {
		f := fixtureFile(t, 1)
		f.Schema = schema
		if err := Encode(io.Discard, f); err == nil {
			t.Errorf("Encode(schema %d) = nil; want an error", schema)
		}
	}
	if err := Encode(io.Discard, nil); err == nil {
		t.Errorf("Encode(nil) = nil; want an error")
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string // substrings of the error
	}{
		{"newer schema", `{"schema": 3, "scenario": "x"}`,
			[]string{"schema 3", "reads schema 2", "upgrade sharebench"}},
		// The schema is checked before the shape: a newer file whose fields
		// changed type still gets the upgrade message.
		{"newer schema, other shape", `{"schema": 7, "seeds": "all of them"}`,
			[]string{"schema 7", "upgrade sharebench"}},
		{"no schema", `{"scenario": "x"}`, []string{"no schema"}},
		{"schema 0", `{"schema": 0}`, []string{"no schema"}},
		{"negative schema", `{"schema": -1}`, []string{"schema -1"}},
		{"not an object", `[1, 2]`, []string{"line 1, column 1"}},
		{"empty", ``, []string{"unexpected end of JSON input"}},
		{"syntax", "{\n  \"schema\": 1,\n  \"scenario\": \"x\"\n  \"seeds\": []\n}",
			[]string{"line 4, column 3", "byte 38"}},
		{"type", "{\n  \"schema\": 1,\n  \"seeds\": [\"x\"]\n}",
			[]string{"line 3, column 15", "seeds"}},
		{"schema type", `{"schema": "1"}`, []string{"line 1, column 14"}},
	}
	for _, tt := range tests {
		_, err := Decode(strings.NewReader(tt.in))
		if err == nil {
			t.Errorf("Decode(%s) = nil error; want one containing %q", tt.name, tt.want)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("Decode(%s) = %q; want it to contain %q", tt.name, err, w)
			}
		}
	}
}

func TestDecodeLenient(t *testing.T) {
	in := `{"schema": 1, "scenario": "x", "added_later": {"a": 1}, "strategies": {"sync": {"owner": {"rps": 2, "new": true}}}}`
	f, err := Decode(strings.NewReader(in))
	if err != nil {
		t.Fatalf("Decode(unknown fields) = %v; want nil", err)
	}
	if f.Scenario != "x" || f.Strategies["sync"].Owner.RPS != 2 {
		t.Errorf("Decode(unknown fields) = %+v; want scenario x, sync owner rps 2", f)
	}
}

func TestLineCol(t *testing.T) {
	data := []byte("ab\ncd\n\nef")
	tests := []struct {
		offset          int64
		wantLine, wantC int
	}{
		{0, 1, 1}, {2, 1, 3}, {3, 2, 1}, {5, 2, 3}, {6, 3, 1}, {7, 4, 1}, {9, 4, 3}, {99, 4, 3}, {-1, 1, 1},
	}
	for _, tt := range tests {
		if l, c := lineCol(data, tt.offset); l != tt.wantLine || c != tt.wantC {
			t.Errorf("lineCol(%q, %d) = %d, %d; want %d, %d", data, tt.offset, l, c, tt.wantLine, tt.wantC)
		}
	}
}

// dirNames lists dir, so tests can see that no temporary file is left.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func TestWriteFileAtomic(t *testing.T) {
	failed := errors.New("disk on fire")
	tests := []struct {
		name  string
		write func(w io.Writer) error
		err   error  // want
		panic bool   // want write to panic through
		want  string // content of the file afterwards
	}{
		{"success", func(w io.Writer) error { _, err := io.WriteString(w, "new\n"); return err }, nil, false, "new\n"},
		{"fails midway", func(w io.Writer) error {
			io.WriteString(w, strings.Repeat("half written ", 10000)) // past the buffer: on disk
			return failed
		}, failed, false, "old\n"},
		{"panics midway", func(w io.Writer) error {
			io.WriteString(w, strings.Repeat("half written ", 10000))
			panic("harness bug")
		}, nil, true, "old\n"},
	}
	for _, tt := range tests {
		dir := t.TempDir()
		path := filepath.Join(dir, "result.json")
		if err := os.WriteFile(path, []byte("old\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		var err error
		panicked := func() (p bool) {
			defer func() { p = recover() != nil }()
			err = WriteFileAtomic(path, tt.write)
			return false
		}()
		if panicked != tt.panic || !errors.Is(err, tt.err) {
			t.Errorf("WriteFileAtomic(%s) = %v, panicked %v; want %v, panicked %v", tt.name, err, panicked, tt.err, tt.panic)
		}
		got, rerr := os.ReadFile(path)
		if rerr != nil || string(got) != tt.want {
			t.Errorf("after WriteFileAtomic(%s) the file holds %.20q (%v); want %q", tt.name, got, rerr, tt.want)
		}
		if names := dirNames(t, dir); len(names) != 1 {
			t.Errorf("after WriteFileAtomic(%s) the directory holds %q; want only result.json", tt.name, names)
		}
	}
}

func TestWriteFileAtomicNewFileMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.json")
	if err := WriteFile(path, fixtureFile(t, 1)); err != nil {
		t.Fatalf("WriteFile = %v; want nil", err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o644 {
		t.Errorf("WriteFile mode = %v; want %v", got, os.FileMode(0o644))
	}
	f, err := ReadFile(path)
	if err != nil {
		t.Fatalf("ReadFile(WriteFile) = %v; want nil", err)
	}
	if !reflect.DeepEqual(f, fixtureFile(t, 1)) {
		t.Errorf("ReadFile(WriteFile(f)) differs from f")
	}
	if err := os.WriteFile(path, []byte(`{"schema": 9}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("ReadFile(schema 9) = %v; want an error naming %s", err, path)
	}
}

func TestRunDir(t *testing.T) {
	base := t.TempDir()
	// A local time: the name must be UTC.
	started := time.Date(2026, 11, 26, 2, 53, 5, 999, time.FixedZone("CET", 3600))
	want := []string{"20261126T015305Z", "20261126T015305Z-2", "20261126T015305Z-3"}
	for _, name := range want {
		dir, err := RunDir(base, "topclients-baseline", started)
		if err != nil {
			t.Fatalf("RunDir(%v) = %v; want nil", started, err)
		}
		if wantDir := filepath.Join(base, "runs", "topclients-baseline", name); dir != wantDir {
			t.Errorf("RunDir(%v) = %s; want %s", started, dir, wantDir)
		}
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			t.Errorf("RunDir(%v) did not create %s: %v", started, dir, err)
		}
		latest := filepath.Join(base, "runs", "topclients-baseline", "latest")
		if target, err := os.Readlink(latest); err != nil || target != name {
			t.Errorf("after RunDir(%v), latest -> %q (%v); want %q", started, target, err, name)
		}
	}
	// latest and the runs, nothing temporary.
	if got := dirNames(t, filepath.Join(base, "runs", "topclients-baseline")); !reflect.DeepEqual(got, append(want, "latest")) {
		t.Errorf("RunDir left %q; want %q", got, append(want, "latest"))
	}
	// A later run moves latest on.
	dir, err := RunDir(base, "topclients-baseline", started.Add(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if target, _ := os.Readlink(filepath.Join(filepath.Dir(dir), "latest")); target != "20261126T015306Z" {
		t.Errorf("after a later RunDir, latest -> %q; want 20261126T015306Z", target)
	}
}

func TestRunDirRejectsBadScenario(t *testing.T) {
	base := t.TempDir()
	for _, name := range []string{"", ".", "..", "a/b", `a\b`, "../escape"} {
		if dir, err := RunDir(base, name, time.Unix(0, 0)); err == nil {
			t.Errorf("RunDir(%q) = %s, nil; want an error", name, dir)
		}
	}
}

func TestStripWall(t *testing.T) {
	a, b := fixtureFile(t, 1), fixtureFile(t, 1)
	b.Wall = Wall{Started: "2027-01-01T00:00:00Z", ElapsedS: 99, Parallel: 8, GoVersion: "go1.27"}
	encode := func(f *File) string {
		var buf bytes.Buffer
		if err := Encode(&buf, f); err != nil {
			t.Fatal(err)
		}
		return buf.String()
	}
	if encode(a) == encode(b) {
		t.Fatalf("fixture files with different Wall encode alike; the test proves nothing")
	}
	if sa, sb := encode(StripWall(a)), encode(StripWall(b)); sa != sb {
		t.Errorf("Encode(StripWall(a)) != Encode(StripWall(b)) for files differing only in Wall")
	}
	if got := StripWall(a).Wall; got != (Wall{}) {
		t.Errorf("StripWall(a).Wall = %+v; want zero", got)
	}
	if a.Wall == (Wall{}) {
		t.Errorf("StripWall(a) zeroed a.Wall itself; want a copy")
	}
	if got := StripWall(nil); got != nil {
		t.Errorf("StripWall(nil) = %v; want nil", got)
	}
}

func ExampleDecode() {
	_, err := Decode(strings.NewReader(`{"schema": 3}`))
	fmt.Println(err)
	// Output: results: Decode: result file has schema 3; this build of sharebench reads schema 2 and older: upgrade sharebench
}

// TestSchema1StillReads: a result file written before sample counts reads,
// its table shows every figure and stars none that needs a count.
func TestSchema1StillReads(t *testing.T) {
	f, err := ReadFile(filepath.Join("testdata", "schema1-owner-outage.json"))
	if err != nil {
		t.Fatalf("ReadFile(schema-1 file) = %v; want it read", err)
	}
	if f.Schema != 1 || len(f.Strategies) != 3 {
		t.Fatalf("schema-1 file: schema %d, %d strategies; want 1 and 3", f.Schema, len(f.Strategies))
	}
	var buf bytes.Buffer
	if err := WriteTable(&buf, f); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(buf.String(), "\n") {
		name, _, _ := strings.Cut(line, " ")
		mt, ok := Lookup(name)
		if !ok {
			continue
		}
		if strings.Contains(line, "*") && mt.Within != Exact {
			t.Errorf("schema-1 table row %q has a star; without sample counts only exact figures may", line)
		}
		if mt.Within == Batched && !strings.Contains(line, "?") {
			t.Errorf("schema-1 table row %q has no ?; its figures have no sample counts", line)
		}
	}
}
