package hook

import (
	"bytes"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/logmon/logmon/internal/clock"
	"github.com/logmon/logmon/internal/diag"
)

var at = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func skipWithoutShell(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the tests' commands are sh commands")
	}
}

// TestRecordsInOrder: each record reaches the command on its standard
// input, one line, in the order sent.
func TestRecordsInOrder(t *testing.T) {
	skipWithoutShell(t)
	out := filepath.Join(t.TempDir(), "paged")
	var log bytes.Buffer
	h := Start("cat >> "+out, 10*time.Second, textLog(t, &log), clock.NewFake(at))
	for _, r := range []string{`{"id":"a","state":"firing"}`, `{"id":"a","state":"resolved"}`, `{"id":"b","state":"firing"}`} {
		h.Send([]byte(r))
	}
	h.Close()
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if want := "{\"id\":\"a\",\"state\":\"firing\"}\n{\"id\":\"a\",\"state\":\"resolved\"}\n{\"id\":\"b\",\"state\":\"firing\"}\n"; string(got) != want {
		t.Errorf("the command got\n%s\nwant\n%s", got, want)
	}
	if log.Len() != 0 {
		t.Errorf("a command that succeeds is quiet: %s", log.String())
	}
}

// TestFailingCommand: a failure is reported with what the command said,
// and the next record still runs.
func TestFailingCommand(t *testing.T) {
	skipWithoutShell(t)
	var log bytes.Buffer
	out := filepath.Join(t.TempDir(), "n")
	h := Start(`echo "pager unreachable" >&2; echo x >> `+out+`; exit 3`, 10*time.Second, textLog(t, &log), clock.NewFake(at))
	h.Send([]byte(`{"n":1}`))
	h.Send([]byte(`{"n":2}`))
	h.Close()
	if n := strings.Count(log.String(), `exit status 3: "pager unreachable"`); n != 2 {
		t.Errorf("%d failures reported:\n%s", n, log.String())
	}
	if got, _ := os.ReadFile(out); string(got) != "x\nx\n" {
		t.Errorf("runs: %q", got)
	}
}

// TestSlowCommand: a command that never ends is killed after the timeout;
// records sent while it runs wait, those beyond the queue are dropped and
// counted; Send never blocks, so the stream goes on. (If Send blocked or
// Close waited for the command, this test would hang.)
func TestSlowCommand(t *testing.T) {
	skipWithoutShell(t)
	var log bytes.Buffer
	clk := clock.NewFake(at)
	h := Start("sleep 600", 50*time.Millisecond, textLog(t, &log), clk)
	for range QueueSize + 20 {
		h.Send([]byte(`{}`))
	}
	closed := make(chan struct{})
	go func() {
		h.Close()
		close(closed)
	}()
	clk.BlockUntil(2) // the run's timeout and Close's
	clk.Advance(50 * time.Millisecond)
	<-closed
	// Killed by its own timeout, or by Close's, whichever came first.
	if !strings.Contains(log.String(), `"sleep 600" ran longer than 50ms and was killed`) && !strings.Contains(log.String(), `"sleep 600" was killed: the input ended`) {
		t.Errorf("no kill reported:\n%s", log.String())
	}
	if !strings.Contains(log.String(), "alert records not handed to \"sleep 600\"") {
		t.Errorf("no drop reported:\n%s", log.String())
	}
}

// textLog is alert's logger at its defaults, writing to w.
func textLog(t *testing.T, w io.Writer) *slog.Logger {
	t.Helper()
	l, err := diag.New(w, "alert", "info", "text", clock.System)
	if err != nil {
		t.Fatal(err)
	}
	return l
}
