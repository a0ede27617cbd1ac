package metrics

import (
	"bufio"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/logmon/logmon/internal/driver"
	"github.com/logmon/logmon/internal/record"
)

// scrape returns the lines of m's exposition that are samples of logmon's
// own metrics.
func scrape(t *testing.T, m *Metrics) map[string]bool {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	got := map[string]bool{}
	sc := bufio.NewScanner(rec.Body)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "logmon_") {
			got[sc.Text()] = true
		}
	}
	return got
}

func TestMetrics(t *testing.T) {
	m := New("alert")
	m.Rule("high_traffic", false)
	for _, r := range []struct {
		method   string
		status   int
		bytes    int64
		duration float64
		timed    bool
		sec      int64
		late     bool
	}{
		{"GET", 200, 100, 0.02, true, 1000, false},
		{"GET", 204, 0, 0, true, 1002, false},
		{"GET", 503, 10, 3, true, 999, true},
		{"PROPFIND", 207, 5, 0, false, 1001, false},
		{"\x1b[31m", 0, 7, 0, false, 1001, false},
		{"PATCH", 999, 1, 0, false, 1001, false},
	} {
		m.Took(&record.Request{Method: []byte(r.method), Status: r.status, Bytes: r.bytes, Duration: r.duration, Timed: r.timed, Sec: r.sec}, r.late)
	}
	m.Rejected(driver.BadLine)
	m.Rejected(driver.BadLine)
	m.Rejected(driver.Outlier)
	m.Rule("high_traffic", true)
	m.Rule("error_rate", false)
	got := scrape(t, m)
	for _, want := range []string{
		`logmon_requests_total{command="alert",method="GET",status="2xx"} 2`,
		`logmon_requests_total{command="alert",method="GET",status="5xx"} 1`,
		`logmon_requests_total{command="alert",method="other",status="2xx"} 1`,
		`logmon_requests_total{command="alert",method="other",status="none"} 1`,
		`logmon_requests_total{command="alert",method="PATCH",status="other"} 1`,
		`logmon_requests_total{command="alert",method="POST",status="2xx"} 0`,
		`logmon_response_bytes_total{command="alert",method="GET",status="2xx"} 100`,
		`logmon_response_bytes_total{command="alert",method="other",status="none"} 7`,
		`logmon_rejected_lines_total{command="alert",reason="bad_line"} 2`,
		`logmon_rejected_lines_total{command="alert",reason="invalid_record"} 0`,
		`logmon_rejected_lines_total{command="alert",reason="outlier"} 1`,
		`logmon_late_requests_total{command="alert"} 1`,
		`logmon_request_duration_seconds_bucket{command="alert",le="0.001"} 1`,
		`logmon_request_duration_seconds_bucket{command="alert",le="0.025"} 2`,
		`logmon_request_duration_seconds_bucket{command="alert",le="2.5"} 2`,
		`logmon_request_duration_seconds_bucket{command="alert",le="5"} 3`,
		`logmon_request_duration_seconds_bucket{command="alert",le="+Inf"} 3`,
		`logmon_request_duration_seconds_sum{command="alert"} 3.02`,
		`logmon_request_duration_seconds_count{command="alert"} 3`,
		`logmon_newest_event_timestamp_seconds{command="alert"} 1002`,
		`logmon_alert_firing{command="alert",rule="high_traffic"} 1`,
		`logmon_alert_firing{command="alert",rule="error_rate"} 0`,
	} {
		if !got[want] {
			t.Errorf("no %s", want)
		}
	}
	// Bounded: 6 classes x 10 methods for requests and bytes, whatever came.
	n := 0
	for line := range got {
		if strings.HasPrefix(line, "logmon_requests_total{") {
			n++
		}
	}
	if n != len(Classes)*len(Methods) {
		t.Errorf("%d request series, want %d", n, len(Classes)*len(Methods))
	}
}

func TestClass(t *testing.T) {
	for status, want := range map[int]string{0: "none", 99: "other", 100: "1xx", 200: "2xx", 399: "3xx", 404: "4xx", 599: "5xx", 600: "other", 999: "other"} {
		if got := Classes[class(status)]; got != want {
			t.Errorf("class(%d) = %s, want %s", status, got, want)
		}
	}
	for _, m := range Methods[:len(Methods)-1] {
		if got := Methods[method([]byte(m))]; got != m {
			t.Errorf("method(%s) = %s", m, got)
		}
	}
	for _, m := range []string{"get", "", "GETX", "MKCOL"} {
		if got := Methods[method([]byte(m))]; got != "other" {
			t.Errorf("method(%q) = %s, want other", m, got)
		}
	}
}

// TestServe: the server serves /metrics on the address it says, and
// nothing once closed.
func TestServe(t *testing.T) {
	m := New("stats")
	srv, err := Serve("127.0.0.1:0", m, func(err error) { t.Errorf("serving failed: %v", err) })
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `logmon_requests_total{command="stats",method="GET",status="2xx"} 0`) {
		t.Errorf("served %.500s", body)
	}
	srv.Close()
	if _, err := http.Get(srv.URL()); err == nil {
		t.Error("still served after Close")
	}
	if _, err := Serve("127.0.0.1:99999", m, nil); err == nil {
		t.Error("port 99999 taken")
	}
}

// BenchmarkTook is what --metrics adds to each request counted: "off" is
// the driver's nil check alone.
func BenchmarkTook(b *testing.B) {
	reqs := []record.Request{
		{Method: []byte("GET"), Status: 200, Bytes: 5120, Sec: 1000},
		{Method: []byte("POST"), Status: 201, Bytes: 312, Duration: 0.042, Timed: true, Sec: 1001},
		{Method: []byte("GET"), Status: 404, Bytes: 0, Duration: 0.003, Timed: true, Sec: 1001},
		{Method: []byte("PROPFIND"), Status: 503, Bytes: 90, Sec: 1002},
	}
	for _, tc := range []struct {
		name string
		obs  driver.Observer
	}{{"off", nil}, {"on", New("stats")}} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if o := tc.obs; o != nil {
					o.Took(&reqs[i&3], false)
				}
				i++
			}
		})
	}
}
