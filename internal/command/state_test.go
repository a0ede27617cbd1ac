package command

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/logmon/logmon/internal/record"

	"github.com/logmon/logmon/internal/checkpoint"
	"github.com/logmon/logmon/internal/clock"
	"github.com/logmon/logmon/internal/follow"
	"github.com/logmon/logmon/parse"
)

// positioned returns testdata/burst.log as request records that carry a
// file identity and offsets, as `logmon parse --follow` writes them.
func positioned(t *testing.T) [][]byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(testdata, "burst.log"))
	if err != nil {
		t.Fatal(err)
	}
	var p parse.Parser
	var recs [][]byte
	off := int64(0)
	for _, line := range bytes.SplitAfter(raw, []byte("\n")) {
		var r record.Request
		if err := p.Line(bytes.TrimSuffix(line, []byte("\n")), &r); err == nil {
			r.File, r.Offset = []byte("00c0ffee00c0ffee"), off
			recs = append(recs, append(r.AppendJSON(nil), '\n'))
		}
		off += int64(len(line))
	}
	return recs
}

// runIn runs one logmon command in-process on input and returns its exit
// code, stdout and stderr.
func runIn(input []byte, args ...string) (code int, stdout, stderr string) {
	var out, errs bytes.Buffer
	code = run(append([]string{"logmon"}, args...), testEnv(bytes.NewReader(input), &out, &errs))
	return code, out.String(), errs.String()
}

// TestStateRestart: a stage stopped after part of its input and started
// again on the whole input (a restarted `parse --follow` without
// --resume) skips what it counted and writes, over both runs, what one
// uninterrupted run writes. Stats writes partial summaries when it stops;
// the complete ones of both runs are those of the uninterrupted run.
func TestStateRestart(t *testing.T) {
	recs := positioned(t)
	all := bytes.Join(recs, nil)
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"alert", []string{"alert", "--threshold", "5", "--window", "20s"}},
		{"stats", []string{"stats", "--interval", "30s"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			ref := filepath.Join(dir, "ref.state")
			code, want, stderr := runIn(all, append(tc.args, "--state", ref)...)
			if code != exitOK {
				t.Fatalf("uninterrupted run: exit %d\n%s", code, stderr)
			}
			state := filepath.Join(dir, "s.state")
			half := len(recs) / 2
			code, first, stderr := runIn(bytes.Join(recs[:half], nil), append(tc.args, "--state", state)...)
			if code != exitOK {
				t.Fatalf("first run: exit %d\n%s", code, stderr)
			}
			code, second, stderr := runIn(all, append(tc.args, "--state", state)...)
			if code != exitOK {
				t.Fatalf("second run: exit %d\n%s", code, stderr)
			}
			if !strings.Contains(stderr, fmt.Sprintf("%d requests at or before the saved position skipped", half)) {
				t.Errorf("second run does not report the %d requests it skipped:\n%s", half, stderr)
			}
			if got := complete(first) + complete(second); got != complete(want) {
				t.Errorf("the two runs wrote (-want +got):\n-%s\n+%s", complete(want), got)
			}
			if tc.name == "alert" && (complete(want) == "" || first != complete(first)) {
				t.Errorf("alert wrote no alerts, or a record it may take back: %q", first)
			}
		})
	}
}

// complete drops the partial summaries a stage writes when it pauses.
func complete(out string) string {
	var b strings.Builder
	for line := range strings.SplitAfterSeq(out, "\n") {
		if line != "" && !strings.Contains(line, `"partial":true`) {
			b.WriteString(line)
		}
	}
	return b.String()
}

// TestStateRefused: a state file that cannot be used stops the command
// with exit 3 and a message naming the file, and the file is left as it
// was; --state-reset starts afresh on purpose.
func TestStateRefused(t *testing.T) {
	recs := bytes.Join(positioned(t), nil)
	dir := t.TempDir()
	good := filepath.Join(dir, "good.state")
	if code, _, stderr := runIn(recs, "alert", "--state", good); code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	goodData, _ := os.ReadFile(good)
	tests := []struct {
		name string
		data []byte
		args []string
		want string
	}{
		{"empty", []byte{}, []string{"alert"}, "is empty"},
		{"zeros", make([]byte, 512), []string{"alert"}, "only zero bytes"},
		{"cut short", goodData[:len(goodData)/2], []string{"alert"}, "is cut short"},
		{"other settings", goodData, []string{"alert", "--window", "1m"}, `other settings`},
		{"another max jump", goodData, []string{"alert", "--max-jump", "2h"}, `other settings`},
		{"other command", goodData, []string{"stats"}, `is the state of logmon "alert", not of logmon stats`},
		{"another version", bytes.Replace(goodData, []byte(fmt.Sprintf("logmon-state %d ", checkpoint.Version)), []byte("logmon-state 1 "), 1), []string{"alert"}, "another version"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "x.state")
			os.WriteFile(path, tt.data, 0o644)
			code, stdout, stderr := runIn(recs, append(tt.args, "--state", path)...)
			if code != exitState || stdout != "" || !strings.Contains(stderr, tt.want) || !strings.Contains(stderr, path) || !strings.Contains(stderr, "--state-reset") {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d and a message with %q", code, stdout, stderr, exitState, tt.want)
			}
			if after, _ := os.ReadFile(path); !bytes.Equal(after, tt.data) {
				t.Error("the refused state file was changed")
			}
			code, _, stderr = runIn(recs, append(tt.args, "--state", path, "--state-reset")...)
			if code != exitOK {
				t.Errorf("--state-reset: exit %d\n%s", code, stderr)
			}
			if code, _, stderr := runIn(nil, append(tt.args, "--state", path)...); code != exitOK {
				t.Errorf("after --state-reset the file is not a good state: exit %d\n%s", code, stderr)
			}
		})
	}
	if code, _, stderr := runIn(nil, "alert", "--state-reset"); code != exitUsage || !strings.Contains(stderr, "--state-reset needs --state") {
		t.Errorf("--state-reset alone: exit %d, %q", code, stderr)
	}
}

// TestStateFile: the state is JSON a person can read, with the position
// of the last request counted.
func TestStateFile(t *testing.T) {
	recs := positioned(t)
	path := filepath.Join(t.TempDir(), "a.state")
	if code, _, stderr := runIn(bytes.Join(recs, nil), "alert", "--state", path); code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	data, _ := os.ReadFile(path)
	header, body, _ := bytes.Cut(data, []byte("\n"))
	if !bytes.HasPrefix(header, []byte(fmt.Sprintf("logmon-state %d ", checkpoint.Version))) {
		t.Errorf("header %q", header)
	}
	var f struct {
		Command  string
		Position struct {
			File   string `json:"file_id"`
			Offset int64
		}
	}
	if err := json.Unmarshal(body, &f); err != nil {
		t.Fatal(err)
	}
	var last record.Request
	var d record.Decoder
	d.Record(bytes.TrimSpace(recs[len(recs)-1]), &last)
	if f.Command != "alert" || f.Position.File != "00c0ffee00c0ffee" || f.Position.Offset != last.Offset {
		t.Errorf("state %s: want the position of the last request, byte %d", body, last.Offset)
	}
}

// TestInterruptSavesState: SIGTERM while the input is open saves the
// state, with the position of the last request read, flushes the output
// and exits 143 (128 + SIGTERM).
func TestInterruptSavesState(t *testing.T) {
	recs := positioned(t)
	in := &blockAfter{data: strings.NewReader(string(bytes.Join(recs, nil))), blocked: make(chan struct{})}
	var out, errs strings.Builder
	sig := make(chan os.Signal, 1)
	e := testEnv(in, &out, &errs)
	e.interrupt = sig
	path := filepath.Join(t.TempDir(), "a.state")
	done := make(chan int)
	go func() {
		done <- run([]string{"logmon", "alert", "--threshold", "5", "--window", "20s", "--state", path}, e)
	}()
	<-in.blocked
	sig <- syscall.SIGTERM
	if code := <-done; code != 143 {
		t.Errorf("exit %d, want 143; stderr:\n%s", code, errs.String())
	}
	if n := strings.Count(out.String(), `"type":"alert"`); n != 2 {
		t.Errorf("%d alerts written, want 2:\n%s", n, out.String())
	}
	f, found, err := checkpoint.Load(path)
	if err != nil || !found {
		t.Fatalf("state after SIGTERM: %v, %v", found, err)
	}
	var last record.Request
	var d record.Decoder
	d.Record(bytes.TrimSpace(recs[len(recs)-1]), &last)
	if f.Position == nil || f.Position.Offset != last.Offset {
		t.Errorf("saved position %+v, want byte %d", f.Position, last.Offset)
	}
}

// followRun is `logmon parse -F FILE [args]` running in-process, its polls on a
// fake clock that the test advances.
type followRun struct {
	t         *testing.T
	out, errs syncWriter
	clk       *clock.Fake
	sig       chan os.Signal
	done      chan int      // the exit code
	ended     chan struct{} // closed when it has ended
}

func startFollow(t *testing.T, path string, args ...string) *followRun {
	t.Helper()
	r := &followRun{t: t, clk: clock.NewFake(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)),
		sig: make(chan os.Signal, 1), done: make(chan int, 1), ended: make(chan struct{})}
	e := testEnv(strings.NewReader(""), &r.out, &r.errs)
	e.clock, e.interrupt = r.clk, r.sig
	go func() {
		r.done <- run(append([]string{"logmon", "parse", "-F", path}, args...), e)
		close(r.ended)
	}()
	return r
}

// waitLines waits until parse has written n records; the test fails if
// parse ends first.
func (r *followRun) waitLines(n int) {
	r.t.Helper()
	if !r.out.waitLines(n, r.ended) {
		r.t.Fatalf("parse ended with %d records, want %d:\n%s\n%s", countLines(&r.out), n, r.out.b.String(), r.errs.b.String())
	}
}

// look lets a poll pass once parse waits for one: it has read all it
// could.
func (r *followRun) look() {
	r.clk.BlockUntil(1)
	r.clk.Advance(follow.DefaultPoll)
}

// pollUntil lets polls pass until parse has written n records: a new
// file's lines come once its identity is known (its first two lines) and
// a renamed file has been read on for a while (late writers).
func (r *followRun) pollUntil(n int) {
	r.t.Helper()
	for i := 0; countLines(&r.out) < n && i < 100; i++ {
		r.look()
	}
	r.waitLines(n)
}

// interrupt stops parse with SIGINT and returns its exit code.
func (r *followRun) interrupt() int {
	r.sig <- syscall.SIGINT
	return <-r.done
}

// TestFollowInProcess: parse --follow reads the file itself, gives every
// request its file_id and offset, names bad lines by byte offset, reports
// a rotation, and stops on SIGINT with its tally (exit 130). The polls
// are the fake clock's: the rotation is made while parse waits for one.
func TestFollowInProcess(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "access.log")
	line := `1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET /a HTTP/1.1" 200 5 "-" "-"` + "\n"
	os.WriteFile(log, []byte(line+"garbage\n"+line), 0o644)
	r := startFollow(t, log)
	r.waitLines(2)
	r.clk.BlockUntil(1) // at the end of the file, waiting for a poll
	os.Rename(log, log+".1")
	second := strings.Replace(line, "/a", "/b", 1)
	os.WriteFile(log, []byte(second+second), 0o644) // other first lines: another file
	// The renamed file is read on for a second (late writers), then the
	// new one.
	r.pollUntil(4)
	if code := r.interrupt(); code != 130 {
		t.Errorf("exit %d, want 130", code)
	}
	out, errs := &r.out, &r.errs
	var offsets []int64
	var ids []string
	for l := range strings.Lines(out.b.String()) {
		var r record.Request
		var d record.Decoder
		if _, err := d.Record([]byte(strings.TrimSpace(l)), &r); err != nil {
			t.Fatal(err)
		}
		offsets, ids = append(offsets, r.Offset), append(ids, string(r.File))
	}
	if !slices.Equal(offsets, []int64{0, int64(len(line)) + 8, 0, int64(len(second))}) || ids[0] != ids[1] || ids[0] == ids[2] || ids[2] != ids[3] || ids[0] == "" {
		t.Errorf("positions %v %v; want offsets 0, %d in the first file, 0, %d in the second", ids, offsets, len(line)+8, len(second))
	}
	for _, want := range []string{"access.log at byte " + fmt.Sprint(len(line)) + ": ", "was rotated", "5 lines: 4 requests, 1 rejected"} {
		if !strings.Contains(errs.b.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs.b.String())
		}
	}
}
