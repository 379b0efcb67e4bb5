package results

import (
	"strings"
	"testing"
)

// TestTargetUnitMistakes: a limit whose unit is likely mistaken is
// refused with both readings offered (review 11).
func TestTargetUnitMistakes(t *testing.T) {
	bad := map[string][]string{
		"latency.p99<=0.05":   {"0.05 ms", "write 0.05ms if you mean it", "50ms for 0.05 s"},
		"stale_fraction<=0.5": {"write 50% for a fraction of 0.5", "0.5% if you meant 0.5 per cent"},
	}
	for in, wants := range bad {
		_, err := ParseTarget(in)
		for _, want := range wants {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("ParseTarget(%q) = %v; want an error saying %q", in, err, want)
			}
		}
	}
	for in, want := range map[string]float64{"latency.p99<=0.05ms": 0.05, "latency.p99<=2": 2, "stale_fraction<=0.5%": 0.5} {
		if tg, err := ParseTarget(in); err != nil || tg.Limit != want {
			t.Errorf("ParseTarget(%q) = %+v, %v; want limit %v", in, tg, err, want)
		}
	}
}
