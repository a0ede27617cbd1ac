package command

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/logmon/logmon/internal/checkpoint"
	"github.com/logmon/logmon/internal/eventtime"
)

// The crash test: logmon's promise that a pipeline
//
//	logmon parse -F access.log --resume S | logmon alert --state S
//
// can be killed with kill -9 at any moment and restarted with the same
// command, and that its records, repeats dropped, are those of one
// uninterrupted run over the same log.
//
// This is the one test that runs on the wall clock, and must: it runs the
// built binary as separate processes, kills them at random moments of
// real time, and a writer appends to a real file meanwhile, pausing as a
// web server does, so that kills land mid-line, mid-batch and mid-save.
// It waits on a condition wherever there is one to wait on (a process
// ending); the state files, written by other processes, are looked at
// every few milliseconds until they say what the test waits for. Nothing
// is asserted about timing: a slow machine only makes the test slower.

// crashArgs are the stages under test, with a window short enough for the
// test traffic to fire and resolve several times.
var crashArgs = map[string][]string{
	"alert": {"alert", "--threshold", "30", "--window", "30s", "--lateness", "3s", "--state-every", "50ms"},
	"stats": {"stats", "--interval", "10s", "--lateness", "3s", "--state-every", "50ms"},
}

// crashTraffic is the log the test writes: bursts that fire and quiet
// spells that resolve, in the past (so nothing depends on the wall
// clock), 2 s out of order as real servers write.
func crashTraffic(t *testing.T) []byte {
	t.Helper()
	code, out, stderr := runIn(nil, "gen", "--seed", "11", "--start", "2015-05-17T10:00:00Z", "--disorder", "2s",
		"--phases", "steady:90s:10,burst:90s:60,steady:90s:10,silence:30s,burst:60s:60,steady:60s:10")
	if code != exitOK {
		t.Fatalf("gen: exit %d\n%s", code, stderr)
	}
	return []byte(out)
}

// appender writes data to path in pieces that split lines, pausing
// between them, as a web server does; rotate is called at the given
// fractions of the data (rename-and-create rotation).
func appender(t *testing.T, path string, data []byte, rng *rand.Rand, rotateAt []int, rotate func(int)) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		t.Error(err)
		return
	}
	defer func() { f.Close() }()
	written := 0
	for written < len(data) {
		n := min(len(data)-written, 1+rng.IntN(6000))
		if len(rotateAt) > 0 && written+n >= rotateAt[0] {
			n = rotateAt[0] - written
			f.Write(data[written : written+n])
			written += n
			f.Close()
			rotate(len(rotateAt))
			rotateAt = rotateAt[1:]
			if f, err = os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644); err != nil {
				t.Error(err)
				return
			}
			continue
		}
		if _, err := f.Write(data[written : written+n]); err != nil {
			t.Error(err)
			return
		}
		written += n
		time.Sleep(time.Duration(1+rng.IntN(4)) * time.Millisecond)
	}
}

// pipe is one run of `logmon parse -F log --resume S | logmon STAGE --state S`.
type pipe struct {
	parse, stage *exec.Cmd
	done         chan struct{}
}

func startPipe(t *testing.T, bin, dir, log, stage string, out io.Writer, errs io.Writer) *pipe {
	return startPipeOf(t, bin, dir, []string{log}, stage, out, errs)
}

// startPipeOf is startPipe following several logs.
func startPipeOf(t *testing.T, bin, dir string, logs []string, stage string, out io.Writer, errs io.Writer) *pipe {
	t.Helper()
	state := filepath.Join(dir, stage+".state")
	args := []string{"parse"}
	for _, log := range logs {
		args = append(args, "-F", log)
	}
	return startPipeline(t, bin, append(args, "--resume", state), append(crashArgs[stage], "--state", state), out, errs)
}

// stop ends a run whose parse was killed or told to stop: the stage then
// ends on its own at the end of its input. A parse still running (its
// stage was killed) is told to stop first: idle at the end of its file,
// it would not write, and so not learn that its reader is gone. It keeps
// no state of its own, so stopping it is as good as letting it run into
// the closed pipe.
//
// The 30 s are a guard against a hang, which kills the processes rather
// than leave them behind; a pipeline that works ends at once.
func (p *pipe) stop(t *testing.T, parseRuns bool) {
	if parseRuns {
		p.parse.Process.Signal(syscall.SIGTERM)
	}
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		p.parse.Process.Kill()
		p.stage.Process.Kill()
		t.Fatal("a pipeline did not end 30 s after its parse was killed or stopped")
	}
}

// killAtRandom lets the pipeline run for 20 to 270 ms, then kills its
// parse, its stage or both with kill -9, and waits for it to end.
func (p *pipe) killAtRandom(t *testing.T, rng *rand.Rand) {
	time.Sleep(time.Duration(20+rng.IntN(250)) * time.Millisecond)
	p.kill(t, rng)
}

// syncWriter serialises the writes of the processes of all runs, and
// lets a test wait for them.
type syncWriter struct {
	mu    sync.Mutex
	b     bytes.Buffer
	wrote chan struct{} // closed at the next write; nil while nobody waits
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.wrote != nil {
		close(w.wrote)
		w.wrote = nil
	}
	return w.b.Write(p)
}

// reset forgets what was written.
func (w *syncWriter) reset() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.b.Reset()
}

// waitLines waits until n lines have been written, and reports whether
// they were: false when ended is closed first (the writer is gone).
func (w *syncWriter) waitLines(n int, ended <-chan struct{}) bool {
	for {
		w.mu.Lock()
		if bytes.Count(w.b.Bytes(), []byte("\n")) >= n {
			w.mu.Unlock()
			return true
		}
		if w.wrote == nil {
			w.wrote = make(chan struct{})
		}
		wrote := w.wrote
		w.mu.Unlock()
		select {
		case <-wrote:
		case <-ended:
			return countLines(w) >= n
		}
	}
}

func TestCrashRestart(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("kill -9 and pipes of processes: Unix")
	}
	if testing.Short() {
		t.Skip("the crash test takes some seconds")
	}
	bin := filepath.Join(logmonBin(t), "logmon")
	data := crashTraffic(t)
	lines := bytes.Count(data, []byte("\n"))
	dir := t.TempDir()
	log := filepath.Join(dir, "access.log")
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed) // a failure can be replayed by fixing the seed
	rng := rand.New(rand.NewPCG(seed, 5))
	// Rotate by rename-and-create twice, at a third and two thirds.
	rotateAt := []int{lineStart(data, len(data)/3), lineStart(data, 2*len(data)/3)}
	var written sync.WaitGroup
	written.Add(1)
	appendRng := rand.New(rand.NewPCG(rng.Uint64(), 1))
	// The log starts with its first lines, and the writer waits until both
	// pipelines have counted some (their state files hold a position): a
	// rotation before the very first run has read anything would rotate
	// lines away that no run was ever following, which no follower can
	// read. A stage holds the first lines of a stream until Confirm more
	// agree with their time (driver, jump.go): so Confirm+2 lines.
	head := 0
	for range eventtime.Confirm + 2 {
		head += bytes.IndexByte(data[head:], '\n') + 1
	}
	if err := os.WriteFile(log, data[:head], 0o644); err != nil {
		t.Fatal(err)
	}
	for i := range rotateAt {
		rotateAt[i] -= head
	}
	go func() {
		defer written.Done()
		for stage := range crashArgs {
			waitFor(t, filepath.Join(dir, stage+".state"))
		}
		appender(t, log, data[head:], appendRng, rotateAt, func(left int) {
			if err := os.Rename(log, fmt.Sprintf("%s.%d", log, left)); err != nil {
				t.Error(err)
			}
		})
	}()
	appended := make(chan struct{})
	go func() { written.Wait(); close(appended) }()

	outputs := map[string]*syncWriter{}
	var runs sync.WaitGroup
	kills := map[string]int{}
	var mu sync.Mutex
	var errs syncWriter
	for stage := range crashArgs {
		out := &syncWriter{}
		outputs[stage] = out
		rng := rand.New(rand.NewPCG(rng.Uint64(), 2))
		runs.Add(1)
		go func() {
			defer runs.Done()
			n := 0
			for {
				select {
				case <-appended:
					if n >= 20 {
						finalRun(t, bin, dir, log, stage, out, &errs)
						mu.Lock()
						kills[stage] = n
						mu.Unlock()
						return
					}
				default:
				}
				startPipe(t, bin, dir, log, stage, out, &errs).killAtRandom(t, rng)
				n++
			}
		}()
	}
	runs.Wait()
	if t.Failed() {
		t.Fatalf("stderr of the runs:\n%s", errs.b.String())
	}
	t.Logf("kills: %v; %d lines", kills, lines)
	defer func() {
		if t.Failed() {
			t.Logf("stderr of the runs:\n%s", errs.b.String())
		}
	}()

	// The reference: one uninterrupted run over the whole log.
	for stage, out := range outputs {
		cmd := exec.Command("bash", "-o", "pipefail", "-c", fmt.Sprintf("logmon parse | logmon %s --state %s",
			strings.Join(crashArgs[stage], " "), filepath.Join(dir, stage+".ref")))
		cmd.Env = append(os.Environ(), "PATH="+filepath.Dir(bin)+string(os.PathListSeparator)+os.Getenv("PATH"))
		cmd.Stdin = bytes.NewReader(data)
		want, err := cmd.Output()
		if err != nil {
			t.Fatalf("reference run of %s: %v", stage, err)
		}
		got := dedup(t, out.b.Bytes())
		wantRecs := dedup(t, want)
		if len(wantRecs) < 4 {
			t.Fatalf("the reference %s run wrote only %d records", stage, len(wantRecs))
		}
		if !equalMaps(got, wantRecs) {
			t.Errorf("%s: records after %d kills differ from an uninterrupted run:\n got %d keys\nwant %d keys\n%s",
				stage, kills[stage], len(got), len(wantRecs), diffKeys(got, wantRecs))
		}
		if stage == "stats" {
			sum := int64(0)
			for _, rec := range got {
				var s struct{ Requests int64 }
				json.Unmarshal([]byte(rec), &s)
				sum += s.Requests
			}
			if sum != int64(lines) {
				t.Errorf("summaries sum to %d requests; the log has %d lines", sum, lines)
			}
		}
	}
}

// finalRun runs the pipeline until the stage has counted the last line of
// the log, then stops it cleanly.
func finalRun(t *testing.T, bin, dir, log, stage string, out, errs io.Writer) {
	data, err := os.ReadFile(log)
	if err != nil {
		t.Error(err)
		return
	}
	last := int64(lineStart(data, len(data)-1))
	p := startPipe(t, bin, dir, log, stage, out, errs)
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		f, _, err := checkpoint.Load(filepath.Join(dir, stage+".state"))
		if err == nil && f != nil && f.Position != nil && f.Position.Offset == last {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	p.stop(t, true)
}

// lineStart is the offset of the start of the line holding byte i.
func lineStart(data []byte, i int) int {
	return bytes.LastIndexByte(data[:i], '\n') + 1
}

// dedup keys each record as a consumer that drops repeats does: an alert
// by its id and state, a summary by its start, where a complete summary
// replaces the partial ones a paused run wrote. A repeat of a complete
// record must be identical to the first.
func dedup(t *testing.T, out []byte) map[string]string {
	t.Helper()
	recs := map[string]string{}
	complete := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r struct {
			Type, ID, State, Start string
			Partial                bool
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Errorf("output line is not a record: %q", sc.Text())
			continue
		}
		key := r.ID + " " + r.State
		if r.Type == "summary" {
			key = r.Start
		}
		switch old, seen := recs[key]; {
		case complete[key] && !r.Partial && old != sc.Text():
			t.Errorf("a repeat differs from the first:\n%s\n%s", old, sc.Text())
		case complete[key]:
		default:
			recs[key] = sc.Text()
			complete[key] = !r.Partial
			_ = seen
		}
	}
	return recs
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func diffKeys(got, want map[string]string) string {
	var b strings.Builder
	for k, v := range want {
		if got[k] != v {
			fmt.Fprintf(&b, "-%s\n+%s\n", v, got[k])
		}
	}
	for k, v := range got {
		if _, ok := want[k]; !ok {
			fmt.Fprintf(&b, "+%s (extra)\n", v)
		}
	}
	return b.String()
}

// TestFollowCopytruncate: logrotate's copytruncate while lines are being
// written and read by parse --follow, in-process, its polls on a fake
// clock. The writer appends in pieces that split lines and, at random,
// lets parse look at the file; each copytruncate is made while parse
// waits for a poll, often with lines it has not read yet, which it must
// then read from the copy. None is lost, none repeated. (What copytruncate
// itself loses, lines written between its copy and its truncation, this
// writer does not write.)
func TestFollowCopytruncate(t *testing.T) {
	data := crashTraffic(t)[:600_000]
	data = data[:lineStart(data, len(data))]
	dir := t.TempDir()
	log := filepath.Join(dir, "access.log")
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed) // a failure can be replayed by fixing the seed
	rng := rand.New(rand.NewPCG(seed, 7))
	// The log starts with its first two lines (a file's identity), and the
	// writer starts once parse has read them: lines copied and truncated
	// away before parse followed the file at all are no follower's to read.
	head := bytes.IndexByte(data, '\n') + 1
	head += bytes.IndexByte(data[head:], '\n') + 1
	if err := os.WriteFile(log, data[:head], 0o644); err != nil {
		t.Fatal(err)
	}
	r := startFollow(t, log)
	r.waitLines(2)
	w, err := os.OpenFile(log, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	cuts := []int{lineStart(data, len(data)/4), lineStart(data, len(data)/2), lineStart(data, 3*len(data)/4)}
	// From a line before the cut on, no look is let pass: what is
	// written then is unread when the file is copied and truncated.
	quiet := func() int { return lineStart(data, cuts[0]-1-rng.IntN(20_000)) }
	from, held := quiet(), false
	for written := head; written < len(data); {
		if len(cuts) > 0 && written >= from && !held {
			r.clk.BlockUntil(1) // parse has read all it could and waits for a poll
			held = true
		}
		n := min(len(data)-written, 1+rng.IntN(6000))
		switch {
		case len(cuts) > 0 && held:
			n = min(n, cuts[0]-written)
		case len(cuts) > 0:
			n = min(n, from-written)
		}
		if _, err := w.Write(data[written : written+n]); err != nil {
			t.Fatal(err)
		}
		written += n
		if len(cuts) > 0 && written == cuts[0] {
			copytruncate(t, log, fmt.Sprintf("%s.%d", log, len(cuts)))
			if cuts, held = cuts[1:], false; len(cuts) > 0 {
				from = quiet()
			}
		}
		if !held && rng.IntN(4) == 0 {
			r.look()
		}
	}
	for range 3 { // enough for a copy, the file after it, and a look that finds nothing
		r.look()
	}
	if code := r.interrupt(); code != 130 {
		t.Errorf("exit %d, want 130:\n%s", code, r.errs.b.String())
	}
	code, ref, stderr := runIn(data, "parse")
	if code != exitOK {
		t.Fatalf("parse of the whole log: exit %d\n%s", code, stderr)
	}
	if got, wantRecs := requestKeys(t, r.out.b.Bytes()), requestKeys(t, []byte(ref)); !slices.Equal(got, wantRecs) {
		t.Errorf("followed through 3 copytruncates: %d requests, want the %d lines of the log, in order\n%s", len(got), len(wantRecs), r.errs.b.String())
	}
	if n := strings.Count(r.errs.b.String(), "reading the rest of its copy"); n != 3 {
		t.Errorf("%d of 3 truncations read unread lines from the copy:\n%s", n, r.errs.b.String())
	}
}

// copytruncate does what logrotate's copytruncate does: copy the file at
// path to to, then truncate it.
func copytruncate(t *testing.T, path, to string) {
	t.Helper()
	old, err := os.ReadFile(path)
	if err == nil {
		err = os.WriteFile(to, old, 0o644)
	}
	if err == nil {
		err = os.Truncate(path, 0)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// waitFor waits until the state file at path holds a position, for 20 s
// at most.
//
// It waits for the state to hold a position, not merely to exist: a run
// whose parse was killed before it wrote a line saves a state of nothing
// counted, and a rotation after that would rotate away lines no run was
// following (a flake seen on a loaded machine).
func waitFor(t *testing.T, path string) {
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if b, err := os.ReadFile(path); err == nil && bytes.Contains(b, []byte(`"position":{`)) {
			return
		}
	}
	t.Errorf("%s did not hold a position in 20 s", path)
}

func countLines(w *syncWriter) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return bytes.Count(w.b.Bytes(), []byte("\n"))
}

// requestKeys reduces request records to what identifies their line.
func requestKeys(t *testing.T, out []byte) []string {
	t.Helper()
	var keys []string
	for line := range bytes.Lines(out) {
		var r struct{ Time, Remote, Path, Agent string }
		if err := json.Unmarshal(line, &r); err != nil {
			t.Fatalf("not a record: %q", line)
		}
		keys = append(keys, r.Time+" "+r.Remote+" "+r.Path+" "+r.Agent)
	}
	return keys
}
