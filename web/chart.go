package web

import (
	"fmt"
	"html/template"
	"math"
	"strings"
)

// The charts are SVG drawn on the server: they need no JavaScript, scale
// to the width of the page (a viewBox, width 100 %), and carry a <title>
// per bar or point for the figures.

// series is one line or one layer of stacked bars.
type series struct {
	Name   string
	Class  string // the CSS class that colours it
	Values []float64
}

const (
	chartW, chartH = 640, 220
	padL, padR     = 44, 8
	padT, padB     = 10, 26
)

// niceMax rounds a maximum up to 1, 2 or 5 times a power of ten, and at
// least 5: the charts count messages, so their grid lines fall on whole
// numbers.
func niceMax(v float64) float64 {
	if v <= 5 {
		return 5
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}

func fmtCount(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.1fM", v/1e6)
	case v >= 1e4:
		return fmt.Sprintf("%.0fk", v/1e3)
	case v >= 1e3:
		return fmt.Sprintf("%.1fk", v/1e3)
	case v != math.Trunc(v):
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.0f", v)
}

// axes draws the grid and the y labels up to top: four steps for a top
// of 2×10ⁿ, five otherwise, so that every line falls on a round number.
func axes(b *strings.Builder, top float64) {
	steps := 5
	if m := top / math.Pow(10, math.Floor(math.Log10(top))); math.Abs(m-2) < 1e-9 {
		steps = 4
	}
	for i := 0; i <= steps; i++ {
		y := padT + float64(chartH-padT-padB)*(1-float64(i)/float64(steps))
		fmt.Fprintf(b, `<line class="grid" x1="%d" y1="%.1f" x2="%d" y2="%.1f"/>`, padL, y, chartW-padR, y)
		fmt.Fprintf(b, `<text class="ylab" x="%d" y="%.1f">%s</text>`, padL-4, y+4, fmtCount(top*float64(i)/float64(steps)))
	}
}

// xLabels writes at most about 8 labels under the x axis.
func xLabels(b *strings.Builder, labels []string, x func(i int) float64) {
	step := max(1, (len(labels)+7)/8)
	for i := 0; i < len(labels); i += step {
		fmt.Fprintf(b, `<text class="xlab" x="%.1f" y="%d">%s</text>`, x(i), chartH-8, template.HTMLEscapeString(labels[i]))
	}
}

func legend(b *strings.Builder, ss []series) string {
	var l strings.Builder
	l.WriteString(`<ul class="legend">`)
	for _, s := range ss {
		fmt.Fprintf(&l, `<li><span class="key %s"></span>%s</li>`, s.Class, template.HTMLEscapeString(s.Name))
	}
	l.WriteString(`</ul>`)
	return l.String()
}

// stackedBars draws one bar per label, its series stacked.
func stackedBars(title string, labels []string, ss []series) template.HTML {
	var top float64
	for i := range labels {
		var sum float64
		for _, s := range ss {
			sum += s.Values[i]
		}
		top = max(top, sum)
	}
	top = niceMax(top)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" width="100%%" role="img" aria-label="%s"><title>%s</title>`, chartW, chartH, template.HTMLEscapeString(title), template.HTMLEscapeString(title))
	axes(&b, top)
	n := max(len(labels), 1)
	slot := float64(chartW-padL-padR) / float64(n)
	bw := math.Max(1, slot*0.8)
	plotH := float64(chartH - padT - padB)
	x := func(i int) float64 { return padL + slot*float64(i) + slot/2 }
	for i := range labels {
		y := float64(chartH - padB)
		var tip []string
		for _, s := range ss {
			v := s.Values[i]
			tip = append(tip, fmt.Sprintf("%s %s", s.Name, fmtCount(v)))
			if v <= 0 {
				continue
			}
			h := plotH * v / top
			y -= h
			fmt.Fprintf(&b, `<rect class="%s" x="%.1f" y="%.1f" width="%.1f" height="%.1f"><title>%s: %s</title></rect>`,
				s.Class, x(i)-bw/2, y, bw, h, template.HTMLEscapeString(labels[i]), template.HTMLEscapeString(strings.Join(tip, ", ")))
		}
	}
	xLabels(&b, labels, x)
	b.WriteString(`</svg>`)
	b.WriteString(legend(&b, ss))
	return template.HTML(b.String())
}

// lines draws each series as a line over the labels.
func lines(title string, labels []string, ss []series) template.HTML {
	var top float64
	for _, s := range ss {
		for _, v := range s.Values {
			top = max(top, v)
		}
	}
	top = niceMax(top)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" width="100%%" role="img" aria-label="%s"><title>%s</title>`, chartW, chartH, template.HTMLEscapeString(title), template.HTMLEscapeString(title))
	axes(&b, top)
	n := max(len(labels)-1, 1)
	plotW, plotH := float64(chartW-padL-padR), float64(chartH-padT-padB)
	x := func(i int) float64 { return padL + plotW*float64(i)/float64(n) }
	y := func(v float64) float64 { return float64(chartH-padB) - plotH*v/top }
	for _, s := range ss {
		var pts []string
		for i, v := range s.Values {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(i), y(v)))
		}
		fmt.Fprintf(&b, `<polyline class="line %s" points="%s"/>`, s.Class, strings.Join(pts, " "))
		for i, v := range s.Values {
			if v > 0 {
				fmt.Fprintf(&b, `<circle class="%s" cx="%.1f" cy="%.1f" r="2.5"><title>%s %s: %s</title></circle>`, s.Class, x(i), y(v),
					template.HTMLEscapeString(labels[i]), template.HTMLEscapeString(s.Name), fmtCount(v))
			}
		}
	}
	xLabels(&b, labels, x)
	b.WriteString(`</svg>`)
	b.WriteString(legend(&b, ss))
	return template.HTML(b.String())
}

// bar is one row of a horizontal bar chart.
type bar struct {
	Label string
	Value float64
	Class string
}

// hbars draws one horizontal bar per row, labels on the left.
func hbars(title string, rows []bar) template.HTML {
	var top float64
	for _, r := range rows {
		top = max(top, r.Value)
	}
	top = niceMax(top)
	const rowH, labelW = 24, 230
	h := max(len(rows), 1)*rowH + 8
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart hbars" viewBox="0 0 %d %d" width="100%%" role="img" aria-label="%s"><title>%s</title>`, chartW, h, template.HTMLEscapeString(title), template.HTMLEscapeString(title))
	if len(rows) == 0 {
		fmt.Fprintf(&b, `<text class="xlab" x="%d" y="18">—</text>`, chartW/2)
	}
	for i, r := range rows {
		y := 4 + i*rowH
		w := float64(chartW-labelW-60) * r.Value / top
		cls := r.Class
		if cls == "" {
			cls = "s-rejected"
		}
		fmt.Fprintf(&b, `<text class="hlab" x="%d" y="%d">%s</text>`, labelW-6, y+16, template.HTMLEscapeString(r.Label))
		fmt.Fprintf(&b, `<rect class="%s" x="%d" y="%d" width="%.1f" height="%d"><title>%s: %s</title></rect>`, cls, labelW, y+3, math.Max(w, 1), rowH-8,
			template.HTMLEscapeString(r.Label), fmtCount(r.Value))
		fmt.Fprintf(&b, `<text class="vlab" x="%.1f" y="%d">%s</text>`, float64(labelW)+math.Max(w, 1)+4, y+16, fmtCount(r.Value))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
