// Package clock is logmon's wall clock, injected: what reads the time of
// day, waits or ticks takes a Clock, so that the tests of live behaviour
// (idle advance, following a file, realtime pacing, the demo) drive time
// themselves and never sleep. System is the real clock; Fake is the tests',
// moved only by Advance.
//
// Wall time is not event time: the log's own time, which decides what a
// summary or an alert holds, is package eventtime's.
package clock

import (
	"slices"
	"sync"
	"time"
)

// Clock is the wall clock as logmon uses it.
type Clock interface {
	// Now is the time of day.
	Now() time.Time
	// After delivers the time on the returned channel once d has passed,
	// as time.After does. A goroutine that waits on it is the clock's to
	// wake: with Fake, only Advance does.
	After(d time.Duration) <-chan time.Time
	// Ticker delivers the time on c every d (d > 0) until stop is called,
	// as a time.Ticker does: a tick its reader is not ready for is dropped.
	Ticker(d time.Duration) (c <-chan time.Time, stop func())
}

// System is the real wall clock.
var System Clock = system{}

type system struct{}

func (system) Now() time.Time                         { return time.Now() }
func (system) After(d time.Duration) <-chan time.Time { return time.After(d) }

func (system) Ticker(d time.Duration) (<-chan time.Time, func()) {
	t := time.NewTicker(d)
	return t.C, t.Stop
}

// Fake is a clock for tests: its time stands still until Advance moves it,
// and Advance wakes what has come due on the way, in time order. A test
// that changes something while the code under test waits (BlockUntil)
// and then advances the clock knows exactly what that code saw between
// two looks, with no sleep and no race.
//
// Its tickers deliver each tick and wait until it has been received (or
// the ticker stopped): of the schedules a real ticker allows, Fake's is
// the one where the reader is always on time, so a test sees every tick.
// A reader must keep reading its ticker until it stops it.
//
// Any goroutine may read a Fake; one goroutine at a time advances it.
type Fake struct {
	mu      sync.Mutex
	now     time.Time
	waits   []*wait       // After timers and tickers, not yet fired or stopped
	seq     int           // registrations so far: simultaneous waits fire in this order
	changed chan struct{} // closed, and replaced, when an After starts waiting
}

// wait is an After timer or a ticker.
type wait struct {
	at    time.Time // when it fires next
	seq   int
	c     chan time.Time
	every time.Duration // a ticker's period; 0 for After
	stop  chan struct{} // a ticker's: closed by its stop
}

// NewFake returns a Fake clock that reads now.
func NewFake(now time.Time) *Fake {
	return &Fake{now: now, changed: make(chan struct{})}
}

// Now is the fake's time.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// After delivers the fake's time once Advance has moved it d on; at once
// when d <= 0.
func (f *Fake) After(d time.Duration) <-chan time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := make(chan time.Time, 1)
	if d <= 0 {
		c <- f.now
		return c
	}
	f.add(&wait{at: f.now.Add(d), c: c})
	close(f.changed)
	f.changed = make(chan struct{})
	return c
}

// Ticker ticks every d of the fake's time (see Fake for how it delivers).
// It panics when d <= 0, as time.NewTicker does.
func (f *Fake) Ticker(d time.Duration) (<-chan time.Time, func()) {
	if d <= 0 {
		panic("clock: non-positive interval for Fake.Ticker")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	w := &wait{at: f.now.Add(d), c: make(chan time.Time), every: d, stop: make(chan struct{})}
	f.add(w)
	var once sync.Once
	return w.c, func() {
		once.Do(func() {
			f.mu.Lock()
			f.remove(w)
			f.mu.Unlock()
			close(w.stop)
		})
	}
}

func (f *Fake) add(w *wait) {
	w.seq = f.seq
	f.seq++
	f.waits = append(f.waits, w)
}

func (f *Fake) remove(w *wait) {
	if i := slices.Index(f.waits, w); i >= 0 {
		f.waits = slices.Delete(f.waits, i, i+1)
	}
}

// Advance moves the fake's time d on (d >= 0). Each After and tick that
// falls due on the way fires in time order, with the clock reading its
// time; Advance returns once every tick has been received (or its ticker
// stopped), at the time d on. An After started by a goroutine it woke
// fires too, if it falls due before then.
func (f *Fake) Advance(d time.Duration) {
	if d < 0 {
		panic("clock: Fake.Advance with a negative duration")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	end := f.now.Add(d)
	for {
		w := f.next(end)
		if w == nil {
			break
		}
		f.now = w.at
		if w.every == 0 {
			f.remove(w)
			w.c <- w.at // buffered, and fired once: never blocks
			continue
		}
		at := w.at
		w.at = w.at.Add(w.every)
		w.seq = f.seq // after the others due at the same time
		f.seq++
		f.mu.Unlock()
		select {
		case w.c <- at:
		case <-w.stop:
		}
		f.mu.Lock()
	}
	f.now = end
}

// next is the wait that fires first, if it fires by end.
func (f *Fake) next(end time.Time) *wait {
	var first *wait
	for _, w := range f.waits {
		if !w.at.After(end) && (first == nil || w.at.Before(first.at) || w.at.Equal(first.at) && w.seq < first.seq) {
			first = w
		}
	}
	return first
}

// BlockUntil returns once n Afters are waiting to fire: goroutines that
// have done what they could and wait for the clock to move. (Tickers do
// not count: they are always there.)
func (f *Fake) BlockUntil(n int) {
	for {
		f.mu.Lock()
		afters := 0
		for _, w := range f.waits {
			if w.every == 0 {
				afters++
			}
		}
		changed := f.changed
		f.mu.Unlock()
		if afters >= n {
			return
		}
		// Advance only removes Afters, and After adds one and closes
		// changed: it is all there is to wait for.
		<-changed
	}
}

// Jumping returns a clock that reads f and on which waiting takes no
// time: After(d) advances f by d at once (ticks fall due on the way), and
// returns a channel that is ready. It is for a single goroutine that
// paces itself by the clock, such as gen's realtime output, run at full
// speed in a test.
func (f *Fake) Jumping() Clock { return jumping{f} }

type jumping struct{ f *Fake }

func (j jumping) Now() time.Time { return j.f.Now() }

func (j jumping) After(d time.Duration) <-chan time.Time {
	if d > 0 {
		j.f.Advance(d)
	}
	return j.f.After(0)
}

func (j jumping) Ticker(d time.Duration) (<-chan time.Time, func()) { return j.f.Ticker(d) }
