package diag

import (
	"fmt"
	"log/slog"

	"github.com/logmon/logmon/internal/clock"
)

// warnBurst is how many warnings a second may print; the rest are counted
// and reported as suppressed, so a file of garbage cannot flood a
// terminal or a log while every bad line is still counted.
const warnBurst = 10

// Warner reports diagnostics about input lines through the command's
// logger (package diag) at level warn, as "logmon parse: <stdin>:42: bad
// timestamp ..." in text, at most warnBurst a second of wall-clock time;
// its other messages (tallies, notices) are at level info.
type Warner struct {
	log  *slog.Logger
	name string // "<stdin>"
	clk  clock.Clock

	second     int64
	inSecond   int
	suppressed int64
}

// NewWarner returns a Warner logging to log about the input called name.
func NewWarner(log *slog.Logger, name string, clk clock.Clock) *Warner {
	return &Warner{log: log, name: name, clk: clk}
}

// SetInput names the input the warnings are about, once it is known
// (the file named on the command line); before the input is read.
func (w *Warner) SetInput(name string) { w.name = name }

// Line reports a problem with input line n.
func (w *Warner) Line(n int64, format string, args ...any) {
	if w.limited() {
		return
	}
	w.log.Warn(fmt.Sprintf(format, args...), KeyInput, w.name, KeyLine, n)
}

// At reports a problem at a place named by where ("access.log at byte
// 1234"), under the same limit as Line.
func (w *Warner) At(where string, format string, args ...any) {
	if w.limited() {
		return
	}
	w.log.Warn(fmt.Sprintf(format, args...), KeyAt, where)
}

// limited counts a warning and reports whether it is over the limit.
func (w *Warner) limited() bool {
	if s := w.clk.Now().Unix(); s != w.second {
		w.second, w.inSecond = s, 0
	}
	if w.inSecond >= warnBurst {
		w.suppressed++
		return true
	}
	w.inSecond++
	w.flushSuppressed()
	return false
}

// Printf reports, at level info, a message that is not about one line
// (a tally, a notice); it is never suppressed.
func (w *Warner) Printf(format string, args ...any) {
	w.flushSuppressed()
	w.log.Info(fmt.Sprintf(format, args...))
}

// Debugf reports what is only worth seeing with --log-level debug.
func (w *Warner) Debugf(format string, args ...any) {
	w.log.Debug(fmt.Sprintf(format, args...))
}

// Close reports how many warnings were suppressed, if any.
func (w *Warner) Close() { w.flushSuppressed() }

func (w *Warner) flushSuppressed() {
	if w.suppressed > 0 {
		w.log.Warn(fmt.Sprintf("%d more warnings suppressed", w.suppressed), KeyInput, w.name)
		w.suppressed = 0
	}
}
