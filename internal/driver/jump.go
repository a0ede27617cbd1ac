package driver

import (
	"fmt"
	"slices"
	"time"

	"github.com/logmon/logmon/internal/eventtime"
	"github.com/logmon/logmon/internal/input"
	"github.com/logmon/logmon/internal/record"
)

// Requests far from the stream's time are held here until the lines after
// them say whether they jump with the stream or are outliers (the rule is
// eventtime's: see eventtime.Clock.Far). The fold never sees a held
// request; once the jump is confirmed the held ones are counted in order,
// written on (--pass) and their place recorded (--state) as if they had
// never waited, and an outlier is a bad line, as if it were absent. While
// a request is held, every request and record after it waits behind it,
// so the output keeps the input's order, and the state's position never
// passes a held line, which a restart therefore reads again.

// maxHeldBytes and maxHeld bound what is held: a jump's first requests,
// at most Confirm+1, and the records among them, each copied (the batch
// it came in is read into again). What would pass either bound settles
// the held lines at once, as the end of input does: memory stays bounded
// whatever the lines' length and number.
const (
	maxHeldBytes = 1 << 20
	maxHeld      = 8 * (eventtime.Confirm + 1)
)

// held is a line held, copied out of its batch: a request, or a record
// to pass on.
type held struct {
	n       int64
	path    string
	offset  int64
	kind    input.Kind
	decoded bool
	typ     record.Type
	text    []byte // the line, in buf
	req     record.Request
	buf     []byte // where text and req's fields are
}

// hold copies it behind the lines held. It returns false, holding
// nothing, when that would pass maxHeld or maxHeldBytes.
func (d *Driver) hold(it *input.Item) bool {
	size := len(it.Text)
	if it.Kind == input.Request {
		size += it.Req.Size()
	}
	if d.heldBytes+size > maxHeldBytes || len(d.held) >= maxHeld {
		return false
	}
	d.heldBytes += size
	if len(d.held) < cap(d.held) {
		d.held = d.held[:len(d.held)+1]
	} else {
		d.held = append(d.held, held{})
	}
	h := &d.held[len(d.held)-1]
	// Room for everything first: the copies below never move buf.
	h.buf = slices.Grow(h.buf[:0], size)
	h.n, h.path, h.offset, h.kind, h.decoded, h.typ = it.N, it.Path, it.Offset, it.Kind, it.Decoded, it.Type
	h.text = h.copy(it.Text)
	if it.Kind != input.Request {
		return true
	}
	h.req, h.buf = it.Req.CopyTo(h.buf)
	if d.heldReqs == 0 || h.req.Sec > d.heldNewest {
		d.heldNewest = h.req.Sec
	}
	d.heldReqs++
	return true
}

func (h *held) copy(b []byte) []byte {
	n := len(h.buf)
	h.buf = append(h.buf, b...)
	return h.buf[n:len(h.buf):len(h.buf)]
}

// item is the held line as the item it came as.
func (h *held) item() input.Item {
	it := input.Item{N: h.n, Text: h.text, Kind: h.kind, Decoded: h.decoded, Type: h.typ, Path: h.path, Offset: h.offset}
	if h.kind == input.Request {
		it.Req = &h.req
	}
	return it
}

// record handles a record to pass on: behind the held lines, if any.
func (d *Driver) record(it *input.Item) error {
	if it.Type == record.TypeSummary && d.sums != nil {
		if len(d.held) > 0 {
			if err := d.settle(); err != nil {
				return err
			}
		}
		return d.summary(it)
	}
	if len(d.held) == 0 {
		return d.pass(it)
	}
	if d.hold(it) {
		return nil
	}
	if err := d.settle(); err != nil {
		return err
	}
	return d.pass(it)
}

// far reports whether a request of second sec is far from the stream:
// from its newest second, or before the first request is counted, from
// the time the first lines set (startAt), or from any time before that.
func (d *Driver) far(sec int64) bool {
	if !d.clock.Begun() && d.started {
		return !d.clock.Agree(sec, d.startRef)
	}
	return d.clock.Far(sec)
}

// ref is the stream's time as far knows it.
func (d *Driver) ref() int64 {
	if !d.clock.Begun() {
		return d.startRef
	}
	return d.clock.Newest()
}

// judge counts a request, or holds it: when lines are held, or it is far
// from the stream (see eventtime.Clock.Far for the rule).
func (d *Driver) judge(it *input.Item) error {
	if d.heldReqs == 0 && !d.far(it.Req.Sec) {
		return d.take(it)
	}
	sec := it.Req.Sec
	if !d.clock.Begun() && !d.started {
		if d.wall != nil && d.clock.Live(d.wall.Now(), sec) {
			// A live line: the wall clock vouches for its time.
			if err := d.startAt(sec); err != nil {
				return err
			}
			return d.judge(it)
		}
		// No stream yet: the first requests are held, and set the
		// stream's time together (settle).
		if !d.hold(it) {
			// Too much to hold: the lines held so far set the
			// stream's time, or, with none, this one does.
			ref := sec
			if d.heldReqs > 0 {
				ref = d.median()
			}
			if err := d.startAt(ref); err != nil {
				return err
			}
			return d.judge(it)
		}
		if d.heldReqs > eventtime.Confirm {
			return d.startAt(d.median())
		}
		return nil
	}
	if d.heldReqs > 0 {
		switch {
		case !d.far(sec):
			// Back near the stream: what is held was no jump.
			if err := d.settle(); err != nil {
				return err
			}
			return d.take(it)
		case d.clock.Agree(sec, d.heldNewest):
			if !d.hold(it) {
				if err := d.settle(); err != nil {
					return err
				}
				return d.judge(it)
			}
			if d.heldReqs > eventtime.Confirm {
				return d.release()
			}
			return nil
		default:
			// Far from the stream and from the held ones: they were
			// outliers, and this one may be the first of a jump.
			if err := d.settle(); err != nil {
				return err
			}
		}
	}
	if d.hold(it) {
		return nil
	}
	// Too long to hold: judged at once, as at the end of input.
	return d.outlier(it, d.ref())
}

// release counts the held requests in order: the jump is confirmed.
func (d *Driver) release() error {
	for i := range d.held {
		it := d.held[i].item()
		var err error
		if it.Kind == input.Request {
			err = d.take(&it)
		} else {
			err = d.pass(&it)
		}
		if err != nil {
			return err
		}
	}
	d.clearHeld()
	return nil
}

// settle ends the wait as the end of input does: each held request still
// far from the stream is an outlier, and one that came near it meanwhile
// (live, event time moved on with the wall clock) is counted. Before the
// stream has a time, the first lines set it first (startAt): the median
// of the held requests.
func (d *Driver) settle() error {
	if !d.clock.Begun() && !d.started && d.heldReqs > 0 {
		if err := d.startAt(d.median()); err != nil {
			return err
		}
	}
	for i := range d.held {
		it := d.held[i].item()
		var err error
		switch {
		case it.Kind != input.Request:
			err = d.pass(&it)
		case d.far(it.Req.Sec):
			err = d.outlier(&it, d.ref())
		default:
			err = d.take(&it)
		}
		if err != nil {
			return err
		}
	}
	d.clearHeld()
	return nil
}

// median is the median second of the held requests (one at least).
func (d *Driver) median() int64 {
	var secs [maxHeld]int64
	n := 0
	for i := range d.held {
		if d.held[i].kind == input.Request {
			secs[n] = d.held[i].req.Sec
			n++
		}
	}
	s := secs[:n]
	slices.Sort(s)
	return s[n/2]
}

// startAt gives the stream its time, ref, before its first request is
// counted, and judges the lines held so far, in order, as if they came
// now: those near ref are counted, and those far from it are held as the
// first lines of a jump, followed if the lines after them confirm it,
// like any other. So neither a stray first line nor a stray second one
// sets the stream's time (the median of nine lines is none of a few
// strays), and a jump within the first lines is followed.
func (d *Driver) startAt(ref int64) error {
	d.started, d.startRef = true, ref
	held := d.held
	d.held, d.spare = d.spare[:0], nil
	d.heldReqs, d.heldBytes = 0, 0
	var err error
	for i := range held {
		it := held[i].item()
		if it.Kind == input.Request {
			err = d.judge(&it)
		} else {
			err = d.record(&it)
		}
		if err != nil {
			break
		}
	}
	for i := range held {
		held[i].release()
	}
	d.spare = held[:0]
	return err
}

func (d *Driver) clearHeld() {
	for i := range d.held {
		d.held[i].release()
	}
	d.held, d.heldReqs, d.heldBytes = d.held[:0], 0, 0
}

func (h *held) release() {
	if cap(h.buf) > 64<<10 {
		h.buf = nil // a long line passed: do not keep its buffer
	}
	h.req = record.Request{}
}

// outlier reports a request far from the stream's second ref as a bad
// line (warned of, kept by --rejects), not counted. It is counted on its
// own, not among the rejected lines: those are lines that do not parse,
// which the tally of a stage reading log lines says as parse would.
func (d *Driver) outlier(it *input.Item, ref int64) error {
	d.Outliers++
	d.observeRejected(Outlier)
	sec := it.Req.Sec
	way := "after"
	if sec < ref {
		way = "before"
	}
	return d.report(it, fmt.Sprintf("timestamp far from the stream: %s, %s %s the stream's time %s (--max-jump), and the lines after it did not follow",
		record.AppendTime(nil, sec, 0), span(sec-ref), way, record.AppendTime(nil, ref, 0)))
}

// span says how far apart two seconds d apart are, roughly, for a person.
func span(d int64) string {
	if d < 0 {
		d = -d
	}
	if d >= 2*86400 {
		return fmt.Sprintf("%d days", d/86400)
	}
	return (time.Duration(d) * time.Second).String()
}
