package command

import (
	"errors"
	"os"
	"slices"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/logmon/logmon/alert"
	"github.com/logmon/logmon/internal/diag"
	"github.com/logmon/logmon/internal/driver"
	"github.com/logmon/logmon/internal/hook"
	"github.com/logmon/logmon/internal/input"
	"github.com/logmon/logmon/internal/record"
)

func alertCommand(e env) *cli.Command {
	return &cli.Command{
		Name:      "alert",
		Usage:     "apply alerting rules to requests: high traffic by default",
		UsageText: "logmon parse < access.log | logmon alert [--threshold 10] [--window 2m] [--error-rate 0.05] [--low-rate 0.1] [--latency 0.5] [--pass]\n   logmon alert --rules rules.json < access.log (raw log lines are parsed in-process)",
		Flags: append([]cli.Flag{
			formatFlag(),
			&cli.Float64Flag{Name: "threshold", Value: 10, Usage: "high_traffic: fire when the average over the window is above `REQ_PER_S`"},
			&cli.Float64Flag{Name: "recover", DefaultText: "the threshold", Usage: "high_traffic: resolve when the average is at or below `REQ_PER_S`"},
			&cli.DurationFlag{Name: "window", Value: alert.DefaultWindow, Usage: "the sliding window of every rule, whole seconds"},
			&cli.Float64Flag{Name: "error-rate", DefaultText: "none", Usage: "add the error_rate rule: fire when more than `RATIO` of the window's requests are 5xx"},
			&cli.Int64Flag{Name: "error-min", Value: alert.DefaultMinRequests, Usage: "error_rate: judge only windows of at least `N` requests"},
			&cli.Float64Flag{Name: "low-rate", DefaultText: "none", Usage: "add the low_traffic rule: fire when the average over the window is below `REQ_PER_S`, even with no line at all"},
			&cli.Float64Flag{Name: "adaptive", DefaultText: "none", Usage: "add the adaptive rule: fire when the rate is more than `K` standard deviations from the rate it learned"},
			&cli.Float64Flag{Name: "latency", DefaultText: "none", Usage: "add the latency rule: fire when the --latency-quantile of the window's request durations is above `SECONDS`"},
			&cli.Float64Flag{Name: "latency-quantile", Value: alert.DefaultQuantile, Usage: "latency: the quantile judged, `Q` above 0 and at most 1 (0.99: p99)"},
			&cli.Int64Flag{Name: "latency-min", Value: alert.DefaultMinRequests, Usage: "latency: judge only windows of at least `N` requests with a duration"},
			&cli.DurationFlag{Name: "for", Usage: "every rule: fire only once the condition has held this long"},
			&cli.DurationFlag{Name: "keep-firing-for", Usage: "every rule: resolve only once the recovery condition has held this long"},
			&cli.StringFlag{Name: "rules", Usage: "the rules in JSON `FILE` instead of the rule flags (see the README)"},
			&cli.BoolFlag{Name: "pass", Usage: "also write the request records, so a later stage sees them"},
			&cli.StringFlag{Name: "exec", Usage: "run `CMD` (with sh -c) for every alert record, the record on its standard input, to page someone; it never holds up the stream"},
			&cli.DurationFlag{Name: "exec-timeout", Value: 10 * time.Second, Usage: "kill an --exec command that runs longer than this"},
			latenessFlag(),
			maxJumpFlag(),
			metricsFlag(),
		}, slices.Concat(inputFlags(), stateFlags(), logFlags(), publishFlags())...),
		Action: func(c *cli.Context) error {
			out, err := sink(c, e)
			if err != nil {
				return err
			}
			log, err := logger(c, e, "alert")
			if err != nil {
				return err
			}
			out, closePub, err := publishSink(c, out, log, c.String("state") != "")
			if err != nil {
				return err
			}
			warn := diag.NewWarner(log, inputName, e.clock)
			defer warn.Close()
			emit := out.Alert
			if command := c.String("exec"); command != "" {
				if c.Duration("exec-timeout") <= 0 {
					return usagef("--exec-timeout must be positive: %v", c.Duration("exec-timeout"))
				}
				h := hook.Start(command, c.Duration("exec-timeout"), log, e.clock)
				defer h.Close()
				var rec []byte
				emit = func(a *record.Alert) error {
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
			cfg := alert.Config{Rules: rules, Lateness: c.Duration("lateness"), MaxJump: c.Duration("max-jump")}
			eng, err := alert.New(cfg, emit)
			if err != nil {
				return usageError{err}
			}
			keep, err := keepState(c, "alert", cfg)
			if err != nil {
				return err
			}
			mx, err := serveMetrics(c, log, "alert")
			if err != nil {
				return err
			}
			defer mx.close()
			mx.watch(eng)
			err = errors.Join(drive(c, e, input.Config{}, driver.Config{Fold: eng, Out: out, Pass: c.Bool("pass"), Warn: warn, State: keep, Observe: mx.observer()}), closePub())
			if n := eng.Late(); n > 0 && (err == nil || errors.Is(err, input.ErrStopped)) {
				warn.Printf("%d late requests counted in the earliest open second", n)
			}
			return err
		},
	}
}

// ruleFlags make alert's rules when there is no --rules file.
var ruleFlags = []string{"threshold", "recover", "window", "error-rate", "error-min", "low-rate", "adaptive", "latency", "latency-quantile", "latency-min", "for", "keep-firing-for"}

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
	if c.IsSet("latency") {
		q := c.Float64("latency-quantile")
		if !(q > 0 && q <= 1) {
			return nil, usagef("--latency-quantile must be more than 0 and at most 1 (0.99 for p99): %v", q)
		}
		rules = append(rules, anti(alert.Rule{Kind: alert.Latency, Threshold: c.Float64("latency"), Quantile: q, MinRequests: c.Int64("latency-min")}))
	} else if c.IsSet("latency-quantile") || c.IsSet("latency-min") {
		return nil, usagef("--latency-quantile and --latency-min need --latency")
	}
	return rules, nil
}
