package command

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/logmon/logmon/internal/checkpoint"
	"github.com/logmon/logmon/internal/fleet"
	"github.com/logmon/logmon/render"
)

// streamFlags say which JetStream stream keeps the records, and how it
// is made when it is missing (see Watching a fleet).
func streamFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "stream", Value: "LOGMON", Usage: "the JetStream stream `NAME` that keeps the records (subjects logmon.>), created when missing"},
		&cli.DurationFlag{Name: "stream-max-age", Value: 7 * 24 * time.Hour, Usage: "a stream created here keeps records this long"},
		&cli.DurationFlag{Name: "stream-duplicates", Value: 2 * time.Minute, Usage: "a stream created here drops a record published again within this window (same message id)"},
		&cli.IntFlag{Name: "stream-replicas", Value: 1, Usage: "a stream created here is kept on `N` servers of a cluster"},
		&cli.StringFlag{Name: "creds", Usage: "a NATS credentials `FILE` (user JWT and seed) or an nkey seed file (user and password, or a token, go in the URL)"},
		&cli.StringFlag{Name: "tls-ca", Usage: "trust the server certificates signed by the CAs of this PEM `FILE`, in place of the system's (TLS, as with tls://)"},
	}
}

// publishFlags are the flags of a stage that can publish its records.
func publishFlags() []cli.Flag {
	return append([]cli.Flag{
		&cli.StringFlag{Name: "publish", Usage: "send the records to NATS JetStream, to `nats://HOST:PORT/logmon.NAME` (the servers of a cluster: HOST:PORT,HOST:PORT,...), instead of standard output"},
	}, streamFlags()...)
}

func fleetConfig(c *cli.Context, url string, log *slog.Logger) fleet.Config {
	return fleet.Config{
		URL: url, Creds: c.String("creds"), TLSCA: c.String("tls-ca"), Stream: c.String("stream"),
		MaxAge: c.Duration("stream-max-age"), Duplicates: c.Duration("stream-duplicates"), Replicas: c.Int("stream-replicas"),
		Warn: func(format string, args ...any) { log.Warn(fmt.Sprintf(format, args...)) },
	}
}

// publishSink returns out, or with --publish the Publisher that takes its
// place, and what closes it (flushing what is left).
func publishSink(c *cli.Context, out render.Sink, log *slog.Logger, stateKept bool) (render.Sink, func() error, error) {
	url := c.String("publish")
	if url == "" {
		return out, func() error { return nil }, nil
	}
	if _, _, err := fleet.Split(url); err != nil {
		return nil, nil, usagef("--publish: %v", err)
	}
	p, err := fleet.Publish(c.Context, fleetConfig(c, url, log))
	if err != nil {
		return nil, nil, err
	}
	p.SkipPartial = stateKept
	return p, p.Close, nil
}

func subscribeCommand(e env) *cli.Command {
	return &cli.Command{
		Name:      "subscribe",
		Usage:     "write the records of NATS JetStream subjects, in stream order, each with its stream sequence",
		UsageText: "logmon subscribe nats://HOST:PORT/logmon.> [--resume STATE] [--until-idle D] | logmon alert --state STATE",
		Flags: slices.Concat([]cli.Flag{
			&cli.StringFlag{Name: "resume", Usage: "start after the last record counted by the stage that keeps `STATE` (its --state file); a missing STATE means from the start"},
			&cli.DurationFlag{Name: "until-idle", Usage: "end (exit 0) once no record has arrived for this long; 0: wait for records for ever"},
		}, streamFlags(), logFlags()),
		Action: func(c *cli.Context) error {
			if c.NArg() > 1 && strings.HasPrefix(c.Args().Get(1), "-") {
				// Flags after the URL (subscribe URL --resume STATE):
				// urfave/cli stops at the first argument, so read them
				// again, put before it.
				args := []string{c.App.Name, "subscribe"}
				for _, name := range c.LocalFlagNames() {
					if c.IsSet(name) {
						args = append(args, "--"+name+"="+fmt.Sprint(c.Value(name)))
					}
				}
				args = append(append(args, c.Args().Tail()...), c.Args().First())
				return c.App.RunContext(c.Context, args)
			}
			if c.NArg() != 1 {
				return usagef("subscribe takes one URL, nats://HOST:PORT/SUBJECT (wildcards allowed: logmon.>), not %d arguments", c.NArg())
			}
			url := c.Args().First()
			if _, _, err := fleet.Split(url); err != nil {
				return usageError{err}
			}
			if c.Duration("until-idle") < 0 {
				return usagef("--until-idle must not be negative: %v", c.Duration("until-idle"))
			}
			log, err := logger(c, e, "subscribe")
			if err != nil {
				return err
			}
			cfg := fleetConfig(c, url, log)
			from := uint64(1)
			if state := c.String("resume"); state != "" {
				f, found, err := checkpoint.Load(state)
				switch {
				case err != nil:
					return err
				case !found:
					log.Info(fmt.Sprintf("no state %s yet: reading stream %s from its start", state, cfg.Stream))
				case f.Position == nil || !strings.HasPrefix(f.Position.File, "nats:"):
					log.Info(fmt.Sprintf("state %s holds no stream position (its stage was not fed by subscribe): reading stream %s from its start", state, cfg.Stream))
				case f.Position.File != fleet.PositionFile(cfg.Stream):
					return usagef("--resume %s: its position is in stream %s, not %s", state, strings.TrimPrefix(f.Position.File, "nats:"), cfg.Stream)
				default:
					from = uint64(f.Position.Offset) + 1
					log.Info(fmt.Sprintf("resuming stream %s after sequence %d", cfg.Stream, f.Position.Offset))
				}
			}
			return fleet.Subscribe(c.Context, cfg, from, c.Duration("until-idle"), e.stdout)
		},
	}
}
