package alert

// The engine folds summary records as well as requests: the 1-second
// summaries of many hosts (stats --interval 1s --host NAME) add up, second
// by second, to exactly what the requests of all the hosts would have
// counted: hits, 5xx, and durations in the same bins (the summaries'
// DDSketches have the mapping the latency rule's windows use). A summary
// repeated (same host and start) counts once.

import (
	"errors"
	"fmt"
	"time"

	"github.com/DataDog/sketches-go/ddsketch"

	"github.com/logmon/logmon/internal/latency"
	"github.com/logmon/logmon/internal/record"
	"github.com/logmon/logmon/internal/seen"
)

// SpanError is a summary longer than a second: the rules judge every
// second, which such a summary cannot say. The command ends with it
// rather than write nothing, or alerts of seconds it cannot know.
type SpanError struct {
	Start, End int64
}

func (e *SpanError) Error() string {
	return fmt.Sprintf("a summary of %ds (from %s): alert judges every second and folds summaries of 1 second only; write them with stats --interval 1s",
		e.End-e.Start, time.Unix(e.Start, 0).UTC().Format(time.RFC3339))
}

// ErrRepeated is Summary's error for a summary of the same host and
// start as one already folded: it is not counted again.
var ErrRepeated = errors.New("repeated summary")

// dedupHorizon is how long, in seconds of event time, the (host, start)
// of a summary folded is kept to drop a repeat of it (as
// aggregate.DedupHorizon).
const dedupHorizon = 10 * 60

// Repeated reports whether err is Summary's for a summary folded before.
func (e *Engine) Repeated(err error) bool { return errors.Is(err, ErrRepeated) }

// Summary counts a summary of one second, as its requests would have
// been counted.
func (e *Engine) Summary(s *record.Summary) error {
	if err := s.Check(); err != nil {
		return err
	}
	start, end := s.Start.Unix(), s.End.Unix()
	if end-start != 1 {
		return &SpanError{Start: start, End: end}
	}
	key := seen.Key{Host: s.Host, Start: start}
	if e.seen.Has(key) {
		return ErrRepeated
	}
	var durations *ddsketch.DDSketch
	if e.dur != nil && s.Timed > 0 && len(s.LatencySketch) > 0 {
		if e.scratch == nil {
			e.scratch = latency.New()
		}
		durations = e.scratch
		durations.Clear()
		if err := latency.Decode(durations, s.LatencySketch); err != nil {
			return fmt.Errorf("%w: latency_sketch: %v", record.ErrBadRecord, err)
		}
		if n := durations.GetCount(); n != float64(s.Timed) {
			return fmt.Errorf("%w: a latency sketch of %v durations for %d timed requests", record.ErrBadRecord, n, s.Timed)
		}
	}
	from, to := e.clock.See(start)
	if err := e.judge(from, to); err != nil {
		return err
	}
	e.seen.Add(key)
	if n := e.seen.Len(); n > 1024 && n%1024 == 0 {
		e.seen.Forget(e.clock.Newest() - dedupHorizon)
	}
	if s.Requests == 0 {
		return nil
	}
	at, late := e.clock.Place(start)
	if late {
		e.late += s.Requests
	}
	if !e.begun {
		e.begun, e.first = true, at
	}
	t := &e.ring[e.slot(at)]
	t.hits += s.Requests
	t.errs += s.Status.C5xx
	if durations != nil {
		bins := e.dur.openOf(at)
		bins[0] += int64(durations.GetZeroCount())
		durations.GetPositiveValueStore().ForEach(func(index int, count float64) bool {
			b := index - minIndex + 1
			b = max(1, min(b, numBins-1))
			bins[b] += int64(count)
			return false
		})
	}
	if at > e.lastCounted {
		e.lastCounted = at
	}
	return nil
}
