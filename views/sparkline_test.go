package views

import (
	"math"
	"testing"
)

func TestSparkline(t *testing.T) {
	nan := math.NaN()
	for _, c := range []struct {
		in   []float64
		want string
	}{
		{nil, ""},
		{[]float64{5, 5, 5}, "▄▄▄"},
		{[]float64{0, 1, 2, 3, 4, 5, 6, 7}, "▁▂▃▄▅▆▇█"},
		{[]float64{10, nan, 0}, "█ ▁"},
		{[]float64{nan, nan}, "  "},
	} {
		if got := Sparkline(c.in); got != c.want {
			t.Errorf("Sparkline(%v) = %q, want %q", c.in, got, c.want)
		}
	}
}
