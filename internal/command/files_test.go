package command

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestGzipInput: a gzipped log is read decompressed, piped in or named,
// and gives the records of the log itself.
func TestGzipInput(t *testing.T) {
	gz, err := os.ReadFile("../../testdata/bad/access.log.gz")
	if err != nil {
		t.Fatal(err)
	}
	plain := gunzip(t, gz)
	want := logmon(t, plain, "parse").ok(t).stdout
	if n := strings.Count(want, "\n"); n != 40 {
		t.Fatalf("%d records from the plain log, want 40", n)
	}
	if got := logmon(t, gz, "parse").ok(t).stdout; got != want {
		t.Errorf("gzip on standard input: records differ from the plain log's")
	}
	if got := logmon(t, nil, "parse", "../../testdata/bad/access.log.gz").ok(t).stdout; got != want {
		t.Errorf("gzip file: records differ from the plain log's")
	}
	if got := logmon(t, gz, "parse", "-").ok(t).stdout; got != want {
		t.Errorf("gzip on standard input named -: records differ from the plain log's")
	}
}

// TestRotatedSet: a rotated set, access.log.3.gz access.log.2.gz
// access.log.1 access.log, named in any order, gives the records and
// the summaries of the set's lines piped in in time order.
func TestRotatedSet(t *testing.T) {
	log := logmon(t, nil, "gen", "--seed", "5", "--start", "2015-05-17T10:00:00Z", "--phases", "steady:400s:10,burst:40s:60,steady:200s:10").ok(t).stdout
	lines := strings.SplitAfter(log, "\n")
	lines = lines[:len(lines)-1]
	q := len(lines) / 4
	parts := []string{
		strings.Join(lines[:q], ""), strings.Join(lines[q:2*q], ""),
		strings.Join(lines[2*q:3*q], ""), strings.Join(lines[3*q:], ""),
	}
	dir := t.TempDir()
	set := []string{
		writeFile(t, dir, "access.log.3.gz", gzipped(t, parts[0])),
		writeFile(t, dir, "access.log.2.gz", gzipped(t, parts[1])),
		writeFile(t, dir, "access.log.1", []byte(parts[2])),
		writeFile(t, dir, "access.log", []byte(parts[3])),
	}
	for _, cmd := range [][]string{{"parse"}, {"stats", "--interval", "1m"}, {"alert", "--threshold", "30", "--window", "20s"}} {
		want := logmon(t, []byte(log), cmd...).ok(t).stdout
		for _, order := range [][]int{{0, 1, 2, 3}, {3, 2, 1, 0}, {2, 0, 3, 1}} {
			args := append([]string{}, cmd...)
			for _, i := range order {
				args = append(args, set[i])
			}
			if got := logmon(t, nil, args...).ok(t).stdout; got != want {
				t.Errorf("%s %v: output differs from the set piped in in time order", cmd[0], order)
			}
		}
	}
}

// TestFilesWarnings: a bad line of one of several files is reported with
// the file's name and the line's byte offset in it; with one file, by
// the file's name and line number.
func TestFilesWarnings(t *testing.T) {
	dir := t.TempDir()
	good := `10.0.0.1 - - [17/May/2015:10:00:00 +0000] "GET /a HTTP/1.1" 200 1` + "\n"
	a := writeFile(t, dir, "a.log", []byte(good+"bad line\n"))
	b := writeFile(t, dir, "b.log", []byte(strings.ReplaceAll(good, "10:00:00", "11:00:00")))
	r := logmon(t, nil, "parse", b, a).ok(t)
	if !strings.Contains(r.stderr, a+" at byte "+strconv.Itoa(len(good))+": ") {
		t.Errorf("stderr does not place the bad line in a.log:\n%s", r.stderr)
	}
	r = logmon(t, nil, "parse", a).ok(t)
	if !strings.Contains(r.stderr, a+":2: ") {
		t.Errorf("stderr does not give the bad line's number in a.log:\n%s", r.stderr)
	}
}

func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func gzipped(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(s))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func gunzip(t *testing.T, data []byte) []byte {
	t.Helper()
	r, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if _, err := b.ReadFrom(r); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
