// Package hook runs a command for every alert record (logmon alert
// --exec), with the record on its standard input, so that an alert can
// page someone. The stream never waits for a command: records are queued
// and handed, in order, to one command at a time in a goroutine of their
// own; a command that runs too long is killed; when the queue is full a
// record is not handed on, and counted. Failures are reported, never
// fatal, with the start of what the command wrote; a command that
// succeeds is quiet.
//
// On Unix each command runs in a process group of its own, and the whole
// group is killed: when the command runs too long, and at the end
// (Close), for what a command left running in the background. So a
// command that starts `sleep 600`, in the foreground or with `&`, leaves
// nothing behind. On Windows only the command itself (cmd) is killed.
package hook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os/exec"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/logmon/logmon/internal/clock"
)

// QueueSize is how many records may wait for the command. An alert
// record is rare (a rule changing state), so a full queue means the
// command is far slower than the alerts come.
const QueueSize = 64

// Hook runs Command for each record given to Send.
type Hook struct {
	command string
	timeout time.Duration
	log     *slog.Logger
	clk     clock.Clock

	queue   chan []byte
	done    chan struct{}
	ctx     context.Context
	cancel  context.CancelFunc
	mu      sync.Mutex
	dropped int   // records not queued: the queue was full
	run     int   // commands run
	failed  int   // of which failed or were killed
	left    []int // process groups of commands that ended with processes still in them
}

// Start starts the goroutine that runs command (through sh -c, cmd /C on
// Windows) for each record, killing a run after timeout of clk's time.
// Problems are logged to log.
func Start(command string, timeout time.Duration, log *slog.Logger, clk clock.Clock) *Hook {
	ctx, cancel := context.WithCancel(context.Background())
	h := &Hook{command: command, timeout: timeout, log: log, clk: clk,
		queue: make(chan []byte, QueueSize), done: make(chan struct{}), ctx: ctx, cancel: cancel}
	go h.loop()
	return h
}

// Send queues record (one JSON object, without a newline; Send copies
// it) for the command. It never blocks: when the queue is full the record
// is dropped and counted.
func (h *Hook) Send(record []byte) {
	select {
	case h.queue <- append(bytes.Clone(record), '\n'):
	default:
		h.mu.Lock()
		h.dropped++
		h.mu.Unlock()
	}
}

// Close lets the queued records run, for at most the timeout in all, then
// kills what still runs, and what the commands left running in their
// process groups, and reports what was not run.
func (h *Hook) Close() {
	close(h.queue)
	select {
	case <-h.done:
	case <-h.clk.After(h.timeout):
		h.cancel()
		<-h.done
	}
	h.cancel()
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, g := range h.left {
		killGroup(g)
	}
	h.left = nil
	if h.dropped > 0 {
		h.log.Warn(fmt.Sprintf("--exec: %d alert records not handed to %q: it was too slow for them", h.dropped, h.command))
	}
}

func (h *Hook) loop() {
	defer close(h.done)
	for rec := range h.queue {
		if h.ctx.Err() != nil {
			h.mu.Lock()
			h.dropped++ // Close gave up waiting
			h.mu.Unlock()
			continue
		}
		h.runOne(rec)
	}
}

// runOne runs the command once with rec on its standard input.
func (h *Hook) runOne(rec []byte) {
	ctx, cancel := context.WithCancel(h.ctx)
	defer cancel()
	timedOut := make(chan struct{})
	expire := h.clk.After(h.timeout)
	go func() {
		select {
		case <-expire:
			close(timedOut)
			cancel()
		case <-ctx.Done():
		}
	}()
	name, flag := "sh", "-c"
	if runtime.GOOS == "windows" {
		name, flag = "cmd", "/C"
	}
	cmd := exec.CommandContext(ctx, name, flag, h.command)
	ownGroup(cmd) // killed as a whole when ctx is done
	cmd.Stdin = bytes.NewReader(rec)
	var out headWriter
	cmd.Stdout, cmd.Stderr = &out, &out
	// A child the command left behind may hold the output open: do not
	// wait for it longer than this once the command itself has ended.
	// It is os/exec's own timer, on the wall clock: the wait is for real
	// processes.
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	h.mu.Lock()
	h.run++
	if err != nil {
		h.failed++
	}
	if cmd.Process != nil {
		// Forget the groups that have emptied, keep this one if a
		// child the command started in the background still runs.
		h.left = slices.DeleteFunc(h.left, func(g int) bool { return !groupAlive(g) })
		if g := cmd.Process.Pid; groupAlive(g) {
			h.left = append(h.left, g)
		}
	}
	h.mu.Unlock()
	killed := false
	select {
	case <-timedOut:
		killed = true
	default:
	}
	switch {
	case err == nil:
	case killed:
		h.log.Warn(fmt.Sprintf("--exec: %q ran longer than %v and was killed", h.command, h.timeout))
	case ctx.Err() != nil:
		h.log.Warn(fmt.Sprintf("--exec: %q was killed: the input ended and the waiting records had had their %v", h.command, h.timeout))
	case errors.Is(err, exec.ErrWaitDelay):
		h.log.Warn(fmt.Sprintf("--exec: %q ended, but left a process running that holds its output; it is killed when alert ends", h.command))
	default:
		msg := fmt.Sprintf("--exec: %q: %v", h.command, err)
		if len(out.b) > 0 {
			msg += fmt.Sprintf(": %q", bytes.TrimSpace(out.b))
		}
		h.log.Warn(msg)
	}
}

// headWriter keeps the first 1 KiB written to it: enough of a failing
// command's output to say why, however much it writes.
type headWriter struct{ b []byte }

func (w *headWriter) Write(p []byte) (int, error) {
	if room := 1024 - len(w.b); room > 0 {
		w.b = append(w.b, p[:min(len(p), room)]...)
	}
	return len(p), nil
}
