package parse

import (
	"bytes"

	"github.com/logmon/logmon/internal/record"
)

// traefik parses a line of Traefik's text access log, its Common Log
// Format: Combined followed by the requests received since Traefik
// started, the router's name (the frontend's, before Traefik 2), the
// server's URL and the duration in milliseconds:
//
//	192.168.1.10 - - [10/Oct/2023:13:55:36 +0000] "GET /api/v1/users HTTP/1.1" 200 1534 "-" "curl/8.1.2" 4211 "api-router@docker" "http://172.17.0.3:8080" 12ms
//
// The Combined part is read as combined reads it (a status "-" is none);
// the tail is read from the end of the line.
func (p *Parser) traefik(line []byte, r *record.Request) error {
	end := len(line)
	for end > 0 && line[end-1] == ' ' {
		end--
	}
	// <duration>ms
	sp := bytes.LastIndexByte(line[:end], ' ')
	d := line[sp+1 : end]
	if sp < 0 || len(d) < 3 || string(d[len(d)-2:]) != "ms" {
		return lineError("want the duration in ms at the end of the line, found", d)
	}
	dur, timed, ok := loggedSeconds(d[:len(d)-2], 1000)
	if !ok || !timed {
		return lineError("bad duration", d)
	}
	// "<router>" "<server URL>"
	k := sp
	for q := 0; q < 2; q++ {
		k = trimSpacesLeft(line, k)
		if k == 0 || line[k-1] != '"' {
			return lineError("want the router and the server URL quoted before the duration, found", line[:end])
		}
		open := bytes.LastIndexByte(line[:k-1], '"')
		if open < 0 {
			return lineError("unterminated router or server URL in", line)
		}
		k = open
	}
	// <requests since start>
	k = trimSpacesLeft(line, k)
	c := k
	for c > 0 && isDigit(line[c-1]) {
		c--
	}
	if c == k || c == 0 || line[c-1] != ' ' {
		return lineError("want the count of requests before the router, found", line[c:end])
	}
	if err := p.clf(line[:c-1], r); err != nil {
		return err
	}
	r.Duration, r.Timed = dur, true
	return nil
}

// trimSpacesLeft returns k moved left over the spaces before it.
func trimSpacesLeft(line []byte, k int) int {
	for k > 0 && line[k-1] == ' ' {
		k--
	}
	return k
}

// traefikAny is --log-format traefik: Traefik's text log, or its JSON one
// (traefikJSON) for a line starting with '{'. Traefik writes either,
// as its accessLog.format says.
func (p *Parser) traefikAny(line []byte, r *record.Request) error {
	if i := skipSpaces(line, 0); i < len(line) && line[i] == '{' {
		return p.traefikJSON(line, r)
	}
	return p.traefik(line, r)
}
