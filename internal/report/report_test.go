package report

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/logmon/logmon/internal/latency"
	"github.com/logmon/logmon/internal/record"
)

// month feeds rep a month of 10 s summaries with durations, and an alert
// firing and resolving every hour, and returns the requests fed.
func month(t testing.TB, rep *Report) int64 {
	t.Helper()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	sk := latency.New()
	for i := 1; i <= 50; i++ {
		latency.Add(sk, float64(i)/100)
	}
	enc := latency.Encode(nil, sk)
	var total int64
	for i := range 30 * 24 * 360 {
		at := start.Add(time.Duration(i) * 10 * time.Second)
		n := int64(50 + i%37)
		total += n
		s := record.Summary{Start: at, End: at.Add(10 * time.Second), Requests: n, Rate: float64(n) / 10, Bytes: n * 1000,
			Status: record.StatusClasses{C2xx: n - 3, C4xx: 2, C5xx: 1},
			Timed:  50, P50: 0.25, P90: 0.45, P99: 0.5, Max: 0.5, LatencySketch: enc}
		if err := rep.Summary(&s); err != nil {
			t.Fatal(err)
		}
		if i%360 == 0 {
			id := fmt.Sprintf("high_traffic@%d", at.Unix())
			for _, st := range []string{record.Firing, record.Resolved} {
				a := record.Alert{ID: id, Rule: "high_traffic", State: st, Time: at, Rate: 12, Threshold: 10, Window: 120}
				if st == record.Resolved {
					a.Time = at.Add(5 * time.Minute)
				}
				if err := rep.Alert(&a); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	return total
}

// TestMonthBounded: a month of 10 s summaries gives a page under 3 MB,
// each chart of at most DefaultMaxPoints points, with every request
// still counted.
func TestMonthBounded(t *testing.T) {
	rep, err := New(Config{Threshold: 10, ThresholdRule: "high_traffic"})
	if err != nil {
		t.Fatal(err)
	}
	total := month(t, rep)
	if n := len(rep.own.slots); n > DefaultMaxPoints {
		t.Errorf("%d points, want at most %d", n, DefaultMaxPoints)
	}
	var sum int64
	for _, p := range rep.own.points() {
		sum += p.requests
	}
	if sum != total {
		t.Errorf("the points hold %d requests, want %d", sum, total)
	}
	var page bytes.Buffer
	if err := rep.Write(&page); err != nil {
		t.Fatal(err)
	}
	if page.Len() >= 3<<20 {
		t.Errorf("a month's report is %d bytes, want under 3 MB", page.Len())
	}
	for _, want := range []string{"Each point of the charts sums", "high_traffic 10 req/s", "<polygon", "<polyline"} {
		if !strings.Contains(page.String(), want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	t.Logf("a month of 10 s summaries: %d bytes, %d points of %s", page.Len(), len(rep.own.slots), formatDuration(rep.own.width))
}

// TestSeriesMerge: summaries of the same interval (a fleet's hosts) add
// up, and coarsening keeps the sum and the busiest interval (of those
// that came before it: a host's summary that comes after its slot was
// coarsened adds to the coarse slot).
func TestSeriesMerge(t *testing.T) {
	s := newSeries(4)
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 8 {
		hosts := 1
		if i < 4 {
			hosts = 2 // two hosts, until the first coarsening
		}
		for range hosts {
			at := start.Add(time.Duration(i) * 10 * time.Second)
			n := int64(10)
			if i == 5 {
				n = 100
			}
			s.add(&record.Summary{Start: at, End: at.Add(10 * time.Second), Requests: n})
		}
	}
	ps := s.points()
	if len(ps) != 4 || s.width != 20 {
		t.Fatalf("%d points of %ds, want 4 of 20s", len(ps), s.width)
	}
	var sum int64
	var peak float64
	for _, p := range ps {
		sum += p.requests
		peak = max(peak, p.peakRate())
	}
	if want := int64(4*10 + 3*10 + 100); sum != want+40 || peak != 10 {
		t.Errorf("sum %d peak %v, want %d and 10", sum, peak, want+40)
	}
}

// TestSeriesOrder: summaries that come back to a slot after others (a
// fleet's hosts, out of step) add to it, not to the slot of the summary
// before.
func TestSeriesOrder(t *testing.T) {
	s := newSeries(10)
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, off := range []int{0, 20, 0, 20, 10, 0} {
		at := start.Add(time.Duration(off) * time.Second)
		s.add(&record.Summary{Start: at, End: at.Add(10 * time.Second), Requests: int64(1 + i)})
	}
	var got []int64
	for _, p := range s.points() {
		got = append(got, p.requests)
	}
	if want := []int64{1 + 3 + 6, 5, 2 + 4}; !slices.Equal(got, want) {
		t.Errorf("requests by slot %v, want %v", got, want)
	}
}

// BenchmarkWrite is the cost of writing a month's page.
func BenchmarkWrite(b *testing.B) {
	rep, err := New(Config{})
	if err != nil {
		b.Fatal(err)
	}
	month(b, rep)
	b.ReportAllocs()
	for b.Loop() {
		var page bytes.Buffer
		if err := rep.Write(&page); err != nil {
			b.Fatal(err)
		}
	}
}
