package strategies

import (
	"strings"
	"testing"
	"time"

	"github.com/sharebench/sharebench/sim"
)

// TestConfigTakesWhatItIsGiven: Deploy's configuration has no zero that
// secretly means a default. A zero that can run (no backoff, no cache, no
// retry budget, no linger) is valid as it is; one that cannot is refused
// with the field's name.
func TestConfigTakesWhatItIsGiven(t *testing.T) {
	base := func() Config {
		c := DefaultConfig()
		c.Strategy, c.Sellers = Sync, 10
		c.Owner = sim.ServiceSpec{Workers: 1}
		c.Pages = map[string]sim.ServiceSpec{"gig": {Workers: 1}, "user": {Workers: 1}, "search": {Workers: 1}}
		return c
	}
	if err := base().Validate(); err != nil {
		t.Fatalf("DefaultConfig with services: Validate() = %v; want nil", err)
	}
	d := DefaultConfig()
	if d.ClientSize != 200 || d.Call.Timeout != 50*time.Millisecond || d.Call.Backoff != 5*time.Millisecond ||
		d.Call.RetryBudget != 0.2 || d.CacheTTL != 10*time.Second || d.RelayInterval != 10*time.Millisecond ||
		d.Linger != 5*time.Millisecond || d.PublishTimeout != time.Second || d.ReconcileEvery != 0 || d.ReconcileTimeout != time.Second {
		t.Errorf("DefaultConfig() = %+v; want the documented usual values", d)
	}
	tests := []struct {
		name   string
		change func(*Config)
		want   string // "" valid
	}{
		{"no backoff", func(c *Config) { c.Call.Backoff = 0 }, ""},
		{"no retry budget", func(c *Config) { c.Call.RetryBudget = 0 }, ""},
		{"no cache", func(c *Config) { c.CacheTTL = 0 }, ""},
		{"no linger", func(c *Config) { c.Linger = 0 }, ""},
		{"no timeout", func(c *Config) { c.Call.Timeout = 0 }, "call timeout"},
		{"no client size", func(c *Config) { c.ClientSize = 0 }, "client size"},
		{"no relay interval", func(c *Config) { c.RelayInterval = 0 }, "relay interval"},
		{"no publish timeout", func(c *Config) { c.PublishTimeout = 0 }, "publish timeout"},
		{"no reconcile timeout", func(c *Config) { c.ReconcileTimeout = 0 }, "reconcile timeout"},
		{"negative backoff", func(c *Config) { c.Call.Backoff = -1 }, "backoff"},
		{"negative cache", func(c *Config) { c.CacheTTL = -1 }, "cache TTL"},
	}
	for _, tt := range tests {
		c := base()
		tt.change(&c)
		err := c.Validate()
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: Validate() = %v; want nil", tt.name, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: Validate() = %v; want an error naming %q", tt.name, err, tt.want)
		}
	}
	if got := (CallOptions{Timeout: 50 * time.Millisecond, Retries: 2, Backoff: 0}).Deadline(); got != 150*time.Millisecond {
		t.Errorf("Deadline() with no backoff = %v; want 150ms: a zero backoff waits nothing", got)
	}
}
