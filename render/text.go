package render

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/logmon/logmon/internal/record"
	"github.com/logmon/logmon/internal/termsafe"
)

// NewText returns a Sink writing for a person, in ANSI colour when color
// is true. Raw takes a record whose type the caller read
// (record.Decoder.Record) and decodes it once, with record.Decoder, to
// show it like the typed records; a record of another type is shown as
// its JSON, sanitized. Raw returns an error wrapping record.ErrBadRecord for a
// record it cannot decode (a summary whose fields have the wrong types).
//
// Every string taken from a record goes through termsafe.Append, so the only
// escape sequences in the output are the colour codes, and only when
// color is true. The layout:
//
//	2015-05-17T10:05:03Z  83.149.9.216     GET /presentations/x.png  200  203023
//
//	10:05:00–10:05:10 UTC 2015-05-17  host web-1  42 req  4.2 req/s  1.2 MB  5xx 2.4%  partial  late 3
//	  sections  /presentations 30  /images 5  /blog 3
//	  status    2xx 38  3xx 1  4xx 2  5xx 1
//	  methods   GET 40  POST 2
//	  clients   83.149.9.216 12  10.0.0.7 9  (17 distinct)
//
//	ALERT  High traffic generated an alert - hits = 1201, triggered at 2015-05-17T10:07:00Z
//	RESOLVED  High traffic recovered at 2015-05-17T10:09:00Z
//
// A request line shows the virtual host (when the log has one) after the
// time, the user after the client, and the raw request line when the
// log line had no method; "-" stands for what is absent. A summary names
// its host when it has one (a fleet's), and is followed by an empty
// line, so that blocks stand apart. With a width (NewTextWith), every
// line is laid out to fit it (see flow).
func NewText(w io.Writer, color bool) Sink {
	return NewTextIn(w, color, time.UTC)
}

// NewTextIn is NewText showing times in loc rather than UTC: a request's
// time with its offset (2015-05-17T12:05:03+02:00), a summary's interval
// with the zone's name (12:05:00–12:05:10 CEST 2015-05-17). An alert's
// message is the record's own text, in UTC.
func NewTextIn(w io.Writer, color bool, loc *time.Location) Sink {
	return NewTextWith(w, TextOptions{Color: color, Location: loc})
}

// TextOptions are how a text sink writes.
type TextOptions struct {
	Color    bool           // ANSI colour
	Location *time.Location // the zone of times shown; nil is UTC
	// Width, when set, is the width of the terminal, asked for each
	// record (so that a resize is followed): every line is laid out to
	// fit it (see flow), a width below MinWidth taken as MinWidth. 0, or
	// no Width: no limit, each line at its length.
	Width func() int
}

// NewTextWith returns a text sink (see NewText) writing as opts say.
func NewTextWith(w io.Writer, opts TextOptions) Sink {
	t := &textSink{w: bufio.NewWriterSize(w, bufSize), width: opts.Width}
	if loc := opts.Location; loc != nil && loc != time.UTC {
		t.loc = loc
	}
	if opts.Color {
		t.pal = ansi
	}
	return t
}

// palette holds the escape sequences of the text sink: all empty without
// colour, so the code that writes a record is the same either way.
type palette struct {
	bold, noBold, dim, noDim string
	red, green, yellow, cyan string
	noColor                  string
}

var ansi = palette{
	bold: "\x1b[1m", noBold: "\x1b[22m",
	dim: "\x1b[2m", noDim: "\x1b[22m",
	red: "\x1b[31m", green: "\x1b[32m", yellow: "\x1b[33m", cyan: "\x1b[36m",
	noColor: "\x1b[39m",
}

type textSink struct {
	w     *bufio.Writer
	pal   palette
	buf   []byte         // formatting buffer, reused for every record
	unit  []byte         // a unit of a line being laid out (see flow)
	loc   *time.Location // nil: UTC
	width func() int     // nil: no limit
	cols  int            // the width of the record being written; 0: no limit

	// For Raw: the decoder and the records it decodes into, reused.
	dec record.Decoder
	req record.Request
	sum record.Summary
	al  record.Alert
}

func (t *textSink) write() error {
	_, err := t.w.Write(t.buf)
	return err
}

func (t *textSink) Request(r *record.Request) error {
	t.measure()
	t.buf = t.appendRequest(t.buf[:0], r)
	return t.write()
}

func (t *textSink) Summary(s *record.Summary) error {
	t.measure()
	t.buf = t.appendSummary(t.buf[:0], s)
	return t.write()
}

func (t *textSink) Alert(a *record.Alert) error {
	t.measure()
	t.buf = t.appendAlert(t.buf[:0], a)
	return t.write()
}

// measure takes the width the next record is laid out for.
func (t *textSink) measure() {
	t.cols = 0
	if t.width != nil {
		if w := t.width(); w > 0 {
			t.cols = max(w, MinWidth)
		}
	}
}

// flow starts laying out a line at column col, its continuation lines
// indented by indent.
func (t *textSink) flow(col, indent int) flow {
	return flow{width: t.cols, col: col, indent: indent}
}

func (t *textSink) Raw(typ record.Type, line []byte) error {
	switch typ {
	case record.TypeRequest:
		if _, err := t.dec.Record(line, &t.req); err != nil {
			return badRecord("", err)
		}
		return t.Request(&t.req)
	case record.TypeSummary:
		if err := t.dec.Summary(line, &t.sum); err != nil {
			return badRecord("summary: ", err)
		}
		return t.Summary(&t.sum)
	case record.TypeAlert:
		if err := t.dec.Alert(line, &t.al); err != nil {
			return badRecord("alert: ", err)
		}
		return t.Alert(&t.al)
	}
	t.buf = append(termsafe.AppendJSON(t.buf[:0], line), '\n')
	return t.write()
}

func (t *textSink) Flush() error { return t.w.Flush() }

// badRecord wraps record.ErrBadRecord with why a record cannot be shown, made as
// safe to print as the text output: the stage prints it on stderr, and the
// decoder's messages quote the record's text.
func badRecord(what string, err error) error {
	return fmt.Errorf("%w: %s%s", record.ErrBadRecord, what, termsafe.Message(err.Error()))
}

// remoteWidth pads the client column to the width of an IPv4 address, so
// that the requests of a replay line up.
const remoteWidth = len("255.255.255.255")

func (t *textSink) appendRequest(b []byte, r *record.Request) []byte {
	p := &t.pal
	start := len(b)
	b = append(b, p.dim...)
	if t.loc != nil {
		b = time.Unix(r.Sec, int64(r.Nsec)).In(t.loc).AppendFormat(b, time.RFC3339Nano)
	} else {
		b = record.AppendTime(b, r.Sec, r.Nsec)
	}
	b = append(b, p.noDim...)
	b = append(b, ' ', ' ')
	if r.VHost != nil {
		b = appendField(b, r.VHost)
		b = append(b, ' ', ' ')
	}
	col := len(b)
	b = appendField(b, r.Remote)
	if len(r.User) > 0 {
		b = append(b, ' ')
		b = termsafe.Append(b, r.User)
	}
	for n := utf8.RuneCount(b[col:]); n < remoteWidth; n++ {
		b = append(b, ' ')
	}
	b = append(b, ' ', ' ')
	var ps int // where the path (or the raw request) starts
	switch {
	case len(r.Method) > 0:
		b = termsafe.Append(b, r.Method)
		b = append(b, ' ')
		ps = len(b)
		b = appendField(b, r.Path)
	case len(r.Request) > 0:
		ps = len(b)
		b = termsafe.Append(b, r.Request)
	default:
		ps = len(b)
		b = appendField(b, r.Path)
	}
	pe := len(b)
	b = append(b, ' ', ' ')
	if r.Status == 0 {
		b = append(b, '-')
	} else {
		b = append(b, p.statusColor(r.Status)...)
		b = strconv.AppendInt(b, int64(r.Status), 10)
		b = append(b, p.noColor...)
	}
	b = append(b, ' ', ' ')
	b = strconv.AppendInt(b, r.Bytes, 10)
	if t.cols > 0 {
		b = t.fitRequest(b, start, ps, pe)
	}
	return append(b, '\n')
}

// fitRequest cuts the path of the request line b[start:] (at b[ps:pe])
// with "…" so that the line fits the width: the status and the size stay
// in sight.
func (t *textSink) fitRequest(b []byte, start, ps, pe int) []byte {
	over := cells(b[start:]) - t.cols
	if over <= 0 {
		return b
	}
	u := append(t.unit[:0], b[pe:]...)
	room := cells(b[ps:pe]) - over - 1
	b = appendCut(b[:ps], slices.Clone(b[ps:pe]), room)
	b = append(append(b, "…"...), u...)
	t.unit = u
	if room < 0 {
		// Even without its path the line is too wide (a narrow
		// terminal, a long virtual host): it is cut where it reaches
		// the width.
		u = append(t.unit[:0], b[start:]...)
		b = append(appendCut(b[:start], u, t.cols-1), "…"...)
		t.unit = u
	}
	return b
}

func (p *palette) statusColor(status int) string {
	switch status / 100 {
	case 2:
		return p.green
	case 3:
		return p.cyan
	case 4:
		return p.yellow
	case 5:
		return p.red
	}
	return ""
}

func (t *textSink) appendSummary(b []byte, s *record.Summary) []byte {
	p := &t.pal
	loc := time.UTC
	if t.loc != nil {
		loc = t.loc
	}
	// The heading: its figures are units, wrapped under the first.
	f := t.flow(0, 2)
	u := append(t.unit[:0], p.bold...)
	u = appendInterval(u, s.Start.In(loc), s.End.In(loc))
	b = f.add(b, "", u, 0)
	if s.Host != "" {
		u = append(u[:0], "host "...)
		u = termsafe.Append(u, []byte(s.Host))
		b = f.add(b, "  ", u, 0)
	}
	u = append(strconv.AppendInt(u[:0], s.Requests, 10), " req"...)
	b = f.add(b, "  ", u, 0)
	u = append(appendNumber(u[:0], s.Rate), " req/s"...)
	b = f.add(b, "  ", u, 0)
	b = f.add(b, "  ", appendSize(u[:0], s.Bytes), 0)
	u = u[:0]
	if s.ErrorShare > 0 {
		u = append(u, p.red...)
	}
	u = append(u, "5xx "...)
	u = appendNumber(u, s.ErrorShare*100)
	u = append(u, '%')
	if s.ErrorShare > 0 {
		u = append(u, p.noColor...)
	}
	b = f.add(b, "  ", append(u, p.noBold...), 0)
	if s.Partial {
		u = append(append(append(u[:0], p.yellow...), "partial"...), p.noColor...)
		b = f.add(b, "  ", u, 0)
	}
	if s.Late > 0 {
		u = append(append(u[:0], p.yellow...), "late "...)
		u = append(strconv.AppendInt(u, s.Late, 10), p.noColor...)
		b = f.add(b, "  ", u, 0)
	}
	t.unit = u
	b = append(b, '\n')
	if s.Requests == 0 {
		// A silence: the heading says it all, one line per interval.
		return b
	}

	b, f = t.appendLabel(b, "sections")
	for _, h := range s.Sections {
		b = t.appendHits(b, &f, h.Section, h.Hits, h.Error)
	}
	if len(s.Sections) == 0 {
		b = append(b, '-')
	}
	b = append(b, '\n')

	b, f = t.appendLabel(b, "status")
	b = t.appendClass(b, &f, "", "2xx", s.Status.C2xx)
	b = t.appendClass(b, &f, "", "3xx", s.Status.C3xx)
	b = t.appendClass(b, &f, "", "4xx", s.Status.C4xx)
	if s.Status.C5xx > 0 {
		b = t.appendClass(b, &f, p.red, "5xx", s.Status.C5xx)
	} else {
		b = t.appendClass(b, &f, "", "5xx", 0)
	}
	if s.Status.C1xx > 0 {
		b = t.appendClass(b, &f, "", "1xx", s.Status.C1xx)
	}
	if s.Status.Other > 0 {
		b = t.appendClass(b, &f, "", "other", s.Status.Other)
	}
	if s.Status.None > 0 {
		b = t.appendClass(b, &f, "", "none", s.Status.None)
	}
	b = append(b, '\n')

	if s.Timed > 0 {
		b, f = t.appendLabel(b, "latency")
		b = f.add(b, "  ", appendLatency(t.unit[:0], "p50 ", s.P50), 0)
		b = f.add(b, "  ", appendLatency(t.unit[:0], "p90 ", s.P90), 0)
		b = f.add(b, "  ", appendLatency(t.unit[:0], "p99 ", s.P99), 0)
		b = f.add(b, "  ", appendLatency(t.unit[:0], "max ", s.Max), 0)
		u = append(strconv.AppendInt(append(t.unit[:0], '('), s.Timed, 10), " timed)"...)
		b = f.add(b, "  ", u, 0)
		t.unit = u
		b = append(b, '\n')
	}

	b, f = t.appendLabel(b, "methods")
	for _, h := range s.Methods {
		b = t.appendHits(b, &f, h.Method, h.Hits, h.Error)
	}
	if len(s.Methods) == 0 {
		b = append(b, '-')
	}
	b = append(b, '\n')

	b, f = t.appendLabel(b, "clients")
	for _, h := range s.Clients {
		b = t.appendHits(b, &f, h.Client, h.Hits, h.Error)
	}
	if len(s.Clients) == 0 {
		b = f.add(b, "", []byte{'-'}, 0)
	}
	u = append(strconv.AppendInt(append(t.unit[:0], '('), s.DistinctClients, 10), " distinct)"...)
	b = f.add(b, "  ", u, 0)
	t.unit = u
	b = append(b, '\n')

	if len(s.Networks) > 0 {
		b, f = t.appendLabel(b, "networks")
		for _, h := range s.Networks {
			name := h.Network
			if h.ASN != 0 {
				name += " (AS" + strconv.FormatUint(uint64(h.ASN), 10)
				if h.ASOrg != "" {
					name += " " + h.ASOrg
				}
				name += ")"
			}
			b = t.appendHits(b, &f, name, h.Hits, h.Error)
		}
		b = append(b, '\n')
	}
	return append(b, '\n')
}

// labelWidth is the columns of a summary line's label, indent included:
// the values start there, and so do their continuation lines.
const labelWidth = 2 + len("sections") + 2

// appendLabel appends the indented label of a summary line, padded so
// that the values line up, and returns the flow of the values.
func (t *textSink) appendLabel(b []byte, label string) ([]byte, flow) {
	b = append(b, ' ', ' ')
	b = append(b, t.pal.dim...)
	b = append(b, label...)
	b = append(b, t.pal.noDim...)
	for n := 2 + len(label); n < labelWidth; n++ {
		b = append(b, ' ')
	}
	return b, t.flow(labelWidth, labelWidth)
}

// appendHits appends an entry "name count" of a top list; hits that may
// be overstated (a busy interval's bounded count, see package topk) are
// shown as at most: "≤1234". A name too long for a line is cut, never
// its count.
func (t *textSink) appendHits(b []byte, f *flow, name string, hits, err int64) []byte {
	u := appendField(t.unit[:0], []byte(name))
	n := len(u)
	u = append(u, ' ')
	if err > 0 {
		u = append(u, "≤"...)
	}
	u = strconv.AppendInt(u, hits, 10)
	t.unit = u
	return f.add(b, "  ", u, len(u)-n)
}

// appendClass appends a status class and its count, in color.
func (t *textSink) appendClass(b []byte, f *flow, color, class string, n int64) []byte {
	u := append(t.unit[:0], color...)
	u = append(u, class...)
	u = append(u, ' ')
	u = strconv.AppendInt(u, n, 10)
	if color != "" {
		u = append(u, t.pal.noColor...)
	}
	t.unit = u
	return f.add(b, "  ", u, 0)
}

// appendInterval appends [start, end) as "10:05:00–10:05:10 UTC 2015-05-17",
// or with both dates when they differ.
func appendInterval(b []byte, start, end time.Time) []byte {
	const clock = "15:04:05.999999999"
	const date = "2006-01-02"
	y1, m1, d1 := start.Date()
	if y2, m2, d2 := end.Date(); y1 == y2 && m1 == m2 && d1 == d2 {
		b = start.AppendFormat(b, clock)
		b = append(b, "–"...)
		b = end.AppendFormat(b, clock)
		b = append(b, ' ')
		b = appendZone(b, start, end)
		b = append(b, ' ')
		return start.AppendFormat(b, date)
	}
	b = start.AppendFormat(b, date+" "+clock)
	b = append(b, "–"...)
	b = end.AppendFormat(b, date+" "+clock)
	b = append(b, ' ')
	return appendZone(b, start, end)
}

// appendZone appends the zone of an interval: its name (UTC, CEST),
// both when the interval crosses a change of the clocks (CEST/CET).
func appendZone(b []byte, start, end time.Time) []byte {
	b = start.AppendFormat(b, "MST")
	if start.Format("MST") != end.Format("MST") {
		b = append(b, '/')
		b = end.AppendFormat(b, "MST")
	}
	return b
}

func (t *textSink) appendAlert(b []byte, a *record.Alert) []byte {
	p := &t.pal
	color, label := p.red, "ALERT"
	switch a.State {
	case record.Resolved:
		color, label = p.green, "RESOLVED"
	case record.Firing:
	default:
		color = p.yellow
	}
	b = append(b, color...)
	b = append(b, p.bold...)
	b = append(b, label...)
	b = append(b, p.noBold...)
	b = append(b, ' ', ' ')
	// The text is laid out word by word, continuation lines under its
	// first word.
	u := t.unit[:0]
	if a.Message != "" {
		u = termsafe.Append(u, []byte(a.Message))
	} else {
		// A record without a message: say what its fields say.
		u = appendField(u, []byte(a.Rule))
		u = append(u, ' ')
		u = appendField(u, []byte(a.State))
		u = append(u, " - hits = "...)
		u = strconv.AppendInt(u, a.Hits, 10)
		u = append(u, " at "...)
		u = record.AppendTime(u, a.Time.Unix(), int32(a.Time.Nanosecond()))
	}
	u = appendJudged(u, a)
	t.unit = u
	if t.cols == 0 {
		b = append(b, u...)
	} else {
		f := t.flow(len(label)+2, len(label)+2)
		// Words are what spaces part (the text is sanitized: a space is
		// the one blank left); two spaces in a row stay two.
		sep := ""
		for w := range bytes.SplitSeq(u, []byte{' '}) {
			if len(w) == 0 {
				sep += " "
				continue
			}
			b = f.add(b, sep, w, 0)
			sep = " "
		}
	}
	b = append(b, p.noColor...)
	return append(b, '\n')
}

// appendJudged appends what the rule judged, so that the line names the
// rule, its value and the threshold whatever the message says:
// "  [high_traffic: 10.133 req/s > 10 req/s over 2m]". The comparison is
// the value's against the threshold the record carries (the recovery
// threshold in a resolved one).
func appendJudged(b []byte, a *record.Alert) []byte {
	if a.Rule == "" || a.Window <= 0 {
		return b
	}
	var v float64
	unit := " req/s"
	switch {
	case a.Latency != nil:
		v, unit = *a.Latency, " s"
	case a.Quantile != nil:
		return b // a latency rule with nothing timed: no value
	case a.Ratio != nil:
		v, unit = *a.Ratio, ""
	case a.Deviation != nil:
		v, unit = *a.Deviation, " sd"
	default:
		v = a.Rate
	}
	b = append(b, "  ["...)
	b = termsafe.Append(b, []byte(a.Rule))
	b = append(b, ": "...)
	if a.Quantile != nil {
		b = append(b, 'p')
		b = strconv.AppendFloat(b, *a.Quantile*100, 'f', -1, 64)
		b = append(b, ' ')
	}
	b = strconv.AppendFloat(b, v, 'f', -1, 64)
	b = append(b, unit...)
	switch {
	case v > a.Threshold:
		b = append(b, " > "...)
	case v < a.Threshold:
		b = append(b, " < "...)
	default:
		b = append(b, " = "...)
	}
	b = strconv.AppendFloat(b, a.Threshold, 'f', -1, 64)
	b = append(b, unit...)
	b = append(b, " over "...)
	b = append(b, shortDuration(time.Duration(a.Window)*time.Second)...)
	return append(b, ']')
}

// shortDuration is d as a flag would take it, without zero units: 2m, not
// 2m0s; 1h30m.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}

// appendField appends a sanitized field, or "-" when it is absent or empty.
func appendField(b []byte, v []byte) []byte {
	if len(v) == 0 {
		return append(b, '-')
	}
	return termsafe.Append(b, v)
}

// appendNumber appends a rate or a percentage for reading: one decimal
// below 100, none above, and two significant digits for a small non-zero
// value that one decimal would show as 0.0.
func appendNumber(b []byte, v float64) []byte {
	switch a := max(v, -v); {
	case v == 0:
		return append(b, '0')
	case a >= 99.95:
		return strconv.AppendFloat(b, v, 'f', 0, 64)
	case a >= 0.05:
		return strconv.AppendFloat(b, v, 'f', 1, 64)
	}
	return strconv.AppendFloat(b, v, 'g', 2, 64)
}

// appendSize appends a byte count in SI units: "532 B", "1.2 MB", "203 kB".
func appendSize(b []byte, n int64) []byte {
	const units = "kMGTPE"
	if n < 1000 {
		b = strconv.AppendInt(b, n, 10)
		return append(b, " B"...)
	}
	v := float64(n)
	u := -1
	for v >= 999.5 && u < len(units)-1 {
		v /= 1000
		u++
	}
	if v < 99.95 {
		b = strconv.AppendFloat(b, v, 'f', 1, 64)
	} else {
		b = strconv.AppendFloat(b, v, 'f', 0, 64)
	}
	b = append(b, ' ', units[u])
	return append(b, 'B')
}

// appendLatency appends label and a duration in seconds for a person,
// to 3 significant digits: "12.3ms", "1.5s", "250µs".
func appendLatency(b []byte, label string, sec float64) []byte {
	b = append(b, label...)
	switch {
	case sec >= 1000:
		return append(strconv.AppendFloat(b, sec, 'f', 0, 64), 's')
	case sec >= 1 || sec == 0:
		return append(strconv.AppendFloat(b, sec, 'g', 3, 64), 's')
	case sec >= 1e-3:
		return append(strconv.AppendFloat(b, sec*1e3, 'g', 3, 64), "ms"...)
	default:
		return append(strconv.AppendFloat(b, sec*1e6, 'g', 3, 64), "µs"...)
	}
}
