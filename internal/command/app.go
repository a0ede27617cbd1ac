// Package command is logmon's command line: it builds the urfave/cli app,
// one file per command with its flags, wires the stages together and maps
// errors to exit codes. The work lives in the stage packages.
package command

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/mattn/go-isatty"
	"github.com/urfave/cli/v2"

	"github.com/logmon/logmon/internal/checkpoint"
	"github.com/logmon/logmon/internal/clock"
	"github.com/logmon/logmon/internal/input"
	"github.com/logmon/logmon/internal/termsafe"
)

// Exit codes, documented in the README.
const (
	exitOK      = 0
	exitFailure = 1 // an I/O error: unreadable input, unwritable output or rejects file
	exitUsage   = 2 // bad command line: unknown command or flag, bad flag value (and Go's own exit on a crash: README)
	exitState   = 3 // a --state file exists but cannot be used (see checkpoint.Error)
	// exitBrokenPipe: the reader of our output went away (`| head -1`).
	// It is what a shell reports for a process killed by SIGPIPE, which
	// is how Go ends a program writing to a closed stdout; logmon exits
	// the same way, quietly, when it sees the EPIPE error instead (when
	// SIGPIPE is ignored, or stdout is not file descriptor 1).
	exitBrokenPipe = 128 + 13
)

// Main runs logmon with args (os.Args) on the process's real streams,
// and returns the exit code.
func Main(args []string, stdin, stdout, stderr *os.File) int {
	return run(args, system(stdin, stdout, stderr))
}

// env is everything logmon takes from the outside world, injected so that
// tests run the whole command line in-process against buffers and a fake
// clock.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	// clock is the wall clock: the stages' ticks (idle advance, state
	// saves), a followed file's polls, gen's pacing, the demo's sped-up
	// time and the time of logmon's own log messages.
	clock clock.Clock
	// interrupt delivers SIGINT and SIGTERM; nil means none.
	interrupt <-chan os.Signal
}

func system(stdin, stdout, stderr *os.File) env {
	// Deep pipes between stages, and half the CPUs each: see growPipe
	// and pipelineProcs.
	growPipe(stdin)
	growPipe(stdout)
	setProcs(stdin, stdout)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	return env{
		interrupt: sig,
		stdin:     stdin,
		stdout:    stdout,
		stderr:    stderr,
		getenv:    os.Getenv,
		clock:     clock.System,
	}
}

// usageError marks an error in how logmon was called (exit 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// run runs logmon with args and returns the exit code. Errors are printed
// here, once, as "logmon: ...".
//
// SIGINT or SIGTERM ends the input: the command finishes as at the end of
// input (everything judged is written, output flushed, the tally printed)
// and exits 128 + the signal's number, as a shell reports a signal. A
// second signal kills at once.
func run(args []string, e env) int {
	setupMu.Lock()
	release := sync.OnceFunc(setupMu.Unlock)
	defer release()
	app := newApp(e)
	releaseAtAction(app.Commands, release)
	var unknown string
	app.CommandNotFound = func(_ *cli.Context, name string) { unknown = name }
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var got atomic.Value // the signal that stopped us
	if e.interrupt != nil {
		go func() {
			select {
			case s := <-e.interrupt:
				got.Store(s)
				signal.Reset(os.Interrupt, syscall.SIGTERM)
				cancel()
			case <-ctx.Done():
			}
		}()
	}
	err := app.RunContext(ctx, args)
	if s, ok := got.Load().(os.Signal); ok && (err == nil || errors.Is(err, context.Canceled) || errors.Is(err, input.ErrStopped)) {
		if n, ok := s.(syscall.Signal); ok {
			return 128 + int(n)
		}
		return exitFailure
	}
	if err == nil && unknown != "" {
		err = unknownCommand(unknown, app.Commands)
	}
	if err == nil {
		return exitOK
	}
	if errors.Is(err, syscall.EPIPE) {
		return exitBrokenPipe // nobody reads us any more: nothing to say
	}
	// An error may quote a file name, a state file's contents or a flag:
	// made safe for a terminal, as every diagnostic is (package diag).
	fmt.Fprintf(e.stderr, "logmon: %s\n", termsafe.Message(err.Error()))
	var u usageError
	if errors.As(err, &u) {
		return exitUsage
	}
	var refused *checkpoint.Error
	if errors.As(err, &refused) {
		return exitState
	}
	return exitFailure
}

// A repeatable flag is shown in help as any other, "--follow FILE, -F
// FILE": the library's default adds "[ --follow FILE, -F FILE ]", which
// doubles the width of the help's first column for every flag, while the
// flag's usage says it may be repeated.
func init() {
	plain := cli.FlagStringer
	cli.FlagStringer = func(f cli.Flag) string {
		s := plain(f)
		if sf, ok := f.(cli.DocGenerationSliceFlag); ok && sf.IsSliceFlag() {
			if i := strings.Index(s, " [ "); i >= 0 {
				if j := strings.Index(s[i:], " ]\t"); j >= 0 {
					s = s[:i] + s[i+j+2:]
				}
			}
		}
		return s
	}
}

// setupMu is held while urfave/cli sets a command line up and parses it,
// up to the command's action: the library writes to its package-level
// help flag and help command as it does, so logmon runs that share a
// process (the tests run many at once) must not do that together (go
// test -race saw them). A process of its own runs one logmon.
var setupMu sync.Mutex

// releaseAtAction makes each command's action (and its subcommands')
// call release first.
func releaseAtAction(cmds []*cli.Command, release func()) {
	for _, c := range cmds {
		if a := c.Action; a != nil {
			c.Action = func(ctx *cli.Context) error {
				release()
				return a(ctx)
			}
		}
		releaseAtAction(c.Subcommands, release)
	}
}

func newApp(e env) *cli.App {
	stages := []*cli.Command{
		parseCommand(e),
		statsCommand(e),
		alertCommand(e),
		renderCommand(e),
		reportCommand(e),
		genCommand(e),
		demoCommand(e),
		subscribeCommand(e),
		topCommand(e),
	}
	app := &cli.App{
		Name:      "logmon",
		Usage:     "watch HTTP access logs as a pipeline of stream filters",
		UsageText: "tail -F access.log | logmon parse | logmon alert\n   logmon parse < access.log | logmon stats | jq -c '.sections[0]'",
		Version:   shortVersion(),
		Reader:    e.stdin,
		Writer:    e.stdout,
		ErrWriter: e.stderr,
		// Never let the library exit the process; run maps errors.
		ExitErrHandler: func(*cli.Context, error) {},
		OnUsageError:   onUsage,
		Suggest:        true,
		// A slice flag's value is one value: --follow names a file, and a
		// file name may hold a comma.
		DisableSliceFlagSeparator: true,
		EnableBashCompletion:      true,
		Commands:                  stages,
	}
	for _, c := range stages {
		c.OnUsageError = onUsage
		if (findFlag(c, "format") != nil || c.Name == "render") && findFlag(c, tzFlagName) == nil {
			c.Flags = append(c.Flags, tzFlag())
		}
		decorateFlags(c.Flags)
		configurable(c, e)
		if c.Action != nil && (c.Name == "gen" || c.Name == "demo") {
			c.Action = noArgs(c.Action)
		}
	}
	app.Commands = append(app.Commands, configCommand(e), completionCommand(e), manCommand(e))
	for _, c := range app.Commands {
		c.OnUsageError = onUsage
	}
	return app
}

// onUsage makes an error of the command line a usage error (exit 2),
// worded for a person (flagError).
func onUsage(c *cli.Context, err error, _ bool) error {
	var cmd *cli.Command
	if c != nil {
		cmd = c.Command
	}
	return asUsage(cmd, err)
}

// noArgs refuses positional arguments to a command that reads nothing
// (gen, demo); the others read the files they are given.
func noArgs(action cli.ActionFunc) cli.ActionFunc {
	return func(c *cli.Context) error {
		if c.Args().Present() {
			return usagef("%s takes no arguments (it reads nothing): %q", c.Command.Name, c.Args().First())
		}
		return action(c)
	}
}

// isTerminal reports whether w is a terminal (on Cygwin too).
func isTerminal(w io.Writer) bool {
	f, ok := w.(interface{ Fd() uintptr })
	if !ok {
		return false
	}
	return isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())
}
