package plot

import (
	"github.com/sharebench/sharebench/results"
)

// sig prints v with 3 significant digits, as results.WriteTable does.
func sig(v float64) string { return results.Significant(v, 3) }

// byteUnit picks the binary unit that shows max bytes as a number people
// read at a glance, and its size.
func byteUnit(max float64) (unit string, size float64) {
	switch {
	case max >= 1<<30:
		return "GiB", 1 << 30
	case max >= 1<<20:
		return "MiB", 1 << 20
	case max >= 1<<10:
		return "KiB", 1 << 10
	}
	return "B", 1
}

// binaryBytes prints a byte count in KiB, MiB or GiB, 3 significant digits.
func binaryBytes(v float64) string {
	unit, size := byteUnit(v)
	if unit == "B" {
		return sig(v) + " B"
	}
	return sig(v/size) + " " + unit
}
