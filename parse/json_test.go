package parse

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/logmon/logmon/internal/record"
)

// Real lines of the JSON formats, verbatim from public sources.
const (
	// Caddy's documentation (caddyserver.com/docs/logging), as GoAccess's
	// and goaccessfmt's tests have it.
	caddyDoc = `{"level":"info","ts":1646861401.5241024,"logger":"http.log.access","msg":"handled request","request":{"remote_ip":"127.0.0.1","remote_port":"41342","client_ip":"127.0.0.1","proto":"HTTP/2.0","method":"GET","host":"localhost","uri":"/","headers":{"User-Agent":["curl/7.82.0"],"Accept":["*/*"],"Accept-Encoding":["gzip, deflate, br"]},"tls":{"resumed":false,"version":772,"cipher_suite":4865,"proto":"h2","server_name":"example.com"}},"bytes_read": 0,"user_id":"","duration":0.000929675,"size":10900,"status":200,"resp_headers":{"Server":["Caddy"],"Content-Encoding":["gzip"],"Content-Type":["text/html; charset=utf-8"],"Vary":["Accept-Encoding"]}}`
	// Caddy 2.10, a 404 with an escaped quote in a skipped header.
	caddyReal = `{"level":"info","ts":1786054486.193625,"logger":"http.log.access.log0","msg":"handled request","request":{"remote_ip":"98.113.67.178","remote_port":"55392","client_ip":"98.113.67.178","proto":"HTTP/1.1","method":"GET","host":"api.whitepapergrey.com","uri":"/__logcheck-20260806T221446Z","headers":{"User-Agent":["curl/8.17.0"],"Accept":["*/*"]},"tls":{"resumed":false,"version":772,"cipher_suite":4865,"proto":"http/1.1","server_name":"api.whitepapergrey.com","ech":false}},"bytes_read":0,"user_id":"","duration":0.001543878,"size":99,"status":404,"resp_headers":{"Via":["1.1 Caddy"],"Alt-Svc":["h3=\":443\"; ma=2592000"],"Content-Type":["application/json; charset=utf-8"],"Content-Length":["99"],"Date":["Thu, 06 Aug 2026 22:14:46 GMT"]}}`
	// Traefik v3 behind Coolify, with an upstream.
	traefikReal = `{"ClientAddr":"192.168.156.1:31073","ClientHost":"192.168.156.1","ClientPort":"31073","ClientUsername":"-","DownstreamContentSize":75,"DownstreamStatus":404,"Duration":1964899,"OriginContentSize":75,"OriginDuration":1694568,"OriginStatus":404,"Overhead":270331,"RequestAddr":"nodejs.127.0.0.1.sslip.io","RequestContentSize":0,"RequestCount":1,"RequestHost":"nodejs.127.0.0.1.sslip.io","RequestMethod":"GET","RequestPath":"/500","RequestPort":"-","RequestProtocol":"HTTP/1.1","RequestScheme":"http","RetryAttempts":0,"RouterName":"http-0-p0o00o0g0cksskkog88so880@docker","ServiceAddr":"192.168.156.12:3000","ServiceName":"http-0-p0o00o0g0cksskkog88so880@docker","ServiceURL":"http://192.168.156.12:3000","StartLocal":"2025-02-28T12:11:34.10912886Z","StartUTC":"2025-02-28T12:11:34.10912886Z","entryPointName":"http","level":"info","msg":"","time":"2025-02-28T12:11:34Z"}`
	// Traefik v2 in Kubernetes, a 404 with no router: no Origin keys.
	traefikNoRouter = `{"ClientAddr":"172.16.100.61:49880","ClientHost":"172.16.100.61","ClientPort":"49880","ClientUsername":"-","DownstreamContentSize":19,"DownstreamStatus":404,"Duration":204055,"Overhead":204055,"RequestAddr":"172.16.100.61","RequestContentSize":0,"RequestCount":1,"RequestHost":"172.16.100.61","RequestMethod":"GET","RequestPath":"/","RequestPort":"-","RequestProtocol":"HTTP/1.1","RequestScheme":"http","RetryAttempts":0,"StartLocal":"2021-06-05T04:03:22.742209746Z","StartUTC":"2021-06-05T04:03:22.742209746Z","level":"info","msg":"","time":"2021-06-05T04:03:22Z"}`
	// nginx escape=json, every value a string (a karaoke server's test).
	nginxReal = `{"time_local":"04/Nov/2022:09:42:14 +0000","remote_addr":"192.168.1.1","remote_user":"","request":"GET /files/tracks.json HTTP/1.1","status": "200","body_bytes_sent":"845406","request_time":"0.001","request_id":"89b57bb39320389a08eb6bebd7c6ff9a","http_referrer":"https://karakara.uk/browser2/","http_user_agent":"Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:106.0) Gecko/20100101 Firefox/106.0","cookie_performer_name":""}`
	// nginx escape=json from a honeypot: a scanner's encoded query.
	nginxScanner = `{"time_local":"22/Apr/2024:17:56:07 +0000","remote_addr":"43.163.232.152","remote_user":"","request":"GET /viwwwsogou?op=8&query=%E7%A8%8F%E5%BB%BA%09%E9%BE%90%E1%B7%A2 HTTP/1.1","status": "400","body_bytes_sent":"248","request_time":"0.000","http_referrer":"","http_user_agent":"Mozilla/5.0 (Windows NT 6.1; Trident/7.0; rv:11.0) like Gecko","request_body":""}`
	// nginx with a log_format that lost a quote ($request_time"): what
	// such a configuration writes is no JSON.
	nginxBroken = `{"time_local":"19/Oct/2025:15:33:23 +0800","remote_addr":"10.244.0.1","request":"GET / HTTP/1.1","status":200,"body_bytes_sent":1044,"request_time":0.000","http_user_agent":"Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:144.0) Gecko/20100101 Firefox/144.0"}`
)

func TestJSONLine(t *testing.T) {
	tests := []struct {
		name, format, input string
		want                string // AppendJSON of the parsed line, or the error
	}{
		{
			name: "caddy docs", format: "caddy", input: caddyDoc,
			want: `{"type":"request","time":"2022-03-09T21:30:01.5241024Z","vhost":"localhost","remote":"127.0.0.1","method":"GET","path":"/","section":"/","protocol":"HTTP/2.0","status":200,"bytes":10900,"agent":"curl/7.82.0","duration":0.000929675}`,
		},
		{
			name: "caddy real", format: "caddy", input: caddyReal,
			want: `{"type":"request","time":"2026-08-06T22:14:46.193625Z","vhost":"api.whitepapergrey.com","remote":"98.113.67.178","method":"GET","path":"/__logcheck-20260806T221446Z","section":"/__logcheck-20260806T221446Z","protocol":"HTTP/1.1","status":404,"bytes":99,"agent":"curl/8.17.0","duration":0.001543878}`,
		},
		{
			name: "caddy before 2.5: remote_addr with a port; iso8601 time, duration string", format: "caddy",
			input: `{"level":"info","ts":"2022-03-09T22:30:01.524+0100","logger":"http.log.access","msg":"handled request","request":{"remote_addr":"[2001:db8::1]:41342","proto":"HTTP/1.1","method":"POST","host":"example.com","uri":"/api/v1/items?id=3","headers":{"User-Agent":["Mozilla/5.0"],"Referer":["https://example.com/"],"X-Forwarded-For":["203.0.113.9"]}},"user_id":"alice","duration":"1.5ms","size":0,"status":201}`,
			want:  `{"type":"request","time":"2022-03-09T21:30:01.524Z","vhost":"example.com","remote":"2001:db8::1","user":"alice","method":"POST","path":"/api/v1/items?id=3","section":"/api","protocol":"HTTP/1.1","status":201,"bytes":0,"referer":"https://example.com/","agent":"Mozilla/5.0","duration":0.0015,"forwarded_for":"203.0.113.9"}`,
		},
		{
			name: "caddy unix_nano time, duration_format nano", format: "caddy",
			input: `{"ts":1646861401524102400,"request":{"remote_ip":"127.0.0.1","method":"GET","uri":"/"},"duration":929675,"size":1,"status":200}`,
			want:  `{"type":"request","time":"2022-03-09T21:30:01.5241024Z","remote":"127.0.0.1","method":"GET","path":"/","section":"/","status":200,"bytes":1,"duration":0.000929675}`,
		},
		{
			name: "caddy unix_milli_float, common_log and wall times", format: "caddy",
			input: `{"ts":1646861401524.25,"request":{"method":"GET","uri":"/"},"status":200}`,
			want:  `{"type":"request","time":"2022-03-09T21:30:01.52425Z","method":"GET","path":"/","section":"/","status":200,"bytes":0}`,
		},
		{
			name: "caddy common_log time", format: "caddy",
			input: `{"ts":"09/Mar/2022:21:30:01 +0000","request":{"method":"GET","uri":"/"},"status":200}`,
			want:  `{"type":"request","time":"2022-03-09T21:30:01Z","method":"GET","path":"/","section":"/","status":200,"bytes":0}`,
		},
		{
			name: "caddy wall_milli time (UTC)", format: "caddy",
			input: `{"ts":"2022/03/09 21:30:01.500","request":{"method":"GET","uri":"/"},"status":200}`,
			want:  `{"type":"request","time":"2022-03-09T21:30:01.5Z","method":"GET","path":"/","section":"/","status":200,"bytes":0}`,
		},
		{
			name: "caddy: escapes, a header of no string, status 0", format: "caddy",
			input: `{"ts":1,"request":{"method":"GET","uri":"/a\u00e9\ud83d\ude00\"\/\ud800x","headers":{"User-Agent":[]}},"duration":"1m2.5ms","status":0}`,
			want:  `{"type":"request","time":"1970-01-01T00:00:01Z","method":"GET","path":"/aé😀\"/�x","section":"/aé😀\"","bytes":0,"duration":60.0025}`,
		},
		{
			name: "traefik real", format: "traefik-json", input: traefikReal,
			want: `{"type":"request","time":"2025-02-28T12:11:34.10912886Z","vhost":"nodejs.127.0.0.1.sslip.io","remote":"192.168.156.1","method":"GET","path":"/500","section":"/500","protocol":"HTTP/1.1","status":404,"bytes":75,"duration":0.001964899,"upstream_status":404,"upstream_duration":0.001694568}`,
		},
		{
			name: "traefik no router", format: "traefik-json", input: traefikNoRouter,
			want: `{"type":"request","time":"2021-06-05T04:03:22.742209746Z","vhost":"172.16.100.61","remote":"172.16.100.61","method":"GET","path":"/","section":"/","protocol":"HTTP/1.1","status":404,"bytes":19,"duration":0.000204055}`,
		},
		{
			name: "traefik headers kept, fields dropped: ClientAddr, time", format: "traefik-json",
			input: `{"ClientAddr":"[2001:db8::7]:443","ClientUsername":"bob","DownstreamStatus":200,"Duration":1000000000,"RequestMethod":"GET","RequestPath":"/x","StartLocal":"2021-06-05T06:03:22+02:00","request_User-Agent":"curl/8.5.0","request_Referer":"https://a.example/","request_X-Forwarded-For":"198.51.100.1"}`,
			want:  `{"type":"request","time":"2021-06-05T04:03:22Z","remote":"2001:db8::7","user":"bob","method":"GET","path":"/x","section":"/x","status":200,"bytes":0,"referer":"https://a.example/","agent":"curl/8.5.0","duration":1,"forwarded_for":"198.51.100.1"}`,
		},
		{
			name: "nginx strings", format: "nginx-json", input: nginxReal,
			want: `{"type":"request","time":"2022-11-04T09:42:14Z","remote":"192.168.1.1","method":"GET","path":"/files/tracks.json","section":"/files","protocol":"HTTP/1.1","status":200,"bytes":845406,"agent":"Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:106.0) Gecko/20100101 Firefox/106.0","duration":0.001}`,
		},
		{
			name: "nginx scanner", format: "nginx-json", input: nginxScanner,
			want: `{"type":"request","time":"2024-04-22T17:56:07Z","remote":"43.163.232.152","method":"GET","path":"/viwwwsogou?op=8&query=%E7%A8%8F%E5%BB%BA%09%E9%BE%90%E1%B7%A2","section":"/viwwwsogou","protocol":"HTTP/1.1","status":400,"bytes":248,"agent":"Mozilla/5.0 (Windows NT 6.1; Trident/7.0; rv:11.0) like Gecko","duration":0}`,
		},
		{
			name: "nginx msec, parts of the request, upstreams tried, dashes", format: "nginx-json",
			input: `{"msec":"1667554934.123","time_iso8601":"2022-11-04T09:42:14+00:00","remote_addr":"10.0.0.1","request_method":"GET","request_uri":"/a/b?c","server_protocol":"HTTP/2.0","status":502,"body_bytes_sent":0,"request_time":0.5,"upstream_status":"502, 504","upstream_response_time":"0.250, 0.249","http_x_forwarded_for":"198.51.100.7, 10.0.0.2","host":"shop.example","http_referer":"-","http_user_agent":"-","remote_user":"-"}`,
			want:  `{"type":"request","time":"2022-11-04T09:42:14.123Z","vhost":"shop.example","remote":"10.0.0.1","method":"GET","path":"/a/b?c","section":"/a","protocol":"HTTP/2.0","status":502,"bytes":0,"duration":0.5,"upstream_status":504,"upstream_duration":0.249,"forwarded_for":"198.51.100.7, 10.0.0.2"}`,
		},
		{
			name: "nginx time key and numbers (a Loki guide's format)", format: "nginx-json",
			input: `{"time":"2026-09-26T10:47:11+00:00","remote_addr":"83.30.43.237","request_method":"GET","request_uri":"/resources/8kf24/login/keycloak.v2/img/keycloak-logo-text.svg?id=sample-app-1","status":200,"request_time":0.012,"upstream_response_time":"0.011"}`,
			want:  `{"type":"request","time":"2026-09-26T10:47:11Z","remote":"83.30.43.237","method":"GET","path":"/resources/8kf24/login/keycloak.v2/img/keycloak-logo-text.svg?id=sample-app-1","section":"/resources","status":200,"bytes":0,"duration":0.012,"upstream_duration":0.011}`,
		},
		{
			name: "nginx empty upstream values, request_uri only", format: "nginx-json",
			input: `{"time_local":"01/Dec/2019:06:43:11 +0000","remote_addr":"172.17.0.1","remote_user":"","request_uri": "/","status": "200","body_bytes_sent":"18","request_time":"0.000","http_referrer":"","upstream_addr":"","upstream_status":"","upstream_response_time":""}`,
			want:  `{"type":"request","time":"2019-12-01T06:43:11Z","remote":"172.17.0.1","path":"/","section":"/","status":200,"bytes":18,"duration":0}`,
		},
		{
			name: "nginx TLS bytes as the request", format: "nginx-json",
			input: `{"time_local":"06/May/2026:12:00:00 +0000","remote_addr":"127.0.0.1","request":"\u0016\u0003\u0001","status":"400","body_bytes_sent":"0","request_time":"0.001","upstream_response_time":"-"}`,
			want:  `{"type":"request","time":"2026-05-06T12:00:00Z","remote":"127.0.0.1","request":"\u0016\u0003\u0001","status":400,"bytes":0,"duration":0.001}`,
		},
		{
			name: "mapping: nested keys, alternatives, units", format: "json:time=ts,remote=req.ip|req.addr,status=code,duration=took_ms:ms,path=req.path",
			input: `{"ts":"2024-01-02T03:04:05.5+01:00","req":{"addr":"192.0.2.9:80","path":"/x/y"},"code":"-","took_ms":12.5}`,
			want:  `{"type":"request","time":"2024-01-02T02:04:05.5Z","remote":"192.0.2.9","path":"/x/y","section":"/x","bytes":0,"duration":0.0125}`,
		},
		{
			name: "mapping: a flattened key with dots, epoch ms", format: "json:time=@timestamp,method=http.request.method,path=url.original",
			input: `{"@timestamp":1700000000123,"http.request.method":"GET","url":{"original":"/"}}`,
			want:  `{"type":"request","time":"2023-11-14T22:13:20.123Z","method":"GET","path":"/","section":"/","bytes":0}`,
		},
		{
			name: "mapping: explicit epoch unit, numbers as text", format: "json:time=t:s,user=uid,bytes=n",
			input: `{"t":"1000","uid":42,"n":"-"}`,
			want:  `{"type":"request","time":"1970-01-01T00:16:40Z","user":"42","bytes":0}`,
		},

		// Bad lines, with their reasons.
		{name: "not JSON", format: "caddy", input: `ts=1 status=200`, want: `not a JSON object`},
		{name: "a list", format: "caddy", input: `[1]`, want: `not a JSON object`},
		{name: "truncated", format: "caddy", input: `{"ts":1,"request":{"method":"GET"`, want: `invalid JSON at column 34: unterminated object`},
		{name: "truncated in a string", format: "traefik-json", input: traefikReal[:200], want: `invalid JSON at column 201: unterminated string`},
		{name: "truncated in a skipped object", format: "caddy", input: caddyDoc[:len(caddyDoc)-3], want: `invalid JSON at column 644: unterminated string`},
		{name: "a skipped object not closed", format: "caddy", input: `{"ts":1,"tls":{"a":[1,{}]`, want: `invalid JSON at column 26: unterminated object or list`},
		{name: "nginx's lost quote", format: "nginx-json", input: nginxBroken, want: `invalid JSON at column 154: want ',' or '}'`},
		{name: "text after", format: "caddy", input: `{"ts":1,"request":{"method":"GET"}} x`, want: `invalid JSON at column 37: text after the object`},
		{name: "bad escape", format: "caddy", input: `{"ts":1,"request":{"method":"G\xT"}}`, want: `invalid JSON at column 31: bad escape "\\x"`},
		{name: "bad literal", format: "caddy", input: `{"ts":1,"ok":nope}`, want: `invalid JSON at column 14: bad value`},
		{name: "nested too deep", format: "caddy", input: `{"ts":1,"a":` + strings.Repeat("[", 101) + strings.Repeat("]", 101) + `}`, want: `invalid JSON at column 112: nested deeper than 100`},
		{name: "nested too deep in a mapped object", format: "caddy", input: `{"ts":1,"request":{"headers":` + strings.Repeat(`{"a":`, 99) + `1` + strings.Repeat("}", 99) + `}}`, want: `invalid JSON at column 520: nested deeper than 100`},
		{name: "missing time", format: "caddy", input: `{"status":200,"request":{"method":"GET"}}`, want: `no time: want "ts"`},
		{name: "missing time, several keys", format: "nginx-json", input: `{"remote_addr":"1.2.3.4","request":"GET / HTTP/1.1"}`, want: `no time: want "msec", "time_iso8601", "time_local" or ...`},
		{name: "time null is missing", format: "traefik-json", input: `{"StartUTC":null,"RequestPath":"/"}`, want: `no time: want "StartUTC", "StartLocal" or "time"`},
		{name: "bad time", format: "caddy", input: `{"ts":"yesterday","request":{"method":"GET"}}`, want: `bad time "yesterday" at "ts"`},
		{name: "time without zone", format: "traefik-json", input: `{"StartUTC":"2021-06-05T04:03:22","RequestPath":"/"}`, want: `bad time "2021-06-05T04:03:22" at "StartUTC"`},
		{name: "negative time", format: "caddy", input: `{"ts":-1,"request":{"method":"GET"}}`, want: `bad time "-1" at "ts"`},
		{name: "time beyond 9999", format: "json:time=t:s", input: `{"t":253402300800}`, want: `bad time "253402300800" at "t"`},
		{name: "30 February", format: "nginx-json", input: `{"time_local":"30/Feb/2015:10:05:03 +0000","request":"GET / HTTP/1.1"}`, want: `bad time "30/Feb/2015:10:05:03 +0000" at "time_local"`},
		{name: "bad status", format: "caddy", input: `{"ts":1,"status":1000,"request":{"method":"GET"}}`, want: `bad status "1000" at "status"`},
		{name: "status 99", format: "traefik-json", input: `{"time":"2021-06-05T04:03:22Z","DownstreamStatus":"99","RequestPath":"/"}`, want: `bad status "99" at "DownstreamStatus"`},
		{name: "status a fraction", format: "caddy", input: `{"ts":1,"status":200.5,"request":{"method":"GET"}}`, want: `bad status "200.5" at "status"`},
		{name: "status true", format: "caddy", input: `{"ts":1,"status":true,"request":{"method":"GET"}}`, want: `bad status "true" at "status"`},
		{name: "status an object", format: "caddy", input: `{"ts":1,"status":{"code":200},"request":{"method":"GET"}}`, want: `"status" is an object, want a number or a string`},
		{name: "bad size", format: "caddy", input: `{"ts":1,"size":-5,"request":{"method":"GET"}}`, want: `bad size "-5" at "size"`},
		{name: "bad duration", format: "nginx-json", input: `{"msec":1,"request":"GET / HTTP/1.1","request_time":"fast"}`, want: `bad duration "fast" at "request_time"`},
		{name: "negative duration", format: "traefik-json", input: `{"time":"2021-06-05T04:03:22Z","RequestPath":"/","Duration":-1}`, want: `bad duration "-1" at "Duration"`},
		{name: "infinite duration", format: "nginx-json", input: `{"msec":1,"request":"GET / HTTP/1.1","request_time":1e999}`, want: `bad duration "1e999" at "request_time"`},
		{name: "request an object (Caddy's line as nginx)", format: "nginx-json", input: caddyDoc, want: `"request" is an object, want a string`},
		{name: "request a string (nginx's line as Caddy)", format: "caddy", input: `{"ts":1,"request":"GET / HTTP/1.1"}`, want: `"request" is a string, want an object`},
		{name: "a string field a list of numbers", format: "caddy", input: `{"ts":1,"request":{"method":"GET","headers":{"User-Agent":[1]}}}`, want: `"request.headers.User-Agent" is a list of other than strings`},
		{name: "a string field an object", format: "traefik-json", input: `{"time":"2021-06-05T04:03:22Z","RequestPath":{"p":"/"}}`, want: `"RequestPath" is an object, want a string`},
		{name: "no request: Caddy's other loggers", format: "caddy", input: `{"level":"info","ts":1646861401.52,"logger":"tls.obtain","msg":"certificate obtained successfully","identifier":"example.com"}`, want: `no request: want "request.uri" or "request.method"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Lookup(tt.format)
			if err != nil {
				t.Fatal(err)
			}
			p := f.NewStream().NewParser()
			var r record.Request
			var got string
			if err := p.Line([]byte(tt.input), &r); err != nil {
				var le *LineError
				if !errors.As(err, &le) {
					t.Fatalf("error %T %v, want a *LineError", err, err)
				}
				checkReason(t, le.Reason)
				got = err.Error()
			} else {
				got = string(r.AppendJSON(nil))
			}
			if got != tt.want {
				t.Errorf("(-want +got):\n-%s\n+%s", tt.want, got)
			}
		})
	}
}

// TestJSONAuto: auto picks each JSON format from its lines, and a line
// of one is not taken as another's.
func TestJSONAuto(t *testing.T) {
	for _, tt := range []struct{ line, want string }{
		{caddyDoc, "caddy"},
		{caddyReal, "caddy"},
		{traefikReal, "traefik-json"},
		{traefikNoRouter, "traefik-json"},
		{nginxReal, "nginx-json"},
		{nginxScanner, "nginx-json"},
		{`{"time":"2026-09-26T10:47:11+00:00","remote_addr":"83.30.43.237","request_method":"GET","request_uri":"/","status":200}`, "nginx-json"},
	} {
		s := Auto.NewStream()
		var r record.Request
		err := s.NewParser().Line([]byte(tt.line), &r)
		picked := ""
		if s.Format() != nil {
			picked = s.Format().Name
		}
		if err != nil || picked != tt.want {
			t.Errorf("auto picked %q (%v), want %s, for %.60s...", picked, err, tt.want, tt.line)
		}
	}
	// JSON lines of none: after maxMisses, each format says why of the
	// first.
	p := Auto.NewStream().NewParser()
	var r record.Request
	var err error
	for range maxMisses {
		err = p.Line([]byte(`{"ts":1,"msg":"hello"}`), &r)
	}
	var nf *NoFormatError
	if !errors.As(err, &nf) {
		t.Fatalf("got %v", err)
	}
	for _, part := range []string{`caddy: no request: want "request.uri" or "request.method"`, `traefik-json: no time`, `nginx-json: no time`} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("%q does not say %q", err, part)
		}
	}
	// Caddy's non-access messages before its first request: rejected, and
	// then Caddy is picked.
	s := Auto.NewStream()
	p = s.NewParser()
	if err := p.Line([]byte(`{"level":"info","ts":1646861401.52,"logger":"tls","msg":"done"}`), &r); err == nil || s.Format() != nil {
		t.Errorf("a TLS message was taken: %v, %v", err, s.Format())
	}
	if err := p.Line([]byte(caddyDoc), &r); err != nil || s.Format() == nil || s.Format().Name != "caddy" {
		t.Errorf("Caddy's request: %v, %v", err, s.Format())
	}
}

// TestJSONDetectReasons: what each JSON format's detect says of a JSON
// line it would parse but that lacks its keys.
func TestJSONDetectReasons(t *testing.T) {
	var p Parser
	var r record.Request
	line := []byte(`{"ts":1,"time":"2021-06-05T04:03:22Z","msec":1,"request":{"uri":"/"},"RequestPath":"/","request_uri":"/"}`)
	for _, tt := range []struct {
		f    lineFunc
		want string
	}{
		{(*Parser).caddyDetect, ""},
		{(*Parser).traefikJSONDetect, `none of the keys "ClientHost", "DownstreamStatus"`},
		{(*Parser).nginxJSONDetect, `"request" is an object, want a string`},
	} {
		err := tt.f(&p, line, &r)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("(-want +got):\n-%s\n+%s", tt.want, got)
		}
	}
}

// TestJSONMappingErrors: a key mapping that cannot work is an error that
// says where.
func TestJSONMappingErrors(t *testing.T) {
	for _, tt := range []struct{ spec, want string }{
		{"json", "json needs its keys mapped to fields: json:time=KEY,remote=KEY,... (see README, JSON logs), or one of the named JSON formats"},
		{"json:", `json key mapping, column 6: want FIELD=KEY, found ""`},
		{"json:remote=ip", "json key mapping: time is required: time=KEY"},
		{"json:time=ts,foo=bar", `json key mapping, column 14: unknown field "foo": want one of time, remote, user, method, path, protocol, request, status, bytes, referer, agent, vhost, duration, upstream_status, upstream_duration, forwarded_for`},
		{"json:time=ts,time=t", "json key mapping, column 14: field time is mapped twice"},
		{"json:time=ts,status=code:ms", "json key mapping, column 25: field status takes no unit"},
		{"json:time=ts,duration=d:h", `json key mapping, column 25: unknown unit "h": want s, ms, us or ns`},
		{"json:time=", "json key mapping, column 11: field time: want a key"},
		{"json:time=a..b", `json key mapping, column 11: empty key in path "a..b"`},
		{"json:time=ts|ts", `json key mapping, column 14: key "ts" is given twice`},
		{"json:time=a.b.c.d.e.f.g.h.i", `json key mapping, column 11: path "a.b.c.d.e.f.g.h.i" has more than 8 keys`},
	} {
		_, err := Lookup(tt.spec)
		if err == nil || err.Error() != tt.want {
			t.Errorf("Lookup(%q) (-want +got):\n-%s\n+%v", tt.spec, tt.want, err)
		}
	}
}

// TestJSONTimes: the times a JSON log may give, against what they mean.
func TestJSONTimes(t *testing.T) {
	for _, tt := range []struct {
		in       string
		isString bool
		u        unit
		want     string // RFC 3339, or "" for refused
	}{
		{"1646861401.5241024", false, unitAuto, "2022-03-09T21:30:01.5241024Z"},
		{"1646861401", true, unitAuto, "2022-03-09T21:30:01Z"},
		{"1646861401524.1024", false, unitAuto, "2022-03-09T21:30:01.5241024Z"},
		{"1646861401524102", false, unitAuto, "2022-03-09T21:30:01.524102Z"},
		{"1646861401524102400", false, unitAuto, "2022-03-09T21:30:01.5241024Z"},
		{"1646861401524102400.5", false, unitAuto, "2022-03-09T21:30:01.5241024Z"},
		{"16468614015241024001", false, unitAuto, ""}, // 20 digits
		{"1000", false, unitMS, "1970-01-01T00:00:01Z"},
		{"1.5", false, unitS, "1970-01-01T00:00:01.5Z"},
		{"0", false, unitAuto, "1970-01-01T00:00:00Z"},
		{"1e9", false, unitAuto, ""},
		{"2022-03-09T21:30:01Z", true, unitAuto, "2022-03-09T21:30:01Z"},
		{"2022-03-09 21:30:01.5-0130", true, unitAuto, "2022-03-09T23:00:01.5Z"},
		{"2022-03-09T21:30:01.123456789+14:00", true, unitAuto, "2022-03-09T07:30:01.123456789Z"},
		{"2022/03/09 21:30:01", true, unitAuto, "2022-03-09T21:30:01Z"},
		{"2022/03-09 21:30:01", true, unitAuto, ""},
		{"09/Mar/2022:21:30:01 -0700", true, unitAuto, "2022-03-10T04:30:01Z"},
		{"2022-03-09T21:30:01", true, unitAuto, ""},
		{"2022-03-09T21:30:01Z", true, unitS, ""},
		{"2022-03-09T21:30:01Z", false, unitAuto, ""},
		{"", true, unitAuto, ""},
	} {
		sec, nsec, ok := new(Parser).jsonTime([]byte(tt.in), tt.u, tt.isString)
		got := ""
		if ok {
			got = string(record.AppendTime(nil, sec, nsec))
		}
		if got != tt.want {
			t.Errorf("jsonTime(%q, %d, %v) = %q, want %q", tt.in, tt.u, tt.isString, got, tt.want)
		}
	}
}

// TestJSONDurations: durations in each unit and Go's notation, in
// seconds, correctly rounded where the digits allow.
func TestJSONDurations(t *testing.T) {
	for _, tt := range []struct {
		in       string
		isString bool
		u        unit
		want     float64 // -1: refused
	}{
		{"0.000929675", false, unitAuto, 0.000929675},
		{"929675", false, unitCaddy, 0.000929675},
		{"0.5", false, unitCaddy, 0.5},
		{"1e-3", false, unitCaddy, 0.001},
		{"1964899", false, unitNS, 0.001964899},
		{"12.5", true, unitMS, 0.0125},
		{"250", false, unitUS, 0.00025},
		{"0.000", true, unitAuto, 0},
		{"1.5ms", true, unitAuto, 0.0015},
		{"2m3.5s", true, unitNS, 123.5},
		{"1h", true, unitAuto, 3600},
		{"350µs", true, unitAuto, 0.00035},
		{"350μs", true, unitAuto, 0.00035},
		{"12ns", true, unitAuto, 1.2e-8},
		{"123456789012345678", false, unitNS, 123456789.012345678},
		{"0.1234567890123456789", false, unitAuto, 0.1234567890123456789},
		{"1.5ms", false, unitAuto, -1},
		{"ms", true, unitAuto, -1},
		{"1d", true, unitAuto, -1},
		{"-1", false, unitAuto, -1},
		{"1.", true, unitAuto, -1},
		{"0x10", true, unitAuto, -1},
		{"1e5x", true, unitAuto, -1},
		{"1e999", false, unitAuto, -1},
		{"", true, unitAuto, -1},
	} {
		got, ok := jsonDuration([]byte(tt.in), tt.u, tt.isString)
		if !ok {
			got = -1
		}
		if got != tt.want {
			t.Errorf("jsonDuration(%q, %d, %v) = %v, want %v", tt.in, tt.u, tt.isString, got, tt.want)
		}
	}
}

// jsonSamples are a line of each JSON format, for the allocation test,
// the benchmark and the fuzz seeds.
var jsonSamples = []struct{ format, line string }{
	{"caddy", caddyDoc},
	{"caddy", caddyReal},
	{"traefik-json", traefikReal},
	{"nginx-json", nginxReal},
	{"nginx-json", `{"time_local":"06/May/2026:12:00:00 +0000","remote_addr":"127.0.0.1","request":"GET /\"q\" HTTP/1.1","status":"400","body_bytes_sent":"0","request_time":"0.001","upstream_response_time":"-"}`},
}

// parsed is what a fresh parser of format makes of line: the request
// record, or the error.
func parsed(t *testing.T, p *Parser, line string) string {
	t.Helper()
	var r record.Request
	if err := p.Line([]byte(line), &r); err != nil {
		return "error: " + err.Error()
	}
	return string(r.AppendJSON(nil))
}

// TestKeyOrder: a parser that remembers the last line's keys (keyOrder)
// reads each line as a fresh parser does, whatever came before: keys
// moved, dropped, added, renamed past their 16th byte, escaped, in
// objects nested or not.
func TestKeyOrder(t *testing.T) {
	agent := strings.Replace(traefikReal, `,"time":`, `,"request_User-Agent":"curl/8.5.0","time":`, 1)
	lines := []string{
		traefikReal,
		agent,
		strings.Replace(agent, `"request_User-Agent"`, `"request_User-Agenx"`, 1),
		strings.Replace(agent, `"request_User-Agent"`, `"request_User-Agen\u0074"`, 1),
		strings.Replace(traefikReal, `"RequestMethod"`, `"RequestMethoe"`, 1),
		strings.Replace(traefikReal, `"DownstreamStatus":`, `"DownstreamStatus":404,"Downstream":`, 1),
		caddyDoc, caddyReal,
		strings.Replace(caddyReal, `"uri"`, `"url"`, 1),
		strings.Replace(caddyReal, `"method"`, `"proto2":"x","method"`, 1),
		`{"ts":1431820800.5,"request":{"method":"GET","uri":"/a","headers":{"User-Agent":["a"]}},"status":200}`,
		`{"request":{"uri":"/b","method":"PUT","headers":{"Referer":["r"],"User-Agent":["b"]}},"status":201,"ts":1431820801.5}`,
		`{"ts":1431820802.5,"request":{"uri":"/c","method":"GET"},"status":"x"}`,
		nginxReal,
		`{"time_local":"06/May/2026:12:00:00 +0000","remote_addr":"127.0.0.1","request":"GET / HTTP/1.1","status":"400","body_bytes_sent":"0"}`,
		`{"remote_addr":"127.0.0.2","time_local":"06/May/2026:12:00:01 +0000","status":"200","request":"GET /x HTTP/1.1"}`,
	}
	for _, name := range []string{"caddy", "traefik-json", "nginx-json"} {
		f, err := Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		p := f.NewStream().NewParser()
		// Every line after every other, both ways round.
		for _, a := range lines {
			for _, b := range lines {
				for _, line := range []string{a, b} {
					fresh := f.NewStream().NewParser()
					if got, want := parsed(t, p, line), parsed(t, fresh, line); got != want {
						t.Errorf("%s: after %.60q...\n%.80q...\ngives %s\nwant  %s", name, a, line, got, want)
					}
				}
			}
		}
	}
}

// TestJSONNoAllocs: a JSON line is parsed without allocating, escapes
// and all (the scratch buffer grown once).
func TestJSONNoAllocs(t *testing.T) {
	for _, s := range jsonSamples {
		f, err := Lookup(s.format)
		if err != nil {
			t.Fatal(err)
		}
		p := f.NewStream().NewParser()
		p.Keep = false
		var r record.Request
		line := []byte(s.line)
		if err := p.Line(line, &r); err != nil {
			t.Fatal(err)
		}
		allocs := testing.AllocsPerRun(100, func() {
			if err := p.Line(line, &r); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("%s line allocates %v times, want 0", s.format, allocs)
		}
	}
}

// BenchmarkJSONLine measures each JSON format's parse of a real line; the
// Combined figure to compare with is BenchmarkLine's.
func BenchmarkJSONLine(b *testing.B) {
	for _, s := range jsonSamples[:4] {
		b.Run(s.format, func(b *testing.B) {
			f, err := Lookup(s.format)
			if err != nil {
				b.Fatal(err)
			}
			p := f.NewStream().NewParser()
			p.Keep = false
			var r record.Request
			line := []byte(s.line)
			if err := p.Line(line, &r); err != nil || r.Status == 0 || r.Path == nil {
				b.Fatalf("%v: %s", err, r.AppendJSON(nil))
			}
			b.SetBytes(int64(len(line)))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := p.Line(line, &r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// FuzzJSONLine checks the JSON log reader in each named format and a key
// mapping: it never panics nor writes to its input, its errors are
// printable, and a line it accepts makes a valid record that
// record.Decoder reads back the same.
func FuzzJSONLine(f *testing.F) {
	for _, s := range jsonSamples {
		f.Add(s.line)
	}
	f.Add(traefikNoRouter)
	f.Add(nginxBroken)
	f.Add(`{"ts":"2022/03/09 21:30:01.5","request":{"uri":"\ud83d\ude00\u0000","headers":{"Referer":["-"]}},"duration":"1h2m","a":[{"b":[]}]}`)
	f.Add(`{"t":"1000","uid":42,"n":"-","p":{"q":"/"},"d":"0.5"}`)
	f.Add(`{"type":"request","t":"1000","time":"2015-05-17T10:05:03Z","p":{"q":"/"}}`)
	f.Add(`{"t\u0079pe":"request","t":"1000","time":"2015-05-17T10:05:03Z","p":{"q":"/"}}`)
	mapping, err := Lookup("json:time=t,user=uid,bytes=n,path=p.q|p.r,duration=d:ms,status=s,remote=ip")
	if err != nil {
		f.Fatal(err)
	}
	formats := []*Format{mapping}
	for _, name := range []string{"caddy", "traefik-json", "nginx-json"} {
		fm, err := Lookup(name)
		if err != nil {
			f.Fatal(err)
		}
		formats = append(formats, fm)
	}
	f.Fuzz(func(t *testing.T, line string) {
		for _, fm := range append(formats, Auto) {
			p := fm.NewStream().NewParser()
			var r record.Request
			buf := []byte(line)
			err := p.Line(buf, &r)
			if string(buf) != line {
				t.Fatalf("Line wrote to its input: %q became %q", line, buf)
			}
			if p.NoRecord() {
				var d record.Decoder
				var rec record.Request
				if _, err := d.Record(buf, &rec); err == nil {
					t.Fatalf("%s: NoRecord after Line(%q), but it is a record", fm.Name, line)
				}
			}
			if fm != Auto {
				// A parser that read the samples first (their keys'
				// order, see keyOrder) reads the line as a fresh one.
				warm := fm.NewStream().NewParser()
				for _, s := range jsonSamples {
					parsed(t, warm, s.line)
				}
				if got, want := parsed(t, warm, line), parsed(t, fm.NewStream().NewParser(), line); got != want {
					t.Fatalf("%s: Line(%q) after the samples gives %s, want %s", fm.Name, line, got, want)
				}
			}
			if err != nil {
				var le *LineError
				if !errors.As(err, &le) {
					t.Fatalf("%s: Line(%q) = %T %v, want a *LineError", fm.Name, line, err, err)
				}
				checkReason(t, le.Reason)
				continue
			}
			switch {
			case r.Status != 0 && (r.Status < 100 || r.Status > 999), r.UpstreamStatus != 0 && (r.UpstreamStatus < 100 || r.UpstreamStatus > 999):
				t.Errorf("%s: Line(%q): status %d, upstream %d", fm.Name, line, r.Status, r.UpstreamStatus)
			case r.Bytes < 0, r.Nsec < 0, r.Nsec >= 1e9, r.Sec < record.MinTime, r.Sec >= record.EndTime:
				t.Errorf("%s: Line(%q): bytes %d, time %d.%d", fm.Name, line, r.Bytes, r.Sec, r.Nsec)
			case r.Duration < 0 || math.IsInf(r.Duration, 0) || math.IsNaN(r.Duration) || r.UpstreamDuration < 0 || math.IsInf(r.UpstreamDuration, 0) || math.IsNaN(r.UpstreamDuration):
				t.Errorf("%s: Line(%q): duration %v, upstream %v", fm.Name, line, r.Duration, r.UpstreamDuration)
			case !bytes.Equal(r.Section, Section(r.Path)) || (r.Section == nil) != (Section(r.Path) == nil):
				t.Errorf("%s: Line(%q): section %q of path %q", fm.Name, line, r.Section, r.Path)
			case r.Request != nil && (r.Method != nil || r.Path != nil || r.Protocol != nil):
				t.Errorf("%s: Line(%q): raw request %q and its parts", fm.Name, line, r.Request)
			case isDash(r.User) || isDash(r.Referer) || isDash(r.Agent) || isDash(r.Remote) || len(r.Remote) == 0 && r.Remote != nil:
				t.Errorf("%s: Line(%q): a \"-\" or empty field is not nil", fm.Name, line)
			}
			js := r.AppendJSON(nil)
			if !json.Valid(js) || !utf8.Valid(js) {
				t.Fatalf("%s: Line(%q) gives invalid JSON or UTF-8 %q", fm.Name, line, js)
			}
			var d record.Decoder
			var back record.Request
			typ, err := d.Record(js, &back)
			if err != nil || typ != record.TypeRequest {
				t.Fatalf("Record(%s) = %v, %v, want request, nil", js, typ, err)
			}
			if again := back.AppendJSON(nil); !bytes.Equal(again, js) {
				t.Fatalf("%s: Line(%q) does not round-trip (-want +got):\n-%s\n+%s", fm.Name, line, js, again)
			}
		}
	})
}
