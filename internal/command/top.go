package command

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/logmon/logmon/aggregate"
	"github.com/logmon/logmon/alert"
	"github.com/logmon/logmon/internal/asn"
	"github.com/logmon/logmon/internal/diag"
	"github.com/logmon/logmon/internal/driver"
	"github.com/logmon/logmon/internal/input"
	"github.com/logmon/logmon/internal/top"
)

// topFlags are stats' and alert's own flags that top takes: the same
// flags, so the same values give the same summaries and alerts. --top
// lists 20 by default: a screen has room for more than five.
func topFlags(e env) []cli.Flag {
	var flags []cli.Flag
	for _, f := range statsCommand(e).Flags {
		switch name := f.Names()[0]; name {
		case "top":
			t := *f.(*cli.IntFlag)
			t.Value = 20
			flags = append(flags, &t)
		case "interval", "ipv4-prefix", "ipv6-prefix", "asn-db":
			flags = append(flags, f)
		}
	}
	for _, f := range alertCommand(e).Flags {
		if name := f.Names()[0]; name == "rules" || slices.Contains(ruleFlags, name) {
			flags = append(flags, f)
		}
	}
	return append(flags, latenessFlag(), maxJumpFlag())
}

func topCommand(e env) *cli.Command {
	return &cli.Command{
		Name:      "top",
		Usage:     "a live dashboard on the terminal: rates, a chart, status, latency, the alerts firing, top lists",
		UsageText: "tail -F access.log | logmon top [--threshold 10] [--window 2m] [--latency 0.5]\n   logmon parse -F access.log | logmon alert --pass | logmon stats | logmon top",
		Flags:     append(topFlags(e), slices.Concat(inputFlags(), logFlags())...),
		Action: func(c *cli.Context) error {
			if !isTerminal(e.stdout) {
				return usagef("top draws a dashboard on a terminal, and standard output is not one: for a pipe or a file use logmon stats, alert or render")
			}
			if !c.Args().Present() && stdinTerminal(e) {
				return usagef("top reads the log on standard input, and it is the terminal: pipe the log in (tail -F access.log | logmon top) or name the files")
			}
			// What drive would refuse, refused before the screen is taken.
			if _, err := logFormat(c); err != nil {
				return err
			}
			if _, _, err := timeBounds(c, e.clock.Now()); err != nil {
				return err
			}
			dash := top.New()
			lateness, maxJump := c.Duration("lateness"), c.Duration("max-jump")
			cfg := aggregate.Config{
				Interval:   c.Duration("interval"),
				Top:        c.Int("top"),
				Lateness:   lateness,
				MaxJump:    maxJump,
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
			lists, err := aggregate.New(cfg, dash.Interval)
			if err != nil {
				return usageError{err}
			}
			// The chart's: a summary a second, of counts only.
			second := cfg
			second.Interval, second.Top, second.AS = time.Second, 1, nil
			chart, err := aggregate.New(second, dash.Second)
			if err != nil {
				return usageError{err}
			}
			rules, err := alertRules(c)
			if err != nil {
				return err
			}
			eng, err := alert.New(alert.Config{Rules: rules, Lateness: lateness, MaxJump: maxJump}, dash.Alert)
			if err != nil {
				return usageError{err}
			}
			view := top.View{}
			for _, r := range rules {
				if r.Kind == alert.HighTraffic {
					view.Threshold, view.Window = r.Threshold, int64(r.Window/time.Second)
					break
				}
			}

			// Diagnostics would scribble over the screen: the latest is
			// shown on it, and the last ones are written out once the
			// screen is given back (as they come when stderr is not the
			// terminal).
			diags := &diagLines{dash: dash}
			if !isTerminal(e.stderr) {
				diags.through = e.stderr
			}
			de := e
			de.stderr = diags
			log, err := logger(c, de, "top")
			if err != nil {
				return err
			}
			warn := diag.NewWarner(log, inputName, e.clock)
			defer warn.Close()

			prog, err := top.NewProgram(top.Config{Dash: dash, View: view, Colour: e.getenv("NO_COLOR") == ""})
			if err != nil {
				return fmt.Errorf("the terminal: %w", err)
			}
			// q ends the input as a signal does: the driver's
			// context is one of our own.
			ctx := c.Context
			driverCtx, stopInput := context.WithCancel(ctx)
			defer stopInput()
			c.Context = driverCtx
			driven := make(chan error, 1)
			go func() {
				err := drive(c, e, input.Config{}, driver.Config{Fold: top.Folds{chart, lists, eng}, Out: &top.Sink{Dash: dash}, Warn: warn})
				warn.Close()
				if err != nil && !errors.Is(err, input.ErrStopped) {
					prog.Fail(err)
				} else {
					prog.Ended()
				}
				driven <- err
			}()
			err = prog.Run(ctx)
			stopInput() // q: the input ends here, if it has not
			derr := <-driven
			diags.replay(e.stderr)
			switch {
			case err != nil:
				return err // the input failed, or the terminal did
			case errors.Is(derr, input.ErrStopped) && ctx.Err() == nil:
				return nil // stopped by q, not by a signal
			}
			return derr
		},
	}
}

// diagLines takes top's diagnostics while it has the screen: it shows
// the latest on the dashboard, keeps the last few to write on standard
// error at the end, and writes them through at once to a stderr that is
// not the terminal.
type diagLines struct {
	mu      sync.Mutex
	dash    *top.Dash
	through io.Writer
	kept    [][]byte
	dropped int
}

const keptDiags = 20

func (d *diagLines) Write(p []byte) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.through != nil {
		d.through.Write(p)
	}
	for _, l := range bytes.Split(bytes.TrimRight(p, "\n"), []byte("\n")) {
		d.dash.Warn(string(l))
		if d.through == nil {
			if len(d.kept) == keptDiags {
				d.kept = d.kept[1:]
				d.dropped++
			}
			d.kept = append(d.kept, append([]byte(nil), l...))
		}
	}
	return len(p), nil
}

// replay writes the diagnostics kept, once the screen is given back.
func (d *diagLines) replay(w io.Writer) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.dropped > 0 {
		io.WriteString(w, "logmon top: (earlier diagnostics left out: "+strconv.Itoa(d.dropped)+")\n")
	}
	for _, l := range d.kept {
		w.Write(append(l, '\n'))
	}
}

// stdinTerminal reports whether standard input is a terminal.
func stdinTerminal(e env) bool {
	f, ok := e.stdin.(io.Writer)
	return ok && isTerminal(f)
}
