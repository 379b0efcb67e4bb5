package workload

import (
	"embed"
	"fmt"
	"os"
	"path"
	"slices"
	"strings"
)

//go:embed scenarios/*.yaml
var builtinFS embed.FS

// BuiltinNames lists the built-in scenarios, sorted, baseline first.
func BuiltinNames() []string {
	entries, err := builtinFS.ReadDir("scenarios")
	if err != nil {
		panic(err) // embedded at build time
	}
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	slices.SortFunc(names, func(a, b string) int {
		switch {
		case a == "baseline":
			return -1
		case b == "baseline":
			return 1
		}
		return strings.Compare(a, b)
	})
	return names
}

// Builtin returns a built-in scenario and its file's text.
func Builtin(name string) (*Scenario, []byte, error) {
	data, err := builtinFS.ReadFile(path.Join("scenarios", name+".yaml"))
	if err != nil {
		return nil, nil, fmt.Errorf("no built-in scenario %q; the built-in ones are %s", name, strings.Join(BuiltinNames(), ", "))
	}
	sc, err := Parse(name+".yaml", data)
	return sc, data, err
}

// Source finds a scenario's text by file name or built-in name, a path to
// an existing file winning, and returns the name to Parse it by: the path
// of a file (so its data files resolve beside it), NAME.yaml for a built-in.
func Source(arg string) (name string, data []byte, err error) {
	st, statErr := os.Stat(arg)
	if statErr == nil && !st.IsDir() {
		data, err := os.ReadFile(arg)
		return arg, data, err
	}
	if statErr == nil && st.IsDir() {
		// A directory that shares a built-in's name (./baseline) does not
		// hide the built-in.
		if data, err := builtinFS.ReadFile(path.Join("scenarios", arg+".yaml")); err == nil && !strings.ContainsAny(arg, `/\.`) {
			return arg + ".yaml", data, nil
		}
		return "", nil, fmt.Errorf("%s: is a directory; expected a scenario file (.yaml) or a built-in name (%s)", arg, strings.Join(BuiltinNames(), ", "))
	}
	if strings.HasSuffix(arg, ".yaml") || strings.HasSuffix(arg, ".yml") || strings.ContainsRune(arg, os.PathSeparator) {
		return "", nil, fmt.Errorf("%s: no such file (built-in scenarios: %s)", arg, strings.Join(BuiltinNames(), ", "))
	}
	data, err = builtinFS.ReadFile(path.Join("scenarios", arg+".yaml"))
	if err != nil {
		return "", nil, fmt.Errorf("no built-in scenario %q; the built-in ones are %s", arg, strings.Join(BuiltinNames(), ", "))
	}
	return arg + ".yaml", data, nil
}

// Resolve finds and parses a scenario by file name or built-in name.
func Resolve(arg string) (*Scenario, error) {
	name, data, err := Source(arg)
	if err != nil {
		return nil, err
	}
	return Parse(name, data)
}
