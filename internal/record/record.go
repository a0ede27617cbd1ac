// Package record is logmon's one record model: the JSON lines its stages
// write to each other. Each record type is defined here once, with its
// hand-written codec beside it:
//
//   - Request ("request"), made by parse from a log line;
//   - Summary ("summary"), made by aggregate for each interval;
//   - Alert ("alert"), made by alert when a rule changes state.
//
// Every type has an AppendJSON, which writes the record as one JSON
// object and never changes its receiver, and a method of Decoder that
// reads it back: Decoder.Record reads a line's type, once per line, and
// a request with it; Decoder.Summary and Decoder.Alert read the others.
// The JSON names are the wire contract, documented in the README. A test
// (TestEveryFieldRoundTrips) fills every field of every record and fails
// when a field is missing from its codec.
//
// Adding a field to a record is: the struct field, its encoding in
// AppendJSON and its decoding here (and, for a byte field of Request, its
// line in Request.bytes, which copies it: TestEveryByteFieldCopied says
// so), its text form in package render (text.go), and its line in the
// README. Nothing else.
//
// Every string is written by AppendString. encoding/json, which wrote
// summaries and alerts before, escaped '<', '>', '&', U+2028 and U+2029
// (as \u003c and so on) and invalid UTF-8 as \ufffd; AppendString writes
// those characters as they are and invalid UTF-8 as U+FFFD itself. The
// JSON values are the same, only their spelling differs, and only in
// strings that hold such characters: none of logmon's golden outputs or
// README examples does. Numbers are written as encoding/json writes them
// (see appendFloat), so every record keeps its bytes.
//
// Every time in a record is RFC 3339 in UTC (AppendTime, ParseTime),
// between MinTime and EndTime.
package record

import "errors"

// Type is the type of a record: its "type" field.
type Type uint8

// The record types. TypeOther is any other "type": such a record is
// passed through unchanged by every stage.
const (
	TypeOther Type = iota
	TypeRequest
	TypeSummary
	TypeAlert
)

// String returns the "type" a record of t has; "other" for TypeOther.
func (t Type) String() string {
	switch t {
	case TypeRequest:
		return "request"
	case TypeSummary:
		return "summary"
	case TypeAlert:
		return "alert"
	}
	return "other"
}

// typeOf returns the Type of the "type" value v.
func typeOf(v []byte) Type {
	switch string(v) { // no allocation: the compiler compares in place
	case "request":
		return TypeRequest
	case "summary":
		return TypeSummary
	case "alert":
		return TypeAlert
	}
	return TypeOther
}

// ErrBadRecord is wrapped by the error a sink returns for a record line it
// cannot decode as the type it says it has (render's text sink shows a
// summary, so it must decode it). Nothing is written for such a line and
// the sink stays usable, so the caller reports the line as bad and goes
// on; any other error from a sink is a write error.
var ErrBadRecord = errors.New("bad record")

// ErrNoType is Decoder.Record's error for a valid JSON object without a
// "type": no record, but maybe a JSON access log line (Caddy's, Traefik's).
var ErrNoType = errors.New(`record has no "type"`)
