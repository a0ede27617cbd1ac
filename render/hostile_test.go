package render

import (
	"errors"
	"testing"
)

// badRecordLines are records a text sink cannot show, each with text in
// the field that breaks it that a terminal would act on. The messages of
// encoding/json and the time package quote that text, and the time
// package's quoting lets DEL through raw.
var badRecordLines = []string{
	"{\"type\":\"summary\",\"start\":\"\x7f2015\"}",
	"{\"type\":\"summary\",\"start\":\"\x7f\u202e\u009b\x9b\"}",
	"{\"type\":\"alert\",\"time\":\"\x7f\x1b[2J\"}",
	"{\"type\":\"summary\",\"end\":\"2015-05-17T10:05:00Z\x7f\"}",
	"{\"type\":\"summary\",\"requests\":\"\x7f\u202e\"}",
	"{\"type\":\"request\",\"time\":\"\x7f\u202e\"}",
	"{\"type\":\"request\",\"time\":\"2015-05-17T10:05:03Z\",\"status\":\"\x7f\"}",
}

// TestTextRawErrorIsSafe: the error Raw returns for a record it cannot
// show is printed on a terminal (stderr) by the stage, so its message
// must be as safe as the text output.
func TestTextRawErrorIsSafe(t *testing.T) {
	for _, line := range badRecordLines {
		s := NewText(discard{}, false)
		err := s.Raw([]byte(line))
		if !errors.Is(err, ErrBadRecord) {
			t.Fatalf("Raw(%q) = %v, want an ErrBadRecord", line, err)
		}
		checkSafe(t, []byte(err.Error()), 0)
	}
}

// FuzzTextRawError: whatever the record, an error from Raw is safe to print.
func FuzzTextRawError(f *testing.F) {
	for _, line := range badRecordLines {
		f.Add([]byte(line))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		if err := NewText(discard{}, false).Raw(line); err != nil {
			checkSafe(t, []byte(err.Error()), 0)
		}
	})
}
