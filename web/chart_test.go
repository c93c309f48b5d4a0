package web

import (
	"strings"
	"testing"
)

func TestNiceMax(t *testing.T) {
	for _, tc := range []struct{ in, want float64 }{{0, 5}, {1, 5}, {5, 5}, {6, 10}, {11, 20}, {20, 20}, {21, 50}, {999, 1000}, {1001, 2000}, {4.2e6, 5e6}} {
		if got := niceMax(tc.in); got != tc.want {
			t.Errorf("niceMax(%g) = %g, want %g", tc.in, got, tc.want)
		}
	}
	for _, tc := range []struct {
		v    float64
		want string
	}{{3, "3"}, {2.5, "2.5"}, {1500, "1.5k"}, {25000, "25k"}, {3.2e6, "3.2M"}} {
		if got := fmtCount(tc.v); got != tc.want {
			t.Errorf("fmtCount(%g) = %q, want %q", tc.v, got, tc.want)
		}
	}
}

// TestCharts: the SVG is well formed enough for a browser, escapes its
// labels, and has one bar per non-zero value.
func TestCharts(t *testing.T) {
	svg := string(stackedBars("a <b>", []string{"x&y", "2"}, []series{{"acc", "s-accepted", []float64{3, 0}}, {"rej", "s-rejected", []float64{1, 2}}}))
	if strings.Count(svg, "<rect") != 3 || strings.Contains(svg, "<b>") || !strings.Contains(svg, "x&amp;y") || !strings.HasPrefix(svg, "<svg") {
		t.Errorf("stacked bars: %s", svg)
	}
	for _, grid := range []string{">1<", ">2<", ">3<", ">4<", ">5<"} {
		if !strings.Contains(svg, grid) {
			t.Errorf("grid label %s missing: %s", grid, svg)
		}
	}
	svg = string(lines("t", []string{"a", "b", "c"}, []series{{"s", "s-stop", []float64{0, 1, 0}}}))
	if strings.Count(svg, "<polyline") != 1 || strings.Count(svg, "<circle") != 1 {
		t.Errorf("lines: %s", svg)
	}
	svg = string(hbars("t", nil))
	if !strings.Contains(svg, "—") {
		t.Errorf("empty bars: %s", svg)
	}
	svg = string(hbars("t", []bar{{Label: "r<1>", Value: 3}}))
	if strings.Contains(svg, "<1>") || strings.Count(svg, "<rect") != 1 {
		t.Errorf("bars: %s", svg)
	}
}
