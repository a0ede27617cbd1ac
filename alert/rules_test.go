package alert

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

func recoverOf(v float64) *float64 { return &v }

// allKinds is a rules file with a rule of each kind, one per line from
// line 2 on, some settings given and some left to their defaults.
const allKinds = `{"rules": [
  {"name": "page", "kind": "high_traffic", "threshold": 10, "recover": 8, "window": "1m", "for": "30s", "keep_firing_for": "10s"},
  {"kind": "error_rate", "threshold": 0.05},
  {"name": "down", "kind": "low_traffic", "threshold": 0.1, "recover": 0.5, "window": "5m"},
  {"kind": "adaptive", "threshold": 3, "recover": 2, "half_life": "30m", "learn": "2h", "window": "30s"},
  {"name": "few", "kind": "error_rate", "threshold": 0, "min_requests": 0, "window": "90s"},
  {"kind": "latency", "threshold": 0.5, "recover": 0.3, "quantile": 0.9, "min_requests": 50, "window": "1m", "for": "20s"}
]}
`

var allKindsRules = []Rule{
	{Name: "page", Kind: HighTraffic, Window: time.Minute, Threshold: 10, Recover: recoverOf(8), For: 30 * time.Second, KeepFiringFor: 10 * time.Second},
	{Kind: ErrorRate, Window: 2 * time.Minute, Threshold: 0.05, MinRequests: 20},
	{Name: "down", Kind: LowTraffic, Window: 5 * time.Minute, Threshold: 0.1, Recover: recoverOf(0.5)},
	{Kind: Adaptive, Window: 30 * time.Second, Threshold: 3, Recover: recoverOf(2), HalfLife: 30 * time.Minute, Learn: 2 * time.Hour},
	{Name: "few", Kind: ErrorRate, Window: 90 * time.Second, Threshold: 0, MinRequests: 0},
	{Kind: Latency, Window: time.Minute, Threshold: 0.5, Recover: recoverOf(0.3), Quantile: 0.9, MinRequests: 50, For: 20 * time.Second},
}

// TestRulesFileParse: each kind's settings are read, and what is absent
// takes its default: window 2m, min_requests 20 for error_rate (but an
// explicit 0 stays 0), no recover (nil, not a pointer to the threshold),
// no half_life or learn (0: the detector's defaults).
func TestRulesFileParse(t *testing.T) {
	tests := []struct {
		name string
		file string
		want []Rule
	}{
		{"all kinds", allKinds, allKindsRules},
		{"defaults", `{"rules": [{"kind": "high_traffic", "threshold": 10}]}`,
			[]Rule{{Kind: HighTraffic, Window: DefaultWindow, Threshold: 10}}},
		{"error_rate defaults", `{"rules": [{"kind": "error_rate", "threshold": 0.1}]}`,
			[]Rule{{Kind: ErrorRate, Window: 2 * time.Minute, Threshold: 0.1, MinRequests: DefaultMinRequests}}},
		{"latency defaults", `{"rules": [{"kind": "latency", "threshold": 0.25}]}`,
			[]Rule{{Kind: Latency, Window: 2 * time.Minute, Threshold: 0.25, Quantile: DefaultQuantile, MinRequests: DefaultMinRequests}}},
		{"adaptive defaults", `{"rules": [{"kind": "adaptive", "threshold": 4}]}`,
			[]Rule{{Kind: Adaptive, Window: 2 * time.Minute, Threshold: 4}}},
		{"low_traffic without recover", `{"rules": [{"kind": "low_traffic", "threshold": 0.5, "window": "10s"}]}`,
			[]Rule{{Kind: LowTraffic, Window: 10 * time.Second, Threshold: 0.5}}},
		{"null fields are absent", `{"rules": [{"kind": "high_traffic", "threshold": 3, "recover": null, "min_requests": null}]}`,
			[]Rule{{Kind: HighTraffic, Window: 2 * time.Minute, Threshold: 3}}},
		{"recover equal to the threshold", `{"rules": [{"kind": "high_traffic", "threshold": 3, "recover": 3}]}`,
			[]Rule{{Kind: HighTraffic, Window: 2 * time.Minute, Threshold: 3, Recover: recoverOf(3)}}},
		{"two rules of a kind, named", `{"rules": [{"kind": "high_traffic", "threshold": 3}, {"name": "hard", "kind": "high_traffic", "threshold": 30, "window": "1s"}]}`,
			[]Rule{{Kind: HighTraffic, Window: 2 * time.Minute, Threshold: 3}, {Name: "hard", Kind: HighTraffic, Window: time.Second, Threshold: 30}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseRules([]byte(tt.file))
			if err != nil {
				t.Fatalf("ParseRules: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseRules:\n got %s\nwant %s", showRules(got), showRules(tt.want))
			}
		})
	}
}

// showRules prints rules with the value Recover points to.
func showRules(rs []Rule) string {
	var b strings.Builder
	for _, r := range rs {
		rec := "nil"
		if r.Recover != nil {
			rec = fmt.Sprint(*r.Recover)
		}
		r.Recover = nil
		fmt.Fprintf(&b, "\n  %+v (Recover %s)", r, rec)
	}
	return b.String()
}

// TestRulesFileRoundTrip: rules written by Rule.MarshalJSON (as --state
// saves them), wrapped as {"rules": [...]}, are a rules file that gives
// the same rules back; and the JSON of a rule is what the README's rules
// file spells.
func TestRulesFileRoundTrip(t *testing.T) {
	rules := append(append([]Rule{}, allKindsRules...),
		HighTrafficRule(10, 2*time.Minute),
		Rule{Name: "storm", Kind: ErrorRate, Window: 15 * time.Second, Threshold: 0.25, Recover: recoverOf(0.125), MinRequests: 7, For: time.Minute, KeepFiringFor: 2 * time.Minute},
		Rule{Name: "slow", Kind: Adaptive, Window: 2 * time.Hour, Threshold: 0.5, HalfLife: 90 * time.Minute},
	)
	data, err := json.Marshal(struct {
		Rules []Rule `json:"rules"`
	}{rules})
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseRules(data)
	if err != nil {
		t.Fatalf("ParseRules(%s): %v", data, err)
	}
	if !reflect.DeepEqual(got, rules) {
		t.Errorf("round trip of %s:\n got %s\nwant %s", data, showRules(got), showRules(rules))
	}

	for _, tc := range []struct {
		rule Rule
		want string
	}{
		{allKindsRules[0], `{"name":"page","kind":"high_traffic","window":"1m0s","threshold":10,"recover":8,"for":"30s","keep_firing_for":"10s"}`},
		{allKindsRules[1], `{"kind":"error_rate","window":"2m0s","threshold":0.05,"min_requests":20}`},
		{allKindsRules[3], `{"kind":"adaptive","window":"30s","threshold":3,"recover":2,"half_life":"30m0s","learn":"2h0m0s"}`},
		{allKindsRules[4], `{"name":"few","kind":"error_rate","window":"1m30s","threshold":0,"min_requests":0}`},
	} {
		b, err := json.Marshal(tc.rule)
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != tc.want {
			t.Errorf("MarshalJSON:\n got %s\nwant %s", b, tc.want)
		}
	}
}

// TestRulesFileErrors: a bad rules file is refused with an error that
// says what is wrong and where.
func TestRulesFileErrors(t *testing.T) {
	tests := []struct {
		name string
		file string
		want []string // substrings of the error
	}{
		{"syntax error", "{\"rules\": [\n  {\"kind\": \"high_traffic\", \"threshold\": 10,}\n]}",
			[]string{"line 2: ", "invalid character '}'"}},
		{"syntax error on line 4", "{\n\"rules\": [\n{\"kind\": \"high_traffic\",\n \"threshold\": 10 \"window\": \"1m\"}\n]}",
			[]string{"line 4: ", "invalid character '\"' after object key:value pair"}},
		{"not JSON", "rules:\n  - kind: high_traffic\n", []string{"line 1: ", "invalid character 'r'"}},
		{"cut short", "{\"rules\": [\n  {\"kind\": \"high_traffic\", \"threshold\": 10}\n", []string{"unexpected EOF"}},
		{"rules not a list", "{\n \"rules\": {\"kind\": \"high_traffic\", \"threshold\": 10}}",
			[]string{"line 2: ", "cannot unmarshal object"}},
		{"unknown field in a rule", "{\"rules\": [\n  {\"kind\": \"high_traffic\", \"treshold\": 10}\n]}",
			[]string{"rule 1 (line 2): ", `unknown field "treshold"`}},
		{"unknown top-level field", `{"rules": [{"kind": "high_traffic", "threshold": 10}], "lateness": "5s"}`,
			[]string{`unknown field "lateness"`}},
		{"missing kind", `{"rules": [{"threshold": 10}]}`, []string{"rule 1 (line 1): ", `"kind" is missing`}},
		{"empty kind", `{"rules": [{"kind": "", "threshold": 10}]}`, []string{"rule 1 (line 1): ", `"kind" is missing`}},
		{"missing threshold", `{"rules": [{"kind": "low_traffic", "window": "1m"}]}`, []string{"rule 1 (line 1): ", `"threshold" is missing`}},
		{"null threshold", `{"rules": [{"kind": "low_traffic", "threshold": null}]}`, []string{`"threshold" is missing`}},
		{"threshold a string", `{"rules": [{"kind": "high_traffic", "threshold": "10"}]}`,
			[]string{"rule 1 (line 1): ", "cannot unmarshal string", "threshold"}},
		{"unknown kind", `{"rules": [{"kind": "hgh_traffic", "threshold": 10}]}`,
			[]string{"rule 1 (line 1): ", `kind must be high_traffic, low_traffic, error_rate, adaptive or latency, not "hgh_traffic"`}},
		{"latency quantile 0", `{"rules": [{"kind": "latency", "threshold": 1, "quantile": 0}]}`,
			[]string{"rule 1 (line 1): ", "quantile must be more than 0 and at most 1 (0.99 for p99): 0"}},
		{"latency quantile above 1", `{"rules": [{"kind": "latency", "threshold": 1, "quantile": 99}]}`,
			[]string{`rule "latency": quantile must be more than 0 and at most 1 (0.99 for p99): 99`}},
		{"latency threshold 0", `{"rules": [{"kind": "latency", "threshold": 0}]}`,
			[]string{`rule "latency": threshold must be seconds, more than 0`}},
		{"latency recover above the threshold", `{"rules": [{"kind": "latency", "threshold": 1, "recover": 2}]}`,
			[]string{`recover between 0 and the threshold: 1, 2`}},
		{"quantile on error_rate", `{"rules": [{"kind": "error_rate", "threshold": 0.1, "quantile": 0.5}]}`,
			[]string{`rule "error_rate": quantile is for latency rules`}},
		{"bad duration", `{"rules": [{"kind": "high_traffic", "threshold": 10, "window": "soon"}]}`,
			[]string{"rule 1 (line 1): ", `window: time: invalid duration "soon"`}},
		{"duration without unit", `{"rules": [{"kind": "high_traffic", "threshold": 10, "for": "30"}]}`,
			[]string{`for: time: missing unit in duration "30"`}},
		{"fractional window", `{"rules": [{"kind": "high_traffic", "threshold": 10, "window": "1.5s"}]}`,
			[]string{`rule "high_traffic": window must be whole seconds between 1s and 24h0m0s: 1.5s`}},
		{"window too long", `{"rules": [{"kind": "high_traffic", "threshold": 10, "window": "25h"}]}`,
			[]string{`window must be whole seconds between 1s and 24h0m0s: 25h0m0s`}},
		{"negative for", `{"rules": [{"kind": "high_traffic", "threshold": 10, "for": "-1s"}]}`,
			[]string{`for must be whole seconds between 0s and 24h0m0s: -1s`}},
		{"high_traffic recover above the threshold", `{"rules": [{"name": "page", "kind": "high_traffic", "threshold": 10, "recover": 12}]}`,
			[]string{`rule "page": threshold must be 0 or more and recover between 0 and the threshold: 10, 12`}},
		{"low_traffic recover below the threshold", `{"rules": [{"kind": "low_traffic", "threshold": 1, "recover": 0.5}]}`,
			[]string{`rule "low_traffic": threshold must be more than 0 and recover at least the threshold: 1, 0.5`}},
		{"low_traffic threshold 0", `{"rules": [{"kind": "low_traffic", "threshold": 0}]}`,
			[]string{`threshold must be more than 0 and recover at least the threshold: 0, 0`}},
		{"error_rate threshold 1", `{"rules": [{"kind": "error_rate", "threshold": 1}]}`,
			[]string{`rule "error_rate": threshold must be a ratio from 0 to below 1 and recover between 0 and the threshold: 1, 1`}},
		{"error_rate threshold in percent", `{"rules": [{"kind": "error_rate", "threshold": 5}]}`,
			[]string{`threshold must be a ratio from 0 to below 1`, ": 5, 5"}},
		{"error_rate recover above the threshold", `{"rules": [{"kind": "error_rate", "threshold": 0.1, "recover": 0.2}]}`,
			[]string{`recover between 0 and the threshold: 0.1, 0.2`}},
		{"error_rate negative min_requests", `{"rules": [{"kind": "error_rate", "threshold": 0.1, "min_requests": -1}]}`,
			[]string{`min_requests must be 0 or more: -1`}},
		{"adaptive threshold 0", `{"rules": [{"kind": "adaptive", "threshold": 0}]}`,
			[]string{`threshold (standard deviations) must be more than 0`}},
		{"adaptive fractional half_life", `{"rules": [{"kind": "adaptive", "threshold": 3, "half_life": "1.5s"}]}`,
			[]string{`half_life must be whole seconds, at least 0s: 1.5s`}},
		{"min_requests on high_traffic", `{"rules": [{"kind": "high_traffic", "threshold": 10, "min_requests": 5}]}`,
			[]string{`rule "high_traffic": min_requests is for error_rate and latency rules`}},
		{"min_requests 0 on low_traffic", `{"rules": [{"kind": "low_traffic", "threshold": 1, "min_requests": 0}]}`,
			nil}, // accepted: 0 is the value it has anyway
		{"half_life on low_traffic", `{"rules": [{"kind": "low_traffic", "threshold": 1, "half_life": "1h"}]}`,
			[]string{`rule "low_traffic": half_life and learn are for adaptive rules`}},
		{"learn on error_rate", `{"rules": [{"kind": "error_rate", "threshold": 0.1, "learn": "1h"}]}`,
			[]string{`half_life and learn are for adaptive rules`}},
		{"empty rules list", `{"rules": []}`, []string{"no rules"}},
		{"no rules field", `{}`, []string{"no rules"}},
		{"null rules", `{"rules": null}`, []string{"no rules"}},
		{"empty file", ``, []string{"EOF"}},
		{"trailing object", "{\"rules\": [{\"kind\": \"high_traffic\", \"threshold\": 10}]}\n{\"rules\": []}\n",
			[]string{"line 2: more after the rules object"}},
		{"trailing data lines later", "{\"rules\": [{\"kind\": \"high_traffic\", \"threshold\": 10}]}\n\n\n\nx",
			[]string{"line 5: more after the rules object"}},
		{"trailing word on the same line", "{\"rules\": [\n{\"kind\": \"high_traffic\", \"threshold\": 10}\n]} x\n",
			[]string{"line 3: more after the rules object"}},
		// Regressions: a stray closing bracket was taken for the end.
		{"trailing brace", "{\"rules\": [{\"kind\": \"high_traffic\", \"threshold\": 5}]}\n}\n",
			[]string{"line 2: more after the rules object"}},
		{"trailing bracket", "{\"rules\": [{\"kind\": \"high_traffic\", \"threshold\": 5}]}\n]\n",
			[]string{"line 2: more after the rules object"}},
		// Regression: a second list was taken, the first dropped.
		{"rules twice", "{\"rules\": [{\"kind\":\"high_traffic\",\"threshold\":10}],\n \"rules\": [{\"kind\":\"high_traffic\",\"threshold\":10},\n{\"kind\":\"bad\",\"threshold\":10}]}\n",
			[]string{`line 2: "rules" given twice`}},
		{"a field twice in a rule", "{\"rules\": [\n{\"kind\":\"high_traffic\",\"threshold\":10},\n{\"kind\":\"low_traffic\",\n\"window\":\"1m\",\"threshold\":1,\"window\":\"2m\"}]}\n",
			[]string{`line 4: "window" given twice`}},
		{"rules twice, in another case", "{\"rules\": [{\"kind\":\"high_traffic\",\"threshold\":10}], \"RULES\": []}",
			[]string{`line 1: "RULES" given twice (as "rules" before: keys match whatever their case)`}},
		{"a field twice, with a long s", "{\"rules\": [{\"kind\":\"high_traffic\",\"threshold\":10,\"thre\u017fhold\":20}]}",
			[]string{`line 1: "threſhold" given twice`}},
		{"the same field in two rules", "{\"rules\": [{\"kind\":\"high_traffic\",\"threshold\":10}, {\"name\":\"x\",\"kind\":\"high_traffic\",\"threshold\":10}]}",
			nil}, // accepted: each object has its own fields
		{"two rules of one name", "{\"rules\": [{\"kind\":\"high_traffic\",\"threshold\":10},\n{\"kind\":\"high_traffic\",\"threshold\":20}]}\n",
			[]string{`rule 2 (line 2): the name "high_traffic" is rule 1's`}},
		{"error in the 3rd rule", "{\"rules\": [\n" +
			"  {\"kind\": \"high_traffic\", \"threshold\": 10},\n" +
			"  {\"kind\": \"error_rate\", \"threshold\": 0.1},\n" +
			"\n" +
			"  {\"kind\": \"low_traffic\",\n" +
			"   \"threshold\": -1}\n" +
			"]}\n",
			[]string{"rule 3 (line 5): ", `rule "low_traffic": threshold must be more than 0`}},
		{"error in the 2nd rule on one line", `{"rules": [{"kind": "high_traffic", "threshold": 10}, {"kind": "nope", "threshold": 1}]}`,
			[]string{"rule 2 (line 1): ", `not "nope"`}},
		{"error in the 2nd rule after a nested value", "{\"rules\": [\n" +
			"  {\"kind\": \"high_traffic\", \"threshold\": 10},\n" +
			"  {\"kind\": \"error_rate\", \"threshold\": [0.1]},\n" +
			"  {\"kind\": \"low_traffic\", \"threshold\": 1}\n" +
			"]}\n",
			[]string{"rule 2 (line 3): ", "cannot unmarshal array"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rules, err := ParseRules([]byte(tt.file))
			if tt.want == nil {
				if err != nil {
					t.Errorf("ParseRules: %v, want no error", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("ParseRules gave %s, want an error with %q", showRules(rules), tt.want)
			}
			if rules != nil {
				t.Errorf("ParseRules gave rules %s with its error", showRules(rules))
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}
