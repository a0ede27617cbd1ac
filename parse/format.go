package parse

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/logmon/logmon/internal/record"
)

// A Format is a log format, ready to parse with: one of the named formats
// (Formats), a format string pasted from a server's configuration
// (nginx's log_format, Apache's LogFormat), a JSON log with its keys
// mapped to fields, or auto, which picks one of the named formats from
// an input's first lines. A Format is immutable and shared; what one
// input teaches it (the format auto picked, W3C's #Fields) lives in the
// input's Stream.
type Format struct {
	Name string // as --log-format names it ("combined", "nginx format string")

	// line parses one line of the format into r; st is the input's
	// stream state. It is nil for auto.
	line lineFunc
	// text formats may come behind a syslog prefix (syslog-NAME).
	text bool
	// detect, when set, is what auto tries on a line instead of line:
	// stricter, for a format whose lines another format's parser would
	// also accept (see detectOrder).
	detect lineFunc
	// alias: the same parser as a format before it in named, which auto
	// has tried already.
	alias bool
	// inner is the format behind the syslog prefix of a syslog-NAME
	// variant (see syslog.go); nil for the others.
	inner *Format
}

// lineFunc parses one line (see Parser.Line).
type lineFunc func(p *Parser, line []byte, r *record.Request) error

// named are the named formats, in the order auto tries them: a format
// whose lines another would take as its own comes before that one.
// Common, combined and vhost_combined are one parser, which tells them
// apart line by line, as logmon always has.
var named = []*Format{
	// JSON logs: their lines start with '{', which no text format takes.
	{Name: "caddy", line: (*Parser).caddy, detect: (*Parser).caddyDetect},
	{Name: "traefik-json", line: (*Parser).traefikJSON, detect: (*Parser).traefikJSONDetect},
	{Name: "nginx-json", line: (*Parser).nginxJSON, detect: (*Parser).nginxJSONDetect},
	// W3C and CloudFront: a #Fields: directive picks one or the other
	// (see w3c.go); their data lines are of no other format.
	{Name: "cloudfront", line: (*Parser).cloudfront, detect: (*Parser).cloudfrontDetect, text: true},
	{Name: "w3c", line: (*Parser).w3c, detect: (*Parser).w3cDetect, text: true},
	{Name: "alb", line: (*Parser).alb, text: true},
	{Name: "elb", line: (*Parser).elb, text: true},
	{Name: "s3", line: (*Parser).s3, text: true},
	{Name: "haproxy", line: (*Parser).haproxy, text: true},
	// Combined would take these two formats' lines (and drop what they
	// add), so they come first; lighttpd's detect is stricter than its
	// parser (see lighttpd.go). Named, traefik reads Traefik's text log
	// and its JSON one (traefikAny); auto picks the JSON one as
	// traefik-json, above, so it tries the text alone.
	{Name: "traefik", line: (*Parser).traefikAny, detect: (*Parser).traefik, text: true},
	{Name: "lighttpd", line: (*Parser).lighttpd, detect: (*Parser).lighttpdDetect, text: true},
	{Name: "combined", line: (*Parser).clf, text: true},
	{Name: "common", line: (*Parser).clf, text: true, alias: true},
	{Name: "vhost_combined", line: (*Parser).clf, text: true, alias: true},
}

// Auto is the format that picks a named format from an input's first lines.
var Auto = &Format{Name: "auto"}

// Named returns the names of the named formats, for help and errors:
// the formats, then their syslog variants as one "syslog-NAME" (syslog-
// before the name of any text format; Lookup knows them all).
func Named() []string {
	names := make([]string, 0, len(named)+1)
	syslog := false
	for _, f := range named {
		names = append(names, f.Name)
		syslog = syslog || f.text
	}
	if syslog {
		names = append(names, "syslog-NAME")
	}
	return names
}

// Lookup returns the format spec names: "auto", a named format, or a
// format string (nginx's when it has '$', Apache's when it has '%'). A
// spec that is none of these is an error that says what would be.
func Lookup(spec string) (*Format, error) {
	if spec == "auto" || spec == "" {
		return Auto, nil
	}
	formats := named
	if strings.HasPrefix(spec, "syslog-") {
		formats = syslogFormats
	}
	for _, f := range formats {
		if f.Name == spec {
			return f, nil
		}
	}
	if spec == "json" || strings.HasPrefix(spec, jsonPrefix) {
		return jsonMapping(spec)
	}
	if nginx, ok := isFormatString(spec); ok {
		return compileFormatString(spec, nginx)
	}
	return nil, fmt.Errorf("unknown log format %q: want auto, one of %s, or a format string from the server's configuration", spec, strings.Join(Named(), ", "))
}

// Stream is one input's parsing state, shared by the parsers of that
// input (NewParser): the format auto picked, once, and what a format
// learns from the input itself. The input layer parses an input's lines
// in one goroutine, in order, so the parsers of a stream are used one at
// a time and a Stream needs no lock.
type Stream struct {
	format *Format // picked; nil while auto has not picked yet

	auto    bool     // the format is auto's pick
	took    bool     // a line was taken: no more giving up (see miss)
	misses  int      // lines not taken before one was
	reasons []string // why the format (each of auto's) refused the first line
	looks   string   // what the first line not taken looks like

	w3c w3cState // the last #Fields: and #Date: of a W3C or CloudFront log
}

// NewStream starts the parsing state of one input in format f.
func (f *Format) NewStream() *Stream {
	s := &Stream{}
	if f == Auto {
		s.auto = true
	} else {
		s.format = f
	}
	return s
}

// NewParser returns a parser of the stream's lines that keeps what it
// parses until Reset (see Parser.Keep).
func (s *Stream) NewParser() *Parser { return &Parser{Keep: true, stream: s} }

// Format is the stream's format: the one given, or the one auto picked;
// nil until auto picks.
func (s *Stream) Format() *Format { return s.format }

// maxMisses is how many lines a stream reads without a single one in its
// format before it gives up on the input (NoFormatError): enough for a
// stretch of garbage (a binary block, error-log lines) before the log
// itself, few enough to fail within a second on a file of another kind.
const maxMisses = 1000

// NoFormatError is a stream's error when none of the first maxMisses
// lines of its input is of its format (or, for auto, of any format it
// knows). It ends the input (Fatal): a stream of rejected lines would say
// less than what the input looks like.
type NoFormatError struct {
	Lines   int      // the lines tried
	Format  string   // the format given; "" for auto
	Reasons []string // "combined: bad timestamp ...", for the first line
	Looks   string   // what the first line looks like: "binary data", "JSON"...
}

func (e *NoFormatError) Error() string {
	if e.Format != "" {
		return fmt.Sprintf("none of the %d lines read is of log format %s: the first is not (%s); it looks like %s",
			e.Lines, e.Format, strings.Join(e.Reasons, "; "), e.Looks)
	}
	return fmt.Sprintf("the %d lines read are of no log format logmon knows; the first line looks like %s, and is not %s (give --log-format a format string from the server's configuration)",
		e.Lines, e.Looks, strings.Join(e.Reasons, "; not "))
}

// Fatal says the error ends the input (see driver).
func (e *NoFormatError) Fatal() bool { return true }

// Header: no.
func (e *NoFormatError) Header() bool { return false }

// looksLike says what a line that no format took looks like, for the
// error that gives up on its input.
func looksLike(line []byte) string {
	ctl := 0
	for _, c := range line {
		if c < 0x20 && c != '\t' || c == 0x7f {
			ctl++
		}
	}
	t := bytes.TrimSpace(line)
	switch {
	case ctl > 0 && ctl*20 > len(line):
		return "binary data (compressed with a compression logmon does not read, or no text at all)"
	case len(t) > 0 && t[0] == '{':
		return "JSON, but not of a JSON log format logmon knows (map its keys: see --log-format json:...)"
	case len(t) > 0 && t[0] == '<':
		return "syslog (try --log-format syslog-combined, or another syslog- format)"
	case len(t) > 0 && t[0] == '#':
		return "a header or comment"
	}
	return "text of another format: " + quote(line)
}

// miss counts a line the stream's format (or auto's formats) did not
// take, before any line was taken; reasons are what they said of it. It
// returns the error that gives up on the input after maxMisses of them.
func (s *Stream) miss(line []byte, reasons []string) error {
	if s.misses == 0 {
		s.reasons, s.looks = reasons, looksLike(line)
	}
	s.misses++
	if s.misses < maxMisses {
		return nil
	}
	return s.Ended()
}

// Ended is the error of an input that ended before a single line was of
// its format, when some were not (blank lines alone are no input): the
// NoFormatError it would have given up with after maxMisses lines; nil
// otherwise.
func (s *Stream) Ended() error {
	if s.took || s.misses == 0 {
		return nil
	}
	e := &NoFormatError{Lines: s.misses, Reasons: s.reasons, Looks: s.looks}
	if !s.auto {
		e.Format = s.format.Name
	}
	return e
}

// pick is auto's parse of a line while no format is picked: the first
// format (in named order, then the syslog variants: autoOrder) that takes
// the line is the stream's from then on. A format's header line (W3C's
// #Fields:) picks it too; a header that cannot tell W3C from CloudFront
// yet (#Version:, #Date:) is counted as a header and picks nothing. A
// line no format takes is rejected; after maxMisses of them the input
// ends.
func (s *Stream) pick(p *Parser, line []byte, r *record.Request) error {
	var reasons []string
	noSyslog := false
	for _, f := range autoOrder {
		if f.alias {
			continue
		}
		try := f.detect
		if try == nil {
			try = f.line
		}
		r.Reset() // of what a format tried before left in it
		p.rest = nil
		err := try(p, line, r)
		if le, ok := err.(*LineError); err == nil || ok && le.IsHeader {
			if le == errW3CUndecided {
				return err
			}
			s.format, s.took = f, true
			p.notice = "log format " + f.Name + ", picked from the first line of a known format (--log-format names it)"
			if rest := bytes.TrimSpace(p.rest); len(rest) > 0 {
				// Fields after Combined's last, which its parser skips:
				// lost unless the user says what they are.
				p.notice += "; the line goes on after the user agent, " + quote(rest) + ", which " + f.Name +
					" does not read: give the server's log_format or LogFormat string with --log-format to read it"
			}
			return err
		}
		if s.misses == 0 {
			if f.inner != nil && err == errNoSyslog {
				// One reason for all the syslog variants.
				if noSyslog {
					continue
				}
				noSyslog = true
				reasons = append(reasons, "syslog-NAME: "+err.Error())
				continue
			}
			reasons = append(reasons, f.Name+": "+err.Error())
		}
	}
	if err := s.miss(line, reasons); err != nil {
		return err
	}
	return &LineError{Reason: "of no log format logmon knows (yet): " + quote(line)}
}
