package render

import (
	"bufio"
	"fmt"
	"io"
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
//	10:05:00–10:05:10 UTC 2015-05-17  42 req  4.2 req/s  1.2 MB  5xx 2.4%  partial  late 3
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
// log line had no method; "-" stands for what is absent. A summary is
// followed by an empty line, so that blocks stand apart.
func NewText(w io.Writer, color bool) Sink {
	return NewTextIn(w, color, time.UTC)
}

// NewTextIn is NewText showing times in loc rather than UTC: a request's
// time with its offset (2015-05-17T12:05:03+02:00), a summary's interval
// with the zone's name (12:05:00–12:05:10 CEST 2015-05-17). An alert's
// message is the record's own text, in UTC.
func NewTextIn(w io.Writer, color bool, loc *time.Location) Sink {
	t := &textSink{w: bufio.NewWriterSize(w, bufSize)}
	if loc != nil && loc != time.UTC {
		t.loc = loc
	}
	if color {
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
	w   *bufio.Writer
	pal palette
	buf []byte         // formatting buffer, reused for every record
	loc *time.Location // nil: UTC

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
	t.buf = t.appendRequest(t.buf[:0], r)
	return t.write()
}

func (t *textSink) Summary(s *record.Summary) error {
	t.buf = t.appendSummary(t.buf[:0], s)
	return t.write()
}

func (t *textSink) Alert(a *record.Alert) error {
	t.buf = t.appendAlert(t.buf[:0], a)
	return t.write()
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
	switch {
	case len(r.Method) > 0:
		b = termsafe.Append(b, r.Method)
		b = append(b, ' ')
		b = appendField(b, r.Path)
	case len(r.Request) > 0:
		b = termsafe.Append(b, r.Request)
	default:
		b = appendField(b, r.Path)
	}
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
	return append(b, '\n')
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
	b = append(b, p.bold...)
	loc := time.UTC
	if t.loc != nil {
		loc = t.loc
	}
	b = appendInterval(b, s.Start.In(loc), s.End.In(loc))
	b = append(b, ' ', ' ')
	b = strconv.AppendInt(b, s.Requests, 10)
	b = append(b, " req  "...)
	b = appendNumber(b, s.Rate)
	b = append(b, " req/s  "...)
	b = appendSize(b, s.Bytes)
	b = append(b, ' ', ' ')
	if s.ErrorShare > 0 {
		b = append(b, p.red...)
	}
	b = append(b, "5xx "...)
	b = appendNumber(b, s.ErrorShare*100)
	b = append(b, '%')
	if s.ErrorShare > 0 {
		b = append(b, p.noColor...)
	}
	b = append(b, p.noBold...)
	if s.Partial {
		b = append(b, "  "...)
		b = append(b, p.yellow...)
		b = append(b, "partial"...)
		b = append(b, p.noColor...)
	}
	if s.Late > 0 {
		b = append(b, "  "...)
		b = append(b, p.yellow...)
		b = append(b, "late "...)
		b = strconv.AppendInt(b, s.Late, 10)
		b = append(b, p.noColor...)
	}
	b = append(b, '\n')
	if s.Requests == 0 {
		// A silence: the heading says it all, one line per interval.
		return b
	}

	b = t.appendLabel(b, "sections")
	for i, h := range s.Sections {
		b = appendHits(b, i, h.Section, h.Hits, h.Error)
	}
	if len(s.Sections) == 0 {
		b = append(b, '-')
	}
	b = append(b, '\n')

	b = t.appendLabel(b, "status")
	b = appendClass(b, "", "2xx", s.Status.C2xx)
	b = appendClass(b, "  ", "3xx", s.Status.C3xx)
	b = appendClass(b, "  ", "4xx", s.Status.C4xx)
	b = append(b, ' ', ' ')
	if s.Status.C5xx > 0 {
		b = append(b, p.red...)
		b = appendClass(b, "", "5xx", s.Status.C5xx)
		b = append(b, p.noColor...)
	} else {
		b = appendClass(b, "", "5xx", 0)
	}
	if s.Status.C1xx > 0 {
		b = appendClass(b, "  ", "1xx", s.Status.C1xx)
	}
	if s.Status.Other > 0 {
		b = appendClass(b, "  ", "other", s.Status.Other)
	}
	if s.Status.None > 0 {
		b = appendClass(b, "  ", "none", s.Status.None)
	}
	b = append(b, '\n')

	if s.Timed > 0 {
		b = t.appendLabel(b, "latency")
		b = appendLatency(b, "p50 ", s.P50)
		b = appendLatency(b, "  p90 ", s.P90)
		b = appendLatency(b, "  p99 ", s.P99)
		b = appendLatency(b, "  max ", s.Max)
		b = append(b, "  ("...)
		b = strconv.AppendInt(b, s.Timed, 10)
		b = append(b, " timed)\n"...)
	}

	b = t.appendLabel(b, "methods")
	for i, h := range s.Methods {
		b = appendHits(b, i, h.Method, h.Hits, h.Error)
	}
	if len(s.Methods) == 0 {
		b = append(b, '-')
	}
	b = append(b, '\n')

	b = t.appendLabel(b, "clients")
	for i, h := range s.Clients {
		b = appendHits(b, i, h.Client, h.Hits, h.Error)
	}
	if len(s.Clients) == 0 {
		b = append(b, '-')
	}
	b = append(b, "  ("...)
	b = strconv.AppendInt(b, s.DistinctClients, 10)
	b = append(b, " distinct)\n"...)

	if len(s.Networks) > 0 {
		b = t.appendLabel(b, "networks")
		for i, h := range s.Networks {
			name := h.Network
			if h.ASN != 0 {
				name += " (AS" + strconv.FormatUint(uint64(h.ASN), 10)
				if h.ASOrg != "" {
					name += " " + h.ASOrg
				}
				name += ")"
			}
			b = appendHits(b, i, name, h.Hits, h.Error)
		}
		b = append(b, '\n')
	}
	return append(b, '\n')
}

// appendLabel appends the indented label of a summary line, padded so
// that the values line up.
func (t *textSink) appendLabel(b []byte, label string) []byte {
	b = append(b, ' ', ' ')
	b = append(b, t.pal.dim...)
	b = append(b, label...)
	b = append(b, t.pal.noDim...)
	for n := len(label); n < len("sections")+2; n++ {
		b = append(b, ' ')
	}
	return b
}

// appendHits appends the i'th "name count" entry of a top list; hits that may be
// overstated (a busy interval's bounded count, see package topk) are
// shown as at most: "≤1234".
func appendHits(b []byte, i int, name string, hits, err int64) []byte {
	if i > 0 {
		b = append(b, ' ', ' ')
	}
	b = appendField(b, []byte(name))
	b = append(b, ' ')
	if err > 0 {
		b = append(b, "≤"...)
	}
	return strconv.AppendInt(b, hits, 10)
}

func appendClass(b []byte, sep, class string, n int64) []byte {
	b = append(b, sep...)
	b = append(b, class...)
	b = append(b, ' ')
	return strconv.AppendInt(b, n, 10)
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
	if a.Message != "" {
		b = termsafe.Append(b, []byte(a.Message))
	} else {
		// A record without a message: say what its fields say.
		b = appendField(b, []byte(a.Rule))
		b = append(b, ' ')
		b = appendField(b, []byte(a.State))
		b = append(b, " - hits = "...)
		b = strconv.AppendInt(b, a.Hits, 10)
		b = append(b, " at "...)
		b = record.AppendTime(b, a.Time.Unix(), int32(a.Time.Nanosecond()))
	}
	b = appendJudged(b, a)
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
