package parse

var textCases = []textCase{
	{name: "w3c iis10", format: "w3c", lines: []string{iisSoftware, iisVersion, iisDate, iisFields, iisLine, iisLine2}},
	{name: "w3c iis7 bytes", format: "w3c", lines: []string{iis7Fields, iis7Line}},
	{name: "w3c draft date", format: "w3c", lines: []string{iisVersion, w3cDraftDate, w3cDraftFields, w3cDraftLine}},
	{name: "w3c fields change", format: "w3c", lines: []string{iisFields, iisLine, w3cDraftFields, "00:34:23 GET /x", iisLine}},
	{name: "w3c bad", format: "w3c", lines: []string{
		iisLine,
		iisFields,
		"2022-01-22 00:00:01 10.142.0.2 POST /a - 443 - 172.69.69.207 - - 200 0 0",
		"2022-01-22 24:00:01 10.142.0.2 POST /a - 443 - 172.69.69.207 - - 200 0 0 31",
		"2022-01-22 00:00:01 10.142.0.2 POST /a - 443 - 172.69.69.207 - - 2000 0 0 31",
		"2022-01-22 00:00:01 10.142.0.2 POST /a - 443 - 172.69.69.207 - - 200 0 0 3.x",
		"#Fields: cs-method cs-uri",
		"GET /a",
		docCombined,
	}},
	{name: "cloudfront", format: "cloudfront", lines: []string{cfVersion, cfFields, cfLine, cfQuinn}},
	{name: "w3c reads cloudfront", format: "w3c", lines: []string{cfVersion, cfFields, cfQuinn}},
	{name: "cloudfront headerless", format: "cloudfront", lines: []string{cfLine, "2019-12-04\t21:02:31\tLAX1\t392\t192.0.2.100\tGET\td111111abcdef8.cloudfront.net\t/index.html\t000\t-\t-\t-\t-\tError\tx==\td111111abcdef8.cloudfront.net\thttps\t23\t0.001", "2019-12-04\t21:02:31\tLAX1\t392"}},
	// The last lines' times sum to 0.037 and 0.7: summed as floats they
	// were 0.037000000000000005 and 0.7000000000000001.
	{name: "alb", format: "alb", lines: []string{albHTTP, albH2, albNone, elbHTTP, `http 2018-07-02T22:23:00Z app/x 1.2.3.4:1 - 0.000 x 0.000 200 200 0 0 "GET / HTTP/1.1" "-"`,
		`http 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.001 0.035 0.001 200 200 34 366 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.46.0" - -`}},
	{name: "elb", format: "elb", lines: []string{elbHTTP, elbHTTPS, elbTCP, albHTTP, `2015-05-13T23:39:43.945958Z lb 192.168.131.39 10.0.0.1:80 0 0 0 200 200 0 29 "GET / HTTP/1.1" "-"`,
		`2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.1 0.2 0.4 200 200 0 29 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.38.0" - -`}},
	{name: "s3", format: "s3", lines: []string{s3Line, s3Older, docCombined, `owner bucket [06/Feb/2019:00:00:38 +0000] 192.0.2.3 - id REST.GET.OBJECT key "GET /key HTTP/1.1" 200 - 113 - x - "-" "-"`}},
	{name: "haproxy", format: "haproxy", lines: []string{haproxyDoc, haproxyTCP, haproxySys, `10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in static/srv1 10/0/30/69/+109 200 +2750 - - ---- 1/1/1/1/0 0/0 "GET /index.html?q=` + strings1k}},
	{name: "syslog-haproxy", format: "syslog-haproxy", lines: []string{haproxySys, haproxyNoSrv, haproxyDoc}},
	{name: "traefik", format: "traefik", lines: []string{traefikLine, traefikV1, docCombined, realKibana + ` 12 "r" "u" 3.5ms`}},
	{name: "lighttpd", format: "lighttpd", lines: []string{lighttpdLine, lighttpdPort, docCombined, `www.example.com:443 2001:db8::1 - - [2000-10-10T13:55:36.250+02:00] "GET / HTTP/2.0" 200 512 "-" "curl/8.5.0"`}},
	{name: "syslog-combined", format: "syslog-combined", lines: []string{syslogNginx, syslogISO, syslog5424, syslogPRI3164, docCombined, `<190>1 2016-06-24T05:04:49Z web1 nginx 812 access [unterminated`, `Jun 24 13:04:49 web1 nginx: `}},
}

// strings1k is a request HAProxy cut at its line length: no closing quote.
const strings1k = `a&b=c&d=e`

// Mixed inputs under auto: the format picked by the first line one takes
// is kept, and a stray line (an error-log line, another format's) is
// rejected with the picked format's reason.
var mixedCases = []textCase{
	{name: "auto haproxy with its own messages", format: "auto", lines: []string{
		`Mar 26 11:37:20 localhost haproxy[14836]: Proxy web1 started.`,
		haproxySys,
		`Mar 26 11:37:22 localhost haproxy[14836]: Server web1/web1 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms.`,
		`Mar 26 11:37:23 localhost haproxy[14836]: 10.0.1.2:33313 [26/Mar/2019:11:37:23.443] fnt bck/srv1 0/0/5007 212 -- 0/0/0/0/3 0/0`,
		haproxyNoSrv,
	}},
	{name: "auto w3c with a stray combined line", format: "auto", lines: []string{iisSoftware, iisVersion, iisDate, iisFields, iisLine, docCombined, iisLine2}},
	{name: "auto cloudfront", format: "auto", lines: []string{cfVersion, cfFields, cfLine, iisLine, cfQuinn}},
	{name: "auto alb then elb", format: "auto", lines: []string{albHTTP, elbHTTP, albH2}},
	{name: "auto combined keeps", format: "auto", lines: []string{docCombined, lighttpdLine, traefikLine, syslogNginx}},
	{name: "auto syslog-combined", format: "auto", lines: []string{`Jun 24 13:04:48 web1 nginx: nginx started`, syslogNginx, docCombined, syslog5424}},
	{name: "auto lighttpd", format: "auto", lines: []string{lighttpdLine, docCombined, lighttpdPort}},
}

func init() { textCases = append(textCases, mixedCases...) }
