package report

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// A chart is drawn as inline SVG by the page's template from this: only
// numbers, coordinates and labels logmon formats itself, except the
// spans' rule names, which land in <title> text (escaped).
type chart struct {
	Title, Unit string
	W, H        int     // the viewBox
	X, Y        float64 // the plot area's top left
	PW, PH      float64 // and size
	Spans       []spanRect
	Areas       []shape
	Lines       []shape
	HLines      []hline
	XTicks      []tick
	YTicks      []tick
	Legend      []legend
	Note        string
}

type spanRect struct {
	X, W  float64
	Title string
}

type shape struct {
	Points string
	Color  string
	Dash   string
}

type hline struct {
	Y     float64
	Label string
}

type tick struct {
	At    float64
	Label string
}

type legend struct {
	Color, Name string
	Dash        string
}

// Chart geometry, in viewBox units: the SVG scales to the page's width
// (a phone's too), and its text with it.
const (
	chartW, chartH         = 960, 260
	padL, padR, padT, padB = 64, 16, 12, 28
)

func newChart(title, unit string) *chart {
	return &chart{
		Title: title, Unit: unit, W: chartW, H: chartH,
		X: padL, Y: padT, PW: chartW - padL - padR, PH: chartH - padT - padB,
	}
}

// axes maps time and values to the plot area.
type axes struct {
	c      *chart
	t0, t1 int64
	ymax   float64
}

func (a axes) x(t float64) float64 {
	if a.t1 <= a.t0 {
		return a.c.X
	}
	return a.c.X + (t-float64(a.t0))/float64(a.t1-a.t0)*a.c.PW
}

func (a axes) y(v float64) float64 {
	if a.ymax <= 0 {
		return a.c.Y + a.c.PH
	}
	return a.c.Y + a.c.PH - math.Min(v, a.ymax)/a.ymax*a.c.PH
}

// line is the points of f over ps, at the middle of each point's span.
func (a axes) line(ps []*point, f func(*point) float64) string {
	var b []byte
	for i, p := range ps {
		if i > 0 {
			b = append(b, ' ')
		}
		b = appendXY(b, a.x(mid(p)), a.y(f(p)))
	}
	return string(b)
}

// band is the polygon between the stacked values lo and hi over ps.
func (a axes) band(ps []*point, lo, hi func(*point) float64) string {
	var b []byte
	b = appendXY(b, a.x(float64(ps[0].start)), a.y(lo(ps[0])))
	for _, p := range ps {
		b = append(b, ' ')
		b = appendXY(b, a.x(mid(p)), a.y(hi(p)))
	}
	last := ps[len(ps)-1]
	b = append(b, ' ')
	b = appendXY(b, a.x(float64(last.end)), a.y(hi(last)))
	b = append(b, ' ')
	b = appendXY(b, a.x(float64(last.end)), a.y(lo(last)))
	for i := len(ps) - 1; i >= 0; i-- {
		b = append(b, ' ')
		b = appendXY(b, a.x(mid(ps[i])), a.y(lo(ps[i])))
	}
	b = append(b, ' ')
	b = appendXY(b, a.x(float64(ps[0].start)), a.y(lo(ps[0])))
	return string(b)
}

func mid(p *point) float64 { return (float64(p.start) + float64(p.end)) / 2 }

// appendXY appends "x,y" with one decimal: a tenth of a viewBox unit is
// finer than any screen shows, and keeps a 2,000-point line near 24 kB.
func appendXY(b []byte, x, y float64) []byte {
	b = strconv.AppendFloat(b, math.Round(x*10)/10, 'f', -1, 64)
	b = append(b, ',')
	return strconv.AppendFloat(b, math.Round(y*10)/10, 'f', -1, 64)
}

// yTicks puts about four round values on the y axis up to ymax, and
// returns the axis' top (the last tick).
func (a *axes) yTicks(format func(float64) string) {
	step := niceStep(a.ymax / 4)
	if step <= 0 {
		step = 1
	}
	top := math.Ceil(a.ymax/step) * step
	if top <= 0 {
		top = step
	}
	a.ymax = top
	for v := 0.0; v <= top+step/2; v += step {
		a.c.YTicks = append(a.c.YTicks, tick{At: a.y(v), Label: format(v)})
	}
}

// niceStep is the 1, 2 or 5 times a power of ten nearest above x.
func niceStep(x float64) float64 {
	if !(x > 0) || math.IsInf(x, 0) {
		return 0
	}
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= x {
			return m * p
		}
	}
	return 10 * p
}

// timeSteps are the time axis' candidate steps, in seconds.
var timeSteps = []int64{1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 2 * 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 2 * 86400, 7 * 86400, 14 * 86400, 28 * 86400}

// xTicks puts about six times on the time axis, at round times of loc's
// wall clock (midnights for steps of days).
func (a *axes) xTicks(loc *time.Location) {
	span := a.t1 - a.t0
	if span <= 0 {
		return
	}
	step := timeSteps[len(timeSteps)-1]
	for _, s := range timeSteps {
		if span/s <= 7 {
			step = s
			break
		}
	}
	layout := "15:04"
	switch {
	case step < 60:
		layout = "15:04:05"
	case step >= 86400:
		layout = "Jan 2"
	case span > 86400:
		layout = "Jan 2 15:04"
	}
	start := time.Unix(a.t0, 0).In(loc)
	day := time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, loc)
	for t := day; t.Unix() <= a.t1; {
		if u := t.Unix(); u >= a.t0 {
			a.c.XTicks = append(a.c.XTicks, tick{At: a.x(float64(u)), Label: t.Format(layout)})
		}
		if step >= 86400 {
			t = t.AddDate(0, 0, int(step/86400))
		} else {
			t = t.Add(time.Duration(step) * time.Second)
		}
	}
}

// Number formats for axes and tables.

func formatCount(v float64) string {
	switch {
	case v >= 1e9:
		return trimFloat(v/1e9, 1) + "G"
	case v >= 1e6:
		return trimFloat(v/1e6, 1) + "M"
	case v >= 1e4:
		return trimFloat(v/1e3, 1) + "k"
	case v == math.Trunc(v):
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return trimFloat(v, 2)
}

func formatSeconds(v float64) string {
	switch {
	case v == 0:
		return "0"
	case v < 1e-3:
		return trimFloat(v*1e6, 1) + "µs"
	case v < 1:
		return trimFloat(v*1e3, 1) + "ms"
	}
	return trimFloat(v, 2) + "s"
}

func formatBytes(v int64) string {
	f := float64(v)
	for _, u := range []string{"B", "kB", "MB", "GB", "TB", "PB"} {
		if f < 1000 || u == "PB" {
			if u == "B" {
				return strconv.FormatInt(v, 10) + " B"
			}
			return trimFloat(f, 1) + " " + u
		}
		f /= 1000
	}
	return ""
}

func trimFloat(v float64, digits int) string {
	s := strconv.FormatFloat(v, 'f', digits, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// formatInt writes n with thin separators: 1 234 567.
func formatInt(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString("\u202f")
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
