package workload

import (
	"math"
	"testing"
)

// TestCalibrationAgrees runs the calibration scenario, compressed, in both
// worlds. The live world runs on this machine's wall clock beside the
// other tests, so the bounds here are generous ones; `sharebench
// calibrate calibration` on a quiet machine is held to the real
// tolerances (p50 ±20 %, p99 ±30 %).
func TestCalibrationAgrees(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the live half runs on the wall clock for about 20 s")
	}
	sc, _, err := Builtin("calibration")
	if err != nil {
		t.Fatal(err)
	}
	if sc, err = sc.Scaled(0.3); err != nil {
		t.Fatal(err)
	}
	cs, virtual, live, err := Calibrate(sc, RunOptions{}, LiveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if live.Mode != "live" || virtual.Mode != "virtual" {
		t.Errorf("modes %q and %q; want virtual and live", virtual.Mode, live.Mode)
	}
	bounds := map[string][2]float64{"latency.p50": {0.8, 1.6}, "latency.p99": {0.6, 2}, "owner.rps": {0.9, 1.1}}
	for _, c := range cs {
		b, ok := bounds[c.Metric]
		if !ok {
			continue
		}
		if r := c.Ratio(); math.IsNaN(r) || r < b[0] || r > b[1] {
			t.Errorf("%s %s: live %.4g, virtual %.4g (ratio %.3f); want a ratio in [%v, %v]", c.Strategy, c.Metric, c.Live, c.Virtual, r, b[0], b[1])
		}
	}
	for _, s := range live.Order {
		if a := live.Strategies[s].Pages["all"].Availability; a < 0.99 {
			t.Errorf("%s live availability %v; want about 1 without faults", s, a)
		}
		if v := live.Strategies[s].SelfViewViolations; v != 0 {
			t.Errorf("%s live self-view violations %d; want 0", s, v)
		}
	}
}
