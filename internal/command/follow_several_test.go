package command

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/logmon/logmon/internal/checkpoint"
	"github.com/logmon/logmon/internal/eventtime"
	"github.com/logmon/logmon/internal/follow"
	"github.com/logmon/logmon/internal/record"
)

// clfAt is a Combined line at minute m and second s after 10:00 on
// 17 May 2015, for path.
func clfAt(m, s int, path string) string {
	return fmt.Sprintf(`1.2.3.4 - - [17/May/2015:10:%02d:%02d +0000] "GET %s HTTP/1.1" 200 5 "-" "-"`+"\n", m, s, path)
}

// placed is a request record's path, file and offset.
type placed struct {
	path, file string
	off        int64
}

func placedOf(t *testing.T, out string) []placed {
	t.Helper()
	var got []placed
	for l := range strings.Lines(out) {
		var r record.Request
		var d record.Decoder
		if _, err := d.Record([]byte(strings.TrimSpace(l)), &r); err != nil {
			t.Fatalf("%v: %s", err, l)
		}
		got = append(got, placed{string(r.Path), string(r.File), r.Offset})
	}
	return got
}

// TestFollowSeveral: parse --follow a --follow b follows both files as one
// stream: the lines already written come out in time order, each request
// with its own file's identity and offset; a line written live to one
// file comes out although the other has nothing new; and --resume starts
// each file after the last line counted from it. Before, the last
// --follow was the only one followed, and a state held one position, so
// a resume read one of the files again from its start.
func TestFollowSeveral(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.log"), filepath.Join(dir, "b.log")
	aLines := clfAt(0, 0, "/a0") + clfAt(1, 0, "/a1") + clfAt(2, 0, "/a2")
	bLines := clfAt(0, 30, "/b0") + clfAt(1, 30, "/b1")
	os.WriteFile(a, []byte(aLines), 0o644)
	os.WriteFile(b, []byte(bLines), 0o644)

	r := startFollow(t, a, "-F", b)
	r.waitLines(5)
	got := placedOf(t, r.out.b.String())
	var order []string
	for _, p := range got {
		order = append(order, p.path)
	}
	if strings.Join(order, " ") != "/a0 /b0 /a1 /b1 /a2" {
		t.Errorf("order %v, want the lines' times'", order)
	}
	offA, offB := int64(len(clfAt(0, 0, "/a0"))), int64(len(clfAt(0, 30, "/b0")))
	want := []placed{{"/a0", got[0].file, 0}, {"/b0", got[1].file, 0}, {"/a1", got[0].file, offA}, {"/b1", got[1].file, offB}, {"/a2", got[0].file, 2 * offA}}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("record %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	if got[0].file == got[1].file || got[0].file == "" {
		t.Errorf("the two files have identities %q and %q", got[0].file, got[1].file)
	}

	// Live: b grows, a does not.
	r.clk.BlockUntil(2) // both files wait for a poll
	appendTo(t, b, clfAt(3, 0, "/b2"))
	r.clk.Advance(follow.DefaultPoll)
	r.waitLines(6)
	if code := r.interrupt(); code != 130 {
		t.Errorf("exit %d, want 130; stderr:\n%s", code, r.errs.b.String())
	}

	// A stage counts them and keeps its state; both files grow; a resumed
	// parse gives the new lines only, of both files.
	state := filepath.Join(dir, "stats.state")
	logmon(t, r.out.b.Bytes(), "stats", "--state", state).ok(t)
	f, _, err := checkpoint.Load(state)
	if err != nil {
		t.Fatal(err)
	}
	if ps := f.Positions(); len(ps) != 2 || ps[0] != (checkpoint.Position{File: got[1].file, Offset: 2 * offB}) || ps[1] != (checkpoint.Position{File: got[0].file, Offset: 2 * offA}) {
		t.Errorf("state positions %+v; want b's last line, then a's", ps)
	}
	appendTo(t, a, clfAt(4, 0, "/a3"))
	appendTo(t, b, clfAt(4, 30, "/b3"))
	r2 := startFollow(t, a, "-F", b, "--resume", state)
	r2.waitLines(2)
	r2.clk.BlockUntil(2)
	if code := r2.interrupt(); code != 130 {
		t.Errorf("exit %d, want 130", code)
	}
	got2 := placedOf(t, r2.out.b.String())
	want2 := []placed{{"/a3", got[0].file, 3 * offA}, {"/b3", got[1].file, 2*offB + int64(len(clfAt(3, 0, "/b2")))}}
	if len(got2) != 2 || got2[0] != want2[0] || got2[1] != want2[1] {
		t.Errorf("resumed: %+v, want %+v\n%s", got2, want2, r2.errs.b.String())
	}
}

// TestFollowSeveralRefused: a file followed twice, an empty name, and
// standard input are usage errors that say why.
func TestFollowSeveralRefused(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.log")
	os.WriteFile(a, []byte(clfAt(0, 0, "/")), 0o644)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"parse", "-F", a, "-F", filepath.Join(dir, ".", "a.log")}, "is given twice"},
		{[]string{"parse", "-F", a, "-F", ""}, "not an empty one"},
		{[]string{"parse", "-F", a, "-F", "-"}, "standard input cannot be followed"},
		{[]string{"parse", "-F", a, "-F", dir}, dir},
	} {
		res := logmon(t, nil, tt.args...)
		if res.code == 0 || !strings.Contains(res.stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want %q", tt.args, res.code, res.stderr, tt.want)
		}
	}
}

func appendTo(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
}

// lastSummaries is the requests of each interval's summary that a restart
// did not replace: the last complete one written, or else the last
// partial one. Lines of two files followed live come in an order that
// depends on when each was written and read, so that a run restarted
// from a state may count an interval's lines otherwise than the killed
// run did (a line late in one is on time in the other): unlike with one
// file, a repeat may differ from the first, and the last one is what the
// kept state goes on from.
func lastSummaries(t *testing.T, out []byte) map[string]int64 {
	t.Helper()
	last := map[string]int64{}
	complete := map[string]bool{}
	for l := range bytes.Lines(out) {
		var r struct {
			Type, Start string
			Partial     bool
			Requests    int64
		}
		if err := json.Unmarshal(l, &r); err != nil || r.Type != "summary" {
			t.Errorf("output line is not a summary: %q", l)
			continue
		}
		if r.Partial && complete[r.Start] {
			continue
		}
		last[r.Start], complete[r.Start] = r.Requests, !r.Partial
	}
	return last
}

// TestCrashRestartSeveral is the crash test (see crash_test.go) of
//
//	logmon parse -F a.log -F b.log --resume S | logmon stats --state S
//
// with the two logs written at once, each rotated once, and the pipeline
// killed with kill -9 at random moments: after a final run, every line of
// both logs is counted once (the summaries a restart did not replace add
// up to the lines: see lastSummaries), no resume point was missed, and
// the state holds each log's last line. With one position in a state, each restart
// read the log not counted last from the start of its file.
func TestCrashRestartSeveral(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("kill -9 and pipes of processes: Unix")
	}
	if testing.Short() {
		t.Skip("the crash test takes some seconds")
	}
	bin := filepath.Join(logmonBin(t), "logmon")
	const stage = "stats"
	var halves [2][]byte
	data := crashTraffic(t)
	i := 0
	for l := range bytes.Lines(data) {
		halves[i%2] = append(halves[i%2], l...)
		i++
	}
	dir := t.TempDir()
	logs := []string{filepath.Join(dir, "a.log"), filepath.Join(dir, "b.log")}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 7))
	var written sync.WaitGroup
	for k, log := range logs {
		d := halves[k]
		head := 0
		for range eventtime.Confirm + 2 {
			head += bytes.IndexByte(d[head:], '\n') + 1
		}
		if err := os.WriteFile(log, d[:head], 0o644); err != nil {
			t.Fatal(err)
		}
		rotateAt := []int{lineStart(d, len(d)/2) - head}
		appendRng := rand.New(rand.NewPCG(rng.Uint64(), uint64(k)))
		written.Add(1)
		go func() {
			defer written.Done()
			waitFor(t, filepath.Join(dir, stage+".state"))
			appender(t, log, d[head:], appendRng, rotateAt, func(left int) {
				if err := os.Rename(log, fmt.Sprintf("%s.%d", log, left)); err != nil {
					t.Error(err)
				}
			})
		}()
	}
	appended := make(chan struct{})
	go func() { written.Wait(); close(appended) }()

	var out, errs syncWriter
	kills := 0
	for {
		ended := false
		select {
		case <-appended:
			ended = kills >= 12
		default:
		}
		if ended {
			break
		}
		startPipeOf(t, bin, dir, logs, stage, &out, &errs).killAtRandom(t, rng)
		kills++
	}
	// The final run: until the state holds both logs' last lines.
	var lasts []int64
	for _, log := range logs {
		d, err := os.ReadFile(log)
		if err != nil {
			t.Fatal(err)
		}
		lasts = append(lasts, int64(lineStart(d, len(d)-1)))
	}
	p := startPipeOf(t, bin, dir, logs, stage, &out, &errs)
	deadline := time.Now().Add(60 * time.Second)
	var positions []checkpoint.Position
	for time.Now().Before(deadline) {
		f, _, err := checkpoint.Load(filepath.Join(dir, stage+".state"))
		if err == nil && f != nil {
			positions = f.Positions()
			if len(positions) >= 2 && slices.ContainsFunc(positions[:2], func(p checkpoint.Position) bool { return p.Offset == lasts[0] }) &&
				slices.ContainsFunc(positions[:2], func(p checkpoint.Position) bool { return p.Offset == lasts[1] }) {
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	p.stop(t, true)
	t.Logf("%d kills; %d lines", kills, bytes.Count(data, []byte("\n")))
	if t.Failed() {
		t.Fatalf("stderr of the runs:\n%s", errs.b.String())
	}
	if strings.Contains(errs.b.String(), "not found") {
		t.Errorf("a resume point was not found:\n%s", errs.b.String())
	}
	sum := int64(0)
	for _, n := range lastSummaries(t, out.b.Bytes()) {
		sum += n
	}
	if lines := int64(bytes.Count(data, []byte("\n"))); sum != lines {
		t.Errorf("summaries sum to %d requests; the logs have %d lines (state positions %v, last lines at %v)\n%s", sum, lines, positions, lasts, errs.b.String())
	}
}
