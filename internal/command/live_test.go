package command

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/logmon/logmon/internal/clock"
)

// liveEnv is a live pipeline stage: stdin and stdout are pipes, the wall
// clock is the test's.
type liveEnv struct {
	in      *io.PipeWriter
	out     *bufio.Reader
	clk     *clock.Fake
	stderr  strings.Builder
	errMu   sync.Mutex
	done    chan int
	outPipe *io.PipeReader
}

func startLive(t *testing.T, start time.Time, args ...string) *liveEnv {
	t.Helper()
	l := &liveEnv{clk: clock.NewFake(start), done: make(chan int, 1)}
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	l.in, l.outPipe, l.out = inW, outR, bufio.NewReader(outR)
	e := env{
		stdin:  inR,
		stdout: outW,
		stderr: writerFunc(func(p []byte) (int, error) {
			l.errMu.Lock()
			defer l.errMu.Unlock()
			return l.stderr.Write(p)
		}),
		getenv: func(string) string { return "" },
		clock:  l.clk,
	}
	go func() {
		code := run(append([]string{"logmon"}, args...), e)
		outW.Close()
		l.done <- code
	}()
	return l
}

// runClock makes the wall clock go on a second at a time, each second
// ticked to the stage and received (see clock.Fake), until the returned
// function is called; call it before the input ends, while the stage
// still reads its ticks. A tick before the stage has read its input does
// nothing (no event time yet), so the events' seconds, not the
// interleaving, decide what is written.
func (l *liveEnv) runClock() (stop func()) {
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-done:
				return
			default:
				l.clk.Advance(time.Second)
			}
		}
	}()
	return func() { close(done) }
}

// second is the wall clock's second, as a Unix time.
func (l *liveEnv) second() int64 { return l.clk.Now().Unix() }

// feed writes lines to the stage and waits until it has read them: a
// marker record written after them must come out first (stages pass
// unknown records through, and flush when the input goes quiet).
func (l *liveEnv) feed(t *testing.T, lines string) {
	t.Helper()
	if _, err := io.WriteString(l.in, lines+`{"type":"marker"}`+"\n"); err != nil {
		t.Fatal(err)
	}
	if m := l.record(t); m["type"] != "marker" {
		t.Fatalf("got %v before the marker", m)
	}
}

// record reads the next output record; the test fails if none comes.
func (l *liveEnv) record(t *testing.T) map[string]any {
	t.Helper()
	line, err := l.out.ReadString('\n')
	if err != nil {
		t.Fatalf("no record: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(line), &m); err != nil {
		t.Fatalf("%v: %q", err, line)
	}
	return m
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func requestAt(sec int64, path string) string {
	return fmt.Sprintf(`{"type":"request","time":"%s","remote":"10.0.0.1","method":"GET","path":"%s","section":"%s","status":200,"bytes":1}`+"\n",
		time.Unix(sec, 0).UTC().Format(time.RFC3339), path, path)
}

// TestLiveAlertRecovers: live, a burst fires the alert as soon as the
// lateness has passed, and with no further line at all the wall clock
// alone resolves it at the right second. No test sleeps: each read of
// output blocks until the stage has flushed it, which it does only
// because its input went quiet.
func TestLiveAlertRecovers(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC).Unix()
	l := startLive(t, time.Unix(t0, 0), "alert", "--window", "10s", "--threshold", "2", "--lateness", "2s")
	var burst strings.Builder
	for range 25 {
		burst.WriteString(requestAt(t0, "/a"))
	}
	// The input stays open: this is tail -F.
	l.feed(t, burst.String())
	stop := l.runClock()
	// Second t0 is judged once the wall clock is past t0+2; the burst
	// leaves the 10 s window at t0+10, which is judged at t0+13.
	fire := l.record(t)
	if fire["state"] != "firing" || fire["time"] != "2026-11-23T12:00:00Z" {
		t.Fatalf("got %v, want firing at 12:00:00", fire)
	}
	resolve := l.record(t)
	if resolve["state"] != "resolved" || resolve["time"] != "2026-11-23T12:00:10Z" {
		t.Fatalf("got %v, want resolved at 12:00:10", resolve)
	}
	if n := l.second(); n < t0+13 {
		t.Errorf("resolve written at wall second +%d, before it could be known (+13)", n-t0)
	}
	stop()
	l.in.Close()
	if code := <-l.done; code != exitOK {
		t.Errorf("exit %d: %s", code, l.stderr.String())
	}
}

// TestLiveLowTraffic: live, when the lines stop (the server went down),
// the low-traffic rule fires with no line at all, driven by the wall clock,
// at the second its window fell below the rate.
func TestLiveLowTraffic(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC).Unix()
	// The lines of t0..t0+11 arrive at wall second t0+11, as written.
	l := startLive(t, time.Unix(t0+11, 0), "alert", "--window", "10s", "--low-rate", "1", "--lateness", "2s")
	var lines strings.Builder
	for s := t0; s < t0+12; s++ {
		lines.WriteString(requestAt(s, "/a"))
		lines.WriteString(requestAt(s, "/a"))
	}
	l.feed(t, lines.String())
	stop := l.runClock()
	// 2/s up to t0+11: the window (t0+6, t0+16] holds t0+7..t0+11, 10
	// hits, not below 1/s; (t0+7, t0+17] holds 8: the first below,
	// judged once the wall clock is past t0+17+2.
	fire := l.record(t)
	if fire["rule"] != "low_traffic" || fire["state"] != "firing" || fire["time"] != "2026-11-23T12:00:17Z" || fire["hits"] != 8.0 {
		t.Fatalf("got %v, want low_traffic firing at 12:00:17 with 8 hits", fire)
	}
	if n := l.second(); n < t0+20 {
		t.Errorf("written at wall second +%d, before it could be known (+20)", n-t0)
	}
	stop()
	l.in.Close()
	if code := <-l.done; code != exitOK {
		t.Errorf("exit %d: %s", code, l.stderr.String())
	}
}

// TestLiveStatsTicks: live, stats writes a summary every interval through
// a silence, each as soon as it can be known.
func TestLiveStatsTicks(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC).Unix()
	l := startLive(t, time.Unix(t0, 0), "stats", "--interval", "10s", "--lateness", "1s")
	l.feed(t, requestAt(t0+1, "/a"))
	stop := l.runClock()
	var got []string
	for range 4 {
		r := l.record(t)
		got = append(got, fmt.Sprintf("%v %v", r["start"], r["requests"]))
	}
	want := []string{"2026-11-23T12:00:00Z 1", "2026-11-23T12:00:10Z 0", "2026-11-23T12:00:20Z 0", "2026-11-23T12:00:30Z 0"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("summaries (-want +got):\n-%q\n+%q", want, got)
	}
	stop()
	l.in.Close()
	go io.Copy(io.Discard, l.out)
	if code := <-l.done; code != exitOK {
		t.Errorf("exit %d: %s", code, l.stderr.String())
	}
}

// blockAfter is an input that gives data, then blocks like a quiet
// tail -F, closing blocked when it does.
type blockAfter struct {
	data    *strings.Reader
	blocked chan struct{}
}

func (b *blockAfter) Read(p []byte) (int, error) {
	if b.data.Len() > 0 {
		return b.data.Read(p)
	}
	close(b.blocked)
	select {} // never returns: the process ends around it
}

// TestInterrupt: SIGINT ends the input: everything read is written and
// flushed, the tally printed, and the exit code is 130 (128 + SIGINT).
func TestInterrupt(t *testing.T) {
	line := `1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET /a HTTP/1.1" 200 5 "-" "-"` + "\n"
	in := &blockAfter{data: strings.NewReader(strings.Repeat(line, 3)), blocked: make(chan struct{})}
	var out, errs strings.Builder
	sig := make(chan os.Signal, 1)
	e := testEnv(in, &out, &errs)
	e.interrupt = sig
	done := make(chan int)
	go func() { done <- run([]string{"logmon", "parse"}, e) }()
	<-in.blocked // all three lines were read; the input stays open
	sig <- syscall.SIGINT
	if code := <-done; code != 130 {
		t.Errorf("exit %d, want 130; stderr:\n%s", code, errs.String())
	}
	if n := strings.Count(out.String(), `"type":"request"`); n != 3 {
		t.Errorf("%d records written, want all 3:\n%s", n, out.String())
	}
	if !strings.Contains(errs.String(), "3 lines: 3 requests, 0 rejected") || strings.Contains(errs.String(), "logmon: ") {
		t.Errorf("stderr %q: want the tally and no error", errs.String())
	}
}
