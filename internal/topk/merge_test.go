package topk

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// batches cuts hs into batches of about size hits and sums each batch's
// hits by key, in the order the keys first come: what a tally hands
// Merge.
func batches(hs []hit, size int) [][]hit {
	var out [][]hit
	for len(hs) > 0 {
		n := min(size, len(hs))
		var b []hit
		at := make(map[string]int)
		for _, h := range hs[:n] {
			if i, ok := at[h.key]; ok {
				b[i].n = satAdd(b[i].n, h.n)
				continue
			}
			at[h.key] = len(b)
			b = append(b, h)
		}
		out = append(out, b)
		hs = hs[n:]
	}
	return out
}

// seq yields a batch as Merge takes it.
func seq(b []hit) Batch {
	return func(yield func([]byte, uint64, int64) bool) {
		for _, h := range b {
			if !yield([]byte(h.key), HashString(h.key), h.n) {
				return
			}
		}
	}
}

// TestMergeModel: Merge counts what the model's merge counts, batch after
// batch, with Adds between some (a summary may be fed both ways), over
// streams that fill the summary with ties, keep bringing keys seen once,
// hit counters waiting in the pool, and saturate.
func TestMergeModel(t *testing.T) {
	tests := []struct {
		capacity, universe int
		skew               bool
		maxN               int64
		batch              int
	}{
		{1, 3, false, 1, 2},
		{2, 5, false, 1, 4},
		{3, 10, true, 2, 7},
		{8, 1000, false, 1, 30},
		{8, 12, false, 3, 10},
		{40, 200, true, 3, 100},
		{64, 100000, false, 1, 256},
		{100, 150, true, 1, 500},
	}
	for i, tt := range tests {
		t.Run(fmt.Sprintf("cap%d/keys%d/skew%v/n%d/batch%d", tt.capacity, tt.universe, tt.skew, tt.maxN, tt.batch), func(t *testing.T) {
			hs := randomHits(uint64(500+i), 20000, tt.universe, tt.skew, tt.maxN)
			s, m := New(tt.capacity), &model{cap: tt.capacity}
			for j, b := range batches(hs, tt.batch) {
				if j%5 == 4 {
					// Added rather than merged: Add's takeovers
					// and Merge's drops mix.
					checkModel(t, s, m, b)
					continue
				}
				s.Merge(seq(b))
				m.merge(b)
				if got, want := s.Entries(), m.entries(); !slices.Equal(got, want) || s.Floor() != m.floor || s.Total() != m.total {
					t.Fatalf("after batch %d %v: Floor %d Total %d, model %d %d; entries (-model +summary):\n-%v\n+%v",
						j, b, s.Floor(), s.Total(), m.floor, m.total, want, got)
				}
			}
			if s.Floor() == 0 {
				t.Fatal("the stream should overflow the summary")
			}
		})
	}
	t.Run("saturating", func(t *testing.T) {
		r := rand.New(rand.NewPCG(10, 11))
		var hs []hit
		for range 3000 {
			hs = append(hs, hit{key: "k" + strconv.Itoa(r.IntN(12)), n: 1 + r.Int64N(math.MaxInt64/8)})
		}
		s, m := New(4), &model{cap: 4}
		for _, b := range batches(hs, 6) {
			s.Merge(seq(b))
			m.merge(b)
		}
		sameEntries(t, "Entries", m.entries(), s.Entries())
		if s.Floor() != math.MaxInt64 || m.floor != math.MaxInt64 {
			t.Errorf("Floor %d, model %d: the stream should saturate the counts", s.Floor(), m.floor)
		}
	})
}

// TestMergeBounds: merged batch by batch, the summary keeps every
// guarantee of the package doc against the true counts.
func TestMergeBounds(t *testing.T) {
	tests := []struct {
		capacity, universe int
		skew               bool
		maxN               int64
		batch              int
	}{
		{1, 5, false, 1, 3},
		{2, 10, true, 1, 8},
		{7, 20, false, 3, 16},
		{7, 1000, true, 1, 64},
		{64, 100, true, 5, 256},
		{64, 5000, false, 1, 256},
		{100, 100, false, 2, 1000},
	}
	for i, tt := range tests {
		t.Run(fmt.Sprintf("cap%d/keys%d/skew%v/n%d/batch%d", tt.capacity, tt.universe, tt.skew, tt.maxN, tt.batch), func(t *testing.T) {
			hs := randomHits(uint64(700+i), 20000, tt.universe, tt.skew, tt.maxN)
			s := New(tt.capacity)
			for _, b := range batches(hs, tt.batch) {
				s.Merge(seq(b))
			}
			bounds(t, s, countAll(hs), tt.capacity, true)
			if tt.universe > tt.capacity && s.Floor() == 0 {
				t.Error("the stream should overflow the summary")
			}
		})
	}
}

// TestMergeDrops: a new key takes over the smallest counter only if its
// hits and Floor exceed that counter's count, with Err the Floor the batch
// began with; else it is dropped and Floor rises to what it may have had.
func TestMergeDrops(t *testing.T) {
	s := New(2)
	feed(s, hits("a:5 b:3"))
	// c: 0+1 <= 3, dropped (Floor 1); d: 0+4 > 3, takes b's counter with
	// Err 0 (Floor was 0 as the batch began: d was never seen before),
	// and b, evicted at 3, raises Floor to 3; a counts its hit.
	s.Merge(seq(hits("c d:4 a")))
	sameEntries(t, "Entries", []Entry{{"a", 6, 0}, {"d", 4, 0}}, s.Entries())
	if s.Floor() != 3 || s.Total() != 14 {
		t.Errorf("Floor %d Total %d, want 3 and 14", s.Floor(), s.Total())
	}
	// Add would have let c take b's counter and d take c's: d 8±4.
	a := New(2)
	feed(a, hits("a:5 b:3 c d:4 a"))
	sameEntries(t, "Entries after Add", []Entry{{"d", 8, 4}, {"a", 6, 0}}, a.Entries())

	// Batches of keys seen once, into a full summary of ties. While
	// Floor is 0 the keys counted win the ties: the batch is dropped.
	// Then the first four of the next take the counters over, with 1+1
	// hits, and the rest are dropped: four takeovers, not 100.
	s = New(4)
	feed(s, hits("w x y z"))
	batch := func(p string) []hit {
		var b []string
		for i := range 100 {
			b = append(b, p+strconv.Itoa(i))
		}
		return hits(strings.Join(b, " "))
	}
	s.Merge(seq(batch("m")))
	sameEntries(t, "Entries", []Entry{{"w", 1, 0}, {"x", 1, 0}, {"y", 1, 0}, {"z", 1, 0}}, s.Entries())
	if s.Floor() != 1 {
		t.Errorf("Floor %d, want 1", s.Floor())
	}
	s.Merge(seq(batch("n")))
	sameEntries(t, "Entries", []Entry{{"n0", 2, 1}, {"n1", 2, 1}, {"n2", 2, 1}, {"n3", 2, 1}}, s.Entries())
	if s.Floor() != 2 || s.Total() != 204 {
		t.Errorf("Floor %d Total %d, want 2 and 204", s.Floor(), s.Total())
	}
}

// TestMergeEvictedInBatch: a key counted as the batch began may be evicted
// by a new key before its own turn comes; it then had up to the count it
// was evicted with, not Floor, and its count must say so.
func TestMergeEvictedInBatch(t *testing.T) {
	s := New(2)
	feed(s, hits("a:5 b:3"))
	// c takes b's counter (0+4 > 3); then b, evicted with 3, comes back
	// with 1 hit: 3+1 = 4, not 0+1, and it takes over c's (4, then the
	// ties' order) or is dropped, but never counts under its 4 hits.
	s.Merge(seq(hits("c:4 b")))
	bounds(t, s, countAll(hits("a:5 b:3 c:4 b")), 2, true)
	if s.Floor() < 3 {
		t.Errorf("Floor %d: b was evicted with 3", s.Floor())
	}
}

// BenchmarkMerge: keys seen once, merged in batches of 4,096 (a report's
// tally) into a full summary of 1,024, against Add of each
// (BenchmarkAdd/new): most are dropped after a lookup.
func BenchmarkMerge(b *testing.B) {
	keys, _, avg := benchKeys(1<<18, 1<<16)
	s := New(1024)
	for _, k := range keys[:4096] {
		s.Add(k, 1)
	}
	const batch = 4096
	next := 4096
	b.ReportAllocs()
	b.SetBytes(int64(avg))
	b.ResetTimer()
	for done := 0; done < b.N; done += batch {
		n := min(batch, b.N-done)
		s.Merge(func(yield func([]byte, uint64, int64) bool) {
			for range n {
				if next == len(keys) {
					next = 4096
				}
				if !yield(keys[next], Hash(keys[next]), 1) {
					return
				}
				next++
			}
		})
	}
	b.StopTimer()
	if s.Total() != int64(b.N)+4096 || s.Len() != 1024 {
		b.Fatalf("Total %d Len %d after %d merged", s.Total(), s.Len(), b.N)
	}
}
