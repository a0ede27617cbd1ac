package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/logmon/logmon/internal/latency"
	"github.com/logmon/logmon/internal/topk"
)

//go:embed page.html
var pageHTML string

// page is parsed once: html/template escapes every value for the context
// it lands in (text, attribute, SVG attribute), which the template fixes.
var page = template.Must(template.New("page").Funcs(template.FuncMap{
	"xy":  func(v float64) string { return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64) },
	"add": func(a, b float64) float64 { return a + b },
	"sub": func(a, b float64) float64 { return a - b },
}).Parse(pageHTML))

// pageData is everything the template shows.
type pageData struct {
	Title   string
	Source  string
	From    string
	To      string
	Zone    string
	Totals  []kv
	Notes   []string
	Rules   []string
	Charts  []*chart
	Tables  []table
	Alerts  []alertRow
	Dropped int64
	Empty   bool
}

type kv struct{ K, V string }

type table struct {
	Title, Key string
	AS         bool
	Rows       []row
	Note       string
}

type row struct {
	Rank  int
	Key   string
	Hits  string
	Share string
	Err   string
	AS    string
}

type alertRow struct {
	Rule, From, To, Duration, Value, Threshold, Message string
	Open                                                bool
}

// Write writes the page to w.
func (r *Report) Write(w io.Writer) error {
	r.ownTables.flush()
	r.upTables.flush()
	return page.Execute(w, r.data())
}

// data builds the page from what was gathered. Summaries made in-process
// (the input had requests) are shown when there are any, else those from
// upstream.
func (r *Report) data() *pageData {
	loc := r.cfg.Location
	d := &pageData{Title: "logmon report", Source: r.cfg.Source, Zone: zoneName(loc), Rules: r.cfg.Rules}
	if d.Source != "" {
		d.Title = "logmon report: " + d.Source
	}
	s, tabs, fromRequests := r.own, r.ownTables, true
	if s.empty() && r.requests == 0 {
		s, tabs, fromRequests = r.up, r.upTables, false
	}
	if r.upSummaries > 0 && fromRequests && !r.own.empty() {
		d.Notes = append(d.Notes, fmt.Sprintf("%d summaries on input left out: the input had requests, which were summarised here.", r.upSummaries))
	}
	ps := s.points()
	if len(ps) == 0 {
		d.Empty = true
		d.Notes = append(d.Notes, "No requests and no summaries on input: nothing to show.")
	}
	if !fromRequests && len(ps) > 0 {
		d.Notes = append(d.Notes, "Made from summaries, without requests: the tables are the sums of the summaries' own top lists (sections, methods, clients, networks), so they name only what was in an interval's top; paths, 404 paths, user agents, referrers and users need requests (logmon report < access.log).")
	}
	if r.otherRecords > 0 {
		d.Notes = append(d.Notes, fmt.Sprintf("%d records of other types on input were not shown.", r.otherRecords))
	}
	var t0, t1 int64
	if len(ps) > 0 {
		t0, t1 = ps[0].start, ps[len(ps)-1].end
		for _, p := range ps {
			t1 = max(t1, p.end)
		}
		d.From, d.To = formatTime(t0, loc), formatTime(t1, loc)
	}
	alerts := r.sortedAlerts(t0)
	d.Totals = r.totals(ps, t0, t1, len(alerts))
	if len(ps) > 0 {
		if s.width > s.base {
			d.Notes = append(d.Notes, "Each point of the charts sums "+formatDuration(s.width)+" of summaries, to keep the page small; the peak line is the busiest interval of each.")
		}
		d.Charts = r.charts(ps, t0, t1, alerts)
	}
	d.Tables = r.tables(tabs, fromRequests)
	for _, a := range alerts {
		row := alertRow{Rule: a.rule, From: formatTime(a.start, loc), Open: !a.resolved, Message: a.message}
		if !a.fired {
			row.From = "before " + row.From
		}
		if a.resolved {
			row.To = formatTime(a.end, loc)
			row.Duration = formatDuration(a.end - a.start)
		} else {
			row.To = "still firing at the end"
			row.Duration = formatDuration(t1 - a.start)
		}
		row.Value, row.Threshold = formatValue(a.value, a.unit), formatValue(a.limit, a.unit)
		d.Alerts = append(d.Alerts, row)
	}
	d.Dropped = r.alertsDropped
	return d
}

func (r *Report) totals(ps []*point, t0, t1 int64, alerts int) []kv {
	var all point
	all.start, all.end = t0, t1
	sk := latency.New()
	withSketch := true
	var peak float64
	for _, p := range ps {
		peak = max(peak, p.peakRate())
		all.requests += p.requests
		all.bytes = satAdd(all.bytes, p.bytes)
		all.status.Add(p.status)
		all.late += p.late
		if p.timed > 0 {
			if p.sketch != nil && withSketch {
				_ = sk.MergeWith(p.sketch)
			} else {
				withSketch = false
			}
			all.mergeLatency(p.timed, p.max, nil, p.p50, p.p90, p.p99)
		}
	}
	if withSketch && all.timed > 0 {
		all.sketch = sk
	}
	share := func(n int64) string {
		if all.requests == 0 {
			return "0 %"
		}
		return trimFloat(100*float64(n)/float64(all.requests), 2) + " %"
	}
	kvs := []kv{
		{"Period", formatDuration(t1 - t0)},
		{"Requests", formatInt(all.requests)},
		{"Average rate", trimFloat(all.rate(), 3) + " req/s"},
		{"Peak rate", trimFloat(peak, 3) + " req/s (of one interval)"},
		{"Bytes sent", formatBytes(all.bytes)},
		{"2xx", share(all.status.C2xx)},
		{"3xx", share(all.status.C3xx)},
		{"4xx", share(all.status.C4xx)},
		{"5xx", share(all.status.C5xx)},
	}
	if n := all.status.C1xx + all.status.Other + all.status.None; n > 0 {
		kvs = append(kvs, kv{"1xx, other, none", share(n)})
	}
	if all.timed > 0 {
		kvs = append(kvs,
			kv{"Latency p50 / p90 / p99", formatSeconds(all.quantile(0.5)) + " / " + formatSeconds(all.quantile(0.9)) + " / " + formatSeconds(all.quantile(0.99))},
			kv{"Slowest", formatSeconds(all.max)},
			kv{"Requests with a duration", formatInt(all.timed)})
	}
	kvs = append(kvs, kv{"Alerts", strconv.Itoa(alerts)})
	if all.late > 0 {
		kvs = append(kvs, kv{"Late requests", formatInt(all.late)})
	}
	return kvs
}

// Series colours: colour-blind-safe (Okabe-Ito), and distinct in print.
const (
	colRate  = "#0072B2"
	colPeak  = "#56B4E9"
	col2xx   = "#009E73"
	col3xx   = "#56B4E9"
	col4xx   = "#E69F00"
	col5xx   = "#D55E00"
	colOther = "#999999"
	colP50   = "#009E73"
	colP90   = "#0072B2"
	colP99   = "#D55E00"
	colMax   = "#999999"
)

func (r *Report) charts(ps []*point, t0, t1 int64, alerts []*span) []*chart {
	loc := r.cfg.Location
	// Requests over time, alert spans shaded, the threshold drawn.
	req := newChart("Requests per second", "req/s")
	a := axes{c: req, t0: t0, t1: t1}
	downsampled := false
	for _, p := range ps {
		a.ymax = max(a.ymax, p.peakRate())
		downsampled = downsampled || p.peak > p.rate()
	}
	threshold, rule := r.cfg.Threshold, r.cfg.ThresholdRule
	if rule == "" {
		for _, s := range alerts {
			if s.rule == "high_traffic" && s.unit == "req/s" {
				threshold, rule = s.limit, s.rule
				break
			}
		}
	}
	if rule != "" {
		a.ymax = max(a.ymax, threshold*1.1)
	}
	a.ymax *= 1.05
	a.yTicks(formatCount)
	a.xTicks(loc)
	for _, s := range alerts {
		end := s.end
		if !s.resolved {
			end = t1
		}
		x0, x1 := a.x(float64(max(s.start, t0))), a.x(float64(min(end, t1)))
		req.Spans = append(req.Spans, spanRect{X: x0, W: max(x1-x0, 1.5), Title: s.rule + ": " + formatTime(s.start, loc) + " to " + formatTime(end, loc)})
	}
	req.Areas = append(req.Areas, shape{Points: a.band(ps, zero, (*point).rate), Color: colRate})
	req.Legend = append(req.Legend, legend{Color: colRate, Name: "average rate"})
	if downsampled {
		req.Lines = append(req.Lines, shape{Points: a.line(ps, (*point).peakRate), Color: colPeak})
		req.Legend = append(req.Legend, legend{Color: colPeak, Name: "peak interval"})
	}
	if rule != "" {
		req.HLines = append(req.HLines, hline{Y: a.y(threshold), Label: rule + " " + trimFloat(threshold, 3) + " req/s"})
		req.Legend = append(req.Legend, legend{Color: "#CC0000", Name: "threshold", Dash: "6 4"})
	}
	if len(alerts) > 0 {
		req.Legend = append(req.Legend, legend{Color: "#F4B6B6", Name: "alert firing"})
	}

	// Status classes over time, stacked, as requests per second.
	st := newChart("Status classes (requests per second, stacked)", "req/s")
	b := axes{c: st, t0: t0, t1: t1}
	for _, p := range ps {
		b.ymax = max(b.ymax, p.rate())
	}
	b.ymax *= 1.05
	b.yTicks(formatCount)
	b.xTicks(loc)
	classes := []struct {
		name, color string
		n           func(*point) int64
	}{
		{"2xx", col2xx, func(p *point) int64 { return p.status.C2xx }},
		{"3xx", col3xx, func(p *point) int64 { return p.status.C3xx }},
		{"4xx", col4xx, func(p *point) int64 { return p.status.C4xx }},
		{"5xx", col5xx, func(p *point) int64 { return p.status.C5xx }},
		{"1xx, other, none", colOther, func(p *point) int64 { return p.status.C1xx + p.status.Other + p.status.None }},
	}
	below := zero
	for _, c := range classes {
		lo, n := below, c.n
		hi := func(p *point) float64 { return lo(p) + perSecond(p, n(p)) }
		var any bool
		for _, p := range ps {
			any = any || n(p) > 0
		}
		if any {
			st.Areas = append(st.Areas, shape{Points: b.band(ps, lo, hi), Color: c.color})
			st.Legend = append(st.Legend, legend{Color: c.color, Name: c.name})
		}
		below = hi
	}

	charts := []*chart{req, st}
	// Latency percentiles over time.
	lat := newChart("Latency", "s")
	timed := false
	for _, p := range ps {
		timed = timed || p.timed > 0
	}
	if !timed {
		lat.Note = "No request had a duration: the log format logs none (nginx $request_time, Apache %D do)."
		return append(charts, lat)
	}
	c := axes{c: lat, t0: t0, t1: t1}
	for _, p := range ps {
		c.ymax = max(c.ymax, p.quantile(0.99))
	}
	c.ymax *= 1.05
	c.yTicks(formatSeconds)
	c.xTicks(loc)
	// A point without durations is drawn at 0 only between timed
	// points: leave it out of the lines.
	var tp []*point
	for _, p := range ps {
		if p.timed > 0 {
			tp = append(tp, p)
		}
	}
	for _, q := range []struct {
		q     float64
		name  string
		color string
	}{{0.5, "p50", colP50}, {0.9, "p90", colP90}, {0.99, "p99", colP99}} {
		lat.Lines = append(lat.Lines, shape{Points: c.line(tp, func(p *point) float64 { return p.quantile(q.q) }), Color: q.color})
		lat.Legend = append(lat.Legend, legend{Color: q.color, Name: q.name})
	}
	return append(charts, lat)
}

func zero(*point) float64 { return 0 }

func perSecond(p *point, n int64) float64 {
	if p.end <= p.start {
		return 0
	}
	return float64(n) / float64(p.end-p.start)
}

func (r *Report) tables(t *tables, fromRequests bool) []table {
	order := []int{tabSections, tabPaths, tab404, tabClients, tabNetworks, tabAgents, tabReferers, tabUsers, tabMethods}
	if !fromRequests {
		order = []int{tabSections, tabClients, tabNetworks, tabMethods}
	}
	var out []table
	var entries []topk.Entry
	for _, i := range order {
		l := t.lists[i]
		tab := table{Title: tableInfo[i].title, Key: tableInfo[i].key}
		if i == tabNetworks {
			tab.AS = r.cfg.AS != nil || len(t.asOf) > 0
		}
		total := l.Total()
		entries = l.Top(entries[:0], r.cfg.Rows)
		for n, e := range entries {
			rw := row{Rank: n + 1, Key: e.Key, Hits: formatInt(e.Count), Share: trimFloat(100*float64(e.Count)/float64(max(total, 1)), 1) + " %"}
			if e.Err > 0 {
				rw.Err = "at most " + formatInt(e.Err) + " fewer"
			}
			if tab.AS {
				rw.AS = r.asName(t, e.Key)
			}
			tab.Rows = append(tab.Rows, rw)
		}
		switch {
		case len(tab.Rows) == 0 && i == tabUsers:
			continue // most sites have no authenticated users
		case len(tab.Rows) == 0:
			tab.Note = "none"
		case l.Floor() > 0:
			tab.Note = "Counted in bounded memory: a row may overstate its hits by the figure shown; every key with more than " + formatInt(l.Floor()) + " hits is listed if it ranks."
		}
		out = append(out, tab)
	}
	return out
}

func (r *Report) asName(t *tables, network string) string {
	var as asInfo
	if r.cfg.AS != nil {
		n, org, ok := r.cfg.AS(network)
		if !ok {
			return ""
		}
		as = asInfo{n, org}
	} else {
		as = t.asOf[network]
	}
	switch {
	case as.num == 0 && as.org == "":
		return ""
	case as.org == "":
		return "AS" + strconv.FormatUint(uint64(as.num), 10)
	}
	return "AS" + strconv.FormatUint(uint64(as.num), 10) + " " + as.org
}

func formatTime(sec int64, loc *time.Location) string {
	return time.Unix(sec, 0).In(loc).Format("2006-01-02 15:04:05 MST")
}

func zoneName(loc *time.Location) string {
	if loc == time.UTC {
		return "UTC"
	}
	return loc.String()
}

func formatDuration(sec int64) string {
	if sec < 0 {
		sec = 0
	}
	return (time.Duration(sec) * time.Second).String()
}

func formatValue(v float64, unit string) string {
	switch unit {
	case "s":
		return formatSeconds(v)
	case "ratio":
		return trimFloat(100*v, 2) + " %"
	case "σ":
		return trimFloat(v, 2) + " σ"
	}
	return trimFloat(v, 3) + " " + unit
}
