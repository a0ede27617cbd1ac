package gen

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/logmon/logmon/internal/clock"
)

var start = time.Date(2015, time.May, 17, 10, 5, 0, 0, time.UTC)

// combined matches one Combined Log Format line as gen writes it.
var combined = regexp.MustCompile(`^(\S+) - (\S+) \[(\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000)\] ` +
	`"([A-Z]+) (/\S*) (HTTP/[12]\.[01])" (\d{3}) (\d+) "([^"]*)" "([^"]+)"$`)

// logLine is the parsed content of one generated line.
type logLine struct {
	addr, user, method, path, proto, referer, agent string
	time                                            time.Time
	status                                          int
	size                                            int64
}

// parseLines checks that every line of out is a Combined line and returns them parsed.
func parseLines(t *testing.T, out []byte) []logLine {
	t.Helper()
	if len(out) > 0 && out[len(out)-1] != '\n' {
		t.Fatalf("output does not end in a newline: %q", out[max(0, len(out)-100):])
	}
	if len(out) == 0 {
		return nil
	}
	var lines []logLine
	for i, s := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
		m := combined.FindStringSubmatch(s)
		if m == nil {
			t.Fatalf("line %d is not a Combined log line: %q", i+1, s)
		}
		ts, err := time.Parse("02/Jan/2006:15:04:05 -0700", m[3])
		if err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		if _, err := netip.ParseAddr(m[1]); err != nil {
			t.Fatalf("line %d: bad client address: %v", i+1, err)
		}
		status, _ := strconv.Atoi(m[7])
		size, _ := strconv.ParseInt(m[8], 10, 64)
		lines = append(lines, logLine{addr: m[1], user: m[2], time: ts, method: m[4], path: m[5], proto: m[6],
			status: status, size: size, referer: m[9], agent: m[10]})
	}
	return lines
}

func generate(t *testing.T, cfg Config) []byte {
	t.Helper()
	var buf bytes.Buffer
	n, err := Write(context.Background(), cfg, &buf)
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	if got := int64(bytes.Count(buf.Bytes(), []byte("\n"))); got != n {
		t.Fatalf("Write returned %d lines, wrote %d", n, got)
	}
	return buf.Bytes()
}

func mustPhases(t *testing.T, spec string, rate float64) []Phase {
	t.Helper()
	p, err := ParsePhases(spec, rate)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestParsePhases(t *testing.T) {
	tests := []struct {
		name    string
		spec    string
		want    []Phase
		wantErr string
	}{
		{name: "full", spec: "steady:2m:5,burst:90s:30,silence:1m,steady:1m", want: []Phase{
			{"steady", 2 * time.Minute, 5, 1}, {"burst", 90 * time.Second, 30, 1},
			{"silence", time.Minute, 0, 1}, {"steady", time.Minute, 10, 1},
		}},
		{name: "defaults", spec: "steady:10s,burst:5s", want: []Phase{{"steady", 10 * time.Second, 10, 1}, {"burst", 5 * time.Second, 50, 1}}},
		{name: "spaces and fractions", spec: " steady:1h30m:0.5 , silence:1s ", want: []Phase{
			{"steady", 90 * time.Minute, 0.5, 1}, {"silence", time.Second, 0, 1},
		}},
		{name: "zero rate", spec: "steady:1s:0", want: []Phase{{"steady", time.Second, 0, 1}}},
		{name: "slow", spec: "slow:1m,slow:30s:20:x3,slow:10s:x2.5,burst:1m:x4,steady:5s:2:x1", want: []Phase{
			{"slow", time.Minute, 10, 10}, {"slow", 30 * time.Second, 20, 3}, {"slow", 10 * time.Second, 10, 2.5},
			{"burst", time.Minute, 50, 4}, {"steady", 5 * time.Second, 2, 1},
		}},
		{name: "zero factor", spec: "slow:1m:x0", wantErr: `bad phase "slow:1m:x0": latency factor "x0" must be above x0 and at most x1000`},
		{name: "huge factor", spec: "slow:1m:x1e6", wantErr: `latency factor "x1e6" must be above x0`},
		{name: "NaN factor", spec: "slow:1m:xNaN", wantErr: `latency factor "xNaN" must be above x0`},
		{name: "bad factor", spec: "slow:1m:5:xten", wantErr: `latency factor "xten" is not x and a number`},
		{name: "factor first", spec: "slow:1m:x3:5", wantErr: `want kind:duration[:rate][:xFACTOR]`},
		{name: "silence with factor", spec: "silence:1m:x3", wantErr: `silence takes no latency factor`},
		{name: "empty", spec: " ", wantErr: "no phases given"},
		{name: "bad kind", spec: "x:1m", wantErr: `bad phase "x:1m": kind must be steady, burst, slow or silence`},
		{name: "no duration", spec: "steady", wantErr: `bad phase "steady": want kind:duration[:rate][:xFACTOR]`},
		{name: "too many parts", spec: "steady:1m:5:6", wantErr: `bad phase "steady:1m:5:6": want kind:duration`},
		{name: "empty phase", spec: "steady:1m,", wantErr: `bad phase "": want kind:duration`},
		{name: "no unit", spec: "steady:10", wantErr: `bad phase "steady:10": duration "10" must be a positive whole number of seconds`},
		{name: "fraction of second", spec: "burst:1500ms", wantErr: `duration "1500ms" must be a positive whole`},
		{name: "zero duration", spec: "steady:0s", wantErr: `duration "0s" must be a positive`},
		{name: "negative duration", spec: "steady:-1m", wantErr: `duration "-1m" must be a positive`},
		{name: "negative rate", spec: "steady:1m:-3", wantErr: `bad phase "steady:1m:-3": rate -3 is negative`},
		{name: "bad rate", spec: "burst:1m:lots", wantErr: `rate "lots" is not a number`},
		{name: "infinite rate", spec: "burst:1m:Inf", wantErr: `rate +Inf is not a finite number`},
		{name: "NaN rate", spec: "burst:1m:NaN", wantErr: `rate NaN is not a finite number`},
		{name: "silence with rate", spec: "silence:1m:5", wantErr: `bad phase "silence:1m:5": silence takes no rate`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePhases(tt.spec, 10)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParsePhases(%q) error = %v, want one containing %q", tt.spec, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParsePhases(%q): %v", tt.spec, err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("ParsePhases(%q) (-want +got):\n-%v\n+%v", tt.spec, tt.want, got)
			}
		})
	}
}

func TestWriteRejectsBadConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"fractional duration", Config{Phases: []Phase{{"steady", 1500 * time.Millisecond, 1, 0}}}, "not a whole number of seconds"},
		{"negative rate", Config{Phases: []Phase{{"steady", time.Second, -1, 0}}}, "rate -1 is negative"},
		{"negative disorder", Config{Phases: []Phase{{"steady", time.Second, 1, 0}}, Disorder: -time.Second}, "is not between 0 and"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			_, err := Write(context.Background(), tt.cfg, &buf)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Write error = %v, want one containing %q", err, tt.want)
			}
			if buf.Len() != 0 {
				t.Errorf("Write wrote %d bytes before failing", buf.Len())
			}
		})
	}
}

func TestDeterministic(t *testing.T) {
	phases := mustPhases(t, "steady:1m:20,burst:10s:100", 0)
	for _, disorder := range []time.Duration{0, 2 * time.Second} {
		t.Run(fmt.Sprint("disorder=", disorder), func(t *testing.T) {
			cfg := Config{Seed: 42, Start: start, Phases: phases, Disorder: disorder}
			a, b := generate(t, cfg), generate(t, cfg)
			if !bytes.Equal(a, b) {
				t.Error("same seed gave different output")
			}
			cfg.Seed = 43
			if c := generate(t, cfg); bytes.Equal(a, c) {
				t.Error("seeds 42 and 43 gave the same output")
			}
		})
	}
}

// TestPhases checks each phase's line count against rate*duration and that
// every timestamp falls within the seconds of a phase that has traffic.
func TestPhases(t *testing.T) {
	spec := "steady:10m:20,burst:1m:100,silence:2m,steady:5m:3,steady:20s:0.2"
	phases := mustPhases(t, spec, 0)
	lines := parseLines(t, generate(t, Config{Seed: 7, Start: start, Phases: phases}))

	counts := make([]int, len(phases))
	perSecond := map[int64]int{} // by Unix second
	from := start
	bounds := make([]time.Time, len(phases)+1)
	for i, p := range phases {
		bounds[i] = from
		from = from.Add(p.Duration)
	}
	bounds[len(phases)] = from
	for _, l := range lines {
		i := -1
		for j := range phases {
			if !l.time.Before(bounds[j]) && l.time.Before(bounds[j+1]) {
				i = j
			}
		}
		if i < 0 {
			t.Fatalf("timestamp %v is outside all phases [%v, %v)", l.time, start, from)
		}
		counts[i]++
		perSecond[l.time.Unix()]++
	}
	for i, p := range phases {
		want := p.Rate * p.Duration.Seconds()
		tol := max(0.05*want, 4*math.Sqrt(want)) // 5%, or 4 sigma of Poisson noise at small counts
		if p.Kind == "silence" && counts[i] != 0 {
			t.Errorf("phase %d (%s) has %d lines, want none", i+1, p.Kind, counts[i])
		}
		if got := float64(counts[i]); got < want-tol || got > want+tol {
			t.Errorf("phase %d (%s, %v at %v/s): %d lines, want %.0f ± %.0f", i+1, p.Kind, p.Duration, p.Rate, counts[i], want, tol)
		}
	}

	// Requests per second are Poisson: in the first phase, the variance
	// of the counts is close to their mean.
	var sum, sumSq float64
	for s := range 600 {
		c := float64(perSecond[start.Unix()+int64(s)])
		sum += c
		sumSq += c * c
	}
	mean := sum / 600
	if ratio := (sumSq/600 - mean*mean) / mean; !(ratio >= 0.8 && ratio <= 1.25) {
		t.Errorf("per-second counts have variance/mean %.2f, want about 1 (Poisson)", ratio)
	}
}

func TestOrder(t *testing.T) {
	phases := mustPhases(t, "steady:3m:30,silence:10s,burst:20s:200", 0)
	tests := []struct {
		name     string
		disorder time.Duration
	}{
		{"sorted", 0},
		{"3s", 3 * time.Second},
		{"fraction", 1500 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines := parseLines(t, generate(t, Config{Seed: 1, Start: start, Phases: phases, Disorder: tt.disorder}))
			var latest time.Time
			var worst time.Duration
			for i, l := range lines {
				if i == 0 || l.time.After(latest) {
					latest = l.time
				}
				worst = max(worst, latest.Sub(l.time))
			}
			// Timestamps are whole seconds, so a line may trail by the disorder rounded up.
			limit := tt.disorder.Truncate(time.Second)
			if tt.disorder%time.Second != 0 {
				limit += time.Second
			}
			if worst > limit {
				t.Errorf("a line is %v behind an earlier one, want at most %v", worst, limit)
			}
			if tt.disorder > 0 && worst < limit {
				t.Errorf("lines are at most %v out of order, want some %v out with disorder %v", worst, limit, tt.disorder)
			}
		})
	}
}

// TestContent checks that the traffic looks like a real site's: the mixes
// that downstream stages and demos rely on are all present.
func TestContent(t *testing.T) {
	lines := parseLines(t, generate(t, Config{Seed: 3, Start: start, Phases: mustPhases(t, "steady:10m:20", 0)}))
	n := float64(len(lines))
	count := func(f func(l logLine) bool) float64 {
		c := 0
		for _, l := range lines {
			if f(l) {
				c++
			}
		}
		return float64(c)
	}
	share := func(f func(l logLine) bool) float64 { return count(f) / n }

	clients := map[string]int{}
	sections := map[string]bool{}
	for _, l := range lines {
		clients[l.addr]++
		sec, _, _ := strings.Cut(strings.TrimPrefix(l.path, "/"), "/")
		sec, _, _ = strings.Cut(sec, "?")
		sections[sec] = true
	}
	byCount := slices.Sorted(maps.Values(clients))
	slices.Reverse(byCount)
	top10 := 0
	for _, c := range byCount[:10] {
		top10 += c
	}

	checks := []struct {
		name     string
		got      float64
		min, max float64
	}{
		{"distinct clients", float64(len(clients)), 150, 300},
		{"share of top 10 clients", float64(top10) / n, 0.25, 0.6},
		{"IPv6 share", share(func(l logLine) bool { return strings.Contains(l.addr, ":") }), 0.005, 0.2},
		{"user share", share(func(l logLine) bool { return l.user != "-" }), 0.01, 0.03},
		{"GET share", share(func(l logLine) bool { return l.method == "GET" }), 0.8, 0.95},
		{"POST share", share(func(l logLine) bool { return l.method == "POST" }), 0.02, 0.15},
		{"HEAD share", share(func(l logLine) bool { return l.method == "HEAD" }), 0.01, 0.06},
		{"PUT, DELETE and OPTIONS", count(func(l logLine) bool { return l.method == "PUT" || l.method == "DELETE" || l.method == "OPTIONS" }), 50, 1000},
		{"200 share", share(func(l logLine) bool { return l.status == 200 }), 0.7, 0.9},
		{"304 share", share(func(l logLine) bool { return l.status == 304 }), 0.03, 0.12},
		{"redirect share", share(func(l logLine) bool { return l.status == 301 || l.status == 302 }), 0.01, 0.06},
		{"404 share", share(func(l logLine) bool { return l.status == 404 }), 0.02, 0.1},
		{"5xx share", share(func(l logLine) bool { return l.status >= 500 }), 0.005, 0.03},
		{"query strings", share(func(l logLine) bool { return strings.Contains(l.path, "?") }), 0.01, 0.3},
		{"no referer", share(func(l logLine) bool { return l.referer == "-" }), 0.45, 0.65},
		{"bots and tools", share(func(l logLine) bool {
			return strings.Contains(l.agent, "bot") || !strings.HasPrefix(l.agent, "Mozilla/")
		}), 0.01, 0.4},
		{"sections", float64(len(sections)), 12, 30}, // the 9 sections plus top-level files
		{"empty 304 and HEAD bodies", count(func(l logLine) bool { return (l.status == 304 || l.method == "HEAD") && l.size != 0 }), 0, 0},
		{"empty 200 GET bodies", count(func(l logLine) bool { return l.status == 200 && l.method == "GET" && l.size == 0 }), 0, 0},
		{"large responses", count(func(l logLine) bool { return l.size > 100_000 }), 50, 5000},
	}
	for _, c := range checks {
		if c.got < c.min || c.got > c.max {
			t.Errorf("%s = %.3g, want within [%g, %g]", c.name, c.got, c.min, c.max)
		}
	}
}

// fakeClock is a clock that waiting moves on at once: Write runs at full
// speed, pacing by the clock's time all the same.
func fakeClock(now time.Time) clock.Clock { return clock.NewFake(now).Jumping() }

// clockWriter records the clock's time at each write and counts flushes.
type clockWriter struct {
	clock   clock.Clock
	writes  []timedWrite
	flushes int
}

type timedWrite struct {
	at   time.Time
	data []byte
}

func (w *clockWriter) Write(p []byte) (int, error) {
	w.writes = append(w.writes, timedWrite{w.clock.Now(), bytes.Clone(p)})
	return len(p), nil
}

func (w *clockWriter) Flush() error { w.flushes++; return nil }

func TestRealtime(t *testing.T) {
	tests := []struct {
		name     string
		clockAt  time.Time // fake clock at the start
		disorder time.Duration
	}{
		{"start is now", start.Add(300 * time.Millisecond), 0},
		{"start in the future", start.Add(-10 * time.Second), 0},
		{"start in the past", start.Add(time.Hour), 0}, // no pacing needed
		{"disorder", start, 2 * time.Second},
	}
	phases := mustPhases(t, "steady:20s:20,silence:5s,burst:5s:100,silence:3s", 0)
	end := start.Add(33 * time.Second)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := fakeClock(tt.clockAt)
			w := &clockWriter{clock: clock}
			n, err := Write(context.Background(), Config{Seed: 5, Start: start, Phases: phases,
				Disorder: tt.disorder, Realtime: true, Clock: clock}, w)
			if err != nil {
				t.Fatal(err)
			}
			var all []byte
			for _, wr := range w.writes {
				for _, l := range parseLines(t, wr.data) {
					if l.time.After(wr.at) {
						t.Fatalf("line of %v written at %v, before its second came", l.time, wr.at)
					}
				}
				all = append(all, wr.data...)
			}
			if got := int64(bytes.Count(all, []byte("\n"))); got != n || n < 500 {
				t.Errorf("Write returned %d lines and wrote %d, want the same and at least 500", n, got)
			}
			if clock.Now().Before(end) {
				t.Errorf("Write returned at %v, before the last phase ended at %v", clock.Now(), end)
			}
			if tt.clockAt.After(end) {
				return // no wait was needed
			}
			if len(w.writes) < 25 {
				t.Errorf("%d writes, want one per second with lines (at least 25)", len(w.writes))
			}
			if w.flushes < 33 {
				t.Errorf("w flushed %d times, want once per second (33)", w.flushes)
			}
			if !clock.Now().Equal(end) {
				t.Errorf("Write returned at %v, want when the last phase ended, %v", clock.Now(), end)
			}
		})
	}
}

func TestCancel(t *testing.T) {
	phases := mustPhases(t, "steady:1h:100", 0)
	t.Run("while writing", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		w := &cancelWriter{cancel: cancel}
		n, err := Write(ctx, Config{Seed: 1, Start: start, Phases: phases}, w)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Write error = %v, want context.Canceled", err)
		}
		if n == 0 || n > 10_000 {
			t.Errorf("Write wrote %d lines after cancel, want it to stop within a few seconds of traffic", n)
		}
		if got := int64(bytes.Count(w.buf.Bytes(), []byte("\n"))); got != n {
			t.Errorf("Write returned %d lines, wrote %d", n, got)
		}
	})
	t.Run("while pacing", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		clock := fakeClock(start)
		w := &cancelAt{at: start.Add(10 * time.Second), clock: clock, cancel: cancel}
		n, err := Write(ctx, Config{Seed: 1, Start: start, Phases: phases, Realtime: true, Clock: clock}, w)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Write error = %v, want context.Canceled", err)
		}
		if n == 0 || n > 2000 {
			t.Errorf("Write wrote %d lines, want about 1000 (10s at 100/s)", n)
		}
		if d := clock.Now().Sub(start); d > 11*time.Second {
			t.Errorf("Write kept pacing until %v after cancel at 10s", d)
		}
	})
}

// cancelWriter cancels its context on the first write.
type cancelWriter struct {
	buf    bytes.Buffer
	cancel func()
}

func (w *cancelWriter) Write(p []byte) (int, error) {
	w.cancel()
	return w.buf.Write(p)
}

// cancelAt cancels its context on the first write at or after at.
type cancelAt struct {
	at     time.Time
	clock  clock.Clock
	cancel func()
}

func (w *cancelAt) Write(p []byte) (int, error) {
	if !w.clock.Now().Before(w.at) {
		w.cancel()
	}
	return len(p), nil
}

type failWriter struct{ after int }

var errDisk = errors.New("disk full")

func (w *failWriter) Write(p []byte) (int, error) {
	if w.after <= 0 {
		return 0, errDisk
	}
	w.after--
	return len(p), nil
}

func TestWriteError(t *testing.T) {
	for _, realtime := range []bool{false, true} {
		t.Run(fmt.Sprint("realtime=", realtime), func(t *testing.T) {
			clock := fakeClock(start)
			_, err := Write(context.Background(), Config{Seed: 1, Start: start, Phases: mustPhases(t, "steady:1h:100", 0),
				Realtime: realtime, Clock: clock}, &failWriter{after: 3})
			if !errors.Is(err, errDisk) {
				t.Fatalf("Write error = %v, want %v", err, errDisk)
			}
			if clock.Now().Sub(start) > time.Minute {
				t.Errorf("Write went on until %v after the write error", clock.Now().Sub(start))
			}
		})
	}
}

type countWriter struct{ lines, bytes int64 }

func (w *countWriter) Write(p []byte) (int, error) {
	w.lines += int64(bytes.Count(p, []byte("\n")))
	w.bytes += int64(len(p))
	return len(p), nil
}

// BenchmarkWrite generates about a million lines per op, in Combined with
// and without disorder, and in every other format.
func BenchmarkWrite(b *testing.B) {
	type bench struct {
		name     string
		format   *Format
		disorder time.Duration
	}
	benches := []bench{{"disorder=0s", nil, 0}, {"disorder=2s", nil, 2 * time.Second}}
	for _, name := range append(Names(), NginxBench, ApacheBench) {
		if f, _ := Lookup(name); f != Combined {
			benches = append(benches, bench{"format=" + strings.Fields(name)[0], f, 0})
		}
	}
	for _, bb := range benches {
		b.Run(bb.name, func(b *testing.B) {
			cfg := Config{Seed: 1, Start: start, Phases: []Phase{{"steady", 1000 * time.Second, 1000, 0}}, Disorder: bb.disorder, Format: bb.format}
			var first countWriter
			if _, err := Write(context.Background(), cfg, &first); err != nil {
				b.Fatal(err)
			}
			if first.lines < 990_000 || first.lines > 1_010_010 {
				b.Fatalf("%d lines, want about 1e6", first.lines)
			}
			b.SetBytes(first.bytes)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				var w countWriter
				n, err := Write(context.Background(), cfg, &w)
				if err != nil || n != first.lines || w.lines != n || w.bytes != first.bytes {
					b.Fatalf("Write = %d, %v; wrote %d lines, %d bytes; want %d lines, %d bytes",
						n, err, w.lines, w.bytes, first.lines, first.bytes)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(first.lines), "ns/line")
		})
	}
}

// TestUnique: with Unique, no two requests share a client address or a
// section, and the traffic is otherwise the same shape.
func TestUnique(t *testing.T) {
	var buf bytes.Buffer
	cfg := Config{Seed: 1, Start: time.Date(2015, 5, 17, 10, 0, 0, 0, time.UTC), Phases: []Phase{{Kind: "steady", Duration: 100 * time.Second, Rate: 50}}, Unique: true}
	n, err := Write(context.Background(), cfg, &buf)
	if err != nil {
		t.Fatal(err)
	}
	clients, sections := map[string]bool{}, map[string]bool{}
	for _, line := range strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n") {
		f := strings.Fields(line)
		path := f[6]
		section := path[:strings.IndexByte(path[1:], '/')+1]
		if clients[f[0]] || sections[section] {
			t.Fatalf("repeated client or section in %q", line)
		}
		clients[f[0]], sections[section] = true, true
	}
	if int64(len(clients)) != n || n < 4000 {
		t.Errorf("%d lines, %d distinct clients", n, len(clients))
	}
}

// TestClients: the client pool has the size asked for, and the default
// is DefaultClients.
func TestClients(t *testing.T) {
	for _, tc := range []struct{ clients, want int }{{0, DefaultClients}, {20, 20}, {5000, 5000}} {
		var buf bytes.Buffer
		cfg := Config{Seed: 1, Start: time.Date(2015, 5, 17, 10, 0, 0, 0, time.UTC), Phases: []Phase{{Kind: "steady", Duration: 200 * time.Second, Rate: 500}}, Clients: tc.clients}
		if _, err := Write(context.Background(), cfg, &buf); err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, line := range strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n") {
			seen[line[:strings.IndexByte(line, ' ')]] = true
		}
		// 100,000 Zipf draws reach most of a pool this size, never more.
		if len(seen) > tc.want || len(seen) < tc.want/2 {
			t.Errorf("clients %d: %d distinct clients, want at most %d and most of them", tc.clients, len(seen), tc.want)
		}
	}
}
