package parse

import (
	"github.com/logmon/logmon/internal/record"
)

// lighttpd parses lighttpd's default access log format,
//
//	%h %V %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"
//
// Combined with the virtual host (%V) where Combined has the ident:
//
//	192.0.2.7 www.example.com - [17/May/2015:10:05:03 +0000] "GET /index.html HTTP/1.1" 200 4523 "-" "Mozilla/5.0"
//
// combined would read it too and drop the host as the ident, so auto
// tries lighttpd first, by lighttpdDetect.
func (p *Parser) lighttpd(line []byte, r *record.Request) error {
	if err := p.clf(line, r); err != nil {
		return err
	}
	if r.VHost != nil {
		return lineError("want 3 fields before the timestamp (client, host, user), found 4 in", line)
	}
	i := skipSpaces(line, tokenEnd(line, skipSpaces(line, 0)))
	r.VHost = dashNil(line[i:tokenEnd(line, i):tokenEnd(line, i)])
	return nil
}

// lighttpdDetect is lighttpd for auto, which takes a line as lighttpd's
// only when its second field looks like a host: letters, digits, '-',
// '_', '.', ':', '[' and ']' with at least one '.' or ':' in it (a domain
// name, an address, host:port). The ident of a Combined line is "-"
// nearly always, and an identd's answer is a user name, without a dot;
// a lighttpd host without a dot ("localhost") is read as Combined, its
// host dropped.
func (p *Parser) lighttpdDetect(line []byte, r *record.Request) error {
	if err := p.lighttpd(line, r); err != nil {
		return err
	}
	if !hostLike(r.VHost) {
		i := skipSpaces(line, tokenEnd(line, skipSpaces(line, 0)))
		return lineError("the second field is no host name:", line[i:tokenEnd(line, i)])
	}
	return nil
}

// hostLike reports whether b looks like a host name, an address or
// host:port (see lighttpdDetect).
func hostLike(b []byte) bool {
	dot := false
	for _, c := range b {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_', c == '[', c == ']':
		case c == '.', c == ':':
			dot = true
		default:
			return false
		}
	}
	return dot
}
