// Package demo shows logmon at work without a log: generated traffic with
// a burst goes through the very stages a user runs (parse, alert --pass,
// stats, render), connected by pipes, on a clock sped up so that a few
// minutes of event time pass in well under a minute.
package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/logmon/logmon/aggregate"
	"github.com/logmon/logmon/alert"
	"github.com/logmon/logmon/internal/clock"
	"github.com/logmon/logmon/internal/diag"
	"github.com/logmon/logmon/internal/driver"
	"github.com/logmon/logmon/internal/gen"
	"github.com/logmon/logmon/internal/input"
	"github.com/logmon/logmon/parse"
	"github.com/logmon/logmon/render"
)

// Phases is the demo's traffic: quiet, a burst that trips the default
// high-traffic rule (10 req/s over 2 min) about 35 s in, a silence during
// which the alert recovers (72 s after the burst ends), a minute of slow
// responses (ten times the usual durations) that trips the latency rule,
// and quiet traffic during which it recovers.
const Phases = "steady:60s:4,burst:120s:25,silence:90s,slow:60s:4,steady:60s:4"

// Format is the log the demo's traffic is written in: Combined with
// nginx's $request_time at the end, the commonest way to log latency.
const Format = `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time`

// LatencyRule is the demo's second rule: p90 above 0.5 s over 30 s,
// judged from 20 timed requests on. The usual traffic's p90 is about
// 0.12 s, and about 1 % of its requests take over 0.5 s (the long tail),
// far from the 10 % that would fire; the slow minute's p90 is about 1 s.
func LatencyRule() alert.Rule {
	return alert.Rule{Kind: alert.Latency, Threshold: 0.5, Window: 30 * time.Second, Quantile: 0.9, MinRequests: 20}
}

// MaxSpeed bounds the speed-up: the stages tick every 1/speed of a wall
// second, and a tick shorter than a millisecond is all overhead.
const MaxSpeed = 1000

// CheckSpeed says what is wrong with a speed-up, if anything.
func CheckSpeed(s float64) error {
	if !(s > 0 && s <= MaxSpeed) {
		return fmt.Errorf("speed must be above 0 and at most %d: %v", MaxSpeed, s)
	}
	return nil
}

// Length is how much event time the demo's traffic spans.
func Length() time.Duration {
	phases, _ := gen.ParsePhases(Phases, 4) // a constant: checked by the tests
	var d time.Duration
	for _, p := range phases {
		d += p.Duration
	}
	return d
}

// Config says how to run the demo.
type Config struct {
	Seed  int64
	Speed float64 // event seconds per wall second
	Out   render.Sink
	Log   func(cmd string) *slog.Logger // the logger of each stage (package diag)
	// Clock is the wall clock; nil means clock.System. The demo's own,
	// sped up, runs on it: gen paces its lines by it and each stage ticks
	// by it, for idle advance through the demo's silence.
	Clock clock.Clock
}

// Run runs the demo to the end of its traffic.
func Run(ctx context.Context, cfg Config) error {
	if err := CheckSpeed(cfg.Speed); err != nil {
		return err
	}
	wall := cfg.Clock
	if wall == nil {
		wall = clock.System
	}
	phases, err := gen.ParsePhases(Phases, 4)
	if err != nil {
		return err
	}
	clk := newFastClock(wall, cfg.Speed)

	agg, err := aggregate.New(aggregate.Config{Interval: 10 * time.Second, Top: 3, Lateness: 2 * time.Second}, cfg.Out.Summary)
	if err != nil {
		return err
	}
	logsOut, logsIn := io.Pipe()
	reqOut, reqIn := io.Pipe()
	passOut, passIn := io.Pipe()
	alertSink := render.NewJSON(passIn)
	eng, err := alert.New(alert.Config{Rules: []alert.Rule{alert.HighTrafficRule(10, 2*time.Minute), LatencyRule()}, Lateness: 2 * time.Second}, alertSink.Alert)
	if err != nil {
		return err
	}
	genFormat, err := gen.Lookup(Format)
	if err != nil {
		return err
	}
	logFormat, err := parse.Lookup(Format)
	if err != nil {
		return err
	}
	newParser := func() input.Parser { return logFormat.NewStream().NewParser() }

	stage := func(in io.Reader, out io.Closer, mixed bool, cmd driver.Config) func() error {
		return func() error {
			// Ticks once an event second (input.TickEvery): every 1/speed
			// wall seconds.
			err := driver.New(cmd).Run(input.Config{In: in, NewParser: newParser, Mixed: mixed, Clock: clk})
			if out != nil {
				out.Close()
			}
			if err != nil {
				// Unblock the stage before this one.
				if r, ok := in.(*io.PipeReader); ok {
					r.CloseWithError(err)
				}
			}
			return err
		}
	}
	warn := func(cmd string) *diag.Warner { return diag.NewWarner(cfg.Log(cmd), "demo", wall) }
	jobs := []func() error{
		func() error {
			_, err := gen.Write(ctx, gen.Config{Seed: cfg.Seed, Start: clk.start, Phases: phases, Disorder: time.Second, Realtime: true, Clock: clk, Format: genFormat}, logsIn)
			logsIn.CloseWithError(err)
			return err
		},
		stage(logsOut, reqIn, true, driver.Config{Out: render.NewJSON(reqIn), Pass: true, Warn: warn("parse")}),
		stage(reqOut, passIn, false, driver.Config{Fold: eng, Out: alertSink, Pass: true, Warn: warn("alert")}),
		stage(passOut, nil, false, driver.Config{Fold: agg, Out: cfg.Out, Warn: warn("stats")}),
	}
	var wg sync.WaitGroup
	errs := make([]error, len(jobs))
	for i, job := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = job()
		}()
	}
	wg.Wait()
	// A failure in one stage closes the pipes around it, so the others
	// fail with the same error or a closed pipe: report the first, from
	// the output end, once.
	for i := len(errs) - 1; i >= 0; i-- {
		if errs[i] != nil && !errors.Is(errs[i], io.ErrClosedPipe) {
			return errs[i]
		}
	}
	return errors.Join(errs...)
}

// fastClock is wall time sped up: event time start+speed*(wall-wall0),
// where start is wall0 to the second. The generator paces itself by it and
// the stages tick and judge idle time by it, so the demo's silence
// resolves the alert just as a live one would.
//
// Its channels carry the wall clock's times: nothing in the demo reads
// them (gen and the stages ask Now), and passing the wall clock's channels
// on as they are keeps a fake wall clock's promise that Advance returns
// once each tick has been received.
type fastClock struct {
	wall         clock.Clock
	wall0, start time.Time
	speed        float64
}

func newFastClock(wall clock.Clock, speed float64) *fastClock {
	wall0 := wall.Now()
	return &fastClock{wall: wall, wall0: wall0, start: wall0.Truncate(time.Second), speed: speed}
}

func (c *fastClock) Now() time.Time {
	return c.start.Add(time.Duration(float64(c.wall.Now().Sub(c.wall0)) * c.speed))
}

// wallTime is how long d of the fast clock lasts on the wall clock.
func (c *fastClock) wallTime(d time.Duration) time.Duration {
	return time.Duration(float64(d) / c.speed)
}

func (c *fastClock) After(d time.Duration) <-chan time.Time { return c.wall.After(c.wallTime(d)) }

func (c *fastClock) Ticker(d time.Duration) (<-chan time.Time, func()) {
	return c.wall.Ticker(c.wallTime(d))
}
