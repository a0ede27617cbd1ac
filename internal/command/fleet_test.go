package command

import (
	"bytes"
	"encoding/json"
	"hash/fnv"
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

// nginxTimed is the log format of the fleet's traffic: Combined with
// nginx's $request_time, so that the latency rule has durations.
const nginxTimed = `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time`

// fleetRules are alert rules of every kind the fleet's alerts are
// compared on: high traffic, server errors, low traffic, latency.
var fleetRules = []string{"--threshold", "30", "--window", "10s", "--error-rate", "0.03", "--error-min", "20",
	"--low-rate", "8", "--latency", "0.5", "--latency-quantile", "0.9", "--latency-min", "20"}

// fleetTraffic returns request records of traffic that fires and resolves
// every rule of fleetRules, written up to 2 s out of order, split by
// client over hosts: every client's requests go to one host.
func fleetTraffic(t *testing.T, hosts int) (union []byte, split [][]byte) {
	t.Helper()
	log := logmon(t, nil, "gen", "--seed", "7", "--start", "2015-05-17T10:00:00Z", "--rate", "20", "--disorder", "2s",
		"--log-format", nginxTimed, "--phases", "steady:1m,burst:30s,slow:1m,silence:20s,steady:40s:5,steady:40s").ok(t).stdout
	union = []byte(logmon(t, []byte(log), "parse", "--log-format", nginxTimed).ok(t).stdout)
	split = make([][]byte, hosts)
	for _, line := range bytes.SplitAfter(union, []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		var r struct{ Remote string }
		if err := json.Unmarshal(line, &r); err != nil {
			t.Fatal(err)
		}
		h := fnv.New32a()
		h.Write([]byte(r.Remote))
		i := h.Sum32() % uint32(hosts)
		split[i] = append(split[i], line...)
	}
	return union, split
}

// byStart merges the summaries of several hosts in the order of their
// start (stable), as a hub receives them from hosts that run alike.
func byStart(t *testing.T, outs ...string) []byte {
	t.Helper()
	type line struct {
		start string
		text  string
	}
	var all []line
	for _, out := range outs {
		for _, l := range strings.SplitAfter(out, "\n") {
			if l == "" {
				continue
			}
			var r struct{ Start string }
			if err := json.Unmarshal([]byte(l), &r); err != nil {
				t.Fatal(err)
			}
			all = append(all, line{r.Start, l})
		}
	}
	slices.SortStableFunc(all, func(a, b line) int { return strings.Compare(a.start, b.start) })
	var b bytes.Buffer
	for _, l := range all {
		b.WriteString(l.text)
	}
	return b.Bytes()
}

type fleetSummary struct {
	Host            string           `json:"host"`
	Start           string           `json:"start"`
	End             string           `json:"end"`
	Partial         bool             `json:"partial"`
	Requests        int64            `json:"requests"`
	Rate            float64          `json:"rate"`
	Bytes           int64            `json:"bytes"`
	Status          map[string]int64 `json:"status"`
	ErrorShare      float64          `json:"error_share"`
	DistinctClients int64            `json:"distinct_clients"`
	Late            int64            `json:"late"`
	Timed           int64            `json:"timed"`
	P50             float64          `json:"p50"`
	P90             float64          `json:"p90"`
	P99             float64          `json:"p99"`
	Max             float64          `json:"max"`
	Clients         []struct {
		Client string `json:"client"`
		Hits   int64  `json:"hits"`
		Error  int64  `json:"error"`
	} `json:"clients"`
}

func summaries(t *testing.T, out string) []fleetSummary {
	t.Helper()
	var ss []fleetSummary
	for _, l := range strings.SplitAfter(out, "\n") {
		if l == "" {
			continue
		}
		var s fleetSummary
		if err := json.Unmarshal([]byte(l), &s); err != nil {
			t.Fatal(err)
		}
		ss = append(ss, s)
	}
	return ss
}

// TestFleetExactness: a log split by client over 3 hosts, each host's
// 1-second summaries (stats --interval 1s --host hN) folded by alert and
// by stats --interval 10s, gives the alerts of alert over the union,
// record for record, and its 10 s summaries in every exact field, the
// distinct clients within the sketch's error and the top clients within
// their bounds.
func TestFleetExactness(t *testing.T) {
	union, split := fleetTraffic(t, 3)
	var outs []string
	for i, recs := range split {
		host := []string{"h1", "h2", "h3"}[i]
		outs = append(outs, logmon(t, recs, "stats", "--interval", "1s", "--host", host).ok(t).stdout)
	}
	hub := byStart(t, outs...)

	want := logmon(t, union, append([]string{"alert"}, fleetRules...)...).ok(t).stdout
	got := logmon(t, hub, append([]string{"alert"}, fleetRules...)...).ok(t).stdout
	if got != want {
		t.Errorf("the hub's alerts (-want +got):\n%s", lineDiff(want, got))
	}
	for _, rule := range []string{"high_traffic", "error_rate", "low_traffic", "latency"} {
		if !strings.Contains(want, `"rule":"`+rule+`","state":"resolved"`) {
			t.Errorf("the traffic does not fire and resolve %s: the test proves nothing of it\n%s", rule, want)
		}
	}
	// The same summaries again, as after a redelivery: counted once.
	if again := logmon(t, append(slices.Clip(hub), hub...), append([]string{"alert"}, fleetRules...)...).ok(t); again.stdout != want {
		t.Errorf("the hub's alerts with every summary twice (-want +got):\n%s", lineDiff(want, again.stdout))
	} else if !strings.Contains(again.stderr, "repeated summaries") {
		t.Errorf("repeats not reported: %s", again.stderr)
	}

	wantS := summaries(t, logmon(t, union, "stats", "--interval", "10s").ok(t).stdout)
	gotS := summaries(t, logmon(t, hub, "stats", "--interval", "10s").ok(t).stdout)
	if len(gotS) != len(wantS) {
		t.Fatalf("%d summaries from the hub, %d from the union", len(gotS), len(wantS))
	}
	truth := clientCounts(t, union)
	for i := range wantS {
		w, g := wantS[i], gotS[i]
		if math.Abs(float64(g.DistinctClients-w.DistinctClients)) > 0.02*float64(w.DistinctClients)+1 {
			t.Errorf("%s: %d distinct clients, want %d within 2%%", w.Start, g.DistinctClients, w.DistinctClients)
		}
		for _, c := range g.Clients {
			n := truth[w.Start][c.Client]
			if n < c.Hits-c.Error || n > c.Hits {
				t.Errorf("%s: client %s: %d hits (error %d), truly %d", w.Start, c.Client, c.Hits, c.Error, n)
			}
		}
		w.DistinctClients, g.DistinctClients = 0, 0
		w.Clients, g.Clients = nil, nil
		wj, _ := json.Marshal(w)
		gj, _ := json.Marshal(g)
		if string(wj) != string(gj) {
			t.Errorf("summary %d (-want +got):\n-%s\n+%s", i, wj, gj)
		}
	}
}

// clientCounts counts the requests of each client in each 10 s interval,
// by the interval's start.
func clientCounts(t *testing.T, recs []byte) map[string]map[string]int64 {
	t.Helper()
	m := map[string]map[string]int64{}
	for _, line := range bytes.SplitAfter(recs, []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		var r struct {
			Time   time.Time
			Remote string
		}
		if err := json.Unmarshal(line, &r); err != nil {
			t.Fatal(err)
		}
		start := r.Time.Truncate(10 * time.Second).UTC().Format(time.RFC3339)
		if m[start] == nil {
			m[start] = map[string]int64{}
		}
		m[start][r.Remote]++
	}
	return m
}
