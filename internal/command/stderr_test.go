package command

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/logmon/logmon/internal/checkpoint"
)

// hostile is text from outside logmon (a file name, a state file's
// contents, a command's output) made to take over a terminal: retitle the
// window, clear the screen, reverse the text that follows, with an 8-bit
// CSI too.
const hostile = "\x1b]0;owned\x07\x1b[2J\x1b[H\u202e\u009b31m"

// TestStderrSafe: what logmon writes on stderr is safe on a terminal
// whatever it quotes: a state file's settings and position, a file name
// (in the top-level error, in a followed file's notices and warnings), a
// command's output, a flag. (The message formats themselves: diag's
// tests.)
func TestStderrSafe(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("control characters in file names and sh commands")
	}
	recs := bytes.Join(positioned(t), nil)

	t.Run("state settings", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "a.state")
		// JSON escapes (shown as they are) and what JSON may hold raw.
		settings := `{"window":"\u001b]0;owned\u0007` + "\u202e\u009b31m\x9b" + `"}`
		f := &checkpoint.File{Command: "alert", Settings: json.RawMessage(settings), State: json.RawMessage(`{}`)}
		if err := checkpoint.Save(path, f); err != nil {
			t.Fatal(err)
		}
		r := logmon(t, recs, "alert", "--state", path)
		if r.code != exitState || !strings.Contains(r.stderr, "other settings") {
			t.Errorf("exit %d, want %d, a refusal for other settings:\n%s", r.code, exitState, r.stderr)
		}
		checkSafe(t, "stderr", r.stderr)
	})

	t.Run("state path", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), hostile+".state")
		os.WriteFile(path, nil, 0o644)
		r := logmon(t, recs, "alert", "--state", path)
		if r.code != exitState || !strings.Contains(r.stderr, "is empty") {
			t.Errorf("exit %d, want %d, a refusal of an empty file:\n%s", r.code, exitState, r.stderr)
		}
		checkSafe(t, "stderr", r.stderr)
	})

	t.Run("state position", func(t *testing.T) {
		dir := t.TempDir()
		state := filepath.Join(dir, "a.state")
		f := &checkpoint.File{Command: "alert", Settings: json.RawMessage(`{}`), State: json.RawMessage(`{}`),
			Position: &checkpoint.Position{File: hostile, Offset: 7}}
		if err := checkpoint.Save(state, f); err != nil {
			t.Fatal(err)
		}
		log := filepath.Join(dir, "access.log")
		os.WriteFile(log, []byte(goodLine("/ok")+"\n"+goodLine("/ok/2")+"\n"), 0o644)
		r := startFollow(t, log, "--resume", state)
		r.pollUntil(2)
		r.interrupt()
		if !strings.Contains(r.errs.b.String(), "resume point") {
			t.Errorf("no notice of the resume point not found:\n%s", r.errs.b.String())
		}
		checkSafe(t, "stderr", r.errs.b.String())
	})

	t.Run("followed file", func(t *testing.T) {
		// Its name in a warning about a bad line, in the notice of its
		// rotation, in the tally.
		log := filepath.Join(t.TempDir(), "access"+hostile+".log")
		os.WriteFile(log, []byte(goodLine("/ok")+"\ngarbage\n"), 0o644)
		r := startFollow(t, log)
		r.waitLines(1)
		r.clk.BlockUntil(1)
		os.Rename(log, log+".1")
		os.WriteFile(log, []byte(goodLine("/ok/2")+"\n"+goodLine("/ok/3")+"\n"), 0o644)
		r.pollUntil(3)
		r.interrupt()
		errs := r.errs.b.String()
		if !strings.Contains(errs, "garbage") || !strings.Contains(errs, "was rotated") {
			t.Errorf("no warning about the bad line, or no notice of the rotation:\n%s", errs)
		}
		checkSafe(t, "stderr", errs)
	})

	t.Run("exec output", func(t *testing.T) {
		// hook quotes what the command wrote (%q): this keeps it so.
		burst, err := os.ReadFile(filepath.Join(testdata, "burst.log"))
		if err != nil {
			t.Fatal(err)
		}
		r := logmon(t, burst, "alert", "--threshold", "5", "--window", "20s", "--exec", `printf '`+strings.ReplaceAll(hostile, "\x1b", `\033`)+`' >&2; echo '`+hostile+`'; exit 1`).ok(t)
		if !strings.Contains(r.stderr, "exit status 1") {
			t.Errorf("no failure reported:\n%s", r.stderr)
		}
		checkSafe(t, "stderr", r.stderr)
	})

	t.Run("flag", func(t *testing.T) {
		r := logmon(t, nil, "stats", "--"+hostile)
		if r.code != exitUsage {
			t.Errorf("exit %d, want %d:\n%s", r.code, exitUsage, r.stderr)
		}
		checkSafe(t, "stderr", r.stderr)
	})
}
