package parse

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/logmon/logmon/internal/record"
)

// Format strings: nginx's log_format and Apache's LogFormat, pasted from
// the server's configuration, compiled once into a matcher: a sequence of
// steps, each a literal the line must have there or a field (a variable
// of the format) that knows how it ends. Matching is left to right with
// no backtracking, so a line costs one pass, as the hand parser clf does.

// A FormatStringError is a format string that cannot be compiled, with
// the column (from 1, in characters of the string as given) of what is
// wrong.
type FormatStringError struct {
	Column int
	Msg    string
}

func (e *FormatStringError) Error() string { return fmt.Sprintf("column %d: %s", e.Column, e.Msg) }

// isFormatString says whether spec is a format string rather than a
// name: nginx's when it has a '$' before a name, Apache's when it has a
// '%'.
func isFormatString(spec string) (nginx, ok bool) {
	for i := 0; i+1 < len(spec); i++ {
		if spec[i] == '$' && (spec[i+1] == '{' || isNameByte(spec[i+1])) {
			return true, true
		}
	}
	if strings.IndexByte(spec, '%') >= 0 {
		return false, true
	}
	return true, strings.IndexByte(spec, '$') >= 0
}

func isNameByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_'
}

// fieldKind is what a variable fills in the request.
type fieldKind uint8

const (
	fLiteral        fieldKind = iota // not a field: step.lit
	fSkip                            // matched and dropped: a variable logmon does not use
	fRemote                          // $remote_addr, %h, %a
	fUser                            // $remote_user, %u
	fTime                            // $time_local, $time_iso8601, %t: parseTimestamp (brackets stripped)
	fMsec                            // $msec: seconds.milliseconds since the epoch
	fEpoch                           // %{sec}t, %{msec}t, %{usec}t: an integer, arg units a second
	fFrac                            // %{msec_frac}t, %{usec_frac}t: a fraction of a second, arg digits
	fStrftime                        // %{...}t with strftime conversions, a date and a time of day
	fZone                            // %{%z}t: the zone of a time given without one
	fRequest                         // $request, %r
	fMethod                          // $request_method, %m
	fURI                             // $request_uri, $uri, %U
	fQuery                           // %q: "" or "?query"
	fArgs                            // $args, $query_string: the query without '?'
	fProtocol                        // $server_protocol, %H
	fStatus                          // $status, %>s, %s
	fBytes                           // $body_bytes_sent, %b, %B, else $bytes_sent, %O
	fReferer                         // $http_referer, %{Referer}i
	fAgent                           // $http_user_agent, %{User-Agent}i
	fForwarded                       // $http_x_forwarded_for, %{X-Forwarded-For}i
	fVHost                           // $host, $server_name, $http_host, %v, %V
	fDuration                        // $request_time, %D, %T: arg units a second
	fUpstreamStatus                  // $upstream_status: a list, the last counts
	fUpstreamTime                    // $upstream_response_time: a list, the last counts
)

// endRule is how a field finds where it ends in a line.
type endRule uint8

const (
	endLit     endRule = iota // at the first occurrence of the next literal
	endLine                   // at the end of the line: the format's last step
	endQuote                  // at the first unescaped '"': a field in quotes followed by one
	endFixed                  // after width bytes ($time_local, a fixed strftime)
	endBracket                // %t: "[...]", at the ']'
	endMsec                   // $msec: digits, '.', three digits
	endList                   // an upstream list: "0.1, 0.2 : 0.3" or "-"
)

// bounded says the field ends by its own shape, so another may follow
// it with nothing between.
func (e endRule) bounded() bool { return e == endFixed || e == endBracket || e == endMsec }

// A step of a compiled format: a literal or a field.
type step struct {
	kind  fieldKind
	lit   []byte // fLiteral: the bytes the line must have here
	name  string // a field: the variable as written ("$status", "%{Referer}i")
	v     string // a field: its name ("status", "U"), for linking
	col   int    // where it is in the format string
	end   endRule
	next  []byte // endLit: the literal that ends the field
	width int    // endFixed
	arg   int    // fEpoch, fDuration: units a second; fFrac: digits
	tf    []tfItem
	cols  []int // fLiteral, while compiling: the column of each byte of lit
	// litW and litMask are lit as a little-endian word and the mask of
	// its bytes, when it is 1 to 8 bytes long (see hasLit); shifted
	// right by 8, those of lit[1:], which a field ending at this literal
	// matches after the literal's first byte.
	litW, litMask uint64
}

// matcher is a compiled format string.
type matcher struct {
	steps []step
}

// compileFormatString compiles an nginx (nginx set) or Apache format
// string into a Format.
func compileFormatString(spec string, nginx bool) (*Format, error) {
	src, cols, err := unquoteConfig(spec, nginx)
	if err != nil {
		return nil, err
	}
	var steps []step
	if nginx {
		steps, err = tokenizeNginx(src, cols)
	} else {
		steps, err = tokenizeApache(src, cols)
	}
	if err != nil {
		return nil, err
	}
	m := &matcher{}
	if err := m.link(steps); err != nil {
		return nil, err
	}
	for k := range m.steps {
		m.steps[k].litW, m.steps[k].litMask = litWord(m.steps[k].lit)
	}
	name := "Apache format string"
	if nginx {
		name = "nginx format string"
	}
	return &Format{Name: name, line: m.line}, nil
}

// unquoteConfig undoes what the configuration file's quoting added, as
// the server reads it: nginx's 'single-quoted' pieces joined (log_format
// spread over lines), Apache's outer "..." around a string with \"
// inside, and the escapes \" \' \\ \t of both. It returns the format and
// the column in spec of each of its bytes.
func unquoteConfig(spec string, nginx bool) ([]byte, []int, error) {
	colOf := func(i int) int { return utf8.RuneCountInString(spec[:i]) + 1 }
	src := make([]byte, 0, len(spec))
	cols := make([]int, 0, len(spec))
	trimmed := strings.TrimSpace(spec)
	lead := strings.Index(spec, trimmed)
	unescape := func(i, end int) error {
		for ; i < end; i++ {
			c := spec[i]
			col := colOf(i)
			if c == '\\' && i+1 < end {
				switch spec[i+1] {
				case '"', '\'', '\\':
					i++
					c = spec[i]
				case 't':
					i++
					c = '\t'
				case 'n', 'r':
					return &FormatStringError{col, "a line break cannot be part of a log line"}
				}
			}
			src = append(src, c)
			cols = append(cols, col)
		}
		return nil
	}
	switch {
	case nginx && strings.HasPrefix(trimmed, "'"):
		// 'piece' 'piece' ...[;]
		i, end := lead, lead+len(strings.TrimSuffix(trimmed, ";"))
		for i < end {
			if spec[i] == ' ' || spec[i] == '\t' || spec[i] == '\n' || spec[i] == '\r' {
				i++
				continue
			}
			if spec[i] != '\'' {
				return nil, nil, &FormatStringError{colOf(i), "text outside the quoted pieces of a log_format"}
			}
			j := i + 1
			for j < end && spec[j] != '\'' {
				if spec[j] == '\\' {
					j++
				}
				j++
			}
			if j >= end {
				return nil, nil, &FormatStringError{colOf(i), "unterminated quote"}
			}
			if err := unescape(i+1, j); err != nil {
				return nil, nil, err
			}
			i = j + 1
		}
	case !nginx && len(trimmed) >= 2 && trimmed[0] == '"' && strings.HasSuffix(trimmed, `"`) && !strings.HasSuffix(trimmed, `\"`) && strings.Contains(trimmed, `\"`):
		// "... \"%r\" ..." as LogFormat's argument.
		if err := unescape(lead+1, lead+len(trimmed)-1); err != nil {
			return nil, nil, err
		}
	default:
		if err := unescape(0, len(spec)); err != nil {
			return nil, nil, err
		}
	}
	// Spaces at the end of a format are an accident of pasting; the
	// line's are ignored too (see line).
	for len(src) > 0 && (src[len(src)-1] == ' ' || src[len(src)-1] == '\t') {
		src, cols = src[:len(src)-1], cols[:len(cols)-1]
	}
	return src, cols, nil
}

// tokenizeNginx splits an nginx format into literals and $variables.
func tokenizeNginx(src []byte, cols []int) ([]step, error) {
	var steps []step
	var lit []byte
	var litCols []int
	for i := 0; i < len(src); {
		if src[i] != '$' {
			lit, litCols = append(lit, src[i]), append(litCols, cols[i])
			i++
			continue
		}
		start := i
		var name string
		if i+1 < len(src) && src[i+1] == '{' {
			j := bytes.IndexByte(src[i+2:], '}')
			if j < 0 {
				return nil, &FormatStringError{cols[start], "${ without its }"}
			}
			name = string(src[i+2 : i+2+j])
			i += 3 + j
			for k := 0; k < len(name); k++ {
				if !isNameByte(name[k]) {
					return nil, &FormatStringError{cols[start], fmt.Sprintf("${%s}: not a variable name", name)}
				}
			}
		} else {
			j := i + 1
			for j < len(src) && isNameByte(src[j]) {
				j++
			}
			name = string(src[i+1 : j])
			i = j
		}
		if name == "" {
			return nil, &FormatStringError{cols[start], "$ without a variable name"}
		}
		if lit != nil {
			steps = append(steps, step{kind: fLiteral, lit: lit, cols: litCols})
			lit, litCols = nil, nil
		}
		s := step{name: string(src[start:i]), col: cols[start], v: strings.ToLower(name)}
		nginxField(&s, s.v)
		steps = append(steps, s)
	}
	if lit != nil {
		steps = append(steps, step{kind: fLiteral, lit: lit, cols: litCols})
	}
	return steps, nil
}

// nginxField sets what nginx variable name fills, and its shape.
func nginxField(s *step, name string) {
	switch name {
	case "remote_addr":
		s.kind = fRemote
	case "remote_user":
		s.kind = fUser
	case "time_local":
		s.kind, s.end, s.width = fTime, endFixed, len("10/Oct/2000:13:55:36 -0700")
	case "time_iso8601":
		s.kind, s.end, s.width = fTime, endFixed, len("2000-10-10T13:55:36-07:00")
	case "msec":
		s.kind, s.end = fMsec, endMsec
	case "request":
		s.kind = fRequest
	case "request_method":
		s.kind = fMethod
	case "request_uri", "uri", "document_uri":
		s.kind = fURI
	case "args", "query_string":
		s.kind = fArgs
	case "server_protocol":
		s.kind = fProtocol
	case "status":
		s.kind = fStatus
	case "body_bytes_sent":
		s.kind, s.arg = fBytes, 1 // the body: wins over $bytes_sent
	case "bytes_sent":
		s.kind = fBytes
	case "http_referer":
		s.kind = fReferer
	case "http_user_agent":
		s.kind = fAgent
	case "http_x_forwarded_for":
		s.kind = fForwarded
	case "host", "server_name", "http_host":
		s.kind = fVHost
	case "request_time":
		s.kind, s.arg = fDuration, 1
	case "upstream_response_time":
		s.kind, s.end = fUpstreamTime, endList
	case "upstream_status":
		s.kind, s.end = fUpstreamStatus, endList
	default:
		s.kind = fSkip
	}
}

// tokenizeApache splits an Apache format into literals and %directives.
func tokenizeApache(src []byte, cols []int) ([]step, error) {
	var steps []step
	var lit []byte
	var litCols []int
	for i := 0; i < len(src); {
		if src[i] != '%' {
			lit, litCols = append(lit, src[i]), append(litCols, cols[i])
			i++
			continue
		}
		start := i
		i++
		if i < len(src) && src[i] == '%' {
			lit, litCols = append(lit, '%'), append(litCols, cols[start])
			i++
			continue
		}
		// Conditions and modifiers: %400,501{...}i, %!200{...}i, %>s, %<s.
		final := false
		for i < len(src) && (src[i] == '!' || src[i] == ',' || src[i] == '<' || src[i] == '>' || isDigit(src[i])) {
			final = final || src[i] == '>'
			i++
		}
		var arg string
		if i < len(src) && src[i] == '{' {
			j := bytes.IndexByte(src[i+1:], '}')
			if j < 0 {
				return nil, &FormatStringError{cols[start], "%{ without its }"}
			}
			arg = string(src[i+1 : i+1+j])
			i += 2 + j
		}
		var dir string
		switch {
		case i+2 < len(src) && src[i] == '^' && (string(src[i:i+3]) == "^ti" || string(src[i:i+3]) == "^to"):
			dir = string(src[i : i+3])
		case i < len(src) && ('a' <= src[i] && src[i] <= 'z' || 'A' <= src[i] && src[i] <= 'Z'):
			dir = string(src[i : i+1])
		default:
			return nil, &FormatStringError{cols[start], fmt.Sprintf("%s without a directive letter", src[start:i])}
		}
		i += len(dir)
		if lit != nil {
			steps = append(steps, step{kind: fLiteral, lit: lit, cols: litCols})
			lit, litCols = nil, nil
		}
		s := step{name: string(src[start:i]), col: cols[start], v: dir}
		if err := apacheField(&s, dir, arg, final); err != nil {
			return nil, err
		}
		steps = append(steps, s)
	}
	if lit != nil {
		steps = append(steps, step{kind: fLiteral, lit: lit, cols: litCols})
	}
	return steps, nil
}

// apacheField sets what Apache directive dir (with its {arg}) fills, and
// its shape. final: %>s.
func apacheField(s *step, dir, arg string, final bool) error {
	switch dir {
	case "h", "a":
		if arg == "" { // %{c}a, %{c}h: the peer of the connection
			s.kind = fRemote
		}
	case "u":
		s.kind = fUser
	case "t":
		return apacheTime(s, arg)
	case "r":
		s.kind = fRequest
	case "m":
		s.kind = fMethod
	case "U":
		s.kind = fURI
	case "q":
		s.kind = fQuery
	case "H":
		s.kind = fProtocol
	case "s":
		s.kind = fStatus
		if final {
			s.arg = 1 // %>s: the final status, which wins over %s
		}
	case "b", "B":
		s.kind, s.arg = fBytes, 1 // the body: wins over %O
	case "O":
		s.kind = fBytes
	case "v", "V":
		s.kind = fVHost
	case "D":
		s.kind, s.arg = fDuration, 1e6
	case "T":
		s.kind, s.arg = fDuration, 1
		switch arg {
		case "ms":
			s.arg = 1e3
		case "us":
			s.arg = 1e6
		}
	case "i":
		switch strings.ToLower(arg) {
		case "referer":
			s.kind = fReferer
		case "user-agent":
			s.kind = fAgent
		case "x-forwarded-for":
			s.kind = fForwarded
		case "host":
			s.kind = fVHost
		}
	}
	if s.kind == fLiteral {
		s.kind = fSkip
	}
	return nil
}

// apacheTime compiles %t and %{format}t.
func apacheTime(s *step, arg string) error {
	arg = strings.TrimPrefix(strings.TrimPrefix(arg, "begin:"), "end:")
	switch arg {
	case "":
		s.kind, s.end = fTime, endBracket
	case "sec":
		s.kind, s.arg = fEpoch, 1
	case "msec":
		s.kind, s.arg = fEpoch, 1e3
	case "usec":
		s.kind, s.arg = fEpoch, 1e6
	case "msec_frac":
		s.kind, s.end, s.width, s.arg = fFrac, endFixed, 3, 3
	case "usec_frac":
		s.kind, s.end, s.width, s.arg = fFrac, endFixed, 6, 6
	default:
		items, width, err := compileStrftime(arg)
		if err != nil {
			return &FormatStringError{s.col, s.name + ": " + err.Error()}
		}
		s.kind, s.tf = fStrftime, items
		switch {
		case len(items) == 1 && items[0].conv == 'z':
			s.kind = fZone
		case !hasConv(items, 'Y') || !hasConv(items, 'S'):
			s.kind = fSkip // a part of a time (%{%H}t): the time is elsewhere
		}
		if width > 0 {
			s.end, s.width = endFixed, width
		}
	}
	return nil
}

// link checks the steps and decides how each field ends, and which of
// several variables filling one field counts.
func (m *matcher) link(steps []step) error {
	if len(steps) == 0 {
		return &FormatStringError{1, "an empty format"}
	}
	steps = joinQuery(steps)
	// Quotes: a field inside "..." that the closing quote follows ends at
	// the first unescaped quote, as both servers escape one inside.
	open, openCol := false, 0
	timed := false
	for k := range steps {
		s := &steps[k]
		if s.kind == fLiteral {
			for j, c := range s.lit {
				if c == '"' {
					open, openCol = !open, s.cols[j]
				}
			}
			continue
		}
		switch s.kind {
		case fTime, fMsec, fEpoch, fStrftime:
			timed = true
		}
		if k+1 == len(steps) {
			if !s.end.bounded() && s.end != endList {
				s.end = endLine
			}
			continue
		}
		nx := &steps[k+1]
		if nx.kind != fLiteral {
			if !s.end.bounded() {
				return &FormatStringError{s.col, s.name + nx.name + ": two variables with nothing between them cannot be told apart"}
			}
			continue
		}
		switch {
		case s.end.bounded():
		case open && nx.lit[0] == '"':
			s.end = endQuote
		case s.end == endList:
		default:
			s.end, s.next = endLit, nx.lit
		}
	}
	if open {
		return &FormatStringError{openCol, "unterminated quote"}
	}
	if !timed {
		return &FormatStringError{1, "no time in the format ($time_local, $time_iso8601, $msec; %t, %{...}t): logmon needs each request's time"}
	}
	// One variable per field: the first counts, the others are skipped;
	// %>s wins over %s, the body's size over the whole response's, and
	// $request over its parts.
	best := map[fieldKind]int{}
	for k := range steps {
		s := &steps[k]
		switch s.kind {
		case fLiteral, fSkip, fTime, fMsec, fEpoch, fFrac, fStrftime:
			continue
		}
		if b, ok := best[s.kind]; !ok || (s.kind == fStatus || s.kind == fBytes) && s.arg > steps[b].arg {
			best[s.kind] = k
		}
	}
	_, whole := best[fRequest]
	for k := range steps {
		s := &steps[k]
		switch s.kind {
		case fLiteral, fSkip, fTime, fMsec, fEpoch, fFrac, fStrftime:
			continue
		case fMethod, fURI, fQuery, fArgs, fProtocol:
			if whole {
				s.kind = fSkip
				continue
			}
		}
		if best[s.kind] != k {
			s.kind = fSkip
		}
	}
	m.steps = steps
	return nil
}

// joinQuery makes the path and the query written with nothing between
// them, Apache's %U%q and nginx's $uri$is_args$args, one field: the
// request target, which ends where the path would have.
func joinQuery(steps []step) []step {
	var out []step
	for k := 0; k < len(steps); k++ {
		s := steps[k]
		if s.kind == fURI && k+1 < len(steps) {
			switch {
			case s.v == "U" && steps[k+1].v == "q":
				s.name += steps[k+1].name
				k++
			case s.v != "U" && k+2 < len(steps) && steps[k+1].v == "is_args" && (steps[k+2].v == "args" || steps[k+2].v == "query_string"):
				s.name += steps[k+1].name + steps[k+2].name
				k += 2
			}
		}
		out = append(out, s)
	}
	return out
}

// line parses one line of the compiled format (a lineFunc).
func (m *matcher) line(p *Parser, line []byte, r *record.Request) error {
	// Spaces after the line are ignored, as clf ignores them.
	for n := len(line); n > 0 && (line[n-1] == ' ' || line[n-1] == '\t'); n-- {
		line = line[:n-1]
	}
	var pt parts
	i := 0
	var prev *step
	steps := m.steps
	for k := 0; k < len(steps); k++ {
		s := &steps[k]
		if s.kind == fLiteral {
			if !hasLit(line, i, s.lit, s.litW, s.litMask) {
				return m.litError(line, i, s, prev)
			}
			i += len(s.lit)
			prev = s
			continue
		}
		prev = s
		start := i
		var v []byte
		switch s.end {
		case endLit:
			// The search finds the literal after the field whole, so it
			// is not matched again: the step after is done too.
			// s.next is the next step's lit.
			n := &steps[k+1]
			j := indexLit(line, i, s.next, n.litW>>8, n.litMask>>8)
			if j < 0 {
				return &LineError{Reason: fmt.Sprintf("column %d: no %s after %s", i+1, quote(s.next), short(s.name))}
			}
			v = line[i:j]
			i = j + len(s.next)
			k++
			prev = &steps[k]
		case endLine:
			v = line[i:]
			i = len(line)
		case endQuote:
			var ok bool
			var next int
			// unquote reads from just after index i-1, the quote the
			// literal before ended with.
			if v, next, ok = p.unquote(line, i-1); !ok {
				return &LineError{Reason: fmt.Sprintf("column %d: %s: unterminated quote", i+1, short(s.name))}
			}
			// The closing quote is the first byte of the literal after.
			i = next - 1
			if n := &steps[k+1]; !hasLit(line, next, n.lit[1:], n.litW>>8, n.litMask>>8) {
				return m.litError(line, i, &steps[k+1], s)
			}
			i += len(steps[k+1].lit)
			k++
			prev = &steps[k]
		case endFixed:
			if len(line)-i < s.width {
				return &LineError{Reason: fmt.Sprintf("column %d: %s: the line ends after %s", i+1, short(s.name), quote(line[i:]))}
			}
			v = line[i : i+s.width]
			i += s.width
		case endBracket:
			if i == len(line) || line[i] != '[' {
				return m.fieldError(line, start, s, "want '[' to start", line[i:])
			}
			j := bytes.IndexByte(line[i:], ']')
			if j < 0 {
				return m.fieldError(line, start, s, "unterminated", line[i:])
			}
			v = line[i+1 : i+j]
			i += j + 1
		case endMsec:
			j := i
			for j < len(line) && isDigit(line[j]) {
				j++
			}
			if j+4 <= len(line) && line[j] == '.' && isDigit(line[j+1]) && isDigit(line[j+2]) && isDigit(line[j+3]) {
				j += 4
			} else {
				j = min(j+4, len(line))
				return m.fieldError(line, start, s, "bad", line[i:j])
			}
			v = line[i:j]
			i = j
		case endList:
			i = listEnd(line, i)
			v = line[start:i]
		}
		if err := m.fill(p, s, v, r, &pt); err != nil {
			return m.fieldError(line, start, s, err.Error(), v)
		}
	}
	if i != len(line) {
		return &LineError{Reason: fmt.Sprintf("column %d: text after the end of the format: %s", i+1, quote(line[i:]))}
	}
	r.Sec -= int64(pt.zone)
	if r.Request == nil && r.Method == nil && (pt.method != nil || pt.uri != nil) {
		r.Method = pt.method
		if uri, query := pt.uri, pt.query; uri != nil && !isDash(uri) {
			r.Path = uri
			if len(query) > 0 && !isDash(query) && !(len(query) == 1 && query[0] == '?') {
				from := len(p.scratch)
				p.scratch = append(p.scratch, uri...)
				if pt.args {
					p.scratch = append(p.scratch, '?')
				}
				p.scratch = append(p.scratch, query...)
				n := len(p.scratch)
				r.Path = p.scratch[from:n:n]
			}
			r.Section = Section(r.Path)
		}
	}
	return nil
}

// parts are what a line's fields give that is put together at its end:
// a request from its parts, a time from its zone.
type parts struct {
	method, uri, query []byte
	args               bool // the query is $args, without its '?'
	zone               int  // %{%z}t: seconds east of UTC
}

// fill sets what field s of value v fills; a value it cannot read is an
// error, whose text says how.
func (m *matcher) fill(p *Parser, s *step, v []byte, r *record.Request, pt *parts) error {
	var ok bool
	switch s.kind {
	case fSkip:
	case fRemote:
		r.Remote = v
	case fUser:
		if !isDash(v) {
			r.User = v
		}
	case fTime:
		var nsec int32
		if r.Sec, nsec, ok = p.timestamp(v); !ok {
			return errBad
		}
		if nsec != 0 {
			r.Nsec = nsec
		}
	case fMsec:
		n, digits, ok := decimal(v)
		if !ok || digits != 3 {
			return errBad
		}
		if !setEpoch(r, int64(n), 1000) {
			return errBad
		}
	case fEpoch:
		n, ok := parseSize(v)
		if !ok || isDash(v) || !setEpoch(r, n, int64(s.arg)) {
			return errBad
		}
	case fFrac:
		n, ok := atoiN(v)
		if !ok {
			return errBad
		}
		for d := s.arg; d < 9; d++ {
			n *= 10
		}
		r.Nsec = int32(n)
	case fStrftime:
		var nsec int32
		if r.Sec, nsec, ok = parseStrftime(s.tf, v); !ok {
			return errBad
		}
		if nsec != 0 {
			r.Nsec = nsec
		}
	case fRequest:
		splitRequest(v, r)
	case fZone:
		if pt.zone, ok = zoneOffset(v); !ok || len(v) != 5 {
			return errBad
		}
	case fMethod:
		pt.method = v
	case fURI:
		pt.uri = v
	case fQuery:
		pt.query = v
	case fArgs:
		pt.query, pt.args = v, true
	case fProtocol:
		if !isDash(v) && len(v) > 0 {
			r.Protocol = v
		}
	case fStatus:
		if isDash(v) {
			r.Status = 0
		} else if r.Status, ok = parseStatus(v); !ok {
			return errBad
		}
	case fBytes:
		if r.Bytes, ok = parseSize(v); !ok {
			return errBad
		}
	case fReferer:
		if !isDash(v) {
			r.Referer = v
		}
	case fAgent:
		if !isDash(v) {
			r.Agent = v
		}
	case fForwarded:
		if !isDash(v) {
			r.Forwarded = v
		}
	case fVHost:
		if !isDash(v) {
			r.VHost = v
		}
	case fDuration:
		if isDash(v) {
			return nil
		}
		if r.Duration, ok = seconds(v, s.arg); !ok {
			return errBad
		}
		r.Timed = true
	case fUpstreamTime:
		last := listLast(v)
		if isDash(last) || len(last) == 0 {
			return nil
		}
		if r.UpstreamDuration, ok = seconds(last, 1); !ok {
			return errBad
		}
		r.UpstreamTimed = true
	case fUpstreamStatus:
		last := listLast(v)
		if isDash(last) || len(last) == 0 {
			return nil
		}
		if r.UpstreamStatus, ok = parseStatus(last); !ok {
			return errBad
		}
	}
	return nil
}

// errBad is fill's error for a value a field cannot read.
var errBad = &LineError{Reason: "bad"}

// fieldError is the reason for a bad field value.
func (m *matcher) fieldError(line []byte, i int, s *step, what string, v []byte) *LineError {
	return &LineError{Reason: fmt.Sprintf("column %d: %s %s %s", i+1, what, short(s.name), quote(v))}
}

// litError is the reason for a line without literal s at i.
func (m *matcher) litError(line []byte, i int, s, prev *step) *LineError {
	after := " at the start"
	if prev != nil {
		after = " after " + short(prev.name)
	}
	if i == len(line) {
		return &LineError{Reason: fmt.Sprintf("column %d: want %s%s, found the end of the line", i+1, quote(s.lit), after)}
	}
	return &LineError{Reason: fmt.Sprintf("column %d: want %s%s, found %s", i+1, quote(s.lit), after, quote(line[i:]))}
}

// short is a variable's name cut for a message, any character in it but
// printable ASCII shown as '?': a name is as the format string wrote it,
// and Apache's %{...}t holds whatever the braces did (a control byte
// there reached the message, found by FuzzFormatString).
func short(name string) string {
	cut := ""
	if len(name) > maxQuoted {
		name, cut = name[:maxQuoted], "..."
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e { // a byte of invalid UTF-8 is U+FFFD here
			return '?'
		}
		return r
	}, name) + cut
}

// indexLit is the index of the first lit in line at or after i, or -1;
// restW and restMask are lit[1:] for hasLit (its step's litW and
// litMask shifted right by 8).
func indexLit(line []byte, i int, lit []byte, restW, restMask uint64) int {
	c := lit[0]
	for {
		// fieldEnd, 8 bytes at a time before bytes.IndexByte: the fields
		// that end at a literal are mostly short (an address, a status,
		// a host), where the call's setup costs more than the search
		// (the 12-variable nginx log's parse 211 to 208 ns a line).
		if i = fieldEnd(line, i, c); i == len(line) {
			return -1
		}
		if len(lit) == 1 || hasLit(line, i+1, lit[1:], restW, restMask) {
			return i
		}
		i++
	}
}

// litWord returns lit as a little-endian word and the mask of its
// bytes, for hasLit; 0, 0 for a lit empty or longer than 8 bytes.
func litWord(lit []byte) (w, mask uint64) {
	if len(lit) == 0 || len(lit) > 8 {
		return 0, 0
	}
	for k, c := range lit {
		w |= uint64(c) << (8 * k)
		mask |= 0xff << (8 * k)
	}
	return w, mask
}

// hasLit reports whether line[i:] starts with lit, whose litWord is w,
// mask: most literals (" ", "\" \"", " rt=") are a word or less, one
// load and compare where bytes.HasPrefix calls memequal (the 12-variable
// nginx log's parse 236 to 216 ns a line, BenchmarkGenTraffic; Apache's
// 11 directives 202 to 192).
func hasLit(line []byte, i int, lit []byte, w, mask uint64) bool {
	if mask != 0 && i+8 <= len(line) {
		return binary.LittleEndian.Uint64(line[i:])&mask == w
	}
	return bytes.HasPrefix(line[i:], lit)
}

// listEnd is the end of an upstream list at line[i:]: values (digits,
// '.', '-') separated by ", " or " : ", as nginx writes
// $upstream_response_time and $upstream_status for several upstreams.
func listEnd(line []byte, i int) int {
	for {
		for i < len(line) && (isDigit(line[i]) || line[i] == '.' || line[i] == '-') {
			i++
		}
		switch {
		case i+2 < len(line) && line[i] == ',' && line[i+1] == ' ':
			i += 2
		case i+3 < len(line) && line[i] == ' ' && line[i+1] == ':' && line[i+2] == ' ':
			i += 3
		default:
			return i
		}
	}
}

// listLast is the last value of an upstream list.
func listLast(v []byte) []byte {
	for j := len(v) - 1; j >= 0; j-- {
		if v[j] == ' ' || v[j] == ',' {
			return v[j+1:]
		}
	}
	return v
}

// decimal reads "digits[.digits]" as the integer of all its digits and
// the number of digits after the point; at most 15 digits in all, so
// the integer is exact in a float64.
func decimal(v []byte) (n uint64, frac int, ok bool) {
	digits, point := 0, -1
	for k, c := range v {
		switch {
		case isDigit(c):
			n = n*10 + uint64(c-'0')
			digits++
		case c == '.' && point < 0 && k > 0:
			point = k
		default:
			return 0, 0, false
		}
	}
	if digits == 0 || digits > 15 || point == len(v)-1 {
		return 0, 0, false
	}
	if point >= 0 {
		frac = len(v) - 1 - point
	}
	return n, frac, true
}

// seconds reads a duration of units a second: one division of exact
// numbers, so "0.123" is the float64 nearest 0.123, as ParseFloat gives.
func seconds(v []byte, units int) (float64, bool) {
	n, frac, ok := decimal(v)
	if !ok {
		if f, err := strconv.ParseFloat(string(v), 64); err == nil && f >= 0 && len(v) > 0 && isDigit(v[0]) {
			return f / float64(units), true // more than 15 digits: rare
		}
		return 0, false
	}
	return float64(n) / (pow10[frac] * float64(units)), true
}

// setEpoch sets r's time to n units a second since the Unix epoch.
func setEpoch(r *record.Request, n, units int64) bool {
	sec := n / units
	if sec >= record.EndTime {
		return false
	}
	r.Sec, r.Nsec = sec, int32((n%units)*(1e9/units))
	return true
}

// A tfItem is a piece of a strftime format: a conversion or a literal.
type tfItem struct {
	conv byte // 'Y', 'm', 'd', 'e', 'H', 'M', 'S', 'b', 'a', 'z'; 0: lit
	lit  byte
}

// compileStrftime compiles the strftime conversions a time in a log
// uses; the width is that of every time it writes (0: it varies).
func compileStrftime(f string) ([]tfItem, int, error) {
	var items []tfItem
	width := 0
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			items = append(items, tfItem{lit: f[i]})
			width++
			continue
		}
		i++
		if i == len(f) {
			return nil, 0, fmt.Errorf("%% at the end of a time format")
		}
		switch c := f[i]; c {
		case 'Y':
			items = append(items, tfItem{conv: c})
			width += 4
		case 'm', 'd', 'e', 'H', 'M', 'S':
			items = append(items, tfItem{conv: c})
			width += 2
		case 'b', 'h', 'a':
			if c == 'h' {
				c = 'b'
			}
			items = append(items, tfItem{conv: c})
			width += 3
		case 'z':
			items = append(items, tfItem{conv: c})
			width += 5
		case 'T':
			items = append(items, tfItem{conv: 'H'}, tfItem{lit: ':'}, tfItem{conv: 'M'}, tfItem{lit: ':'}, tfItem{conv: 'S'})
			width += 8
		case 'F':
			items = append(items, tfItem{conv: 'Y'}, tfItem{lit: '-'}, tfItem{conv: 'm'}, tfItem{lit: '-'}, tfItem{conv: 'd'})
			width += 10
		case '%':
			items = append(items, tfItem{lit: '%'})
			width++
		default:
			return nil, 0, fmt.Errorf("logmon cannot read %%%c in a time (it reads %%Y %%m %%d %%e %%H %%M %%S %%T %%F %%b %%h %%a %%z)", c)
		}
	}
	return items, width, nil
}

// zoneOffset reads the zone "+hhmm" at the start of v, at most 14
// hours, as seconds east of UTC.
func zoneOffset(v []byte) (int, bool) {
	ok := len(v) >= 5 && (v[0] == '+' || v[0] == '-')
	zh := digits(v, 1, 2, &ok)
	zm := digits(v, 3, 2, &ok)
	if !ok || zm > 59 || zh*60+zm > 14*60 {
		return 0, false
	}
	if v[0] == '-' {
		return -(zh*3600 + zm*60), true
	}
	return zh*3600 + zm*60, true
}

func hasConv(items []tfItem, c byte) bool {
	for _, it := range items {
		if it.conv == c {
			return true
		}
	}
	return false
}

// parseStrftime reads a time written by items; without %z it is UTC.
func parseStrftime(items []tfItem, v []byte) (sec int64, nsec int32, ok bool) {
	y, mo, d, h, mi, s, off := 1970, 1, 1, 0, 0, 0, 0
	ok = true
	i := 0
	for _, it := range items {
		switch it.conv {
		case 0:
			ok = ok && at(v, i, it.lit)
			i++
		case 'Y':
			y = digits(v, i, 4, &ok)
			i += 4
		case 'e':
			if at(v, i, ' ') {
				d = digits(v, i+1, 1, &ok)
			} else {
				d = digits(v, i, 2, &ok)
			}
			i += 2
		case 'b':
			if i+3 <= len(v) {
				mo = month(v[i : i+3])
			}
			ok = ok && mo != 0
			i += 3
		case 'a':
			i += 3
		case 'z':
			var good bool
			off, good = zoneOffset(v[min(i, len(v)):])
			ok = ok && good
			i += 5
		default:
			n := digits(v, i, 2, &ok)
			switch it.conv {
			case 'm':
				mo = n
			case 'd':
				d = n
			case 'H':
				h = n
			case 'M':
				mi = n
			case 'S':
				s = n
			}
			i += 2
		}
		if !ok {
			return 0, 0, false
		}
	}
	if i != len(v) || y < 1 || !record.ValidDate(y, mo, d) || h > 23 || mi > 59 || s > 59 {
		return 0, 0, false
	}
	sec = record.UnixSeconds(y, mo, d, h, mi, s) - int64(off)
	if sec >= record.EndTime || sec < record.MinTime {
		return 0, 0, false
	}
	return sec, 0, true
}
