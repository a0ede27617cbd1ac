package command

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/logmon/logmon/internal/input"
	"github.com/logmon/logmon/internal/termsafe/termsafetest"
)

// Hostile input (testdata/bad, see its README.md): every file goes through
// the real command line in-process. For a log, `parse` must tally exactly
// the lines, requests and rejected lines of the table, each good line
// making one request record and each bad one landing in --rejects; its
// records then go through stats, alert and render. For JSON records,
// stats, alert --pass and render must skip exactly the invalid ones. In
// every case: no panic, exit 0, every JSON output line valid JSON and
// valid UTF-8 (but for a record passed through unchanged, which keeps the
// bytes it came with), and no raw control, C1, bidi or other invisible
// format character anywhere in text output or on stderr.
//
// The corpus marks what it expects line by line: a line (or record) that
// must be accepted has "/ok" in its request target, and no other line has.
//
// This is the command line's test, not one package's: what it checks is
// what the input layer, the parser, the driver and the sinks give
// together. The packages' own hostile input tests are theirs (parse's
// fuzz seeds and hostile_test.go, render's, stream's long lines); the
// 100 MiB line goes through the built binary (TestHostileHugeLine, in
// e2e_test.go).

type hostileCase struct {
	name    string        // file in testdata/bad, or the name of a generated one
	gen     func() []byte // generates the file into t.TempDir(); nil for a committed file
	records bool          // JSON records for stats, alert and render; else log lines for parse

	// Log lines: parse's tally (lines, requests, rejected).
	// Records: lines, valid request records, and invalid records
	// skipped in JSON output and in text output, which also refuses a
	// record of another type whose fields it cannot show.
	lines, good, bad int
	textBad          int
	// summaryBad: summaries that stats and alert, which fold them,
	// find bad on top of bad.
	summaryBad int
}

var hostileCases = []hostileCase{
	{name: "escapes.log", lines: 16, good: 11, bad: 5},
	{name: "c1.log", lines: 10, good: 8, bad: 2},
	{name: "controls.log", lines: 13, good: 7, bad: 6},
	{name: "bidi.log", lines: 12, good: 11, bad: 1},
	{name: "utf8.log", lines: 11, good: 9, bad: 2},
	{name: "crlf.log", lines: 9, good: 5, bad: 4},
	{name: "blank.log", lines: 11, good: 2, bad: 9},
	{name: "timestamps.log", lines: 37, good: 11, bad: 26},
	{name: "status_size.log", lines: 28, good: 8, bad: 20},
	{name: "clients.log", lines: 18, good: 16, bad: 2},
	{name: "random.bin", lines: 19, good: 0, bad: 19},
	{name: "long-65535.log", gen: func() []byte { return aroundLong(64<<10 - 1) }, lines: 3, good: 3, bad: 0},
	{name: "long-65536.log", gen: func() []byte { return aroundLong(64 << 10) }, lines: 3, good: 3, bad: 0},
	{name: "long-65537.log", gen: func() []byte { return aroundLong(64<<10 + 1) }, lines: 3, good: 3, bad: 0},
	{name: "long-65535-crlf.log", gen: longCRLF, lines: 2, good: 2, bad: 0},
	{name: "long-1m.log", gen: long1M, lines: 3, good: 2, bad: 1},
	{name: "long-16m.log", gen: long16M, lines: 3, good: 2, bad: 1},
	{name: "records_malformed.jsonl", records: true, lines: 30, good: 6, bad: 23, textBad: 23},
	{name: "records_deep.jsonl", records: true, lines: 10, good: 3, bad: 6, textBad: 6},
	{name: "records_types.jsonl", records: true, lines: 28, good: 4, bad: 20, textBad: 23, summaryBad: 2},
	{name: "records_bom.jsonl", records: true, lines: 8, good: 4, bad: 4, textBad: 4},
}

// goodLine is a valid Combined line whose target is path.
func goodLine(path string) string {
	return `192.0.2.1 - - [17/May/2015:10:05:03 +0000] "GET ` + path + ` HTTP/1.1" 200 5 "-" "-"`
}

// longLine is a line of exactly n bytes: goodLine with its target padded
// (so that text output, which shows the target, shows all of it).
func longLine(n int, path string) []byte {
	short := goodLine(path + "/")
	pad := n - len(short)
	if pad < 0 {
		panic("longLine: n too small")
	}
	return []byte(goodLine(path + "/" + strings.Repeat("x", pad)))
}

// aroundLong is a line of n bytes between two short ones.
func aroundLong(n int) []byte {
	var b bytes.Buffer
	b.WriteString(goodLine("/ok-before") + "\n")
	b.Write(longLine(n, "/ok-long"))
	b.WriteString("\n" + goodLine("/ok-after") + "\n")
	return b.Bytes()
}

// longCRLF puts the CR of a CRLF ending at the last byte of the reader's
// first 64 KiB buffer and the LF at the first byte of the next.
func longCRLF() []byte {
	b := append(longLine(64<<10-1, "/ok-long"), "\r\n"...)
	return append(b, goodLine("/ok-after")+"\r\n"...)
}

// long1M: a good line and a line of garbage, 1 MiB each.
func long1M() []byte {
	b := append(longLine(1<<20, "/ok-long"), '\n')
	b = append(b, "/bad-garbage "...)
	b = append(b, bytes.Repeat([]byte{'g'}, 1<<20-len("/bad-garbage "))...)
	return append(b, "\n"+goodLine("/ok-after")...)
}

// long16M: a line of exactly input.MaxLine bytes is parsed; one byte
// more and it is rejected as too long.
func long16M() []byte {
	b := append(longLine(input.MaxLine, "/ok-longest"), '\n')
	b = append(b, longLine(input.MaxLine+1, "/bad-too-long")...)
	return append(b, "\n"+goodLine("/ok-after")+"\n"...)
}

func (tc hostileCase) input(t *testing.T) []byte {
	t.Helper()
	path := filepath.Join(testdata, "bad", tc.name)
	if tc.gen != nil {
		path = filepath.Join(t.TempDir(), tc.name)
		if err := os.WriteFile(path, tc.gen(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestHostileInput(t *testing.T) {
	for _, tc := range hostileCases {
		t.Run(tc.name, func(t *testing.T) {
			input := tc.input(t)
			if n := len(splitLines(input)); n != tc.lines {
				t.Fatalf("the file has %d lines, the table says %d", n, tc.lines)
			}
			if tc.records {
				hostileRecords(t, tc, input)
			} else {
				hostileLog(t, tc, input)
			}
		})
	}
}

// hostileLog runs a log through parse, then its records through stats,
// alert and render.
func hostileLog(t *testing.T, tc hostileCase, input []byte) {
	tally := fmt.Sprintf("logmon parse: %d lines: %d requests, %d rejected\n", tc.lines, tc.good, tc.bad)
	if tc.good == 0 {
		// Not one line of a log: an error that says what it looks like
		// (exit 1), after the tally, rather than only a stream of rejects.
		for _, cmd := range []string{"parse", "stats", "alert", "render"} {
			r := logmon(t, input, cmd)
			checkSafe(t, "stderr", r.stderr)
			if r.code != exitFailure || r.stdout != "" || !strings.Contains(r.stderr, "looks like binary data") {
				t.Errorf("%s: exit %d, stdout %q, stderr:\n%s\nwant exit 1 and what the input looks like", cmd, r.code, cut([]byte(r.stdout)), r.stderr)
			}
		}
		return
	}
	var parsed string
	t.Run("parse", func(t *testing.T) {
		rejects := filepath.Join(t.TempDir(), "rejects")
		out, errs := hostileRun(t, input, "parse", "--format", "json", "--rejects", rejects)
		parsed = out
		wantOnce(t, errs, tally)
		checkSafe(t, "stderr", errs)
		recs := checkJSONLines(t, out, input)
		if len(recs) != tc.good {
			t.Errorf("%d records, want %d", len(recs), tc.good)
		}
		for _, r := range recs {
			if r.typ() != "request" || !r.marked() {
				t.Errorf("a record that is not a request from a good line: %s", r.line)
			}
		}
		kept, err := os.ReadFile(rejects)
		if err != nil {
			t.Fatal(err)
		}
		lines := splitLines(kept)
		if len(lines) != tc.bad {
			t.Errorf("%d lines in --rejects, want %d", len(lines), tc.bad)
		}
		for _, l := range lines {
			if bytes.Contains(l, []byte("/ok")) {
				t.Errorf("a good line was rejected: %q", cut(l))
			}
		}
	})
	t.Run("parse text", func(t *testing.T) {
		out, errs := hostileRun(t, input, "parse", "--format", "text")
		wantOnce(t, errs, tally)
		checkSafe(t, "stderr", errs)
		checkSafe(t, "output", out)
		if n := strings.Count(out, "\n"); n != tc.good {
			t.Errorf("%d lines of text, want one for each of the %d requests", n, tc.good)
		}
	})
	t.Run("stats", func(t *testing.T) {
		// Every line followed (--max-jump 0), however far it jumps: the
		// extreme times must be counted, not crash; with the default,
		// lines years from the others are outliers (cases/*/outlier-*).
		out, errs := hostileRun(t, []byte(parsed), "stats", "--format", "json", "--max-jump", "0")
		wantInvalid(t, errs, "stats", 0)
		checkSafe(t, "stderr", errs)
		checkSummaries(t, checkJSONLines(t, out, []byte(parsed)), tc.good)
	})
	t.Run("alert", func(t *testing.T) {
		out, errs := hostileRun(t, []byte(parsed), "alert", "--pass", "--format", "json", "--max-jump", "0")
		wantInvalid(t, errs, "alert", 0)
		checkSafe(t, "stderr", errs)
		checkPassed(t, checkJSONLines(t, out, []byte(parsed)), tc.good)
	})
	for _, args := range [][]string{
		{"stats", "--format", "text"},
		{"alert", "--pass", "--format", "text"},
		{"render"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			out, errs := hostileRun(t, []byte(parsed), args...)
			wantInvalid(t, errs, args[0], 0)
			checkSafe(t, "stderr", errs)
			checkSafe(t, "output", out)
		})
	}
}

// hostileRecords runs JSON records through stats, alert --pass and render.
func hostileRecords(t *testing.T, tc hostileCase, input []byte) {
	t.Run("stats", func(t *testing.T) {
		out, errs := hostileRun(t, input, "stats", "--format", "json")
		wantInvalid(t, errs, "stats", tc.bad+tc.summaryBad)
		checkSafe(t, "stderr", errs)
		checkSummaries(t, checkJSONLines(t, out, input), tc.good)
	})
	t.Run("alert", func(t *testing.T) {
		out, errs := hostileRun(t, input, "alert", "--pass", "--format", "json")
		wantInvalid(t, errs, "alert", tc.bad+tc.summaryBad)
		checkSafe(t, "stderr", errs)
		checkPassed(t, checkJSONLines(t, out, input), tc.good)
	})
	for _, args := range [][]string{
		{"stats", "--format", "text"},
		{"alert", "--pass", "--format", "text"},
		{"render"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			out, errs := hostileRun(t, input, args...)
			wantInvalid(t, errs, args[0], tc.textBad)
			checkSafe(t, "stderr", errs)
			checkSafe(t, "output", out)
		})
	}
}

// hostileRun runs logmon on input; a panic or an exit code other
// than 0 fails the test.
func hostileRun(t *testing.T, input []byte, args ...string) (stdout, stderr string) {
	t.Helper()
	r := logmon(t, input, args...).ok(t)
	return r.stdout, r.stderr
}

// splitLines splits input as logmon reads it: on LF, the last line
// needing none.
func splitLines(b []byte) [][]byte {
	if len(b) == 0 {
		return nil
	}
	return bytes.Split(bytes.TrimSuffix(b, []byte("\n")), []byte("\n"))
}

// wantOnce checks that msg appears exactly once in stderr.
func wantOnce(t *testing.T, stderr, msg string) {
	t.Helper()
	if n := strings.Count(stderr, msg); n != 1 {
		t.Errorf("stderr has %q %d times, want once:\n%s", msg, n, stderr)
	}
}

// wantInvalid checks the count of invalid records a records stage reports
// at the end, and that it reports none when there are none.
func wantInvalid(t *testing.T, stderr, cmd string, n int) {
	t.Helper()
	if n == 0 {
		if strings.Contains(stderr, "invalid records skipped") {
			t.Errorf("invalid records reported, want none:\n%s", stderr)
		}
		return
	}
	wantOnce(t, stderr, fmt.Sprintf("logmon %s: %d invalid records skipped\n", cmd, n))
}

// checkSafe checks that text meant for a terminal is valid UTF-8 and holds
// no control character but the newline, no C1 control, and no invisible
// format or line-breaking character (package termsafe's promise).
func checkSafe(t *testing.T, what, text string) {
	t.Helper()
	termsafetest.Check(t, what, []byte(text), -1)
}

// cut shortens a line for a failure message.
func cut(b []byte) []byte {
	if len(b) > 200 {
		return append(b[:200:200], "..."...)
	}
	return b
}

// outRecord is an output line, decoded.
type outRecord struct {
	line   []byte
	fields map[string]any
	passed bool // the line is one of the input's, passed through unchanged
}

func (r outRecord) typ() string { s, _ := r.fields["type"].(string); return s }

// marked reports whether a request record comes from a line the corpus
// marks good.
func (r outRecord) marked() bool {
	path, _ := r.fields["path"].(string)
	req, _ := r.fields["request"].(string)
	return strings.Contains(path, "/ok") || strings.Contains(req, "/ok")
}

// checkJSONLines checks that every line of out is a JSON object, valid
// UTF-8 too unless the line is one of the input's passed through
// unchanged, and returns them decoded.
func checkJSONLines(t *testing.T, out string, lines []byte) []outRecord {
	t.Helper()
	in := map[string]bool{}
	for _, l := range splitLines(lines) {
		in[string(bytes.TrimSuffix(l, []byte("\r")))] = true
	}
	var recs []outRecord
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 2*input.MaxLine)
	for sc.Scan() {
		r := outRecord{line: bytes.Clone(sc.Bytes()), passed: in[sc.Text()]}
		if !json.Valid(r.line) {
			t.Errorf("output line is not JSON: %q", cut(r.line))
			continue
		}
		if !r.passed && !utf8.Valid(r.line) {
			t.Errorf("output line is not valid UTF-8: %q", cut(r.line))
		}
		if err := json.Unmarshal(r.line, &r.fields); err != nil {
			t.Errorf("output line is not a JSON object: %v: %q", err, cut(r.line))
			continue
		}
		recs = append(recs, r)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return recs
}

// checkSummaries checks that the summaries stats wrote count every good
// request once, and that their figures are not negative.
func checkSummaries(t *testing.T, recs []outRecord, good int) {
	t.Helper()
	var sum float64
	for _, r := range recs {
		if r.passed || r.typ() != "summary" {
			continue
		}
		n, _ := r.fields["requests"].(float64)
		sum += n
		for _, f := range []string{"requests", "bytes", "rate", "late", "distinct_clients"} {
			if v, ok := r.fields[f].(float64); !ok || v < 0 {
				t.Errorf("summary %s %v: %s", f, r.fields[f], cut(r.line))
			}
		}
	}
	if sum != float64(good) {
		t.Errorf("the summaries count %v requests, want %d", sum, good)
	}
}

// checkPassed checks that alert --pass wrote on every good request record
// and no other.
func checkPassed(t *testing.T, recs []outRecord, good int) {
	t.Helper()
	n := 0
	for _, r := range recs {
		if r.typ() != "request" {
			continue
		}
		n++
		if !r.marked() {
			t.Errorf("a request record not marked good passed: %s", cut(r.line))
		}
	}
	if n != good {
		t.Errorf("%d request records passed, want %d", n, good)
	}
}
