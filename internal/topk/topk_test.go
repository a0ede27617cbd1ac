package topk

import (
	"bytes"
	"cmp"
	"fmt"
	"hash/maphash"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// hit is one Add call.
type hit struct {
	key string
	n   int64
}

// hits turns "a b a c:3" into Add calls of 1 hit each, key:n for n hits.
func hits(spec string) []hit {
	var hs []hit
	for _, f := range strings.Fields(spec) {
		k, n, ok := strings.Cut(f, ":")
		h := hit{key: k, n: 1}
		if ok {
			h.n, _ = strconv.ParseInt(n, 10, 64)
		}
		hs = append(hs, h)
	}
	return hs
}

func feed(s *Summary, hs []hit) {
	for _, h := range hs {
		s.Add([]byte(h.key), h.n)
	}
}

// exactTop is what logmon did before Summary: count in a map, sort by
// count descending then key ascending.
func exactTop(counts map[string]int64, n int) []Entry {
	var all []Entry
	for k, c := range counts {
		all = append(all, Entry{Key: k, Count: c})
	}
	slices.SortFunc(all, func(a, b Entry) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return strings.Compare(a.Key, b.Key)
	})
	return all[:min(n, len(all))]
}

func countAll(hs []hit) map[string]int64 {
	m := make(map[string]int64)
	for _, h := range hs {
		m[h.key] += h.n
	}
	return m
}

// randomHits draws count hits over universe keys, skewed towards small
// key numbers when skew is set, with 1 to maxN hits each.
func randomHits(seed uint64, count, universe int, skew bool, maxN int64) []hit {
	r := rand.New(rand.NewPCG(seed, 1))
	hs := make([]hit, count)
	for i := range hs {
		k := r.IntN(universe)
		if skew {
			k = r.IntN(k + 1) // more mass on small k
		}
		hs[i] = hit{key: "k" + strconv.Itoa(k), n: 1 + r.Int64N(maxN)}
	}
	return hs
}

func sameEntries(t *testing.T, what string, want, got []Entry) {
	t.Helper()
	if !slices.Equal(want, got) {
		t.Errorf("%s (-want +got):\n-%v\n+%v", what, want, got)
	}
}

// TestExactUnderCapacity: with no more distinct keys than the capacity the
// top lists are those of an exact map, ties by key ascending, Err 0.
func TestExactUnderCapacity(t *testing.T) {
	tests := []struct {
		name     string
		capacity int
		hits     []hit
	}{
		{"empty", 3, nil},
		{"one key", 1, hits("a a a:5")},
		{"ties by key", 4, hits("d c b a d c b a")},
		{"ties after counts", 6, hits("x y z x y z b b b a a a q")},
		{"weights", 3, hits("a:10 b:3 c:7 b:7 a:1 c:4")},
		{"full to the last counter", 26, hits("q w e r t y u i o p a s d f g h j k l z x c v b n m m n b v")},
		{"empty key counts", 2, []hit{{"a", 1}, {"", 2}}},
		{"random, capacity = distinct", 50, randomHits(1, 5000, 50, true, 3)},
		{"random, room to spare", 1000, randomHits(2, 5000, 300, false, 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(tt.capacity)
			feed(s, tt.hits)
			exact := countAll(tt.hits)
			var total int64
			for _, c := range exact {
				total += c
			}
			if s.Len() != len(exact) || s.Total() != total || s.Floor() != 0 {
				t.Errorf("Len %d Total %d Floor %d, want %d %d 0",
					s.Len(), s.Total(), s.Floor(), len(exact), total)
			}
			for _, n := range []int{1, 2, 5, len(exact), len(exact) + 3} {
				sameEntries(t, fmt.Sprintf("Top(%d)", n), exactTop(exact, n), s.Top(nil, n))
			}
			sameEntries(t, "Entries", exactTop(exact, len(exact)), s.Entries())
		})
	}
}

// TestEviction pins down which counter a new key takes over: the one with
// the smallest count.
func TestEviction(t *testing.T) {
	tests := []struct {
		name     string
		capacity int
		hits     []hit
		want     []Entry
	}{
		{"smallest count", 2, hits("a a a b c"),
			[]Entry{{"a", 3, 0}, {"c", 2, 1}}},
		{"newcomer is evicted next", 2, hits("a a a b c d"),
			[]Entry{{"a", 3, 0}, {"d", 3, 2}}},
		{"weight of the newcomer", 2, hits("a:5 b:2 c:4"),
			[]Entry{{"c", 6, 2}, {"a", 5, 0}}},
		{"capacity 1", 1, hits("a a b a"),
			[]Entry{{"a", 4, 3}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(tt.capacity)
			feed(s, tt.hits)
			sameEntries(t, "Entries", tt.want, s.Entries())
			if s.Floor() == 0 {
				t.Error("Exact after an eviction")
			}
		})
	}
}

// TestEvictionTies: among equal smallest counts the key with the largest
// tie hash goes (the last key on equal hashes), whatever order the keys
// came in.
func TestEvictionTies(t *testing.T) {
	tests := [][]string{
		{"a", "b"},
		{"a", "b", "c"},
		{"10.0.0.1", "10.0.0.2", "10.0.0.3", "192.168.1.1", "::1"},
		{"/api", "/images", "/", "", "/static", "/login", "/search"},
	}
	for _, keys := range tests {
		t.Run(strings.Join(keys, ","), func(t *testing.T) {
			loser := keys[0]
			for _, k := range keys[1:] {
				if tk, tl := tieHash([]byte(k)), tieHash([]byte(loser)); tk > tl || tk == tl && k > loser {
					loser = k
				}
			}
			var want []Entry
			r := rand.New(rand.NewPCG(uint64(len(keys)), 9))
			for range 10 {
				order := slices.Clone(keys)
				r.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
				s := New(len(keys))
				for _, k := range order {
					s.Add([]byte(k), 2)
				}
				s.Add([]byte("new"), 1)
				got := s.Entries()
				if want == nil {
					want = got
				}
				sameEntries(t, fmt.Sprintf("Entries after %q", order), want, got)
				if slices.ContainsFunc(got, func(e Entry) bool { return e.Key == loser }) {
					t.Errorf("%q should have been evicted: %v", loser, got)
				}
			}
		})
	}
}

// TestTieHashCollision: keys of equal count and equal tie hash are still
// ordered, by key.
func TestTieHashCollision(t *testing.T) {
	s := New(2)
	s.Add([]byte("a"), 1)
	s.Add([]byte("b"), 1)
	for i := range s.heap {
		s.heap[i].tie = 7 // as if both keys hashed alike
	}
	s.down(0) // restore the heap order under the new ties
	s.Add([]byte("c"), 1)
	sameEntries(t, "Entries", []Entry{{"c", 2, 1}, {"a", 1, 0}}, s.Entries())
}

// checkBounds asserts the guarantees the package doc promises, against the
// true counts. minCap is the smallest capacity the summary ran with.
func checkBounds(t *testing.T, s *Summary, truth map[string]int64, minCap int) {
	t.Helper()
	bounds(t, s, truth, minCap, false)
}

// bounds checks the guarantees of the package doc, for a summary fed by
// Add, or by Merge too (merged).
func bounds(t *testing.T, s *Summary, truth map[string]int64, minCap int, merged bool) {
	t.Helper()
	var total, sum int64
	for _, c := range truth {
		total += c
	}
	if s.Total() != total {
		t.Errorf("Total %d, want %d", s.Total(), total)
	}
	if s.Len() > s.Cap() {
		t.Errorf("Len %d over capacity %d", s.Len(), s.Cap())
	}
	if s.Floor() > total/int64(minCap) {
		t.Errorf("Floor %d over Total/Capacity = %d/%d", s.Floor(), total, minCap)
	}
	counted := make(map[string]bool)
	for _, e := range s.Entries() {
		counted[e.Key] = true
		sum += e.Count
		if c := truth[e.Key]; c < e.Count-e.Err || c > e.Count {
			t.Errorf("%q counted %d±%d, true count %d", e.Key, e.Count, e.Err, c)
		}
		if e.Err > s.Floor() {
			t.Errorf("%q: Err %d over Floor %d", e.Key, e.Err, s.Floor())
		}
	}
	// Every hit goes to some counter, but Merge's dropped keys'.
	if minCap == s.Cap() && (sum > total || sum != total && !merged) {
		t.Errorf("counts sum to %d, want Total %d", sum, total)
	}
	for k, c := range truth {
		if !counted[k] && c > s.Floor() {
			t.Errorf("%q seen %d times, more than Floor %d, but not counted", k, c, s.Floor())
		}
	}
	if exact := len(truth) <= s.Cap() && minCap == s.Cap(); s.Floor() == 0 != exact {
		t.Errorf("Exact %v with %d distinct keys in %d counters", s.Floor() == 0, len(truth), s.Cap())
	}
}

// TestBounds checks the error bounds after random streams, at several
// points along each stream.
func TestBounds(t *testing.T) {
	tests := []struct {
		capacity, universe int
		skew               bool
		maxN               int64
	}{
		{1, 5, false, 1},
		{2, 10, true, 1},
		{7, 20, false, 3},
		{7, 1000, true, 1},
		{64, 100, true, 5},
		{64, 5000, false, 1},
		{100, 100, false, 2},
	}
	for i, tt := range tests {
		t.Run(fmt.Sprintf("cap%d/keys%d/skew%v/n%d", tt.capacity, tt.universe, tt.skew, tt.maxN), func(t *testing.T) {
			hs := randomHits(uint64(100+i), 20000, tt.universe, tt.skew, tt.maxN)
			s := New(tt.capacity)
			for _, end := range []int{1, 10, 100, 1000, len(hs)} {
				feed(s, hs[:end])
				checkBounds(t, s, countAll(hs[:end]), tt.capacity)
				s.Reset()
			}
		})
	}
}

// TestDeterministic: the result depends on the input only, not on the
// hash seed, random for each process: two summaries fed alike, each with
// a seed of its own, agree.
func TestDeterministic(t *testing.T) {
	hs := randomHits(7, 50000, 3000, true, 2)
	a, b := New(100), New(100)
	feed(a, hs)
	defer func(s maphash.Seed) { seed = s }(seed)
	seed = maphash.MakeSeed() // b's, as another process's
	feed(b, hs)
	sameEntries(t, "Entries of two summaries fed alike", a.Entries(), b.Entries())
	if a.Floor() == 0 {
		t.Fatal("the stream should overflow the summary")
	}
}

// TestRestore: a summary rebuilt from Entries and Total (into a fresh or a
// reset summary, entries in any order) goes on exactly as the original.
func TestRestore(t *testing.T) {
	for _, tt := range []struct {
		name     string
		capacity int
		universe int
	}{
		{"exact", 50, 30},
		{"evicting", 50, 2000},
		{"one counter", 1, 10},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := randomHits(11, 5000, tt.universe, true, 2)
			after := randomHits(12, 5000, tt.universe, true, 2)
			orig := New(tt.capacity)
			feed(orig, before)

			entries := orig.Entries()
			shuffled := slices.Clone(entries)
			rand.New(rand.NewPCG(3, 4)).Shuffle(len(shuffled), func(i, j int) {
				shuffled[i], shuffled[j] = shuffled[j], shuffled[i]
			})
			used := New(tt.capacity)
			feed(used, randomHits(13, 1000, 5000, false, 1))
			for _, c := range []struct {
				name string
				s    *Summary
				in   []Entry
			}{{"fresh", New(tt.capacity), entries}, {"reused, shuffled", used, shuffled}} {
				if err := c.s.Restore(c.in, orig.Total()); err != nil {
					t.Fatalf("%s: Restore: %v", c.name, err)
				}
				sameEntries(t, c.name+": entries restored", entries, c.s.Entries())
				if c.s.Floor() != orig.Floor() || c.s.Total() != orig.Total() {
					t.Errorf("%s: Floor %d Total %d, want %d %d", c.name,
						c.s.Floor(), c.s.Total(), orig.Floor(), orig.Total())
				}
			}
			ref := New(tt.capacity)
			if err := ref.Restore(entries, orig.Total()); err != nil {
				t.Fatal(err)
			}
			for i, h := range after {
				orig.Add([]byte(h.key), h.n)
				ref.Add([]byte(h.key), h.n)
				if i%500 == 0 || i == len(after)-1 {
					sameEntries(t, fmt.Sprintf("after %d more hits", i+1), orig.Entries(), ref.Entries())
				}
			}
			checkBounds(t, ref, countAll(append(before, after...)), tt.capacity)
		})
	}
}

// TestRestoreLarger: restored into a larger capacity, the counts still
// bound the true hits, new keys counted from Floor.
func TestRestoreLarger(t *testing.T) {
	before := randomHits(21, 20000, 500, true, 1)
	after := randomHits(22, 20000, 500, true, 1)
	small := New(20)
	feed(small, before)
	big := New(60)
	if err := big.Restore(small.Entries(), small.Total()); err != nil {
		t.Fatal(err)
	}
	if big.Floor() != small.Floor() || big.Len() != 20 {
		t.Errorf("restored Floor %d Len %d, want %d 20", big.Floor(), big.Len(), small.Floor())
	}
	// Check early too: the free counters fill first, then churn.
	fed := 0
	for _, end := range []int{1, 10, 40, 100, len(after)} {
		feed(big, after[fed:end])
		fed = end
		checkBounds(t, big, countAll(append(slices.Clone(before), after[:end]...)), 20)
	}
	// Still loadable: what it saves passes Restore's checks.
	if err := New(60).Restore(big.Entries(), big.Total()); err != nil {
		t.Errorf("Restore of a grown summary's state: %v", err)
	}
}

// TestRestoreRefuses lists states no summary can reach.
func TestRestoreRefuses(t *testing.T) {
	long := strings.Repeat("x", MaxKey+1)
	tests := []struct {
		name    string
		entries []Entry
		total   int64
		want    string
	}{
		{"too many", []Entry{{"a", 1, 0}, {"b", 1, 0}, {"c", 1, 0}, {"d", 1, 0}}, 4, "4 entries, more than the capacity 3"},
		{"duplicate", []Entry{{"a", 2, 0}, {"a", 1, 0}}, 3, `entry 1: duplicate key "a"`},
		{"long key", []Entry{{long, 1, 0}}, 1, "entry 0: key of 257 bytes, longer than 256"},
		{"zero count", []Entry{{"a", 0, 0}}, 0, `entry 0 ("a"): count 0, want at least 1`},
		{"negative count", []Entry{{"a", -3, 0}}, 0, "count -3"},
		{"negative err", []Entry{{"a", 3, -1}}, 3, `entry 0 ("a"): error -1, want 0 to count-1 (2)`},
		{"err = count", []Entry{{"a", 3, 3}}, 3, "error 3, want 0 to count-1 (2)"},
		{"total over exact counts", []Entry{{"a", 3, 0}, {"b", 2, 0}}, 6, "total 6, where the entries' exact counts sum to 5"},
		{"total under exact counts", []Entry{{"a", 3, 0}, {"b", 2, 0}}, 4, "total 4, under the 5 hits the entries certainly had"},
		{"total under the certain hits", []Entry{{"a", 3, 0}, {"b", 2, 1}}, 3, "total 3, under the 4 hits the entries certainly had"},
		{"total without entries", nil, 1, "total 1, where the entries' exact counts sum to 0"},
		{"negative total", nil, -1, "total -1, under the 0 hits"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(3)
			s.Add([]byte("old"), 1)
			err := s.Restore(tt.entries, tt.total)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Restore = %v, want an error with %q", err, tt.want)
			}
			if s.Len() != 0 || s.Total() != 0 || s.Floor() != 0 {
				t.Errorf("after a refused Restore: %v, want empty", s.Entries())
			}
		})
	}
	// And what it accepts at the edges.
	for _, ok := range []struct {
		entries []Entry
		total   int64
	}{
		{nil, 0},
		{[]Entry{{"", 1, 0}, {strings.Repeat("y", MaxKey), 9, 8}}, 10},
		{[]Entry{{"a", 3, 0}, {"b", 2, 1}}, 4},
		{[]Entry{{"a", 3, 0}, {"b", 2, 1}}, 6}, // a merged summary's: keys dropped
		{[]Entry{{"a", math.MaxInt64, 0}, {"b", math.MaxInt64, 5}}, math.MaxInt64},
	} {
		if err := New(3).Restore(ok.entries, ok.total); err != nil {
			t.Errorf("Restore(%v, %d): %v", ok.entries, ok.total, err)
		}
	}
}

// TestMaxKey: longer keys count by their first MaxKey bytes.
func TestMaxKey(t *testing.T) {
	at := strings.Repeat("k", MaxKey)
	tests := []struct {
		name string
		keys []string
		want []Entry
	}{
		{"shared prefix is one key", []string{at + "1", at + "2", at + strings.Repeat("z", 1000)},
			[]Entry{{at, 3, 0}}},
		{"exactly MaxKey", []string{at, at + "x"}, []Entry{{at, 2, 0}}},
		{"one byte shorter differs", []string{at[1:], at + "x"}, []Entry{{at[1:], 1, 0}, {at, 1, 0}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(10)
			for _, k := range tt.keys {
				s.Add([]byte(k), 1)
			}
			sameEntries(t, "Entries", tt.want, s.Entries())
		})
	}
}

// TestAddCopiesKey: the caller may overwrite the key buffer after Add.
func TestAddCopiesKey(t *testing.T) {
	s := New(4)
	buf := []byte("alpha")
	s.Add(buf, 1)
	copy(buf, "omega")
	s.Add(buf, 2)
	sameEntries(t, "Entries", []Entry{{"omega", 2, 0}, {"alpha", 1, 0}}, s.Entries())
}

// TestTop covers n beyond Len, n <= 0, appending to dst, and both ways Top
// selects (scan for short lists, sort for long ones).
func TestTop(t *testing.T) {
	s := New(300)
	feed(s, randomHits(31, 30000, 2000, true, 1))
	all := s.Entries()
	if len(all) != 300 {
		t.Fatalf("Entries: %d, want 300", len(all))
	}
	for _, n := range []int{1, 5, 10, 64, 65, 74, 75, 76, 299, 300} {
		sameEntries(t, fmt.Sprintf("Top(%d)", n), all[:n], s.Top(nil, n))
	}
	sameEntries(t, "Top(1000)", all, s.Top(nil, 1000))
	for _, n := range []int{0, -1} {
		if got := s.Top(nil, n); len(got) != 0 {
			t.Errorf("Top(%d) = %v, want none", n, got)
		}
	}
	head := []Entry{{"kept", 1, 0}}
	sameEntries(t, "Top appended", append(slices.Clone(head), all[:3]...), s.Top(head, 3))
	if got := New(5).Top(nil, 5); len(got) != 0 {
		t.Errorf("Top of an empty summary = %v", got)
	}
}

// TestTopTies: keys that tie on their count are in byte order, whether
// or not they differ in their first 8 bytes, are prefixes of each other,
// or hold zero bytes (which the 8-byte heads Top orders by pad with).
func TestTopTies(t *testing.T) {
	keys := []string{"", "\x00", "a", "a\x00", "ab", "abcdefgh", "abcdefgh\x00", "abcdefgh1", "abcdefgh0", "abcdefg", "abcdefg\xff",
		"b", "\xff\xff\xff\xff\xff\xff\xff\xff", "\xff\xff\xff\xff\xff\xff\xff\xff\x00", "/images/a.png", "/images/b.png", "/images/"}
	for _, counts := range [][]int64{{1}, {1, 2}, {3, 1, 2}} {
		s := New(64)
		want := map[string]int64{}
		for i, k := range keys {
			n := counts[i%len(counts)]
			s.Add([]byte(k), n)
			want[k] = n
		}
		var ref []Entry
		for k, n := range want {
			ref = append(ref, Entry{Key: k, Count: n})
		}
		slices.SortFunc(ref, func(a, b Entry) int {
			return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Key, b.Key))
		})
		for _, n := range []int{1, 3, 5, len(keys) - 1, len(keys), 64, 65} {
			sameEntries(t, fmt.Sprintf("counts %v: Top(%d)", counts, n), ref[:min(n, len(ref))], s.Top(nil, n))
		}
	}
}

// TestEach: Each visits every counted key once, with its Hash and the
// count Entries gives it, both while the summary is exact and once it
// evicts.
func TestEach(t *testing.T) {
	for _, distinct := range []int{200, 2000} {
		s := New(300)
		feed(s, randomHits(33, 30000, distinct, true, 1))
		want := map[string]int64{}
		for _, e := range s.Entries() {
			want[e.Key] = e.Count
		}
		got := map[string]int64{}
		s.Each(func(key []byte, hash uint64, count int64) {
			if _, dup := got[string(key)]; dup {
				t.Errorf("%d distinct: Each gave %q twice", distinct, key)
			}
			if hash != Hash(key) {
				t.Errorf("%d distinct: Each gave %q the hash %x, want Hash's %x", distinct, key, hash, Hash(key))
			}
			got[string(key)] = count
		})
		if len(got) != len(want) || len(got) != s.Len() {
			t.Errorf("%d distinct: Each gave %d keys, Entries %d, Len %d", distinct, len(got), len(want), s.Len())
		}
		for k, n := range want {
			if got[k] != n {
				t.Errorf("%d distinct: Each gave %q count %d, Entries %d", distinct, k, got[k], n)
			}
		}
	}
}

// TestReset: a reset summary behaves like a new one.
func TestReset(t *testing.T) {
	hs := randomHits(41, 3000, 400, true, 2)
	s := New(50)
	feed(s, randomHits(42, 3000, 4000, false, 3))
	s.Reset()
	if s.Len() != 0 || s.Total() != 0 || s.Floor() != 0 || len(s.Top(nil, 5)) != 0 {
		t.Fatalf("after Reset: Len %d Total %d Exact %v", s.Len(), s.Total(), s.Floor() == 0)
	}
	fresh := New(50)
	feed(fresh, hs)
	feed(s, hs)
	sameEntries(t, "Entries after Reset", fresh.Entries(), s.Entries())
}

// TestSaturation: counts and the total stop at math.MaxInt64.
func TestSaturation(t *testing.T) {
	s := New(2)
	s.Add([]byte("a"), math.MaxInt64-1)
	s.Add([]byte("a"), 5)
	s.Add([]byte("b"), 5)
	s.Add([]byte("c"), 1)
	want := []Entry{{"a", math.MaxInt64, 0}, {"c", 6, 5}}
	sameEntries(t, "Entries", want, s.Entries())
	if s.Total() != math.MaxInt64 {
		t.Errorf("Total %d, want MaxInt64", s.Total())
	}
	if err := New(2).Restore(s.Entries(), s.Total()); err != nil {
		t.Errorf("Restore of a saturated summary: %v", err)
	}
}

// TestPanics: misuse that would break the bounds panics at once.
func TestPanics(t *testing.T) {
	tests := []struct {
		name string
		f    func()
	}{
		{"New(0)", func() { New(0) }},
		{"New(-1)", func() { New(-1) }},
		{"Add n=0", func() { New(1).Add([]byte("a"), 0) }},
		{"Add n<0", func() { New(1).Add([]byte("a"), -2) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			tt.f()
		})
	}
}

// TestMemoryBound: a million distinct keys, many longer than MaxKey, leave
// 100 counters whose key buffers are at most MaxKey bytes each and an index
// the size New made it.
func TestMemoryBound(t *testing.T) {
	s := New(100)
	slots := len(s.slots)
	key := bytes.Repeat([]byte("/"), 1100)
	for i := range 1_000_000 {
		k := strconv.AppendInt(key[:0], int64(i), 10)
		k = k[:len(k)+i%997] // 1 to 1003 bytes, the rest of key's '/'s
		s.Add(k, 1)
	}
	if s.Len() != 100 || s.Total() != 1_000_000 {
		t.Errorf("Len %d Total %d, want 100 and 1000000", s.Len(), s.Total())
	}
	if len(s.counters) != 100 || cap(s.heap) != 100 || len(s.slots) != slots || cap(s.pool) != 100 || cap(s.spare) > 100 {
		t.Errorf("grew: %d counters, heap cap %d, %d slots, pool cap %d, its scratch %d (want 100, 100, %d, 100, at most 100)",
			len(s.counters), cap(s.heap), len(s.slots), cap(s.pool), cap(s.spare), slots)
	}
	for i, c := range s.counters {
		if cap(c.key) > MaxKey {
			t.Errorf("counter %d holds a %d-byte key buffer", i, cap(c.key))
		}
	}
}

// TestAllocs: Add allocates nothing for a counted key, nor in steady state
// when new keys take over counters.
func TestAllocs(t *testing.T) {
	s := New(100)
	key := []byte("/section/0000000")
	for i := range 1000 {
		s.Add(strconv.AppendInt(key[:9], int64(i), 10), 1)
	}
	hot := []byte("/section/999")
	if got := testing.AllocsPerRun(1000, func() { s.Add(hot, 1) }); got != 0 {
		t.Errorf("Add of a counted key: %v allocations, want 0", got)
	}
	i := 1000
	if got := testing.AllocsPerRun(1000, func() {
		i++
		s.Add(strconv.AppendInt(key[:9], int64(i), 10), 1)
	}); got != 0 {
		t.Errorf("Add of a new key, evicting: %v allocations, want 0", got)
	}
	if s.Floor() == 0 {
		t.Error("no eviction happened")
	}
}

// FuzzAdd feeds arbitrary keys (one per byte 0 in the input) to a small
// summary and checks the bounds against exact counts.
func FuzzAdd(f *testing.F) {
	f.Add([]byte("a\x00b\x00a\x00c\x00d\x00a"), uint8(2))
	f.Add(bytes.Repeat([]byte("x\x00y\x00"), 50), uint8(1))
	f.Add(append(bytes.Repeat([]byte("k"), 300), 0, 'k'), uint8(3))
	f.Fuzz(func(t *testing.T, data []byte, capacity uint8) {
		c := int(capacity%16) + 1
		s := New(c)
		truth := make(map[string]int64)
		for _, k := range bytes.Split(data, []byte{0}) {
			s.Add(k, 1)
			truth[string(k[:min(len(k), MaxKey)])]++
		}
		checkBounds(t, s, truth, c)
		r := New(c)
		if err := r.Restore(s.Entries(), s.Total()); err != nil {
			t.Fatalf("Restore of Entries: %v", err)
		}
	})
}

var sink int64

// benchKeys returns size keys shaped like client addresses and a sequence
// of draws over them, Zipf-distributed so most hit counted keys and some
// take over counters.
func benchKeys(size, draws int) (keys [][]byte, seq []int32, avgLen int) {
	keys = make([][]byte, size)
	total := 0
	for i := range keys {
		keys[i] = fmt.Appendf(nil, "10.%d.%d.%d", i>>16&255, i>>8&255, i&255)
		total += len(keys[i])
	}
	z := rand.NewZipf(rand.New(rand.NewPCG(5, 6)), 1.1, 1, uint64(size-1))
	seq = make([]int32, draws)
	for i := range seq {
		seq[i] = int32(z.Uint64())
	}
	return keys, seq, total / size
}

func BenchmarkAdd(b *testing.B) {
	keys, seq, avg := benchKeys(1<<18, 1<<16)
	for _, capacity := range []int{100, 1024, 10000} {
		b.Run(fmt.Sprintf("zipf/cap%d", capacity), func(b *testing.B) {
			s := New(capacity)
			for _, i := range seq {
				s.Add(keys[i], 1)
			}
			s.Reset()
			b.ReportAllocs()
			b.SetBytes(int64(avg))
			b.ResetTimer()
			for i := range b.N {
				s.Add(keys[seq[i&(len(seq)-1)]], 1)
			}
			b.StopTimer()
			if s.Total() != int64(b.N) {
				b.Fatalf("Total %d after %d Adds", s.Total(), b.N)
			}
		})
	}
	b.Run("existing", func(b *testing.B) {
		s := New(1024)
		for _, k := range keys[:1024] {
			s.Add(k, 1)
		}
		b.ReportAllocs()
		b.SetBytes(int64(avg))
		b.ResetTimer()
		for i := range b.N {
			s.Add(keys[seq[i&(len(seq)-1)]&1023], 1)
		}
		b.StopTimer()
		if s.Total() != int64(b.N)+1024 || s.Floor() != 0 {
			b.Fatalf("Total %d Exact %v after %d Adds", s.Total(), s.Floor() == 0, b.N)
		}
	})
	b.Run("new", func(b *testing.B) {
		s := New(1024)
		for _, k := range keys[:4096] {
			s.Add(k, 1)
		}
		b.ReportAllocs()
		b.SetBytes(int64(avg))
		b.ResetTimer()
		for i := range b.N {
			s.Add(keys[4096+i%(len(keys)-4096)], 1)
		}
		b.StopTimer()
		if s.Total() != int64(b.N)+4096 || s.Len() != 1024 {
			b.Fatalf("Total %d Len %d after %d Adds", s.Total(), s.Len(), b.N)
		}
	})
}

func BenchmarkTop(b *testing.B) {
	keys, seq, _ := benchKeys(1<<18, 1<<16)
	s := New(1024)
	for _, i := range seq {
		s.Add(keys[i], 1)
	}
	dst := make([]Entry, 0, 5)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		dst = s.Top(dst[:0], 5)
	}
	b.StopTimer()
	if len(dst) != 5 || dst[0].Count < dst[4].Count {
		b.Fatalf("Top(5) = %v", dst)
	}
	sink = dst[0].Count
}

// BenchmarkTopShapes: Top of the lengths an interval's lists have, from
// Zipf-distributed hits (many keys tie at a count of 1 or 2); flat: 300
// networks of 1 to 8 hits each, most of them tied with many others.
func BenchmarkTopShapes(b *testing.B) {
	b.Run("flat/keys=300/top=64", func(b *testing.B) {
		s := New(1024)
		r := rand.New(rand.NewPCG(3, 4))
		for i := range 300 {
			s.Add(fmt.Appendf(nil, "10.%d.%d.0/24", i/256, i%256), 1+r.Int64N(8))
		}
		dst := make([]Entry, 0, 64)
		b.ReportAllocs()
		for b.Loop() {
			dst = s.Top(dst[:0], 64)
		}
		sink = dst[0].Count
	})
	for _, c := range []struct{ keys, n int }{{200, 64}, {1024, 64}, {1024, 5}, {60, 64}, {1024, 1024}} {
		b.Run(fmt.Sprintf("keys=%d/top=%d", c.keys, c.n), func(b *testing.B) {
			s := New(1024)
			z := rand.NewZipf(rand.New(rand.NewPCG(1, 2)), 1.2, 1, 1<<20)
			for s.Len() < c.keys {
				// Addresses, as clients are: a /24 shares its first 8 bytes or so.
				ip := z.Uint64() * 2654435761 % (1 << 32)
				s.Add(fmt.Appendf(nil, "%d.%d.%d.%d", ip>>24, ip>>16&255, ip>>8&255, ip&255), 1)
			}
			dst := make([]Entry, 0, c.n)
			b.ReportAllocs()
			for b.Loop() {
				dst = s.Top(dst[:0], c.n)
			}
			sink = dst[0].Count
		})
	}
}
