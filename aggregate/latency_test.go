package aggregate

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/DataDog/sketches-go/ddsketch"

	"github.com/logmon/logmon/internal/latency"
	"github.com/logmon/logmon/internal/record"
)

// latencyCases are skewed and multimodal duration distributions, in
// seconds, each drawn n times into one interval.
var latencyCases = []struct {
	name string
	n    int
	draw func(rng *rand.Rand) float64
}{
	{"lognormal", 200_000, func(rng *rand.Rand) float64 { return math.Exp(rng.NormFloat64()*1.5 - 3) }},
	{"lognormal heavy", 50_000, func(rng *rand.Rand) float64 { return math.Exp(rng.NormFloat64()*3 - 4) }},
	{"pareto 1.1", 200_000, func(rng *rand.Rand) float64 { return 0.005 * math.Pow(1-rng.Float64(), -1/1.1) }},
	{"pareto 2.5", 100_000, func(rng *rand.Rand) float64 { return 0.02 * math.Pow(1-rng.Float64(), -1/2.5) }},
	{"bimodal cache hit/miss", 200_000, func(rng *rand.Rand) float64 {
		if rng.Float64() < 0.8 {
			return math.Exp(rng.NormFloat64()*0.3 - 7) // ~1 ms
		}
		return math.Exp(rng.NormFloat64()*0.5 - 1) // ~370 ms
	}},
	{"trimodal with timeouts and zeros", 150_000, func(rng *rand.Rand) float64 {
		switch u := rng.Float64(); {
		case u < 0.1:
			return 0 // nginx's 0.000 for a cached file
		case u < 0.7:
			return math.Round(math.Exp(rng.NormFloat64()*0.4-4)*1000) / 1000 // ms resolution
		case u < 0.985:
			return math.Exp(rng.NormFloat64()*0.6 + 0.5)
		default:
			return 30 + rng.Float64()*1e-3 // a 30 s upstream timeout
		}
	}},
	{"microseconds to hours", 100_000, func(rng *rand.Rand) float64 { return math.Exp(rng.Float64()*22 - 14) }},
	{"few", 7, func(rng *rand.Rand) float64 { return rng.Float64() }},
	{"one", 1, func(rng *rand.Rand) float64 { return 0.123 }},
}

// TestLatencyAccuracy: the summary's p50, p90 and p99, as written,
// are within 1% of the exact quantiles (the duration of rank
// floor(q*(n-1))), and max is the largest duration, on skewed and
// multimodal data.
func TestLatencyAccuracy(t *testing.T) {
	worst := 0.0
	for i, tt := range latencyCases {
		t.Run(tt.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(i), 13))
			durations := make([]float64, tt.n)
			var out []record.Summary
			cfg := Config{Interval: time.Hour, Top: 5, Lateness: 5 * time.Second}
			a := newStage(t, cfg, &out)
			for j := range durations {
				durations[j] = tt.draw(rng)
				pr := record.Request{Sec: t0 + int64(j)*3599/int64(tt.n), Status: 200, Duration: durations[j], Timed: true}
				if err := a.Request(&pr); err != nil {
					t.Fatal(err)
				}
			}
			if err := a.End(); err != nil {
				t.Fatal(err)
			}
			if len(out) != 1 || out[0].Timed != int64(tt.n) {
				t.Fatalf("want one summary of %d timed requests, got %+v", tt.n, out)
			}
			s := out[0]
			slices.Sort(durations)
			exact := func(q float64) float64 { return durations[int(q*float64(len(durations)-1))] }
			for _, c := range []struct {
				name string
				q    float64
				got  float64
			}{{"p50", 0.5, s.P50}, {"p90", 0.9, s.P90}, {"p99", 0.99, s.P99}, {"max", 1, s.Max}} {
				want := exact(c.q)
				rel := 0.0
				if want != 0 || c.got != 0 {
					rel = math.Abs(c.got-want) / want
				}
				worst = max(worst, rel)
				if !(rel <= 0.01) {
					t.Errorf("%s = %v, exact %v: relative error %.4f%%, more than 1%%", c.name, c.got, want, rel*100)
				}
				if c.name == "max" && rel > 5e-5 {
					t.Errorf("max = %v, exact %v: want it exact but for rounding", c.got, want)
				}
			}
			// The sketch the summary carries gives the same figures.
			sk := latency.New()
			if err := latency.Decode(sk, s.LatencySketch); err != nil {
				t.Fatal(err)
			}
			if p99 := latency.Round(latency.Quantile(sk, 0.99, durations[len(durations)-1])); sk.GetCount() != float64(tt.n) || p99 != s.P99 {
				t.Errorf("latency_sketch: %v durations, p99 %v; the summary says %d, %v", sk.GetCount(), p99, tt.n, s.P99)
			}
		})
	}
	t.Logf("largest relative error: %.4f%%", worst*100)
}

// TestLatencyMerge: the sketches of summaries merge into the sketch of
// their union, which is what the fleet does across hosts: its p99 is
// within 1% of the exact p99 of all the durations.
func TestLatencyMerge(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	var out []record.Summary
	a := newStage(t, defaults(), &out)
	var all []float64
	for j := range 60_000 {
		d := math.Exp(rng.NormFloat64()*1.2 - 3)
		if j%600 < 60 {
			d *= 20 // one slow second in ten
		}
		all = append(all, d)
		pr := record.Request{Sec: t0 + int64(j)/1000, Status: 200, Duration: d, Timed: true}
		if err := a.Request(&pr); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.End(); err != nil {
		t.Fatal(err)
	}
	merged := latency.New()
	for _, s := range out {
		if err := latency.Decode(merged, s.LatencySketch); err != nil {
			t.Fatal(err)
		}
	}
	slices.Sort(all)
	for _, q := range []float64{0.5, 0.9, 0.99, 0.999} {
		got, want := latency.Quantile(merged, q, math.Inf(1)), all[int(q*float64(len(all)-1))]
		if rel := math.Abs(got-want) / want; rel > latency.RelativeAccuracy {
			t.Errorf("merged q%v = %v, exact %v: relative error %.4f%%", q, got, want, rel*100)
		}
	}
	if len(out) != 6 || merged.GetCount() != 60_000 {
		t.Errorf("%d summaries, merged count %v", len(out), merged.GetCount())
	}
}

// TestNoStatusAndUntimed: a request with no status counts in traffic
// and in the none class, never as an error; a summary without timed
// requests has no latency fields.
func TestNoStatusAndUntimed(t *testing.T) {
	var out []record.Summary
	a := newStage(t, defaults(), &out)
	for _, pr := range []record.Request{
		{Sec: t0, Status: 0, Duration: 0.5, Timed: true},
		{Sec: t0 + 1, Status: 0},
		{Sec: t0 + 2, Status: 503, Duration: 0.25, Timed: true},
		{Sec: t0 + 3, Status: 42},
		{Sec: t0 + 4, Status: 700},
		{Sec: t0 + 12, Status: 200}, // an interval without a duration
	} {
		if err := a.Request(&pr); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.End(); err != nil {
		t.Fatal(err)
	}
	if len(out) != 2 {
		t.Fatalf("want 2 summaries, got %d", len(out))
	}
	s := out[0]
	if want := (record.StatusClasses{C5xx: 1, Other: 2, None: 2}); s.Status != want || s.Requests != 5 || s.ErrorShare != 0.2 {
		t.Errorf("status %+v, requests %d, error share %v; want %+v, 5, 0.2", s.Status, s.Requests, s.ErrorShare, want)
	}
	// Of two durations, every quantile below 1 is the smaller one (rank
	// floor(q*(n-1)) = 0).
	if s.Timed != 2 || s.Max != 0.5 || s.P50 != latency.Round(latency.Quantile(sketchOf(0.5, 0.25), 0.5, 0.5)) || math.Abs(s.P99-0.25) > 0.0025 {
		t.Errorf("timed %d, p50 %v, p99 %v, max %v", s.Timed, s.P50, s.P99, s.Max)
	}
	if line := string(out[1].AppendJSON(nil)); out[1].Timed != 0 || strings.Contains(line, `"p50"`) || strings.Contains(line, `"latency_sketch"`) || strings.Contains(line, `"none"`) {
		t.Errorf("a summary without timed requests or statusless ones: %s", line)
	}
}

func sketchOf(ds ...float64) *ddsketch.DDSketch {
	s := latency.New()
	for _, d := range ds {
		latency.Add(s, d)
	}
	return s
}

// TestLatencyState: the open intervals' sketches survive a state save
// and restore: the summaries are those of a run that never stopped.
func TestLatencyState(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	var reqs []record.Request
	for j := range 3000 {
		reqs = append(reqs, record.Request{Sec: t0 + int64(j)/100 - rng.Int64N(3), Status: 200, Duration: math.Exp(rng.NormFloat64() - 3), Timed: j%3 != 0})
	}
	var want []record.Summary
	a := newStage(t, defaults(), &want)
	for i := range reqs {
		if err := a.Request(&reqs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.End(); err != nil {
		t.Fatal(err)
	}
	for _, cut := range []int{1, 555, 1999, 2999} {
		var got []record.Summary
		a := newStage(t, defaults(), &got)
		for i := range reqs[:cut] {
			if err := a.Request(&reqs[i]); err != nil {
				t.Fatal(err)
			}
		}
		data, err := json.Marshal(a.State())
		if err != nil {
			t.Fatal(err)
		}
		b := newStage(t, defaults(), &got)
		if err := b.Restore(data); err != nil {
			t.Fatalf("cut %d: %v", cut, err)
		}
		for i := range reqs[cut:] {
			if err := b.Request(&reqs[cut+i]); err != nil {
				t.Fatal(err)
			}
		}
		if err := b.End(); err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("cut %d: %d summaries, want %d", cut, len(got), len(want))
		}
		for i := range want {
			if g, w := string(got[i].AppendJSON(nil)), string(want[i].AppendJSON(nil)); g != w {
				t.Errorf("cut %d: summary %d:\n got %s\nwant %s", cut, i, g, w)
			}
		}
	}
}

// TestLatencyStateRefused: a damaged or inconsistent sketch in a state
// is an error, never a crash.
func TestLatencyStateRefused(t *testing.T) {
	good := latency.Encode(nil, sketchOf(0.1, 0.2))
	for _, tt := range []struct {
		name string
		o    OpenInterval
	}{
		{"count differs", OpenInterval{Requests: 5, Timed: 3, Slowest: 0.2, Latency: good}},
		{"more timed than requests", OpenInterval{Requests: 1, Timed: 2, Slowest: 0.2, Latency: good}},
		{"negative", OpenInterval{Requests: 5, Timed: -1}},
		{"timed without a sketch", OpenInterval{Requests: 5, Timed: 2, Slowest: 0.2}},
		{"garbage", OpenInterval{Requests: 5, Timed: 2, Slowest: 0.2, Latency: []byte{0xff, 0x01, 0x02, 0x03}}},
		{"cut short", OpenInterval{Requests: 5, Timed: 2, Slowest: 0.2, Latency: good[:len(good)-1]}},
	} {
		a, err := New(defaults(), func(*record.Summary) error { return nil })
		if err != nil {
			t.Fatal(err)
		}
		b := a.newBucket()
		if err := restoreLatency(b, tt.o); err == nil {
			t.Errorf("%s: restored", tt.name)
		}
	}
}
