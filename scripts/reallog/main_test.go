package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestRun: each copy gets an hour of its own, the input's span squeezed
// into it; the keys seen once are new in each copy, the others recur; a
// line it cannot read is written as it is.
func TestRun(t *testing.T) {
	in := strings.Join([]string{
		`1.2.3.4 - - [17/May/2015:10:00:00 +0000] "GET /a HTTP/1.1" 200 5 "-" "agent A"`,
		`1.2.3.4 - - [17/May/2015:22:00:00 +0000] "GET /a HTTP/1.1" 200 5 "http://x/ref" "agent A"`,
		`5.6.7.8 - - [18/May/2015:10:00:00 +0000] "GET /once?q=1 HTTP/1.1" 404 0 "-" "agent B"`,
		`not a log line`,
	}, "\n") + "\n"
	var out bytes.Buffer
	if err := run(strings.NewReader(in), &out, 2); err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		`1.2.3.4 - - [17/May/2015:00:00:00 +0000] "GET /a HTTP/1.1" 200 5 "-" "agent A"`,
		`1.2.3.4 - - [17/May/2015:00:30:00 +0000] "GET /a HTTP/1.1" 200 5 "http://x/ref?r=0" "agent A"`,
		`5.6.7.8 - - [17/May/2015:01:00:00 +0000] "GET /once?q=1&r=0 HTTP/1.1" 404 0 "-" "agent B r/0"`,
		`not a log line`,
		`1.2.3.4 - - [17/May/2015:01:00:00 +0000] "GET /a HTTP/1.1" 200 5 "-" "agent A"`,
		`1.2.3.4 - - [17/May/2015:01:30:00 +0000] "GET /a HTTP/1.1" 200 5 "http://x/ref?r=1" "agent A"`,
		`5.6.7.8 - - [17/May/2015:02:00:00 +0000] "GET /once?q=1&r=1 HTTP/1.1" 404 0 "-" "agent B r/1"`,
		`not a log line`,
	}, "\n") + "\n"
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
}
