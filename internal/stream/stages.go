package stream

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/logmon/logmon/internal/record"

	"github.com/logmon/logmon/internal/checkpoint"
	"github.com/logmon/logmon/parse"
	"github.com/logmon/logmon/render"
)

// Output is where a stage writes records (render.Sink satisfies it).
type Output interface {
	Request(r *record.Request) error
	Raw(typ record.Type, line []byte) error // a JSON record passed through unchanged
	Flush() error
}

// Consumer folds request events: aggregate.Aggregator, alert.Engine.
type Consumer interface {
	Request(r *record.Request) error
	Idle(now, lastInput time.Time) error
	End() error
}

// Stateful is a Consumer whose state can be kept across runs (--state).
type Stateful interface {
	Consumer
	// State returns the state to save (as JSON); Restore takes it back.
	State() any
	Restore(data []byte) error
	// Pause is End for a run whose state is kept: the end of its input
	// is not the end of the stream, and the next run goes on from the
	// saved state.
	Pause() error
}

// Keep says where and how often an Events stage keeps its consumer's
// state (package checkpoint).
type Keep struct {
	Path     string
	Command  string
	Settings any           // saved with the state; a state saved with other settings is refused
	Every    time.Duration // wall time between saves while the stream runs

	last  time.Time
	dirty bool // something was counted since the last save
}

// Events is the stage of stats, alert and render: it reads request
// events, either as JSON records (what logmon parse writes) or as raw
// access-log lines, which it parses itself, with no JSON in between.
// Which one is decided once, from the first line that is not blank: a
// line starting with '{' means records. Blank lines before it are bad
// lines in either form, counted as such once the form is known.
//
// Records: request records go to the consumer (and on to the output too
// when Pass is set); records of any other type are passed through
// unchanged, in order. A line that is not a valid record is reported,
// skipped and counted in Invalid.
//
// Log lines: each is parsed as logmon parse does; a request goes to the
// consumer (and, with Pass, on to the output as its request record); a
// line that cannot be parsed is reported, skipped and counted in
// Rejected. End reports the tally as parse does.
//
// C may be nil: then every event is only checked and passed on (logmon
// render).
//
// With Keep set, C must be Stateful: its state and the position of the
// last request counted (see record.Request.File) are saved to Keep.Path
// every Keep.Every, on a stop and at the end of input, each time after
// the output is flushed, so a state never counts a record whose output
// was not written. Requests at or before the saved position in its file
// are skipped, counted in Skipped: they were counted before a restart.
type Events struct {
	C       Consumer
	Out     Output
	Pass    bool
	Warn    *Warner
	Keep    *Keep
	Invalid int64 // bad records
	Skipped int64

	// Raw log input (see above): set once the first line is seen.
	Logs                      bool
	Lines, Requests, Rejected int64

	form   form                // of the input, as Line sees it
	ahead  form                // the same, as preparse sees it (another goroutine)
	blanks int64               // blank lines before the form was known
	pos    checkpoint.Position // of the last request counted; File "" when none
	dec    record.Decoder
	p      parse.Parser
	req    record.Request
}

// form tells JSON records from raw log lines: it is decided by the first
// line that is not blank.
type form struct {
	decided, logs bool
}

// see decides the form from text if it is not decided yet, by its first
// byte that is not a space or a tab.
func (f *form) see(text []byte) {
	if f.decided {
		return
	}
	for _, c := range text {
		if c != ' ' && c != '\t' {
			f.decided, f.logs = true, c != '{'
			return
		}
	}
}

// preparse parses the lines of b ahead of Line (see Run), as Line would.
func (s *Events) preparse(b *batch) {
	for i, l := range b.lines {
		pr := &b.pre[i]
		pr.kind = preNone
		s.ahead.see(l.Text)
		switch {
		case !s.ahead.decided || l.TooLong:
		case s.ahead.logs:
			if len(l.Text) <= MaxLine {
				pr.kind, pr.err = preLog, b.p.Line(l.Text, &pr.req)
			}
		default:
			pr.kind = preRecord
			pr.typ, pr.err = b.dec.Record(l.Text, &pr.req)
		}
	}
}

// Load restores the consumer and the position from Keep.Path. found is
// false when there is no state file yet (a fresh start). A state file
// that cannot be used is refused with a *checkpoint.Error.
func (s *Events) Load() (found bool, err error) {
	f, found, err := checkpoint.Load(s.Keep.Path)
	if err != nil || !found {
		return found, err
	}
	if err := f.Check(s.Keep.Path, s.Keep.Command, s.Keep.Settings); err != nil {
		return true, err
	}
	if err := s.C.(Stateful).Restore(f.State); err != nil {
		return true, &checkpoint.Error{Path: s.Keep.Path, Reason: fmt.Sprintf("holds a state logmon cannot go on from: %v", err)}
	}
	if f.Position != nil {
		s.pos = *f.Position
	}
	return true, nil
}

// Checkpoint implements Checkpointer: it saves the state when it is due.
func (s *Events) Checkpoint(now time.Time) error {
	k := s.Keep
	if k == nil || !k.dirty || now.Sub(k.last) < k.Every {
		return nil
	}
	k.last = now
	return s.save()
}

// save flushes the output, then saves the state.
func (s *Events) save() error {
	if err := s.Out.Flush(); err != nil {
		return err
	}
	f := &checkpoint.File{Command: s.Keep.Command}
	var err error
	if f.Settings, err = json.Marshal(s.Keep.Settings); err != nil {
		return err
	}
	if f.State, err = json.Marshal(s.C.(Stateful).State()); err != nil {
		return err
	}
	if s.pos.File != "" {
		pos := s.pos
		f.Position = &pos
	}
	if err := checkpoint.Save(s.Keep.Path, f); err != nil {
		return err
	}
	s.Keep.dirty = false
	s.Warn.Debugf("state saved to %s", s.Keep.Path)
	return nil
}

// Line implements Stage.
func (s *Events) Line(l Line) error {
	if !s.form.decided {
		if s.form.see(l.Text); !s.form.decided {
			// Bad in either form; counted as such once the form is known.
			s.blanks++
			s.Warn.Line(l.N, "%v", s.p.Line(l.Text, &s.req))
			return nil
		}
		s.Logs = s.form.logs
		if s.Logs {
			s.Lines += s.blanks
			s.Rejected += s.blanks
		} else {
			s.Invalid += s.blanks
		}
	}
	if s.Logs {
		return s.logLine(l)
	}
	if l.TooLong {
		s.Invalid++
		s.Warn.Line(l.N, "line longer than %d bytes", MaxRecord)
		return nil
	}
	r := &s.req
	var typ record.Type
	var err error
	if l.pre != nil && l.pre.kind == preRecord {
		r, typ, err = &l.pre.req, l.pre.typ, l.pre.err
	} else {
		typ, err = s.dec.Record(l.Text, r)
	}
	if err != nil {
		s.Invalid++
		s.Warn.Line(l.N, "not a valid record: %v", err)
		return nil
	}
	if typ != record.TypeRequest {
		return s.raw(typ, l)
	}
	if f := r.File; f != nil && s.pos.File != "" && string(f) == s.pos.File && r.Offset <= s.pos.Offset {
		s.Skipped++
		return nil
	}
	if err := s.count(r); err != nil {
		return err
	}
	if s.Pass {
		return s.raw(typ, l)
	}
	return nil
}

// logLine handles a raw log line.
func (s *Events) logLine(l Line) error {
	s.Lines++
	if l.TooLong || len(l.Text) > MaxLine {
		s.Rejected++
		s.Warn.Line(l.N, "line longer than %d bytes", MaxLine)
		return nil
	}
	r, err := logRequest(l, &s.p, &s.req)
	if err != nil {
		s.Rejected++
		s.Warn.Line(l.N, "%v", err)
		return nil
	}
	s.Requests++
	if err := s.count(r); err != nil {
		return err
	}
	if s.Pass {
		return s.Out.Request(r)
	}
	return nil
}

// count hands the request to the consumer and keeps its position.
func (s *Events) count(r *record.Request) error {
	if s.C == nil {
		return nil
	}
	if err := s.C.Request(r); err != nil {
		return err
	}
	if s.Keep != nil {
		s.Keep.dirty = true
		if r.File != nil {
			if string(r.File) != s.pos.File {
				s.pos.File = string(r.File)
			}
			s.pos.Offset = r.Offset
		}
	}
	return nil
}

// logRequest returns l parsed as a log line: parsed ahead when Run did
// (see preparse), else parsed now with p into r.
func logRequest(l Line, p *parse.Parser, r *record.Request) (*record.Request, error) {
	if l.pre != nil && l.pre.kind == preLog {
		return &l.pre.req, l.pre.err
	}
	return r, p.Line(l.Text, r)
}

func (s *Events) raw(typ record.Type, l Line) error {
	skipped, err := passOn(s.Out, s.Warn, typ, l)
	if skipped {
		s.Invalid++
	}
	return err
}

// passOn writes a record through unchanged. A text output may find a
// record it cannot show (a summary whose fields have the wrong types):
// that is a bad line, not a failed write. passOn reports it and says it
// skipped it.
func passOn(out Output, warn *Warner, typ record.Type, l Line) (skipped bool, err error) {
	err = out.Raw(typ, l.Text)
	if errors.Is(err, render.ErrBadRecord) {
		warn.Line(l.N, "%v", err)
		return true, nil
	}
	return false, err
}

// Idle implements Stage.
func (s *Events) Idle(now, lastInput time.Time) error {
	if s.C == nil {
		return nil
	}
	return s.C.Idle(now, lastInput)
}

// End implements Stage. With Keep, the state is saved and the consumer
// paused rather than ended.
func (s *Events) End() error {
	switch {
	case s.Keep != nil:
		if err := s.save(); err != nil {
			return err
		}
		if err := s.C.(Stateful).Pause(); err != nil {
			return err
		}
	case s.C != nil:
		if err := s.C.End(); err != nil {
			return err
		}
	}
	switch {
	case s.Logs:
		s.Warn.Printf("%d lines: %d requests, %d rejected", s.Lines, s.Requests, s.Rejected)
	case !s.form.decided && s.blanks > 0:
		s.Warn.Printf("%d blank lines skipped", s.blanks)
	}
	if s.Skipped > 0 {
		s.Warn.Printf("%d requests at or before the saved position skipped: counted before the restart", s.Skipped)
	}
	if s.Invalid > 0 {
		s.Warn.Printf("%d invalid records skipped", s.Invalid)
	}
	return nil
}

// Flush implements Stage.
func (s *Events) Flush() error { return s.Out.Flush() }

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
	// Where, when set, maps a line's offset in the input to the file it
	// came from (follow.Follower.Where): every request then carries the
	// file's identity and the line's offset in it, and warnings say
	// "FILE at byte N" rather than a line number.
	Where func(off int64) (id string, offset int64, path string)

	Lines, Requests, Rejected, Passed int64

	p      parse.Parser
	dec    record.Decoder
	req    record.Request
	fileID string // the identity Where gave last, and its bytes
	fileB  []byte
}

// preparse parses the lines of b ahead of Line (see Run), as Line would.
func (s *Logs) preparse(b *batch) {
	for i, l := range b.lines {
		pr := &b.pre[i]
		pr.kind = preNone
		if l.TooLong {
			continue
		}
		if len(l.Text) > 0 && l.Text[0] == '{' {
			if typ, err := b.dec.Record(l.Text, &pr.req); err == nil {
				pr.kind, pr.typ, pr.err = preRecord, typ, nil
				continue
			}
		}
		pr.kind, pr.err = preLog, b.p.Line(l.Text, &pr.req)
	}
}

// Line implements Stage.
func (s *Logs) Line(l Line) error {
	s.Lines++
	if l.TooLong {
		return s.reject(l, fmt.Sprintf("line longer than %d bytes", MaxLine))
	}
	isRecord, typ := false, record.TypeOther
	if l.pre != nil {
		isRecord, typ = l.pre.kind == preRecord, l.pre.typ
	} else if len(l.Text) > 0 && l.Text[0] == '{' {
		var err error
		typ, err = s.dec.Record(l.Text, &s.req)
		isRecord = err == nil
	}
	if isRecord {
		skipped, err := passOn(s.Out, s.Warn, typ, l)
		if skipped {
			return s.keep(l.Text) // reported by passOn; counted and kept here
		}
		s.Passed++
		return err
	}
	r, err := logRequest(l, &s.p, &s.req)
	if err != nil {
		return s.reject(l, err.Error())
	}
	if s.Where != nil {
		// (Where knows every line read since its last 64 files; should
		// it not, the request goes without a position rather than a
		// wrong one.)
		if id, off, _ := s.Where(l.Off); id != "" {
			if id != s.fileID {
				s.fileID, s.fileB = id, []byte(id)
			}
			r.File, r.Offset = s.fileB, off
		}
	}
	s.Requests++
	return s.Out.Request(r)
}

// reject reports a bad line, counts it and keeps it in Rejects.
func (s *Logs) reject(l Line, reason string) error {
	if s.Where != nil {
		_, off, path := s.Where(l.Off)
		s.Warn.At(fmt.Sprintf("%s at byte %d", path, off), "%s", reason)
	} else {
		s.Warn.Line(l.N, "%s", reason)
	}
	return s.keep(l.Text)
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
