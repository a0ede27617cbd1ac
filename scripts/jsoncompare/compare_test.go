//go:build linux

// Package jsoncompare times logmon's JSON log reader against the Go JSON
// libraries people reach for, on gen's traffic in the JSON formats
// scripts/bench.sh times, one line at a time as logmon reads them. It is
// a module of its own so that logmon does not depend on what it is
// compared with; scripts/jsoncompare.sh runs it (on Linux: the times are
// the thread's CPU time, as parse's BenchmarkGenTraffic takes them).
// Each library does less than logmon's reader: it is given the line and
// asked for the fields logmon fills (fastjson: parsed, then looked up;
// the decoders: into a struct of those fields), reads no time and checks
// no value beyond its JSON type; simdjson-go only tokenizes, a batch of
// lines at a time as logmon reads them (128 KiB), and finds no field.
package jsoncompare

import (
	"bytes"
	"context"
	stdjson "encoding/json"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/bytedance/sonic"
	gojson "github.com/goccy/go-json"
	"github.com/logmon/logmon/internal/gen"
	"github.com/logmon/logmon/internal/record"
	"github.com/logmon/logmon/parse"
	"github.com/minio/simdjson-go"
	"github.com/valyala/fastjson"
)

// traefik are the keys logmon reads of a Traefik JSON line.
type traefik struct {
	ClientHost            string `json:"ClientHost"`
	ClientAddr            string `json:"ClientAddr"`
	ClientUsername        string `json:"ClientUsername"`
	RequestMethod         string `json:"RequestMethod"`
	RequestPath           string `json:"RequestPath"`
	RequestProtocol       string `json:"RequestProtocol"`
	RequestHost           string `json:"RequestHost"`
	RequestAddr           string `json:"RequestAddr"`
	DownstreamStatus      int    `json:"DownstreamStatus"`
	DownstreamContentSize int64  `json:"DownstreamContentSize"`
	Duration              int64  `json:"Duration"`
	OriginStatus          int    `json:"OriginStatus"`
	OriginDuration        int64  `json:"OriginDuration"`
	StartUTC              string `json:"StartUTC"`
	StartLocal            string `json:"StartLocal"`
	Time                  string `json:"time"`
	Agent                 string `json:"request_User-Agent"`
	Referer               string `json:"request_Referer"`
	Forwarded             string `json:"request_X-Forwarded-For"`
}

// caddy are the keys logmon reads of a Caddy access log line.
type caddy struct {
	Ts      float64 `json:"ts"`
	Request struct {
		ClientIP   string `json:"client_ip"`
		RemoteIP   string `json:"remote_ip"`
		RemoteAddr string `json:"remote_addr"`
		Method     string `json:"method"`
		URI        string `json:"uri"`
		Proto      string `json:"proto"`
		Host       string `json:"host"`
		Headers    struct {
			Agent     []string `json:"User-Agent"`
			Referer   []string `json:"Referer"`
			Forwarded []string `json:"X-Forwarded-For"`
		} `json:"headers"`
	} `json:"request"`
	UserID   string  `json:"user_id"`
	Status   int     `json:"status"`
	Size     int64   `json:"size"`
	Duration float64 `json:"duration"`
}

// nginx are the keys logmon reads of an nginx escape=json line.
type nginx struct {
	Time          string `json:"time_local"`
	RemoteAddr    string `json:"remote_addr"`
	RemoteUser    string `json:"remote_user"`
	Request       string `json:"request"`
	Method        string `json:"request_method"`
	URI           string `json:"request_uri"`
	Protocol      string `json:"server_protocol"`
	Host          string `json:"host"`
	Status        string `json:"status"`
	Bytes         string `json:"body_bytes_sent"`
	RequestTime   string `json:"request_time"`
	UpStatus      string `json:"upstream_status"`
	UpTime        string `json:"upstream_response_time"`
	Agent         string `json:"http_user_agent"`
	Referer       string `json:"http_referer"`
	XForwardedFor string `json:"http_x_forwarded_for"`
}

var formats = []struct {
	name  string
	value func() any
	paths [][]string // fastjson's lookups
	// fields returns what the struct read of the path, status and agent.
	fields func(any) (path string, status int, agent string)
}{
	{"traefik-json", func() any { return new(traefik) }, keys("ClientHost", "ClientUsername", "RequestMethod",
		"RequestPath", "RequestProtocol", "RequestHost", "DownstreamStatus", "DownstreamContentSize", "Duration",
		"OriginStatus", "OriginDuration", "StartUTC", "request_User-Agent", "request_Referer"),
		func(v any) (string, int, string) {
			t := v.(*traefik)
			return t.RequestPath, t.DownstreamStatus, t.Agent
		}},
	{"caddy", func() any { return new(caddy) }, [][]string{{"ts"}, {"request", "client_ip"}, {"request", "method"},
		{"request", "uri"}, {"request", "proto"}, {"request", "host"}, {"request", "headers", "User-Agent"},
		{"request", "headers", "Referer"}, {"user_id"}, {"status"}, {"size"}, {"duration"}},
		func(v any) (string, int, string) {
			c := v.(*caddy)
			return c.Request.URI, c.Status, c.Request.Headers.Agent[0]
		}},
	{"nginx-json", func() any { return new(nginx) }, keys("time_local", "remote_addr", "remote_user", "request",
		"host", "status", "body_bytes_sent", "request_time", "upstream_response_time",
		"http_user_agent", "http_referer", "http_x_forwarded_for"),
		func(v any) (string, int, string) {
			n := v.(*nginx)
			status, _ := strconv.Atoi(n.Status)
			return strings.Fields(n.Request)[1], status, n.Agent
		}},
}

// TestSameFields: the libraries are asked for what logmon reads: the
// structs' keys and fastjson's paths are the log's (a misspelt one would
// be skipped, and its library timed doing less).
func TestSameFields(t *testing.T) {
	for _, tc := range formats {
		f, err := parse.Lookup(tc.name)
		if err != nil {
			t.Fatal(err)
		}
		p := f.NewStream().NewParser()
		var fj fastjson.Parser
		found := make([]bool, len(tc.paths)) // in some line: a referer is not in all
		for _, l := range lines(t, tc.name)[:100] {
			var r record.Request
			if err := p.Line(l, &r); err != nil {
				t.Fatal(err)
			}
			v := tc.value()
			if err := stdjson.Unmarshal(l, v); err != nil {
				t.Fatal(err)
			}
			path, status, agent := tc.fields(v)
			if path != string(r.Path) || status != r.Status || agent != string(r.Agent) {
				t.Fatalf("%s: struct read %q %d %q, logmon %q %d %q", tc.name, path, status, agent, r.Path, r.Status, r.Agent)
			}
			o, err := fj.ParseBytes(l)
			if err != nil {
				t.Fatal(err)
			}
			for i, k := range tc.paths {
				found[i] = found[i] || o.Exists(k...)
			}
		}
		for i, ok := range found {
			if !ok {
				t.Errorf("%s: fastjson finds no %v in any line", tc.name, tc.paths[i])
			}
		}
	}
}

func keys(k ...string) [][]string {
	var p [][]string
	for _, s := range k {
		p = append(p, []string{s})
	}
	return p
}

// lines writes 4,000 requests of gen's traffic (scripts/bench.sh's, seed
// 1) in format, as logmon's own BenchmarkGenTraffic does.
func lines(b testing.TB, format string) [][]byte {
	f, err := gen.Lookup(format)
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	cfg := gen.Config{Seed: 1, Start: time.Date(2015, 5, 17, 0, 0, 0, 0, time.UTC),
		Phases: []gen.Phase{{Kind: "steady", Duration: 80 * time.Second, Rate: 50}}, Format: f}
	if _, err := gen.Write(context.Background(), cfg, &buf); err != nil {
		b.Fatal(err)
	}
	return bytes.Split(bytes.TrimSuffix(buf.Bytes(), []byte("\n")), []byte("\n"))
}

// threadCPU returns the CPU time of the calling thread in nanoseconds.
func threadCPU() int64 {
	var ts syscall.Timespec
	const clockThreadCPUTime = 3
	syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTime, uintptr(unsafe.Pointer(&ts)), 0)
	return ts.Nano()
}

// timed runs each of the loop's passes over n lines and reports the
// thread's CPU time a line.
func timed(b *testing.B, n int, pass func()) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cpu := threadCPU()
	for b.Loop() {
		pass()
	}
	b.ReportMetric(float64(threadCPU()-cpu)/float64(b.N)/float64(n), "cpu-ns/line")
}

func each(ls [][]byte, f func([]byte) error) func() {
	return func() {
		for _, l := range ls {
			if err := f(l); err != nil {
				panic(err)
			}
		}
	}
}

// logmon times logmon's parse of lines in format.
func logmon(b *testing.B, format string, ls [][]byte) {
	f, err := parse.Lookup(format)
	if err != nil {
		b.Fatal(err)
	}
	p := f.NewStream().NewParser()
	p.Keep = false // as BenchmarkGenTraffic: the scratch buffer reused line by line
	var r record.Request
	timed(b, len(ls), each(ls, func(l []byte) error { return p.Line(l, &r) }))
}

func BenchmarkJSON(b *testing.B) {
	// The same traffic in Combined, the reference of scripts/bench.sh.
	b.Run("combined/logmon", func(b *testing.B) { logmon(b, "combined", lines(b, "combined")) })
	for _, tc := range formats {
		ls := lines(b, tc.name)
		b.Run(tc.name+"/logmon", func(b *testing.B) { logmon(b, tc.name, ls) })
		b.Run(tc.name+"/fastjson", func(b *testing.B) {
			var p fastjson.Parser
			timed(b, len(ls), each(ls, func(l []byte) error {
				v, err := p.ParseBytes(l)
				for _, path := range tc.paths {
					if err == nil {
						v.Get(path...)
					}
				}
				return err
			}))
		})
		b.Run(tc.name+"/goccy-go-json", func(b *testing.B) {
			v := tc.value()
			timed(b, len(ls), each(ls, func(l []byte) error { return gojson.Unmarshal(l, v) }))
		})
		b.Run(tc.name+"/sonic", func(b *testing.B) {
			v := tc.value()
			timed(b, len(ls), each(ls, func(l []byte) error { return sonic.Unmarshal(l, v) }))
		})
		b.Run(tc.name+"/encoding-json", func(b *testing.B) {
			v := tc.value()
			timed(b, len(ls), each(ls, func(l []byte) error { return stdjson.Unmarshal(l, v) }))
		})
		b.Run(tc.name+"/simdjson-go-tokenize", func(b *testing.B) {
			if !simdjson.SupportedCPU() {
				b.Skip("simdjson-go needs AVX2 and CLMUL")
			}
			var batches [][]byte
			var cur []byte
			for _, l := range ls {
				if len(cur)+len(l)+1 > 128<<10 {
					batches, cur = append(batches, cur), nil
				}
				cur = append(append(cur, l...), '\n')
			}
			batches = append(batches, cur)
			var pj *simdjson.ParsedJson
			timed(b, len(ls), func() {
				for _, bt := range batches {
					var err error
					if pj, err = simdjson.ParseND(bt, pj); err != nil {
						panic(err)
					}
				}
			})
		})
	}
}
