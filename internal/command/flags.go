package command

import (
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/logmon/logmon/internal/checkpoint"
	"github.com/logmon/logmon/internal/diag"
	"github.com/logmon/logmon/internal/driver"
	"github.com/logmon/logmon/internal/eventtime"
	"github.com/logmon/logmon/internal/input"
	"github.com/logmon/logmon/internal/record"
	"github.com/logmon/logmon/internal/source"
	"github.com/logmon/logmon/parse"
	"github.com/logmon/logmon/render"
)

// inputName names standard input in diagnostics.
const inputName = source.StdinName

// The flags several commands share are made anew for every app: urfave/cli
// writes into a flag when it parses one, so two apps (tests run several at
// once, in-process) must not share them.

func formatFlag() cli.Flag {
	return &cli.StringFlag{
		Name:  "format",
		Value: "auto",
		Usage: "output `FORMAT`: json, text, or auto (text on a terminal, JSON otherwise)",
	}
}

// inputFlags are the flags of every command that reads: the log's
// format, and the event-time bounds of the requests taken.
func inputFlags() []cli.Flag {
	return []cli.Flag{
		logFormatFlag(),
		&cli.StringFlag{Name: "since", Usage: "take only requests at or after `TIME` (event time): RFC 3339 (2015-05-17T10:00:00Z), a date (2015-05-17, UTC), or relative to now (-2h, -30m, -7d); the others are counted in the tally"},
		&cli.StringFlag{Name: "until", Usage: "take only requests before `TIME` (event time), written as for --since"},
	}
}

// timeBounds are --since and --until, relative ones from now.
func timeBounds(c *cli.Context, now time.Time) (since, until time.Time, err error) {
	if since, err = timeBound(c.String("since"), now); err != nil {
		return since, until, usagef("--since: %v", err)
	}
	if until, err = timeBound(c.String("until"), now); err != nil {
		return since, until, usagef("--until: %v", err)
	}
	if !since.IsZero() && !until.IsZero() && !since.Before(until) {
		return since, until, usagef("--since %s is not before --until %s: no request could be taken", c.String("since"), c.String("until"))
	}
	return since, until, nil
}

// timeBound reads a --since or --until value; "" is none (zero).
func timeBound(v string, now time.Time) (time.Time, error) {
	switch {
	case v == "":
		return time.Time{}, nil
	case strings.HasPrefix(v, "-"):
		d, err := relative(v[1:])
		if err != nil {
			return time.Time{}, fmt.Errorf("%q is not a time before now, such as -2h, -30m or -7d", v)
		}
		return now.Add(-d), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time: want RFC 3339 (2015-05-17T10:00:00Z), a date (2015-05-17) or a time before now (-2h)", v)
}

// relative reads a Go duration, or a number of days ("7d").
func relative(v string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(v, "d"); ok {
		days, err := strconv.ParseFloat(n, 64)
		if err != nil || days < 0 {
			return 0, errors.New("bad days")
		}
		return time.Duration(days * 24 * float64(time.Hour)), nil
	}
	d, err := time.ParseDuration(v)
	if err == nil && d < 0 {
		err = errors.New("negative")
	}
	return d, err
}

// logFormatFlag is the format of the access log read (package parse).
func logFormatFlag() cli.Flag {
	return &cli.StringFlag{
		Name:  "log-format",
		Value: "auto",
		Usage: "the access log's `FORMAT`: auto (picked from the first lines), a named format (" + strings.Join(parse.Named(), ", ") + "), or a format string from the server's configuration (nginx log_format, Apache LogFormat)",
	}
}

// logFormat is the --log-format given. --log-format once named the
// diagnostics' format, which is --diag-format now: its old values say so.
func logFormat(c *cli.Context) (*parse.Format, error) {
	spec := c.String("log-format")
	if spec == "text" || spec == "json" {
		return nil, usagef("--log-format %s: --log-format is the access log's format now; the diagnostics' format is --diag-format %s", spec, spec)
	}
	f, err := parse.Lookup(spec)
	if err != nil {
		return nil, usageError{fmt.Errorf("--log-format: %w", err)}
	}
	return f, nil
}

// logFlags set logmon's own logging (package diag).
func logFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "log-level", Value: "info", Usage: "the least serious diagnostics written to stderr, `LEVEL`: debug, info (tallies, notices), warn (bad lines) or error"},
		&cli.StringFlag{Name: "diag-format", Value: "text", Usage: "diagnostics' `FORMAT`: text, lines for a person, or json, one object per message"},
	}
}

// logger is command cmd's logger, as --log-level and --diag-format say.
func logger(c *cli.Context, e env, cmd string) (*slog.Logger, error) {
	l, err := diag.New(e.stderr, cmd, c.String("log-level"), c.String("diag-format"), e.clock)
	if err != nil {
		return nil, usageError{err}
	}
	return l, nil
}

func latenessFlag() cli.Flag {
	return &cli.DurationFlag{
		Name:  "lateness",
		Value: 5 * time.Second,
		Usage: "how far behind the newest timestamp a line may arrive and still count in its own second",
	}
}

func maxJumpFlag() cli.Flag {
	return &cli.DurationFlag{
		Name:  "max-jump",
		Value: eventtime.DefaultMaxJump,
		Usage: "a line further than this from the stream's time is rejected, unless the 8 lines after it agree with it (a jump of the stream, followed); 0: follow every line",
	}
}

// stateFlags keep a stage's state across restarts (package checkpoint).
func stateFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "state", Usage: "keep the stage's windows, alert states and the position of the last line counted in `FILE`; go on from it when it exists"},
		&cli.BoolFlag{Name: "state-reset", Usage: "start afresh, ignoring (and then replacing) the --state file"},
		&cli.DurationFlag{Name: "state-every", Value: 5 * time.Second, Usage: "how often the state is saved while input arrives (also on SIGINT/SIGTERM and at the end of input)"},
	}
}

// keepState makes the keeper of the --state file of a fold whose
// configuration is cfg: the settings that decide whether a saved state is
// reusable are cfg's (checkpoint.SettingsOf). It is nil without --state.
func keepState(c *cli.Context, command string, cfg any) (*checkpoint.Keeper, error) {
	path := c.String("state")
	if path == "" {
		if c.Bool("state-reset") {
			return nil, usagef("--state-reset needs --state FILE")
		}
		return nil, nil
	}
	if c.Duration("state-every") <= 0 {
		return nil, usagef("--state-every must be more than 0: %v", c.Duration("state-every"))
	}
	if err := checkpoint.Unusable(path); err != nil {
		return nil, err // even with --state-reset: no state could be saved there
	}
	settings, err := checkpoint.SettingsOf(cfg)
	if err != nil {
		return nil, err
	}
	return &checkpoint.Keeper{Path: path, Command: command, Settings: settings, Every: c.Duration("state-every")}, nil
}

// drive runs a command's driver over in (standard input, or a followed
// file), with the wall clock ticking, until the input ends or the
// command's context is cancelled (a signal). With a kept state, the state
// file is loaded first: a file that exists but cannot be used is refused
// (exit 3), never silently replaced, unless --state-reset says so.
func drive(c *cli.Context, e env, in input.Config, cmd driver.Config) error {
	format, err := logFormat(c)
	if err != nil {
		return err
	}
	if cmd.Since, cmd.Until, err = timeBounds(c, e.clock.Now()); err != nil {
		return err
	}
	d := driver.New(cmd)
	if cmd.State != nil && !c.Bool("state-reset") {
		if _, err := d.Load(); err != nil {
			return err
		}
	}
	if in.In == nil {
		src, err := source.Open(c.Args().Slice(), e.stdin, timeOf(format))
		if err != nil {
			return err
		}
		defer src.Close()
		in.In, in.Where = src, src.Where
		if src.Name != "" {
			cmd.Warn.SetInput(src.Name)
		}
	}
	stream := format.NewStream()
	in.NewParser = func() input.Parser { return stream.NewParser() }
	in.Clock, in.Stop = e.clock, c.Context.Done()
	if err := d.Run(in); err != nil {
		return err
	}
	// An input of lines none of which was of its format is an error
	// that says what it looks like, not a tally of rejects.
	return stream.Ended()
}

// timeOf tells the time of a line, for merging several files in time
// order (package source): a request record's, or a log line's in format.
// Other records have none, and go with the line before them.
func timeOf(format *parse.Format) source.TimeOf {
	p := format.NewStream().NewParser()
	var dec record.Decoder
	var r record.Request
	return func(line []byte) (int64, bool) {
		p.Reset()
		dec.Reset()
		if len(line) > 0 && line[0] == '{' {
			typ, err := dec.Record(line, &r)
			if err == nil && typ == record.TypeRequest {
				return r.Sec*1e9 + int64(r.Nsec), true
			}
			if !errors.Is(err, record.ErrNoType) {
				return 0, false // another record, or none: no JSON log line either
			}
		}
		if p.Line(line, &r) != nil {
			return 0, false
		}
		return r.Sec*1e9 + int64(r.Nsec), true
	}
}

// sink picks the output format once, when the stream starts.
func sink(c *cli.Context, e env) (render.Sink, error) {
	switch f := c.String("format"); f {
	case "json":
		return render.NewJSON(e.stdout), nil
	case "text":
		return textSink(c, e, isTerminal(e.stdout))
	case "auto":
		if isTerminal(e.stdout) {
			return textSink(c, e, true)
		}
		return render.NewJSON(e.stdout), nil
	default:
		return nil, usagef("--format must be json, text or auto, not %q", f)
	}
}

// useColor: colour on a terminal unless NO_COLOR is set (no-color.org).
func useColor(e env) bool {
	return isTerminal(e.stdout) && e.getenv("NO_COLOR") == ""
}
