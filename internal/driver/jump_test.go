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

// secsFold is a Fold that keeps the seconds of the requests it counts,
// in order, its clock moving as a fold's does.
type secsFold struct {
	clock *eventtime.Clock
	got   []int64
}

func (f *secsFold) Request(r *record.Request) error {
	f.clock.See(r.Sec)
	f.got = append(f.got, r.Sec)
	return nil
}
func (f *secsFold) Clock() *eventtime.Clock         { return f.clock }
func (f *secsFold) Idle(time.Time, time.Time) error { return nil }
func (f *secsFold) End() error                      { return nil }

// TestOutliers: a request far from the stream's time (more than the max
// jump, 1h here) does not move event time until the lines after it
// confirm the jump: unconfirmed, it is rejected and the fold counts as if
// it were absent; confirmed (eventtime.Confirm lines agree), the jump is
// followed, every line counted in order.
func TestOutliers(t *testing.T) {
	const t0 = 1431857103  // 2015-05-17T10:05:03Z
	const far = 4070908800 // 2099-01-01
	const day = 86400
	run := func(from, n int64) []int64 {
		var s []int64
		for i := range n {
			s = append(s, from+i)
		}
		return s
	}
	cat := func(parts ...[]int64) []int64 { return slices.Concat(parts...) }
	tests := []struct {
		name     string
		in       []int64 // the requests' seconds, in order
		outliers []int64 // the lines (from 1) rejected
	}{
		{"in order", run(t0, 20), nil},
		{"one line in 2099", cat(run(t0, 5), []int64{far}, run(t0+5, 20)), []int64{6}},
		{"one line in 1970", cat(run(t0, 5), []int64{0}, run(t0+5, 20)), []int64{6}},
		{"three lines in 2099", cat(run(t0, 5), []int64{far, far + 1, far}, run(t0+5, 20)), []int64{6, 7, 8}},
		{"stray lines, each alone", cat(run(t0, 3), []int64{far}, run(t0+3, 3), []int64{far + 5}, run(t0+6, 3)), []int64{4, 8}},
		{"two strays, far from each other", cat(run(t0, 3), []int64{far, 0}, run(t0+3, 12)), []int64{4, 5}},
		{"a jump of days, confirmed", cat(run(t0, 5), run(t0+3*day, eventtime.Confirm+1), run(t0+3*day+20, 5)), nil},
		{"a jump back, confirmed", cat(run(t0+3*day, 5), run(t0, eventtime.Confirm+5)), nil},
		{"a jump not confirmed before the stream comes back", cat(run(t0, 5), run(t0+3*day, eventtime.Confirm), run(t0+5, 5)), []int64{6, 7, 8, 9, 10, 11, 12, 13}},
		{"the last line", cat(run(t0, 5), []int64{far}), []int64{6}},
		{"a jump cut short by the end of input", cat(run(t0, 5), run(far, 3)), []int64{6, 7, 8}},
		{"the first line", cat([]int64{far}, run(t0, 20)), []int64{1}},
		{"the second line", cat([]int64{t0}, []int64{far}, run(t0+1, 20)), []int64{2}},
		{"the first lines, outnumbered", cat([]int64{far, far, 0}, run(t0, 20)), []int64{1, 2, 3}},
		{"a single line", []int64{far}, nil},
		{"three lines that disagree", []int64{far, t0, 0}, []int64{1, 3}},
		{"a short input, all near", run(t0, 3), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var in strings.Builder
			for i, s := range tt.in {
				fmt.Fprintf(&in, `{"type":"request","time":"%s","path":"/%d"}`+"\n", record.AppendTime(nil, s, 0), i+1)
			}
			f := &secsFold{clock: eventtime.New(5*time.Second, time.Hour)}
			var errs bytes.Buffer
			log, err := diag.New(&errs, "alert", "info", "text", clock.System)
			if err != nil {
				t.Fatal(err)
			}
			out := &nopOut{}
			d := New(Config{Fold: f, Out: out, Pass: true, Warn: diag.NewWarner(log, "<stdin>", clock.System)})
			if err := d.Run(input.Config{In: strings.NewReader(in.String()), NewParser: newParser}); err != nil {
				t.Fatal(err)
			}
			var want []int64
			var wantOut []string
			for i, s := range tt.in {
				if !slices.Contains(tt.outliers, int64(i+1)) {
					want = append(want, s)
					wantOut = append(wantOut, fmt.Sprintf(`"path":"/%d"`, i+1))
				}
			}
			if !slices.Equal(f.got, want) {
				t.Errorf("counted (-want +got):\n-%v\n+%v", want, f.got)
			}
			if len(out.got) != len(wantOut) {
				t.Fatalf("%d requests written on, want %d", len(out.got), len(wantOut))
			}
			for i := range wantOut {
				if !strings.Contains(out.got[i], wantOut[i]) {
					t.Fatalf("written on, in order: %q, want the request with %s", out.got[i], wantOut[i])
				}
			}
			if d.Outliers != int64(len(tt.outliers)) {
				t.Errorf("%d outliers, want %d", d.Outliers, len(tt.outliers))
			}
			for _, n := range tt.outliers {
				if want := fmt.Sprintf("<stdin>:%d: timestamp far from the stream: ", n); !strings.Contains(errs.String(), want) && d.Outliers <= 10 {
					t.Errorf("stderr lacks %q:\n%s", want, errs.String())
				}
			}
		})
	}
}

// TestOutliersKeepOrder: records among the requests held wait behind
// them, so what is written on keeps the input's order, and a line held
// is copied: the batch it came in is read into again meanwhile.
func TestOutliersKeepOrder(t *testing.T) {
	const t0 = 1431857103
	var in strings.Builder
	var want []string
	line := func(s string) {
		in.WriteString(s + "\n")
	}
	for i := range 3000 {
		sec := t0 + int64(i)/10
		if i >= 1000 {
			sec += 3 * 86400 // a jump of days, confirmed by the lines after it
		}
		p := fmt.Sprintf("/p%d-%s", i, strings.Repeat("x", i%50))
		line(fmt.Sprintf(`{"type":"request","time":"%s","path":"%s"}`, record.AppendTime(nil, sec, 0), p))
		want = append(want, p)
		if i%3 == 0 {
			line(fmt.Sprintf(`{"type":"other","n":%d}`, i))
			want = append(want, fmt.Sprintf(`{"type":"other","n":%d}`, i))
		}
	}
	f := &secsFold{clock: eventtime.New(5*time.Second, time.Hour)}
	var errs bytes.Buffer
	log, _ := diag.New(&errs, "alert", "info", "text", clock.System)
	out := &nopOut{}
	d := New(Config{Fold: f, Out: out, Pass: true, Warn: diag.NewWarner(log, "<stdin>", clock.System)})
	if err := d.Run(input.Config{In: strings.NewReader(in.String()), NewParser: newParser}); err != nil {
		t.Fatal(err)
	}
	if len(out.got) != len(want) || d.Outliers != 0 {
		t.Fatalf("%d written on, %d outliers; want %d and none:\n%s", len(out.got), d.Outliers, len(want), errs.String())
	}
	for i := range want {
		if !strings.Contains(out.got[i], want[i]) {
			t.Fatalf("written on %d: %q, want %q", i, out.got[i], want[i])
		}
	}
}
