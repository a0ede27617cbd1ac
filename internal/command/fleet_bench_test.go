package command

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/logmon/logmon/internal/gen"
	"github.com/logmon/logmon/internal/record"
)

// The hub benchmark's fleet: -fleet-hosts hosts, each writing the
// 1-second summaries of -fleet-rate requests a second for -fleet-secs
// seconds (go test -bench FleetHub -fleet-hosts 100 ...).
var (
	fleetHosts = flag.Int("fleet-hosts", 1000, "BenchmarkFleetHub: hosts in the fleet")
	fleetSecs  = flag.Int("fleet-secs", 30, "BenchmarkFleetHub: seconds of traffic")
	fleetRate  = flag.Float64("fleet-rate", 100, "BenchmarkFleetHub: requests a second of each host")
	fleetSpan  = flag.Duration("fleet-span", 11*time.Minute, "BenchmarkFleetHub: event time the hub folds, the -fleet-secs of traffic again and again")
)

var (
	fleetOnce sync.Once
	fleetHub  fleetInput
)

// fleetInput is what the hub reads: every host's 1-second summaries, in
// the order of their start.
type fleetInput struct {
	lines     []byte
	hostSecs  int   // summaries: hosts times seconds
	requests  int64 // their requests, in all
	fleetRate float64
}

// fleetHubInput makes the hub's input once: each host's traffic is
// generated on its own (gen with the host's number as seed, so each host
// has its own pool of 300 clients, as behind a load balancer that keeps a
// client on one server; the nginx format with $request_time, so that the
// summaries carry latency sketches), and summarised by the host's own
// pipeline, stats --interval 1s --host webK, as published. Only the
// seconds of full traffic are kept (gen's last requests spill over the
// end). The summaries are ordered by their start and, within a second,
// by host, as a hub receives them from hosts that run alike.
func fleetHubInput(b *testing.B) fleetInput {
	b.Helper()
	fleetOnce.Do(func() {
		hosts, secs := *fleetHosts, *fleetSecs
		format, err := gen.Lookup(nginxTimed)
		if err != nil {
			panic(err)
		}
		start := time.Date(2015, 5, 17, 10, 0, 0, 0, time.UTC)
		bySec := make([][]byte, secs)
		var log, out bytes.Buffer
		var sum record.Summary
		var dec record.Decoder
		for k := 1; k <= hosts; k++ {
			log.Reset()
			out.Reset()
			cfg := gen.Config{Seed: int64(k), Start: start, Format: format,
				Phases: []gen.Phase{{Kind: "steady", Duration: time.Duration(secs) * time.Second, Rate: *fleetRate}}}
			if _, err := gen.Write(context.Background(), cfg, &log); err != nil {
				panic(err)
			}
			args := []string{"stats", "--log-format", nginxTimed, "--interval", "1s", "--host", fmt.Sprintf("web%d", k)}
			if code := logmonWith(b, &log, &out, io.Discard, args...); code != exitOK {
				panic(fmt.Sprintf("logmon %s: exit %d", strings.Join(args, " "), code))
			}
			for line := range bytes.Lines(out.Bytes()) {
				if err := dec.Summary(line, &sum); err != nil {
					panic(err)
				}
				i := int(sum.Start.Sub(start) / time.Second)
				if i < 0 || i >= secs {
					continue
				}
				bySec[i] = append(bySec[i], line...)
				fleetHub.hostSecs++
				fleetHub.requests += sum.Requests
			}
		}
		fleetHub.lines = bytes.Join(bySec, nil)
		fleetHub.fleetRate = float64(fleetHub.requests) / float64(secs)
	})
	if fleetHub.hostSecs != *fleetHosts**fleetSecs {
		b.Fatalf("%d host-seconds of summaries, want %d", fleetHub.hostSecs, *fleetHosts**fleetSecs)
	}
	return fleetHub
}

// BenchmarkFleetHub times the hub of a fleet: alert (the rules of every
// kind, as TestFleetExactness) and stats --interval 10s folding the
// 1-second summaries of -fleet-hosts hosts, in-process from standard input
// to standard output as on the command line. The hub reads -fleet-span of
// event time, the hosts' -fleet-secs of summaries again and again, later
// each time (fleetStream): 11 minutes by default, past the 10 minutes for
// which the hub keeps every summary's host and start to drop repeats, so
// that the figures are those of a hub that has run for a while.
//
// host-s/s is host-seconds (summaries) folded a second of wall time,
// host-s/cpu-s a second of the process's CPU time (user and system, every
// thread: the garbage collector's too); run it with GOMAXPROCS=1 for one
// core. "read" is the input alone, read and thrown away: what the
// repeating costs, counted in the others. The output is checked: alert
// fires high_traffic, and stats' summaries add up to every request.
func BenchmarkFleetHub(b *testing.B) {
	in := fleetHubInput(b)
	copies := max(1, int((*fleetSpan+time.Duration(*fleetSecs)*time.Second-1)/(time.Duration(*fleetSecs)*time.Second)))
	cases := []struct {
		name  string
		args  []string
		check func(b *testing.B, out []byte)
	}{
		{"read", nil, func(b *testing.B, out []byte) {}},
		{"alert", append([]string{"alert"}, fleetRules...), func(b *testing.B, out []byte) {
			if !bytes.Contains(out, []byte(`"rule":"high_traffic","state":"firing"`)) {
				b.Fatalf("no high_traffic alert for %.0f req/s:\n%.1000s", in.fleetRate, out)
			}
		}},
		{"stats-10s", []string{"stats", "--interval", "10s"}, func(b *testing.B, out []byte) {
			var got int64
			var sum record.Summary
			var dec record.Decoder
			for line := range bytes.Lines(out) {
				if err := dec.Summary(line, &sum); err != nil {
					b.Fatal(err)
				}
				got += sum.Requests
			}
			if want := in.requests * int64(copies); got != want {
				b.Fatalf("the fleet's summaries count %d requests, want %d", got, want)
			}
		}},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(in.lines) * copies))
			var out bytes.Buffer
			cpu := processCPU()
			for b.Loop() {
				out.Reset()
				r := newFleetStream(in, copies)
				if tc.args == nil {
					if _, err := io.Copy(io.Discard, r); err != nil {
						b.Fatal(err)
					}
					continue
				}
				if code := logmonWith(b, r, &out, io.Discard, tc.args...); code != exitOK {
					b.Fatalf("exit %d", code)
				}
			}
			cpu = processCPU() - cpu
			tc.check(b, out.Bytes())
			folded := float64(in.hostSecs) * float64(copies) * float64(b.N)
			b.ReportMetric(folded/b.Elapsed().Seconds(), "host-s/s")
			if cpu > 0 {
				b.ReportMetric(folded/cpu.Seconds(), "host-s/cpu-s")
			}
		})
	}
}

// fleetStream reads the hub's input copies times over, each copy's
// summaries later by the -fleet-secs it spans: their start and end are
// written anew, the rest is as the hosts wrote it. Its cost is the
// "read" benchmark's.
type fleetStream struct {
	in      fleetInput
	copies  int
	copy    int
	rest    []byte // of the copy being read
	buf     []byte // read from next
	next    int
	shift   time.Duration
	scratch []byte
}

func newFleetStream(in fleetInput, copies int) *fleetStream {
	return &fleetStream{in: in, copies: copies, rest: in.lines}
}

func (f *fleetStream) Read(p []byte) (int, error) {
	for f.next == len(f.buf) {
		if len(f.rest) == 0 {
			f.copy++
			if f.copy == f.copies {
				return 0, io.EOF
			}
			f.rest = f.in.lines
			f.shift = time.Duration(f.copy**fleetSecs) * time.Second
		}
		// About 64 KiB of lines, their times moved on.
		f.buf, f.next = f.buf[:0], 0
		for len(f.buf) < 64<<10 && len(f.rest) > 0 {
			line := f.rest
			if i := bytes.IndexByte(line, '\n'); i >= 0 {
				line = line[:i+1]
			}
			f.rest = f.rest[len(line):]
			at := len(f.buf)
			f.buf = append(f.buf, line...)
			if f.shift != 0 {
				f.moveOn(f.buf[at:], `"start":"`)
				f.moveOn(f.buf[at:], `"end":"`)
			}
		}
	}
	n := copy(p, f.buf[f.next:])
	f.next += n
	return n, nil
}

// moveOn writes the time after key in line (RFC 3339, UTC, whole seconds:
// 20 bytes) f.shift later.
func (f *fleetStream) moveOn(line []byte, key string) {
	i := bytes.Index(line, []byte(key)) + len(key)
	t, err := time.Parse(time.RFC3339, string(line[i:i+20]))
	if err != nil {
		panic(err)
	}
	f.scratch = t.Add(f.shift).AppendFormat(f.scratch[:0], time.RFC3339)
	copy(line[i:i+20], f.scratch)
}
