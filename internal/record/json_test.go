package record

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestRecordRoundTrip(t *testing.T) {
	tests := []struct {
		name  string
		input Request
	}{
		{"minimal", Request{Sec: 0}},
		{"full", Request{
			Sec: 971211336, Nsec: 123000000,
			VHost: []byte("www.example.com:443"), Remote: []byte("2001:db8::1"), User: []byte("frank"),
			Method: []byte("GET"), Path: []byte("/a/b?c=\"d\""), Section: []byte("/a"), Protocol: []byte("HTTP/1.1"),
			Status: 200, Bytes: 9223372036854775807,
			Referer: []byte("http://x/"), Agent: []byte("Bot \\ \t\n\x01\x7f \u00e9 \u2028 \U0001F600"),
		}},
		{"empty strings are kept", Request{Sec: -1, Request: []byte{}, Agent: []byte{}}},
		{"raw request", Request{Sec: 253402300799, Request: []byte(`\x16\x03`), Status: 400}},
		{"year 1", Request{Sec: -62135596800, Nsec: 1}},
		{"invalid UTF-8", Request{Agent: []byte("a\xffb\xed\xa0\x80"), Referer: []byte("\ufffd")}},
		{"where the line came from", Request{Sec: 1, Status: 200, File: []byte("9f86d081884c7d65"), Offset: 123456789012}},
		{"at the start of its file", Request{Sec: 1, Status: 200, File: []byte("9f86d081884c7d65"), Offset: 0}},
	}
	var d Decoder
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			line := tt.input.AppendJSON(nil)
			if !json.Valid(line) {
				t.Fatalf("AppendJSON wrote invalid JSON %s", line)
			}
			var got Request
			typ, err := d.Record(line, &got)
			if err != nil || typ != TypeRequest {
				t.Fatalf("Record(%s) = %v, %v, want request, nil", line, typ, err)
			}
			if again := got.AppendJSON(nil); string(again) != string(line) {
				t.Errorf("round trip (-want +got):\n-%s\n+%s", line, again)
			}
			if got.Sec != tt.input.Sec || got.Nsec != tt.input.Nsec {
				t.Errorf("time (-want +got):\n-%d.%09d\n+%d.%09d", tt.input.Sec, tt.input.Nsec, got.Sec, got.Nsec)
			}
		})
	}
}

func TestRecord(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  string // the type, or the JSON of a request
	}{
		{"request with spaces and escapes", ` { "type" : "request", "time":"2000-10-10T20:55:36.5Z" , "path":"\/a\u00e9\ud83d\ude00","status":200,"bytes":1 } `,
			"{\"type\":\"request\",\"time\":\"2000-10-10T20:55:36.5Z\",\"path\":\"/a\u00e9\U0001F600\",\"status\":200,\"bytes\":1}"},
		{"time with an offset", `{"type":"request","time":"2000-10-10T13:55:36-07:00","status":200,"bytes":1}`,
			`{"type":"request","time":"2000-10-10T20:55:36Z","status":200,"bytes":1}`},
		{"an offset without its file is dropped", `{"type":"request","time":"2000-10-10T20:55:36Z","offset":7,"status":200,"bytes":1}`,
			`{"type":"request","time":"2000-10-10T20:55:36Z","status":200,"bytes":1}`},
		{"null string field", `{"type":"request","time":"2000-10-10T20:55:36Z","agent":null,"status":200,"bytes":1}`,
			`{"type":"request","time":"2000-10-10T20:55:36Z","status":200,"bytes":1}`},
		{"unknown fields skipped", `{"x":[1,{"y":[true,false,null,-1.5e+3]}],"type":"request","time":"2000-10-10T20:55:36Z","status":200,"bytes":1}`,
			`{"type":"request","time":"2000-10-10T20:55:36Z","status":200,"bytes":1}`},
		{"lone surrogate", `{"type":"request","time":"2000-10-10T20:55:36Z","agent":"\ud800x","status":200,"bytes":1}`,
			`{"type":"request","time":"2000-10-10T20:55:36Z","status":200,"bytes":1,"agent":"` + "\ufffd" + `x"}`},
		{"other type", `{"type":"note","x":1}`, "other"},
		{"type differs in case", `{"type":"Summary"}`, "other"},
		// Records of other stages reuse names of request fields with
		// other types; they pass through.
		{"summary", `{"type":"summary","start":"2015-05-17T10:05:00Z","end":"2015-05-17T10:05:10Z","requests":3,"rate":0.3,"bytes":1500,"sections":[{"section":"/a","hits":3}],"status":{"1xx":0,"2xx":3},"methods":[],"clients":null,"distinct_clients":1,"late":0}`, "summary"},
		{"alert", `{"type":"alert","rule":"high_traffic","state":"firing","time":"2015-05-17T12:05:10+02:00","hits":1200,"rate":10.5,"threshold":10,"window":120,"message":"High traffic"}`, "alert"},
		{"type after wrongly typed fields", `{"status":"x","path":1,"time":0,"type":"note"}`, "other"},
		{"year 0 with a fraction", `{"type":"request","time":"0000-12-31T10:00:00.5Z","status":200,"bytes":1}`,
			`{"type":"request","time":"0000-12-31T10:00:00.5Z","status":200,"bytes":1}`},
	}
	var d Decoder
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r Request
			typ, err := d.Record([]byte(tt.input), &r)
			if err != nil {
				t.Fatalf("Record(%s) = %v", tt.input, err)
			}
			got := typ.String()
			if typ == TypeRequest {
				got = string(r.AppendJSON(nil))
			}
			if got != tt.want {
				t.Errorf("Record(%s) (-want +got):\n-%s\n+%s", tt.input, tt.want, got)
			}
		})
	}
}

func TestRecordErrors(t *testing.T) {
	deep := `{"type":"request","x":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}`
	tests := []struct {
		name  string
		input string
		want  string // a substring of the error
	}{
		{"empty", "", "not a JSON object"},
		{"array", `[{"type":"request"}]`, "not a JSON object"},
		{"string", `"request"`, "not a JSON object"},
		{"deep array", strings.Repeat("[", 10000), "not a JSON object"},
		{"deep array in a record", deep, "nested deeper than 100"},
		{"deep object in a record", `{"type":"x","a":` + strings.Repeat(`{"a":`, 10000), "nested deeper than 100"},
		{"byte order mark", "\uFEFF" + `{"type":"request"}`, "byte order mark"},
		{"empty object", `{}`, `no "type"`},
		{"no type", `{"time":"2000-10-10T20:55:36Z"}`, `no "type"`},
		{"type not a string", `{"type":1}`, `"type" is not a string`},
		{"type null", `{"type":null}`, `"type" is not a string`},
		{"request without time", `{"type":"request","status":200}`, `no "time"`},
		{"time not a string", `{"type":"request","time":0}`, `"time" is not a string`},
		{"bad time", `{"type":"request","time":"2000-02-30T00:00:00Z"}`, `bad "time"`},
		{"status a string", `{"type":"request","time":"2000-10-10T20:55:36Z","status":"200"}`, `"status" is not an integer`},
		{"status a string, type last", `{"time":"2000-10-10T20:55:36Z","status":"200","type":"request"}`, `"status" is not an integer`},
		{"bytes a float", `{"type":"request","time":"2000-10-10T20:55:36Z","bytes":1.5}`, `"bytes" is not an integer`},
		{"bytes overflow", `{"type":"request","time":"2000-10-10T20:55:36Z","bytes":9223372036854775808}`, `"bytes" is not an integer`},
		{"path a number", `{"type":"request","time":"2000-10-10T20:55:36Z","path":5}`, `"path" is not a string`},
		{"path an array", `{"type":"request","time":"2000-10-10T20:55:36Z","path":["/"]}`, `"path" is not a string`},
		{"text after the record", `{"type":"request","time":"2000-10-10T20:55:36Z"} x`, "text after the record"},
		{"two records", `{"type":"x"}{"type":"x"}`, "text after the record"},
		{"trailing comma", `{"type":"x",}`, "expected a string"},
		{"missing colon", `{"type" "x"}`, "expected ':'"},
		{"unterminated", `{"type":"x"`, "expected ',' or '}'"},
		{"unterminated string", `{"type":"x`, "unterminated string"},
		{"control character in a string", "{\"type\":\"x\ty\"}", "control character"},
		{"bad escape", `{"type":"\x"}`, `bad escape`},
		// The error quotes the byte: no raw control byte on stderr.
		{"bad escape of a control byte", "{\"type\":\"\\\x1b\"}", `bad escape "\\\x1b"`},
		{"bad unicode escape", `{"type":"\u12g4"}`, `bad \u escape`},
		{"bad number in skipped value", `{"type":"x","n":01}`, "expected ',' or '}'"},
		{"bad literal in skipped value", `{"type":"x","n":nul}`, "expected null"},
		{"negative offset", `{"type":"request","time":"2000-10-10T20:55:36Z","file_id":"ab","offset":-1}`, `"offset" is negative`},
		{"offset a string", `{"type":"request","time":"2000-10-10T20:55:36Z","file_id":"ab","offset":"1"}`, `"offset" is not an integer`},
		{"file_id a number", `{"type":"request","time":"2000-10-10T20:55:36Z","file_id":1,"offset":1}`, `"file_id" is not a string`},
		{"malformed value of a known name", `{"type":"summary","status":{"2xx":}}`, "unexpected character"},
	}
	var d Decoder
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r Request
			typ, err := d.Record([]byte(tt.input), &r)
			if err == nil {
				t.Fatalf("Record(%.80s) = %v, nil, want an error with %q", tt.input, typ, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Record(%.80s) error (-want +got):\n-%s\n+%s", tt.input, tt.want, err)
			}
		})
	}
}

// TestRecordNoAlloc checks the Decoder's promise that decoding a typical
// record allocates nothing.
func TestRecordNoAlloc(t *testing.T) {
	line := []byte(`{"type":"request","time":"2015-05-17T10:05:03Z","remote":"83.149.9.216","method":"GET","path":"/presentations/a.png","section":"/presentations","protocol":"HTTP/1.1","status":200,"bytes":203023,"referer":"http://semicomplete.com/","agent":"Mozilla/5.0 \"x\""}`)
	var d Decoder
	var r Request
	d.Record(line, &r) // grow the scratch buffer
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := d.Record(line, &r); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("Record allocates %v times, want 0", allocs)
	}
}

// TestAppendJSONNoAlloc: writing a request record into a buffer with
// room allocates nothing (the parse stage writes one per line).
func TestAppendJSONNoAlloc(t *testing.T) {
	r := Request{Sec: 1431857103, Nsec: 5, Remote: []byte("83.149.9.216"), Method: []byte("GET"), Path: []byte(`/a"\b`),
		Section: []byte("/a"), Protocol: []byte("HTTP/1.1"), Status: 200, Bytes: 203023, Agent: []byte("Mozilla/5.0 \xff"), File: []byte("f"), Offset: 9}
	buf := make([]byte, 0, 1024)
	if allocs := testing.AllocsPerRun(100, func() { buf = r.AppendJSON(buf[:0]) }); allocs != 0 {
		t.Errorf("AppendJSON allocates %v times, want 0", allocs)
	}
}

func TestAppendString(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  string
	}{
		{"plain", "abc", `"abc"`},
		{"empty", "", `""`},
		{"escapes", "\"\\\n\r\t\x00\x1f", `"\"\\\n\r\t\u0000\u001f"`},
		{"DEL and slash kept", "\x7f/", "\"\x7f/\""},
		{"UTF-8 kept", "\u00e9\u2028\U0001F600", "\"\u00e9\u2028\U0001F600\""},
		{"invalid byte", "a\xffb", "\"a\ufffdb\""},
		{"truncated sequence", "\xe2\x82", "\"\ufffd\ufffd\""},
		{"surrogate encoded in UTF-8", "\xed\xa0\x80", "\"\ufffd\ufffd\ufffd\""},
		{"overlong encoding", "\xc0\xaf", "\"\ufffd\ufffd\""},
		{"beyond U+10FFFF", "\xf4\x90\x80\x80", "\"\ufffd\ufffd\ufffd\ufffd\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(AppendString(nil, []byte(tt.input)))
			if got != tt.want {
				t.Errorf("AppendString(%q) (-want +got):\n-%s\n+%s", tt.input, tt.want, got)
			}
			checkString(t, []byte(tt.input))
		})
	}
}

// checkString checks AppendString(s) against encoding/json: valid JSON,
// valid UTF-8, and the same string once decoded as json.Marshal's.
func checkString(t *testing.T, s []byte) {
	t.Helper()
	out := AppendString([]byte("x"), s)[1:] // appends, keeps what was there
	if !json.Valid(out) || !utf8.Valid(out) {
		t.Fatalf("AppendString(%q) = %q is not valid JSON and UTF-8", s, out)
	}
	var got, want string
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	std, _ := json.Marshal(string(s))
	if err := json.Unmarshal(std, &want); err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("AppendString(%q) decodes to (-want +got):\n-%q\n+%q", s, want, got)
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "abc", "\"\\\x00\x7f", "\xff\xed\xa0\x80\xc0\xaf", "\u2028\U0001F600"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, s []byte) {
		checkString(t, s)
		// And the Decoder reads it back as encoding/json does.
		var d Decoder
		d.line, d.pos = AppendString(nil, s), 0
		got, err := d.string()
		if err != nil {
			t.Fatalf("Decoder.string(%q): %v", d.line, err)
		}
		var std string
		if err := json.Unmarshal(AppendString(nil, s), &std); err != nil {
			t.Fatal(err)
		}
		if string(got) != std {
			t.Errorf("Decoder.string(%q) (-want +got):\n-%q\n+%q", d.line, std, got)
		}
	})
}

func BenchmarkRecord(b *testing.B) {
	line := []byte(`{"type":"request","time":"2015-05-17T10:05:03Z","remote":"83.149.9.216","method":"GET","path":"/presentations/logstash-monitorama-2013/images/kibana-search.png","section":"/presentations","protocol":"HTTP/1.1","status":200,"bytes":203023,"referer":"http://semicomplete.com/presentations/logstash-monitorama-2013/","agent":"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36"}`)
	b.ReportAllocs()
	b.SetBytes(int64(len(line)))
	var d Decoder
	var r Request
	for range b.N {
		typ, err := d.Record(line, &r)
		if err != nil || typ != TypeRequest || r.Status != 200 || r.Sec != 1431857103 {
			b.Fatalf("Record = %v, %v; status %d, sec %d", typ, err, r.Status, r.Sec)
		}
	}
}

func BenchmarkAppendJSON(b *testing.B) {
	line := []byte(`{"type":"request","time":"2015-05-17T10:05:03Z","remote":"83.149.9.216","method":"GET","path":"/presentations/logstash-monitorama-2013/images/kibana-search.png","section":"/presentations","protocol":"HTTP/1.1","status":200,"bytes":203023,"referer":"http://semicomplete.com/presentations/logstash-monitorama-2013/","agent":"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36"}`)
	var d Decoder
	var r Request
	if _, err := d.Record(line, &r); err != nil {
		b.Fatal(err)
	}
	out := make([]byte, 0, 1024)
	b.ReportAllocs()
	b.SetBytes(int64(len(line)))
	for range b.N {
		out = r.AppendJSON(out[:0])
	}
	if string(out) != string(line) {
		b.Fatalf("AppendJSON (-want +got):\n-%s\n+%s", line, out)
	}
}
