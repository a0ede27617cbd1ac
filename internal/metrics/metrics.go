// Package metrics serves what stats and alert count as Prometheus
// metrics (--metrics ADDR): requests, bytes, rejected and late lines, the
// request duration, the newest event time and each rule's state. It is a
// driver.Observer, told of each request as the fold counts it, and an
// alert.Engine watcher.
//
// It uses github.com/prometheus/client_golang, the reference
// implementation of the exposition format, rather than writing the
// format by hand. Every label set is bounded and resolved once, in New:
// counting a request costs an index into an array and a few atomic adds,
// never a label lookup (see BenchmarkTook).
package metrics

import (
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/logmon/logmon/internal/driver"
	"github.com/logmon/logmon/internal/record"
)

// Classes are the values of the status label: the summary's status
// classes, as the summary counts them ("none": no status logged, "-";
// "other": 600 to 999, or below 100).
var Classes = [...]string{"1xx", "2xx", "3xx", "4xx", "5xx", "other", "none"}

// Methods are the values of the method label: the methods of RFC 9110
// and PATCH; any other method (WebDAV's, a scanner's junk) is "other",
// so that a hostile log cannot make series without end.
var Methods = [...]string{"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH", "other"}

// Reasons are the values of the reason label of rejected lines, by
// driver.Rejection.
var Reasons = [...]string{
	driver.BadLine:       "bad_line",
	driver.InvalidRecord: "invalid_record",
	driver.Outlier:       "outlier",
}

// DurationBuckets are the upper bounds, in seconds, of the request
// duration histogram: from 1 ms, Prometheus' default buckets, up to a
// minute (a slow upload or a long poll).
var DurationBuckets = []float64{0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}

// Metrics is one command's metrics.
type Metrics struct {
	reg *prometheus.Registry

	requests [len(Classes)][len(Methods)]prometheus.Counter
	bytes    [len(Classes)][len(Methods)]prometheus.Counter
	rejected [len(Reasons)]prometheus.Counter
	late     prometheus.Counter
	duration prometheus.Histogram
	newest   prometheus.Gauge
	newestAt int64 // the second newest was last set to
	seen     bool  // newest is set
	rules    *prometheus.GaugeVec
	rule     map[string]prometheus.Gauge
}

// New returns the metrics of command cmd (stats or alert), every series
// at 0.
func New(cmd string) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry(), rule: map[string]prometheus.Gauge{}}
	m.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	cl := prometheus.Labels{"command": cmd}
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "logmon_requests_total", ConstLabels: cl,
		Help: "Requests counted, by status class and method.",
	}, []string{"status", "method"})
	bytes := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "logmon_response_bytes_total", ConstLabels: cl,
		Help: "Response bytes of the requests counted, as logged, by status class and method.",
	}, []string{"status", "method"})
	rejected := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "logmon_rejected_lines_total", ConstLabels: cl,
		Help: "Lines not counted: bad_line (a log line that does not parse), invalid_record, outlier (far from the stream's time).",
	}, []string{"reason"})
	m.late = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "logmon_late_requests_total", ConstLabels: cl,
		Help: "Requests that arrived after their second was judged (counted in the earliest open second).",
	})
	m.duration = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "logmon_request_duration_seconds", ConstLabels: cl,
		Help:    "Time taken to serve the requests whose log line gives one.",
		Buckets: DurationBuckets,
	})
	m.newest = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "logmon_newest_event_timestamp_seconds", ConstLabels: cl,
		Help: "Event time of the newest request counted, Unix seconds.",
	})
	m.rules = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "logmon_alert_firing", ConstLabels: cl,
		Help: "Each alert rule's state: 1 firing, 0 not.",
	}, []string{"rule"})
	m.reg.MustRegister(requests, bytes, rejected, m.late, m.duration, m.newest, m.rules)
	for c, class := range Classes {
		for i, method := range Methods {
			m.requests[c][i] = requests.WithLabelValues(class, method)
			m.bytes[c][i] = bytes.WithLabelValues(class, method)
		}
	}
	for i, reason := range Reasons {
		m.rejected[i] = rejected.WithLabelValues(reason)
	}
	return m
}

// Took implements driver.Observer.
func (m *Metrics) Took(r *record.Request, late bool) {
	c, i := class(r.Status), method(r.Method)
	m.requests[c][i].Inc()
	if r.Bytes > 0 {
		m.bytes[c][i].Add(float64(r.Bytes))
	}
	if late {
		m.late.Inc()
	}
	if r.Timed {
		m.duration.Observe(r.Duration)
	}
	if r.Sec > m.newestAt || !m.seen {
		m.newestAt, m.seen = r.Sec, true
		m.newest.Set(float64(r.Sec))
	}
}

// Rejected implements driver.Observer.
func (m *Metrics) Rejected(why driver.Rejection) {
	if int(why) >= 0 && int(why) < len(m.rejected) {
		m.rejected[why].Inc()
	}
}

// Rule sets the state of the alert rule named rule (alert.Engine.Watch).
// There are as many series as rules: the rules file or the flags say.
func (m *Metrics) Rule(rule string, firing bool) {
	g := m.rule[rule]
	if g == nil {
		g = m.rules.WithLabelValues(rule)
		m.rule[rule] = g
	}
	v := 0.0
	if firing {
		v = 1
	}
	g.Set(v)
}

// class is the index in Classes of status.
func class(status int) int {
	switch {
	case status == 0:
		return 6
	case status >= 100 && status <= 599:
		return status/100 - 1
	}
	return 5
}

// method is the index in Methods of m; a switch on string(m) compares
// without allocating.
func method(m []byte) int {
	switch string(m) {
	case "GET":
		return 0
	case "HEAD":
		return 1
	case "POST":
		return 2
	case "PUT":
		return 3
	case "DELETE":
		return 4
	case "CONNECT":
		return 5
	case "OPTIONS":
		return 6
	case "TRACE":
		return 7
	case "PATCH":
		return 8
	}
	return len(Methods) - 1
}

// Handler serves the metrics in the exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// Server serves /metrics until Close.
type Server struct {
	srv  *http.Server
	addr net.Addr
	done chan struct{}
}

// Serve listens on addr (host:port; port 0 picks one) and serves m's
// /metrics there, in the background. failed is called, from another
// goroutine, if serving fails before Close (the stream goes on).
func Serve(addr string, m *Metrics, failed func(error)) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", m.Handler())
	s := &Server{
		srv:  &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second},
		addr: ln.Addr(),
		done: make(chan struct{}),
	}
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			failed(err)
		}
	}()
	return s, nil
}

// URL is where the metrics are served.
func (s *Server) URL() string { return "http://" + s.addr.String() + "/metrics" }

// Close stops serving, at once, and waits for the server to end.
func (s *Server) Close() error {
	err := s.srv.Close()
	<-s.done
	return err
}
