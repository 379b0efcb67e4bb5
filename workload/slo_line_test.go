package workload

import (
	"strings"
	"testing"
)

// shopYAML is a small scenario of the general form; its slo: section
// starts on line 13.
const shopYAML = `name: shop
duration: 10s
warmup: 2s
strategies: [sync, async]
owners:
  inventory:
    population: {records: 500}
  reviews:
    population: {records: 200}
page_services: {store: {workers: 8}}
page_kinds:
  product: {service: store, share: 1, reads: [{owner: inventory}, {owner: reviews, records: 5}]}
slo:
  targets:
    latency.p99: <=50ms
`

// TestSLOErrorLines: a target's mistake is reported at its own line, by
// the key's exact name (metric names hold dots), in the one format
// file:line: field: message, whether the limit or the name is wrong.
func TestSLOErrorLines(t *testing.T) {
	if _, err := Parse("shop.yaml", []byte(shopYAML)); err != nil {
		t.Fatalf("Parse(shop) = %v; want it valid", err)
	}
	tests := []struct{ add, want string }{
		{"    completeness: '>=99.5%'\n    owner.rps@prices: <=1000\n", "shop.yaml:17: slo.targets.owner.rps@prices: no such figure"},
		{"    owner.rps@reviews: <=1000\n    latency.p99@basket: <=1s\n", "shop.yaml:17: slo.targets.latency.p99@basket: no such figure"},
		{"    completeness: 0.995\n", "shop.yaml:16: slo.targets.completeness: \"0.995\": completeness is a per cent"},
		{"  cost: {owner.rps@reviews: 1, availability@product: 2}\n", "shop.yaml:16: slo.cost.availability@product:"},
	}
	for _, tt := range tests {
		_, err := Parse("shop.yaml", []byte(shopYAML+tt.add))
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("Parse(shop + %q) = %v; want an error starting %q", tt.add, err, tt.want)
		}
	}
}

// TestSLOUnquotedLimit: an unquoted >= limit, which YAML cannot read, is
// reported with the fix (quote it), not the parser's words alone.
func TestSLOUnquotedLimit(t *testing.T) {
	_, err := Parse("shop.yaml", []byte(shopYAML+"    completeness: >=99.5%\n"))
	if err == nil || !strings.Contains(err.Error(), "line 16: quote a limit starting with >, e.g. completeness: '>=99.5%'") {
		t.Errorf("Parse(shop + unquoted >=99.5%%) = %v; want the quoting fix at line 16", err)
	}
	_, err = Parse("shop.yaml", []byte(shopYAML+"    completeness: [\n"))
	if err == nil || strings.Contains(err.Error(), "quote a limit") {
		t.Errorf("Parse(shop + other YAML error) = %v; want an error without the quoting hint", err)
	}
}
