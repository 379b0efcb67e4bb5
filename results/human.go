package results

import (
	"math"
	"strconv"
	"strings"
)

// Human prints v in its unit as tables and reports show it. Percentages keep 2
// decimals (the table's resolution, which verdicts compare at), bytes go
// to KiB/MiB/GiB, a mean below 0.001 (versions behind) is written with its
// power of ten, large counts get thousands separators.
func Human(unit string, v float64) string {
	if v == 0 {
		v = 0 // not -0
	}
	switch {
	case unit == "%":
		return strconv.FormatFloat(v, 'f', 2, 64)
	case unit == "B":
		return Bytes(v)
	case v != 0 && math.Abs(v) < 0.001:
		return scientific(v)
	case unit == "" && v == math.Trunc(v):
		return Thousands(v)
	case math.Abs(v) >= 1000:
		return Thousands(math.Round(v))
	}
	return sig3(v)
}

// Bytes prints a byte count in KiB, MiB or GiB with 3 significant
// digits.
func Bytes(v float64) string {
	for _, u := range []struct {
		name string
		size float64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if math.Abs(v) >= u.size {
			return sig3(v/u.size) + " " + u.name
		}
	}
	return strconv.FormatFloat(v, 'f', 0, 64) + " B"
}

// scientific prints a small v as "5.06 × 10⁻⁶".
func scientific(v float64) string {
	exp := int(math.Floor(math.Log10(math.Abs(v))))
	mant := v / math.Pow10(exp)
	if r, _ := strconv.ParseFloat(sig3(mant), 64); math.Abs(r) >= 10 {
		mant, exp = mant/10, exp+1
	}
	return sig3(mant) + " × 10" + superscript(exp)
}

func superscript(n int) string {
	digits := []rune("⁰¹²³⁴⁵⁶⁷⁸⁹")
	var b strings.Builder
	if n < 0 {
		b.WriteRune('⁻')
		n = -n
	}
	for _, c := range strconv.Itoa(n) {
		b.WriteRune(digits[c-'0'])
	}
	return b.String()
}

// Thousands prints a whole number with commas between groups of three.
func Thousands(v float64) string {
	s := strconv.FormatFloat(math.Abs(v), 'f', 0, 64)
	var b strings.Builder
	if v < 0 {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func sig3(v float64) string { return Significant(v, 3) }
