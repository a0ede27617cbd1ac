package command

import (
	"strings"
	"testing"
)

// TestNATSPublishRequests: requests published (parse --publish, and alert
// --pass --publish) all reach the stream, two identical ones included: two
// requests of the same second, client and path are two requests. Before,
// a request's message id was the hash of its record, so the server
// dropped the second as a duplicate; now a request is known by its place
// in a followed file, and one without a place has no id (published again
// after a restart, it is in the stream twice: at least once, never lost).
func TestNATSPublishRequests(t *testing.T) {
	url := startNATS(t)
	line := `1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET /health HTTP/1.1" 200 2 "-" "probe"` + "\n"
	other := strings.Replace(line, "/health", "/other", 1)
	logs := []byte(line + line + other)
	if r := logmon(t, logs, "parse", "--publish", url+"/logmon.parsed").ok(t); r.stdout != "" {
		t.Errorf("parse --publish wrote on standard output: %s", r.stdout)
	}
	logmon(t, logs, "alert", "--pass", "--threshold", "100", "--publish", url+"/logmon.passed").ok(t)
	for _, subject := range []string{"parsed", "passed"} {
		out := logmon(t, nil, "subscribe", url+"/logmon."+subject, "--until-idle", "300ms").ok(t).stdout
		if n := strings.Count(out, `"type":"request"`); n != 3 {
			t.Errorf("logmon.%s holds %d requests, want 3:\n%s", subject, n, out)
		}
	}
}
