package sim

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

func TestParseFaults(t *testing.T) {
	fs, err := ParseFaults(`
- {at: 20s, for: 10s, kind: outage, target: topclients}
- {at: 40s, for: 5s,  kind: partition, between: [broker, gig]}
- {at: 50s, for: 5s,  kind: latency,   link: gig->topclients, add: {dist: const, value: 100ms}}
- {at: 1s, for: 2s, kind: outage, target: gig, mode: blackhole}
- {at: 1s, for: 2s, kind: partition, link: a->b, mode: hold}
- {at: 1s, kind: crash, target: gig}
- {at: 1s, for: 1s, kind: slowdown, target: gig, factor: 3}
- {at: 1s, for: 1s, kind: loss, between: [a, b], p: 0.25}
- {at: 1s, for: 1s, kind: duplicate, target: gig, p: 0.5}
- {at: 1s, for: 1s, kind: latency, between: [a, b], add: {dist: exp, mean: 1m}}
`)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"outage topclients (refuse)",
		"partition broker<->gig (drop)",
		"latency gig->topclients +100ms",
		"outage gig (blackhole)",
		"partition a->b (hold)",
		"crash gig",
		"slowdown gig ×3",
		"loss a<->b p=0.25",
		"duplicate gig p=0.5",
		"latency a<->b +{dist: exp, mean: 1m}",
	}
	if len(fs) != len(want) {
		t.Fatalf("ParseFaults gave %d faults; want %d", len(fs), len(want))
	}
	for i, f := range fs {
		if f.String() != want[i] {
			t.Errorf("fault %d = %q; want %q", i, f, want[i])
		}
		if err := f.Validate(); err != nil {
			t.Errorf("fault %d (%s).Validate() = %v; want nil", i, f, err)
		}
	}
	if got := fs[0].End(); got != 30*time.Second {
		t.Errorf("outage End() = %v; want 30s", got)
	}
	if got := fs[1].Links(); len(got) != 2 || got[0] != [2]string{"broker", "gig"} || got[1] != [2]string{"gig", "broker"} {
		t.Errorf("partition between broker and gig Links() = %v; want both directions", got)
	}
	if got := fs[2].Links(); len(got) != 1 || got[0] != [2]string{"gig", "topclients"} {
		t.Errorf("latency on gig->topclients Links() = %v; want one direction", got)
	}
	if fs[0].Line != 2 {
		t.Errorf("first fault Line = %d; want 2", fs[0].Line)
	}
}

// TestFaultBadInput: each mistake gets an error naming the field and the fix.
func TestFaultBadInput(t *testing.T) {
	tests := []struct {
		in      string
		wantAll []string
	}{
		{"- {at: 1s, for: 1s, kind: meltdown, target: x}", []string{"kind", "unknown fault kind", "outage, crash"}},
		{"- {at: 1s, for: 1s, target: x}", []string{"kind", "missing"}},
		{"- {at: 1s, for: 1s, kind: outage}", []string{"target", "missing"}},
		{"- {for: 1s, kind: outage, target: x}", []string{"at", "missing", "at: 10s"}},
		{"- {at: 1s, kind: outage, target: x}", []string{"for", "missing"}},
		{"- {at: 1s, for: 0s, kind: outage, target: x}", []string{"for", "> 0"}},
		{"- {at: -1s, for: 1s, kind: outage, target: x}", []string{"at", "negative"}},
		{"- {at: 1, for: 1s, kind: outage, target: x}", []string{"at", "no unit"}},
		{"- {at: 1s, for: 1s, kind: outage, target: x, mode: explode}", []string{"mode", "refuse or blackhole"}},
		{"- {at: 1s, for: 1s, kind: outage, target: x, link: a->b}", []string{"link", "not a field of outage faults"}},
		{"- {at: 1s, for: 1s, kind: partition}", []string{"between", "missing", "link: a->b"}},
		{"- {at: 1s, for: 1s, kind: partition, between: [a, b, c]}", []string{"between", "exactly two"}},
		{"- {at: 1s, for: 1s, kind: partition, between: [a, a]}", []string{"between", "two different"}},
		{"- {at: 1s, for: 1s, kind: partition, link: a-b}", []string{"link", "from->to"}},
		{"- {at: 1s, for: 1s, kind: partition, link: a->a}", []string{"link", "two different"}},
		{"- {at: 1s, for: 1s, kind: partition, link: a->b, between: [a, b]}", []string{"not both"}},
		{"- {at: 1s, for: 1s, kind: partition, link: a->b, mode: queue}", []string{"mode", "drop or hold"}},
		{"- {at: 1s, for: 1s, kind: latency, link: a->b}", []string{"add", "missing"}},
		{"- {at: 1s, for: 1s, kind: latency, link: a->b, add: {dist: exp}}", []string{"mean", "missing"}},
		{"- {at: 1s, for: 1s, kind: loss, link: a->b, p: 1.5}", []string{"p", "(0, 1]"}},
		{"- {at: 1s, for: 1s, kind: loss, link: a->b}", []string{"p", "missing"}},
		{"- {at: 1s, for: 1s, kind: slowdown, target: x, factor: 0}", []string{"factor", "> 0"}},
		{"- {at: 1s, for: 1s, kind: slowdown, target: x}", []string{"factor", "missing"}},
		{"- {at: 1s, at: 2s, for: 1s, kind: outage, target: x}", []string{"at", "twice"}},
		{"- [outage]", []string{"mapping"}},
		{"- {at: 1s, for: 1s, kind: duplicate, target: gig}", []string{"p", "missing"}},
		{"- {at: 1s, for: 1s, kind: duplicate, link: a->b, p: 0.1}", []string{"link", "not a field of duplicate faults"}},
	}
	for _, tt := range tests {
		_, err := ParseFaults(tt.in)
		if err == nil {
			t.Errorf("ParseFaults(%q) = nil error; want one mentioning %q", tt.in, tt.wantAll)
			continue
		}
		for _, want := range tt.wantAll {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("ParseFaults(%q) error = %q; want it to mention %q", tt.in, err, want)
			}
		}
	}
}

func TestCheckFaults(t *testing.T) {
	nodes := []string{"gig", "topclients", "broker"}
	tests := []struct {
		fault Fault
		want  string // substring of the error; "" for none
	}{
		{Fault{At: time.Second, For: time.Second, Kind: Outage, Target: "gig", Mode: "refuse"}, ""},
		{Fault{At: time.Second, For: time.Second, Kind: Outage, Target: "search", Mode: "refuse"}, `names "search", which is not in this world; known nodes: gig, topclients, broker`},
		{Fault{At: 59 * time.Second, For: 2 * time.Second, Kind: Outage, Target: "gig", Mode: "refuse"}, "past the end of the run at 1m0s"},
		{Fault{At: time.Second, For: time.Second, Kind: Partition, Between: []string{"gig", "user"}, Mode: "drop"}, `"user"`},
		{Fault{At: time.Second, For: time.Second, Kind: Partition, Link: "gig->broker"}, ""},
		{Fault{At: time.Second, For: time.Second, Kind: Partition, Link: "gig->broker", Mode: "refuse"}, "mode must be drop or hold"},
		{Fault{At: time.Second, For: time.Second, Kind: Slowdown, Target: "gig"}, "factor"},
		{Fault{At: time.Second, Kind: Outage, Target: "gig", Mode: "refuse"}, "for must be > 0"},
		{Fault{At: time.Second, Kind: "flood", Target: "gig"}, "unknown fault kind"},
		{Fault{At: time.Second, For: time.Second, Kind: Loss, Link: "gig->broker", P: 2}, "p must be in (0, 1]"},
	}
	for _, tt := range tests {
		err := CheckFaults([]Fault{tt.fault}, nodes, time.Minute)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("CheckFaults(%s) = %v; want nil", tt.fault, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("CheckFaults(%s) = %v; want an error mentioning %q", tt.fault, err, tt.want)
		}
	}
}

func FuzzParseFaults(f *testing.F) {
	f.Add("- {at: 20s, for: 10s, kind: outage, target: topclients}")
	f.Add("- {at: 1s, for: 1s, kind: latency, link: a->b, add: {dist: exp, mean: 1ms}}")
	f.Add("- {at: 1s, for: 1s, kind: partition, between: [a, b], mode: hold}")
	f.Add("- {at: 1s, for: 1s, kind: loss, link: a->b, p: 0.5}")
	f.Fuzz(func(t *testing.T, s string) {
		fs, err := ParseFaults(s)
		if err != nil {
			return
		}
		for _, fault := range fs {
			if err := fault.Validate(); err != nil {
				t.Fatalf("ParseFaults(%q) accepted %s, which Validate rejects: %v", s, fault, err)
			}
		}
	})
}

func TestFaultYAMLRoundTrip(t *testing.T) {
	in := `- {at: 20s, for: 10s, kind: outage, target: topclients, mode: blackhole}
- {at: 1s, for: 2s, kind: partition, between: [broker, gig], mode: hold}
- {at: 1s, for: 2s, kind: latency, link: gig->topclients, add: {dist: exp, mean: 20ms}}
- {at: 1s, kind: crash, target: gig}
- {at: 1s, for: 1s, kind: slowdown, target: gig, factor: 2.5}
- {at: 1s, for: 1s, kind: duplicate, target: gig, p: 0.1}
`
	fs, err := ParseFaults(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := yaml.Marshal(fs)
	if err != nil {
		t.Fatal(err)
	}
	again, err := ParseFaults(string(out))
	if err != nil {
		t.Fatalf("ParseFaults(Marshal(faults)) error: %v\n%s", err, out)
	}
	for i := range fs {
		if fs[i].String() != again[i].String() || fs[i].At != again[i].At || fs[i].For != again[i].For {
			t.Errorf("fault %d: %v became %v after a round trip", i, fs[i], again[i])
		}
	}
}

// TestCheckRoles: every fault kind against every kind of target, in a
// world shaped like sharebench's: each combination runs or is refused
// with its reason.
func TestCheckRoles(t *testing.T) {
	roles := Roles{
		Services:  []string{"topclients", "gig"},
		Consumers: []string{"gig"},
		Driver:    "client",
		Talk:      [][2]string{{"client", "gig"}, {"gig", "topclients"}, {"topclients", BrokerNode}, {"gig", BrokerNode}},
	}
	node := func(kind FaultKind, target string) Fault {
		return Fault{At: time.Second, For: time.Second, Kind: kind, Target: target, Factor: 2, P: 0.5}
	}
	link := func(kind FaultKind, a, b string) Fault {
		return Fault{At: time.Second, For: time.Second, Kind: kind, Between: []string{a, b}, P: 0.5, Add: ConstDuration(time.Millisecond)}
	}
	tests := []struct {
		f    Fault
		want string // "" runs; otherwise a part of the refusal
	}{
		{node(Outage, "topclients"), ""},
		{node(Outage, "gig"), ""},
		{node(Outage, BrokerNode), ""},
		{node(Outage, "client"), "load generator"},
		{node(Crash, "topclients"), ""},
		{node(Crash, BrokerNode), ""},
		{node(Crash, "client"), "partition it from a service"},
		{node(Slowdown, "topclients"), ""},
		{node(Slowdown, "gig"), ""},
		{node(Slowdown, BrokerNode), "publish_latency and delivery_latency"},
		{node(Slowdown, "client"), "serves nothing"},
		{node(Duplicate, "gig"), ""},
		{node(Duplicate, "topclients"), "no consumers; target a node whose consumers read the broker: gig"},
		{node(Duplicate, BrokerNode), "no consumers"},
		{node(Duplicate, "client"), "no consumers"},
		{link(Partition, "gig", BrokerNode), ""},
		{link(Partition, "client", "gig"), ""},
		{link(Partition, "client", BrokerNode), "never exchange messages"},
		{link(Latency, "topclients", "gig"), ""},
		{link(Latency, "client", "topclients"), "never exchange messages; the pairs that do are client–gig"},
		{link(Loss, BrokerNode, "topclients"), ""},
		{Fault{At: time.Second, For: time.Second, Kind: Loss, Link: "broker->client", P: 0.5}, "between broker and client"},
	}
	for _, tt := range tests {
		err := CheckRoles([]Fault{tt.f}, roles)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("CheckRoles(%s) = %v; want nil", tt.f, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("CheckRoles(%s) = %v; want an error mentioning %q", tt.f, err, tt.want)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"}, {time.Hour, "1h"}, {time.Minute, "1m"}, {10 * time.Minute, "10m"}, {90 * time.Minute, "90m"},
		{90 * time.Second, "90s"}, {1500 * time.Millisecond, "1.5s"}, {2250 * time.Microsecond, "2.25ms"},
		{500 * time.Microsecond, "500us"}, {1234567, "1234.567us"}, {1234567891, "1234567.891us"}, {7, "7ns"},
		{-5 * time.Second, "-5s"},
	}
	for _, tt := range tests {
		got := FormatDuration(tt.d)
		if got != tt.want {
			t.Errorf("FormatDuration(%d) = %q; want %q", tt.d, got, tt.want)
		}
		if tt.d >= 0 {
			if back, err := ParseDuration(got); err != nil || back != tt.d {
				t.Errorf("ParseDuration(FormatDuration(%d) = %q) = %v, %v; want it back", tt.d, got, back, err)
			}
		}
	}
}

// TestDurationDistMarshalRoundTrips: what MarshalYAML writes reads back
// as exactly the same distribution, even a lognormal whose median and
// p99 do not fall on whole nanoseconds.
func TestDurationDistMarshalRoundTrips(t *testing.T) {
	for _, text := range []string{
		"2ms", "{dist: exp, mean: 1.5s}", "{dist: lognormal, median: 2ms, p99: 20ms}",
		"{dist: lognormal, mu: -6.1234567, sigma: 0.987654321}", "{dist: uniform, min: 1m, max: 90s}",
		"{dist: empirical, percentiles: {0: 1ms, 50: 2ms, 100: 1h}}", "{dist: pareto, min: 1ms, alpha: 1.5}",
	} {
		d, err := ParseDurationDist(text)
		if err != nil {
			t.Fatalf("ParseDurationDist(%q): %v", text, err)
		}
		out, err := yaml.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseDurationDist(string(out))
		if err != nil || !reflect.DeepEqual(back, d) {
			t.Errorf("ParseDurationDist(Marshal(%q) = %q) = %v, %v; want %v", text, out, back, err, d)
		}
		if strings.Contains(string(out), "0s}") && strings.Contains(string(out), "m0s") {
			t.Errorf("Marshal(%q) = %q; want the scenario notation, not Go's", text, out)
		}
	}
}

func TestNumberDistMarshalRoundTrips(t *testing.T) {
	for _, text := range []string{"5", "{dist: uniform, min: 1, max: 10}", "{dist: lognormal, median: 3, p99: 17.3}", "{dist: lognormal, mu: 1.234567, sigma: 0.7654321}"} {
		d, err := ParseNumberDist(text)
		if err != nil {
			t.Fatalf("ParseNumberDist(%q): %v", text, err)
		}
		out, err := yaml.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseNumberDist(string(out))
		if err != nil || !reflect.DeepEqual(back, d) {
			t.Errorf("ParseNumberDist(Marshal(%q) = %q) = %v, %v; want %v", text, out, back, err, d)
		}
	}
}
