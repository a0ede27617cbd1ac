package stream

import (
	"io"
	"time"
)

// Stage is what Run drives: one logmon command's work on its input.
type Stage interface {
	// Line handles one input line. It returns only errors that must stop
	// the stream (a write failed); a bad line is the stage's to report.
	Line(l Line) error
	// Idle is called when the input has been quiet for a whole tick.
	Idle(now time.Time) error
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
}

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
	go read(newLineReader(cfg.In), batches, free, done)

	quiet := true // no input since the last tick
	for {
		var b *batch
		select {
		case b = <-batches:
		default:
			if err := st.Flush(); err != nil {
				return err
			}
			select {
			case b = <-batches:
			case <-cfg.Tick:
				if quiet {
					if err := st.Idle(cfg.Now()); err != nil {
						return err
					}
				}
				quiet = true
				continue
			}
		}
		quiet = false
		for _, l := range b.lines {
			if err := st.Line(l); err != nil {
				return err
			}
		}
		if b.eof {
			if err := st.End(); err != nil {
				return err
			}
			if err := st.Flush(); err != nil {
				return err
			}
			return b.err
		}
		free <- b
	}
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
