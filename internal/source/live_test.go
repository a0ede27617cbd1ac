package source

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/logmon/logmon/internal/follow"
	"github.com/logmon/logmon/internal/record"
	"github.com/logmon/logmon/parse"
)

// following follows the files at paths together, polling every 5 ms on
// the wall clock: the readers are goroutines, and the test waits on what
// they deliver, never on time.
func following(t *testing.T, paths ...string) (*Source, *bufio.Reader) {
	t.Helper()
	s, err := Follow(len(paths), func(i int, waiting func(bool)) (Followed, error) {
		return follow.Open(paths[i], follow.Options{Poll: 5 * time.Millisecond, Waiting: waiting})
	}, func() TimeOf { return timeOfCLF })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, bufio.NewReader(s)
}

// readLines reads n lines from br, failing the test if they do not come
// within a minute (a hang).
func readLines(t *testing.T, br *bufio.Reader, n int) []string {
	t.Helper()
	got := make(chan []string, 1)
	go func() {
		var lines []string
		for range n {
			l, err := br.ReadString('\n')
			if err != nil {
				break
			}
			lines = append(lines, l)
		}
		got <- lines
	}()
	select {
	case lines := <-got:
		if len(lines) != n {
			t.Fatalf("%d lines, want %d", len(lines), n)
		}
		return lines
	case <-time.After(time.Minute):
		t.Fatalf("no %d lines after a minute", n)
		return nil
	}
}

// TestFollowBacklogInTimeOrder: two followed files with hours of lines
// already written, one busy and one quiet, come out by time (no line more
// than Slack behind one before it), every line once, each mapped by
// Where to its file and offset. Read as they arrive, the quiet file's
// chunks would run hours ahead of the busy one's.
func TestFollowBacklogInTimeOrder(t *testing.T) {
	dir := t.TempDir()
	var busy, quiet strings.Builder
	for s := 0; s < 3600; s++ {
		busy.WriteString(stamp(s, "busy"))
		if s%20 == 7 {
			quiet.WriteString(stamp(s, "quiet"))
		}
	}
	pb := write(t, dir, "busy.log", []byte(busy.String()))
	pq := write(t, dir, "quiet.log", []byte(quiet.String()))
	s, br := following(t, pq, pb)
	n := strings.Count(busy.String(), "\n") + strings.Count(quiet.String(), "\n")
	lines := readLines(t, br, n)
	var newest, off int64
	files := map[string]string{pb: busy.String(), pq: quiet.String()}
	seen := map[string]int{}
	for _, l := range lines {
		ts, _ := timeOfCLF([]byte(l))
		if ts < newest-Slack.Nanoseconds() {
			t.Fatalf("%q is more than %v behind the line before", l, Slack)
		}
		newest = max(newest, ts)
		id, at, path := s.Where(off)
		if id == "" || at < 0 || !strings.HasPrefix(files[path][at:], l) {
			t.Fatalf("line %q at %d: Where says %q %s at %d", l, off, id, path, at)
		}
		seen[path+l]++
		off += int64(len(l))
	}
	if len(seen) != n {
		t.Errorf("%d distinct lines of %d", len(seen), n)
	}
}

// TestFollowLiveNotHeldUp: once caught up, a line written to one file
// comes out although the other has nothing new: a file waiting to grow
// holds nobody up. Then lines of both, and Close ends the stream.
func TestFollowLiveNotHeldUp(t *testing.T) {
	dir := t.TempDir()
	// More than Slack apart: the order is the times'.
	pa := write(t, dir, "a.log", []byte(stamp(0, "a")+stamp(20, "a")))
	pb := write(t, dir, "b.log", []byte(stamp(10, "b")+stamp(30, "b")))
	s, br := following(t, pa, pb)
	got := readLines(t, br, 4)
	if want := []string{stamp(0, "a"), stamp(10, "b"), stamp(20, "a"), stamp(30, "b")}; strings.Join(got, "") != strings.Join(want, "") {
		t.Errorf("backlog\n%s\nwant\n%s", strings.Join(got, ""), strings.Join(want, ""))
	}
	appendFile(t, pb, stamp(100, "b"))
	if got := readLines(t, br, 1); got[0] != stamp(100, "b") {
		t.Errorf("live line %q", got[0])
	}
	appendFile(t, pa, stamp(101, "a"))
	if got := readLines(t, br, 1); got[0] != stamp(101, "a") {
		t.Errorf("live line %q", got[0])
	}
	s.Close()
	if _, err := br.ReadString('\n'); err != io.EOF {
		t.Errorf("after Close: %v, want EOF", err)
	}
}

// TestFollowOpenFails: a file that can never be followed (a directory)
// fails Follow, and the files opened before it are closed.
func TestFollowOpenFails(t *testing.T) {
	dir := t.TempDir()
	pa := write(t, dir, "a.log", []byte(stamp(0, "a")))
	var opened []*follow.Follower
	_, err := Follow(2, func(i int, waiting func(bool)) (Followed, error) {
		f, err := follow.Open([]string{pa, dir}[i], follow.Options{Waiting: waiting})
		if err == nil {
			opened = append(opened, f)
		}
		return f, err
	}, func() TimeOf { return timeOfCLF })
	if err == nil || !strings.Contains(err.Error(), filepath.Base(dir)) {
		t.Fatalf("following a directory: %v", err)
	}
	if len(opened) != 1 {
		t.Fatalf("%d opened", len(opened))
	}
	if n, err := opened[0].Read(make([]byte, 10)); n != 0 || err != io.EOF {
		t.Errorf("the file opened first was not closed: %d, %v", n, err)
	}
}

func appendFile(t *testing.T, path, s string) {
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

// twoLogs writes two Combined logs of n lines each, of the same hours.
func twoLogs(b *testing.B, n int) (paths []string, size int64) {
	dir := b.TempDir()
	for _, name := range []string{"x.log", "y.log"} {
		var w strings.Builder
		for s := range n {
			fmt.Fprintf(&w, "10.0.%d.%d - - [17/May/2015:%02d:%02d:%02d +0000] \"GET /%s/images/photo-%d.jpg HTTP/1.1\" 200 %d \"https://example.com/blog/\" \"Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\"\n",
				s%7, s%251, 10+s/3600%10, s/60%60, s%60, name, s%1000, 1000+s%5000)
		}
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(w.String()), 0o644)
		paths, size = append(paths, p), size+int64(w.Len())
	}
	return paths, size
}

// clfTime is the time of a Combined line by logmon's own parser, as the
// command merges by.
func clfTime(b *testing.B) TimeOf {
	f, err := parse.Lookup("combined")
	if err != nil {
		b.Fatal(err)
	}
	p := f.NewStream().NewParser()
	var r record.Request
	return func(line []byte) (int64, bool) {
		p.Reset()
		if p.Line(line, &r) != nil {
			return 0, false
		}
		return r.Sec*1e9 + int64(r.Nsec), true
	}
}

// BenchmarkFollowTwo: two followed files of 100,000 Combined lines each,
// read to their ends through Follow, in time order; BenchmarkOpenTwo, the
// same files named as arguments (merge), for the ratio.
func BenchmarkFollowTwo(b *testing.B) {
	paths, size := twoLogs(b, 100000)
	b.SetBytes(size)
	buf := make([]byte, 64<<10)
	for b.Loop() {
		s, err := Follow(2, func(i int, waiting func(bool)) (Followed, error) {
			return follow.Open(paths[i], follow.Options{Waiting: waiting})
		}, func() TimeOf { return clfTime(b) })
		if err != nil {
			b.Fatal(err)
		}
		var n int64
		for n < size {
			k, err := s.Read(buf)
			if err != nil {
				b.Fatal(err)
			}
			n += int64(k)
		}
		s.Close()
	}
}

func BenchmarkOpenTwo(b *testing.B) {
	paths, size := twoLogs(b, 100000)
	timeOf := clfTime(b)
	b.SetBytes(size)
	buf := make([]byte, 64<<10)
	for b.Loop() {
		s, err := Open(paths, nil, timeOf)
		if err != nil {
			b.Fatal(err)
		}
		for {
			if _, err := s.Read(buf); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
		s.Close()
	}
}
