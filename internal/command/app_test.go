package command

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// What every command does alike. The cases of exit codes and usage
// errors common to all commands are in testdata/cases/app, each
// command's in its own folder there (see TestCases).

// TestClosedStdout: when the reader of the output goes away, every
// command stops at its next write, quietly, with the exit code a shell
// gives a process killed by SIGPIPE: no error message, let alone one per
// line.
func TestClosedStdout(t *testing.T) {
	input, err := os.ReadFile(filepath.Join(testdata, "apache_logs"))
	if err != nil {
		t.Fatal(err)
	}
	records := logmon(t, input, "parse").ok(t).stdout
	for _, tc := range []struct {
		args  []string
		input string
	}{
		{[]string{"parse", "--log-format", "combined"}, string(input)},
		{[]string{"alert", "--pass"}, records},
		{[]string{"stats", "--interval", "1s", "--lateness", "1m"}, records}, // apache_logs is out of order by up to 59 s: no late warning
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
			code := logmonWith(t, strings.NewReader(tc.input), w, &errs, tc.args...)
			if code != exitBrokenPipe || errs.Len() != 0 {
				t.Errorf("exit %d, stderr %q; want exit %d and nothing on stderr", code, errs.String(), exitBrokenPipe)
			}
		})
	}
}

// TestRawInput: stats, alert and render given raw log lines parse them
// in-process, and write exactly what they write after logmon parse; the
// tally that parse would print is printed by the stage instead. (How
// the form of the input is decided: testdata/cases/stats/detect-*.)
func TestRawInput(t *testing.T) {
	logs := map[string][]byte{}
	for _, name := range []string{"burst.log", "formats.log", "bad.log", "apache_logs"} {
		b, err := os.ReadFile(filepath.Join(testdata, name))
		if err != nil {
			t.Fatal(err)
		}
		logs[strings.TrimSuffix(name, ".log")] = b
	}
	// The folds follow every line (--max-jump 0): formats.log and bad.log
	// hold lines far from the others' time, which the folds would warn
	// of as outliers, rate-limited together with parse's warnings when
	// they read the lines raw, and after parse's tally behind it. The
	// outliers have cases of their own (cases/*/outlier-*).
	// stats is given a --lateness that covers apache_logs' disorder (up
	// to 59 s): else it warns of the late lines, amid parse's warnings
	// when it reads the lines raw (cases/stats/late-* show the warning).
	stages := [][]string{
		{"stats", "--max-jump", "0", "--lateness", "1m"},
		{"stats", "--interval", "30s", "--top", "3", "--lateness", "1m", "--max-jump", "0"},
		{"alert", "--max-jump", "0"},
		{"alert", "--threshold", "5", "--window", "20s", "--pass", "--max-jump", "0"},
		{"render"},
		{"stats", "--format", "text", "--max-jump", "0", "--lateness", "1m"},
	}
	for name, log := range logs {
		parsed := logmon(t, log, "parse").ok(t)
		for _, stage := range stages {
			t.Run(name+"/"+strings.Join(stage, " "), func(t *testing.T) {
				want := logmon(t, []byte(parsed.stdout), stage...).ok(t)
				got := logmon(t, log, stage...).ok(t)
				if name == "formats" && stage[0] == "render" {
					// The one difference: a request read raw still has
					// its invalid UTF-8, which render shows as \xff;
					// its record had U+FFFD instead (see Records).
					got.stdout = strings.Replace(got.stdout, `/café/\xff\xfe`, "/café/\uFFFD\uFFFD", 1)
				}
				if got.stdout != want.stdout {
					t.Errorf("raw input gives\n%.2000s\nparse | %s gives\n%.2000s", got.stdout, stage[0], want.stdout)
				}
				// parse's warnings and tally, from the stage, then the
				// stage's own.
				if want := strings.ReplaceAll(parsed.stderr, "logmon parse: ", "logmon "+stage[0]+": ") + want.stderr; got.stderr != want {
					t.Errorf("stderr is\n%s\nwant\n%s", got.stderr, want)
				}
			})
		}
	}
}
