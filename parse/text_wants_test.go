package parse

// What the lines of textCases give (see TestTextFormats).
var textWants = map[string][]string{
	"w3c iis10": {
		`header: a W3C directive`,
		`header: a W3C directive`,
		`header: a W3C directive`,
		`header: a W3C directive`,
		`{"type":"request","time":"2022-01-22T00:00:01Z","remote":"172.69.69.207","user":"diegorebana3333@example.com","method":"POST","path":"/member/TrafficSchoolLessonTrack.ashx?pid=2173020&lid=125452789&ls=0&cs=45452&st=637783764992503700","section":"/member","status":200,"bytes":0,"referer":"https://member.getdefensive.com/member/TrafficSchoolLesson.aspx?id=125452789","agent":"Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/97.0.4692.99+Safari/537.36","duration":0.031}`,
		`{"type":"request","time":"2022-01-22T00:00:01Z","remote":"172.69.69.207","method":"POST","path":"/member/TrafficSchoolLessonTrack.ashx?pid=2173304&lid=125470842&ls=0&cs=27538&st=637781801140015900","section":"/member","status":200,"bytes":0,"referer":"https://member.getdefensive.com/member/TrafficSchoolLesson.aspx?id=125470842","agent":"Mozilla/5.0+(Macintosh;+Intel+Mac+OS+X+10_15_7)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/97.0.4692.71+Safari/537.36","duration":0.031}`,
	},
	"w3c iis7 bytes": {
		`header: a W3C directive`,
		`{"type":"request","time":"2008-12-08T09:36:59Z","remote":"80.190.178.106","method":"GET","path":"/livecust.aspx","section":"/livecust.aspx","status":500,"bytes":4784,"agent":"Mozilla/4.0+(compatible;+MSIE+7.0;+Windows+NT+6.0;+WOW64;+SLCC1;+.NET+CLR+2.0.50727;+.NET+CLR+3.5.30729;+.NET+CLR+3.0.30618)","duration":0.063}`,
	},
	"w3c draft date": {
		`header: a W3C directive`,
		`header: a W3C directive`,
		`header: a W3C directive`,
		`{"type":"request","time":"1996-01-12T00:34:23Z","method":"GET","path":"/foo/bar.html","section":"/foo","bytes":0}`,
	},
	"w3c fields change": {
		`header: a W3C directive`,
		`{"type":"request","time":"2022-01-22T00:00:01Z","remote":"172.69.69.207","user":"diegorebana3333@example.com","method":"POST","path":"/member/TrafficSchoolLessonTrack.ashx?pid=2173020&lid=125452789&ls=0&cs=45452&st=637783764992503700","section":"/member","status":200,"bytes":0,"referer":"https://member.getdefensive.com/member/TrafficSchoolLesson.aspx?id=125452789","agent":"Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/97.0.4692.99+Safari/537.36","duration":0.031}`,
		`header: a W3C directive`,
		`error: no date and time (no date, time or #Date:) in "00:34:23 GET /x"`,
		`error: want 3 fields (as #Fields: says), found 15 in "2022-01-22 00:00:01 10.142.0.2 POST /mem"...`,
	},
	"w3c bad": {
		`error: a W3C line before any #Fields: directive, which names its fields: "2022-01-22 00:00:01 10.142.0.2 POST /mem"...`,
		`header: a W3C directive`,
		`error: want 15 fields (as #Fields: says), found 14 in "2022-01-22 00:00:01 10.142.0.2 POST /a -"...`,
		`error: bad date and time "2022-01-22" "24:00:01"`,
		`error: bad status "2000"`,
		`error: bad time-taken "3.x"`,
		`header: a W3C directive`,
		`error: no date and time (no date, time or #Date:) in "GET /a"`,
		`error: want 2 fields (as #Fields: says), found 16 in "127.0.0.1 - frank [10/Oct/2000:13:55:36 "...`,
	},
	"cloudfront": {
		`header: a W3C directive`,
		`header: a W3C directive`,
		`{"type":"request","time":"2019-12-04T21:02:31Z","vhost":"d111111abcdef8.cloudfront.net","remote":"192.0.2.100","method":"GET","path":"/index.html","section":"/index.html","protocol":"HTTP/2.0","status":200,"bytes":392,"agent":"Mozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)%20AppleWebKit/537.36%20(KHTML,%20like%20Gecko)%20Chrome/78.0.3904.108%20Safari/537.36","duration":0.001}`,
		`{"type":"request","time":"2020-12-10T02:42:28Z","vhost":"stop.lying.cloud","remote":"3.92.144.159","method":"HEAD","path":"/rss/ecs-us-east-1.rss","section":"/rss","protocol":"HTTP/2.0","status":200,"bytes":335,"agent":"Slackbot%201.0%20(+https://api.slack.com/robots)","duration":0.338}`,
	},
	"w3c reads cloudfront": {
		`header: a W3C directive`,
		`header: a W3C directive`,
		`{"type":"request","time":"2020-12-10T02:42:28Z","vhost":"stop.lying.cloud","remote":"3.92.144.159","method":"HEAD","path":"/rss/ecs-us-east-1.rss","section":"/rss","protocol":"HTTP/2.0","status":200,"bytes":335,"agent":"Slackbot%201.0%20(+https://api.slack.com/robots)","duration":0.338}`,
	},
	"cloudfront headerless": {
		`{"type":"request","time":"2019-12-04T21:02:31Z","vhost":"d111111abcdef8.cloudfront.net","remote":"192.0.2.100","method":"GET","path":"/index.html","section":"/index.html","protocol":"HTTP/2.0","status":200,"bytes":392,"agent":"Mozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)%20AppleWebKit/537.36%20(KHTML,%20like%20Gecko)%20Chrome/78.0.3904.108%20Safari/537.36","duration":0.001}`,
		`{"type":"request","time":"2019-12-04T21:02:31Z","vhost":"d111111abcdef8.cloudfront.net","remote":"192.0.2.100","method":"GET","path":"/index.html","section":"/index.html","bytes":392,"duration":0.001}`,
		`error: want at least 19 tab-separated fields (CloudFront's), found 4 in "2019-12-04\t21:02:31\tLAX1\t392"`,
	},
	"alb": {
		`{"type":"request","time":"2018-07-02T22:23:00.186641Z","vhost":"www.example.com:80","remote":"192.168.131.39","method":"GET","path":"http://www.example.com:80/","section":"/","protocol":"HTTP/1.1","status":200,"bytes":366,"agent":"curl/7.46.0","duration":0.001,"upstream_status":200,"upstream_duration":0.001}`,
		`{"type":"request","time":"2018-07-02T22:23:00.186641Z","vhost":"10.0.2.105:773","remote":"10.0.1.252","method":"GET","path":"https://10.0.2.105:773/","section":"/","protocol":"HTTP/2.0","status":200,"bytes":257,"agent":"curl/7.46.0","duration":0.002,"upstream_status":200,"upstream_duration":0.002}`,
		`{"type":"request","time":"2018-11-30T22:22:48.364Z","vhost":"www.example.com:443","remote":"2001:db8::1","method":"GET","path":"https://www.example.com:443/api/users?id=7","section":"/api","protocol":"HTTP/1.1","status":503,"bytes":0,"agent":"Mozilla/5.0 (X11; Linux x86_64)"}`,
		`error: want the request type (http, https, h2, grpcs, ws or wss), found "2015-05-13T23:39:43.945958Z"`,
		`error: bad processing time "x"`,
	},
	"elb": {
		`{"type":"request","time":"2015-05-13T23:39:43.945958Z","vhost":"www.example.com:80","remote":"192.168.131.39","method":"GET","path":"http://www.example.com:80/","section":"/","protocol":"HTTP/1.1","status":200,"bytes":29,"agent":"curl/7.38.0","duration":0.001178,"upstream_status":200,"upstream_duration":0.001048}`,
		`{"type":"request","time":"2015-05-13T23:39:43.945958Z","vhost":"www.example.com:443","remote":"192.168.131.39","method":"GET","path":"https://www.example.com:443/","section":"/","protocol":"HTTP/1.1","status":200,"bytes":57,"agent":"curl/7.38.0","duration":0.002471,"upstream_status":200,"upstream_duration":0.001048}`,
		`error: a TCP or SSL listener's connection, not an HTTP request`,
		`error: bad timestamp "http"`,
		`error: want the client as address:port, found "192.168.131.39"`,
	},
	"s3": {
		`{"type":"request","time":"2019-02-06T00:00:38Z","vhost":"amzn-s3-demo-bucket1.s3.us-west-1.amazonaws.com","remote":"192.0.2.3","user":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be","method":"GET","path":"/amzn-s3-demo-bucket1?versioning","section":"/amzn-s3-demo-bucket1","protocol":"HTTP/1.1","status":200,"bytes":113,"agent":"S3Console/0.4","duration":0.007}`,
		`{"type":"request","time":"2014-02-06T00:00:38Z","vhost":"mybucket","remote":"192.0.2.3","user":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be","method":"GET","path":"/mybucket?versioning","section":"/mybucket","protocol":"HTTP/1.1","status":200,"bytes":113,"agent":"S3Console/0.4","duration":0.007}`,
		`error: want the timestamp after the bucket owner and the bucket, found "frank [10/Oct/2000:13:55:36 -0700] \"GET "...`,
		`error: bad total time "x"`,
	},
	"haproxy": {
		`{"type":"request","time":"2009-02-06T12:14:14.655Z","remote":"10.0.1.2","method":"GET","path":"/index.html","section":"/index.html","protocol":"HTTP/1.1","status":200,"bytes":2750,"duration":0.109,"upstream_duration":0.069}`,
		`error: a HAProxy TCP log line (option tcplog), not an HTTP request`,
		`error: want the client as address:port, found "Mar"`,
		`{"type":"request","time":"2009-02-06T12:14:14.655Z","remote":"10.0.1.2","method":"GET","path":"/index.html?q=a&b=c&d=e","section":"/index.html","status":200,"bytes":2750,"duration":0.109,"upstream_duration":0.069}`,
	},
	"syslog-haproxy": {
		`{"type":"request","time":"2019-03-26T11:37:21.576Z","remote":"192.168.30.102","method":"GET","path":"/","section":"/","protocol":"HTTP/1.1","status":302,"bytes":196,"duration":0.001,"upstream_duration":0.001}`,
		`{"type":"request","time":"2016-06-24T13:05:33.023Z","remote":"115.236.160.82","method":"HEAD","path":"/","section":"/","protocol":"HTTP/1.1","status":302,"bytes":116,"duration":0.116}`,
		`error: no syslog prefix (<PRI>, or a timestamp, host and tag)`,
	},
	"traefik": {
		`{"type":"request","time":"2026-06-18T15:18:46Z","remote":"10.42.2.19","method":"POST","path":"/api/v4/jobs/request","section":"/api","protocol":"HTTP/1.1","status":204,"bytes":0,"duration":0.002}`,
		`{"type":"request","time":"2019-03-05T10:11:12Z","remote":"192.168.1.5","method":"GET","path":"/dashboard/","section":"/dashboard","protocol":"HTTP/2.0","status":200,"bytes":7234,"referer":"https://traefik.example.com/","agent":"Mozilla/5.0 (X11; Linux x86_64; rv:65.0) Gecko/20100101 Firefox/65.0","duration":0.104}`,
		`error: want the duration in ms at the end of the line, found ";Nav)\""`,
		`{"type":"request","time":"2015-05-17T10:05:03Z","remote":"83.149.9.216","method":"GET","path":"/presentations/logstash-monitorama-2013/images/kibana-search.png","section":"/presentations","protocol":"HTTP/1.1","status":200,"bytes":203023,"referer":"http://semicomplete.com/presentations/logstash-monitorama-2013/","agent":"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36","duration":0.0035}`,
	},
	"lighttpd": {
		`{"type":"request","time":"2015-05-17T10:05:03Z","vhost":"www.example.com","remote":"192.0.2.7","method":"GET","path":"/index.html","section":"/index.html","protocol":"HTTP/1.1","status":200,"bytes":4523,"referer":"http://www.example.com/","agent":"Mozilla/5.0 (X11; Linux x86_64)"}`,
		`{"type":"request","time":"2015-05-17T08:05:04Z","vhost":"files.example.org:8080","remote":"2001:db8::7","user":"alice","method":"GET","path":"/pub/a.tar.gz","section":"/pub","protocol":"HTTP/1.1","status":206,"bytes":1048576,"agent":"Wget/1.21"}`,
		`{"type":"request","time":"2000-10-10T20:55:36Z","remote":"127.0.0.1","user":"frank","method":"GET","path":"/apache_pb.gif","section":"/apache_pb.gif","protocol":"HTTP/1.0","status":200,"bytes":2326,"referer":"http://www.example.com/start.html","agent":"Mozilla/4.08 [en] (Win98; I ;Nav)"}`,
		`error: want 3 fields before the timestamp (client, host, user), found 4 in "www.example.com:443 2001:db8::1 - - [200"...`,
	},
	"syslog-combined": {
		`{"type":"request","time":"2016-06-24T05:04:49Z","remote":"115.236.160.82","method":"GET","path":"/admin/api/menu","section":"/admin","protocol":"HTTP/1.1","status":200,"bytes":154,"agent":"curl/7.29.0"}`,
		`{"type":"request","time":"2016-06-24T05:04:49Z","remote":"115.236.160.82","method":"GET","path":"/admin/api/menu","section":"/admin","protocol":"HTTP/1.1","status":200,"bytes":154,"agent":"curl/7.29.0"}`,
		`{"type":"request","time":"2016-06-24T05:04:49Z","remote":"115.236.160.82","method":"GET","path":"/admin/api/menu","section":"/admin","protocol":"HTTP/1.1","status":200,"bytes":154,"agent":"curl/7.29.0"}`,
		`{"type":"request","time":"2016-06-24T05:04:49Z","remote":"115.236.160.82","method":"GET","path":"/admin/api/menu","section":"/admin","protocol":"HTTP/1.1","status":200,"bytes":154,"agent":"curl/7.29.0"}`,
		`error: no syslog prefix (<PRI>, or a timestamp, host and tag)`,
		`error: unterminated structured data "[unterminated"`,
		`error: nothing after the syslog prefix`,
	},
}
