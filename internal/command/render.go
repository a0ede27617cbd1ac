package command

import (
	"github.com/urfave/cli/v2"

	"github.com/logmon/logmon/internal/diag"
	"github.com/logmon/logmon/internal/driver"
	"github.com/logmon/logmon/internal/input"
)

func renderCommand(e env) *cli.Command {
	return &cli.Command{
		Name:      "render",
		Usage:     "show any record stream as text for a person",
		UsageText: "logmon parse < access.log | logmon stats | jq -c 'select(.requests > 100)' | logmon render",
		Flags:     append(inputFlags(), logFlags()...),
		Action: func(c *cli.Context) error {
			log, err := logger(c, e, "render")
			if err != nil {
				return err
			}
			warn := diag.NewWarner(log, inputName, e.clock)
			defer warn.Close()
			out, err := textSink(c, e, isTerminal(e.stdout))
			if err != nil {
				return err
			}
			return drive(c, e, input.Config{}, driver.Config{Out: out, Pass: true, Warn: warn})
		},
	}
}
