package workload

import (
	"bytes"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/sharebench/sharebench/results"
	"github.com/sharebench/sharebench/strategies"
)

// small is a quick scenario with faults of every kind, for determinism.
const small = `
name: small
seed: 3
duration: 6s
warmup: 1s
strategies: [sync, sync-cache, async, async-dualwrite, hybrid]
population: {sellers: 2000}
traffic: {pages: {rate: 500/s}, writes: {rate: 50/s}}
options: {async: {reconcile_every: 2s}}
faults:
  - {at: 2s, for: 1s, kind: outage, target: topclients}
  - {at: 3s, for: 1s, kind: partition, between: [broker, gig], mode: hold}
  - {at: 4s, kind: crash, target: user}
  - {at: 4s, for: 2s, kind: duplicate, target: search, p: 0.2}
`

func encode(t *testing.T, f *results.File) []byte {
	var b bytes.Buffer
	if err := results.Encode(&b, results.StripWall(f)); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestDeterminism: the same scenario and seed give byte-identical result
// files outside the wall-clock section, at any parallelism; another seed
// gives another file.
func TestDeterminism(t *testing.T) {
	sc, err := Parse("small.yaml", []byte(small))
	if err != nil {
		t.Fatal(err)
	}
	run := func(parallel, seeds int) []byte {
		f, err := Run(sc, RunOptions{Parallel: parallel, Seeds: seeds})
		if err != nil {
			t.Fatal(err)
		}
		return encode(t, f)
	}
	one := run(1, 2)
	if again := run(1, 2); !bytes.Equal(one, again) {
		t.Error("two runs with the same seed wrote different result files")
	}
	if four := run(4, 2); !bytes.Equal(one, four) {
		t.Error("-parallel 1 and -parallel 4 wrote different result files")
	}
	sc.Seed++
	if other := run(1, 2); bytes.Equal(one, other) {
		t.Error("seeds 3 and 4 wrote the same result file")
	}
}

func runBuiltin(t *testing.T, name string) *results.File {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: the built-in scenarios take seconds each")
	}
	sc, _, err := Builtin(name)
	if err != nil {
		t.Fatal(err)
	}
	f, err := Run(sc, RunOptions{Parallel: 2})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestOwnerOutageTradeOff: while Top Clients is down (10s of the 60s
// measured), sync and hybrid render pages without the section for sellers
// with clients — about a sixth of those renders — but every page renders;
// async's views keep the section.
func TestOwnerOutageTradeOff(t *testing.T) {
	f := runBuiltin(t, "owner-outage")
	share := 10.0 / 60
	for _, s := range []string{"sync", "hybrid"} {
		all := f.Strategies[s].Pages["all"]
		if all.Availability != 1 {
			t.Errorf("%s: availability %v; want 1: pages render without the section", s, all.Availability)
		}
		if lost := 1 - all.Completeness; math.Abs(lost-share) > 0.02 {
			t.Errorf("%s: %.3f of renders of sellers with clients lost the section; want about the outage's share, %.3f", s, lost, share)
		}
	}
	if c := f.Strategies["async"].Pages["all"].Completeness; c < 0.999 {
		t.Errorf("async: completeness %v; want about 1", c)
	}
}

// TestBrokerPartitionTradeOff: cut off from the broker for 10s, async's
// views go stale by about the partition's length; sync never reads a view.
func TestBrokerPartitionTradeOff(t *testing.T) {
	f := runBuiltin(t, "broker-partition")
	async := f.Strategies["async"].Pages["all"].StalenessMS
	if async.Max < 9_000 || async.Max > 12_000 {
		t.Errorf("async: staleness max %.0fms; want about the partition's 10s", async.Max)
	}
	if s := f.Strategies["sync"].Pages["all"].StalenessMS; s.Max > 50 {
		t.Errorf("sync: staleness max %.1fms; want only the few ms a page takes to travel back", s.Max)
	}
}

// TestSparseClientsCallEconomy: with 5% of sellers having clients, hybrid
// reads the owner for about 5% of the sellers sync reads it for: the
// traffic-weighted share of sellers with clients, which sync measures as
// 1 − its empty fraction. Self-views, which read the owner in both and
// favour sellers who just added clients, are left out of the mix.
func TestSparseClientsCallEconomy(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the built-in scenarios take seconds each")
	}
	sc, _, err := Builtin("sparse-clients")
	if err != nil {
		t.Fatal(err)
	}
	sc.Traffic.Pages.Mix = map[string]float64{"gig": 0.5, "user": 0.3, "search": 0.2}
	sync, _, err := RunOne(sc, "sync", sc.Seed)
	if err != nil {
		t.Fatal(err)
	}
	hybrid, _, err := RunOne(sc, "hybrid", sc.Seed)
	if err != nil {
		t.Fatal(err)
	}
	ratio := float64(hybrid.Owner.Reads) / float64(sync.Owner.Reads)
	withClients := 1 - sync.Owner.EmptyFraction
	if math.Abs(ratio-withClients) > 0.05*withClients {
		t.Errorf("hybrid reads the owner for %.4f of the sellers sync reads; want ≈ the share with clients, %.4f", ratio, withClients)
	}
	if math.Abs(withClients-0.05) > 0.01 {
		t.Errorf("traffic-weighted share of sellers with clients = %.4f; want ≈ with_clients, 0.05", withClients)
	}
	t.Logf("hybrid/sync owner reads %.4f; sellers with clients %.4f of reads; owner requests %d vs %d", ratio, withClients, hybrid.Owner.Requests, sync.Owner.Requests)
}

// TestRunCountsEveryPage: every page the schedule sends is judged.
func TestRunCountsEveryPage(t *testing.T) {
	sc, err := Parse("small.yaml", []byte(small))
	if err != nil {
		t.Fatal(err)
	}
	sc.Faults = nil
	m, sent, err := RunOne(sc, "sync", 1)
	if err != nil {
		t.Fatal(err)
	}
	var judged int64
	for t := range m.Series {
		judged += m.Series[t].Pages
	}
	if self := m.Pages["self"]; judged+self.Count < sent-sent/50 || judged > sent {
		t.Errorf("series counted %d public pages of the %d sent (%d self-views measured); want all public ones", judged, sent, self.Count)
	}
	if want := 500 * 7.0; math.Abs(float64(sent)-want) > 4*math.Sqrt(want) {
		t.Errorf("sent %d pages in 7s at 500/s; want %v ± 4√", sent, want)
	}
}

// wrongAnswers is a world whose page services answer something that is not
// a page.
type wrongAnswers struct{ world }

func (w wrongAnswers) send(to, method string, body any, timeout time.Duration, done func(any, error, time.Duration)) {
	w.world.send(to, method, body, timeout, func(resp any, err error, at time.Duration) {
		if method == strategies.MethodRender && err == nil {
			resp = "not a page"
		}
		done(resp, err, at)
	})
}

// TestWrongAnswerFailsTheRun: a render answered with anything but a page
// fails the run with an error naming what came, instead of panicking.
func TestWrongAnswerFailsTheRun(t *testing.T) {
	sc, _, err := Builtin("baseline")
	if err != nil {
		t.Fatal(err)
	}
	sc.Duration, sc.Warmup, sc.Strategies = Duration(time.Second), 0, sc.Strategies[:1]
	_, err = runAll(sc, RunOptions{}, "virtual", func(seed uint64) (world, error) { return wrongAnswers{newVirtualWorld(sc, seed)}, nil })
	if err == nil || !strings.Contains(err.Error(), "the answer is a string, not a strategies.Page") {
		t.Errorf("a run whose pages are answered with a string: error %v; want one saying the answer is a string", err)
	}
}

func TestPageOf(t *testing.T) {
	two := strategies.Page{Sections: make([]strategies.Section, 2)}
	tests := []struct {
		body    any
		sellers int
		wantErr string
	}{
		{two, 2, ""},
		{&two, 2, ""},
		{(*strategies.Page)(nil), 2, "nil *strategies.Page"},
		{"x", 2, "a string, not a strategies.Page"},
		{nil, 2, "a <nil>, not a strategies.Page"},
		{two, 3, "2 sections for 3 sellers"},
	}
	for _, tt := range tests {
		p, err := pageOf(tt.body, tt.sellers)
		switch {
		case tt.wantErr == "" && (err != nil || p == nil || len(p.Sections) != 2):
			t.Errorf("pageOf(%#v, %d) = %v, %v; want the page", tt.body, tt.sellers, p, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("pageOf(%#v, %d) = %v, %v; want an error containing %q", tt.body, tt.sellers, p, err, tt.wantErr)
		}
	}
}
