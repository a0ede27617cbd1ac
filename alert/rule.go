package alert

import (
	"fmt"
	"math"
	"time"

	"github.com/logmon/logmon/internal/eventtime"
)

// Kinds of rule.
const (
	HighTraffic = "high_traffic" // the window's average rate is above Threshold requests/s
	LowTraffic  = "low_traffic"  // the window's average rate is below Threshold requests/s
	ErrorRate   = "error_rate"   // the share of 5xx in the window is above Threshold
	Adaptive    = "adaptive"     // the window's rate is more than Threshold standard deviations from the learned rate
	Latency     = "latency"      // the window's Quantile of request durations is above Threshold seconds
)

// Defaults of a rule's optional settings.
const (
	DefaultMinRequests = 20        // error_rate, latency: requests (timed ones for latency) the window must hold to be judged
	DefaultHalfLife    = time.Hour // adaptive: a sample's weight halves in this time
	DefaultLearn       = time.Hour // adaptive: no alert before this much traffic is learned
)

// Rule is one alerting rule's settings. Every rule judges each whole
// second s of event time by the requests of its window (s-Window, s];
// what it compares depends on its Kind (see the kinds' constants).
//
// Anti-flapping, the same for every kind: the rule fires once its
// condition has held at every second for For (0: at once) and resolves
// once its recovery condition has held at every second for KeepFiringFor
// (0: at once). The recovery condition is the firing condition's
// opposite at the Recover threshold: a high_traffic rule with Threshold 10
// and Recover 8 fires above 10 requests/s and resolves at 8 or less.
type Rule struct {
	Name      string // the record's "rule" and the id's prefix; the kind when empty
	Kind      string
	Window    time.Duration // whole seconds, 1s to MaxWindow
	Threshold float64       // requests/s (high_traffic, low_traffic), a ratio (error_rate), standard deviations (adaptive), seconds (latency)
	Recover   *float64      // the threshold for resolving; nil: Threshold (adaptive: half of it)

	For           time.Duration // the condition must hold this long before the rule fires
	KeepFiringFor time.Duration // the recovery condition must hold this long before it resolves

	MinRequests int64         // error_rate: the least requests in the window for it to fire; latency: the least timed requests
	Quantile    float64       // latency: the quantile judged, 0 to 1 (0: DefaultQuantile)
	HalfLife    time.Duration // adaptive: how fast it forgets (0: DefaultHalfLife)
	Learn       time.Duration // adaptive: how much traffic it learns before it may fire (0: DefaultLearn)
}

// MaxWindow bounds a window: the engine keeps a counter per second of the
// widest window (a day is 1.4 MB).
const MaxWindow = 24 * time.Hour

// HighTrafficRule is the default rule: logmon alert with no rule flags.
func HighTrafficRule(threshold float64, window time.Duration) Rule {
	return Rule{Kind: HighTraffic, Threshold: threshold, Window: window}
}

// RuleName is r's name in records: Name, or the kind when Name is empty.
func (r *Rule) RuleName() string {
	if r.Name != "" {
		return r.Name
	}
	return r.Kind
}

// recoverAt is the threshold for resolving: Recover, else the threshold
// itself, except for adaptive rules: half of it. An adaptive rule keeps
// learning while it fires, so through a lasting change its measure sinks
// towards the threshold; without a gap between the two it would flap
// there instead of staying firing until the change is learned.
func (r *Rule) recoverAt() float64 {
	switch {
	case r.Recover != nil:
		return *r.Recover
	case r.Kind == Adaptive:
		return r.Threshold / 2
	}
	return r.Threshold
}

// check validates r and returns its window, for and keep-firing-for in
// seconds. Errors name the rule and say what must hold.
func (r *Rule) check() (win, forS, keepS int64, err error) {
	name := r.RuleName()
	fail := func(format string, a ...any) (int64, int64, int64, error) {
		return 0, 0, 0, fmt.Errorf("rule %q: "+format, append([]any{name}, a...)...)
	}
	win, err = eventtime.Seconds("window", r.Window, time.Second, MaxWindow)
	if err != nil {
		return fail("%v", err)
	}
	if forS, err = eventtime.Seconds("for", r.For, 0, MaxWindow); err != nil {
		return fail("%v", err)
	}
	if keepS, err = eventtime.Seconds("keep_firing_for", r.KeepFiringFor, 0, MaxWindow); err != nil {
		return fail("%v", err)
	}
	thr, rec := r.Threshold, r.recoverAt()
	if !finite(thr) {
		return fail("threshold must be a number: %v", thr)
	}
	if !finite(rec) {
		return fail("recover must be a number: %v", rec)
	}
	switch r.Kind {
	case HighTraffic:
		if thr < 0 || rec < 0 || rec > thr {
			return fail("threshold must be 0 or more and recover between 0 and the threshold: %v, %v", thr, rec)
		}
	case LowTraffic:
		if thr <= 0 || rec < thr {
			return fail("threshold must be more than 0 and recover at least the threshold: %v, %v", thr, rec)
		}
	case ErrorRate:
		if thr < 0 || thr >= 1 || rec < 0 || rec > thr {
			return fail("threshold must be a ratio from 0 to below 1 and recover between 0 and the threshold: %v, %v", thr, rec)
		}
		if r.MinRequests < 0 {
			return fail("min_requests must be 0 or more: %d", r.MinRequests)
		}
	case Latency:
		if thr <= 0 || thr > maxDuration || rec < 0 || rec > thr {
			return fail("threshold must be seconds, more than 0 and at most %g, and recover between 0 and the threshold: %v, %v", float64(maxDuration), thr, rec)
		}
		if r.MinRequests < 0 {
			return fail("min_requests must be 0 or more: %d", r.MinRequests)
		}
		if q := r.Quantile; !(q >= 0 && q <= 1) {
			return fail("quantile must be more than 0 and at most 1 (0.99 for p99): %v", q)
		}
	case Adaptive:
		if thr <= 0 || rec <= 0 || rec > thr {
			return fail("threshold (standard deviations) must be more than 0 and recover between 0 and the threshold: %v, %v", thr, rec)
		}
		if _, err := eventtime.Seconds("half_life", r.HalfLife, 0, 0); err != nil {
			return fail("%v", err)
		}
		if _, err := eventtime.Seconds("learn", r.Learn, 0, 0); err != nil {
			return fail("%v", err)
		}
	default:
		return fail("kind must be %s, %s, %s, %s or %s, not %q", HighTraffic, LowTraffic, ErrorRate, Adaptive, Latency, r.Kind)
	}
	if r.Kind != ErrorRate && r.Kind != Latency && r.MinRequests != 0 {
		return fail("min_requests is for %s and %s rules", ErrorRate, Latency)
	}
	if r.Kind != Latency && r.Quantile != 0 {
		return fail("quantile is for %s rules", Latency)
	}
	if r.Kind != Adaptive && (r.HalfLife != 0 || r.Learn != 0) {
		return fail("half_life and learn are for %s rules", Adaptive)
	}
	return win, forS, keepS, nil
}

// machine is the anti-flapping state every rule shares: idle, pending
// (the condition holds, For not yet passed), firing, clearing (the
// recovery condition holds, KeepFiringFor not yet passed).
type machine struct {
	Firing  bool  `json:"firing"`
	FiredAt int64 `json:"fired_at"` // the second the current alert fired, when Firing
	Run     bool  `json:"run"`      // the condition that leads to the next state holds, since Since
	Since   int64 `json:"since"`
}

// step moves the machine at second s, where the firing condition fire
// and the recovery condition clear hold or not. It reports a change of
// state: the rule fired or resolved at s.
func (m *machine) step(s int64, fire, clear bool, forS, keepS int64) bool {
	want, wait := fire, forS
	if m.Firing {
		want, wait = clear, keepS
	}
	if !want {
		m.Run = false
		return false
	}
	if !m.Run {
		m.Run, m.Since = true, s
	}
	if s-m.Since < wait {
		return false
	}
	m.Run = false
	m.Firing = !m.Firing
	if m.Firing {
		m.FiredAt = s
	}
	return true
}

// still reports whether step, given fire and clear at every second from
// now on, would never change m.
func (m *machine) still(fire, clear bool) bool {
	if m.Firing {
		return !clear && !m.Run
	}
	return !fire && !m.Run
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
