package alert

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"
)

// DefaultWindow is a rule's window when the rules file gives none: the
// same as logmon alert's --window.
const DefaultWindow = 2 * time.Minute

// ruleJSON is a rule as the rules file (logmon alert --rules) and the
// --state settings write it: durations as Go durations ("90s", "2m").
type ruleJSON struct {
	Name          string   `json:"name,omitempty"`
	Kind          string   `json:"kind"`
	Window        string   `json:"window,omitempty"`
	Threshold     *float64 `json:"threshold"`
	Recover       *float64 `json:"recover,omitempty"`
	For           string   `json:"for,omitempty"`
	KeepFiringFor string   `json:"keep_firing_for,omitempty"`
	MinRequests   *int64   `json:"min_requests,omitempty"`
	Quantile      *float64 `json:"quantile,omitempty"`
	HalfLife      string   `json:"half_life,omitempty"`
	Learn         string   `json:"learn,omitempty"`
}

// MarshalJSON writes r as the rules file does.
func (r Rule) MarshalJSON() ([]byte, error) {
	d := func(v time.Duration) string {
		if v == 0 {
			return ""
		}
		return v.String()
	}
	j := ruleJSON{Name: r.Name, Kind: r.Kind, Window: d(r.Window), Threshold: &r.Threshold, Recover: r.Recover,
		For: d(r.For), KeepFiringFor: d(r.KeepFiringFor), HalfLife: d(r.HalfLife), Learn: d(r.Learn)}
	if r.Kind == ErrorRate || r.Kind == Latency {
		j.MinRequests = &r.MinRequests
	}
	if r.Kind == Latency {
		q := r.Quantile
		if q == 0 {
			q = DefaultQuantile
		}
		j.Quantile = &q
	}
	return json.Marshal(j)
}

// ParseRules reads a rules file:
//
//	{"rules": [
//	  {"kind": "high_traffic", "threshold": 10, "window": "2m"},
//	  {"kind": "error_rate", "threshold": 0.05, "min_requests": 20, "for": "1m"},
//	  {"name": "down", "kind": "low_traffic", "threshold": 0.1, "window": "5m"}
//	]}
//
// Each rule takes the fields of Rule: name, kind, window (DefaultWindow
// when absent), threshold (required), recover, for, keep_firing_for,
// min_requests (error_rate, DefaultMinRequests when absent), half_life
// and learn (adaptive). An unknown field is an error, so a typo is not
// silently a default, and so is a field given twice (a second "rules"
// list too), which encoding/json would take the last of. Errors say
// where: a line, or the rule and its line.
func ParseRules(data []byte) ([]Rule, error) {
	var file struct {
		Rules []json.RawMessage `json:"rules"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&file); err != nil {
		return nil, where(data, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("line %d: more after the rules object", lineOf(data, int(dec.InputOffset())))
	}
	if err := givenTwice(data); err != nil {
		return nil, err
	}
	if len(file.Rules) == 0 {
		return nil, errors.New(`no rules: want {"rules": [{"kind": ..., "threshold": ...}, ...]}`)
	}
	var rules []Rule
	named := map[string]int{}
	for i, raw := range file.Rules {
		r, err := parseRule(raw)
		if err == nil && named[r.RuleName()] > 0 {
			err = fmt.Errorf("the name %q is rule %d's: give one of them a \"name\"", r.RuleName(), named[r.RuleName()])
		}
		if err != nil {
			return nil, fmt.Errorf("rule %d (line %d): %v", i+1, lineOf(data, ruleOffset(data, i)), err)
		}
		named[r.RuleName()] = i + 1
		rules = append(rules, r)
	}
	return rules, nil
}

func parseRule(raw json.RawMessage) (Rule, error) {
	var j ruleJSON
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return Rule{}, err
	}
	if j.Kind == "" {
		return Rule{}, errors.New(`"kind" is missing`)
	}
	if j.Threshold == nil {
		return Rule{}, errors.New(`"threshold" is missing`)
	}
	r := Rule{Name: j.Name, Kind: j.Kind, Threshold: *j.Threshold, Recover: j.Recover, Window: DefaultWindow}
	if j.Kind == ErrorRate || j.Kind == Latency {
		r.MinRequests = DefaultMinRequests
	}
	if j.MinRequests != nil {
		r.MinRequests = *j.MinRequests
	}
	if j.Kind == Latency {
		r.Quantile = DefaultQuantile
	}
	if j.Quantile != nil {
		r.Quantile = *j.Quantile
		if r.Quantile == 0 {
			return Rule{}, errors.New("quantile must be more than 0 and at most 1 (0.99 for p99): 0")
		}
	}
	for _, f := range []struct {
		name string
		text string
		to   *time.Duration
	}{{"window", j.Window, &r.Window}, {"for", j.For, &r.For}, {"keep_firing_for", j.KeepFiringFor, &r.KeepFiringFor},
		{"half_life", j.HalfLife, &r.HalfLife}, {"learn", j.Learn, &r.Learn}} {
		if f.text == "" {
			continue
		}
		d, err := time.ParseDuration(f.text)
		if err != nil {
			return Rule{}, fmt.Errorf("%s: %v", f.name, err)
		}
		*f.to = d
	}
	if _, _, _, err := r.check(); err != nil {
		return Rule{}, err
	}
	return r, nil
}

// where adds the line and column to a JSON error that has an offset.
func where(data []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Errorf("line %d: %v", lineOf(data, int(syn.Offset)), err)
	case errors.As(err, &typ):
		return fmt.Errorf("line %d: %v", lineOf(data, int(typ.Offset)), err)
	}
	return err
}

func lineOf(data []byte, off int) int {
	return bytes.Count(data[:min(max(off, 0), len(data))], []byte("\n")) + 1
}

// givenTwice returns an error naming the first key that an object of
// data, well-formed JSON, gives twice, and its line. Keys are compared
// as encoding/json matches them to fields: whatever their case.
func givenTwice(data []byte) error {
	type object struct {
		keys map[string]string // folded: as first written
		key  bool              // the next token is a key
	}
	var open []*object // the objects and arrays (nil) the decoder is in
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil
		}
		if n := len(open); n > 0 && open[n-1] != nil && open[n-1].key {
			if k, ok := tok.(string); ok {
				if first, ok := open[n-1].keys[fold(k)]; ok {
					err := fmt.Errorf("line %d: %q given twice", lineOf(data, int(dec.InputOffset())), k)
					if first != k {
						err = fmt.Errorf("%v (as %q before: keys match whatever their case)", err, first)
					}
					return err
				}
				open[n-1].keys[fold(k)], open[n-1].key = k, false
				continue
			}
		}
		switch tok {
		case json.Delim('{'):
			open = append(open, &object{keys: map[string]string{}, key: true})
			continue
		case json.Delim('['):
			open = append(open, nil)
			continue
		case json.Delim('}'), json.Delim(']'):
			open = open[:len(open)-1]
		}
		if n := len(open); n > 0 && open[n-1] != nil {
			open[n-1].key = true // a value has ended: a key comes next
		}
	}
}

// fold maps each rune of s to the smallest of those that are the same
// but for case, so that keys encoding/json takes for one are one.
func fold(s string) string {
	var b strings.Builder
	for _, r := range s {
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		b.WriteRune(least)
	}
	return b.String()
}

// ruleOffset is where the i-th rule of a well-formed rules file starts.
func ruleOffset(data []byte, want int) int {
	dec := json.NewDecoder(bytes.NewReader(data))
	depth, i := 0, want
	for {
		off := int(dec.InputOffset())
		tok, err := dec.Token()
		if err != nil {
			return 0
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
			if depth == 3 { // {"rules": [ {
				if i == 0 {
					for off < len(data) && bytes.IndexByte([]byte(" \t\r\n,"), data[off]) >= 0 {
						off++
					}
					return off
				}
				i--
			}
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
	}
}
