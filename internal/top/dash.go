// Package top is logmon top's dashboard: what it keeps of the stream
// (Dash, fed by the driver's goroutine) and the screen it draws from a
// snapshot of that (Render, a pure function of the snapshot and the
// terminal's size, which the golden screens test). The terminal program
// around them, keys and redraws, is in tui.go.
package top

import (
	"cmp"
	"slices"
	"sync"
	"time"

	"github.com/logmon/logmon/internal/record"
	"github.com/logmon/logmon/internal/termsafe"
)

// Bounds of what Dash keeps: the chart's seconds and the transitions
// listed. A day of 1 s points would be 86,400 points copied at every
// redraw; an hour is more than the widest chart shows (Span).
const (
	keepSeconds    = 3600
	keepTransition = 50
	keepFiring     = 100
)

// Point is the traffic of one interval of event time [Start, End): a
// summary's counts, of top's own 1 s summaries or of the input's.
type Point struct {
	Start, End int64 // Unix seconds
	Requests   int64
	Bytes      int64
	Status     record.StatusClasses
}

// Entry is one line of a top list, its text made safe for a terminal.
type Entry struct {
	Name  string
	Hits  int64
	Extra string // a network's AS, when known
}

// Lists are the top lists and latency of the latest whole summary.
type Lists struct {
	Start, End time.Time
	Requests   int64
	Sections   []Entry
	Clients    []Entry
	Networks   []Entry
	Methods    []Entry
	Timed      int64
	P50, P99   float64
	Max        float64
}

// Alert is an alert record, its text made safe for a terminal.
type Alert struct {
	ID, Rule, State string
	Time            time.Time
	Value           string // what the rule saw against its threshold, as shown
}

// Snapshot is everything the screen shows, copied out of Dash.
type Snapshot struct {
	Now      int64 // event time: the end of the newest second judged, Unix seconds; 0 before any
	First    int64 // the start of the first point
	Points   []Point
	Requests int64 // totals since the start
	Bytes    int64
	C5xx     int64
	Lists    Lists // zero before the first summary
	Firing   []Alert
	Recent   []Alert // the latest first
	Ended    bool
	Warning  string // the latest diagnostic
	Warnings int64
}

// Dash is what top keeps of the stream. Its methods are safe for
// concurrent use: the driver feeds it, the terminal program reads it.
type Dash struct {
	mu     sync.Mutex
	s      Snapshot
	own    bool // top's own summaries have begun: the input's are not shown
	firing map[string]Alert
}

// New returns an empty dashboard.
func New() *Dash {
	return &Dash{firing: map[string]Alert{}}
}

// Second takes one of top's own summaries of one second (from the
// requests it counts itself): a point of the chart, and the totals.
func (d *Dash) Second(s *record.Summary) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.own {
		// The input's own summaries, if any came before, are not
		// mixed with ours: they may count the same requests.
		d.own = true
		d.s.Points, d.s.Requests, d.s.Bytes, d.s.C5xx, d.s.First = d.s.Points[:0], 0, 0, 0, 0
		d.s.Lists = Lists{}
	}
	d.point(s)
	return nil
}

// Interval takes one of top's own summaries of the stats interval: the
// top lists and latency.
func (d *Dash) Interval(s *record.Summary) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.lists(s)
	return nil
}

// Summary takes a summary record of the input (from an earlier stats):
// shown unless top counts requests itself.
func (d *Dash) Summary(s *record.Summary) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.own {
		return
	}
	d.point(s)
	d.lists(s)
}

func (d *Dash) point(s *record.Summary) {
	p := Point{Start: s.Start.Unix(), End: s.End.Unix(), Requests: s.Requests, Bytes: s.Bytes, Status: s.Status}
	if s.Partial {
		// The input ended inside it: only the seconds covered count.
		if covered := int64(float64(s.Requests)/max(s.Rate, 1e-9) + 0.5); s.Requests > 0 && covered < p.End-p.Start {
			p.End = p.Start + max(covered, 1)
		}
	}
	if len(d.s.Points) == 0 {
		d.s.First = p.Start
	}
	d.s.Points = append(d.s.Points, p)
	if n := len(d.s.Points); n > 1 && d.s.Points[n-2].End > p.End {
		// Summaries from several sources out of order: keep them sorted.
		slices.SortStableFunc(d.s.Points, func(a, b Point) int { return cmp.Compare(a.End, b.End) })
	}
	d.s.Now = max(d.s.Now, p.End)
	d.s.Requests += s.Requests
	d.s.Bytes += s.Bytes
	d.s.C5xx += s.Status.C5xx
	// Drop what the widest chart no longer shows.
	cut := 0
	for cut < len(d.s.Points) && d.s.Points[cut].End <= d.s.Now-keepSeconds {
		cut++
	}
	if cut > len(d.s.Points)/2 && cut > 0 {
		d.s.Points = append(d.s.Points[:0], d.s.Points[cut:]...)
	}
}

func (d *Dash) lists(s *record.Summary) {
	if s.End.Before(d.s.Lists.End) || s.Partial && !d.s.Lists.End.IsZero() {
		return // an older one, or the input ended inside it: the last whole one stays
	}
	l := Lists{Start: s.Start, End: s.End, Requests: s.Requests, Timed: s.Timed, P50: s.P50, P99: s.P99, Max: s.Max}
	for _, e := range s.Sections {
		l.Sections = append(l.Sections, Entry{Name: safe(e.Section), Hits: e.Hits})
	}
	for _, e := range s.Clients {
		l.Clients = append(l.Clients, Entry{Name: safe(e.Client), Hits: e.Hits})
	}
	for _, e := range s.Networks {
		en := Entry{Name: safe(e.Network), Hits: e.Hits}
		switch {
		case e.ASN != 0 && e.ASOrg != "":
			en.Extra = "AS" + itoa(int64(e.ASN)) + " " + safe(e.ASOrg)
		case e.ASN != 0:
			en.Extra = "AS" + itoa(int64(e.ASN))
		}
		l.Networks = append(l.Networks, en)
	}
	for _, e := range s.Methods {
		l.Methods = append(l.Methods, Entry{Name: safe(e.Method), Hits: e.Hits})
	}
	d.s.Lists = l
}

// Alert takes an alert record, top's own or the input's: a rule firing
// is pinned until its resolved record comes.
func (d *Dash) Alert(a *record.Alert) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	al := Alert{ID: safe(a.ID), Rule: safe(a.Rule), State: safe(a.State), Time: a.Time, Value: alertValue(a)}
	for _, r := range d.s.Recent {
		if r.ID == al.ID && r.State == al.State {
			return nil // the same transition again (top's and the input's)
		}
	}
	switch a.State {
	case record.Firing:
		if len(d.firing) < keepFiring {
			d.firing[al.ID] = al
		}
	case record.Resolved:
		delete(d.firing, al.ID)
	}
	d.s.Recent = append([]Alert{al}, d.s.Recent...)
	if len(d.s.Recent) > keepTransition {
		d.s.Recent = d.s.Recent[:keepTransition]
	}
	d.s.Now = max(d.s.Now, a.Time.Unix())
	return nil
}

// End says the input ended.
func (d *Dash) End() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.s.Ended = true
}

// Warn takes a diagnostic (one line, made safe here).
func (d *Dash) Warn(line string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.s.Warning = termsafe.Message(line)
	d.s.Warnings++
}

// Snapshot copies out what the screen shows.
func (d *Dash) Snapshot() Snapshot {
	d.mu.Lock()
	defer d.mu.Unlock()
	s := d.s
	s.Points = slices.Clone(d.s.Points)
	s.Recent = slices.Clone(d.s.Recent)
	s.Firing = make([]Alert, 0, len(d.firing))
	for _, a := range d.firing {
		s.Firing = append(s.Firing, a)
	}
	// The longest firing first, then by name: a stable screen.
	slices.SortFunc(s.Firing, func(a, b Alert) int {
		if c := a.Time.Compare(b.Time); c != 0 {
			return c
		}
		return cmp.Compare(a.Rule, b.Rule)
	})
	return s
}

// safe is s made safe to print on a terminal (as render does).
func safe(s string) string {
	return string(termsafe.Append(nil, []byte(s)))
}
