package command

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/logmon/logmon/internal/clock"
)

var update = flag.Bool("update", false, "rewrite the expected sections of testdata/cases/")

// testdata is the repository's testdata directory, seen from this package.
var testdata = filepath.Join("..", "..", "testdata")

// casesDir holds the command-line cases, one file each; see
// testdata/README.md for their format.
var casesDir = filepath.Join(testdata, "cases")

// TestCases runs every case of testdata/cases in-process and compares
// what logmon writes and its exit code with the case's expected
// sections. `go test ./internal/command -run TestCases -update` rewrites
// them; review with git diff.
func TestCases(t *testing.T) {
	err := filepath.WalkDir(casesDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".txtar" {
			return err
		}
		name := strings.TrimSuffix(filepath.ToSlash(path[len(casesDir)+1:]), ".txtar")
		// Not in parallel: urfave/cli's help flag is one global that
		// every app writes when it parses (a race, harmless in a process
		// that runs one app, as logmon does).
		t.Run(name, func(t *testing.T) {
			c := loadCase(t, name)
			got := c.run(t)
			if *update {
				c.rewrite(t, got)
				return
			}
			c.compare(t, got)
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A testCase is a file of testdata/cases: txtar sections, each a line
// "-- name --" followed by its content, exact to the byte.
type testCase struct {
	path     string
	comment  []byte    // what comes before the first section
	sections []section // in the file's order
}

type section struct {
	name string
	data []byte
}

// The sections a case may have; any other section is a file written
// into the case's temporary directory, $TMP, under its name.
const (
	secArgs      = "args"       // a command line a line, run as a pipeline
	secStdin     = "stdin"      // the input
	secStdinFile = "stdin-file" // or a file of testdata/ to read it from
	secStdout    = "stdout"     // the expected output of the last command
	secStderr    = "stderr"     // the expected diagnostics of every command
	secExit      = "exit"       // the expected exit code
	secEnv       = "env"        // environment variables, NAME=value a line
)

func isOutput(name string) bool {
	return name == secStdout || name == secStderr || name == secExit
}

// loadCase reads testdata/cases/<name>.txtar.
func loadCase(t testing.TB, name string) *testCase {
	t.Helper()
	path := filepath.Join(casesDir, filepath.FromSlash(name)+".txtar")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	c := &testCase{path: path}
	var cur *section
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line = data[:i+1]
		}
		data = data[len(line):]
		if name, ok := sectionName(line); ok {
			for _, s := range c.sections {
				if s.name == name {
					t.Fatalf("%s: two %q sections", path, name)
				}
			}
			c.sections = append(c.sections, section{name: name})
			cur = &c.sections[len(c.sections)-1]
			continue
		}
		if cur == nil {
			c.comment = append(c.comment, line...)
		} else {
			cur.data = append(cur.data, line...)
		}
	}
	if c.get(secArgs) == nil {
		t.Fatalf("%s: no %q section", path, secArgs)
	}
	if c.get(secStdin) != nil && c.get(secStdinFile) != nil {
		t.Fatalf("%s: both %q and %q", path, secStdin, secStdinFile)
	}
	return c
}

// sectionName returns the name of a section's first line, "-- name --\n".
func sectionName(line []byte) (string, bool) {
	s, ok := strings.CutSuffix(string(line), "\n")
	if !ok {
		return "", false
	}
	s, ok = strings.CutPrefix(s, "-- ")
	if !ok {
		return "", false
	}
	s, ok = strings.CutSuffix(s, " --")
	if !ok || strings.TrimSpace(s) == "" {
		return "", false
	}
	return strings.TrimSpace(s), true
}

// get returns the content of a section, nil when the case has none.
func (c *testCase) get(name string) []byte {
	for _, s := range c.sections {
		if s.name == name {
			return append([]byte{}, s.data...)
		}
	}
	return nil
}

// commands returns the command lines of the args section, each split
// into words.
func (c *testCase) commands(t testing.TB, tmp string) [][]string {
	t.Helper()
	var cmds [][]string
	for _, line := range strings.Split(string(c.get(secArgs)), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		words, err := splitWords(line)
		if err != nil {
			t.Fatalf("%s: %v", c.path, err)
		}
		for i, w := range words {
			words[i] = strings.ReplaceAll(w, "$TMP", tmp)
		}
		cmds = append(cmds, words)
	}
	if len(cmds) == 0 {
		t.Fatalf("%s: no command in %q", c.path, secArgs)
	}
	return cmds
}

// splitWords splits a command line at spaces and tabs; '...' and "..."
// quote, with no escapes inside.
func splitWords(line string) ([]string, error) {
	var words []string
	var w strings.Builder
	inWord := false
	for i := 0; i < len(line); i++ {
		switch ch := line[i]; ch {
		case ' ', '\t':
			if inWord {
				words = append(words, w.String())
				w.Reset()
				inWord = false
			}
		case '\'', '"':
			end := strings.IndexByte(line[i+1:], ch)
			if end < 0 {
				return nil, fmt.Errorf("unmatched %c in %q", ch, line)
			}
			w.WriteString(line[i+1 : i+1+end])
			i += end + 1
			inWord = true
		default:
			w.WriteByte(ch)
			inWord = true
		}
	}
	if inWord {
		words = append(words, w.String())
	}
	return words, nil
}

func TestSplitWords(t *testing.T) {
	for _, tc := range []struct {
		line string
		want []string
	}{
		{"stats", []string{"stats"}},
		{"  stats \t--top  2 ", []string{"stats", "--top", "2"}},
		{`alert --exec 'cat >> $TMP/paged'`, []string{"alert", "--exec", "cat >> $TMP/paged"}},
		{`render --log-level ''`, []string{"render", "--log-level", ""}},
		{`a "b 'c' d"e`, []string{"a", "b 'c' de"}},
	} {
		got, err := splitWords(tc.line)
		if err != nil || strings.Join(got, "|") != strings.Join(tc.want, "|") || len(got) != len(tc.want) {
			t.Errorf("splitWords(%q) = %q, %v; want %q", tc.line, got, err, tc.want)
		}
	}
	if _, err := splitWords(`alert --exec 'exit 7`); err == nil {
		t.Error("an unmatched quote is accepted")
	}
}

// run writes the case's files into a temporary directory and runs its
// commands on its input; the directory's path in what they write is
// $TMP.
func (c *testCase) run(t *testing.T) result {
	t.Helper()
	tmp := t.TempDir()
	for _, s := range c.sections {
		if s.name == secArgs || s.name == secStdin || s.name == secStdinFile || s.name == secEnv || isOutput(s.name) {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(tmp, s.name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(tmp, s.name), s.data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	caseEnv = map[string]string{}
	defer func() { caseEnv = nil }()
	for _, line := range strings.Split(string(c.get(secEnv)), "\n") {
		if name, value, ok := strings.Cut(line, "="); ok {
			value = strings.ReplaceAll(value, "$TMP", tmp)
			t.Setenv(name, value) // for urfave/cli, which reads the process's environment
			caseEnv[name] = value
		}
	}
	stdin := c.get(secStdin)
	if name := strings.TrimSpace(string(c.get(secStdinFile))); name != "" {
		var err error
		if stdin, err = os.ReadFile(filepath.Join(testdata, filepath.FromSlash(name))); err != nil {
			t.Fatalf("%s: %v", c.path, err)
		}
	}
	r := logmonPipe(t, stdin, c.commands(t, tmp)...)
	r.stdout = strings.ReplaceAll(r.stdout, tmp, "$TMP")
	r.stderr = strings.ReplaceAll(r.stderr, tmp, "$TMP")
	return r
}

// compare fails the test where got differs from the case's expected
// sections; a missing stdout or stderr section expects nothing, a
// missing exit section exit 0.
func (c *testCase) compare(t *testing.T, got result) {
	t.Helper()
	want, err := strconv.Atoi(strings.TrimSpace(string(c.get(secExit))))
	if c.get(secExit) == nil {
		want, err = exitOK, nil
	}
	if err != nil {
		t.Fatalf("%s: exit: %v", c.path, err)
	}
	if got.code != want {
		t.Errorf("%s: exit %d, want %d", c.path, got.code, want)
	}
	for _, s := range []struct{ name, got string }{{secStdout, got.stdout}, {secStderr, got.stderr}} {
		if want := string(c.get(s.name)); s.got != want {
			t.Errorf("%s: %s differs (-want +got):\n%s", c.path, s.name, lineDiff(want, s.got))
		}
	}
	if t.Failed() {
		t.Log("if the new output is right: go test ./internal/command -run TestCases -update, and review with git diff")
	}
}

// rewrite writes got as the case's expected sections, after its others.
func (c *testCase) rewrite(t *testing.T, got result) {
	t.Helper()
	var b bytes.Buffer
	b.Write(c.comment)
	for _, s := range c.sections {
		if !isOutput(s.name) {
			fmt.Fprintf(&b, "-- %s --\n%s", s.name, s.data)
		}
	}
	for _, s := range []struct{ name, data string }{
		{secStdout, got.stdout}, {secStderr, got.stderr}, {secExit, strconv.Itoa(got.code) + "\n"},
	} {
		if err := writable(s.data); err != nil {
			t.Fatalf("%s: %s cannot be written as a section: %v", c.path, s.name, err)
		}
		fmt.Fprintf(&b, "-- %s --\n%s", s.name, s.data)
	}
	if err := os.WriteFile(c.path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// writable reports why data cannot be a section's content, if it
// cannot: it must end with a newline, and no line of it may look like
// the start of a section.
func writable(data string) error {
	if data != "" && !strings.HasSuffix(data, "\n") {
		return fmt.Errorf("no newline at the end")
	}
	for _, line := range strings.SplitAfter(data, "\n") {
		if _, ok := sectionName([]byte(line)); ok {
			return fmt.Errorf("a line looks like a section: %q", line)
		}
	}
	return nil
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

// caseEnv is the environment of the case being run (its env section),
// nil outside TestCases.
var caseEnv map[string]string

// testEnv runs without a terminal, on a fake wall clock that stands
// still unless the test advances it: no tick comes, no poll passes.
func testEnv(in io.Reader, out, errw io.Writer) env {
	return env{
		stdin:  in,
		stdout: out,
		stderr: errw,
		getenv: func(name string) string { return caseEnv[name] },
		clock:  clock.NewFake(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)),
	}
}

// result is what a run of logmon gave.
type result struct {
	cmd            string // the command line, for messages
	code           int
	stdout, stderr string
}

// ok fails the test unless the run exited 0, and returns r.
func (r result) ok(t testing.TB) result {
	t.Helper()
	if r.code != exitOK {
		t.Fatalf("%s: exit %d\n%s", r.cmd, r.code, cut([]byte(r.stderr)))
	}
	return r
}

// logmon runs one logmon command in-process on stdin (through run, as
// main does, in testEnv) and returns what it gave. Every test of the
// command line runs logmon through it, logmonPipe or logmonWith.
func logmon(t testing.TB, stdin []byte, args ...string) result {
	t.Helper()
	return logmonPipe(t, stdin, args)
}

// logmonPipe runs commands as a pipeline: each reads what the one
// before it wrote. The result is the last command's stdout and exit
// code, and the stderr of all; a command that exits other than 0 ends
// the pipeline, as if with bash's pipefail.
func logmonPipe(t testing.TB, stdin []byte, cmds ...[]string) result {
	t.Helper()
	var errs bytes.Buffer
	r := result{stdout: string(stdin)}
	var line []string
	for _, args := range cmds {
		line = append(line, "logmon "+strings.Join(args, " "))
		var out bytes.Buffer
		r.code = logmonWith(t, strings.NewReader(r.stdout), &out, &errs, args...)
		r.stdout = out.String()
		if r.code != exitOK {
			break
		}
	}
	r.cmd, r.stderr = strings.Join(line, " | "), errs.String()
	return r
}

// logmonWith runs one logmon command in-process with the streams given
// and returns its exit code. A panic fails the test.
func logmonWith(t testing.TB, stdin io.Reader, stdout, stderr io.Writer, args ...string) (code int) {
	t.Helper()
	defer func() {
		if p := recover(); p != nil {
			t.Errorf("logmon %s panicked: %v\n%s", strings.Join(args, " "), p, debug.Stack())
			code = -1
		}
	}()
	return run(append([]string{"logmon"}, args...), testEnv(stdin, stdout, stderr))
}
