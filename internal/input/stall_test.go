package input

import (
	"io"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/logmon/logmon/internal/clock"
)

// stallClock is a wall clock whose ticks the test delivers itself, each
// at the time it says: unlike clock.Fake, whose ticker delivers every
// tick, it can deliver one tick after a jump of many seconds, as a real
// ticker does when the process was stopped (SIGSTOP, a paused VM) and
// its reader missed the ticks in between.
type stallClock struct {
	mu  sync.Mutex
	now time.Time
	c   chan time.Time
}

func newStallClock(now time.Time) *stallClock {
	return &stallClock{now: now, c: make(chan time.Time)}
}

func (s *stallClock) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now
}

func (s *stallClock) After(time.Duration) <-chan time.Time { panic("stallClock: After") }

func (s *stallClock) Ticker(time.Duration) (<-chan time.Time, func()) { return s.c, func() {} }

// tick sets the clock to at and delivers a tick; it returns once Run has
// taken it (and, as Run does one thing at a time, handled the one before).
func (s *stallClock) tick(at time.Time) {
	s.mu.Lock()
	s.now = at
	s.mu.Unlock()
	s.c <- at
}

// gate is a reader whose reads wait for the test: what the test writes
// meanwhile waits in the pipe, as a stopped process's backlog does.
type gate struct {
	io.Reader
	open chan struct{}
}

func (g gate) Read(p []byte) (int, error) {
	<-g.open
	return g.Reader.Read(p)
}

// gatedFile is a gate on a pipe's read end that shows the pipe, so that
// what waits in it can be seen.
type gatedFile struct {
	*os.File
	open chan struct{}
}

func (g gatedFile) Read(p []byte) (int, error) {
	<-g.open
	return g.File.Read(p)
}

// waitLines waits until the handler has flushed after n lines.
func waitLines(flushed <-chan int, n int) {
	for got := range flushed {
		if got >= n {
			return
		}
	}
}

// TestStallIsNotSilence: a tick that comes long after the one before is
// a stall of the process (stopped, or a machine that slept), not a quiet
// input, even when nothing can be seen waiting (the input is no file, or
// the writer stalled too): event time does not move on by the stall.
// Then the backlog comes, in order, and none of it is late; the input
// goes quiet, and the next whole quiet tick moves event time on as ever.
func TestStallIsNotSilence(t *testing.T) {
	pr, pw := io.Pipe()
	in := gate{pr, make(chan struct{}, 10)}
	t0 := time.Unix(1000, 0)
	clk := newStallClock(t0)
	c := &collect{}
	flushed := make(chan int, 100)
	c.onFlush = func() { flushed <- len(c.lines) }
	done := make(chan error)
	go func() { done <- c.run(Config{In: in, Clock: clk}) }()

	in.open <- struct{}{}
	pw.Write([]byte("a\n"))
	waitLines(flushed, 1)
	clk.tick(t0.Add(1 * time.Second)) // after input: not quiet
	clk.tick(t0.Add(2 * time.Second)) // quiet: event time moves on
	// Stopped for 10 s: the ticker's next tick comes at once, with the
	// backlog still unread.
	clk.tick(t0.Add(12 * time.Second))
	in.open <- struct{}{}
	go pw.Write([]byte("b\nc\n"))
	waitLines(flushed, 3)
	clk.tick(t0.Add(13 * time.Second)) // after input
	clk.tick(t0.Add(14 * time.Second)) // quiet
	close(in.open)
	pw.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	want := []time.Time{t0.Add(2 * time.Second), t0.Add(14 * time.Second)}
	if !slices.EqualFunc(c.idles, want, time.Time.Equal) {
		t.Errorf("quiet ticks at %v, want %v: the tick after the stall is no silence", unix(c.idles), unix(want))
	}
	if !slices.Equal(c.lines, []string{"a", "b", "c"}) {
		t.Errorf("lines %q", c.lines)
	}
}

// TestBacklogIsNotSilence: bytes waiting in the input pipe are not a
// quiet input, however many ticks pass while the reader has not read
// them (its process was stopped, or not scheduled): no tick is quiet
// until they are read.
func TestBacklogIsNotSilence(t *testing.T) {
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	in := gatedFile{pr, make(chan struct{}, 10)}
	if _, ok := readable(in); !ok {
		t.Skip("the system does not say what waits in a pipe")
	}
	t0 := time.Unix(1000, 0)
	clk := clock.NewFake(t0)
	c := &collect{}
	flushed := make(chan int, 100)
	c.onFlush = func() { flushed <- len(c.lines) }
	done := make(chan error)
	go func() { done <- c.run(Config{In: in, Clock: clk}) }()

	in.open <- struct{}{}
	pw.Write([]byte("a\n"))
	waitLines(flushed, 1)
	clk.Advance(TickEvery) // after input: not quiet
	pw.Write([]byte("b\nc\n"))
	clk.Advance(3 * TickEvery) // the backlog waits in the pipe: not quiet
	in.open <- struct{}{}
	waitLines(flushed, 3)
	clk.Advance(TickEvery) // after input
	clk.Advance(TickEvery) // quiet
	close(in.open)
	pw.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	want := []time.Time{t0.Add(6 * time.Second)}
	if !slices.EqualFunc(c.idles, want, time.Time.Equal) {
		t.Errorf("quiet ticks at %v, want %v: ticks with lines waiting in the pipe are no silence", unix(c.idles), unix(want))
	}
	if !c.lastInput.Equal(t0.Add(4 * time.Second)) {
		t.Errorf("the input last arrived at %v, want when the backlog was read (1004)", c.lastInput.Unix())
	}
}

func unix(ts []time.Time) []int64 {
	var s []int64
	for _, t := range ts {
		s = append(s, t.Unix())
	}
	return s
}
