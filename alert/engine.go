// Package alert applies sliding-window rules to request events and
// writes "alert" records when a rule changes state.
//
// The high-traffic rule: at every whole second s of event time,
// hits(s) is the number of requests whose second lies in (s-window, s].
// The rule fires at the first s where hits(s)/window > threshold and
// resolves at the first later s where hits(s)/window <= threshold.
// Seconds are judged by the event-time clock (package eventtime), so
// disorder within the lateness gives the result of sorted input and a
// silence is judged second by second like any other time.
package alert

import (
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/logmon/logmon/eventtime"
	"github.com/logmon/logmon/parse"
)

// Config holds the rule's settings.
type Config struct {
	Threshold float64       // requests per second, averaged over Window
	Window    time.Duration // whole seconds, at least 1s
	Lateness  time.Duration // how late a line may arrive and still count in its own second
}

// MaxWindow bounds the window: the rule keeps a counter per second of it
// (a day is 700 KB).
const MaxWindow = 24 * time.Hour

// RuleHighTraffic is the rule name in alert records.
const RuleHighTraffic = "high_traffic"

// Engine runs the high-traffic rule over a stream of requests.
type Engine struct {
	cfg   Config
	clock *eventtime.Clock
	win   int64
	emit  func(*Alert) error

	// ring holds the hits of each second that is in the window or not yet
	// judged, at index sec mod len(ring). Its length, window+lateness+2,
	// is one more than the seconds that can be alive at once.
	ring        []int64
	sum         int64 // hits in (judged-win, judged]
	lastCounted int64 // the newest second a request was counted in
	firing      bool
	firedAt     int64 // the second the current alert fired, when firing
	late        int64
	rec         Alert
}

// New returns an engine that calls emit for each alert record. The
// record passed to emit is reused: emit must not keep it.
func New(cfg Config, emit func(*Alert) error) (*Engine, error) {
	win, err := eventtime.Seconds("window", cfg.Window, time.Second, MaxWindow)
	if err != nil {
		return nil, err
	}
	if err := eventtime.CheckLateness(cfg.Lateness); err != nil {
		return nil, err
	}
	if !(cfg.Threshold >= 0) || math.IsInf(cfg.Threshold, 1) {
		return nil, fmt.Errorf("threshold must be a number, 0 or more: %v", cfg.Threshold)
	}
	clock := eventtime.New(cfg.Lateness)
	lat := int64(cfg.Lateness / time.Second)
	return &Engine{
		cfg:         cfg,
		clock:       clock,
		win:         win,
		emit:        emit,
		ring:        make([]int64, win+lat+2),
		lastCounted: math.MinInt64,
	}, nil
}

// Late returns how many requests arrived after their second was judged
// (each was counted in the earliest open second instead).
func (e *Engine) Late() int64 { return e.late }

// Request counts one request.
func (e *Engine) Request(r *parse.Request) error {
	from, to := e.clock.See(r.Sec)
	if err := e.judge(from, to); err != nil {
		return err
	}
	at, late := e.clock.Place(r.Sec)
	if late {
		e.late++
	}
	e.ring[e.slot(at)]++
	if at > e.lastCounted {
		e.lastCounted = at
	}
	return nil
}

// Idle lets time move on with the wall clock when the input is quiet
// (only while the stream is live; see eventtime).
func (e *Engine) Idle(now, lastInput time.Time) error {
	return e.judge(e.clock.Idle(now, lastInput))
}

// End judges every second up to the newest one seen.
func (e *Engine) End() error {
	return e.judge(e.clock.Finish())
}

func (e *Engine) slot(sec int64) int {
	n := int64(len(e.ring))
	i := sec % n
	if i < 0 {
		i += n
	}
	return int(i)
}

// judge evaluates the rule at each second of (from, to].
func (e *Engine) judge(from, to int64) error {
	for s := from + 1; s <= to; s++ {
		if e.sum == 0 && !e.firing && s > e.lastCounted {
			// The window is empty and nothing is pending: every slot
			// is zero and the rule cannot change state before the
			// next request, so a silence of any length costs nothing.
			return nil
		}
		e.sum += e.ring[e.slot(s)]
		old := e.slot(s - e.win)
		e.sum -= e.ring[old]
		e.ring[old] = 0
		// hits/window > threshold, as the rule is written: the division
		// is rounded once, like the threshold itself, so 123 hits in
		// 300 s equal --threshold 0.41 and do not fire, where comparing
		// hits with threshold*window would.
		over := float64(e.sum)/float64(e.win) > e.cfg.Threshold
		if over == e.firing {
			continue
		}
		e.firing = over
		if over {
			e.firedAt = s
		}
		if err := e.emit(e.record(s)); err != nil {
			return err
		}
	}
	return nil
}

func (e *Engine) record(sec int64) *Alert {
	a := &e.rec
	*a = Alert{
		Type:      "alert",
		ID:        ID(RuleHighTraffic, e.firedAt),
		Rule:      RuleHighTraffic,
		Time:      time.Unix(sec, 0).UTC(),
		Hits:      e.sum,
		Rate:      math.Round(float64(e.sum)/float64(e.win)*1000) / 1000,
		Threshold: e.cfg.Threshold,
		Window:    e.win,
	}
	at := string(parse.AppendTime(nil, sec, 0))
	if e.firing {
		a.State = Firing
		a.Message = fmt.Sprintf("High traffic generated an alert - hits = %d, triggered at %s", e.sum, at)
	} else {
		a.State = Resolved
		a.Message = fmt.Sprintf("High traffic alert recovered - hits = %d, recovered at %s", e.sum, at)
	}
	return a
}

// ID is the identity of an alert: its rule and the second it fired. The
// firing record and the record of its recovery share it, and a record
// written again after a restart (see State) has the same one, so a
// consumer can drop a repeat.
func ID(rule string, fired int64) string {
	return rule + "@" + string(parse.AppendTime(nil, fired, 0))
}

// State is the engine's part of a checkpoint (logmon alert --state):
// everything the rule needs to go on as if the run had not stopped.
type State struct {
	Clock eventtime.State `json:"clock"`
	// Counts holds [second, hits] for every second with hits that is
	// still in the window or not yet judged, oldest first.
	Counts      [][2]int64 `json:"counts"`
	LastCounted int64      `json:"last_counted"`
	Firing      bool       `json:"firing"`
	FiredAt     int64      `json:"fired_at"`
	Late        int64      `json:"late"`
}

// State returns the engine's state, for Restore.
func (e *Engine) State() any {
	st := State{
		Clock:       e.clock.State(),
		Counts:      [][2]int64{},
		LastCounted: e.lastCounted,
		Firing:      e.firing,
		FiredAt:     e.firedAt,
		Late:        e.late,
	}
	if st.Clock.Begun {
		j := st.Clock.Judged
		for s := j - e.win + 1; s <= max(e.lastCounted, j); s++ {
			if n := e.ring[e.slot(s)]; n != 0 {
				st.Counts = append(st.Counts, [2]int64{s, n})
			}
		}
	}
	return &st
}

// Restore makes a new engine go on from a state that State returned (as
// JSON). It refuses a state this engine's settings cannot have made.
func (e *Engine) Restore(data []byte) error {
	var st State
	if err := json.Unmarshal(data, &st); err != nil {
		return err
	}
	if err := e.clock.Restore(st.Clock); err != nil {
		return err
	}
	j, newest := st.Clock.Judged, st.Clock.Newest
	clear(e.ring)
	e.sum = 0
	prev := j - e.win
	for _, c := range st.Counts {
		s, n := c[0], c[1]
		if !st.Clock.Begun || s <= prev || s > newest || n <= 0 {
			return fmt.Errorf("count %d at second %d: outside the window (%d, %d] or not positive", n, s, j-e.win, newest)
		}
		prev = s
		e.ring[e.slot(s)] = n
		if s <= j {
			e.sum += n
		}
	}
	if st.Late < 0 || (st.Firing && st.FiredAt > j) || (st.Clock.Begun && st.LastCounted > newest) {
		return fmt.Errorf("inconsistent state: late %d, firing %v since %d, last counted %d, judged %d", st.Late, st.Firing, st.FiredAt, st.LastCounted, j)
	}
	e.lastCounted, e.firing, e.firedAt, e.late = st.LastCounted, st.Firing, st.FiredAt, st.Late
	return nil
}

// Pause ends a run whose state is kept (--state): the end of its input is
// not the end of the stream, so nothing more is judged. Judging the last
// seconds now could resolve an alert that the next run, with the lines
// still to come, finds firing: a page that takes itself back.
func (e *Engine) Pause() error { return nil }
