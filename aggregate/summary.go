package aggregate

import (
	"encoding/json"
	"time"
)

// Summary is the "summary" record: what the traffic did in one interval
// [Start, End) of event time. Its JSON names are the wire contract and
// are documented in the README.
type Summary struct {
	Type            string        `json:"type"` // always "summary"
	Start           time.Time     `json:"start"`
	End             time.Time     `json:"end"`
	Partial         bool          `json:"partial,omitempty"` // the input ended inside this interval
	Requests        int64         `json:"requests"`
	Rate            float64       `json:"rate"` // requests per second over the interval (over the seconds covered when partial)
	Bytes           int64         `json:"bytes"`
	Sections        []SectionHits `json:"sections"`
	Status          StatusClasses `json:"status"`
	ErrorShare      float64       `json:"error_share"` // 5xx / requests, 0 when there are none
	Methods         []MethodHits  `json:"methods"`
	Clients         []ClientHits  `json:"clients"`
	Networks        []NetworkHits `json:"networks"` // the clients' networks (see Config.IPv4Prefix)
	DistinctClients int64         `json:"distinct_clients"`
	Late            int64         `json:"late"` // requests that arrived after their second was judged; counted here
}

// SectionHits is one entry of a top-sections list.
type SectionHits struct {
	Section string `json:"section"`
	Hits    int64  `json:"hits"`
	Error   int64  `json:"error,omitempty"` // Hits may overstate by up to this much (see package topk); absent when exact
}

// MethodHits is one entry of the methods list.
type MethodHits struct {
	Method string `json:"method"`
	Hits   int64  `json:"hits"`
	Error  int64  `json:"error,omitempty"`
}

// ClientHits is one entry of a top-clients list.
type ClientHits struct {
	Client string `json:"client"`
	Hits   int64  `json:"hits"`
	Error  int64  `json:"error,omitempty"`
}

// NetworkHits is one entry of a top-networks list.
type NetworkHits struct {
	Network string `json:"network"` // "83.149.9.0/24", "2001:db8:1::/48"
	Hits    int64  `json:"hits"`
	Error   int64  `json:"error,omitempty"`
	ASN     uint32 `json:"asn,omitempty"`    // its autonomous system, with --asn-db
	ASOrg   string `json:"as_org,omitempty"` // the AS's organisation, with --asn-db
}

// StatusClasses counts responses by status class.
type StatusClasses struct {
	C1xx  int64 `json:"1xx"`
	C2xx  int64 `json:"2xx"`
	C3xx  int64 `json:"3xx"`
	C4xx  int64 `json:"4xx"`
	C5xx  int64 `json:"5xx"`
	Other int64 `json:"other"` // 600..999, or no status at all
}

// AppendJSON appends s as one JSON object (no newline).
func (s *Summary) AppendJSON(b []byte) []byte {
	s.Type = "summary"
	s.Start, s.End = s.Start.UTC(), s.End.UTC()
	// Lists are [] when empty, never null, so jq's .sections[0] and
	// length work on every summary.
	if s.Sections == nil {
		s.Sections = []SectionHits{}
	}
	if s.Methods == nil {
		s.Methods = []MethodHits{}
	}
	if s.Clients == nil {
		s.Clients = []ClientHits{}
	}
	if s.Networks == nil {
		s.Networks = []NetworkHits{}
	}
	j, err := json.Marshal(s)
	if err != nil {
		panic(err) // every field is a plain value: cannot fail
	}
	return append(b, j...)
}
