// Package aggregate folds request records into periodic summaries
// (record.Summary).
//
// Intervals are [start, start+interval) of event time, aligned to whole
// multiples of the interval since the Unix epoch. An interval is written
// once its last second is judged by the event-time clock (package
// eventtime): lines out of order within the lateness land in their own
// interval; a later line is counted in the earliest open second and in the
// summary's "late" figure. Intervals with no requests between the first
// and the last are written too (with 0 requests), so a live dashboard
// keeps ticking through a silence.
//
// Memory is bounded whatever the traffic: the top lists of an interval
// are Space-Saving summaries (package topk) of TopCapacity keys, and its
// distinct clients a HyperLogLog sketch. Both are exact for small
// intervals; see the README for their error bounds past that. The
// durations of an interval's timed requests are a DDSketch (package
// latency) of at most latency.MaxBins bins, whose percentiles are within
// 1% of the true ones; the summary carries the sketch itself too, for
// a consumer to merge.
package aggregate

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/logmon/logmon/internal/record"
	"github.com/logmon/logmon/internal/seen"

	"github.com/DataDog/sketches-go/ddsketch"
	"github.com/axiomhq/hyperloglog"

	"github.com/logmon/logmon/internal/eventtime"
	"github.com/logmon/logmon/internal/latency"
	"github.com/logmon/logmon/internal/topk"
)

// Config holds the summary settings. With --state, its fields are the
// settings a state file is saved with (checkpoint.SettingsOf): a new field
// changes the state unless tagged `json:"-"`.
type Config struct {
	Interval time.Duration `json:"interval"` // whole seconds, at least 1s
	Top      int           `json:"top"`      // length of the top lists, at least 1 (0 with Lists: none)
	Lateness time.Duration `json:"lateness"`
	// MaxJump: a request more than this from the stream's time is an
	// outlier until the lines after it confirm the jump (eventtime.Far);
	// 0: none is. It changes what is counted, so it is a setting.
	MaxJump time.Duration `json:"max_jump"`
	// The prefix lengths of the client networks listed (networks.go);
	// 0 means the default (24 and 48).
	IPv4Prefix int `json:"ipv4_prefix"`
	IPv6Prefix int `json:"ipv6_prefix"`
	// AS, when set, gives the autonomous system of a listed network
	// (package asn, stats --asn-db). It is called for the top networks
	// of each summary only, and changes nothing of the state.
	AS func(network string) (number uint32, org string, ok bool) `json:"-"`
	// Host, when set, names the machine in every summary (stats --host),
	// and the summaries carry their distinct clients' sketch too, so
	// that a hub can fold the summaries of many hosts (merge.go). It
	// changes nothing of what is counted.
	Host string `json:"-"`
	// Lists, when set, is handed the whole lists of sections, methods,
	// clients and networks of each interval counted from requests (not
	// of one folded from summaries, merge.go) as its summary is written,
	// before emit (logmon report sums them into its tables). They are
	// valid only during the call, and it must not change them.
	Lists func(sections, methods, clients, networks *topk.Summary) `json:"-"`
	// NoDistinct leaves the distinct clients uncounted, and the
	// summaries' DistinctClients 0, for a consumer that does not show
	// them (logmon report): the sketch's inserts and estimates were
	// about 9 % of stats' CPU time replaying real traffic
	// (scripts/reallog, 4 M lines, a profile), and the report took
	// 1.13x the CPU time of stats without them, 1.23x with (10 pairs
	// each). A hub needs the sketches: it cannot go with Host.
	NoDistinct bool `json:"-"`
}

// MaxSilentIntervals bounds how many empty summaries one jump of event
// time writes. A longer silence (a log with a week-long gap, or a
// timestamp from the far future) is written as a single empty summary
// spanning it, so no input can make logmon write without end.
const MaxSilentIntervals = 100000

// Aggregator builds summaries from requests.
type Aggregator struct {
	cfg   Config
	iv    int64
	clock *eventtime.Clock
	nets  *networks
	emit  func(*record.Summary) error

	open     map[int64]*bucket // open intervals by start; a handful at most
	free     []*bucket
	next     int64 // start of the next interval to write
	haveNext bool
	paused   bool // every summary written from now on is provisional (Pause)
	rec      record.Summary
	top      []topk.Entry // scratch for the top lists
	sketch   []byte       // scratch for the summary's latency sketch
	last     *bucket      // the bucket of the last request, and its start
	lastAt   int64

	seen          seen.Set           // the summaries folded, to drop repeats (merge.go)
	scratchSketch *ddsketch.DDSketch // a summary's durations, decoded
}

// bucket accumulates one interval.
type bucket struct {
	requests, bytes, late int64
	status                record.StatusClasses
	sections              *topk.Summary
	methods               *topk.Summary
	clients               *topk.Summary
	networks              *topk.Summary       // of the clients' networks, once netsLive
	netsLive              bool                // networks are counted per request (see networksFromClients)
	distinct              *hyperloglog.Sketch // of the clients
	timed                 int64               // requests with a duration
	slowest               float64             // their largest duration, exact
	durations             *ddsketch.DDSketch  // their durations (package latency)
	merged                *merged             // the top lists of the summaries folded in; nil when none
	unsketched            int64               // distinct clients of summaries without a sketch (merge.go)
}

// MaxTop bounds the top lists' length: each list counts TopCapacity(top)
// keys, so memory grows with it.
const MaxTop = 1000

// TopCapacity is how many keys each top list of an interval counts: the
// lists are exact up to that many distinct keys, and past it a key with
// more than requests/TopCapacity hits is never missed (package topk). It
// grows with --top so that a long list stays as good as a short one.
func TopCapacity(top int) int { return max(1024, 16*top) }

// newDistinct returns an empty sketch of distinct clients: HyperLogLog
// with 2^16 registers (64 KiB at most), a standard error of 0.4%; below
// a few thousand clients it counts exactly (its sparse form).
func newDistinct() *hyperloglog.Sketch { return hyperloglog.New16() }

// New returns an aggregator that calls emit for each summary. The summary
// passed to emit is reused: emit must not keep it.
func New(cfg Config, emit func(*record.Summary) error) (*Aggregator, error) {
	iv, err := eventtime.Seconds("interval", cfg.Interval, time.Second, 0)
	if err != nil {
		return nil, err
	}
	if cfg.Top < 0 || cfg.Top == 0 && cfg.Lists == nil || cfg.Top > MaxTop {
		return nil, fmt.Errorf("top must be between 1 and %d: %d", MaxTop, cfg.Top)
	}
	if err := eventtime.CheckLateness(cfg.Lateness); err != nil {
		return nil, err
	}
	if err := eventtime.CheckMaxJump(cfg.MaxJump, cfg.Lateness); err != nil {
		return nil, err
	}
	if cfg.NoDistinct && cfg.Host != "" {
		return nil, errors.New("the summaries of a host carry their distinct clients: NoDistinct cannot go with Host")
	}
	cfg.IPv4Prefix = cmp.Or(cfg.IPv4Prefix, DefaultIPv4Prefix)
	cfg.IPv6Prefix = cmp.Or(cfg.IPv6Prefix, DefaultIPv6Prefix)
	if cfg.IPv4Prefix < 1 || cfg.IPv4Prefix > 32 {
		return nil, fmt.Errorf("IPv4 network prefix must be between 1 and 32: %d", cfg.IPv4Prefix)
	}
	if cfg.IPv6Prefix < 1 || cfg.IPv6Prefix > 128 {
		return nil, fmt.Errorf("IPv6 network prefix must be between 1 and 128: %d", cfg.IPv6Prefix)
	}
	return &Aggregator{
		cfg:   cfg,
		iv:    iv,
		clock: eventtime.New(cfg.Lateness, cfg.MaxJump),
		nets:  newNetworks(cfg.IPv4Prefix, cfg.IPv6Prefix),
		emit:  emit,
		open:  make(map[int64]*bucket),
	}, nil
}

// Request counts one request.
func (a *Aggregator) Request(r *record.Request) error {
	_, to := a.clock.See(r.Sec)
	if err := a.judge(to); err != nil {
		return err
	}
	at, late := a.clock.Place(r.Sec)
	start := floorDiv(at, a.iv) * a.iv
	if !a.haveNext || start < a.next {
		// at is never judged, so its interval has not been written.
		a.next, a.haveNext = start, true
	}
	b := a.last
	if b == nil || a.lastAt != start {
		if b = a.open[start]; b == nil {
			b = a.newBucket()
			a.open[start] = b
		}
		a.last, a.lastAt = b, start
	}
	b.add(r, a.nets, !a.cfg.NoDistinct)
	if late {
		b.late++
	}
	return nil
}

// Clock is the aggregator's event-time clock, for the driver to tell a
// request far from the stream (driver.Fold).
func (a *Aggregator) Clock() *eventtime.Clock { return a.clock }

// Idle lets time move on with the wall clock when the input is quiet (see
// eventtime.Clock.Idle).
func (a *Aggregator) Idle(now, lastInput time.Time) error {
	_, to := a.clock.Idle(now, lastInput)
	return a.judge(to)
}

// End writes every interval up to the newest second seen, the last one
// marked partial when the input ended inside it.
func (a *Aggregator) End() error {
	_, to := a.clock.Finish()
	if err := a.judge(to); err != nil {
		return err
	}
	if a.haveNext && a.next <= to {
		if err := a.write(a.next, a.next+a.iv, to+1); err != nil {
			return err
		}
		a.next += a.iv
	}
	return nil
}

// Pause ends a run whose state is kept (--state): the end of its input is
// not the end of the stream. It writes what End would, every summary
// marked partial, because the next run may still count lines in them and
// then writes them again, complete. The caller saves the state first.
func (a *Aggregator) Pause() error {
	a.paused = true
	return a.End()
}

// judge writes every interval whose last second is <= to.
func (a *Aggregator) judge(to int64) error {
	for a.haveNext && a.next+a.iv-1 <= to {
		end := a.next + a.iv
		if len(a.open) == 0 {
			// A silence: jump it in one record when it is very long.
			last := floorDiv(to+1, a.iv) * a.iv
			if (last-a.next)/a.iv > MaxSilentIntervals {
				end = last
			}
		}
		if err := a.write(a.next, end, end); err != nil {
			return err
		}
		a.next = end
	}
	return nil
}

// write emits the summary of [start, end) covering seconds up to covered.
func (a *Aggregator) write(start, end, covered int64) error {
	b := a.open[start]
	delete(a.open, start)
	if b != nil && b == a.last {
		a.last = nil
	}
	s := &a.rec
	// An interval reaching past the times a record can carry (a huge
	// --interval, or the last one of year 9999) is written as starting
	// or ending at their bounds: logmon reads timestamps up to those
	// (year 1 at +14:00 is year 0 in UTC).
	*s = record.Summary{
		Start:    time.Unix(max(start, record.MinTime), 0).UTC(),
		End:      time.Unix(min(end, record.EndTime-1), 0).UTC(),
		Partial:  covered < end || a.paused,
		Sections: s.Sections[:0],
		Methods:  s.Methods[:0],
		Clients:  s.Clients[:0],
		Networks: s.Networks[:0],
	}
	s.Host = a.cfg.Host
	if b != nil && b.merged != nil {
		a.writeMerged(s, b)
	}
	if b != nil {
		s.Requests, s.Bytes, s.Late, s.Status = b.requests, b.bytes, b.late, b.status
		s.Rate = float64(b.requests) / float64(covered-start)
		if b.requests > 0 {
			s.ErrorShare = float64(b.status.C5xx) / float64(b.requests)
		}
	}
	if b != nil && b.merged == nil {
		if !b.netsLive {
			b.networksFromClients(a.nets) // the client list is exact
		}
		a.lists(s, b)
		if a.cfg.Lists != nil {
			a.cfg.Lists(b.sections, b.methods, b.clients, b.networks)
		}
	}
	if b != nil {
		// The estimate can be a little above the truth: never more
		// clients than requests.
		if !a.cfg.NoDistinct {
			s.DistinctClients = min(int64(b.distinct.Estimate())+b.unsketched, b.requests)
		}
		if a.cfg.Host != "" && b.requests > 0 {
			d, err := b.distinct.MarshalBinary()
			if err != nil {
				return err // it never fails
			}
			s.DistinctSketch = d
		}
		if b.timed > 0 {
			s.Timed, s.Max = b.timed, latency.Round(b.slowest)
			s.P50 = latency.Round(latency.Quantile(b.durations, 0.50, b.slowest))
			s.P90 = latency.Round(latency.Quantile(b.durations, 0.90, b.slowest))
			s.P99 = latency.Round(latency.Quantile(b.durations, 0.99, b.slowest))
			a.sketch = latency.Encode(a.sketch[:0], b.durations)
			s.LatencySketch = a.sketch
		}
		a.release(b)
	}
	s.Rate = round(s.Rate, 3)
	s.ErrorShare = round(s.ErrorShare, 4)
	return a.emit(s)
}

// lists fills the summary's top lists of sections, methods, clients and
// networks from b's (none with Top 0: a Lists consumer has them whole).
func (a *Aggregator) lists(s *record.Summary, b *bucket) {
	if a.cfg.Top == 0 {
		return
	}
	s.Sections = topList(a, s.Sections, b.sections, func(e topk.Entry) record.SectionHits {
		return record.SectionHits{Section: e.Key, Hits: e.Count, Error: e.Err}
	})
	s.Methods = topList(a, s.Methods, b.methods, func(e topk.Entry) record.MethodHits {
		return record.MethodHits{Method: e.Key, Hits: e.Count, Error: e.Err}
	})
	s.Clients = topList(a, s.Clients, b.clients, func(e topk.Entry) record.ClientHits {
		return record.ClientHits{Client: e.Key, Hits: e.Count, Error: e.Err}
	})
	s.Networks = topList(a, s.Networks, b.networks, func(e topk.Entry) record.NetworkHits {
		n := record.NetworkHits{Network: e.Key, Hits: e.Count, Error: e.Err}
		if a.cfg.AS != nil {
			n.ASN, n.ASOrg, _ = a.cfg.AS(e.Key)
		}
		return n
	})
}

// topList appends to dst the --top entries of l with the most hits, each
// made into a summary entry by entry.
func topList[T any](a *Aggregator, dst []T, l *topk.Summary, entry func(topk.Entry) T) []T {
	a.top = l.Top(a.top[:0], a.cfg.Top)
	for _, e := range a.top {
		dst = append(dst, entry(e))
	}
	return dst
}

func (a *Aggregator) newBucket() *bucket {
	if n := len(a.free); n > 0 {
		b := a.free[n-1]
		a.free = a.free[:n-1]
		return b
	}
	n := TopCapacity(a.cfg.Top)
	return &bucket{
		sections:  topk.New(n),
		methods:   topk.New(n),
		clients:   topk.New(n),
		networks:  topk.New(n),
		distinct:  newDistinct(),
		durations: latency.New(),
	}
}

func (a *Aggregator) release(b *bucket) {
	b.sections.Reset()
	b.methods.Reset()
	b.clients.Reset()
	b.networks.Reset()
	b.netsLive = false
	if !a.cfg.NoDistinct {
		b.distinct = newDistinct() // (the sketch has no Reset); without, it stays empty
	}
	b.durations.Clear() // keeps its bins' memory
	b.requests, b.bytes, b.late, b.status = 0, 0, 0, record.StatusClasses{}
	b.timed, b.slowest = 0, 0
	b.merged, b.unsketched = nil, 0
	a.free = append(a.free, b)
}

// The clients' networks cost nothing per request while the interval's
// client list is exact (up to TopCapacity clients, the usual case): they
// are summed from it when the summary is written. Once the list is full
// and may start to evict, the networks are counted per request in a list
// of their own, starting from the list's exact counts (netsLive).

// networksFromClients counts the networks of the clients counted so far,
// and from now on per request.
func (b *bucket) networksFromClients(nets *networks) {
	b.netsLive = true
	// Each rather than Entries: the networks' counts do not depend on the
	// order the clients come in, and Entries sorted every client and
	// copied its key into a string, 6.8 % of the CPU time of stats over
	// 2.16 M generated lines (about 235 clients an interval).
	b.clients.Each(func(client []byte, _ uint64, n int64) {
		b.countNetwork(client, n, nets)
	})
}

func (b *bucket) countNetwork(client []byte, n int64, nets *networks) {
	if nw := nets.of(client); nw != nil {
		b.networks.Add(nw, n)
	}
}

func (b *bucket) add(r *record.Request, nets *networks, distinct bool) {
	b.requests++
	// A log may claim sizes up to 2^63-1: the sum stops there rather than
	// wrap around to a negative figure.
	if b.bytes > math.MaxInt64-r.Bytes {
		b.bytes = math.MaxInt64
	} else {
		b.bytes += r.Bytes
	}
	switch {
	case r.Status == 0:
		b.status.None++ // none logged ("-"): traffic, never an error
	case r.Status < 100:
		b.status.Other++ // a request record from elsewhere
	case r.Status < 200:
		b.status.C1xx++
	case r.Status < 300:
		b.status.C2xx++
	case r.Status < 400:
		b.status.C3xx++
	case r.Status < 500:
		b.status.C4xx++
	case r.Status < 600:
		b.status.C5xx++
	default:
		b.status.Other++
	}
	if r.Timed {
		// 11 ns (latency.Mapping), about 3% of what stats spends on a
		// request; the sketch allocates only while its range grows.
		d := latency.Clamp(r.Duration)
		b.timed++
		b.slowest = max(b.slowest, d)
		_ = b.durations.Add(d) // cannot fail once clamped
	}
	if r.Section != nil {
		b.sections.Add(r.Section, 1)
	}
	if r.Method != nil {
		b.methods.Add(r.Method, 1)
	}
	if r.Remote != nil {
		b.clients.Add(r.Remote, 1)
		if distinct {
			b.distinct.Insert(r.Remote)
		}
		switch {
		case b.netsLive:
			b.countNetwork(r.Remote, 1, nets)
		case b.clients.Len() == b.clients.Cap():
			// The client list is full and still exact: from here on it
			// may evict, so the networks are counted on their own,
			// starting from its exact counts.
			b.networksFromClients(nets)
		}
	}
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func round(x float64, digits int) float64 {
	p := math.Pow10(digits)
	return math.Round(x*p) / p
}

// State is the aggregator's part of a checkpoint (logmon stats --state):
// the clock, the next interval to write and the intervals still open.
type State struct {
	Clock    eventtime.State `json:"clock"`
	Next     int64           `json:"next"`
	HaveNext bool            `json:"have_next"`
	Open     []OpenInterval  `json:"open"`
	// The summaries folded lately (merge.go), by host in runs; Seen is
	// how states before the runs kept them, still read.
	SeenRuns []seen.Run `json:"seen_runs,omitempty"`
	Seen     []seen.Key `json:"seen,omitempty"`
}

// OpenInterval is an interval counted but not yet written.
type OpenInterval struct {
	Start    int64                `json:"start"`
	Requests int64                `json:"requests"`
	Bytes    int64                `json:"bytes"`
	Late     int64                `json:"late"`
	Status   record.StatusClasses `json:"status"`
	Sections TopState             `json:"sections"`
	Methods  TopState             `json:"methods"`
	Clients  TopState             `json:"clients"`
	Networks TopState             `json:"networks"` // counted per request once NetsLive; else summed from Clients when written
	NetsLive bool                 `json:"networks_live,omitempty"`
	Distinct []byte               `json:"distinct"` // the HyperLogLog sketch, in its own binary form
	// The timed requests: how many, the largest duration, and their
	// DDSketch in sketches-go's binary form (latency.Encode).
	Timed   int64   `json:"timed,omitempty"`
	Slowest float64 `json:"slowest,omitempty"`
	Latency []byte  `json:"latency,omitempty"`
	// The top lists of the summaries folded in, and their distinct
	// clients without a sketch (merge.go).
	Merged     *merged `json:"merged,omitempty"`
	Unsketched int64   `json:"unsketched,omitempty"`
}

// TopState is a top list's summary (topk.Summary.Entries and Total).
type TopState struct {
	Entries []topk.Entry `json:"entries"`
	Total   int64        `json:"total"`
}

func topState(s *topk.Summary) TopState {
	return TopState{Entries: s.Entries(), Total: s.Total()}
}

// State returns the aggregator's state, for Restore.
func (a *Aggregator) State() any {
	st := State{Clock: a.clock.State(), Next: a.next, HaveNext: a.haveNext, Open: []OpenInterval{}}
	for start, b := range a.open {
		distinct, err := b.distinct.MarshalBinary()
		if err != nil {
			panic(err) // it never fails
		}
		o := OpenInterval{
			Start: start, Requests: b.requests, Bytes: b.bytes, Late: b.late, Status: b.status,
			Sections: topState(b.sections), Methods: topState(b.methods), Clients: topState(b.clients),
			Networks: topState(b.networks), NetsLive: b.netsLive,
			Distinct: distinct, Merged: b.merged, Unsketched: b.unsketched,
		}
		if b.timed > 0 {
			o.Timed, o.Slowest, o.Latency = b.timed, b.slowest, latency.Encode(nil, b.durations)
		}
		st.Open = append(st.Open, o)
	}
	slices.SortFunc(st.Open, func(x, y OpenInterval) int { return cmp.Compare(x.Start, y.Start) })
	st.SeenRuns = a.seen.Runs()
	return &st
}

// Restore makes a new aggregator go on from a state that State returned
// (as JSON). It refuses a state these settings cannot have made.
func (a *Aggregator) Restore(data []byte) error {
	var st State
	if err := json.Unmarshal(data, &st); err != nil {
		return err
	}
	if err := a.clock.Restore(st.Clock); err != nil {
		return err
	}
	if st.HaveNext && floorDiv(st.Next, a.iv)*a.iv != st.Next {
		return fmt.Errorf("next interval %d is not aligned to the interval %ds", st.Next, a.iv)
	}
	clear(a.open)
	a.last = nil
	for _, o := range st.Open {
		if !st.HaveNext || o.Start < st.Next || floorDiv(o.Start, a.iv)*a.iv != o.Start || o.Start > st.Clock.Newest || a.open[o.Start] != nil {
			return fmt.Errorf("open interval at %d: not one these settings can have open", o.Start)
		}
		if o.Requests < 0 || o.Bytes < 0 || o.Late < 0 {
			return fmt.Errorf("open interval at %d: negative counts", o.Start)
		}
		b := a.newBucket()
		b.requests, b.bytes, b.late, b.status, b.netsLive = o.Requests, o.Bytes, o.Late, o.Status, o.NetsLive
		for _, l := range []struct {
			name string
			s    *topk.Summary
			st   TopState
		}{{"sections", b.sections, o.Sections}, {"methods", b.methods, o.Methods}, {"clients", b.clients, o.Clients}, {"networks", b.networks, o.Networks}} {
			if err := l.s.Restore(l.st.Entries, l.st.Total); err != nil {
				return fmt.Errorf("open interval at %d: %s: %v", o.Start, l.name, err)
			}
		}
		if err := restoreDistinct(b.distinct, o.Distinct); err != nil {
			return fmt.Errorf("open interval at %d: distinct clients: %v", o.Start, err)
		}
		if err := restoreLatency(b, o); err != nil {
			return fmt.Errorf("open interval at %d: latency: %v", o.Start, err)
		}
		if o.Unsketched < 0 {
			return fmt.Errorf("open interval at %d: negative counts", o.Start)
		}
		b.merged, b.unsketched = o.Merged, o.Unsketched
		a.open[o.Start] = b
	}
	a.seen = seen.Set{}
	for _, k := range st.Seen {
		a.seen.Add(k)
	}
	if err := a.seen.AddRuns(st.SeenRuns); err != nil {
		return err
	}
	a.next, a.haveNext = st.Next, st.HaveNext
	return nil
}

// restoreDistinct reads a sketch that State saved; none (an interval
// without clients) leaves d empty. The library's decoder is not written
// for hostile input: a state damaged in a way the checksum cannot see
// must give an error, not a crash.
func restoreDistinct(d *hyperloglog.Sketch, data []byte) (err error) {
	if len(data) == 0 {
		return nil
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("damaged sketch: %v", p)
		}
	}()
	return d.UnmarshalBinary(data)
}

// restoreLatency reads the timed requests of an open interval that
// State saved into b, whose sketch is empty.
func restoreLatency(b *bucket, o OpenInterval) error {
	if o.Timed < 0 || o.Timed > o.Requests || !(o.Slowest >= 0) || math.IsInf(o.Slowest, 0) {
		return fmt.Errorf("%d timed requests of %d, the slowest %v: not counts", o.Timed, o.Requests, o.Slowest)
	}
	if len(o.Latency) > 0 {
		if err := latency.Decode(b.durations, o.Latency); err != nil {
			return err
		}
	}
	if n := b.durations.GetCount(); n != float64(o.Timed) {
		return fmt.Errorf("a sketch of %v durations for %d timed requests", n, o.Timed)
	}
	b.timed, b.slowest = o.Timed, o.Slowest
	return nil
}
