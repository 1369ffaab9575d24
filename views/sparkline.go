package views

import (
	"math"
	"strings"
)

// sparkBars are the eight heights of a sparkline, lowest first.
var sparkBars = []rune("▁▂▃▄▅▆▇█")

// Sparkline draws values (oldest first) as one bar each, scaled between
// their least and greatest; NaN marks a day without a figure and draws a
// space, so a gap is not drawn as a value. Bars carry no colour, so
// NO_COLOR has nothing to remove.
func Sparkline(values []float64) string {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range values {
		if !math.IsNaN(v) {
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	var b strings.Builder
	for _, v := range values {
		switch {
		case math.IsNaN(v):
			b.WriteByte(' ')
		case hi == lo:
			b.WriteRune(sparkBars[len(sparkBars)/2-1])
		default:
			i := int((v - lo) / (hi - lo) * float64(len(sparkBars)-1))
			b.WriteRune(sparkBars[i])
		}
	}
	return b.String()
}
