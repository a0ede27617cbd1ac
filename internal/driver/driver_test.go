package driver

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/logmon/logmon/internal/clock"
	"github.com/logmon/logmon/internal/diag"
	"github.com/logmon/logmon/internal/eventtime"
	"github.com/logmon/logmon/internal/input"
	"github.com/logmon/logmon/internal/record"
	"github.com/logmon/logmon/parse"
)

func newParser() input.Parser { return &parse.Parser{Keep: true} }

// nopOut is a Sink that records raw and request records.
type nopOut struct{ got []string }

func (o *nopOut) Request(r *record.Request) error {
	o.got = append(o.got, string(r.AppendJSON(nil)))
	return nil
}
func (o *nopOut) Raw(_ record.Type, b []byte) error {
	o.got = append(o.got, "raw "+string(b))
	return nil
}
func (o *nopOut) Flush() error { return nil }

type countReqs struct{ n int }

func (c *countReqs) Request(*record.Request) error   { c.n++; return nil }
func (c *countReqs) Idle(time.Time, time.Time) error { return nil }
func (c *countReqs) End() error                      { return nil }
func (c *countReqs) Clock() *eventtime.Clock         { return eventtime.New(0, 0) }

func TestRecords(t *testing.T) {
	in := strings.Join([]string{
		`{"type":"request","time":"2015-05-17T10:05:03Z","status":200,"bytes":1}`,
		`{"type":"alert","rule":"x"}`,
		`not json`,
		`{"type":"summary"`,
		`{"type":1}`,
		`{"type":"request","time":"yesterday"}`,
		`{"type":"request","time":"2015-05-17T10:05:04Z","status":"200"}`,
		`{"type":"request","time":"2015-05-17T10:05:05Z"}`,
	}, "\n")
	for _, pass := range []bool{false, true} {
		t.Run(fmt.Sprint("pass ", pass), func(t *testing.T) {
			var errs bytes.Buffer
			out := &nopOut{}
			c := &countReqs{}
			log, err := diag.New(&errs, "stats", "info", "text", clock.System)
			if err != nil {
				t.Fatal(err)
			}
			st := New(Config{Fold: c, Out: out, Pass: pass, Warn: diag.NewWarner(log, "<stdin>", clock.System)})
			if err := st.Run(input.Config{In: strings.NewReader(in), NewParser: newParser}); err != nil {
				t.Fatal(err)
			}
			if c.n != 2 || st.Invalid != 5 {
				t.Errorf("requests %d, invalid %d; want 2 and 5", c.n, st.Invalid)
			}
			wantOut := 1
			if pass {
				wantOut = 3
			}
			if len(out.got) != wantOut || out.got[len(out.got)-1] == "" {
				t.Errorf("output %q, want %d records", out.got, wantOut)
			}
			for _, want := range []string{
				"<stdin>:3: not a valid record", "<stdin>:4: not a valid record",
				"<stdin>:5: not a valid record", `<stdin>:6: not a valid record: bad "time"`,
				`<stdin>:7: not a valid record: "status" is not an integer`, "5 invalid records skipped",
			} {
				if !strings.Contains(errs.String(), want) {
					t.Errorf("stderr lacks %q:\n%s", want, errs.String())
				}
			}
		})
	}
}
