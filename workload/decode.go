package workload

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/sharebench/sharebench/sim"
)

// Load reads and checks a scenario file.
func Load(path string) (*Scenario, error) {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return nil, fmt.Errorf("%s: is a directory; give a scenario file (NAME.yaml) or a built-in name", path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// Parse reads and checks a scenario; name is its file's path (or a bare
// name), whose base names it in errors and whose directory the files of
// measured latencies ({dist: samples, file: F}) are relative to: the
// working directory for a bare name. Unknown fields, malformed values and
// contradictions are errors that say where and how to fix them.
//
// Parse starts from DefaultScenario, and every field the file leaves out
// keeps its default at every depth: a section left out whole, a field left
// out of a section, a field left out of one entry of a mapping. An entry of
// services starts from that service's defaults; an entry of network.links
// starts from network.default as the file leaves it. A mix (traffic.pages.mix,
// traffic.writes.mix) is a set of shares adding up to 1, so a mix the file
// gives replaces the default one whole. A field given no value (`warmup:`)
// is an error rather than a silent zero.
func Parse(name string, data []byte) (*Scenario, error) {
	dir, name := filepath.Dir(name), filepath.Base(name)
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("%s: not valid YAML: %s%s", name, strings.TrimPrefix(err.Error(), "yaml: "), quoteHint(data, err))
	}
	if root.Kind == 0 || len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: a scenario is a YAML mapping (name:, duration:, traffic: ...); this file has none", name)
	}
	top := root.Content[0]
	if err := precheck(top, reflect.TypeFor[Scenario](), ""); err != nil {
		return nil, fmt.Errorf("%s:%w", name, err)
	}
	sc := DefaultScenario()
	sc.Name = strings.TrimSuffix(name, filepath.Ext(name))
	if findNode(top, "traffic", "pages", "mix") != nil {
		sc.Traffic.Pages.Mix = nil
	}
	if findNode(top, "traffic", "writes", "mix") != nil {
		sc.Traffic.Writes.Mix = nil
	}
	// The strict decode finds unknown fields and malformed values; it
	// decodes each map entry onto a zero value, which entryDefaults then
	// replaces by the entry decoded onto its defaults.
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(sc); err != nil && !errors.Is(err, io.EOF) {
		return nil, decodeError(name, top, err)
	}
	if err := sc.entryDefaults(top); err != nil {
		return nil, decodeError(name, top, err)
	}
	if err := sc.loadMeasured(dir); err != nil {
		return nil, decodeError(name, top, err)
	}
	sc.Options.Hybrid = sc.Options.Hybrid.withSync(sc.Options.Sync)
	// None is none however it is written (left out, [] or {}).
	if len(sc.Network.Links) == 0 {
		sc.Network.Links = nil
	}
	if len(sc.Faults) == 0 {
		sc.Faults = nil
	}
	if err := sc.check(&root); err != nil {
		return nil, fmt.Errorf("%s:%w", name, err)
	}
	sc.src = &origin{file: name, root: &root}
	return sc, nil
}

// origin is where a scenario was read from: its file's base name and
// parsed tree, so that errors found after Parse (the size guard's) are
// located as Parse's are.
type origin struct {
	file string
	root *yaml.Node
}

// entryDefaults decodes each entry of services, network.links, owners,
// page_services and page_kinds (and each read of a kind) again,
// onto its defaults: the strict decode has already refused whatever these
// nodes could get wrong, and node.Decode (which is not strict) only fills
// values in.
func (sc *Scenario) entryDefaults(top *yaml.Node) error {
	def := DefaultScenario()
	if n := findNode(top, "services"); n != nil && n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			key := n.Content[i].Value
			var s Service
			if d, ok := def.Services[key]; ok {
				s = *d
			}
			if err := n.Content[i+1].Decode(&s); err != nil {
				return err
			}
			sc.Services[key] = &s
		}
	}
	if n := deref(findNode(top, "owners")); n != nil && n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			o := defaultOwner()
			if findNode(deref(findNode(deref(n.Content[i+1]), "writes")), "mix") != nil {
				o.Writes.Mix = nil // a mix given replaces the default one whole
			}
			if err := n.Content[i+1].Decode(&o); err != nil {
				return err
			}
			sc.Owners[n.Content[i].Value] = &o
		}
	}
	if n := deref(findNode(top, "page_services")); n != nil && n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			s := defaultPageService()
			if err := n.Content[i+1].Decode(&s); err != nil {
				return err
			}
			sc.PageServices[n.Content[i].Value] = &s
		}
	}
	if n := deref(findNode(top, "page_kinds")); n != nil && n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := defaultPageKind()
			if err := n.Content[i+1].Decode(&k); err != nil {
				return err
			}
			// A list decodes onto fresh zero entries: each read again,
			// onto its defaults.
			if reads := deref(findNode(deref(n.Content[i+1]), "reads")); reads != nil && reads.Kind == yaml.SequenceNode {
				for j, item := range reads.Content {
					r := defaultRead()
					if err := item.Decode(&r); err != nil {
						return err
					}
					k.Reads[j] = r
				}
			}
			sc.PageKinds[n.Content[i].Value] = &k
		}
	}
	for i := range sc.Plans {
		if len(sc.Plans[i].Owners) == 0 {
			sc.Plans[i].Owners = nil // none is none, however it is written
		}
	}
	if n := findNode(top, "network", "links"); n != nil && n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			var l Link
			if sc.Network.Default != nil {
				l = *sc.Network.Default
			}
			if err := n.Content[i+1].Decode(&l); err != nil {
				return err
			}
			sc.Network.Links[n.Content[i].Value] = &l
		}
	}
	return nil
}

// precheck walks the file along the scenario's types before decoding and
// refuses what the YAML decoder would quietly get wrong: a field given no
// value (decoded as a zero) and a count given a fraction (truncated). It
// covers every integer field of every section, present and future, and
// leaves values with their own notation (durations, rates, distributions,
// faults) to their decoders.
func precheck(n *yaml.Node, t reflect.Type, path string) error {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		if section, name, entry := strings.Cut(path, "."); entry && !strings.Contains(name, ".") && namedEntries[section] != "" {
			return fmt.Errorf("%d: %s: has no value; write %s: {} for this %s to take every default", n.Line, path, name, namedEntries[section])
		}
		return fmt.Errorf("%d: %s: has no value; give one, or leave the field out to take its default", n.Line, path)
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(reflect.TypeFor[yaml.Unmarshaler]()) {
		return nil
	}
	join := func(key string) string {
		if path == "" {
			return key
		}
		return path + "." + key
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return nil // the decoder says what it expected
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			key := n.Content[i].Value
			if f, ok := fieldByTag(t, key); ok {
				if err := precheck(n.Content[i+1], f.Type, join(key)); err != nil {
					return err
				}
			}
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			return nil
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if err := precheck(n.Content[i+1], t.Elem(), join(n.Content[i].Value)); err != nil {
				return err
			}
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return nil
		}
		for i, item := range n.Content {
			if err := precheck(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		field := path[strings.LastIndex(path, ".")+1:]
		if n.Kind != yaml.ScalarNode {
			return nil
		}
		x, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64)
		if err == nil && math.Abs(x) >= 1<<53 {
			return fmt.Errorf("%d: %s: %s is too large for a count", n.Line, path, n.Value)
		}
		if n.ShortTag() == "!!int" {
			if t.Kind() >= reflect.Uint && t.Kind() <= reflect.Uint64 && strings.HasPrefix(strings.TrimSpace(n.Value), "-") {
				return fmt.Errorf("%d: %s: %s is negative; %s is a whole number ≥ 0", n.Line, path, n.Value, field)
			}
			return nil
		}
		if n.ShortTag() != "!!float" || err != nil || x != math.Trunc(x) {
			example := int64(1)
			if err == nil && x >= 1 && x < 1<<53 {
				example = int64(math.Round(x))
			}
			return fmt.Errorf("%d: %s: %s is not a whole number; counts are whole numbers, e.g. %s: %d",
				n.Line, path, n.Value, field, example)
		}
	}
	return nil
}

func fieldByTag(t reflect.Type, key string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		if tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ","); tag == key {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// decodeError rewrites the decoder's errors to name the file, the line,
// the field's path and, for an unknown field, the fields its section
// takes.
func decodeError(name string, top *yaml.Node, err error) error {
	var se *sim.SpecError
	if errors.As(err, &se) {
		msg := strings.TrimPrefix(se.Error(), fmt.Sprintf("line %d, column %d: ", se.Line, se.Column))
		if path := pathAt(top, se.Line, se.Column, ""); path != "" {
			msg = strings.TrimPrefix(msg, se.Field+": ")
			if se.Field != "" && !strings.HasSuffix(path, "."+se.Field) && path != se.Field {
				path += "." + se.Field
			}
			msg = path + ": " + msg
		}
		return fmt.Errorf("%s:%d:%d: %s", name, se.Line, se.Column, msg)
	}
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return fmt.Errorf("%s: %v", name, err)
	}
	var msgs []string
	for _, e := range te.Errors {
		if m := unknownField.FindStringSubmatch(e); m != nil {
			msgs = append(msgs, fmt.Sprintf("%s:%s: unknown field %q in %s; it takes %s", name, m[1], m[2], sectionName(m[3]), strings.Join(fieldsOf(m[3]), ", ")))
			continue
		}
		if m := cannotUnmarshal.FindStringSubmatch(e); m != nil {
			line, _ := strconv.Atoi(m[1])
			where := ""
			if path := pathOfValue(top, line, "!!"+m[2], m[3], ""); path != "" {
				where = " " + path + ":"
			}
			got := map[string]string{"seq": "a list", "map": "a mapping", "str": "text", "int": "a number", "float": "a number", "bool": "true or false"}[m[2]]
			if got == "" {
				got = "!!" + m[2]
			}
			if m[3] != "" {
				got += " (" + m[3] + ")"
			}
			msgs = append(msgs, fmt.Sprintf("%s:%s:%s expected %s, got %s", name, m[1], where, describeType(m[4]), got))
			continue
		}
		if m := lineOf.FindStringSubmatch(e); m != nil {
			msgs = append(msgs, fmt.Sprintf("%s:%s: %s", name, m[1], m[2]))
			continue
		}
		msgs = append(msgs, fmt.Sprintf("%s: %s", name, e))
	}
	return errors.New(strings.Join(msgs, "\n"))
}

var (
	unknownField    = regexp.MustCompile(`^line (\d+): field (\S+) not found in type workload\.(\w+)$`)
	cannotUnmarshal = regexp.MustCompile("^line (\\d+): cannot unmarshal !!(\\w+) (?:`(.*)` )?into (.+)$")
	lineOf          = regexp.MustCompile(`^line (\d+): (.*)$`)
)

// describeType says in the scenario's words what a Go type of it holds.
func describeType(goType string) string {
	words := map[string]string{
		"int": "a whole number", "uint64": "a whole number ≥ 0", "float64": "a number", "bool": "true or false", "string": "text",
		"[]string":                      "a list, e.g. [sync, async]",
		"[]sim.Fault":                   "a list of faults, e.g. [{at: 20s, for: 10s, kind: outage, target: topclients}]",
		"map[string]float64":            "a mapping of kinds to shares, e.g. {gig: 0.5, user: 0.5}",
		"map[string]*workload.Service":  "a mapping of services, e.g. {topclients: {workers: 8}}",
		"map[string]*workload.Link":     "a mapping of links, e.g. {gig->topclients: {latency: 2ms}}",
		"map[string]*workload.Owner":    "a mapping of owners, e.g. {reviews: {service: {workers: 8}}}",
		"map[string]*workload.PageKind": "a mapping of page kinds, e.g. {product: {service: product, share: 1, reads: [{owner: reviews}]}}",
		"[]workload.ReadSpec":           "a list of reads, e.g. [{owner: reviews, records: 10}]",
		"[]workload.Plan":               "a list of plans, e.g. [{name: hot-async, default: sync, owners: {reviews: async}}]",
		"map[string]string":             "a mapping of owners to strategies, e.g. {reviews: async}",
		"workload.Link":                 "a link, e.g. {latency: 2ms, loss: 0}",
		"workload.Service":              "a service, e.g. {workers: 8, queue: 1000, service_time: 2ms}",
		"workload.Rate":                 "a rate, e.g. 20/s",
		"workload.Duration":             "a duration, e.g. 10s",
	}
	if w, ok := words[goType]; ok {
		return w
	}
	if typ, ok := strings.CutPrefix(goType, "workload."); ok {
		if _, known := sections[typ]; known {
			return "a mapping: " + sectionName(typ) + " takes " + strings.Join(fieldsOf(typ), ", ")
		}
	}
	return goType
}

// pathOfValue is the dotted path of a value on line with the given tag
// (and text, for a scalar), or "".
func pathOfValue(n *yaml.Node, line int, tag, text, path string) string {
	join := func(key string) string {
		if path == "" {
			return key
		}
		return path + "." + key
	}
	found := ""
	visit := func(v *yaml.Node, p string) {
		if v.Line == line && v.ShortTag() == tag && (text == "" || v.Value == text) {
			found = p
		}
		if deeper := pathOfValue(v, line, tag, text, p); deeper != "" {
			found = deeper
		}
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			visit(n.Content[i+1], join(n.Content[i].Value))
		}
	case yaml.SequenceNode:
		for i, item := range n.Content {
			visit(item, fmt.Sprintf("%s[%d]", path, i))
		}
	}
	return found
}

// sections maps the scenario's types to their place in the file.
var sections = map[string]reflect.Type{
	"Scenario": reflect.TypeFor[Scenario](), "Population": reflect.TypeFor[Population](),
	"Traffic": reflect.TypeFor[Traffic](), "Pages": reflect.TypeFor[Pages](), "Writes": reflect.TypeFor[Writes](),
	"Service": reflect.TypeFor[Service](), "Network": reflect.TypeFor[Network](), "Link": reflect.TypeFor[Link](),
	"Broker": reflect.TypeFor[Broker](), "Options": reflect.TypeFor[Options](), "SyncOptions": reflect.TypeFor[SyncOptions](),
	"AsyncOptions": reflect.TypeFor[AsyncOptions](), "HybridOptions": reflect.TypeFor[HybridOptions](),
	"step": reflect.TypeFor[step](), "rampCurve": reflect.TypeFor[rampCurve](), "spikeCurve": reflect.TypeFor[spikeCurve](),
	"diurnalCurve": reflect.TypeFor[diurnalCurve](), "stepCurve": reflect.TypeFor[stepCurve](),
	"Owner": reflect.TypeFor[Owner](), "OwnerPopulation": reflect.TypeFor[OwnerPopulation](),
	"PageKind": reflect.TypeFor[PageKind](), "ReadSpec": reflect.TypeFor[ReadSpec](), "Plan": reflect.TypeFor[Plan](),
}

func sectionName(typ string) string {
	names := map[string]string{
		"Scenario": "the scenario", "Population": "population", "Traffic": "traffic", "Pages": "traffic.pages",
		"Writes": "traffic.writes", "Service": "a service", "Network": "network", "Link": "a network link",
		"Broker": "broker", "Options": "options", "SyncOptions": "options.sync", "AsyncOptions": "options.async",
		"HybridOptions": "options.hybrid", "Owner": "an owner", "OwnerPopulation": "an owner's population",
		"PageKind": "a page kind", "ReadSpec": "a read", "Plan": "a plan",
	}
	if n, ok := names[typ]; ok {
		return n
	}
	return "a rate curve"
}

func fieldsOf(typ string) []string {
	t, ok := sections[typ]
	if !ok {
		return nil
	}
	var fs []string
	for i := range t.NumField() {
		f := t.Field(i)
		if tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ","); tag != "" && tag != "-" {
			fs = append(fs, tag)
		}
	}
	return fs
}

// pathAt is the dotted path of the deepest key or value at line:column,
// or "" if none is there.
func pathAt(n *yaml.Node, line, column int, path string) string {
	join := func(key string) string {
		if path == "" {
			return key
		}
		return path + "." + key
	}
	found := ""
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := join(k.Value)
			if (k.Line == line && k.Column == column) || (v.Line == line && v.Column == column) {
				found = p
			}
			if deeper := pathAt(v, line, column, p); deeper != "" {
				found = deeper
			}
		}
	case yaml.SequenceNode:
		for i, item := range n.Content {
			p := fmt.Sprintf("%s[%d]", path, i)
			if item.Line == line && item.Column == column {
				found = p
			}
			if deeper := pathAt(item, line, column, p); deeper != "" {
				found = deeper
			}
		}
	}
	return found
}

// deref is the node an alias stands for (n itself if not an alias).
func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// findNode follows a path of keys through mappings.
func findNode(n *yaml.Node, path ...string) *yaml.Node {
	for _, key := range path {
		if n == nil || n.Kind != yaml.MappingNode {
			return nil
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				next = n.Content[i+1]
			}
		}
		n = next
	}
	return n
}
