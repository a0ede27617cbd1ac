// Package parse turns raw access-log lines into request records
// (record.Request): Parser.Line reads one line of any of the formats the
// README lists. The record itself, its JSON and its time format are
// package record's.
package parse

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/logmon/logmon/internal/record"
)

// Parser parses access-log lines; the zero value is ready to use.
// Not safe for concurrent use.
//
// Fields of a parsed line are subslices of the line itself, so a typical
// line is parsed without allocating; the rare quoted field with \" or \\
// in it is unescaped into the parser's scratch buffer. The line is never
// written to, so a caller can keep a rejected line as it came.
type Parser struct {
	// Keep, when set, keeps the fields of every line parsed valid until
	// Reset, rather than only until the next line: for a caller that
	// parses a batch of lines ahead of using them.
	Keep    bool
	scratch []byte
	stream  *Stream  // the input's format and what it learnt; nil: clf
	notice  string   // see Notice
	rest    []byte   // what clf's last line had after its user agent, for Stream.pick
	stamp   stamp    // the last time read (see timestamp)
	order   keyOrder // a JSON log's keys on the last line
	// noType: the last line was read whole as a JSON object without a
	// key "type" (see NoRecord).
	noType bool
}

// Taken says whether the parser's input has its format: a line was
// taken, so lines that are not of the format no longer count against it
// (and the default, Combined, always has). Until then a line that is no
// log line may make auto give up: a caller that reads records among log
// lines tells them apart before handing a line to Line.
func (p *Parser) Taken() bool { return p.stream == nil || p.stream.took }

// NoRecord says whether the last line Line parsed, or failed to, surely
// is no record: it was read whole as a JSON object (a JSON log's line)
// and has no key "type", which a record must have. A caller that reads
// records among log lines can then skip looking for one in it.
func (p *Parser) NoRecord() bool { return p.noType }

// stamp is a time's text as parseTimestamp took it, and its value: all
// of it, and its date and time to the second (timestampHead's).
type stamp struct {
	text  [40]byte
	n     int
	sec   int64
	nsec  int32
	head  int // text[:head] is the date and time to the second; 0: none
	local int64
	iso   bool
}

// timestamp is parseTimestamp for the lines of a log, which come many to
// a second: the text the same as the last line's is the same time, and
// comparing it costs a fraction of reading it again (gen's traffic, 55
// requests a second: s3's parse 6 % faster, cloudfront's 5 %). A time
// with a fraction (ALB's, ELB's, Traefik's) differs from line to line,
// but mostly only after the second: then only the fraction and the zone
// are read. Every format's time goes through here; in
// BenchmarkGenTraffic, the least of 5 runs in turn with the build
// before, ns a line: Combined 146 to 128 (it called parseTimestamp),
// the nginx format string 257 to 243, alb 215 to 210, elb 200 to 191.
func (p *Parser) timestamp(b []byte) (sec int64, nsec int32, ok bool) {
	c := &p.stamp
	if len(b) == c.n && c.n > 0 && string(b) == string(c.text[:c.n]) {
		return c.sec, c.nsec, true
	}
	local, i, iso := c.local, c.head, c.iso
	if i == 0 || len(b) < i || string(b[:i]) != string(c.text[:i]) {
		if local, i, iso, ok = timestampHead(b); !ok {
			return 0, 0, false
		}
	}
	if sec, nsec, ok = timestampTail(b, i, iso, local); ok && len(b) <= len(c.text) {
		c.n = copy(c.text[:], b)
		c.sec, c.nsec = sec, nsec
		c.head, c.local, c.iso = i, local, iso
	}
	return sec, nsec, ok
}

// Notice returns what the last Line had to say beyond its result, once:
// the format auto picked, said on the line that decided it.
func (p *Parser) Notice() string {
	n := p.notice
	p.notice = ""
	return n
}

// Reset lets the parser reuse its scratch buffer (see Keep).
func (p *Parser) Reset() { p.scratch = p.scratch[:0] }

// LineError says why a line was rejected, e.g.
// `bad timestamp "30/Feb/2015:10:00:00 +0000"`.
type LineError struct {
	Reason string
	// IsHeader: the line is no request but no fault either, a line the
	// format writes of its own (W3C's #Fields: and #Date:); it is counted
	// as such, not rejected.
	IsHeader bool
}

func (e *LineError) Error() string { return e.Reason }

// Header says the line is the format's own (see IsHeader).
func (e *LineError) Header() bool { return e.IsHeader }

// Fatal says the error ends the input: a LineError never does.
func (e *LineError) Fatal() bool { return false }

// lineError builds a LineError whose reason quotes the offending text.
func lineError(what string, text []byte) *LineError {
	return &LineError{Reason: what + " " + quote(text)}
}

// maxQuoted is how many bytes of offending text an error message shows.
const maxQuoted = 40

// quote formats text for an error message: Go-quoted, so control bytes and
// invalid UTF-8 come out as escapes, and cut to maxQuoted bytes.
func quote(text []byte) string {
	if len(text) > maxQuoted {
		return fmt.Sprintf("%q...", text[:maxQuoted])
	}
	return fmt.Sprintf("%q", text)
}

// Line parses one log line (without its line ending; the caller already
// stripped "\n" and a trailing "\r") into r, in the parser's format (see
// Format and Stream; a Parser without a stream reads the Common/Combined
// family, clf). It does not modify line. The slices set in r point into
// line or into p, and are valid until the next call, or until Reset with
// Keep. It returns a *LineError for a line it rejects, and auto's
// *NoFormatError when no format takes an input's first lines.
func (p *Parser) Line(line []byte, r *record.Request) error {
	r.Reset()
	p.noType = false
	if !p.Keep {
		p.scratch = p.scratch[:0]
	}
	if len(line) == 0 {
		return &LineError{Reason: "empty line"}
	}
	// A NUL byte is no part of a log line: a copytruncate under a writer
	// without O_APPEND leaves a hole of them, and a crash leaves blocks of
	// them. bytes.IndexByte scans at memory speed, so this costs nothing
	// worth measuring beside the parse.
	if i := bytes.IndexByte(line, 0); i >= 0 {
		err := lineError(fmt.Sprintf("NUL byte at column %d in", i+1), line)
		if s := p.stream; s != nil && !s.took { // binary input, most likely
			if gaveUp := s.miss(line, []string{err.Error()}); gaveUp != nil {
				return gaveUp
			}
		}
		return err
	}
	if skipSpaces(line, 0) == len(line) {
		return &LineError{Reason: "blank line"}
	}
	s := p.stream
	switch {
	case s == nil:
		return p.clf(line, r)
	case s.format == nil:
		return s.pick(p, line, r)
	}
	err := s.format.line(p, line, r)
	if !s.took { // until the input's first good line: is it of this format at all?
		var le *LineError
		switch {
		case err == nil || errors.As(err, &le) && le.IsHeader:
			s.took = true
		default:
			if gaveUp := s.miss(line, []string{err.Error()}); gaveUp != nil {
				return gaveUp
			}
		}
	}
	return err
}

// clf reads, per line, any of
//
//	host ident authuser [date] "request" status bytes                      (Common)
//	host ident authuser [date] "request" status bytes "referer" "agent" ... (Combined)
//	vhost:port host ident authuser [date] "request" status bytes "referer" "agent"
//
// telling vhost_combined apart by the number of fields before the date.
// Fields are separated by one or more spaces; spaces before and after the
// line are ignored, and so is anything after the agent (nginx extras).
func (p *Parser) clf(line []byte, r *record.Request) error {
	i := skipSpaces(line, 0)

	// The fields before the date: [vhost] host ident authuser. A field
	// starting with '[' is the date, so a '[' inside a host name is fine.
	var pre [4][]byte
	n := 0
	for i < len(line) && line[i] != '[' {
		end := tokenEnd(line, i)
		if n == len(pre) {
			if bytes.IndexByte(line[i:], '[') < 0 {
				return lineError("missing timestamp in", line)
			}
			return lineError("too many fields before the timestamp at", line[i:])
		}
		pre[n] = line[i:end]
		n++
		i = skipSpaces(line, end)
	}
	if i == len(line) {
		return lineError("missing timestamp in", line)
	}
	switch n {
	case 3:
		r.Remote, r.User = pre[0], pre[2]
	case 4:
		r.VHost, r.Remote, r.User = pre[0], pre[1], pre[3]
	default:
		return lineError(fmt.Sprintf("want 3 or 4 fields before the timestamp, found %d in", n), line)
	}
	if isDash(r.User) {
		r.User = nil
	}

	// [date]: it has a space inside (CLF zone), so it ends at ']'.
	end := bytes.IndexByte(line[i+1:], ']')
	if end < 0 {
		return lineError("unterminated timestamp", line[i:])
	}
	date := line[i+1 : i+1+end]
	var ok bool
	if r.Sec, r.Nsec, ok = p.timestamp(date); !ok {
		return lineError("bad timestamp", date)
	}
	i += 1 + end + 1

	// "request"
	var err *LineError
	if i, err = nextField(line, i, "timestamp", "request"); err != nil {
		return err
	}
	if line[i] != '"' {
		return lineError("request is not quoted:", line[i:])
	}
	req, next, ok := p.unquote(line, i)
	if !ok {
		return lineError("unterminated request", line[i:])
	}
	splitRequest(req, r)
	i = next

	// status
	if i, err = nextField(line, i, "request", "status"); err != nil {
		return err
	}
	end = tokenEnd(line, i)
	if isDash(line[i:end]) {
		r.Status = 0 // none: an aborted request (Apache), morgan, Traefik
	} else if r.Status, ok = parseStatus(line[i:end]); !ok {
		return lineError("bad status", line[i:end])
	}
	i = end

	// bytes
	if i, err = nextField(line, i, "status", "size"); err != nil {
		return err
	}
	end = tokenEnd(line, i)
	if r.Bytes, ok = parseSize(line[i:end]); !ok {
		return lineError("bad size", line[i:end])
	}
	i = skipSpaces(line, end)
	if i == len(line) {
		return nil // Common
	}

	// "referer" "agent": both optional at the end of the line.
	if line[i] != '"' {
		return lineError("referer is not quoted:", line[i:])
	}
	start := i
	if r.Referer, i, ok = p.unquote(line, i); !ok {
		return lineError("unterminated referer", line[start:])
	}
	if isDash(r.Referer) {
		r.Referer = nil
	}
	if i == len(line) {
		return nil
	}
	if line[i] != ' ' {
		return lineError("want a space after the referer, found", line[i:])
	}
	i = skipSpaces(line, i)
	if i == len(line) {
		return nil
	}
	if line[i] != '"' {
		return lineError("user agent is not quoted:", line[i:])
	}
	var after int
	if r.Agent, after, ok = p.unquote(line, i); !ok {
		return lineError("unterminated user agent", line[i:])
	}
	if isDash(r.Agent) {
		r.Agent = nil
	}
	if after < len(line) {
		// Whatever follows the agent is not read (nginx's extras, such
		// as rt=$request_time): auto says so when it picks the format
		// (Stream.pick), the one place that looks at it.
		p.rest = line[after:]
	}
	return nil
}

// nextField moves from the end of field prev over the spaces to the start
// of field name. It rejects a field that runs into the next one and a line
// that ends before name.
func nextField(line []byte, i int, prev, name string) (int, *LineError) {
	if i < len(line) && line[i] != ' ' {
		return 0, lineError("want a space after the "+prev+", found", line[i:])
	}
	i = skipSpaces(line, i)
	if i == len(line) {
		return 0, &LineError{Reason: "missing " + name}
	}
	return i, nil
}

func skipSpaces(line []byte, i int) int {
	for i < len(line) && line[i] == ' ' {
		i++
	}
	return i
}

// tokenEnd returns the index of the first space at or after i, or len(line).
// A plain loop: the tokens (host, ident, user, status, size) are a few
// bytes long, shorter than what bytes.IndexByte needs to pay off.
func tokenEnd(line []byte, i int) int {
	for ; i < len(line); i++ {
		if line[i] == ' ' {
			return i
		}
	}
	return len(line)
}

func isDash(b []byte) bool { return len(b) == 1 && b[0] == '-' }

// unquote reads the quoted field whose opening '"' is line[i]. Inside it
// \" and \\ are escapes, unescaped into p's scratch buffer; any other backslash sequence
// (Apache's \x16, nginx's \x22) is kept verbatim. It returns the content,
// capacity-limited so that appending to it cannot overwrite the line, and
// the index just after the closing quote; ok is false when there is none.
func (p *Parser) unquote(line []byte, i int) (val []byte, next int, ok bool) {
	start := i + 1
	if start+1 < len(line) && line[start] == '-' && line[start+1] == '"' {
		// "-" (no referrer, no X-Forwarded-For: most lines have one or
		// two), without the two calls of bytes.IndexByte below.
		return line[start : start+1 : start+1], start + 2, true
	}
	// Fast path: almost no field holds a backslash, so find the closing
	// quote with IndexByte (vectorised) and check the field for a
	// backslash the same way, instead of looking at every byte in Go.
	q := bytes.IndexByte(line[start:], '"')
	if q < 0 {
		return nil, 0, false
	}
	end := start + q
	if bytes.IndexByte(line[start:end], '\\') < 0 {
		return line[start:end:end], end + 1, true
	}

	// Slow path: find the closing quote, skipping escaped ones.
	end = -1
	for j := start; j < len(line); j++ {
		if line[j] == '"' {
			end = j
			break
		}
		if line[j] == '\\' && j+1 < len(line) && (line[j+1] == '"' || line[j+1] == '\\') {
			j++
		}
	}
	if end < 0 {
		return nil, 0, false
	}
	// Unescape into the scratch buffer. An earlier field's slice stays
	// valid if append moves the buffer: it keeps the old array alive.
	from := len(p.scratch)
	for j := start; j < end; j++ {
		c := line[j]
		if c == '\\' && (line[j+1] == '"' || line[j+1] == '\\') {
			j++
			c = line[j]
		}
		p.scratch = append(p.scratch, c)
	}
	n := len(p.scratch)
	return p.scratch[from:n:n], end + 1, true
}

// splitRequest splits the request line "METHOD TARGET PROTOCOL" or
// "METHOD TARGET" (HTTP/0.9) on single spaces into r. Anything else -
// "-", an empty request, TLS bytes sent to an HTTP port, more parts -
// is kept whole in r.Request.
func splitRequest(req []byte, r *record.Request) {
	sp := bytes.IndexByte(req, ' ')
	if sp <= 0 || !isToken(req[:sp]) {
		r.Request = req
		return
	}
	method, rest := req[:sp:sp], req[sp+1:]
	target, proto := rest, []byte(nil)
	if sp = bytes.IndexByte(rest, ' '); sp >= 0 {
		target, proto = rest[:sp:sp], rest[sp+1:]
		if len(proto) == 0 || bytes.IndexByte(proto, ' ') >= 0 {
			r.Request = req
			return
		}
	}
	if len(target) == 0 {
		r.Request = req
		return
	}
	r.Method, r.Path, r.Protocol = method, target, proto
	r.Section = Section(target)
}

// isToken reports whether b is an HTTP token (RFC 9110 tchar), as a
// method is.
func isToken(b []byte) bool {
	for _, c := range b {
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// slash is the section of an absolute URI without a path.
var slash = []byte("/")

// Section returns the section of a request target, its first path
// segment, as a subslice of target where possible:
//
//	/pages/create               -> /pages
//	/pages, /                   -> /pages, /
//	/a?b=1, /a#f                -> /a
//	/?x=1                       -> /
//	http://host/a/b             -> /a (any scheme://authority prefix)
//	http://host, http://host?q  -> /
//	*                           -> *
//
// Anything else not starting with '/' (such as CONNECT's host:443) has no
// section: Section returns nil.
func Section(target []byte) []byte {
	if len(target) == 0 {
		return nil
	}
	switch target[0] {
	case '/':
		return firstSegment(target)
	case '*':
		if len(target) == 1 {
			return target[:1:1]
		}
		return nil
	}
	// absolute-form: scheme "://" authority [path-abempty] ["?" query]
	i := 0
	for i < len(target) && isSchemeChar(target[i], i) {
		i++
	}
	if i == 0 || len(target)-i < 3 || string(target[i:i+3]) != "://" {
		return nil
	}
	for i += 3; i < len(target); i++ {
		switch target[i] {
		case '/':
			return firstSegment(target[i:])
		case '?', '#':
			return slash[:1:1]
		}
	}
	return slash[:1:1]
}

// firstSegment returns the first segment of a path that starts with '/'.
func firstSegment(path []byte) []byte {
	for i := 1; i < len(path); i++ {
		switch path[i] {
		case '/', '?', '#':
			return path[:i:i]
		}
	}
	return path[:len(path):len(path)]
}

// isSchemeChar reports whether c may be byte i of a URI scheme:
// ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).
func isSchemeChar(c byte, i int) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		return true
	case '0' <= c && c <= '9', c == '+', c == '-', c == '.':
		return i > 0
	}
	return false
}

// parseStatus reads an HTTP status: exactly three digits, 100..999.
func parseStatus(b []byte) (int, bool) {
	if len(b) != 3 || b[0] < '1' || b[0] > '9' {
		return 0, false
	}
	n, ok := atoiN(b)
	return n, ok
}

// parseSize reads a response size: "-" (nothing sent) is 0, else decimal
// digits that fit in an int64.
func parseSize(b []byte) (int64, bool) {
	if isDash(b) {
		return 0, true
	}
	if len(b) == 0 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := int64(c - '0')
		if n > (math.MaxInt64-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	return n, true
}

// parseTimestamp reads the text between the brackets of the date field
//
//	10/Oct/2000:13:55:36 -0700   CLF (Apache %t), also 13:55:36.123 -0700
//	2000-10-10T13:55:36-07:00    ISO 8601 (nginx $time_iso8601), also Z
//	                             for the zone and a fraction of a second
//
// and returns it as UTC Unix seconds and nanoseconds. It converts with
// record.UnixSeconds rather than time.Date, which costs about 60 ns a call.
func parseTimestamp(b []byte) (sec int64, nsec int32, ok bool) {
	local, i, iso, ok := timestampHead(b)
	if !ok {
		return 0, 0, false
	}
	return timestampTail(b, i, iso, local)
}

// timestampHead reads a timestamp's date and time to the second: their
// Unix seconds as if the zone were UTC, the index of what follows (the
// fraction or the zone), and whether the form is ISO rather than CLF.
func timestampHead(b []byte) (local int64, i int, iso, ok bool) {
	var y, mo, d, h, mi, s int
	ok = true
	switch {
	case at(b, 2, '/'):
		d = digits(b, 0, 2, &ok)
		if len(b) >= 6 {
			mo = month(b[3:6])
		}
		ok = ok && at(b, 6, '/') && at(b, 11, ':') && at(b, 14, ':') && at(b, 17, ':')
		y = digits(b, 7, 4, &ok)
		h = digits(b, 12, 2, &ok)
		mi = digits(b, 15, 2, &ok)
		s = digits(b, 18, 2, &ok)
		i = 20
	case at(b, 4, '-'):
		iso = true
		ok = at(b, 7, '-') && at(b, 10, 'T') && at(b, 13, ':') && at(b, 16, ':')
		y = digits(b, 0, 4, &ok)
		mo = digits(b, 5, 2, &ok)
		d = digits(b, 8, 2, &ok)
		h = digits(b, 11, 2, &ok)
		mi = digits(b, 14, 2, &ok)
		s = digits(b, 17, 2, &ok)
		i = 19
	default:
		return 0, 0, false, false
	}
	if !ok || y < 1 || !record.ValidDate(y, mo, d) || h > 23 || mi > 59 || s > 59 {
		return 0, 0, false, false
	}
	return record.UnixSeconds(y, mo, d, h, mi, s), i, iso, true
}

// timestampTail reads the rest of a timestamp from b[i:], after the
// seconds that timestampHead read as local: the fraction, then the zone.
func timestampTail(b []byte, i int, iso bool, local int64) (sec int64, nsec int32, ok bool) {
	// Optional fraction: 1 to 9 digits.
	if at(b, i, '.') {
		i++
		start := i
		for scale := int32(1e8); i < len(b) && i-start < 9 && isDigit(b[i]); scale /= 10 {
			nsec += int32(b[i]-'0') * scale
			i++
		}
		if i == start {
			return 0, 0, false
		}
	}

	// Zone: " -0700" (CLF), "Z" or "-07:00" (ISO); at most 14 hours.
	var zh, zm int
	ok = true
	sign := byte('+')
	switch {
	case iso && len(b) == i+1 && b[i] == 'Z':
	case iso && len(b) == i+6 && b[i+3] == ':':
		sign = b[i]
		zh = digits(b, i+1, 2, &ok)
		zm = digits(b, i+4, 2, &ok)
	case !iso && len(b) == i+6 && b[i] == ' ':
		sign = b[i+1]
		zh = digits(b, i+2, 2, &ok)
		zm = digits(b, i+4, 2, &ok)
	default:
		return 0, 0, false
	}
	if !ok || (sign != '+' && sign != '-') || zm > 59 || zh*60+zm > 14*60 {
		return 0, 0, false
	}
	off := int64(zh*3600 + zm*60)
	if sign == '-' {
		off = -off
	}
	sec = local - off
	if sec >= record.EndTime {
		// A record's time has a four-digit year (see record.EndTime),
		// so 9999-12-31T23:00:00-0100 is refused although its local
		// date is valid.
		return 0, 0, false
	}
	return sec, nsec, true
}

// month returns the number of a CLF month name, 0 for anything else.
func month(b []byte) int {
	switch string(b) { // no allocation: the compiler compares in place
	case "Jan":
		return 1
	case "Feb":
		return 2
	case "Mar":
		return 3
	case "Apr":
		return 4
	case "May":
		return 5
	case "Jun":
		return 6
	case "Jul":
		return 7
	case "Aug":
		return 8
	case "Sep":
		return 9
	case "Oct":
		return 10
	case "Nov":
		return 11
	case "Dec":
		return 12
	}
	return 0
}

// at reports whether b[i] is c.
func at(b []byte, i int, c byte) bool { return i < len(b) && b[i] == c }

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// digits reads the n decimal digits at b[i:]; it clears *ok when they are
// not there.
func digits(b []byte, i, n int, ok *bool) int {
	if i+n > len(b) {
		*ok = false
		return 0
	}
	v, good := atoiN(b[i : i+n])
	if !good {
		*ok = false
	}
	return v
}

// atoiN reads b as an unsigned decimal number: all of it digits.
func atoiN(b []byte) (int, bool) {
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}
