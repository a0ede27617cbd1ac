// Package input is the one input layer of every logmon command: it reads
// lines of any length from a reader, decides once what the input is
// (records, or log lines), parses each batch of lines ahead of the stage
// in a goroutine of its own, and hands the stage items: requests, other
// records, and bad lines with what is wrong with them. It is the only
// place that knows about batches, parse-ahead and line limits.
//
// Run also keeps the stream's time: whenever no line is ready it lets the
// handler flush, so that a live pipeline shows every record at once while
// a replay runs at full speed with full buffers, and it passes on the
// ticks of an injected wall clock, so that event time can move on while
// the input is quiet.
package input

import (
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"time"

	"github.com/logmon/logmon/internal/clock"
	"github.com/logmon/logmon/internal/record"
)

// Form is what an input holds, decided once, from its first line that is
// not blank: a line starting with '{' means JSON records, anything else
// log lines (see lineReader.see).
type Form uint8

const (
	Unknown Form = iota // no line that is not blank yet
	Records
	Logs
)

// Kind says what an input line turned out to be.
type Kind uint8

const (
	Request Kind = iota + 1 // a request: a log line parsed, or a request record decoded (Item.Req)
	Record                  // a record of another type (Item.Type), to pass on as it came
	Bad                     // neither: Item.Err says why
)

// Item is one input line, parsed.
type Item struct {
	N    int64  // line number, from 1
	Text []byte // the line, without its newline; valid until the handler returns
	Form Form   // of the input; Unknown for a blank line before the form is known
	Kind Kind
	// Decoded: the line is a record (a request record included), so that
	// passing it on means writing it as it came; Type is its type.
	Decoded bool
	Type    record.Type
	Req     *record.Request // a Request's; valid until the handler returns
	Err     error           // what is wrong with a Bad line, said as a warning says it
	Notice  string          // what the parser said of the line beyond its result (Parser.Notice)

	// Where the line is, when Config.Where knows: the followed file's
	// path and the line's offset in it (the request then carries the
	// file's identity and that offset too).
	Path   string
	Offset int64

	req record.Request // where a request is parsed or decoded into
}

// Parser parses a log line into a request (parse.Parser). Each batch has
// its own, so that the requests of a batch parsed ahead stay valid while
// the next batch is parsed: Reset lets it reuse its scratch space.
type Parser interface {
	Line(text []byte, r *record.Request) error
	Reset()
	// Notice is what the last Line had to say beyond its result, once:
	// the format auto picked (parse.Stream). "" mostly.
	Notice() string
	// Taken says the input's format is taken: a line that is no log
	// line no longer counts against it.
	Taken() bool
	// NoRecord says the last line, parsed or not, is surely no record.
	NoRecord() bool
}

// Handler is what Run hands the input to: one command's work on it.
type Handler interface {
	// Item handles one input line. It returns only errors that must stop
	// the stream (a write failed); a bad line is the handler's to report.
	Item(it *Item) error
	// Tick is called after each run of items, and on every tick of the
	// wall clock: now is the wall clock, quiet says the input was quiet
	// for a whole tick, lastInput is when it last arrived. With no clock
	// (Config.Clock nil) it is never called.
	Tick(now, lastInput time.Time, quiet bool) error
	// Flush writes out buffered output; Run calls it whenever the input
	// goes quiet and after End.
	Flush() error
	// End is called once at the end of input.
	End() error
}

// Config is what Run reads, how, and the wall clock it uses.
type Config struct {
	In io.Reader
	// NewParser returns a log-line parser that keeps what it parses
	// until Reset (parse.Parser with Keep).
	NewParser func() Parser
	// Mixed: the input is log lines among which records may come, each
	// line that decodes as a record being one (logmon parse passes
	// records on). Otherwise the form is decided once.
	Mixed bool
	// Where, when set, maps a line's offset in the input to the file it
	// came from (follow.Follower.Where): every request then carries the
	// file's identity and the line's offset in it.
	Where func(off int64) (id string, offset int64, path string)
	// Clock is the wall clock: Run ticks on it every TickEvery, so that
	// event time moves on while the input is quiet. Nil means no clock at
	// all: no tick, no idle advance (tests of what a replay gives).
	Clock clock.Clock
	// Stop, when closed, ends the input: Run finishes as at the end of
	// input and returns ErrStopped.
	Stop <-chan struct{}
	// Prepare, when set, is called with each request, parsed from a line
	// or decoded from a record, on the goroutine that parses them, before
	// the request is handed on: work that reads a request's bytes costs
	// least there, while they are in that core's cache (logmon report
	// hashes its tables' keys: see report.Report.Prepare). It must only
	// write the request, and read nothing that changes.
	Prepare func(*record.Request)
}

// TickEvery is how long the input must be quiet before event time moves
// on with the wall clock, and how often it then moves.
const TickEvery = time.Second

// ErrStopped is returned by Run when Config.Stop ended the input.
var ErrStopped = errors.New("stopped")

// batchBytes is how much input one batch carries at most. 128 KiB holds
// about 640 Combined lines, or 190 of an ALB log's (690 bytes each): with
// 64 KiB, the hand-offs between the three goroutines (read, parse ahead,
// handle) were a few percent of a replay of long lines. In CPU time, 15
// pairs each with the 64 KiB build, `parse` of gen's traffic: alb 0.94x,
// caddy 0.98x, Combined 0.97x (wall time 0.92x); 256 KiB gave alb 0.92x
// but Combined 1.01x and 5 MiB more of peak memory.
const batchBytes = 128 << 10

// maxBatchLines bounds the lines of a batch, and so the requests parsed
// ahead for it (472 bytes each), when the lines are very short; 2,048
// lets a batch of Combined lines (about 200 bytes) be cut by batchBytes,
// not by this (cut by lines, the rest of the read is copied to the next
// batch).
const maxBatchLines = 2048

// numBatches is how many batches are in use at once: one being read,
// one being parsed ahead, one being handled, and one spare.
const numBatches = 4

type batch struct {
	data  []byte
	lines []line
	eof   bool
	err   error

	// The batch's lines parsed ahead (see Run): items[i] is lines[i]'s.
	// The requests point into data or into p's and dec's scratch
	// buffers, which are the batch's own, so they stay valid until the
	// batch is read into again.
	items  []Item
	p      Parser
	dec    record.Decoder
	formOf Form // of the input once the batch was read

	// rec is where tryRecord decodes a line that may be a record.
	rec record.Request

	// jsonLogs tells JSON records from JSON access logs (Caddy's,
	// Traefik's, nginx escape=json), which both start with '{': the first
	// such line decides, once, in the parse-ahead goroutine (see classify).
	// 0 undecided, 1 records, -1 log lines.
	jsonLogs int8
}

// Run reads cfg.In and hands its lines, parsed, to h until the input ends
// or h fails. The reading happens in a goroutine of its own, so that Run
// can tell when the input is quiet, and a second goroutine parses each
// batch of lines ahead while h handles the batch before: parsing is most
// of the work, and this way a replay keeps both cores of a small machine
// busy (logmon parse over 1 M lines takes about 0.8 of the time it takes
// parsing in place).
func Run(cfg Config, h Handler) error {
	batches := make(chan *batch)
	free := make(chan *batch, numBatches)
	for range numBatches {
		free <- &batch{p: cfg.NewParser(), dec: record.Decoder{Keep: true}}
	}
	done := make(chan struct{})
	defer close(done)
	lr := newLineReader(cfg.In, cfg.Mixed)
	// Batches read and not yet received here (see stop).
	pending := new(atomic.Int32)
	read1 := make(chan *batch)
	go read(lr, read1, free, pending, done)
	go ahead(cfg.Mixed, cfg.Prepare, read1, batches, done)

	var tick <-chan time.Time
	if cfg.Clock != nil {
		// Read until Run returns, then stopped: a fake clock's ticks
		// wait for their reader (see clock.Fake).
		t, stop := cfg.Clock.Ticker(TickEvery)
		defer stop()
		tick = t
	}
	r := runner{cfg: cfg, h: h}
	quiet := true // no input since the last tick
	var lastInput, lastTick time.Time
	if cfg.Clock != nil {
		lastTick = cfg.Clock.Now()
	}
	for {
		var b *batch
		select {
		case <-cfg.Stop:
			return r.stop(batches, free, pending)
		case b = <-batches:
		default:
			if err := h.Flush(); err != nil {
				return err
			}
			select {
			case <-cfg.Stop:
				return r.stop(batches, free, pending)
			case b = <-batches:
			case at := <-tick:
				stalled := stall(at, lastTick, cfg.Clock.Now())
				lastTick = at
				if err := h.Tick(at, lastInput, quiet && !stalled && !lr.waiting(pending)); err != nil {
					return err
				}
				quiet = true
				continue
			}
		}
		pending.Add(-1)
		quiet = false
		if cfg.Clock != nil {
			lastInput = cfg.Clock.Now() // once a batch: a few hundred lines
		}
		if err := r.items(b); err != nil {
			return err
		}
		if cfg.Clock != nil {
			if err := h.Tick(cfg.Clock.Now(), lastInput, false); err != nil {
				return err
			}
		}
		if b.eof {
			if err := r.finish(); err != nil {
				return err
			}
			return b.err
		}
		free <- b
	}
}

// stallAfter is how late a tick may be before it tells of a stall: a
// tick more than this after the one before, or taken more than this
// after it was due.
const stallAfter = TickEvery + TickEvery/2

// stall reports whether the tick due at at, taken at now, the one before
// having been due at last, comes after a stall of the process: stopped
// (SIGSTOP, ^Z), or on a machine that slept or was paused.
//
// Idle advance must happen only when the input was truly quiet, and a
// stall is not: lines went on arriving while the process was stopped,
// and lie unread in the pipe, or upstream stages stopped along with it
// (^Z stops the whole pipeline) and are about to write them. Were event
// time moved on by the stall, those lines, in order, would all be late.
// Run therefore takes a tick as quiet only when no batch came since the
// tick before, nothing waits to be read (lineReader.waiting: no batch
// held by the reader or the parse-ahead, no bytes in hand, none readable
// in the input file), and the tick is no stall's. The last alone covers
// a stalled upstream, with nothing yet to read, and inputs that cannot
// say what waits in them; the second covers a stall shorter than
// stallAfter, and a reader not yet scheduled. A tick judged a stall's
// wrongly (a tick more than half a second late on a loaded machine)
// only puts idle advance off by a tick: it goes on from when the input
// last arrived, so nothing is lost. After a machine slept with nothing
// to read, the next tick is quiet, and event time moves on by the sleep.
//
// A real ticker delivers a tick missed during a stall with the time it
// was due, and the clock then reads the time it is taken: the two differ
// by the stall; a clock that says the tick's time as it is taken (the
// tests') shows the stall as a gap between the ticks.
func stall(at, last, now time.Time) bool {
	return at.Sub(last) > stallAfter || now.Sub(at) > stallAfter
}

type runner struct {
	cfg    Config
	h      Handler
	fileID string // the identity Where gave last, and its bytes
	fileB  []byte
}

// finish ends the stream: the handler judges what is left and flushes.
func (r *runner) finish() error {
	if err := r.h.End(); err != nil {
		return err
	}
	return r.h.Flush()
}

// items hands the items of b to the handler, each with its place in a
// followed file when Where knows it.
func (r *runner) items(b *batch) error {
	for i := range b.items {
		it := &b.items[i]
		if r.cfg.Where != nil {
			r.where(it, b.lines[i].off)
		}
		if err := r.h.Item(it); err != nil {
			return err
		}
	}
	return nil
}

func (r *runner) where(it *Item, off int64) {
	// (Where knows every line read since its last 64 files; should it
	// not, the line goes without a place rather than a wrong one.)
	id, offset, path := r.cfg.Where(off)
	it.Path, it.Offset = path, offset
	if id == "" || it.Kind != Request {
		return
	}
	if id != r.fileID {
		r.fileID, r.fileB = id, []byte(id)
	}
	it.Req.File, it.Req.Offset = r.fileB, offset
}

// ahead parses each batch from in ahead of the handler, and passes it on.
func ahead(mixed bool, prepare func(*record.Request), in <-chan *batch, out chan<- *batch, done <-chan struct{}) {
	var jsonLogs int8 // see batch.jsonLogs
	for {
		var b *batch
		select {
		case b = <-in:
		case <-done:
			return
		}
		b.p.Reset()
		b.dec.Reset()
		b.jsonLogs = jsonLogs
		n := len(b.lines)
		if cap(b.items) < n {
			b.items = make([]Item, n, max(n, maxBatchLines))
		}
		b.items = b.items[:n]
		for i := range b.lines {
			b.classify(i, mixed)
			if it := &b.items[i]; prepare != nil && it.Kind == Request {
				prepare(it.Req)
			}
		}
		jsonLogs = b.jsonLogs
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

// classify makes the i-th line of b into its item: a log line parsed, or
// a record decoded, as the form of the input says.
func (b *batch) classify(i int, mixed bool) {
	l := &b.lines[i]
	it := &b.items[i]
	// Field by field rather than *it = Item{...}: that would clear the
	// request too, which the parser or decoder clears again (stats over
	// 1 M records took 1.06x the time of the previous build with it, 1.00x
	// without). The request lives in the item, beside the line's other
	// fields, rather than in a slice of its own: 1.17x with that.
	it.N, it.Text, it.Form = l.n, l.text, b.form(l)
	it.Kind, it.Decoded, it.Type, it.Req, it.Err, it.Notice = 0, false, 0, nil, nil, ""
	r := &it.req
	switch {
	case l.blank:
		// Bad in either form: say it as a log line's trouble.
		it.Kind, it.Err = Bad, b.p.Line(l.text, r)
	case l.tooLong:
		max := MaxLine
		if it.Form == Records {
			max = MaxRecord
		}
		it.Kind, it.Err = Bad, fmt.Errorf("line longer than %d bytes", max)
	case it.Form == Records && b.jsonLogs >= 0:
		typ, err := b.dec.Record(l.text, r)
		if b.jsonLogs == 0 {
			// A valid JSON object without "type" is no record: the
			// input is a JSON access log. Anything else (a record, or
			// JSON gone wrong) makes it records, as the '{' said.
			if errors.Is(err, record.ErrNoType) {
				b.jsonLogs = -1
				b.classify(i, mixed)
				return
			}
			b.jsonLogs = 1
		}
		if err != nil {
			it.Kind, it.Err = Bad, fmt.Errorf("not a valid record: %w", err)
			return
		}
		it.record(typ, r)
	default:
		// Records among log lines (parse): a line that starts with '{'
		// may be either. Once the format is taken, the line goes to the
		// parser first: a JSON access log's line that it read whole and
		// found no key "type" in is no record, and is not searched
		// again: caddy through parse took 3.20x Combined's CPU with a
		// record decoded first, 2.40x with MayBeRecord's search before
		// it, and with the parser first 0.955x of that (the median of
		// 15 pairs; traefik-json 0.96x, nginx-json 0.95x). Otherwise
		// MayBeRecord rules out most lines with two vectorised searches,
		// and the rest are decoded as records; before the format is
		// taken, that comes first, so that records do not count against
		// the format auto or --log-format tries.
		maybe := mixed && len(l.text) > 0 && l.text[0] == '{'
		if maybe && !b.p.Taken() && b.tryRecord(it, l.text) {
			return
		}
		err := b.p.Line(l.text, r)
		it.Notice = b.p.Notice()
		if maybe && b.p.Taken() && !b.p.NoRecord() && b.tryRecord(it, l.text) {
			return
		}
		if err != nil {
			it.Kind, it.Err = Bad, err
			return
		}
		it.Kind, it.Req = Request, r
	}
}

// tryRecord makes it the record that text is, if it is one: when
// MayBeRecord says it may be and the decoder reads it. It decodes into
// a request of its own, so that one parsed from the line stays whole
// when the line is no record.
func (b *batch) tryRecord(it *Item, text []byte) bool {
	if !record.MayBeRecord(text) {
		return false
	}
	typ, err := b.dec.Record(text, &b.rec)
	if err != nil {
		return false
	}
	it.req = b.rec
	it.record(typ, &it.req)
	return true
}

// form is the form of the input as l knows it.
func (b *batch) form(l *line) Form {
	if l.blank {
		return Unknown
	}
	if b.jsonLogs < 0 {
		return Logs
	}
	return b.formOf
}

func (it *Item) record(typ record.Type, r *record.Request) {
	it.Decoded, it.Type = true, typ
	if typ == record.TypeRequest {
		it.Kind, it.Req = Request, r
		return
	}
	it.Kind = Record
}

// stopDrain bounds how much input a stop still handles: a live stream
// has a batch or so ready, while a replay must stop at once.
const stopDrain = 16 // batches, 2 MiB

// stop ends the stream early, as if the input had ended. The batches the
// reader already holds out are handled first (their lines were read from
// the input), including one still being parsed ahead; bytes still in the
// pipe, or a line without its newline yet, are not.
func (r *runner) stop(batches <-chan *batch, free chan<- *batch, pending *atomic.Int32) error {
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
		if err := r.items(b); err != nil {
			return err
		}
		if b.eof {
			break
		}
		free <- b
	}
	if err := r.finish(); err != nil {
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
		b.formOf = lr.form
		pending.Add(1) // before the send: stop then knows to wait for it
		lr.inHand.Store(false)
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
