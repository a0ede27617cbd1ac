// Package parse turns raw access-log lines into request events and
// reads and writes those events as JSON records.
//
// The Request struct is the wire contract of the "request" record; its
// JSON names are documented in the README. Its byte-slice fields point
// into the buffer the line was parsed from (or into the decoder's scratch
// buffer) and stay valid only until the next line is parsed: a consumer
// that keeps a field copies it.
package parse

import (
	"strconv"
	"time"
)

// Request is one HTTP request taken from a log line.
// A nil slice field means "the line does not have it" and is left out of
// the JSON record.
type Request struct {
	Sec  int64 // event time, Unix seconds (UTC)
	Nsec int32 // fraction of the second, only when the log has one

	Remote   []byte // client address or host name (%h)
	User     []byte // authenticated user (%u), nil when "-"
	Method   []byte
	Path     []byte // request target as logged
	Section  []byte // first path segment of the target, see Section
	Protocol []byte
	Request  []byte // the raw request line, only when it is not "METHOD TARGET [PROTOCOL]"
	Status   int    // HTTP status, 100..999
	Bytes    int64  // response size; "-" is 0
	Referer  []byte
	Agent    []byte
	VHost    []byte // virtual host (vhost_combined), nil otherwise

	// Where the line came from, when it was read from a followed file
	// (logmon parse --follow): the file's identity (a fingerprint of its
	// first line, see package follow) and the byte offset of the line's
	// start in it. File is nil for lines read from standard input.
	File   []byte
	Offset int64
}

// Time returns the event time as a time.Time in UTC.
func (r *Request) Time() time.Time { return time.Unix(r.Sec, int64(r.Nsec)).UTC() }

// Reset clears r for reuse without freeing anything.
func (r *Request) Reset() { *r = Request{} }

// AppendTime appends t as RFC 3339 in UTC with a Z: whole seconds, or
// with the fraction when nsec is not zero (trailing zeros dropped).
// It is the one time format of every logmon record, and writes what
// time.Time.AppendFormat(b, time.RFC3339Nano) writes, by hand for the
// years 0 to 9999: the parse stage writes one per line, and the general
// formatter takes about 60 ns of the 200 ns a line costs.
func AppendTime(b []byte, sec int64, nsec int32) []byte {
	if sec < year0 || sec >= year10000 || nsec < 0 || nsec >= 1e9 {
		return time.Unix(sec, int64(nsec)).UTC().AppendFormat(b, time.RFC3339Nano)
	}
	days, rem := (sec-year0)/86400, (sec-year0)%86400
	y, m, d := civil(days)
	b = append(b,
		byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
		byte('0'+m/10), byte('0'+m%10), '-', byte('0'+d/10), byte('0'+d%10), 'T')
	h, mi, s := rem/3600, rem/60%60, rem%60
	b = append(b, byte('0'+h/10), byte('0'+h%10), ':', byte('0'+mi/10), byte('0'+mi%10), ':', byte('0'+s/10), byte('0'+s%10))
	if nsec != 0 {
		var frac [10]byte
		frac[0] = '.'
		n := int(nsec)
		for i := 9; i >= 1; i-- {
			frac[i] = byte('0' + n%10)
			n /= 10
		}
		end := 10
		for frac[end-1] == '0' {
			end--
		}
		b = append(b, frac[:end]...)
	}
	return append(b, 'Z')
}

// year0 and year10000 are the Unix seconds of 0000-01-01 and 10000-01-01
// UTC: the years AppendTime writes by hand.
const (
	year0     = -62167219200
	year10000 = 253402300800
)

// civil returns the date of the day days after 0000-01-01 (proleptic
// Gregorian), by Howard Hinnant's days_from_civil inverse: the year is
// counted from March, so that the leap day comes last.
func civil(days int64) (y, m, d int64) {
	z := days - 60 // days since 0000-03-01
	era := z / 146097
	if z < 0 {
		era = (z - 146096) / 146097
	}
	doe := z - era*146097                                  // [0, 146096]
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365 // [0, 399]
	doy := doe - (365*yoe + yoe/4 - yoe/100)               // [0, 365]
	mp := (5*doy + 2) / 153                                // [0, 11], March first
	d = doy - (153*mp+2)/5 + 1
	m = mp + 3
	if m > 12 {
		m -= 12
	}
	y = yoe + era*400
	if m <= 2 {
		y++
	}
	return y, m, d
}

// AppendJSON appends r as one JSON object (no newline) to b.
// It is written by hand rather than with encoding/json: the parse stage
// writes one of these per input line and reflection would cost several
// times the parse itself.
func (r *Request) AppendJSON(b []byte) []byte {
	b = append(b, `{"type":"request","time":"`...)
	b = AppendTime(b, r.Sec, r.Nsec)
	b = append(b, '"')
	b = appendField(b, `,"vhost":`, r.VHost)
	b = appendField(b, `,"remote":`, r.Remote)
	b = appendField(b, `,"user":`, r.User)
	b = appendField(b, `,"method":`, r.Method)
	b = appendField(b, `,"path":`, r.Path)
	b = appendField(b, `,"section":`, r.Section)
	b = appendField(b, `,"protocol":`, r.Protocol)
	b = appendField(b, `,"request":`, r.Request)
	b = append(b, `,"status":`...)
	b = strconv.AppendInt(b, int64(r.Status), 10)
	b = append(b, `,"bytes":`...)
	b = strconv.AppendInt(b, r.Bytes, 10)
	b = appendField(b, `,"referer":`, r.Referer)
	b = appendField(b, `,"agent":`, r.Agent)
	if r.File != nil {
		b = appendField(b, `,"file_id":`, r.File)
		b = append(b, `,"offset":`...)
		b = strconv.AppendInt(b, r.Offset, 10)
	}
	return append(b, '}')
}

// appendField appends `,"name":` and v as a JSON string, unless v is nil.
func appendField(b []byte, key string, v []byte) []byte {
	if v == nil {
		return b
	}
	b = append(b, key...)
	return AppendString(b, v)
}
