package eventtime

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// op is one call on a clock and what it must return.
type op struct {
	do       string // "see SEC", "place SEC", "idle NOW LASTINPUT" (wall seconds after base), "finish"
	from, to int64  // for see, idle, finish: the seconds that became final
	at       int64  // for place
	late     bool
}

func TestClock(t *testing.T) {
	const base = 1_000_000 // wall-clock seconds of the idle ops are base+SEC
	tests := []struct {
		name     string
		lateness time.Duration
		ops      []op
	}{
		{"first line judges nothing, leaves lateness open", 5 * time.Second, []op{
			{do: "see 100", from: 94, to: 94},
			{do: "place 95", at: 95},
			{do: "place 94", at: 95, late: true},
		}},
		{"a second is judged once more than lateness later is seen", 5 * time.Second, []op{
			{do: "see 100", from: 94, to: 94},
			{do: "see 105", from: 94, to: 99},
			{do: "see 103", from: 99, to: 99}, // older: nothing new
			{do: "place 100", at: 100},
			{do: "place 99", at: 100, late: true},
		}},
		{"lateness 0 judges a second when the next is seen", 0, []op{
			{do: "see 10", from: 9, to: 9},
			{do: "see 11", from: 9, to: 10},
			{do: "place 10", at: 11, late: true},
		}},
		{"finish judges up to the newest", 5 * time.Second, []op{
			{do: "see 100", from: 94, to: 94},
			{do: "finish", from: 94, to: 100},
		}},
		{"idle near the wall clock runs on from the newest line", 5 * time.Second, []op{
			// The line of second 1000000 arrived at wall 1000000.
			{do: "see 1000000", from: 999994, to: 999994},
			{do: "idle 10 0", from: 999994, to: 1000004},
			{do: "idle 11 0", from: 1000004, to: 1000005},
		}},
		{"a log 30 s behind the wall clock keeps its lag", 5 * time.Second, []op{
			// Lines stamped 999970 arrive at wall 1000000.
			{do: "see 999970", from: 999964, to: 999964},
			{do: "idle 3 0", from: 999964, to: 999967},
			// The next line, also 30 s behind, is not late.
			{do: "see 999973", from: 999967, to: 999967},
			{do: "place 999972", at: 999972},
		}},
		{"after a long pause (a suspend) idle goes on", 5 * time.Second, []op{
			{do: "see 1000000", from: 999994, to: 999994},
			{do: "idle 1 0", from: 999994, to: 999995},
			{do: "idle 3601 0", from: 999995, to: 1003595},
		}},
		{"fractions of a second elapsed are not counted", 0, []op{
			{do: "see 1000000", from: 999999, to: 999999},
			{do: "idle 0.9 0", from: 999999, to: 999999},
			{do: "idle 1.9 0", from: 999999, to: 1000000},
		}},
		{"a line far from the wall clock ends live mode", 5 * time.Second, []op{
			{do: "see 1000000", from: 999994, to: 999994},
			{do: "idle 1 0", from: 999994, to: 999995},
			{do: "see 2000000", from: 999995, to: 1999994},
			{do: "idle 3 2", from: 1999994, to: 1999994},
		}},
		{"idle far from the wall clock (a replay) does nothing", 5 * time.Second, []op{
			{do: "see 100", from: 94, to: 94},
			{do: "idle 10 10", from: 94, to: 94},
		}},
		{"idle before any line does nothing", 5 * time.Second, []op{
			{do: "idle 10 10", from: 0, to: 0},
			{do: "finish", from: 0, to: 0},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New(tt.lateness, 0)
			for _, o := range tt.ops {
				var verb string
				var sec int64
				var now, last float64
				if strings.HasPrefix(o.do, "idle") {
					fmt.Sscan(o.do, &verb, &now, &last)
				} else {
					fmt.Sscan(o.do, &verb, &sec)
				}
				switch verb {
				case "see", "idle", "finish":
					var from, to int64
					switch verb {
					case "see":
						from, to = c.See(sec)
					case "idle":
						wall := func(f float64) time.Time { return time.Unix(base, 0).Add(time.Duration(f * float64(time.Second))) }
						from, to = c.Idle(wall(now), wall(last))
					default:
						from, to = c.Finish()
					}
					if from != o.from || to != o.to {
						t.Fatalf("%s: got (%d, %d], want (%d, %d]", o.do, from, to, o.from, o.to)
					}
				case "place":
					at, late := c.Place(sec)
					if at != o.at || late != o.late {
						t.Fatalf("%s: got %d late %v, want %d late %v", o.do, at, late, o.at, o.late)
					}
				}
			}
		})
	}
}
