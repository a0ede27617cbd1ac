package render

import (
	"bufio"
	"io"

	"github.com/logmon/logmon/aggregate"
	"github.com/logmon/logmon/alert"
	"github.com/logmon/logmon/parse"
)

// NewJSON returns a Sink writing one JSON object per line ("\n"-terminated)
// to w through a 64 KiB buffer. Raw lines are written verbatim. It reuses
// one []byte buffer for encoding (no allocation per request record).
func NewJSON(w io.Writer) Sink {
	return &jsonSink{w: bufio.NewWriterSize(w, bufSize)}
}

type jsonSink struct {
	w   *bufio.Writer
	buf []byte // encoding buffer, reused for every record
}

func (j *jsonSink) Request(r *parse.Request) error {
	j.buf = append(r.AppendJSON(j.buf[:0]), '\n')
	_, err := j.w.Write(j.buf)
	return err
}

func (j *jsonSink) Summary(s *aggregate.Summary) error {
	j.buf = append(s.AppendJSON(j.buf[:0]), '\n')
	_, err := j.w.Write(j.buf)
	return err
}

func (j *jsonSink) Alert(a *alert.Alert) error {
	j.buf = append(a.AppendJSON(j.buf[:0]), '\n')
	_, err := j.w.Write(j.buf)
	return err
}

func (j *jsonSink) Raw(line []byte) error {
	if _, err := j.w.Write(line); err != nil {
		return err
	}
	return j.w.WriteByte('\n')
}

func (j *jsonSink) Flush() error { return j.w.Flush() }
