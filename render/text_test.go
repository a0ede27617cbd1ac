package render

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/logmon/logmon/internal/record"
	"github.com/logmon/logmon/internal/termsafe/termsafetest"
)

func sampleRequest() *record.Request {
	return &record.Request{
		Sec:      1431857103, // 2015-05-17T10:05:03Z
		Remote:   []byte("83.149.9.216"),
		Method:   []byte("GET"),
		Path:     []byte("/presentations/x.png"),
		Section:  []byte("/presentations"),
		Protocol: []byte("HTTP/1.1"),
		Status:   200,
		Bytes:    203023,
		Referer:  []byte("http://semicomplete.com/presentations/"),
		Agent:    []byte("Mozilla/5.0"),
	}
}

func sampleSummary() *record.Summary {
	return &record.Summary{
		Start:      time.Date(2015, 5, 17, 10, 5, 0, 0, time.UTC),
		End:        time.Date(2015, 5, 17, 10, 5, 10, 0, time.UTC),
		Requests:   42,
		Rate:       4.2,
		Bytes:      1234567,
		Sections:   []record.SectionHits{{Section: "/presentations", Hits: 30}, {Section: "/images", Hits: 5}, {Section: "/blog", Hits: 3}},
		Status:     record.StatusClasses{C2xx: 38, C3xx: 1, C4xx: 2, C5xx: 1},
		ErrorShare: 1.0 / 42,
		Methods:    []record.MethodHits{{Method: "GET", Hits: 40}, {Method: "POST", Hits: 2}},
		Clients:    []record.ClientHits{{Client: "83.149.9.216", Hits: 12}, {Client: "10.0.0.7", Hits: 9}},

		DistinctClients: 17,
	}
}

func sampleAlert() *record.Alert {
	return &record.Alert{
		Rule:      "high_traffic",
		State:     record.Firing,
		Time:      time.Date(2015, 5, 17, 10, 7, 0, 0, time.UTC),
		Hits:      1201,
		Rate:      10.01,
		Threshold: 10,
		Window:    120,
		Message:   "High traffic generated an alert - hits = 1201, triggered at 2015-05-17T10:07:00Z",
	}
}

// typeOf returns the type record.Decoder.Record reads in line, which a
// stage hands to Raw with it. (A stage does not hand on a line Record
// refuses; the tests do, to see the sink refuse it too.)
func typeOf(line []byte) record.Type {
	var d record.Decoder
	var r record.Request
	typ, _ := d.Record(line, &r)
	return typ
}

// call is one call on a Sink.
type call struct {
	req *record.Request
	sum *record.Summary
	al  *record.Alert
	raw string
}

func (rec call) send(t testing.TB, s Sink) {
	t.Helper()
	var err error
	switch {
	case rec.req != nil:
		err = s.Request(rec.req)
	case rec.sum != nil:
		err = s.Summary(rec.sum)
	case rec.al != nil:
		err = s.Alert(rec.al)
	default:
		err = s.Raw(typeOf([]byte(rec.raw)), []byte(rec.raw))
	}
	if err != nil {
		t.Fatalf("writing %+v: %v", rec, err)
	}
}

// renderText writes the records to a text sink and returns its output.
func renderText(t testing.TB, color bool, recs ...call) string {
	t.Helper()
	var out bytes.Buffer
	s := NewText(&out, color)
	for _, rec := range recs {
		rec.send(t, s)
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// toJSON writes the record with a JSON sink and returns the line without
// its newline, as the next stage reads it.
func toJSON(t testing.TB, rec call) string {
	t.Helper()
	var out bytes.Buffer
	s := NewJSON(&out)
	rec.send(t, s)
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(out.String(), "\n")
}

var textTests = []struct {
	name string
	rec  call
	want string
}{
	{
		name: "request",
		rec:  call{req: sampleRequest()},
		want: "2015-05-17T10:05:03Z  83.149.9.216     GET /presentations/x.png  200  203023\n",
	},
	{
		name: "request with vhost, user and fraction",
		rec: call{req: func() *record.Request {
			r := sampleRequest()
			r.Nsec = 250000000
			r.VHost = []byte("www.example.com")
			r.User = []byte("alice")
			r.Remote = []byte("10.0.0.1")
			r.Status = 404
			return r
		}()},
		want: "2015-05-17T10:05:03.25Z  www.example.com  10.0.0.1 alice   GET /presentations/x.png  404  203023\n",
	},
	{
		name: "request without method shows the raw request",
		rec: call{req: &record.Request{
			Sec: 1431857103, Remote: []byte("::1"), Request: []byte("\x16\x03\x01"), Status: 400,
		}},
		want: `2015-05-17T10:05:03Z  ::1              \x16\x03\x01  400  0` + "\n",
	},
	{
		name: "request with nothing but a time",
		rec:  call{req: &record.Request{Sec: 1431857103}},
		want: "2015-05-17T10:05:03Z  -                -  -  0\n",
	},
	{
		name: "request with hostile fields",
		rec: call{req: &record.Request{
			Sec: 1431857103, Remote: []byte("1.2.3.4\x1b[2J"), User: []byte("\u202eroot"),
			Method: []byte("GET"), Path: []byte("/\x1b]0;pwned\x07\r\n\u009b"), Status: 200, Bytes: 5,
		}},
		want: `2015-05-17T10:05:03Z  1.2.3.4\x1b[2J \u202eroot  GET /\x1b]0;pwned\a\r\n\u009b  200  5` + "\n",
	},
	{
		name: "summary",
		rec:  call{sum: sampleSummary()},
		want: "10:05:00–10:05:10 UTC 2015-05-17  42 req  4.2 req/s  1.2 MB  5xx 2.4%\n" +
			"  sections  /presentations 30  /images 5  /blog 3\n" +
			"  status    2xx 38  3xx 1  4xx 2  5xx 1\n" +
			"  methods   GET 40  POST 2\n" +
			"  clients   83.149.9.216 12  10.0.0.7 9  (17 distinct)\n" +
			"\n",
	},
	{
		name: "summary of a busy interval, with bounded counts",
		rec: call{sum: &record.Summary{
			Start: time.Date(2015, 5, 17, 10, 5, 0, 0, time.UTC), End: time.Date(2015, 5, 17, 10, 5, 10, 0, time.UTC),
			Requests: 3000000, Rate: 300000,
			Sections:        []record.SectionHits{{Section: "/a", Hits: 900}, {Section: "/b", Hits: 700, Error: 650}},
			Status:          record.StatusClasses{C2xx: 3000000},
			Methods:         []record.MethodHits{{Method: "GET", Hits: 3000000}},
			Clients:         []record.ClientHits{{Client: "10.0.0.1", Hits: 20, Error: 19}},
			DistinctClients: 2999000,
		}},
		want: "10:05:00–10:05:10 UTC 2015-05-17  3000000 req  300000 req/s  0 B  5xx 0%\n" +
			"  sections  /a 900  /b ≤700\n" +
			"  status    2xx 3000000  3xx 0  4xx 0  5xx 0\n" +
			"  methods   GET 3000000\n" +
			"  clients   10.0.0.1 ≤20  (2999000 distinct)\n" +
			"\n",
	},
	{
		name: "summary partial and late across midnight",
		rec: call{sum: &record.Summary{
			Start:    time.Date(2015, 5, 17, 23, 59, 55, 0, time.UTC),
			End:      time.Date(2015, 5, 18, 0, 0, 5, 0, time.UTC),
			Partial:  true,
			Requests: 3, Rate: 0.3, Bytes: 999,
			Sections: []record.SectionHits{{Section: "", Hits: 3}},
			Status:   record.StatusClasses{C1xx: 1, C2xx: 1, Other: 1},
			Clients:  []record.ClientHits{{Client: "\x1b[5mblink", Hits: 3}},
			Late:     2, DistinctClients: 1,
		}},
		want: "2015-05-17 23:59:55–2015-05-18 00:00:05 UTC  3 req  0.3 req/s  999 B  5xx 0%  partial  late 2\n" +
			"  sections  - 3\n" +
			"  status    2xx 1  3xx 0  4xx 0  5xx 0  1xx 1  other 1\n" +
			"  methods   -\n" +
			`  clients   \x1b[5mblink 3  (1 distinct)` + "\n" +
			"\n",
	},
	{
		name: "summary of a fleet host names it",
		rec: call{sum: &record.Summary{
			Start: time.Date(2015, 5, 17, 10, 5, 0, 0, time.UTC), End: time.Date(2015, 5, 17, 10, 5, 10, 0, time.UTC),
			Host: "web-1\x1b[2J", Requests: 1, Rate: 0.1, Bytes: 5,
			Status: record.StatusClasses{C2xx: 1}, DistinctClients: 1,
		}},
		want: `10:05:00–10:05:10 UTC 2015-05-17  host web-1\x1b[2J  1 req  0.1 req/s  5 B  5xx 0%` + "\n" +
			"  sections  -\n" +
			"  status    2xx 1  3xx 0  4xx 0  5xx 0\n" +
			"  methods   -\n" +
			"  clients   -  (1 distinct)\n" +
			"\n",
	},
	{
		name: "empty summary",
		rec: call{sum: &record.Summary{
			Start: time.Date(2015, 5, 17, 10, 5, 0, 0, time.UTC),
			End:   time.Date(2015, 5, 17, 10, 5, 10, 0, time.UTC),
		}},
		// A silence is one line per interval.
		want: "10:05:00–10:05:10 UTC 2015-05-17  0 req  0 req/s  0 B  5xx 0%\n",
	},
	{
		name: "alert firing",
		rec:  call{al: sampleAlert()},
		want: "ALERT  High traffic generated an alert - hits = 1201, triggered at 2015-05-17T10:07:00Z  [high_traffic: 10.01 req/s > 10 req/s over 2m]\n",
	},
	{
		name: "alert resolved",
		rec: call{al: &record.Alert{
			Rule: "high_traffic", State: record.Resolved, Time: time.Date(2015, 5, 17, 10, 9, 0, 0, time.UTC),
			Hits: 900, Message: "High traffic recovered at 2015-05-17T10:09:00Z",
		}},
		want: "RESOLVED  High traffic recovered at 2015-05-17T10:09:00Z\n",
	},
	{
		name: "alert without message",
		rec: call{al: &record.Alert{
			Rule: "high_traffic", State: "\x1b[8mhidden", Time: time.Date(2015, 5, 17, 10, 9, 0, 0, time.UTC), Hits: 900,
		}},
		want: `ALERT  high_traffic \x1b[8mhidden - hits = 900 at 2015-05-17T10:09:00Z` + "\n",
	},
	{
		name: "alert of each kind names its value and threshold",
		rec: call{al: &record.Alert{
			Rule: "slow\x1b[2J", State: record.Resolved, Time: time.Date(2015, 5, 17, 10, 9, 0, 0, time.UTC),
			Hits: 900, Threshold: 0.5, Window: 30, Quantile: ptr(0.9), Timed: ptr(int64(900)), Latency: ptr(0.25), Message: "latency recovered",
		}},
		want: `RESOLVED  latency recovered  [slow\x1b[2J: p90 0.25 s < 0.5 s over 30s]` + "\n",
	},
	{
		name: "error rate",
		rec: call{al: &record.Alert{
			Rule: "error_rate", State: record.Firing, Time: time.Date(2015, 5, 17, 10, 9, 0, 0, time.UTC),
			Hits: 100, Threshold: 0.05, Window: 3600, Errors: ptr(int64(10)), Ratio: ptr(0.1), Message: "errors",
		}},
		want: "ALERT  errors  [error_rate: 0.1 > 0.05 over 1h]\n",
	},
	{
		name: "alert with hostile message",
		rec:  call{al: &record.Alert{State: record.Firing, Message: "ok\r\x1b[32mall clear\u202e"}},
		want: `ALERT  ok\r\x1b[32mall clear\u202e` + "\n",
	},
	{
		name: "unknown record",
		rec:  call{raw: "{\"type\":\"heartbeat\", \"note\":\"\\u001b[31m\u202e\",\t\"n\":1}"},
		want: `{"type":"heartbeat", "note":"\u001b[31m\u202e", "n":1}` + "\n",
	},
}

func TestText(t *testing.T) {
	for _, tt := range textTests {
		t.Run(tt.name, func(t *testing.T) {
			got := renderText(t, false, tt.rec)
			if got != tt.want {
				t.Errorf("text mismatch (-want +got):\n-%s\n+%s", tt.want, got)
			}
			termsafetest.Check(t, "output", []byte(got), strings.Count(tt.want, "\n"))
		})
	}
}

// TestTextRaw checks that a record read back from its JSON line looks
// the same as the record itself.
func TestTextRaw(t *testing.T) {
	for _, tt := range textTests {
		if tt.rec.raw != "" {
			continue
		}
		t.Run(tt.name, func(t *testing.T) {
			line := toJSON(t, tt.rec)
			got := renderText(t, false, call{raw: line})
			if got != tt.want {
				t.Errorf("text of %s mismatch (-want +got):\n-%s\n+%s", line, tt.want, got)
			}
		})
	}
}

var ansiCode = regexp.MustCompile("\x1b\\[[0-9;]*m")

func TestTextColor(t *testing.T) {
	for _, tt := range textTests {
		t.Run(tt.name, func(t *testing.T) {
			got := renderText(t, true, tt.rec)
			if tt.rec.raw == "" && !strings.Contains(got, "\x1b[") {
				t.Errorf("colour output has no ANSI code: %q", got)
			}
			if plain := ansiCode.ReplaceAllString(got, ""); plain != tt.want {
				t.Errorf("colour output without its codes mismatch (-want +got):\n-%s\n+%s", tt.want, plain)
			}
		})
	}
	if got := renderText(t, false, call{req: sampleRequest()}, call{sum: sampleSummary()}, call{al: sampleAlert()}); strings.Contains(got, "\x1b") {
		t.Errorf("output without colour has an escape: %q", got)
	}
}

func TestTextColorCodes(t *testing.T) {
	tests := []struct {
		name string
		rec  call
		want string // a substring of the output
	}{
		{"2xx green", call{req: sampleRequest()}, "\x1b[32m200\x1b[39m"},
		{"5xx red", call{req: &record.Request{Status: 503}}, "\x1b[31m503\x1b[39m"},
		{"summary bold heading", call{sum: sampleSummary()}, "\x1b[1m10:05:00–10:05:10 UTC"},
		{"summary 5xx share red", call{sum: sampleSummary()}, "\x1b[31m5xx 2.4%\x1b[39m"},
		{"summary 5xx count red", call{sum: sampleSummary()}, "4xx 2  \x1b[31m5xx 1\x1b[39m\n"},
		{"firing red", call{al: sampleAlert()}, "\x1b[31m\x1b[1mALERT\x1b[22m  High traffic"},
		{"resolved green", call{al: &record.Alert{State: record.Resolved, Message: "ok"}}, "\x1b[32m\x1b[1mRESOLVED\x1b[22m  ok\x1b[39m"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := renderText(t, true, tt.rec); !strings.Contains(got, tt.want) {
				t.Errorf("colour output %q does not contain %q", got, tt.want)
			}
		})
	}
}

func TestTextRawErrors(t *testing.T) {
	tests := []struct {
		name string
		typ  record.Type // as the caller read it
		line string
	}{
		{"not JSON", record.TypeSummary, "GET / HTTP/1.1"},
		{"not JSON either", record.TypeAlert, "{"},
		{"request without time", record.TypeRequest, `{"type":"request"}`},
		{"summary with wrong field type", record.TypeSummary, `{"type":"summary","requests":"many"}`},
		{"summary with a float count", record.TypeSummary, `{"type":"summary","status":{"2xx":1.5}}`},
		{"summary with a bad entry", record.TypeSummary, `{"type":"summary","sections":[{"section":"/a","hits":"1"}]}`},
		{"summary with a bad time", record.TypeSummary, `{"type":"summary","start":"2015-05-17"}`},
		{"summary with text after it", record.TypeSummary, `{"type":"summary"} x`},
		{"alert with wrong field type", record.TypeAlert, `{"type":"alert","hits":[]}`},
		{"alert with a string ratio", record.TypeAlert, `{"type":"alert","ratio":"0.5"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			s := NewText(&out, false)
			err := s.Raw(tt.typ, []byte(tt.line))
			if !errors.Is(err, record.ErrBadRecord) {
				t.Errorf("Raw(%q) = %v, want an record.ErrBadRecord", tt.line, err)
			}
			// The sink goes on after a bad line.
			if err := s.Alert(&record.Alert{State: record.Firing, Message: "next"}); err != nil {
				t.Fatal(err)
			}
			if err := s.Flush(); err != nil {
				t.Fatal(err)
			}
			if got, want := out.String(), "ALERT  next\n"; got != want {
				t.Errorf("output mismatch (-want +got):\n-%s\n+%s", want, got)
			}
		})
	}
}

// randomBytes returns a short random string rich in what a terminal
// would act on: escapes, C1 bytes, bidi controls and broken UTF-8.
func randomBytes(rng *rand.Rand) []byte {
	pieces := []string{"\x1b", "[", "]", "\x07", "\\", "\x9b", "\x9d", "\u009b", "\u202e", "\u2066",
		"\ufeff", "\r", "\n", "\x00", "\x7f", "\xc0", "\xe2\x82", "\xed\xa0\x80", "é", "ě", "日", "a", "0", ";"}
	var b []byte
	for range rng.IntN(20) {
		if rng.IntN(2) == 0 {
			b = append(b, pieces[rng.IntN(len(pieces))]...)
		} else {
			b = append(b, byte(rng.IntN(256)))
		}
	}
	return b
}

// TestTextSafeRequest fills every string field of a request with random
// bytes and checks that the text is one safe line, written directly and
// read back from JSON.
func TestTextSafeRequest(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 5000 {
		r := &record.Request{Sec: rng.Int64N(4e9), Nsec: rng.Int32N(1e9), Status: rng.IntN(1000), Bytes: rng.Int64()}
		v := reflect.ValueOf(r).Elem()
		for i := range v.NumField() {
			if f := v.Field(i); f.Type() == reflect.TypeFor[[]byte]() {
				f.SetBytes(randomBytes(rng)) // every string field, a new one too
			}
		}
		if i%3 == 0 {
			r.Method = nil // show Request instead
		}
		termsafetest.Check(t, "output", []byte(renderText(t, false, call{req: r})), 1)
		termsafetest.Check(t, "output", []byte(renderText(t, false, call{raw: toJSON(t, call{req: r})})), 1)
		out := renderText(t, true, call{req: r})
		if !strings.Contains(out, "\x1b[") {
			t.Fatalf("colour output has no colour: %q", out)
		}
		termsafetest.Check(t, "output", []byte(ansiCode.ReplaceAllString(out, "")), 1)
	}
}

// TestTextSafeSummaryAlert does the same for the strings of the other records.
func TestTextSafeSummaryAlert(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 2000 {
		s := sampleSummary()
		s.Sections = []record.SectionHits{{Section: string(randomBytes(rng)), Hits: 1}}
		s.Methods = []record.MethodHits{{Method: string(randomBytes(rng)), Hits: 1}}
		s.Clients = []record.ClientHits{{Client: string(randomBytes(rng)), Hits: 1}}
		a := &record.Alert{Rule: string(randomBytes(rng)), State: string(randomBytes(rng)), Message: string(randomBytes(rng))}
		if rng.IntN(2) == 0 {
			a.Message = ""
		}
		termsafetest.Check(t, "output", []byte(renderText(t, false, call{sum: s})), 6)
		termsafetest.Check(t, "output", []byte(renderText(t, false, call{al: a})), 1)
		termsafetest.Check(t, "output", []byte(renderText(t, false, call{raw: toJSON(t, call{al: a})})), 1)
	}
}

func FuzzTextRaw(f *testing.F) {
	f.Add([]byte(`{"type":"request","time":"2015-05-17T10:05:03Z","remote":"\u001b[2J","status":200,"bytes":1}`))
	f.Add([]byte(`{"type":"summary","start":"2015-05-17T10:05:00Z","sections":[{"section":"\u202e","hits":1}]}`))
	f.Add([]byte(`{"type":"alert","state":"firing","message":"\u009b31m"}`))
	f.Add([]byte("{\"type\":\"other\",\"x\":\"\xe2\x80\xae\x9b\"}"))
	f.Fuzz(func(t *testing.T, line []byte) {
		var d record.Decoder
		var r record.Request
		typ, err := d.Record(line, &r)
		if err != nil {
			return // a stage does not hand it on
		}
		var out bytes.Buffer
		s := NewText(&out, false)
		err = s.Raw(typ, line)
		if err2 := s.Flush(); err2 != nil {
			t.Fatal(err2)
		}
		if err != nil {
			if !errors.Is(err, record.ErrBadRecord) {
				t.Fatalf("Raw(%q) = %v, not an record.ErrBadRecord", line, err)
			}
			if out.Len() != 0 {
				t.Fatalf("Raw(%q) failed but wrote %q", line, out.Bytes())
			}
			return
		}
		if out.Len() == 0 || !bytes.HasSuffix(out.Bytes(), []byte("\n")) {
			t.Fatalf("Raw(%q) wrote %q, want lines", line, out.Bytes())
		}
		lines := strings.Count(out.String(), "\n")
		termsafetest.Check(t, "output", out.Bytes(), lines)
		if lines != 1 && lines != 6 {
			t.Fatalf("Raw(%q) wrote %d lines: %q", line, lines, out.Bytes())
		}
	})
}

// TestTextRequestAllocs checks that a request is shown without allocating.
func TestTextRequestAllocs(t *testing.T) {
	s := NewText(discard{}, true)
	r := sampleRequest()
	if err := s.Request(r); err != nil { // warm the buffer
		t.Fatal(err)
	}
	if allocs := testing.AllocsPerRun(1000, func() { _ = s.Request(r) }); allocs != 0 {
		t.Errorf("Request allocates %v times, want 0", allocs)
	}
}

func BenchmarkTextRequest(b *testing.B) {
	r := sampleRequest()
	line := renderText(b, true, call{req: r})
	var w countWriter
	s := NewText(&w, true)
	b.ReportAllocs()
	b.SetBytes(int64(len(line)))
	b.ResetTimer()
	for range b.N {
		if err := s.Request(r); err != nil {
			b.Fatal(err)
		}
	}
	if err := s.Flush(); err != nil {
		b.Fatal(err)
	}
	if want := int64(b.N * len(line)); w.n != want {
		b.Fatalf("wrote %d bytes, want %d", w.n, want)
	}
}

func ptr[T any](v T) *T { return &v }

// wideSummary is a fleet host's summary whose lists are wider than 80
// columns: IPv6 clients, networks with their AS, a section of wide
// (CJK) characters and one longer than a line.
func wideSummary() *record.Summary {
	return &record.Summary{
		Start: time.Date(2015, 5, 17, 10, 5, 0, 0, time.UTC), End: time.Date(2015, 5, 17, 10, 5, 10, 0, time.UTC),
		Host:     "web-1.eu-west",
		Partial:  true,
		Requests: 4210, Rate: 421, Bytes: 123456789, ErrorShare: 0.0123, Late: 17,
		Sections: []record.SectionHits{{Section: "/api", Hits: 2000}, {Section: "/日本語のページ", Hits: 900},
			{Section: "/" + strings.Repeat("very-long-section-", 6) + "end", Hits: 500}, {Section: "/static", Hits: 300}},
		Status:  record.StatusClasses{C2xx: 4000, C3xx: 100, C4xx: 58, C5xx: 52},
		Methods: []record.MethodHits{{Method: "GET", Hits: 4000}, {Method: "POST", Hits: 210}},
		Clients: []record.ClientHits{{Client: "2001:db8:85a3::8a2e:370:7334", Hits: 900}, {Client: "2001:db8:85a3::8a2e:370:7335", Hits: 800},
			{Client: "203.0.113.254", Hits: 700}, {Client: "2001:db8:ffff:ffff:ffff:ffff:ffff:1", Hits: 600, Error: 12}, {Client: "198.51.100.7", Hits: 500}},
		Networks: []record.NetworkHits{{Network: "2001:db8:85a3::/48", Hits: 1700, ASN: 64496, ASOrg: "Example Networks Ltd"},
			{Network: "203.0.113.0/24", Hits: 700, ASN: 64497, ASOrg: "Documentation Net"}, {Network: "198.51.100.0/24", Hits: 500}},
		DistinctClients: 1234,
	}
}

// renderWidth writes the records to a text sink laid out for width
// columns (0: no limit) and returns its output.
func renderWidth(t testing.TB, width int, color bool, recs ...call) string {
	t.Helper()
	var out bytes.Buffer
	s := NewTextWith(&out, TextOptions{Color: color, Width: func() int { return width }})
	for _, rec := range recs {
		rec.send(t, s)
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// TestTextWidth: at 80 columns a summary's lists wrap between entries,
// under the first, and the alert's words under its first word; a path
// too long for the line is cut, its status and size kept. No line is
// wider than 80 columns (wide characters counting two), and a wide
// terminal, or none, has every record on its lines as they are.
func TestTextWidth(t *testing.T) {
	long := sampleRequest()
	long.Path = []byte("/presentations/logstash-monitorama-2013/images/kibana-search-results-日本語.png?q=1")
	recs := []call{{sum: wideSummary()}, {al: sampleAlert()}, {req: long}}
	want80 := "10:05:00–10:05:10 UTC 2015-05-17  host web-1.eu-west  4210 req  421 req/s\n" +
		"  123 MB  5xx 1.2%  partial  late 17\n" +
		"  sections  /api 2000  /日本語のページ 900\n" +
		"            /very-long-section-very-long-section-very-long-section-very-lon… 500\n" +
		"            /static 300\n" +
		"  status    2xx 4000  3xx 100  4xx 58  5xx 52\n" +
		"  methods   GET 4000  POST 210\n" +
		"  clients   2001:db8:85a3::8a2e:370:7334 900  2001:db8:85a3::8a2e:370:7335 800\n" +
		"            203.0.113.254 700  2001:db8:ffff:ffff:ffff:ffff:ffff:1 ≤600\n" +
		"            198.51.100.7 500  (1234 distinct)\n" +
		"  networks  2001:db8:85a3::/48 (AS64496 Example Networks Ltd) 1700\n" +
		"            203.0.113.0/24 (AS64497 Documentation Net) 700  198.51.100.0/24 500\n" +
		"\n" +
		"ALERT  High traffic generated an alert - hits = 1201, triggered at\n" +
		"       2015-05-17T10:07:00Z  [high_traffic: 10.01 req/s > 10 req/s over 2m]\n" +
		"2015-05-17T10:05:03Z  83.149.9.216     GET /presentations/logstash…  200  203023\n"
	got := renderWidth(t, 80, false, recs...)
	if got != want80 {
		t.Errorf("at 80 columns (-want +got):\n-%s\n+%s", want80, got)
	}
	for _, color := range []bool{false, true} {
		for _, width := range []int{80, 100, 120, MinWidth, 10} {
			out := renderWidth(t, width, color, recs...)
			for i, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
				if w := cells([]byte(line)); w > max(width, MinWidth) {
					t.Errorf("width %d, colour %v: line %d is %d columns: %q", width, color, i+1, w, line)
				}
				if !utf8.ValidString(line) {
					t.Errorf("width %d: line %d cut inside a character: %q", width, i+1, line)
				}
			}
			if color && !strings.Contains(out, "\x1b[31m5xx 52\x1b[39m") {
				t.Errorf("width %d: the 5xx class lost its colour:\n%s", width, out)
			}
		}
	}
	// Wide enough, or no limit: one line a list, as without a width.
	plain := renderText(t, false, recs...)
	for _, width := range []int{0, 400} {
		if got := renderWidth(t, width, false, recs...); got != plain {
			t.Errorf("width %d (-want +got):\n-%s\n+%s", width, plain, got)
		}
	}
	if strings.Count(plain, "\n") != 9 {
		t.Errorf("without a width the records take %d lines, want 9:\n%s", strings.Count(plain, "\n"), plain)
	}
}
