package command

import (
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/logmon/logmon/internal/gen"
)

func genCommand(e env) *cli.Command {
	return &cli.Command{
		Name:      "gen",
		Usage:     "write realistic access-log traffic, Combined or any format logmon reads, with latency",
		UsageText: "logmon gen --start 2015-05-17T10:00:00Z --phases steady:5m,burst:2m:30 > test.log\n   logmon gen --realtime --rate 5 >> access.log\n   logmon gen --log-format caddy --phases steady:5m,slow:2m:x10,steady:5m > caddy.log\n   logmon gen --log-format '$remote_addr [$time_local] \"$request\" $status $request_time' > nginx.log",
		Flags: []cli.Flag{
			&cli.Int64Flag{Name: "seed", Value: 1, Usage: "random seed, an integer `N`: the same seed gives the same traffic"},
			&cli.StringFlag{Name: "start", Value: "now", Usage: "event `TIME` of the first line, RFC 3339 (2015-05-17T10:00:00Z), or now"},
			&cli.Float64Flag{Name: "rate", Value: 5, Usage: "mean requests per second, `RATE`, of a steady phase (a burst defaults to 5x)"},
			&cli.StringFlag{Name: "phases", Value: "steady:10m", Usage: "traffic shape: `KIND:DURATION[:RATE][:xFACTOR],...` with KIND steady, burst, slow (latency x10 unless xFACTOR says) or silence"},
			&cli.StringFlag{Name: "log-format", Value: "combined", Usage: "the log `FORMAT` written: " + strings.Join(gen.Names(), ", ") + ", or an nginx ($) or Apache (%) format string"},
			&cli.DurationFlag{Name: "disorder", Usage: "write lines up to this much out of timestamp order, as real servers do"},
			&cli.IntFlag{Name: "clients", Value: gen.DefaultClients, Usage: "size `N` of the client pool (request shares follow a Zipf law); a large pool gives the long tail of a busy site"},
			&cli.BoolFlag{Name: "unique", Usage: "every request from a new client address, for a path in a new section (a stress test for stats)"},
			&cli.BoolFlag{Name: "realtime", Usage: "pace the output to the wall clock (the lines of each second are written when it comes)"},
		},
		Action: func(c *cli.Context) error {
			phases, err := gen.ParsePhases(c.String("phases"), c.Float64("rate"))
			if err != nil {
				return usageError{err}
			}
			format, err := gen.Lookup(c.String("log-format"))
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
				Format:   format,
			}
			if err := cfg.Check(); err != nil {
				return usageError{err}
			}
			_, err = gen.Write(c.Context, cfg, e.stdout)
			return err
		},
	}
}
