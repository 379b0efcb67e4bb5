package plot

import (
	"math"
	"strconv"
)

// sig prints v with 3 significant digits in plain notation, keeping every
// digit left of the point (12345 stays 12345): what a reader wants on a
// label, and what results.WriteTable prints.
func sig(v float64) string {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	decimals := 2 - int(math.Floor(math.Log10(math.Abs(v))))
	if decimals <= 0 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	s := strconv.FormatFloat(v, 'f', decimals, 64)
	// Rounding can add a digit (9.996 → 10.00); drop the extra decimal.
	if r, _ := strconv.ParseFloat(s, 64); math.Abs(r) >= math.Pow10(3-decimals) {
		s = strconv.FormatFloat(v, 'f', decimals-1, 64)
	}
	return s
}

// byteUnit picks the SI unit that shows max bytes as a number people read
// at a glance, and its size.
func byteUnit(max float64) (unit string, size float64) {
	switch {
	case max >= 1e9:
		return "GB", 1e9
	case max >= 1e6:
		return "MB", 1e6
	case max >= 1e3:
		return "kB", 1e3
	}
	return "B", 1
}
