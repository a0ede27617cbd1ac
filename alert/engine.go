// Package alert applies sliding-window rules to request records and
// writes alert records (record.Alert) when a rule changes state.
//
// Every rule judges each whole second s of event time by its window:
// the requests, and the 5xx among them, whose second lies in
// (s-window, s]. What it compares depends on its kind (Rule), and every
// kind shares the same anti-flapping state machine (for, recover,
// keep_firing_for). Seconds are judged by the event-time clock (package
// eventtime), so disorder within the lateness gives the result of sorted
// input, a silence is judged second by second like any other time, and
// live, a silence is judged as the wall clock passes (a low_traffic
// rule fires with no line arriving at all).
//
// The default, one high_traffic rule: it fires at the first s where
// hits(s)/window > threshold and resolves at the first later s where
// hits(s)/window <= threshold.
package alert

import (
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/DataDog/sketches-go/ddsketch"

	"github.com/logmon/logmon/internal/record"
	"github.com/logmon/logmon/internal/seen"

	"github.com/logmon/logmon/internal/eventtime"
)

// Config holds the engine's settings.
type Config struct {
	Rules    []Rule        `json:"rules"`    // at least one, each with a name of its own
	Lateness time.Duration `json:"lateness"` // how late a line may arrive and still count in its own second
	// MaxJump: a request more than this from the stream's time is an
	// outlier until the lines after it confirm the jump (eventtime.Far);
	// 0: none is. It changes what is counted, so it is a setting.
	MaxJump time.Duration `json:"max_jump"`
}

// Engine runs the rules over a stream of requests.
type Engine struct {
	clock  *eventtime.Clock
	emit   func(*record.Alert) error
	rules  []*rule
	widest *rule      // the rule of the widest window: its sum is 0 when every rule's is
	win    int64      // its window
	dur    *durations // the durations of the seconds in ring, for latency rules; nil without

	// ring holds what each second that is in the widest window or not
	// yet judged holds, at index sec mod len(ring). Its length,
	// win+lateness+2, is one more than the seconds alive at once.
	ring        []tally
	begun       bool
	first       int64 // the second the first request counted in
	lastCounted int64 // the newest second a request was counted in
	late        int64
	rec         record.Alert
	watch       func(rule string, firing bool) // see Watch

	seen    seen.Set           // the summaries folded, to drop repeats (merge.go)
	scratch *ddsketch.DDSketch // a summary's durations, decoded
}

// rule is one rule at work: its settings, window, machine and detector.
type rule struct {
	spec        Rule
	name        string
	win         int64
	forS, keepS int64
	sum         tally // (judged-win, judged]
	m           machine
	d           detector
	slow        *slow // d, for a latency rule: its window slides with sum
}

// New returns an engine that calls emit for each alert record. The
// record passed to emit is reused: emit must not keep it.
func New(cfg Config, emit func(*record.Alert) error) (*Engine, error) {
	if err := eventtime.CheckLateness(cfg.Lateness); err != nil {
		return nil, err
	}
	if err := eventtime.CheckMaxJump(cfg.MaxJump, cfg.Lateness); err != nil {
		return nil, err
	}
	if len(cfg.Rules) == 0 {
		return nil, fmt.Errorf("there must be at least one rule")
	}
	e := &Engine{clock: eventtime.New(cfg.Lateness, cfg.MaxJump), emit: emit, lastCounted: math.MinInt64}
	names := map[string]bool{}
	for _, spec := range cfg.Rules {
		win, forS, keepS, err := spec.check()
		if err != nil {
			return nil, err
		}
		name := spec.RuleName()
		if names[name] {
			return nil, fmt.Errorf("rule %q: there must be one rule of each name; name the others", name)
		}
		names[name] = true
		r := &rule{spec: spec, name: name, win: win, forS: forS, keepS: keepS, d: newDetector(&spec, win)}
		r.slow, _ = r.d.(*slow)
		e.rules = append(e.rules, r)
		if win > e.win {
			e.widest, e.win = r, win
		}
	}
	e.ring = make([]tally, e.win+int64(cfg.Lateness/time.Second)+2)
	for _, r := range e.rules {
		if r.slow != nil {
			// At most lateness+1 seconds are open at once (eventtime).
			e.dur = newDurations(len(e.ring), int(cfg.Lateness/time.Second)+2)
		}
	}
	return e, nil
}

// Late returns how many requests arrived after their second was judged
// (each was counted in the earliest open second instead).
func (e *Engine) Late() int64 { return e.late }

// Request counts one request.
func (e *Engine) Request(r *record.Request) error {
	from, to := e.clock.See(r.Sec)
	if err := e.judge(from, to); err != nil {
		return err
	}
	at, late := e.clock.Place(r.Sec)
	if late {
		e.late++
	}
	if !e.begun {
		e.begun, e.first = true, at
	}
	t := &e.ring[e.slot(at)]
	t.hits++
	if r.Status >= 500 && r.Status <= 599 {
		t.errs++
	}
	if e.dur != nil && r.Timed {
		e.dur.add(at, r.Duration)
	}
	if at > e.lastCounted {
		e.lastCounted = at
	}
	return nil
}

// Clock is the engine's event-time clock, for the driver to tell a
// request far from the stream (driver.Fold).
func (e *Engine) Clock() *eventtime.Clock { return e.clock }

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

// judge evaluates the rules at each second of (from, to].
func (e *Engine) judge(from, to int64) error {
	for s := from + 1; s <= to; s++ {
		if e.widest.sum == (tally{}) && s > e.lastCounted && e.settled(s) {
			// Every window is empty, nothing is pending and no rule
			// can change before the next request: a silence of any
			// length costs nothing.
			return nil
		}
		cur := e.ring[e.slot(s)]
		seen := s - e.first + 1
		if e.dur != nil {
			e.dur.close(s, e.slot(s))
		}
		for _, r := range e.rules {
			old := e.ring[e.slot(s-r.win)]
			r.sum.hits += cur.hits - old.hits
			r.sum.errs += cur.errs - old.errs
			if r.slow != nil {
				r.slow.w.slide(e.dur.done[e.slot(s)], e.dur.done[e.slot(s-r.win)])
			}
			fire, clear := r.d.cond(seen, r.sum)
			changed := r.m.step(s, fire, clear, r.forS, r.keepS)
			if changed {
				if e.watch != nil {
					e.watch(r.name, r.m.Firing)
				}
				if err := e.emit(e.record(r, s)); err != nil {
					return err
				}
			}
			r.d.learn(seen, r.sum)
		}
		// Out of every window now: the slot is free for a second to come.
		e.ring[e.slot(s-e.win)] = tally{}
		if e.dur != nil {
			e.dur.done[e.slot(s-e.win)] = e.dur.done[e.slot(s-e.win)][:0]
		}
	}
	return nil
}

// settled reports whether judging second s and every later one with
// empty windows would change nothing.
func (e *Engine) settled(s int64) bool {
	seen := s - e.first + 1
	for _, r := range e.rules {
		if !r.d.settled(seen) || !r.m.still(r.d.cond(seen, tally{})) {
			return false
		}
	}
	return true
}

func (e *Engine) record(r *rule, sec int64) *record.Alert {
	a := &e.rec
	*a = record.Alert{
		ID:     ID(r.name, r.m.FiredAt),
		Rule:   r.name,
		State:  record.Resolved,
		Time:   time.Unix(sec, 0).UTC(),
		Hits:   r.sum.hits,
		Rate:   math.Round(rate(r.sum, r.win)*1000) / 1000,
		Window: r.win,
	}
	if r.m.Firing {
		a.State = record.Firing
	}
	r.d.describe(a, r.sum)
	return a
}

// ID is the identity of an alert: its rule and the second it fired. The
// firing record and the record of its recovery share it, and a record
// written again after a restart (see State) has the same one, so a
// consumer can drop a repeat.
func ID(rule string, fired int64) string {
	return rule + "@" + string(record.AppendTime(nil, fired, 0))
}

// State is the engine's part of a checkpoint (logmon alert --state):
// everything the rules need to go on as if the run had not stopped.
type State struct {
	Clock eventtime.State `json:"clock"`
	// Counts holds [second, hits, 5xx] for every second with hits that
	// is still in the widest window or not yet judged, oldest first.
	Counts [][3]int64 `json:"counts"`
	// Durations holds, with latency rules, [second, bin, count, bin,
	// count, ...] for every second of Counts with timed requests: the
	// bins of their durations (latency.go).
	Durations   [][]int64   `json:"durations,omitempty"`
	First       int64       `json:"first"`
	LastCounted int64       `json:"last_counted"`
	Late        int64       `json:"late"`
	Rules       []RuleState `json:"rules"`
	// The summaries folded lately (merge.go), by host in runs; Seen is
	// how states before the runs kept them, still read.
	SeenRuns []seen.Run `json:"seen_runs,omitempty"`
	Seen     []seen.Key `json:"seen,omitempty"`
}

// RuleState is one rule's state, in the order of the rules.
type RuleState struct {
	Name string `json:"name"`
	machine
	Learned json.RawMessage `json:"learned,omitempty"` // what an adaptive rule has learned
}

// State returns the engine's state, for Restore.
//
// An engine whose state is kept (--state) is not ended at the end of its
// input, which is not the end of the stream: nothing more is judged
// (it is no driver.Pauser). Judging the last seconds then could resolve
// an alert that the next run, with the lines still to come, finds
// firing: a page that takes itself back.
func (e *Engine) State() any {
	st := State{
		Clock:       e.clock.State(),
		Counts:      [][3]int64{},
		First:       e.first,
		LastCounted: e.lastCounted,
		Late:        e.late,
	}
	if st.Clock.Begun {
		j := st.Clock.Judged
		for s := j - e.win + 1; s <= max(e.lastCounted, j); s++ {
			if t := e.ring[e.slot(s)]; t.hits != 0 {
				st.Counts = append(st.Counts, [3]int64{s, t.hits, t.errs})
			}
			if e.dur != nil {
				if d := e.dur.save(s, s <= j, e.slot(s)); d != nil {
					st.Durations = append(st.Durations, d)
				}
			}
		}
	}
	for _, r := range e.rules {
		rs := RuleState{Name: r.name, machine: r.m}
		if v := r.d.save(); v != nil {
			rs.Learned, _ = json.Marshal(v) // plain numbers: cannot fail
		}
		st.Rules = append(st.Rules, rs)
	}
	st.SeenRuns = e.seen.Runs()
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
	e.seen = seen.Set{}
	for _, k := range st.Seen {
		e.seen.Add(k)
	}
	if err := e.seen.AddRuns(st.SeenRuns); err != nil {
		return err
	}
	j, newest := st.Clock.Judged, st.Clock.Newest
	clear(e.ring)
	prev := j - e.win
	for _, c := range st.Counts {
		s, n, errs := c[0], c[1], c[2]
		if !st.Clock.Begun || s <= prev || s > newest || n <= 0 || errs < 0 || errs > n {
			return fmt.Errorf("count %d (%d 5xx) at second %d: outside the window (%d, %d] or not a count", n, errs, s, j-e.win, newest)
		}
		prev = s
		e.ring[e.slot(s)] = tally{n, errs}
	}
	if err := e.restoreDurations(st); err != nil {
		return err
	}
	if st.Late < 0 || (st.Clock.Begun && (st.LastCounted > newest || st.First > newest)) {
		return fmt.Errorf("inconsistent state: late %d, first %d, last counted %d, newest %d", st.Late, st.First, st.LastCounted, newest)
	}
	if len(st.Rules) != len(e.rules) {
		return fmt.Errorf("the state has %d rules, the settings %d", len(st.Rules), len(e.rules))
	}
	for i, r := range e.rules {
		rs := st.Rules[i]
		if rs.Name != r.name {
			return fmt.Errorf("rule %d is %q in the state, %q in the settings", i+1, rs.Name, r.name)
		}
		if (rs.Firing && rs.FiredAt > j) || (rs.Run && rs.Since > j) {
			return fmt.Errorf("inconsistent state: rule %q firing %v since %d, run %v since %d, judged %d", r.name, rs.Firing, rs.FiredAt, rs.Run, rs.Since, j)
		}
		if len(rs.Learned) > 0 {
			if err := r.d.restore(rs.Learned); err != nil {
				return fmt.Errorf("rule %q: %v", r.name, err)
			}
		}
		r.m = rs.machine
		r.sum = e.windowSum(j, r.win)
		if r.slow != nil {
			clear(r.slow.w.bins)
			r.slow.w.total = 0
			for s := j - r.win + 1; s <= j; s++ {
				r.slow.w.slide(e.dur.done[e.slot(s)], nil)
			}
		}
	}
	e.begun, e.first = st.Clock.Begun, st.First
	e.lastCounted, e.late = st.LastCounted, st.Late
	e.tell()
	return nil
}

// Watch calls fn with every rule's state (firing or not), now, whenever a
// rule fires or resolves, and when a state is restored: for --metrics.
// fn is called on the engine's goroutine.
func (e *Engine) Watch(fn func(rule string, firing bool)) {
	e.watch = fn
	e.tell()
}

// tell calls the watcher with every rule's state.
func (e *Engine) tell() {
	if e.watch == nil {
		return
	}
	for _, r := range e.rules {
		e.watch(r.name, r.m.Firing)
	}
}

// windowSum is what the window of win seconds ending at j holds.
func (e *Engine) windowSum(j, win int64) tally {
	var t tally
	for s := j - win + 1; s <= j; s++ {
		c := e.ring[e.slot(s)]
		t.hits += c.hits
		t.errs += c.errs
	}
	return t
}

// restoreDurations restores the durations of a state's seconds, which
// Restore has checked and counted in the ring.
func (e *Engine) restoreDurations(st State) error {
	if e.dur == nil {
		if len(st.Durations) > 0 {
			return fmt.Errorf("durations in the state of rules that keep none")
		}
		return nil
	}
	for i := range e.dur.open {
		e.dur.open[i] = nil
	}
	for i := range e.dur.done {
		e.dur.done[i] = e.dur.done[i][:0]
	}
	j, prev := st.Clock.Judged, int64(math.MinInt64)
	for _, d := range st.Durations {
		if len(d) < 3 || len(d)%2 == 0 {
			return fmt.Errorf("durations %v: not [second, bin, count, ...]", d)
		}
		s := d[0]
		hits := e.ring[e.slot(s)].hits
		if !st.Clock.Begun || s <= prev || s <= j-e.win || s > st.Clock.Newest {
			return fmt.Errorf("durations at second %d: outside the window (%d, %d] or out of order", s, j-e.win, st.Clock.Newest)
		}
		prev = s
		var n int64
		for k := 1; k < len(d); k += 2 {
			b, c := d[k], d[k+1]
			if b < 0 || b >= int64(numBins) || c <= 0 || c > hits-n || (k > 1 && b <= d[k-2]) {
				return fmt.Errorf("durations at second %d: bin %d count %d: not a bin, or more than the second's %d requests", s, b, c, hits)
			}
			n += c
			if s <= j {
				e.dur.done[e.slot(s)] = append(e.dur.done[e.slot(s)], uint64(b)<<countBits|uint64(c))
			} else {
				e.dur.openOf(s)[b] = c
			}
		}
	}
	return nil
}
