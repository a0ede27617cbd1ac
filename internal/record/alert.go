package record

import (
	"time"
)

// Alert is the "alert" record: a rule changed state at a second of
// event time.
type Alert struct {
	ID        string    // rule@second it fired: the same for the firing and the resolved record
	Rule      string    // the rule's name: its kind unless a rules file names it
	State     string    // Firing or Resolved
	Time      time.Time // the second at which the state changed
	Hits      int64     // requests in the window ending at Time
	Rate      float64   // Hits / Window, requests per second, to 3 decimals
	Threshold float64   // what the rule compared with: the recovery threshold in a resolved record
	Window    int64     // seconds

	// Set by some rules only; a nil one is left out of the record.
	Errors    *int64   // error_rate: 5xx in the window
	Ratio     *float64 // error_rate: Errors / Hits, to 4 decimals
	Expected  *float64 // adaptive: the learned rate, requests per second, to 3 decimals
	Deviation *float64 // adaptive: (Rate - Expected) in standard deviations, to 2 decimals
	Quantile  *float64 // latency: the quantile judged, 0.99 for p99
	Timed     *int64   // latency: requests with a duration in the window
	Latency   *float64 // latency: the quantile's estimate, seconds, to 5 significant digits; nil when Timed is 0

	Message string
}

// States of a rule.
const (
	Firing   = "firing"
	Resolved = "resolved"
)

// AppendJSON appends a as one JSON object (no newline). The time is
// written in UTC.
func (a *Alert) AppendJSON(b []byte) []byte {
	b = append(b, `{"type":"alert","id":`...)
	b = AppendString(b, []byte(a.ID))
	b = append(b, `,"rule":`...)
	b = AppendString(b, []byte(a.Rule))
	b = append(b, `,"state":`...)
	b = AppendString(b, []byte(a.State))
	b = append(b, `,"time":"`...)
	b = appendTimeValue(b, a.Time)
	b = append(b, '"')
	b = appendInt(b, `,"hits":`, a.Hits)
	b = append(b, `,"rate":`...)
	b = appendFloat(b, a.Rate)
	b = append(b, `,"threshold":`...)
	b = appendFloat(b, a.Threshold)
	b = appendInt(b, `,"window":`, a.Window)
	if a.Errors != nil {
		b = appendInt(b, `,"errors":`, *a.Errors)
	}
	b = appendOptional(b, `,"ratio":`, a.Ratio)
	b = appendOptional(b, `,"expected":`, a.Expected)
	b = appendOptional(b, `,"deviation":`, a.Deviation)
	b = appendOptional(b, `,"quantile":`, a.Quantile)
	if a.Timed != nil {
		b = appendInt(b, `,"timed":`, *a.Timed)
	}
	b = appendOptional(b, `,"latency":`, a.Latency)
	b = append(b, `,"message":`...)
	b = AppendString(b, []byte(a.Message))
	return append(b, '}')
}

// appendOptional appends key and *f, unless f is nil.
func appendOptional(b []byte, key string, f *float64) []byte {
	if f == nil {
		return b
	}
	return appendFloat(append(b, key...), *f)
}

// Alert decodes the alert record in line into a, which it zeroes first:
// the line's "type" is not looked at (the caller had it from Record). A
// field of the wrong type is an error; an unknown field is skipped, and
// a null leaves its field as it is (nil for Errors, Ratio, Expected and
// Deviation).
func (d *Decoder) Alert(line []byte, a *Alert) error {
	*a = Alert{}
	return d.object(line, func(key []byte) error {
		switch string(key) {
		case "id":
			return d.stringField("id", &a.ID)
		case "rule":
			return d.stringField("rule", &a.Rule)
		case "state":
			return d.stringField("state", &a.State)
		case "time":
			return d.timeField("time", &a.Time)
		case "hits":
			return d.intField("hits", &a.Hits)
		case "rate":
			return d.floatField("rate", &a.Rate)
		case "threshold":
			return d.floatField("threshold", &a.Threshold)
		case "window":
			return d.intField("window", &a.Window)
		case "errors":
			return optional(d, d.intField, "errors", &a.Errors)
		case "ratio":
			return optional(d, d.floatField, "ratio", &a.Ratio)
		case "expected":
			return optional(d, d.floatField, "expected", &a.Expected)
		case "deviation":
			return optional(d, d.floatField, "deviation", &a.Deviation)
		case "quantile":
			return optional(d, d.floatField, "quantile", &a.Quantile)
		case "timed":
			return optional(d, d.intField, "timed", &a.Timed)
		case "latency":
			return optional(d, d.floatField, "latency", &a.Latency)
		case "message":
			return d.stringField("message", &a.Message)
		}
		return d.skipValue(0)
	})
}

// optional decodes the field name with field into a new value for *p,
// or sets *p to nil when it is null.
func optional[T any](d *Decoder, field func(string, *T) error, name string, p **T) error {
	if d.null() {
		*p = nil
		return nil
	}
	v := new(T)
	err := field(name, v)
	if err == nil {
		*p = v
	}
	return err
}
