package gen

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// NginxBench is the nginx log_format that scripts/bench.sh times: a
// common production one, Combined with the forwarded-for chain, the
// virtual host and the request's and upstream's times (12 variables).
const NginxBench = `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for" $host rt=$request_time urt=$upstream_response_time`

// ApacheBench is Apache's combined LogFormat with %D, the request's
// duration in microseconds, and the virtual host.
const ApacheBench = `%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\" %v %D`

// A field appends one variable's value.
type field func(w *stringWriter, b []byte, q *request) []byte

// stringWriter writes lines in a compiled format string.
type stringWriter struct {
	parts       []part
	start, end  stamp // CLF time of the start, of the end
	iso, isoEnd stamp
	noValue     string // what a variable with no value is written as
}

// part is a literal, or a field when f is set.
type part struct {
	lit string
	f   field
}

func (w *stringWriter) appendLine(b []byte, q *request) []byte {
	for _, p := range w.parts {
		if p.f != nil {
			b = p.f(w, b, q)
		} else {
			b = append(b, p.lit...)
		}
	}
	return append(b, '\n')
}

// none appends what the format writes for a variable with no value.
func (w *stringWriter) none(b []byte) []byte { return append(b, w.noValue...) }

func orNone(w *stringWriter, b []byte, s string) []byte {
	if s == "" {
		return w.none(b)
	}
	return append(b, s...)
}

// nginxVars are the variables an nginx format string may use, with what
// nginx writes for them. A variable logmon's parser would skip but gen
// cannot make up is refused.
var nginxVars = map[string]field{
	"remote_addr": func(w *stringWriter, b []byte, q *request) []byte { return append(b, q.addr...) },
	"remote_port": func(w *stringWriter, b []byte, q *request) []byte { return strconv.AppendInt(b, int64(q.port), 10) },
	"remote_user": func(w *stringWriter, b []byte, q *request) []byte { return orNone(w, b, q.user) },
	"time_local":  func(w *stringWriter, b []byte, q *request) []byte { return w.end.append(b, q.end()) },
	"time_iso8601": func(w *stringWriter, b []byte, q *request) []byte {
		return w.isoEnd.append(b, q.end())
	},
	"msec": func(w *stringWriter, b []byte, q *request) []byte {
		b = strconv.AppendInt(b, q.end()/int64(time.Second), 10)
		return appendFraction(b, q.end(), 3)
	},
	"request":        func(w *stringWriter, b []byte, q *request) []byte { return appendRequestLine(b, q) },
	"request_method": func(w *stringWriter, b []byte, q *request) []byte { return append(b, q.method...) },
	"request_uri":    func(w *stringWriter, b []byte, q *request) []byte { return appendTarget(b, q) },
	"uri": func(w *stringWriter, b []byte, q *request) []byte {
		p, _ := q.query()
		return append(append(b, q.uniq...), p...)
	},
	"args":            func(w *stringWriter, b []byte, q *request) []byte { _, a := q.query(); return orNone(w, b, a) },
	"query_string":    func(w *stringWriter, b []byte, q *request) []byte { _, a := q.query(); return orNone(w, b, a) },
	"server_protocol": func(w *stringWriter, b []byte, q *request) []byte { return append(b, q.proto...) },
	"scheme":          func(w *stringWriter, b []byte, q *request) []byte { return append(b, "https"...) },
	"status":          func(w *stringWriter, b []byte, q *request) []byte { return strconv.AppendInt(b, int64(q.status), 10) },
	"body_bytes_sent": func(w *stringWriter, b []byte, q *request) []byte { return strconv.AppendInt(b, q.size, 10) },
	"bytes_sent": func(w *stringWriter, b []byte, q *request) []byte {
		return strconv.AppendInt(b, q.size+q.headerBytes(), 10)
	},
	"request_length": func(w *stringWriter, b []byte, q *request) []byte {
		return strconv.AppendInt(b, 350+q.requestBytes(), 10)
	},
	"http_referer": func(w *stringWriter, b []byte, q *request) []byte {
		if q.ref == "" {
			return w.none(b)
		}
		return appendReferer(b, q, "")
	},
	"http_user_agent": func(w *stringWriter, b []byte, q *request) []byte { return append(b, q.c.agent...) },
	"http_x_forwarded_for": func(w *stringWriter, b []byte, q *request) []byte {
		if len(q.xff) == 0 {
			return w.none(b)
		}
		return append(b, q.xff...)
	},
	"host":         func(w *stringWriter, b []byte, q *request) []byte { return append(b, q.host()...) },
	"http_host":    func(w *stringWriter, b []byte, q *request) []byte { return append(b, q.host()...) },
	"server_name":  func(w *stringWriter, b []byte, q *request) []byte { return append(b, q.host()...) },
	"server_addr":  func(w *stringWriter, b []byte, q *request) []byte { return append(b, serverAddr...) },
	"server_port":  func(w *stringWriter, b []byte, q *request) []byte { return append(b, "443"...) },
	"request_time": func(w *stringWriter, b []byte, q *request) []byte { return appendSeconds(b, q.dur, 3) },
	"upstream_response_time": func(w *stringWriter, b []byte, q *request) []byte {
		if q.static() {
			return w.none(b)
		}
		return appendSeconds(b, q.upstream(), 3)
	},
	"upstream_header_time": func(w *stringWriter, b []byte, q *request) []byte {
		if q.static() {
			return w.none(b)
		}
		return appendSeconds(b, q.upstream()*9/10, 3)
	},
	"upstream_connect_time": func(w *stringWriter, b []byte, q *request) []byte {
		if q.static() {
			return w.none(b)
		}
		return append(b, "0.000"...)
	},
	"upstream_addr": func(w *stringWriter, b []byte, q *request) []byte {
		if q.static() {
			return w.none(b)
		}
		return append(b, q.upstreamAddr()...)
	},
	"upstream_status": func(w *stringWriter, b []byte, q *request) []byte {
		if q.static() {
			return w.none(b)
		}
		return strconv.AppendInt(b, int64(q.status), 10)
	},
	"request_id": func(w *stringWriter, b []byte, q *request) []byte {
		return appendHex(appendHex(b, q.hash(13), 16, hexDigits), q.hash(14), 16, hexDigits)
	},
	"ssl_protocol": func(w *stringWriter, b []byte, q *request) []byte { return append(b, "TLSv1.3"...) },
	"ssl_cipher":   func(w *stringWriter, b []byte, q *request) []byte { return append(b, "TLS_AES_128_GCM_SHA256"...) },
	"connection": func(w *stringWriter, b []byte, q *request) []byte {
		return strconv.AppendUint(b, 1+q.hash(15)%100000, 10)
	},
	"connection_requests": func(w *stringWriter, b []byte, q *request) []byte {
		return strconv.AppendUint(b, 1+q.hash(16)%8, 10)
	},
	"pipe":     func(w *stringWriter, b []byte, q *request) []byte { return append(b, '.') },
	"hostname": func(w *stringWriter, b []byte, q *request) []byte { return append(b, "web1"...) },
}

// NginxFormat compiles an nginx log_format string ("$remote_addr - ...",
// the quoted text of the directive, without its quotes): $name and
// ${name} are variables, the rest is literal. A variable gen cannot write
// is an error that names it and its column.
func NginxFormat(spec string) (*Format, error) {
	w := &stringWriter{noValue: "-", end: stamp{layout: clfLayout}, isoEnd: stamp{layout: "2006-01-02T15:04:05-07:00"}}
	lit := 0
	for i := 0; i < len(spec); {
		if spec[i] != '$' {
			i++
			continue
		}
		w.parts = appendLit(w.parts, spec[lit:i])
		j, name := i+1, ""
		if j < len(spec) && spec[j] == '{' {
			end := strings.IndexByte(spec[j:], '}')
			if end < 0 {
				return nil, fmt.Errorf("format string: column %d: ${ without }", i+1)
			}
			name, j = spec[j+1:j+end], j+end+1
		} else {
			for j < len(spec) && (isAlnum(spec[j]) || spec[j] == '_') {
				j++
			}
			name = spec[i+1 : j]
		}
		f, ok := nginxVars[name]
		if !ok {
			return nil, fmt.Errorf("format string: column %d: gen cannot write $%s (it writes %s)", i+1, name, varList(nginxVars, "$"))
		}
		w.parts = append(w.parts, part{f: f})
		i, lit = j, j
	}
	w.parts = appendLit(w.parts, spec[lit:])
	return stringFormat(spec, w)
}

func stringFormat(spec string, w *stringWriter) (*Format, error) {
	if !slices.ContainsFunc(w.parts, func(p part) bool { return p.f != nil }) {
		return nil, fmt.Errorf("format string %q has no variable", spec)
	}
	return &Format{Name: spec, atEnd: true, new: func() lineWriter {
		c := *w
		return &c
	}}, nil
}

func appendLit(parts []part, s string) []part {
	if s == "" {
		return parts
	}
	return append(parts, part{lit: s})
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

func varList(vars map[string]field, prefix string) string {
	var names []string
	for name := range vars {
		names = append(names, prefix+name)
	}
	slices.Sort(names)
	return strings.Join(names, " ")
}

// apacheDirectives are the directives an Apache format string may use.
var apacheDirectives = map[string]field{
	"h": nginxVars["remote_addr"],
	"a": nginxVars["remote_addr"],
	"l": func(w *stringWriter, b []byte, q *request) []byte { return append(b, '-') },
	"u": nginxVars["remote_user"],
	"t": func(w *stringWriter, b []byte, q *request) []byte { return append(b, q.ts...) },
	"r": nginxVars["request"],
	"m": nginxVars["request_method"],
	"U": func(w *stringWriter, b []byte, q *request) []byte {
		p, _ := q.query()
		return append(append(b, q.uniq...), p...)
	},
	"q": func(w *stringWriter, b []byte, q *request) []byte {
		if _, a := q.query(); a != "" {
			return append(append(b, '?'), a...)
		}
		return b
	},
	"H":  nginxVars["server_protocol"],
	"s":  nginxVars["status"],
	">s": nginxVars["status"],
	"b":  func(w *stringWriter, b []byte, q *request) []byte { return appendBytesOrDash(b, q.size) },
	"B":  nginxVars["body_bytes_sent"],
	"O":  nginxVars["bytes_sent"],
	"I":  nginxVars["request_length"],
	"D": func(w *stringWriter, b []byte, q *request) []byte {
		return strconv.AppendInt(b, q.dur.Microseconds(), 10)
	},
	"T": func(w *stringWriter, b []byte, q *request) []byte {
		return strconv.AppendInt(b, int64(q.dur/time.Second), 10)
	},
	"{ms}T": func(w *stringWriter, b []byte, q *request) []byte {
		return strconv.AppendInt(b, q.dur.Milliseconds(), 10)
	},
	"{us}T": func(w *stringWriter, b []byte, q *request) []byte {
		return strconv.AppendInt(b, q.dur.Microseconds(), 10)
	},
	"v":                  nginxVars["host"],
	"V":                  nginxVars["host"],
	"p":                  nginxVars["server_port"],
	"{Referer}i":         nginxVars["http_referer"],
	"{User-Agent}i":      nginxVars["http_user_agent"],
	"{X-Forwarded-For}i": nginxVars["http_x_forwarded_for"],
	"{Host}i":            nginxVars["host"],
	"{remote}p":          nginxVars["remote_port"],
	"{UNIQUE_ID}e":       nginxVars["request_id"],
	"{X-Request-ID}i":    nginxVars["request_id"],
	"{BALANCER_WORKER_NAME}e": func(w *stringWriter, b []byte, q *request) []byte {
		if q.static() {
			return w.none(b)
		}
		return append(append(b, "http://"...), q.upstreamAddr()...)
	},
}

// ApacheFormat compiles an Apache LogFormat string ("%h %l %u %t
// \"%r\" ...", the quoted text of the directive): %X and %{...}X are
// directives (a '<' or '>' after the % is dropped: every directive is the
// final request's), %% a percent sign, \" a quote; the rest is literal.
func ApacheFormat(spec string) (*Format, error) {
	w := &stringWriter{noValue: "-"}
	var lit strings.Builder
	flush := func() {
		w.parts = appendLit(w.parts, lit.String())
		lit.Reset()
	}
	for i := 0; i < len(spec); i++ {
		c := spec[i]
		switch {
		case c == '\\' && i+1 < len(spec):
			i++
			switch spec[i] {
			case 't':
				lit.WriteByte('\t')
			case 'n':
				lit.WriteByte('\n')
			default:
				lit.WriteByte(spec[i])
			}
			continue
		case c != '%':
			lit.WriteByte(c)
			continue
		}
		col := i + 1
		i++
		if i < len(spec) && spec[i] == '%' {
			lit.WriteByte('%')
			continue
		}
		for i < len(spec) && (spec[i] == '<' || spec[i] == '>') {
			i++
		}
		j := i
		if j < len(spec) && spec[j] == '{' {
			end := strings.IndexByte(spec[j:], '}')
			if end < 0 {
				return nil, fmt.Errorf("format string: column %d: %%{ without }", col)
			}
			j += end + 1
		}
		if j >= len(spec) {
			return nil, fmt.Errorf("format string: column %d: %% at the end", col)
		}
		name := spec[i : j+1]
		f, ok := apacheDirectives[name]
		if !ok {
			return nil, fmt.Errorf("format string: column %d: gen cannot write %%%s (it writes %s)", col, name, varList(apacheDirectives, "%"))
		}
		flush()
		w.parts = append(w.parts, part{f: f})
		i = j
	}
	flush()
	return stringFormat(spec, w)
}
