package command

import (
	"errors"
	"slices"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/logmon/logmon/aggregate"
	"github.com/logmon/logmon/internal/asn"
	"github.com/logmon/logmon/internal/diag"
	"github.com/logmon/logmon/internal/driver"
	"github.com/logmon/logmon/internal/input"
)

func statsCommand(e env) *cli.Command {
	return &cli.Command{
		Name:      "stats",
		Usage:     "fold requests into a summary every interval",
		UsageText: "logmon parse < access.log | logmon stats [--interval 10s] [--top 5]\n   logmon stats < access.log (raw log lines are parsed in-process)",
		Flags: append([]cli.Flag{
			formatFlag(),
			&cli.DurationFlag{Name: "interval", Value: 10 * time.Second, Usage: "summary interval, whole seconds; intervals are aligned to multiples of it"},
			&cli.IntFlag{Name: "top", Value: 5, Usage: "length `N` of the top sections, methods, clients and networks lists"},
			&cli.IntFlag{Name: "ipv4-prefix", Value: aggregate.DefaultIPv4Prefix, Usage: "prefix length, in `BITS`, of the IPv4 client networks listed"},
			&cli.IntFlag{Name: "ipv6-prefix", Value: aggregate.DefaultIPv6Prefix, Usage: "prefix length, in `BITS`, of the IPv6 client networks listed"},
			&cli.StringFlag{Name: "asn-db", Usage: "add the autonomous system of each top network, from `FILE`, a MaxMind-format database such as GeoLite2-ASN.mmdb"},
			&cli.StringFlag{Name: "host", Usage: "the machine's `NAME`, written in every summary, which then carries its distinct clients' sketch, for a hub to merge (see Watching a fleet)"},
			latenessFlag(),
			maxJumpFlag(),
			metricsFlag(),
		}, slices.Concat(inputFlags(), stateFlags(), logFlags(), publishFlags())...),
		Action: func(c *cli.Context) error {
			out, err := sink(c, e)
			if err != nil {
				return err
			}
			log, err := logger(c, e, "stats")
			if err != nil {
				return err
			}
			out, closePub, err := publishSink(c, out, log, c.String("state") != "")
			if err != nil {
				return err
			}
			cfg := aggregate.Config{
				Interval:   c.Duration("interval"),
				Top:        c.Int("top"),
				Lateness:   c.Duration("lateness"),
				MaxJump:    c.Duration("max-jump"),
				IPv4Prefix: c.Int("ipv4-prefix"),
				IPv6Prefix: c.Int("ipv6-prefix"),
				Host:       c.String("host"),
			}
			if path := c.String("asn-db"); path != "" {
				db, err := asn.Open(path)
				if err != nil {
					return usagef("--asn-db: %v", err)
				}
				defer db.Close()
				cfg.AS = db.Lookup
			}
			late := &lateWatch{emit: out.Summary, lateness: cfg.Lateness}
			agg, err := aggregate.New(cfg, late.Summary)
			if err != nil {
				return usageError{err}
			}
			warn := diag.NewWarner(log, inputName, e.clock)
			defer warn.Close()
			late.warn = warn
			keep, err := keepState(c, "stats", cfg)
			if err != nil {
				return err
			}
			mx, err := serveMetrics(c, log, "stats")
			if err != nil {
				return err
			}
			defer mx.close()
			err = drive(c, e, input.Config{}, driver.Config{Fold: agg, Out: out, Warn: warn, State: keep, Observe: mx.observer()})
			late.check()
			return errors.Join(err, closePub())
		},
	}
}
