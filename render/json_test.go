package render

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"github.com/logmon/logmon/internal/record"
)

func TestJSON(t *testing.T) {
	hostile := sampleRequest()
	hostile.Path = []byte("/\x1b[2J\x9b\"\\\u202e\xff")
	hostile.User = []byte{}
	tests := []struct {
		name string
		rec  call
		typ  record.Type
		want string // the line without its newline; "" to check validity only
	}{
		{"request", call{req: sampleRequest()}, record.TypeRequest, string(sampleRequest().AppendJSON(nil))},
		{"request with hostile bytes", call{req: hostile}, record.TypeRequest, ""},
		{"summary", call{sum: sampleSummary()}, record.TypeSummary, ""},
		{"empty summary", call{sum: &record.Summary{}}, record.TypeSummary, ""},
		{"alert", call{al: sampleAlert()}, record.TypeAlert, ""},
		{"raw", call{raw: `{"type":"heartbeat",  "n":1}`}, record.TypeOther, `{"type":"heartbeat",  "n":1}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := toJSON(t, tt.rec)
			if tt.want != "" && got != tt.want {
				t.Errorf("JSON mismatch (-want +got):\n-%s\n+%s", tt.want, got)
			}
			if !json.Valid([]byte(got)) {
				t.Fatalf("line %q is not JSON", got)
			}
			var d record.Decoder
			var r record.Request
			if typ, err := d.Record([]byte(got), &r); err != nil || typ != tt.typ {
				t.Errorf("record.Decoder reads %q as %v, %v; want %v", got, typ, err, tt.typ)
			}
		})
	}
}

// TestJSONLines writes several records and checks there is one valid
// JSON object per line, in order, and nothing before Flush.
func TestJSONLines(t *testing.T) {
	var out bytes.Buffer
	s := NewJSON(&out)
	raw := "not even JSON \x1b[31m \xff" // Raw is verbatim, whatever it holds
	recs := []call{{req: sampleRequest()}, {sum: sampleSummary()}, {al: sampleAlert()}, {raw: raw}, {req: sampleRequest()}}
	for _, rec := range recs {
		rec.send(t, s)
	}
	if out.Len() != 0 {
		t.Errorf("wrote %d bytes before Flush, want them buffered", out.Len())
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(out.Bytes(), []byte("\n"))
	if len(lines) != len(recs)+1 || len(lines[len(recs)]) != 0 {
		t.Fatalf("got %d lines, want %d newline-terminated: %q", len(lines)-1, len(recs), out.Bytes())
	}
	for i, want := range []string{"request", "summary", "alert", "", "request"} {
		if want == "" {
			if got := string(lines[i]); got != raw {
				t.Errorf("raw line mismatch (-want +got):\n-%q\n+%q", raw, got)
			}
			continue
		}
		var v struct {
			Type string `json:"type"`
		}
		if err := json.Unmarshal(lines[i], &v); err != nil || v.Type != want {
			t.Errorf("line %d = %q (%v), want a %q record", i+1, lines[i], err, want)
		}
	}
}

// TestJSONRoundTrip checks that the records decode to what was written.
func TestJSONRoundTrip(t *testing.T) {
	want := sampleSummary()
	var d record.Decoder
	var got record.Summary
	if err := d.Summary([]byte(toJSON(t, call{sum: want})), &got); err != nil {
		t.Fatal(err)
	}
	if wj, gj := string(want.AppendJSON(nil)), string(got.AppendJSON(nil)); wj != gj {
		t.Errorf("summary round trip mismatch (-want +got):\n-%s\n+%s", wj, gj)
	}
	wa := sampleAlert()
	var ga record.Alert
	if err := d.Alert([]byte(toJSON(t, call{al: wa})), &ga); err != nil {
		t.Fatal(err)
	}
	if ga != *wa {
		t.Errorf("alert round trip mismatch (-want +got):\n-%+v\n+%+v", *wa, ga)
	}
}

var errWrite = errors.New("disk full")

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errWrite }

func TestSinkWriteError(t *testing.T) {
	for _, s := range []Sink{NewJSON(failWriter{}), NewText(failWriter{}, false)} {
		if err := s.Request(sampleRequest()); err != nil {
			t.Fatalf("Request: %v, want it buffered", err)
		}
		if err := s.Flush(); !errors.Is(err, errWrite) {
			t.Errorf("Flush = %v, want %v", err, errWrite)
		}
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

type countWriter struct{ n int64 }

func (w *countWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return len(p), nil
}

// TestJSONRequestAllocs checks the promise of NewJSON: with a warm
// buffer, a request record costs no allocation.
func TestJSONRequestAllocs(t *testing.T) {
	s := NewJSON(discard{})
	r := sampleRequest()
	if err := s.Request(r); err != nil { // warm the buffer
		t.Fatal(err)
	}
	if allocs := testing.AllocsPerRun(1000, func() { _ = s.Request(r) }); allocs != 0 {
		t.Errorf("Request allocates %v times, want 0", allocs)
	}
}

func BenchmarkJSONRequest(b *testing.B) {
	r := sampleRequest()
	line := toJSON(b, call{req: r}) + "\n"
	var w countWriter
	s := NewJSON(&w)
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
