package follow

import (
	"hash/fnv"

	"github.com/logmon/logmon/internal/checkpoint"

	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
)

// The tests of issue 12's blind spots: each writes lines, rotates, stops
// and resumes, and checks that every line written was delivered exactly
// once, that no two lines share a (file_id, offset) and that no line holds
// a NUL byte.

// reqs returns n request lines named /name/i, each ending in '\n'.
func reqs(name string, n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "10.0.0.%d - - [23/Nov/2026:12:00:%02d +0000] \"GET /%s/%d HTTP/1.1\" 200 %d\n", i%250, i%60, name, i, 100+i)
	}
	return b.String()
}

// split returns the lines of text, without their '\n'.
func split(text string) []string {
	return strings.Split(strings.TrimSuffix(text, "\n"), "\n")
}

// ledger gathers the lines delivered by the runs of a test.
type ledger struct {
	t    *testing.T
	got  []got
	keys map[string]got
}

func newLedger(t *testing.T) *ledger { return &ledger{t: t, keys: map[string]got{}} }

// take records lines delivered, checking that none holds a NUL byte and
// that no two share a (file_id, offset).
func (l *ledger) take(lines []got) {
	l.t.Helper()
	for _, g := range lines {
		if strings.IndexByte(g.text, 0) >= 0 {
			l.t.Errorf("a line holds NUL bytes: %v", g)
		}
		if g.id == "" {
			l.t.Errorf("a line without its place: %v", g)
		}
		key := fmt.Sprintf("%s:%d", g.id, g.off)
		if prev, ok := l.keys[key]; ok {
			l.t.Errorf("two lines at %s: %v and %v", key, prev, g)
		}
		l.keys[key] = g
		l.got = append(l.got, g)
	}
}

// check compares the texts delivered with want, in order.
func (l *ledger) check(want []string) {
	l.t.Helper()
	var have []string
	for _, g := range l.got {
		have = append(have, g.text)
	}
	if d := diff(want, have, "%q"); d != "" {
		l.t.Errorf("lines delivered (-want +got):\n%s", d)
	}
}

// stopAt ends a run as a crash after counting line g does: the follower
// is stopped, and the next run resumes at g.
func stopAt(h *follower, g got) *checkpoint.Position {
	h.t.Helper()
	close(h.stop)
	h.end()
	return &checkpoint.Position{File: g.id, Offset: g.off}
}

// copyFile copies from to to, as logrotate's copytruncate does.
func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func truncate(t *testing.T, path string) {
	t.Helper()
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
}

// setMtime makes the file at path last written at at, whatever the file
// system's time resolution.
func setMtime(t *testing.T, path string, at time.Time) {
	t.Helper()
	if err := os.Chtimes(path, at, at); err != nil {
		t.Fatal(err)
	}
}

// caughtUp starts a log in a temporary directory with ten lines, a,
// written through w, and a follower with manual polls that has read them
// and waits for a poll.
func caughtUp(t *testing.T) (dir, path string, w *logFile, a string, l *ledger, h *follower) {
	t.Helper()
	dir = t.TempDir()
	path = filepath.Join(dir, "access.log")
	w = create(t, path)
	a = reqs("a", 10)
	w.write(a)
	l = newLedger(t)
	h = start(t, path, Options{}, true)
	l.take(h.next(10))
	h.idle()
	return dir, path, w, a, l, h
}

// TestCase1FragmentsShareNoIdentity: two files truncated while a line was
// half written both start with the tail of that line. A resume in the
// first must not take the second for it.
func TestCase1FragmentsShareNoIdentity(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "access.log")
	w := create(t, path)
	a := reqs("a", 10)
	w.write(a + `10.0.0.1 - - [23/Nov/2026:12:00:00 +0000] "GET /half HTTP/1.1" 200 1 "-" "curl/8.`)
	l := newLedger(t)
	h := start(t, path, Options{}, true)
	l.take(h.next(10))
	h.idle()

	// copytruncate in the middle of a line: the new file starts with
	// its tail.
	copyFile(t, path, path+".1")
	truncate(t, path)
	b := reqs("b", 10)
	w.write("0\"\n" + b + `10.0.0.1 - - [23/Nov/2026:12:00:00 +0000] "GET /half HTTP/1.1" 200 1 "-" "curl/8.`)
	run1 := h.next(1 + 1 + 6) // the cut line, its tail, b0..b5
	l.take(run1)
	pos := stopAt(h, run1[len(run1)-1])

	// While stopped: the same again.
	rename(t, path+".1", path+".2")
	copyFile(t, path, path+".1")
	truncate(t, path)
	c := reqs("c", 10)
	w.write("0\"\n" + c)

	h = start(t, path, Options{Resume: []checkpoint.Position{*pos}}, true)
	l.take(h.next(4 + 2 + 10)) // b6..b9, the cut line and its tail, c
	h.quiet()
	half := `10.0.0.1 - - [23/Nov/2026:12:00:00 +0000] "GET /half HTTP/1.1" 200 1 "-" "curl/8.`
	l.check(slicesConcat(split(a), []string{half, `0"`}, split(b), []string{half, `0"`}, split(c)))
}

func slicesConcat(ss ...[]string) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s...)
	}
	return out
}

// holeWriter writes a log as a writer without O_APPEND does: at its own
// offset, so that after a truncation the file starts with a hole of NULs
// as long as what it wrote before.
type holeWriter struct {
	t *testing.T
	w *os.File
}

func (h holeWriter) write(s string) {
	h.t.Helper()
	if _, err := h.w.WriteString(s); err != nil {
		h.t.Fatal(err)
	}
}

// TestCase2NULHoles: copytruncate with a writer without O_APPEND, twice:
// the file never looks shorter, starts with NULs each time, and the
// follower must notice each copytruncate, read the rest of each copy and
// deliver no NUL byte.
func TestCase2NULHoles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "access.log")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	w := holeWriter{t, f}
	a := reqs("a", 60) // past 4 KiB: the hole will be longer than a fingerprint
	w.write(a)
	l := newLedger(t)
	h := start(t, path, Options{}, true)
	l.take(h.next(60))
	h.idle()

	var want []string
	want = append(want, split(a)...)
	for k, name := range []string{"b", "c", "d"} {
		text := reqs(name, 10)
		w.write(text[:len(text)/2])
		if k == 1 {
			h.look() // it reads the first half before the copy
		}
		if runtime.GOOS != "windows" {
			os.Remove(path + ".2")
		}
		if _, err := os.Stat(path + ".1"); err == nil {
			rename(t, path+".1", path+".2")
		}
		copyFile(t, path, path+".1")
		truncate(t, path)
		w.write(text[len(text)/2:])
		want = append(want, split(text)...)
		got := h.next(len(split(text)))
		l.take(got)
		h.idle()
	}
	h.quiet()
	l.check(want)
}

// TestCase3TwoCopytruncatesWithinAPoll: after a copytruncate the follower
// reopens the empty file; before its next poll the file is written,
// copytruncated again and written again. The copy in between is read.
func TestCase3TwoCopytruncatesWithinAPoll(t *testing.T) {
	_, path, w, a, l, h := caughtUp(t)
	copyFile(t, path, path+".1")
	truncate(t, path)
	h.look() // it sees the truncation and reopens the empty file
	h.look()

	b := reqs("b", 10)
	w.write(b)
	rename(t, path+".1", path+".2")
	copyFile(t, path, path+".1")
	truncate(t, path)
	c := reqs("c", 10)
	w.write(c)
	l.take(h.next(20))
	h.quiet()
	l.check(slicesConcat(split(a), split(b), split(c)))
}

// TestCase4OnlyRotationPatterns: files whose names only start with the
// log's name are not its rotations.
func TestCase4OnlyRotationPatterns(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the writer's handle keeps Windows from renaming the file")
	}
	dir, path, _, a, l, h := caughtUp(t)
	now := time.Now()
	setMtime(t, path, now.Add(-time.Hour))
	for _, name := range []string{"access.log.other-vhost", "access.log.pos", "access.log.1.tmp", "access.log-old"} {
		appendTo(t, filepath.Join(dir, name), reqs(strings.TrimPrefix(name, "access.log"), 3))
		setMtime(t, filepath.Join(dir, name), now.Add(-time.Minute))
	}
	rename(t, path, path+".1")
	b := reqs("b", 5)
	appendTo(t, path, b)
	l.take(h.next(5))
	h.quiet()
	l.check(slicesConcat(split(a), split(b)))
}

// compressFile replaces the file at path with its compressed form,
// path+ext, as logrotate's compress does, keeping its modification time
// as gzip, bzip2 and zstd do.
func compressFile(t *testing.T, path, ext string) {
	t.Helper()
	content, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	switch ext {
	case ".gz":
		zw := gzip.NewWriter(&out)
		zw.Write(content)
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
	case ".zst":
		zw, err := zstd.NewWriter(&out)
		if err != nil {
			t.Fatal(err)
		}
		zw.Write(content)
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
	case ".bz2":
		// The standard library reads bzip2 but does not write it.
		cmd := exec.Command("bzip2", "-c")
		cmd.Stdin = bytes.NewReader(content)
		cmd.Stdout = &out
		if err := cmd.Run(); err != nil {
			t.Skipf("no bzip2 to write a .bz2 with: %v", err)
		}
	default:
		t.Fatalf("unknown compression %s", ext)
	}
	if err := os.WriteFile(path+ext, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	setMtime(t, path+ext, fi.ModTime())
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
}

// TestCase5CompressedMembers: compress + delaycompress, and one or two
// rotations while stopped: the resume point is in access.log.1 or in
// access.log.2.gz (or .bz2, .zst), and the newer files are read after it.
func TestCase5CompressedMembers(t *testing.T) {
	for _, ext := range []string{".gz", ".bz2", ".zst"} {
		for _, rotations := range []int{1, 2, 3} {
			t.Run(fmt.Sprintf("%s, %d rotations", ext, rotations), func(t *testing.T) {
				dir := t.TempDir()
				path := filepath.Join(dir, "access.log")
				a := reqs("a", 10)
				appendTo(t, path, a)
				l := newLedger(t)
				h := start(t, path, Options{}, true)
				run1 := h.next(6)
				l.take(run1)
				pos := stopAt(h, run1[5])

				want := split(a)
				for k := range rotations {
					// logrotate with compress, delaycompress: .N -> .N+1,
					// .1 -> .2 compressed, access.log -> .1, a new one.
					for n := k; n >= 2; n-- {
						rename(t, fmt.Sprintf("%s.%d%s", path, n, ext), fmt.Sprintf("%s.%d%s", path, n+1, ext))
					}
					if k >= 1 {
						rename(t, path+".1", path+".2")
						compressFile(t, path+".2", ext)
					}
					rename(t, path, path+".1")
					next := reqs(fmt.Sprintf("r%d", k), 4)
					appendTo(t, path, next)
					want = append(want, split(next)...)
				}
				h = start(t, path, Options{Resume: []checkpoint.Position{*pos}}, true)
				l.take(h.next(len(want) - 6))
				h.quiet()
				l.check(want)
				h.noted("resuming")
			})
		}
	}
}

// TestCase6SymlinkRetargeted: the log is a symlink into another directory,
// and its target changes while logmon is stopped. The resume finds the
// old target and reads the rest of it before the new one.
func TestCase6SymlinkRetargeted(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symlinks need privileges on Windows")
	}
	dir := t.TempDir()
	targets := filepath.Join(dir, "releases")
	if err := os.Mkdir(targets, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "access.log")
	old := filepath.Join(targets, "access-v1.log")
	a := reqs("a", 10)
	appendTo(t, old, a)
	if err := os.Symlink(old, path); err != nil {
		t.Fatal(err)
	}
	l := newLedger(t)
	h := start(t, path, Options{}, true)
	run1 := h.next(6)
	l.take(run1)
	pos := stopAt(h, run1[5])

	more := reqs("a-late", 3)
	appendTo(t, old, more)
	b := reqs("b", 5)
	appendTo(t, filepath.Join(targets, "access-v2.log"), b)
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(targets, "access-v2.log"), path); err != nil {
		t.Fatal(err)
	}
	h = start(t, path, Options{Resume: []checkpoint.Position{*pos}}, true)
	l.take(h.next(4 + 3 + 5))
	h.quiet()
	l.check(slicesConcat(split(a), split(more), split(b)))
}

// TestGraceForLateWriters: after rename and create, a second writer that
// reopens late goes on writing the renamed file for a while. Its lines
// are read, within the grace bound, before the new file's.
func TestGraceForLateWriters(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the writer's handle keeps Windows from renaming the file")
	}
	_, path, late, a, l, h := caughtUp(t)
	rename(t, path, path+".1")
	b := reqs("b", 5)
	appendTo(t, path, b) // the first worker reopened at once
	want := slicesConcat(split(a))
	// The late worker writes the renamed file every poll for a while,
	// for less than graceQuiet each time.
	for i := range 3 {
		h.look()
		h.look()
		text := reqs(fmt.Sprintf("late%d", i), 2)
		late.write(text)
		want = append(want, split(text)...)
	}
	want = append(want, split(b)...)
	l.take(h.next(len(want) - 10))
	h.quiet()
	l.check(want)
}

// logrotateBin is the real logrotate, or "" when it is not installed (CI
// installs it: .ci/run).
func logrotateBin() string {
	if p, err := exec.LookPath("logrotate"); err == nil {
		return p
	}
	if _, err := os.Stat("/usr/sbin/logrotate"); err == nil {
		return "/usr/sbin/logrotate"
	}
	return ""
}

// TestRealLogrotate: the real logrotate rotates a log in each of its modes,
// three times, once while the follower runs and twice while it is stopped
// (a resume must find its place in the rotated, maybe compressed, files);
// a writer keeps one O_APPEND descriptor and reopens the log after a
// rotation that creates a new one, as nginx does on its USR1. Every line is
// delivered exactly once, in order.
func TestRealLogrotate(t *testing.T) {
	bin := logrotateBin()
	if bin == "" {
		t.Skip("logrotate is not installed (apt-get install logrotate); CI installs it")
	}
	modes := map[string]string{
		"create":        "create",
		"copytruncate":  "copytruncate",
		"delaycompress": "compress\n\tdelaycompress\n\tcreate",
		// -YYYYMMDD-SECONDS, the seconds written as the rotation's
		// number: three rotations within a second need three names.
		"dateext": "dateext\n\tdateformat -%Y%m%d-N\n\tcreate",
	}
	for name, mode := range modes {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "access.log")
			conf := filepath.Join(dir, "logrotate.conf")
			w := create(t, path)
			rotations := 0
			rotate := func() {
				t.Helper()
				text := fmt.Sprintf("%s {\n\trotate 100\n\tmissingok\n\t%s\n}\n", path, strings.Replace(mode, "-N", fmt.Sprint("-", 1000000000+rotations), 1))
				if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
				out, err := exec.Command(bin, "-f", "-s", filepath.Join(dir, "state"), conf).CombinedOutput()
				if err != nil {
					t.Fatalf("logrotate: %v: %s", err, out)
				}
				rotations++
				if name != "copytruncate" {
					// The writer reopens the log by name: the one
					// logrotate created.
					f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
					if err != nil {
						t.Fatal(err)
					}
					t.Cleanup(func() { f.Close() })
					w = &logFile{t: t, w: f}
				}
			}
			var want []string
			write := func(name string, n int) {
				s := reqs(name, n)
				w.write(s)
				want = append(want, split(s)...)
			}
			write("a", 10)
			l := newLedger(t)
			h := start(t, path, Options{}, true)
			l.take(h.next(10))
			h.idle()

			write("b", 10)
			rotate()
			write("c", 10)
			run1 := h.next(10 + 4) // b, then part of c
			l.take(run1)
			pos := stopAt(h, run1[len(run1)-1])

			// While stopped: two more rotations.
			write("d", 10)
			rotate()
			write("e", 10)
			rotate()
			write("f", 10)
			h = start(t, path, Options{Resume: []checkpoint.Position{*pos}}, true)
			l.take(h.next(len(want) - len(l.got)))
			h.quiet()
			l.check(want)
		})
	}
}

// TestRotationOf: logrotate's and newsyslog's names of a rotation, and
// names that only look like one.
func TestRotationOf(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
		comp string
		num  int
	}{
		{"access.log.1", true, "", 1},
		{"access.log.12", true, "", 12},
		{"access.log.1.gz", true, ".gz", 1},
		{"access.log.3.bz2", true, ".bz2", 3},
		{"access.log.2.zst", true, ".zst", 2},
		{"access.log-20261123", true, "", -1},
		{"access.log-2026112314", true, "", -1},
		{"access.log-20261123.gz", true, ".gz", -1},
		{"access.log-20261123-1763900000", true, "", -1},
		{"access.log-20261123-1763900000.zst", true, ".zst", -1},
		{"access.log", false, "", 0},
		{"access.log.gz", false, "", 0}, // the log compressed by hand: no rotation, and no panic
		{"access.log.bz2", false, "", 0},
		{"access.log.", false, "", 0},
		{"access.log.0", false, "", 0},
		{"access.log.pos", false, "", 0},
		{"access.log.other-vhost", false, "", 0},
		{"access.log.1.tmp", false, "", 0},
		{"access.log-old", false, "", 0},
		{"access.log-2026112", false, "", 0},
		{"access.log-20261123-", false, "", 0},
		{"access.log-20261123-x", false, "", 0},
		{"access.log.-1", false, "", 0},
		{"access.logs.1", false, "", 0},
		{"other.log.1", false, "", 0},
	}
	for _, tt := range tests {
		m, ok := rotationOf("access.log", tt.name)
		if ok != tt.ok || ok && (m.comp != tt.comp || m.num != tt.num) {
			t.Errorf("rotationOf(%q) = %+v, %v; want ok %v, comp %q, num %d", tt.name, m, ok, tt.ok, tt.comp, tt.num)
		}
	}
}

// TestResumeFromOldIdentity: a state saved before issue 12 holds the
// identity of its day (the hash of the file's first line); after an
// upgrade the resume still finds its place by it, rather than reading the
// whole log again.
func TestResumeFromOldIdentity(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "access.log")
	a := reqs("a", 10)
	appendTo(t, path, a)
	lines := split(a)
	h := fnv.New64a()
	h.Write([]byte(lines[0] + "\n"))
	old := fmt.Sprintf("%016x", h.Sum64())
	at := int64(len(lines[0]) + 1 + len(lines[1]) + 1) // the third line's start
	hf := start(t, path, Options{Resume: []checkpoint.Position{{File: old, Offset: at}}}, true)
	l := newLedger(t)
	l.take(hf.next(7))
	hf.quiet()
	l.check(lines[3:])
}

// delaycompress rotates the log at path as logrotate does with compress
// and delaycompress (seen with logrotate 3.21): every access.log.N.gz
// becomes .N+1.gz, access.log.1 is compressed into access.log.2.gz
// (keeping its modification time, as gzip does) and removed, the log
// becomes access.log.1 and a new one is written. Rotated files of another
// mode (plain access.log.N left by create or copytruncate) stay as they
// are, beside compressed ones of the same number.
func delaycompress(t *testing.T, path string, next string) {
	t.Helper()
	n := 1
	for {
		if _, err := os.Stat(fmt.Sprintf("%s.%d.gz", path, n+1)); err != nil {
			break
		}
		n++
	}
	for ; n >= 2; n-- {
		rename(t, fmt.Sprintf("%s.%d.gz", path, n), fmt.Sprintf("%s.%d.gz", path, n+1))
	}
	if fi, err := os.Stat(path + ".1"); err == nil {
		content, err := os.ReadFile(path + ".1")
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		zw := gzip.NewWriter(&out)
		zw.Write(content)
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path+".2.gz", out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		setMtime(t, path+".2.gz", fi.ModTime())
		if err := os.Remove(path + ".1"); err != nil {
			t.Fatal(err)
		}
	}
	rename(t, path, path+".1")
	appendTo(t, path, next)
}

// TestCase5AfterOtherModes: the log was rotated by create first (plain
// access.log.1, .2, .3 stay), then by compress and delaycompress while
// logmon was stopped, twice: the resume point is in access.log.2.gz, next
// to the plain access.log.2 of the earlier mode, which is older. The
// compressed file is found, its rest read, then access.log.1 and the log;
// the stale plain files are not read again. (The 30-minute soak lost the
// rest of such a file, 626 lines, when the compressed file of a number
// was hidden behind the plain one.)
func TestCase5AfterOtherModes(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the writer's handle keeps Windows from renaming the file")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "access.log")
	l := newLedger(t)
	h := start(t, path, Options{}, true)
	var want []string
	past := time.Now().Add(-time.Hour)
	for k := range 3 { // create: access.log.3, .2, .1, read as they come
		text := reqs(fmt.Sprintf("create%d", k), 5)
		appendTo(t, path, text)
		want = append(want, split(text)...)
		l.take(h.next(5))
		h.idle()
		for n := k; n >= 1; n-- {
			rename(t, fmt.Sprintf("%s.%d", path, n), fmt.Sprintf("%s.%d", path, n+1))
		}
		setMtime(t, path, past.Add(time.Duration(k)*time.Minute))
		rename(t, path, path+".1")
	}
	e := reqs("e", 10)
	appendTo(t, path, e)
	want = append(want, split(e)...)
	run1 := h.next(6)
	l.take(run1)
	pos := stopAt(h, run1[5])

	// While stopped: two rotations with compress and delaycompress.
	f1, f2 := reqs("f1", 4), reqs("f2", 4)
	setMtime(t, path, past.Add(10*time.Minute))
	delaycompress(t, path, f1)
	setMtime(t, path, past.Add(11*time.Minute))
	delaycompress(t, path, f2)
	want = append(want, split(f1)...)
	want = append(want, split(f2)...)
	for _, name := range []string{".2", ".2.gz", ".3", ".3.gz"} {
		if _, err := os.Stat(path + name); err != nil {
			t.Fatalf("test broken: %v", err)
		}
	}

	h = start(t, path, Options{Resume: []checkpoint.Position{*pos}}, true)
	l.take(h.next(4 + 4 + 4))
	h.quiet()
	l.check(want)
	h.noted("resuming " + path + ".2.gz")
}

// TestLoneFirstLine: a file whose first line stays alone (a quiet log,
// or one written once and never again) is identified by that line after
// loneWait, so the line is delivered within that bound rather than never;
// a resume from it finds it by that identity after more lines came, and
// a file after a NUL hole too.
func TestLoneFirstLine(t *testing.T) {
	for _, lead := range []int{0, 5000} {
		t.Run(fmt.Sprintf("%d NULs first", lead), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "access.log")
			a := reqs("a", 1)
			appendTo(t, path, strings.Repeat("\x00", lead)+a)
			l := newLedger(t)
			h := start(t, path, Options{}, true)
			began := h.clk.Now()
			run1 := h.next(1)
			if waited := h.clk.Now().Sub(began); waited < loneWait || waited > loneWait+2*h.poll {
				t.Errorf("the lone line came after %v, want %v", waited, loneWait)
			}
			l.take(run1)
			h.idle()
			b := reqs("b", 3)
			appendTo(t, path, b)
			run1 = h.next(1)
			l.take(run1)
			pos := stopAt(h, run1[0])

			h = start(t, path, Options{Resume: []checkpoint.Position{*pos}}, true)
			l.take(h.next(2))
			h.quiet()
			l.check(slicesConcat(split(a), split(b)))
			h.noted("resuming " + path)
		})
	}
}

// TestRealLogrotateModesMeet: the real logrotate rotates one log in one
// mode after another, as the soak does: dateext, create, copytruncate,
// then, while the follower is stopped, compress with delaycompress twice.
// The rotated set then mixes dated files, plain numbered ones of create
// and copytruncate, and compressed ones whose numbers the plain ones
// also have. The resume finds its place in access.log.2.gz, reads
// access.log.1 and the log, and reads no older file again.
func TestRealLogrotateModesMeet(t *testing.T) {
	bin := logrotateBin()
	if bin == "" {
		t.Skip("logrotate is not installed (apt-get install logrotate); CI installs it")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "access.log")
	conf := filepath.Join(dir, "logrotate.conf")
	w := create(t, path)
	rotations := 0
	rotate := func(mode string, reopen bool) {
		t.Helper()
		mode = strings.Replace(mode, "-N", fmt.Sprint("-", 1000000000+rotations), 1)
		text := fmt.Sprintf("%s {\n\trotate 100\n\tmissingok\n\t%s\n}\n", path, mode)
		if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(bin, "-f", "-s", filepath.Join(dir, "state"), conf).CombinedOutput(); err != nil {
			t.Fatalf("logrotate: %v: %s", err, out)
		}
		rotations++
		if reopen {
			f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { f.Close() })
			w = &logFile{t: t, w: f}
		}
	}
	var want []string
	write := func(name string) int {
		s := reqs(name, 5)
		w.write(s)
		want = append(want, split(s)...)
		return 5
	}
	l := newLedger(t)
	h := start(t, path, Options{}, true)
	steps := []struct {
		mode   string
		reopen bool
	}{
		{"dateext\n\tdateformat -%Y%m%d-N\n\tcreate", true},
		{"dateext\n\tdateformat -%Y%m%d-N\n\tcreate", true},
		{"create", true},
		{"create", true},
		{"create", true},
		{"copytruncate", false},
		{"copytruncate", false},
	}
	for i, step := range steps {
		l.take(h.next(write(fmt.Sprintf("s%d", i))))
		h.idle()
		rotate(step.mode, step.reopen)
	}
	l.take(h.next(write("last-read")))
	h.idle()
	n := write("unread")
	run1 := h.next(2)
	l.take(run1)
	pos := stopAt(h, run1[1])
	n -= 2

	for i := range 2 {
		rotate("compress\n\tdelaycompress\n\tcreate", true)
		n += write(fmt.Sprintf("stopped%d", i))
	}
	for _, name := range []string{".2", ".2.gz", ".3", ".3.gz"} {
		if _, err := os.Stat(path + name); err != nil {
			t.Fatalf("test broken: the modes did not meet as the soak's do: %v", err)
		}
	}
	h = start(t, path, Options{Resume: []checkpoint.Position{*pos}}, true)
	l.take(h.next(n))
	h.quiet()
	l.check(want)
	h.noted("resuming " + path + ".2.gz")
}

// TestRotatedWhileLeaving: the follower has read a renamed file to its
// end and found nothing rotated after it, the new file still at the path;
// before it opens the path, the log is rotated again (logrotate renames
// the whole set, then the log, then creates a new one). The file that was
// at the path is read from its rotated name before the newest. (The
// 30-minute soak lost such a file, 334 lines: the follower listed the
// rotated set, then opened the path, which named the next file by then.)
func TestRotatedWhileLeaving(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the writer's handle keeps Windows from renaming the file")
	}
	_, path, _, a, l, h := caughtUp(t)
	rename(t, path, path+".1")
	b, c := reqs("b", 5), reqs("c", 5)
	appendTo(t, path, b)
	var once sync.Once
	leaving = func() {
		once.Do(func() {
			rename(t, path+".1", path+".2")
			rename(t, path, path+".1")
			appendTo(t, path, c)
		})
	}
	t.Cleanup(func() { leaving = nil })
	l.take(h.next(10))
	h.quiet()
	l.check(slicesConcat(split(a), split(b), split(c)))
}

// TestResumeThenCopytruncated: the resume finds its place in the file at
// the path; before the first read, the file is copytruncated and its
// first new lines written. The rest is read from the copy, under the
// identity the resume found, not under the new lines' identity at the old
// offset (the soak lost the rest of such a copy twice, 68 and 106 lines).
func TestResumeThenCopytruncated(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access.log")
	w := create(t, path)
	a := reqs("a", 10)
	w.write(a)
	l := newLedger(t)
	h := start(t, path, Options{}, true)
	run1 := h.next(4)
	l.take(run1)
	pos := stopAt(h, run1[3])

	b := reqs("b", 5)
	h = startAfter(t, path, Options{Resume: []checkpoint.Position{*pos}}, true, func() {
		copyFile(t, path, path+".1")
		truncate(t, path)
		w.write(b)
	})
	l.take(h.next(6 + 5))
	h.quiet()
	l.check(slicesConcat(split(a), split(b)))
}
