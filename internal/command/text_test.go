package command

import (
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
)

// TestInterruptPartialSummary: on ^C, stats writes the interval it was
// in as a summary marked partial, its rate over the seconds it covers
// (10:05:00 to the last second seen, 10:05:03: 4 seconds), not over
// the whole interval; as text it says "partial".
func TestInterruptPartialSummary(t *testing.T) {
	var lines strings.Builder
	for sec := 0; sec < 4; sec++ {
		for range 2 {
			fmt.Fprintf(&lines, `1.2.3.4 - - [17/May/2015:10:05:%02d +0000] "GET /a HTTP/1.1" 200 5 "-" "-"`+"\n", sec)
		}
	}
	for _, tc := range []struct{ format, want string }{
		{"json", `{"type":"summary","start":"2015-05-17T10:05:00Z","end":"2015-05-17T10:05:10Z","partial":true,"requests":8,"rate":2,`},
		{"text", "10:05:00–10:05:10 UTC 2015-05-17  8 req  2.0 req/s  40 B  5xx 0%  partial"},
	} {
		t.Run(tc.format, func(t *testing.T) {
			in := &blockAfter{data: strings.NewReader(lines.String()), blocked: make(chan struct{})}
			var out, errs strings.Builder
			sig := make(chan os.Signal, 1)
			e := testEnv(in, &out, &errs)
			e.interrupt = sig
			done := make(chan int)
			go func() { done <- run([]string{"logmon", "stats", "--format", tc.format}, e) }()
			<-in.blocked
			sig <- syscall.SIGINT
			if code := <-done; code != 130 {
				t.Errorf("exit %d, want 130; stderr:\n%s", code, errs.String())
			}
			if !strings.HasPrefix(out.String(), tc.want) {
				t.Errorf("stdout:\n%s\nwant it to start with\n%s", out.String(), tc.want)
			}
		})
	}
}
