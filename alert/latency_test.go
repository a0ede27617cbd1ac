package alert

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/logmon/logmon/internal/latency"
	"github.com/logmon/logmon/internal/record"
)

func slowRule(thr float64, win int64, min int64) Rule {
	return Rule{Kind: Latency, Threshold: thr, Window: time.Duration(win) * time.Second, MinRequests: min}
}

// withSlow is at(sec, n, 0) with the first slow of the n taking 2 s.
func withSlow(sec int64, n, slow int) second { return second{sec: sec, n: n, slow: slow} }

// steady is n requests a second from..to, slow of them slow at the
// seconds in slowAt.
func steady(from, to int64, n int, slowAt map[int64]int) []second {
	var secs []second
	for s := from; s <= to; s++ {
		secs = append(secs, withSlow(s, n, slowAt[s]))
	}
	return secs
}

// TestLatencyRule: the second a latency rule fires and resolves, exactly.
// With 10 requests a second and a 10 s window, the window holds 100 and
// its p99 is the duration of rank floor(0.99*99) = 98: the second
// slowest. One slow request does not fire; two do, until one leaves.
func TestLatencyRule(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		secs []second
		want []string
	}{
		{
			name: "p99: the second slow request fires, the first leaving resolves",
			cfg:  rules(slowRule(1, 10, 20)),
			secs: steady(0, 60, 10, map[int64]int{40: 1, 45: 1}),
			// (35, 45] holds both; (40, 50] only the second.
			want: []string{"latency firing@45(100)", "latency resolved@50(100)"},
		},
		{
			name: "one slow request is not p99",
			cfg:  rules(slowRule(1, 10, 20)),
			secs: steady(0, 60, 10, map[int64]int{40: 1, 51: 1}),
			want: nil,
		},
		{
			name: "p50 of a slow spell",
			cfg:  rules(with(slowRule(1, 10, 20), func(r *Rule) { r.Quantile = 0.5 })),
			// From 30 on every request is slow: (s-10, s] holds 10(s-29)
			// slow ones of 100, and p50 (rank 49) is slow from 50 of them.
			secs: append(steady(0, 29, 10, nil), steady(30, 50, 10, map[int64]int{30: 10, 31: 10, 32: 10, 33: 10, 34: 10, 35: 10, 36: 10, 37: 10, 38: 10, 39: 10, 40: 10})...),
			// At 34: 50 slow of 100, rank 49 the 50th fastest: fast; at 35,
			// 60 slow. Resolved at 45: (35, 45] holds 50 slow (36..40).
			want: []string{"latency firing@35(100)", "latency resolved@45(100)"},
		},
		{
			name: "fewer timed requests than the minimum are not judged",
			cfg:  rules(slowRule(1, 10, 20)),
			// 1 request a second, all slow: 10 in the window, fewer than 20.
			secs: steady(0, 30, 1, map[int64]int{5: 1, 6: 1, 7: 1, 8: 1, 9: 1, 10: 1, 11: 1, 12: 1, 13: 1, 14: 1, 15: 1}),
			want: nil,
		},
		{
			name: "the minimum reached, then lost: resolves",
			cfg:  rules(slowRule(1, 10, 20)),
			secs: append(steady(0, 9, 3, map[int64]int{9: 3}), steady(10, 20, 1, nil)...),
			// At 9 the window holds 30 (3 slow: rank floor(.99*29) = 28
			// slow); at 10, 28 of them (3 slow still); at 11 (1, 11] 26,
			// at 12 24, 13 22, 14 20, at 15 18: fewer than 20, resolved.
			want: []string{"latency firing@9(30)", "latency resolved@15(18)"},
		},
		{
			name: "for and keep_firing_for",
			cfg:  rules(with(slowRule(1, 10, 20), func(r *Rule) { r.For, r.KeepFiringFor = 3*time.Second, 2*time.Second })),
			secs: steady(0, 70, 10, map[int64]int{40: 1, 45: 1, 47: 1, 52: 1}),
			// The condition holds 45..51 (40 leaves at 50, 47 and 45 hold
			// it until 55; 52 with 47 until 57): fires at 48; recovery
			// from 57 (47 leaves), resolved at 59.
			want: []string{"latency firing@48(100)", "latency resolved@59(100)"},
		},
		{
			name: "a square wave shorter than for fires nothing",
			cfg:  rules(with(slowRule(1, 1, 5), forS(2))),
			secs: steady(0, 20, 10, map[int64]int{2: 5, 4: 5, 6: 5, 8: 5}),
			want: nil,
		},
		{
			name: "recover below the threshold",
			cfg:  rules(with(slowRule(1, 1, 5), recov(0.01))),
			// 50 ms is above a recovery threshold of 10 ms: it never
			// resolves while traffic lasts.
			secs: steady(0, 5, 10, map[int64]int{1: 10}),
			want: []string{"latency firing@1(10)"},
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

// TestLatencyRecord: a latency record's fields and message.
func TestLatencyRecord(t *testing.T) {
	var out []record.Alert
	e := newCollecting(t, rules(slowRule(1, 10, 20)), &out)
	var last int64
	play(t, e, steady(0, 60, 10, map[int64]int{40: 1, 45: 1}), &last)
	if err := e.End(); err != nil {
		t.Fatal(err)
	}
	if len(out) != 2 {
		t.Fatalf("want 2 records, got %+v", out)
	}
	want := []string{
		`{"type":"alert","id":"latency@2015-05-17T10:00:45Z","rule":"latency","state":"firing","time":"2015-05-17T10:00:45Z","hits":100,"rate":10,"threshold":1,"window":10,"quantile":0.99,"timed":100,"latency":2.0063,"message":"High latency generated an alert - p99 = 2.0063s of 100 timed requests, triggered at 2015-05-17T10:00:45Z"}`,
		`{"type":"alert","id":"latency@2015-05-17T10:00:45Z","rule":"latency","state":"resolved","time":"2015-05-17T10:00:50Z","hits":100,"rate":10,"threshold":1,"window":10,"quantile":0.99,"timed":100,"latency":0.050283,"message":"High latency alert recovered - p99 = 0.050283s of 100 timed requests, recovered at 2015-05-17T10:00:50Z"}`,
	}
	for i := range out {
		if g := string(out[i].AppendJSON(nil)); g != want[i] {
			t.Errorf("record %d:\n got %s\nwant %s", i, g, want[i])
		}
		if math.Abs(*out[i].Latency-[]float64{2, 0.05}[i])/[]float64{2, 0.05}[i] > 0.01 {
			t.Errorf("record %d: latency %v is not within 1%%", i, *out[i].Latency)
		}
	}
}

// TestLatencyBruteForce: on random traffic with random durations, lines
// out of order within the lateness, the rule's records are those of its
// definition computed from scratch at every second: the quantile of the
// window's durations, estimated bin by bin as the sketch does. And that
// estimate is within 1% of the exact quantile at every second.
func TestLatencyBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	const secs, win, lateness = 1500, 30, 4
	type line struct {
		sec int64
		dur float64
	}
	var lines []line
	for s := int64(0); s < secs; s++ {
		slow := (s/100)%3 == 2
		for range rng.IntN(6) {
			d := math.Exp(rng.NormFloat64()*0.8 - 3)
			if slow && rng.IntN(10) == 0 {
				d *= 30
			}
			if rng.IntN(20) == 0 {
				d = 0
			}
			lines = append(lines, line{s, d})
		}
	}
	cfg := Config{Lateness: lateness * time.Second, Rules: []Rule{
		{Kind: Latency, Threshold: 0.4, Window: win * time.Second, MinRequests: 20, Quantile: 0.95},
	}}
	// The definition, at every second.
	var want []string
	firing, worst := false, 0.0
	for s := int64(0); s < secs; s++ {
		var in []float64
		for _, l := range lines {
			if l.sec > s-win && l.sec <= s {
				in = append(in, l.dur)
			}
		}
		if len(in) < 20 {
			if firing {
				firing = false
				want = append(want, "resolved@"+itoa(s))
			}
			continue
		}
		sort.Float64s(in)
		rank := int(0.95 * float64(len(in)-1))
		bins := make([]int, len(in))
		for i, d := range in {
			bins[i] = binOf(d)
		}
		slices.Sort(bins)
		est := valueOf(bins[rank])
		if exact := in[rank]; exact > 0 {
			worst = max(worst, math.Abs(est-exact)/exact)
		}
		if est > 0.4 != firing {
			firing = !firing
			want = append(want, map[bool]string{true: "firing@", false: "resolved@"}[firing]+itoa(s))
		}
	}
	if len(want) < 6 {
		t.Fatalf("the traffic fires too little to test: %q", want)
	}
	if worst > latency.RelativeAccuracy {
		t.Errorf("the estimate is %.4f%% from the exact quantile at worst", worst*100)
	}
	t.Logf("%d records; the estimate within %.4f%% of the exact quantile", len(want), worst*100)
	// Lines arrive out of order within the lateness.
	order := make([]int, len(lines))
	arrive := make([]int64, len(lines))
	for i, l := range lines {
		order[i], arrive[i] = i, l.sec*1000+rng.Int64N(lateness*1000)
	}
	sort.SliceStable(order, func(a, b int) bool { return arrive[order[a]] < arrive[order[b]] })
	var got []string
	e, err := New(cfg, func(a *record.Alert) error {
		got = append(got, a.State+"@"+itoa(a.Time.Unix()-t0))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var r record.Request
	for _, i := range order {
		r.Sec, r.Duration, r.Timed = t0+lines[i].sec, lines[i].dur, true
		if err := e.Request(&r); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.End(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("alerts (-definition +engine):\n-%q\n+%q", want, got)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestLatencyBins: every duration lands in a bin whose estimate is
// within the sketch's accuracy of it, inside the range; outside, in the
// nearest bin.
func TestLatencyBins(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for range 100_000 {
		d := math.Exp(rng.Float64()*math.Log(maxDuration/minDuration)) * minDuration
		b := binOf(d)
		if b < 1 || b >= numBins {
			t.Fatalf("binOf(%v) = %d, out of 1..%d", d, b, numBins-1)
		}
		if rel := math.Abs(valueOf(b)-d) / d; rel > latency.RelativeAccuracy {
			t.Fatalf("binOf(%v) = %d, worth %v: %.4f%% off", d, b, valueOf(b), rel*100)
		}
	}
	for _, c := range []struct {
		d    float64
		want int
	}{{0, 0}, {-1, 0}, {math.NaN(), 0}, {1e-9, 1}, {1e9, numBins - 1}, {math.Inf(1), numBins - 1}} {
		if g := binOf(c.d); g != c.want {
			t.Errorf("binOf(%v) = %d, want %d", c.d, g, c.want)
		}
	}
	t.Logf("%d bins", numBins)
}

// BenchmarkLatencyRequest: a request through the high_traffic rule and a
// latency rule (p99 over a minute) at 1000 requests a second, lognormal
// durations: the per-request cost of the latency rule, and that it
// allocates nothing per request once its bins exist.
func BenchmarkLatencyRequest(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(1)
	e, err := New(Config{Lateness: 5 * time.Second, Rules: []Rule{
		HighTrafficRule(1000, time.Minute), slowRule(0.5, 60, 20),
	}}, func(*record.Alert) error { return nil })
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	durations := make([]float64, 4096)
	for i := range durations {
		durations[i] = math.Exp(rng.NormFloat64()*1.2 - 3)
	}
	var r record.Request
	r.Timed = true
	for i := range b.N {
		r.Sec, r.Duration = t0+int64(i)/1000, durations[i%len(durations)]
		if err := e.Request(&r); err != nil {
			b.Fatal(err)
		}
	}
	if err := e.End(); err != nil {
		b.Fatal(err)
	}
}

// TestLatencyStateRefused: durations in a state that the state's
// counts or the bins cannot have are refused, never a crash.
func TestLatencyStateRefused(t *testing.T) {
	cfg := rules(slowRule(1, 10, 5))
	e := newCollecting(t, cfg, new([]record.Alert))
	var last int64
	play(t, e, steady(0, 20, 3, map[int64]int{18: 1}), &last)
	var st State
	data, _ := json.Marshal(e.State())
	if err := json.Unmarshal(data, &st); err != nil {
		t.Fatal(err)
	}
	if len(st.Durations) == 0 {
		t.Fatalf("no durations in the state: %s", data)
	}
	good := newCollecting(t, cfg, new([]record.Alert))
	if err := good.Restore(data); err != nil {
		t.Fatalf("the state itself: %v", err)
	}
	for _, tt := range []struct {
		name string
		bad  func(d [][]int64) [][]int64
	}{
		{"more than the second's requests", func(d [][]int64) [][]int64 { d[0][2] = 99; return d }},
		{"a bin out of range", func(d [][]int64) [][]int64 { d[0][1] = int64(numBins); return d }},
		{"a negative count", func(d [][]int64) [][]int64 { d[0][2] = -1; return d }},
		{"a second outside the window", func(d [][]int64) [][]int64 { d[0][0] -= 100; return d }},
		{"seconds out of order", func(d [][]int64) [][]int64 { return append(d, d[0]) }},
		{"no pairs", func(d [][]int64) [][]int64 { d[0] = d[0][:1]; return d }},
	} {
		var copied State
		_ = json.Unmarshal(data, &copied)
		copied.Durations = tt.bad(copied.Durations)
		bad, _ := json.Marshal(copied)
		if err := newCollecting(t, cfg, new([]record.Alert)).Restore(bad); err == nil {
			t.Errorf("%s: restored", tt.name)
		}
	}
	// Rules without a latency rule have no durations to restore.
	var copied State
	_ = json.Unmarshal(data, &copied)
	copied.Rules[0].Name = "high_traffic"
	bad, _ := json.Marshal(copied)
	if err := newCollecting(t, rules(high(1, 10)), new([]record.Alert)).Restore(bad); err == nil {
		t.Errorf("durations restored into rules without a latency rule")
	}
}
