package alert

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/logmon/logmon/internal/record"
)

// poisson draws a Poisson count of mean l.
func poisson(rng *rand.Rand, l float64) int {
	if l > 30 {
		return max(0, int(math.Round(l+math.Sqrt(l)*rng.NormFloat64())))
	}
	n, p, limit := 0, 1.0, math.Exp(-l)
	for {
		p *= rng.Float64()
		if p <= limit {
			return n
		}
		n++
	}
}

// traffic feeds e Poisson traffic for secs seconds from second from, at
// rate(s) requests per second.
func traffic(t *testing.T, e *Engine, rng *rand.Rand, from, secs int64, rate func(s int64) float64) {
	t.Helper()
	var r record.Request
	for s := from; s < from+secs; s++ {
		r.Sec = t0 + s
		for range poisson(rng, rate(s)) {
			if err := e.Request(&r); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func adaptiveRule(k float64) Rule {
	return Rule{Kind: Adaptive, Threshold: k, Window: time.Minute, HalfLife: time.Hour, Learn: time.Hour}
}

// TestAdaptive: no alert while learning, a burst and an outage fire once
// learned, each in its direction, and ordinary noise fires nothing.
func TestAdaptive(t *testing.T) {
	var out []record.Alert
	e := newCollecting(t, Config{Rules: []Rule{adaptiveRule(4)}}, &out)
	rng := rand.New(rand.NewPCG(7, 8))
	// Learning: the first hour, with a 5x burst in it.
	traffic(t, e, rng, 0, 3600, func(s int64) float64 {
		if s >= 1200 && s < 1500 {
			return 50
		}
		return 10
	})
	if len(out) != 0 {
		t.Fatalf("alerts while learning: %+v", out[0])
	}
	// Learned: three hours of ordinary noise.
	traffic(t, e, rng, 3600, 3*3600, func(int64) float64 { return 10 })
	if len(out) != 0 {
		t.Fatalf("ordinary Poisson noise fired: %+v", out[0])
	}
	// A 5x burst for 5 minutes, 30 minutes of normal traffic, then an
	// outage of 10 minutes and normal traffic again.
	b := int64(4 * 3600)
	traffic(t, e, rng, b, 7200, func(s int64) float64 {
		switch {
		case s < b+300:
			return 50
		case s >= b+2100 && s < b+2700:
			return 0
		}
		return 10
	})
	e.End()
	if len(out) != 4 {
		t.Fatalf("%d records, want a burst and an outage, each firing and resolving: %+v", len(out), out)
	}
	burst, outage := out[0], out[2]
	if burst.State != record.Firing || *burst.Deviation <= 4 || burst.Time.Unix()-t0 > b+60 {
		t.Errorf("the burst: %+v, want firing above, within its first minute", burst)
	}
	if e := *burst.Expected; e < 9 || e > 11 {
		t.Errorf("the burst: expected rate %v, want about 10", e)
	}
	if out[1].State != record.Resolved || out[1].Time.Unix()-t0 > b+360 {
		t.Errorf("the burst's end: %+v, want resolved within a minute of it", out[1])
	}
	if outage.State != record.Firing || *outage.Deviation >= -4 || outage.Time.Unix()-t0 > b+2100+60 {
		t.Errorf("the outage: %+v, want firing below, within its first minute", outage)
	}
	t.Logf("burst %s\nresolved %v after the burst ended\noutage %s\nresolved %s", burst.Message, out[1].Time.Unix()-t0-(b+300), outage.Message, out[3].Message)
}

// TestAdaptiveGrowth: traffic that grows tenfold in a day, as a site
// that takes off, never fires: the learned rate follows it. A sudden
// doubling fires, and the rule takes the new level as normal within a
// few half-lives, without anyone raising a threshold.
func TestAdaptiveGrowth(t *testing.T) {
	var out []record.Alert
	e := newCollecting(t, Config{Rules: []Rule{adaptiveRule(4)}}, &out)
	rng := rand.New(rand.NewPCG(9, 10))
	day := int64(24 * 3600)
	traffic(t, e, rng, 0, 3600, func(int64) float64 { return 10 })
	traffic(t, e, rng, 3600, day, func(s int64) float64 { return 10 * math.Pow(10, float64(s-3600)/float64(day)) })
	if len(out) != 0 {
		t.Fatalf("tenfold growth in a day fired: %+v", out[0])
	}
	// A step from 100 to 200 requests/s.
	from := 3600 + day
	traffic(t, e, rng, from, 12*3600, func(int64) float64 { return 200 })
	e.End()
	if len(out) != 2 || out[0].State != record.Firing || out[1].State != record.Resolved || *out[0].Deviation <= 0 {
		t.Fatalf("a step to twice the rate: %+v, want one alert, firing and resolving", out)
	}
	took := out[1].Time.Sub(out[0].Time)
	t.Logf("a doubling fired at %+.1f σ and was learned as normal after %v", *out[0].Deviation, took)
	if took > 4*time.Hour {
		t.Errorf("a doubling took %v to be learned, want within 4 half-lives", took)
	}
}
