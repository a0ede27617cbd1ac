package aggregate

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/logmon/logmon/internal/record"
	"github.com/logmon/logmon/internal/topk"
)

const t0 = 1431856800 // 2015-05-17T10:00:00Z, a multiple of 10 s

type req struct {
	sec     int64 // after t0
	section string
	status  int
	client  string
	method  string
	bytes   int64
}

func r(sec int64, section string, status int) req {
	return req{sec: sec, section: section, status: status, client: "10.0.0.1", method: "GET", bytes: 100}
}

// run feeds reqs (and idle ticks, as req with status -1 meaning "tick at
// sec") and returns the summaries as decoded JSON, so the wire format is
// what is compared.
func run(t *testing.T, cfg Config, reqs []req) []record.Summary {
	t.Helper()
	var out []record.Summary
	a, err := New(cfg, func(s *record.Summary) error {
		var d record.Decoder
		var got record.Summary
		if err := d.Summary(s.AppendJSON(nil), &got); err != nil {
			t.Fatal(err)
		}
		out = append(out, got)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	last := int64(0) // lines arrive at their own time
	for _, q := range reqs {
		if q.status == -1 {
			if err := a.Idle(time.Unix(t0+q.sec, 0), time.Unix(t0+last, 0)); err != nil {
				t.Fatal(err)
			}
			continue
		}
		pr := record.Request{
			Sec: t0 + q.sec, Status: q.status, Bytes: q.bytes,
			Remote: []byte(q.client), Method: []byte(q.method),
		}
		if q.section != "" {
			pr.Section = []byte(q.section)
		}
		if err := a.Request(&pr); err != nil {
			t.Fatal(err)
		}
		last = q.sec
	}
	if err := a.End(); err != nil {
		t.Fatal(err)
	}
	return out
}

func defaults() Config { return Config{Interval: 10 * time.Second, Top: 5, Lateness: 5 * time.Second} }

// brief is a summary reduced to interval, requests and late.
func brief(ss []record.Summary) []string {
	var b []string
	for _, s := range ss {
		p := ""
		if s.Partial {
			p = " partial"
		}
		b = append(b, fmt.Sprintf("[%d,%d) %d late %d%s", s.Start.Unix()-t0, s.End.Unix()-t0, s.Requests, s.Late, p))
	}
	return b
}

func TestIntervals(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		reqs []req
		want []string
	}{
		{
			name: "aligned to multiples of the interval, last partial",
			cfg:  defaults(),
			reqs: []req{r(3, "/a", 200), r(9, "/a", 200), r(10, "/a", 200), r(24, "/a", 200)},
			want: []string{"[0,10) 2 late 0", "[10,20) 1 late 0", "[20,30) 1 late 0 partial"},
		},
		{
			name: "last interval complete when its last second is seen",
			cfg:  defaults(),
			reqs: []req{r(5, "/a", 200), r(19, "/a", 200)},
			want: []string{"[0,10) 1 late 0", "[10,20) 1 late 0"},
		},
		{
			name: "a silence writes empty summaries",
			cfg:  defaults(),
			reqs: []req{r(1, "/a", 200), r(35, "/a", 200)},
			want: []string{"[0,10) 1 late 0", "[10,20) 0 late 0", "[20,30) 0 late 0", "[30,40) 1 late 0 partial"},
		},
		{
			name: "a line within lateness counts in its own interval",
			cfg:  defaults(),
			reqs: []req{r(8, "/a", 200), r(13, "/a", 200), r(9, "/a", 200), r(19, "/a", 200)},
			want: []string{"[0,10) 2 late 0", "[10,20) 2 late 0"},
		},
		{
			name: "a line earlier than the first, within lateness",
			cfg:  defaults(),
			reqs: []req{r(12, "/a", 200), r(8, "/a", 200), r(19, "/a", 200)},
			want: []string{"[0,10) 1 late 0", "[10,20) 2 late 0"},
		},
		{
			name: "a late line is counted in the earliest open second and marked",
			cfg:  defaults(),
			// When 17 is seen, seconds up to 11 are judged: [0,10) is
			// written, and the line of second 2 counts in second 12.
			reqs: []req{r(1, "/a", 200), r(17, "/a", 200), r(2, "/a", 200), r(29, "/a", 200)},
			want: []string{"[0,10) 1 late 0", "[10,20) 2 late 1", "[20,30) 1 late 0"},
		},
		{
			name: "interval is a setting",
			cfg:  Config{Interval: time.Minute, Top: 5},
			reqs: []req{r(1, "/a", 200), r(59, "/a", 200), r(60, "/a", 200), r(119, "/a", 200)},
			want: []string{"[0,60) 2 late 0", "[60,120) 2 late 0"},
		},
		{
			name: "a huge jump writes one empty summary for the silence",
			cfg:  defaults(),
			reqs: []req{r(1, "/a", 200), r(10_000_000_005, "/a", 200)},
			want: []string{"[0,10) 1 late 0", "[10,10000000000) 0 late 0", "[10000000000,10000000010) 1 late 0 partial"},
		},
		{
			name: "live: the wall clock writes summaries through a silence",
			cfg:  defaults(),
			reqs: []req{r(1, "/a", 200), {sec: 10, status: -1}, {sec: 16, status: -1}, {sec: 26, status: -1}},
			// The end of input then judges up to the wall-clock time
			// reached: [20,30) is written, partial.
			want: []string{"[0,10) 1 late 0", "[10,20) 0 late 0", "[20,30) 0 late 0 partial"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := brief(run(t, tt.cfg, tt.reqs))
			if !slices.Equal(got, tt.want) {
				t.Errorf("summaries (-want +got):\n-%q\n+%q", tt.want, got)
			}
		})
	}
}

func TestSummaryFields(t *testing.T) {
	reqs := []req{
		{sec: 1, section: "/b", status: 200, client: "1.1.1.1", method: "GET", bytes: 10},
		{sec: 2, section: "/a", status: 200, client: "1.1.1.1", method: "GET", bytes: 20},
		{sec: 3, section: "/b", status: 301, client: "2.2.2.2", method: "POST", bytes: 30},
		{sec: 4, section: "/c", status: 404, client: "2.2.2.2", method: "GET", bytes: 0},
		{sec: 5, section: "/a", status: 503, client: "3.3.3.3", method: "HEAD", bytes: 0},
		{sec: 6, section: "/d", status: 102, client: "1.1.1.1", method: "GET", bytes: 40},
		{sec: 7, section: "", status: 700, client: "1.1.1.1", method: "GET", bytes: 0},
		{sec: 9, section: "/e", status: 500, client: "4.4.4.4", method: "GET", bytes: 0},
	}
	got := run(t, Config{Interval: 10 * time.Second, Top: 2}, reqs)
	want := []record.Summary{{
		Start:    time.Unix(t0, 0).UTC(),
		End:      time.Unix(t0+10, 0).UTC(),
		Requests: 8,
		Rate:     0.8,
		Bytes:    100,
		// hits, then name: /a and /b have 2 each.
		Sections:        []record.SectionHits{{Section: "/a", Hits: 2}, {Section: "/b", Hits: 2}},
		Status:          record.StatusClasses{C1xx: 1, C2xx: 2, C3xx: 1, C4xx: 1, C5xx: 2, Other: 1},
		ErrorShare:      0.25,
		Methods:         []record.MethodHits{{Method: "GET", Hits: 6}, {Method: "HEAD", Hits: 1}},
		Clients:         []record.ClientHits{{Client: "1.1.1.1", Hits: 4}, {Client: "2.2.2.2", Hits: 2}},
		Networks:        []record.NetworkHits{{Network: "1.1.1.0/24", Hits: 4}, {Network: "2.2.2.0/24", Hits: 2}},
		DistinctClients: 4,
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("summary (-want +got):\n-%+v\n+%+v", want, got)
	}
}

func TestPartialRate(t *testing.T) {
	got := run(t, defaults(), []req{r(0, "/a", 200), r(1, "/a", 200), r(2, "/a", 200), r(3, "/a", 200)})
	// Four requests over the four seconds covered, not over ten.
	if len(got) != 1 || !got[0].Partial || got[0].Rate != 1 {
		t.Errorf("got %+v, want one partial summary with rate 1", got)
	}
}

func TestEmptySummaryJSON(t *testing.T) {
	s := record.Summary{Start: time.Unix(t0, 0), End: time.Unix(t0+10, 0)}
	j := string(s.AppendJSON(nil))
	for _, want := range []string{`"type":"summary"`, `"start":"2015-05-17T10:00:00Z"`, `"sections":[]`, `"clients":[]`} {
		if !strings.Contains(j, want) {
			t.Errorf("%s lacks %s", j, want)
		}
	}
}

func TestDisorderWithinLateness(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	sections := []string{"/a", "/b", "/c", "/d"}
	var sorted []req
	for s := int64(0); s < 600; s++ {
		for range rng.IntN(6) {
			sorted = append(sorted, req{sec: s, section: sections[rng.IntN(4)], status: 200 + 100*rng.IntN(4),
				client: fmt.Sprint("10.0.0.", rng.IntN(9)), method: "GET", bytes: rng.Int64N(1000)})
		}
	}
	want := run(t, defaults(), sorted)
	type delayed struct {
		q  req
		at int64
	}
	ds := make([]delayed, len(sorted))
	for i, q := range sorted {
		ds[i] = delayed{q, q.sec*1000 + rng.Int64N(6000)} // up to the 5 s lateness
	}
	slices.SortStableFunc(ds, func(a, b delayed) int { return int(a.at - b.at) })
	shuffled := make([]req, len(ds))
	for i, d := range ds {
		shuffled[i] = d.q
	}
	if slices.Equal(shuffled, sorted) {
		t.Fatal("shuffle moved nothing")
	}
	if got := run(t, defaults(), shuffled); !reflect.DeepEqual(got, want) {
		t.Errorf("shuffled input gives other summaries than sorted input")
	}
}

// BenchmarkRequest: a request with no duration, and with one (timed):
// what the latency sketch adds to stats per request.
func BenchmarkRequest(b *testing.B) {
	b.Run("untimed", func(b *testing.B) { benchRequest(b, nil) })
	rng := rand.New(rand.NewPCG(1, 2))
	durations := make([]float64, 4096)
	for i := range durations {
		durations[i] = math.Exp(rng.NormFloat64()*1.2 - 3) // lognormal, median 50 ms
	}
	b.Run("timed", func(b *testing.B) { benchRequest(b, durations) })
}

func benchRequest(b *testing.B, durations []float64) {
	b.ReportAllocs()
	b.SetBytes(1) // one request per op
	var total int64
	a, err := New(defaults(), func(s *record.Summary) error { total += s.Requests; return nil })
	if err != nil {
		b.Fatal(err)
	}
	sections := [][]byte{[]byte("/api"), []byte("/static"), []byte("/images"), []byte("/blog")}
	clients := make([][]byte, 300)
	for i := range clients {
		clients[i] = []byte(fmt.Sprintf("10.0.%d.%d", i/256, i%256))
	}
	r := record.Request{Method: []byte("GET"), Status: 200, Bytes: 1000}
	for i := range b.N {
		r.Sec = t0 + int64(i)/1000
		r.Section = sections[i%len(sections)]
		r.Remote = clients[(i*7)%len(clients)]
		if durations != nil {
			r.Duration, r.Timed = durations[i%len(durations)], true
		}
		if err := a.Request(&r); err != nil {
			b.Fatal(err)
		}
	}
	a.End()
	if total != int64(b.N) {
		b.Fatalf("summaries count %d requests, want %d", total, b.N)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, tt := range []struct {
		cfg  Config
		want string
	}{
		{Config{Interval: 0, Top: 5}, "interval must be whole seconds, at least 1s: 0s"},
		{Config{Interval: 1500 * time.Millisecond, Top: 5}, "interval must be whole seconds, at least 1s: 1.5s"},
		{Config{Interval: time.Second, Top: 0}, "top must be between 1 and 1000: 0"},
		{Config{Interval: time.Second, Top: 1001}, "top must be between 1 and 1000: 1001"},
		{Config{Interval: time.Second, Top: 1, Lateness: 2 * time.Hour}, "lateness must be whole seconds between 0s and 1h0m0s: 2h0m0s"},
		{Config{Interval: time.Second, Top: 1, Host: "web1", NoDistinct: true}, "the summaries of a host carry their distinct clients: NoDistinct cannot go with Host"},
	} {
		if _, err := New(tt.cfg, nil); err == nil || err.Error() != tt.want && !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("New(%+v) = %v, want %q", tt.cfg, err, tt.want)
		}
	}
}

// TestLists: Config.Lists is handed each interval's whole lists as its
// summary is written, before the summary, however short the summary's own
// lists (Top 1): every section, method, client and network of the
// interval, with its count.
func TestLists(t *testing.T) {
	cfg := defaults()
	cfg.Top = 1
	var got []string
	cfg.Lists = func(sections, methods, clients, networks *topk.Summary) {
		var b strings.Builder
		for _, l := range []*topk.Summary{sections, methods, clients, networks} {
			es := l.Entries()
			for _, e := range es {
				fmt.Fprintf(&b, "%s:%d ", e.Key, e.Count)
			}
			b.WriteString("| ")
		}
		got = append(got, b.String())
	}
	emitted := 0
	a, err := New(cfg, func(s *record.Summary) error {
		emitted++
		if len(got) != emitted {
			t.Errorf("summary %d written with %d lists handed over", emitted, len(got))
		}
		if len(s.Clients) != 1 {
			t.Errorf("summary %d lists %d clients, want 1 (Top)", emitted, len(s.Clients))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, q := range []req{
		{sec: 1, section: "/a", client: "10.0.0.1", method: "GET"},
		{sec: 2, section: "/b", client: "10.0.0.2", method: "GET"},
		{sec: 3, section: "/a", client: "10.0.1.3", method: "POST"},
		{sec: 12, section: "/c", client: "10.0.0.1", method: "GET"},
	} {
		pr := record.Request{Sec: t0 + q.sec, Status: 200, Remote: []byte(q.client), Method: []byte(q.method), Section: []byte(q.section)}
		if err := a.Request(&pr); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	if err := a.End(); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"/a:2 /b:1 | GET:2 POST:1 | 10.0.0.1:1 10.0.0.2:1 10.0.1.3:1 | 10.0.0.0/24:2 10.0.1.0/24:1 | ",
		"/c:1 | GET:1 | 10.0.0.1:1 | 10.0.0.0/24:1 | ",
	}
	if !slices.Equal(got, want) {
		t.Errorf("lists handed over:\n%q\nwant\n%q", got, want)
	}
}

// TestNoDistinct: without the distinct clients counted, the summaries are
// what they were but for DistinctClients, which is 0.
func TestNoDistinct(t *testing.T) {
	var reqs []req
	for i := range 300 {
		q := r(int64(i/10), fmt.Sprintf("/s%d", i%7), 200+i%4*100)
		q.client = fmt.Sprintf("10.0.%d.%d", i%40/20, i%40)
		reqs = append(reqs, q)
	}
	with := run(t, defaults(), reqs)
	cfg := defaults()
	cfg.NoDistinct = true
	without := run(t, cfg, reqs)
	if len(with) != len(without) || len(with) != 3 {
		t.Fatalf("%d summaries with the distinct clients, %d without; want 3", len(with), len(without))
	}
	for i := range with {
		if with[i].DistinctClients != 40 {
			t.Errorf("summary %d: %d distinct clients, want 40", i, with[i].DistinctClients)
		}
		if without[i].DistinctClients != 0 {
			t.Errorf("summary %d, NoDistinct: %d distinct clients, want 0", i, without[i].DistinctClients)
		}
		w := with[i]
		w.DistinctClients = 0
		if !reflect.DeepEqual(w, without[i]) {
			t.Errorf("summary %d differs beyond its distinct clients:\n%+v\nwant\n%+v", i, without[i], w)
		}
	}
}

// TestListsTopZero: with Lists, Top 0 gives summaries without lists of
// their own, and Lists is handed the same lists as with Top 1.
func TestListsTopZero(t *testing.T) {
	var got [2][]string
	for i, top := range []int{1, 0} {
		cfg := defaults()
		cfg.Top = top
		cfg.Lists = func(sections, methods, clients, networks *topk.Summary) {
			var b strings.Builder
			for _, l := range []*topk.Summary{sections, methods, clients, networks} {
				for _, e := range l.Entries() {
					fmt.Fprintf(&b, "%s:%d ", e.Key, e.Count)
				}
				b.WriteString("| ")
			}
			got[i] = append(got[i], b.String())
		}
		var reqs []req
		for j := range 50 {
			q := r(int64(j/2), fmt.Sprintf("/s%d", j%3), 200)
			q.client = fmt.Sprintf("10.0.%d.%d", j%2, j%7)
			reqs = append(reqs, q)
		}
		for k, s := range run(t, cfg, reqs) {
			if n := len(s.Sections) + len(s.Methods) + len(s.Clients) + len(s.Networks); top == 0 && n != 0 {
				t.Errorf("Top 0: summary %d lists %d entries, want none", k, n)
			}
		}
	}
	if len(got[0]) != 3 || !slices.Equal(got[0], got[1]) {
		t.Errorf("lists handed over with Top 1:\n%q\nwith Top 0:\n%q", got[0], got[1])
	}
	if _, err := New(Config{Interval: time.Second}, nil); err == nil {
		t.Error("Top 0 without Lists: accepted")
	}
}
