package top

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rivo/uniseg"

	"github.com/logmon/logmon/aggregate"
	"github.com/logmon/logmon/alert"
	"github.com/logmon/logmon/internal/clock"
	"github.com/logmon/logmon/internal/diag"
	"github.com/logmon/logmon/internal/driver"
	"github.com/logmon/logmon/internal/input"
	"github.com/logmon/logmon/internal/record"
	"github.com/logmon/logmon/parse"
)

var update = flag.Bool("update", false, "rewrite the golden screens in testdata/")

// trafficFormat is testdata/traffic.log's: written by
//
//	logmon gen --seed 7 --phases steady:2m:3,burst:100s:14,silence:20s,slow:60s:3,steady:60s:3 \
//	  --start 2015-05-17T10:00:00Z --log-format '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent $request_time'
//
// two quiet minutes, a burst that trips high_traffic (5 req/s over 1 min
// here), a silence, a slow minute that trips latency (p90 over 0.5 s
// over 1 min), and quiet again.
const trafficFormat = `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent $request_time`

// feed runs top's folds over the first n lines of testdata/traffic.log,
// as logmon top --threshold 5 --window 1m --latency 0.5
// --latency-quantile 0.9 does (the README shows a screen of it), and
// returns the dashboard and its view.
func feed(t *testing.T, n int) (*Dash, View) {
	t.Helper()
	data, err := os.ReadFile("testdata/traffic.log")
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.SplitAfter(data, []byte("\n"))
	if n < len(lines) {
		lines = lines[:n]
	}
	format, err := parse.Lookup(trafficFormat)
	if err != nil {
		t.Fatal(err)
	}
	dash := New()
	const lateness = 5 * time.Second
	lists, err := aggregate.New(aggregate.Config{Interval: 10 * time.Second, Top: 20, Lateness: lateness}, dash.Interval)
	if err != nil {
		t.Fatal(err)
	}
	chart, err := aggregate.New(aggregate.Config{Interval: time.Second, Top: 1, Lateness: lateness}, dash.Second)
	if err != nil {
		t.Fatal(err)
	}
	rules := []alert.Rule{
		alert.HighTrafficRule(5, time.Minute),
		{Kind: alert.Latency, Threshold: 0.5, Window: time.Minute, Quantile: 0.9, MinRequests: 20},
	}
	eng, err := alert.New(alert.Config{Rules: rules, Lateness: lateness}, dash.Alert)
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(time.Date(2015, 5, 17, 12, 0, 0, 0, time.UTC))
	log, err := diag.New(io.Discard, "top", "info", "text", clk)
	if err != nil {
		t.Fatal(err)
	}
	d := driver.New(driver.Config{Fold: Folds{chart, lists, eng}, Out: &Sink{Dash: dash}, Warn: diag.NewWarner(log, "<stdin>", clk)})
	stream := format.NewStream()
	in := input.Config{In: bytes.NewReader(bytes.Join(lines, nil)), NewParser: func() input.Parser { return stream.NewParser() }}
	if err := d.Run(in); err != nil {
		t.Fatal(err)
	}
	return dash, View{Threshold: 5, Window: 60}
}

// TestGolden: the screens of a fixed stream, at 80x24 and 160x50, are
// those in testdata/*.golden (go test -update rewrites them; review them
// with git diff). One mid-burst, with high_traffic firing and pinned;
// one at the end of the input.
func TestGolden(t *testing.T) {
	for _, tc := range []struct {
		name  string
		lines int
		end   bool
		mod   func(*View)
	}{
		{name: "firing", lines: 1500},
		{name: "ended", lines: 1 << 30, end: true},
		{name: "slow", lines: 1850},
		{name: "help", lines: 1500, mod: func(v *View) { v.Help = true }},
		{name: "clients", lines: 1500, mod: func(v *View) { v.List, v.Paused = listClients, true }},
	} {
		dash, v := feed(t, tc.lines)
		if tc.end {
			dash.End()
		}
		if tc.mod != nil {
			tc.mod(&v)
		}
		for _, size := range [][2]int{{80, 24}, {160, 50}} {
			name := fmt.Sprintf("%s-%dx%d", tc.name, size[0], size[1])
			t.Run(name, func(t *testing.T) {
				got := Render(dash.Snapshot(), size[0], size[1], v).String()
				checkFits(t, got, size[0], size[1])
				path := filepath.Join("testdata", name+".golden")
				if *update {
					if err := os.WriteFile(path, []byte(got+"\n"), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (go test -update writes it)", err)
				}
				if got+"\n" != string(want) {
					t.Errorf("screen differs from %s (-want +got):\n%s", path, diffLines(string(want), got+"\n"))
				}
			})
		}
	}
}

// checkFits fails unless s is exactly height lines, none wider than width.
func checkFits(t *testing.T, s string, width, height int) {
	t.Helper()
	lines := strings.Split(s, "\n")
	if len(lines) != height {
		t.Errorf("%d lines, want %d", len(lines), height)
	}
	for i, l := range lines {
		if w := uniseg.StringWidth(l); w > width {
			t.Errorf("line %d is %d wide, more than %d: %q", i+1, w, width, l)
		}
	}
}

func diffLines(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := range max(len(w), len(g)) {
		var a, c string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			c = g[i]
		}
		if a != c {
			fmt.Fprintf(&b, "%3d -%s\n    +%s\n", i+1, a, c)
		}
	}
	return b.String()
}

// TestFits: every size from a tiny terminal up fits, and follows a
// resize: the screen is redrawn to the size it is given.
func TestFits(t *testing.T) {
	dash, v := feed(t, 1500)
	s := dash.Snapshot()
	for _, size := range [][2]int{{80, 24}, {81, 25}, {100, 30}, {120, 40}, {200, 60}, {300, 100}, {40, 10}, {20, 5}, {1, 1}} {
		got := Render(s, size[0], size[1], v).String()
		checkFits(t, got, size[0], size[1])
	}
}

// TestHostile: text from the log reaches the screen escaped, as render
// shows it: no escape sequence, control character or bidi control.
func TestHostile(t *testing.T) {
	dash := New()
	at := time.Date(2015, 5, 17, 10, 0, 0, 0, time.UTC)
	evil := "/\x1b[2J\x1b]0;pwned\x07\u202eevil\r\n"
	dash.Second(&record.Summary{Start: at, End: at.Add(time.Second), Requests: 3})
	dash.Interval(&record.Summary{
		Start: at, End: at.Add(10 * time.Second), Requests: 3,
		Sections: []record.SectionHits{{Section: evil, Hits: 3}},
		Clients:  []record.ClientHits{{Client: evil, Hits: 3}},
		Networks: []record.NetworkHits{{Network: evil, Hits: 3, ASN: 1, ASOrg: evil}},
		Methods:  []record.MethodHits{{Method: evil, Hits: 3}},
	})
	dash.Alert(&record.Alert{ID: evil, Rule: evil, State: record.Firing, Time: at, Rate: 1, Threshold: 0.5})
	dash.Warn("logmon top: <stdin>:1: bad line " + evil)
	v := View{Threshold: 1}
	for list := range nLists {
		v.List = list
		got := Render(dash.Snapshot(), 200, 40, v).String()
		for _, bad := range []string{"\x1b", "\x07", "\r", "\u202e"} {
			if strings.Contains(got, bad) {
				t.Errorf("list %d: the screen holds %q:\n%s", list, bad, got)
			}
		}
		if !strings.Contains(got, `\x1b[2J`) || !strings.Contains(got, `\u202e`) {
			t.Errorf("list %d: the hostile text is not shown escaped:\n%s", list, got)
		}
	}
}
