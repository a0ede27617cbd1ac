package render

import (
	"io"

	"github.com/logmon/logmon/internal/record"
)

// NewJSON returns a Sink writing one JSON object per line ("\n"-terminated)
// to w. Raw lines are written verbatim. Records are encoded straight into
// one 64 KiB output buffer, written out when full and on Flush: no
// allocation and no second copy per record (bufio.Writer would copy each
// encoded record once more).
func NewJSON(w io.Writer) Sink {
	return &jsonSink{w: w, buf: make([]byte, 0, bufSize+bufSize/4)}
}

type jsonSink struct {
	w   io.Writer
	buf []byte // records not written yet
	err error  // the first write error: every later call returns it
}

func (j *jsonSink) Request(r *record.Request) error {
	j.buf = append(r.AppendJSON(j.buf), '\n')
	return j.written()
}

func (j *jsonSink) Summary(s *record.Summary) error {
	j.buf = append(s.AppendJSON(j.buf), '\n')
	return j.written()
}

func (j *jsonSink) Alert(a *record.Alert) error {
	j.buf = append(a.AppendJSON(j.buf), '\n')
	return j.written()
}

func (j *jsonSink) Raw(_ record.Type, line []byte) error {
	j.buf = append(append(j.buf, line...), '\n')
	return j.written()
}

// written writes the buffer out once it holds bufSize bytes or more.
func (j *jsonSink) written() error {
	if j.err != nil {
		j.buf = j.buf[:0]
		return j.err
	}
	if len(j.buf) < bufSize {
		return nil
	}
	return j.Flush()
}

func (j *jsonSink) Flush() error {
	if j.err == nil && len(j.buf) > 0 {
		n, err := j.w.Write(j.buf)
		if err == nil && n < len(j.buf) {
			err = io.ErrShortWrite
		}
		j.err = err
	}
	if cap(j.buf) > 4*bufSize {
		j.buf = make([]byte, 0, bufSize+bufSize/4) // a huge raw line passed: do not keep its buffer
	}
	j.buf = j.buf[:0]
	return j.err
}
