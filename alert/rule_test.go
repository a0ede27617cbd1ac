package alert

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/logmon/logmon/internal/record"
)

// second is what one second of a test's traffic holds: n requests, errs of
// them 5xx. A second with n 0 sends nothing: time moves on with the next
// line, or with the injected wall clock (tickAt).
type second struct {
	sec     int64 // after t0
	n, errs int
	slow    int   // of the n, the first slow take 2 s; the others 50 ms
	tickAt  int64 // > 0: an idle tick at this wall second (after t0) instead of lines
}

func at(sec int64, n, errs int) second { return second{sec: sec, n: n, errs: errs} }
func tickAt(sec int64) second          { return second{tickAt: sec} } // sec > 0

// run feeds secs to an engine of cfg, judges to the end, and returns its
// records as collect writes them.
func run(t *testing.T, cfg Config, secs []second) []string {
	t.Helper()
	var out []string
	runEmit(t, cfg, secs, collect(&out))
	return out
}

// runEmit feeds secs to an engine of cfg that hands its records to emit,
// and judges to the end: the one way the engine tests run an engine.
func runEmit(t *testing.T, cfg Config, secs []second, emit func(*record.Alert) error) {
	t.Helper()
	e, err := New(cfg, emit)
	if err != nil {
		t.Fatal(err)
	}
	var last int64
	play(t, e, secs, &last)
	if err := e.End(); err != nil {
		t.Fatal(err)
	}
}

// collect appends each record to out as "rule state@second(hits)".
func collect(out *[]string) func(*record.Alert) error {
	return func(a *record.Alert) error {
		*out = append(*out, fmt.Sprintf("%s %s@%d(%d)", a.Rule, a.State, a.Time.Unix()-t0, a.Hits))
		return nil
	}
}

// play feeds secs to e: lines arrive at their own wall time, and *last
// keeps the wall time the input last arrived across calls.
func play(t *testing.T, e *Engine, secs []second, last *int64) {
	t.Helper()
	var r record.Request
	for _, s := range secs {
		if s.tickAt > 0 {
			if err := e.Idle(time.Unix(t0+s.tickAt, 0), time.Unix(t0+*last, 0)); err != nil {
				t.Fatal(err)
			}
			continue
		}
		*last = s.sec
		r.Sec = t0 + s.sec
		for i := range s.n {
			r.Status = 200
			if i < s.errs {
				r.Status = 503
			}
			r.Duration, r.Timed = 0.05, true
			if i < s.slow {
				r.Duration = 2
			}
			if err := e.Request(&r); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// rules makes a config of rules with window win seconds and no lateness.
func rules(rs ...Rule) Config { return Config{Rules: rs} }

func high(thr float64, win int64) Rule {
	return Rule{Kind: HighTraffic, Threshold: thr, Window: time.Duration(win) * time.Second}
}
func low(thr float64, win int64) Rule {
	return Rule{Kind: LowTraffic, Threshold: thr, Window: time.Duration(win) * time.Second}
}
func errRate(thr float64, min int64, win int64) Rule {
	return Rule{Kind: ErrorRate, Threshold: thr, MinRequests: min, Window: time.Duration(win) * time.Second}
}

func with(r Rule, f func(*Rule)) Rule { f(&r); return r }
func recov(v float64) func(*Rule)     { return func(r *Rule) { r.Recover = &v } }
func forS(s int64) func(*Rule)        { return func(r *Rule) { r.For = time.Duration(s) * time.Second } }
func keepS(s int64) func(*Rule) {
	return func(r *Rule) { r.KeepFiringFor = time.Duration(s) * time.Second }
}

func TestRuleKinds(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		secs []second
		want []string
	}{
		{
			name: "error_rate fires above the ratio once the window holds the minimum",
			cfg:  rules(errRate(0.5, 5, 10)),
			// 4 errors: under the minimum. The 5th request makes 5 of 5.
			// 5 more good ones make 5 of 10: 0.5 is not above 0.5.
			secs: []second{at(0, 4, 4), at(1, 1, 1), at(2, 5, 0), at(30, 1, 0)},
			want: []string{"error_rate firing@1(5)", "error_rate resolved@2(10)"},
		},
		{
			name: "error_rate: errors below the minimum never fire",
			cfg:  rules(errRate(0.1, 20, 10)),
			secs: []second{at(0, 19, 19), at(30, 19, 19), at(60, 1, 0)},
		},
		{
			name: "error_rate resolves when the window empties below the minimum",
			cfg:  rules(errRate(0.5, 5, 10)),
			// Second 0 leaves the window (s-10, s] at s = 10.
			secs: []second{at(0, 10, 10), at(25, 1, 0)},
			want: []string{"error_rate firing@0(10)", "error_rate resolved@10(0)"},
		},
		{
			name: "error_rate: 4xx are not server errors",
			cfg:  rules(errRate(0.5, 5, 10)),
			secs: []second{at(0, 10, 0), at(30, 1, 0)},
		},
		{
			name: "low_traffic is judged only once a whole window has passed",
			cfg:  rules(low(1, 10)),
			// 10 hits in seconds 0..9: 1/s, not below. At 10 the window
			// (0, 10] holds the 5 of second 9.
			secs: []second{at(0, 5, 0), at(9, 5, 0), at(11, 1, 0)},
			want: []string{"low_traffic firing@10(5)"},
		},
		{
			name: "low_traffic: a slow start fires at the first whole window, not before",
			cfg:  rules(low(1, 10)),
			secs: []second{at(0, 1, 0), at(5, 1, 0), at(20, 1, 0)},
			want: []string{"low_traffic firing@9(2)"},
		},
		{
			name: "low_traffic resolves when the rate is back at the threshold",
			cfg:  rules(low(1, 10)),
			secs: []second{at(0, 10, 0), at(9, 1, 0), at(30, 10, 0), at(31, 1, 0)},
			want: []string{"low_traffic firing@10(1)", "low_traffic resolved@30(10)"},
		},
		{
			name: "low_traffic with a recovery threshold above its own",
			cfg:  rules(with(low(1, 1), recov(3))),
			secs: []second{at(0, 1, 0), at(1, 0, 0), at(2, 2, 0), at(3, 3, 0), at(4, 0, 0), at(5, 1, 0)},
			// seen >= 1 from second 0: 1 hit is not below 1; second 1
			// has none; 2 is below the recovery; 3 is at it.
			want: []string{"low_traffic firing@1(0)", "low_traffic resolved@3(3)", "low_traffic firing@4(0)"},
		},
		{
			name: "high_traffic with a recovery threshold: hysteresis",
			cfg:  rules(with(high(5, 1), recov(2))),
			secs: []second{at(0, 6, 0), at(1, 3, 0), at(2, 4, 0), at(3, 2, 0), at(4, 6, 0), at(5, 5, 0)},
			want: []string{"high_traffic firing@0(6)", "high_traffic resolved@3(2)", "high_traffic firing@4(6)"},
		},
		{
			name: "rules at once, each with its own name and window",
			cfg: rules(high(2, 10), errRate(0.5, 5, 5), low(0.5, 20),
				with(high(1, 2), func(r *Rule) { r.Name = "page" })),
			secs: []second{at(0, 25, 20), at(40, 1, 0)},
			want: []string{
				"high_traffic firing@0(25)", "error_rate firing@0(25)", "page firing@0(25)",
				"page resolved@2(0)", "error_rate resolved@5(0)", "high_traffic resolved@10(0)",
				// seen 20 at second 19: the window (-1, 19] holds 25.
				"low_traffic firing@20(0)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if g := run(t, tt.cfg, tt.secs); !slices.Equal(g, tt.want) {
				t.Errorf("alerts (-want +got):\n-%q\n+%q", tt.want, g)
			}
		})
	}
}

// TestLowTrafficLive: live, traffic that stops fires low_traffic with no
// further line, driven by the injected wall clock, at the second a replay
// gives; and not before lateness has passed.
func TestLowTrafficLive(t *testing.T) {
	cfg := Config{Rules: []Rule{low(1, 10)}, Lateness: 5 * time.Second}
	var secs []second
	for s := int64(0); s < 20; s++ {
		secs = append(secs, at(s, 2, 0))
	}
	// Replay: a later line closes the silence. 2/s up to second 19: the
	// window (14, 24] holds 10, (15, 25] holds 8.
	replay := run(t, cfg, append(slices.Clone(secs), at(100, 1, 0)))
	if want := []string{"low_traffic firing@25(8)"}; !slices.Equal(replay, want) {
		t.Fatalf("replay %q, want %q", replay, want)
	}
	var out []string
	e, err := New(cfg, collect(&out))
	if err != nil {
		t.Fatal(err)
	}
	var last int64
	play(t, e, secs, &last)
	for wall := int64(20); wall <= 30; wall++ {
		play(t, e, []second{tickAt(wall)}, &last)
	}
	if len(out) != 0 {
		t.Fatalf("fired before second 25 was judged (at wall 31): %q", out)
	}
	play(t, e, []second{tickAt(31)}, &last)
	if !slices.Equal(out, replay) {
		t.Fatalf("live %q, want the replay's %q", out, replay)
	}
	// And it stays firing through a long silence, at no cost per second.
	play(t, e, []second{tickAt(1_000_000)}, &last)
	if len(out) != 1 {
		t.Fatalf("after a long silence: %q", out)
	}
}

// TestSquareWave: a condition that flips faster than `for` fires nothing,
// for every kind; the same wave without `for` fires at every period.
func TestSquareWave(t *testing.T) {
	// half seconds on, half off, for 200 s; "on" meets the condition.
	wave := func(half int64, on, off second) []second {
		var secs []second
		for s := int64(0); s < 200; s++ {
			x := off
			if (s/half)%2 == 0 {
				x = on
			}
			x.sec = s
			secs = append(secs, x)
		}
		return secs
	}
	kinds := []struct {
		rule    Rule
		on, off second
		fireAt  int64 // with for 3s: the 4th second of the first run of on
	}{
		{high(1, 1), at(0, 2, 0), at(0, 1, 0), 3},
		{low(1, 1), at(0, 0, 0), at(0, 2, 0), 11}, // no line before second 4: the log starts there
		{errRate(0.5, 5, 1), at(0, 10, 10), at(0, 10, 0), 3},
	}
	for _, k := range kinds {
		t.Run(k.rule.Kind, func(t *testing.T) {
			secs := wave(4, k.on, k.off) // period 8 s
			if g := run(t, rules(k.rule), secs); len(g) < 40 {
				t.Fatalf("without for, the wave fires too little to test anything: %q", g)
			}
			if g := run(t, rules(with(k.rule, forS(10))), secs); len(g) != 0 {
				t.Errorf("a wave of period 8 s fired with for 10s: %q", g)
			}
			// The condition's runs last 4 s: for 3s fires at the 4th
			// second of the first run, and keep_firing_for 5s holds
			// through every 4 s gap until the wave ends; 11 s of "off"
			// then resolve it.
			for s := int64(300); s <= 310; s++ {
				secs = append(secs, second{sec: s, n: k.off.n, errs: k.off.errs})
			}
			g := run(t, rules(with(k.rule, func(r *Rule) { r.For, r.KeepFiringFor = 3*time.Second, 5*time.Second })), secs)
			if len(g) != 2 || g[0] != fmt.Sprintf("%s firing@%d(%d)", k.rule.Kind, k.fireAt, k.on.n) || g[1][len(k.rule.Kind)+1:][:8] != "resolved" {
				t.Fatalf("for 3s, keep_firing_for 5s: %q, want a firing at %d and one resolve", g, k.fireAt)
			}
		})
	}
}

// TestAntiFlapping: for and keep_firing_for to the second.
func TestAntiFlapping(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		secs []second
		want []string
	}{
		{
			name: "for: fires once the condition has held that long",
			cfg:  rules(with(high(1, 1), forS(3))),
			secs: []second{at(10, 2, 0), at(11, 2, 0), at(12, 2, 0), at(13, 2, 0), at(14, 2, 0), at(15, 0, 0), at(20, 1, 0)},
			want: []string{"high_traffic firing@13(2)", "high_traffic resolved@15(0)"},
		},
		{
			name: "for: a break restarts the count",
			cfg:  rules(with(high(1, 1), forS(2))),
			secs: []second{at(0, 2, 0), at(1, 2, 0), at(2, 1, 0), at(3, 2, 0), at(4, 2, 0), at(5, 2, 0), at(6, 1, 0)},
			want: []string{"high_traffic firing@5(2)", "high_traffic resolved@6(1)"},
		},
		{
			name: "keep_firing_for: resolves once recovery has held that long",
			cfg:  rules(with(high(1, 1), keepS(4))),
			secs: []second{at(0, 2, 0), at(1, 1, 0), at(2, 1, 0), at(3, 2, 0), at(4, 1, 0), at(20, 1, 0)},
			want: []string{"high_traffic firing@0(2)", "high_traffic resolved@8(0)"},
		},
		{
			name: "for and keep_firing_for on error_rate",
			cfg:  rules(with(errRate(0.5, 4, 2), func(r *Rule) { r.For, r.KeepFiringFor = 2*time.Second, 3*time.Second })),
			// windows of 2 s: (s-2, s]
			secs: []second{at(0, 4, 4), at(1, 4, 4), at(2, 4, 4), at(3, 4, 0), at(4, 4, 0), at(10, 4, 0)},
			// Recovery holds from 3 ({2, 3}: 4 of 8 is not above 0.5).
			want: []string{"error_rate firing@2(8)", "error_rate resolved@6(0)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if g := run(t, tt.cfg, tt.secs); !slices.Equal(g, tt.want) {
				t.Errorf("alerts (-want +got):\n-%q\n+%q", tt.want, g)
			}
		})
	}
}

// allRules is a config with every kind, anti-flapping included.
func allRules(lateness time.Duration) Config {
	return Config{Lateness: lateness, Rules: []Rule{
		with(high(3, 20), recov(2)),
		with(errRate(0.3, 10, 20), forS(5)),
		with(low(1.5, 20), keepS(10)),
		{Kind: Adaptive, Threshold: 3, Window: 20 * time.Second, HalfLife: 5 * time.Minute, Learn: 5 * time.Minute},
		with(Rule{Kind: Latency, Threshold: 1, Window: 20 * time.Second, MinRequests: 10, Quantile: 0.9}, forS(3)),
	}}
}

// mixedTraffic is 40 minutes of traffic that makes every kind of allRules
// fire and resolve: quiet spells, bursts, error storms, slow spells.
func mixedTraffic(rng *rand.Rand) []second {
	var secs []second
	for s := int64(0); s < 2400; s++ {
		n, errs := 2+rng.IntN(2), 0
		switch phase := (s / 120) % 5; {
		case s < 600:
		case phase == 1:
			n = 4 + rng.IntN(3)
		case phase == 2:
			n = rng.IntN(2)
		case phase == 3:
			errs = n / 2
		}
		sec := at(s, n, errs)
		if s >= 600 && (s/120)%5 == 4 && s%120 < 60 {
			sec.slow = n / 2
		}
		secs = append(secs, sec)
	}
	return secs
}

// TestRulesDisorder: every rule, shuffled within the lateness, gives the
// records of sorted input.
func TestRulesDisorder(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	sorted := mixedTraffic(rng)
	cfg := allRules(5 * time.Second)
	want := run(t, cfg, sorted)
	for _, kind := range []string{HighTraffic, ErrorRate, LowTraffic, Adaptive, Latency} {
		if !slices.ContainsFunc(want, func(s string) bool { return len(s) > len(kind) && s[:len(kind)] == kind }) {
			t.Fatalf("the traffic never fires %s: %q", kind, want)
		}
	}
	// One request per entry, each delayed by up to the lateness.
	type line struct {
		s  second
		at int64
	}
	var lines []line
	for _, s := range sorted {
		for i := range s.n {
			one := at(s.sec, 1, 0)
			if i < s.errs {
				one.errs = 1
			}
			if i < s.slow {
				one.slow = 1
			}
			lines = append(lines, line{one, s.sec*1000 + rng.Int64N(6000)})
		}
	}
	slices.SortStableFunc(lines, func(a, b line) int { return int(a.at - b.at) })
	shuffled := make([]second, len(lines))
	for i, l := range lines {
		shuffled[i] = l.s
	}
	if g := run(t, cfg, shuffled); !slices.Equal(g, want) {
		t.Errorf("shuffled (-sorted +shuffled):\n-%q\n+%q", want, g)
	}
}

// TestRulesStateResume: stopped anywhere and resumed from its saved state,
// the engine writes exactly the records of an uninterrupted run, for every
// kind of rule, ids included.
func TestRulesStateResume(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	secs := mixedTraffic(rng)
	cfg := allRules(3 * time.Second)
	var want []record.Alert
	e := newCollecting(t, cfg, &want)
	var last int64
	play(t, e, secs, &last)
	if len(want) < 8 {
		t.Fatalf("%d records: too few to test anything", len(want))
	}
	for cut := 1; cut < len(secs); cut += 97 {
		var got []record.Alert
		a := newCollecting(t, cfg, &got)
		var last int64
		play(t, a, secs[:cut], &last)
		data, err := json.Marshal(a.State())
		if err != nil {
			t.Fatal(err)
		}
		b := newCollecting(t, cfg, &got)
		if err := b.Restore(data); err != nil {
			t.Fatalf("cut %d: Restore: %v\n%s", cut, err, data)
		}
		play(t, b, secs[cut:], &last)
		if len(got) != len(want) {
			t.Fatalf("cut at %d: %d records, uninterrupted %d", cut, len(got), len(want))
		}
		for i := range got {
			g, w := got[i], want[i]
			if g.ID != w.ID || g.State != w.State || !g.Time.Equal(w.Time) || g.Message != w.Message {
				t.Fatalf("cut at %d, record %d: %+v, uninterrupted %+v", cut, i, g, w)
			}
		}
	}
}

// TestSilenceSettles: a jump of centuries with every kind of rule costs
// no second-by-second work once the rules have settled (the test would
// time out otherwise), and gives the records the rules define.
func TestSilenceSettles(t *testing.T) {
	cfg := rules(high(1, 10), errRate(0.5, 1, 10), low(0.5, 10),
		Rule{Kind: Adaptive, Threshold: 3, Window: 10 * time.Second, HalfLife: time.Minute, Learn: time.Minute},
		Rule{Kind: Latency, Threshold: 1, Window: 10 * time.Second, MinRequests: 20})
	slow := at(0, 20, 20)
	slow.slow = 20
	g := run(t, cfg, []second{slow, at(250_000_000_000, 10, 0)})
	want := []string{
		"high_traffic firing@0(20)", "error_rate firing@0(20)", "latency firing@0(20)",
		"high_traffic resolved@10(0)", "error_rate resolved@10(0)", "low_traffic firing@10(0)", "latency resolved@10(0)",
		// The adaptive rule learned the silence: traffic is unusual.
		"low_traffic resolved@250000000000(10)", "adaptive firing@250000000000(10)",
	}
	if !slices.Equal(g, want) {
		t.Errorf("alerts (-want +got):\n-%q\n+%q", want, g)
	}
}

func TestRuleConfigErrors(t *testing.T) {
	bad := []Rule{
		{Kind: "spike", Threshold: 1, Window: time.Minute},
		with(high(5, 60), recov(6)),
		with(low(5, 60), recov(4)),
		low(0, 60),
		errRate(1, 20, 60),
		errRate(0.5, -1, 60),
		with(errRate(0.5, 20, 60), recov(0.6)),
		{Kind: Adaptive, Threshold: 0, Window: time.Minute},
		{Kind: Adaptive, Threshold: 3, Window: time.Minute, Recover: ptr(4.0)},
		{Kind: Adaptive, Threshold: 3, Window: time.Minute, HalfLife: 1500 * time.Millisecond},
		{Kind: HighTraffic, Threshold: 3, Window: time.Minute, HalfLife: time.Hour},
		{Kind: HighTraffic, Threshold: 3, Window: time.Minute, MinRequests: 3},
		with(high(5, 60), forS(-1)),
		with(high(5, 60), func(r *Rule) { r.KeepFiringFor = 25 * time.Hour }),
		with(high(5, 60), func(r *Rule) { r.Recover = ptr(math.NaN()) }),
	}
	for _, r := range bad {
		if _, err := New(rules(r), nil); err == nil {
			t.Errorf("New accepted %+v", r)
		}
	}
	if _, err := New(rules(high(1, 60), high(2, 60)), nil); err == nil {
		t.Error("New accepted two rules of one name")
	}
	if _, err := New(rules(high(1, 60), with(high(2, 60), func(r *Rule) { r.Name = "page" })), nil); err != nil {
		t.Errorf("two high_traffic rules of different names: %v", err)
	}
}

func ptr[T any](v T) *T { return &v }
