package command

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/logmon/logmon/internal/record"
)

// deadline bounds every wait of these tests: generous, since a loaded
// machine is slow, and never part of what passes. A wait that runs out
// fails the test with what it last saw.
const deadline = 2 * time.Minute

// metricsStage is a live stats or alert with --metrics on a port of its
// choosing: its input stays open until the test closes it.
type metricsStage struct {
	*liveEnv
	url   string      // where it serves, as it said on stderr
	lines chan string // its standard output, line by line
}

var servingRE = regexp.MustCompile(`serving metrics on (http://\S+/metrics)`)

func startMetrics(t *testing.T, args ...string) *metricsStage {
	t.Helper()
	l := startLive(t, time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC), append(args, "--metrics", "127.0.0.1:0")...)
	s := &metricsStage{liveEnv: l, lines: make(chan string, 1000)}
	go func() {
		defer close(s.lines)
		for {
			line, err := l.out.ReadString('\n')
			if err != nil {
				return
			}
			s.lines <- line
		}
	}()
	t.Cleanup(func() { l.in.Close() })
	pollUntilOK(t, "the stage saying where it serves", func() (bool, string) {
		l.errMu.Lock()
		defer l.errMu.Unlock()
		m := servingRE.FindStringSubmatch(l.stderr.String())
		if m != nil {
			s.url = m[1]
		}
		return m != nil, l.stderr.String()
	})
	return s
}

// feed writes lines and waits until the stage has counted them: a marker
// record written after them comes out (after the alerts they fired).
func (s *metricsStage) feed(t *testing.T, lines []string) {
	t.Helper()
	if _, err := io.WriteString(s.in, strings.Join(lines, "\n")+"\n"+`{"type":"marker"}`+"\n"); err != nil {
		t.Fatal(err)
	}
	timeout := time.After(deadline)
	for {
		select {
		case line, ok := <-s.lines:
			if !ok {
				t.Fatalf("the stage ended before the marker: %s", s.stderrText())
			}
			if strings.Contains(line, `"type":"marker"`) {
				return
			}
		case <-timeout:
			t.Fatalf("no marker after %v: %s", deadline, s.stderrText())
		}
	}
}

func (s *metricsStage) stderrText() string {
	s.errMu.Lock()
	defer s.errMu.Unlock()
	return s.stderr.String()
}

// end closes the input, checks the stage exits 0, and that it serves
// nothing any more.
func (s *metricsStage) end(t *testing.T) {
	t.Helper()
	s.in.Close()
	for range s.lines {
	}
	if code := <-s.done; code != exitOK {
		t.Fatalf("exit %d: %s", code, s.stderrText())
	}
	if resp, err := http.Get(s.url); err == nil {
		resp.Body.Close()
		t.Errorf("%s still served after the command ended", s.url)
	}
}

// pollUntilOK calls check until it says ok, failing the test with what
// it last said once deadline has passed.
func pollUntilOK(t *testing.T, what string, check func() (ok bool, last string)) {
	t.Helper()
	end := time.Now().Add(deadline)
	for {
		ok, last := check()
		if ok {
			return
		}
		if time.Now().After(end) {
			t.Fatalf("no %s after %v; last: %s", what, deadline, last)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// traffic is request records of known content, and what the metrics must
// say of them.
type traffic struct {
	lines []string
	want  map[string]float64 // PromQL query -> its value
}

func metricsTraffic() traffic {
	const t0 int64 = 1431856800 // 2015-05-17T10:00:00Z: a replay
	req := func(sec int64, method string, status int, bytes int64, dur string) string {
		s := fmt.Sprintf(`{"type":"request","time":"%s","remote":"10.0.0.1","method":"%s","path":"/a","bytes":%d`, record.AppendTime(nil, sec, 0), method, bytes)
		if status != 0 {
			s += fmt.Sprintf(`,"status":%d`, status)
		}
		if dur != "" {
			s += `,"duration":` + dur
		}
		return s + "}"
	}
	var tr traffic
	add := func(n int, line string) {
		for range n {
			tr.lines = append(tr.lines, line)
		}
	}
	add(1, req(t0, "GET", 200, 100, "0.25"))
	add(1, `{"type":"request","time":"yesterday"}`) // invalid
	add(29, req(t0, "GET", 200, 100, "0.25"))
	add(10, req(t0+1, "POST", 503, 7, "1.5"))
	add(5, req(t0+2, "PROPFIND", 207, 0, ""))
	add(1, req(t0+3, "BREW", 0, 3, ""))
	for s := t0 + 4; s <= t0+6; s++ {
		add(1, req(s, "GET", 304, 0, ""))
	}
	add(1, req(t0, "GET", 200, 1, ""))                 // late: second t0 is judged (lateness 2 s)
	add(1, req(t0+3*86400, "GET", 200, 5, ""))         // far: an outlier
	add(10, req(t0+6, "HEAD", 200, 0, "0.0009765625")) // 2^-10: sums exactly
	// 30 hits in the 10 s window from t0 on, 3/s, above 2/s: high_traffic
	// fires and is firing still; 10 5xx of 40 is no error rate above 0.5.
	tr.want = map[string]float64{
		`sum(logmon_requests_total)`:                           30 + 10 + 5 + 1 + 3 + 1 + 10,
		`sum(logmon_requests_total{method="GET"})`:             30 + 3 + 1,
		`sum(logmon_requests_total{method="other"})`:           5 + 1,
		`sum(logmon_requests_total{status="5xx"})`:             10,
		`sum(logmon_requests_total{status="none"})`:            1,
		`sum(logmon_response_bytes_total)`:                     30*100 + 10*7 + 3 + 1,
		`logmon_request_duration_seconds_count`:                30 + 10 + 10,
		`logmon_request_duration_seconds_sum`:                  30*0.25 + 10*1.5 + 10*0.0009765625,
		`logmon_request_duration_seconds_bucket{le="0.001"}`:   10,
		`logmon_request_duration_seconds_bucket{le="0.25"}`:    40,
		`logmon_request_duration_seconds_bucket{le="1"}`:       40,
		`logmon_request_duration_seconds_bucket{le="2.5"}`:     50,
		`logmon_rejected_lines_total{reason="invalid_record"}`: 1,
		`logmon_rejected_lines_total{reason="outlier"}`:        1,
		`logmon_rejected_lines_total{reason="bad_line"}`:       0,
		`logmon_late_requests_total`:                           1,
		`logmon_newest_event_timestamp_seconds`:                float64(t0 + 6),
		`logmon_alert_firing{rule="high_traffic"}`:             1,
		`logmon_alert_firing{rule="error_rate"}`:               0,
		`count(logmon_requests_total)`:                         70, // 7 classes x 10 methods, bounded
		`count(logmon_alert_firing)`:                           2,
	}
	return tr
}

// TestMetricsPrometheus: a real Prometheus server scrapes alert --metrics
// while the stream runs, and PromQL over what it stored gives the input's
// exact counts.
func TestMetricsPrometheus(t *testing.T) {
	prom, err := exec.LookPath("prometheus")
	if err != nil {
		t.Skip("prometheus is not installed (Debian: apt-get install prometheus; .ci/run installs it): the test against a real server is skipped")
	}
	tr := metricsTraffic()
	s := startMetrics(t, "alert", "--window", "10s", "--threshold", "2", "--lateness", "2s", "--error-rate", "0.5", "--error-min", "5")
	target := strings.TrimSuffix(strings.TrimPrefix(s.url, "http://"), "/metrics")
	api := startPrometheus(t, prom, target)
	s.feed(t, tr.lines)
	// Every query is asked again until all agree: the scrapes after the
	// lines were counted, a second apart, bring the final counts.
	pollUntilOK(t, "PromQL results equal to the input's counts", func() (bool, string) {
		var wrong []string
		for q, want := range tr.want {
			got, err := promQuery(api, q)
			if err != nil || got != want {
				wrong = append(wrong, fmt.Sprintf("%s = %v (%v), want %v", q, got, err, want))
			}
		}
		slices.Sort(wrong)
		return len(wrong) == 0, strings.Join(wrong, "; ")
	})
	s.end(t)
}

// startPrometheus runs Prometheus on a loopback port with a temporary
// directory, scraping target every second, until the test ends; it
// returns the base URL of its HTTP API.
func startPrometheus(t *testing.T, prom, target string) string {
	t.Helper()
	dir := t.TempDir()
	cfg := fmt.Sprintf("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: logmon\n    static_configs:\n      - targets: ['%s']\n", target)
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := freePort(t)
	var log bytes.Buffer
	cmd := exec.Command(prom, "--config.file="+filepath.Join(dir, "prometheus.yml"), "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr, "--log.level=warn")
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("prometheus said:\n%s", log.String())
		}
	})
	api := "http://" + addr
	pollUntilOK(t, "prometheus ready", func() (bool, string) {
		select {
		case <-exited:
			t.Fatalf("prometheus exited: %s", log.String())
		default:
		}
		resp, err := http.Get(api + "/-/ready")
		if err != nil {
			return false, err.Error()
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK, resp.Status
	})
	return api
}

// freePort is a loopback address with a port free a moment ago.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// promQuery runs an instant PromQL query whose result is one number.
func promQuery(api, q string) (float64, error) {
	resp, err := http.Get(api + "/api/v1/query?query=" + url.QueryEscape(q))
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var r struct {
		Status string
		Error  string
		Data   struct {
			Result []struct {
				Value [2]any
			}
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return 0, err
	}
	if r.Status != "success" {
		return 0, fmt.Errorf("%s: %s", r.Status, r.Error)
	}
	if len(r.Data.Result) != 1 {
		return 0, fmt.Errorf("%d series", len(r.Data.Result))
	}
	v, _ := r.Data.Result[0].Value[1].(string)
	return strconv.ParseFloat(v, 64)
}

// TestMetricsExposition: stats --metrics on raw log lines serves every
// metric, with the counts of the lines read, in an exposition that
// promtool check metrics passes.
func TestMetricsExposition(t *testing.T) {
	s := startMetrics(t, "stats")
	line := func(method string, status int) string {
		return fmt.Sprintf(`10.0.0.1 - - [17/May/2015:10:05:03 +0000] "%s /a HTTP/1.1" %d 5 "-" "-"`, method, status)
	}
	// Log lines, so no marker record: the counts are polled for. The
	// wall clock runs, so that the first lines, quiet, are counted.
	stop := s.runClock()
	if _, err := io.WriteString(s.in, strings.Join([]string{line("GET", 200), line("GET", 200), "garbage", line("DELETE", 404), line("MKCOL", 201)}, "\n")+"\n"); err != nil {
		t.Fatal(err)
	}
	var body []byte
	wants := []string{
		`logmon_requests_total{command="stats",method="GET",status="2xx"} 2`,
		`logmon_requests_total{command="stats",method="DELETE",status="4xx"} 1`,
		`logmon_requests_total{command="stats",method="other",status="2xx"} 1`,
		`logmon_response_bytes_total{command="stats",method="GET",status="2xx"} 10`,
		`logmon_rejected_lines_total{command="stats",reason="bad_line"} 1`,
		`logmon_newest_event_timestamp_seconds{command="stats"} 1.431857103e+09`,
		`logmon_request_duration_seconds_count{command="stats"} 0`,
		`logmon_late_requests_total{command="stats"} 0`,
	}
	pollUntilOK(t, "the counts of the lines served", func() (bool, string) {
		resp, err := http.Get(s.url)
		if err != nil {
			return false, err.Error()
		}
		defer resp.Body.Close()
		if body, err = io.ReadAll(resp.Body); err != nil {
			return false, err.Error()
		}
		got := map[string]bool{}
		sc := bufio.NewScanner(bytes.NewReader(body))
		for sc.Scan() {
			got[sc.Text()] = true
		}
		for _, want := range wants {
			if !got[want] {
				return false, fmt.Sprintf("no %s in:\n%s", want, body)
			}
		}
		return true, ""
	})
	stop()
	if bytes.Contains(body, []byte("logmon_alert_firing")) {
		t.Error("stats serves rule states: it has no rules")
	}
	s.end(t)
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("promtool is not installed (Debian: apt-get install prometheus; .ci/run installs it): the exposition was not linted")
	}
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = bytes.NewReader(body)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
}

// TestMetricsFlag: an address that cannot be served is a usage error
// that says why, before any input is read.
func TestMetricsFlag(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	for _, tc := range []struct{ addr, want string }{
		{"127.0.0.1:99999", "invalid port"},
		{"nonsense", "missing port"},
		{ln.Addr().String(), "address already in use"},
	} {
		r := logmon(t, nil, "alert", "--metrics", tc.addr)
		if r.code != exitUsage || !strings.Contains(r.stderr, "logmon: --metrics: ") || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("--metrics %s: exit %d, stderr %q; want exit %d and %q", tc.addr, r.code, r.stderr, exitUsage, tc.want)
		}
	}
}
