package follow

import (
	"github.com/logmon/logmon/internal/checkpoint"

	"bytes"
	"cmp"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/logmon/logmon/internal/clock"
)

// got is a line the follower returned, with what Where says about it.
type got struct {
	text string
	id   string
	off  int64
	path string
}

func (g got) String() string {
	text := g.text
	if len(text) > 40 {
		text = fmt.Sprintf("%s...(%d bytes)", text[:20], len(text))
	}
	return fmt.Sprintf("%q at %s:%d (%s)", text, filepath.Base(g.path), g.off, g.id)
}

// lineAt is a line and the stream offset of its first byte.
type lineAt struct {
	text string
	at   int64
}

// follower runs a Follower as a stage would: a goroutine reads it and
// splits the lines; the test goroutine takes them and asks Where about
// each, from another goroutine than Read's, as in real use.
//
// Its polls are timed by a fake clock. With manual polls the follower
// waits at the end of the data until the test lets a poll pass (look, or
// next while it waits for lines), so what it sees between two looks at
// the file is up to the test. Otherwise a poll passes as soon as it
// starts: the follower looks again and again, racing the writes.
//
// Nothing here waits on the wall clock; a test that hangs is stopped by
// go test's -timeout, with every goroutine's stack.
type follower struct {
	*Follower
	t      *testing.T
	stop   chan struct{}
	lines  chan lineAt
	exit   chan struct{} // closed when the reading goroutine ends
	err    error         // Read's last error, set before exit is closed
	total  atomic.Int64  // bytes Read returned
	unterm atomic.Int64  // Reads whose bytes did not end in '\n'

	clk     *clock.Fake
	poll    time.Duration
	manual  bool
	waiting chan struct{} // manual: the follower started waiting for a poll
	held    bool          // manual: it waits for a poll the test has not let pass
	waited  chan struct{} // free: a poll started (dropped if one is pending)

	mu    sync.Mutex
	notes []string
}

// polls is the follower's clock: the test's fake, telling the test when
// a poll starts.
type polls struct{ h *follower }

func (p polls) Now() time.Time { return p.h.clk.Now() }

func (p polls) Ticker(d time.Duration) (<-chan time.Time, func()) { return p.h.clk.Ticker(d) }

func (p polls) After(d time.Duration) <-chan time.Time {
	if !p.h.manual {
		select {
		case p.h.waited <- struct{}{}:
		default:
		}
		return p.h.clk.Jumping().After(d)
	}
	c := p.h.clk.After(d)
	p.h.waiting <- struct{}{} // one poll at a time: never blocks
	return c
}

func start(t *testing.T, path string, opt Options, manual bool) *follower {
	t.Helper()
	return startAfter(t, path, opt, manual, nil)
}

// startAfter is start, calling between (when not nil) once the Follower
// is open and before anything is read from it.
func startAfter(t *testing.T, path string, opt Options, manual bool, between func()) *follower {
	t.Helper()
	h := &follower{
		t:       t,
		stop:    make(chan struct{}),
		lines:   make(chan lineAt, 1<<16),
		exit:    make(chan struct{}),
		clk:     clock.NewFake(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)),
		poll:    cmp.Or(opt.Poll, DefaultPoll),
		manual:  manual,
		waiting: make(chan struct{}, 1),
		waited:  make(chan struct{}, 1),
	}
	opt.Stop = h.stop
	opt.Clock = polls{h}
	opt.Notify = func(msg string) {
		h.mu.Lock()
		h.notes = append(h.notes, msg)
		h.mu.Unlock()
	}
	f, err := Open(path, opt)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	h.Follower = f
	if between != nil {
		between()
	}
	go h.read()
	t.Cleanup(func() {
		f.Close()
		h.end()
	})
	return h
}

// read is the reading goroutine.
func (h *follower) read() {
	defer close(h.exit)
	defer close(h.lines)
	// Bigger than all a Follower can have ready at once, so that a Read
	// whose bytes do not end in '\n' is a partial line it let go of.
	buf := make([]byte, 2*bufSize)
	var line []byte
	var at, lineAt0 int64 // stream offsets of buf[0] and of the line
	for {
		n, err := h.Read(buf)
		b := buf[:n]
		h.total.Add(int64(n))
		if n > 0 && b[n-1] != '\n' {
			h.unterm.Add(1)
		}
		for len(b) > 0 {
			i := bytes.IndexByte(b, '\n')
			if i < 0 {
				line = append(line, b...)
				at += int64(len(b))
				break
			}
			line = append(line, b[:i]...)
			h.lines <- lineAt{string(line), lineAt0}
			at += int64(i + 1)
			lineAt0 = at
			line = line[:0]
			b = b[i+1:]
		}
		if err != nil {
			h.err = err
			return
		}
	}
}

// end waits for the reading goroutine to end and returns Read's error.
func (h *follower) end() error {
	<-h.exit
	return h.err
}

// idle waits until the follower is waiting for a poll to pass, at the
// end of its data. With manual polls it keeps waiting until the test lets
// the poll pass (look, next), so whatever the test changes now is seen
// all at once at the next look.
func (h *follower) idle() {
	h.t.Helper()
	if h.held {
		return
	}
	ready := h.waited
	if h.manual {
		ready = h.waiting
	}
	select {
	case <-ready:
		h.held = h.manual
	case <-h.exit:
		h.t.Fatalf("the follower ended (%v) instead of waiting for a poll; notes %q", h.err, h.notesNow())
	}
}

// release lets a held poll pass.
func (h *follower) release() {
	if h.held {
		h.held = false
		h.clk.Advance(h.poll)
	}
}

// look lets the follower look at the file once more and waits until it
// has (and returned what it found).
func (h *follower) look() {
	h.t.Helper()
	h.idle()
	h.release()
	h.idle()
}

// maxPolls is how many polls next lets pass without a line before it
// gives up: far more than any wait of the follower's (see graceQuiet).
const maxPolls = 400

// next returns the next n lines, letting polls pass while it waits.
func (h *follower) next(n int) []got {
	h.t.Helper()
	var out []got
	waiting := h.waiting
	if !h.manual {
		waiting = nil
	}
	h.release()
	polls := 0 // since the last line
	for len(out) < n {
		select {
		case l, ok := <-h.lines:
			if !ok {
				h.t.Fatalf("stream ended (%v) after %d of %d lines: %v", h.err, len(out), n, out)
			}
			id, off, path := h.Where(l.at)
			out = append(out, got{l.text, id, off, path})
			polls = 0
		case <-waiting:
			if polls++; polls > maxPolls {
				h.t.Fatalf("no line for %d polls after %d of %d lines: %v; notes %q", maxPolls, len(out), n, out, h.notesNow())
			}
			h.clk.Advance(h.poll)
		}
	}
	return out
}

// expect checks that the next lines are want.
func (h *follower) expect(want []got) {
	h.t.Helper()
	if diff := diffLines(want, h.next(len(want))); diff != "" {
		h.t.Errorf("lines (-want +got):\n%s", diff)
	}
}

// quiet checks that no more lines come: it lets three polls pass, after
// which anything read twice (a file taken for rotated or truncated by
// mistake) would have been returned, and fails if any line came.
func (h *follower) quiet() {
	h.t.Helper()
	for range 3 {
		h.look()
	}
	select {
	case l, ok := <-h.lines:
		if ok {
			h.t.Errorf("unexpected line %q at stream offset %d", l.text, l.at)
		}
	default:
	}
}

func (h *follower) notesNow() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.notes...)
}

// noted checks that a notice containing each of subs was given.
func (h *follower) noted(subs ...string) {
	h.t.Helper()
	notes := h.notesNow()
	for _, sub := range subs {
		found := false
		for _, n := range notes {
			found = found || strings.Contains(n, sub)
		}
		if !found {
			h.t.Errorf("no notice contains %q; notices: %q", sub, notes)
		}
	}
}

func diffLines(want, have []got) string { return diff(want, have, "%v") }

// diff lists where want and have differ, each element written with
// format.
func diff[T comparable](want, have []T, format string) string {
	var b strings.Builder
	for i := 0; i < max(len(want), len(have)); i++ {
		switch {
		case i >= len(have):
			fmt.Fprintf(&b, "-%d: "+format+"\n", i, want[i])
		case i >= len(want):
			fmt.Fprintf(&b, "+%d: "+format+"\n", i, have[i])
		case want[i] != have[i]:
			fmt.Fprintf(&b, "-%d: "+format+"\n+%d: "+format+"\n", i, want[i], i, have[i])
		}
	}
	return b.String()
}

// idOf is the identity of a file holding content, computed here from the
// definition rather than with the package's code.
func idOf(content string) string {
	head := strings.TrimLeft(content, "\x00")
	head = head[:min(len(head), fingerprintMax)]
	if i := strings.IndexByte(head, '\n'); i >= 0 {
		if j := strings.IndexByte(head[i+1:], '\n'); j >= 0 {
			head = head[:i+1+j+1]
		}
	}
	h := fnv.New64a()
	h.Write([]byte(head))
	return fmt.Sprintf("%016x", h.Sum64())
}

// linesOf are the lines of text, which starts at byte from of the file
// with identity id, read under path.
func linesOf(id, path string, from int64, text string) []got {
	var out []got
	for text != "" {
		i := strings.IndexByte(text, '\n')
		if i < 0 {
			i = len(text)
		}
		out = append(out, got{text[:i], id, from, path})
		from += int64(i + 1)
		text = text[min(i+1, len(text)):]
	}
	return out
}

// appendTo appends s to the file at path, creating it if need be.
func appendTo(t *testing.T, path, s string) {
	t.Helper()
	w, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.WriteString(s); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func rename(t *testing.T, from, to string) {
	t.Helper()
	if err := os.Rename(from, to); err != nil {
		t.Fatal(err)
	}
}

// logFile is a file a test writes through one handle, as a log writer
// does, remembering what it wrote.
type logFile struct {
	t        *testing.T
	w        *os.File
	content  string
	expected int // bytes of content already expected
}

func create(t *testing.T, path string) *logFile {
	t.Helper()
	w, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return &logFile{t: t, w: w}
}

func (l *logFile) write(s string) {
	l.t.Helper()
	if _, err := l.w.WriteString(s); err != nil {
		l.t.Fatal(err)
	}
	l.content += s
}

// rest are the lines written and not yet expected, read under path.
func (l *logFile) rest(path string) []got {
	text := l.content[l.expected:]
	from := l.expected
	l.expected = len(l.content)
	return linesOf(idOf(l.content), path, int64(from), text)
}

func TestWaitsForTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access.log")
	h := start(t, path, Options{}, true)
	h.noted("waiting for " + path + " to appear")
	h.look() // it looked, and found nothing
	const content = "GET /a 200\nGET /b 404\n"
	appendTo(t, path, content)
	h.expect(linesOf(idOf(content), path, 0, content))
	h.quiet()
}

func TestPartialLines(t *testing.T) {
	long := strings.Repeat("x", 100<<10) // beyond maxHold
	tests := []struct {
		name   string
		pieces []string
		// unterm: a Read may end without '\n' (a long line let go of);
		// otherwise every Read must end in '\n'.
		unterm bool
	}{
		{"a line split across writes", []string{"GET /a", " 200\nGET /b", " 200\n", "GET /c 200\n"}, false},
		{"a newline written alone", []string{"GET /a 200", "\n", "GET /b 200\n"}, false},
		{"a first line not yet complete has no identity", []string{"GE", "T /a 200\nGET /b 200\n"}, false},
		{"a long line is returned before its newline", []string{long, "y\nGET /b 200\n"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "access.log")
			h := start(t, path, Options{}, true)
			for _, p := range tt.pieces {
				appendTo(t, path, p)
				h.look() // the piece was read, and what could be returned was
			}
			content := strings.Join(tt.pieces, "")
			h.expect(linesOf(idOf(content), path, 0, content))
			h.quiet()
			if n := h.unterm.Load(); (n > 0) != tt.unterm {
				t.Errorf("%d Reads did not end in a newline; want some: %v", n, tt.unterm)
			}
		})
	}
}

// TestRotateRename rotates three times by renaming while the writer goes
// on writing: into the renamed file until it "reopens", as nginx does
// until its postrotate signal, even after the new, empty file is there.
// The follower reads concurrently, polling on its own.
func TestRotateRename(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the writer's handle, opened without FILE_SHARE_DELETE, keeps Windows from renaming the file")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "access.log")
	cur := create(t, path)
	n := 0
	writeLines := func(l *logFile, count int) {
		for range count {
			n++
			l.write(fmt.Sprintf("GET /page/%d HTTP/1.1 200\n", n))
		}
	}
	// A new file's first two lines come in one write: its polls pass at
	// once on the fake clock, and a first line alone for loneWait would
	// be identified by itself, not by the two lines idOf hashes.
	firstLines := func(l *logFile) {
		l.write(fmt.Sprintf("GET /page/%d HTTP/1.1 200\nGET /page/%d HTTP/1.1 200\n", n+1, n+2))
		n += 2
	}
	firstLines(cur)
	h := start(t, path, Options{}, false)
	for k := 1; k <= 3; k++ {
		writeLines(cur, 50)
		rename(t, path, fmt.Sprintf("%s.%d", path, k))
		writeLines(cur, 2) // not yet told to reopen
		next := create(t, path)
		writeLines(cur, 1) // the new file is empty: the old one is still read
		cur.w.Close()
		firstLines(next)
		writeLines(next, 48)
		// Collect before rotating again: a file rotated away twice
		// between two polls is missed, by this as by any tail -F.
		h.expect(append(cur.rest(path), next.rest(path)...))
		cur = next
	}
	writeLines(cur, 5)
	h.expect(cur.rest(path))
	h.quiet()
	h.noted("reading the new file from its start")
}

// TestRotateTwiceWithinAPoll: the log is rotated twice between two polls
// (access.log -> .1 -> .2, the next one -> .1, a third at the path). The
// file in between is read too, under its rotated name, before the path.
func TestRotateTwiceWithinAPoll(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the writer's handle keeps Windows from renaming the file")
	}
	path := filepath.Join(t.TempDir(), "access.log")
	a := create(t, path)
	for i := range 10 {
		a.write(fmt.Sprintf("GET /a/%d HTTP/1.1 200\n", i))
	}
	h := start(t, path, Options{}, true)
	h.expect(a.rest(path))
	h.idle()
	a.write("GET /a/last HTTP/1.1 200\n")
	rename(t, path, path+".1")
	b := create(t, path)
	for i := range 5 {
		b.write(fmt.Sprintf("GET /b/%d HTTP/1.1 200\n", i))
	}
	rename(t, path+".1", path+".2")
	rename(t, path, path+".1")
	c := create(t, path)
	for i := range 5 {
		c.write(fmt.Sprintf("GET /c/%d HTTP/1.1 200\n", i))
	}
	// Whatever the file system's time resolution, b was written after a.
	old := time.Now().Add(-time.Minute)
	if err := os.Chtimes(path+".2", old, old); err != nil {
		t.Fatal(err)
	}
	h.expect(append(append(a.rest(path), b.rest(path+".1")...), c.rest(path)...))
	h.quiet()
}

// TestCopytruncate: logrotate's copytruncate copies the file, then
// truncates it; the writer goes on with its O_APPEND handle from the new
// start. Lines written before the copy but not read yet when the file is
// truncated are read from the copy, under the original's identity and
// offsets, before the new lines. Lines written between the copy and the
// truncation would be lost (copytruncate's hazard); the test writes none.
func TestCopytruncate(t *testing.T) {
	for _, unread := range []int{0, 5} {
		t.Run(fmt.Sprintf("%d lines unread", unread), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "access.log")
			w := create(t, path)
			for i := range 20 {
				w.write(fmt.Sprintf("GET /old/%02d HTTP/1.1 200\n", i))
			}
			h := start(t, path, Options{}, true)
			h.expect(w.rest(path))
			h.idle() // caught up: it sees what follows all at once
			for i := range unread {
				w.write(fmt.Sprintf("GET /late/%02d HTTP/1.1 200\n", i))
			}
			want := w.rest(path + ".1") // read from the copy
			old := w.content
			if err := os.WriteFile(path+".1", []byte(old), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(path, 0); err != nil {
				t.Fatal(err)
			}
			w.content, w.expected = "", 0
			for i := range 10 {
				w.write(fmt.Sprintf("GET /new/%02d 200\n", i))
			}
			fresh := w.rest(path)
			if fresh[0].id == idOf(old) {
				t.Fatal("test broken: the new lines must have a new identity")
			}
			h.expect(append(want, fresh...))
			h.quiet()
			if unread > 0 {
				h.noted("reading the rest of its copy")
			} else {
				h.noted("reading it again from its start")
			}
		})
	}
}

func TestTruncateAndRewrite(t *testing.T) {
	tests := []struct {
		name   string
		before string
		change func(t *testing.T, path string)
		after  string // the whole file after the change
		note   string
	}{
		{
			name:   "truncated",
			before: "GET /a 200\nGET /b 200\nGET /x 200\n",
			change: func(t *testing.T, path string) {
				if err := os.Truncate(path, 0); err != nil {
					t.Fatal(err)
				}
				appendTo(t, path, "GET /c 200\nGET /d 200\n")
			},
			after: "GET /c 200\nGET /d 200\n",
			note:  "was truncated",
		},
		{
			name:   "truncated and written past the old size between two polls",
			before: "GET /a 200\nGET /b 200\n",
			change: func(t *testing.T, path string) {
				if err := os.Truncate(path, 0); err != nil {
					t.Fatal(err)
				}
				appendTo(t, path, "GET /c 200\nGET /d 200\nGET /e 200\nGET /f 200\n")
			},
			after: "GET /c 200\nGET /d 200\nGET /e 200\nGET /f 200\n",
			note:  "was rewritten",
		},
		{
			name:   "rewritten in place, same size",
			before: "GET /a 200\nGET /b 200\n",
			change: func(t *testing.T, path string) {
				if err := os.WriteFile(path, []byte("GET /x 500\nGET /y 500\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			},
			after: "GET /x 500\nGET /y 500\n",
			note:  "was rewritten",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "access.log")
			appendTo(t, path, tt.before)
			h := start(t, path, Options{}, true)
			h.expect(linesOf(idOf(tt.before), path, 0, tt.before))
			h.idle() // it sees the change all at once
			tt.change(t, path)
			h.expect(linesOf(idOf(tt.after), path, 0, tt.after))
			h.quiet()
			h.noted(tt.note)
		})
	}
}

// TestRemoveAndRecreate removes the file while the writer still holds
// it, as a writer not yet told to reopen does; the removed file is read
// on until a new one with data appears at the path.
func TestRemoveAndRecreate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access.log")
	w := create(t, path)
	w.write("GET /a 200\nGET /b 200\n")
	h := start(t, path, Options{}, true)
	h.expect(w.rest(path))
	h.idle()
	if runtime.GOOS == "windows" {
		w.w.Close() // Windows removes no file open without FILE_SHARE_DELETE
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	h.look() // it sees the path gone
	if runtime.GOOS != "windows" {
		w.write("GET /late 200\n")
		h.look()
		w.w.Close()
	}
	const second = "GET /c 200\nGET /d 200\n"
	appendTo(t, path, second)
	h.expect(append(w.rest(path), linesOf(idOf(second), path, 0, second)...))
	h.quiet()
	h.noted("is gone", "is back")
}

func TestFromEnd(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access.log")
	const before = "GET /old/1 200\nGET /old/2 200\nGET /par"
	appendTo(t, path, before)
	h := start(t, path, Options{FromEnd: true}, true)
	h.idle()
	appendTo(t, path, "tial 200\nGET /new 200\n")
	id := idOf(before)
	h.expect([]got{
		{"GET /partial 200", id, 30, path},
		{"GET /new 200", id, 47, path},
	})
	h.quiet()

	// A file that appears later is read from its start.
	path2 := filepath.Join(t.TempDir(), "later.log")
	h2 := start(t, path2, Options{FromEnd: true}, true)
	h2.look()
	const content = "GET /a 200\nGET /b 200\n"
	appendTo(t, path2, content)
	h2.expect(linesOf(idOf(content), path2, 0, content))
}

func TestResume(t *testing.T) {
	const (
		first  = "GET /a 200\nGET /b 200\nGET /c 200\n"
		second = "GET /x 200\nGET /y 200\n"
	)
	type file struct{ name, content string }
	type want struct {
		file string
		off  int64
		text string
	}
	tests := []struct {
		name   string
		files  []file                // written in this order; "access.log" is the path
		resume []checkpoint.Position // most recent first
		append string                // to access.log once following
		want   []want
		note   string
	}{
		{
			name:   "in the same file",
			files:  []file{{"access.log", first}},
			resume: []checkpoint.Position{{File: idOf(first), Offset: 11}}, // GET /b was handled
			append: "GET /d 200\n",
			want:   []want{{"access.log", 22, "GET /c 200"}, {"access.log", 33, "GET /d 200"}},
			note:   "access.log at byte 11",
		},
		{
			name: "in the rotated file, then the path from its start",
			files: []file{
				{"access.log.2", "GET /older 200\n"},
				{"access.log.1", first},
				// Newer, matching and long enough, but compressed.
				{"access.log.1.gz", first + "compressed bytes are not lines\n"},
				{"access.log", second},
			},
			resume: []checkpoint.Position{{File: idOf(first), Offset: 11}},
			want: []want{
				{"access.log.1", 22, "GET /c 200"},
				{"access.log", 0, "GET /x 200"},
				{"access.log", 11, "GET /y 200"},
			},
			note: "access.log.1 at byte 11",
		},
		{
			name: "rotated twice since: every file rotated after it, then the path",
			files: []file{
				{"access.log.3", "GET /older 200\n"},
				{"access.log.2", first},
				{"error.log", "not ours\n"},
				{"access.log.1", "GET /m 200\nGET /n 200\n"},
				{"access.log.1.gz", "compressed\n"},
				{"access.log", second},
			},
			resume: []checkpoint.Position{{File: idOf(first), Offset: 11}},
			want: []want{
				{"access.log.2", 22, "GET /c 200"},
				{"access.log.1", 0, "GET /m 200"},
				{"access.log.1", 11, "GET /n 200"},
				{"access.log", 0, "GET /x 200"},
				{"access.log", 11, "GET /y 200"},
			},
			note: "access.log.1, ", // then access.log.1, then the path
		},
		{
			name: "two rotated files match: the newer is taken",
			files: []file{
				{"access.log.2", "GET /a 200\nGET /b 200\nGET /z 200\n"},
				{"access.log.1", first},
				{"access.log", second},
			},
			resume: []checkpoint.Position{{File: idOf(first), Offset: 11}},
			want: []want{
				{"access.log.1", 22, "GET /c 200"},
				{"access.log", 0, "GET /x 200"},
				{"access.log", 11, "GET /y 200"},
			},
			note: "access.log.1 at byte 11",
		},
		{
			name: "several positions: the first found among this log's files",
			files: []file{
				{"access.log.1", first},
				{"access.log", second},
			},
			resume: []checkpoint.Position{
				{File: "0123456789abcdef", Offset: 99}, // another followed log's
				{File: idOf(first), Offset: 11},
				{File: idOf("GET /older 200\n"), Offset: 0}, // a file since deleted
			},
			want: []want{
				{"access.log.1", 22, "GET /c 200"},
				{"access.log", 0, "GET /x 200"},
				{"access.log", 11, "GET /y 200"},
			},
			note: "access.log.1 at byte 11",
		},
		{
			name: "the path's position is more recent than its rotated file's: the path's",
			files: []file{
				{"access.log.1", first},
				{"access.log", second},
			},
			resume: []checkpoint.Position{{File: idOf(second), Offset: 0}, {File: idOf(first), Offset: 11}},
			want:   []want{{"access.log", 11, "GET /y 200"}},
			note:   "access.log at byte 0",
		},
		{
			name:   "none of several found: the path from its start",
			files:  []file{{"access.log", second}},
			resume: []checkpoint.Position{{File: "0123456789abcdef", Offset: 11}, {File: "fedcba9876543210", Offset: 0}},
			want:   []want{{"access.log", 0, "GET /x 200"}, {"access.log", 11, "GET /y 200"}},
			note:   "none of the 2 resume points found",
		},
		{
			name:   "identity found nowhere: the path from its start",
			files:  []file{{"access.log", second}},
			resume: []checkpoint.Position{{File: "0123456789abcdef", Offset: 11}},
			want:   []want{{"access.log", 0, "GET /x 200"}, {"access.log", 11, "GET /y 200"}},
			note:   "not found; reading",
		},
		{
			name:   "the file is shorter than the offset: not it",
			files:  []file{{"access.log", first}},
			resume: []checkpoint.Position{{File: idOf(first), Offset: 40}},
			want:   []want{{"access.log", 0, "GET /a 200"}, {"access.log", 11, "GET /b 200"}, {"access.log", 22, "GET /c 200"}},
			note:   "not found; reading",
		},
		{
			name:   "the line at the offset is not complete yet: wait for its end",
			files:  []file{{"access.log", "GET /a 200\nGET /b 200\nGET /c"}},
			resume: []checkpoint.Position{{File: idOf(first), Offset: 22}},
			append: " 200\nGET /d 200\n",
			want:   []want{{"access.log", 33, "GET /d 200"}},
			note:   "resuming",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			contents := map[string]string{}
			mtime := time.Now().Add(-time.Hour)
			for _, f := range tt.files {
				p := filepath.Join(dir, f.name)
				appendTo(t, p, f.content)
				// Later files are newer, whatever the file system's
				// time resolution.
				mtime = mtime.Add(time.Minute)
				if err := os.Chtimes(p, mtime, mtime); err != nil {
					t.Fatal(err)
				}
				contents[f.name] = f.content
			}
			path := filepath.Join(dir, "access.log")
			h := start(t, path, Options{Resume: tt.resume, FromEnd: true}, true)
			if tt.append != "" {
				h.idle()
				appendTo(t, path, tt.append)
			}
			var lines []got
			for _, w := range tt.want {
				lines = append(lines, got{w.text, idOf(contents[w.file]), w.off, filepath.Join(dir, w.file)})
			}
			h.expect(lines)
			h.quiet()
			h.noted(tt.note)
		})
	}
}

func TestUnterminatedLineAtRotation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access.log")
	const old, next = "GET /a 200\nGET /b 200\nGET /cut", "GET /n 200\nGET /o 200\n"
	appendTo(t, path, old)
	h := start(t, path, Options{}, true)
	h.expect(linesOf(idOf(old), path, 0, "GET /a 200\nGET /b 200\n"))
	h.idle()
	rename(t, path, path+".1")
	appendTo(t, path, next)
	h.expect([]got{
		{"GET /cut", idOf(old), 22, path}, // with an added '\n'
		{"GET /n 200", idOf(next), 0, path},
		{"GET /o 200", idOf(next), 11, path},
	})
	h.quiet()
	if n := h.unterm.Load(); n != 0 {
		t.Errorf("%d Reads did not end in a newline", n)
	}
}

// TestEndKeepsPartialLine: ending, by Stop or by Close, neither returns
// a held partial line nor waits for a poll to pass (the test never lets
// one pass).
func TestEndKeepsPartialLine(t *testing.T) {
	for _, how := range []string{"Stop", "Close"} {
		t.Run(how, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "access.log")
			const content = "GET /a 200\nGET /b 200\nGET /par"
			appendTo(t, path, content)
			h := start(t, path, Options{}, true)
			h.expect(linesOf(idOf(content), path, 0, "GET /a 200\nGET /b 200\n"))
			h.idle() // blocked in Read, waiting for a poll to pass
			if how == "Stop" {
				close(h.stop)
			} else if err := h.Close(); err != nil {
				t.Fatal(err)
			}
			if err := h.end(); err != io.EOF {
				t.Errorf("Read returned %v, want io.EOF", err)
			}
			if n := h.total.Load(); n != 22 {
				t.Errorf("Read returned %d bytes, want 22: the partial line must be held back", n)
			}
			if n, err := h.Read(make([]byte, 10)); n != 0 || err != io.EOF {
				t.Errorf("Read after the end = %d, %v; want 0, io.EOF", n, err)
			}
		})
	}
}

func TestWhereAcrossSegments(t *testing.T) {
	var s segments
	seg := func(i int) segment {
		return segment{stream: int64(i) * 100, id: fmt.Sprint("id", i), off: int64(i), path: fmt.Sprint("p", i)}
	}
	for i := range 3 {
		s.add(seg(i))
	}
	tests := []struct {
		off  int64
		want int // index, -1 for none
	}{
		{-1, -1}, {0, 0}, {99, 0}, {100, 1}, {250, 2}, {1 << 40, 2},
		{150, 1}, {5, 0}, // back again
	}
	for _, tt := range tests {
		if got := s.find(tt.off); got != tt.want {
			t.Errorf("find(%d) = %d, want %d", tt.off, got, tt.want)
		}
	}
	// Past maxSegments the oldest are dropped.
	for i := 3; i < maxSegments+10; i++ {
		s.add(seg(i))
	}
	if got := len(s.list); got != maxSegments {
		t.Fatalf("%d segments kept, want %d", got, maxSegments)
	}
	if got := s.find(0); got != -1 {
		t.Errorf("find(0) after dropping = %d, want -1", got)
	}
	if got := s.list[s.find(10*100+5)]; got != seg(10) {
		t.Errorf("find(1005) = %v, want %v", got, seg(10))
	}

	f := &Follower{}
	f.segs.add(segment{stream: 10, id: "a", off: 500, path: "x"})
	f.segs.add(segment{stream: 20, id: "b", off: 0, path: "y"})
	for _, tt := range []struct {
		off      int64
		id       string
		fileOff  int64
		filePath string
	}{
		{9, "", -1, ""}, {10, "a", 500, "x"}, {19, "a", 509, "x"}, {20, "b", 0, "y"}, {25, "b", 5, "y"},
	} {
		id, off, path := f.Where(tt.off)
		if id != tt.id || off != tt.fileOff || path != tt.filePath {
			t.Errorf("Where(%d) = %q, %d, %q; want %q, %d, %q", tt.off, id, off, path, tt.id, tt.fileOff, tt.filePath)
		}
	}
}

func TestIdentity(t *testing.T) {
	long := strings.Repeat("y", fingerprintMax+10)
	tests := []struct {
		name    string
		content string
		ok      bool
	}{
		{"first two lines", "GET /a 200\nGET /b 200\n", true},
		{"only the first two lines count", "GET /a 200\nGET /b 200\nGET /c 500\n", true},
		{"empty", "", false},
		{"no newline yet", "GET /a", false},
		{"one line: not yet", "GET /a 200\n", false},
		{"first line longer than 4096 bytes", long, true},
		{"newline just past 4096 bytes", long[:fingerprintMax] + "\n", true},
		{"second line past 4096 bytes", "GET /a 200\n" + long, true},
		{"only NULs", strings.Repeat("\x00", 2*fingerprintMax+5), false},
		{"NULs skipped", strings.Repeat("\x00", 2*fingerprintMax+5) + "GET /a 200\nGET /b 200\n", true},
		{"a fragment, then a line", "\"w\"\nGET /a 200\n", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "f")
			if err := os.WriteFile(path, []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			id, ok, err := identityOf(path)
			if err != nil || ok != tt.ok {
				t.Fatalf("Identity = %q, %v, %v; want ok %v", id, ok, err, tt.ok)
			}
			if ok && id != idOf(tt.content) {
				t.Errorf("Identity = %s, want %s", id, idOf(tt.content))
			}
		})
	}
	if _, _, err := identityOf(filepath.Join(t.TempDir(), "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Identity of a missing file: err %v, want not exist", err)
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		path string
		opt  Options
		want string
	}{
		{"directory", dir, Options{}, "is a directory"},
		{"negative poll", filepath.Join(dir, "a.log"), Options{Poll: -time.Second}, "negative poll"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Open(tt.path, tt.opt)
			if err == nil {
				f.Close()
				t.Fatalf("Open(%s) succeeded, want an error containing %q", tt.path, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), tt.path) {
				t.Errorf("Open(%s) = %v, want an error naming the path and containing %q", tt.path, err, tt.want)
			}
		})
	}
}

// BenchmarkRead reads a 32 MiB log through a Follower and, to compare,
// plainly, both with 64 KiB reads as the stream's line reader does.
func BenchmarkRead(b *testing.B) {
	path := filepath.Join(b.TempDir(), "access.log")
	var content bytes.Buffer
	for i := 0; content.Len() < 32<<20; i++ {
		fmt.Fprintf(&content, "192.0.2.%d - - [23/Nov/2026:10:00:00 +0000] \"GET /page/%d HTTP/1.1\" 200 %d \"-\" \"bench\"\n", i%256, i, i%5000)
	}
	if err := os.WriteFile(path, content.Bytes(), 0o644); err != nil {
		b.Fatal(err)
	}
	size := int64(content.Len())
	buf := make([]byte, 64<<10)
	readAll := func(r io.Reader) {
		var n int64
		for n < size {
			m, err := r.Read(buf)
			n += int64(m)
			if err != nil && err != io.EOF {
				b.Fatal(err)
			}
			if err == io.EOF && n < size {
				b.Fatalf("EOF after %d of %d bytes", n, size)
			}
		}
		if n != size {
			b.Fatalf("read %d bytes, want %d", n, size)
		}
	}
	b.Run("follow", func(b *testing.B) {
		b.SetBytes(size)
		b.ReportAllocs()
		for b.Loop() {
			f, err := Open(path, Options{})
			if err != nil {
				b.Fatal(err)
			}
			readAll(f)
			f.Close()
		}
	})
	b.Run("plain", func(b *testing.B) {
		b.SetBytes(size)
		b.ReportAllocs()
		for b.Loop() {
			f, err := os.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			readAll(f)
			f.Close()
		}
	})
}

func TestLastLineEnd(t *testing.T) {
	long := strings.Repeat("x", 3*bufSize) // more than one buffer back
	tests := []struct {
		name    string
		content string
		want    int64
	}{
		{"empty", "", 0},
		{"no newline", "GET /a", 0},
		{"ends with a newline", "GET /a\n", 7},
		{"a partial last line", "GET /a\nGET /b\nGET", 14},
		{"the newline is buffers back", "GET /a\n" + long, 7},
		{"a newline at the start of a buffer", "\n" + long[:bufSize-1], 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "f")
			if err := os.WriteFile(path, []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			file, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer file.Close()
			if got, err := lastLineEnd(file, make([]byte, bufSize)); got != tt.want || err != nil {
				t.Errorf("lastLineEnd = %d, %v; want %d", got, err, tt.want)
			}
		})
	}
}

// identityOf is the identity of the file at path (see fingerprint); ok is
// false when it has none yet.
func identityOf(path string) (id string, ok bool, err error) {
	file, err := openFile(path)
	if err != nil {
		return "", false, err
	}
	defer file.Close()
	var scratch [fingerprintMax]byte
	got, ok, err := fingerprint(file, scratch[:], 0, false)
	if err != nil || !ok {
		return "", false, err
	}
	return idString(got.sum), true, nil
}
