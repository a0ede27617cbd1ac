package parse

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/logmon/logmon/internal/record"
)

// sameTraffic is one request, realKibana's, written in every format, for
// the speed and allocation checks: headers (consumed once) and the line.
var sameTraffic = []struct {
	format  string
	headers []string
	line    string
}{
	{"combined", nil, realKibana},
	{"w3c", []string{iisSoftware, iisVersion, "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status sc-bytes time-taken"},
		"2015-05-17 10:05:03 10.0.0.1 GET /presentations/logstash-monitorama-2013/images/kibana-search.png - 80 - 83.149.9.216 Mozilla/5.0+(Macintosh;+Intel+Mac+OS+X+10_9_1)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/32.0.1700.77+Safari/537.36 http://semicomplete.com/presentations/logstash-monitorama-2013/ 200 0 0 203023 31"},
	{"cloudfront", []string{cfVersion, cfFields},
		"2015-05-17\t10:05:03\tLAX1\t203023\t83.149.9.216\tGET\td111111abcdef8.cloudfront.net\t/presentations/logstash-monitorama-2013/images/kibana-search.png\t200\thttp://semicomplete.com/presentations/logstash-monitorama-2013/\tMozilla/5.0%20(Macintosh;%20Intel%20Mac%20OS%20X%2010_9_1)%20AppleWebKit/537.36%20(KHTML,%20like%20Gecko)%20Chrome/32.0.1700.77%20Safari/537.36\t-\t-\tHit\tSOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==\tsemicomplete.com\thttps\t23\t0.031\t-\tTLSv1.2\tECDHE-RSA-AES128-GCM-SHA256\tHit\tHTTP/1.1\t-\t-\t11040\t0.001\tHit\timage/png\t203023\t-\t-"},
	{"alb", nil, `http 2015-05-17T10:05:03.000000Z app/my-loadbalancer/50dc6c495c0c9188 83.149.9.216:2817 10.0.0.1:80 0.000 0.031 0.000 200 200 34 203023 "GET http://semicomplete.com:80/presentations/logstash-monitorama-2013/images/kibana-search.png HTTP/1.1" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36" - - arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337262-36d228ad5d99923122bbe354" "-" "-" 0 2015-05-17T10:05:02.969000Z "forward" "-" "-" "10.0.0.1:80" "200" "-" "-"`},
	{"elb", nil, `2015-05-17T10:05:03.000000Z my-loadbalancer 83.149.9.216:2817 10.0.0.1:80 0.000 0.031 0.000 200 200 0 203023 "GET http://semicomplete.com:80/presentations/logstash-monitorama-2013/images/kibana-search.png HTTP/1.1" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36" - -`},
	{"s3", nil, `79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be semicomplete [17/May/2015:10:05:03 +0000] 83.149.9.216 - 3E57427F3EXAMPLE REST.GET.OBJECT presentations/logstash-monitorama-2013/images/kibana-search.png "GET /presentations/logstash-monitorama-2013/images/kibana-search.png HTTP/1.1" 200 - 203023 203023 31 30 "http://semicomplete.com/presentations/logstash-monitorama-2013/" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36" - s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader semicomplete.s3.us-west-1.amazonaws.com TLSV1.2 - - us-east-1`},
	{"haproxy", nil, `haproxy[14389]: 83.149.9.216:33317 [17/May/2015:10:05:03.000] http-in static/srv1 0/0/1/30/31 200 203023 - - ---- 1/1/1/1/0 0/0 {semicomplete.com} {} "GET /presentations/logstash-monitorama-2013/images/kibana-search.png HTTP/1.1"`},
	{"traefik", nil, realKibana + ` 4211 "semicomplete@docker" "http://10.0.0.1:80" 31ms`},
	{"lighttpd", nil, strings.Replace(realKibana, " - - ", " semicomplete.com - ", 1)},
	{"syslog-combined", nil, `May 17 10:05:03 web1 nginx: ` + realKibana},
	{"syslog-haproxy", nil, `May 17 10:05:03 localhost haproxy[14389]: 83.149.9.216:33317 [17/May/2015:10:05:03.000] http-in static/srv1 0/0/1/30/31 200 203023 - - ---- 1/1/1/1/0 0/0 "GET /presentations/logstash-monitorama-2013/images/kibana-search.png HTTP/1.1"`},
}

// sameTrafficParser returns a parser of format with its headers read.
func sameTrafficParser(t testing.TB, format string, headers []string) *Parser {
	t.Helper()
	f, err := Lookup(format)
	if err != nil {
		t.Fatal(err)
	}
	p := f.NewStream().NewParser()
	p.Keep = false // as parse does line by line; with Keep the caller Resets per batch
	var r record.Request
	for _, h := range headers {
		p.Line([]byte(h), &r)
	}
	return p
}

// TestSameTraffic: every format reads the request as Combined does, give
// or take what the format adds or lacks.
func TestSameTraffic(t *testing.T) {
	for _, tc := range sameTraffic {
		p := sameTrafficParser(t, tc.format, tc.headers)
		var r record.Request
		if err := p.Line([]byte(tc.line), &r); err != nil {
			t.Errorf("%s: %v", tc.format, err)
			continue
		}
		if r.Sec != 1431857103 || string(r.Remote) != "83.149.9.216" || r.Status != 200 || r.Bytes != 203023 || string(r.Section) != "/presentations" {
			t.Errorf("%s: got %s", tc.format, r.AppendJSON(nil))
		}
		if tc.format != "combined" && tc.format != "lighttpd" && tc.format != "syslog-combined" && (!r.Timed || math.Abs(r.Duration-0.031) > 1e-12) {
			t.Errorf("%s: duration %v (timed %v), want 0.031", tc.format, r.Duration, r.Timed)
		}
	}
}

// TestTextNoAlloc: the hot path allocates nothing per line, for every
// format.
func TestTextNoAlloc(t *testing.T) {
	for _, tc := range sameTraffic {
		p := sameTrafficParser(t, tc.format, tc.headers)
		var r record.Request
		buf := []byte(tc.line)
		allocs := testing.AllocsPerRun(100, func() {
			if err := p.Line(buf, &r); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("%s: Line allocates %v times a line, want 0", tc.format, allocs)
		}
	}
}

// BenchmarkTextFormats parses the same request in every format: compare
// each with combined (the bound: 1.3x).
func BenchmarkTextFormats(b *testing.B) {
	for _, tc := range sameTraffic {
		b.Run(tc.format, func(b *testing.B) {
			p := sameTrafficParser(b, tc.format, tc.headers)
			var r record.Request
			buf := []byte(tc.line)
			b.SetBytes(int64(len(buf)))
			b.ReportAllocs()
			for b.Loop() {
				if err := p.Line(buf, &r); err != nil {
					b.Fatal(err)
				}
			}
			if r.Status != 200 {
				b.Fatalf("status %d", r.Status)
			}
		})
	}
}

// TestFixedDecimal: fixedDecimal reads what strconv.ParseFloat reads, to
// the bit, and refuses what is no unsigned decimal.
func TestFixedDecimal(t *testing.T) {
	for _, s := range []string{"0", "0.000", "0.001", "0.000073", "1.5", "123", "0.338", "12.345678901234", "999999999999999", "0.1234567890123456789", "12345678901234567890"} {
		got, ok := fixedDecimal([]byte(s))
		want, err := strconv.ParseFloat(s, 64)
		if !ok || err != nil || got != want {
			t.Errorf("fixedDecimal(%q) = %v, %v; strconv: %v", s, got, ok, want)
		}
	}
	for _, s := range []string{"", ".", ".5", "5.", "1.2.3", "-1", "+1", "1e3", "0x10", " 1"} {
		if v, ok := fixedDecimal([]byte(s)); ok {
			t.Errorf("fixedDecimal(%q) = %v, want refused", s, v)
		}
	}
}

// TestSecondsNanos: a time in seconds read in nanoseconds, in one pass
// (nanosField, in a line) and the general way (secondsNanos, a field),
// exactly where there are at most nine decimals; -1 as no time; and what
// each refuses.
func TestSecondsNanos(t *testing.T) {
	for s, want := range map[string]int64{
		"0.000": 0, "0.001": 1e6, "0.000073": 73e3, "0.035": 35e6, "1.5": 15e8,
		"0.123456789": 123456789, "999999999.999999999": 999999999999999999, "12.000073": 12000073e3,
	} {
		if got, end, ok := nanosField([]byte(s+" x"), 0); !ok || got != want || end != len(s) {
			t.Errorf("nanosField(%q) = %d, %d, %v; want %d, %d", s, got, end, ok, want, len(s))
		}
		if got, timed, ok := secondsNanos([]byte(s)); !ok || !timed || got != want {
			t.Errorf("secondsNanos(%q) = %d, %v, %v; want %d", s, got, timed, ok, want)
		}
	}
	// The general way only: no fraction, or more than nine decimals.
	for s, want := range map[string]int64{"0": 0, "12": 12e9, "0.0000000015": 2, "1.1234567894": 1123456789} {
		if got, _, ok := nanosField([]byte(s), 0); ok {
			t.Errorf("nanosField(%q) = %d, want refused", s, got)
		}
		if got, timed, ok := secondsNanos([]byte(s)); !ok || !timed || got != want {
			t.Errorf("secondsNanos(%q) = %d, %v, %v; want %d", s, got, timed, ok, want)
		}
	}
	// -1, AWS's "no response": no time, read the general way only.
	if v, _, ok := nanosField([]byte("-1"), 0); ok {
		t.Errorf("nanosField(-1) = %d, want refused", v)
	}
	if v, timed, ok := secondsNanos([]byte("-1")); !ok || timed {
		t.Errorf("secondsNanos(-1) = %d, %v, %v; want no time", v, timed, ok)
	}
	for _, s := range []string{"", "-2", "1e3", ".5", "5.", "1000000000", "1000000000.5", "0.5x"} {
		if v, _, ok := nanosField([]byte(s), 0); ok {
			t.Errorf("nanosField(%q) = %d, want refused", s, v)
		}
		if v, _, ok := secondsNanos([]byte(s)); ok {
			t.Errorf("secondsNanos(%q) = %d, want refused", s, v)
		}
	}
}

// TestFieldEnd checks fieldEnd against bytes.IndexByte at every start
// and length, with the separator anywhere or nowhere.
func TestFieldEnd(t *testing.T) {
	line := []byte(strings.Repeat("abcdefgh\x80\xff ", 9))
	for n := 0; n <= len(line); n++ {
		for i := 0; i <= n; i++ {
			for _, sep := range []byte{' ', '\t', '"', 'h', 0xff} {
				want := n
				if k := strings.IndexByte(string(line[i:n]), sep); k >= 0 {
					want = i + k
				}
				if got := fieldEnd(line[:n], i, sep); got != want {
					t.Fatalf("fieldEnd(%q, %d, %q) = %d, want %d", line[:n], i, sep, got, want)
				}
			}
		}
	}
}
