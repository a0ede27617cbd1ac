package aggregate

// Summaries are mergeable: stats folds summary records (of several hosts,
// or of a shorter interval) as it folds requests. Every count adds up
// exactly; the distinct clients are the union of the summaries'
// HyperLogLog sketches, the durations the merge of their DDSketches (the
// same bins as one sketch of all the durations), and the top lists a
// merge of lists with error bounds (mergedList). A summary repeated
// (same host and start, as after a restart or a redelivery) counts once.

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/axiomhq/hyperloglog"

	"github.com/logmon/logmon/internal/latency"
	"github.com/logmon/logmon/internal/record"
	"github.com/logmon/logmon/internal/seen"
	"github.com/logmon/logmon/internal/topk"
)

// IntervalError is a summary that no interval of the aggregator holds
// whole: its interval is longer than the aggregator's, or not aligned to
// it. Folding it would spread its counts over intervals it knows nothing
// of, so the command ends with this error rather than guess.
type IntervalError struct {
	Start, End int64 // the summary's
	Interval   int64 // the aggregator's, seconds
}

func (e *IntervalError) Error() string {
	return fmt.Sprintf("a summary of %ds (from %s) does not fit in one interval of %ds: fold summaries into an interval that is a multiple of theirs (stats --interval 1s on the hosts)",
		e.End-e.Start, time.Unix(e.Start, 0).UTC().Format(time.RFC3339), e.Interval)
}

// DedupHorizon is how long the (host, start) of a summary folded is kept
// to drop a repeat of it: past that, a repeat is counted again (as late).
// JetStream's duplicate window drops repeats published within it before
// they reach a stage; this is for the repeats it lets through.
const DedupHorizon = 10 * 60 // seconds of event time

// ErrRepeated is Summary's error for a summary of the same host and
// start as one already folded: it is not counted again.
var ErrRepeated = errors.New("repeated summary")

// Summary folds the summary s into the interval that holds it. A summary
// that is not valid (counts that do not add up, a damaged sketch) is an
// error wrapping record.ErrBadRecord, and nothing of it is counted; one
// already folded is ErrRepeated.
func (a *Aggregator) Summary(s *record.Summary) error {
	start, end := s.Start.Unix(), s.End.Unix()
	if err := s.Check(); err != nil {
		return err
	}
	if floorDiv(start, a.iv) != floorDiv(end-1, a.iv) {
		return &IntervalError{Start: start, End: end, Interval: a.iv}
	}
	key := seen.Key{Host: s.Host, Start: start}
	if a.seen.Has(key) {
		return ErrRepeated
	}
	// Decode the sketches before anything is counted.
	var distinct *hyperloglog.Sketch
	if len(s.DistinctSketch) > 0 {
		distinct = newDistinct()
		if err := restoreDistinct(distinct, s.DistinctSketch); err != nil {
			return fmt.Errorf("%w: distinct_sketch: %v", record.ErrBadRecord, err)
		}
	}
	var durations = a.scratchSketch
	if s.Timed > 0 && len(s.LatencySketch) > 0 {
		if durations == nil {
			durations = latency.New()
			a.scratchSketch = durations
		}
		durations.Clear()
		if err := latency.Decode(durations, s.LatencySketch); err != nil {
			return fmt.Errorf("%w: latency_sketch: %v", record.ErrBadRecord, err)
		}
		if n := durations.GetCount(); n != float64(s.Timed) {
			return fmt.Errorf("%w: a latency sketch of %v durations for %d timed requests", record.ErrBadRecord, n, s.Timed)
		}
	}

	_, to := a.clock.See(start)
	if err := a.judge(to); err != nil {
		return err
	}
	a.seen.Add(key)
	if n := a.seen.Len(); n > 1024 && n%1024 == 0 {
		a.seen.Forget(a.clock.Newest() - DedupHorizon)
	}
	at, late := a.clock.Place(start)
	bstart := floorDiv(at, a.iv) * a.iv
	if !a.haveNext || bstart < a.next {
		a.next, a.haveNext = bstart, true
	}
	b := a.open[bstart]
	if b == nil {
		b = a.newBucket()
		a.open[bstart] = b
	}
	a.last = nil
	b.requests += s.Requests
	b.bytes = satAdd(b.bytes, s.Bytes)
	b.late += s.Late
	if late {
		b.late += s.Requests
	}
	b.status.Add(s.Status)
	if s.Timed > 0 {
		b.timed += s.Timed
		b.slowest = max(b.slowest, s.Max)
		if len(s.LatencySketch) > 0 {
			_ = b.durations.MergeWith(durations) // the same mapping: checked by Decode
		}
	}
	if distinct != nil {
		_ = b.distinct.Merge(distinct) // the same precision
	} else {
		// A summary without a sketch (written without --host): its
		// clients are added as if none had been seen elsewhere, an upper
		// bound (the figure is never above the requests).
		b.unsketched += s.DistinctClients
	}
	if b.merged == nil {
		b.merged = &merged{}
	}
	m := b.merged
	m.sections.add(s.Requests, len(s.Sections), func(i int) (string, int64, int64) {
		return s.Sections[i].Section, s.Sections[i].Hits, s.Sections[i].Error
	})
	m.methods.add(s.Requests, len(s.Methods), func(i int) (string, int64, int64) {
		return s.Methods[i].Method, s.Methods[i].Hits, s.Methods[i].Error
	})
	m.clients.add(s.Requests, len(s.Clients), func(i int) (string, int64, int64) {
		return s.Clients[i].Client, s.Clients[i].Hits, s.Clients[i].Error
	})
	m.networks.add(s.Requests, len(s.Networks), func(i int) (string, int64, int64) {
		return s.Networks[i].Network, s.Networks[i].Hits, s.Networks[i].Error
	})
	return nil
}

// Repeated reports whether err is Summary's for a summary folded before.
func (a *Aggregator) Repeated(err error) bool { return errors.Is(err, ErrRepeated) }

func satAdd(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

// merged holds the top lists of the summaries folded into one interval.
type merged struct {
	sections, methods, clients, networks mergedList
}

// mergedList merges top lists that each carry error bounds (an entry's
// hits overstate its true hits by at most its error), keeping the same
// kind of bound: an entry's hits overstate the true sum by at most its
// error.
//
// A list that names only some of its keys (its hits add up to less than
// its requests) says of every key it leaves out that it had at most its
// floor, the smallest hits it lists; a list that names every key says a
// key left out had none. So a key's merged hits are the sum, over the
// lists, of its hits where it is listed and of the list's floor where it
// is not, and its error the sum of its errors and those floors: Floor,
// the sum of every list's floor, plus, for each list that names the key,
// its hits (error) less that list's floor. A key listed by no list had
// at most Floor in all.
//
// It holds every key listed by one of the lists merged: at most --top
// per summary, so its memory grows with the hosts times the intervals
// merged, not with the traffic.
type mergedList struct {
	Floor int64                 `json:"floor"`
	Keys  map[string]*mergedKey `json:"keys"`
}

type mergedKey struct {
	Hits int64 `json:"hits"` // less the floors of the lists that name it
	Err  int64 `json:"error"`
}

// add merges a list of n entries (entry(i): key, hits, error) of a
// summary of requests requests.
func (m *mergedList) add(requests int64, n int, entry func(i int) (string, int64, int64)) {
	var sum, floor int64
	for i := range n {
		_, hits, _ := entry(i)
		sum += hits
		if i == 0 || hits < floor {
			floor = hits
		}
	}
	if sum >= requests {
		floor = 0 // every key is listed
	}
	m.Floor += floor
	if m.Keys == nil {
		m.Keys = map[string]*mergedKey{}
	}
	for i := range n {
		key, hits, err := entry(i)
		k := m.Keys[key]
		if k == nil {
			k = &mergedKey{}
			m.Keys[key] = k
		}
		k.Hits += hits - floor
		k.Err += err - floor
	}
}

// addTop merges the entries counted from requests into the interval (a
// topk summary, whose floor bounds the keys it no longer counts).
func (m *mergedList) addTop(s *topk.Summary) {
	if s.Total() == 0 {
		return
	}
	entries := s.Entries()
	floor := s.Floor()
	if m.Keys == nil {
		m.Keys = map[string]*mergedKey{}
	}
	m.Floor += floor
	for _, e := range entries {
		k := m.Keys[e.Key]
		if k == nil {
			k = &mergedKey{}
			m.Keys[e.Key] = k
		}
		k.Hits += e.Count - floor
		k.Err += e.Err - floor
	}
}

// top returns the n entries of the most hits (ties: by key), as
// topk.Entry.
func (m *mergedList) top(dst []topk.Entry, n int) []topk.Entry {
	dst = dst[:0]
	for key, k := range m.Keys {
		dst = append(dst, topk.Entry{Key: key, Count: m.Floor + k.Hits, Err: m.Floor + k.Err})
	}
	slices.SortFunc(dst, func(x, y topk.Entry) int {
		if c := cmp.Compare(y.Count, x.Count); c != 0 {
			return c
		}
		return cmp.Compare(x.Key, y.Key)
	})
	return dst[:min(n, len(dst))]
}

// writeMerged sets the top lists of s from an interval with summaries
// folded in: the lists of the summaries merged with those counted from
// requests.
func (a *Aggregator) writeMerged(s *record.Summary, b *bucket) {
	m := b.merged
	if !b.netsLive {
		b.networksFromClients(a.nets)
	}
	m.sections.addTop(b.sections)
	m.methods.addTop(b.methods)
	m.clients.addTop(b.clients)
	m.networks.addTop(b.networks)
	for _, e := range m.sections.top(a.top, a.cfg.Top) {
		s.Sections = append(s.Sections, record.SectionHits{Section: e.Key, Hits: e.Count, Error: e.Err})
	}
	for _, e := range m.methods.top(a.top, a.cfg.Top) {
		s.Methods = append(s.Methods, record.MethodHits{Method: e.Key, Hits: e.Count, Error: e.Err})
	}
	for _, e := range m.clients.top(a.top, a.cfg.Top) {
		s.Clients = append(s.Clients, record.ClientHits{Client: e.Key, Hits: e.Count, Error: e.Err})
	}
	a.top = m.networks.top(a.top, a.cfg.Top)
	for _, e := range a.top {
		n := record.NetworkHits{Network: e.Key, Hits: e.Count, Error: e.Err}
		if a.cfg.AS != nil {
			n.ASN, n.ASOrg, _ = a.cfg.AS(e.Key)
		}
		s.Networks = append(s.Networks, n)
	}
}
