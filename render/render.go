// Package render writes records (package record) for whoever reads them
// next: JSON lines for the next stage of a pipe (NewJSON), or text for a
// person at a terminal (NewText).
//
// A stage picks its Sink once, when the stream starts, and then hands it
// every record it writes. Both sinks buffer; the stage calls Flush when
// its input goes quiet, so a live tail shows results at once while a
// replay runs at full speed.
package render

import (
	"github.com/logmon/logmon/internal/record"
)

// Sink receives the records a stage writes. Implementations buffer; Flush
// writes out what is buffered.
type Sink interface {
	Request(r *record.Request) error
	Summary(s *record.Summary) error
	Alert(a *record.Alert) error
	// Raw writes a JSON record passed through unchanged (line, without
	// its newline), whose type the caller read with
	// record.Decoder.Record.
	Raw(typ record.Type, line []byte) error
	Flush() error
}

// bufSize is the size of the output buffer of both sinks. 64 KiB holds
// a few hundred request records, so a replay into a pipe makes one
// write(2) per few hundred records rather than one per record.
const bufSize = 64 << 10
