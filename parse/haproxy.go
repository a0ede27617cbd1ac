package parse

import (
	"bytes"

	"github.com/logmon/logmon/internal/record"
)

// haproxy parses a line of HAProxy's HTTP log format (option httplog):
//
//	[haproxy[pid]: ]client:port [accept_date] frontend backend/server TR/Tw/Tc/Tr/Ta status bytes_read cookie cookie termination_state actconn/feconn/beconn/srv_conn/retries srv_queue/backend_queue [{request headers}] [{response headers}] "request"
//
// for example
//
//	haproxy[14389]: 10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in static/srv1 10/0/30/69/109 200 2750 - - ---- 1/1/1/1/0 0/0 {1wt.eu} {} "GET /index.html HTTP/1.1"
//
// usually behind a syslog prefix (syslog-haproxy). The accept date has
// no zone: HAProxy writes the local time of its host, taken as UTC. Ta
// (Tt before HAProxy 1.5: the same place), the total time in
// milliseconds, is the duration, Tr (the server's response time) the
// upstream's; -1 is no such time (the request was aborted before). A '+'
// before Ta or the size (option logasap) is dropped. The request is the
// last field, and may lack its closing quote when HAProxy cut a long line
// (at 1024 bytes by default): it then runs to the end of the line. A TCP
// log line (option tcplog: Tw/Tc/Tt, no status, no request) is rejected.
func (p *Parser) haproxy(line []byte, r *record.Request) error {
	i := skipSpaces(line, 0)
	end := fieldEnd(line, i, ' ')
	if tag := line[i:end]; len(tag) > 1 && tag[len(tag)-1] == ':' {
		// The syslog tag, haproxy[pid]:, as the syslog daemon wrote it.
		if i = skipSpaces(line, end); i == len(line) {
			return &LineError{Reason: "missing client"}
		}
		end = fieldEnd(line, i, ' ')
	}
	var ok bool
	if r.Remote, ok = hostOfAddr(line[i:end]); !ok {
		return lineError("want the client as address:port, found", line[i:end])
	}

	// [accept_date]: 06/Feb/2009:12:14:14.655
	i, err := next(line, end, "client", "accept date")
	if err != nil {
		return err
	}
	if line[i] != '[' {
		return lineError("want the accept date after the client, found", line[i:])
	}
	e := bytes.IndexByte(line[i+1:], ']')
	if e < 0 {
		return lineError("unterminated accept date", line[i:])
	}
	date := line[i+1 : i+1+e]
	var buf [40]byte
	if len(date) > len(buf)-6 {
		return lineError("bad accept date", date)
	}
	if r.Sec, r.Nsec, ok = p.timestamp(append(append(buf[:0], date...), " +0000"...)); !ok {
		return lineError("bad accept date", date)
	}
	end = i + 1 + e + 1

	// frontend backend/server
	if i, err = next(line, end, "accept date", "frontend"); err != nil {
		return err
	}
	if i, err = next(line, fieldEnd(line, i, ' '), "frontend", "backend/server"); err != nil {
		return err
	}
	end = fieldEnd(line, i, ' ')
	if bytes.IndexByte(line[i:end], '/') < 0 {
		return lineError("want backend/server, found", line[i:end])
	}

	// TR/Tw/Tc/Tr/Ta
	if i, err = next(line, end, "backend/server", "timers"); err != nil {
		return err
	}
	end = fieldEnd(line, i, ' ')
	// Split on '/' in one pass: bytes.IndexByte per timer cost 15% of
	// the line.
	var t [5][]byte
	n, from := 0, i
	for k := i; k <= end && n < len(t); k++ {
		if k == end || line[k] == '/' {
			t[n] = line[from:k]
			n++
			from = k + 1
		}
	}
	switch {
	case n == 3:
		return &LineError{Reason: "a HAProxy TCP log line (option tcplog), not an HTTP request"}
	case n != 5 || from <= end:
		return lineError("want the timers TR/Tw/Tc/Tr/Ta, found", line[i:end])
	}
	var timed bool
	if r.UpstreamDuration, r.UpstreamTimed, ok = loggedSeconds(t[3], 1000); !ok {
		return lineError("bad Tr", t[3])
	}
	ta := t[4]
	if len(ta) > 0 && ta[0] == '+' {
		ta = ta[1:]
	}
	if r.Duration, timed, ok = loggedSeconds(ta, 1000); !ok {
		return lineError("bad Ta", t[4])
	}
	r.Timed = timed

	// status bytes_read
	if i, err = next(line, end, "timers", "status"); err != nil {
		return err
	}
	end = fieldEnd(line, i, ' ')
	if s := line[i:end]; string(s) != "-1" {
		if r.Status, ok = parseStatus(s); !ok {
			return lineError("bad status", s)
		}
	}
	if i, err = next(line, end, "status", "size"); err != nil {
		return err
	}
	end = fieldEnd(line, i, ' ')
	size := line[i:end]
	if len(size) > 1 && size[0] == '+' {
		size = size[1:]
	}
	if r.Bytes, ok = parseSize(size); !ok {
		return lineError("bad size", line[i:end])
	}

	// Skip the cookies, the states and counters and the captured headers
	// (in braces: they may hold spaces) up to the quoted request.
	for i = skipSpaces(line, end); ; i = skipSpaces(line, i) {
		if i == len(line) {
			return &LineError{Reason: "missing request"}
		}
		switch line[i] {
		case '"':
			req, _, ok := p.unquote(line, i)
			if !ok {
				req = line[i+1:] // cut by HAProxy's line length
			}
			splitRequest(req, r)
			return nil
		case '{':
			e := bytes.IndexByte(line[i:], '}')
			if e < 0 {
				return lineError("unterminated captured headers", line[i:])
			}
			i += e + 1
		default:
			i = fieldEnd(line, i, ' ')
		}
	}
}
