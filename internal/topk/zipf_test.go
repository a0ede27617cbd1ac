package topk

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
)

// TestZipfAccuracy measures how well a 1024-counter summary finds the top
// 10 of Zipf-distributed streams: 1,000,000 draws over 10,000,000 possible
// keys (the shape of paths or clients in a busy interval), against exact
// counts. It logs the recall and the largest relative count error so the
// figures can be quoted, and fails when the recall drops under 0.95 or a
// bound the package doc promises is broken.
func TestZipfAccuracy(t *testing.T) {
	const (
		draws    = 1_000_000
		universe = 10_000_000
		capacity = 1024
		k        = 10
	)
	tests := []struct {
		s    float64
		seed uint64
	}{
		{1.05, 1},
		{1.1, 2},
		{1.2, 3},
		{1.5, 4},
	}
	for _, tt := range tests {
		t.Run(strconv.FormatFloat(tt.s, 'f', -1, 64), func(t *testing.T) {
			z := rand.NewZipf(rand.New(rand.NewPCG(tt.seed, 42)), tt.s, 1, universe-1)
			exact := make(map[uint64]int64)
			s := New(capacity)
			key := []byte("/p/")
			for range draws {
				n := z.Uint64()
				exact[n]++
				s.Add(strconv.AppendUint(key[:3], n, 10), 1)
			}
			truth := func(key string) int64 {
				n, err := strconv.ParseUint(key[3:], 10, 64)
				if err != nil {
					t.Fatalf("key %q: %v", key, err)
				}
				return exact[n]
			}

			counts := make([]int64, 0, len(exact))
			for _, c := range exact {
				counts = append(counts, c)
			}
			slices.Sort(counts)

			// recall and largest relative count error of the reported top n.
			measure := func(n int) (top []Entry, recall, maxRel float64) {
				nth := counts[len(counts)-n] // a key tied with it is in the true top n
				top = s.Top(nil, n)
				found := 0
				for _, e := range top {
					c := truth(e.Key)
					if c >= nth {
						found++
					}
					maxRel = max(maxRel, float64(e.Count-c)/float64(c))
				}
				return top, float64(found) / float64(n), maxRel
			}
			top, recall, maxRel := measure(k)
			_, recall100, maxRel100 := measure(100)
			t.Logf("s=%v: %d distinct keys; top 10: recall %.2f, largest relative count error %.4f; top 100: recall %.2f, error %.4f; floor %d (Total/Capacity %d)",
				tt.s, len(exact), recall, maxRel, recall100, maxRel100, s.Floor(), s.Total()/capacity)
			if len(top) != k || recall < 0.95 {
				t.Errorf("recall %.2f, want at least 0.95; top %v", recall, top)
			}

			// The guarantees, over every entry and every key.
			bound := s.Total() / capacity
			counted := make(map[uint64]bool)
			for _, e := range s.Entries() {
				c := truth(e.Key)
				if c < e.Count-e.Err || c > e.Count || e.Err > bound {
					t.Errorf("%q counted %d±%d, true count %d, Total/Capacity %d", e.Key, e.Count, e.Err, c, bound)
				}
				n, _ := strconv.ParseUint(e.Key[3:], 10, 64)
				counted[n] = true
			}
			for n, c := range exact {
				if c > bound && !counted[n] {
					t.Errorf("key %d seen %d times, over Total/Capacity %d, not counted", n, c, bound)
				}
			}
		})
	}
}
