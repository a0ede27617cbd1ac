package parse

import (
	"bytes"
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/logmon/logmon/internal/gen"
	"github.com/logmon/logmon/internal/record"
)

// genFormats are the formats scripts/bench.sh times, as gen names them
// and as parse is told them (gen writes HAProxy's log to syslog).
var genFormats = []struct{ gen, parse string }{
	{"combined", "combined"}, {"common", "common"}, {"lighttpd", "lighttpd"}, {"traefik", "traefik"},
	{"haproxy", "syslog-haproxy"}, {"w3c", "w3c"}, {"elb", "elb"}, {"cloudfront", "cloudfront"},
	{"s3", "s3"}, {"alb", "alb"}, {"nginx-json", "nginx-json"}, {"caddy", "caddy"},
	{"traefik-json", "traefik-json"}, {gen.NginxBench, gen.NginxBench}, {gen.ApacheBench, gen.ApacheBench},
}

// genLines writes 4,000 requests of gen's traffic (scripts/bench.sh's,
// seed 1) in format and returns the lines, header lines first.
func genLines(t testing.TB, format string) [][]byte {
	t.Helper()
	f, err := gen.Lookup(format)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	cfg := gen.Config{Seed: 1, Start: time.Date(2015, 5, 17, 0, 0, 0, 0, time.UTC),
		Phases: []gen.Phase{{Kind: "steady", Duration: 80 * time.Second, Rate: 50}}, Format: f}
	if _, err := gen.Write(context.Background(), cfg, &buf); err != nil {
		t.Fatal(err)
	}
	return bytes.Split(bytes.TrimSuffix(buf.Bytes(), []byte("\n")), []byte("\n"))
}

// genParser returns a parser of format with the header lines of lines
// read, and the data lines.
func genParser(t testing.TB, format string, lines [][]byte) (*Parser, [][]byte) {
	t.Helper()
	f, err := Lookup(format)
	if err != nil {
		t.Fatal(err)
	}
	p := f.NewStream().NewParser()
	p.Keep = false // as the benchmarks above: the scratch buffer reused line by line
	var r record.Request
	for len(lines) > 0 && lines[0][0] == '#' {
		p.Line(lines[0], &r)
		lines = lines[1:]
	}
	for _, l := range lines {
		if err := p.Line(l, &r); err != nil {
			t.Fatalf("%s: %q: %v", format, l, err)
		}
	}
	return p, lines
}

// TestGenTrafficNoAlloc: the parse of gen's traffic allocates nothing,
// line by line, in every format scripts/bench.sh times.
func TestGenTrafficNoAlloc(t *testing.T) {
	for _, tc := range genFormats {
		p, lines := genParser(t, tc.parse, genLines(t, tc.gen))
		lines = lines[:200]
		var r record.Request
		allocs := testing.AllocsPerRun(5, func() {
			for _, l := range lines {
				if err := p.Line(l, &r); err != nil {
					t.Fatal(err)
				}
			}
		})
		if allocs != 0 {
			t.Errorf("%.40s: %v allocations for %d lines, want 0", tc.parse, allocs, len(lines))
		}
	}
}

// BenchmarkGenTraffic parses gen's traffic in each format: the parse
// alone of what scripts/bench.sh times as a whole process. Compare the
// cpu-ns/line of each with combined's (the thread's CPU time: on a
// shared machine the wall time, ns/line, is the less trustworthy).
func BenchmarkGenTraffic(b *testing.B) {
	for _, tc := range genFormats {
		name := tc.gen
		if len(name) > 12 {
			name = name[:12]
		}
		b.Run(name, func(b *testing.B) {
			p, lines := genParser(b, tc.parse, genLines(b, tc.gen))
			size := 0
			for _, l := range lines {
				size += len(l)
			}
			var r record.Request
			b.SetBytes(int64(size))
			b.ReportAllocs()
			runtime.LockOSThread() // for threadCPU
			defer runtime.UnlockOSThread()
			cpu := threadCPU()
			for b.Loop() {
				for _, l := range lines {
					if err := p.Line(l, &r); err != nil {
						b.Fatal(err)
					}
				}
			}
			cpu = threadCPU() - cpu
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(lines)), "ns/line")
			if cpu > 0 {
				b.ReportMetric(float64(cpu)/float64(b.N)/float64(len(lines)), "cpu-ns/line")
			}
		})
	}
}
