package parse

import (
	"errors"
	"fmt"
	"math"
	"time"
	"unicode/utf8"
)

const hexDigits = "0123456789abcdef"

// AppendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD,
// as encoding/json does, so the output is always valid UTF-8 and valid
// JSON whatever bytes the log held; control characters are escaped.
func AppendString(b []byte, s []byte) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; ; {
		i = plainUntil(s, i)
		if i == len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			// The rune itself, not the escape \ufffd that encoding/json
			// writes: the Decoder gives back U+FFFD, which is then
			// written as is, so a record decoded and written again
			// would not be the same bytes (found by FuzzLine).
			b = append(b, "\uFFFD"...)
			i++
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// MaxDepth bounds the nesting of arrays and objects a record may have;
// deeper input is refused rather than risking the stack.
const MaxDepth = 100

// Decoder reads JSON records. It keeps a scratch buffer for unescaped
// strings, so decoding a typical record allocates nothing.
type Decoder struct {
	// Keep, when set, keeps the strings of every record decoded valid
	// until Reset, rather than only until the next record (see
	// Parser.Keep).
	Keep    bool
	scratch []byte
	line    []byte
	pos     int
}

// Reset lets the decoder reuse its scratch buffer (see Keep).
func (d *Decoder) Reset() { d.scratch = d.scratch[:0] }

// Record decodes one JSON record line. It returns the record's type. When
// the type is "request" it fills r; for any other type the line is only
// checked to be a valid JSON object, so that a stage can pass it through
// unchanged. The slices in r are valid until the next call.
func (d *Decoder) Record(line []byte, r *Request) (typ string, err error) {
	d.line, d.pos = line, 0
	if !d.Keep {
		d.scratch = d.scratch[:0]
	}
	r.Reset()
	isRequest := false
	haveTime := false
	var fieldErr error // the first request field of the wrong type
	var typBytes []byte
	d.skipSpace()
	if d.pos < len(line) && line[d.pos] == 0xEF && len(line) >= d.pos+3 && line[d.pos+1] == 0xBB && line[d.pos+2] == 0xBF {
		return "", d.errorf("byte order mark before the record")
	}
	if !d.consume('{') {
		return "", d.errorf("not a JSON object")
	}
	d.skipSpace()
	if d.consume('}') {
		return "", errors.New(`record has no "type"`)
	}
	for {
		d.skipSpace()
		key, err := d.string()
		if err != nil {
			return "", err
		}
		d.skipSpace()
		if !d.consume(':') {
			return "", d.errorf("expected ':' after object key")
		}
		d.skipSpace()
		valueStart := d.pos
		var valueErr error   // a value unfit for the request field of this name
		switch string(key) { // no allocation: the compiler compares in place
		case "type":
			v, err := d.stringValue("type")
			if err != nil {
				return "", err
			}
			typBytes = v
			isRequest = string(v) == "request"
		case "time":
			v, err := d.stringValue("time")
			if err != nil {
				valueErr = err
				break
			}
			sec, nsec, ok := parseRFC3339(v)
			if !ok {
				valueErr = fmt.Errorf("bad \"time\" %q", v)
				break
			}
			r.Sec, r.Nsec, haveTime = sec, nsec, true
		case "status":
			n, err := d.intValue("status")
			if err != nil {
				valueErr = err
				break
			}
			r.Status = int(n)
		case "bytes":
			n, err := d.intValue("bytes")
			if err == nil && n < 0 {
				err = fmt.Errorf("\"bytes\" is negative: %d", n) // parse never writes one: a size is 0 or more
			}
			if err != nil {
				valueErr = err
				break
			}
			r.Bytes = n
		case "offset":
			n, err := d.intValue("offset")
			if err == nil && n < 0 {
				err = fmt.Errorf("\"offset\" is negative: %d", n)
			}
			if err != nil {
				valueErr = err
				break
			}
			r.Offset = n
		default:
			dst := r.field(key)
			if dst == nil {
				if err := d.skipValue(0); err != nil {
					return "", err
				}
				break
			}
			if d.pos < len(line) && line[d.pos] == 'n' {
				if err := d.skipValue(0); err != nil {
					return "", err
				}
				break
			}
			if d.pos >= len(line) || line[d.pos] != '"' {
				// Not stringValue(string(key)): the error would make
				// the string escape, and allocate for every key.
				valueErr = fmt.Errorf("%q is not a string", key)
				break
			}
			v, err := d.string()
			if err != nil {
				return "", err
			}
			if v == nil {
				v = []byte{}
			}
			*dst = v
		}
		if valueErr != nil {
			// Other record types use some of these names for other
			// values ("status" is an object in a summary), and the type
			// may come last: keep the first error for the end, where it
			// counts only for a request, and check the value as any JSON.
			if fieldErr == nil {
				fieldErr = valueErr
			}
			d.pos = valueStart
			if err := d.skipValue(0); err != nil {
				return "", err
			}
		}
		d.skipSpace()
		if d.consume(',') {
			continue
		}
		if d.consume('}') {
			break
		}
		return "", d.errorf("expected ',' or '}'")
	}
	d.skipSpace()
	if d.pos != len(line) {
		return "", d.errorf("text after the record")
	}
	if typBytes == nil {
		return "", errors.New(`record has no "type"`)
	}
	if isRequest && fieldErr != nil {
		return "request", fieldErr
	}
	if isRequest && !haveTime {
		return "request", errors.New(`request record has no "time"`)
	}
	if isRequest && r.File == nil {
		r.Offset = 0 // an offset means nothing without its file
	}
	if isRequest {
		return "request", nil // a constant: string(typBytes) would allocate
	}
	return string(typBytes), nil
}

// field maps a JSON name of a string field to the Request field.
func (r *Request) field(name []byte) *[]byte {
	switch string(name) {
	case "remote":
		return &r.Remote
	case "user":
		return &r.User
	case "method":
		return &r.Method
	case "path":
		return &r.Path
	case "section":
		return &r.Section
	case "protocol":
		return &r.Protocol
	case "request":
		return &r.Request
	case "referer":
		return &r.Referer
	case "agent":
		return &r.Agent
	case "vhost":
		return &r.VHost
	case "file_id":
		return &r.File
	}
	return nil
}

func (d *Decoder) errorf(format string, args ...any) error {
	return fmt.Errorf("invalid JSON at column %d: %s", d.pos+1, fmt.Sprintf(format, args...))
}

func (d *Decoder) skipSpace() {
	// Inlined fast path: logmon's own records have no spaces between
	// tokens.
	if d.pos < len(d.line) && d.line[d.pos] > ' ' {
		return
	}
	d.skipSpaces()
}

func (d *Decoder) skipSpaces() {
	for d.pos < len(d.line) {
		switch d.line[d.pos] {
		case ' ', '\t', '\r', '\n':
			d.pos++
		default:
			return
		}
	}
}

func (d *Decoder) consume(c byte) bool {
	if d.pos < len(d.line) && d.line[d.pos] == c {
		d.pos++
		return true
	}
	return false
}

func (d *Decoder) stringValue(name string) ([]byte, error) {
	if d.pos >= len(d.line) || d.line[d.pos] != '"' {
		return nil, fmt.Errorf("%q is not a string", name)
	}
	return d.string()
}

func (d *Decoder) intValue(name string) (int64, error) {
	line, i := d.line, d.pos
	neg := i < len(line) && line[i] == '-'
	if neg {
		i++
	}
	start := i
	var n uint64
	for ; i < len(line) && '0' <= line[i] && line[i] <= '9'; i++ {
		if n > math.MaxInt64/10+1 {
			n = math.MaxUint64 // far out of range: stop multiplying, keep reading
			continue
		}
		n = n*10 + uint64(line[i]-'0')
	}
	d.pos = i
	limit := uint64(math.MaxInt64)
	if neg {
		limit++
	}
	digits := i - start
	leadingZero := digits > 1 && line[start] == '0' // not JSON
	if digits == 0 || n > limit || leadingZero || (i < len(line) && isNumberTail(line[i])) {
		return 0, fmt.Errorf("%q is not an integer", name)
	}
	if neg {
		return int64(-n), nil
	}
	return int64(n), nil
}

func isNumberTail(c byte) bool { return c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-' }

// string reads a JSON string at d.pos and returns its unescaped bytes:
// a slice of the line when it has no escapes, else of the scratch buffer.
func (d *Decoder) string() ([]byte, error) {
	if !d.consume('"') {
		return nil, d.errorf("expected a string")
	}
	start := d.pos
	d.pos = stringEnd(d.line, d.pos)
	if d.pos == len(d.line) {
		return nil, d.errorf("unterminated string")
	}
	switch c := d.line[d.pos]; {
	case c == '"':
		s := d.line[start:d.pos]
		d.pos++
		return s, nil
	case c == '\\':
		return d.escapedString(start)
	default:
		return nil, d.errorf("control character in string")
	}
}

func (d *Decoder) escapedString(start int) ([]byte, error) {
	out := len(d.scratch)
	d.scratch = append(d.scratch, d.line[start:d.pos]...)
	for d.pos < len(d.line) {
		c := d.line[d.pos]
		switch {
		case c == '"':
			d.pos++
			return d.scratch[out:len(d.scratch):len(d.scratch)], nil
		case c < 0x20:
			return nil, d.errorf("control character in string")
		case c != '\\':
			d.scratch = append(d.scratch, c)
			d.pos++
			continue
		}
		d.pos++
		if d.pos >= len(d.line) {
			break
		}
		e := d.line[d.pos]
		d.pos++
		switch e {
		case '"', '\\', '/':
			d.scratch = append(d.scratch, e)
		case 'b':
			d.scratch = append(d.scratch, '\b')
		case 'f':
			d.scratch = append(d.scratch, '\f')
		case 'n':
			d.scratch = append(d.scratch, '\n')
		case 'r':
			d.scratch = append(d.scratch, '\r')
		case 't':
			d.scratch = append(d.scratch, '\t')
		case 'u':
			r, ok := d.hex4()
			if !ok {
				return nil, d.errorf(`bad \u escape`)
			}
			if utf16IsSurrogate(r) {
				// A high surrogate followed by a low one is one rune;
				// anything else is invalid and becomes U+FFFD.
				if r < 0xDC00 && d.pos+1 < len(d.line) && d.line[d.pos] == '\\' && d.line[d.pos+1] == 'u' {
					save := d.pos
					d.pos += 2
					if r2, ok := d.hex4(); ok && r2 >= 0xDC00 && r2 < 0xE000 {
						r = 0x10000 + (r-0xD800)<<10 + (r2 - 0xDC00)
					} else {
						d.pos = save
						r = utf8.RuneError
					}
				} else {
					r = utf8.RuneError
				}
			}
			d.scratch = utf8.AppendRune(d.scratch, r)
		default:
			return nil, d.errorf("bad escape %q", []byte{'\\', e})
		}
	}
	return nil, d.errorf("unterminated string")
}

func utf16IsSurrogate(r rune) bool { return r >= 0xD800 && r < 0xE000 }

func (d *Decoder) hex4() (rune, bool) {
	if d.pos+4 > len(d.line) {
		return 0, false
	}
	var r rune
	for _, c := range d.line[d.pos : d.pos+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	d.pos += 4
	return r, true
}

// skipValue checks and skips any JSON value.
func (d *Decoder) skipValue(depth int) error {
	if depth > MaxDepth {
		return d.errorf("nested deeper than %d", MaxDepth)
	}
	if d.pos >= len(d.line) {
		return d.errorf("expected a value")
	}
	switch c := d.line[d.pos]; {
	case c == '"':
		_, err := d.string()
		return err
	case c == '{' || c == '[':
		end := byte('}')
		if c == '[' {
			end = ']'
		}
		d.pos++
		d.skipSpace()
		if d.consume(end) {
			return nil
		}
		for {
			d.skipSpace()
			if c == '{' {
				if _, err := d.string(); err != nil {
					return err
				}
				d.skipSpace()
				if !d.consume(':') {
					return d.errorf("expected ':' after object key")
				}
				d.skipSpace()
			}
			if err := d.skipValue(depth + 1); err != nil {
				return err
			}
			d.skipSpace()
			if d.consume(',') {
				continue
			}
			if d.consume(end) {
				return nil
			}
			return d.errorf("expected ',' or '%c'", end)
		}
	case c == 't':
		return d.literal("true")
	case c == 'f':
		return d.literal("false")
	case c == 'n':
		return d.literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		return d.number()
	default:
		return d.errorf("unexpected character %q", c)
	}
}

func (d *Decoder) literal(s string) error {
	if len(d.line)-d.pos >= len(s) && string(d.line[d.pos:d.pos+len(s)]) == s {
		d.pos += len(s)
		return nil
	}
	return d.errorf("expected %s", s)
}

// number checks the JSON number grammar.
func (d *Decoder) number() error {
	digits := func() int {
		n := 0
		for d.pos < len(d.line) && d.line[d.pos] >= '0' && d.line[d.pos] <= '9' {
			d.pos++
			n++
		}
		return n
	}
	d.consume('-')
	if d.consume('0') {
		// no leading zeros
	} else if digits() == 0 {
		return d.errorf("bad number")
	}
	if d.consume('.') && digits() == 0 {
		return d.errorf("bad number")
	}
	if d.consume('e') || d.consume('E') {
		if !d.consume('+') {
			d.consume('-')
		}
		if digits() == 0 {
			return d.errorf("bad number")
		}
	}
	return nil
}

// parseRFC3339 reads the times logmon writes ("2006-01-02T15:04:05Z",
// optionally with a fraction) quickly, and any other RFC 3339 time
// through the time package.
func parseRFC3339(b []byte) (sec int64, nsec int32, ok bool) {
	if len(b) == 20 && b[19] == 'Z' && b[4] == '-' && b[7] == '-' && b[10] == 'T' && b[13] == ':' && b[16] == ':' {
		y, ok1 := atoiN(b[0:4])
		mo, ok2 := atoiN(b[5:7])
		d, ok3 := atoiN(b[8:10])
		h, ok4 := atoiN(b[11:13])
		mi, ok5 := atoiN(b[14:16])
		s, ok6 := atoiN(b[17:19])
		if ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && validDate(y, mo, d) && h < 24 && mi < 60 && s < 60 {
			return unixSeconds(y, mo, d, h, mi, s), 0, true
		}
		return 0, 0, false
	}
	t, err := time.Parse(time.RFC3339Nano, string(b))
	if err != nil {
		return 0, 0, false
	}
	if y := t.UTC().Year(); y < 1 || y > 9999 {
		return 0, 0, false // could not be written back as RFC 3339
	}
	return t.Unix(), int32(t.Nanosecond()), true
}

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
