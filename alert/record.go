package alert

import (
	"encoding/json"
	"time"
)

// Alert is the "alert" record: a rule changed state at a second of
// event time. Its JSON names are the wire contract (README).
type Alert struct {
	Type      string    `json:"type"`  // always "alert"
	ID        string    `json:"id"`    // rule@second it fired: the same for the firing and the resolved record
	Rule      string    `json:"rule"`  // "high_traffic"
	State     string    `json:"state"` // "firing" or "resolved"
	Time      time.Time `json:"time"`  // the second at which the state changed
	Hits      int64     `json:"hits"`  // requests in the window ending at Time
	Rate      float64   `json:"rate"`  // Hits / Window, requests per second, to 3 decimals
	Threshold float64   `json:"threshold"`
	Window    int64     `json:"window"` // seconds
	Message   string    `json:"message"`
}

// States of a rule.
const (
	Firing   = "firing"
	Resolved = "resolved"
)

// AppendJSON appends a as one JSON object (no newline).
func (a *Alert) AppendJSON(b []byte) []byte {
	a.Type = "alert"
	a.Time = a.Time.UTC()
	j, err := json.Marshal(a)
	if err != nil {
		panic(err) // every field is a plain value: cannot fail
	}
	return append(b, j...)
}
