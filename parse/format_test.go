package parse

import (
	"errors"
	"strings"
	"testing"

	"github.com/logmon/logmon/internal/record"
)

// TestAutoPicksOnceAndKeeps: auto picks the format of the first line a
// format takes, says so once, and keeps it: a later line of another kind
// is rejected with the picked format's reason.
func TestAutoPicksOnceAndKeeps(t *testing.T) {
	s := Auto.NewStream()
	var picks []string
	p := s.NewParser()
	var r record.Request
	lines := []string{
		"[Sun May 17 10:05:03 2015] [error] [client 1.2.3.4] File does not exist",
		docCombined,
		"[Sun May 17 10:05:04 2015] [error] [client 1.2.3.4] File does not exist",
		docCommon,
	}
	var errs []string
	for _, l := range lines {
		if err := p.Line([]byte(l), &r); err != nil {
			errs = append(errs, err.Error())
		} else {
			errs = append(errs, "")
		}
		if n := p.Notice(); n != "" {
			picks = append(picks, n)
		}
	}
	if len(picks) != 1 || !strings.HasPrefix(picks[0], "log format combined,") {
		t.Errorf("notices %q, want one of combined picked", picks)
	}
	if s.Format() == nil || s.Format().Name != "combined" {
		t.Errorf("stream format %v, want combined", s.Format())
	}
	want := []string{
		`of no log format logmon knows (yet): "[Sun May 17 10:05:03 2015] [error] [clie"...`,
		"",
		`want 3 or 4 fields before the timestamp, found 0 in "[Sun May 17 10:05:04 2015] [error] [clie"...`,
		"",
	}
	for i := range want {
		if errs[i] != want[i] {
			t.Errorf("line %d: error %q, want %q", i+1, errs[i], want[i])
		}
	}
}

// TestAutoGivesUp: maxMisses lines of no known format end the input with
// an error that is fatal and says what each format said of the first.
func TestAutoGivesUp(t *testing.T) {
	p := Auto.NewStream().NewParser()
	var r record.Request
	var err error
	for i := range maxMisses {
		err = p.Line([]byte("no log line here"), &r)
		var nf *NoFormatError
		if errors.As(err, &nf) != (i == maxMisses-1) {
			t.Fatalf("line %d: %v", i+1, err)
		}
	}
	var nf *NoFormatError
	if !errors.As(err, &nf) || !nf.Fatal() || nf.Lines != maxMisses {
		t.Fatalf("got %#v", err)
	}
	if !strings.Contains(err.Error(), `combined: missing timestamp in "no log line here"`) {
		t.Errorf("error %q does not say what combined made of the first line", err)
	}
}

// TestLookup: every named format and auto are found; anything else is an
// error that lists them.
func TestLookup(t *testing.T) {
	var names []string
	for _, f := range named {
		names = append(names, f.Name)
	}
	for _, f := range syslogFormats {
		names = append(names, f.Name)
	}
	for _, name := range append(names, "auto") {
		f, err := Lookup(name)
		if err != nil || f.Name != name {
			t.Errorf("Lookup(%q) = %v, %v", name, f, err)
		}
	}
	if _, err := Lookup("syslog-NAME"); err == nil {
		t.Error("Lookup(syslog-NAME) found a format")
	}
	if _, err := Lookup("syslog-syslog-combined"); err == nil {
		t.Error("Lookup(syslog-syslog-combined) found a format")
	}
	_, err := Lookup("xml")
	if err == nil || !strings.Contains(err.Error(), "combined") {
		t.Errorf("Lookup(xml) error %v, want one that lists the formats", err)
	}
}

// TestNamedFormatParses: a stream of a named format parses with it from
// the first line, without picking.
func TestNamedFormatParses(t *testing.T) {
	f, err := Lookup("common")
	if err != nil {
		t.Fatal(err)
	}
	p := f.NewStream().NewParser()
	var r record.Request
	if err := p.Line([]byte(docCommon), &r); err != nil || r.Status != 200 {
		t.Errorf("got %v, status %d", err, r.Status)
	}
	if n := p.Notice(); n != "" {
		t.Errorf("a named format was picked: %q", n)
	}
}

// TestNamedGivesUp: a named format none of whose first maxMisses lines
// is of it gives up too, saying what the input looks like; once a line
// was taken, bad lines are only rejected, however many.
func TestNamedGivesUp(t *testing.T) {
	f, err := Lookup("combined")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ line, looks string }{
		{"\x00\x01\x02binary\x03\x04", "binary data"},
		{`{"msg":"hello"}`, "JSON, but not of a JSON log format logmon knows"},
		{"<34>Oct 11 22:14:15 mymachine su: 'su root' failed", "syslog"},
		{"GET / 200", `text of another format: "GET / 200"`},
	} {
		p := f.NewStream().NewParser()
		var r record.Request
		var err error
		for range maxMisses {
			err = p.Line([]byte(tc.line), &r)
		}
		var nf *NoFormatError
		if !errors.As(err, &nf) || nf.Format != "combined" || !strings.Contains(err.Error(), "it looks like "+tc.looks) {
			t.Errorf("%q: got %v, want it to look like %s", tc.line, err, tc.looks)
		}
	}
	p := f.NewStream().NewParser()
	var r record.Request
	if err := p.Line([]byte(docCombined), &r); err != nil {
		t.Fatal(err)
	}
	for range 2 * maxMisses {
		if err := p.Line([]byte("GET / 200"), &r); err == nil || errors.As(err, new(*NoFormatError)) {
			t.Fatalf("after a good line: %v", err)
		}
	}
}

// TestAutoSaysWhatCombinedSkips: a line that goes on after the user
// agent (nginx's `rt=$request_time` and the like) is Combined to auto,
// which does not read the rest: the notice of the pick says so, and
// what to give instead, rather than losing those fields unsaid. A line
// that ends with its agent, and a syslog-prefixed one, say nothing more.
func TestAutoSaysWhatCombinedSkips(t *testing.T) {
	for _, tc := range []struct{ line, want string }{
		{docCombined + ` rt=0.123 urt="0.120"`, `log format combined, picked from the first line of a known format (--log-format names it); the line goes on after the user agent, "rt=0.123 urt=\"0.120\"", which combined does not read: give the server's log_format or LogFormat string with --log-format to read it`},
		{docCombined, "log format combined, picked from the first line of a known format (--log-format names it)"},
		{docCombined + "   ", "log format combined, picked from the first line of a known format (--log-format names it)"},
		{"<134>May 17 10:05:03 web1 nginx: " + docCombined + " 0.004", `log format syslog-combined, picked from the first line of a known format (--log-format names it); the line goes on after the user agent, "0.004", which syslog-combined does not read: give the server's log_format or LogFormat string with --log-format to read it`},
	} {
		p := Auto.NewStream().NewParser()
		var r record.Request
		if err := p.Line([]byte(tc.line), &r); err != nil {
			t.Fatalf("%q: %v", tc.line, err)
		}
		if got := p.Notice(); got != tc.want {
			t.Errorf("%q:\nnotice %q\nwant   %q", tc.line, got, tc.want)
		}
	}
}
