// Package eventtime is the event-time clock that stats and alert share.
//
// Time in logmon is the log's own time, counted in whole seconds. A
// second is "judged" (its counts are final and the rules may act on it)
// once a time more than Lateness later has been seen. Lines may arrive
// out of order by up to Lateness and still count in their own second; a
// line older than that is late: it is counted in the earliest second not
// yet judged, and reported as late, never dropped.
//
// Live, when the input goes quiet, Idle lets event time run on with the
// wall clock from the newest line: the newest second seen plus the wall
// time since the input last arrived. Seconds keep being judged without new
// lines, and a log whose clock runs some seconds behind (or a writer that
// buffers a little) keeps its lag, so its next lines are not made late.
// Idle does so only while the stream is live (when the input last arrived,
// its newest timestamp was within LiveSkew of the wall clock), so replaying
// an old file never depends on how fast it is read.
package eventtime

import (
	"fmt"
	"time"
)

// LiveSkew is how close to the wall clock the newest timestamp must be for
// the stream to count as live. A minute covers log writers that buffer a
// little and clocks that disagree a little, and is far from any replay of
// yesterday's log.
const LiveSkew = 60

// MaxLateness bounds the lateness: everything not yet judged is held in
// memory, and a line an hour late is better counted late than waited for.
const MaxLateness = time.Hour

// Seconds checks a duration setting called name: event time counts whole
// seconds, so d must be whole seconds, at least lo and, when hi is not 0,
// at most hi. It returns d in seconds.
func Seconds(name string, d, lo, hi time.Duration) (int64, error) {
	if d%time.Second != 0 || d < lo || (hi != 0 && d > hi) {
		if hi == 0 {
			return 0, fmt.Errorf("%s must be whole seconds, at least %v: %v", name, lo, d)
		}
		return 0, fmt.Errorf("%s must be whole seconds between %v and %v: %v", name, lo, hi, d)
	}
	return int64(d / time.Second), nil
}

// CheckLateness checks a lateness setting: whole seconds up to MaxLateness.
func CheckLateness(d time.Duration) error {
	_, err := Seconds("lateness", d, 0, MaxLateness)
	return err
}

// Outliers: one line whose time is far from the stream's (a clock gone
// wrong, a stray line stamped 2099 or 1970) must not move event time:
// were it followed, every line after it would be late, its second's
// alert would fire and never resolve, and the stream's own alerts would
// be lost. A jump of the stream itself (a replay crossing a gap of days,
// the next file of a set) must be followed. The two look alike at the
// line that jumps; the lines after it tell them apart.
//
// A line is far from the stream when its time is more than the max jump
// ahead of, or behind, both the newest second of the stream (the newest
// line, or where Idle took event time live, so that a live stream that
// was quiet for hours is not far from its next line) and the last line's
// (after a jump back that was followed, the stream is where its lines
// are). It does not move event
// time: the driver holds it (package driver), with the lines after it
// that agree with it (within the max jump of the newest held). The jump
// is confirmed, and the held lines counted in order as if never held,
// once Confirm lines after the first agree. A line near the stream before
// that ends the wait: the held lines were outliers, rejected ("timestamp
// far from the stream"), and the stream goes on as if they were absent;
// so does the end of input. Before the first line there is no stream:
// the first Confirm+1 lines wait (or fewer, until the input ends or goes
// quiet), and their median sets the stream's time, so that a stray first
// line does not set it either; a first line within LiveSkew of the wall
// clock sets it at once (Live).
//
// Why Confirm lines: a stray line rarely comes alone in a log, but its
// lines then come from one broken source, interleaved with the stream's,
// and each is rejected at the next line of the stream; eight lines in a
// row agreeing, with none of the stream's among them, is a stream that
// moved. Holding costs the wait of eight lines once per real jump.
//
// Confirm is how many lines after a line far from the stream must agree
// with it for the jump to be followed.
const Confirm = 8

// DefaultMaxJump is the max jump unless set: far more than any lateness
// or clock skew, and far less than the gaps of a replay of several days.
const DefaultMaxJump = time.Hour

// CheckMaxJump checks a max jump setting: 0 (every line is followed, as
// far as it jumps) or whole seconds, at least the lateness, so that a
// line within the lateness is never far.
func CheckMaxJump(d, lateness time.Duration) error {
	if d == 0 {
		return nil
	}
	_, err := Seconds("max jump", d, max(lateness, time.Second), 0)
	return err
}

// Clock tracks the newest second seen and the seconds judged so far.
// The zero value is not ready: use New.
type Clock struct {
	lateness int64
	maxJump  int64 // seconds; 0: no line is far
	begun    bool
	newest   int64 // newest second seen (or reached by Idle)
	lines    int64 // newest second of a line
	last     int64 // the second of the last line (see Far)
	judged   int64 // every second <= judged is final
}

// New returns a clock that waits lateness for out-of-order lines, and
// takes a line more than maxJump from the stream as far (see Far); 0 means
// no line is.
func New(lateness, maxJump time.Duration) *Clock {
	return &Clock{lateness: int64(lateness / time.Second), maxJump: int64(maxJump / time.Second)}
}

// Far reports whether a line of second sec is far from the stream: more
// than the max jump, either way, from both its newest second and the
// last line's (after a jump back that was followed, the stream is where
// its lines are), or any line before the first (see Outliers above).
// With no max jump, no line is.
func (c *Clock) Far(sec int64) bool {
	return c.maxJump > 0 && (!c.begun || !c.Agree(sec, c.newest) && !c.Agree(sec, c.last))
}

// Agree reports whether seconds a and b are within the max jump of each
// other: lines of a jump that agree with its first.
func (c *Clock) Agree(a, b int64) bool {
	return a-b <= c.maxJump && b-a <= c.maxJump
}

// Live reports whether a line of second sec, arriving at wall time now,
// is live: within LiveSkew of the wall clock, which then vouches for its
// time (a first line need not wait for the lines after it).
func (c *Clock) Live(now time.Time, sec int64) bool {
	lag := now.Unix() - sec
	return lag <= LiveSkew && lag >= -LiveSkew
}

// Begun reports whether the clock has seen a line (or was restored from
// a state that had).
func (c *Clock) Begun() bool { return c.begun }

// Newest is the newest second of the stream (see Far).
func (c *Clock) Newest() int64 { return c.newest }

// See records that an event of second sec arrived. It returns the seconds
// that became final, (from, to]; from == to when none did. The caller
// judges those seconds before it places the event with Place.
func (c *Clock) See(sec int64) (from, to int64) {
	c.last = sec
	if !c.begun {
		c.begun = true
		c.newest, c.lines = sec, sec
		// Nothing before the first line exists; seconds up to
		// sec-lateness-1 are final at once, so a line up to lateness
		// earlier than the first still counts in its own second.
		c.judged = sec - c.lateness - 1
		return c.judged, c.judged
	}
	if sec > c.lines {
		c.lines = sec
	}
	return c.advance(sec)
}

// Place returns the second an event of second sec counts in: sec itself,
// or the earliest open second when sec is already judged (late).
func (c *Clock) Place(sec int64) (at int64, late bool) {
	if sec <= c.judged {
		return c.judged + 1, true
	}
	return sec, false
}

// Judged reports whether second sec is final: an event of it placed now
// is late.
func (c *Clock) Judged(sec int64) bool { return sec <= c.judged }

// Idle is called when the input has been quiet for a while; now is the
// wall clock and lastInput the wall time the input last arrived. If the
// stream is live, event time runs on from the newest line by the wall time
// since then, and the seconds that became final are returned as (from, to].
func (c *Clock) Idle(now, lastInput time.Time) (from, to int64) {
	if !c.begun {
		return 0, 0
	}
	if !c.Live(lastInput, c.lines) {
		return c.judged, c.judged // a replay: the wall clock has no say
	}
	// Whole seconds elapsed, rounded down: never judge early.
	return c.advance(c.lines + int64(now.Sub(lastInput)/time.Second))
}

// Finish is called at the end of input: nothing more can arrive, so every
// second up to the newest one seen becomes final.
func (c *Clock) Finish() (from, to int64) {
	if !c.begun {
		return 0, 0
	}
	from = c.judged
	if c.newest > c.judged {
		c.judged = c.newest
	}
	return from, c.judged
}

func (c *Clock) advance(sec int64) (from, to int64) {
	if sec > c.newest {
		c.newest = sec
	}
	from = c.judged
	if j := c.newest - c.lateness - 1; j > c.judged {
		c.judged = j
	}
	return from, c.judged
}

// State is the clock's part of a checkpoint (logmon stats/alert --state).
type State struct {
	Begun  bool  `json:"begun"`
	Newest int64 `json:"newest"`
	Lines  int64 `json:"lines"`
	Judged int64 `json:"judged"`
}

// State returns what Restore needs to go on where c stands.
func (c *Clock) State() State {
	return State{Begun: c.begun, Newest: c.newest, Lines: c.lines, Judged: c.judged}
}

// Restore makes c go on from a saved state. It refuses a state that no
// clock with c's lateness can have reached.
func (c *Clock) Restore(s State) error {
	if !s.Begun {
		if s != (State{}) {
			return fmt.Errorf("clock not begun but has times: %+v", s)
		}
		*c = Clock{lateness: c.lateness, maxJump: c.maxJump}
		return nil
	}
	// A running clock has lines <= newest and judges up to lateness+1
	// seconds behind the newest, never ahead of it.
	if s.Lines > s.Newest || s.Judged > s.Newest || s.Judged < s.Newest-c.lateness-1 {
		return fmt.Errorf("clock times out of order: %+v", s)
	}
	c.begun, c.newest, c.lines, c.judged, c.last = true, s.Newest, s.Lines, s.Judged, s.Lines
	return nil
}
