package render

import (
	"errors"
	"testing"

	"github.com/logmon/logmon/internal/record"
	"github.com/logmon/logmon/internal/termsafe/termsafetest"
)

// badRecordLines are records a text sink cannot show, each with text in
// the field that breaks it that a terminal would act on, which the
// decoder's messages quote.
var badRecordLines = []struct {
	typ  record.Type // as the caller read it
	line string
}{
	{record.TypeSummary, "{\"type\":\"summary\",\"start\":\"\x7f2015\"}"},
	{record.TypeSummary, "{\"type\":\"summary\",\"start\":\"\x7f\u202e\u009b\x9b\"}"},
	{record.TypeAlert, "{\"type\":\"alert\",\"time\":\"\x7f\x1b[2J\"}"},
	{record.TypeSummary, "{\"type\":\"summary\",\"end\":\"2015-05-17T10:05:00Z\x7f\"}"},
	{record.TypeSummary, "{\"type\":\"summary\",\"requests\":\"\x7f\u202e\"}"},
	{record.TypeRequest, "{\"type\":\"request\",\"time\":\"\x7f\u202e\"}"},
	{record.TypeRequest, "{\"type\":\"request\",\"time\":\"2015-05-17T10:05:03Z\",\"status\":\"\x7f\"}"},
}

// TestTextRawErrorIsSafe: the error Raw returns for a record it cannot
// show is printed on a terminal (stderr) by the stage, so its message
// must be as safe as the text output.
func TestTextRawErrorIsSafe(t *testing.T) {
	for _, tt := range badRecordLines {
		s := NewText(discard{}, false)
		err := s.Raw(tt.typ, []byte(tt.line))
		if !errors.Is(err, record.ErrBadRecord) {
			t.Fatalf("Raw(%v, %q) = %v, want an record.ErrBadRecord", tt.typ, tt.line, err)
		}
		termsafetest.Check(t, "output", []byte(err.Error()), 0)
	}
}

// FuzzTextRawError: whatever the record and whatever type the caller
// says it has, an error from Raw is an record.ErrBadRecord, safe to print.
func FuzzTextRawError(f *testing.F) {
	for _, tt := range badRecordLines {
		f.Add([]byte(tt.line))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		for _, typ := range []record.Type{record.TypeRequest, record.TypeSummary, record.TypeAlert, record.TypeOther} {
			if err := NewText(discard{}, false).Raw(typ, line); err != nil {
				if !errors.Is(err, record.ErrBadRecord) {
					t.Fatalf("Raw(%v, %q) = %v, not an record.ErrBadRecord", typ, line, err)
				}
				termsafetest.Check(t, "output", []byte(err.Error()), 0)
			}
		}
	})
}
