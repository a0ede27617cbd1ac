package gen

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// generateIn writes cfg's traffic in the format spec names.
func generateIn(t *testing.T, spec string, cfg Config) []byte {
	t.Helper()
	f, err := Lookup(spec)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Format = f
	return generate(t, cfg)
}

// records returns the lines of out that are not header lines (#...).
func records(out []byte) []string {
	var lines []string
	for _, l := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
		if !strings.HasPrefix(l, "#") {
			lines = append(lines, l)
		}
	}
	return lines
}

// traefikEntry is what the tests read of a traefik-json line: the
// request's exact duration and start.
type traefikEntry struct {
	ClientHost       string
	DownstreamStatus int
	Duration         int64 // ns
	RequestMethod    string
	StartUTC         time.Time
}

func readTraefik(t *testing.T, out []byte) []traefikEntry {
	t.Helper()
	var entries []traefikEntry
	for i, l := range records(out) {
		var e traefikEntry
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatalf("traefik-json line %d: %v: %s", i+1, err, l)
		}
		entries = append(entries, e)
	}
	return entries
}

// durationOf says how to read the duration from a line of each format
// that logs one: a pattern whose first group is it, in units of unit;
// sum adds the groups (ALB's and ELB's three processing times).
var durationOf = []struct {
	format string
	re     *regexp.Regexp
	unit   time.Duration // the format's resolution: the duration is truncated to it
	sum    bool
}{
	{"traefik", regexp.MustCompile(` (\d+)ms$`), time.Millisecond, false},
	{"traefik-json", regexp.MustCompile(`"Duration":(\d+),`), time.Nanosecond, false},
	{"caddy", regexp.MustCompile(`"duration":([0-9.e-]+),`), time.Second, false},
	{"nginx-json", regexp.MustCompile(`"request_time":"([0-9.]+)"`), time.Second, false},
	{"w3c", regexp.MustCompile(` (\d+)$`), time.Millisecond, false},
	{"alb", regexp.MustCompile(`^\S+ \S+ \S+ \S+ \S+ ([0-9.]+) ([0-9.]+) ([0-9.]+) `), time.Second, true},
	{"elb", regexp.MustCompile(`^\S+ \S+ \S+ \S+ ([0-9.]+) ([0-9.]+) ([0-9.]+) `), time.Second, true},
	{"cloudfront", regexp.MustCompile(`^(?:[^\t]*\t){18}([0-9.]+)\t`), time.Second, false},
	{"s3", regexp.MustCompile(`" \d{3} \S+ \S+ \S+ (\d+) \d+ "`), time.Millisecond, false},
	{"haproxy", regexp.MustCompile(` \d+/\d+/\d+/\d+/(\d+) \d{3} `), time.Millisecond, false},
	{NginxBench, regexp.MustCompile(` rt=([0-9.]+) `), time.Second, false},
	{ApacheBench, regexp.MustCompile(` (\d+)$`), time.Microsecond, false},
}

// resolution is the finest unit each format's duration is written in.
var resolution = map[string]time.Duration{
	"traefik": time.Millisecond, "traefik-json": time.Nanosecond, "caddy": time.Microsecond,
	"nginx-json": time.Millisecond, "w3c": time.Millisecond, "alb": time.Millisecond, "elb": time.Microsecond,
	"cloudfront": time.Millisecond, "s3": time.Millisecond, "haproxy": time.Millisecond,
	NginxBench: time.Millisecond, ApacheBench: time.Microsecond,
}

// TestSameTraffic: every format that logs a duration writes the same
// requests in the same order (that of their ends), each with the
// duration traefik-json gives to the nanosecond, in the format's unit.
func TestSameTraffic(t *testing.T) {
	cfg := Config{Seed: 5, Start: start, Phases: mustPhases(t, "steady:30s:20,slow:10s:20,burst:5s:50", 0)}
	truth := readTraefik(t, generateIn(t, "traefik-json", cfg))
	if len(truth) < 600 {
		t.Fatalf("%d requests, want about 850", len(truth))
	}
	for _, tc := range durationOf {
		name := strings.Fields(tc.format)[0]
		t.Run(name, func(t *testing.T) {
			lines := records(generateIn(t, tc.format, cfg))
			if len(lines) != len(truth) {
				t.Fatalf("%d lines, traefik-json has %d", len(lines), len(truth))
			}
			for i, l := range lines {
				want := truth[i]
				if !strings.Contains(l, want.ClientHost) || !strings.Contains(l, want.RequestMethod) || !strings.Contains(l, strconv.Itoa(want.DownstreamStatus)) {
					t.Fatalf("line %d is not the request traefik-json has (%s %s %d): %s", i+1, want.ClientHost, want.RequestMethod, want.DownstreamStatus, l)
				}
				m := tc.re.FindStringSubmatch(l)
				if m == nil {
					t.Fatalf("line %d: no duration matching %s: %s", i+1, tc.re, l)
				}
				var got time.Duration
				for _, g := range m[1:] {
					v, err := strconv.ParseFloat(g, 64)
					if err != nil {
						t.Fatalf("line %d: duration %q: %v", i+1, g, err)
					}
					got += time.Duration(math.Round(v * float64(tc.unit)))
				}
				res := resolution[tc.format]
				// Truncated to the resolution (each of ALB's and ELB's parts).
				if d := time.Duration(want.Duration) - got; d < 0 || d >= 3*res {
					t.Fatalf("line %d: duration %v, want %v to the %v: %s", i+1, got, time.Duration(want.Duration), res, l)
				}
			}
		})
	}
}

// TestFormatsDeterministic: the same seed gives the same lines in every
// format, and every format's lines end in a newline and hold no stray
// control character.
func TestFormatsDeterministic(t *testing.T) {
	cfg := Config{Seed: 9, Start: start, Phases: mustPhases(t, "steady:20s:10", 0), Disorder: time.Second}
	for _, name := range append(Names(), NginxBench, ApacheBench) {
		a, b := generateIn(t, name, cfg), generateIn(t, name, cfg)
		if !bytes.Equal(a, b) {
			t.Errorf("%s: the same seed gave different output", name)
		}
		for _, l := range records(a) {
			sep := byte(' ')
			if name == "cloudfront" {
				sep = '\t'
			}
			if strings.ContainsFunc(l, func(r rune) bool { return r < ' ' && r != rune(sep) }) {
				t.Fatalf("%s: a control character in %q", name, l)
			}
		}
	}
}

// TestLoggedAtEnd: a format that logs a duration writes each line when
// its request ends, so its end times (Caddy's ts) never go back, and
// with a start timestamp (HAProxy's accept date) the lines are out of
// order by the durations.
func TestLoggedAtEnd(t *testing.T) {
	cfg := Config{Seed: 2, Start: start, Phases: mustPhases(t, "steady:60s:30", 0)}
	var last float64
	for i, l := range records(generateIn(t, "caddy", cfg)) {
		var e struct{ Ts float64 }
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatal(err)
		}
		if e.Ts < last {
			t.Fatalf("line %d: ts %v before the line before's %v", i+1, e.Ts, last)
		}
		last = e.Ts
	}
	if got := time.Unix(0, int64(last*1e9)).Sub(start); got < 59*time.Second || got > 61*time.Second+MaxDuration {
		t.Errorf("last ts %v after the start", got)
	}
	accept := regexp.MustCompile(`\[(\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d\.\d{3})\]`)
	backwards := 0
	var prev time.Time
	for _, l := range records(generateIn(t, "haproxy", cfg)) {
		ts, err := time.Parse("02/Jan/2006:15:04:05.000", accept.FindStringSubmatch(l)[1])
		if err != nil {
			t.Fatal(err)
		}
		if ts.Before(prev) {
			backwards++
		}
		prev = ts
	}
	if backwards == 0 {
		t.Error("HAProxy's accept dates are in order: the lines are not logged at the requests' ends")
	}
}

func TestHeaders(t *testing.T) {
	cfg := Config{Seed: 1, Start: start, Phases: mustPhases(t, "steady:2s:1", 0)}
	for _, tc := range []struct{ format, want string }{
		{"w3c", "#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n#Date: 2015-05-17 10:05:00\n#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs-version cs(User-Agent) cs(Referer) cs-host sc-status sc-substatus sc-win32-status sc-bytes cs-bytes time-taken\n"},
		{"cloudfront", "#Version: 1.0\n#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end\n"},
	} {
		out := string(generateIn(t, tc.format, cfg))
		if !strings.HasPrefix(out, tc.want) {
			t.Errorf("%s: output begins %q, want %q", tc.format, out[:min(len(out), len(tc.want))], tc.want)
		}
		fields := strings.Fields(strings.Split(tc.want, "\n")[strings.Count(tc.want, "\n")-1])[1:]
		for _, l := range records([]byte(out)) {
			sep := " "
			if tc.format == "cloudfront" {
				sep = "\t"
			}
			if n := len(strings.Split(l, sep)); n != len(fields) {
				t.Errorf("%s: %d fields, #Fields names %d: %q", tc.format, n, len(fields), l)
			}
		}
	}
}

// TestDurationQuantiles checks the latency model's quantiles over a
// million draws against those its parameters give (see latency.go).
func TestDurationQuantiles(t *testing.T) {
	for _, tc := range []struct {
		slow                float64
		p50, p90, p99, p999 [2]time.Duration
	}{
		{1, ms(48, 55), ms(110, 130), ms(450, 600), ms(2000, 3300)},
		{0, ms(48, 55), ms(110, 130), ms(450, 600), ms(2000, 3300)}, // 0 is 1
		{10, ms(480, 550), ms(1100, 1300), ms(4500, 6000), ms(20000, 33000)},
	} {
		r := rand.New(rand.NewPCG(1, 2))
		d := make([]time.Duration, 1_000_000)
		for i := range d {
			d[i] = Duration(r, tc.slow)
		}
		slices.Sort(d)
		q := func(p float64) time.Duration { return d[int(p*float64(len(d)))] }
		for _, c := range []struct {
			name string
			got  time.Duration
			want [2]time.Duration
		}{
			{"p50", q(0.5), tc.p50}, {"p90", q(0.9), tc.p90}, {"p99", q(0.99), tc.p99}, {"p99.9", q(0.999), tc.p999},
			{"min", d[0], [2]time.Duration{time.Millisecond, tc.p50[0] / 5}},
			{"max", d[len(d)-1], [2]time.Duration{10 * time.Second, MaxDuration}},
		} {
			if c.got < c.want[0] || c.got > c.want[1] {
				t.Errorf("x%v: %s = %v, want within [%v, %v]", tc.slow, c.name, c.got, c.want[0], c.want[1])
			}
		}
	}
}

func ms(lo, hi int) [2]time.Duration {
	return [2]time.Duration{time.Duration(lo) * time.Millisecond, time.Duration(hi) * time.Millisecond}
}

// TestSlowPhase: a slow phase raises the durations of the requests that
// start in its span, by its factor, and only those.
func TestSlowPhase(t *testing.T) {
	cfg := Config{Seed: 4, Start: start, Phases: mustPhases(t, "steady:60s:20,slow:60s:20,steady:60s:20,burst:60s:20:x3", 0)}
	spans := make([][]time.Duration, 4)
	for _, e := range readTraefik(t, generateIn(t, "traefik-json", cfg)) {
		i := int(e.StartUTC.Sub(start) / time.Minute)
		spans[i] = append(spans[i], time.Duration(e.Duration))
	}
	median := func(d []time.Duration) time.Duration {
		slices.Sort(d)
		return d[len(d)/2]
	}
	for i, want := range [][2]time.Duration{ms(40, 62), ms(400, 620), ms(40, 62), ms(120, 186)} {
		if len(spans[i]) < 1000 {
			t.Fatalf("span %d: %d requests, want about 1200", i, len(spans[i]))
		}
		if got := median(spans[i]); got < want[0] || got > want[1] {
			t.Errorf("span %d (%s): median %v, want within [%v, %v]", i, cfg.Phases[i].Kind, got, want[0], want[1])
		}
	}
	// Combined shows no duration: a slow phase leaves its lines as they were.
	plain := Config{Seed: 4, Start: start, Phases: mustPhases(t, "steady:60s:20,steady:60s:20,steady:60s:20,burst:60s:20", 0)}
	if !bytes.Equal(generate(t, cfg), generate(t, plain)) {
		t.Error("a slow phase changed the Combined output")
	}
}

// TestDefaultIsCombined: no format is Combined, and Combined is what
// gen has always written (testdata/cases/gen/phases.txtar holds a
// golden of it).
func TestDefaultIsCombined(t *testing.T) {
	cfg := Config{Seed: 3, Start: start, Phases: mustPhases(t, "steady:30s:10", 0), Disorder: 2 * time.Second}
	if f, err := Lookup("combined"); err != nil || f != Combined {
		t.Fatalf("Lookup(combined) = %v, %v", f, err)
	}
	if !bytes.Equal(generate(t, cfg), generateIn(t, "combined", cfg)) {
		t.Error("Format nil and Combined differ")
	}
}

func TestFormatStringErrors(t *testing.T) {
	for _, tc := range []struct{ spec, want string }{
		{"$remote_addr $bogus", "format string: column 14: gen cannot write $bogus"},
		{"${remote_addr $status", "format string: column 1: ${ without }"},
		{"$ remote_addr", "column 1: gen cannot write $ "},
		{`%h %l %u %t \"%r\" %>s %Z`, "format string: column 24: gen cannot write %Z"},
		{"%h %{Referer", "column 4: %{ without }"},
		{"%h %", "column 4: % at the end"},
		{"%%h", `format string "%%h" has no variable`},
		{"nope", `unknown log format "nope"`},
	} {
		if _, err := Lookup(tc.spec); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Lookup(%q) error = %v, want one containing %q", tc.spec, err, tc.want)
		}
	}
}

func TestFormatStrings(t *testing.T) {
	cfg := Config{Seed: 3, Start: start, Phases: mustPhases(t, "steady:5s:2", 0)}
	combinedLines := records(generate(t, cfg))
	slices.Sort(combinedLines)
	for _, spec := range []string{
		`$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"`,
		`%h %l %u %t \"%r\" %>s %B \"%{Referer}i\" \"%{User-Agent}i\"`,
	} {
		lines := records(generateIn(t, spec, cfg))
		slices.Sort(lines)
		// Apache's %t is the request's start, as Combined's; nginx's
		// $time_local its end: the same lines, but for a time.
		clf := regexp.MustCompile(`\[[^]]+\]`)
		for i := range lines {
			if got, want := clf.ReplaceAllString(lines[i], "[]"), clf.ReplaceAllString(combinedLines[i], "[]"); got != want {
				t.Errorf("%s:\n got %s\nwant %s", spec, got, want)
			}
		}
	}
}

// TestRealtimeAtEnd: paced to the clock, a format that logs at the
// request's end writes each line once its request has ended, and Write
// returns when the last request has.
func TestRealtimeAtEnd(t *testing.T) {
	clock := fakeClock(start)
	w := &clockWriter{clock: clock}
	f, _ := Lookup("caddy")
	n, err := Write(context.Background(), Config{Seed: 5, Start: start, Phases: mustPhases(t, "steady:20s:20,slow:10s:20", 0),
		Realtime: true, Clock: clock, Format: f}, w)
	if err != nil {
		t.Fatal(err)
	}
	var last time.Time
	for _, wr := range w.writes {
		for _, l := range records(wr.data) {
			var e struct{ Ts float64 }
			if err := json.Unmarshal([]byte(l), &e); err != nil {
				t.Fatal(err)
			}
			end := time.Unix(0, int64(e.Ts*1e9))
			if end.Truncate(time.Second).After(wr.at) {
				t.Fatalf("a request that ended at %v written at %v", end, wr.at)
			}
			if end.After(last) {
				last = end
			}
			n--
		}
	}
	if n != 0 || last.IsZero() {
		t.Fatalf("%d lines returned but not written", n)
	}
	if now := clock.Now(); now.Before(last) || now.After(last.Add(2*time.Second)) {
		t.Errorf("Write returned at %v, want within 2 s after the last request ended (%v)", now, last)
	}
}
