package parse

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/logmon/logmon/internal/record"
)

// Verbatim lines of /work/shared/data/apache_logs (Combined, 2015).
const (
	realKibana   = `83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET /presentations/logstash-monitorama-2013/images/kibana-search.png HTTP/1.1" 200 203023 "http://semicomplete.com/presentations/logstash-monitorama-2013/" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36"`
	realSogou    = `218.30.103.62 - - [17/May/2015:11:05:17 +0000] "GET /projects/xdotool/xdotool.xhtml HTTP/1.1" 304 - "-" "Sogou web spider/4.0(+http://www.sogou.com/docs/help/webmasters.htm#07)"`
	realDashes   = `200.49.190.101 - - [17/May/2015:10:05:36 +0000] "GET /reset.css HTTP/1.1" 200 1015 "-" "-"`
	realQuery404 = `66.249.73.185 - - [17/May/2015:10:05:22 +0000] "GET /doc/index.html?org/elasticsearch/action/search/SearchResponse.html HTTP/1.1" 404 294 "-" "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"`
	realPost     = `37.115.186.244 - - [19/May/2015:04:05:16 +0000] "POST /blog/geekery/xvfb-firefox HTTP/1.0" 200 10975 "http://zoomq.qiniudn.com/ZQScrapBook/ZqFLOSS/data/20110811235550/" "Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.11 (KHTML, like Gecko) Chrome/23.0.1271.91 Safari/537.11"`
	realOptions  = `64.131.102.243 - - [20/May/2015:14:05:16 +0000] "OPTIONS /projects/xdotool/ HTTP/1.1" 500 626 "-" "Microsoft Office Protocol Discovery"`

	// The examples of the Apache httpd log format documentation.
	docCommon   = `127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326`
	docCombined = `127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"`
)

// frank is the JSON of docCommon without its closing brace.
const frank = `{"type":"request","time":"2000-10-10T20:55:36Z","remote":"127.0.0.1","user":"frank","method":"GET","path":"/apache_pb.gif","section":"/apache_pb.gif","protocol":"HTTP/1.0","status":200,"bytes":2326`

// line0 starts a line with a fixed client and time, for tests of the
// fields after it; json0 is the start of the JSON of such a line.
const (
	line0 = `192.0.2.1 - - [01/Jan/2020:00:00:00 +0000] `
	json0 = `{"type":"request","time":"2020-01-01T00:00:00Z","remote":"192.0.2.1"`
)

func TestLine(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  string // AppendJSON of the parsed line
	}{
		{
			name:  "combined real",
			input: realKibana,
			want:  `{"type":"request","time":"2015-05-17T10:05:03Z","remote":"83.149.9.216","method":"GET","path":"/presentations/logstash-monitorama-2013/images/kibana-search.png","section":"/presentations","protocol":"HTTP/1.1","status":200,"bytes":203023,"referer":"http://semicomplete.com/presentations/logstash-monitorama-2013/","agent":"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36"}`,
		},
		{
			name:  "status dash: none logged (morgan, an aborted request)",
			input: `::1 - - [17/May/2015:10:05:03 +0000] "GET /a HTTP/1.1" - - "-" "curl/8.0"`,
			want:  `{"type":"request","time":"2015-05-17T10:05:03Z","remote":"::1","method":"GET","path":"/a","section":"/a","protocol":"HTTP/1.1","bytes":0,"agent":"curl/8.0"}`,
		},
		{
			name:  "combined real, size and referer dashes",
			input: realSogou,
			want:  `{"type":"request","time":"2015-05-17T11:05:17Z","remote":"218.30.103.62","method":"GET","path":"/projects/xdotool/xdotool.xhtml","section":"/projects","protocol":"HTTP/1.1","status":304,"bytes":0,"agent":"Sogou web spider/4.0(+http://www.sogou.com/docs/help/webmasters.htm#07)"}`,
		},
		{
			name:  "combined real, referer and agent dashes",
			input: realDashes,
			want:  `{"type":"request","time":"2015-05-17T10:05:36Z","remote":"200.49.190.101","method":"GET","path":"/reset.css","section":"/reset.css","protocol":"HTTP/1.1","status":200,"bytes":1015}`,
		},
		{
			name:  "combined real, query",
			input: realQuery404,
			want:  `{"type":"request","time":"2015-05-17T10:05:22Z","remote":"66.249.73.185","method":"GET","path":"/doc/index.html?org/elasticsearch/action/search/SearchResponse.html","section":"/doc","protocol":"HTTP/1.1","status":404,"bytes":294,"agent":"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"}`,
		},
		{
			name:  "combined real, POST",
			input: realPost,
			want:  `{"type":"request","time":"2015-05-19T04:05:16Z","remote":"37.115.186.244","method":"POST","path":"/blog/geekery/xvfb-firefox","section":"/blog","protocol":"HTTP/1.0","status":200,"bytes":10975,"referer":"http://zoomq.qiniudn.com/ZQScrapBook/ZqFLOSS/data/20110811235550/","agent":"Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.11 (KHTML, like Gecko) Chrome/23.0.1271.91 Safari/537.11"}`,
		},
		{
			name:  "combined real, OPTIONS 500",
			input: realOptions,
			want:  `{"type":"request","time":"2015-05-20T14:05:16Z","remote":"64.131.102.243","method":"OPTIONS","path":"/projects/xdotool/","section":"/projects","protocol":"HTTP/1.1","status":500,"bytes":626,"agent":"Microsoft Office Protocol Discovery"}`,
		},
		{
			name:  "common, user, zone -0700 to UTC",
			input: docCommon,
			want:  frank + `}`,
		},
		{
			name:  "combined, user",
			input: docCombined,
			want:  frank + `,"referer":"http://www.example.com/start.html","agent":"Mozilla/4.08 [en] (Win98; I ;Nav)"}`,
		},
		{
			name:  "common, trailing spaces",
			input: docCommon + "   ",
			want:  frank + `}`,
		},
		{
			name:  "leading spaces and runs of spaces between fields",
			input: `  127.0.0.1  -  frank  [10/Oct/2000:13:55:36 -0700]  "GET /apache_pb.gif HTTP/1.0"  200  2326  `,
			want:  frank + `}`,
		},
		{
			name:  "combined, referer without agent",
			input: docCommon + ` "http://www.example.com/start.html"`,
			want:  frank + `,"referer":"http://www.example.com/start.html"}`,
		},
		{
			name:  "nginx extra fields after the agent",
			input: docCombined + ` "-" rt=0.003 uct="0.000"`,
			want:  frank + `,"referer":"http://www.example.com/start.html","agent":"Mozilla/4.08 [en] (Win98; I ;Nav)"}`,
		},
		{
			name:  "vhost_combined",
			input: `www.example.com:443 192.0.2.7 - alice [10/Oct/2000:13:55:36 +0200] "GET /index.html HTTP/1.1" 200 512 "-" "curl/8.5.0"`,
			want:  `{"type":"request","time":"2000-10-10T11:55:36Z","vhost":"www.example.com:443","remote":"192.0.2.7","user":"alice","method":"GET","path":"/index.html","section":"/index.html","protocol":"HTTP/1.1","status":200,"bytes":512,"agent":"curl/8.5.0"}`,
		},
		{
			name:  "IPv6 client",
			input: `2001:db8::1 - - [01/Jan/2020:00:00:00 +0000] "GET / HTTP/2.0" 200 0`,
			want:  `{"type":"request","time":"2020-01-01T00:00:00Z","remote":"2001:db8::1","method":"GET","path":"/","section":"/","protocol":"HTTP/2.0","status":200,"bytes":0}`,
		},
		{
			name:  "IPv4-mapped IPv6 client",
			input: `::ffff:1.2.3.4 - - [01/Jan/2020:00:00:00 +0000] "GET / HTTP/2.0" 200 0`,
			want:  `{"type":"request","time":"2020-01-01T00:00:00Z","remote":"::ffff:1.2.3.4","method":"GET","path":"/","section":"/","protocol":"HTTP/2.0","status":200,"bytes":0}`,
		},
		{
			name:  "host name client",
			input: `crawl-66-249-73-185.googlebot.com - - [01/Jan/2020:00:00:00 +0000] "GET / HTTP/1.1" 200 0`,
			want:  `{"type":"request","time":"2020-01-01T00:00:00Z","remote":"crawl-66-249-73-185.googlebot.com","method":"GET","path":"/","section":"/","protocol":"HTTP/1.1","status":200,"bytes":0}`,
		},
		{
			name:  "escaped quote and backslash in the request",
			input: line0 + `"GET /search?q=\"x\"&b=\\ HTTP/1.1" 200 5 "-" "-"`,
			want:  json0 + `,"method":"GET","path":"/search?q=\"x\"&b=\\","section":"/search","protocol":"HTTP/1.1","status":200,"bytes":5}`,
		},
		{
			name:  "escaped quote in referer and agent, other escapes verbatim",
			input: line0 + `"GET / HTTP/1.1" 200 5 "http://x/\"a\"" "Bot \"q\" \x22 \t \\"`,
			want:  json0 + `,"method":"GET","path":"/","section":"/","protocol":"HTTP/1.1","status":200,"bytes":5,"referer":"http://x/\"a\"","agent":"Bot \"q\" \\x22 \\t \\"}`,
		},
		{
			name:  "TLS handshake on the HTTP port",
			input: line0 + `"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03" 400 0 "-" "-"`,
			want:  json0 + `,"request":"\\x16\\x03\\x01\\x00\\xa5\\x01\\x00\\x00\\xa1\\x03\\x03","status":400,"bytes":0}`,
		},
		{
			name:  "dash request",
			input: line0 + `"-" 408 - "-" "-"`,
			want:  json0 + `,"request":"-","status":408,"bytes":0}`,
		},
		{
			name:  "empty request",
			input: line0 + `"" 400 0 "-" "-"`,
			want:  json0 + `,"request":"","status":400,"bytes":0}`,
		},
		{
			name:  "request of four parts",
			input: line0 + `"GET /a b HTTP/1.1" 400 0`,
			want:  json0 + `,"request":"GET /a b HTTP/1.1","status":400,"bytes":0}`,
		},
		{
			name:  "request with two spaces",
			input: line0 + `"GET  / HTTP/1.1" 400 0`,
			want:  json0 + `,"request":"GET  / HTTP/1.1","status":400,"bytes":0}`,
		},
		{
			name:  "request with a trailing space",
			input: line0 + `"GET / " 400 0`,
			want:  json0 + `,"request":"GET / ","status":400,"bytes":0}`,
		},
		{
			name:  "method that is not a token",
			input: line0 + `"G\"T / HTTP/1.1" 400 0`,
			want:  json0 + `,"request":"G\"T / HTTP/1.1","status":400,"bytes":0}`,
		},
		{
			name:  "HTTP/0.9",
			input: line0 + `"GET /index.html" 200 100`,
			want:  json0 + `,"method":"GET","path":"/index.html","section":"/index.html","status":200,"bytes":100}`,
		},
		{
			name:  "absolute URI",
			input: line0 + `"GET http://example.com/a/b?c HTTP/1.1" 200 1`,
			want:  json0 + `,"method":"GET","path":"http://example.com/a/b?c","section":"/a","protocol":"HTTP/1.1","status":200,"bytes":1}`,
		},
		{
			name:  "CONNECT has no section",
			input: line0 + `"CONNECT example.com:443 HTTP/1.1" 200 1`,
			want:  json0 + `,"method":"CONNECT","path":"example.com:443","protocol":"HTTP/1.1","status":200,"bytes":1}`,
		},
		{
			name:  "OPTIONS *",
			input: line0 + `"OPTIONS * HTTP/1.1" 200 0`,
			want:  json0 + `,"method":"OPTIONS","path":"*","section":"*","protocol":"HTTP/1.1","status":200,"bytes":0}`,
		},
		{
			name:  "UTF-8 path, invalid UTF-8 and control byte in agent",
			input: line0 + "\"GET /caf\u00e9/x HTTP/1.1\" 200 1 \"-\" \"Mozilla\xff\xfe \x01\x7f\"",
			want:  json0 + ",\"method\":\"GET\",\"path\":\"/caf\u00e9/x\",\"section\":\"/caf\u00e9\",\"protocol\":\"HTTP/1.1\",\"status\":200,\"bytes\":1,\"agent\":\"Mozilla\ufffd\ufffd \\u0001\x7f\"}",
		},
		{
			name:  "largest size",
			input: line0 + `"GET / HTTP/1.1" 999 9223372036854775807`,
			want:  json0 + `,"method":"GET","path":"/","section":"/","protocol":"HTTP/1.1","status":999,"bytes":9223372036854775807}`,
		},
		{
			name:  "fractional timestamp",
			input: `192.0.2.1 - - [10/Oct/2000:13:55:36.123 -0700] "GET / HTTP/1.1" 200 1`,
			want:  `{"type":"request","time":"2000-10-10T20:55:36.123Z","remote":"192.0.2.1","method":"GET","path":"/","section":"/","protocol":"HTTP/1.1","status":200,"bytes":1}`,
		},
		{
			name:  "nanosecond timestamp",
			input: `192.0.2.1 - - [10/Oct/2000:13:55:36.000000001 +0000] "GET / HTTP/1.1" 200 1`,
			want:  `{"type":"request","time":"2000-10-10T13:55:36.000000001Z","remote":"192.0.2.1","method":"GET","path":"/","section":"/","protocol":"HTTP/1.1","status":200,"bytes":1}`,
		},
		{
			name:  "ISO timestamp with offset",
			input: `192.0.2.1 - - [2000-10-10T13:55:36-07:00] "GET / HTTP/1.1" 200 1`,
			want:  `{"type":"request","time":"2000-10-10T20:55:36Z","remote":"192.0.2.1","method":"GET","path":"/","section":"/","protocol":"HTTP/1.1","status":200,"bytes":1}`,
		},
		{
			name:  "ISO timestamp Z with fraction",
			input: `192.0.2.1 - - [2000-10-10T20:55:36.5Z] "GET / HTTP/1.1" 200 1`,
			want:  `{"type":"request","time":"2000-10-10T20:55:36.5Z","remote":"192.0.2.1","method":"GET","path":"/","section":"/","protocol":"HTTP/1.1","status":200,"bytes":1}`,
		},
		{
			name:  "zone +1400 crosses the date backwards",
			input: `192.0.2.1 - - [01/Jan/2021:05:00:00 +1400] "GET / HTTP/1.1" 200 1`,
			want:  `{"type":"request","time":"2020-12-31T15:00:00Z","remote":"192.0.2.1","method":"GET","path":"/","section":"/","protocol":"HTTP/1.1","status":200,"bytes":1}`,
		},
		{
			name:  "zone -1400 and +0530",
			input: `192.0.2.1 - - [31/Dec/2020:20:00:00 -1400] "GET / HTTP/1.1" 200 1`,
			want:  `{"type":"request","time":"2021-01-01T10:00:00Z","remote":"192.0.2.1","method":"GET","path":"/","section":"/","protocol":"HTTP/1.1","status":200,"bytes":1}`,
		},
		{
			name:  "zone +0530",
			input: `192.0.2.1 - - [2020-01-01T05:30:00+05:30] "GET / HTTP/1.1" 200 1`,
			want:  `{"type":"request","time":"2020-01-01T00:00:00Z","remote":"192.0.2.1","method":"GET","path":"/","section":"/","protocol":"HTTP/1.1","status":200,"bytes":1}`,
		},
		{
			name:  "leap day",
			input: `192.0.2.1 - - [29/Feb/2016:23:59:59 +0000] "GET / HTTP/1.1" 200 1`,
			want:  `{"type":"request","time":"2016-02-29T23:59:59Z","remote":"192.0.2.1","method":"GET","path":"/","section":"/","protocol":"HTTP/1.1","status":200,"bytes":1}`,
		},
		{
			name:  "Unix epoch",
			input: `192.0.2.1 - - [01/Jan/1970:00:00:00 +0000] "GET / HTTP/1.1" 200 1`,
			want:  `{"type":"request","time":"1970-01-01T00:00:00Z","remote":"192.0.2.1","method":"GET","path":"/","section":"/","protocol":"HTTP/1.1","status":200,"bytes":1}`,
		},
		{
			name:  "year 1",
			input: `192.0.2.1 - - [01/Jan/0001:00:00:00 +0000] "GET / HTTP/1.1" 200 1`,
			want:  `{"type":"request","time":"0001-01-01T00:00:00Z","remote":"192.0.2.1","method":"GET","path":"/","section":"/","protocol":"HTTP/1.1","status":200,"bytes":1}`,
		},
		{
			name:  "year 9999",
			input: `192.0.2.1 - - [31/Dec/9999:23:59:59 +0000] "GET / HTTP/1.1" 200 1`,
			want:  `{"type":"request","time":"9999-12-31T23:59:59Z","remote":"192.0.2.1","method":"GET","path":"/","section":"/","protocol":"HTTP/1.1","status":200,"bytes":1}`,
		},
	}
	var p Parser
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := parseJSON(t, &p, tt.input)
			if got != tt.want {
				t.Errorf("Line(%q) (-want +got):\n-%s\n+%s", tt.input, tt.want, got)
			}
		})
	}
}

// parseJSON parses input, which must be valid, and returns its JSON.
func parseJSON(t *testing.T, p *Parser, input string) string {
	t.Helper()
	var r record.Request
	if err := p.Line([]byte(input), &r); err != nil {
		t.Fatalf("Line(%q) = %v, want no error", input, err)
	}
	return string(r.AppendJSON(nil))
}

func TestLineErrors(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  string // the error's reason, or its start when it ends in "..."
	}{
		{"empty", "", "empty line"},
		{"spaces only", "    ", "blank line"},
		{"NUL bytes (a copytruncate's hole)", "\x00\x00\x00" + line0 + `"GET / HTTP/1.1" 200 1`, `NUL byte at column 1 in "\x00\x00\x00192.0.2.1 - - [01/Jan/2020:00:00:00 +"...`},
		{"a NUL byte in a field", `h - - [01/Jan/2020:00:00:00 +0000] "GET /a` + "\x00" + ` HTTP/1.1" 200 1`, `NUL byte at column 43 in "h - - [01/Jan/2020:00:00:00 +0000] \"GET "...`},
		{"no timestamp", "hello world", `missing timestamp in "hello world"`},
		{"prose", "this is not a log line", `missing timestamp in "this is not a log line"`},
		{"two fields", `h - [01/Jan/2020:00:00:00 +0000] "GET / HTTP/1.1" 200 1`, `want 3 or 4 fields before the timestamp, found 2 in "h - [01/Jan/2020:00:00:00 +0000] \"GET / "...`},
		{"five fields", `v h x - - [01/Jan/2020:00:00:00 +0000] "GET / HTTP/1.1" 200 1`, `too many fields before the timestamp at "- [01/Jan/2020:00:00:00 +0000] \"GET / HT"...`},
		{"unterminated timestamp", `h - - [01/Jan/2020:00:00:00 +0000 "GET / HTTP/1.1" 200 1`, `unterminated timestamp "[01/Jan/2020:00:00:00 +0000 \"GET / HTTP/"...`},
		{"30 February", `h - - [30/Feb/2015:10:00:00 +0000] "GET / HTTP/1.1" 200 1`, `bad timestamp "30/Feb/2015:10:00:00 +0000"`},
		{"29 February 2015", `h - - [29/Feb/2015:10:00:00 +0000] "GET / HTTP/1.1" 200 1`, `bad timestamp "29/Feb/2015:10:00:00 +0000"`},
		{"29 February 1900", `h - - [29/Feb/1900:10:00:00 +0000] "GET / HTTP/1.1" 200 1`, `bad timestamp "29/Feb/1900:10:00:00 +0000"`},
		{"day 0", `h - - [00/Jan/2015:10:00:00 +0000] "GET / HTTP/1.1" 200 1`, `bad timestamp "00/Jan/2015:10:00:00 +0000"`},
		{"hour 24", `h - - [10/Oct/2000:24:00:00 +0000] "GET / HTTP/1.1" 200 1`, `bad timestamp "10/Oct/2000:24:00:00 +0000"`},
		{"minute 60", `h - - [10/Oct/2000:13:60:00 +0000] "GET / HTTP/1.1" 200 1`, `bad timestamp "10/Oct/2000:13:60:00 +0000"`},
		{"second 60", `h - - [10/Oct/2000:13:55:60 +0000] "GET / HTTP/1.1" 200 1`, `bad timestamp "10/Oct/2000:13:55:60 +0000"`},
		{"unknown month", `h - - [10/Okt/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 1`, `bad timestamp "10/Okt/2000:13:55:36 +0000"`},
		{"lower-case month", `h - - [10/oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 1`, `bad timestamp "10/oct/2000:13:55:36 +0000"`},
		{"year 0", `h - - [10/Oct/0000:13:55:36 +0000] "GET / HTTP/1.1" 200 1`, `bad timestamp "10/Oct/0000:13:55:36 +0000"`},
		{"after year 9999 in UTC", `h - - [31/Dec/9999:23:00:00 -0100] "GET / HTTP/1.1" 200 1`, `bad timestamp "31/Dec/9999:23:00:00 -0100"`},
		{"zone +1401", `h - - [10/Oct/2000:13:55:36 +1401] "GET / HTTP/1.1" 200 1`, `bad timestamp "10/Oct/2000:13:55:36 +1401"`},
		{"zone -1500", `h - - [10/Oct/2000:13:55:36 -1500] "GET / HTTP/1.1" 200 1`, `bad timestamp "10/Oct/2000:13:55:36 -1500"`},
		{"zone minutes 60", `h - - [10/Oct/2000:13:55:36 +0060] "GET / HTTP/1.1" 200 1`, `bad timestamp "10/Oct/2000:13:55:36 +0060"`},
		{"zone without sign", `h - - [10/Oct/2000:13:55:36 0700] "GET / HTTP/1.1" 200 1`, `bad timestamp "10/Oct/2000:13:55:36 0700"`},
		{"no zone", `h - - [10/Oct/2000:13:55:36] "GET / HTTP/1.1" 200 1`, `bad timestamp "10/Oct/2000:13:55:36"`},
		{"empty fraction", `h - - [10/Oct/2000:13:55:36. -0700] "GET / HTTP/1.1" 200 1`, `bad timestamp "10/Oct/2000:13:55:36. -0700"`},
		{"ten-digit fraction", `h - - [10/Oct/2000:13:55:36.1234567890 -0700] "GET / HTTP/1.1" 200 1`, `bad timestamp "10/Oct/2000:13:55:36.1234567890 -0700"`},
		{"ISO month 13", `h - - [2000-13-10T13:55:36Z] "GET / HTTP/1.1" 200 1`, `bad timestamp "2000-13-10T13:55:36Z"`},
		{"ISO zone without colon", `h - - [2000-10-10T13:55:36-0700] "GET / HTTP/1.1" 200 1`, `bad timestamp "2000-10-10T13:55:36-0700"`},
		{"ISO zone +15:00", `h - - [2000-10-10T13:55:36+15:00] "GET / HTTP/1.1" 200 1`, `bad timestamp "2000-10-10T13:55:36+15:00"`},
		{"ISO without zone", `h - - [2000-10-10T13:55:36] "GET / HTTP/1.1" 200 1`, `bad timestamp "2000-10-10T13:55:36"`},
		{"empty timestamp", `h - - [] "GET / HTTP/1.1" 200 1`, `bad timestamp ""`},
		{"timestamp with sign in digits", `h - - [+1/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 1`, `bad timestamp "+1/Oct/2000:13:55:36 -0700"`},
		{"nothing after the timestamp", `h - - [01/Jan/2020:00:00:00 +0000]`, "missing request"},
		{"only spaces after the timestamp", `h - - [01/Jan/2020:00:00:00 +0000]   `, "missing request"},
		{"no space after the timestamp", `h - - [01/Jan/2020:00:00:00 +0000]"GET / HTTP/1.1" 200 1`, `want a space after the timestamp, found "\"GET / HTTP/1.1\" 200 1"`},
		{"request not quoted", line0 + `GET / HTTP/1.1 200 1`, `request is not quoted: "GET / HTTP/1.1 200 1"`},
		{"unterminated request", line0 + `"GET / HTTP/1.1 200 1`, `unterminated request "\"GET / HTTP/1.1 200 1"`},
		{"request ends in an escaped quote", line0 + `"GET /\" 200 1`, `unterminated request "\"GET /\\\" 200 1"`},
		{"no space after the request", line0 + `"GET / HTTP/1.1"200 1`, `want a space after the request, found "200 1"`},
		{"no status", line0 + `"GET / HTTP/1.1"`, "missing status"},
		{"status -1", line0 + `"GET / HTTP/1.1" -1 1`, `bad status "-1"`},
		{"status abc", line0 + `"GET / HTTP/1.1" abc 1`, `bad status "abc"`},
		{"status 0", line0 + `"GET / HTTP/1.1" 0 1`, `bad status "0"`},
		{"status 099", line0 + `"GET / HTTP/1.1" 099 1`, `bad status "099"`},
		{"status 2000", line0 + `"GET / HTTP/1.1" 2000 1`, `bad status "2000"`},
		{"status 20 digits", line0 + `"GET / HTTP/1.1" 20000000000000000000 1`, `bad status "20000000000000000000"`},
		{"status with control bytes", line0 + "\"GET / HTTP/1.1\" \x01\x1b[31m 1", `bad status "\x01\x1b[31m"`},
		{"long status cut", line0 + `"GET / HTTP/1.1" ` + strings.Repeat("9", 50) + ` 1`, `bad status "` + strings.Repeat("9", 40) + `"...`},
		{"no size", line0 + `"GET / HTTP/1.1" 200`, "missing size"},
		{"no size, trailing space", line0 + `"GET / HTTP/1.1" 200 `, "missing size"},
		{"size -1", line0 + `"GET / HTTP/1.1" 200 -1`, `bad size "-1"`},
		{"size abc", line0 + `"GET / HTTP/1.1" 200 abc`, `bad size "abc"`},
		{"size +1", line0 + `"GET / HTTP/1.1" 200 +1`, `bad size "+1"`},
		{"size overflows int64", line0 + `"GET / HTTP/1.1" 200 9223372036854775808`, `bad size "9223372036854775808"`},
		{"size 20 digits", line0 + `"GET / HTTP/1.1" 200 99999999999999999999`, `bad size "99999999999999999999"`},
		{"referer not quoted", line0 + `"GET / HTTP/1.1" 200 1 http://x/ "-"`, `referer is not quoted: "http://x/ \"-\""`},
		{"unterminated referer", line0 + `"GET / HTTP/1.1" 200 1 "http://x/`, `unterminated referer "\"http://x/"`},
		{"no space after the referer", line0 + `"GET / HTTP/1.1" 200 1 "-""-"`, `want a space after the referer, found "\"-\""`},
		{"agent not quoted", line0 + `"GET / HTTP/1.1" 200 1 "-" curl`, `user agent is not quoted: "curl"`},
		{"unterminated agent", line0 + `"GET / HTTP/1.1" 200 1 "-" "curl`, `unterminated user agent "\"curl"`},
		// Line 8899 of apache_logs, cut short in the middle of the agent.
		{"real truncated line", `46.118.127.106 - - [20/May/2015:12:05:17 +0000] "GET /scripts/grok-py-test/configlib.py HTTP/1.1" 200 235 "-" "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html`, `unterminated user agent "\"Mozilla/5.0 (compatible; Googlebot/2.1;"...`},
		{"invalid UTF-8 in the message", "\xff\xfe", `missing timestamp in "\xff\xfe"`},
	}
	var p Parser
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r record.Request
			err := p.Line([]byte(tt.input), &r)
			var le *LineError
			if !errors.As(err, &le) {
				t.Fatalf("Line(%q) = %v, want a *LineError", tt.input, err)
			}
			if le.Reason != tt.want {
				t.Errorf("Line(%q) reason (-want +got):\n-%s\n+%s", tt.input, tt.want, le.Reason)
			}
			checkReason(t, le.Reason)
		})
	}
}

// checkReason checks that an error reason is printable: valid UTF-8
// without control characters, and short whatever the line.
func checkReason(t *testing.T, reason string) {
	t.Helper()
	if !utf8.ValidString(reason) {
		t.Errorf("reason %q is not valid UTF-8", reason)
	}
	if i := strings.IndexFunc(reason, func(r rune) bool { return r < 0x20 || r == 0x7f }); i >= 0 {
		t.Errorf("reason %q has a control character at %d", reason, i)
	}
	// The longest fixed text plus 40 bytes quoted at 4 bytes a byte.
	if len(reason) > 80+4*maxQuoted {
		t.Errorf("reason is %d bytes long: %q", len(reason), reason)
	}
}

// TestLineReuse checks that parsing into a used Request leaves nothing of
// the previous line behind.
func TestLineReuse(t *testing.T) {
	var p Parser
	var r record.Request
	if err := p.Line([]byte(`vh:80 h - u [01/Jan/2020:00:00:00.5 +0000] "GET /a HTTP/1.1" 200 1 "r" "a"`), &r); err != nil {
		t.Fatal(err)
	}
	if err := p.Line([]byte(line0+`"-" 400 -`), &r); err != nil {
		t.Fatal(err)
	}
	want := json0 + `,"request":"-","status":400,"bytes":0}`
	if got := string(r.AppendJSON(nil)); got != want {
		t.Errorf("second line (-want +got):\n-%s\n+%s", want, got)
	}
}

// TestLineNoAlloc checks that a typical line, even one with escapes,
// parses without allocating.
func TestLineNoAlloc(t *testing.T) {
	var p Parser
	var r record.Request
	for _, line := range benchLines {
		buf := []byte(line)
		allocs := testing.AllocsPerRun(100, func() {
			copy(buf, line)
			if err := p.Line(buf, &r); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("Line(%q) allocates %v times, want 0", line, allocs)
		}
	}
}

// benchLines are representative lines: Combined, Common, vhost_combined
// with an ISO time, and one with escapes.
var benchLines = []string{
	realKibana,
	realSogou,
	docCommon,
	`www.example.com:443 2001:db8::1 - - [2000-10-10T13:55:36.250+02:00] "GET /index.html?x=1 HTTP/2.0" 200 512 "-" "curl/8.5.0"`,
	line0 + `"GET /search?q=\"x\" HTTP/1.1" 200 5 "-" "Bot \"q\""`,
}

func BenchmarkLine(b *testing.B) {
	// Check the output once, outside the timed loop.
	var p Parser
	var r record.Request
	var want []string
	for _, line := range benchLines {
		if err := p.Line([]byte(line), &r); err != nil {
			b.Fatalf("Line(%q): %v", line, err)
		}
		want = append(want, string(r.Path))
	}
	bufs := make([][]byte, len(benchLines))
	size := 0
	for i, line := range benchLines {
		bufs[i] = []byte(line)
		size += len(line)
	}
	b.SetBytes(int64(size / len(benchLines)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k := i % len(bufs)
		if err := p.Line(bufs[k], &r); err != nil {
			b.Fatal(err)
		}
		if string(r.Path) != want[k] {
			b.Fatalf("line %d: path %q, want %q", k, r.Path, want[k])
		}
	}
}

// BenchmarkLineJSON measures what the parse stage does per line: parse
// and write the record.
func BenchmarkLineJSON(b *testing.B) {
	var p Parser
	var r record.Request
	bufs := make([][]byte, len(benchLines))
	size := 0
	for i, line := range benchLines {
		bufs[i] = []byte(line)
		size += len(line)
	}
	var out []byte
	b.SetBytes(int64(size / len(benchLines)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		k := i % len(bufs)
		if err := p.Line(bufs[k], &r); err != nil {
			b.Fatal(err)
		}
		out = r.AppendJSON(out[:0])
	}
	var d record.Decoder
	var back record.Request
	if typ, err := d.Record(out, &back); err != nil || typ != record.TypeRequest || string(back.AppendJSON(nil)) != string(out) {
		b.Fatalf("last record %s does not decode to itself: %v, %v", out, typ, err)
	}
}

// TestParserKeep: with Keep, the unescaped fields of every line parsed
// stay as they were until Reset, as the stages' parsing ahead needs;
// without it they are only valid until the next call.
func TestParserKeep(t *testing.T) {
	lines := []string{
		`1.1.1.1 - - [17/May/2015:10:05:03 +0000] "GET /a\"b HTTP/1.1" 200 1 "-" "agent \"one\""`,
		`2.2.2.2 - - [17/May/2015:10:05:04 +0000] "GET /c\\d HTTP/1.1" 200 2 "-" "agent \"two\""`,
		`3.3.3.3 - - [17/May/2015:10:05:05 +0000] "GET /e\"f HTTP/1.1" 200 3 "-" "agent \"three\""`,
	}
	p := Parser{Keep: true}
	parsed := make([]record.Request, len(lines))
	var want []string
	for i, l := range lines {
		var fresh Parser
		var r record.Request
		if err := fresh.Line([]byte(l), &r); err != nil {
			t.Fatal(err)
		}
		want = append(want, string(r.AppendJSON(nil)))
		if err := p.Line([]byte(l), &parsed[i]); err != nil {
			t.Fatal(err)
		}
	}
	for i := range lines {
		if got := string(parsed[i].AppendJSON(nil)); got != want[i] {
			t.Errorf("parsed line %d after the others (-want +got):\n-%s\n+%s", i+1, want[i], got)
		}
	}
}
