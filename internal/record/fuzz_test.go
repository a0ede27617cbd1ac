package record

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzRecord checks Decoder.Record against encoding/json: it never
// panics; a line it accepts is a valid JSON object whose "type" it reports
// correctly; a request it accepts re-encodes to a record it accepts again;
// and a valid object of another type (not nested too deep) is never
// refused, since stages must pass such records through. Seed corpus:
// testdata/fuzz/FuzzRecord and the adds below.
func FuzzRecord(f *testing.F) {
	for _, s := range []string{
		`{"type":"request","time":"2015-05-17T10:05:03Z","remote":"1.2.3.4","status":200,"bytes":5}`,
		`{"type":"summary","status":{"2xx":1},"sections":[{"section":"/a","hits":1}]}`,
		`{"type":"alert","time":"x","bytes":"y","path":3}`,
		`{"type":"request","time":"2015-05-17T10:05:03.25+02:00","path":"\ud83d\ude00\u0000\"","status":-1}`,
		`{"type":"t\u0079pe","a":[1,2.5e-3,true,false,null,{"b":[]}]}`,
		"\xef\xbb\xbf{\"type\":\"x\"}",
		`{"type":"x"} {}`,
		`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		var d Decoder
		var r Request
		typ, err := d.Record([]byte(line), &r)
		var m map[string]any
		stdErr := json.Unmarshal([]byte(line), &m)
		stdType, typeIsString := m["type"].(string)
		if err == nil {
			if stdErr != nil {
				t.Fatalf("accepted %q, which encoding/json refuses: %v", line, stdErr)
			}
			if !typeIsString || typeOf([]byte(stdType)) != typ {
				t.Fatalf("type %v, encoding/json reads %v", typ, m["type"])
			}
			if typ == TypeRequest {
				again := r.AppendJSON(nil)
				var d2 Decoder
				var r2 Request
				if _, err := d2.Record(again, &r2); err != nil {
					t.Fatalf("re-encoded request %s refused: %v", again, err)
				}
				if !bytes.Equal(r2.AppendJSON(nil), again) {
					t.Fatalf("re-encoding is not stable:\n%s\n%s", again, r2.AppendJSON(nil))
				}
			}
			return
		}
		// Refused: it must be a line a stage may refuse.
		if stdErr != nil || !typeIsString || stdType == "request" {
			return
		}
		if depth(line) > MaxDepth || bytes.HasPrefix([]byte(line), []byte("\xef\xbb\xbf")) {
			return
		}
		if dupKeys(line) {
			return // the decoder reads the first "type", encoding/json the last
		}
		t.Fatalf("refused a valid %q record %q: %v", stdType, line, err)
	})
}

// depth is the deepest nesting of brackets outside strings (roughly).
func depth(s string) int {
	d, most := 0, 0
	for _, c := range s {
		switch c {
		case '[', '{':
			d++
			most = max(most, d)
		case ']', '}':
			d--
		}
	}
	return most
}

func dupKeys(s string) bool { return bytes.Count([]byte(s), []byte(`"type"`)) > 1 }

// FuzzSummary checks Decoder.Summary: it never panics, accepts only
// valid JSON, and a summary it accepts is written and read back to the
// same bytes. Seed corpus: testdata/fuzz/FuzzSummary and the adds below.
func FuzzSummary(f *testing.F) {
	for _, s := range []string{
		`{"type":"summary","start":"2015-05-17T10:05:00Z","end":"2015-05-17T10:05:10Z","partial":true,"requests":3,"rate":0.3,"bytes":1500,"sections":[{"section":"/a","hits":3,"error":1}],"status":{"1xx":0,"2xx":3,"3xx":0,"4xx":0,"5xx":0,"other":0},"error_share":0,"methods":[],"clients":[{"client":"1.2.3.4","hits":3}],"networks":[{"network":"1.2.3.0/24","hits":3,"asn":64496,"as_org":"Example"}],"distinct_clients":1,"late":0}`,
		`{"type":"summary","start":"0000-01-01T00:00:00Z","end":"9999-12-31T23:59:59.999999999-00:00","rate":1e-7,"error_share":-0}`,
		`{"type":"summary","sections":[null,{}],"status":null,"clients":null,"x":{"y":[1,"\ud83d"]}}`,
		`{"type":"summary","requests":"x"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		fuzzRoundTrip(t, line, (*Decoder).Summary, (*Summary).AppendJSON)
	})
}

// FuzzAlert is FuzzSummary for Decoder.Alert. Seed corpus:
// testdata/fuzz/FuzzAlert and the adds below.
func FuzzAlert(f *testing.F) {
	for _, s := range []string{
		`{"type":"alert","id":"high_traffic@2015-05-17T10:07:00Z","rule":"high_traffic","state":"firing","time":"2015-05-17T10:07:00Z","hits":1201,"rate":10.008,"threshold":10,"window":120,"message":"High traffic generated an alert - hits = 1201, triggered at 2015-05-17T10:07:00Z"}`,
		`{"type":"alert","state":"resolved","time":"2015-05-17T12:07:00.5+02:00","errors":3,"ratio":0.0123,"expected":null,"deviation":-2.5e-9,"message":"<&>\u2028"}`,
		`{"type":"alert","time":5,"state":"firing"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		fuzzRoundTrip(t, line, (*Decoder).Alert, (*Alert).AppendJSON)
	})
}

// fuzzRoundTrip checks a decoder on line: it accepts only valid JSON, and
// a record it accepts is written and read back to the same bytes.
func fuzzRoundTrip[T any](t *testing.T, line []byte, decode func(*Decoder, []byte, *T) error, appendJSON func(*T, []byte) []byte) {
	t.Helper()
	var d Decoder
	var v T
	if err := decode(&d, line, &v); err != nil {
		return
	}
	if !json.Valid(line) {
		t.Fatalf("accepted %q, which is not JSON", line)
	}
	again := appendJSON(&v, nil)
	var v2 T
	if err := decode(&d, again, &v2); err != nil {
		t.Fatalf("written record %s refused: %v", again, err)
	}
	if third := appendJSON(&v2, nil); !bytes.Equal(third, again) {
		t.Fatalf("record does not round-trip (-want +got):\n-%s\n+%s", again, third)
	}
}
