package sim

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// FaultKind names what a fault does.
type FaultKind string

// The faults every world can inject. Overlapping faults compose: outages
// and partitions of the same target nest (the target heals when the last
// one ends), slowdown factors multiply, added latencies add, losses are
// independent.
const (
	// Outage takes Target down for For. Mode "refuse" (default): requests
	// fail fast with ErrUnavailable, as a closed port does. Mode
	// "blackhole": requests vanish and callers wait for their deadline.
	// Either way the node's processes are stopped at the start (requests in
	// flight are lost, as in a crash) and its start hooks run again at the
	// end; its Store survives.
	Outage FaultKind = "outage"
	// Crash stops every process of Target at At and restarts the node For
	// later (For may be 0: an immediate restart). While down it refuses.
	Crash FaultKind = "crash"
	// Slowdown multiplies Target's service times by Factor.
	Slowdown FaultKind = "slowdown"
	// Partition cuts the link(s): messages sent while it lasts are lost
	// (Mode "drop", default) or held and delivered after it heals (Mode
	// "hold"), in the order they were sent. Whether a message is affected is
	// decided when it is sent.
	Partition FaultKind = "partition"
	// Latency adds a delay drawn from Add to every message on the link(s).
	Latency FaultKind = "latency"
	// Loss drops each message on the link(s) with probability P.
	Loss FaultKind = "loss"
	// Duplicate makes Target's consumers receive each record a second time,
	// in a later poll, with probability P: the duplicate delivery a
	// consumer must tolerate.
	Duplicate FaultKind = "duplicate"
)

var faultKinds = []FaultKind{Outage, Crash, Slowdown, Partition, Latency, Loss, Duplicate}

// Fault is one entry of a fault schedule.
type Fault struct {
	At     time.Duration // start, counted from the start of the run
	For    time.Duration // how long it lasts
	Kind   FaultKind
	Target string // outage, crash, slowdown, duplicate: the node
	// Between (two nodes, both directions) or Link ("a->b", one direction)
	// select the links of a partition, latency or loss fault.
	Between []string
	Link    string
	Mode    string       // outage: refuse (default) or blackhole; partition: drop (default) or hold
	Factor  float64      // slowdown
	Add     DurationDist // latency
	P       float64      // loss or duplicate probability, in (0, 1]

	Line int // where it was written, for later errors; 0 if not from YAML
}

// End is when the fault heals.
func (f Fault) End() time.Duration { return f.At + f.For }

// Links lists the directed links the fault cuts or degrades, as [from, to].
func (f Fault) Links() [][2]string {
	if f.Link != "" {
		from, to, _ := strings.Cut(f.Link, "->")
		return [][2]string{{strings.TrimSpace(from), strings.TrimSpace(to)}}
	}
	if len(f.Between) == 2 {
		a, b := f.Between[0], f.Between[1]
		return [][2]string{{a, b}, {b, a}}
	}
	return nil
}

// Nodes lists the nodes the fault names.
func (f Fault) Nodes() []string {
	if f.Target != "" {
		return []string{f.Target}
	}
	var ns []string
	for _, l := range f.Links() {
		ns = append(ns, l[0], l[1])
	}
	slices.Sort(ns)
	return slices.Compact(ns)
}

func (f Fault) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s", f.Kind)
	switch {
	case f.Target != "":
		fmt.Fprintf(&b, " %s", f.Target)
	case f.Link != "":
		fmt.Fprintf(&b, " %s", f.Link)
	case len(f.Between) == 2:
		fmt.Fprintf(&b, " %s<->%s", f.Between[0], f.Between[1])
	}
	switch f.Kind {
	case Slowdown:
		fmt.Fprintf(&b, " ×%s", formatNumber(f.Factor))
	case Latency:
		add := "0s"
		if f.Add.Dist != nil {
			add = f.Add.Dist.notation(formatDurationSeconds) // the scenario's notation, as in the file
		}
		fmt.Fprintf(&b, " +%s", add)
	case Loss, Duplicate:
		fmt.Fprintf(&b, " p=%s", formatNumber(f.P))
	}
	if f.Mode != "" {
		fmt.Fprintf(&b, " (%s)", f.Mode)
	}
	return b.String()
}

// faultFields lists, per kind, the fields it takes beyond at, for and kind.
var faultFields = map[FaultKind][]string{
	Outage:    {"target", "mode"},
	Crash:     {"target"},
	Slowdown:  {"target", "factor"},
	Partition: {"between", "link", "mode"},
	Latency:   {"between", "link", "add"},
	Loss:      {"between", "link", "p"},
	Duplicate: {"target", "p"},
}

var faultModes = map[FaultKind][]string{
	Outage:    {"refuse", "blackhole"},
	Partition: {"drop", "hold"},
}

func kindList() string {
	var s []string
	for _, k := range faultKinds {
		s = append(s, string(k))
	}
	return strings.Join(s, ", ")
}

// ParseFaults reads a fault schedule: a YAML sequence of faults.
func ParseFaults(text string) ([]Fault, error) {
	var fs []Fault
	if err := yaml.Unmarshal([]byte(text), &fs); err != nil {
		return nil, err
	}
	return fs, nil
}

// UnmarshalYAML reads one fault, e.g.
// {at: 20s, for: 10s, kind: outage, target: topclients}, checking every
// field and saying how to fix what is wrong.
func (f *Fault) UnmarshalYAML(n *yaml.Node) error {
	n = resolve(n)
	if n.Kind != yaml.MappingNode {
		return specErr(n, "", "a fault is a mapping like {at: 20s, for: 10s, kind: outage, target: topclients}")
	}
	fields := map[string]*yaml.Node{}
	keys := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := resolve(n.Content[i])
		if _, dup := fields[k.Value]; dup {
			return specErr(k, k.Value, "given twice; keep one")
		}
		fields[k.Value], keys[k.Value] = resolve(n.Content[i+1]), k
	}
	*f = Fault{Line: n.Line}

	kindNode, ok := fields["kind"]
	if !ok {
		return specErr(n, "kind", "missing; one of %s", kindList())
	}
	f.Kind = FaultKind(kindNode.Value)
	extra, ok := faultFields[f.Kind]
	if !ok {
		return specErr(kindNode, "kind", "unknown fault kind %q; use one of %s", kindNode.Value, kindList())
	}
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		if k != "at" && k != "for" && k != "kind" && !slices.Contains(extra, k) {
			return specErr(keys[k], k, "not a field of %s faults; they take at, for, kind, %s", f.Kind, strings.Join(extra, ", "))
		}
	}

	var err error
	if f.At, err = faultDuration(fields, n, "at", true); err != nil {
		return err
	}
	if f.For, err = faultDuration(fields, n, "for", f.Kind != Crash); err != nil {
		return err
	}
	if f.Kind != Crash && f.For == 0 {
		return specErr(fields["for"], "for", "must be > 0: a %s that lasts no time does nothing", f.Kind)
	}

	if t, ok := fields["target"]; ok {
		f.Target = strings.TrimSpace(t.Value)
	}
	if f.Target == "" && slices.Contains(extra, "target") {
		return specErr(n, "target", "missing; name the node the %s hits, e.g. target: topclients", f.Kind)
	}
	if slices.Contains(extra, "link") {
		if err := f.decodeLinks(n, fields); err != nil {
			return err
		}
	}
	if m, ok := fields["mode"]; ok {
		f.Mode = m.Value
		if !slices.Contains(faultModes[f.Kind], f.Mode) {
			return specErr(m, "mode", "unknown %s mode %q; use %s", f.Kind, f.Mode, strings.Join(faultModes[f.Kind], " or "))
		}
	} else if modes := faultModes[f.Kind]; modes != nil {
		f.Mode = modes[0]
	}

	switch f.Kind {
	case Slowdown:
		v, ok := fields["factor"]
		if !ok {
			return specErr(n, "factor", "missing; say how many times slower, e.g. factor: 5")
		}
		if f.Factor, err = parseNumber(v.Value); err != nil || f.Factor <= 0 {
			return specErr(v, "factor", "must be a number > 0 (2 = twice as slow), got %q", v.Value)
		}
		if f.Factor == 1 {
			return specErr(v, "factor", "1 changes nothing; say how many times slower, e.g. factor: 5")
		}
	case Latency:
		v, ok := fields["add"]
		if !ok {
			return specErr(n, "add", "missing; say how much latency to add, e.g. add: 100ms or add: {dist: exp, mean: 20ms}")
		}
		if err := v.Decode(&f.Add); err != nil {
			return err
		}
		if f.Add.Dist.Quantile(1) == 0 {
			return specErr(v, "add", "adds nothing; say how much latency to add, e.g. add: 100ms")
		}
	case Loss, Duplicate:
		v, ok := fields["p"]
		if !ok {
			return specErr(n, "p", "missing; give the probability for each message, e.g. p: 0.1")
		}
		if f.P, err = parseNumber(v.Value); err != nil || f.P <= 0 || f.P > 1 {
			return specErr(v, "p", "must be a probability in (0, 1], got %q", v.Value)
		}
	}
	return nil
}

func (f *Fault) decodeLinks(n *yaml.Node, fields map[string]*yaml.Node) error {
	between, hasBetween := fields["between"]
	link, hasLink := fields["link"]
	switch {
	case hasBetween && hasLink:
		return specErr(link, "link", "give either between (both directions) or link (one direction), not both")
	case hasLink:
		from, to, ok := strings.Cut(link.Value, "->")
		from, to = strings.TrimSpace(from), strings.TrimSpace(to)
		if !ok || from == "" || to == "" || strings.Contains(to, "->") {
			return specErr(link, "link", "%q is not a link; write from->to, e.g. link: gig->topclients", link.Value)
		}
		if from == to {
			return specErr(link, "link", "a link joins two different nodes, got %s->%s", from, to)
		}
		f.Link = from + "->" + to
	case hasBetween:
		if between.Kind != yaml.SequenceNode || len(between.Content) != 2 {
			return specErr(between, "between", "name exactly two nodes, e.g. between: [broker, gig]")
		}
		a, b := strings.TrimSpace(between.Content[0].Value), strings.TrimSpace(between.Content[1].Value)
		if a == "" || b == "" || a == b {
			return specErr(between, "between", "name two different nodes, e.g. between: [broker, gig]")
		}
		f.Between = []string{a, b}
	default:
		return specErr(n, "between", "missing; say which link, with between: [a, b] (both directions) or link: a->b (one)")
	}
	return nil
}

func faultDuration(fields map[string]*yaml.Node, n *yaml.Node, name string, required bool) (time.Duration, error) {
	v, ok := fields[name]
	if !ok {
		if !required {
			return 0, nil
		}
		return 0, specErr(n, name, "missing; write e.g. %s: 10s", name)
	}
	d, err := ParseDuration(v.Value)
	if err != nil {
		return 0, specErr(v, name, "%v", err)
	}
	return d, nil
}

// Validate checks a fault built in Go rather than decoded from YAML (the
// decoder already checks all of this, with positions).
func (f Fault) Validate() error {
	extra, ok := faultFields[f.Kind]
	switch {
	case !ok:
		return fmt.Errorf("unknown fault kind %q; use one of %s", f.Kind, kindList())
	case f.At < 0 || f.For < 0:
		return fmt.Errorf("%s: at and for must be ≥ 0", f.Kind)
	case f.For == 0 && f.Kind != Crash:
		return fmt.Errorf("%s: for must be > 0", f.Kind)
	case slices.Contains(extra, "target") != (f.Target != ""):
		return fmt.Errorf("%s: target is required for outage, crash, slowdown and duplicate, and meaningless otherwise", f.Kind)
	case slices.Contains(extra, "link") != (len(f.Links()) > 0):
		return fmt.Errorf("%s: between (two nodes) or link (a->b) is required for partition, latency and loss only", f.Kind)
	case f.Mode != "" && !slices.Contains(faultModes[f.Kind], f.Mode):
		return fmt.Errorf("%s: mode must be %s", f.Kind, strings.Join(faultModes[f.Kind], " or "))
	case f.Kind == Slowdown && !(f.Factor > 0 && !math.IsInf(f.Factor, 0) && f.Factor != 1):
		return fmt.Errorf("slowdown: factor must be a finite number > 0 other than 1")
	case f.Kind == Latency && (f.Add.Dist == nil || f.Add.Dist.Quantile(1) == 0):
		return fmt.Errorf("latency: add must add something, e.g. 100ms")
	case (f.Kind == Loss || f.Kind == Duplicate) && !(f.P > 0 && f.P <= 1):
		return fmt.Errorf("%s: p must be in (0, 1]", f.Kind)
	}
	return nil
}

// CheckFaults checks a schedule against the world it will run in: each
// fault is well formed, every node it names exists, and it starts and heals
// within [0, horizon].
func CheckFaults(faults []Fault, nodes []string, horizon time.Duration) error {
	for i, f := range faults {
		where := &SpecError{Line: f.Line, Column: 1, Field: fmt.Sprintf("faults[%d]", i)}
		if err := f.Validate(); err != nil {
			where.Msg = err.Error()
			return where
		}
		for _, name := range f.Nodes() {
			if !slices.Contains(nodes, name) {
				where.Msg = fmt.Sprintf("%s names %q, which is not in this world; known nodes: %s", f.Kind, name, strings.Join(nodes, ", "))
				return where
			}
		}
		if f.End() > horizon {
			where.Msg = fmt.Sprintf("runs from %v to %v, past the end of the run at %v; shorten it or start it earlier", f.At, f.End(), horizon)
			return where
		}
	}
	return nil
}

// Roles says what each node of a world does, so that CheckRoles can refuse
// a fault that could change nothing there, saying why, rather than accept
// it and report figures it never touched.
type Roles struct {
	// Services have a queueing model: what a slowdown multiplies.
	Services []string
	// Consumers are the nodes whose consumer groups read the broker: what
	// a duplicate fault reaches.
	Consumers []string
	// Driver is the load generator. It is outside the system under test:
	// it sends on schedule whatever state it is in, so no node fault
	// reaches it; links to and from it carry the workload and can be cut.
	Driver string
	// Talk lists the pairs of nodes that exchange messages, in either
	// direction; a link fault between any other two nodes cuts nothing.
	Talk [][2]string
}

func (r Roles) talk(a, b string) bool {
	for _, p := range r.Talk {
		if (p[0] == a && p[1] == b) || (p[0] == b && p[1] == a) {
			return true
		}
	}
	return false
}

// CheckRoles refuses, with the reason and what to write instead, every
// fault that could not change anything in a world of these roles:
//
//	kind                      a service   the broker  a consumer node  the driver
//	outage, crash             yes         yes         yes              refused
//	slowdown                  yes         refused     yes              refused
//	duplicate                 refused     refused     yes              refused
//	partition, latency, loss  between two nodes that talk (Roles.Talk); refused otherwise
//
// A node that is a service and a consumer takes what either allows. The
// broker's time is its publish and delivery latencies, not a service time,
// so a slowdown cannot reach it; duplicates are seen by consumers, which
// only Consumers have.
func CheckRoles(faults []Fault, r Roles) error {
	for i, f := range faults {
		where := &SpecError{Line: f.Line, Column: 1, Field: fmt.Sprintf("faults[%d]", i)}
		if msg := r.refuse(f); msg != "" {
			where.Msg = msg
			return where
		}
	}
	return nil
}

func (r Roles) refuse(f Fault) string {
	t := f.Target
	switch f.Kind {
	case Outage, Crash:
		if t == r.Driver {
			return fmt.Sprintf("%s of %s, the load generator, would change nothing: it sends on schedule whatever its state. "+
				"To cut pages off, partition it from a service (e.g. {kind: partition, link: %s->gig}); to stop traffic, give the rate a curve", f.Kind, t, t)
		}
	case Slowdown:
		if t == BrokerNode {
			return fmt.Sprintf("slowdown of %s would change nothing: its time is publish_latency and delivery_latency, not a service time. "+
				"Slow its links instead, e.g. {kind: latency, between: [%s, gig], add: 50ms}", t, t)
		}
		if !slices.Contains(r.Services, t) {
			return fmt.Sprintf("slowdown of %s would change nothing: it serves nothing; slow down one of %s", t, strings.Join(r.Services, ", "))
		}
	case Duplicate:
		if !slices.Contains(r.Consumers, t) {
			return fmt.Sprintf("duplicate on %s would change nothing: it has no consumers; target a node whose consumers read the broker: %s", t, strings.Join(r.Consumers, ", "))
		}
	case Partition, Latency, Loss:
		for _, l := range f.Links() {
			if !r.talk(l[0], l[1]) {
				var pairs []string
				for _, p := range r.Talk {
					pairs = append(pairs, p[0]+"–"+p[1])
				}
				return fmt.Sprintf("%s between %s and %s would change nothing: they never exchange messages; the pairs that do are %s", f.Kind, l[0], l[1], strings.Join(pairs, ", "))
			}
		}
	}
	return ""
}

// MarshalYAML writes the fault in the notation UnmarshalYAML reads, with
// only the fields its kind takes.
func (f Fault) MarshalYAML() (any, error) {
	n := &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
	add := func(key, value string) {
		n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: key}, &yaml.Node{Kind: yaml.ScalarNode, Value: value})
	}
	add("at", FormatDuration(f.At))
	if f.For > 0 || f.Kind != Crash {
		add("for", FormatDuration(f.For))
	}
	add("kind", string(f.Kind))
	switch {
	case f.Target != "":
		add("target", f.Target)
	case f.Link != "":
		add("link", f.Link)
	case len(f.Between) == 2:
		n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "between"}, &yaml.Node{
			Kind: yaml.SequenceNode, Style: yaml.FlowStyle,
			Content: []*yaml.Node{{Kind: yaml.ScalarNode, Value: f.Between[0]}, {Kind: yaml.ScalarNode, Value: f.Between[1]}},
		})
	}
	if f.Mode != "" {
		add("mode", f.Mode)
	}
	switch f.Kind {
	case Slowdown:
		add("factor", formatNumber(f.Factor))
	case Loss, Duplicate:
		add("p", formatNumber(f.P))
	case Latency:
		v, err := f.Add.MarshalYAML()
		if err != nil {
			return nil, err
		}
		n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "add"}, v.(*yaml.Node))
	}
	return n, nil
}
