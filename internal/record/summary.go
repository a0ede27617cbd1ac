package record

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"time"
)

// Summary is the "summary" record: what the traffic did in one interval
// [Start, End) of event time.
type Summary struct {
	// Host names the machine whose traffic this is (stats --host), so
	// that a hub folding the summaries of many hosts counts a summary
	// repeated (same host and start) once; left out when "".
	Host            string
	Start           time.Time
	End             time.Time
	Partial         bool // the input ended inside this interval; left out when false
	Requests        int64
	Rate            float64 // requests per second over the interval (over the seconds covered when partial)
	Bytes           int64
	Sections        []SectionHits
	Status          StatusClasses
	ErrorShare      float64 // 5xx / requests, 0 when there are none
	Methods         []MethodHits
	Clients         []ClientHits
	Networks        []NetworkHits // the clients' networks (see aggregate.Config.IPv4Prefix)
	DistinctClients int64
	// DistinctSketch is the clients' HyperLogLog sketch in
	// github.com/axiomhq/hyperloglog's binary form (sparse, so a few
	// bytes a client while they are few), written as base64: what a
	// consumer unions to have the distinct clients of several summaries
	// or hosts. Left out when there are no clients.
	DistinctSketch []byte
	Late           int64 // requests that arrived after their second was judged; counted here

	// Latency, from the requests with a duration (Request.Timed); all
	// left out of the record when Timed is 0. The percentiles are
	// estimates within 1% of the true value, seconds (see package
	// aggregate); Max is exact.
	Timed         int64 // requests with a duration
	P50, P90, P99 float64
	Max           float64
	// LatencySketch is the durations' DDSketch in sketches-go's binary
	// encoding (index mapping included), written as base64: what a
	// consumer merges to have the percentiles of several summaries or
	// hosts.
	LatencySketch []byte

	// Stream and Seq are where logmon subscribe read the summary: the
	// JetStream stream's name and the message's sequence in it, which a
	// stage keeping a state saves as its position (subscribe --resume).
	// Left out when Seq is 0.
	Stream string
	Seq    int64
}

// SectionHits is one entry of a top-sections list.
type SectionHits struct {
	Section string
	Hits    int64
	Error   int64 // Hits may overstate by up to this much (see package topk); left out when exact
}

// MethodHits is one entry of the methods list.
type MethodHits struct {
	Method string
	Hits   int64
	Error  int64
}

// ClientHits is one entry of a top-clients list.
type ClientHits struct {
	Client string
	Hits   int64
	Error  int64
}

// NetworkHits is one entry of a top-networks list.
type NetworkHits struct {
	Network string // "83.149.9.0/24", "2001:db8:1::/48"
	Hits    int64
	Error   int64
	ASN     uint32 // its autonomous system, with --asn-db; left out when 0
	ASOrg   string // the AS's organisation, with --asn-db; left out when ""
}

// StatusClasses counts responses by status class.
type StatusClasses struct {
	C1xx  int64
	C2xx  int64
	C3xx  int64
	C4xx  int64
	C5xx  int64
	Other int64 // 600..999, or a status below 100 from a record made elsewhere
	None  int64 // no status logged ("-": an aborted request); written only when not 0
}

// Add adds o's counts to c: the classes of two intervals, or of two
// hosts' summaries of one, folded together.
func (c *StatusClasses) Add(o StatusClasses) {
	c.C1xx += o.C1xx
	c.C2xx += o.C2xx
	c.C3xx += o.C3xx
	c.C4xx += o.C4xx
	c.C5xx += o.C5xx
	c.Other += o.Other
	c.None += o.None
}

// AppendJSON appends s as one JSON object (no newline). The times are
// written in UTC. A nil list is written as [], never null, so that jq's
// .sections[0] and length work on every summary.
func (s *Summary) AppendJSON(b []byte) []byte {
	b = append(b, `{"type":"summary",`...)
	if s.Host != "" {
		b = append(b, `"host":`...)
		b = AppendString(b, []byte(s.Host))
		b = append(b, ',')
	}
	b = append(b, `"start":"`...)
	b = appendTimeValue(b, s.Start)
	b = append(b, `","end":"`...)
	b = appendTimeValue(b, s.End)
	b = append(b, '"')
	if s.Partial {
		b = append(b, `,"partial":true`...)
	}
	b = appendInt(b, `,"requests":`, s.Requests)
	b = append(b, `,"rate":`...)
	b = appendFloat(b, s.Rate)
	b = appendInt(b, `,"bytes":`, s.Bytes)
	b = appendList(b, `,"sections":`, s.Sections)
	b = append(b, `,"status":`...)
	b = s.Status.appendJSON(b)
	b = append(b, `,"error_share":`...)
	b = appendFloat(b, s.ErrorShare)
	b = appendList(b, `,"methods":`, s.Methods)
	b = appendList(b, `,"clients":`, s.Clients)
	b = appendList(b, `,"networks":`, s.Networks)
	b = appendInt(b, `,"distinct_clients":`, s.DistinctClients)
	if len(s.DistinctSketch) > 0 {
		b = append(b, `,"distinct_sketch":"`...)
		b = base64.StdEncoding.AppendEncode(b, s.DistinctSketch)
		b = append(b, '"')
	}
	b = appendInt(b, `,"late":`, s.Late)
	if s.Timed != 0 {
		b = appendInt(b, `,"timed":`, s.Timed)
		b = append(b, `,"p50":`...)
		b = appendFloat(b, s.P50)
		b = append(b, `,"p90":`...)
		b = appendFloat(b, s.P90)
		b = append(b, `,"p99":`...)
		b = appendFloat(b, s.P99)
		b = append(b, `,"max":`...)
		b = appendFloat(b, s.Max)
		if len(s.LatencySketch) > 0 {
			b = append(b, `,"latency_sketch":"`...)
			b = base64.StdEncoding.AppendEncode(b, s.LatencySketch)
			b = append(b, '"')
		}
	}
	if s.Seq != 0 {
		b = append(b, `,"stream":`...)
		b = AppendString(b, []byte(s.Stream))
		b = appendInt(b, `,"seq":`, s.Seq)
	}
	return append(b, '}')
}

func (c *StatusClasses) appendJSON(b []byte) []byte {
	b = appendInt(b, `{"1xx":`, c.C1xx)
	b = appendInt(b, `,"2xx":`, c.C2xx)
	b = appendInt(b, `,"3xx":`, c.C3xx)
	b = appendInt(b, `,"4xx":`, c.C4xx)
	b = appendInt(b, `,"5xx":`, c.C5xx)
	b = appendInt(b, `,"other":`, c.Other)
	if c.None != 0 {
		b = appendInt(b, `,"none":`, c.None)
	}
	return append(b, '}')
}

// MarshalJSON writes c as a summary's "status": aggregate keeps its
// counts in its state file (through encoding/json) in this form too.
func (c StatusClasses) MarshalJSON() ([]byte, error) { return c.appendJSON(nil), nil }

// UnmarshalJSON reads c as a summary's "status" (see MarshalJSON).
func (c *StatusClasses) UnmarshalJSON(data []byte) error {
	d := Decoder{line: data}
	d.skipSpace()
	if err := d.status(c); err != nil {
		return err
	}
	return d.finish()
}

func (h SectionHits) appendJSON(b []byte) []byte {
	return append(appendHits(b, `{"section":`, h.Section, h.Hits, h.Error), '}')
}

func (h MethodHits) appendJSON(b []byte) []byte {
	return append(appendHits(b, `{"method":`, h.Method, h.Hits, h.Error), '}')
}

func (h ClientHits) appendJSON(b []byte) []byte {
	return append(appendHits(b, `{"client":`, h.Client, h.Hits, h.Error), '}')
}

func (h NetworkHits) appendJSON(b []byte) []byte {
	b = appendHits(b, `{"network":`, h.Network, h.Hits, h.Error)
	if h.ASN != 0 {
		b = append(b, `,"asn":`...)
		b = strconv.AppendUint(b, uint64(h.ASN), 10)
	}
	if h.ASOrg != "" {
		b = append(b, `,"as_org":`...)
		b = AppendString(b, []byte(h.ASOrg))
	}
	return append(b, '}')
}

// appendHits appends the members every entry of a top list has, after
// `{"<its name>":` (key): the name, "hits", and "error" unless it is 0.
func appendHits(b []byte, key, name string, hits, err int64) []byte {
	b = append(b, key...)
	b = AppendString(b, []byte(name))
	b = appendInt(b, `,"hits":`, hits)
	if err != 0 {
		b = appendInt(b, `,"error":`, err)
	}
	return b
}

// appendList appends key and the entries of a top list, [] when there
// are none.
func appendList[T interface{ appendJSON([]byte) []byte }](b []byte, key string, list []T) []byte {
	b = append(b, key...)
	b = append(b, '[')
	for i, h := range list {
		if i > 0 {
			b = append(b, ',')
		}
		b = h.appendJSON(b)
	}
	return append(b, ']')
}

// appendInt appends key and n.
func appendInt(b []byte, key string, n int64) []byte {
	return strconv.AppendInt(append(b, key...), n, 10)
}

// Summary decodes the summary record in line into s, which it zeroes
// first: the line's "type" is not looked at (the caller had it from
// Record). A field of the wrong type is an error; an unknown field is
// skipped, and a null leaves its field as it is.
func (d *Decoder) Summary(line []byte, s *Summary) error {
	*s = Summary{}
	return d.object(line, func(key []byte) error {
		switch string(key) {
		case "host":
			return d.stringField("host", &s.Host)
		case "start":
			return d.timeField("start", &s.Start)
		case "end":
			return d.timeField("end", &s.End)
		case "partial":
			return d.boolField("partial", &s.Partial)
		case "requests":
			return d.intField("requests", &s.Requests)
		case "rate":
			return d.floatField("rate", &s.Rate)
		case "bytes":
			return d.intField("bytes", &s.Bytes)
		case "sections":
			return decodeList(d, "sections", &s.Sections)
		case "status":
			return d.status(&s.Status)
		case "error_share":
			return d.floatField("error_share", &s.ErrorShare)
		case "methods":
			return decodeList(d, "methods", &s.Methods)
		case "clients":
			return decodeList(d, "clients", &s.Clients)
		case "networks":
			return decodeList(d, "networks", &s.Networks)
		case "distinct_clients":
			return d.intField("distinct_clients", &s.DistinctClients)
		case "distinct_sketch":
			return d.base64Field("distinct_sketch", &s.DistinctSketch)
		case "stream":
			return d.stringField("stream", &s.Stream)
		case "seq":
			return d.intField("seq", &s.Seq)
		case "late":
			return d.intField("late", &s.Late)
		case "timed":
			return d.intField("timed", &s.Timed)
		case "p50":
			return d.floatField("p50", &s.P50)
		case "p90":
			return d.floatField("p90", &s.P90)
		case "p99":
			return d.floatField("p99", &s.P99)
		case "max":
			return d.floatField("max", &s.Max)
		case "latency_sketch":
			return d.base64Field("latency_sketch", &s.LatencySketch)
		}
		return d.skipValue(0)
	})
}

// base64Field decodes the base64 string of the field name into *dst.
func (d *Decoder) base64Field(name string, dst *[]byte) error {
	var text string
	if err := d.stringField(name, &text); err != nil {
		return err
	}
	b, err := base64.StdEncoding.DecodeString(text)
	if err != nil {
		return fmt.Errorf("%q is not base64: %v", name, err)
	}
	*dst = b
	return nil
}

// status decodes the "status" object of a summary.
func (d *Decoder) status(c *StatusClasses) error {
	if d.null() {
		return nil
	}
	return d.fields("status", 0, func(key []byte) error {
		switch string(key) {
		case "1xx":
			return d.intField("1xx", &c.C1xx)
		case "2xx":
			return d.intField("2xx", &c.C2xx)
		case "3xx":
			return d.intField("3xx", &c.C3xx)
		case "4xx":
			return d.intField("4xx", &c.C4xx)
		case "5xx":
			return d.intField("5xx", &c.C5xx)
		case "other":
			return d.intField("other", &c.Other)
		case "none":
			return d.intField("none", &c.None)
		}
		return d.skipValue(1)
	})
}

// entry is an entry of a top list, as decodeList decodes it.
type entry[T any] interface {
	*T
	member(d *Decoder, key []byte) error
}

// decodeList decodes the top list of the field name into *list: null is
// no list, and a null entry a zero one.
func decodeList[T any, P entry[T]](d *Decoder, name string, list *[]T) error {
	if d.null() {
		*list = nil
		return nil
	}
	*list = (*list)[:0]
	return d.elements(name, 0, func() error {
		var h T
		switch {
		case d.null():
		case !d.consume('{'):
			return fmt.Errorf("an entry of %q is not an object", name)
		default:
			if err := d.members(1, func(key []byte) error { return P(&h).member(d, key) }); err != nil {
				return err
			}
		}
		*list = append(*list, h)
		return nil
	})
}

func (h *SectionHits) member(d *Decoder, key []byte) error {
	return d.hits(key, "section", &h.Section, &h.Hits, &h.Error)
}

func (h *MethodHits) member(d *Decoder, key []byte) error {
	return d.hits(key, "method", &h.Method, &h.Hits, &h.Error)
}

func (h *ClientHits) member(d *Decoder, key []byte) error {
	return d.hits(key, "client", &h.Client, &h.Hits, &h.Error)
}

func (h *NetworkHits) member(d *Decoder, key []byte) error {
	switch string(key) {
	case "asn":
		if d.null() {
			return nil
		}
		n, err := d.intValue("asn")
		if err != nil {
			return err
		}
		if n < 0 || n > 1<<32-1 {
			return fmt.Errorf("\"asn\" is out of range: %d", n)
		}
		h.ASN = uint32(n)
		return nil
	case "as_org":
		return d.stringField("as_org", &h.ASOrg)
	}
	return d.hits(key, "network", &h.Network, &h.Hits, &h.Error)
}

// hits decodes the member key of an entry of a top list whose name is
// under nameKey (see appendHits).
func (d *Decoder) hits(key []byte, nameKey string, name *string, hits, err *int64) error {
	switch string(key) {
	case nameKey:
		return d.stringField(nameKey, name)
	case "hits":
		return d.intField("hits", hits)
	case "error":
		return d.intField("error", err)
	}
	return d.skipValue(2)
}
