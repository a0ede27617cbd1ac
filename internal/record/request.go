package record

import (
	"errors"
	"fmt"
	"strconv"
)

// Request is the "request" record: one HTTP request taken from a log line.
// A nil slice field means "the line does not have it" and is left out of
// the JSON record.
//
// Its byte-slice fields point into the buffer the line was parsed from
// (or into the decoder's scratch buffer) and stay valid only until the
// next line is parsed: a consumer that keeps a field copies it.
type Request struct {
	Sec  int64 // event time, Unix seconds (UTC)
	Nsec int32 // fraction of the second, only when the log has one

	Remote   []byte // client address or host name (%h)
	User     []byte // authenticated user (%u), nil when "-"
	Method   []byte
	Path     []byte // request target as logged
	Section  []byte // first path segment of the target, see parse.Section
	Protocol []byte
	Request  []byte // the raw request line, only when it is not "METHOD TARGET [PROTOCOL]"
	Status   int    // HTTP status, 100..999; 0: none logged ("-", an aborted request)
	Bytes    int64  // response size; "-" is 0
	Referer  []byte
	Agent    []byte
	VHost    []byte // the virtual host or server name, from a format that logs one

	// Latency and what stood behind the server, from the formats that log
	// them (README, "Request records"). A duration is in seconds whatever
	// unit the format uses; Timed says there is one (a logged 0 is a time).
	Duration         float64
	Timed            bool
	UpstreamStatus   int     // the upstream's (backend's) status; 0: none logged
	UpstreamDuration float64 // the upstream's time, seconds, when UpstreamTimed
	UpstreamTimed    bool
	Forwarded        []byte // the X-Forwarded-For header as logged

	// Where the line came from, when it was read from a followed file
	// (logmon parse --follow): the file's identity (a fingerprint of its
	// first line, see package follow) and the byte offset of the line's
	// start in it. File is nil for lines read from standard input.
	File   []byte
	Offset int64

	// Keys are hashes of Path, Agent and Referer, when Hashed: filled on
	// the goroutine that parses, before the request is handed on, by a
	// stage that counts by them (input.Config.Prepare; logmon report's
	// tables). They are never encoded.
	Keys   [3]uint64
	Hashed bool
}

// Reset clears r for reuse without freeing anything.
func (r *Request) Reset() { *r = Request{} }

// Size is how many bytes r's byte fields hold: what CopyTo appends.
func (r *Request) Size() int {
	n := 0
	for _, f := range r.bytes() {
		n += len(*f)
	}
	return n
}

// CopyTo returns a copy of r whose byte fields are copies appended to buf
// (for a request kept past its line's batch), and buf grown by them. With
// room for Size() more bytes in buf, the fields of requests copied into
// it before stay where they are.
func (r *Request) CopyTo(buf []byte) (Request, []byte) {
	c := *r
	for _, f := range c.bytes() {
		if *f != nil {
			n := len(buf)
			buf = append(buf, *f...)
			*f = buf[n:len(buf):len(buf)]
		}
	}
	return c, buf
}

// bytes are r's byte fields: a field added to Request is added here, or
// TestEveryByteFieldCopied fails.
func (r *Request) bytes() [12]*[]byte {
	return [...]*[]byte{&r.Remote, &r.User, &r.Method, &r.Path, &r.Section, &r.Protocol, &r.Request, &r.Referer, &r.Agent, &r.VHost, &r.Forwarded, &r.File}
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
	if r.Status != 0 {
		b = append(b, `,"status":`...)
		b = strconv.AppendInt(b, int64(r.Status), 10)
	}
	b = append(b, `,"bytes":`...)
	b = strconv.AppendInt(b, r.Bytes, 10)
	b = appendField(b, `,"referer":`, r.Referer)
	b = appendField(b, `,"agent":`, r.Agent)
	if r.Timed {
		b = append(b, `,"duration":`...)
		b = appendFloat(b, r.Duration)
	}
	if r.UpstreamStatus != 0 {
		b = append(b, `,"upstream_status":`...)
		b = strconv.AppendInt(b, int64(r.UpstreamStatus), 10)
	}
	if r.UpstreamTimed {
		b = append(b, `,"upstream_duration":`...)
		b = appendFloat(b, r.UpstreamDuration)
	}
	b = appendField(b, `,"forwarded_for":`, r.Forwarded)
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
	case "forwarded_for":
		return &r.Forwarded
	case "file_id":
		return &r.File
	}
	return nil
}

// Record decodes one JSON record line and returns its type: the one
// place a record's type is read. When the type is TypeRequest it fills
// r; for any other type the line is only checked to be a valid JSON
// object, so that a stage can pass it through unchanged (and a text sink
// decode it with Summary or Alert). The slices in r are valid until the
// next call. It allocates nothing for a typical request record: its
// fields are read in this one pass, while the type, which may come last,
// is not known yet.
func (d *Decoder) Record(line []byte, r *Request) (typ Type, err error) {
	r.Reset()
	if plainObject(line) {
		return TypeOther, ErrNoType // a JSON access log's line, told at a third of the cost
	}
	return d.record(line, r)
}

// record is Record the long way.
func (d *Decoder) record(line []byte, r *Request) (typ Type, err error) {
	if err := d.begin(line); err != nil {
		return TypeOther, err
	}
	haveType, haveTime := false, false
	var fieldErr error // the first request field of the wrong type
	d.skipSpace()
	if d.consume('}') {
		return TypeOther, ErrNoType
	}
	for {
		d.skipSpace()
		key, err := d.string()
		if err != nil {
			return TypeOther, err
		}
		d.skipSpace()
		if !d.consume(':') {
			return TypeOther, d.errorf("expected ':' after object key")
		}
		d.skipSpace()
		valueStart := d.pos
		var valueErr error   // a value unfit for the request field of this name
		switch string(key) { // no allocation: the compiler compares in place
		case "type":
			v, err := d.stringValue("type")
			if err != nil {
				return TypeOther, err
			}
			typ, haveType = typeOf(v), true
		case "time":
			v, err := d.stringValue("time")
			if err != nil {
				valueErr = err
				break
			}
			sec, nsec, ok := ParseTime(v)
			if !ok {
				valueErr = fmt.Errorf("bad \"time\" %q", v)
				break
			}
			r.Sec, r.Nsec, haveTime = sec, nsec, true
		case "status":
			valueErr = d.statusValue("status", &r.Status)
		case "upstream_status":
			valueErr = d.statusValue("upstream_status", &r.UpstreamStatus)
		case "duration":
			valueErr = d.durationValue("duration", &r.Duration, &r.Timed)
		case "upstream_duration":
			valueErr = d.durationValue("upstream_duration", &r.UpstreamDuration, &r.UpstreamTimed)
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
			if dst == nil || d.null() {
				if dst == nil {
					if err := d.skipValue(0); err != nil {
						return TypeOther, err
					}
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
				return TypeOther, err
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
				return TypeOther, err
			}
		}
		d.skipSpace()
		if d.consume(',') {
			continue
		}
		if d.consume('}') {
			break
		}
		return TypeOther, d.errorf("expected ',' or '}'")
	}
	if err := d.finish(); err != nil {
		return TypeOther, err
	}
	switch {
	case !haveType:
		return TypeOther, ErrNoType
	case typ != TypeRequest:
		return typ, nil
	case fieldErr != nil:
		return typ, fieldErr
	case !haveTime:
		return typ, errors.New(`request record has no "time"`)
	}
	if r.File == nil {
		r.Offset = 0 // an offset means nothing without its file
	}
	return typ, nil
}

// statusValue reads a status at d.pos into *dst: null, like a status left
// out, is none (0).
func (d *Decoder) statusValue(name string, dst *int) error {
	if d.null() {
		return nil
	}
	n, err := d.intValue(name)
	if err != nil {
		return err
	}
	*dst = int(n)
	return nil
}

// durationValue reads a duration in seconds at d.pos into *dst, and sets
// *timed, unless it is null.
func (d *Decoder) durationValue(name string, dst *float64, timed *bool) error {
	if d.null() {
		return nil
	}
	var f float64
	if err := d.floatField(name, &f); err != nil {
		return err
	}
	if f < 0 {
		return fmt.Errorf("%q is negative: %v", name, f)
	}
	*dst, *timed = f, true
	return nil
}
