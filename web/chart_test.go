package web

import (
	"regexp"
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

// TestChartTicksWhole: the charts count messages, so for any integer
// maximum every y tick is a whole number (no 1.2, 2.5, 3.8), shown
// distinct and increasing.
func TestChartTicksWhole(t *testing.T) {
	re := regexp.MustCompile(`class="ylab"[^>]*>([^<]*)<`)
	for v := 0; v <= 1_000_000; v += 1 + v/50 {
		svg := string(stackedBars("t", []string{"a"}, []series{{"s", "s-accepted", []float64{float64(v)}}}))
		var prev string
		for i, m := range re.FindAllStringSubmatch(svg, -1) {
			l := m[1]
			if !strings.HasSuffix(l, "k") && !strings.HasSuffix(l, "M") && strings.Contains(l, ".") {
				t.Fatalf("max %d: tick %q is not a whole number:\n%s", v, l, svg)
			}
			if i > 0 && l == prev {
				t.Fatalf("max %d: tick %q twice", v, l)
			}
			prev = l
		}
	}
}
