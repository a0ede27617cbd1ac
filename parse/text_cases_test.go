package parse

// Real-world lines of the text formats, from the formats' documentation
// and public parser tests (the source is named beside each).
const (
	// IIS 10, from querycat's IISW3C documentation (docs/input/iisw3c.md).
	iisSoftware = `#Software: Microsoft Internet Information Services 10.0`
	iisVersion  = `#Version: 1.0`
	iisDate     = `#Date: 2022-01-22 00:00:01`
	iisFields   = `#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken`
	iisLine     = `2022-01-22 00:00:01 10.142.0.2 POST /member/TrafficSchoolLessonTrack.ashx pid=2173020&lid=125452789&ls=0&cs=45452&st=637783764992503700 443 diegorebana3333@example.com 172.69.69.207 Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/97.0.4692.99+Safari/537.36 https://member.getdefensive.com/member/TrafficSchoolLesson.aspx?id=125452789 200 0 0 31`
	iisLine2    = `2022-01-22 00:00:01 10.142.0.2 POST /member/TrafficSchoolLessonTrack.ashx pid=2173304&lid=125470842&ls=0&cs=27538&st=637781801140015900 443 - 172.69.69.207 Mozilla/5.0+(Macintosh;+Intel+Mac+OS+X+10_15_7)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/97.0.4692.71+Safari/537.36 https://member.getdefensive.com/member/TrafficSchoolLesson.aspx?id=125470842 200 0 0 31`
	// IIS 7, with sc-bytes and cs-bytes (a comment in MSchwarz.Net.Web's LogAccess).
	iis7Fields = `#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status sc-bytes cs-bytes time-taken`
	iis7Line   = `2008-12-08 09:36:59 80.190.178.106 GET /livecust.aspx - 80 - 80.190.178.106 Mozilla/4.0+(compatible;+MSIE+7.0;+Windows+NT+6.0;+WOW64;+SLCC1;+.NET+CLR+2.0.50727;+.NET+CLR+3.5.30729;+.NET+CLR+3.0.30618) - 500 0 0 4784 662 63`
	// The W3C draft's own example (www.w3.org/TR/WD-logfile.html): no
	// date field, the day from #Date:.
	w3cDraftDate   = `#Date: 12-Jan-1996 00:00:00`
	w3cDraftFields = `#Fields: time cs-method cs-uri`
	w3cDraftLine   = `00:34:23 GET /foo/bar.html`

	// CloudFront: the AWS developer guide's example (standard logs
	// reference), and a real line of Corey Quinn's published log (gist
	// QuinnyPig/cb77f0b0...), tabs restored.
	cfVersion = "#Version: 1.0"
	cfFields  = "#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end"
	cfLine    = "2019-12-04\t21:02:31\tLAX1\t392\t192.0.2.100\tGET\td111111abcdef8.cloudfront.net\t/index.html\t200\t-\tMozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)%20AppleWebKit/537.36%20(KHTML,%20like%20Gecko)%20Chrome/78.0.3904.108%20Safari/537.36\t-\t-\tHit\tSOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==\td111111abcdef8.cloudfront.net\thttps\t23\t0.001\t-\tTLSv1.2\tECDHE-RSA-AES128-GCM-SHA256\tHit\tHTTP/2.0\t-\t-\t11040\t0.001\tHit\ttext/html\t78\t-\t-"
	cfQuinn   = "2020-12-10\t02:42:28\tIAD89-C3\t335\t3.92.144.159\tHEAD\tdv5b3tnel772.cloudfront.net\t/rss/ecs-us-east-1.rss\t200\t-\tSlackbot%201.0%20(+https://api.slack.com/robots)\t-\t-\tMiss\t2kP01Cgw2cMXMKlogaJwkCt7MVHA8Flxtt_ncRESDd9POQpVWSM64w==\tstop.lying.cloud\thttps\t123\t0.338\t-\tTLSv1.2\tECDHE-RSA-AES128-GCM-SHA256\tMiss\tHTTP/2.0\t-\t-\t61052\t0.000\tMiss\tapplication/rss+xml\t2039\t-\t-"

	// ALB: the Elastic Load Balancing guide's examples (also Vector's
	// parse_aws_alb_log); albNone is made after the guide's field list: a
	// client in IPv6 brackets and no target (-1 times, no target status).
	albHTTP = `http 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.46.0" - - arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337262-36d228ad5d99923122bbe354" "-" "-" 0 2018-07-02T22:22:48.364000Z "forward" "-" "-" "10.0.0.1:80" "200" "-" "-"`
	albH2   = `h2 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 10.0.1.252:48160 10.0.0.66:9000 0.000 0.002 0.000 200 200 5 257 "GET https://10.0.2.105:773/ HTTP/2.0" "curl/7.46.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337327-72bd00b0343d75b906739c42" "-" "-" 1 2018-07-02T22:22:48.364000Z "redirect" "https://example.com:80/" "-" "10.0.0.66:9000" "200" "-" "-"`
	albNone = `https 2018-11-30T22:22:48.364000Z app/my-loadbalancer/50dc6c495c0c9188 [2001:db8::1]:36180 - -1 -1 -1 503 - 0 0 "GET https://www.example.com:443/api/users?id=7 HTTP/1.1" "Mozilla/5.0 (X11; Linux x86_64)" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 - "Root=1-5c01b7d8-1f0d9b8e0d9c9f2e3e1f0a2b" "www.example.com" "arn:aws:acm:us-east-2:123456789012:certificate/12345678-1234-1234-1234-123456789012" 0 2018-11-30T22:22:48.364000Z "forward" "-" "-" "-" "-" "-" "-"`

	// Classic ELB: the Classic Load Balancers guide's examples, and a TCP
	// listener's lines (gist bysnupy/12f5c339...).
	elbHTTP  = `2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.000073 0.001048 0.000057 200 200 0 29 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.38.0" - -`
	elbHTTPS = `2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.000086 0.001048 0.001337 200 200 0 57 "GET https://www.example.com:443/ HTTP/1.1" "curl/7.38.0" DHE-RSA-AES128-SHA TLSv1.2`
	elbTCP   = `2021-04-05T06:34:14.307137Z a17a43204638c41818a7d130503aaaaa 217.178.150.68:35088 10.0.134.187:31790 0.000499 0.000009 0.000013 - - 567 346 "- - - " "-" - -`

	// S3 server access logs: the S3 user guide's example log, and the
	// older line without the trailing fields (npm s3-access-log-parser).
	s3Line  = `79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be amzn-s3-demo-bucket1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be 3E57427F3EXAMPLE REST.GET.VERSIONING - "GET /amzn-s3-demo-bucket1?versioning HTTP/1.1" 200 - 113 - 7 - "-" "S3Console/0.4" - s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader amzn-s3-demo-bucket1.s3.us-west-1.amazonaws.com TLSV1.2 arn:aws:s3:us-west-1:123456789012:accesspoint/example-AP Yes us-east-1`
	s3Older = `79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be mybucket [06/Feb/2014:00:00:38 +0000] 192.0.2.3 79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be 3E57427F3EXAMPLE REST.GET.VERSIONING - "GET /mybucket?versioning HTTP/1.1" 200 - 113 - 7 - "-" "S3Console/0.4" -`

	// HAProxy: the configuration manual's HTTP log example, lines from a
	// syslog file (pastebin jLvbtXnk; cnblogs zhaoyangjian724: a request
	// with no server, -1 timers), and the manual's TCP log example.
	haproxyDoc   = `haproxy[14389]: 10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in static/srv1 10/0/30/69/109 200 2750 - - ---- 1/1/1/1/0 0/0 {1wt.eu} {} "GET /index.html HTTP/1.1"`
	haproxySys   = `Mar 26 11:37:21 localhost haproxy[14836]: 192.168.30.102:36969 [26/Mar/2019:11:37:21.576] localhost web1/web1 0/0/0/1/1 302 196 - - ---- 1/1/0/1/0 0/0 "GET / HTTP/1.1"`
	haproxyNoSrv = `Jun 24 13:05:33 localhost haproxy[14839]: 115.236.160.82:55763 [24/Jun/2016:13:05:33.023] www www/<NOSRV> 116/-1/-1/-1/116 302 116 - - LR-- 0/0/0/0/0 0/0 "HEAD / HTTP/1.1"`
	haproxyTCP   = `haproxy[14387]: 10.0.1.2:33313 [06/Feb/2009:12:12:51.443] fnt bck/srv1 0/0/5007 212 -- 0/0/0/0/3 0/0`

	// Traefik's CLF: a GitLab runner polling through Traefik on
	// Kubernetes (a public test of a log viewer); traefikV1 is made after
	// Traefik 1's documented form (frontend and backend names).
	traefikLine = `10.42.2.19 - - [18/Jun/2026:15:18:46 +0000] "POST /api/v4/jobs/request HTTP/1.1" 204 0 "-" "-" 8086 "websecure-gitlab@kubernetes" "http://10.42.13.162:8181" 2ms`
	traefikV1   = `192.168.1.5 - - [05/Mar/2019:10:11:12 +0000] "GET /dashboard/ HTTP/2.0" 200 7234 "https://traefik.example.com/" "Mozilla/5.0 (X11; Linux x86_64; rv:65.0) Gecko/20100101 Firefox/65.0" 57 "backend-dashboard" "http://10.0.0.7:8080" 104ms`

	// lighttpd's default format (mod_accesslog's documentation), lines
	// made after it.
	lighttpdLine = `192.0.2.7 www.example.com - [17/May/2015:10:05:03 +0000] "GET /index.html HTTP/1.1" 200 4523 "http://www.example.com/" "Mozilla/5.0 (X11; Linux x86_64)"`
	lighttpdPort = `2001:db8::7 files.example.org:8080 alice [17/May/2015:10:05:04 +0200] "GET /pub/a.tar.gz HTTP/1.1" 206 1048576 "-" "Wget/1.21"`

	// Combined behind syslog prefixes, made after the prefixes rsyslog
	// writes for nginx's access_log syslog: (RFC 3164 and
	// RSYSLOG_FileFormat) and RFC 5424's (with escaped structured data).
	syslogNginx   = `Jun 24 13:04:49 web1 nginx: 115.236.160.82 - - [24/Jun/2016:13:04:49 +0800] "GET /admin/api/menu HTTP/1.1" 200 154 "-" "curl/7.29.0"`
	syslogISO     = `2016-06-24T13:04:49.530412+08:00 web1 nginx[812]: 115.236.160.82 - - [24/Jun/2016:13:04:49 +0800] "GET /admin/api/menu HTTP/1.1" 200 154 "-" "curl/7.29.0"`
	syslog5424    = `<190>1 2016-06-24T05:04:49.530Z web1 nginx 812 access [meta sequenceId="1" note="a \] b"] 115.236.160.82 - - [24/Jun/2016:13:04:49 +0800] "GET /admin/api/menu HTTP/1.1" 200 154 "-" "curl/7.29.0"`
	syslogPRI3164 = `<190>Jun 24 13:04:49 nginx: 115.236.160.82 - - [24/Jun/2016:13:04:49 +0800] "GET /admin/api/menu HTTP/1.1" 200 154 "-" "curl/7.29.0"`
)
