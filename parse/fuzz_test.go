package parse

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/logmon/logmon/internal/record"
)

// FuzzLine checks that Line never panics, that its errors are printable,
// and that every line it accepts makes a valid JSON record that
// record.Decoder reads back to the same record. Its seed corpus is in
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
		var r record.Request
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
		var d record.Decoder
		var back record.Request
		typ, err := d.Record(js, &back)
		if err != nil || typ != record.TypeRequest {
			t.Fatalf("Record(%s) = %v, %v, want request, nil", js, typ, err)
		}
		if again := back.AppendJSON(nil); !bytes.Equal(again, js) {
			t.Fatalf("Line(%q) does not round-trip (-want +got):\n-%s\n+%s", line, js, again)
		}
	})
}

// checkRequest checks the invariants of a parsed line.
func checkRequest(t *testing.T, line string, r *record.Request) {
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

// TestTimestampCache: a parser's timestamp, which keeps the last time's
// text and its date and time to the second, reads every time as
// parseTimestamp does, whatever came before: the same second with
// other fractions and zones, the text cut short or run on, the other
// form, and bad times between good ones.
func TestTimestampCache(t *testing.T) {
	times := []string{
		"2015-05-17T00:00:00.079377Z", "2015-05-17T00:00:00.109002Z", "2015-05-17T00:00:00Z",
		"2015-05-17T00:00:00.5+02:00", "2015-05-17T00:00:00.5-14:00", "2015-05-17T00:00:00.5-14:01",
		"2015-05-17T00:00:00.", "2015-05-17T00:00:00", "2015-05-17T00:00:0", "2015-05-17T00:00:00.1234567891Z",
		"2015-05-17T00:00:01.1Z", "2015-05-18T00:00:00.1Z", "2015-02-29T00:00:00.1Z", "2016-02-29T00:00:00.1Z",
		"9999-12-31T23:00:00.1-01:00", "9999-12-31T23:00:00.1+01:00",
		"17/May/2015:00:00:00 +0000", "17/May/2015:00:00:00.25 +0000", "17/May/2015:00:00:00 -0130",
		"17/May/2015:00:00:00Z", "17/May/2015:00:00:00 +0000 ", "17/Mai/2015:00:00:00 +0000",
		"2015-05-17T00:00:00 +0000", "", "2",
	}
	// A fresh parser has no time kept: an empty text is no time (its
	// length was that of the empty text kept).
	if _, _, ok := new(Parser).timestamp(nil); ok {
		t.Error("timestamp of an empty text by a fresh parser: ok")
	}
	var p Parser
	for _, a := range times {
		for _, b := range times {
			for _, ts := range []string{a, b} {
				sec, nsec, ok := p.timestamp([]byte(ts))
				wsec, wnsec, wok := parseTimestamp([]byte(ts))
				if sec != wsec || nsec != wnsec || ok != wok {
					t.Errorf("after %q: timestamp(%q) = %d, %d, %v; want %d, %d, %v", a, ts, sec, nsec, ok, wsec, wnsec, wok)
				}
			}
		}
	}
}

// TestEmptyTimeFirst: a line with an empty time is rejected when it is
// the first line a parser reads. It was taken as 1970-01-01 in S3's
// format, whose parser keeps the last time read: nothing kept yet had
// the empty text's length.
func TestEmptyTimeFirst(t *testing.T) {
	f, err := Lookup("s3")
	if err != nil {
		t.Fatal(err)
	}
	line := strings.Replace(s3Line, "[06/Feb/2019:00:00:38 +0000]", "[]", 1)
	var r record.Request
	if err := f.NewStream().NewParser().Line([]byte(line), &r); err == nil || !strings.Contains(err.Error(), "bad timestamp") {
		t.Errorf("s3 line with an empty time: %v, want a bad timestamp", err)
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
		// A parser that kept a time of the same second (see
		// Parser.timestamp) reads s as parseTimestamp does.
		for _, last := range []string{"10/Oct/2000:13:55:36 -0700", "2000-10-10T13:55:36.5Z", s[:len(s)/2]} {
			var p Parser
			p.timestamp([]byte(last))
			if psec, pnsec, pok := p.timestamp([]byte(s)); psec != sec || pnsec != nsec || pok != ok {
				t.Fatalf("after %q: timestamp(%q) = %d, %d, %v; parseTimestamp: %d, %d, %v", last, s, psec, pnsec, pok, sec, nsec, ok)
			}
		}
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

// FuzzTextFormats feeds lines to every named text format and its syslog
// variant, after the format's own header where it has one: never a
// panic, an error that is a printable *LineError, and a record that
// round-trips through its JSON, as FuzzLine checks for Combined.
func FuzzTextFormats(f *testing.F) {
	for _, tc := range sameTraffic {
		f.Add(tc.line)
	}
	for _, tc := range autoSamples {
		for _, l := range tc.lines {
			f.Add(l)
		}
	}
	f.Add("#Fields: date time cs-uri\n2020-01-01 00:00:00 /a")
	f.Fuzz(func(t *testing.T, input string) {
		for _, fm := range autoOrder {
			p := fm.NewStream().NewParser()
			for _, line := range bytes.Split([]byte(input), []byte("\n")) {
				var r record.Request
				err := p.Line(line, &r)
				if err != nil {
					var le *LineError
					if !errors.As(err, &le) {
						t.Fatalf("%s: Line(%q) = %T %v, want a *LineError", fm.Name, line, err, err)
					}
					checkReason(t, le.Reason)
					continue
				}
				js := r.AppendJSON(nil)
				if !json.Valid(js) || !utf8.Valid(js) {
					t.Fatalf("%s: Line(%q) gives invalid JSON or UTF-8 %q", fm.Name, line, js)
				}
				var d record.Decoder
				var back record.Request
				if typ, err := d.Record(js, &back); err != nil || typ != record.TypeRequest {
					t.Fatalf("%s: Record(%s) = %v, %v", fm.Name, js, typ, err)
				}
				if again := back.AppendJSON(nil); !bytes.Equal(again, js) {
					t.Fatalf("%s: Line(%q) does not round-trip (-want +got):\n-%s\n+%s", fm.Name, line, js, again)
				}
			}
		}
	})
}
