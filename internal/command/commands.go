package command

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/logmon/logmon/aggregate"
	"github.com/logmon/logmon/alert"
	"github.com/logmon/logmon/internal/asn"
	"github.com/logmon/logmon/internal/checkpoint"
	"github.com/logmon/logmon/internal/demo"
	"github.com/logmon/logmon/internal/diag"
	"github.com/logmon/logmon/internal/follow"
	"github.com/logmon/logmon/internal/gen"
	"github.com/logmon/logmon/internal/hook"
	"github.com/logmon/logmon/internal/stream"
	"github.com/logmon/logmon/render"
)

// inputName names standard input in diagnostics.
const inputName = "<stdin>"

// tickEvery is how long the input must be quiet before event time moves
// on with the wall clock, and how often it then moves.
const tickEvery = time.Second

var formatFlag = &cli.StringFlag{
	Name:  "format",
	Value: "auto",
	Usage: "output `FORMAT`: json, text, or auto (text on a terminal, JSON otherwise)",
}

// logFlags set logmon's own logging (package diag).
var logFlags = []cli.Flag{
	&cli.StringFlag{Name: "log-level", Value: "info", Usage: "the least serious diagnostics written to stderr: debug, info (tallies, notices), warn (bad lines) or error"},
	&cli.StringFlag{Name: "log-format", Value: "text", Usage: "diagnostics as text lines for a person, or json, one object per message"},
}

// logger is command cmd's logger, as --log-level and --log-format say.
func logger(c *cli.Context, e env, cmd string) (*slog.Logger, error) {
	l, err := diag.New(e.stderr, cmd, c.String("log-level"), c.String("log-format"), e.clock)
	if err != nil {
		return nil, usageError{err}
	}
	return l, nil
}

var latenessFlag = &cli.DurationFlag{
	Name:  "lateness",
	Value: 5 * time.Second,
	Usage: "how far behind the newest timestamp a line may arrive and still count in its own second",
}

// stateFlags keep a stage's state across restarts (package checkpoint).
var stateFlags = []cli.Flag{
	&cli.StringFlag{Name: "state", Usage: "keep the stage's windows, alert states and the position of the last line counted in `FILE`; go on from it when it exists"},
	&cli.BoolFlag{Name: "state-reset", Usage: "start afresh, ignoring (and then replacing) the --state file"},
	&cli.DurationFlag{Name: "state-every", Value: 5 * time.Second, Usage: "how often the state is saved while input arrives (also on SIGINT/SIGTERM and at the end of input)"},
}

// keepState sets st up to keep its consumer's state in the --state file
// and restores it from there. A file that exists but cannot be used is
// refused (exit 3), never silently replaced, unless --state-reset says so.
func keepState(c *cli.Context, command string, settings any, st *stream.Events) error {
	path := c.String("state")
	if path == "" {
		if c.Bool("state-reset") {
			return usagef("--state-reset needs --state FILE")
		}
		return nil
	}
	if c.Duration("state-every") <= 0 {
		return usagef("--state-every must be more than 0: %v", c.Duration("state-every"))
	}
	st.Keep = &stream.Keep{Path: path, Command: command, Settings: settings, Every: c.Duration("state-every")}
	if c.Bool("state-reset") {
		return nil
	}
	_, err := st.Load()
	return err
}

// sink picks the output format once, when the stream starts.
func sink(c *cli.Context, e env) (render.Sink, error) {
	switch f := c.String("format"); f {
	case "json":
		return render.NewJSON(e.stdout), nil
	case "text":
		return render.NewText(e.stdout, useColor(e)), nil
	case "auto":
		if isTerminal(e.stdout) {
			return render.NewText(e.stdout, useColor(e)), nil
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

// runStage drives st over standard input with the wall clock ticking,
// until the input ends or the command's context is cancelled (a signal).
func runStage(c *cli.Context, e env, st stream.Stage) error {
	return runStageOn(c, e, e.stdin, st)
}

// runStageOn is runStage over another input (a followed file).
func runStageOn(c *cli.Context, e env, in io.Reader, st stream.Stage) error {
	tick, stop := e.clock.Ticker(tickEvery)
	defer stop()
	return stream.Run(stream.Config{In: in, Now: e.clock.Now, Tick: tick, Stop: c.Context.Done()}, st)
}

func parseCommand(e env) *cli.Command {
	return &cli.Command{
		Name:      "parse",
		Usage:     "turn access-log lines into request records",
		UsageText: "logmon parse [--rejects FILE] < access.log\n   logmon parse --follow access.log [--from-end | --resume alert.state]",
		Flags: append([]cli.Flag{
			formatFlag,
			&cli.StringFlag{Name: "rejects", Usage: "append rejected lines, verbatim, to `FILE`"},
			&cli.StringFlag{Name: "follow", Aliases: []string{"F"}, Usage: "read `FILE` itself and follow it as it grows, is rotated or truncated, like tail -F; from its start unless --from-end or --resume say otherwise"},
			&cli.BoolFlag{Name: "from-end", Usage: "with --follow: start at the end of the file, reading only lines written from now on"},
			&cli.StringFlag{Name: "resume", Usage: "with --follow: start after the last line counted by the stage that keeps `STATE` (its --state file); a missing STATE means a fresh start"},
		}, logFlags...),
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
			in, name, where, err := parseInput(c, e, log)
			if err != nil {
				return err
			}
			if closer, ok := in.(io.Closer); ok {
				defer closer.Close()
			}
			warn := stream.NewWarner(log, name, e.clock.Now)
			defer warn.Close()
			st := &stream.Logs{Out: out, Warn: warn, Where: where}
			if name := c.String("rejects"); name != "" {
				f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
				if err != nil {
					return err
				}
				defer f.Close()
				st.Rejects = bufio.NewWriter(f)
			}
			return runStageOn(c, e, in, st)
		},
	}
}

// parseInput is what parse reads: standard input, or with --follow a
// file followed like tail -F. where maps input offsets to the followed
// file's identity and offsets; it is nil for standard input.
func parseInput(c *cli.Context, e env, log *slog.Logger) (in io.Reader, name string, where func(int64) (string, int64, string), err error) {
	path := c.String("follow")
	if path == "" {
		if c.Bool("from-end") || c.String("resume") != "" {
			return nil, "", nil, usagef("--from-end and --resume need --follow FILE")
		}
		return e.stdin, inputName, nil, nil
	}
	if c.Bool("from-end") && c.String("resume") != "" {
		return nil, "", nil, usagef("--from-end and --resume cannot go together: --resume says where to start")
	}
	notify := func(msg string) { log.Info(msg) }
	opt := follow.Options{FromEnd: c.Bool("from-end"), Clock: e.clock, Stop: c.Context.Done(), Notify: notify}
	if state := c.String("resume"); state != "" {
		f, found, err := checkpoint.Load(state)
		switch {
		case err != nil:
			return nil, "", nil, err
		case !found:
			notify(fmt.Sprintf("no state %s yet: reading %s from its start", state, path))
		case f.Position == nil:
			notify(fmt.Sprintf("state %s holds no position (its stage was not fed by parse --follow): reading %s from its start", state, path))
		default:
			opt.Resume = &follow.Position{File: f.Position.File, Offset: f.Position.Offset}
		}
	}
	fl, err := follow.Open(path, opt)
	if err != nil {
		return nil, "", nil, err
	}
	return fl, path, fl.Where, nil
}

func statsCommand(e env) *cli.Command {
	return &cli.Command{
		Name:      "stats",
		Usage:     "fold requests into a summary every interval",
		UsageText: "logmon parse < access.log | logmon stats [--interval 10s] [--top 5]\n   logmon stats < access.log (raw log lines are parsed in-process)",
		Flags: append([]cli.Flag{
			formatFlag,
			&cli.DurationFlag{Name: "interval", Value: 10 * time.Second, Usage: "summary interval, whole seconds; intervals are aligned to multiples of it"},
			&cli.IntFlag{Name: "top", Value: 5, Usage: "length of the top sections, methods, clients and networks lists"},
			&cli.IntFlag{Name: "ipv4-prefix", Value: aggregate.DefaultIPv4Prefix, Usage: "prefix length of the IPv4 client networks listed"},
			&cli.IntFlag{Name: "ipv6-prefix", Value: aggregate.DefaultIPv6Prefix, Usage: "prefix length of the IPv6 client networks listed"},
			&cli.StringFlag{Name: "asn-db", Usage: "add the autonomous system of each top network, from `FILE`, a MaxMind-format database such as GeoLite2-ASN.mmdb"},
			latenessFlag,
		}, slices.Concat(stateFlags, logFlags)...),
		Action: func(c *cli.Context) error {
			out, err := sink(c, e)
			if err != nil {
				return err
			}
			cfg := aggregate.Config{
				Interval:   c.Duration("interval"),
				Top:        c.Int("top"),
				Lateness:   c.Duration("lateness"),
				IPv4Prefix: c.Int("ipv4-prefix"),
				IPv6Prefix: c.Int("ipv6-prefix"),
			}
			if path := c.String("asn-db"); path != "" {
				db, err := asn.Open(path)
				if err != nil {
					return usagef("--asn-db: %v", err)
				}
				defer db.Close()
				cfg.AS = db.Lookup
			}
			agg, err := aggregate.New(cfg, out.Summary)
			if err != nil {
				return usageError{err}
			}
			log, err := logger(c, e, "stats")
			if err != nil {
				return err
			}
			warn := stream.NewWarner(log, inputName, e.clock.Now)
			defer warn.Close()
			st := &stream.Events{C: agg, Out: out, Warn: warn}
			settings := map[string]any{"interval": c.Duration("interval").String(), "top": c.Int("top"), "lateness": c.Duration("lateness").String(),
				"ipv4_prefix": c.Int("ipv4-prefix"), "ipv6_prefix": c.Int("ipv6-prefix")}
			if err := keepState(c, "stats", settings, st); err != nil {
				return err
			}
			return runStage(c, e, st)
		},
	}
}

func alertCommand(e env) *cli.Command {
	return &cli.Command{
		Name:      "alert",
		Usage:     "apply alerting rules to requests: high traffic by default",
		UsageText: "logmon parse < access.log | logmon alert [--threshold 10] [--window 2m] [--error-rate 0.05] [--low-rate 0.1] [--pass]\n   logmon alert --rules rules.json < access.log (raw log lines are parsed in-process)",
		Flags: append([]cli.Flag{
			formatFlag,
			&cli.Float64Flag{Name: "threshold", Value: 10, Usage: "high_traffic: fire when the average over the window is above `REQ_PER_S`"},
			&cli.Float64Flag{Name: "recover", Usage: "high_traffic: resolve when the average is at or below `REQ_PER_S` (default: the threshold)"},
			&cli.DurationFlag{Name: "window", Value: alert.DefaultWindow, Usage: "the sliding window of every rule, whole seconds"},
			&cli.Float64Flag{Name: "error-rate", Usage: "add the error_rate rule: fire when more than `RATIO` of the window's requests are 5xx"},
			&cli.Int64Flag{Name: "error-min", Value: alert.DefaultMinRequests, Usage: "error_rate: judge only windows of at least `N` requests"},
			&cli.Float64Flag{Name: "low-rate", Usage: "add the low_traffic rule: fire when the average over the window is below `REQ_PER_S`, even with no line at all"},
			&cli.Float64Flag{Name: "adaptive", Usage: "add the adaptive rule: fire when the rate is more than `K` standard deviations from the rate it learned"},
			&cli.DurationFlag{Name: "for", Usage: "every rule: fire only once the condition has held this long"},
			&cli.DurationFlag{Name: "keep-firing-for", Usage: "every rule: resolve only once the recovery condition has held this long"},
			&cli.StringFlag{Name: "rules", Usage: "the rules in JSON `FILE` instead of the rule flags (see the README)"},
			&cli.BoolFlag{Name: "pass", Usage: "also write the request records, so a later stage sees them"},
			&cli.StringFlag{Name: "exec", Usage: "run `CMD` (with sh -c) for every alert record, the record on its standard input, to page someone; it never holds up the stream"},
			&cli.DurationFlag{Name: "exec-timeout", Value: 10 * time.Second, Usage: "kill an --exec command that runs longer than this"},
			latenessFlag,
		}, slices.Concat(stateFlags, logFlags)...),
		Action: func(c *cli.Context) error {
			out, err := sink(c, e)
			if err != nil {
				return err
			}
			log, err := logger(c, e, "alert")
			if err != nil {
				return err
			}
			warn := stream.NewWarner(log, inputName, e.clock.Now)
			defer warn.Close()
			emit := out.Alert
			if command := c.String("exec"); command != "" {
				if c.Duration("exec-timeout") <= 0 {
					return usagef("--exec-timeout must be positive: %v", c.Duration("exec-timeout"))
				}
				h := hook.Start(command, c.Duration("exec-timeout"), log)
				defer h.Close()
				var rec []byte
				emit = func(a *alert.Alert) error {
					if err := out.Alert(a); err != nil {
						return err
					}
					rec = a.AppendJSON(rec[:0])
					h.Send(rec)
					return nil
				}
			}
			rules, err := alertRules(c)
			if err != nil {
				return err
			}
			eng, err := alert.New(alert.Config{Rules: rules, Lateness: c.Duration("lateness")}, emit)
			if err != nil {
				return usageError{err}
			}
			st := &stream.Events{C: eng, Out: out, Pass: c.Bool("pass"), Warn: warn}
			settings := map[string]any{"rules": rules, "lateness": c.Duration("lateness").String()}
			if err := keepState(c, "alert", settings, st); err != nil {
				return err
			}
			err = runStage(c, e, st)
			if n := eng.Late(); n > 0 && (err == nil || errors.Is(err, stream.ErrStopped)) {
				warn.Printf("%d late requests counted in the earliest open second", n)
			}
			return err
		},
	}
}

// ruleFlags make alert's rules when there is no --rules file.
var ruleFlags = []string{"threshold", "recover", "window", "error-rate", "error-min", "low-rate", "adaptive", "for", "keep-firing-for"}

// alertRules are the rules alert applies: the --rules file's, or those
// the flags make, high_traffic always first.
func alertRules(c *cli.Context) ([]alert.Rule, error) {
	if path := c.String("rules"); path != "" {
		for _, f := range ruleFlags {
			if c.IsSet(f) {
				return nil, usagef("--%s cannot go with --rules: the rules file says it all", f)
			}
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, usageError{err}
		}
		rules, err := alert.ParseRules(data)
		if err != nil {
			return nil, usagef("%s: %v", path, err)
		}
		return rules, nil
	}
	win, forD, keep := c.Duration("window"), c.Duration("for"), c.Duration("keep-firing-for")
	anti := func(r alert.Rule) alert.Rule {
		r.Window, r.For, r.KeepFiringFor = win, forD, keep
		return r
	}
	high := alert.HighTrafficRule(c.Float64("threshold"), win)
	if c.IsSet("recover") {
		v := c.Float64("recover")
		high.Recover = &v
	}
	rules := []alert.Rule{anti(high)}
	if c.IsSet("error-rate") {
		rules = append(rules, anti(alert.Rule{Kind: alert.ErrorRate, Threshold: c.Float64("error-rate"), MinRequests: c.Int64("error-min")}))
	} else if c.IsSet("error-min") {
		return nil, usagef("--error-min needs --error-rate")
	}
	if c.IsSet("low-rate") {
		rules = append(rules, anti(alert.Rule{Kind: alert.LowTraffic, Threshold: c.Float64("low-rate")}))
	}
	if c.IsSet("adaptive") {
		rules = append(rules, anti(alert.Rule{Kind: alert.Adaptive, Threshold: c.Float64("adaptive")}))
	}
	return rules, nil
}

func renderCommand(e env) *cli.Command {
	return &cli.Command{
		Name:      "render",
		Usage:     "show any record stream as text for a person",
		UsageText: "logmon parse < access.log | logmon stats | jq -c 'select(.requests > 100)' | logmon render",
		Flags:     logFlags,
		Action: func(c *cli.Context) error {
			log, err := logger(c, e, "render")
			if err != nil {
				return err
			}
			warn := stream.NewWarner(log, inputName, e.clock.Now)
			defer warn.Close()
			out := render.NewText(e.stdout, useColor(e))
			return runStage(c, e, &stream.Events{Out: out, Pass: true, Warn: warn})
		},
	}
}

func genCommand(e env) *cli.Command {
	return &cli.Command{
		Name:      "gen",
		Usage:     "write realistic Combined-format traffic",
		UsageText: "logmon gen --start 2015-05-17T10:00:00Z --phases steady:5m,burst:2m:30 > test.log\n   logmon gen --realtime --rate 5 >> access.log",
		Flags: []cli.Flag{
			&cli.Int64Flag{Name: "seed", Value: 1, Usage: "random seed: the same seed gives the same traffic"},
			&cli.StringFlag{Name: "start", Value: "now", Usage: "event time of the first line, RFC 3339, or now"},
			&cli.Float64Flag{Name: "rate", Value: 5, Usage: "mean requests per second of a steady phase (a burst defaults to 5x)"},
			&cli.StringFlag{Name: "phases", Value: "steady:10m", Usage: "traffic shape: `KIND:DURATION[:RATE],...` with KIND steady, burst or silence"},
			&cli.DurationFlag{Name: "disorder", Usage: "write lines up to this much out of timestamp order, as real servers do"},
			&cli.IntFlag{Name: "clients", Value: gen.DefaultClients, Usage: "size of the client pool (request shares follow a Zipf law); a large pool gives the long tail of a busy site"},
			&cli.BoolFlag{Name: "unique", Usage: "every request from a new client address, for a path in a new section (a stress test for stats)"},
			&cli.BoolFlag{Name: "realtime", Usage: "pace the output to the wall clock (the lines of each second are written when it comes)"},
		},
		Action: func(c *cli.Context) error {
			phases, err := gen.ParsePhases(c.String("phases"), c.Float64("rate"))
			if err != nil {
				return usageError{err}
			}
			start := e.clock.Now()
			if s := c.String("start"); s != "now" {
				if start, err = time.Parse(time.RFC3339, s); err != nil {
					return usagef("--start must be RFC 3339 (2015-05-17T10:00:00Z) or now: %q", s)
				}
			}
			cfg := gen.Config{
				Seed:     c.Int64("seed"),
				Start:    start,
				Phases:   phases,
				Disorder: c.Duration("disorder"),
				Unique:   c.Bool("unique"),
				Clients:  c.Int("clients"),
				Realtime: c.Bool("realtime"),
				Clock:    e.clock,
			}
			if err := cfg.Check(); err != nil {
				return usageError{err}
			}
			_, err = gen.Write(c.Context, cfg, e.stdout)
			return err
		},
	}
}

func demoCommand(e env) *cli.Command {
	return &cli.Command{
		Name:      "demo",
		Usage:     "watch generated traffic with a burst go through parse, alert and stats (about 30 s)",
		UsageText: "logmon demo [--speed 10]",
		Flags: append([]cli.Flag{
			formatFlag,
			&cli.Float64Flag{Name: "speed", Value: 10, Usage: "event seconds per wall-clock second"},
			&cli.Int64Flag{Name: "seed", Value: 1, Usage: "random seed of the traffic"},
		}, logFlags...),
		Action: func(c *cli.Context) error {
			out, err := sink(c, e)
			if err != nil {
				return err
			}
			if err := demo.CheckSpeed(c.Float64("speed")); err != nil {
				return usageError{err}
			}
			log, err := logger(c, e, "demo")
			if err != nil {
				return err
			}
			log.Info(fmt.Sprintf("%v of traffic (%s) through parse | alert --pass | stats, %gx faster than real time",
				demo.Length(), demo.Phases, c.Float64("speed")))
			return demo.Run(c.Context, demo.Config{
				Seed:  c.Int64("seed"),
				Speed: c.Float64("speed"),
				Out:   out,
				Log: func(cmd string) *slog.Logger {
					l, _ := logger(c, e, cmd) // the flags were checked above
					return l
				},
				Clock: e.clock,
			})
		},
	}
}
