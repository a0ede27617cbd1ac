package record

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

const hexDigits = "0123456789abcdef"

// AppendString appends s as a JSON string: the one string encoder of
// every record. Invalid UTF-8 becomes U+FFFD, so the output is always
// valid UTF-8 and valid JSON whatever bytes the log held; '"', '\\' and
// control characters are escaped, every other character is written as
// it is (see the package doc for how this differs from encoding/json).
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

// Decoder reads JSON records (Record, Summary, Alert). It keeps a
// scratch buffer for unescaped strings, so decoding a typical request
// record allocates nothing.
type Decoder struct {
	// Keep, when set, keeps the strings of every request decoded valid
	// until Reset, rather than only until the next record: for a caller
	// that decodes a batch of lines ahead of using them (as
	// parse.Parser.Keep).
	Keep    bool
	scratch []byte
	line    []byte
	pos     int
}

// Reset lets the decoder reuse its scratch buffer (see Keep).
func (d *Decoder) Reset() { d.scratch = d.scratch[:0] }

// begin starts decoding line: it must open a JSON object.
func (d *Decoder) begin(line []byte) error {
	d.line, d.pos = line, 0
	if !d.Keep {
		d.scratch = d.scratch[:0]
	}
	d.skipSpace()
	if d.pos < len(line) && line[d.pos] == 0xEF && len(line) >= d.pos+3 && line[d.pos+1] == 0xBB && line[d.pos+2] == 0xBF {
		return d.errorf("byte order mark before the record")
	}
	if !d.consume('{') {
		return d.errorf("not a JSON object")
	}
	return nil
}

// finish checks that nothing but space follows the record.
func (d *Decoder) finish() error {
	d.skipSpace()
	if d.pos != len(d.line) {
		return d.errorf("text after the record")
	}
	return nil
}

// object decodes the record in line, a JSON object, calling member for
// each of its members with the key and d.pos at the value: member reads
// the value, or skips it with skipValue.
func (d *Decoder) object(line []byte, member func(key []byte) error) error {
	if err := d.begin(line); err != nil {
		return err
	}
	if err := d.members(0, member); err != nil {
		return err
	}
	return d.finish()
}

// members reads the members of the object whose '{' was just consumed
// (see object); depth is its nesting as skipValue counts it (0 for the
// record and for an object that is a member of the record).
func (d *Decoder) members(depth int, member func(key []byte) error) error {
	if depth > MaxDepth {
		return d.errorf("nested deeper than %d", MaxDepth)
	}
	d.skipSpace()
	if d.consume('}') {
		return nil
	}
	for {
		d.skipSpace()
		key, err := d.string()
		if err != nil {
			return err
		}
		d.skipSpace()
		if !d.consume(':') {
			return d.errorf("expected ':' after object key")
		}
		d.skipSpace()
		if err := member(key); err != nil {
			return err
		}
		d.skipSpace()
		if d.consume(',') {
			continue
		}
		if d.consume('}') {
			return nil
		}
		return d.errorf("expected ',' or '}'")
	}
}

// elements reads the JSON array of the field name at d.pos, calling
// element for each value with d.pos at it; depth is the array's nesting
// (0 for a member of the record).
func (d *Decoder) elements(name string, depth int, element func() error) error {
	if depth > MaxDepth {
		return d.errorf("nested deeper than %d", MaxDepth)
	}
	if !d.consume('[') {
		return fmt.Errorf("%q is not a list", name)
	}
	d.skipSpace()
	if d.consume(']') {
		return nil
	}
	for {
		d.skipSpace()
		if err := element(); err != nil {
			return err
		}
		d.skipSpace()
		if d.consume(',') {
			continue
		}
		if d.consume(']') {
			return nil
		}
		return d.errorf("expected ',' or ']'")
	}
}

// fields reads the JSON object of the field name at d.pos (see members).
func (d *Decoder) fields(name string, depth int, member func(key []byte) error) error {
	if !d.consume('{') {
		return fmt.Errorf("%q is not an object", name)
	}
	return d.members(depth, member)
}

// null reads a JSON null at d.pos, if there is one. A record's null
// leaves the field it names as it was (as encoding/json does): a
// decoder fills a zeroed record, so a null is an absent field.
func (d *Decoder) null() bool { return d.word("null") }

// word reads s at d.pos, if it is there.
func (d *Decoder) word(s string) bool {
	if len(d.line)-d.pos >= len(s) && string(d.line[d.pos:d.pos+len(s)]) == s {
		d.pos += len(s)
		return true
	}
	return false
}

// stringField reads the JSON string of the field name at d.pos into
// *dst, unless it is null.
func (d *Decoder) stringField(name string, dst *string) error {
	if d.null() {
		return nil
	}
	v, err := d.stringValue(name)
	if err == nil {
		*dst = string(v)
	}
	return err
}

// intField reads the JSON integer of the field name at d.pos into *dst,
// unless it is null.
func (d *Decoder) intField(name string, dst *int64) error {
	if d.null() {
		return nil
	}
	n, err := d.intValue(name)
	if err == nil {
		*dst = n
	}
	return err
}

// floatField reads the JSON number of the field name at d.pos into
// *dst, unless it is null.
func (d *Decoder) floatField(name string, dst *float64) error {
	if d.null() {
		return nil
	}
	start := d.pos
	if d.pos >= len(d.line) || (d.line[d.pos] != '-' && (d.line[d.pos] < '0' || d.line[d.pos] > '9')) {
		return fmt.Errorf("%q is not a number", name)
	}
	if err := d.number(); err != nil {
		return err
	}
	f, err := strconv.ParseFloat(string(d.line[start:d.pos]), 64)
	if err != nil {
		return fmt.Errorf("%q is out of range: %s", name, d.line[start:d.pos])
	}
	*dst = f
	return nil
}

// boolField reads the JSON true or false of the field name at d.pos into
// *dst, unless it is null.
func (d *Decoder) boolField(name string, dst *bool) error {
	switch {
	case d.null():
	case d.word("true"):
		*dst = true
	case d.word("false"):
		*dst = false
	default:
		return fmt.Errorf("%q is not true or false", name)
	}
	return nil
}

// timeField reads the RFC 3339 time of the field name at d.pos into
// *dst, unless it is null.
func (d *Decoder) timeField(name string, dst *time.Time) error {
	if d.null() {
		return nil
	}
	v, err := d.stringValue(name)
	if err != nil {
		return err
	}
	sec, nsec, ok := ParseTime(v)
	if !ok {
		return fmt.Errorf("bad %q %q", name, v)
	}
	*dst = time.Unix(sec, int64(nsec)).UTC()
	return nil
}

// appendFloat appends f as encoding/json writes a float64, so that the
// records it wrote stay the same bytes: the shortest decimal that reads
// back as f, in 'f' format for 1e-6 <= |f| < 1e21 and in 'e' format
// otherwise, with a one-digit exponent kept to one digit (1e-7, not
// 1e-07). JSON has no NaN or infinity: they are written as null, which
// no stage makes (encoding/json failed on them).
func appendFloat(b []byte, f float64) []byte {
	if b, ok := appendFixed9(b, f); ok {
		return b
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "null"...)
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		if n := len(b); b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// appendFixed9 is appendFloat's fast path for the numbers a request
// record mostly holds, durations such as 0.04 or 1.234567: 0, and f
// from 1e-6 (where the exponent form starts) up to 1e6 with at most 9
// decimals.
// It writes f as strconv.AppendFloat(b, f, 'f', -1, 64) does, byte for
// byte, and says false (writing nothing) for any other f. strconv's
// shortest formatting took about 70 ns a duration, a fifth of encoding a
// whole record; this takes about 10.
//
// Why it is exact: m is f*1e9 rounded, and float64(m)/1e9 is the float
// nearest to the decimal m/10^9 (m < 2^53 and 1e9 are exact, and IEEE
// division rounds correctly), which is what parsing that decimal gives.
// So when it equals f, m/10^9 reads back as f. Below 1e6 two floats are
// less than 1.2e-10 apart, so no other multiple of 10^-9 reads back as f:
// the shortest decimal that does, which strconv writes, has at most 9
// decimals only if it is m/10^9, and m/10^9 with its trailing zeros
// dropped is then that decimal. Otherwise (more decimals needed, or f*1e9
// rounded to a neighbour of m) the check fails and strconv writes f.
func appendFixed9(b []byte, f float64) ([]byte, bool) {
	neg := f < 0
	a := f
	if neg {
		a = -f
	}
	if !(a >= 1e-6 && a < 1e6) { // NaN too
		if f == 0 && !math.Signbit(f) {
			return append(b, '0'), true // ALB's 0.000, HAProxy's 0 ms
		}
		return b, false
	}
	m := uint64(a*1e9 + 0.5)
	if float64(m)/1e9 != a {
		return b, false
	}
	if neg {
		b = append(b, '-')
	}
	if whole := m / 1e9; whole < 10 {
		b = append(b, byte('0'+whole)) // most durations: no call of AppendUint
	} else {
		b = strconv.AppendUint(b, whole, 10)
	}
	frac := m % 1e9
	if frac == 0 {
		return b, true
	}
	return appendFraction(b, uint32(frac)), true
}

// appendFraction appends '.' and the 9 digits of frac, a number of
// nanoseconds from 1 to 999,999,999, less their trailing zeros: the
// fraction of a duration (appendFixed9) and of a time (AppendTime).
// The zeros are taken 8, 4, 2 and 1 at a time, the digits two at a time
// from a table, written in place: a zero and a digit at a time (chains
// of up to 9 divisions) into an array appended after (a call of
// memmove) took 17 ns for the duration 0.04 and 18.6 for 0.040609432
// (BenchmarkAppendFloat), this 9.9 and 15.2; a time to the microsecond
// 43.5 ns, this 36.5 (BenchmarkAppendTime).
func appendFraction(b []byte, frac uint32) []byte {
	n := 9
	if frac%1e8 == 0 {
		frac /= 1e8
		n -= 8
	}
	if frac%1e4 == 0 {
		frac /= 1e4
		n -= 4
	}
	if frac%100 == 0 {
		frac /= 100
		n -= 2
	}
	if frac%10 == 0 {
		frac /= 10
		n--
	}
	b = slices.Grow(b, n+1)
	at := len(b)
	b = b[:at+n+1]
	b[at] = '.'
	i := at + n
	for ; i-at >= 2; i -= 2 {
		q := frac / 100
		r := 2 * (frac - q*100)
		b[i-1], b[i] = digits2[r], digits2[r+1]
		frac = q
	}
	if i > at {
		b[i] = byte('0' + frac)
	}
	return b
}

// digits2 are the numbers from 00 to 99, two digits each.
const digits2 = "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"

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
		next, ok := 0, false
		if d.scratch, next, ok = AppendEscape(d.scratch, d.line, d.pos); !ok {
			if d.line[d.pos] == 'u' {
				return nil, d.errorf(`bad \u escape`)
			}
			return nil, d.errorf("bad escape %q", []byte{'\\', d.line[d.pos]})
		}
		d.pos = next
	}
	return nil, d.errorf("unterminated string")
}

// AppendEscape appends to dst what the JSON escape whose letter is at
// line[i] (just after its backslash) stands for, and returns the index
// after it; ok is false for a bad escape. A high surrogate followed by a
// low one is one rune; any other surrogate is invalid, U+FFFD. It is the
// one unescaping of the record decoder and of parse's JSON log reader.
func AppendEscape(dst, line []byte, i int) (out []byte, next int, ok bool) {
	e := line[i]
	i++
	switch e {
	case '"', '\\', '/':
		return append(dst, e), i, true
	case 'b':
		return append(dst, '\b'), i, true
	case 'f':
		return append(dst, '\f'), i, true
	case 'n':
		return append(dst, '\n'), i, true
	case 'r':
		return append(dst, '\r'), i, true
	case 't':
		return append(dst, '\t'), i, true
	case 'u':
		r, ok := hex4At(line, i)
		if !ok {
			return dst, i, false
		}
		i += 4
		if utf16IsSurrogate(r) {
			r2, ok := hex4At(line, i+2)
			if r < 0xDC00 && ok && line[i] == '\\' && line[i+1] == 'u' && 0xDC00 <= r2 && r2 < 0xE000 {
				r = 0x10000 + (r-0xD800)<<10 + (r2 - 0xDC00)
				i += 6
			} else {
				r = utf8.RuneError
			}
		}
		return utf8.AppendRune(dst, r), i, true
	}
	return dst, i, false
}

// hex4At reads the four hex digits at b[i:].
func hex4At(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[i : i+4] {
		switch {
		case '0' <= c && c <= '9':
			r = r<<4 | rune(c-'0')
		case 'a' <= c && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case 'A' <= c && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

func utf16IsSurrogate(r rune) bool { return r >= 0xD800 && r < 0xE000 }

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
	if d.word(s) {
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
