package parse

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzLine checks that Line never panics, that its errors are printable,
// and that every line it accepts makes a valid JSON record that the
// Decoder reads back to the same record. Its seed corpus is in
// testdata/fuzz/FuzzLine as well as here.
func FuzzLine(f *testing.F) {
	for _, line := range benchLines {
		f.Add(line)
	}
	f.Add(docCombined + ` "-" rt=0.003`)
	f.Add(line0 + `"\x16\x03\x01" 400 0 "-" "-"`)
	f.Add(`h - - [31/Dec/9999:23:59:59 -1400] "GET http://h?q HTTP/1.1" 999 9223372036854775807 "\\" "\"`)
	f.Fuzz(func(t *testing.T, line string) {
		var p Parser
		var r Request
		buf := []byte(line)
		err := p.Line(buf, &r)
		if string(buf) != line {
			t.Fatalf("Line wrote to its input: %q became %q", line, buf)
		}
		if err != nil {
			var le *LineError
			if !errors.As(err, &le) {
				t.Fatalf("Line(%q) = %T %v, want a *LineError", line, err, err)
			}
			checkReason(t, le.Reason)
			return
		}
		checkRequest(t, line, &r)

		js := r.AppendJSON(nil)
		if !json.Valid(js) || !utf8.Valid(js) {
			t.Fatalf("Line(%q) gives invalid JSON or UTF-8 %q", line, js)
		}
		var d Decoder
		var back Request
		typ, err := d.Record(js, &back)
		if err != nil || typ != "request" {
			t.Fatalf("Record(%s) = %q, %v, want \"request\", nil", js, typ, err)
		}
		if again := back.AppendJSON(nil); !bytes.Equal(again, js) {
			t.Fatalf("Line(%q) does not round-trip (-want +got):\n-%s\n+%s", line, js, again)
		}
	})
}

// checkRequest checks the invariants of a parsed line.
func checkRequest(t *testing.T, line string, r *Request) {
	t.Helper()
	switch {
	case len(r.Remote) == 0:
		t.Errorf("Line(%q): empty remote", line)
	case r.Status < 100 || r.Status > 999:
		t.Errorf("Line(%q): status %d", line, r.Status)
	case r.Bytes < 0:
		t.Errorf("Line(%q): bytes %d", line, r.Bytes)
	case r.Nsec < 0 || r.Nsec >= 1e9:
		t.Errorf("Line(%q): nsec %d", line, r.Nsec)
	case r.Request != nil && (r.Method != nil || r.Path != nil || r.Protocol != nil || r.Section != nil):
		t.Errorf("Line(%q): raw request %q and its parts", line, r.Request)
	case r.Request == nil && (len(r.Method) == 0 || len(r.Path) == 0):
		t.Errorf("Line(%q): no raw request and no method %q or path %q", line, r.Method, r.Path)
	case !bytes.Equal(r.Section, Section(r.Path)) || (r.Section == nil) != (Section(r.Path) == nil):
		t.Errorf("Line(%q): section %q of path %q", line, r.Section, r.Path)
	case isDash(r.User) || isDash(r.Referer) || isDash(r.Agent):
		t.Errorf("Line(%q): a \"-\" field is not nil", line)
	}
}

// FuzzTimestamp checks parseTimestamp against the time package: a time
// it accepts, time.Parse reads as the same instant.
func FuzzTimestamp(f *testing.F) {
	for _, s := range []string{
		"10/Oct/2000:13:55:36 -0700",
		"10/Oct/2000:13:55:36.123 +1400",
		"29/Feb/2016:23:59:59 +0000",
		"01/Jan/0001:00:00:00 -0001",
		"31/Dec/9999:23:59:59 +0000",
		"2000-10-10T13:55:36-07:00",
		"2000-10-10T13:55:36.000000001Z",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sec, nsec, ok := parseTimestamp([]byte(s))
		if !ok {
			return
		}
		layout := "02/Jan/2006:15:04:05 -0700" // the fraction is implied
		if len(s) > 4 && s[4] == '-' {
			layout = time.RFC3339Nano
		}
		want, err := time.Parse(layout, s)
		if err != nil {
			t.Fatalf("parseTimestamp(%q) = %d, %d; time.Parse: %v", s, sec, nsec, err)
		}
		if got := time.Unix(sec, int64(nsec)); !got.Equal(want) {
			t.Fatalf("parseTimestamp(%q) (-want +got):\n-%v\n+%v", s, want.UTC(), got.UTC())
		}
	})
}

// FuzzRecord checks the record decoder against encoding/json: it never
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
			// (encoding/json turns invalid UTF-8 into U+FFFD; the
			// decoder keeps the bytes, harmless in a type name.)
			if !typeIsString || (stdType != typ && utf8.ValidString(typ)) {
				t.Fatalf("type %q, encoding/json reads %v", typ, m["type"])
			}
			if typ == "request" {
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
