package command

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRawInput: stats, alert and render given raw log lines parse them
// in-process, and write exactly what they write after logmon parse; the
// tally that parse would print is printed by the stage instead.
func TestRawInput(t *testing.T) {
	logs := map[string][]byte{}
	for _, name := range []string{"burst", "formats", "bad", "apache_logs"} {
		b, err := os.ReadFile(filepath.Join(testdata, name+".log"))
		if name == "apache_logs" {
			b, err = os.ReadFile(filepath.Join(testdata, name))
		}
		if err != nil {
			t.Fatal(err)
		}
		logs[name] = b
	}
	stages := [][]string{
		{"stats"},
		{"stats", "--interval", "30s", "--top", "3", "--lateness", "5s"},
		{"alert"},
		{"alert", "--threshold", "5", "--window", "20s", "--pass"},
		{"render"},
		{"stats", "--format", "text"},
	}
	for name, log := range logs {
		for _, stage := range stages {
			t.Run(name+"/"+strings.Join(stage, " "), func(t *testing.T) {
				parsed, parseErr := pipeline(t, log, [][]string{{"parse"}})
				want, stageErr := pipeline(t, []byte(parsed), [][]string{stage})
				got, gotErr := pipeline(t, log, [][]string{stage})
				if name == "formats" && stage[0] == "render" {
					// The one difference: a request read raw still has
					// its invalid UTF-8, which render shows as \xff;
					// its record had U+FFFD instead (see Records).
					got = strings.Replace(got, `/café/\xff\xfe`, "/café/\uFFFD\uFFFD", 1)
				}
				if got != want {
					t.Errorf("raw input gives\n%.2000s\nparse | %s gives\n%.2000s", got, stage[0], want)
				}
				// parse's warnings and tally, from the stage, then the
				// stage's own.
				if want := strings.ReplaceAll(parseErr, "logmon parse: ", "logmon "+stage[0]+": ") + stageErr; gotErr != want {
					t.Errorf("stderr is\n%s\nwant\n%s", gotErr, want)
				}
			})
		}
	}
}

// TestRawDetection: the form of the input is decided from its first line
// that is not blank, once.
func TestRawDetection(t *testing.T) {
	logLine := `83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET /a/b HTTP/1.1" 200 10 "-" "-"`
	record := `{"type":"request","time":"2015-05-17T10:05:03Z","remote":"83.149.9.216","method":"GET","path":"/a/b","section":"/a","protocol":"HTTP/1.1","status":200,"bytes":10}`
	cases := []struct {
		name, in string
		stderr   []string // each must appear
		requests string   // in the summary
	}{
		{"log", logLine + "\n" + logLine + "\n", []string{"2 lines: 2 requests, 0 rejected"}, `"requests":2`},
		{"records", record + "\n" + record + "\n", nil, `"requests":2`},
		{"records after spaces", "  \t" + record + "\n" + record + "\n", nil, `"requests":2`},
		{"blank then log", "\n  \n" + logLine + "\n", []string{"<stdin>:1: empty line", "<stdin>:2: blank line", "3 lines: 1 requests, 2 rejected"}, `"requests":1`},
		{"blank then records", "\n" + record + "\n", []string{"<stdin>:1: empty line", "1 invalid records skipped"}, `"requests":1`},
		{"log then a record", logLine + "\n" + record + "\n", []string{"<stdin>:2: missing timestamp", "2 lines: 1 requests, 1 rejected"}, `"requests":1`},
		{"only blank lines", "\n \n", []string{"<stdin>:2: blank line", "2 blank lines skipped"}, ""},
		{"records then a log line", record + "\n" + logLine + "\n", []string{"<stdin>:2: not a valid record", "1 invalid records skipped"}, `"requests":1`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out, errs bytes.Buffer
			if code := run([]string{"logmon", "stats"}, testEnv(strings.NewReader(tc.in), &out, &errs)); code != exitOK {
				t.Fatalf("exit %d: %s", code, errs.String())
			}
			for _, want := range tc.stderr {
				if !strings.Contains(errs.String(), want) {
					t.Errorf("stderr %q lacks %q", errs.String(), want)
				}
			}
			if !strings.Contains(out.String(), tc.requests) {
				t.Errorf("stdout %q lacks %q", out.String(), tc.requests)
			}
		})
	}
}
