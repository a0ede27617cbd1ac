package command

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The cases of logmon parse are in testdata/cases/parse (see TestCases).

// TestRejectsFile: every rejected line is kept verbatim in --rejects:
// the good lines plus the rejected ones give back the input, line for
// line.
func TestRejectsFile(t *testing.T) {
	input, err := os.ReadFile(filepath.Join(testdata, "bad.log"))
	if err != nil {
		t.Fatal(err)
	}
	rejects := filepath.Join(t.TempDir(), "rejects")
	out := logmon(t, input, "parse", "--rejects", rejects).ok(t).stdout
	got, err := os.ReadFile(rejects)
	if err != nil {
		t.Fatal(err)
	}
	good := strings.Count(out, "\n")
	bad := strings.Count(string(got), "\n")
	lines := strings.Count(string(input), "\n")
	if good+bad != lines || bad == 0 {
		t.Errorf("%d requests + %d rejected != %d input lines", good, bad, lines)
	}
	for _, l := range strings.SplitAfter(string(got), "\n") {
		if l != "" && !strings.Contains(string(input), l) {
			t.Errorf("rejected line %q is not verbatim from the input", l)
		}
	}
}

// TestRejectsUnshowableRecord: a record parse passes through but text
// output cannot show is rejected like a bad line: reported, counted, kept.
func TestRejectsUnshowableRecord(t *testing.T) {
	rejects := filepath.Join(t.TempDir(), "rejects")
	in := `{"type":"summary","requests":"x"}` + "\n" +
		`1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET /a HTTP/1.1" 200 5 "-" "-"` + "\n"
	r := logmon(t, []byte(in), "parse", "--format", "text", "--rejects", rejects).ok(t)
	got, _ := os.ReadFile(rejects)
	if string(got) != `{"type":"summary","requests":"x"}`+"\n" {
		t.Errorf("rejects %q", got)
	}
	if !strings.Contains(r.stderr, "<stdin>:1: bad record") || !strings.Contains(r.stderr, "2 lines: 1 requests, 1 rejected") {
		t.Errorf("stderr %q", r.stderr)
	}
	if !strings.Contains(r.stdout, "GET /a") {
		t.Errorf("the good line is lost: %q", r.stdout)
	}
}
