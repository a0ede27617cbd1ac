package alert

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/logmon/logmon/internal/record"
)

// t0 is an arbitrary whole second of event time, far from the wall clock.
const t0 = 1431856800 // 2015-05-17T10:00:00Z

// spread puts n requests evenly over seconds [from, from+secs).
func spread(from, secs int64, n int) []second {
	var evs []second
	for i := range n {
		evs = append(evs, at(from+int64(i)*secs/int64(n), 1, 0))
	}
	return evs
}

// got is an alert reduced to what the tests compare.
type got struct {
	State string
	At    int64 // seconds after t0
	Hits  int64
}

func (g got) String() string { return fmt.Sprintf("%s@%d(%d)", g.State, g.At, g.Hits) }

func runEngine(t *testing.T, cfg Config, evs []second) []got {
	t.Helper()
	var out []got
	runEmit(t, cfg, evs, func(a *record.Alert) error {
		out = append(out, got{a.State, a.Time.Unix() - t0, a.Hits})
		return nil
	})
	return out
}

func defaults() Config {
	return ht(10, 2*time.Minute, 5*time.Second)
}

// ht is a config of the high-traffic rule alone.
func ht(threshold float64, window, lateness time.Duration) Config {
	return Config{Rules: []Rule{HighTrafficRule(threshold, window)}, Lateness: lateness}
}

func TestHighTraffic(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		evs  []second
		want []got
	}{
		{
			name: "1200 hits in 120 s is not above 10/s",
			cfg:  defaults(),
			evs:  spread(0, 120, 1200),
		},
		{
			name: "1201 hits in 120 s fires at the 1201st",
			cfg:  defaults(),
			evs:  append(spread(0, 120, 1200), at(119, 1, 0)),
			want: []got{{record.Firing, 119, 1201}},
		},
		{
			name: "all at once fires in that second",
			cfg:  defaults(),
			evs:  []second{at(10, 1201, 0)},
			want: []got{{record.Firing, 10, 1201}},
		},
		{
			// 1201 hits at second 10 leave the window (s-120, s] at s = 130.
			name: "burst then silence resolves in the silence at the exact second",
			cfg:  defaults(),
			evs:  []second{at(10, 1201, 0), at(1000, 1, 0)},
			want: []got{{record.Firing, 10, 1201}, {record.Resolved, 130, 0}},
		},
		{
			name: "resolves once the average falls to the threshold",
			cfg:  defaults(),
			// 11/s for 120 s: fires when the window first holds > 1200,
			// at s = 109 (110 seconds * 11 = 1210); then 10/s.
			evs:  append(perSecond(0, 120, 11), perSecond(120, 300, 10)...),
			want: []got{{record.Firing, 109, 1210}, {record.Resolved, 239, 1200}},
		},
		{
			name: "window and threshold are settings",
			cfg:  ht(2, 10*time.Second, 0),
			evs:  []second{at(0, 20, 0), at(5, 1, 0), at(30, 1, 0)},
			// Second 0 leaves the window (s-10, s] at s = 10.
			want: []got{{record.Firing, 5, 21}, {record.Resolved, 10, 1}},
		},
		{
			name: "a late line counts in the earliest open second",
			cfg:  ht(1, 5*time.Second, 0),
			// Second 2 is judged when 3 is seen (lateness 0); the line
			// of second 1 then counts in second 3.
			evs:  []second{at(0, 1, 0), at(3, 5, 0), at(1, 1, 0), at(20, 1, 0)},
			want: []got{{record.Firing, 3, 7}, {record.Resolved, 8, 0}},
		},
		{
			// 123/300 is 0.41 exactly as the threshold is; 123 > 0.41*300
			// in floating point, which must not decide.
			name: "rate equal to a fractional threshold does not fire",
			cfg:  ht(0.41, 5*time.Minute, 0),
			evs:  []second{at(0, 123, 0), at(400, 1, 0)},
		},
		{
			name: "far future timestamp does not hang",
			cfg:  defaults(),
			evs:  []second{at(0, 1, 0), at(250_000_000_000, 1, 0)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := runEngine(t, tt.cfg, tt.evs)
			if !slices.Equal(g, tt.want) {
				t.Errorf("alerts (-want +got):\n-%v\n+%v", tt.want, g)
			}
		})
	}
}

func perSecond(from, to int64, n int) []second {
	var evs []second
	for s := from; s < to; s++ {
		evs = append(evs, at(s, n, 0))
	}
	return evs
}

func TestMessages(t *testing.T) {
	var msgs []string
	e, err := New(defaults(), func(a *record.Alert) error {
		msgs = append(msgs, a.Message)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	r := record.Request{Sec: t0}
	for range 1201 {
		e.Request(&r)
	}
	r.Sec = t0 + 500
	e.Request(&r)
	e.End()
	want := []string{
		"High traffic generated an alert - hits = 1201, triggered at 2015-05-17T10:00:00Z",
		"High traffic alert recovered - hits = 0, recovered at 2015-05-17T10:02:00Z",
	}
	if !slices.Equal(msgs, want) {
		t.Errorf("messages (-want +got):\n-%q\n+%q", want, msgs)
	}
}

// TestDisorderWithinLateness: shuffling lines by up to the lateness gives
// exactly the alerts of the sorted input.
func TestDisorderWithinLateness(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var sorted []second
	// Bursty traffic around the threshold: several fire/resolve cycles.
	for s := int64(0); s < 1200; s++ {
		rate := 4
		if (s/150)%2 == 1 {
			rate = 16
		}
		for range rng.IntN(2 * rate) {
			sorted = append(sorted, at(s, 1, 0))
		}
	}
	for _, lateness := range []int64{0, 1, 5, 30} {
		t.Run(fmt.Sprintf("lateness %ds", lateness), func(t *testing.T) {
			cfg := defaults()
			cfg.Lateness = time.Duration(lateness) * time.Second
			want := runEngine(t, cfg, sorted)
			if len(want) < 4 {
				t.Fatalf("the sorted input fires too little to test anything: %v", want)
			}
			// Each line is logged up to lateness after its time: sort
			// by (time + random delay), which is what a server does.
			// Milliseconds, so that delays reorder lines across seconds.
			type delayed struct {
				ev second
				at int64
			}
			ds := make([]delayed, len(sorted))
			for i, ev := range sorted {
				ds[i] = delayed{ev, ev.sec*1000 + rng.Int64N((lateness+1)*1000)}
			}
			slices.SortStableFunc(ds, func(a, b delayed) int { return int(a.at - b.at) })
			shuffled := make([]second, len(ds))
			moved := 0
			for i, d := range ds {
				shuffled[i] = d.ev
				if d.ev != sorted[i] {
					moved++
				}
			}
			if lateness > 0 && moved == 0 {
				t.Fatal("the shuffle moved nothing")
			}
			if g := runEngine(t, cfg, shuffled); !slices.Equal(g, want) {
				t.Errorf("shuffled within %ds (-sorted +shuffled):\n-%v\n+%v", lateness, want, g)
			}
		})
	}
}

// TestIdleAdvance: live, a firing alert recovers with no further line,
// driven by the injected wall clock alone, at the same second as in a
// replay where a later line closes the silence.
func TestIdleAdvance(t *testing.T) {
	var live []second
	live = append(live, at(0, 1201, 0))
	for s := int64(1); s <= 200; s++ {
		live = append(live, tickAt(s)) // the wall clock goes on, no lines
	}
	g := runEngine(t, defaults(), live)
	want := []got{{record.Firing, 0, 1201}, {record.Resolved, 120, 0}}
	if !slices.Equal(g, want) {
		t.Errorf("live (-want +got):\n-%v\n+%v", want, g)
	}

	// The resolve is known once lateness has passed: it must be written
	// by the tick at 120+5+1 and not before.
	var out []got
	e, _ := New(defaults(), func(a *record.Alert) error {
		out = append(out, got{a.State, a.Time.Unix() - t0, a.Hits})
		return nil
	})
	r := record.Request{Sec: t0}
	for range 1201 {
		e.Request(&r)
	}
	for s := int64(1); s <= 125; s++ {
		e.Idle(time.Unix(t0+s, 0), time.Unix(t0, 0))
	}
	if len(out) != 1 {
		t.Fatalf("after the tick at 125: %v, want only the firing", out)
	}
	e.Idle(time.Unix(t0+126, 0), time.Unix(t0, 0))
	if len(out) != 2 || out[1] != (got{record.Resolved, 120, 0}) {
		t.Fatalf("after the tick at 126: %v, want the resolve at 120", out)
	}
}

// TestIdleReplayUnaffected: a replay of an old log ignores the wall clock.
func TestIdleReplayUnaffected(t *testing.T) {
	var out []got
	e, _ := New(defaults(), func(a *record.Alert) error {
		out = append(out, got{a.State, a.Time.Unix() - t0, a.Hits})
		return nil
	})
	r := record.Request{Sec: t0}
	for range 1201 {
		e.Request(&r)
	}
	now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	e.Idle(now, now) // read now, stamped years ago: a replay
	if len(out) != 0 {
		t.Fatalf("a replay's alert was judged by the wall clock: %v", out)
	}
	e.End()
	if len(out) != 1 || out[0].State != record.Firing {
		t.Fatalf("end of input: %v, want the firing only (nothing after the last line is judged)", out)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, cfg := range []Config{
		ht(10, 0, 0),
		ht(10, 1500*time.Millisecond, 0),
		ht(-1, time.Minute, 0),
		ht(1, time.Minute, -time.Second),
		ht(1, 25*time.Hour, 0),
		ht(math.NaN(), time.Minute, 0),
		ht(math.Inf(1), time.Minute, 0),
		ht(1, time.Minute, 1500*time.Millisecond),
		ht(1, time.Minute, 2*time.Hour),
		{Lateness: time.Second}, // no rule
	} {
		if _, err := New(cfg, nil); err == nil {
			t.Errorf("New(%+v) accepted a bad config", cfg)
		} else if !strings.Contains(err.Error(), "must") {
			t.Errorf("New(%+v): unclear error %v", cfg, err)
		}
	}
}

// BenchmarkRequest: the rule over a request a second-ish stream at ~1000
// requests per second, firing and resolving as the rate swings.
func BenchmarkRequest(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(1) // one request per op: MB/s reads as millions of requests/s
	alerts := 0
	e, err := New(ht(1000, time.Minute, 5*time.Second), func(*record.Alert) error {
		alerts++
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	var r record.Request
	for i := range b.N {
		// 1000 req/s, then 1100 req/s for a minute every other minute.
		sec := int64(i) / 1000
		if (sec/60)%2 == 1 {
			sec = int64(i) / 1100
		}
		r.Sec = t0 + sec
		if err := e.Request(&r); err != nil {
			b.Fatal(err)
		}
	}
	e.End()
	if b.N > 1_000_000 && alerts == 0 {
		b.Fatalf("%d requests and no alert", b.N)
	}
}
