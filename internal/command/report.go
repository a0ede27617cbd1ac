package command

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // --tz works where the system has no zone database (Windows, scratch containers)

	"github.com/urfave/cli/v2"

	"github.com/logmon/logmon/aggregate"
	"github.com/logmon/logmon/alert"
	"github.com/logmon/logmon/internal/asn"
	"github.com/logmon/logmon/internal/diag"
	"github.com/logmon/logmon/internal/driver"
	"github.com/logmon/logmon/internal/eventtime"
	"github.com/logmon/logmon/internal/input"
	"github.com/logmon/logmon/internal/record"
	"github.com/logmon/logmon/internal/report"
)

func reportCommand(e env) *cli.Command {
	return &cli.Command{
		Name:      "report",
		Usage:     "write one self-contained HTML report of the traffic: charts, top tables, alerts",
		UsageText: "logmon report < access.log > report.html\n   logmon report -o report.html access.log.2.gz access.log.1 access.log\n   logmon alert --pass < access.log | logmon stats | logmon report > report.html (from records)",
		Flags: slices.Concat([]cli.Flag{
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write the report to `FILE` (replaced whole once written) instead of standard output"},
			&cli.StringFlag{Name: "tz", Value: "UTC", Usage: "the time axis' `ZONE`: UTC, Local, or an IANA name such as Europe/Paris"},
			&cli.IntFlag{Name: "top", Value: report.DefaultRows, Usage: "`N` rows in each table"},
			&cli.DurationFlag{Name: "interval", Value: 10 * time.Second, Usage: "summary interval, whole seconds (the charts' finest step; long periods are summed into at most 2,000 points)"},
			&cli.IntFlag{Name: "ipv4-prefix", Value: aggregate.DefaultIPv4Prefix, Usage: "prefix length, in `BITS`, of the IPv4 client networks listed"},
			&cli.IntFlag{Name: "ipv6-prefix", Value: aggregate.DefaultIPv6Prefix, Usage: "prefix length, in `BITS`, of the IPv6 client networks listed"},
			&cli.StringFlag{Name: "asn-db", Usage: "add the autonomous system of each top network, from `FILE`, a MaxMind-format database such as GeoLite2-ASN.mmdb"},
			latenessFlag(),
			maxJumpFlag(),
		}, alertRuleFlags(e), inputFlags(), logFlags()),
		Action: func(c *cli.Context) error {
			out := e.stdout
			path := c.String("output")
			if path == "" && isTerminal(e.stdout) {
				return usagef("report writes HTML: redirect it to a file (logmon report < access.log > report.html) or give -o FILE")
			}
			loc, err := time.LoadLocation(c.String("tz"))
			if err != nil {
				return usagef("--tz: %v", err)
			}
			rules, err := alertRules(c)
			if err != nil {
				return err
			}
			cfg := report.Config{
				Location: loc,
				Rows:     c.Int("top"),
				Source:   reportSource(c.Args().Slice()),
			}
			for _, r := range rules {
				cfg.Rules = append(cfg.Rules, describeRule(r))
				if r.Kind == alert.HighTraffic && cfg.ThresholdRule == "" {
					cfg.Threshold, cfg.ThresholdRule = r.Threshold, r.RuleName()
				}
			}
			aggCfg := aggregate.Config{
				Interval: c.Duration("interval"),
				// The summaries' own lists are not shown: the
				// tables are counted from the aggregator's whole
				// lists (Lists), so the summaries carry none.
				Top:        0,
				Lateness:   c.Duration("lateness"),
				MaxJump:    c.Duration("max-jump"),
				IPv4Prefix: c.Int("ipv4-prefix"),
				IPv6Prefix: c.Int("ipv6-prefix"),
				// The page does not show them.
				NoDistinct: true,
			}
			if p := c.String("asn-db"); p != "" {
				db, err := asn.Open(p)
				if err != nil {
					return usagef("--asn-db: %v", err)
				}
				defer db.Close()
				cfg.AS = db.Lookup
			}
			rep, err := report.New(cfg)
			if err != nil {
				return usagef("--top: %v", err)
			}
			aggCfg.Lists = rep.Lists
			agg, err := aggregate.New(aggCfg, rep.Summary)
			if err != nil {
				return usageError{err}
			}
			eng, err := alert.New(alert.Config{Rules: rules, Lateness: c.Duration("lateness"), MaxJump: c.Duration("max-jump")}, rep.Alert)
			if err != nil {
				return usageError{err}
			}
			log, err := logger(c, e, "report")
			if err != nil {
				return err
			}
			warn := diag.NewWarner(log, inputName, e.clock)
			defer warn.Close()
			fold := &reportFold{agg: agg, eng: eng, rep: rep}
			err = drive(c, e, input.Config{Prepare: rep.Prepare}, driver.Config{Fold: fold, Out: rep, Warn: warn})
			if err != nil && !errors.Is(err, input.ErrStopped) {
				return err
			}
			// Stopped by a signal: what was read is reported, as every
			// stage writes what it judged.
			if path == "" {
				w := bufio.NewWriterSize(out, 64<<10)
				werr := rep.Write(w)
				if werr == nil {
					werr = w.Flush()
				}
				if werr != nil {
					return werr
				}
				return err
			}
			if werr := writeFileAtomic(path, rep.Write); werr != nil {
				return werr
			}
			return err
		},
	}
}

// reportFold hands each request to the engines of stats and alert, whose
// records go to the report, and to the report's own tables. The driver
// tells far lines by the aggregator's clock: both engines are fed the
// same requests with the same lateness and --max-jump, so their clocks
// agree.
type reportFold struct {
	agg *aggregate.Aggregator
	eng *alert.Engine
	rep *report.Report
}

func (f *reportFold) Request(r *record.Request) error {
	if err := f.agg.Request(r); err != nil {
		return err
	}
	if err := f.eng.Request(r); err != nil {
		return err
	}
	f.rep.Count(r)
	return nil
}

func (f *reportFold) Clock() *eventtime.Clock { return f.agg.Clock() }

func (f *reportFold) Idle(now, lastInput time.Time) error {
	if err := f.agg.Idle(now, lastInput); err != nil {
		return err
	}
	return f.eng.Idle(now, lastInput)
}

func (f *reportFold) End() error {
	if err := f.agg.End(); err != nil {
		return err
	}
	return f.eng.End()
}

// alertRuleFlags are alert's rule flags (and --rules), made by alert's
// own command so that the two never differ.
func alertRuleFlags(e env) []cli.Flag {
	var fs []cli.Flag
	for _, f := range alertCommand(e).Flags {
		if name := f.Names()[0]; name == "rules" || slices.Contains(ruleFlags, name) {
			fs = append(fs, f)
		}
	}
	return fs
}

// describeRule says what a rule does, for the page.
func describeRule(r alert.Rule) string {
	s := fmt.Sprintf("%s (%s) above %g over %s", r.RuleName(), r.Kind, r.Threshold, r.Window)
	switch r.Kind {
	case alert.LowTraffic:
		s = fmt.Sprintf("%s (%s) below %g req/s over %s", r.RuleName(), r.Kind, r.Threshold, r.Window)
	case alert.HighTraffic:
		s = fmt.Sprintf("%s above %g req/s over %s", r.RuleName(), r.Threshold, r.Window)
	case alert.Latency:
		s = fmt.Sprintf("%s (p%g) above %gs over %s", r.RuleName(), 100*max(r.Quantile, 0), r.Threshold, r.Window)
	}
	return s
}

// reportSource names the input in the page's title: the files read, or
// nothing for standard input.
func reportSource(files []string) string {
	var names []string
	for _, f := range files {
		if f != "-" {
			names = append(names, filepath.Base(f))
		}
	}
	return strings.Join(names, ", ")
}

// writeFileAtomic writes path through a temporary file beside it, renamed
// over it once whole: a report being written is never seen half done.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // after a successful rename, there is nothing left to remove
	w := bufio.NewWriterSize(f, 64<<10)
	if err := write(w); err != nil {
		f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
