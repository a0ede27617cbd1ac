package stream

import (
	"errors"
	"io"
	"sync/atomic"
	"time"

	"github.com/logmon/logmon/internal/record"

	"github.com/logmon/logmon/parse"
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

// maxBatchLines bounds the lines of a batch, and so the requests parsed
// ahead for it, when the lines are very short.
const maxBatchLines = 1024

// numBatches is how many batches are in use at once: one being read,
// one being parsed ahead, one being handled, and one spare.
const numBatches = 4

type batch struct {
	data  []byte
	lines []Line
	eof   bool
	err   error

	// The batch's lines parsed ahead (see Run): pre[i] is lines[i]'s. The
	// requests point into data or into p's and dec's scratch buffers,
	// which are the batch's own, so they stay valid until the batch is
	// read into again.
	pre []pre
	p   parse.Parser
	dec record.Decoder
}

// pre is a line parsed ahead of the stage.
type pre struct {
	kind preKind
	typ  record.Type // of a record
	req  record.Request
	err  error
}

type preKind uint8

const (
	preNone   preKind = iota // not parsed ahead: the stage does it all
	preLog                   // parsed as a log line: req, or err
	preRecord                // decoded as a JSON record: typ and req, or err
)

// preparser is a stage whose lines can be parsed ahead (Logs, Events).
// preparse runs in a goroutine of its own, concurrently with the stage's
// other methods: it must touch nothing they use.
type preparser interface {
	preparse(b *batch)
}

// Run reads cfg.In line by line and hands the lines to st until the input
// ends or st fails. The reading happens in a goroutine of its own so that
// Run can tell when the input is quiet: whenever no line is ready it
// flushes st's output before waiting, so a live pipeline shows every
// record at once while a replay runs at full speed with full buffers.
//
// For the stages that parse (Logs, Events), a second goroutine parses
// each batch of lines ahead while the stage handles the batch before:
// parsing is most of the work, and this way a replay keeps both cores of
// a small machine busy (logmon parse over 1 M lines takes about 0.8 of
// the time it takes parsing in place).
func Run(cfg Config, st Stage) error {
	batches := make(chan *batch)
	free := make(chan *batch, numBatches)
	for range numBatches {
		free <- &batch{p: parse.Parser{Keep: true}, dec: record.Decoder{Keep: true}}
	}
	done := make(chan struct{})
	defer close(done)
	lr := newLineReader(cfg.In, MaxLine)
	if _, ok := st.(*Events); ok {
		lr.recordMax = MaxRecord // the record of a MaxLine log line is longer
	}
	// Batches read and not yet received here (see stop).
	pending := new(atomic.Int32)
	if p, ok := st.(preparser); ok {
		read1 := make(chan *batch)
		go read(lr, read1, free, pending, done)
		go ahead(p, read1, batches, done)
	} else {
		go read(lr, batches, free, pending, done)
	}

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
			return stop(st, batches, free, pending)
		case b = <-batches:
		default:
			if err := st.Flush(); err != nil {
				return err
			}
			select {
			case <-cfg.Stop:
				return stop(st, batches, free, pending)
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
		pending.Add(-1)
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
	ahead := len(b.pre) == len(b.lines)
	for i, l := range b.lines {
		if ahead {
			l.pre = &b.pre[i]
		}
		if err := st.Line(l); err != nil {
			return err
		}
	}
	return nil
}

// ahead parses each batch from in ahead of the stage, and passes it on.
func ahead(p preparser, in <-chan *batch, out chan<- *batch, done <-chan struct{}) {
	for {
		var b *batch
		select {
		case b = <-in:
		case <-done:
			return
		}
		b.p.Reset()
		b.dec.Reset()
		n := len(b.lines)
		if cap(b.pre) < n {
			b.pre = make([]pre, n, max(n, maxBatchLines))
		}
		b.pre = b.pre[:n]
		p.preparse(b)
		select {
		case out <- b:
		case <-done:
			return
		}
		if b.eof {
			return
		}
	}
}

// stopDrain bounds how much input a stop still handles: a live stream
// has a batch or so ready, while a replay must stop at once.
const stopDrain = 16 // batches, 1 MiB

// stop ends the stream early, as if the input had ended. The batches the
// reader already holds out are handled first (their lines were read from
// the input), including one still being parsed ahead; bytes still in the
// pipe, or a line without its newline yet, are not.
func stop(st Stage, batches <-chan *batch, free chan<- *batch, pending *atomic.Int32) error {
	for range stopDrain {
		var b *batch
		select {
		case b = <-batches:
		default:
			if pending.Load() > 0 {
				b = <-batches // on its way: it comes as soon as it is parsed
			}
		}
		if b == nil {
			break
		}
		pending.Add(-1)
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

// read fills batches from lr until the end of input (see lineReader.fill).
func read(lr *lineReader, batches chan<- *batch, free <-chan *batch, pending *atomic.Int32, done <-chan struct{}) {
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
		lr.fill(b)
		pending.Add(1) // before the send: stop then knows to wait for it
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
