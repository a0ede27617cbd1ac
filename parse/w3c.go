package parse

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/bits"

	"github.com/logmon/logmon/internal/record"
)

// The W3C extended log format (IIS, and CloudFront's web distribution
// logs) says what its fields are in a #Fields: directive, which may come
// again mid-file with other fields (IIS writes one when its logging is
// reconfigured):
//
//	#Software: Microsoft Internet Information Services 10.0
//	#Version: 1.0
//	#Date: 2022-01-22 00:00:01
//	#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken
//	2022-01-22 00:00:01 10.142.0.2 POST /member/track.ashx pid=2173020 443 - 172.69.69.207 Mozilla/5.0+(Windows+NT+10.0) - 200 0 0 31
//
// Fields are separated by spaces (IIS) or tabs (CloudFront); a field
// logmon does not know is skipped. The stream keeps the last #Fields:
// (Stream.w3c), so the parsers of one input read it in order.

// w3cField is what a #Fields: name fills in a request.
type w3cField uint8

const (
	w3cSkip w3cField = iota
	w3cDate
	w3cTime
	w3cRemote
	w3cUser
	w3cMethod
	w3cStem
	w3cQuery
	w3cURI
	w3cProtocol
	w3cStatus
	w3cBytes
	w3cDuration
	w3cAgent
	w3cReferer
	w3cHost       // cs-host, cs(Host): the Host header; CloudFront's distribution domain
	w3cHostHeader // CloudFront's x-host-header, the Host the viewer asked for: preferred
	w3cForwarded
)

// w3cNames maps the field names, lower-cased, to what they fill.
var w3cNames = map[string]w3cField{
	"date":                w3cDate,
	"time":                w3cTime,
	"c-ip":                w3cRemote,
	"cs-username":         w3cUser,
	"cs-method":           w3cMethod,
	"cs-uri-stem":         w3cStem,
	"cs-uri-query":        w3cQuery,
	"cs-uri":              w3cURI,
	"cs-version":          w3cProtocol,
	"cs-protocol-version": w3cProtocol,
	"sc-status":           w3cStatus,
	"sc-bytes":            w3cBytes,
	"time-taken":          w3cDuration,
	"cs(user-agent)":      w3cAgent,
	"cs(referer)":         w3cReferer,
	"cs(referrer)":        w3cReferer,
	"cs-host":             w3cHost,
	"cs(host)":            w3cHost,
	"x-host-header":       w3cHostHeader,
	"x-forwarded-for":     w3cForwarded,
	"cs(x-forwarded-for)": w3cForwarded,
}

// cloudfrontFields are the fields of CloudFront's standard log, in its
// documented order: what the cloudfront format reads before any #Fields:
// (a log whose header was cut off).
var cloudfrontFields = []w3cField{
	w3cDate, w3cTime, w3cSkip /* x-edge-location */, w3cBytes, w3cRemote, w3cMethod,
	w3cHost, w3cStem, w3cStatus, w3cReferer, w3cAgent, w3cQuery, w3cSkip, /* cs(Cookie) */
	w3cSkip /* x-edge-result-type */, w3cSkip /* x-edge-request-id */, w3cHostHeader,
	w3cSkip /* cs-protocol */, w3cSkip /* cs-bytes */, w3cDuration, w3cForwarded,
	// ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version ...
	w3cSkip, w3cSkip, w3cSkip, w3cProtocol,
}

// cloudfrontMin is how many of cloudfrontFields a line without #Fields:
// must have: up to time-taken, which every version of the log has had.
const cloudfrontMin = 19

// w3cState is what a W3C log's directives said.
type w3cState struct {
	fields []w3cField // of the last #Fields:; nil before one
	last   int        // the index of the last field read (not w3cSkip)
	// cloud: the fields are CloudFront's (an x-edge-* field): time-taken
	// is in seconds, as the W3C draft says, where IIS writes milliseconds.
	cloud bool
	date  []byte // the day of the last #Date: (yyyy-mm-dd), for lines without a date field
	dateB [10]byte
}

// Directive errors: a directive is the format's own line, counted as a
// header. errW3CUndecided is one that auto cannot tell W3C from
// CloudFront by (#Version:, #Date:): it waits for #Fields:.
var (
	errW3CHeader    = &LineError{Reason: "a W3C directive", IsHeader: true}
	errW3CUndecided = &LineError{Reason: "a W3C directive before #Fields:", IsHeader: true}
)

// w3c parses a line of a W3C extended log (IIS): a directive or a line
// of the fields the last #Fields: named.
func (p *Parser) w3c(line []byte, r *record.Request) error {
	if line[0] == '#' {
		return p.w3cDirective(line, errW3CHeader)
	}
	return p.w3cData(line, r, nil)
}

// w3cDetect is w3c for auto: a #Fields: directive that is not
// CloudFront's picks w3c; the other directives decide nothing yet.
func (p *Parser) w3cDetect(line []byte, r *record.Request) error {
	if line[0] != '#' {
		return p.w3cData(line, r, nil)
	}
	err := p.w3cDirective(line, errW3CUndecided)
	if err == errW3CHeader && p.stream.w3c.cloud {
		return &LineError{Reason: "CloudFront's #Fields:"} // cloudfront took it first
	}
	return err
}

// cloudfront parses a line of a CloudFront web distribution log: W3C
// with tabs, its time-taken in seconds. Before any #Fields: it reads
// CloudFront's documented fields.
func (p *Parser) cloudfront(line []byte, r *record.Request) error {
	if line[0] == '#' {
		return p.w3cDirective(line, errW3CHeader)
	}
	return p.w3cData(line, r, cloudfrontFields)
}

// cloudfrontDetect is cloudfront for auto: a #Fields: with CloudFront's
// fields picks it, other #Fields: are w3c's.
func (p *Parser) cloudfrontDetect(line []byte, r *record.Request) error {
	if line[0] != '#' {
		if bytes.IndexByte(line, '\t') < 0 {
			return &LineError{Reason: "no tab-separated fields"}
		}
		return p.w3cData(line, r, cloudfrontFields)
	}
	err := p.w3cDirective(line, errW3CUndecided)
	if err == errW3CHeader && !p.stream.w3c.cloud {
		return &LineError{Reason: "not CloudFront's #Fields: (no x-edge-location)"}
	}
	return err
}

// w3cDirective reads a directive line: #Fields: sets the fields of the
// lines after it, #Date: their day when they have no date field. It
// returns errW3CHeader for #Fields:, other for the rest.
func (p *Parser) w3cDirective(line []byte, other *LineError) error {
	st := &p.stream.w3c
	switch {
	case hasPrefixFold(line, "#Fields:"):
		st.fields = st.fields[:0]
		st.cloud = false
		rest := line[len("#Fields:"):]
		for i := skipBlanks(rest, 0); i < len(rest); i = skipBlanks(rest, i) {
			end := blankEnd(rest, i)
			name := rest[i:end]
			st.fields = append(st.fields, w3cNames[string(bytes.ToLower(name))])
			if hasPrefixFold(name, "x-edge-") {
				st.cloud = true
			}
			i = end
		}
		st.last = 0
		for k, f := range st.fields {
			if f != w3cSkip {
				st.last = k
			}
		}
		return errW3CHeader
	case hasPrefixFold(line, "#Date:"):
		// 2002-05-24 20:18:01 (IIS), or 12-Jan-1996 00:00:00 (the W3C
		// draft's own example), kept as yyyy-mm-dd.
		d := line[skipBlanks(line, len("#Date:")):]
		switch {
		case len(d) >= 10 && d[4] == '-':
			st.date = append(st.dateB[:0], d[:10]...)
		case len(d) >= 11 && d[2] == '-' && d[6] == '-' && month(d[3:6]) != 0:
			m := month(d[3:6])
			st.date = append(append(append(append(append(st.dateB[:0], d[7:11]...), '-'), byte('0'+m/10), byte('0'+m%10)), '-'), d[:2]...)
		}
	}
	return other
}

// hasPrefixFold reports whether b starts with prefix, ASCII case folded.
func hasPrefixFold(b []byte, prefix string) bool {
	return len(b) >= len(prefix) && bytes.EqualFold(b[:len(prefix)], []byte(prefix))
}

// w3cData parses a data line by the stream's #Fields:, or by defaults
// (CloudFront's fields) when there has been none.
func (p *Parser) w3cData(line []byte, r *record.Request, defaults []w3cField) error {
	st := &p.stream.w3c
	fields, cloud, min := st.fields, st.cloud, 0
	if fields == nil {
		if defaults == nil {
			return lineError("a W3C line before any #Fields: directive, which names its fields:", line)
		}
		fields, cloud, min = defaults, true, cloudfrontMin
	}
	// Fields are split on single tabs when the line has one (CloudFront),
	// else on single spaces (IIS), with fieldEnd: scanning each byte in
	// Go made CloudFront's 470-byte lines 2.2x slower than Combined's.
	// The fields after the last one read are only counted.
	sep := byte(' ')
	if bytes.IndexByte(line, '\t') >= 0 {
		sep = '\t'
	}
	end := len(line)
	for end > 0 && isBlank(line[end-1]) {
		end--
	}
	line = line[:end]
	last := st.last
	if min > 0 {
		last = len(fields) - 1
	}
	var date, tim, stem, query, uri, host []byte
	var bad *LineError // the first bad field: a wrong count of fields says more
	n := 0
	i := skipBlanks(line, 0)
	pat := swarLSB * uint64(sep)
	for ; i <= len(line) && n <= last && n < len(fields); n++ {
		// The field's end: its first word looked at here (SWAR, as in
		// fieldEnd), as most fields end in it (a date, a "-", a status,
		// a size): a call to fieldEnd for each of the 24 fields read
		// was a third of a CloudFront line (fieldEnd is too big to be
		// inlined).
		end := i + 8
		if end <= len(line) {
			x := binary.LittleEndian.Uint64(line[i:]) ^ pat
			if m := (x - swarLSB) &^ x & swarMSB; m != 0 {
				end = i + bits.TrailingZeros64(m)>>3
			} else {
				end = fieldEnd(line, end, sep)
			}
		} else {
			end = fieldEnd(line, i, sep)
		}
		v := line[i:end:end]
		i = end + 1
		switch fields[n] {
		case w3cDate:
			date = v
		case w3cTime:
			tim = v
		case w3cRemote:
			r.Remote = v
		case w3cUser:
			r.User = dashNil(v)
		case w3cMethod:
			r.Method = dashNil(v)
		case w3cStem:
			stem = v
		case w3cQuery:
			query = v
		case w3cURI:
			uri = dashNil(v)
		case w3cProtocol:
			r.Protocol = dashNil(v)
		case w3cStatus:
			if isDash(v) || string(v) == "000" {
				break // none: CloudFront's 000 is a viewer that left before the response
			}
			var ok bool
			if r.Status, ok = parseStatus(v); !ok && bad == nil {
				bad = lineError("bad status", v)
			}
		case w3cBytes:
			var ok bool
			if r.Bytes, ok = parseSize(v); !ok && bad == nil {
				bad = lineError("bad size", v)
			}
		case w3cDuration:
			if isDash(v) {
				break
			}
			scale := 1000.0 // IIS: milliseconds
			if cloud {
				scale = 1
			}
			var ok bool
			if r.Duration, r.Timed, ok = loggedSeconds(v, scale); !ok && bad == nil {
				bad = lineError("bad time-taken", v)
			}
		case w3cAgent:
			r.Agent = dashNil(v)
		case w3cReferer:
			r.Referer = dashNil(v)
		case w3cHost:
			host = dashNil(v)
		case w3cHostHeader:
			r.VHost = dashNil(v)
		case w3cForwarded:
			r.Forwarded = dashNil(v)
		}
	}
	if i <= len(line) {
		n += bytes.Count(line[i:], []byte{sep}) + 1 // the fields not read
	}
	switch {
	case min > 0 && n < min:
		return lineError(fmt.Sprintf("want at least %d tab-separated fields (CloudFront's), found %d in", min, n), line)
	case min == 0 && n != len(fields):
		return lineError(fmt.Sprintf("want %d fields (as #Fields: says), found %d in", len(fields), n), line)
	case bad != nil:
		return bad
	}
	if r.VHost == nil {
		r.VHost = host
	}

	if date == nil {
		date = st.date
	}
	if tim == nil || date == nil {
		return lineError("no date and time (no date, time or #Date:) in", line)
	}
	// date "T" time "Z" is an ISO 8601 time, which parseTimestamp checks.
	var buf [48]byte
	if len(date)+len(tim)+2 > len(buf) {
		return lineError("bad date and time", tim)
	}
	ts := append(append(append(append(buf[:0], date...), 'T'), tim...), 'Z')
	var ok bool
	if r.Sec, r.Nsec, ok = p.timestamp(ts); !ok {
		// Not ts: quoting it would move buf to the heap on every line.
		return &LineError{Reason: "bad date and time " + quote(date) + " " + quote(tim)}
	}

	if uri == nil && stem != nil && !isDash(stem) {
		uri = p.joinQuery(stem, query)
	}
	r.Path = uri
	r.Section = Section(uri)
	return nil
}
