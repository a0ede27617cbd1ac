// Package stream is the plumbing every logmon stage shares: it reads input
// lines of any length, hands them to the stage in batches, flushes the
// output whenever the input goes quiet, lets event time move on with an
// injected wall clock while it is quiet, and reports bad lines on stderr,
// rate-limited.
package stream

import (
	"bytes"
	"io"
)

// MaxLine is the longest line a stage accepts (16 MiB). A longer line is
// rejected as too long and its bytes are skipped without being kept, so
// memory stays bounded whatever the input.
const MaxLine = 16 << 20

// MaxRecord is the longest JSON record line stats, alert and render
// accept: the request record of a log line of MaxLine bytes, every byte
// of it escaped as \u00XX (6 bytes), with room for the field names.
const MaxRecord = 7 * MaxLine

// Line is one input line, without its "\n" or "\r\n".
type Line struct {
	N       int64  // line number, from 1
	Off     int64  // byte offset of the line's start in the input
	Text    []byte // valid until the batch is returned
	TooLong bool   // the line was longer than the limit; Text holds its first bytes up to the limit

	pre *pre // the line parsed ahead, when Run did (see Logs, Events)
}

// lineReader splits input into lines: any length up to MaxLine, CRLF or
// LF endings, a last line without a newline, and a UTF-8 byte order mark
// at the start of the input dropped.
type lineReader struct {
	r          io.Reader
	max        int    // the longest line kept
	buf        []byte // buf[start:end] is unread input
	start, end int
	n          int64
	off        int64 // bytes of input taken by the lines so far
	eof        bool
	err        error
}

func newLineReader(r io.Reader, max int) *lineReader {
	return &lineReader{r: r, max: max, buf: make([]byte, 64<<10)}
}

// buffered reports whether a complete line is ready without reading.
func (lr *lineReader) buffered() bool {
	return bytes.IndexByte(lr.buf[lr.start:lr.end], '\n') >= 0
}

// next appends the next line to dst and returns it. ok is false at the
// end of input (err is nil at a clean EOF).
func (lr *lineReader) next(dst []byte) (line Line, out []byte, ok bool, err error) {
	mark := len(dst)
	total := 0 // the line's length, however much of it is kept
	for {
		if i := bytes.IndexByte(lr.buf[lr.start:lr.end], '\n'); i >= 0 {
			total += i
			dst = appendCapped(dst, mark, lr.max, lr.buf[lr.start:lr.start+i])
			lr.start += i + 1
			return lr.finish(dst, mark, total, 1)
		}
		// No newline in the buffer: keep what there is and read more.
		chunk := lr.buf[lr.start:lr.end]
		total += len(chunk)
		dst = appendCapped(dst, mark, lr.max, chunk)
		lr.start, lr.end = 0, 0
		if lr.eof {
			if total == 0 {
				return Line{}, dst, false, lr.err
			}
			return lr.finish(dst, mark, total, 0)
		}
		n, err := lr.r.Read(lr.buf)
		lr.end = n
		if err != nil {
			lr.eof = true
			if err != io.EOF {
				lr.err = err
			}
		}
	}
}

// finish makes the line kept in dst[mark:], total bytes long in the input
// and followed by nl newline bytes, into a Line: a CR before the newline
// and a BOM at the start of the input dropped, and a line longer than
// MaxLine marked and cut.
func (lr *lineReader) finish(dst []byte, mark, total, nl int) (Line, []byte, bool, error) {
	lr.n++
	off := lr.off
	lr.off += int64(total + nl)
	text := dst[mark:]
	if n := len(text); n == total && n > 0 && text[n-1] == '\r' {
		text = text[:n-1]
		total--
	}
	if lr.n == 1 && bytes.HasPrefix(text, bom) {
		text = text[len(bom):]
		total -= len(bom)
	}
	line := Line{N: lr.n, Off: off, Text: text}
	if total > lr.max {
		line.TooLong = true
		line.Text = text[:min(len(text), lr.max)]
	}
	return line, dst, true, nil
}

var bom = []byte{0xEF, 0xBB, 0xBF}

// appendCapped appends p to dst without letting the line (from mark) grow
// past MaxLine and a CR.
func appendCapped(dst []byte, mark, max int, p []byte) []byte {
	room := max + 1 - (len(dst) - mark)
	if room <= 0 {
		return dst
	}
	if len(p) > room {
		p = p[:room]
	}
	return append(dst, p...)
}
