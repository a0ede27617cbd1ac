package command

import (
	"bytes"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/logmon/logmon/internal/clock"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// goldenCases: testdata/<log>.log (nothing when log is "") goes through the pipeline of logmon
// commands (in-process, connected by buffers), and what comes out, stdout
// then stderr, must equal testdata/<name>.golden. Run
// `go test -run TestGolden -update` to rewrite them and review with git diff.
var goldenCases = []struct {
	name string
	log  string
	pipe [][]string
}{
	{"parse-formats", "formats", [][]string{{"parse"}}},
	{"parse-bad", "bad", [][]string{{"parse"}}},
	{"parse-text", "formats", [][]string{{"parse", "--format", "text"}}},
	{"stats-burst", "burst", [][]string{{"parse"}, {"stats"}}},
	{"stats-top", "burst", [][]string{{"parse"}, {"stats", "--interval", "30s", "--top", "2"}}},
	{"stats-text", "burst", [][]string{{"parse"}, {"stats", "--interval", "30s", "--format", "text"}}},
	{"alert-burst", "burst", [][]string{{"parse"}, {"alert", "--threshold", "5", "--window", "20s"}}},
	{"alert-default", "burst", [][]string{{"parse"}, {"alert"}}},
	{"alert-text", "burst", [][]string{{"parse"}, {"alert", "--threshold", "5", "--window", "20s", "--format", "text"}}},
	{"alert-pass-stats", "burst", [][]string{{"parse"}, {"alert", "--pass", "--threshold", "5", "--window", "20s"}, {"stats", "--interval", "30s"}}},
	{"render", "burst", [][]string{{"parse"}, {"alert", "--pass", "--threshold", "5", "--window", "20s"}, {"stats", "--interval", "30s"}, {"render"}}},
	{"stats-badrecords", "badrecords", [][]string{{"stats"}}},
	{"alert-badrecords", "badrecords", [][]string{{"alert", "--pass"}}},
	{"gen", "", [][]string{{"gen", "--seed", "3", "--start", "2015-05-17T10:00:00Z", "--phases", "steady:3s:2,silence:2s,burst:2s:5"}}},
	{"gen-parse-render", "", [][]string{{"gen", "--seed", "3", "--start", "2015-05-17T10:00:00Z", "--phases", "steady:3s:2"}, {"parse"}, {"render"}}},
}

// testEnv runs without a terminal, on a fake wall clock that stands
// still unless the test advances it: no tick comes, no poll passes.
func testEnv(in io.Reader, out, errw io.Writer) env {
	return env{
		stdin:  in,
		stdout: out,
		stderr: errw,
		getenv: func(string) string { return "" },
		clock:  clock.NewFake(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)),
	}
}

// pipeline runs the commands one after the other, each reading the
// previous one's output; it returns the last stdout and all of stderr.
func pipeline(t *testing.T, input []byte, cmds [][]string) (stdout, stderr string) {
	t.Helper()
	var errs bytes.Buffer
	for _, args := range cmds {
		var out bytes.Buffer
		if code := run(append([]string{"logmon"}, args...), testEnv(bytes.NewReader(input), &out, &errs)); code != exitOK {
			t.Fatalf("logmon %s: exit %d\n%s", strings.Join(args, " "), code, errs.String())
		}
		input = out.Bytes()
	}
	return string(input), errs.String()
}

func TestGolden(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			var input []byte
			if tc.log != "" {
				var err error
				if input, err = os.ReadFile(filepath.Join(testdata, tc.log+".log")); err != nil {
					t.Fatal(err)
				}
			}
			stdout, stderr := pipeline(t, input, tc.pipe)
			got := stdout
			if stderr != "" {
				got += "-- stderr --\n" + stderr
			}
			path := filepath.Join(testdata, tc.name+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -run TestGolden -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("%s differs from the output (-want +got):\n%s", path, lineDiff(string(want), got))
			}
		})
	}
}

// lineDiff shows the first lines where want and got differ.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < max(len(w), len(g)) && shown < 10; i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			b.WriteString("line " + strconv.Itoa(i+1) + ":\n-" + wl + "\n+" + gl + "\n")
			shown++
		}
	}
	return b.String()
}

func TestExitCodes(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want int
		msg  string
	}{
		{"unknown flag", []string{"stats", "--nope"}, exitUsage, "flag provided but not defined"},
		{"bad duration", []string{"alert", "--window", "soon"}, exitUsage, "invalid value"},
		{"fractional window", []string{"alert", "--window", "1.5s"}, exitUsage, "window must be whole seconds between 1s and 24h0m0s: 1.5s"},
		{"bad format", []string{"parse", "--format", "xml"}, exitUsage, "--format must be"},
		{"zero top", []string{"stats", "--top", "0"}, exitUsage, "top must be between 1 and 1000"},
		{"huge top", []string{"stats", "--top", "2000000000"}, exitUsage, "top must be between 1 and 1000"},
		{"negative clients", []string{"gen", "--clients", "-1"}, exitUsage, "clients -1 is not between 1 and 10000000"},
		{"arguments", []string{"parse", "access.log"}, exitUsage, "takes no arguments"},
		{"bad phases", []string{"gen", "--phases", "boom:1m"}, exitUsage, "bad phase"},
		{"negative disorder", []string{"gen", "--disorder", "-1s"}, exitUsage, "disorder -1s is not between 0 and 1h"},
		{"huge disorder", []string{"gen", "--disorder", "1000000h"}, exitUsage, "is not between 0 and 1h"},
		{"huge rate", []string{"gen", "--rate", "1e12"}, exitUsage, "above 1e+06 requests per second"},
		{"NaN speed", []string{"demo", "--speed", "NaN"}, exitUsage, "speed must be above 0"},
		{"huge speed", []string{"demo", "--speed", "1e10"}, exitUsage, "speed must be above 0"},
		{"fractional lateness", []string{"stats", "--lateness", "1500ms"}, exitUsage, "lateness must be whole seconds"},
		{"NaN threshold", []string{"alert", "--threshold", "NaN"}, exitUsage, "threshold must be a number"},
		{"unknown command", []string{"frobnicate"}, exitUsage, "no command"},
		{"rejects file in a missing directory", []string{"parse", "--rejects", "/nonexistent/dir/rejects"}, exitFailure, "no such file"},
		{"fine", []string{"stats"}, exitOK, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errs bytes.Buffer
			code := run(append([]string{"logmon"}, tt.args...), testEnv(strings.NewReader(""), &out, &errs))
			if code != tt.want {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.want, errs.String())
			}
			if !strings.Contains(errs.String(), tt.msg) {
				t.Errorf("stderr %q lacks %q", errs.String(), tt.msg)
			}
			if tt.want != exitOK && !strings.HasPrefix(errs.String(), "logmon: ") {
				t.Errorf("stderr %q does not start with logmon:", errs.String())
			}
		})
	}
}

func TestRejectsFile(t *testing.T) {
	input, err := os.ReadFile(filepath.Join(testdata, "bad.log"))
	if err != nil {
		t.Fatal(err)
	}
	rejects := filepath.Join(t.TempDir(), "rejects")
	var out, errs bytes.Buffer
	if code := run([]string{"logmon", "parse", "--rejects", rejects}, testEnv(bytes.NewReader(input), &out, &errs)); code != exitOK {
		t.Fatalf("exit %d: %s", code, errs.String())
	}
	got, err := os.ReadFile(rejects)
	if err != nil {
		t.Fatal(err)
	}
	// Every rejected line is kept verbatim: the good lines plus the
	// rejected ones give back the input, line for line.
	good := strings.Count(out.String(), "\n")
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
	var out, errs bytes.Buffer
	code := run([]string{"logmon", "parse", "--format", "text", "--rejects", rejects}, testEnv(strings.NewReader(in), &out, &errs))
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs.String())
	}
	got, _ := os.ReadFile(rejects)
	if string(got) != `{"type":"summary","requests":"x"}`+"\n" {
		t.Errorf("rejects %q", got)
	}
	if !strings.Contains(errs.String(), "<stdin>:1: bad record") || !strings.Contains(errs.String(), "2 lines: 1 requests, 1 rejected") {
		t.Errorf("stderr %q", errs.String())
	}
	if !strings.Contains(out.String(), "GET /a") {
		t.Errorf("the good line is lost: %q", out.String())
	}
}

// TestClosedStdout: when the reader of the output goes away, every
// command stops at its next write, quietly, with the exit code a shell
// gives a process killed by SIGPIPE: no error message, let alone one per
// line.
func TestClosedStdout(t *testing.T) {
	input, err := os.ReadFile(filepath.Join(testdata, "apache_logs"))
	if err != nil {
		t.Fatal(err)
	}
	records, _ := pipeline(t, input, [][]string{{"parse"}})
	for _, tc := range []struct {
		args  []string
		input string
	}{
		{[]string{"parse"}, string(input)},
		{[]string{"alert", "--pass"}, records},
		{[]string{"stats", "--interval", "1s"}, records},
		{[]string{"render"}, records},
		{[]string{"gen", "--phases", "steady:1000h:100"}, ""},
	} {
		t.Run(tc.args[0], func(t *testing.T) {
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			r.Close()
			defer w.Close()
			var errs bytes.Buffer
			code := run(append([]string{"logmon"}, tc.args...), testEnv(strings.NewReader(tc.input), w, &errs))
			if code != exitBrokenPipe || errs.Len() != 0 {
				t.Errorf("exit %d, stderr %q; want exit %d and nothing on stderr", code, errs.String(), exitBrokenPipe)
			}
		})
	}
}
