package command

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// rulesT0 is the second the crafted logs of these tests start at.
var rulesT0 = time.Date(2015, 5, 17, 10, 0, 0, 0, time.UTC)

// clf is n Combined-format lines at rulesT0+sec with the given status.
func clf(sec, n, status int) string {
	at := rulesT0.Add(time.Duration(sec) * time.Second).Format("02/Jan/2006:15:04:05 -0700")
	line := fmt.Sprintf(`1.2.3.4 - - [%s] "GET /a HTTP/1.1" %d 10 "-" "x"`+"\n", at, status)
	return strings.Repeat(line, n)
}

// alertRecord is an alert record as logmon alert writes it.
type alertRecord struct {
	Type      string   `json:"type"`
	ID        string   `json:"id"`
	Rule      string   `json:"rule"`
	State     string   `json:"state"`
	Time      string   `json:"time"`
	Hits      int64    `json:"hits"`
	Rate      float64  `json:"rate"`
	Threshold float64  `json:"threshold"`
	Window    int64    `json:"window"`
	Errors    *int64   `json:"errors"`
	Ratio     *float64 `json:"ratio"`
	Expected  *float64 `json:"expected"`
	Deviation *float64 `json:"deviation"`
	Message   string   `json:"message"`
}

// String is every field but the message, on one line; a field a record
// lacks is "-".
func (a alertRecord) String() string {
	opt := func(p any) string {
		switch v := p.(type) {
		case *int64:
			if v != nil {
				return fmt.Sprint(*v)
			}
		case *float64:
			if v != nil {
				return fmt.Sprint(*v)
			}
		}
		return "-"
	}
	return fmt.Sprintf("%s id=%s rule=%s %s at %s hits=%d rate=%g threshold=%g window=%d errors=%s ratio=%s expected=%s deviation=%s",
		a.Type, a.ID, a.Rule, a.State, a.Time, a.Hits, a.Rate, a.Threshold, a.Window,
		opt(a.Errors), opt(a.Ratio), opt(a.Expected), opt(a.Deviation))
}

// alertRecords reads logmon alert's JSON output: alert records only.
func alertRecords(t *testing.T, out string) []alertRecord {
	t.Helper()
	var rs []alertRecord
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var a alertRecord
		dec := json.NewDecoder(strings.NewReader(sc.Text()))
		dec.DisallowUnknownFields() // a field the wire contract lacks fails the test
		if err := dec.Decode(&a); err != nil {
			t.Fatalf("output line %q: %v", sc.Text(), err)
		}
		if a.Type != "alert" {
			t.Fatalf("output line %q is not an alert record", sc.Text())
		}
		rs = append(rs, a)
	}
	return rs
}

// checkAlerts compares records with wanted lines (alertRecord.String)
// and, where a wanted message is not "", the messages.
func checkAlerts(t *testing.T, got []alertRecord, want []string, messages []string) {
	t.Helper()
	var lines []string
	for _, a := range got {
		lines = append(lines, a.String())
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("alert records:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
		return
	}
	for i, m := range messages {
		if m != "" && got[i].Message != m {
			t.Errorf("record %d message %q, want %q", i+1, got[i].Message, m)
		}
	}
}

// twoRulesLog: a burst that fires high_traffic (threshold 5, window 10s)
// and a run of 5xx that fires error_rate (threshold 0.5, min 5, window
// 10s). By the definitions, with the window of second s being (s-10, s]:
//
//	:00  30 requests, 3 of them 503: 30 in the window, rate 3, ratio 0.1
//	:05  30 requests (200):          60 in the window, rate 6 > 5: high fires at :05
//	:10  nothing:                    (:00, :10] holds :05's 30, rate 3 <= 5: resolves at :10
//	:30  3 × 500, 1 × 200:           4 requests, fewer than 5: not judged
//	:31  1 × 500, 1 × 404:           6 requests, 4 5xx (a 404 is no 5xx), ratio 0.6667 > 0.5: fires at :31
//	:32  2 × 200:                    8 requests, 4 5xx, ratio 0.5, not above: resolves at :32
func twoRulesLog() string {
	return clf(0, 27, 200) + clf(0, 3, 503) + clf(5, 30, 200) +
		clf(30, 3, 500) + clf(30, 1, 200) + clf(31, 1, 500) + clf(31, 1, 404) + clf(32, 2, 200)
}

const twoRulesFile = `{"rules": [
  {"name": "page", "kind": "high_traffic", "threshold": 5, "window": "10s"},
  {"kind": "error_rate", "threshold": 0.5, "min_requests": 5, "window": "10s"}
]}
`

var twoRulesWant = []string{
	"alert id=page@2015-05-17T10:00:05Z rule=page firing at 2015-05-17T10:00:05Z hits=60 rate=6 threshold=5 window=10 errors=- ratio=- expected=- deviation=-",
	"alert id=page@2015-05-17T10:00:05Z rule=page resolved at 2015-05-17T10:00:10Z hits=30 rate=3 threshold=5 window=10 errors=- ratio=- expected=- deviation=-",
	"alert id=error_rate@2015-05-17T10:00:31Z rule=error_rate firing at 2015-05-17T10:00:31Z hits=6 rate=0.6 threshold=0.5 window=10 errors=4 ratio=0.6667 expected=- deviation=-",
	"alert id=error_rate@2015-05-17T10:00:31Z rule=error_rate resolved at 2015-05-17T10:00:32Z hits=8 rate=0.8 threshold=0.5 window=10 errors=4 ratio=0.5 expected=- deviation=-",
}

var twoRulesMessages = []string{
	"High traffic generated an alert - hits = 60, triggered at 2015-05-17T10:00:05Z",
	"High traffic alert recovered - hits = 30, recovered at 2015-05-17T10:00:10Z",
	"Server errors generated an alert - 5xx = 4 of 6 requests (66.67%), triggered at 2015-05-17T10:00:31Z",
	"Server errors alert recovered - 5xx = 4 of 8 requests (50%), recovered at 2015-05-17T10:00:32Z",
}

func writeFile(t *testing.T, name, data string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestAlertRulesFile: alert --rules applies every rule of the file, each
// firing and resolving at the seconds its definition gives, with its
// name in the records and its ids.
func TestAlertRulesFile(t *testing.T) {
	rules := writeFile(t, "rules.json", twoRulesFile)
	code, stdout, stderr := runIn([]byte(twoRulesLog()), "alert", "--rules", rules)
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	checkAlerts(t, alertRecords(t, stdout), twoRulesWant, twoRulesMessages)
}

// TestAlertRuleFlags: the rule flags make the same rules as the file,
// but for the name of the high_traffic rule, which is its kind: the
// records are the same but for that name.
func TestAlertRuleFlags(t *testing.T) {
	log := []byte(twoRulesLog())
	code, fromFlags, stderr := runIn(log, "alert", "--threshold", "5", "--window", "10s", "--error-rate", "0.5", "--error-min", "5")
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	var want []string
	for _, w := range twoRulesWant {
		want = append(want, strings.ReplaceAll(w, "page", "high_traffic"))
	}
	checkAlerts(t, alertRecords(t, fromFlags), want, twoRulesMessages)

	code, fromFile, stderr := runIn(log, "alert", "--rules", writeFile(t, "rules.json", twoRulesFile))
	if code != exitOK {
		t.Fatalf("--rules: exit %d\n%s", code, stderr)
	}
	renamed := strings.NewReplacer(`"id":"page@`, `"id":"high_traffic@`, `"rule":"page"`, `"rule":"high_traffic"`).Replace(fromFile)
	if renamed != fromFlags || !strings.Contains(fromFile, `"rule":"page"`) {
		t.Errorf("--rules, with page renamed high_traffic, gives\n%s\nthe flags give\n%s", renamed, fromFlags)
	}

	// Without --error-min, the error_rate rule judges windows of 20
	// requests or more: the 6 and 8 of :31 and :32 are too few.
	code, stdout, stderr := runIn(log, "alert", "--threshold", "5", "--window", "10s", "--error-rate", "0.5")
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	checkAlerts(t, alertRecords(t, stdout), want[:2], nil)
}

// TestAlertRuleUsageErrors: a bad rule setting or rules file stops alert
// before it reads anything, with exit 2 and a message that says what is
// wrong (and in a rules file, where).
func TestAlertRuleUsageErrors(t *testing.T) {
	good := writeFile(t, "good.json", twoRulesFile)
	missing := filepath.Join(t.TempDir(), "missing.json")
	badJSON := writeFile(t, "bad.json", "{\"rules\": [\n  {\"kind\": \"high_traffic\" \"threshold\": 5}\n]}\n")
	badRule := writeFile(t, "badrule.json", "{\"rules\": [\n  {\"kind\": \"high_traffic\", \"threshold\": 5},\n  {\"kind\": \"error_rate\", \"threshold\": 5}\n]}\n")
	typo := writeFile(t, "typo.json", "{\"rules\": [\n  {\"kind\": \"high_traffic\", \"treshold\": 5}\n]}\n")
	twice := writeFile(t, "twice.json", `{"rules": [{"kind": "high_traffic", "threshold": 5}, {"kind": "high_traffic", "threshold": 50}]}`)
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"--rules with --threshold", []string{"--rules", good, "--threshold", "5"}, []string{"--threshold cannot go with --rules"}},
		{"--rules with --window", []string{"--window", "2m", "--rules", good}, []string{"--window cannot go with --rules"}},
		{"--rules with --error-min", []string{"--rules", good, "--error-min", "20"}, []string{"--error-min cannot go with --rules"}},
		{"--rules with --for", []string{"--rules", good, "--for", "0s"}, []string{"--for cannot go with --rules"}},
		{"--rules missing file", []string{"--rules", missing}, []string{missing, "no such file"}},
		{"--rules bad JSON", []string{"--rules", badJSON}, []string{badJSON + ": line 2: invalid character"}},
		{"--rules bad rule", []string{"--rules", badRule}, []string{badRule + ": rule 2 (line 3): ", "threshold must be a ratio from 0 to below 1"}},
		{"--rules typo", []string{"--rules", typo}, []string{typo + ": rule 1 (line 2): ", `unknown field "treshold"`}},
		{"--rules two rules of a name", []string{"--rules", twice}, []string{twice + `: rule 2 (line 1): the name "high_traffic" is rule 1's`}},
		{"--error-min without --error-rate", []string{"--error-min", "5"}, []string{"--error-min needs --error-rate"}},
		{"--error-rate 1", []string{"--error-rate", "1"}, []string{`rule "error_rate": threshold must be a ratio from 0 to below 1`}},
		{"--low-rate 0", []string{"--low-rate", "0"}, []string{`rule "low_traffic": threshold must be more than 0`, ": 0, 0"}},
		{"--adaptive -1", []string{"--adaptive", "-1"}, []string{`rule "adaptive": threshold (standard deviations) must be more than 0`, ": -1,"}},
		{"--for 1.5s", []string{"--for", "1.5s"}, []string{`rule "high_traffic": for must be whole seconds between 0s and 24h0m0s: 1.5s`}},
		{"--keep-firing-for -1s", []string{"--keep-firing-for", "-1s"}, []string{"keep_firing_for must be whole seconds between 0s and 24h0m0s: -1s"}},
		{"--recover above --threshold", []string{"--threshold", "5", "--recover", "6"}, []string{`rule "high_traffic": threshold must be 0 or more and recover between 0 and the threshold: 5, 6`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runIn([]byte(twoRulesLog()), append([]string{"alert"}, tt.args...)...)
			if code != exitUsage {
				t.Errorf("exit %d, want %d; stderr %q", code, exitUsage, stderr)
			}
			if stdout != "" {
				t.Errorf("stdout %q, want nothing", stdout)
			}
			if !strings.HasPrefix(stderr, "logmon: ") || strings.Count(stderr, "\n") != 1 {
				t.Errorf("stderr %q: want one line starting logmon:", stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q lacks %q", stderr, w)
				}
			}
		})
	}
}

// TestAlertLowRateGap: replayed, a gap in the log is judged second by
// second: low_traffic fires at the very second its window's rate drops
// below the threshold and resolves once the returning traffic fills the
// window up to it.
//
// 2 requests a second from 10:00:00 to 10:01:00, then none until
// 10:10:00, then 2 a second again; window 30 s, --low-rate 1 (30 in the
// window). At 10:01:15 the window (10:00:45, 10:01:15] holds the seconds
// :46 to 1:00, 15 of them, 30 requests, rate 1, not below; at 10:01:16
// 14 of them, 28, rate 0.933: fires. From 10:10:00 the window holds 2 × (s - 10:10:00 + 1): 28 at
// 10:10:13, 30 at 10:10:14, rate 1: resolves. Before 10:00:29 the
// window is not yet 30 s of the log, so the start does not fire.
func TestAlertLowRateGap(t *testing.T) {
	var log strings.Builder
	for s := 0; s <= 60; s++ {
		log.WriteString(clf(s, 2, 200))
	}
	for s := 600; s < 630; s++ {
		log.WriteString(clf(s, 2, 200))
	}
	code, stdout, stderr := runIn([]byte(log.String()), "alert", "--window", "30s", "--low-rate", "1")
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	checkAlerts(t, alertRecords(t, stdout), []string{
		"alert id=low_traffic@2015-05-17T10:01:16Z rule=low_traffic firing at 2015-05-17T10:01:16Z hits=28 rate=0.933 threshold=1 window=30 errors=- ratio=- expected=- deviation=-",
		"alert id=low_traffic@2015-05-17T10:01:16Z rule=low_traffic resolved at 2015-05-17T10:10:14Z hits=30 rate=1 threshold=1 window=30 errors=- ratio=- expected=- deviation=-",
	}, []string{
		"Low traffic generated an alert - hits = 28, triggered at 2015-05-17T10:01:16Z",
		"Low traffic alert recovered - hits = 30, recovered at 2015-05-17T10:10:14Z",
	})

	// With hysteresis from a rules file: recover 1.5 (45
	// in the window) resolves at 10:10:22, when 2 × 23 = 46 >= 45.
	rules := writeFile(t, "low.json", `{"rules": [{"kind": "low_traffic", "threshold": 1, "recover": 1.5, "window": "30s"}]}`)
	code, stdout, stderr = runIn([]byte(log.String()), "alert", "--rules", rules)
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	checkAlerts(t, alertRecords(t, stdout), []string{
		"alert id=low_traffic@2015-05-17T10:01:16Z rule=low_traffic firing at 2015-05-17T10:01:16Z hits=28 rate=0.933 threshold=1 window=30 errors=- ratio=- expected=- deviation=-",
		"alert id=low_traffic@2015-05-17T10:01:16Z rule=low_traffic resolved at 2015-05-17T10:10:22Z hits=46 rate=1.533 threshold=1.5 window=30 errors=- ratio=- expected=- deviation=-",
	}, nil)
}

// TestAlertRulesState: the rules are the --state file's settings. A run
// with other rules refuses the state (exit 3, the file left as it was);
// the same rules, from flags or from a file, are the same settings.
func TestAlertRulesState(t *testing.T) {
	log := []byte(twoRulesLog())
	state := filepath.Join(t.TempDir(), "alert.state")
	flags := []string{"alert", "--state", state, "--threshold", "5", "--window", "10s", "--error-rate", "0.5", "--error-min", "5"}
	code, stdout, stderr := runIn(log, flags...)
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	// A run that keeps its state pauses at the end of its input, the
	// last lateness (5 s) of it not judged: the errors of :30-:32 wait
	// for the next run.
	var want []string
	for _, w := range twoRulesWant[:2] {
		want = append(want, strings.ReplaceAll(w, "page", "high_traffic"))
	}
	checkAlerts(t, alertRecords(t, stdout), want, nil)
	saved, err := os.ReadFile(state)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"another rule", append(append([]string{}, flags...), "--low-rate", "1")},
		{"another error rate", []string{"alert", "--state", state, "--threshold", "5", "--window", "10s", "--error-rate", "0.4", "--error-min", "5"}},
		{"no error rule", []string{"alert", "--state", state, "--threshold", "5", "--window", "10s"}},
		{"another for", append(append([]string{}, flags...), "--for", "2s")},
		{"a named rule", []string{"alert", "--state", state, "--rules", writeFile(t, "named.json", twoRulesFile)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runIn(log, tc.args...)
			if code != exitState {
				t.Errorf("exit %d, want %d; stderr %q", code, exitState, stderr)
			}
			if stdout != "" {
				t.Errorf("stdout %q, want nothing", stdout)
			}
			for _, w := range []string{state, "other settings", "--state-reset"} {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q lacks %q", stderr, w)
				}
			}
			if after, _ := os.ReadFile(state); string(after) != string(saved) {
				t.Error("the refused state file was changed")
			}
		})
	}
	// The same rules from a file: no names, the same settings.
	same := writeFile(t, "same.json", `{"rules": [
  {"kind": "high_traffic", "threshold": 5, "window": "10s"},
  {"kind": "error_rate", "threshold": 0.5, "min_requests": 5, "window": "10s"}
]}`)
	if code, _, stderr := runIn(nil, "alert", "--state", state, "--rules", same); code != exitOK {
		t.Errorf("the same rules from a file: exit %d\n%s", code, stderr)
	}
}
