package command

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLogFlags: --log-format json writes every diagnostic as an object,
// --log-level drops what is below it, debug shows state saves, and bad
// values are usage errors.
func TestLogFlags(t *testing.T) {
	bad, err := os.ReadFile(filepath.Join(testdata, "bad.log"))
	if err != nil {
		t.Fatal(err)
	}
	runLog := func(args ...string) (code int, stderr string) {
		var out, errs bytes.Buffer
		code = run(append([]string{"logmon"}, args...), testEnv(bytes.NewReader(bad), &out, &errs))
		return code, errs.String()
	}

	// JSON: bad lines at warn, with their line; the tally at info.
	code, stderr := runLog("parse", "--log-format", "json")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	var warns, infos int
	for _, line := range strings.Split(strings.TrimSuffix(stderr, "\n"), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("not JSON: %q", line)
		}
		if m["cmd"] != "parse" {
			t.Errorf("cmd %v in %s", m["cmd"], line)
		}
		switch m["level"] {
		case "WARN":
			warns++
			if m["input"] == nil {
				t.Errorf("a warning without its input: %s", line)
			}
		case "INFO":
			infos++
			if !strings.Contains(m["msg"].(string), "lines:") {
				t.Errorf("info %s", line)
			}
		}
	}
	if warns < 10 || infos != 1 {
		t.Errorf("%d warnings and %d infos:\n%s", warns, infos, stderr)
	}

	// warn drops the tally; error drops the warnings too.
	if _, stderr := runLog("parse", "--log-level", "warn"); strings.Contains(stderr, "lines:") || !strings.Contains(stderr, "<stdin>:2: missing timestamp") {
		t.Errorf("--log-level warn:\n%s", stderr)
	}
	if _, stderr := runLog("stats", "--log-level", "error"); stderr != "" {
		t.Errorf("--log-level error:\n%s", stderr)
	}

	// debug: the state saves.
	state := filepath.Join(t.TempDir(), "s.state")
	if _, stderr := runLog("alert", "--log-level", "debug", "--state", state); !strings.Contains(stderr, "logmon alert: state saved to "+state) {
		t.Errorf("--log-level debug:\n%s", stderr)
	}

	for _, args := range [][]string{{"parse", "--log-level", "loud"}, {"stats", "--log-format", "xml"}, {"render", "--log-level", ""}} {
		if code, stderr := runLog(args...); code != exitUsage || !strings.Contains(stderr, "--log-") {
			t.Errorf("%v: exit %d, %q", args, code, stderr)
		}
	}
}
