package stream

import (
	"bufio"
	"errors"
	"fmt"
	"time"

	"github.com/logmon/logmon/parse"
	"github.com/logmon/logmon/render"
)

// Output is where a stage writes records (render.Sink satisfies it).
type Output interface {
	Request(r *parse.Request) error
	Raw(record []byte) error // a JSON record passed through unchanged
	Flush() error
}

// Consumer folds request events: aggregate.Aggregator, alert.Engine.
type Consumer interface {
	Request(r *parse.Request) error
	Idle(now, lastInput time.Time) error
	End() error
}

// Records is the stage that reads JSON records: request records go to the
// consumer (and on to the output too when Pass is set); records of any
// other type are passed through unchanged, in order. C may be nil: then
// every record is only checked and passed on (logmon render). A line that
// is not a valid record is reported, skipped and counted in Invalid.
type Records struct {
	C       Consumer
	Out     Output
	Pass    bool
	Warn    *Warner
	Invalid int64

	dec parse.Decoder
	req parse.Request
}

// Line implements Stage.
func (s *Records) Line(l Line) error {
	if l.TooLong {
		s.Invalid++
		s.Warn.Line(l.N, "line longer than %d bytes", MaxLine)
		return nil
	}
	typ, err := s.dec.Record(l.Text, &s.req)
	if err != nil {
		s.Invalid++
		s.Warn.Line(l.N, "not a valid record: %v", err)
		return nil
	}
	if typ != "request" {
		return s.raw(l)
	}
	if s.C != nil {
		if err := s.C.Request(&s.req); err != nil {
			return err
		}
	}
	if s.Pass {
		return s.raw(l)
	}
	return nil
}

func (s *Records) raw(l Line) error {
	skipped, err := passOn(s.Out, s.Warn, l)
	if skipped {
		s.Invalid++
	}
	return err
}

// passOn writes a record through unchanged. A text output may find a
// record it cannot show (a summary whose fields have the wrong types):
// that is a bad line, not a failed write. passOn reports it and says it
// skipped it.
func passOn(out Output, warn *Warner, l Line) (skipped bool, err error) {
	err = out.Raw(l.Text)
	if errors.Is(err, render.ErrBadRecord) {
		warn.Line(l.N, "%v", err)
		return true, nil
	}
	return false, err
}

// Idle implements Stage.
func (s *Records) Idle(now, lastInput time.Time) error {
	if s.C == nil {
		return nil
	}
	return s.C.Idle(now, lastInput)
}

// End implements Stage.
func (s *Records) End() error {
	if s.C != nil {
		if err := s.C.End(); err != nil {
			return err
		}
	}
	if s.Invalid > 0 {
		s.Warn.Printf("%d invalid records skipped", s.Invalid)
	}
	return nil
}

// Flush implements Stage.
func (s *Records) Flush() error { return s.Out.Flush() }

// Logs is the stage that parses raw access-log lines into request
// records. A line it cannot parse is counted, reported (rate-limited),
// written verbatim to Rejects when set, and the stream goes on. Lines that
// already are JSON records are passed through, so stages compose in any
// order.
type Logs struct {
	Out  Output
	Warn *Warner
	// Rejects, when set, gets the rejected lines; it is flushed with
	// the output.
	Rejects *bufio.Writer

	Lines, Requests, Rejected, Passed int64

	p   parse.Parser
	dec parse.Decoder
	req parse.Request
}

// Line implements Stage.
func (s *Logs) Line(l Line) error {
	s.Lines++
	if l.TooLong {
		return s.reject(l.N, l.Text, fmt.Sprintf("line longer than %d bytes", MaxLine))
	}
	if len(l.Text) > 0 && l.Text[0] == '{' {
		if _, err := s.dec.Record(l.Text, &s.req); err == nil {
			skipped, err := passOn(s.Out, s.Warn, l)
			if skipped {
				return s.keep(l.Text) // reported by passOn; counted and kept here
			}
			s.Passed++
			return err
		}
	}
	if err := s.p.Line(l.Text, &s.req); err != nil {
		return s.reject(l.N, l.Text, err.Error())
	}
	s.Requests++
	return s.Out.Request(&s.req)
}

// reject reports a bad line, counts it and keeps it in Rejects.
func (s *Logs) reject(n int64, text []byte, reason string) error {
	s.Warn.Line(n, "%s", reason)
	return s.keep(text)
}

// keep counts a rejected line and writes it, as it came, to Rejects.
func (s *Logs) keep(text []byte) error {
	s.Rejected++
	if s.Rejects == nil {
		return nil
	}
	s.Rejects.Write(text)
	if err := s.Rejects.WriteByte('\n'); err != nil {
		return fmt.Errorf("writing rejects: %w", err) // a bufio.Writer keeps its first error
	}
	return nil
}

// Idle implements Stage: parsing has no time of its own.
func (s *Logs) Idle(time.Time, time.Time) error { return nil }

// End implements Stage: it prints the tally.
func (s *Logs) End() error {
	msg := fmt.Sprintf("%d lines: %d requests, %d rejected", s.Lines, s.Requests, s.Rejected)
	if s.Passed > 0 {
		msg += fmt.Sprintf(", %d records passed through", s.Passed)
	}
	s.Warn.Printf("%s", msg)
	return nil
}

// Flush implements Stage.
func (s *Logs) Flush() error {
	if s.Rejects != nil {
		if err := s.Rejects.Flush(); err != nil {
			return fmt.Errorf("writing rejects: %w", err)
		}
	}
	return s.Out.Flush()
}
