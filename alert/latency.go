package alert

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"github.com/logmon/logmon/internal/latency"
	"github.com/logmon/logmon/internal/record"
)

// The latency rule judges a quantile of the durations in its window,
// estimated as a DDSketch does (package latency: the same mapping, so
// within latency.RelativeAccuracy of the true quantile). A window is a
// sketch that slides: each second's durations are added to it when the
// second is judged and taken out when it leaves the window, so it holds
// exactly the durations of (s-window, s] at every s, and the second a
// rule fires at is exact given the estimate.
//
// The sketch has a fixed range of bins, so that windows add and subtract
// bin by bin: bin 0 holds durations of 0, the others the mapping's bins
// from minDuration to maxDuration; a duration outside is counted in the
// nearest bin. A quantile judged against a threshold within the range
// is judged as if it were not clamped.
const (
	minDuration = 1e-6 // 1 µs
	maxDuration = 1e6  // 11.6 days
)

// DefaultQuantile is a latency rule's quantile when none is given: p99.
const DefaultQuantile = 0.99

var (
	minIndex = latency.Mapping.Index(minDuration)
	numBins  = latency.Mapping.Index(maxDuration) - minIndex + 2 // 0, then the mapping's
)

// binOf is the bin of a duration in seconds.
func binOf(sec float64) int {
	switch {
	case !(sec > 0):
		return 0
	case sec <= minDuration:
		return 1
	case sec >= maxDuration:
		return numBins - 1
	}
	return latency.Mapping.Index(sec) - minIndex + 1
}

// valueOf is a bin's estimate of the durations in it.
func valueOf(bin int) float64 {
	if bin == 0 {
		return 0
	}
	return latency.Mapping.Value(bin - 1 + minIndex)
}

// durations holds the durations of the seconds the engine keeps, for
// its latency rules; nil when it has none.
//
// A second not yet judged (at most lateness+1 of them) counts in a dense
// array of numBins counters, in open; once judged, its bins are kept,
// packed, in done until it leaves the widest window: one 8-byte entry a
// bin used, at most numBins a second.
type durations struct {
	open [][]int64  // by second mod len(open); nil until a duration lands
	done [][]uint64 // by the engine's ring slot: bin<<48 | count
}

const countBits = 48

func newDurations(ringLen, openLen int) *durations {
	return &durations{open: make([][]int64, openLen), done: make([][]uint64, ringLen)}
}

func (d *durations) openOf(sec int64) []int64 {
	n := int64(len(d.open))
	i := ((sec % n) + n) % n
	if d.open[i] == nil {
		d.open[i] = make([]int64, numBins)
	}
	return d.open[i]
}

// add counts one duration in the open second sec.
func (d *durations) add(sec int64, dur float64) {
	d.openOf(sec)[binOf(dur)]++
}

// close packs the open second sec into done's slot, now that it is
// judged, and empties its array for a second to come.
func (d *durations) close(sec int64, slot int) {
	n := int64(len(d.open))
	bins := d.open[((sec%n)+n)%n]
	packed := d.done[slot][:0]
	for b, c := range bins {
		if c != 0 {
			packed = append(packed, uint64(b)<<countBits|uint64(c))
			bins[b] = 0
		}
	}
	d.done[slot] = packed
}

// save returns [sec, bin, count, ...] for the second sec (judged, and
// then in done's slot, or open), or nil when it has no durations.
func (d *durations) save(sec int64, judged bool, slot int) []int64 {
	out := []int64{sec}
	if judged {
		for _, e := range d.done[slot] {
			out = append(out, int64(e>>countBits), int64(e&(1<<countBits-1)))
		}
	} else {
		n := int64(len(d.open))
		for b, c := range d.open[((sec%n)+n)%n] {
			if c != 0 {
				out = append(out, int64(b), c)
			}
		}
	}
	if len(out) == 1 {
		return nil
	}
	return out
}

// window is a latency rule's sliding sketch.
type window struct {
	bins  []int64
	total int64
}

// slide adds the packed bins of the second entering the window and
// takes out those of the second leaving it.
func (w *window) slide(in, out []uint64) {
	for _, e := range in {
		c := int64(e & (1<<countBits - 1))
		w.bins[e>>countBits] += c
		w.total += c
	}
	for _, e := range out {
		c := int64(e & (1<<countBits - 1))
		w.bins[e>>countBits] -= c
		w.total -= c
	}
}

// quantile is the estimate of the quantile q of the window's durations
// (the one of rank floor(q*(n-1)), as sketches-go defines it); 0 when
// the window has none.
func (w *window) quantile(q float64) float64 {
	if w.total == 0 {
		return 0
	}
	rank := float64(q * float64(w.total-1))
	var n int64
	for b, c := range w.bins {
		n += c
		if float64(n) > rank {
			return valueOf(b)
		}
	}
	return valueOf(len(w.bins) - 1)
}

// slow is the latency detector: the quantile q of the window's
// durations is above thr seconds, judged when the window holds at least
// min timed requests.
type slow struct {
	thr, rec, q float64
	min         int64
	w           window
}

func newSlow(r *Rule) *slow {
	q := r.Quantile
	if q == 0 {
		q = DefaultQuantile
	}
	return &slow{thr: r.Threshold, rec: r.recoverAt(), q: q, min: r.MinRequests, w: window{bins: make([]int64, numBins)}}
}

func (d *slow) cond(seen int64, w tally) (fire, clear bool) {
	if d.w.total < d.min || d.w.total == 0 {
		return false, true
	}
	v := d.w.quantile(d.q)
	return v > d.thr, v <= d.rec
}

func (d *slow) learn(int64, tally)            {}
func (d *slow) settled(int64) bool            { return true }
func (d *slow) save() any                     { return nil }
func (d *slow) restore(json.RawMessage) error { return nil }

func (d *slow) describe(a *record.Alert, w tally) {
	a.Threshold = d.thr
	if a.State == record.Resolved {
		a.Threshold = d.rec
	}
	q, timed := d.q, d.w.total
	a.Quantile, a.Timed = &q, &timed
	what := fmt.Sprintf("%s not judged: %d timed requests", quantileName(d.q), timed)
	if timed > 0 {
		v := latency.Round(d.w.quantile(d.q))
		a.Latency = &v
		what = fmt.Sprintf("%s = %ss of %d timed requests", quantileName(d.q), strconv.FormatFloat(v, 'f', -1, 64), timed)
	}
	at := string(record.AppendTime(nil, a.Time.Unix(), 0))
	a.Message = message(a, "High latency generated an alert", "High latency alert recovered", what, at)
}

// quantileName is "p99" for 0.99, "p99.9" for 0.999, "max" for 1.
func quantileName(q float64) string {
	if q == 1 {
		return "max"
	}
	return "p" + strconv.FormatFloat(math.Round(q*1e6)/1e4, 'f', -1, 64)
}
