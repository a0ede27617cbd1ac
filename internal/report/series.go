package report

import (
	"sort"

	"github.com/DataDog/sketches-go/ddsketch"

	"github.com/logmon/logmon/internal/latency"
	"github.com/logmon/logmon/internal/record"
)

// DefaultMaxPoints bounds the points of a chart: a month of 10 s
// summaries (259,200) is drawn as at most this many, each the sum of the
// summaries in its slot. 2,000 is more than a screen's or a page's width
// in pixels, so nothing visible is lost, and keeps each chart's SVG
// under about 150 kB.
const DefaultMaxPoints = 2000

// point is what the charts draw for one slot of time: the sum of the
// summaries whose start falls in it (several hosts' summaries of the same
// interval add up, as a fleet's should).
type point struct {
	start, end int64 // the span the summaries covered, Unix seconds
	requests   int64
	bytes      int64
	status     record.StatusClasses
	peak       float64 // the highest rate of one slot merged into this one; 0 while none was
	late       int64
	partial    bool

	timed    int64
	max      float64
	sketch   *ddsketch.DDSketch // the durations, when the summaries carried their sketch
	p50, p90 float64            // timed-weighted means, for summaries without a sketch
	p99      float64
}

// rate is the point's requests per second over the span covered.
func (p *point) rate() float64 {
	if p.end <= p.start {
		return 0
	}
	return float64(p.requests) / float64(p.end-p.start)
}

// peakRate is the highest rate of the finest slots merged into p.
func (p *point) peakRate() float64 { return max(p.peak, p.rate()) }

// quantile is the point's estimate of the durations' quantile q.
func (p *point) quantile(q float64) float64 {
	if p.timed == 0 {
		return 0
	}
	if p.sketch != nil {
		return latency.Quantile(p.sketch, q, p.max)
	}
	switch q {
	case 0.5:
		return p.p50
	case 0.9:
		return p.p90
	}
	return p.p99
}

// merge adds o into p.
func (p *point) merge(o *point) {
	p.peak = max(p.peakRate(), o.peakRate())
	p.start, p.end = min(p.start, o.start), max(p.end, o.end)
	p.requests += o.requests
	p.bytes = satAdd(p.bytes, o.bytes)
	p.status.Add(o.status)
	p.late += o.late
	p.partial = p.partial || o.partial
	p.mergeLatency(o.timed, o.max, o.sketch, o.p50, o.p90, o.p99)
}

// mergeLatency adds timed durations, described by sketch (or by their
// percentiles when it is nil), to p.
func (p *point) mergeLatency(timed int64, slowest float64, sketch *ddsketch.DDSketch, p50, p90, p99 float64) {
	if timed == 0 {
		return
	}
	if p.timed == 0 {
		p.sketch = sketch
	} else if p.sketch != nil && sketch != nil {
		_ = p.sketch.MergeWith(sketch) // the same mapping: cannot fail
	} else {
		p.sketch = nil // one without: the percentiles are means from now on
	}
	// Timed-weighted means, kept whether or not there is a sketch, so
	// that a point that loses its sketch still has them.
	w, n := float64(p.timed), float64(timed)
	p.p50 = (p.p50*w + p50*n) / (w + n)
	p.p90 = (p.p90*w + p90*n) / (w + n)
	p.p99 = (p.p99*w + p99*n) / (w + n)
	p.timed += timed
	p.max = max(p.max, slowest)
}

func satAdd(a, b int64) int64 {
	if s := a + b; s >= a {
		return s
	}
	return 1<<63 - 1
}

// series is the summaries of a stream folded into at most maxPoints slots
// of width seconds each: when the summaries span more slots than that,
// the width doubles and neighbouring slots merge. Memory is bounded by
// maxPoints whatever the stream's length.
type series struct {
	maxPoints int
	width     int64 // seconds; 0 until the first summary
	base      int64 // the first summary's length: width is a power of two times it
	slots     map[int64]*point
	lo, hi    int64 // the first and last slot index held
	// last is the slot the last summary went to, at index lastAt; nil
	// once the slots are merged anew.
	last   *point
	lastAt int64
}

func newSeries(maxPoints int) *series {
	return &series{maxPoints: maxPoints, slots: make(map[int64]*point)}
}

// add folds one summary into its slot. The point is made on the stack
// and copied to the heap only for a new slot, and the slot of the
// summary before is looked up first: most summaries fall in it once the
// slots have widened. A point allocated and a map lookup for every
// summary were 2.4 % of the report's CPU time on real traffic's replay
// (scripts/reallog: 28 requests an interval, so a summary's cost is
// shared by few requests).
func (s *series) add(sum *record.Summary) {
	p := point{
		start:    sum.Start.Unix(),
		end:      sum.End.Unix(),
		requests: sum.Requests,
		bytes:    sum.Bytes,
		status:   sum.Status,
		late:     sum.Late,
		partial:  sum.Partial,
	}
	if sum.Partial && sum.Rate > 0 && sum.Requests > 0 {
		// A partial summary's rate is over the seconds it covered: so
		// is the point's, or the last interval of a replay looks like a
		// drop.
		p.end = p.start + max(1, int64(float64(sum.Requests)/sum.Rate+0.5))
	}
	if sum.Timed > 0 {
		var sk *ddsketch.DDSketch
		if len(sum.LatencySketch) > 0 {
			sk = latency.New()
			if latency.Decode(sk, sum.LatencySketch) != nil || sk.GetCount() < 0.5 {
				sk = nil
			}
		}
		p.mergeLatency(sum.Timed, sum.Max, sk, sum.P50, sum.P90, sum.P99)
	}
	if s.width == 0 {
		s.width = max(1, p.end-p.start)
		s.base = s.width
	}
	at := floorDiv(p.start, s.width)
	q := s.last
	if q == nil || s.lastAt != at {
		q = s.slots[at]
	}
	if q != nil {
		q.merge(&p)
	} else {
		q = new(point)
		*q = p
		s.slots[at] = q
		if len(s.slots) == 1 {
			s.lo, s.hi = at, at
		}
		s.lo, s.hi = min(s.lo, at), max(s.hi, at)
	}
	s.last, s.lastAt = q, at
	for s.hi-s.lo+1 > int64(s.maxPoints) {
		s.coarsen()
	}
}

// coarsen doubles the slots' width, merging each pair.
func (s *series) coarsen() {
	s.width *= 2
	s.last = nil
	old := s.slots
	s.slots = make(map[int64]*point, len(old)/2+1)
	first := true
	for _, p := range old {
		at := floorDiv(p.start, s.width)
		if q := s.slots[at]; q != nil {
			q.merge(p)
		} else {
			s.slots[at] = p
		}
		if first {
			s.lo, s.hi, first = at, at, false
		}
		s.lo, s.hi = min(s.lo, at), max(s.hi, at)
	}
}

// points returns the slots in time order.
func (s *series) points() []*point {
	ps := make([]*point, 0, len(s.slots))
	for _, p := range s.slots {
		ps = append(ps, p)
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].start < ps[j].start })
	return ps
}

func (s *series) empty() bool { return len(s.slots) == 0 }

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}
