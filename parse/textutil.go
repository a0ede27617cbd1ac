package parse

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/bits"
	"strconv"
)

// Helpers shared by the text formats other than Common/Combined: numbers
// with a fraction (durations), addresses with a port, whitespace-split
// fields.

// pow10 are the powers of ten a float64 holds exactly, pow10i those an
// int64 holds.
var (
	pow10  = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}
	pow10i = [...]int64{1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18}
)

// fixedDecimal reads an unsigned decimal number with an optional
// fraction ("12", "0.000073") as a float64. With at most 15 digits, the
// number is an integer below 2^53 divided by an exact power of ten, and
// one IEEE division of two exact values is correctly rounded, so the
// result is exactly strconv.ParseFloat's, at a tenth of its cost and
// without converting to a string. Longer numbers go to strconv.
func fixedDecimal(b []byte) (float64, bool) {
	if len(b) == 0 || b[0] == '.' || b[len(b)-1] == '.' {
		return 0, false
	}
	var n uint64
	digits, frac := 0, -1
	for _, c := range b {
		switch {
		case '0' <= c && c <= '9':
			n = n*10 + uint64(c-'0')
			digits++
			if frac >= 0 {
				frac++
			}
		case c == '.' && frac < 0:
			frac = 0
		default:
			return 0, false
		}
	}
	if digits > 15 {
		v, err := strconv.ParseFloat(string(b), 64)
		return v, err == nil
	}
	if frac <= 0 {
		return float64(n), true
	}
	return float64(n) / pow10[frac], true
}

// loggedSeconds reads a duration in the unit scale says (1 for seconds, 1000
// for milliseconds) as seconds. A logged time of -1 (HAProxy, AWS: no
// such time) is none: ok with timed false.
func loggedSeconds(b []byte, scale float64) (v float64, timed, ok bool) {
	if len(b) == 2 && b[0] == '-' && b[1] == '1' {
		return 0, false, true
	}
	v, ok = fixedDecimal(b)
	if !ok {
		return 0, false, false
	}
	if scale != 1 {
		v /= scale
	}
	return v, true, true
}

// hostOfAddr returns the address of "address:port": "192.0.2.1:80" ->
// "192.0.2.1", "[2001:db8::1]:80" -> "2001:db8::1", and for an IPv6
// address without brackets the part before the last colon, as AWS logs
// it. ok is false when there is no port.
func hostOfAddr(b []byte) (host []byte, ok bool) {
	c := bytes.LastIndexByte(b, ':')
	if c <= 0 || c == len(b)-1 {
		return nil, false
	}
	if _, ok := atoiN(b[c+1:]); !ok {
		return nil, false
	}
	host = b[:c:c]
	if len(host) > 2 && host[0] == '[' && host[len(host)-1] == ']' {
		host = host[1 : len(host)-1 : len(host)-1]
	}
	return host, true
}

// isBlank reports whether c separates the fields of a W3C line.
func isBlank(c byte) bool { return c == ' ' || c == '\t' }

// blankEnd returns the index of the first space or tab at or after i, or
// len(line).
func blankEnd(line []byte, i int) int {
	for ; i < len(line); i++ {
		if isBlank(line[i]) {
			return i
		}
	}
	return len(line)
}

// skipBlanks skips spaces and tabs from i.
func skipBlanks(line []byte, i int) int {
	for i < len(line) && isBlank(line[i]) {
		i++
	}
	return i
}

// dashNil returns nil for "-", else b: a field not logged.
func dashNil(b []byte) []byte {
	if isDash(b) {
		return nil
	}
	return b
}

// authority returns the host[:port] of an absolute-form request target
// ("http://www.example.com:80/a" -> "www.example.com:80"), as AWS load
// balancers log it; nil for an origin-form target ("/a").
func authority(target []byte) []byte {
	i := 0
	for i < len(target) && isSchemeChar(target[i], i) {
		i++
	}
	if i == 0 || len(target)-i < 3 || target[i] != ':' || target[i+1] != '/' || target[i+2] != '/' {
		return nil
	}
	host := target[i+3:]
	for k, c := range host {
		if c == '/' || c == '?' || c == '#' {
			host = host[:k]
			break
		}
	}
	if len(host) == 0 {
		return nil
	}
	return host[:len(host):len(host)]
}

// joinQuery returns stem?query in p's scratch buffer (W3C logs the path
// and the query apart); stem itself when there is no query.
func (p *Parser) joinQuery(stem, query []byte) []byte {
	if query == nil || isDash(query) {
		return stem
	}
	from := len(p.scratch)
	p.scratch = append(p.scratch, stem...)
	p.scratch = append(p.scratch, '?')
	p.scratch = append(p.scratch, query...)
	n := len(p.scratch)
	return p.scratch[from:n:n]
}

// fieldEnd returns the index of the first sep at or after i, or
// len(line): its first 32 bytes looked at 8 at a time (SWAR, as strEnd
// does: most fields are shorter, and a call to bytes.IndexByte costs
// more than that; one byte at a time, fieldEnd and IndexByte took a
// third of an S3 or ALB line), the rest with bytes.IndexByte (S3's
// 64-digit IDs, user agents, AWS's resource names).
func fieldEnd(line []byte, i int, sep byte) int {
	pat := swarLSB * uint64(sep)
	j := i
	for ; j+8 <= len(line); j += 8 {
		if j-i == 32 {
			return longFieldEnd(line, j, sep)
		}
		// A byte of x is zero where line has sep: x-lsb &^ x sets its
		// top bit there, maybe above it too (a borrow), never below.
		x := binary.LittleEndian.Uint64(line[j:]) ^ pat
		if m := (x - swarLSB) &^ x & swarMSB; m != 0 {
			return j + bits.TrailingZeros64(m)>>3
		}
	}
	for ; j < len(line); j++ {
		if line[j] == sep {
			return j
		}
	}
	return len(line)
}

// spaceEnd is fieldEnd(line, i, ' ') with a field of one byte ("-",
// S3's and AWS's empty field) found before the call to fieldEnd, whose
// setup costs more than such a field: S3 has six of them a line (its
// parse 4 to 8 % faster).
func spaceEnd(line []byte, i int) int {
	if i+1 < len(line) && line[i+1] == ' ' && line[i] != ' ' {
		return i + 1
	}
	return fieldEnd(line, i, ' ')
}

// longFieldEnd is fieldEnd past the field's first 16 bytes.
func longFieldEnd(line []byte, i int, sep byte) int {
	if k := bytes.IndexByte(line[i:], sep); k >= 0 {
		return i + k
	}
	return len(line)
}

// next is nextField with its common case first: one space, then the
// field, without building the error messages' arguments.
func next(line []byte, i int, prev, name string) (int, *LineError) {
	if i+1 < len(line) && line[i] == ' ' && line[i+1] != ' ' {
		return i + 1, nil
	}
	return nextField(line, i, prev, name)
}

// uintField reads a field of 1 to 18 digits at line[i:] in one pass: its
// value and its end, when the field is that and ends at a space or at the
// end of the line; ok false for anything else, which the caller reads
// the general way (fieldEnd, then parseStatus, parseSize...), its errors
// included. Finding the end and then reading the digits was two passes
// over each of the numbers read, six on an ALB line, three on an S3
// line: in one, 12 % fewer CPU samples in alb's parse, 9 % in s3's.
func uintField(line []byte, i int) (n int64, end int, ok bool) {
	j := i
	for ; j < len(line) && j-i < 18; j++ {
		d := line[j] - '0'
		if d > 9 {
			break
		}
		n = n*10 + int64(d)
	}
	if j == i || j < len(line) && line[j] != ' ' {
		return 0, 0, false
	}
	return n, j, true
}

// statusField is uintField for a status: exactly three digits, 100 to
// 999, as parseStatus reads it; ok false for anything else.
func statusField(line []byte, i int) (status, end int, ok bool) {
	if i+3 > len(line) || i+3 < len(line) && line[i+3] != ' ' {
		return 0, 0, false
	}
	a, b, c := line[i]-'0', line[i+1]-'0', line[i+2]-'0'
	if a-1 > 8 || b > 9 || c > 9 {
		return 0, 0, false
	}
	return int(a)*100 + int(b)*10 + int(c), i + 3, true
}

// nanosField is uintField for a time in seconds with one to nine
// decimals and at most nine digits before the point (AWS's 0.000073):
// its value in nanoseconds, exactly, in one pass; ok false for anything
// else (-1 included), read the general way (secondsNanos).
func nanosField(line []byte, i int) (ns int64, end int, ok bool) {
	var n uint64
	j, frac := i, -1
	for ; j < len(line) && j-i < 19; j++ {
		c := line[j]
		switch {
		case '0' <= c && c <= '9':
			n = n*10 + uint64(c-'0')
		case c == '.' && frac < 0 && j > i && j-i <= 9:
			frac = j
		default:
			goto done
		}
	}
done:
	if frac < 0 || j-frac-1 < 1 || j-frac-1 > 9 || j < len(line) && line[j] != ' ' {
		return 0, 0, false
	}
	return int64(n) * pow10i[9-(j-frac-1)], j, true
}

// secondsNanos reads a time in seconds (the whole field: "0", "0.5",
// "12.000073") in nanoseconds: exact up to nine decimals, rounded to the
// nanosecond past them. A time of -1 is none, as for loggedSeconds: ok
// with timed false. ok is false for anything else but a decimal number
// of less than 10^9 seconds.
func secondsNanos(b []byte) (ns int64, timed, ok bool) {
	if len(b) == 2 && b[0] == '-' && b[1] == '1' {
		return 0, false, true
	}
	if ns, end, ok := nanosField(b, 0); ok && end == len(b) {
		return ns, true, true
	}
	if n, ok := atoiN(b); ok && len(b) > 0 && len(b) <= 9 {
		return int64(n) * 1e9, true, true // no fraction
	}
	v, ok := fixedDecimal(b)
	if !ok || v >= 1e9 {
		return 0, false, false
	}
	return int64(math.Round(v * 1e9)), true, true // more than nine decimals
}
