package input

import (
	"bytes"
	"io"
	"slices"
	"sync/atomic"
)

// MaxLine is the longest log line the input takes (16 MiB). A longer line
// is bad (too long) and its bytes are skipped without being kept, so
// memory stays bounded whatever the input.
const MaxLine = 16 << 20

// MaxRecord is the longest record line the input takes when it holds
// records: the request record of a log line of MaxLine bytes, every byte
// of it escaped as \u00XX (6 bytes), with room for the field names.
const MaxRecord = 7 * MaxLine

// line is one input line, without its "\n" or "\r\n".
type line struct {
	n       int64  // line number, from 1
	off     int64  // byte offset of the line's start in the input
	text    []byte // valid until the batch is returned
	tooLong bool   // the line was longer than the limit; text holds its first bytes up to the limit
	blank   bool   // a blank line before the form was decided: bad in either form
}

// lineReader splits input into lines: any length up to the limit, CRLF or
// LF endings, a last line without a newline, and a UTF-8 byte order mark
// at the start of the input dropped. It reads straight into a batch's
// buffer and hands out lines that are slices of it, so no byte is copied
// but the start of a line a read cut in two.
//
// It is also where the form of the input is decided (see see), from the
// bytes as they are read, so that a huge first log line is held only up
// to MaxLine while records may be up to MaxRecord.
type lineReader struct {
	r       io.Reader
	carry   []byte // the start of a line whose end was not read yet (at most limit+1 bytes)
	dropped int    // bytes of that line not kept: it is longer than limit+1
	n       int64  // lines so far
	off     int64  // bytes of input taken by the lines so far
	eof     bool
	err     error

	max       int // the longest log line kept: MaxLine
	recordMax int // the longest record line kept: MaxRecord

	form    Form
	mixed   bool  // the form is Logs from the start (Config.Mixed)
	scanned int64 // input bytes looked at for the form
	newline int64 // newlines among them
	decided int64 // the number of the line that decided the form
	cr      bool  // the last byte looked at was a CR
	notBOM  bool  // the input does not start with a byte order mark

	// inHand: bytes were read that may hold whole lines, and are not
	// yet handed out in a batch (see waiting).
	inHand atomic.Bool
}

// waiting reports whether input waits to be handled: batches read and
// not yet received by Run (pending, see Run), bytes in the reader's hand,
// or bytes readable in the input file. inHand is cleared only once the
// batch its bytes went into is counted in pending, and is looked at
// first, so that bytes on their way are never missed between the two.
func (lr *lineReader) waiting(pending *atomic.Int32) bool {
	if lr.inHand.Load() || pending.Load() > 0 {
		return true
	}
	n, _ := readable(lr.r)
	return n > 0
}

func newLineReader(r io.Reader, mixed bool) *lineReader {
	lr := &lineReader{r: r, mixed: mixed, max: MaxLine, recordMax: MaxRecord}
	if mixed {
		lr.form = Logs
	}
	return lr
}

// limit is the longest line kept now.
func (lr *lineReader) limit() int {
	if lr.form == Records {
		return lr.recordMax
	}
	return lr.max
}

// see decides the form of the input from its bytes, as they come: the
// first byte that is neither a space nor a tab in a line that is not
// blank is '{' for records, anything else for log lines. A byte order
// mark at the start of the input is not the line's, and a CR just before
// a newline neither. This is the one place that tells records from log
// lines.
func (lr *lineReader) see(p []byte) {
	for _, c := range p {
		lr.scanned++
		if lr.scanned <= 3 && !lr.notBOM {
			if c == bom[lr.scanned-1] {
				continue
			}
			lr.notBOM = true
			if lr.scanned > 1 {
				lr.decide(Logs) // the line starts with part of a BOM: not '{'
				return
			}
		}
		switch {
		case c == '\n':
			lr.cr = false
			lr.newline++
			continue
		case lr.cr:
		case c == ' ' || c == '\t':
			continue
		case c == '\r':
			lr.cr = true
			continue
		}
		if c == '{' && !lr.cr {
			lr.decide(Records)
		} else {
			lr.decide(Logs)
		}
		return
	}
}

func (lr *lineReader) decide(f Form) {
	lr.form, lr.decided = f, lr.newline+1
}

// minRead is the least room fill reads into; a batch whose buffer has
// less and no complete line yet (a long line) grows by batchBytes.
const minRead = 4 << 10

// fill reads the next lines into b: b.data holds them and b.lines points
// into it. It hands out what one read brings (at most maxBatchLines
// lines), so that a live stream's lines go on at once, and reads again
// only while it has no complete line. At the end of input it sets b.eof
// and b.err (nil at a clean end).
func (lr *lineReader) fill(b *batch) {
	data := b.data[:0]
	if cap(data) < batchBytes {
		data = make([]byte, 0, batchBytes+minRead)
	}
	data = append(data, lr.carry...)
	b.lines = b.lines[:0]
	start, scan := 0, 0 // the line being split starts at data[start]; no newline before data[scan]
	for {
		for len(b.lines) < maxBatchLines {
			i := bytes.IndexByte(data[scan:], '\n')
			if i < 0 {
				scan = len(data)
				break
			}
			end := scan + i
			b.lines = append(b.lines, lr.line(data[start:end], 1))
			start, scan = end+1, end+1
		}
		if len(b.lines) >= maxBatchLines {
			break
		}
		// A line longer than max+1 bytes: keep its start only, counting
		// the rest, so memory stays bounded whatever the input.
		if keep := start + lr.limit() + 1; len(data) > keep {
			lr.dropped += len(data) - keep
			data, scan = data[:keep], keep
		}
		if lr.eof {
			if start < len(data) {
				b.lines = append(b.lines, lr.line(data[start:], 0))
				start = len(data)
			}
			b.eof, b.err = true, lr.err
			break
		}
		if len(b.lines) > 0 {
			break
		}
		if cap(data)-len(data) < minRead {
			data = slices.Grow(data, batchBytes)
		}
		lr.inHand.Store(false) // no whole line in hand: nothing waits here
		n, err := lr.r.Read(data[len(data):cap(data)])
		if n > 0 {
			lr.inHand.Store(true)
		}
		if lr.form == Unknown {
			lr.see(data[len(data) : len(data)+n])
		}
		data = data[:len(data)+n]
		if err != nil {
			lr.eof = true
			if err != io.EOF {
				lr.err = err
			}
		}
	}
	if cap(lr.carry) > 4*batchBytes {
		lr.carry = nil // a huge line passed: do not keep its buffer
	}
	lr.carry = append(lr.carry[:0], data[start:]...)
	b.data = data
}

// line makes text, a line followed by nl newline bytes in the input (and
// by lr.dropped bytes that were not kept), into a line: a CR before the
// newline and a BOM at the start of the input dropped, and a line longer
// than the limit marked and cut.
func (lr *lineReader) line(text []byte, nl int) line {
	lr.n++
	total := len(text) + lr.dropped
	off := lr.off
	lr.off += int64(total + nl)
	if n := len(text); lr.dropped == 0 && n > 0 && text[n-1] == '\r' {
		text = text[:n-1]
		total--
	}
	lr.dropped = 0
	if lr.n == 1 && bytes.HasPrefix(text, bom) {
		text = text[len(bom):]
		total -= len(bom)
	}
	if lr.form == Unknown && bytes.Trim(text, " \t") != nil && len(bytes.Trim(text, " \t")) > 0 {
		// Only the start of a byte order mark was read, and then the
		// input ended: see could not decide, but this is no blank line.
		lr.form, lr.decided = Logs, lr.n
	}
	l := line{n: lr.n, off: off, text: text, blank: lr.form == Unknown || lr.n < lr.decided}
	if max := lr.limit(); total > max {
		l.tooLong = true
		l.text = text[:min(len(text), max)]
	}
	return l
}

var bom = []byte{0xEF, 0xBB, 0xBF}
