package aggregate

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/logmon/logmon/internal/record"
)

// TestZipfAccuracy feeds one interval of requests whose clients and
// sections are Zipf-distributed over 10 million possible keys, and
// compares the summary with exact counts: distinct clients within 2%,
// and the top 10 sections and clients found with a recall of at least
// 0.95, each hit count a true upper bound within its stated error.
func TestZipfAccuracy(t *testing.T) {
	cases := []struct {
		s        float64 // Zipf exponent (> 1); 0: every client and section new
		requests int
	}{
		{0, 1500000},
		{1.05, 1000000},
		{1.2, 500000},
		{1.5, 300000},
		{2.0, 200000},
	}
	for _, tc := range cases {
		r := rand.New(rand.NewPCG(uint64(tc.s*100), 7))
		next := uint64(0)
		draw := func() uint64 { next++; return next }
		clients, sections := draw, draw
		if tc.s > 0 {
			clients, sections = rand.NewZipf(r, tc.s, 1, 1e7-1).Uint64, rand.NewZipf(r, tc.s, 1, 1e7-1).Uint64
		}
		var got *record.Summary
		a, err := New(Config{Interval: 3600e9, Top: 10}, func(s *record.Summary) error {
			c := *s
			c.Sections, c.Clients = slices.Clone(s.Sections), slices.Clone(s.Clients)
			got = &c
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		exactClients, exactSections := map[uint64]int64{}, map[uint64]int64{}
		var cb, sb []byte
		for i := range tc.requests {
			c, s := clients(), sections()
			exactClients[c]++
			exactSections[s]++
			cb = strconv.AppendUint(append(cb[:0], "10."...), c, 10) // any distinct spelling
			sb = strconv.AppendUint(append(sb[:0], "/s"...), s, 10)
			req := record.Request{Sec: t0 + int64(i)*3000/int64(tc.requests), Status: 200, Remote: cb, Section: sb, Method: []byte("GET")}
			if err := a.Request(&req); err != nil {
				t.Fatal(err)
			}
		}
		if err := a.End(); err != nil {
			t.Fatal(err)
		}
		if got == nil || got.Requests != int64(tc.requests) {
			t.Fatalf("s=%v: summary %+v", tc.s, got)
		}

		distinctErr := math.Abs(float64(got.DistinctClients)-float64(len(exactClients))) / float64(len(exactClients))
		if distinctErr >= 0.02 {
			t.Errorf("s=%v: distinct clients %d, exactly %d: error %.2f%%", tc.s, got.DistinctClients, len(exactClients), 100*distinctErr)
		}
		var listed []listedHits
		for _, h := range got.Clients {
			listed = append(listed, listedHits{h.Client[3:], h.Hits, h.Error})
		}
		cr := checkTop(t, "clients", exactClients, listed)
		listed = listed[:0]
		for _, h := range got.Sections {
			listed = append(listed, listedHits{h.Section[2:], h.Hits, h.Error})
		}
		sr := checkTop(t, "sections", exactSections, listed)
		t.Logf("s=%v: %d requests, %d distinct clients counted as %d (error %.3f%%); top-10 recall clients %.2f, sections %.2f",
			tc.s, tc.requests, len(exactClients), got.DistinctClients, 100*distinctErr, cr, sr)
	}
}

type listedHits struct {
	key        string
	hits, errs int64
}

// checkTop compares a top-10 list with the exact counts: its recall
// against the true top 10 (a key tied with the 10th counts as right)
// must be at least 0.95, and every listed count must bound the true one
// from above within its stated error.
func checkTop(t *testing.T, what string, exact map[uint64]int64, listed []listedHits) float64 {
	t.Helper()
	type kv struct {
		k uint64
		n int64
	}
	var all []kv
	for k, n := range exact {
		all = append(all, kv{k, n})
	}
	slices.SortFunc(all, func(x, y kv) int { return cmp.Compare(y.n, x.n) })
	tenth := all[min(9, len(all)-1)].n
	if len(listed) != min(10, len(all)) {
		t.Fatalf("%s: %d listed", what, len(listed))
	}
	right := 0
	for _, l := range listed {
		k, err := strconv.ParseUint(l.key, 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		n := exact[k]
		if n >= tenth {
			right++
		}
		if l.hits < n || l.hits-l.errs > n {
			t.Errorf("%s: %s listed with %d hits (error %d), truly %d", what, l.key, l.hits, l.errs, n)
		}
	}
	recall := float64(right) / float64(len(listed))
	if recall < 0.95 {
		t.Errorf("%s: top-10 recall %.2f", what, recall)
	}
	return recall
}

// TestDistinctAtMostRequests: the distinct clients of a summary are never
// more than its requests, though the HyperLogLog estimate of 30,000
// clients, each seen once, is above 30,000.
func TestDistinctAtMostRequests(t *testing.T) {
	const n = 30000
	var got record.Summary
	a, err := New(Config{Interval: 3600e9, Top: 10}, func(s *record.Summary) error {
		got = *s
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var cb []byte
	for i := range n {
		cb = strconv.AppendInt(append(cb[:0], "10."...), int64(i+1), 10)
		req := record.Request{Sec: t0 + int64(i)/100, Status: 200, Remote: cb, Section: []byte("/"), Method: []byte("GET")}
		if err := a.Request(&req); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.End(); err != nil {
		t.Fatal(err)
	}
	if got.Requests != n || got.DistinctClients != n {
		t.Errorf("%d requests, %d distinct clients; want %d of each", got.Requests, got.DistinctClients, n)
	}
}
