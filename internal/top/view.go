package top

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/rivo/uniseg"

	"github.com/logmon/logmon/internal/record"
)

// Lists that t cycles through.
const (
	listSections = iota
	listClients
	listNetworks
	listMethods
	nLists
)

var listNames = [nLists]string{"sections", "clients", "networks", "methods"}

// View is how the screen is drawn, besides the data: the settings shown
// and the state of the keys.
type View struct {
	Threshold float64 // the high_traffic rule's, drawn on the chart; 0: none
	Window    int64   // the alert window, seconds: a rate shown over it
	Paused    bool
	Help      bool
	List      int // the first top list shown (t)
}

// Style is what a piece of the screen is, which the terminal program
// colours (tui.go); the golden screens are the text alone.
type Style uint8

// The styles.
const (
	Plain Style = iota
	Title
	Dim
	Key
	Bar
	Over
	Threshold
	Firing
	Resolved
	Warn
)

// Seg is a run of text of one style.
type Seg struct {
	Text  string
	Style Style
}

// Line is one line of the screen, never wider than the screen.
type Line []Seg

// String is the line's text.
func (l Line) String() string {
	var b strings.Builder
	for _, s := range l {
		b.WriteString(s.Text)
	}
	return b.String()
}

// Frame is a whole screen.
type Frame []Line

// String is the screen's text, a line each, without trailing spaces:
// what the golden screens hold.
func (f Frame) String() string {
	lines := make([]string, len(f))
	for i, l := range f {
		lines[i] = strings.TrimRight(l.String(), " ")
	}
	return strings.Join(lines, "\n")
}

// line builds one line of the screen, never wider than its width: text
// past it is cut (with … where a cut shows), so the terminal never wraps.
type line struct {
	segs  Line
	w     int
	width int
}

func newLine(width int) *line { return &line{width: width} }

// add appends s in style st, cut at the line's width.
func (l *line) add(st Style, s string) *line {
	room := l.width - l.w
	if room <= 0 || s == "" {
		return l
	}
	w := uniseg.StringWidth(s)
	if w > room {
		s, w = truncate(s, room)
	}
	l.w += w
	if n := len(l.segs); n > 0 && l.segs[n-1].Style == st {
		l.segs[n-1].Text += s
	} else {
		l.segs = append(l.segs, Seg{s, st})
	}
	return l
}

// addLine appends the segments of o, cut at the line's width.
func (l *line) addLine(o *line) *line {
	for _, s := range o.segs {
		l.add(s.Style, s.Text)
	}
	return l
}

// truncate cuts s to width columns, the last one an ellipsis.
func truncate(s string, width int) (string, int) {
	if width <= 0 {
		return "", 0
	}
	var b strings.Builder
	w := 0
	state := -1
	for len(s) > 0 {
		var g string
		var gw int
		g, s, gw, state = uniseg.FirstGraphemeClusterInString(s, state)
		if w+gw > width-1 {
			break
		}
		b.WriteString(g)
		w += gw
	}
	b.WriteString("…")
	return b.String(), w + 1
}

// pad appends spaces up to column col.
func (l *line) pad(col int) *line {
	if col > l.width {
		col = l.width
	}
	if col > l.w {
		l.add(Plain, strings.Repeat(" ", col-l.w))
	}
	return l
}

// Render draws the screen of s on a terminal of width x height: exactly
// height lines, none wider than width.
func Render(s Snapshot, width, height int, v View) Frame {
	if width < 1 || height < 1 {
		return nil
	}
	var out Frame
	emit := func(l *line) { out = append(out, l.segs) }

	// Header.
	h := newLine(width)
	h.add(Title, "logmon top")
	if s.Now != 0 {
		h.add(Plain, "  "+time.Unix(s.Now, 0).UTC().Format("2006-01-02 15:04:05")+" UTC")
	} else {
		h.add(Dim, "  waiting for input")
	}
	var state string
	var stateStyle Style
	switch {
	case v.Paused:
		state, stateStyle = "PAUSED", Warn
	case s.Ended:
		state, stateStyle = "INPUT ENDED", Warn
	}
	keys := "? help  q quit"
	right := uniseg.StringWidth(keys)
	if state != "" {
		right += uniseg.StringWidth(state) + 2
	}
	h.pad(width - right)
	if state != "" {
		h.add(stateStyle, state).add(Plain, "  ")
	}
	h.add(Dim, keys)
	emit(h)

	// Alerts firing, pinned.
	maxFiring := 3
	if height >= 40 {
		maxFiring = 8
	}
	if len(s.Firing) == 0 {
		l := newLine(width)
		l.add(Resolved, "no alert firing")
		if n := len(s.Recent); n > 0 {
			l.add(Dim, "  (last: "+s.Recent[0].Rule+" "+s.Recent[0].State+" "+clockTime(s.Recent[0].Time)+")")
		}
		emit(l)
	}
	for i, a := range s.Firing {
		l := newLine(width)
		if i == maxFiring-1 && len(s.Firing) > maxFiring {
			l.add(Firing, " +"+strconv.Itoa(len(s.Firing)-i)+" more firing ")
			emit(l)
			break
		}
		l.add(Firing, " FIRING ").add(Plain, " ").add(Title, a.Rule)
		l.add(Plain, "  since "+clockTime(a.Time))
		if s.Now != 0 {
			l.add(Plain, " ("+duration(s.Now-a.Time.Unix())+")")
		}
		l.add(Plain, "  "+a.Value)
		if (a.Rule == "high_traffic" || a.Rule == "low_traffic") && v.Window > 0 {
			if r, ok := rateOver(s, v.Window); ok {
				l.add(Dim, "  now "+rate(r)+" over "+duration(v.Window))
			}
		}
		emit(l)
	}

	// Totals, rates, status classes and latency.
	l := newLine(width)
	l.add(Title, "total ").add(Plain, count(s.Requests)+" req  "+size(s.Bytes))
	if s.Requests > 0 {
		l.add(Plain, "  5xx "+count(s.C5xx)+" ("+percent(float64(s.C5xx)/float64(s.Requests))+")")
	}
	if len(s.Points) > 0 {
		l.add(Plain, "  since "+clockTime(time.Unix(s.First, 0))+" ("+duration(s.Now-s.First)+")")
	}
	emit(l)
	l = newLine(width)
	l.add(Title, "rate ")
	spans := []int64{10, 60}
	if v.Window > 0 && v.Window != 10 && v.Window != 60 {
		spans = append(spans, v.Window)
	}
	for i, span := range spans {
		if i > 0 {
			l.add(Plain, "  ")
		}
		r, ok := rateOver(s, span)
		val := "-"
		if ok {
			val = rate(r)
		}
		l.add(Dim, duration(span)+" ").add(Plain, val)
	}
	if lt := s.Lists; lt.Timed > 0 {
		l.add(Title, "   latency ").add(Plain, "p50 "+seconds(lt.P50)+"  p99 "+seconds(lt.P99)+"  max "+seconds(lt.Max))
		l.add(Dim, " ("+duration(lt.End.Unix()-lt.Start.Unix())+")")
	}
	emit(l)
	emit(statusLine(s, width))

	// The bottom panels, then the chart in what is left over.
	fixed := len(out) + 3 + 1 // chart title, axis, panel titles; footer
	rest := height - fixed
	rows := max(rest/2, 3)
	panel := rest - rows
	if panel < 3 {
		panel = max(rest-3, 0)
		rows = rest - panel
	}
	for _, c := range chart(s, width, rows, v) {
		emit(c)
	}
	for _, p := range panels(s, width, panel+1, v) {
		emit(p)
	}

	// Footer.
	f := newLine(width)
	switch {
	case s.Ended:
		f.add(Warn, "input ended: the last screen stays; q quits")
		if s.Warning != "" {
			f.add(Dim, "  "+s.Warning)
		}
	case s.Warning != "":
		f.add(Dim, "last diagnostic: ").add(Plain, s.Warning)
	default:
		f.add(Dim, "p pause  t next list  ? help  q quit")
	}
	emit(f)
	if len(out) > height {
		// A terminal too short for it all: the header and the alerts
		// first, the footer last.
		out = append(out[:height-1], out[len(out)-1])
	}
	return out
}

func statusLine(s Snapshot, width int) *line {
	l := newLine(width)
	var c record.StatusClasses
	var n int64
	for _, p := range s.Points {
		if p.End > s.Now-60 {
			c.Add(p.Status)
			n += p.Requests
		}
	}
	l.add(Title, "status ").add(Dim, "1m ")
	if n == 0 {
		return l.add(Dim, "no requests")
	}
	for _, k := range []struct {
		name string
		n    int64
		st   Style
	}{{"2xx", c.C2xx, Plain}, {"3xx", c.C3xx, Plain}, {"4xx", c.C4xx, Warn}, {"5xx", c.C5xx, Over}, {"1xx", c.C1xx, Plain}, {"other", c.Other, Plain}, {"none", c.None, Plain}} {
		if k.n == 0 && (k.name == "1xx" || k.name == "other" || k.name == "none") {
			continue
		}
		style := Plain
		if k.n > 0 {
			style = k.st
		}
		l.add(Dim, " "+k.name+" ").add(style, percent(float64(k.n)/float64(n)))
	}
	return l
}

// rateOver is the request rate over the last span seconds: over the
// seconds the points cover, false when they cover none.
func rateOver(s Snapshot, span int64) (float64, bool) {
	from := s.Now - span
	var reqs float64
	var secs int64
	for _, p := range s.Points {
		lo, hi := max(p.Start, from), min(p.End, s.Now)
		if hi <= lo || p.End <= p.Start {
			continue
		}
		reqs += float64(p.Requests) * float64(hi-lo) / float64(p.End-p.Start)
		secs += hi - lo
	}
	if secs == 0 {
		return 0, false
	}
	return reqs / float64(secs), true
}

// Span is how much of the chart's past one column shows: enough columns
// for five minutes at least, whole seconds each.
func step(cols int) int64 {
	return max(1, int64(math.Ceil(300/float64(max(cols, 1)))))
}

const axisWidth = 8 // "12.3k/s ┤"

// chart draws the request-rate chart: a title line, rows of bars, and
// the time axis (rows+2 lines).
func chart(s Snapshot, width, rows int, v View) []*line {
	cols := max(width-axisWidth-1, 1)
	stp := step(cols)
	span := int64(cols) * stp
	// Per column: the rate over the seconds its points cover, or none.
	sum := make([]float64, cols)
	covered := make([]int64, cols)
	from := s.Now - span
	for _, p := range s.Points {
		if p.End <= from || p.End <= p.Start {
			continue
		}
		per := float64(p.Requests) / float64(p.End-p.Start)
		for sec := max(p.Start, from); sec < min(p.End, s.Now); sec++ {
			c := int((sec - from) / stp)
			sum[c] += per
			covered[c]++
		}
	}
	rates := make([]float64, cols)
	peak := 0.0
	for c := range rates {
		if covered[c] > 0 {
			rates[c] = sum[c] / float64(covered[c])
			peak = max(peak, rates[c])
		} else {
			rates[c] = -1
		}
	}
	top := nice(max(peak, v.Threshold*1.25, 1))

	var out []*line
	t := newLine(width)
	t.add(Title, "requests/s").add(Dim, "  peak "+rate(peak)+"  last "+duration(span)+", "+duration(stp)+" a column")
	if v.Threshold > 0 {
		t.add(Dim, "  ").add(Threshold, "┄┄").add(Dim, " high_traffic "+rate(v.Threshold))
	}
	out = append(out, t)

	thrRow := -1
	if v.Threshold > 0 {
		thrRow = min(int(v.Threshold/top*float64(rows)), rows-1)
	}
	blocks := []rune(" ▁▂▃▄▅▆▇█")
	for r := rows - 1; r >= 0; r-- {
		l := newLine(width)
		label := ""
		switch {
		case r == rows-1:
			label = rate(top)
		case r == thrRow:
			label = rate(v.Threshold)
		case r == 0:
			label = "0/s"
		}
		l.add(Dim, strings.Repeat(" ", max(axisWidth-1-uniseg.StringWidth(label), 0))+label+" ")
		axis := "┤"
		if r == thrRow {
			axis = "┼"
		}
		l.add(Dim, axis)
		// Runs of cells of one style, drawn together.
		const plain, bar, over, thr = 0, 1, 2, 3
		styles := [...]Style{Plain, Bar, Over, Threshold}
		var run strings.Builder
		runStyle := plain
		for c := 0; c < cols; c++ {
			ch, cs := ' ', plain
			if rates[c] >= 0 {
				eighths := int(math.Round(rates[c] / top * float64(rows) * 8))
				if rates[c] > 0 && eighths == 0 {
					eighths = 1 // traffic, however little, shows
				}
				ch, cs = blocks[min(max(eighths-r*8, 0), 8)], bar
				if v.Threshold > 0 && rates[c] > v.Threshold {
					cs = over
				}
			}
			if r == thrRow && ch == ' ' {
				ch, cs = '┄', thr
			}
			if cs != runStyle && run.Len() > 0 {
				l.add(styles[runStyle], run.String())
				run.Reset()
			}
			runStyle = cs
			run.WriteRune(ch)
		}
		l.add(styles[runStyle], run.String())
		out = append(out, l)
	}
	// The time axis: the start and the end of the chart.
	a := newLine(width)
	a.pad(axisWidth)
	if s.Now != 0 {
		left, right := clockTime(time.Unix(from, 0)), clockTime(time.Unix(s.Now, 0))
		a.add(Dim, left)
		a.pad(width - uniseg.StringWidth(right))
		a.add(Dim, right)
	}
	out = append(out, a)
	return out
}

// nice rounds x up to 1, 2, 2.5 or 5 times a power of ten.
func nice(x float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if x <= m*p {
			return m * p
		}
	}
	return 10 * p
}

// panels draws the bottom of the screen, height lines: the top lists
// side by side and the recent alert transitions, or the help.
func panels(s Snapshot, width, height int, v View) []*line {
	if height <= 0 {
		return nil
	}
	const gap = " │ "
	n := max(width/40, 2)
	pw := (width - (n-1)*len([]rune(gap))) / n
	cols := make([][]*line, n)
	if v.Help {
		cols = [][]*line{help(v, width)}
		pw, n = width, 1
	} else {
		for i := 0; i < n-1; i++ {
			cols[i] = list(s, (v.List+i)%nLists, pw, height)
		}
		cols[n-1] = transitions(s, pw, height)
	}
	out := make([]*line, height)
	for r := range out {
		l := newLine(width)
		for i := range n {
			if i > 0 {
				l.pad(i * (pw + len([]rune(gap))))
				l.add(Dim, gap)
			}
			if r < len(cols[i]) {
				l.addLine(cols[i][r])
			}
		}
		out[r] = l
	}
	return out
}

// list is one top list: a title and the entries that fit.
func list(s Snapshot, which, width, height int) []*line {
	lt := s.Lists
	var entries []Entry
	switch which {
	case listSections:
		entries = lt.Sections
	case listClients:
		entries = lt.Clients
	case listNetworks:
		entries = lt.Networks
	case listMethods:
		entries = lt.Methods
	}
	t := newLine(width)
	t.add(Title, "top "+listNames[which])
	if !lt.End.IsZero() {
		t.add(Dim, " "+clockTime(lt.Start)+"–"+clockTime(lt.End))
	}
	out := []*line{t}
	if len(entries) == 0 {
		out = append(out, newLine(width).add(Dim, "none yet"))
	}
	for _, e := range entries {
		if len(out) == height {
			break
		}
		l := newLine(width)
		h := count(e.Hits)
		l.add(Plain, strings.Repeat(" ", max(7-len(h), 0))+h)
		if lt.Requests > 0 {
			p := percent(float64(e.Hits) / float64(lt.Requests))
			l.add(Dim, strings.Repeat(" ", max(7-len(p), 0))+p)
		}
		l.add(Plain, "  "+e.Name)
		if e.Extra != "" {
			l.add(Dim, " "+e.Extra)
		}
		out = append(out, l)
	}
	return out
}

// transitions lists the latest alert records, the latest first.
func transitions(s Snapshot, width, height int) []*line {
	out := []*line{newLine(width).add(Title, "alerts").add(Dim, " ▲ fired  ▼ resolved")}
	if len(s.Recent) == 0 {
		out = append(out, newLine(width).add(Dim, "none yet"))
	}
	for _, a := range s.Recent {
		if len(out) == height {
			break
		}
		l := newLine(width)
		l.add(Dim, clockTime(a.Time)+" ")
		if a.State == record.Firing {
			l.add(Over, "▲ ")
		} else {
			l.add(Resolved, "▼ ")
		}
		l.add(Plain, a.Rule+" "+a.Value)
		out = append(out, l)
	}
	return out
}

func help(v View, width int) []*line {
	lines := [][2]string{
		{"q", "quit (^C too)"},
		{"p", "pause the screen: the input is still read, and shown again on p"},
		{"t", "the next top list: sections, clients, networks, methods"},
		{"?", "this help; ? again goes back"},
		{"", ""},
		{"", "Times are event time, the log's own, in UTC: a replay shows the log's"},
		{"", "time; a live stream moves on with the wall clock when it goes quiet."},
		{"", "Rates, the chart and status are top's own 1 s summaries (or the input's"},
		{"", "summaries); top lists and latency are of the latest --interval summary."},
	}
	out := []*line{newLine(width).add(Title, "keys")}
	for _, k := range lines {
		l := newLine(width)
		l.add(Key, "  "+k[0]).pad(6).add(Plain, k[1])
		out = append(out, l)
	}
	return out
}

// alertValue is what an alert's rule saw against its threshold.
func alertValue(a *record.Alert) string {
	cmp := func(v, t float64) string {
		switch {
		case v > t:
			return " > "
		case v < t:
			return " < "
		}
		return " = "
	}
	switch {
	case a.Latency != nil:
		q := "p99"
		if a.Quantile != nil {
			q = quantile(*a.Quantile)
		}
		return q + " " + seconds(*a.Latency) + cmp(*a.Latency, a.Threshold) + seconds(a.Threshold)
	case a.Ratio != nil:
		return "5xx " + strconv.FormatFloat(*a.Ratio*100, 'f', 2, 64) + "%" + cmp(*a.Ratio, a.Threshold) + strconv.FormatFloat(a.Threshold*100, 'f', -1, 64) + "%"
	case a.Deviation != nil:
		d := *a.Deviation
		sign := "+"
		if d < 0 {
			sign = "-"
		}
		v := sign + strconv.FormatFloat(math.Abs(d), 'f', 1, 64) + "σ" + cmp(math.Abs(d), a.Threshold) + strconv.FormatFloat(a.Threshold, 'f', -1, 64) + "σ"
		if a.Expected != nil {
			v += " (" + rate(a.Rate) + ", learned " + rate(*a.Expected) + ")"
		}
		return v
	}
	return rate(a.Rate) + cmp(a.Rate, a.Threshold) + strconv.FormatFloat(a.Threshold, 'f', -1, 64) + "/s"
}

func quantile(q float64) string {
	if q >= 1 {
		return "max"
	}
	return "p" + strconv.FormatFloat(q*100, 'g', 4, 64)
}

// Numbers as shown.

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// count is n with thousands separators: 1,234,567.
func count(n int64) string {
	s := itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// rate is requests per second: 0.35/s, 12.4/s, 123/s, 12.3k/s.
func rate(r float64) string {
	switch {
	case r >= 10000:
		return strconv.FormatFloat(r/1000, 'f', 1, 64) + "k/s"
	case r >= 100:
		return strconv.FormatFloat(r, 'f', 0, 64) + "/s"
	case r >= 10 || r == 0:
		return strconv.FormatFloat(r, 'f', 1, 64) + "/s"
	}
	return strconv.FormatFloat(r, 'f', 2, 64) + "/s"
}

func percent(x float64) string {
	if x > 0 && x < 0.001 {
		return "<0.1%"
	}
	return strconv.FormatFloat(x*100, 'f', 1, 64) + "%"
}

// size is a byte count in SI units: 950 B, 1.2 MB.
func size(n int64) string {
	units := []string{"B", "kB", "MB", "GB", "TB", "PB", "EB"}
	f := float64(n)
	i := 0
	for f >= 1000 && i < len(units)-1 {
		f /= 1000
		i++
	}
	if i == 0 {
		return itoa(n) + " B"
	}
	return strconv.FormatFloat(f, 'f', 1, 64) + " " + units[i]
}

// seconds is a duration in seconds as people read it: 850ms, 1.25s.
func seconds(s float64) string {
	switch {
	case s < 0.001:
		return strconv.FormatFloat(s*1e6, 'f', 0, 64) + "µs"
	case s < 1:
		return strconv.FormatFloat(s*1000, 'f', 0, 64) + "ms"
	case s < 100:
		return strconv.FormatFloat(s, 'f', 2, 64) + "s"
	}
	return strconv.FormatFloat(s, 'f', 0, 64) + "s"
}

// duration is n seconds, short: 45s, 1m29s, 2h03m, 3d04h.
func duration(n int64) string {
	if n < 0 {
		n = 0
	}
	switch {
	case n < 60:
		return itoa(n) + "s"
	case n < 3600:
		if n%60 == 0 {
			return itoa(n/60) + "m"
		}
		return itoa(n/60) + "m" + two(n%60) + "s"
	case n < 86400:
		return itoa(n/3600) + "h" + two(n%3600/60) + "m"
	}
	return itoa(n/86400) + "d" + two(n%86400/3600) + "h"
}

func two(n int64) string {
	if n < 10 {
		return "0" + itoa(n)
	}
	return itoa(n)
}

func clockTime(t time.Time) string { return t.UTC().Format("15:04:05") }
