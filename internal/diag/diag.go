// Package diag is logmon's own logging: every diagnostic (a bad line, a
// tally, a rotation noticed, a state saved) goes through log/slog to
// standard error, so a long-running pipeline leaves a record of what it
// did. Two formats: text, the "logmon parse: <stdin>:42: bad timestamp ..."
// lines a person reads, and json, one object per message for a log
// collector. --log-level drops what is below it.
//
// A message may hold what logmon did not write itself: a file name, a
// state file's contents, a command's output. Both formats are safe on a
// terminal (package termsafe): text escapes every control and invisible
// character of the message and of every attribute, keeping the Go
// escapes a message already has (a value quoted with %q); json writes
// them as JSON escapes, and invalid UTF-8 as U+FFFD.
package diag

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"

	"github.com/logmon/logmon/internal/clock"
	"github.com/logmon/logmon/internal/termsafe"
)

// The attributes a message may carry; the text format builds its place
// prefix from them.
const (
	KeyCmd   = "cmd"   // the logmon command: "parse"
	KeyInput = "input" // the input's name: "<stdin>", a followed file
	KeyLine  = "line"  // the input line a message is about
	KeyAt    = "at"    // a place in a file: "access.log at byte 1234"
)

// New returns the logger of command cmd writing to w, at level ("debug",
// "info", "warn" or "error") in format ("text" or "json"). clk stamps the
// messages (the json format writes the time; a fake clock in tests).
func New(w io.Writer, cmd, level, format string, clk clock.Clock) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level must be debug, info, warn or error: %q", level)
	}
	var h slog.Handler
	switch format {
	case "text":
		h = &textHandler{mu: new(sync.Mutex), w: w, level: lv}
	case "json":
		h = slog.NewJSONHandler(safeJSON{w}, &slog.HandlerOptions{Level: lv})
	default:
		return nil, fmt.Errorf("--diag-format must be text or json: %q", format)
	}
	return slog.New(clocked{h, clk}).With(KeyCmd, cmd), nil
}

// clocked stamps records with the injected clock rather than time.Now.
type clocked struct {
	slog.Handler
	clk clock.Clock
}

func (c clocked) Handle(ctx context.Context, r slog.Record) error {
	r.Time = c.clk.Now()
	return c.Handler.Handle(ctx, r)
}

func (c clocked) WithAttrs(as []slog.Attr) slog.Handler {
	return clocked{c.Handler.WithAttrs(as), c.clk}
}

func (c clocked) WithGroup(name string) slog.Handler {
	return clocked{c.Handler.WithGroup(name), c.clk}
}

// safeJSON writes the JSON handler's lines safe for a terminal:
// encoding/json escapes C0 controls and writes invalid UTF-8 as U+FFFD,
// but lets DEL, C1 controls and bidi controls through raw. The handler
// writes each message in one Write, a whole line.
type safeJSON struct{ w io.Writer }

func (s safeJSON) Write(p []byte) (int, error) {
	line, nl := bytes.CutSuffix(p, []byte("\n"))
	b := termsafe.AppendJSON(make([]byte, 0, len(p)+16), line)
	if nl {
		b = append(b, '\n')
	}
	if _, err := s.w.Write(b); err != nil {
		return 0, err
	}
	return len(p), nil
}

// textHandler writes one line per message for a person:
//
//	logmon parse: <stdin>:42: bad timestamp "30/Feb/2015:10:05:03 +0000"
//	logmon parse: access.log at byte 1234: bad status "abc"
//	logmon parse: <stdin>: 3 more warnings suppressed
//	logmon parse: 10000 lines: 9999 requests, 1 rejected
//
// Other attributes follow the message as key=value. The level is not
// written: the words say how serious a message is. Every piece is
// escaped with termsafe.AppendMessage.
type textHandler struct {
	mu    *sync.Mutex // shared by the handlers WithAttrs makes: whole lines from every goroutine
	w     io.Writer
	level slog.Level
	attrs []slog.Attr
}

func (h *textHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level }

func (h *textHandler) WithAttrs(as []slog.Attr) slog.Handler {
	c := *h
	c.attrs = append(append([]slog.Attr(nil), h.attrs...), as...)
	return &c
}

func (h *textHandler) WithGroup(string) slog.Handler { return h }

func (h *textHandler) Handle(_ context.Context, r slog.Record) error {
	var cmd, input, line, at string
	var rest []string
	take := func(a slog.Attr) bool {
		v := a.Value.Resolve().String()
		switch a.Key {
		case KeyCmd:
			cmd = v
		case KeyInput:
			input = v
		case KeyLine:
			line = v
		case KeyAt:
			at = v
		default:
			rest = append(rest, a.Key+"="+v)
		}
		return true
	}
	for _, a := range h.attrs {
		take(a)
	}
	r.Attrs(take)

	b := []byte("logmon")
	if cmd != "" {
		b = append(b, ' ')
		b = termsafe.AppendMessage(b, []byte(cmd))
	}
	b = append(b, ": "...)
	switch {
	case at != "":
		b = termsafe.AppendMessage(b, []byte(at))
		b = append(b, ": "...)
	case input != "" && line != "":
		b = termsafe.AppendMessage(b, []byte(input))
		b = append(b, ':')
		b = termsafe.AppendMessage(b, []byte(line))
		b = append(b, ": "...)
	case input != "":
		b = termsafe.AppendMessage(b, []byte(input))
		b = append(b, ": "...)
	}
	b = termsafe.AppendMessage(b, []byte(r.Message))
	for _, kv := range rest {
		b = append(b, ' ')
		b = termsafe.AppendMessage(b, []byte(kv))
	}
	b = append(b, '\n')
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := h.w.Write(b)
	return err
}
