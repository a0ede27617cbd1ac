package parse

import (
	"bytes"

	"github.com/logmon/logmon/internal/record"
)

// AWS's access logs: Application and classic Elastic Load Balancers
// (alb, elb) and S3 server access logs (s3). CloudFront's is a W3C log
// (w3c.go).

// alb parses an Application Load Balancer access log line:
//
//	type time elb client:port target:port request_processing_time target_processing_time response_processing_time elb_status_code target_status_code received_bytes sent_bytes "request" "user_agent" ssl_cipher ...
//
// for example
//
//	http 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.46.0" - - arn:aws:...
func (p *Parser) alb(line []byte, r *record.Request) error {
	i := skipSpaces(line, 0)
	end := fieldEnd(line, i, ' ')
	switch string(line[i:end]) {
	case "http", "https", "h2", "grpcs", "ws", "wss":
	default:
		return lineError("want the request type (http, https, h2, grpcs, ws or wss), found", line[i:end])
	}
	i, err := next(line, end, "type", "time")
	if err != nil {
		return err
	}
	return p.elbFields(line, i, r, true)
}

// elb parses a classic Elastic Load Balancer access log line: an alb line
// without the type, for example
//
//	2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.000073 0.001048 0.000057 200 200 0 29 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.38.0" - -
//
// A TCP or SSL listener's line ("- - - " for the request, no status) is
// a connection, not an HTTP request: rejected.
func (p *Parser) elb(line []byte, r *record.Request) error {
	return p.elbFields(line, skipSpaces(line, 0), r, false)
}

// elbFields reads the fields from the time on. The three times are in
// seconds; -1 is a request that got no response (the target or backend
// failed or the client left), which has no duration. The duration is
// their sum, the upstream's time the target's.
func (p *Parser) elbFields(line []byte, i int, r *record.Request, alb bool) error {
	end := fieldEnd(line, i, ' ')
	var ok bool
	if r.Sec, r.Nsec, ok = p.timestamp(line[i:end]); !ok {
		return lineError("bad timestamp", line[i:end])
	}
	i, err := next(line, end, "timestamp", "load balancer")
	if err != nil {
		return err
	}
	if i, err = next(line, fieldEnd(line, i, ' '), "load balancer", "client"); err != nil {
		return err
	}
	end = fieldEnd(line, i, ' ')
	if r.Remote, ok = hostOfAddr(line[i:end]); !ok {
		return lineError("want the client as address:port, found", line[i:end])
	}
	if i, err = next(line, end, "client", "target"); err != nil {
		return err
	}
	end = fieldEnd(line, i, ' ')

	// request_processing_time target_processing_time response_processing_time,
	// each read in nanoseconds and summed exactly: summed as floats,
	// 0.001 + 0.035 + 0.001 was 0.037000000000000005 (a quarter of gen's
	// lines), which also cost the record's encoding strconv's shortest
	// formatting (appendFloat).
	var t [3]int64
	timed := true
	for k := range t {
		if i, err = next(line, end, "times", "processing time"); err != nil {
			return err
		}
		if t[k], end, ok = nanosField(line, i); ok {
			continue // one pass (see uintField)
		}
		end = fieldEnd(line, i, ' ')
		var has bool
		if t[k], has, ok = secondsNanos(line[i:end]); !ok {
			return lineError("bad processing time", line[i:end])
		}
		timed = timed && has
	}
	if timed {
		r.Duration, r.Timed = float64(t[0]+t[1]+t[2])/1e9, true
		r.UpstreamDuration, r.UpstreamTimed = float64(t[1])/1e9, true
	}

	// elb_status_code target_status_code: "-" when there is none.
	if i, err = next(line, end, "processing times", "status"); err != nil {
		return err
	}
	if r.Status, end, ok = statusField(line, i); !ok {
		end = fieldEnd(line, i, ' ')
		if !isDash(line[i:end]) {
			if r.Status, ok = parseStatus(line[i:end]); !ok {
				return lineError("bad status", line[i:end])
			}
		}
	}
	if i, err = next(line, end, "status", "target status"); err != nil {
		return err
	}
	if r.UpstreamStatus, end, ok = statusField(line, i); !ok {
		end = fieldEnd(line, i, ' ')
		if !isDash(line[i:end]) {
			if r.UpstreamStatus, ok = parseStatus(line[i:end]); !ok {
				return lineError("bad target status", line[i:end])
			}
		}
	}

	// received_bytes sent_bytes
	if i, err = next(line, end, "target status", "received bytes"); err != nil {
		return err
	}
	end = fieldEnd(line, i, ' ')
	if i, err = next(line, end, "received bytes", "sent bytes"); err != nil {
		return err
	}
	if r.Bytes, end, ok = uintField(line, i); !ok {
		end = fieldEnd(line, i, ' ')
		if r.Bytes, ok = parseSize(line[i:end]); !ok {
			return lineError("bad size", line[i:end])
		}
	}

	// "request" "user_agent"; the fields after them are skipped.
	if i, err = next(line, end, "sent bytes", "request"); err != nil {
		return err
	}
	if line[i] != '"' {
		return lineError("request is not quoted:", line[i:])
	}
	req, after, ok := p.unquote(line, i)
	if !ok {
		return lineError("unterminated request", line[i:])
	}
	if !alb && r.Status == 0 && string(req) == "- - - " {
		return &LineError{Reason: "a TCP or SSL listener's connection, not an HTTP request"}
	}
	splitRequest(req, r)
	r.VHost = authority(r.Path)
	if i, err = next(line, after, "request", "user agent"); err != nil {
		return err
	}
	if line[i] != '"' {
		return lineError("user agent is not quoted:", line[i:])
	}
	if r.Agent, _, ok = p.unquote(line, i); !ok {
		return lineError("unterminated user agent", line[i:])
	}
	r.Agent = dashNil(r.Agent)
	return nil
}

// s3 parses an S3 server access log line:
//
//	bucket_owner bucket [time] remote_ip requester request_id operation key "request_uri" status error_code bytes_sent object_size total_time turn_around_time "referer" "user_agent" version_id host_id signature_version cipher_suite authentication_type host_header ...
//
// for example
//
//	79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be amzn-s3-demo-bucket1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be 3E57427F3EXAMPLE REST.GET.VERSIONING - "GET /amzn-s3-demo-bucket1?versioning HTTP/1.1" 200 - 113 - 7 - "-" "S3Console/0.4" - s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader amzn-s3-demo-bucket1.s3.us-west-1.amazonaws.com TLSV1.2 ...
//
// The requester is the user; the vhost is the Host header, or the bucket
// in the older lines without one; the total time (milliseconds) is the
// duration.
func (p *Parser) s3(line []byte, r *record.Request) error {
	i := skipSpaces(line, 0)
	end := longFieldEnd(line, i, ' ') // the owner's 64 hex digits: bytes.IndexByte at once
	if line[i] == '[' {
		return lineError("want the bucket owner and the bucket before the timestamp, found", line[i:])
	}
	i, err := next(line, end, "bucket owner", "bucket")
	if err != nil {
		return err
	}
	end = spaceEnd(line, i)
	bucket := line[i:end:end]
	if i, err = next(line, end, "bucket", "timestamp"); err != nil {
		return err
	}
	if line[i] != '[' {
		return lineError("want the timestamp after the bucket owner and the bucket, found", line[i:])
	}
	e := bytes.IndexByte(line[i+1:], ']')
	if e < 0 {
		return lineError("unterminated timestamp", line[i:])
	}
	date := line[i+1 : i+1+e]
	var ok bool
	if r.Sec, r.Nsec, ok = p.timestamp(date); !ok {
		return lineError("bad timestamp", date)
	}
	end = i + 1 + e + 1

	// remote_ip requester request_id operation key, written out: as a
	// loop over their names, with an array of the five, 4 % of s3's parse
	// went to the loop itself.
	if i, err = next(line, end, "timestamp", "remote IP"); err != nil {
		return err
	}
	end = spaceEnd(line, i)
	remote := line[i:end:end]
	if i, err = next(line, end, "remote IP", "requester"); err != nil {
		return err
	}
	end = spaceEnd(line, i)
	user := line[i:end:end]
	if i, err = next(line, end, "requester", "request ID"); err != nil {
		return err
	}
	end = spaceEnd(line, i)
	if i, err = next(line, end, "request ID", "operation"); err != nil {
		return err
	}
	end = spaceEnd(line, i)
	if i, err = next(line, end, "operation", "key"); err != nil {
		return err
	}
	end = spaceEnd(line, i)
	r.Remote, r.User = remote, dashNil(user)

	// "request_uri": "-" when the operation has none, quoted or not.
	if i, err = next(line, end, "key", "request URI"); err != nil {
		return err
	}
	if line[i] == '"' {
		req, after, ok := p.unquote(line, i)
		if !ok {
			return lineError("unterminated request URI", line[i:])
		}
		splitRequest(req, r)
		end = after
	} else {
		end = spaceEnd(line, i)
		splitRequest(line[i:end:end], r)
	}

	// status error_code bytes_sent object_size total_time turn_around_time,
	// each number read in one pass where it is plain (see uintField).
	if i, err = next(line, end, "request URI", "status"); err != nil {
		return err
	}
	if r.Status, end, ok = statusField(line, i); !ok {
		end = spaceEnd(line, i)
		if !isDash(line[i:end]) {
			if r.Status, ok = parseStatus(line[i:end]); !ok {
				return lineError("bad status", line[i:end])
			}
		}
	}
	if i, err = next(line, end, "status", "error code"); err != nil {
		return err
	}
	end = spaceEnd(line, i)
	if i, err = next(line, end, "error code", "bytes sent"); err != nil {
		return err
	}
	if r.Bytes, end, ok = uintField(line, i); !ok {
		end = spaceEnd(line, i)
		if r.Bytes, ok = parseSize(line[i:end]); !ok {
			return lineError("bad size", line[i:end])
		}
	}
	if i, err = next(line, end, "bytes sent", "object size"); err != nil {
		return err
	}
	end = spaceEnd(line, i)
	if i, err = next(line, end, "object size", "total time"); err != nil {
		return err
	}
	if ms, e, plain := uintField(line, i); plain && ms < 1<<53 {
		// loggedSeconds' value (fixedDecimal's, over 1000), in one pass.
		r.Duration, r.Timed, end = float64(ms)/1000, true, e
	} else {
		end = spaceEnd(line, i)
		if !isDash(line[i:end]) {
			if r.Duration, r.Timed, ok = loggedSeconds(line[i:end], 1000); !ok {
				return lineError("bad total time", line[i:end])
			}
		}
	}
	if i, err = next(line, end, "total time", "turn-around time"); err != nil {
		return err
	}
	end = spaceEnd(line, i)

	// "referer" "user_agent"
	if i, err = next(line, end, "turn-around time", "referer"); err != nil {
		return err
	}
	if line[i] != '"' {
		return lineError("referer is not quoted:", line[i:])
	}
	if r.Referer, end, ok = p.unquote(line, i); !ok {
		return lineError("unterminated referer", line[i:])
	}
	r.Referer = dashNil(r.Referer)
	if i, err = next(line, end, "referer", "user agent"); err != nil {
		return err
	}
	if line[i] != '"' {
		return lineError("user agent is not quoted:", line[i:])
	}
	if r.Agent, end, ok = p.unquote(line, i); !ok {
		return lineError("unterminated user agent", line[i:])
	}
	r.Agent = dashNil(r.Agent)

	// version_id host_id signature_version cipher_suite authentication_type host_header:
	// a "-" ends inline, anything else with bytes.IndexByte at once, as
	// these are long (the host ID's 76 bytes, the cipher's and host's 30
	// to 40): fieldEnd's four words of SWAR first made s3's parse 7 %
	// slower (230 ns a line against 215).
	r.VHost = bucket
	for k := 0; k < 6; k++ {
		i = skipSpaces(line, end)
		if i == len(line) || line[i] == '"' {
			return nil // an older line, without the Host header
		}
		if i+1 < len(line) && line[i+1] == ' ' {
			end = i + 1 // "-", as spaceEnd
		} else {
			end = longFieldEnd(line, i, ' ')
		}
	}
	if host := line[i:end:end]; !isDash(host) {
		r.VHost = host
	}
	return nil
}
