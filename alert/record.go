package alert

import (
	"encoding/json"
	"time"
)

// Alert is the "alert" record: a rule changed state at a second of
// event time. Its JSON names are the wire contract (README).
type Alert struct {
	Type      string    `json:"type"`      // always "alert"
	ID        string    `json:"id"`        // rule@second it fired: the same for the firing and the resolved record
	Rule      string    `json:"rule"`      // the rule's name: its kind unless a rules file names it
	State     string    `json:"state"`     // "firing" or "resolved"
	Time      time.Time `json:"time"`      // the second at which the state changed
	Hits      int64     `json:"hits"`      // requests in the window ending at Time
	Rate      float64   `json:"rate"`      // Hits / Window, requests per second, to 3 decimals
	Threshold float64   `json:"threshold"` // what the rule compared with: the recovery threshold in a resolved record
	Window    int64     `json:"window"`    // seconds

	Errors    *int64   `json:"errors,omitempty"`    // error_rate: 5xx in the window
	Ratio     *float64 `json:"ratio,omitempty"`     // error_rate: Errors / Hits, to 4 decimals
	Expected  *float64 `json:"expected,omitempty"`  // adaptive: the learned rate, requests per second, to 3 decimals
	Deviation *float64 `json:"deviation,omitempty"` // adaptive: (Rate - Expected) in standard deviations, to 2 decimals

	Message string `json:"message"`
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
