package command

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/logmon/logmon/internal/input"
)

// End-to-end tests: the built binary in real shell pipelines over real
// traffic (testdata/apache_logs, see testdata/README.md).

var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

// logmonBin builds logmon once per test run and returns the directory
// holding it, to be put first on PATH.
func logmonBin(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "logmon-e2e")
		if buildErr != nil {
			return
		}
		out, err := exec.Command("go", "build", "-o", filepath.Join(binDir, "logmon"), "github.com/logmon/logmon").CombinedOutput()
		if err != nil {
			buildErr = err
			t.Logf("%s", out)
		}
	})
	if buildErr != nil {
		t.Fatalf("building logmon: %v", buildErr)
	}
	return binDir
}

// TestMain removes the binary the end-to-end tests built.
func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// sh runs a bash pipeline (with pipefail) in testdata/ with logmon on PATH.
// Without bash (Windows) the test is skipped.
func sh(t *testing.T, script string) (stdout, stderr string) {
	t.Helper()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash to run pipelines with")
	}
	cmd := exec.Command("bash", "-o", "pipefail", "-c", script)
	cmd.Dir = testdata
	cmd.Env = append(os.Environ(), "PATH="+logmonBin(t)+string(os.PathListSeparator)+os.Getenv("PATH"))
	var out, errs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errs
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s", script, err, errs.String())
	}
	return out.String(), errs.String()
}

type jsonRecord struct {
	Type     string `json:"type"`
	Time     string `json:"time"`
	State    string `json:"state"`
	Hits     int64  `json:"hits"`
	Start    string `json:"start"`
	End      string `json:"end"`
	Requests int64  `json:"requests"`
	Late     int64  `json:"late"`
	Message  string `json:"message"`
}

func records(t *testing.T, jsonl string) []jsonRecord {
	t.Helper()
	var rs []jsonRecord
	sc := bufio.NewScanner(strings.NewReader(jsonl))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r jsonRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("output line is not JSON: %v: %q", err, sc.Text())
		}
		rs = append(rs, r)
	}
	return rs
}

func ofType(rs []jsonRecord, typ string) []jsonRecord {
	var out []jsonRecord
	for _, r := range rs {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

const apacheRequests = 9999 // 10,000 lines, one cut short

func TestEndToEndAlert(t *testing.T) {
	// The file is shuffled within each minute: with a minute of lateness
	// every line counts in its own second, so the alerts must equal those
	// of the same requests sorted by time.
	const rule = "--threshold 1 --window 1m"
	out, errs := sh(t, "logmon parse < apache_logs | logmon alert --lateness 60s "+rule)
	alerts := ofType(records(t, out), "alert")
	if len(alerts) < 10 {
		t.Fatalf("only %d alerts; the test needs traffic that fires", len(alerts))
	}
	if !strings.Contains(errs, "10000 lines: 9999 requests, 1 rejected") || !strings.Contains(errs, "<stdin>:8899: ") {
		t.Errorf("parse tally or warning missing:\n%s", errs)
	}
	if strings.Contains(errs, "late") {
		t.Errorf("lines counted late despite a minute of lateness:\n%s", errs)
	}
	sorted, _ := sh(t, "logmon parse < apache_logs 2>/dev/null | LC_ALL=C sort -s -t '\"' -k8,8 | logmon alert --lateness 0s "+rule)
	want := ofType(records(t, sorted), "alert")
	if !slices.Equal(alerts, want) {
		t.Errorf("alerts of shuffled input differ from those of sorted input:\n got %d: %v\nwant %d: %v", len(alerts), alerts[:2], len(want), want[:2])
	}
	// And both must equal what the rule's definition gives, computed the
	// slow, obvious way from the request times.
	parsed, _ := sh(t, "logmon parse < apache_logs 2>/dev/null")
	var secs []int64
	for _, r := range ofType(records(t, parsed), "request") {
		tm, err := time.Parse(time.RFC3339, r.Time)
		if err != nil {
			t.Fatal(err)
		}
		secs = append(secs, tm.Unix())
	}
	oracle := highTraffic(secs, 60, 1)
	if len(oracle) != len(alerts) {
		t.Fatalf("%d alerts, the definition gives %d", len(alerts), len(oracle))
	}
	for i, a := range alerts {
		if got := fmt.Sprintf("%s %s %d", a.State, a.Time, a.Hits); got != oracle[i] {
			t.Fatalf("alert %d: %s, the definition gives %s", i, got, oracle[i])
		}
	}
}

// highTraffic applies the rule as the README states it, by brute force: at
// every second s from the first request's to the last's, hits(s) counts
// the requests in (s-window, s]; fire when hits/window > threshold, resolve
// when it is no longer.
func highTraffic(secs []int64, window int64, threshold float64) []string {
	slices.Sort(secs)
	count := func(lo, hi int64) int64 { // requests with lo < t <= hi
		a, _ := slices.BinarySearch(secs, lo+1)
		b, _ := slices.BinarySearch(secs, hi+1)
		return int64(b - a)
	}
	var out []string
	firing := false
	for s := secs[0]; s <= secs[len(secs)-1]; s++ {
		hits := count(s-window, s)
		if over := float64(hits)/float64(window) > threshold; over != firing {
			firing = over
			state := "resolved"
			if over {
				state = "firing"
			}
			out = append(out, fmt.Sprintf("%s %s %d", state, time.Unix(s, 0).UTC().Format(time.RFC3339), hits))
		}
	}
	return out
}

func TestEndToEndDashboard(t *testing.T) {
	out, errs := sh(t, "logmon parse < apache_logs | logmon alert --pass --lateness 60s --threshold 1 --window 1m | logmon stats --lateness 60s")
	rs := records(t, out)
	summaries, alerts := ofType(rs, "summary"), ofType(rs, "alert")
	if n := len(ofType(rs, "request")); n != 0 {
		t.Errorf("stats passed %d request records through; it consumes them", n)
	}
	if len(alerts) < 10 {
		t.Errorf("%d alerts passed through stats, want the alert stage's", len(alerts))
	}
	var total, late int64
	for i, s := range summaries {
		total += s.Requests
		late += s.Late
		if i > 0 && s.Start != summaries[i-1].End {
			t.Fatalf("summary %d starts at %s, the previous ended at %s", i, s.Start, summaries[i-1].End)
		}
	}
	if total != apacheRequests || late != 0 {
		t.Errorf("summaries count %d requests (%d late), want %d (0 late)\n%s", total, late, apacheRequests, errs)
	}
	// 17 May 10:05 to 20 May 21:05 in 10 s intervals.
	if first, last := summaries[0].Start, summaries[len(summaries)-1].End; first != "2015-05-17T10:05:00Z" || last != "2015-05-20T21:06:00Z" {
		t.Errorf("summaries span %s to %s", first, last)
	}
}

// TestEndToEndDefaults: with the default 5 s lateness most lines of this
// shuffled file arrive late; none is lost, all are counted and marked.
func TestEndToEndDefaults(t *testing.T) {
	out, errs := sh(t, "logmon parse < apache_logs 2>/dev/null | logmon stats")
	var total, late int64
	for _, s := range ofType(records(t, out), "summary") {
		total += s.Requests
		late += s.Late
	}
	if total != apacheRequests || late < 1000 {
		t.Errorf("summaries count %d requests, %d late; want %d, many late\n%s", total, late, apacheRequests, errs)
	}
	_, errs = sh(t, "logmon parse < apache_logs 2>/dev/null | logmon alert")
	if !strings.Contains(errs, "late requests counted in the earliest open second") {
		t.Errorf("alert does not report late lines:\n%s", errs)
	}
}

// TestEndToEndTerminal: on a terminal (a pseudo-terminal made by
// script(1)) the commands write text, in colour unless NO_COLOR is set, and
// no byte of the log's own escape sequences reaches the terminal.
func TestEndToEndTerminal(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("uses util-linux script(1)")
	}
	if _, err := exec.LookPath("script"); err != nil {
		t.Skip("script(1) not installed (Debian: bsdutils)")
	}
	hostile := filepath.Join(t.TempDir(), "hostile.log")
	line := "1.2.3.4 - - [17/May/2015:10:05:03 +0000] \"GET /\x1b]0;pwned\x07\x1b[2J\u009bx HTTP/1.1\" 200 5 \"-\" \"\u202eevil\"\n"
	if err := os.WriteFile(hostile, []byte(line), 0o644); err != nil {
		t.Fatal(err)
	}
	colour, _ := sh(t, "script -qec 'logmon parse < "+hostile+" 2>/dev/null' /dev/null")
	if strings.Contains(colour, `"type":"request"`) || !strings.Contains(colour, "1.2.3.4") {
		t.Fatalf("not text on a terminal: %q", colour)
	}
	if !strings.Contains(colour, "\x1b[") {
		t.Errorf("no colour on a terminal: %q", colour)
	}
	plain, _ := sh(t, "NO_COLOR=1 script -qec 'logmon parse < "+hostile+" 2>/dev/null' /dev/null")
	for _, bad := range []string{"\x1b", "\x07", "\u009b", "\u202e"} {
		if strings.Contains(plain, bad) {
			t.Errorf("NO_COLOR text output holds %q: %q", bad, plain)
		}
	}
	if !strings.Contains(plain, `\x1b]0;pwned`) {
		t.Errorf("the escape sequence is not shown escaped: %q", plain)
	}
	piped, _ := sh(t, "logmon parse < "+hostile+" 2>/dev/null")
	if !strings.HasPrefix(piped, `{"type":"request"`) {
		t.Errorf("not JSON into a pipe: %q", piped)
	}
	forced, _ := sh(t, "script -qec 'logmon parse --format json < "+hostile+" 2>/dev/null' /dev/null")
	if !strings.HasPrefix(forced, `{"type":"request"`) {
		t.Errorf("--format json on a terminal: %q", forced)
	}
}

// TestEndToEndDefaultRule: the default rule (10 req/s over 2 min, 5 s of
// lateness) over generated traffic written up to 3 s out of order: the
// alerts are exactly what the rule's definition gives.
func TestEndToEndDefaultRule(t *testing.T) {
	const gen = "logmon gen --seed 11 --start 2015-05-17T10:00:00Z --phases steady:2m:4,burst:3m:20,silence:3m,steady:30s:4 --disorder 3s"
	out, _ := sh(t, gen+" | logmon parse | logmon alert")
	alerts := ofType(records(t, out), "alert")
	parsed, _ := sh(t, gen+" | logmon parse 2>/dev/null")
	var secs []int64
	for _, r := range ofType(records(t, parsed), "request") {
		tm, _ := time.Parse(time.RFC3339, r.Time)
		secs = append(secs, tm.Unix())
	}
	want := highTraffic(secs, 120, 10)
	var got []string
	for _, a := range alerts {
		got = append(got, fmt.Sprintf("%s %s %d", a.State, a.Time, a.Hits))
	}
	if len(want) != 2 || !slices.Equal(got, want) {
		t.Fatalf("alerts (-want +got):\n-%q\n+%q", want, got)
	}
	if !strings.HasPrefix(alerts[0].Message, "High traffic generated an alert - hits = ") {
		t.Errorf("message %q", alerts[0].Message)
	}
}

// TestEndToEndHead: `logmon parse | head -1` ends as soon as head has its
// line, quietly, even on input without end: parse dies of the closed pipe
// (exit 141, as a shell reports SIGPIPE) instead of reading on. Without
// that, this test never ends.
func TestEndToEndHead(t *testing.T) {
	stdout, stderr := sh(t, `logmon gen --start 2015-05-17T10:00:00Z --phases steady:100000h:1000 | logmon parse --log-format combined | head -1
		s=("${PIPESTATUS[@]}"); echo "${s[1]} ${s[2]}"`)
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], `{"type":"request"`) || lines[1] != "141 0" {
		t.Errorf("got %q; want one request record, then exit 141 from parse and 0 from head", stdout)
	}
	if stderr != "" {
		t.Errorf("stderr %q, want nothing", stderr)
	}
}

// TestHostileHugeLine streams a 100 MiB line without a newline, between
// good lines, into the built binary: the line is rejected as too long,
// the lines after it still parse, and the process's memory stays far
// below the line's size.
//
// The peak memory is the rusage of the logmon process, taken by a helper
// process (this test binary run again) that starts logmon and streams the
// input into it. The helper is needed because Go starts a process with
// vfork, and Linux then counts the parent's peak memory (here, that of
// the tests, which hold lines of 16 MiB) in the child's.
func TestHostileHugeLine(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("peak memory is read from Linux's rusage")
	}
	if bin := os.Getenv(hugeLineBin); bin != "" {
		hugeLineHelper(t, bin, os.Getenv(hugeLineCmd), os.Getenv(hugeLineOut))
		return
	}
	// The reader keeps the first input.MaxLine (16 MiB) bytes of a line.
	// Growing its buffer to that by append allocates about 5 times as
	// much in all (large slices grow by 1.25x), and on a busy machine the
	// GC frees little of it before the peak: peaks of 40 to 70 MiB have
	// been measured. A reader that held the whole line would need more
	// than the line's 100 MiB.
	const bound = 5 * input.MaxLine
	// parse, and stats reading the raw log: it may take record lines of
	// up to 112 MiB, but knows from the first byte that these are log
	// lines and keeps only 16 MiB of one.
	for _, cmd := range []string{"parse", "stats"} {
		t.Run(cmd, func(t *testing.T) { runHugeLine(t, cmd, bound) })
	}
}

func runHugeLine(t *testing.T, cmd string, bound int64) {
	result := filepath.Join(t.TempDir(), "result.json")
	helper := exec.Command(os.Args[0], "-test.run=^TestHostileHugeLine$")
	helper.Env = append(os.Environ(), hugeLineBin+"="+filepath.Join(logmonBin(t), "logmon"), hugeLineOut+"="+result, hugeLineCmd+"="+cmd)
	if out, err := helper.CombinedOutput(); err != nil {
		t.Fatalf("helper: %v\n%s", err, out)
	}
	b, err := os.ReadFile(result)
	if err != nil {
		t.Fatal(err)
	}
	var r hugeLineResult
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	wantOnce(t, r.Stderr, "logmon "+cmd+": 5 lines: 4 requests, 1 rejected\n")
	wantOnce(t, r.Stderr, fmt.Sprintf("<stdin>:2: line longer than %d bytes", input.MaxLine))
	if cmd == "parse" {
		recs := checkJSONLines(t, r.Stdout, nil)
		if len(recs) != 4 {
			t.Errorf("%d records, want 4", len(recs))
		}
		for _, rec := range recs {
			if !rec.marked() {
				t.Errorf("record from the huge line: %s", cut(rec.line))
			}
		}
	} else if !strings.Contains(r.Stdout, `"requests":4`) {
		t.Errorf("summary %s, want the 4 good requests", r.Stdout)
	}
	if r.MaxRSS == 0 {
		t.Skip("no peak memory figure for the process")
	}
	t.Logf("peak RSS %.1f MiB for a %d MiB line", float64(r.MaxRSS)/(1<<20), hugeLine>>20)
	if r.MaxRSS >= int64(bound) {
		t.Errorf("peak RSS %.1f MiB, want below %d MiB", float64(r.MaxRSS)/(1<<20), bound>>20)
	}
}

const (
	hugeLine    = 100 << 20
	hugeLineBin = "LOGMON_TEST_HUGE_LINE_BIN" // set: be the helper, running this logmon
	hugeLineOut = "LOGMON_TEST_HUGE_LINE_OUT" // where the helper writes its hugeLineResult
	hugeLineCmd = "LOGMON_TEST_HUGE_LINE_CMD" // the command it runs
)

type hugeLineResult struct {
	Stdout, Stderr string
	MaxRSS         int64 // bytes; 0 when unknown
}

// hugeLineHelper runs logmon cmd on the huge line, streamed from a
// generator, and writes what came out and the peak memory to out.
func hugeLineHelper(t *testing.T, bin, command, out string) {
	head := goodLine("/ok-before") + "\n" + `192.0.2.1 - - [17/May/2015:10:05:03 +0000] "GET /bad-huge/`
	tail := ` HTTP/1.1" 200 5 "-" "-"` + "\n" + goodLine("/ok-after-1") + "\n" + goodLine("/ok-after-2") + "\n" + goodLine("/ok-after-3")
	cmd := exec.Command(bin, command)
	// Not an *os.File: exec copies it into a pipe, 32 KiB at a time.
	cmd.Stdin = io.MultiReader(strings.NewReader(head), &repeatReader{c: 'x', n: hugeLine}, strings.NewReader(tail))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("logmon %s: %v\n%s", command, err, stderr.String())
	}
	r := hugeLineResult{Stdout: stdout.String(), Stderr: stderr.String()}
	r.MaxRSS, _ = maxRSS(cmd.ProcessState)
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// repeatReader reads n bytes c.
type repeatReader struct {
	c byte
	n int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	p = p[:min(len(p), r.n)]
	for i := range p {
		p[i] = r.c
	}
	r.n -= len(p)
	return len(p), nil
}

// maxRSS returns the peak resident set size of a finished process in
// bytes, on Linux, where rusage's Maxrss is in KiB. It reads the field by
// reflection so that this file compiles where syscall.Rusage has none
// (Windows).
func maxRSS(ps *os.ProcessState) (int64, bool) {
	if runtime.GOOS != "linux" {
		return 0, false
	}
	v := reflect.ValueOf(ps.SysUsage())
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return 0, false
	}
	f := v.Elem().FieldByName("Maxrss")
	if !f.IsValid() || !f.CanInt() {
		return 0, false
	}
	return f.Int() << 10, true
}
