package plot

import (
	"math"
	"strconv"

	gplot "gonum.org/v1/plot"
)

// logTicks labels a log axis at 1, 2 and 5 times powers of ten when the
// range is narrow enough for them to fit, at powers of ten otherwise;
// gonum's LogTicks labels powers of ten only, which leaves a range like
// 8–40 ms with a single label.
type logTicks struct{}

func (logTicks) Ticks(lo, hi float64) []gplot.Tick {
	if !(lo > 0) || !(hi > lo) {
		return nil
	}
	decades := math.Log10(hi / lo)
	var ticks []gplot.Tick
	for e := math.Floor(math.Log10(lo)); e <= math.Ceil(math.Log10(hi)); e++ {
		base := math.Pow(10, e)
		for m := 1; m < 10; m++ {
			v := float64(m) * base
			if v < lo*(1-1e-9) || v > hi*(1+1e-9) {
				continue
			}
			labelled := m == 1 || (decades <= 2.5 && (m == 2 || m == 5))
			t := gplot.Tick{Value: v}
			if labelled {
				t.Label = strconv.FormatFloat(v, 'f', -1, 64)
			}
			ticks = append(ticks, t)
		}
	}
	// A narrow range may hold no labelled tick at all: label its ends.
	labelled := 0
	for _, t := range ticks {
		if t.Label != "" {
			labelled++
		}
	}
	if labelled < 2 {
		ticks = append(ticks, gplot.Tick{Value: lo, Label: round3(lo)}, gplot.Tick{Value: hi, Label: round3(hi)})
	}
	return ticks
}

// linTicks labels a linear axis at about six round values (1, 2 or 5 times
// a power of ten apart), with a minor tick halfway; gonum's default aims at
// three, which leaves a minute of a time series labelled at 0, 30 and 60 s.
// With integer set (counts), no tick falls between whole numbers.
type linTicks struct{ integer bool }

func (lt linTicks) Ticks(lo, hi float64) []gplot.Tick {
	if !(hi > lo) || math.IsInf(hi-lo, 0) {
		return nil
	}
	raw := (hi - lo) / 6
	step := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*step >= raw*(1-1e-9) {
			step *= m
			break
		}
	}
	if lt.integer {
		step = math.Max(step, 1)
	}
	// Ticks every sub, labels every `per` ticks.
	sub, per := step/2, 2
	if lt.integer && step == 1 {
		sub, per = 1, 1
	}
	decimals := max(0, -int(math.Floor(math.Log10(step)+1e-9)))
	var ticks []gplot.Tick
	for k := math.Ceil(lo/sub - 1e-9); k*sub <= hi+1e-9*(hi-lo); k++ {
		v := k * sub
		if k == 0 {
			v = 0 // not -0, which prints as "-0.0"
		}
		t := gplot.Tick{Value: v}
		if int64(math.Abs(k))%int64(per) == 0 {
			t.Label = strconv.FormatFloat(v, 'f', decimals, 64)
		}
		ticks = append(ticks, t)
	}
	return ticks
}

// round3 prints v to 3 significant digits without trailing zeros.
func round3(v float64) string {
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 3, 64), 64)
	return strconv.FormatFloat(r, 'f', -1, 64)
}
