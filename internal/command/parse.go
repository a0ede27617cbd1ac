package command

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/logmon/logmon/internal/checkpoint"
	"github.com/logmon/logmon/internal/diag"
	"github.com/logmon/logmon/internal/driver"
	"github.com/logmon/logmon/internal/follow"
	"github.com/logmon/logmon/internal/input"
	"github.com/logmon/logmon/internal/source"
)

func parseCommand(e env) *cli.Command {
	return &cli.Command{
		Name:      "parse",
		Usage:     "turn access-log lines into request records",
		UsageText: "logmon parse [--rejects FILE] < access.log\n   logmon parse --follow access.log [--follow other.log ...] [--from-end | --resume alert.state]",
		Flags: append([]cli.Flag{
			formatFlag(),
			&cli.StringFlag{Name: "rejects", Usage: "append rejected lines, verbatim, to `FILE`"},
			&cli.StringSliceFlag{Name: "follow", Aliases: []string{"F"}, KeepSpace: true, Usage: "read `FILE` itself and follow it as it grows, is rotated or truncated, like tail -F; from its start unless --from-end or --resume say otherwise. Repeat it to follow several files as one stream, merged in time order, each file known by its own identity and offsets"},
			&cli.BoolFlag{Name: "from-end", Usage: "with --follow: start at the end of the file, reading only lines written from now on"},
			&cli.StringFlag{Name: "resume", Usage: "with --follow: start after the last line counted by the stage that keeps `STATE` (its --state file); a missing STATE means a fresh start"},
		}, slices.Concat(inputFlags(), logFlags(), publishFlags())...),
		Action: func(c *cli.Context) error {
			out, err := sink(c, e)
			if err != nil {
				return err
			}
			// A followed file's notices come from the reading goroutine,
			// warnings from this one: the logger keeps their lines whole.
			log, err := logger(c, e, "parse")
			if err != nil {
				return err
			}
			out, closePub, err := publishSink(c, out, log, false)
			if err != nil {
				return err
			}
			in, name, where, err := parseInput(c, e, log)
			if err != nil {
				return err
			}
			if closer, ok := in.(io.Closer); ok {
				defer closer.Close()
			}
			warn := diag.NewWarner(log, name, e.clock)
			defer warn.Close()
			cmd := driver.Config{Out: out, Pass: true, Warn: warn}
			if name := c.String("rejects"); name != "" {
				f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
				if err != nil {
					return err
				}
				defer f.Close()
				cmd.Rejects = bufio.NewWriter(f)
			}
			// Records among the log lines are passed on, line by line.
			err = drive(c, e, input.Config{In: in, Mixed: true, Where: where}, cmd)
			return errors.Join(err, closePub())
		},
	}
}

// parseInput is what parse reads with --follow: the files followed like
// tail -F, one or several (merged in time order, see source.Follow).
// where maps input offsets to the followed files' identities and offsets.
// Without --follow in is nil: drive opens the files named, or standard
// input.
func parseInput(c *cli.Context, e env, log *slog.Logger) (in io.Reader, name string, where func(int64) (string, int64, string), err error) {
	paths := c.StringSlice("follow")
	if len(paths) == 0 {
		if c.Bool("from-end") || c.String("resume") != "" {
			return nil, "", nil, usagef("--from-end and --resume need --follow FILE")
		}
		return nil, inputName, nil, nil // what drive opens: the files named, or standard input
	}
	for i, path := range paths {
		if path == "-" {
			return nil, "", nil, usagef("--follow -: standard input cannot be followed (it is read to its end anyway); give the log file's path")
		}
		if path == "" {
			return nil, "", nil, usagef("--follow needs a file's path, not an empty one")
		}
		for _, other := range paths[:i] {
			if filepath.Clean(other) == filepath.Clean(path) {
				return nil, "", nil, usagef("--follow %s is given twice: each file is followed once", path)
			}
		}
	}
	if c.Args().Present() {
		return nil, "", nil, usagef("--follow %s and the files %q: follow files, or read files, not both", strings.Join(paths, " --follow "), c.Args().Slice())
	}
	if c.Bool("from-end") && c.String("resume") != "" {
		return nil, "", nil, usagef("--from-end and --resume cannot go together: --resume says where to start")
	}
	notify := func(msg string) { log.Info(msg) }
	opt := follow.Options{FromEnd: c.Bool("from-end"), Clock: e.clock, Stop: c.Context.Done(), Notify: notify}
	if state := c.String("resume"); state != "" {
		f, found, err := checkpoint.Load(state)
		names := strings.Join(paths, ", ")
		switch {
		case err != nil:
			return nil, "", nil, err
		case !found:
			notify(fmt.Sprintf("no state %s yet: reading %s from its start", state, names))
		case f.Position == nil:
			notify(fmt.Sprintf("state %s holds no position (its stage was not fed by parse --follow): reading %s from its start", state, names))
		default:
			opt.Resume = f.Positions()
		}
	}
	if len(paths) == 1 {
		fl, err := follow.Open(paths[0], opt)
		if err != nil {
			return nil, "", nil, err
		}
		return fl, paths[0], fl.Where, nil
	}
	// Several: a position next to a link's target may be another followed
	// file's (see follow.Options.NoLinkSearch).
	opt.NoLinkSearch = true
	format, err := logFormat(c)
	if err != nil {
		return nil, "", nil, err
	}
	src, err := source.Follow(len(paths), func(i int, waiting func(bool)) (source.Followed, error) {
		o := opt
		o.Waiting = waiting
		return follow.Open(paths[i], o)
	}, func() source.TimeOf { return timeOf(format) })
	if err != nil {
		return nil, "", nil, err
	}
	return src, "", src.Where, nil
}
