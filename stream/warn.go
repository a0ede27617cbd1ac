package stream

import (
	"fmt"
	"io"
	"time"
)

// warnBurst is how many warnings a second may print; the rest are counted
// and reported as suppressed, so a file of garbage cannot flood a
// terminal or a log while every bad line is still counted.
const warnBurst = 10

// Warner prints diagnostics about input lines on stderr, as
// "logmon parse: <stdin>:42: bad timestamp ...", at most warnBurst a
// second of wall-clock time.
type Warner struct {
	w      io.Writer
	prefix string // "logmon parse: "
	name   string // "<stdin>"
	now    func() time.Time

	second     int64
	inSecond   int
	suppressed int64
}

// NewWarner returns a Warner for the command cmd reading input name.
func NewWarner(w io.Writer, cmd, name string, now func() time.Time) *Warner {
	return &Warner{w: w, prefix: "logmon " + cmd + ": ", name: name, now: now}
}

// Line reports a problem with input line n.
func (w *Warner) Line(n int64, format string, args ...any) {
	if w.limited() {
		return
	}
	fmt.Fprintf(w.w, "%s%s:%d: %s\n", w.prefix, w.name, n, fmt.Sprintf(format, args...))
}

// At reports a problem at a place named by where ("access.log at byte
// 1234"), under the same limit as Line.
func (w *Warner) At(where string, format string, args ...any) {
	if w.limited() {
		return
	}
	fmt.Fprintf(w.w, "%s%s: %s\n", w.prefix, where, fmt.Sprintf(format, args...))
}

// limited counts a warning and reports whether it is over the limit.
func (w *Warner) limited() bool {
	if s := w.now().Unix(); s != w.second {
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

// Printf prints a message that is not about one line; it is never
// suppressed.
func (w *Warner) Printf(format string, args ...any) {
	w.flushSuppressed()
	fmt.Fprintf(w.w, "%s%s\n", w.prefix, fmt.Sprintf(format, args...))
}

// Close reports how many warnings were suppressed, if any.
func (w *Warner) Close() { w.flushSuppressed() }

func (w *Warner) flushSuppressed() {
	if w.suppressed > 0 {
		fmt.Fprintf(w.w, "%s%s: %d more warnings suppressed\n", w.prefix, w.name, w.suppressed)
		w.suppressed = 0
	}
}
