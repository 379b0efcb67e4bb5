package plot

import (
	"github.com/sharebench/sharebench/results"
)

// sig prints v with 3 significant digits, as results.WriteTable does.
func sig(v float64) string { return results.Significant(v, 3) }

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
