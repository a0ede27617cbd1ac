package command

import (
	"bytes"
	"context"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/logmon/logmon/internal/gen"
)

// benchLog is 100,000 generated Combined lines and benchRecords their
// request records, made once for the whole-command benchmarks.
var (
	benchOnce           sync.Once
	benchLog, benchRecs []byte
	benchLines          = 100000
)

func benchInput(b *testing.B) (log, recs []byte) {
	b.Helper()
	benchOnce.Do(func() {
		var buf bytes.Buffer
		secs := 360
		cfg := gen.Config{Seed: 1, Start: time.Date(2015, 5, 17, 0, 0, 0, 0, time.UTC),
			Phases: []gen.Phase{{Kind: "steady", Duration: time.Duration(secs) * time.Second, Rate: float64(benchLines) / float64(secs)}}}
		if _, err := gen.Write(context.Background(), cfg, &buf); err != nil {
			panic(err)
		}
		benchLog = buf.Bytes()
		var out bytes.Buffer
		if code := logmonWith(b, bytes.NewReader(benchLog), &out, io.Discard, "parse"); code != exitOK {
			panic("parse failed")
		}
		benchRecs = out.Bytes()
	})
	return benchLog, benchRecs
}

// BenchmarkCommand runs whole logmon commands in-process over the same
// input as the command line would (stdin to stdout), and checks what
// they write.
func BenchmarkCommand(b *testing.B) {
	log, recs := benchInput(b)
	lines := bytes.Count(log, []byte("\n"))
	cases := []struct {
		name  string
		args  []string
		in    []byte
		check func(out tailWriter) bool
	}{
		{"parse", []string{"parse"}, log, func(out tailWriter) bool { return out.lines == lines }},
		{"stats", []string{"stats"}, recs, func(out tailWriter) bool { return strings.Contains(string(out.tail), `"type":"summary"`) }},
		{"alert", []string{"alert"}, recs, firedAlert},
		// stats and alert reading the raw log, parsed in-process.
		{"stats-raw", []string{"stats"}, log, func(out tailWriter) bool { return strings.Contains(string(out.tail), `"type":"summary"`) }},
		{"alert-raw", []string{"alert"}, log, firedAlert},
		// --metrics on: what counting each request for Prometheus costs.
		{"stats-metrics", []string{"stats", "--metrics", "127.0.0.1:0"}, recs, func(out tailWriter) bool { return strings.Contains(string(out.tail), `"type":"summary"`) }},
		{"alert-raw-metrics", []string{"alert", "--metrics", "127.0.0.1:0"}, log, firedAlert},
		{"render", []string{"render"}, recs, func(out tailWriter) bool { return out.lines == lines }},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(tc.in)))
			var out tailWriter
			for b.Loop() {
				out = tailWriter{}
				if code := logmonWith(b, bytes.NewReader(tc.in), &out, io.Discard, tc.args...); code != exitOK {
					b.Fatalf("exit %d", code)
				}
			}
			if !tc.check(out) {
				b.Fatalf("unexpected output: %d lines, ending %.300s", out.lines, out.tail)
			}
		})
	}
}

// firedAlert: the benchmark's traffic (about 280 requests/s) fires the
// default rule and never drops below it.
func firedAlert(out tailWriter) bool {
	return out.lines > 0 && strings.Contains(string(out.tail), `"state":"firing"`)
}

// tailWriter counts the lines written to it and keeps the last 4 KiB, so
// a benchmark can check its output without holding all of it.
type tailWriter struct {
	lines int
	tail  []byte
}

func (w *tailWriter) Write(p []byte) (int, error) {
	w.lines += bytes.Count(p, []byte("\n"))
	w.tail = append(w.tail, p[max(0, len(p)-4096):]...)
	if len(w.tail) > 8192 {
		w.tail = append(w.tail[:0], w.tail[len(w.tail)-4096:]...)
	}
	return len(p), nil
}
