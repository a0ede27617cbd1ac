package alert

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/logmon/logmon/internal/record"
)

// tally is what a second, or a window of seconds, holds.
type tally struct {
	hits int64 // requests
	errs int64 // of which 5xx
}

// detector is what a kind of rule adds to the shared anti-flapping
// machine: the conditions, and what its records say.
type detector interface {
	// cond says whether the firing condition and the recovery condition
	// hold at a second whose window holds w; seen is the number of
	// seconds from the first request's second to this one, inclusive.
	cond(seen int64, w tally) (fire, clear bool)
	// learn is called once a second, after cond.
	learn(seen int64, w tally)
	// settled reports whether, with empty windows from seen on, cond
	// gives the same answer at every second and learn changes nothing.
	settled(seen int64) bool
	// describe fills in a's threshold, the kind's own fields and the
	// message, for the state change at a.Time.
	describe(a *record.Alert, w tally)
	// save and restore the detector's own state, when it has any.
	save() any
	restore(data json.RawMessage) error
}

func newDetector(r *Rule, win int64) detector {
	switch r.Kind {
	case Latency:
		return newSlow(r)
	case Adaptive:
		half, learn := r.HalfLife, r.Learn
		if half == 0 {
			half = DefaultHalfLife
		}
		if learn == 0 {
			learn = DefaultLearn
		}
		alpha := 1 - math.Exp2(-float64(win)/half.Seconds())
		need := max(2, (int64(learn/time.Second)+win-1)/win)
		return &adaptive{
			k: r.Threshold, rec: r.recoverAt(), win: win, alpha: alpha,
			need: need, most: max(need, int64(math.Ceil(1/alpha))+1),
		}
	default:
		return &threshold{kind: r.Kind, thr: r.Threshold, rec: r.recoverAt(), min: r.MinRequests, win: win}
	}
}

// threshold is the high_traffic, low_traffic and error_rate detectors.
type threshold struct {
	kind     string
	thr, rec float64
	min      int64
	win      int64
}

func (d *threshold) cond(seen int64, w tally) (fire, clear bool) {
	switch d.kind {
	case HighTraffic:
		// rate > threshold, as the rule is written: the division is
		// rounded once, like the threshold itself, so 123 hits in 300 s
		// equal --threshold 0.41 and do not fire, where comparing hits
		// with threshold*window would.
		r := rate(w, d.win)
		return r > d.thr, r <= d.rec
	case LowTraffic:
		if seen < d.win {
			return false, false // not a whole window since the first line
		}
		r := rate(w, d.win)
		return r < d.thr, r >= d.rec
	default: // ErrorRate
		if w.hits < d.min || w.hits == 0 {
			return false, true
		}
		r := ratio(w)
		return r > d.thr, r <= d.rec
	}
}

func (d *threshold) learn(int64, tally) {}

func (d *threshold) settled(seen int64) bool {
	return d.kind != LowTraffic || seen >= d.win
}

func (d *threshold) describe(a *record.Alert, w tally) {
	a.Threshold = d.thr
	if a.State == record.Resolved {
		a.Threshold = d.rec
	}
	at := string(record.AppendTime(nil, a.Time.Unix(), 0))
	switch d.kind {
	case HighTraffic:
		a.Message = message(a, "High traffic generated an alert", "High traffic alert recovered", fmt.Sprintf("hits = %d", w.hits), at)
	case LowTraffic:
		a.Message = message(a, "Low traffic generated an alert", "Low traffic alert recovered", fmt.Sprintf("hits = %d", w.hits), at)
	default:
		errs, r := w.errs, math.Round(ratio(w)*10000)/10000
		a.Errors, a.Ratio = &errs, &r
		pct := strconv.FormatFloat(math.Round(ratio(w)*10000)/100, 'f', -1, 64)
		a.Message = message(a, "Server errors generated an alert", "Server errors alert recovered",
			fmt.Sprintf("5xx = %d of %d requests (%s%%)", errs, w.hits, pct), at)
	}
}

func (d *threshold) save() any                          { return nil }
func (d *threshold) restore(data json.RawMessage) error { return nil }

// message is "<fired> - <what>, triggered at <at>" or "<recovered> -
// <what>, recovered at <at>".
func message(a *record.Alert, fired, recovered, what, at string) string {
	if a.State == record.Firing {
		return fired + " - " + what + ", triggered at " + at
	}
	return recovered + " - " + what + ", recovered at " + at
}

func rate(w tally, win int64) float64 { return float64(w.hits) / float64(win) }

func ratio(w tally) float64 {
	if w.hits == 0 {
		return 0
	}
	return float64(w.errs) / float64(w.hits)
}

// adaptive learns the normal rate and fires when the window's rate is
// more than k standard deviations from it, up or down.
//
// It learns from samples: the rate of each window-long stretch of time
// from the first line on, (first+n*window-1 ... ], one sample a window.
// The mean and variance are exponentially weighted moving averages whose
// weight halves every half-life; the first samples are weighted equally,
// so the first `need` samples give their plain mean and variance. It does
// not fire until it has learned `need` samples. The standard deviation is
// never taken below the Poisson noise of a window's count (the square
// root of the mean rate over the window), so a very regular stream does
// not fire at every small wobble.
//
// From the clipFrom-th sample on, even while learning, a sample is
// clipped to mean ± k·sd before it is learned: a burst moves the baseline
// only as far as the band's edge, so it neither hides the next anomaly
// behind a wide band nor shifts the normal rate, while a lasting change
// (growth) keeps pushing the band until it is inside; how fast is in the
// README, measured by TestAdaptiveGrowth.
type adaptive struct {
	k, rec float64
	win    int64
	alpha  float64 // a sample's weight once learned
	need   int64   // samples before it may fire
	most   int64   // the sample count stops here: beyond it, the weight is alpha
	m      model
}

// clipFrom is the sample from which samples are clipped: the first few
// are taken whole, to have a mean and a spread to clip by.
const clipFrom = 5

// model is what the adaptive rule has learned, in requests per second.
type model struct {
	N    int64   `json:"n"` // samples learned, up to most
	Mean float64 `json:"mean"`
	Var  float64 `json:"var"`
}

func (d *adaptive) learned() bool { return d.m.N >= d.need }

// sd is the standard deviation the rule measures by.
func (d *adaptive) sd() float64 {
	w := float64(d.win)
	return math.Sqrt(max(d.m.Var, max(d.m.Mean, 1/w)/w))
}

// z is how many standard deviations w's rate is from the mean.
func (d *adaptive) z(w tally) float64 { return (rate(w, d.win) - d.m.Mean) / d.sd() }

func (d *adaptive) cond(seen int64, w tally) (fire, clear bool) {
	if !d.learned() {
		return false, true
	}
	z := math.Abs(d.z(w))
	return z > d.k, z <= d.rec
}

func (d *adaptive) learn(seen int64, w tally) {
	if seen < d.win || seen%d.win != 0 {
		return
	}
	x := rate(w, d.win)
	if d.m.N >= clipFrom {
		band := d.k * d.sd()
		x = min(max(x, d.m.Mean-band), d.m.Mean+band)
	}
	a := max(d.alpha, 1/float64(d.m.N+1))
	diff := x - d.m.Mean
	d.m.Mean += a * diff
	d.m.Var = (1 - a) * (d.m.Var + a*diff*diff)
	d.m.N = min(d.m.N+1, d.most)
	// Traffic gone for good decays to exactly zero, so that a silence
	// settles (Engine skips it) instead of decaying for ever.
	if win := float64(d.win); d.learned() && d.m.Mean*win < 1e-6 && d.m.Var*win*win < 1e-12 {
		d.m.Mean, d.m.Var = 0, 0
	}
}

func (d *adaptive) settled(int64) bool {
	return d.m.N >= d.most && d.m.Mean == 0 && d.m.Var == 0
}

func (d *adaptive) describe(a *record.Alert, w tally) {
	a.Threshold = d.k
	if a.State == record.Resolved {
		a.Threshold = d.rec
	}
	mean, z := math.Round(d.m.Mean*1000)/1000, math.Round(d.z(w)*100)/100
	a.Expected, a.Deviation = &mean, &z
	at := string(record.AppendTime(nil, a.Time.Unix(), 0))
	dir := "above"
	if z < 0 {
		dir = "below"
	}
	what := fmt.Sprintf("hits = %d, %s req/s, %g standard deviations %s the usual %s ± %s",
		w.hits, fmtRate(rate(w, d.win)), math.Abs(z), dir, fmtRate(d.m.Mean), fmtRate(d.sd()))
	a.Message = message(a, "Unusual traffic generated an alert", "Unusual traffic alert recovered", what, at)
}

func fmtRate(r float64) string { return strconv.FormatFloat(math.Round(r*1000)/1000, 'f', -1, 64) }

func (d *adaptive) save() any { return &d.m }

func (d *adaptive) restore(data json.RawMessage) error {
	var m model
	if err := json.Unmarshal(data, &m); err != nil {
		return err
	}
	if m.N < 0 || m.N > d.most || !(m.Mean >= 0) || !(m.Var >= 0) || !finite(m.Mean) || !finite(m.Var) {
		return fmt.Errorf("learned rate out of range: %+v", m)
	}
	d.m = m
	return nil
}
