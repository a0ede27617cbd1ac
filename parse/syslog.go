package parse

import (
	"github.com/logmon/logmon/internal/record"
)

// Access logs sent through syslog (nginx's access_log syslog:, HAProxy's
// log, Apache piped to logger) come to a file behind the syslog daemon's
// prefix. syslog-NAME strips it and reads the rest as NAME:
//
//	<PRI>                                                optional, as on the wire
//	May 17 10:05:03 host tag[pid]: MESSAGE               RFC 3164 (the host and the tag each optional)
//	2015-05-17T10:05:03.123456+02:00 host tag[pid]: MESSAGE  rsyslog's RSYSLOG_FileFormat
//	<PRI>1 2015-05-17T10:05:03Z host app procid msgid [sd] MESSAGE  RFC 5424 (- for any field, [sd] one or more elements or -)
//
// The syslog timestamp is only checked for its shape: the access log's
// own time is the request's.

// syslogFormats are the syslog-NAME variants of the text formats, in the
// order of named.
var syslogFormats []*Format

// autoOrder is the order auto tries the formats in: the named ones, then
// the syslog variants (a syslog prefix is no line of any named format).
var autoOrder []*Format

func init() {
	for _, f := range named {
		if !f.text {
			continue
		}
		syslogFormats = append(syslogFormats, &Format{
			Name:   "syslog-" + f.Name,
			inner:  f,
			alias:  f.alias,
			line:   behindSyslog(f.line),
			detect: behindSyslog(f.detect),
		})
	}
	autoOrder = append(append(autoOrder, named...), syslogFormats...)
}

// behindSyslog returns parse applied to the message behind a line's
// syslog prefix; nil for nil.
func behindSyslog(parse lineFunc) lineFunc {
	if parse == nil {
		return nil
	}
	return func(p *Parser, line []byte, r *record.Request) error {
		msg, err := syslogMessage(line)
		if err != nil {
			return err
		}
		return parse(p, msg, r)
	}
}

// errNoSyslog is a line without a syslog prefix.
var errNoSyslog = &LineError{Reason: "no syslog prefix (<PRI>, or a timestamp, host and tag)"}

// syslogMessage returns the message behind the syslog prefix of line (see
// above); it is not empty or blank.
func syslogMessage(line []byte) ([]byte, *LineError) {
	i, pri := 0, false
	if line[0] == '<' {
		j := 1
		for j < len(line) && j <= 3 && isDigit(line[j]) {
			j++
		}
		if j == 1 || !at(line, j, '>') {
			return nil, errNoSyslog
		}
		i, pri = j+1, true
		if at(line, i, '1') && at(line, i+1, ' ') {
			return rfc5424Message(line, i+2)
		}
	}
	switch {
	case isBSDStamp(line[i:]):
		i += len("May 17 10:05:03")
	case at(line, i+4, '-'):
		e := tokenEnd(line, i)
		if _, _, ok := parseTimestamp(line[i:e]); !ok {
			return nil, lineError("bad syslog timestamp", line[i:e])
		}
		i = e
	case pri:
		return nil, lineError("want a timestamp after the syslog <PRI>, found", line[i:])
	default:
		return nil, errNoSyslog
	}
	// [host] [tag:] message
	i = skipSpaces(line, i)
	e := tokenEnd(line, i)
	if !endsInColon(line[i:e]) {
		j := skipSpaces(line, e)
		if e = tokenEnd(line, j); endsInColon(line[j:e]) {
			i = e
		} else {
			i = j
		}
	} else {
		i = e
	}
	return syslogRest(line, i)
}

// rfc5424Message returns the message of an RFC 5424 line from its
// timestamp, at i: TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD [MSG].
func rfc5424Message(line []byte, i int) ([]byte, *LineError) {
	e := tokenEnd(line, i)
	if !isDash(line[i:e]) {
		if _, _, ok := parseTimestamp(line[i:e]); !ok {
			return nil, lineError("bad syslog timestamp", line[i:e])
		}
	}
	for k := 0; k < 4; k++ { // HOSTNAME APP-NAME PROCID MSGID
		if !at(line, e, ' ') || e+1 == len(line) || line[e+1] == ' ' {
			return nil, lineError("want the host, app, procid and msgid of RFC 5424 syslog, found", line[e:])
		}
		e = tokenEnd(line, e+1)
	}
	if e == len(line) {
		return nil, &LineError{Reason: "missing structured data of RFC 5424 syslog"}
	}
	i = e + 1
	switch {
	case at(line, i, '-'):
		i++
	case at(line, i, '['):
		// SD-ELEMENTs: [id param="value" ...], a value escaping ] " \ with \.
		for at(line, i, '[') {
			j := i + 1
			for j < len(line) && line[j] != ']' {
				if line[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(line) {
				return nil, lineError("unterminated structured data", line[i:])
			}
			i = j + 1
		}
	default:
		return nil, lineError("want the structured data of RFC 5424 syslog, found", line[i:])
	}
	if i < len(line) && line[i] != ' ' {
		return nil, lineError("want a space after the structured data, found", line[i:])
	}
	i = skipSpaces(line, i)
	if len(line)-i >= 3 && line[i] == 0xEF && line[i+1] == 0xBB && line[i+2] == 0xBF {
		i += 3 // the message's UTF-8 BOM
	}
	return syslogRest(line, i)
}

// syslogRest returns the message from i, which must hold something.
func syslogRest(line []byte, i int) ([]byte, *LineError) {
	i = skipSpaces(line, i)
	if i == len(line) {
		return nil, &LineError{Reason: "nothing after the syslog prefix"}
	}
	return line[i:], nil
}

// isBSDStamp reports whether b starts with an RFC 3164 timestamp and a
// space: "May 17 10:05:03 " or "May  7 10:05:03 ".
func isBSDStamp(b []byte) bool {
	const n = len("May 17 10:05:03")
	if len(b) <= n || b[n] != ' ' || month(b[:3]) == 0 || b[3] != ' ' || b[6] != ' ' {
		return false
	}
	if !(b[4] == ' ' || isDigit(b[4])) || !isDigit(b[5]) {
		return false
	}
	c := b[7:n]
	return isDigit(c[0]) && isDigit(c[1]) && c[2] == ':' && isDigit(c[3]) && isDigit(c[4]) && c[5] == ':' && isDigit(c[6]) && isDigit(c[7])
}

// endsInColon reports whether a token is a syslog tag, "nginx:" or
// "haproxy[123]:".
func endsInColon(tok []byte) bool { return len(tok) > 1 && tok[len(tok)-1] == ':' }
