package driver

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/logmon/logmon/internal/clock"
	"github.com/logmon/logmon/internal/diag"
	"github.com/logmon/logmon/internal/eventtime"
	"github.com/logmon/logmon/internal/input"
	"github.com/logmon/logmon/internal/record"
)

// seen is an Observer that notes what it is told, one word a call.
type seen struct{ got []string }

func (s *seen) Took(r *record.Request, late bool) {
	w := fmt.Sprintf("took %d", r.Sec)
	if late {
		w += " late"
	}
	s.got = append(s.got, w)
}

func (s *seen) Rejected(why Rejection) {
	s.got = append(s.got, [...]string{"bad line", "invalid record", "outlier"}[why])
}

// TestObserver: the observer is told of every request counted, late or
// not, and of every line rejected, whatever the reason (in the order the
// driver decides them, which is not the input's: the first lines and
// those after a far one are held); blank lines before the input's form
// is known are told when it is, as what the form makes of them.
func TestObserver(t *testing.T) {
	const t0 = 1431857103 // 2015-05-17T10:05:03Z
	logLine := func(sec int64) string {
		return fmt.Sprintf(`1.2.3.4 - - [%s] "GET /a HTTP/1.1" 200 5 "-" "-"`, time.Unix(sec, 0).UTC().Format("02/Jan/2006:15:04:05 -0700"))
	}
	recLine := func(sec int64) string {
		return fmt.Sprintf(`{"type":"request","time":"%s","status":200}`, record.AppendTime(nil, sec, 0))
	}
	tests := []struct {
		name string
		in   []string
		want []string
	}{
		{"log lines",
			[]string{"", logLine(t0), logLine(t0 + 10), logLine(t0), "garbage", logLine(t0 + 3*86400), logLine(t0 + 11),
				logLine(t0 + 11), logLine(t0 + 11), logLine(t0 + 11), logLine(t0 + 11), logLine(t0 + 11), logLine(t0 + 11), logLine(t0 + 12)},
			[]string{"bad line", fmt.Sprint("took ", t0), fmt.Sprint("took ", t0+10), fmt.Sprint("took ", t0, " late"), "bad line",
				fmt.Sprint("took ", t0+11), fmt.Sprint("took ", t0+11), fmt.Sprint("took ", t0+11), fmt.Sprint("took ", t0+11),
				fmt.Sprint("took ", t0+11), fmt.Sprint("took ", t0+11), fmt.Sprint("took ", t0+11), "outlier", fmt.Sprint("took ", t0+12)}},
		{"records",
			[]string{"", recLine(t0), `{"type":"request","time":"yesterday"}`, `{"type":"summary"}`, recLine(t0 + 1)},
			[]string{"invalid record", fmt.Sprint("took ", t0), "invalid record", fmt.Sprint("took ", t0+1)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var errs bytes.Buffer
			log, err := diag.New(&errs, "alert", "info", "text", clock.System)
			if err != nil {
				t.Fatal(err)
			}
			obs := &seen{}
			f := &secsFold{clock: eventtime.New(5*time.Second, time.Hour)}
			d := New(Config{Fold: f, Out: &nopOut{}, Warn: diag.NewWarner(log, "<stdin>", clock.System), Observe: obs})
			if err := d.Run(input.Config{In: strings.NewReader(strings.Join(tt.in, "\n") + "\n"), NewParser: newParser}); err != nil {
				t.Fatal(err)
			}
			slices.Sort(obs.got)
			slices.Sort(tt.want)
			if !slices.Equal(obs.got, tt.want) {
				t.Errorf("observed (-want +got):\n-%q\n+%q", tt.want, obs.got)
			}
		})
	}
}
