package command

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/logmon/logmon/internal/gen"
)

// TestEveryFormatRoundTrip: the same traffic written by gen in every
// format parse reads is read back by parse, with auto picking the format
// gen wrote (a format string is given, as auto never guesses one): no
// line rejected, the same requests as in Combined (method, target,
// status), and a duration wherever the format logs one.
func TestEveryFormatRoundTrip(t *testing.T) {
	genArgs := []string{"gen", "--seed", "11", "--start", "2015-05-17T10:00:00Z", "--phases", "steady:20s:20"}
	combined := logmon(t, nil, genArgs...).ok(t).stdout
	want := requestsOf(t, logmon(t, []byte(combined), "parse").ok(t).stdout, "combined")
	formats := append(gen.Names(), gen.NginxBench, gen.ApacheBench)
	for _, f := range formats {
		t.Run(strings.ReplaceAll(f, "/", "_"), func(t *testing.T) {
			log := logmon(t, nil, append(genArgs, "--log-format", f)...).ok(t).stdout
			args := []string{"parse"}
			if strings.ContainsAny(f, "$%") {
				args = append(args, "--log-format", f)
			}
			r := logmon(t, []byte(log), args...).ok(t)
			if strings.Contains(r.stderr, "rejected") && !strings.Contains(r.stderr, " 0 rejected") {
				t.Fatalf("lines rejected:\n%s", cut([]byte(r.stderr)))
			}
			picked := f
			switch f {
			case "common", "vhost_combined":
				picked = "combined" // one parser, which auto names by the family's commonest
			case "haproxy":
				picked = "syslog-haproxy" // gen writes it as HAProxy logs: to syslog
			}
			if len(args) == 1 && !strings.Contains(r.stderr, "log format "+picked+",") {
				t.Errorf("auto did not pick %s:\n%s", f, cut([]byte(r.stderr)))
			}
			got := requestsOf(t, r.stdout, f)
			if !slices.Equal(got, want) {
				t.Errorf("%d requests, want %d; first differences:\n%s", len(got), len(want), diffSorted(got, want))
			}
			timed := strings.Count(r.stdout, `"duration":`)
			if logsDuration(f) && timed != len(got) {
				t.Errorf("%d of %d requests have a duration", timed, len(got))
			}
		})
	}
}

// logsDuration: the formats gen writes a duration in.
func logsDuration(f string) bool {
	switch f {
	case "common", "combined", "vhost_combined", "syslog-combined", "lighttpd":
		return false
	}
	return true
}

// requestsOf reduces request records to what every format carries
// (method, section, status: AWS's logs have the absolute URL as the
// target), sorted: the formats
// stamp a request at its start or at its end, and write their lines in
// that order.
func requestsOf(t *testing.T, out, format string) []string {
	t.Helper()
	var keys []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var r struct {
			Method, Section string
			Status          int
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("%s: %v: %s", format, err, line)
		}
		keys = append(keys, fmt.Sprintf("%s %s %d", r.Method, r.Section, r.Status))
	}
	slices.Sort(keys)
	return keys
}

func diffSorted(got, want []string) string {
	var b strings.Builder
	n := 0
	for i := 0; i < max(len(got), len(want)) && n < 5; i++ {
		var g, w string
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if g != w {
			fmt.Fprintf(&b, "  got %q, want %q\n", g, w)
			n++
		}
	}
	return b.String()
}
