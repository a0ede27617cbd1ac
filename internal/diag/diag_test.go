package diag

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/logmon/logmon/internal/clock"
	"github.com/logmon/logmon/internal/termsafe/termsafetest"
)

var at = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// clk is a clock that stands still at at.
var clk = clock.NewFake(at)

// TestText: the text format is the lines a person reads, built from the
// attributes that place a message; other attributes follow as key=value.
func TestText(t *testing.T) {
	var b bytes.Buffer
	l, err := New(&b, "parse", "info", "text", clk)
	if err != nil {
		t.Fatal(err)
	}
	l.Warn(`bad timestamp "30/Feb"`, KeyInput, "<stdin>", KeyLine, 42)
	l.Warn(`bad status "abc"`, KeyAt, "access.log at byte 1234")
	l.Warn("3 more warnings suppressed", KeyInput, "<stdin>")
	l.Info("10 lines: 9 requests, 1 rejected")
	l.With("path", "a.state").Info("state saved", "bytes", 120)
	l.Debug("not at info")
	want := `logmon parse: <stdin>:42: bad timestamp "30/Feb"
logmon parse: access.log at byte 1234: bad status "abc"
logmon parse: <stdin>: 3 more warnings suppressed
logmon parse: 10 lines: 9 requests, 1 rejected
logmon parse: state saved path=a.state bytes=120
`
	if b.String() != want {
		t.Errorf("text\n%s\nwant\n%s", b.String(), want)
	}
}

// TestJSON: one object per message, with its level, the injected time,
// the command and the placing attributes as fields.
func TestJSON(t *testing.T) {
	var b bytes.Buffer
	l, err := New(&b, "stats", "warn", "json", clk)
	if err != nil {
		t.Fatal(err)
	}
	l.Info("a tally, below the level")
	l.Warn("not a valid record", KeyInput, "<stdin>", KeyLine, 7)
	l.Error("broken")
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d messages, want 2:\n%s", len(lines), b.String())
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &m); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]any{"time": "2026-11-23T12:00:00Z", "level": "WARN", "msg": "not a valid record", "cmd": "stats", "input": "<stdin>", "line": 7.0} {
		if m[k] != v {
			t.Errorf("%s = %v, want %v (in %s)", k, m[k], v, lines[0])
		}
	}
	if !strings.Contains(lines[1], `"level":"ERROR"`) {
		t.Errorf("second message %s", lines[1])
	}
}

// TestLevels: each level lets through what is at least as serious.
func TestLevels(t *testing.T) {
	for _, tc := range []struct {
		level string
		want  int
	}{{"debug", 4}, {"info", 3}, {"warn", 2}, {"WARN", 2}, {"error", 1}} {
		var b bytes.Buffer
		l, err := New(&b, "alert", tc.level, "text", clk)
		if err != nil {
			t.Fatal(err)
		}
		l.Debug("d")
		l.Info("i")
		l.Warn("w")
		l.Error("e")
		if n := strings.Count(b.String(), "\n"); n != tc.want {
			t.Errorf("level %s: %d messages, want %d", tc.level, n, tc.want)
		}
	}
}

func TestBadSettings(t *testing.T) {
	for _, tc := range []struct{ level, format, want string }{
		{"loud", "text", `--log-level must be debug, info, warn or error: "loud"`},
		{"info", "xml", `--diag-format must be text or json: "xml"`},
	} {
		if _, err := New(&bytes.Buffer{}, "parse", tc.level, tc.format, clk); err == nil || err.Error() != tc.want {
			t.Errorf("New(%s, %s) = %v, want %q", tc.level, tc.format, err, tc.want)
		}
	}
}

// hostile is text from outside logmon (a file name, a state file's
// contents, a command's output) made to take over a terminal: retitle the
// window, clear the screen, hide text, with an 8-bit CSI, invalid UTF-8
// and DEL.
const hostile = "a\x1b]0;owned\x07\x1b[2J\x1b[H\u202e\u009b31m\x9b\xff\x7f\r\nz"

// TestTextSafe: the text format escapes every control and invisible
// character of the message and of every attribute (a notice about a
// followed file's new name, as follow makes it; the input's name; a place;
// any other value), and keeps the Go escapes a message already has.
func TestTextSafe(t *testing.T) {
	var b bytes.Buffer
	l, err := New(&b, "parse", "info", "text", clk)
	if err != nil {
		t.Fatal(err)
	}
	l.Info(fmt.Sprintf("%s was rotated to %s; reading it", "access.log", "access.log.1"+hostile))
	l.Warn("bad status", KeyInput, hostile, KeyLine, 3)
	l.Warn("bad status", KeyAt, hostile+" at byte 5")
	l.With("path", hostile).Info("state saved", "why", hostile, hostile, 1)
	l.Warn(fmt.Sprintf("bad status %q", "\x1b[2J"))
	termsafetest.Check(t, "stderr", b.Bytes(), 5)
	want := `logmon parse: access.log was rotated to access.log.1a\x1b]0;owned\a\x1b[2J\x1b[H\u202e\u009b31m\x9b\xff\x7f\r\nz; reading it`
	if first, _, _ := strings.Cut(b.String(), "\n"); first != want {
		t.Errorf("notice mismatch (-want +got):\n-%s\n+%s", want, first)
	}
	if !strings.Contains(b.String(), `logmon parse: bad status "\x1b[2J"`) {
		t.Errorf("a quoted value's escapes are not kept as they are:\n%s", b.String())
	}
}

// TestJSONSafe: the json format writes valid UTF-8 and no raw control or
// invisible character (DEL, C1 and bidi controls, which encoding/json lets
// through, included), and means the same text.
func TestJSONSafe(t *testing.T) {
	var b bytes.Buffer
	l, err := New(&b, "parse", "info", "json", clk)
	if err != nil {
		t.Fatal(err)
	}
	l.Info("rotated to "+hostile, KeyInput, hostile, hostile, hostile)
	termsafetest.Check(t, "stderr", b.Bytes(), 1)
	var m map[string]any
	if err := json.Unmarshal(b.Bytes(), &m); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b.String())
	}
	// Invalid UTF-8 reads back as U+FFFD, as encoding/json writes it.
	valid := strings.ToValidUTF8(hostile, "\ufffd\ufffd")
	if m["msg"] != "rotated to "+valid || m["input"] != valid || m[valid] != valid {
		t.Errorf("the text changed: %s", b.String())
	}
}
