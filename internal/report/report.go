// Package report writes logmon report's one self-contained HTML file: the
// period and its totals, charts of requests (with alert spans and the
// threshold), status classes and latency over time, the top tables and
// the alerts.
//
// A Report is fed as a stage is: requests (Request, from the driver, for
// the tables), the summaries and alerts the in-process engines write
// (Summary, Alert), and the records that come from upstream (Raw). It
// keeps a bounded amount whatever the input's length (a series of at
// most MaxPoints points, top lists of bounded capacity, at most MaxAlerts
// alerts) and writes the page once, at the end (Write).
//
// The page is safe with hostile logs: every string is put in by
// html/template (escaped for where it lands; log text only ever lands in
// text nodes), charts are SVG drawn here from numbers, and the page has
// no script at all, with a Content-Security-Policy that forbids any
// script and every load from anywhere (default-src 'none'), so even a
// mistake in escaping could not run code or fetch anything.
package report

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/logmon/logmon/internal/record"
	"github.com/logmon/logmon/internal/topk"
)

// Config is what a report shows and how.
type Config struct {
	Location  *time.Location // the time axis' zone; nil is UTC
	Rows      int            // rows of each table; 0 is DefaultRows
	MaxPoints int            // points of a chart; 0 is DefaultMaxPoints
	// AS, when set, names the autonomous system of a network (--asn-db).
	AS func(network string) (number uint32, org string, ok bool)
	// Threshold is the high-traffic threshold drawn on the requests
	// chart (requests/s), ThresholdRule the rule's name; none when
	// ThresholdRule is "". Without one, the threshold of the first
	// firing high_traffic alert on input is drawn.
	Threshold     float64
	ThresholdRule string
	// Rules describes the rules applied in-process, for the page.
	Rules []string
	// Source names the input, for the page's title ("access.log").
	Source string
}

// SummaryTop is how many entries of an interval's list of sections,
// clients, networks or methods its table counts when the list is not
// exact (it held more keys than its capacity, aggregate.TopCapacity):
// the list's top SummaryTop. An exact list is counted whole (see Lists).
const SummaryTop = 64

// DefaultRows is how many rows a table shows.
const DefaultRows = 20

// MaxRows bounds Rows.
const MaxRows = 1000

// MaxAlerts bounds the alerts kept: a rule flapping all month could fire
// a million times; the page lists the first MaxAlerts and says how many
// more there were.
const MaxAlerts = 5000

// Report gathers what the page shows.
type Report struct {
	cfg Config

	own, up       *series // summaries made in-process, and from upstream
	ownTables     *tables // from requests and the summaries made of them
	upTables      *tables // from upstream summaries
	requests      int64   // requests counted in ownTables
	upSummaries   int64
	ownSummaries  int64
	otherRecords  int64
	badRecords    int64
	alerts        []*span
	byID          map[string]*span
	alertsDropped int64
	dec           record.Decoder
	sum           record.Summary
	alert         record.Alert
}

// span is one alert, from firing to resolved.
type span struct {
	id, rule     string
	fired        bool // a firing record was seen (else it fired before the input began)
	start, end   int64
	resolved     bool
	value, limit float64 // what the firing record compared
	unit         string
	message      string
}

// New returns an empty report.
func New(cfg Config) (*Report, error) {
	cfg.Rows = cmp.Or(cfg.Rows, DefaultRows)
	if cfg.Rows < 1 || cfg.Rows > MaxRows {
		return nil, fmt.Errorf("rows must be between 1 and %d: %d", MaxRows, cfg.Rows)
	}
	cfg.MaxPoints = cmp.Or(cfg.MaxPoints, DefaultMaxPoints)
	if cfg.MaxPoints < 2 {
		return nil, fmt.Errorf("a chart needs at least 2 points: %d", cfg.MaxPoints)
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	own := newTables(cfg.Rows)
	return &Report{
		cfg:       cfg,
		own:       newSeries(cfg.MaxPoints),
		up:        newSeries(cfg.MaxPoints),
		ownTables: own,
		upTables:  newTables(cfg.Rows),
		byID:      make(map[string]*span),
	}, nil
}

// Prepare hashes the keys of a request that the tables count by. It is
// for input.Config.Prepare, which calls it on the goroutine that parses,
// while the request's bytes are in that core's cache; Count then finds
// the hashes made. Keys hashed on the goroutine that counts (and that
// read them from the other core's cache) made the report's CPU time 1.19x
// that of stats over 2.16 M generated lines, 1.16x when hashed here, and
// its wall time 1.24x and 1.17x (medians of 10 pairs). It reads nothing of
// the report, and may run beside its other methods.
func (r *Report) Prepare(req *record.Request) { hashKeys(req) }

// Count counts a request in the tables. The caller hands the same
// request to the engines whose summaries and alerts come to Summary and
// Alert.
func (r *Report) Count(req *record.Request) {
	r.requests++
	r.ownTables.request(req)
}

// Summary takes a summary made in-process, for the charts; its lists
// come to the tables through Lists.
func (r *Report) Summary(s *record.Summary) error {
	r.ownSummaries++
	r.own.add(s)
	return nil
}

// Lists is for aggregate.Config.Lists: it counts an interval's lists of
// sections, methods, clients and networks in the tables, each whole while
// it is exact (every key of the interval, with its exact count), else its
// top SummaryTop entries. A table is then exact for as long as every
// interval's list was and the table itself has held no more keys than
// its capacity (as the tables counted from requests are).
//
// Rather than the summaries' lists, which are sorted and made into
// strings: with every summary listing 64, the report took 1.06x the CPU
// time of one whose summaries listed 5 (12 pairs, 2.16 M generated lines).
func (r *Report) Lists(sections, methods, clients, networks *topk.Summary) {
	r.ownTables.list(tabSections, sections)
	r.ownTables.list(tabMethods, methods)
	r.ownTables.list(tabClients, clients)
	r.ownTables.list(tabNetworks, networks)
}

// Alert takes an alert record, made in-process or from upstream: an alert
// seen twice (the same rule and state at the same second) counts once.
func (r *Report) Alert(a *record.Alert) error {
	s := r.byID[a.ID]
	if s == nil {
		if len(r.alerts) >= MaxAlerts {
			r.alertsDropped++
			return nil
		}
		s = &span{id: a.ID, rule: a.Rule}
		r.byID[a.ID] = s
		r.alerts = append(r.alerts, s)
	}
	t := a.Time.Unix()
	switch a.State {
	case record.Firing:
		if s.fired {
			return nil
		}
		s.fired, s.start, s.message = true, t, a.Message
		s.value, s.limit, s.unit = alertValue(a)
	case record.Resolved:
		if s.resolved {
			return nil
		}
		s.resolved, s.end = true, t
		if !s.fired {
			s.value, s.limit, s.unit = alertValue(a)
			s.message = a.Message
		}
	}
	return nil
}

// alertValue is what an alert's rule compared with its threshold.
func alertValue(a *record.Alert) (value, limit float64, unit string) {
	switch {
	case a.Latency != nil:
		return *a.Latency, a.Threshold, "s"
	case a.Ratio != nil:
		return *a.Ratio, a.Threshold, "ratio"
	case a.Deviation != nil:
		return *a.Deviation, a.Threshold, "σ"
	}
	return a.Rate, a.Threshold, "req/s"
}

// Request, Raw and Flush make a Report the driver's sink (driver.Sink).

// Raw takes a record from upstream: summaries and alerts are shown,
// others counted.
func (r *Report) Raw(typ record.Type, line []byte) error {
	switch typ {
	case record.TypeSummary:
		if err := r.dec.Summary(line, &r.sum); err != nil {
			r.badRecords++
			return fmt.Errorf("%w: %v", record.ErrBadRecord, err)
		}
		r.upSummaries++
		r.up.add(&r.sum)
		r.upTables.summary(&r.sum)
	case record.TypeAlert:
		if err := r.dec.Alert(line, &r.alert); err != nil {
			r.badRecords++
			return fmt.Errorf("%w: %v", record.ErrBadRecord, err)
		}
		return r.Alert(&r.alert)
	default:
		r.otherRecords++
	}
	return nil
}

// Request would write a request on: a report passes none on.
func (r *Report) Request(*record.Request) error { return nil }

// Flush has nothing to do: the page is written once, by Write.
func (r *Report) Flush() error { return nil }

// sortedAlerts are the alerts by the time they fired.
func (r *Report) sortedAlerts(from int64) []*span {
	as := slices.Clone(r.alerts)
	for _, s := range as {
		if !s.fired {
			s.start = min(from, s.end)
		}
	}
	slices.SortStableFunc(as, func(a, b *span) int { return cmp.Compare(a.start, b.start) })
	return as
}
