package command

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// The cases of logmon alert are in testdata/cases/alert (see TestCases).
// These tests need more than a comparison.

// TestExec: alert --exec hands every alert record, as written on stdout,
// to the command. (A command that fails: testdata/cases/alert/exec-fails.)
func TestExec(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the test's command is a sh command")
	}
	burst, err := os.ReadFile(filepath.Join(testdata, "burst.log"))
	if err != nil {
		t.Fatal(err)
	}
	paged := filepath.Join(t.TempDir(), "paged")
	out := logmon(t, burst, "alert", "--threshold", "5", "--window", "20s", "--exec", "cat >> "+paged).ok(t).stdout
	got, err := os.ReadFile(paged)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != out || strings.Count(out, `"type":"alert"`) < 2 {
		t.Errorf("the command got\n%s\nstdout was\n%s", got, out)
	}
}

// rulesLog is testdata/rules.log, which fires the rules of the case
// alert/rules-file (see its comment).
func rulesLog(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testdata, "rules.log"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// rulesFile writes the rules file of the case alert/rules-file into a
// temporary directory and returns its path.
func rulesFile(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "rules.json")
	if err := os.WriteFile(path, loadCase(t, "alert/rules-file").get("rules.json"), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// caseRuleFlags are the rule flags that make the rules of alert/rules-file.
var caseRuleFlags = []string{"--threshold", "5", "--window", "10s", "--error-rate", "0.5", "--error-min", "5"}

// TestAlertRuleFlags: the rule flags make the same rules as the file,
// but for the name of the high_traffic rule, which is its kind: the
// records are the same but for that name.
func TestAlertRuleFlags(t *testing.T) {
	log := rulesLog(t)
	fromFlags := logmon(t, log, append([]string{"alert"}, caseRuleFlags...)...).ok(t).stdout
	fromFile := logmon(t, log, "alert", "--rules", rulesFile(t)).ok(t).stdout
	renamed := strings.NewReplacer(`"id":"page@`, `"id":"high_traffic@`, `"rule":"page"`, `"rule":"high_traffic"`).Replace(fromFile)
	if renamed != fromFlags || !strings.Contains(fromFile, `"rule":"page"`) || strings.Count(fromFile, "\n") != 4 {
		t.Errorf("--rules, with page renamed high_traffic, gives\n%s\nthe flags give\n%s", renamed, fromFlags)
	}
}

// TestAlertRulesState: the rules are the --state file's settings. A run
// with other rules refuses the state (exit 3, the file left as it was);
// the same rules, from flags or from a file, are the same settings.
func TestAlertRulesState(t *testing.T) {
	log := rulesLog(t)
	state := filepath.Join(t.TempDir(), "alert.state")
	flags := append([]string{"alert", "--state", state}, caseRuleFlags...)
	got := logmon(t, log, flags...).ok(t).stdout
	// A run that keeps its state pauses at the end of its input, the
	// last lateness (5 s) of it not judged: the errors of :30-:32 wait
	// for the next run, and only the high_traffic alerts of the case
	// alert/rule-flags come out.
	all := strings.SplitAfter(string(loadCase(t, "alert/rule-flags").get(secStdout)), "\n")
	if want := strings.Join(all[:2], ""); got != want {
		t.Errorf("with --state:\n%s\nwant\n%s", got, want)
	}
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
		{"a named rule", []string{"alert", "--state", state, "--rules", rulesFile(t)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := logmon(t, log, tc.args...)
			if r.code != exitState {
				t.Errorf("exit %d, want %d; stderr %q", r.code, exitState, r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("stdout %q, want nothing", r.stdout)
			}
			for _, w := range []string{state, "other settings", "--state-reset"} {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr %q lacks %q", r.stderr, w)
				}
			}
			if after, _ := os.ReadFile(state); string(after) != string(saved) {
				t.Error("the refused state file was changed")
			}
		})
	}
	// The same rules from a file: no names, the same settings.
	same := filepath.Join(t.TempDir(), "same.json")
	os.WriteFile(same, []byte(`{"rules": [
  {"kind": "high_traffic", "threshold": 5, "window": "10s"},
  {"kind": "error_rate", "threshold": 0.5, "min_requests": 5, "window": "10s"}
]}`), 0o644)
	logmon(t, nil, "alert", "--state", state, "--rules", same).ok(t)
}
