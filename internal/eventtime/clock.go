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

// Clock tracks the newest second seen and the seconds judged so far.
// The zero value is not ready: use New.
type Clock struct {
	lateness int64
	begun    bool
	newest   int64 // newest second seen (or reached by Idle)
	lines    int64 // newest second of a line
	judged   int64 // every second <= judged is final
}

// New returns a clock that waits lateness for out-of-order lines.
func New(lateness time.Duration) *Clock {
	return &Clock{lateness: int64(lateness / time.Second)}
}

// See records that an event of second sec arrived. It returns the seconds
// that became final, (from, to]; from == to when none did. The caller
// judges those seconds before it places the event with Place.
func (c *Clock) See(sec int64) (from, to int64) {
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

// Idle is called when the input has been quiet for a while; now is the
// wall clock and lastInput the wall time the input last arrived. If the
// stream is live, event time runs on from the newest line by the wall time
// since then, and the seconds that became final are returned as (from, to].
func (c *Clock) Idle(now, lastInput time.Time) (from, to int64) {
	if !c.begun {
		return 0, 0
	}
	if lag := lastInput.Unix() - c.lines; lag > LiveSkew || lag < -LiveSkew {
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
		*c = Clock{lateness: c.lateness}
		return nil
	}
	// A running clock has lines <= newest and judges up to lateness+1
	// seconds behind the newest, never ahead of it.
	if s.Lines > s.Newest || s.Judged > s.Newest || s.Judged < s.Newest-c.lateness-1 {
		return fmt.Errorf("clock times out of order: %+v", s)
	}
	c.begun, c.newest, c.lines, c.judged = true, s.Newest, s.Lines, s.Judged
	return nil
}
