package workload

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"go.yaml.in/yaml/v3"
	"golang.org/x/sync/errgroup"

	"github.com/sharebench/sharebench/results"
)

// Param is one axis of a sweep: a scenario field, by its dotted path, and
// the values it takes.
type Param struct {
	Path   string   `json:"path"`   // e.g. "population.with_clients"
	Values []string `json:"values"` // in the scenario notation: "0.05", "2000/s", "{dist: exp, mean: 2ms}"
}

// ParseSet reads "population.with_clients=0,0.05,0.1". Values are
// separated by commas outside braces and brackets, so a value may be a
// distribution.
func ParseSet(s string) (Param, error) {
	path, list, ok := strings.Cut(s, "=")
	path = strings.TrimSpace(path)
	if !ok || path == "" || strings.TrimSpace(list) == "" {
		return Param{}, fmt.Errorf("-set %q: write field=value,value,…, e.g. -set population.with_clients=0,0.05,0.2", s)
	}
	p := Param{Path: path}
	depth, start := 0, 0
	for i, r := range list + "," {
		switch r {
		case '{', '[':
			depth++
		case '}', ']':
			depth--
		case ',':
			if depth == 0 {
				if v := strings.TrimSpace(list[start:i]); v != "" {
					p.Values = append(p.Values, v)
				}
				start = i + 1
			}
		}
	}
	if depth != 0 || len(p.Values) == 0 {
		return Param{}, fmt.Errorf("-set %q: unbalanced braces or no values", s)
	}
	return p, nil
}

// Cell is one point of a sweep's grid: the scenario with each parameter
// set to one of its values.
type Cell struct {
	Values   []string // one per parameter
	Scenario *Scenario
}

// Key names the cell in files and tables, e.g.
// "population.with_clients=0.05,traffic.pages.rate=1000/s".
func (c Cell) Key(params []Param) string {
	parts := make([]string, len(params))
	for i, p := range params {
		parts[i] = p.Path + "=" + c.Values[i]
	}
	return strings.Join(parts, ",")
}

// Cells builds and checks every cell of the grid before anything runs:
// each value is written into the scenario's YAML at its path, and the
// result is parsed as any scenario is, so a bad path or value gets the
// same error, naming the cell.
func Cells(name string, source []byte, params []Param) ([]Cell, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(source, &root); err != nil || len(root.Content) == 0 {
		return nil, fmt.Errorf("%s: not a scenario", name)
	}
	for i, p := range params {
		for _, q := range params[:i] {
			if q.Path == p.Path {
				return nil, fmt.Errorf("-set %s is given twice: give all its values in one -set %s=V1,V2,…", p.Path, p.Path)
			}
		}
	}
	cells := []Cell{{}}
	for _, p := range params {
		var next []Cell
		for _, c := range cells {
			for _, v := range p.Values {
				next = append(next, Cell{Values: append(slices.Clone(c.Values), v)})
			}
		}
		cells = next
	}
	for i := range cells {
		doc := cloneNode(&root)
		for j, p := range params {
			if err := setPath(doc.Content[0], strings.Split(p.Path, "."), cells[i].Values[j]); err != nil {
				return nil, fmt.Errorf("-set %s: %v", p.Path, err)
			}
		}
		text, err := yaml.Marshal(doc)
		if err != nil {
			return nil, err
		}
		sc, err := Parse(name, text)
		if err != nil {
			return nil, fmt.Errorf("cell %s: %v", cells[i].Key(params), err)
		}
		sc.src = &origin{file: filepath.Base(name), root: &root} // the user's file, not the cell's rewrite
		cells[i].Scenario = sc
	}
	return cells, nil
}

func cloneNode(n *yaml.Node) *yaml.Node {
	c := *n
	c.Content = make([]*yaml.Node, len(n.Content))
	for i, k := range n.Content {
		c.Content[i] = cloneNode(k)
	}
	return &c
}

// setPath sets the field at path in mapping n to value (parsed as YAML),
// making the mappings on the way if the file leaves them out. An entry of
// owners, page_services or page_kinds must be in the file (a new one would
// be a new owner or page, not a sweep of one); a list entry is selected by
// its name (plans.hot-async), its owner (page_kinds.product.reads.reviews)
// or its index (reads.0).
func setPath(n *yaml.Node, path []string, value string) error {
	return setPathAt(n, path, value, "")
}

// namedEntries are the sections whose entries setPath never makes, with
// what one entry is called.
var namedEntries = map[string]string{"owners": "owner", "page_services": "page service", "page_kinds": "page kind"}

func setPathAt(n *yaml.Node, path []string, value, at string) error {
	join := func(key string) string {
		if at == "" {
			return key
		}
		return at + "." + key
	}
	if n.Kind == yaml.SequenceNode {
		item, err := selectEntry(n, path[0], at)
		if err != nil {
			return err
		}
		if len(path) == 1 {
			return fmt.Errorf("%s selects a whole entry of %s; give one of its fields, e.g. %s.%s.…", join(path[0]), at, at, path[0])
		}
		return setPathAt(item, path[1:], value, join(path[0]))
	}
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("%s is not a section of mappings", path[0])
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value != path[0] {
			continue
		}
		if len(path) == 1 {
			v, err := valueNode(value)
			if err != nil {
				return err
			}
			n.Content[i+1] = v
			return nil
		}
		if child := n.Content[i+1]; child.Kind != yaml.MappingNode && child.Kind != yaml.SequenceNode {
			n.Content[i+1] = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		}
		return setPathAt(n.Content[i+1], path[1:], value, join(path[0]))
	}
	if what, ok := namedEntries[at]; ok {
		var names []string
		for i := 0; i+1 < len(n.Content); i += 2 {
			names = append(names, n.Content[i].Value)
		}
		return fmt.Errorf("%s: the scenario has no %s named %q; its %s are %s", join(path[0]), what, path[0], at, strings.Join(names, ", "))
	}
	if _, ok := namedEntries[path[0]]; ok && at == "" {
		return fmt.Errorf("%s: the scenario has no %s: it is in the marketplace form (population, services, traffic.pages.mix); sweep those, e.g. services.topclients.workers", path[0], path[0])
	}
	if path[0] == "plans" && at == "" {
		return fmt.Errorf("plans: the scenario has no plans; add the plan to the file first, then sweep plans.NAME.owners.OWNER")
	}
	key := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: path[0]}
	child := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	n.Content = append(n.Content, key, child)
	if len(path) == 1 {
		v, err := valueNode(value)
		if err != nil {
			return err
		}
		n.Content[len(n.Content)-1] = v
		return nil
	}
	return setPathAt(child, path[1:], value, join(path[0]))
}

// selectEntry finds the entry of list n (at path at) that key names: the
// one whose name or owner is key, or the one at index key.
func selectEntry(n *yaml.Node, key, at string) (*yaml.Node, error) {
	var found []*yaml.Node
	var names []string
	for _, item := range n.Content {
		for _, field := range []string{"name", "owner"} {
			if v := findNode(item, field); v != nil && v.Kind == yaml.ScalarNode {
				names = append(names, v.Value)
				if v.Value == key {
					found = append(found, item)
				}
			}
		}
	}
	switch {
	case len(found) == 1:
		return found[0], nil
	case len(found) > 1:
		return nil, fmt.Errorf("%s.%s: %d entries of %s are %s; select one by its index, 0 to %d", at, key, len(found), at, key, len(n.Content)-1)
	}
	if i, err := strconv.Atoi(key); err == nil && i >= 0 && i < len(n.Content) {
		return n.Content[i], nil
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%s.%s: %s has no entry %s; select one by its index, 0 to %d", at, key, at, key, len(n.Content)-1)
	}
	return nil, fmt.Errorf("%s.%s: %s has no entry %s; its entries are %s (or select one by its index, 0 to %d)", at, key, at, key, strings.Join(names, ", "), len(n.Content)-1)
}

func valueNode(value string) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(value), &doc); err != nil || len(doc.Content) == 0 {
		return nil, fmt.Errorf("%q is not a value", value)
	}
	return doc.Content[0], nil
}

// SweepOptions say how to run a sweep.
type SweepOptions struct {
	Dir      string // where the cells' results go; a cell already there is not run again
	Seeds    int
	Parallel int // cells at once
	// MaxEvents, if set, is each cell's event budget (RunOptions.MaxEvents).
	MaxEvents func(*Scenario) uint64
	// Done, if set, is told of each cell as it finishes or is found done
	// already; calls come one at a time.
	Done func(c Cell, skipped bool)
}

// CellPath is where a cell's result file goes.
func CellPath(dir string, params []Param, c Cell) string {
	return filepath.Join(dir, "cells", cellDir(c.Key(params)), "result.json")
}

// cellDir makes a key a portable directory name.
func cellDir(key string) string {
	r := strings.NewReplacer("/", "per", "\\", "_", ":", "_", "*", "_", "?", "_", "\"", "_", "<", "_", ">", "_", "|", "_", " ", "", "{", "(", "}", ")")
	name := r.Replace(key)
	if len(name) > 120 { // long values: keep the name short, the hash unique
		sum := sha256.Sum256([]byte(key))
		name = name[:100] + "-" + hex.EncodeToString(sum[:6])
	}
	return name
}

// Sweep runs every cell not already done, several at once, writing each
// cell's result file atomically as it finishes, so that a sweep
// interrupted and run again does only the missing cells. It returns every
// cell's result, in grid order.
func Sweep(params []Param, cells []Cell, opts SweepOptions) ([]*results.File, error) {
	out := make([]*results.File, len(cells))
	var todo []int
	for i, c := range cells {
		// A cell is done if its file is there, for this very scenario and
		// number of seeds; anything else (another scenario at that path,
		// another seed count) is run again and replaced.
		if f, err := results.ReadFile(CellPath(opts.Dir, params, c)); err == nil && f.ScenarioYAML == c.Scenario.YAML() && len(f.Seeds) == max(opts.Seeds, 1) {
			out[i] = f
			if opts.Done != nil {
				opts.Done(c, true)
			}
			continue
		}
		todo = append(todo, i)
	}
	var done = make(chan Cell, len(todo))
	g := new(errgroup.Group)
	g.SetLimit(max(opts.Parallel, 1))
	for _, i := range todo {
		g.Go(func() error {
			c := cells[i]
			var budget uint64
			if opts.MaxEvents != nil {
				budget = opts.MaxEvents(c.Scenario)
			}
			f, err := Run(c.Scenario, RunOptions{Seeds: opts.Seeds, Parallel: 1, MaxEvents: budget})
			if err != nil {
				return fmt.Errorf("cell %s: %w", c.Key(params), err)
			}
			path := CellPath(opts.Dir, params, c)
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				return err
			}
			if err := results.WriteFile(path, f); err != nil {
				return err
			}
			out[i] = f
			done <- c
			return nil
		})
	}
	var report errgroup.Group
	report.Go(func() error {
		for c := range done {
			if opts.Done != nil {
				opts.Done(c, false)
			}
		}
		return nil
	})
	err := g.Wait()
	close(done)
	report.Wait()
	return out, err
}

// SweepDir is where a sweep of a scenario over params goes by default: a
// name derived from the parameters, so running the same sweep again finds
// and resumes it.
func SweepDir(base, scenario string, params []Param) string {
	h := sha256.New()
	for _, p := range params {
		fmt.Fprintf(h, "%s=%s;", p.Path, strings.Join(p.Values, ","))
	}
	return filepath.Join(base, "runs", SafeName(scenario), "sweep-"+hex.EncodeToString(h.Sum(nil)[:6]))
}

// SafeName turns a scenario's name, which its name: field lets be
// anything, into one path component for runs/<name>/: letters, digits,
// '.', '-' and '_' are kept, anything else (a separator, a space, "..")
// becomes '_', so a name can never climb out of runs/ or hide the
// directory. Names already safe are unchanged.
func SafeName(name string) string {
	b := []rune(name)
	for i, r := range b {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_' || (r == '.' && i > 0)) {
			b[i] = '_'
		}
	}
	s := string(b)
	if strings.Trim(s, "._") == "" {
		// "", ".", "..", "_..": nothing left that names anything.
		s = "scenario" + s
	}
	if len(s) > 100 { // keep the name short, the hash unique
		sum := sha256.Sum256([]byte(name))
		s = strings.ToValidUTF8(s[:80], "_") + "-" + hex.EncodeToString(sum[:6])
	}
	return s
}
