package command

import (
	"strconv"
	"strings"
	"time"
	// Zones by name (--tz Europe/Paris) where the system has no zone
	// database, as on Windows: 450 KB.
	_ "time/tzdata"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/logmon/logmon/internal/diag"
	"github.com/logmon/logmon/internal/record"
	"github.com/logmon/logmon/render"
)

// Text for a person: the time zone of text output, and output flushed
// record by record on a terminal.

const tzFlagName = "tz"

// tzFlag is --tz, added to every command that can write text.
func tzFlag() cli.Flag {
	return &cli.StringFlag{
		Name:  tzFlagName,
		Value: "UTC",
		Usage: "the time `ZONE` of text output: an IANA name (Europe/Paris), UTC, or local (the system's); JSON is always UTC",
	}
}

// location is the zone --tz names.
func location(c *cli.Context) (*time.Location, error) {
	switch name := c.String(tzFlagName); name {
	case "", "UTC":
		return time.UTC, nil
	case "local", "Local":
		return time.Local, nil
	default:
		loc, err := time.LoadLocation(name)
		if err != nil {
			return nil, usagef("--tz %q: not a time zone: give an IANA name such as Europe/Paris, UTC or local", name)
		}
		return loc, nil
	}
}

// textSink is the text sink of the command run in c, for a terminal
// when terminal is true.
func textSink(c *cli.Context, e env, terminal bool) (render.Sink, error) {
	loc, err := location(c)
	if err != nil {
		return nil, err
	}
	opts := render.TextOptions{Color: useColor(e), Location: loc}
	if terminal {
		opts.Width = func() int { return termWidth(e) }
	}
	s := render.NewTextWith(e.stdout, opts)
	if terminal {
		s = flushEach{s}
	}
	return s, nil
}

// termWidth is the width text on the terminal is laid out for, asked
// for each record so that a resize is followed: $COLUMNS when it is set
// to a number (as ls and others take it: to choose a width), else the
// terminal's own (its window size, TIOCGWINSZ); 0, no limit, when
// neither is known. Text that is not going to a terminal (a pipe, a
// file) is never laid out for a width: each line whole, for grep, and
// for less -S to scroll.
func termWidth(e env) int {
	if n, err := strconv.Atoi(strings.TrimSpace(e.getenv("COLUMNS"))); err == nil && n > 0 {
		return n
	}
	f, ok := e.stdout.(interface{ Fd() uintptr })
	if !ok {
		return 0
	}
	w, _, err := term.GetSize(int(f.Fd()))
	if err != nil {
		return 0
	}
	return w
}

// flushEach writes every record out at once: on a terminal, what a
// stage writes is on the screen before any diagnostic that follows it
// (a warning, the tally), so they show in the order they happened.
// Into a pipe the output stays buffered (see render.Sink).
type flushEach struct{ render.Sink }

func (f flushEach) Request(r *record.Request) error { return flushed(f.Sink, f.Sink.Request(r)) }
func (f flushEach) Summary(s *record.Summary) error { return flushed(f.Sink, f.Sink.Summary(s)) }
func (f flushEach) Alert(a *record.Alert) error     { return flushed(f.Sink, f.Sink.Alert(a)) }
func (f flushEach) Raw(typ record.Type, line []byte) error {
	return flushed(f.Sink, f.Sink.Raw(typ, line))
}

func flushed(s render.Sink, err error) error {
	if err != nil {
		return err
	}
	return s.Flush()
}

// lateWatch passes stats' summaries on and warns, once, when more than
// 1 % of the requests so far came late: further than --lateness behind
// the newest, so that they were counted in the earliest open second
// rather than their own, and the summaries are off. A log shuffled by a
// minute under the default 5s has most of its lines late.
type lateWatch struct {
	emit           func(*record.Summary) error
	warn           *diag.Warner // set once the stage has one
	lateness       time.Duration
	late, requests int64
	warned         bool
}

// lateSample is how many requests must be seen before the share of the
// late ones is judged (at the end of the input, whatever were seen).
const lateSample = 100

func (w *lateWatch) Summary(s *record.Summary) error {
	w.late += s.Late
	w.requests += s.Requests
	if w.requests >= lateSample {
		w.check()
	}
	return w.emit(s)
}

// check warns if the share of late requests is over 1 %.
func (w *lateWatch) check() {
	if w.warned || w.warn == nil || w.late*100 <= w.requests {
		return
	}
	w.warned = true
	w.warn.Printf("%d of %d requests (%.0f%%) came more than --lateness %s behind the newest and were counted in a later second than their own: for a log out of order by more than that, raise --lateness",
		w.late, w.requests, 100*float64(w.late)/float64(w.requests), shortDuration(w.lateness))
}
