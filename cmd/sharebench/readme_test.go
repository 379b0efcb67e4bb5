package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the README's example output from a real run")

// readmePath is the README, from this package's directory.
const readmePath = "../../README.md"

// readmeExample is a fenced block of the README that shows a command and
// what it prints.
type readmeExample struct {
	start, end int // the block's lines, between the fences: [start, end)
	args       []string
}

// readmeExamples finds the README's blocks that open with
// "$ go run ./cmd/sharebench …". Only virtual runs are checked:
// their output is a pure function of the scenario and seed. The calibrate
// example is live, so its figures vary from run to run by design.
func readmeExamples(lines []string) []readmeExample {
	var exs []readmeExample
	for i := 0; i < len(lines); i++ {
		if !strings.HasPrefix(lines[i], "```") || i+1 >= len(lines) {
			continue
		}
		j := i + 1
		for j < len(lines) && !strings.HasPrefix(lines[j], "```") {
			j++
		}
		cmd, ok := strings.CutPrefix(lines[i+1], "$ go run ./cmd/sharebench ")
		if ok {
			args := strings.Fields(cmd)
			if len(args) > 0 && args[0] == "run" && !slices.Contains(args, "-live") {
				exs = append(exs, readmeExample{start: i + 1, end: j, args: args})
			}
		}
		i = j
	}
	return exs
}

// machineLine reports whether a line of run's output depends on the
// machine (wall time, speed, memory, the output path) rather than on the
// scenario and seed.
func machineLine(line string) bool {
	return strings.HasPrefix(line, "wrote ") || strings.Contains(line, "of wall time")
}

// lineKey is what identifies a line of the table: its first word (the
// metric's name, "metric" for the header, "*" for the note).
func lineKey(line string) string {
	if f := strings.Fields(line); len(f) > 0 {
		return f[0]
	}
	return ""
}

// TestREADMEExamples keeps the README's example output true: it runs each
// example command in process, as the README shows it (the built-in
// scenario, its seed), and checks that every line the README shows is a
// line the build prints, the same words and numbers (padding aside);
// "..." stands for lines left out, and lines of wall time and paths are
// checked only for their shape. The table's format is expected to change
// (its rows, units, precision): after such a change,
//
//	go test ./cmd/sharebench -run README -update
//
// rewrites each example block from a real run, keeping the rows it shows.
func TestREADMEExamples(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the README's baseline (seconds); not with -short")
	}
	data, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	exs := readmeExamples(lines)
	if len(exs) == 0 {
		t.Fatal("README has no example of sharebench run's output; the test would check nothing")
	}
	// Rewrite from the last block up, so earlier line numbers hold.
	for k := len(exs) - 1; k >= 0; k-- {
		ex := exs[k]
		var out, errOut bytes.Buffer
		args := append(slices.Clone(ex.args), "-q", "-o", t.TempDir())
		if err := run(args, &out, &errOut); err != nil {
			t.Fatalf("README example %q: %v\n%s", strings.Join(ex.args, " "), err, errOut.String())
		}
		got := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
		shown := lines[ex.start+1 : ex.end]
		rewritten, problems := checkExample(shown, got)
		if *update {
			lines = slices.Concat(lines[:ex.start+1], rewritten, lines[ex.end:])
			continue
		}
		for _, p := range problems {
			t.Errorf("README example %q: %s\n(go test ./cmd/sharebench -run README -update rewrites the README from a real run)", strings.Join(ex.args, " "), p)
		}
	}
	if *update {
		if err := os.WriteFile(readmePath, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("rewrote %s", filepath.Clean(readmePath))
	}
}

// checkExample compares the lines the README shows with the lines the
// build printed, and returns the block as it should read: the same rows
// (by key) from the real output, "..." kept, machine lines kept if their
// shape still matches.
func checkExample(shown, got []string) (rewritten, problems []string) {
	byKey := map[string]string{}
	var machine []string
	for _, g := range got {
		if machineLine(g) {
			machine = append(machine, g)
			continue
		}
		if k := lineKey(g); k != "" {
			if _, dup := byKey[k]; !dup {
				byKey[k] = g
			}
		}
	}
	for _, s := range shown {
		switch {
		case strings.TrimSpace(s) == "..." || strings.TrimSpace(s) == "":
			rewritten = append(rewritten, s)
		case machineLine(s):
			i := slices.IndexFunc(machine, func(m string) bool { return sameShape(s, m) })
			if i < 0 {
				problems = append(problems, "the build prints no line shaped like "+quote(s))
				if j := slices.IndexFunc(machine, func(m string) bool { return lineKey(m) == lineKey(s) }); j >= 0 {
					s = machine[j]
				}
			}
			rewritten = append(rewritten, s)
		default:
			g, ok := byKey[lineKey(s)]
			if !ok {
				problems = append(problems, "the build prints no row "+quote(lineKey(s))+" (README: "+quote(s)+")")
				continue // dropped on -update
			}
			if !slices.Equal(strings.Fields(s), strings.Fields(g)) {
				problems = append(problems, "README shows "+quote(s)+"; the build prints "+quote(g))
			}
			rewritten = append(rewritten, g)
		}
	}
	return rewritten, problems
}

// sameShape: a machine line matches if its words agree except numbers,
// paths and durations (the words with a digit in them).
func sameShape(a, b string) bool {
	fa, fb := strings.Fields(a), strings.Fields(b)
	if len(fa) != len(fb) {
		return false
	}
	for i := range fa {
		if fa[i] != fb[i] && !(strings.ContainsAny(fa[i], "0123456789") && strings.ContainsAny(fb[i], "0123456789")) {
			return false
		}
	}
	return true
}

func quote(s string) string { return "`" + strings.TrimSpace(s) + "`" }
