package parse

import (
	"errors"
	"strings"
	"testing"

	"github.com/logmon/logmon/internal/record"
)

// autoSamples are a sample input of every named format (but the aliases
// of combined) and of the syslog variants auto must find, with the
// format auto must pick and the line that picks it.
var autoSamples = []struct {
	format string
	line   int64
	lines  []string
}{
	{"cloudfront", 2, []string{cfVersion, cfFields, cfLine, cfQuinn}},
	{"caddy", 1, []string{caddyDoc, caddyReal}},
	{"traefik-json", 1, []string{traefikReal, traefikNoRouter}},
	{"nginx-json", 1, []string{nginxReal, nginxScanner}},
	{"cloudfront", 1, []string{cfLine, cfQuinn}},
	{"w3c", 4, []string{iisSoftware, iisVersion, iisDate, iisFields, iisLine, iisLine2}},
	{"w3c", 1, []string{iis7Fields, iis7Line}},
	{"w3c", 3, []string{iisVersion, w3cDraftDate, w3cDraftFields, w3cDraftLine}},
	{"alb", 1, []string{albHTTP, albH2, albNone}},
	{"elb", 1, []string{elbHTTP, elbHTTPS}},
	{"s3", 1, []string{s3Line, s3Older}},
	{"haproxy", 1, []string{haproxyDoc}},
	{"traefik", 1, []string{traefikLine, traefikV1}},
	{"lighttpd", 1, []string{lighttpdLine, lighttpdPort}},
	{"combined", 1, []string{realKibana, docCommon, benchLines[3]}},
	// An identd user name, or a lighttpd host without a dot, is no host:
	// Combined (see lighttpdDetect).
	{"combined", 1, []string{`192.0.2.7 frank - [17/May/2015:10:05:03 +0000] "GET / HTTP/1.1" 200 1 "-" "-"`}},
	{"combined", 1, []string{`192.0.2.7 localhost - [17/May/2015:10:05:03 +0000] "GET / HTTP/1.1" 200 1 "-" "-"`}},
	{"syslog-combined", 1, []string{syslogNginx, syslogISO, syslog5424, syslogPRI3164}},
	{"syslog-haproxy", 1, []string{haproxySys, haproxyNoSrv}},
	{"syslog-traefik", 1, []string{`Jun 18 15:18:46 node3 traefik[1]: ` + traefikLine}},
	{"syslog-w3c", 1, []string{"<134>1 2022-01-22T00:00:01Z web iis - - - " + iisFields, "<134>1 2022-01-22T00:00:01Z web iis - - - " + iisLine}},
}

// TestAutoPicksEveryFormat: auto picks every format from its sample, at
// the line that decides, and reads each line as the format itself does.
func TestAutoPicksEveryFormat(t *testing.T) {
	covered := map[string]bool{}
	for _, tc := range autoSamples {
		covered[tc.format] = true
		t.Run(tc.format, func(t *testing.T) {
			s := Auto.NewStream()
			var picks []string
			var at int64
			p := s.NewParser()
			var got []string
			for i, l := range tc.lines {
				var r record.Request
				err := p.Line([]byte(l), &r)
				if n := p.Notice(); n != "" {
					name, _, _ := strings.Cut(strings.TrimPrefix(n, "log format "), ",")
					picks, at = append(picks, name), int64(i+1)
				}
				var le *LineError
				if err != nil && !(errors.As(err, &le) && le.IsHeader) {
					t.Errorf("line %q: %v", l, err)
				}
				got = append(got, outcome(err, &r))
			}
			if len(picks) != 1 || picks[0] != tc.format || at != tc.line {
				t.Fatalf("picked %q at line %d, want %s at line %d", picks, at, tc.format, tc.line)
			}
			want := parseStream(t, tc.format, tc.lines)
			for i := range want {
				if strings.HasPrefix(want[i], "header: ") && strings.HasPrefix(got[i], "header: ") {
					continue // a directive before #Fields: says so under auto
				}
				if got[i] != want[i] {
					t.Errorf("line %d under auto (-%s +auto):\n-%s\n+%s", i+1, tc.format, want[i], got[i])
				}
			}
		})
	}
	for _, f := range named {
		if !f.alias && !covered[f.Name] {
			t.Errorf("no sample of %s", f.Name)
		}
	}
}
