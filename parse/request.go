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
// It is the one time format of every logmon record.
func AppendTime(b []byte, sec int64, nsec int32) []byte {
	return time.Unix(sec, int64(nsec)).UTC().AppendFormat(b, time.RFC3339Nano)
}

// AppendJSON appends r as one JSON object (no newline) to b.
// It is written by hand rather than with encoding/json: the parse stage
// writes one of these per input line and reflection would cost several
// times the parse itself.
func (r *Request) AppendJSON(b []byte) []byte {
	b = append(b, `{"type":"request","time":"`...)
	b = AppendTime(b, r.Sec, r.Nsec)
	b = append(b, '"')
	b = appendField(b, "vhost", r.VHost)
	b = appendField(b, "remote", r.Remote)
	b = appendField(b, "user", r.User)
	b = appendField(b, "method", r.Method)
	b = appendField(b, "path", r.Path)
	b = appendField(b, "section", r.Section)
	b = appendField(b, "protocol", r.Protocol)
	b = appendField(b, "request", r.Request)
	b = append(b, `,"status":`...)
	b = strconv.AppendInt(b, int64(r.Status), 10)
	b = append(b, `,"bytes":`...)
	b = strconv.AppendInt(b, r.Bytes, 10)
	b = appendField(b, "referer", r.Referer)
	b = appendField(b, "agent", r.Agent)
	if r.File != nil {
		b = appendField(b, "file_id", r.File)
		b = append(b, `,"offset":`...)
		b = strconv.AppendInt(b, r.Offset, 10)
	}
	return append(b, '}')
}

func appendField(b []byte, name string, v []byte) []byte {
	if v == nil {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return AppendString(b, v)
}
