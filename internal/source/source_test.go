package source

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// stamp is a log line of second s (from 10:00:00) and tag.
func stamp(s int, tag string) string {
	return fmt.Sprintf("10.0.0.1 - - [17/May/2015:10:%02d:%02d +0000] \"GET /%s HTTP/1.1\" 200 1\n", s/60, s%60, tag)
}

// timeOfCLF reads the time of a line made by stamp: the seconds since
// 10:00:00, in ns.
func timeOfCLF(line []byte) (int64, bool) {
	i := bytes.IndexByte(line, '[')
	if i < 0 || len(line) < i+21 {
		return 0, false
	}
	var m, s int
	if _, err := fmt.Sscanf(string(line[i+16:i+21]), "%d:%d", &m, &s); err != nil {
		return 0, false
	}
	return int64(m*60+s) * 1e9, true
}

func write(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func gz(t *testing.T, s string) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	io.WriteString(w, s)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func zst(t *testing.T, s string) []byte {
	var b bytes.Buffer
	w, err := zstd.NewWriter(&b)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, s)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func readAll(t *testing.T, names []string, stdin io.Reader) string {
	t.Helper()
	s, err := Open(names, stdin, timeOfCLF)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	b, err := io.ReadAll(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestDecompress: gzip (two members concatenated), zstd and bzip2 are
// told by their first bytes, on files and on standard input; plain text
// is read as it is.
func TestDecompress(t *testing.T) {
	dir := t.TempDir()
	plain, err := os.ReadFile("testdata/two.log")
	if err != nil {
		t.Fatal(err)
	}
	bz, err := os.ReadFile("testdata/two.log.bz2")
	if err != nil {
		t.Fatal(err)
	}
	half := strings.SplitAfter(string(plain), "\n")
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"plain", plain},
		{"gzip", gz(t, string(plain))},
		{"gzip members", append(gz(t, half[0]), gz(t, half[1])...)},
		{"zstd", zst(t, string(plain))},
		{"bzip2", bz},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := write(t, dir, tc.name, tc.data)
			if got := readAll(t, []string{p}, nil); got != string(plain) {
				t.Errorf("file: got %q", got)
			}
			if got := readAll(t, nil, bytes.NewReader(tc.data)); got != string(plain) {
				t.Errorf("stdin: got %q", got)
			}
		})
	}
}

// TestUnreadCompression: xz and the others logmon does not read are
// refused with what they are and how to read them.
func TestUnreadCompression(t *testing.T) {
	_, err := Open([]string{"testdata/two.log.xz"}, nil, timeOfCLF)
	if err == nil || !strings.Contains(err.Error(), "testdata/two.log.xz is xz-compressed") || !strings.Contains(err.Error(), "xz -dc") {
		t.Errorf("got %v", err)
	}
}

// TestTruncatedArchive: a gzip file cut short is an error that names it.
func TestTruncatedArchive(t *testing.T) {
	data := gz(t, strings.Repeat(stamp(1, "a"), 100))
	p := write(t, t.TempDir(), "cut.gz", data[:len(data)-10])
	s, err := Open([]string{p}, nil, timeOfCLF)
	if err != nil {
		t.Fatal(err)
	}
	_, err = io.ReadAll(s)
	if err == nil || !strings.Contains(err.Error(), "cut.gz: gzip:") {
		t.Errorf("got %v", err)
	}
}

// TestShortFirstRead: a live input whose first write is shorter than a
// magic number is not held up: its line comes at once.
func TestShortFirstRead(t *testing.T) {
	r, w := io.Pipe()
	defer w.Close()
	go w.Write([]byte("x\n"))
	done := make(chan string)
	go func() {
		s, err := Open(nil, r, timeOfCLF)
		if err != nil {
			done <- err.Error()
			return
		}
		b := make([]byte, 10)
		n, _ := s.Read(b)
		done <- string(b[:n])
	}()
	select {
	case got := <-done:
		if got != "x\n" {
			t.Errorf("got %q", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the first line waits for more input")
	}
}

// TestRotatedSetAnyOrder: a rotated set, compressed and not, named in any
// order, comes out as cat of it in time order, although lines at a
// rotation are out of order by a few seconds.
func TestRotatedSetAnyOrder(t *testing.T) {
	dir := t.TempDir()
	// access.log.2.gz: 0..99; access.log.1: 100..199 with its last lines
	// stamped up to 3 s past the next file's first; access.log: 200..299.
	var f2, f1, f0 strings.Builder
	for s := 0; s < 100; s++ {
		f2.WriteString(stamp(s, "two"))
	}
	for s := 100; s < 200; s++ {
		f1.WriteString(stamp(s, "one"))
	}
	f1.WriteString(stamp(203, "one-late"))
	f0.WriteString(stamp(201, "zero-early"))
	for s := 200; s < 300; s++ {
		f0.WriteString(stamp(s, "zero"))
	}
	want := f2.String() + f1.String() + f0.String()
	p2 := write(t, dir, "access.log.2.gz", gz(t, f2.String()))
	p1 := write(t, dir, "access.log.1", []byte(f1.String()))
	p0 := write(t, dir, "access.log", []byte(f0.String()))
	for _, names := range [][]string{{p2, p1, p0}, {p0, p1, p2}, {p1, p0, p2}} {
		if got := readAll(t, names, nil); got != want {
			t.Errorf("%v: not cat in time order:\n%s", names, firstDiff(got, want))
		}
	}
}

// TestOverlappingFilesInterleave: two servers' logs of the same minutes
// come out by time, each line no more than Slack behind one before it.
func TestOverlappingFilesInterleave(t *testing.T) {
	dir := t.TempDir()
	var a, b strings.Builder
	for s := 0; s < 120; s += 2 {
		a.WriteString(stamp(s, "a"))
		b.WriteString(stamp(s+1, "b"))
	}
	got := readAll(t, []string{write(t, dir, "b.log", []byte(b.String())), write(t, dir, "a.log", []byte(a.String()))}, nil)
	lines := strings.SplitAfter(got, "\n")
	lines = lines[:len(lines)-1]
	if len(lines) != 120 {
		t.Fatalf("%d lines, want 120", len(lines))
	}
	var newest int64
	for _, l := range lines {
		ts, _ := timeOfCLF([]byte(l))
		if ts < newest-Slack.Nanoseconds() {
			t.Fatalf("%q is more than %v behind the line before", l, Slack)
		}
		newest = max(newest, ts)
	}
	if i := strings.Index(got, "/b "); i < 0 || i > len(got)/4 {
		t.Errorf("the files are not interleaved:\n%s", got)
	}
}

// TestWhere: every line of the merged stream is mapped to its file and
// the offset of its start there, across the switches between files.
func TestWhere(t *testing.T) {
	dir := t.TempDir()
	a := stamp(0, "a") + stamp(20, "a")
	b := stamp(10, "b") + "no time here\n" + stamp(30, "b")
	pa := write(t, dir, "a.log", []byte(a))
	pb := write(t, dir, "b.log", []byte(b))
	s, err := Open([]string{pa, pb}, nil, timeOfCLF)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Name != "" || s.Where == nil {
		t.Fatalf("several files: Name %q, Where set %v", s.Name, s.Where != nil)
	}
	got, err := io.ReadAll(s)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{pa: a, pb: b}
	var off int64
	for _, l := range strings.SplitAfter(string(got), "\n") {
		if l == "" {
			continue
		}
		_, at, path := s.Where(off)
		src := files[path]
		if at < 0 || !strings.HasPrefix(src[at:], l) {
			t.Errorf("line %q at %d: Where says %s at %d", l, off, path, at)
		}
		off += int64(len(l))
	}
}

// TestOneFile: one file is read as it is, under its own name (its
// lines numbered as its own), without merging.
func TestOneFile(t *testing.T) {
	p := write(t, t.TempDir(), "x.log", []byte("no newline at the end"))
	s, err := Open([]string{p}, nil, timeOfCLF)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Name != p || s.Where != nil {
		t.Errorf("Name %q, Where set %v", s.Name, s.Where != nil)
	}
}

// TestLastLineWithoutNewline: a file's last line without a newline ends
// where the file ends, not glued to the next file's first.
func TestLastLineWithoutNewline(t *testing.T) {
	dir := t.TempDir()
	a := strings.TrimSuffix(stamp(0, "a"), "\n")
	b := stamp(100, "b")
	got := readAll(t, []string{write(t, dir, "b", []byte(b)), write(t, dir, "a", []byte(a))}, nil)
	if got != a+"\n"+b {
		t.Errorf("got %q", got)
	}
}

// TestRefused: standard input named twice, a directory and a missing
// file are errors that say so.
func TestRefused(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		names []string
		want  string
	}{
		{[]string{"-", "-"}, "standard input (-) is named 2 times"},
		{[]string{dir}, "is a directory, not a log file"},
		{[]string{filepath.Join(dir, "missing")}, "no such file or directory"},
	} {
		_, err := Open(tc.names, strings.NewReader(""), timeOfCLF)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: got %v, want %q", tc.names, err, tc.want)
		}
	}
}

func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range min(len(g), len(w)) {
		if g[i] != w[i] {
			return fmt.Sprintf("line %d: got %q, want %q", i+1, g[i], w[i])
		}
	}
	return fmt.Sprintf("%d lines, want %d", len(g), len(w))
}
