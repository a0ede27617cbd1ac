package gen

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// A Format is a log format gen writes: one of the named formats (Lookup,
// Names) or a format string (NginxFormat, ApacheFormat). Every format
// writes the same requests; a format that logs a duration logs each line
// when its request ends, as the servers do, so its lines come in the
// order of the requests' ends and, where the format's timestamp is the
// request's start (Traefik, HAProxy, classic ELB, S3, Apache's %t), they
// are out of timestamp order by the requests' durations.
type Format struct {
	Name string
	// atEnd: the format logs a duration, and each line is written when
	// its request ends.
	atEnd bool
	// header, when set, appends the header lines written before the
	// first request (W3C, CloudFront); start is the traffic's start.
	header func(b []byte, start time.Time) []byte
	// new returns the format's line writer, with caches of its own.
	new func() lineWriter
}

// lineWriter appends one request as a log line, "\n" included.
type lineWriter interface {
	appendLine(b []byte, q *request) []byte
}

// lineFunc is a lineWriter with no state.
type lineFunc func(b []byte, q *request) []byte

func (f lineFunc) appendLine(b []byte, q *request) []byte { return f(b, q) }

func stateless(f lineFunc) func() lineWriter { return func() lineWriter { return f } }

// Combined is the default format: Apache's and nginx's combined, the
// output gen has always written.
var Combined = &Format{Name: "combined", new: stateless(appendCombined)}

// named are the named formats, in the order help lists them.
var named = []*Format{
	{Name: "common", new: stateless(appendCommon)},
	Combined,
	{Name: "vhost_combined", new: stateless(appendVhostCombined)},
	{Name: "syslog-combined", new: func() lineWriter { return &syslogCombined{stamp: stamp{layout: time.Stamp}} }},
	{Name: "lighttpd", new: stateless(appendLighttpd)},
	{Name: "traefik", atEnd: true, new: stateless(appendTraefik)},
	{Name: "traefik-json", atEnd: true, new: func() lineWriter { return &traefikJSON{end: stamp{layout: `"time":"2006-01-02T15:04:05Z07:00"}`}} }},
	{Name: "caddy", atEnd: true, new: stateless(appendCaddy)},
	{Name: "nginx-json", atEnd: true, new: func() lineWriter { return &nginxJSON{end: stamp{layout: clfLayout}} }},
	{Name: "w3c", atEnd: true, header: w3cHeader, new: func() lineWriter { return &w3c{end: stamp{layout: "2006-01-02 15:04:05"}} }},
	{Name: "alb", atEnd: true, new: func() lineWriter { return &alb{} }},
	{Name: "elb", atEnd: true, new: func() lineWriter { return &elb{} }},
	{Name: "cloudfront", atEnd: true, header: cloudfrontHeader, new: func() lineWriter { return &cloudfront{end: stamp{layout: "2006-01-02\t15:04:05"}} }},
	{Name: "s3", atEnd: true, new: stateless(appendS3)},
	{Name: "haproxy", atEnd: true, new: func() lineWriter {
		return &haproxy{end: stamp{layout: time.Stamp}, accept: stamp{layout: "02/Jan/2006:15:04:05"}}
	}},
}

// Names returns the names of the formats Lookup knows, for help and errors.
func Names() []string {
	names := make([]string, len(named))
	for i, f := range named {
		names[i] = f.Name
	}
	return names
}

// Lookup returns the format spec names: a named format, or a format
// string, nginx's when it has a '$' (NginxFormat), Apache's when it has a
// '%' (ApacheFormat).
func Lookup(spec string) (*Format, error) {
	for _, f := range named {
		if f.Name == spec {
			return f, nil
		}
	}
	switch {
	case strings.Contains(spec, "$"):
		return NginxFormat(spec)
	case strings.Contains(spec, "%"):
		return ApacheFormat(spec)
	}
	return nil, fmt.Errorf("unknown log format %q: want one of %s, or an nginx or Apache format string", spec, strings.Join(Names(), ", "))
}

// clfLayout is the Common Log Format's time, without its brackets.
const clfLayout = "02/Jan/2006:15:04:05 -0700"

// stamp appends a time in a layout, formatted once a second: formatting
// with time costs about 200 ns, a line 250 to 800.
type stamp struct {
	layout string
	sec    int64
	b      []byte
}

// append appends the second of Unix nanoseconds ns in the layout, in UTC.
func (s *stamp) append(b []byte, ns int64) []byte {
	sec := ns / int64(time.Second)
	if s.b == nil || s.sec != sec {
		s.b = time.Unix(sec, 0).UTC().AppendFormat(s.b[:0], s.layout)
		s.sec = sec
	}
	return append(b, s.b...)
}

// appendDecimal appends v/10^digits with digits decimals: 51 and 3 is 0.051.
func appendDecimal(b []byte, v int64, digits int) []byte {
	p := int64(1)
	for range digits {
		p *= 10
	}
	b = strconv.AppendInt(b, v/p, 10)
	if digits == 0 {
		return b
	}
	b = append(b, '.')
	f := v % p
	for p /= 10; p > 1 && f < p; p /= 10 {
		b = append(b, '0')
	}
	return strconv.AppendInt(b, f, 10)
}

// appendSeconds appends d in seconds with digits decimals, truncated, as
// servers do: nginx's $request_time is "%T.%03M" of whole milliseconds.
func appendSeconds(b []byte, d time.Duration, digits int) []byte {
	unit := time.Second
	for range digits {
		unit /= 10
	}
	return appendDecimal(b, int64(d/unit), digits)
}

// appendFraction appends the fraction of a second of Unix nanoseconds ns,
// with a dot and digits digits.
func appendFraction(b []byte, ns int64, digits int) []byte {
	b = append(b, '.')
	n := len(b)
	b = strconv.AppendInt(b, int64(time.Second)+ns%int64(time.Second), 10) // "1" and 9 digits
	copy(b[n:], b[n+1:])
	return b[:n+digits]
}

// appendJSONString appends s as a JSON string, quotes included.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	b = appendJSONEscaped(b, s)
	return append(b, '"')
}

// appendJSONEscaped appends s escaped for a JSON string.
func appendJSONEscaped[S string | []byte](b []byte, s S) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, `\u00`...)
			b = append(b, hexDigits[c>>4], hexDigits[c&15])
		default:
			b = append(b, c)
		}
	}
	return b
}

// appendJSONTarget appends the request target as a JSON string.
func appendJSONTarget(b []byte, q *request) []byte {
	b = append(b, '"')
	b = appendJSONEscaped(b, q.uniq)
	b = appendJSONEscaped(b, q.path)
	return append(b, '"')
}

// appendJSONReferer appends the referer as a JSON string, "" for none.
func appendJSONReferer(b []byte, q *request) []byte {
	b = append(b, '"')
	b = appendJSONEscaped(b, q.ref)
	b = appendJSONEscaped(b, q.refPath)
	return append(b, '"')
}

const hexDigits = "0123456789abcdef"

// appendEncoded appends s with spaces and what a log field may not hold
// percent-encoded, as CloudFront writes a user agent.
func appendEncoded(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || c == '"' || c == '%' || c == '\\' {
			b = append(b, '%', upperHex[c>>4], upperHex[c&15])
		} else {
			b = append(b, c)
		}
	}
	return b
}

const upperHex = "0123456789ABCDEF"

// hash returns 64 bits derived from the request's number and the seed:
// identifiers (request IDs, trace IDs) without drawing from a generator.
func (q *request) hash(salt uint64) uint64 {
	z := q.n*0x9e3779b97f4a7c15 + q.seed*0xbf58476d1ce4e5b9 + salt
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// appendHex appends n hex digits of h (n at most 16), in the alphabet given.
func appendHex(b []byte, h uint64, n int, digits string) []byte {
	for i := n - 1; i >= 0; i-- {
		b = append(b, digits[h>>(4*uint(i))&15])
	}
	return b
}

const base64Chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

// appendBase64ID appends an identifier of n base64 characters, as AWS's
// host and request IDs look.
func appendBase64ID(b []byte, q *request, n int) []byte {
	for i := 0; i < n; i += 10 {
		h := q.hash(uint64(i))
		for j := i; j < min(n, i+10); j++ {
			b = append(b, base64Chars[h&63])
			h >>= 6
		}
	}
	return b
}

// Facts of the simulated site that the logs of its servers show.
const (
	siteHost   = "www.example.com"
	apiHost    = "api.example.com"
	serverAddr = "10.0.0.4" // the web server's own address
)

// host is the Host the request was sent to.
func (q *request) host() string {
	if strings.HasPrefix(q.path, "/api/") {
		return apiHost
	}
	return siteHost
}

// static says the request is for a file the front server serves itself,
// with no upstream.
func (q *request) static() bool {
	return strings.HasPrefix(q.path, "/static/") || strings.HasPrefix(q.path, "/images/") ||
		q.path == "/favicon.ico" || q.path == "/robots.txt"
}

// upstream is the time the upstream (the backend) took: all of the
// request's but its last 3 %, at most 2 ms, spent in the proxy.
func (q *request) upstream() time.Duration {
	return q.dur - min(q.dur*3/100, 2*time.Millisecond)
}

// backend names the upstream that served the request, and upstreamAddr its address.
func (q *request) backend() string {
	if q.host() == apiHost {
		return "api"
	}
	return "web"
}

func (q *request) upstreamAddr() string {
	if q.host() == apiHost {
		return "10.0.1.21:8080"
	}
	return "10.0.1.11:8000"
}

// requestBytes is the size of the request's body.
func (q *request) requestBytes() int64 {
	switch q.method {
	case "POST", "PUT":
		return 64 + int64(q.hash(1)%1900)
	}
	return 0
}

// headerBytes is the size of the response's header, which some servers
// count in the bytes sent.
func (q *request) headerBytes() int64 { return 180 + int64(q.hash(2)%120) }

// query splits the target into path and query, the query without its '?'.
func (q *request) query() (path, query string) {
	path, query, _ = strings.Cut(q.path, "?")
	return path, query
}

// contentType is the response's media type, by the target's extension.
func (q *request) contentType() string {
	path, _ := q.query()
	switch {
	case q.status >= 300:
		return "text/html; charset=utf-8"
	case strings.HasPrefix(path, "/api/"):
		return "application/json"
	case strings.HasSuffix(path, ".js"):
		return "application/javascript"
	case strings.HasSuffix(path, ".css"):
		return "text/css"
	case strings.HasSuffix(path, ".png"):
		return "image/png"
	case strings.HasSuffix(path, ".jpg"):
		return "image/jpeg"
	case strings.HasSuffix(path, ".svg"):
		return "image/svg+xml"
	case strings.HasSuffix(path, ".ico"):
		return "image/x-icon"
	case strings.HasSuffix(path, ".woff2"):
		return "font/woff2"
	case strings.HasSuffix(path, ".xml"):
		return "application/xml"
	case strings.HasSuffix(path, ".txt"):
		return "text/plain"
	}
	return "text/html; charset=utf-8"
}

// appendUser appends the user, or none.
func appendUser(b []byte, q *request, none string) []byte {
	if q.user == "" {
		return append(b, none...)
	}
	return append(b, q.user...)
}

// appendAddrPort appends address:port, an IPv6 address in brackets when
// bracket is set.
func appendAddrPort(b []byte, q *request, bracket bool) []byte {
	v6 := bracket && bytes.IndexByte(q.addr, ':') >= 0
	if v6 {
		b = append(b, '[')
	}
	b = append(b, q.addr...)
	if v6 {
		b = append(b, ']')
	}
	b = append(b, ':')
	return strconv.AppendInt(b, int64(q.port), 10)
}

// appendBytesOrDash appends n, or "-" for 0, as Apache's %b.
func appendBytesOrDash(b []byte, n int64) []byte {
	if n == 0 {
		return append(b, '-')
	}
	return strconv.AppendInt(b, n, 10)
}

// appendCommon: the Common Log Format, Apache's "%h %l %u %t \"%r\" %>s %b".
func appendCommon(b []byte, q *request) []byte {
	b = append(b, q.addr...)
	b = appendIdentUser(b, q)
	b = append(b, q.ts...)
	b = append(b, " \""...)
	b = appendRequestLine(b, q)
	b = append(b, "\" "...)
	b = strconv.AppendInt(b, int64(q.status), 10)
	b = append(b, ' ')
	b = appendBytesOrDash(b, q.size)
	return append(b, '\n')
}

// appendVhostCombined: Apache's vhost_combined,
// "%v:%p %h %l %u %t \"%r\" %>s %O \"%{Referer}i\" \"%{User-Agent}i\"".
func appendVhostCombined(b []byte, q *request) []byte {
	b = append(b, q.host()...)
	b = append(b, ":443 "...)
	return appendCombined(b, q)
}

// appendLighttpd: lighttpd's default accesslog.format,
// "%h %V %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\"".
func appendLighttpd(b []byte, q *request) []byte {
	b = append(b, q.addr...)
	b = append(b, ' ')
	b = append(b, q.host()...)
	b = append(b, ' ')
	b = appendUser(b, q, "-")
	b = append(b, ' ')
	b = append(b, q.ts...)
	b = append(b, " \""...)
	b = appendRequestLine(b, q)
	b = append(b, "\" "...)
	b = strconv.AppendInt(b, int64(q.status), 10)
	b = append(b, ' ')
	b = appendBytesOrDash(b, q.size)
	b = append(b, " \""...)
	b = appendReferer(b, q, "-")
	b = append(b, "\" \""...)
	b = append(b, q.c.agent...)
	return append(b, "\"\n"...)
}

// syslogCombined: Combined lines that nginx sent to syslog
// (access_log syslog:server=...), as rsyslog writes them to a file:
// "May 17 10:05:03 web1 nginx: " and the line.
type syslogCombined struct{ stamp stamp }

func (w *syslogCombined) appendLine(b []byte, q *request) []byte {
	b = w.stamp.append(b, q.start)
	b = append(b, " web1 nginx: "...)
	return appendCombined(b, q)
}

// appendTraefik: Traefik's access log in its default (common) format:
// Combined, then the number of requests since Traefik started, the
// router, the server URL and the duration in whole milliseconds.
func appendTraefik(b []byte, q *request) []byte {
	b = appendCombined(b, q)
	b = b[:len(b)-1]
	b = append(b, ' ')
	b = strconv.AppendUint(b, q.n, 10)
	b = append(b, ` "`...)
	b = append(b, q.backend()...)
	b = append(b, `@docker" "http://`...)
	b = append(b, q.upstreamAddr()...)
	b = append(b, `" `...)
	b = strconv.AppendInt(b, q.dur.Milliseconds(), 10)
	return append(b, "ms\n"...)
}

// traefikJSON: Traefik's access log with format json (logrus: keys in
// sorted order), the User-Agent and Referer headers kept.
type traefikJSON struct{ end stamp }

func (w *traefikJSON) appendLine(b []byte, q *request) []byte {
	b = append(b, `{"ClientAddr":"`...)
	b = appendAddrPort(b, q, true)
	b = append(b, `","ClientHost":"`...)
	b = append(b, q.addr...)
	b = append(b, `","ClientPort":"`...)
	b = strconv.AppendInt(b, int64(q.port), 10)
	b = append(b, `","ClientUsername":"`...)
	b = appendUser(b, q, "-")
	b = append(b, '"')
	b = append(b, `,"DownstreamContentSize":`...)
	b = strconv.AppendInt(b, q.size, 10)
	b = append(b, `,"DownstreamStatus":`...)
	b = strconv.AppendInt(b, int64(q.status), 10)
	b = append(b, `,"Duration":`...)
	b = strconv.AppendInt(b, int64(q.dur), 10)
	b = append(b, `,"OriginContentSize":`...)
	b = strconv.AppendInt(b, q.size, 10)
	b = append(b, `,"OriginDuration":`...)
	b = strconv.AppendInt(b, int64(q.upstream()), 10)
	b = append(b, `,"OriginStatus":`...)
	b = strconv.AppendInt(b, int64(q.status), 10)
	b = append(b, `,"Overhead":`...)
	b = strconv.AppendInt(b, int64(q.dur-q.upstream()), 10)
	b = append(b, `,"RequestAddr":"`...)
	b = append(b, q.host()...)
	b = append(b, `","RequestContentSize":`...)
	b = strconv.AppendInt(b, q.requestBytes(), 10)
	b = append(b, `,"RequestCount":`...)
	b = strconv.AppendUint(b, q.n, 10)
	b = append(b, `,"RequestHost":"`...)
	b = append(b, q.host()...)
	b = append(b, `","RequestMethod":"`...)
	b = append(b, q.method...)
	b = append(b, `","RequestPath":`...)
	b = appendJSONTarget(b, q)
	b = append(b, `,"RequestPort":"-","RequestProtocol":"`...)
	b = append(b, q.proto...)
	b = append(b, `","RequestScheme":"https","RetryAttempts":0,"RouterName":"`...)
	b = append(b, q.backend()...)
	b = append(b, `@docker","ServiceAddr":"`...)
	b = append(b, q.upstreamAddr()...)
	b = append(b, `","ServiceName":"`...)
	b = append(b, q.backend()...)
	b = append(b, `@docker","StartLocal":"`...)
	start := time.Unix(0, q.start).UTC()
	b = start.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","StartUTC":"`...)
	b = start.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","entryPointName":"websecure","level":"info","msg":""`...)
	if q.ref != "" {
		b = append(b, `,"request_Referer":`...)
		b = appendJSONReferer(b, q)
	}
	b = append(b, `,"request_User-Agent":`...)
	b = appendJSONString(b, q.c.agent)
	b = append(b, ',')
	b = w.end.append(b, q.end())
	return append(b, '\n')
}

// appendCaddy: Caddy's access log (JSON, zap's encoder), the keys of
// Caddy 2.7's "handled request" entries.
func appendCaddy(b []byte, q *request) []byte {
	b = append(b, `{"level":"info","ts":`...)
	b = strconv.AppendFloat(b, float64(q.end())/1e9, 'f', -1, 64)
	b = append(b, `,"logger":"http.log.access.log0","msg":"handled request","request":{"remote_ip":"`...)
	b = append(b, q.addr...)
	b = append(b, `","remote_port":"`...)
	b = strconv.AppendInt(b, int64(q.port), 10)
	b = append(b, `","client_ip":"`...)
	b = append(b, q.addr...)
	b = append(b, `","proto":"`...)
	b = append(b, q.proto...)
	b = append(b, `","method":"`...)
	b = append(b, q.method...)
	b = append(b, `","host":"`...)
	b = append(b, q.host()...)
	b = append(b, `","uri":`...)
	b = appendJSONTarget(b, q)
	b = append(b, `,"headers":{"User-Agent":[`...)
	b = appendJSONString(b, q.c.agent)
	b = append(b, `],"Accept":["*/*"]`...)
	if q.ref != "" {
		b = append(b, `,"Referer":[`...)
		b = appendJSONReferer(b, q)
		b = append(b, ']')
	}
	b = append(b, `},"tls":{"resumed":false,"version":772,"cipher_suite":4865,"proto":"`...)
	if q.proto == "HTTP/2.0" {
		b = append(b, "h2"...)
	} else {
		b = append(b, "http/1.1"...)
	}
	b = append(b, `","server_name":"`...)
	b = append(b, q.host()...)
	b = append(b, `"}},"bytes_read":`...)
	b = strconv.AppendInt(b, q.requestBytes(), 10)
	b = append(b, `,"user_id":`...)
	b = appendJSONString(b, q.user)
	b = append(b, `,"duration":`...)
	b = strconv.AppendFloat(b, q.dur.Seconds(), 'f', -1, 64)
	b = append(b, `,"size":`...)
	b = strconv.AppendInt(b, q.size, 10)
	b = append(b, `,"status":`...)
	b = strconv.AppendInt(b, int64(q.status), 10)
	b = append(b, `,"resp_headers":{"Server":["Caddy"]`...)
	if q.size > 0 {
		b = append(b, `,"Content-Type":["`...)
		b = append(b, q.contentType()...)
		b = append(b, `"]`...)
	}
	return append(b, "}}\n"...)
}

// nginxJSON: nginx's log_format with escape=json, the keys named after
// the variables as most guides do; escape=json logs a variable with no
// value as "", not "-".
//
//	log_format json escape=json '{"time_local":"$time_local","remote_addr":"$remote_addr",'
//	  '"remote_user":"$remote_user","request":"$request","status":"$status",'
//	  '"body_bytes_sent":"$body_bytes_sent","request_time":"$request_time",'
//	  '"http_referer":"$http_referer","http_user_agent":"$http_user_agent",'
//	  '"http_x_forwarded_for":"$http_x_forwarded_for","host":"$host",'
//	  '"upstream_response_time":"$upstream_response_time"}';
type nginxJSON struct{ end stamp }

// NginxJSONConfig is the log_format that nginx-json is written by.
const NginxJSONConfig = `log_format json escape=json '{"time_local":"$time_local","remote_addr":"$remote_addr","remote_user":"$remote_user","request":"$request","status":"$status","body_bytes_sent":"$body_bytes_sent","request_time":"$request_time","http_referer":"$http_referer","http_user_agent":"$http_user_agent","http_x_forwarded_for":"$http_x_forwarded_for","host":"$host","upstream_response_time":"$upstream_response_time"}';`

func (w *nginxJSON) appendLine(b []byte, q *request) []byte {
	b = append(b, `{"time_local":"`...)
	b = w.end.append(b, q.end())
	b = append(b, `","remote_addr":"`...)
	b = append(b, q.addr...)
	b = append(b, `","remote_user":`...)
	b = appendJSONString(b, q.user)
	b = append(b, `,"request":`...)
	b = append(b, '"')
	b = appendJSONEscaped(b, q.method)
	b = append(b, ' ')
	b = appendJSONEscaped(b, q.uniq)
	b = appendJSONEscaped(b, q.path)
	b = append(b, ' ')
	b = appendJSONEscaped(b, q.proto)
	b = append(b, '"')
	b = append(b, `,"status":"`...)
	b = strconv.AppendInt(b, int64(q.status), 10)
	b = append(b, `","body_bytes_sent":"`...)
	b = strconv.AppendInt(b, q.size, 10)
	b = append(b, `","request_time":"`...)
	b = appendSeconds(b, q.dur, 3)
	b = append(b, `","http_referer":`...)
	b = appendJSONReferer(b, q)
	b = append(b, `,"http_user_agent":`...)
	b = appendJSONString(b, q.c.agent)
	b = append(b, `,"http_x_forwarded_for":`...)
	b = append(b, '"')
	b = appendJSONEscaped(b, q.xff)
	b = append(b, '"')
	b = append(b, `,"host":"`...)
	b = append(b, q.host()...)
	b = append(b, `","upstream_response_time":"`...)
	if !q.static() {
		b = appendSeconds(b, q.upstream(), 3)
	}
	return append(b, "\"}\n"...)
}

// w3c: IIS's W3C extended log, its default fields and cs-version,
// cs-host, sc-bytes and cs-bytes (IIS's field order); the time is the
// request's end, in UTC, time-taken milliseconds.
type w3c struct{ end stamp }

func w3cHeader(b []byte, start time.Time) []byte {
	b = append(b, "#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n#Date: "...)
	b = start.AppendFormat(b, "2006-01-02 15:04:05")
	return append(b, "\n#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs-version cs(User-Agent) cs(Referer) cs-host sc-status sc-substatus sc-win32-status sc-bytes cs-bytes time-taken\n"...)
}

func (w *w3c) appendLine(b []byte, q *request) []byte {
	b = w.end.append(b, q.end())
	b = append(b, " "+serverAddr+" "...)
	b = append(b, q.method...)
	b = append(b, ' ')
	path, query := q.query()
	b = append(b, q.uniq...)
	b = append(b, path...)
	b = append(b, ' ')
	if query == "" {
		query = "-"
	}
	b = append(b, query...)
	b = append(b, " 443 "...)
	b = appendUser(b, q, "-")
	b = append(b, ' ')
	b = append(b, q.addr...)
	b = append(b, ' ')
	b = append(b, q.proto...)
	b = append(b, ' ')
	for i := 0; i < len(q.c.agent); i++ { // IIS writes a space as '+'
		if c := q.c.agent[i]; c == ' ' {
			b = append(b, '+')
		} else {
			b = append(b, c)
		}
	}
	b = append(b, ' ')
	b = appendReferer(b, q, "-")
	b = append(b, ' ')
	b = append(b, q.host()...)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(q.status), 10)
	b = append(b, " 0 0 "...)
	b = strconv.AppendInt(b, q.size+q.headerBytes(), 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, 350+q.requestBytes()+int64(len(q.c.agent)), 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, q.dur.Milliseconds(), 10)
	return append(b, '\n')
}

// alb: an AWS Application Load Balancer's access log entry, HTTPS (h2 for
// HTTP/2), every field of the current documentation; time is when the
// response was sent, request_creation_time when the request came.
type alb struct{ fmt [2]stamp }

func (w *alb) appendLine(b []byte, q *request) []byte {
	if q.proto == "HTTP/2.0" {
		b = append(b, "h2 "...)
	} else {
		b = append(b, "https "...)
	}
	b = appendISOMicro(b, &w.fmt[0], q.end())
	b = append(b, " app/my-loadbalancer/50dc6c495c0c9188 "...)
	b = appendAddrPort(b, q, false)
	b = append(b, ' ')
	b = append(b, q.upstreamAddr()...)
	// request, target and response processing times, seconds to the millisecond.
	d := q.dur.Milliseconds()
	in, out := min(d, 1), min(max(d-1, 0), 1)
	b = append(b, ' ')
	b = appendDecimal(b, in, 3)
	b = append(b, ' ')
	b = appendDecimal(b, d-in-out, 3)
	b = append(b, ' ')
	b = appendDecimal(b, out, 3)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(q.status), 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(q.status), 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, 350+q.requestBytes(), 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, q.size+q.headerBytes(), 10)
	b = append(b, ` "`...)
	b = appendFullRequestLine(b, q)
	b = append(b, `" "`...)
	b = append(b, q.c.agent...)
	b = append(b, `" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/`...)
	b = append(b, q.backend()...)
	b = append(b, `-targets/73e2d6bc24d8a067 "Root=1-`...)
	b = appendHex(b, uint64(q.start/int64(time.Second)), 8, hexDigits)
	b = append(b, '-')
	b = appendHex(b, q.hash(3), 16, hexDigits)
	b = appendHex(b, q.hash(4), 8, hexDigits)
	b = append(b, `" "`...)
	b = append(b, q.host()...)
	b = append(b, `" "arn:aws:acm:us-east-2:123456789012:certificate/12345678-1234-1234-1234-123456789012" `...)
	if q.host() == apiHost {
		b = append(b, '1')
	} else {
		b = append(b, '0')
	}
	b = append(b, ' ')
	b = appendISOMicro(b, &w.fmt[1], q.start)
	b = append(b, ` "forward" "-" "-" "`...)
	b = append(b, q.upstreamAddr()...)
	b = append(b, `" "`...)
	b = strconv.AppendInt(b, int64(q.status), 10)
	b = append(b, `" "-" "-" TID_`...)
	b = appendHex(b, q.hash(5), 16, hexDigits)
	b = appendHex(b, q.hash(6), 16, hexDigits)
	return append(b, '\n')
}

// appendISOMicro appends ns as "2015-05-17T10:05:03.123456Z".
func appendISOMicro(b []byte, s *stamp, ns int64) []byte {
	s.layout = "2006-01-02T15:04:05"
	b = s.append(b, ns)
	b = appendFraction(b, ns, 6)
	return append(b, 'Z')
}

// appendFullRequestLine appends the request line as the AWS load
// balancers log it: "GET https://www.example.com:443/path HTTP/1.1".
func appendFullRequestLine(b []byte, q *request) []byte {
	b = append(b, q.method...)
	b = append(b, " https://"...)
	b = append(b, q.host()...)
	b = append(b, ":443"...)
	b = appendTarget(b, q)
	b = append(b, ' ')
	return append(b, q.proto...)
}

// elb: a Classic Load Balancer's access log entry, HTTPS; the timestamp is
// when the request came, the times seconds to the microsecond.
type elb struct{ fmt stamp }

func (w *elb) appendLine(b []byte, q *request) []byte {
	b = appendISOMicro(b, &w.fmt, q.start)
	b = append(b, " my-loadbalancer "...)
	b = appendAddrPort(b, q, false)
	b = append(b, ' ')
	b = append(b, q.upstreamAddr()...)
	d := q.dur.Microseconds()
	in, out := min(d, 40+int64(q.hash(7)%60)), min(d, 30+int64(q.hash(8)%40))
	if in+out > d {
		in, out = d/2, d/4
	}
	b = append(b, ' ')
	b = appendDecimal(b, in, 6)
	b = append(b, ' ')
	b = appendDecimal(b, d-in-out, 6)
	b = append(b, ' ')
	b = appendDecimal(b, out, 6)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(q.status), 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(q.status), 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, q.requestBytes(), 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, q.size, 10)
	b = append(b, ` "`...)
	proto := q.proto
	if proto == "HTTP/2.0" { // a Classic Load Balancer speaks HTTP/1 to its clients
		q.proto = "HTTP/1.1"
	}
	b = appendFullRequestLine(b, q)
	q.proto = proto
	b = append(b, `" "`...)
	b = append(b, q.c.agent...)
	b = append(b, "\" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2\n"...)
	return b
}

// cloudfront: a CloudFront standard (legacy) log, tab-separated, its 33
// fields; date and time are when the response was sent.
type cloudfront struct{ end stamp }

func cloudfrontHeader(b []byte, _ time.Time) []byte {
	return append(b, "#Version: 1.0\n#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end\n"...)
}

var edgeLocations = []string{"FRA56-P1", "LHR61-C1", "IAD89-C3", "CDG50-C1", "NRT57-P2", "SFO53-P6"}

func (w *cloudfront) appendLine(b []byte, q *request) []byte {
	b = w.end.append(b, q.end())
	b = append(b, '\t')
	b = append(b, edgeLocations[q.hash(9)%uint64(len(edgeLocations))]...)
	b = append(b, '\t')
	b = strconv.AppendInt(b, q.size+q.headerBytes(), 10)
	b = append(b, '\t')
	b = append(b, q.addr...)
	b = append(b, '\t')
	b = append(b, q.method...)
	b = append(b, "\td111111abcdef8.cloudfront.net\t"...)
	path, query := q.query()
	b = append(b, q.uniq...)
	b = append(b, path...)
	b = append(b, '\t')
	b = strconv.AppendInt(b, int64(q.status), 10)
	b = append(b, '\t')
	b = appendReferer(b, q, "-")
	b = append(b, '\t')
	b = appendEncoded(b, q.c.agent)
	b = append(b, '\t')
	if query == "" {
		query = "-"
	}
	b = append(b, query...)
	result := "Miss"
	switch {
	case q.status >= 400:
		result = "Error"
	case q.status == 304 || q.static() && q.dur < 30*time.Millisecond:
		result = "Hit"
	}
	b = append(b, "\t-\t"...)
	b = append(b, result...)
	b = append(b, '\t')
	b = appendBase64ID(b, q, 54)
	b = append(b, "==\t"...)
	b = append(b, q.host()...)
	b = append(b, "\thttps\t"...)
	b = strconv.AppendInt(b, 350+q.requestBytes(), 10)
	b = append(b, '\t')
	b = appendSeconds(b, q.dur, 3)
	b = append(b, '\t')
	if len(q.xff) == 0 {
		b = append(b, '-')
	} else {
		b = append(b, q.xff...)
	}
	b = append(b, "\tTLSv1.3\tTLS_AES_128_GCM_SHA256\t"...)
	b = append(b, result...)
	b = append(b, '\t')
	b = append(b, q.proto...)
	b = append(b, "\t-\t-\t"...)
	b = strconv.AppendInt(b, int64(q.port), 10)
	b = append(b, '\t')
	b = appendSeconds(b, q.upstream(), 3)
	b = append(b, '\t')
	b = append(b, result...)
	b = append(b, '\t')
	b = append(b, q.contentType()...)
	b = append(b, '\t')
	b = strconv.AppendInt(b, q.size, 10)
	return append(b, "\t-\t-\n"...)
}

// appendS3: an S3 server access log record of a website's bucket, every
// field of the current documentation; the time is when the request came,
// total_time milliseconds.
func appendS3(b []byte, q *request) []byte {
	const owner = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"
	b = append(b, owner+" example-site "...)
	b = append(b, q.ts...)
	b = append(b, ' ')
	b = append(b, q.addr...)
	b = append(b, ' ')
	if q.user == "" {
		b = append(b, '-')
	} else {
		b = append(b, "arn:aws:iam::123456789012:user/"...)
		b = append(b, q.user...)
	}
	b = append(b, ' ')
	b = appendHex(b, q.hash(10), 16, upperHex)
	b = append(b, " REST."...)
	path, _ := q.query()
	switch q.method {
	case "OPTIONS":
		b = append(b, "OPTIONS.PREFLIGHT"...)
	default:
		b = append(b, q.method...)
		b = append(b, ".OBJECT"...)
	}
	b = append(b, ' ')
	switch {
	case len(q.uniq) > 0:
		b = append(b, q.uniq[1:]...)
		b = append(b, path...)
	case path == "/":
		b = append(b, '-') // the bucket itself
	default:
		b = append(b, path[1:]...)
	}
	b = append(b, ` "`...)
	b = appendRequestLine(b, q)
	b = append(b, `" `...)
	b = strconv.AppendInt(b, int64(q.status), 10)
	b = append(b, ' ')
	switch q.status {
	case 403, 401:
		b = append(b, "AccessDenied"...)
	case 404:
		b = append(b, "NoSuchKey"...)
	case 500:
		b = append(b, "InternalError"...)
	case 503:
		b = append(b, "SlowDown"...)
	default:
		b = append(b, '-')
	}
	b = append(b, ' ')
	b = appendBytesOrDash(b, q.size)
	b = append(b, ' ')
	if q.method == "GET" || q.method == "HEAD" {
		b = appendBytesOrDash(b, q.size)
	} else {
		b = appendBytesOrDash(b, q.requestBytes())
	}
	b = append(b, ' ')
	b = strconv.AppendInt(b, q.dur.Milliseconds(), 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, q.upstream().Milliseconds(), 10)
	b = append(b, ` "`...)
	b = appendReferer(b, q, "-")
	b = append(b, `" "`...)
	b = append(b, q.c.agent...)
	b = append(b, `" - `...)
	b = appendBase64ID(b, q, 76)
	if q.user == "" {
		b = append(b, " - ECDHE-RSA-AES128-GCM-SHA256 - "...)
	} else {
		b = append(b, " SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader "...)
	}
	b = append(b, "example-site.s3.us-east-1.amazonaws.com TLSv1.2 - -\n"...)
	return b
}

// haproxy: HAProxy's HTTP log (option httplog) as rsyslog writes it to a
// file: "May 17 10:05:04 lb1 haproxy[2187]: " and the line, logged at the
// end of the request; the accept date is its start, to the millisecond,
// and the timers TR/Tw/Tc/Tr/Ta milliseconds.
type haproxy struct{ end, accept stamp }

func (w *haproxy) appendLine(b []byte, q *request) []byte {
	b = w.end.append(b, q.end())
	b = append(b, " lb1 haproxy[2187]: "...)
	b = appendAddrPort(b, q, false)
	b = append(b, " ["...)
	b = w.accept.append(b, q.start)
	b = appendFraction(b, q.start, 3)
	b = append(b, "] https-in~ "...)
	b = append(b, q.backend()...)
	b = append(b, '/')
	b = append(b, q.backend()...)
	b = strconv.AppendUint(b, 1+q.hash(11)%3, 10)
	ta := q.dur.Milliseconds()
	tr := q.upstream().Milliseconds()
	tc := min(ta-tr, 1)
	b = append(b, ' ')
	b = strconv.AppendInt(b, ta-tr-tc, 10) // TR: the request's headers
	b = append(b, "/0/"...)                // Tw: no queue
	b = strconv.AppendInt(b, tc, 10)
	b = append(b, '/')
	b = strconv.AppendInt(b, tr, 10)
	b = append(b, '/')
	b = strconv.AppendInt(b, ta, 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(q.status), 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, q.size+q.headerBytes(), 10)
	conns := 1 + q.hash(12)%40
	b = append(b, " - - ---- "...)
	b = strconv.AppendUint(b, conns, 10)
	b = append(b, '/')
	b = strconv.AppendUint(b, conns, 10)
	b = append(b, '/')
	b = strconv.AppendUint(b, 1+conns/3, 10)
	b = append(b, '/')
	b = strconv.AppendUint(b, 1+conns/9, 10)
	b = append(b, "/0 0/0 \""...)
	b = appendRequestLine(b, q)
	return append(b, "\"\n"...)
}
