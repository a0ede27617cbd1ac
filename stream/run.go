package stream

import (
	"errors"
	"io"
	"time"
)

// Stage is what Run drives: one logmon command's work on its input.
type Stage interface {
	// Line handles one input line. It returns only errors that must stop
	// the stream (a write failed); a bad line is the stage's to report.
	Line(l Line) error
	// Idle is called when the input has been quiet for a whole tick; now
	// is the wall clock, lastInput when the input last arrived.
	Idle(now, lastInput time.Time) error
	// End is called once at the end of input.
	End() error
	// Flush writes out buffered output; Run calls it whenever the input
	// goes quiet and after End.
	Flush() error
}

// Config is what Run reads from and the wall clock it uses.
type Config struct {
	In io.Reader
	// Tick delivers wall-clock ticks (every second in production); nil
	// means no idle advance at all. Now reads the wall clock. Both are
	// injected so that tests of live behaviour never sleep.
	Tick <-chan time.Time
	Now  func() time.Time
	// Stop, when closed, ends the input: Run finishes as at the end of
	// input and returns ErrStopped.
	Stop <-chan struct{}
}

// Checkpointer is a Stage that saves its state from time to time. Run
// calls Checkpoint with the wall clock after every batch of lines and
// every tick; the stage decides whether a save is due.
type Checkpointer interface {
	Checkpoint(now time.Time) error
}

// ErrStopped is returned by Run when Config.Stop ended the input.
var ErrStopped = errors.New("stopped")

// batchBytes is how much input one batch carries at most. 64 KiB holds a
// few hundred typical lines: the channel hand-off then costs well under 1%
// of the time spent on the lines.
const batchBytes = 64 << 10

type batch struct {
	data  []byte
	lines []Line
	eof   bool
	err   error
}

// Run reads cfg.In line by line and hands the lines to st until the input
// ends or st fails. The reading happens in a goroutine of its own so that
// Run can tell when the input is quiet: whenever no line is ready it
// flushes st's output before waiting, so a live pipeline shows every
// record at once while a replay runs at full speed with full buffers.
func Run(cfg Config, st Stage) error {
	batches := make(chan *batch)
	free := make(chan *batch, 2)
	free <- &batch{}
	free <- &batch{}
	done := make(chan struct{})
	defer close(done)
	max := MaxLine
	if _, ok := st.(*Events); ok {
		max = MaxRecord // the record of a MaxLine log line is longer
	}
	go read(newLineReader(cfg.In, max), batches, free, done)

	quiet := true // no input since the last tick
	var lastInput time.Time
	cp, _ := st.(Checkpointer)
	if cfg.Now == nil {
		cp = nil
	}
	for {
		var b *batch
		select {
		case <-cfg.Stop:
			return stop(st, batches, free)
		case b = <-batches:
		default:
			if err := st.Flush(); err != nil {
				return err
			}
			select {
			case <-cfg.Stop:
				return stop(st, batches, free)
			case b = <-batches:
			case <-cfg.Tick:
				now := cfg.Now()
				if quiet {
					if err := st.Idle(now, lastInput); err != nil {
						return err
					}
				}
				if cp != nil {
					if err := cp.Checkpoint(now); err != nil {
						return err
					}
				}
				quiet = true
				continue
			}
		}
		quiet = false
		if cfg.Tick != nil {
			lastInput = cfg.Now() // once a batch: a few hundred lines
		}
		if err := lines(st, b); err != nil {
			return err
		}
		if cp != nil {
			if err := cp.Checkpoint(cfg.Now()); err != nil {
				return err
			}
		}
		if b.eof {
			if err := finish(st); err != nil {
				return err
			}
			return b.err
		}
		free <- b
	}
}

// finish ends st's stream: it judges what is left and flushes.
func finish(st Stage) error {
	if err := st.End(); err != nil {
		return err
	}
	return st.Flush()
}

func lines(st Stage, b *batch) error {
	for _, l := range b.lines {
		if err := st.Line(l); err != nil {
			return err
		}
	}
	return nil
}

// stopDrain bounds how much input a stop still handles: a live stream
// has a batch or so ready, while a replay must stop at once.
const stopDrain = 16 // batches, 1 MiB

// stop ends the stream early, as if the input had ended. A batch the
// reader already holds out is handled first (it was read from the input);
// bytes still in the pipe, or a line without its newline yet, are not.
func stop(st Stage, batches <-chan *batch, free chan<- *batch) error {
	for range stopDrain {
		var b *batch
		select {
		case b = <-batches:
		default:
		}
		if b == nil {
			break
		}
		if err := lines(st, b); err != nil {
			return err
		}
		if b.eof {
			break
		}
		free <- b
	}
	if err := finish(st); err != nil {
		return err
	}
	return ErrStopped
}

// read fills batches from lr until the end of input. A batch is sent when
// it is full or when no further line is ready without blocking.
func read(lr *lineReader, batches chan<- *batch, free <-chan *batch, done <-chan struct{}) {
	for {
		var b *batch
		select {
		case b = <-free:
		case <-done:
			return
		}
		if cap(b.data) > 4*batchBytes {
			b.data = nil // a huge line passed: do not keep its buffer
		}
		b.data, b.lines = b.data[:0], b.lines[:0]
		for {
			line, data, ok, err := lr.next(b.data)
			b.data = data
			if !ok {
				b.eof, b.err = true, err
				break
			}
			b.lines = append(b.lines, line)
			if len(b.data) >= batchBytes || !lr.buffered() {
				break
			}
		}
		select {
		case batches <- b:
		case <-done:
			return
		}
		if b.eof {
			return
		}
	}
}
