package parse

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/logmon/logmon/internal/record"
)

// The README's two example format strings, exactly.
const (
	readmeNginx  = `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time`
	readmeApache = `%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\" %D`
)

// parseWith parses line in format spec.
func parseWith(t testing.TB, spec, line string) (string, error) {
	t.Helper()
	f, err := Lookup(spec)
	if err != nil {
		t.Fatalf("Lookup(%q): %v", spec, err)
	}
	var r record.Request
	if err := f.NewStream().NewParser().Line([]byte(line), &r); err != nil {
		return "", err
	}
	return string(r.AppendJSON(nil)), nil
}

// TestFormatString: real configurations and lines they wrote.
func TestFormatString(t *testing.T) {
	tests := []struct {
		name, format, line, want string
	}{
		{
			name:   "README nginx",
			format: readmeNginx,
			line:   docCombined + ` 0.123`,
			want:   frank + `,"referer":"http://www.example.com/start.html","agent":"Mozilla/4.08 [en] (Win98; I ;Nav)","duration":0.123}`,
		},
		{
			name:   "README Apache, \\\" as in the configuration",
			format: readmeApache,
			line:   docCombined + ` 1234`,
			want:   frank + `,"referer":"http://www.example.com/start.html","agent":"Mozilla/4.08 [en] (Win98; I ;Nav)","duration":0.001234}`,
		},
		{
			name:   "README Apache with plain quotes",
			format: `%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" %D`,
			line:   docCombined + ` 1234`,
			want:   frank + `,"referer":"http://www.example.com/start.html","agent":"Mozilla/4.08 [en] (Win98; I ;Nav)","duration":0.001234}`,
		},
		{
			name:   "Apache common (httpd docs)",
			format: `%h %l %u %t \"%r\" %>s %b`,
			line:   docCommon,
			want:   frank + `}`,
		},
		{
			// The main format of the official Docker nginx image.
			name: "nginx docker main, pasted as in nginx.conf",
			format: `'$remote_addr - $remote_user [$time_local] "$request" '
                      '$status $body_bytes_sent "$http_referer" '
                      '"$http_user_agent" "$http_x_forwarded_for"';`,
			line: `172.17.0.1 - - [03/Feb/2024:10:00:00 +0000] "GET /index.html HTTP/1.1" 200 615 "-" "curl/8.5.0" "203.0.113.9, 10.0.0.1"`,
			want: `{"type":"request","time":"2024-02-03T10:00:00Z","remote":"172.17.0.1","method":"GET","path":"/index.html","section":"/index.html","protocol":"HTTP/1.1","status":200,"bytes":615,"agent":"curl/8.5.0","forwarded_for":"203.0.113.9, 10.0.0.1"}`,
		},
		{
			// netdata go.d weblog's custom1 format and testdata/custom1.log.
			name:   "Apache custom1 (netdata weblog), unknown %{cookie}n skipped",
			format: `"%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\" %{cookie}n %D"`,
			line:   `127.0.0.1 - - [28/Jan/2019:11:18:12 +0900] "GET /order/books HTTP/1.1" 200 6295 "https://www.test.com/order" "Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko" - 12625`,
			want:   `{"type":"request","time":"2019-01-28T02:18:12Z","remote":"127.0.0.1","method":"GET","path":"/order/books","section":"/order","protocol":"HTTP/1.1","status":200,"bytes":6295,"referer":"https://www.test.com/order","agent":"Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko","duration":0.012625}`,
		},
		{
			name:   "Apache vhost_custom1 (netdata weblog)",
			format: `%v %h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\" %{cookie}n %D`,
			line:   `www.example.com 133.1.2.3 - - [28/Jan/2019:11:18:12 +0900] "GET /favicon.ico HTTP/1.1" 200 635 "https://www.test.com/" "Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko" - 770`,
			want:   `{"type":"request","time":"2019-01-28T02:18:12Z","vhost":"www.example.com","remote":"133.1.2.3","method":"GET","path":"/favicon.ico","section":"/favicon.ico","protocol":"HTTP/1.1","status":200,"bytes":635,"referer":"https://www.test.com/","agent":"Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko","duration":0.00077}`,
		},
		{
			// Debian's apache2.conf vhost_combined: %O, since %b wins only when there.
			name:   "Apache vhost_combined (Debian), %v:%p",
			format: `%v:%p %h %l %u %t \"%r\" %>s %O \"%{Referer}i\" \"%{User-Agent}i\"`,
			line:   `www.example.com:443 93.180.71.3 - - [17/May/2015:08:05:32 +0000] "GET /downloads/product_1 HTTP/1.1" 304 0 "-" "Debian APT-HTTP/1.3 (0.8.16~exp12ubuntu10.21)"`,
			want:   `{"type":"request","time":"2015-05-17T08:05:32Z","vhost":"www.example.com","remote":"93.180.71.3","method":"GET","path":"/downloads/product_1","section":"/downloads","protocol":"HTTP/1.1","status":304,"bytes":0,"agent":"Debian APT-HTTP/1.3 (0.8.16~exp12ubuntu10.21)"}`,
		},
		{
			// netdata go.d weblog's nginx custom1, two upstreams tried.
			name:   "nginx upstream list: the last counts",
			format: `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent $request_length $request_time "$upstream_response_time" "$http_referer" "$http_user_agent"`,
			line:   `10.0.0.2 - - [28/Jan/2019:11:18:12 +0900] "POST /api/v1/order HTTP/1.1" 502 157 812 0.305 "0.100, 0.200" "-" "okhttp/3.12.1"`,
			want:   `{"type":"request","time":"2019-01-28T02:18:12Z","remote":"10.0.0.2","method":"POST","path":"/api/v1/order","section":"/api","protocol":"HTTP/1.1","status":502,"bytes":157,"agent":"okhttp/3.12.1","duration":0.305,"upstream_duration":0.2}`,
		},
		{
			name:   "nginx unquoted upstream lists, internal redirect, no upstream",
			format: `$remote_addr [$time_iso8601] "$request" $status $upstream_status $upstream_response_time $host rt=$request_time`,
			line:   `2001:db8::7 [2024-03-01T12:00:00+01:00] "GET /a/b?c=d HTTP/2.0" 200 504, 200 : 200 1.000, 0.250 : 0.010 api.example.com rt=1.262`,
			want:   `{"type":"request","time":"2024-03-01T11:00:00Z","vhost":"api.example.com","remote":"2001:db8::7","method":"GET","path":"/a/b?c=d","section":"/a","protocol":"HTTP/2.0","status":200,"bytes":0,"duration":1.262,"upstream_status":200,"upstream_duration":0.01}`,
		},
		{
			name:   "nginx no upstream: dashes",
			format: `$remote_addr [$time_local] "$request" $status urt=$upstream_response_time us=$upstream_status`,
			line:   `192.0.2.1 [01/Jan/2020:00:00:00 +0000] "GET / HTTP/1.1" 304 urt=- us=-`,
			want:   json0[:len(`{"type":"request","time":"2020-01-01T00:00:00Z"`)] + `,"remote":"192.0.2.1","method":"GET","path":"/","section":"/","protocol":"HTTP/1.1","status":304,"bytes":0}`,
		},
		{
			// Shaped on openresty's tab-separated log_format sample.
			name:   "nginx tabs (\\t in the configuration), request from its parts",
			format: `time_ngx:$time_local\thttp_host:$host\tremote_addr:$remote_addr\tstatus:$status\tmethod:$request_method\tpath:$uri\tquery:$args\treq_time:$request_time\tuser_agent:$http_user_agent`,
			line:   "time_ngx:13/Dec/2016:12:20:51 +0900\thttp_host:172.18.15.23\tremote_addr:10.42.131.60\tstatus:200\tmethod:GET\tpath:/search/index.html\tquery:q=1&x=2\treq_time:0.000\tuser_agent:Mozilla/5.0 (Windows NT 10.0)",
			want:   `{"type":"request","time":"2016-12-13T03:20:51Z","vhost":"172.18.15.23","remote":"10.42.131.60","method":"GET","path":"/search/index.html?q=1&x=2","section":"/search","status":200,"bytes":0,"agent":"Mozilla/5.0 (Windows NT 10.0)","duration":0}`,
		},
		{
			name:   "nginx ${var}, $msec, $request_method $request_uri $server_protocol in quotes",
			format: `${remote_addr} ${msec} "$request_method ${request_uri} $server_protocol" ${status} ${bytes_sent}`,
			line:   `198.51.100.4 1700000000.123 "GET /x?y=\x22z\x22 HTTP/1.1" 201 99`,
			want:   `{"type":"request","time":"2023-11-14T22:13:20.123Z","remote":"198.51.100.4","method":"GET","path":"/x?y=\\x22z\\x22","section":"/x","protocol":"HTTP/1.1","status":201,"bytes":99}`,
		},
		{
			name:   "nginx $msec then a variable with nothing between",
			format: `$msec$remote_addr "$request" $status`,
			line:   `1700000000.123198.51.100.4 "GET / HTTP/1.1" 200`,
			want:   `{"type":"request","time":"2023-11-14T22:13:20.123Z","remote":"198.51.100.4","method":"GET","path":"/","section":"/","protocol":"HTTP/1.1","status":200,"bytes":0}`,
		},
		{
			name:   "nginx escapes: \\x22 kept as logged, as the combined parser does",
			format: readmeNginx,
			line:   `192.0.2.1 - - [01/Jan/2020:00:00:00 +0000] "GET /q=\x22a\x22 HTTP/1.1" 200 5 "-" "Bot \x22q\x22" 0.000`,
			want:   json0 + `,"method":"GET","path":"/q=\\x22a\\x22","section":"/q=\\x22a\\x22","protocol":"HTTP/1.1","status":200,"bytes":5,"agent":"Bot \\x22q\\x22","duration":0}`,
		},
		{
			name:   "Apache escapes: \\\" and \\\\ unescaped",
			format: readmeApache,
			line:   line0 + `"GET /search?q=\"x\" HTTP/1.1" 200 5 "-" "Bot \"q\" \\" 7`,
			want:   json0 + `,"method":"GET","path":"/search?q=\"x\"","section":"/search","protocol":"HTTP/1.1","status":200,"bytes":5,"agent":"Bot \"q\" \\","duration":0.000007}`,
		},
		{
			// The Apache docs' example of a time with milliseconds.
			name:   "Apache %{...}t with msec_frac and %{%z}t, %{ms}T, %U%q, %H",
			format: `%a [%{%d/%b/%Y %T}t.%{msec_frac}t %{%z}t] \"%m %U%q %H\" %>s %B %{ms}T %{X-Forwarded-For}i`,
			line:   `192.0.2.9 [10/Oct/2000 13:55:36.250 -0700] "GET /a/b?x=1 HTTP/1.1" - 0 42 -`,
			want:   `{"type":"request","time":"2000-10-10T20:55:36.25Z","remote":"192.0.2.9","method":"GET","path":"/a/b?x=1","section":"/a","protocol":"HTTP/1.1","bytes":0,"duration":0.042}`,
		},
		{
			name:   "Apache %{sec}t, %T, %s, and %>s wins over %<s",
			format: `%{sec}t %h %<s %>s %b %T %X %k %L %{Host}i`,
			line:   `1431856800 ::1 302 200 - 2 + 0 - h.example`,
			want:   `{"type":"request","time":"2015-05-17T10:00:00Z","vhost":"h.example","remote":"::1","status":200,"bytes":0,"duration":2}`,
		},
		{
			name:   "Apache %% and trailing spaces ignored",
			format: `%h 100%% %t %>s   `,
			line:   `h 100% [10/Oct/2000:13:55:36 -0700] 200  `,
			want:   `{"type":"request","time":"2000-10-10T20:55:36Z","remote":"h","status":200,"bytes":0}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseWith(t, tt.format, tt.line)
			if err != nil {
				t.Fatalf("line %q: %v", tt.line, err)
			}
			if got != tt.want {
				t.Errorf("(-want +got):\n-%s\n+%s", tt.want, got)
			}
		})
	}
}

// TestFormatStringIsCombined: the combined format, written as nginx's and
// Apache's format strings, reads every Combined line as the hand parser
// does.
func TestFormatStringIsCombined(t *testing.T) {
	formats := []string{
		`$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"`,
		`%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\"`,
	}
	lines := []string{realKibana, realSogou, realDashes, realQuery404, realPost, realOptions, docCombined,
		line0 + `"GET /search?q=\"x\" HTTP/1.1" 200 5 "-" "Bot \"q\""`,
		line0 + `"-" 408 0 "-" "-"`,
		line0 + `"\x16\x03\x01" 400 0 "-" "-"`,
	}
	for _, spec := range formats {
		for _, line := range lines {
			var p Parser
			var r record.Request
			if err := p.Line([]byte(line), &r); err != nil {
				t.Fatal(err)
			}
			want := string(r.AppendJSON(nil))
			got, err := parseWith(t, spec, line)
			if err != nil || got != want {
				t.Errorf("%s: %q: %v\n-%s\n+%s", spec, line, err, want, got)
			}
		}
	}
}

// TestFormatStringBadLines: a line that does not match says where and why.
func TestFormatStringBadLines(t *testing.T) {
	tests := []struct {
		format, line, want string
	}{
		{readmeNginx, `127.0.0.1 frank [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326 "-" "-" 0.1`,
			`column 1: no " - " after $remote_addr`},
		{readmeNginx, `127.0.0.1 - frank 10/Oct/2000:13:55:36 -0700 "GET / HTTP/1.0" 200 2326 "-" "-" 0.1`,
			`column 13: no " [" after $remote_user`},
		{readmeNginx, `127.0.0.1 - - [30/Feb/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326 "-" "-" 0.1`,
			`column 16: bad $time_local "30/Feb/2000:13:55:36 -0700"`},
		{readmeNginx, `127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0 200 2326`,
			`column 45: $request: unterminated quote`},
		{readmeNginx, `127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 2000 2326 "-" "-" 0.1`,
			`column 61: bad $status "2000"`},
		{readmeNginx, `127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326 "-" "-"`,
			`column 76: want "\" " after $http_user_agent, found "\""`},
		{readmeNginx, `127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326 "-" "-" 0.1s`,
			`column 78: bad $request_time "0.1s"`},
		{readmeApache, `127.0.0.1 - - 10/Oct/2000:13:55:36 -0700 "GET / HTTP/1.0" 200 2326 "-" "-" 12`,
			`column 15: want '[' to start %t "10/Oct/2000:13:55:36 -0700 \"GET / HTTP/1"...`},
		{readmeApache, `127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326 "-" "-" 12 extra`,
			`column 78: bad %D "12 extra"`},
		{`$remote_addr [$time_local] $status`, `127.0.0.1 [10/Oct/2000:13:55:36 -0700]`,
			`column 38: want "] " after $time_local, found "]"`},
		{`$remote_addr [$time_local] $status`, `127.0.0.1 [10/Oct/2000:13:55:36 -0700`,
			`column 38: want "] " after $time_local, found the end of the line`},
		{`$remote_addr [$time_local]`, `127.0.0.1 [10/Oct/2000]`,
			`column 12: $time_local: the line ends after "10/Oct/2000]"`},
		{`$msec $remote_addr`, `1700000000 x`, `column 1: bad $msec "1700000000 x"`},
		{`$remote_addr [$time_local] x`, `127.0.0.1 [10/Oct/2000:13:55:36 -0700] xyz`,
			`column 41: text after the end of the format: "yz"`},
		{`"$remote_addr" [$time_local]`, `127.0.0.1 [10/Oct/2000:13:55:36 -0700]`,
			`column 1: want "\"" at the start, found "127.0.0.1 [10/Oct/2000:13:55:36 -0700]"`},
	}
	for _, tt := range tests {
		_, err := parseWith(t, tt.format, tt.line)
		var le *LineError
		if !errors.As(err, &le) || le.Reason != tt.want {
			t.Errorf("%s\n%s\n(-want +got):\n-%s\n+%v", tt.format, tt.line, tt.want, err)
		}
	}
}

// TestFormatStringErrors: a format string that cannot be compiled says
// at which column.
func TestFormatStringErrors(t *testing.T) {
	tests := []struct{ format, want string }{
		{`$remote_addr [$time_local] $a$b`, `column 28: $a$b: two variables with nothing between them cannot be told apart`},
		{`$remote_addr$remote_user [$time_local]`, `column 1: $remote_addr$remote_user: two variables with nothing between them cannot be told apart`},
		{`%h%l %t`, `column 1: %h%l: two variables with nothing between them cannot be told apart`},
		{`$remote_addr [$time_local] "$request $status`, `column 28: unterminated quote`},
		{`%h %t \"%r\" \"%{Referer}i %>s`, `column 14: unterminated quote`},
		{`'$remote_addr [$time_local]' '$status`, `column 30: unterminated quote`},
		{`$remote_addr [$time_local] ${status`, `column 28: ${ without its }`},
		{`${remote addr} [$time_local]`, `column 1: ${remote addr}: not a variable name`},
		{`$ [$time_local]`, `column 1: $ without a variable name`},
		{`%h %t %{Referer`, `column 7: %{ without its }`},
		{`%h %t %>`, `column 7: %> without a directive letter`},
		{`%h %{%d/%b/%Y %Q}t`, `column 4: %{%d/%b/%Y %Q}t: logmon cannot read %Q in a time (it reads %Y %m %d %e %H %M %S %T %F %b %h %a %z)`},
		{`$remote_addr "$request" $status`, `column 1: no time in the format ($time_local, $time_iso8601, $msec; %t, %{...}t): logmon needs each request's time`},
		{`$remote_addr [$time_local]\n`, `column 27: a line break cannot be part of a log line`},
		{`'$remote_addr' x '$time_local'`, `column 16: text outside the quoted pieces of a log_format`},
		{`é $remote_addr$status [$time_local]`, `column 3: $remote_addr$status: two variables with nothing between them cannot be told apart`},
	}
	for _, tt := range tests {
		_, err := Lookup(tt.format)
		var fe *FormatStringError
		if !errors.As(err, &fe) || err.Error() != tt.want {
			t.Errorf("Lookup(%q) (-want +got):\n-%s\n+%v", tt.format, tt.want, err)
		}
	}
}

// TestFormatStringNames: a format string is told from a name by its '$'
// or '%', and named after its server.
func TestFormatStringNames(t *testing.T) {
	for spec, want := range map[string]string{readmeNginx: "nginx format string", readmeApache: "Apache format string"} {
		f, err := Lookup(spec)
		if err != nil || f.Name != want {
			t.Errorf("Lookup(%q) = %v, %v, want %s", spec, f, err, want)
		}
	}
	if _, err := Lookup("combinedd"); err == nil || !strings.Contains(err.Error(), "unknown log format") {
		t.Errorf("Lookup(combinedd): %v", err)
	}
}

// nginx12 is a format of 12 variables, the benchmark's: combined with
// what operators add most.
const nginx12 = `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for" $host rt=$request_time urt=$upstream_response_time`

// combinedLines are Combined lines like benchLines; nginx12Lines the same
// requests in nginx12.
var (
	combinedLines = []string{
		realKibana,
		realSogou,
		docCombined,
		`2001:db8::1 - - [10/Oct/2000:13:55:36 +0200] "GET /index.html?x=1 HTTP/2.0" 200 512 "-" "curl/8.5.0"`,
		line0 + `"GET /search?q=\"x\" HTTP/1.1" 200 5 "-" "Bot \"q\""`,
	}
	nginx12Lines = func() []string {
		extra := []string{` "-" www.example.com rt=0.123 urt=0.120`, ` "203.0.113.9" example.org rt=1.005 urt=0.998`, ` "-" - rt=0.000 urt=-`,
			` "10.1.2.3, 10.0.0.1" api.example.com rt=0.052 urt=0.050`, ` "-" www.example.com rt=0.010 urt=0.004, 0.006`}
		var lines []string
		for i, l := range combinedLines {
			lines = append(lines, l+extra[i])
		}
		return lines
	}()
)

// BenchmarkFormatString: the compiled 12-variable nginx format against
// the hand parser (clf) on the same requests in Combined.
func BenchmarkFormatString(b *testing.B) {
	f, err := Lookup(nginx12)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("clf", func(b *testing.B) { benchLinesWith(b, &Parser{}, combinedLines) })
	b.Run("nginx12", func(b *testing.B) { benchLinesWith(b, f.NewStream().NewParser(), nginx12Lines) })
}

func benchLinesWith(b *testing.B, p *Parser, lines []string) {
	var r record.Request
	bufs := make([][]byte, len(lines))
	size := 0
	want := make([]string, len(lines))
	for i, line := range lines {
		bufs[i] = []byte(line)
		size += len(line)
		if err := p.Line(bufs[i], &r); err != nil {
			b.Fatalf("%q: %v", line, err)
		}
		want[i] = string(r.Path)
	}
	p.Keep = false
	b.SetBytes(int64(size / len(lines)))
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

// TestFormatStringAllocs: a compiled format parses a line without
// allocating, escapes included (into the parser's scratch space).
func TestFormatStringAllocs(t *testing.T) {
	f, err := Lookup(nginx12)
	if err != nil {
		t.Fatal(err)
	}
	p := f.NewStream().NewParser()
	p.Keep = false
	var r record.Request
	for _, line := range nginx12Lines {
		buf := []byte(line)
		if err := p.Line(buf, &r); err != nil {
			t.Fatal(err)
		}
		if n := testing.AllocsPerRun(100, func() { _ = p.Line(buf, &r) }); n != 0 {
			t.Errorf("%q: %v allocations a line", line, n)
		}
	}
}

// FuzzFormatString compiles arbitrary format strings and parses
// arbitrary lines with them: never a panic; a format refused says at
// which column, within the string; a line refused says at which column,
// within the line; a line taken makes valid JSON.
func FuzzFormatString(f *testing.F) {
	f.Add(readmeNginx, docCombined+" 0.1")
	f.Add(readmeApache, docCombined+" 12")
	f.Add(nginx12, nginx12Lines[4])
	f.Add(`'$remote_addr [$time_iso8601]' '"$request" $upstream_status $upstream_response_time'`, `h [2024-03-01T12:00:00+01:00] "GET / HTTP/1.1" 504, 200 : 200 1.0, 0.2 : 0.0`)
	f.Add(`"%a [%{%d/%b/%Y %T}t.%{msec_frac}t %{%z}t] \"%m %U%q %H\" %>s %B %{ms}T"`, `h [10/Oct/2000 13:55:36.250 -0700] "GET /a?x HTTP/1.1" 200 1 2`)
	f.Add(`$msec$remote_addr ${uri}$is_args$args`, `1.123h /a?b`)
	f.Add(`%{sec}t %h %<s %>s %b %T %400,501{User-agent}i %!200{Referer}i %%`, `1 h 1 200 - 1 - - %`)
	f.Fuzz(func(t *testing.T, spec, line string) {
		nginx, ok := isFormatString(spec)
		if !ok {
			return
		}
		format, err := compileFormatString(spec, nginx)
		if err != nil {
			var fe *FormatStringError
			if !errors.As(err, &fe) || fe.Column < 1 || fe.Column > utf8.RuneCountInString(spec)+1 {
				t.Fatalf("compile(%q) = %v, want an error with a column in the string", spec, err)
			}
			return
		}
		p := format.NewStream().NewParser()
		var r record.Request
		buf := []byte(line)
		err = p.Line(buf, &r)
		if string(buf) != line {
			t.Fatalf("Line wrote to its input: %q became %q", line, buf)
		}
		if err != nil {
			var le *LineError
			if !errors.As(err, &le) {
				t.Fatalf("Line(%q) = %T %v, want a *LineError", line, err, err)
			}
			checkReason(t, le.Reason)
			var col int
			if _, serr := fmt.Sscanf(le.Reason, "column %d:", &col); serr == nil && (col < 1 || col > len(line)+1) {
				t.Fatalf("Line(%q): %s: column outside the line", line, le.Reason)
			}
			return
		}
		js := r.AppendJSON(nil)
		if !json.Valid(js) || !utf8.Valid(js) {
			t.Fatalf("%q, %q: invalid JSON or UTF-8 %q", spec, line, js)
		}
		if r.Nsec < 0 || r.Nsec >= 1e9 || r.Bytes < 0 || r.Duration < 0 || r.Status != 0 && (r.Status < 100 || r.Status > 999) {
			t.Fatalf("%q, %q: %s", spec, line, js)
		}
		if !bytes.Equal(r.Section, Section(r.Path)) {
			t.Fatalf("%q, %q: section %q of path %q", spec, line, r.Section, r.Path)
		}
	})
}
