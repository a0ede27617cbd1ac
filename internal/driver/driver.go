// Package driver runs every logmon command over its input: parse is the
// driver with no fold, stats and alert are folds (aggregate.Aggregator,
// alert.Engine), render is a sink alone. The driver owns what every
// command does alike: it hands requests to the fold, writes what passes
// on, reports bad lines (counted, rate-limited, kept by --rejects), keeps
// the state (package checkpoint), flushes, and prints the tally at the
// end.
//
// A record follows one path: package input reads the line and parses it
// into an item; Driver.Item counts a request in the fold and passes the
// line on to the sink as the command says; the fold writes its own
// records (summaries, alerts) to the sink when their time is judged.
package driver

import (
	"bufio"
	"errors"
	"fmt"
	"time"

	"github.com/logmon/logmon/internal/checkpoint"
	"github.com/logmon/logmon/internal/clock"
	"github.com/logmon/logmon/internal/diag"
	"github.com/logmon/logmon/internal/eventtime"
	"github.com/logmon/logmon/internal/input"
	"github.com/logmon/logmon/internal/record"
)

// Fold folds request events into records of its own: aggregate.Aggregator,
// alert.Engine.
type Fold interface {
	Request(r *record.Request) error
	// Clock is the fold's event-time clock: the driver holds a request
	// far from the stream's time until the lines after it confirm the
	// jump (see jump.go), and rejects it otherwise.
	Clock() *eventtime.Clock
	// Idle is called when the input has been quiet for a whole tick;
	// now is the wall clock, lastInput when the input last arrived.
	Idle(now, lastInput time.Time) error
	// End judges what is left at the end of the stream.
	End() error
}

// SummaryFold is a Fold that folds summary records too (stats and alert
// fold the summaries of many hosts: aggregate/merge.go, alert/merge.go).
// Summary returns an error wrapping record.ErrBadRecord for a summary it
// cannot count (the line is reported and the stream goes on), and
// Repeated for one it has counted before; any other error ends the run.
type SummaryFold interface {
	Summary(s *record.Summary) error
	Repeated(err error) bool
}

// Stateful is a Fold whose state can be kept across runs (--state).
type Stateful interface {
	Fold
	// State returns the state to save (as JSON); Restore takes it back.
	State() any
	Restore(data []byte) error
}

// Pauser is a Stateful fold that has something to write when a run whose
// state is kept ends: the end of its input is not the end of the stream,
// and the next run goes on from the saved state (aggregate writes the
// open intervals as partial summaries).
type Pauser interface {
	Pause() error
}

// Sink is where the driver writes (render.Sink satisfies it).
type Sink interface {
	Request(r *record.Request) error
	Raw(typ record.Type, line []byte) error // a record passed on as it came
	Flush() error
}

// Config is one command's work on its input.
type Config struct {
	Fold Fold // nil: nothing is folded (parse, render)
	Out  Sink
	// Pass writes every request on: the request record of a log line,
	// or a request record as it came. Records of other types are always
	// passed on.
	Pass bool
	Warn *diag.Warner
	// Rejects, when set, gets every bad line as it came; it is flushed
	// with the output.
	Rejects *bufio.Writer
	// State, when set, keeps Fold's state (which must then be Stateful).
	State *checkpoint.Keeper
	// Since and Until, when not zero, bound the requests taken by event
	// time: Since <= time < Until (--since, --until). A request outside
	// is counted in the tally, not rejected; other records pass as ever.
	Since, Until time.Time
	// Observe, when set, is told of each request counted in Fold and of
	// each line rejected (--metrics). Nil costs one comparison a line.
	Observe Observer
}

// Observer is told of what the driver counts, as it counts it (package
// metrics serves it to Prometheus). It is called on the driver's
// goroutine and must not keep r.
type Observer interface {
	// Took: r was counted in the fold; late: its second was already
	// judged, so it counted in the earliest open second.
	Took(r *record.Request, late bool)
	// Rejected: a line was not counted, for the reason given.
	Rejected(why Rejection)
}

// Rejection is why a line was not counted.
type Rejection int

// The reasons, as the tally counts them.
const (
	BadLine       Rejection = iota // a log line that does not parse (the tally's rejected)
	InvalidRecord                  // a record that is not valid (the tally's invalid records)
	Outlier                        // a request far from the stream's time (--max-jump)
)

// Driver is an input.Handler running one command. Its counts are the
// tally printed at the end.
type Driver struct {
	cfg Config

	Lines, Requests, Rejected int64 // of log lines
	Passed                    int64 // records passed on among log lines (logmon parse)
	Invalid, Skipped          int64 // of records
	Outliers                  int64 // requests rejected as far from the stream's time (jump.go)
	Headers                   int64 // lines of the log format's own, such as W3C's #Fields (counted in Lines)
	Outside                   int64 // requests outside --since/--until (counted in Requests)
	Summaries, Repeated       int64 // summary records folded, and dropped as repeats
	SkippedSummaries          int64 // summaries at or before the saved position
	blanks                    int64 // blank lines before the form was known
	form                      input.Form

	sums       SummaryFold // the fold, when it folds summaries
	sum        record.Summary
	dec        record.Decoder
	clock      *eventtime.Clock // the fold's; nil without a fold
	wall       clock.Clock      // the wall clock the input ticks on; nil without
	held       []held           // requests far from the stream and the lines after them, waiting (jump.go)
	heldReqs   int              // the requests among them
	heldNewest int64            // their newest second
	heldBytes  int
	spare      []held // held's other buffers (startAt)
	started    bool   // the stream has a time before its first request is counted
	startRef   int64  // that time
}

// New returns the driver of cfg.
func New(cfg Config) *Driver {
	d := &Driver{cfg: cfg}
	if cfg.Fold != nil {
		d.clock = cfg.Fold.Clock()
		d.sums, _ = cfg.Fold.(SummaryFold)
	}
	return d
}

// Run drives the command over in until the input ends or the command is
// stopped (input.ErrStopped).
func (d *Driver) Run(in input.Config) error {
	if in.Mixed {
		d.form = input.Logs // known from the start: the tally is parse's
	}
	d.wall = in.Clock
	return input.Run(in, d)
}

// Load restores the fold and the position from the state file, when there
// is one (see checkpoint.Keeper.Load).
func (d *Driver) Load() (found bool, err error) {
	return d.cfg.State.Load(d.cfg.Fold.(Stateful).Restore)
}

// Item implements input.Handler.
func (d *Driver) Item(it *input.Item) error {
	if d.form != it.Form && it.Form != input.Unknown {
		d.decided(it.Form)
	}
	if d.form == input.Logs {
		d.Lines++
	}
	if it.Notice != "" {
		d.cfg.Warn.Printf("%s", it.Notice)
	}
	switch it.Kind {
	case input.Request:
		if !it.Decoded {
			d.Requests++
		}
		return d.request(it)
	case input.Record:
		return d.record(it)
	}
	var e lineError
	if errors.As(it.Err, &e) {
		switch {
		case e.Fatal():
			return it.Err // no line of the input will do (parse.NoFormatError)
		case e.Header():
			d.Headers++ // a line of the format's own, not a request: W3C's #Fields
			return nil
		}
	}
	return d.bad(it, it.Err.Error())
}

// lineError is what a parser's error may say beyond its reason
// (parse.LineError, parse.NoFormatError), without the driver importing a
// stage.
type lineError interface {
	Fatal() bool  // no line of the input can be parsed: end the run with it
	Header() bool // the line is the format's own (a W3C directive): no request, no fault
}

// decided counts the blank lines that came before the form was known as
// the form says: rejected log lines, or invalid records.
func (d *Driver) decided(f input.Form) {
	d.form = f
	why := InvalidRecord
	if f == input.Logs {
		d.Lines += d.blanks
		d.Rejected += d.blanks
		why = BadLine
	} else {
		d.Invalid += d.blanks
	}
	for range d.blanks {
		d.observeRejected(why)
	}
	d.blanks = 0
}

func (d *Driver) request(it *input.Item) error {
	r := it.Req
	if k := d.cfg.State; k != nil && k.Skip(r.File, r.Offset) {
		d.Skipped++
		return nil
	}
	if d.outside(r) {
		d.Outside++
		return nil
	}
	if d.clock != nil {
		return d.judge(it)
	}
	return d.take(it)
}

// summary folds a summary record.
func (d *Driver) summary(it *input.Item) error {
	s := &d.sum
	if err := d.dec.Summary(it.Text, s); err != nil {
		return d.bad(it, fmt.Sprintf("bad summary: %v", err))
	}
	var at []byte
	if s.Seq != 0 {
		at = []byte("nats:" + s.Stream)
	}
	k := d.cfg.State
	if k != nil && k.Skip(at, s.Seq) {
		d.SkippedSummaries++
		return nil
	}
	err := d.sums.Summary(s)
	switch {
	case err == nil:
		d.Summaries++
	case d.sums.Repeated(err):
		d.Repeated++
	case errors.Is(err, record.ErrBadRecord):
		return d.bad(it, err.Error())
	default:
		return err
	}
	if k != nil {
		k.Counted(at, s.Seq)
	}
	return nil
}

// outside reports whether r is outside --since and --until.
func (d *Driver) outside(r *record.Request) bool {
	if s := d.cfg.Since; !s.IsZero() && (r.Sec < s.Unix() || r.Sec == s.Unix() && int(r.Nsec) < s.Nanosecond()) {
		return true
	}
	if u := d.cfg.Until; !u.IsZero() && (r.Sec > u.Unix() || r.Sec == u.Unix() && int(r.Nsec) >= u.Nanosecond()) {
		return true
	}
	return false
}

// take counts a request in the fold, records its place, and writes it on
// as the command says.
func (d *Driver) take(it *input.Item) error {
	r := it.Req
	if d.cfg.Fold != nil {
		if err := d.cfg.Fold.Request(r); err != nil {
			return err
		}
		if k := d.cfg.State; k != nil {
			k.Counted(r.File, r.Offset)
		}
		if o := d.cfg.Observe; o != nil {
			// The fold placed r by the clock as it stands now.
			o.Took(r, d.clock.Judged(r.Sec))
		}
	}
	if !d.cfg.Pass {
		return nil
	}
	if it.Decoded {
		return d.pass(it)
	}
	return d.cfg.Out.Request(r)
}

// pass writes a record on as it came. A text output may find a record it
// cannot show (a summary whose fields have the wrong types): that is a
// bad line, not a failed write.
func (d *Driver) pass(it *input.Item) error {
	err := d.cfg.Out.Raw(it.Type, it.Text)
	if errors.Is(err, record.ErrBadRecord) {
		return d.bad(it, err.Error())
	}
	if err == nil && d.form == input.Logs {
		d.Passed++ // a record among log lines (logmon parse)
	}
	return err
}

// bad reports a bad line, counts it and keeps it in Rejects.
func (d *Driver) bad(it *input.Item, reason string) error {
	switch d.form {
	case input.Unknown:
		d.blanks++
	case input.Logs:
		d.Rejected++
		d.observeRejected(BadLine)
	default:
		d.Invalid++
		d.observeRejected(InvalidRecord)
	}
	return d.report(it, reason)
}

func (d *Driver) observeRejected(why Rejection) {
	if o := d.cfg.Observe; o != nil {
		o.Rejected(why)
	}
}

// report warns of a line that is not counted, and keeps it in Rejects.
func (d *Driver) report(it *input.Item, reason string) error {
	switch {
	case it.Path != "":
		d.cfg.Warn.At(fmt.Sprintf("%s at byte %d", it.Path, it.Offset), "%s", reason)
	default:
		d.cfg.Warn.Line(it.N, "%s", reason)
	}
	if d.cfg.Rejects == nil {
		return nil
	}
	d.cfg.Rejects.Write(it.Text)
	if err := d.cfg.Rejects.WriteByte('\n'); err != nil {
		return fmt.Errorf("writing rejects: %w", err) // a bufio.Writer keeps its first error
	}
	return nil
}

// Tick implements input.Handler: event time moves on with the wall clock
// while the input is quiet, and the state is saved when a save is due.
func (d *Driver) Tick(now, lastInput time.Time, quiet bool) error {
	if quiet && d.cfg.Fold != nil {
		if len(d.held) > 0 && !d.clock.Begun() {
			// The first lines wait for the lines after them, or for
			// the input to go quiet: live, they may be all there is.
			if err := d.settle(); err != nil {
				return err
			}
		}
		if err := d.cfg.Fold.Idle(now, lastInput); err != nil {
			return err
		}
	}
	if k := d.cfg.State; k != nil && k.Due(now) {
		return d.save()
	}
	return nil
}

// save flushes the output, then saves the state, so that a state never
// counts a record whose output was not written.
func (d *Driver) save() error {
	if err := d.cfg.Out.Flush(); err != nil {
		return err
	}
	if err := d.cfg.State.Save(d.cfg.Fold.(Stateful).State()); err != nil {
		return err
	}
	d.cfg.Warn.Debugf("state saved to %s", d.cfg.State.Path)
	return nil
}

// End implements input.Handler: the fold judges what is left (with a kept
// state, the state is saved and the fold paused instead: the next run
// goes on from it), and the tally is printed.
func (d *Driver) End() error {
	if len(d.held) > 0 {
		if err := d.settle(); err != nil {
			return err
		}
	}
	switch {
	case d.cfg.State != nil:
		if err := d.save(); err != nil {
			return err
		}
		if p, ok := d.cfg.Fold.(Pauser); ok {
			if err := p.Pause(); err != nil {
				return err
			}
		}
	case d.cfg.Fold != nil:
		if err := d.cfg.Fold.End(); err != nil {
			return err
		}
	}
	w := d.cfg.Warn
	switch {
	case d.form == input.Logs:
		msg := fmt.Sprintf("%d lines: %d requests, %d rejected", d.Lines, d.Requests, d.Rejected)
		if d.Headers > 0 {
			msg += fmt.Sprintf(", %d format headers", d.Headers)
		}
		if d.Passed > 0 {
			msg += fmt.Sprintf(", %d records passed through", d.Passed)
		}
		w.Printf("%s", msg)
	case d.form == input.Unknown && d.blanks > 0:
		w.Printf("%d blank lines skipped", d.blanks)
	}
	if d.Skipped > 0 {
		w.Printf("%d requests at or before the saved position skipped: counted before the restart", d.Skipped)
	}
	if d.Outside > 0 {
		w.Printf("%d requests outside --since/--until left out", d.Outside)
	}
	if d.SkippedSummaries > 0 {
		w.Printf("%d summaries at or before the saved position skipped: counted before the restart", d.SkippedSummaries)
	}
	if d.Repeated > 0 {
		w.Printf("%d repeated summaries (same host and start) counted once", d.Repeated)
	}
	if d.Invalid > 0 {
		w.Printf("%d invalid records skipped", d.Invalid)
	}
	if d.Outliers > 0 {
		w.Printf("%d requests rejected: timestamp far from the stream (more than --max-jump), and not followed by the lines after them", d.Outliers)
	}
	return nil
}

// Flush implements input.Handler.
func (d *Driver) Flush() error {
	if d.cfg.Rejects != nil {
		if err := d.cfg.Rejects.Flush(); err != nil {
			return fmt.Errorf("writing rejects: %w", err)
		}
	}
	return d.cfg.Out.Flush()
}
