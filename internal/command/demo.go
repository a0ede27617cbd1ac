package command

import (
	"fmt"
	"log/slog"

	"github.com/urfave/cli/v2"

	"github.com/logmon/logmon/internal/demo"
)

func demoCommand(e env) *cli.Command {
	return &cli.Command{
		Name:      "demo",
		Usage:     "watch generated traffic with a burst go through parse, alert and stats (about 30 s)",
		UsageText: "logmon demo [--speed 10]",
		Flags: append([]cli.Flag{
			formatFlag(),
			&cli.Float64Flag{Name: "speed", Value: 10, Usage: "event seconds per wall-clock second, a `FACTOR`"},
			&cli.Int64Flag{Name: "seed", Value: 1, Usage: "random `SEED` of the traffic"},
		}, logFlags()...),
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
