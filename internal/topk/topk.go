// Package topk keeps bounded-memory top lists of keys by hits, with the
// Space-Saving algorithm (Metwally, Agrawal, El Abbadi 2005, "Efficient
// computation of frequent and top-k elements in data streams").
//
// An exact top list needs one counter per distinct key, which is unbounded
// when an interval of access logs holds millions of distinct clients or
// paths. A Summary holds at most Capacity counters instead. While no more
// than Capacity distinct keys have been seen, every count is exact and its
// Err is 0, so small inputs give exactly the top lists of an exact map.
// When a new key arrives and every counter is in use, the key takes over
// the counter with the smallest count m: its count becomes m+n and its Err
// m, the most it can overstate the key's hits.
//
// Guarantees, with Total the sum of all hits added and Capacity the
// summary's capacity:
//
//   - every counted key's true hits are in [Count-Err, Count];
//   - Err <= Floor() <= Total/Capacity for every entry, where Floor is the
//     count of the last counter taken over (0 while the counts are exact);
//   - a key not counted was seen at most Floor() times, so every key seen
//     more than Total/Capacity times is counted.
//
// The bounds that name Capacity hold for a summary restored from one of the
// same capacity; restored into a larger one they hold with the smaller
// capacity it ran with before (the first two guarantees hold in any case).
//
// Eviction is deterministic and depends only on the counted entries, not
// on the order they arrived in, the memory layout or a random seed: among
// the counters with the smallest count, the one whose key has the largest
// tie hash (a fixed, unseeded hash of the key's bytes) is taken over, and
// on equal tie hashes the key that sorts last. So the same input gives the
// same lists in every run, and a summary rebuilt with Restore from Entries
// goes on exactly as the original would. The tie hash spreads evictions
// among equal counts without favouring keys by their spelling.
//
// Memory is bounded whatever the input: Capacity counters with a key of at
// most MaxKey bytes each, plus an index of 2 to 4 slots of 8 bytes per
// counter and, once a key has taken over a counter, 32 bytes per counter
// for the pool of the smallest counts. Add allocates only when a counter's key buffer first grows
// (at most up to MaxKey bytes); in steady state it allocates nothing.
//
// A Summary is not safe for concurrent use.
package topk

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"math"
	"slices"
)

// MaxKey is the longest key kept, in bytes. A longer key is counted by its
// first MaxKey bytes: two keys that share those are one key. This keeps the
// memory bounded whatever the input.
const MaxKey = 256

// seed is the hash seed of every summary: random for each process, so
// that no input can be crafted to collide in the index, and one for all,
// so that a key's Hash, made once, serves every summary and the tallies
// in front of them (Merge).
var seed = maphash.MakeSeed()

// Hash is the hash a summary knows key by: of its first MaxKey bytes, as
// it counts a longer key.
func Hash(key []byte) uint64 { return maphash.Bytes(seed, key[:min(len(key), MaxKey)]) }

// HashString is Hash of a string key.
func HashString(key string) uint64 { return maphash.String(seed, key[:min(len(key), MaxKey)]) }

// maxCapacity keeps counter indices (int32, and +1 in the index slots) and
// the index size (a power of two at least twice the capacity) in range.
const maxCapacity = 1 << 29

// Entry is one counted key. Count may overstate the key's true hits by at
// most Err (the count of the counter the key took over when it was
// admitted, 0 when it took over nothing), so the true hits are in
// [Count-Err, Count].
type Entry struct {
	Key   string
	Count int64
	Err   int64
}

// counter is one key's slot. Its count lives in the heap item, next to the
// other counts the heap compares, so sifting touches one contiguous array.
type counter struct {
	key  []byte // at most MaxKey bytes; the buffer is reused on eviction
	err  int64
	hash uint64 // Hash(key)
	pos  int32  // index of this counter's item in Summary.heap, or -1-i for Summary.pool[i]
}

// item is a heap entry: a counter's count, its key's tie hash and the
// counter's index, 16 bytes.
type item struct {
	count int64
	tie   uint32 // tieHash(key)
	idx   int32
}

// tieHash orders keys of equal count in the heap. Comparing 32-bit hashes
// kept in the items instead of the key bytes behind them took Add of
// all-new keys at capacity 1024 from 210 to 165 ns (the sinking key meets
// ties at most levels). It is fixed, not seeded, so that eviction depends
// on the keys alone; a key crafted to collide only costs a byte compare.
func tieHash(b []byte) uint32 {
	h := uint64(len(b)) * 0x9E3779B97F4A7C15
	for len(b) >= 8 {
		h = (h ^ binary.LittleEndian.Uint64(b)) * 0xbf58476d1ce4e5b9
		h ^= h >> 31
		b = b[8:]
	}
	var t uint64
	for i, c := range b {
		t |= uint64(c) << (8 * i)
	}
	h = (h ^ t) * 0x94d049bb133111eb
	h ^= h >> 29
	return uint32(h >> 32)
}

// Summary counts keys in at most Capacity counters (Space-Saving).
//
// The counters sit in a binary min-heap ordered by count (ties: largest
// tie hash, then last key, at the top), each counter knowing its heap
// position, so an increment is an O(1) lookup plus a sift-down that ends
// at once for the frequent keys (they sit at the leaves): about 30 ns per
// Add of a counted short key. A 4-ary heap was slower (more compares per
// level where counts tie), and swapping items instead of moving a hole
// cost about 10% more on all-new keys. The key index is an
// open-addressing table of counter indices with linear probing and
// backward-shift deletion: unlike a map[string]int32, replacing a key on
// eviction needs neither a new string nor tombstones, so Add never
// allocates in steady state.
//
// The counters of the smallest count are taken out of the heap, once
// they are needed, into the pool: sorted so that the next one to be taken
// over is last, they are taken over in O(1) each, and the new key's
// counter, whose count is above all the pool's, joins the heap at a leaf,
// where it mostly stays. Taking over the root of the heap instead sank the
// new count through every level when the counts tie, as they all do when
// every key is new (a log of unique paths, or of clients in an interval):
// BenchmarkAdd/new (all-new keys, capacity 1024) took 175 ns, 55% of it
// sifting; with the pool 104 ns, and zipf/cap1024 went from 100 to 80 ns.
// The pool holds the same counters in the same order the heap would give
// up, so the lists are those the heap alone made (TestModel).
type Summary struct {
	counters []counter // len is the capacity; the first n are in use
	n        int       // counters in use
	heap     []item    // the counters not in the pool; len n-live
	slots    []uint64  // index: 0 empty, else hash>>32<<32 | (counter index+1)
	mask     uint64    // len(slots)-1
	total    int64
	floor    int64 // count of the last counter taken over; 0 while exact
	scratch  []ranked
	// pool holds counters whose count is low, below every count in the
	// heap, by tie hash then key ascending: the next to be taken over is
	// the last. A counter that leaves it early (a hit) leaves an item of
	// idx -1; live counts the others. Empty (live 0) until the summary
	// is full and a key must take over a counter.
	pool  []item
	live  int
	low   int64
	spare []item // refill's scratch, as long as the pool at most
}

// New returns a summary with room for capacity keys. It panics if capacity
// is less than 1 (or absurdly large, over 2^29).
func New(capacity int) *Summary {
	if capacity < 1 || capacity > maxCapacity {
		panic(fmt.Sprintf("topk: capacity %d out of range [1, %d]", capacity, maxCapacity))
	}
	size := 1
	for size < 2*capacity { // load factor at most 1/2: short probes
		size <<= 1
	}
	return &Summary{
		counters: make([]counter, capacity),
		heap:     make([]item, 0, capacity),
		slots:    make([]uint64, size),
		mask:     uint64(size - 1),
	}
}

// Cap is the most keys the summary counts at once.
func (s *Summary) Cap() int { return len(s.counters) }

// Len is the number of keys counted, at most Cap.
func (s *Summary) Len() int { return s.n }

// Total is the sum of all n passed to Add since Reset (or the total given
// to Restore plus those since), saturating at math.MaxInt64.
func (s *Summary) Total() int64 { return s.total }

// Floor is the count of the last counter taken over by a new key, 0 while
// the summary is exact. A key not counted was seen at most Floor times,
// and no entry's Err exceeds it.
func (s *Summary) Floor() int64 { return s.floor }

// Reset empties the summary, keeping its memory (counters, their key
// buffers, the index) for reuse.
func (s *Summary) Reset() {
	s.n = 0
	s.heap = s.heap[:0]
	s.pool, s.live = s.pool[:0], 0
	clear(s.slots)
	s.total = 0
	s.floor = 0
}

// Add counts n more hits for key. key is only read during the call (it may
// point into a reused buffer): the summary copies what it keeps. Keys
// longer than MaxKey bytes are cut to their first MaxKey bytes. Counts and
// the total saturate at math.MaxInt64. Add panics if n < 1, which would
// break the bounds every entry carries.
func (s *Summary) Add(key []byte, n int64) {
	if n < 1 {
		panic(fmt.Sprintf("topk: Add of %d hits, want at least 1", n))
	}
	if len(key) > MaxKey {
		key = key[:MaxKey]
	}
	s.total = satAdd(s.total, n)
	h := Hash(key)
	if idx := s.find(key, h); idx >= 0 {
		p := s.counters[idx].pos
		if p < 0 {
			s.unpool(p, n)
			return
		}
		s.heap[p].count = satAdd(s.heap[p].count, n)
		s.down(int(p))
		return
	}
	if s.n < len(s.counters) {
		s.admit(key, h, n)
		return
	}
	// Take over the smallest counter.
	if s.live == 0 {
		s.refill()
	}
	s.takeOver(key, h, s.low, satAdd(s.low, n))
}

// takeOver gives the smallest counter, the last of the pool (which must
// hold one), to key, whose hash is h: its count becomes count, its Err
// err.
func (s *Summary) takeOver(key []byte, h uint64, err, count int64) {
	var it item
	for {
		it = s.pool[len(s.pool)-1]
		s.pool = s.pool[:len(s.pool)-1]
		if it.idx >= 0 {
			break
		}
	}
	s.live--
	c := &s.counters[it.idx]
	s.remove(it.idx, c.hash)
	s.floor = max(s.floor, s.low)
	c.key = appendKey(c.key[:0], key)
	c.err = err
	c.hash = h
	s.insert(it.idx, h)
	s.push(item{count: count, tie: tieHash(key), idx: it.idx})
}

// Batch yields distinct keys, each with its Hash and its hits, for Merge.
// A key is read only during the call.
type Batch func(yield func(key []byte, hash uint64, n int64) bool)

// Merge counts a batch of distinct keys, each with its hits in the batch,
// exactly counted (a tally's, or another exact list's), in the order
// batch yields them. The caller has hashed them already (Hash): a
// report's tallies count by the same hash. Cheaper than an Add of each
// when most of the batch's keys are new and rare, as the paths, agents
// and referrers of real traffic are.
//
// A key counted adds its hits, as Add does, and so does a new key while a
// counter is free. Once the summary is full, a new key of n hits in the
// batch had at most b before it: b is Floor as the batch began, or the
// largest count of a counter taken over in this batch so far if that is
// more (the key may have been counted as the batch began, then evicted
// before its turn). So it has had at most b+n: it takes over the
// smallest counter, with that count and Err b, only if b+n is more than
// the counter's count. Otherwise it is dropped, and Floor rises to b+n
// at least, the most it may have had. Add would have let each new key
// take over a counter, and the next evict it again: a batch of 4,096
// keys seen once, merged into a full summary of 1,024 counters of its
// kind, takes over at most 1,024 counters and drops the rest.
//
// The guarantees in the package doc hold as they do with Add: a key's
// true hits are in [Count-Err, Count]; a key not counted had at most
// Floor; Err <= Floor <= Total/Capacity (a counter is taken over or a
// key dropped only at or below the smallest count, which is at most the
// counts' sum over Capacity, and the counts sum to at most Total). What
// changes is that the hits of a key dropped are counted nowhere: the
// counts may sum to less than Total (see Restore), and every count is a
// tighter bound than Add's.
func (s *Summary) Merge(batch Batch) {
	b := s.floor
	batch(func(key []byte, h uint64, n int64) bool {
		s.merge(key, h, n, &b)
		return true
	})
}

// merge is Merge of one key, b the bound on the hits of a new key before
// the batch. Its first half is Add's, written out in each: Add is
// stats' hot path, and with the half shared (a call Add could not
// inline) BenchmarkAdd/new took 113 to 123 ns against 107 to 109.
func (s *Summary) merge(key []byte, h uint64, n int64, b *int64) {
	if n < 1 {
		panic(fmt.Sprintf("topk: Merge of %d hits, want at least 1", n))
	}
	if len(key) > MaxKey {
		key = key[:MaxKey]
	}
	s.total = satAdd(s.total, n)
	if idx := s.find(key, h); idx >= 0 {
		if p := s.counters[idx].pos; p < 0 {
			s.unpool(p, n)
		} else {
			s.heap[p].count = satAdd(s.heap[p].count, n)
			s.down(int(p))
		}
		return
	}
	if s.n < len(s.counters) {
		s.admit(key, h, n)
		return
	}
	if s.live == 0 {
		s.refill()
	}
	if c := satAdd(*b, n); c > s.low {
		low := s.low
		s.takeOver(key, h, *b, c)
		*b = max(*b, low) // what the evicted key may have had
	} else {
		s.floor = max(s.floor, c)
	}
}

// admit gives a free counter to key, whose hash is h, with n hits. Floor
// is 0 unless the summary was restored into a larger capacity: then the
// key may have been seen up to Floor times before, and the count must not
// understate it.
func (s *Summary) admit(key []byte, h uint64, n int64) {
	idx := int32(s.n)
	s.n++
	c := &s.counters[idx]
	c.key = appendKey(c.key[:0], key)
	c.err = s.floor
	c.hash = h
	s.insert(idx, h)
	s.push(item{count: satAdd(s.floor, n), tie: tieHash(key), idx: idx})
}

// push puts it, whose counter is in neither the heap nor the pool, into
// the heap. Its count is above the pool's but at saturation (MaxInt64):
// then the pool goes back into the heap first, to keep the order whole.
func (s *Summary) push(it item) {
	if s.live > 0 && it.count <= s.low {
		s.drain()
	}
	s.heap = append(s.heap, it)
	s.up(len(s.heap) - 1)
}

// unpool counts n more hits for the counter at pool position -1-p: it
// leaves the pool for the heap.
func (s *Summary) unpool(p int32, n int64) {
	it := &s.pool[-1-p]
	moved := item{count: satAdd(s.low, n), tie: it.tie, idx: it.idx}
	it.idx = -1
	s.live--
	s.push(moved)
}

// drain puts the pool's counters back into the heap.
func (s *Summary) drain() {
	pool := s.pool
	s.pool, s.live = s.pool[:0], 0
	for _, it := range pool {
		if it.idx >= 0 {
			it.count = s.low
			s.heap = append(s.heap, it)
			s.up(len(s.heap) - 1)
		}
	}
}

// refill moves the counters of the smallest count from the heap into the
// pool, in the order they are to be taken over. They are the top of the
// heap, a subtree under its root: found in O(their number), then taken
// out by pops when they are few, or by rebuilding the heap from the
// others when they are many (an eighth of it or more), O(Len).
func (s *Summary) refill() {
	h := s.heap
	low := h[0].count
	if s.pool == nil {
		s.pool = make([]item, 0, len(s.counters))
	}
	pool := append(s.pool[:0], h[0])
	for i := 0; i < len(pool); i++ {
		// pool[i] sits at heap position p; its children are at 2p+1, 2p+2.
		p := int(s.counters[pool[i].idx].pos)
		for ch := 2*p + 1; ch <= 2*p+2 && ch < len(h); ch++ {
			if h[ch].count == low {
				pool = append(pool, h[ch])
			}
		}
	}
	if 8*len(pool) < len(h) {
		for range pool {
			last := h[len(h)-1]
			h = h[:len(h)-1]
			if len(h) > 0 {
				h[0] = last
				s.heap = h
				s.down(0)
			}
		}
	} else {
		j := 0
		for _, it := range h {
			if it.count != low {
				h[j] = it
				s.counters[it.idx].pos = int32(j)
				j++
			}
		}
		h = h[:j]
		s.heap = h
		for i := j/2 - 1; i >= 0; i-- {
			s.down(i)
		}
	}
	s.heap = h
	// Sort by tie hash, then key, ascending: a radix sort of the tie
	// hashes, 8 bits a pass, stable, then keys of equal tie hash by their
	// bytes (a run of two is rare: 32-bit hashes). slices.Sort of the
	// ties packed with the counter index took 47 ns per counter at 1024
	// (a third of Add of all-new keys), the radix sort about 5.
	pool = s.radix(pool)
	for i := 0; i < len(pool); {
		j := i + 1
		for j < len(pool) && pool[j].tie == pool[i].tie {
			j++
		}
		if j-i > 1 {
			slices.SortFunc(pool[i:j], func(a, b item) int {
				return bytes.Compare(s.counters[a.idx].key, s.counters[b.idx].key)
			})
		}
		i = j
	}
	for i, it := range pool {
		s.counters[it.idx].pos = int32(-1 - i)
	}
	s.pool, s.live, s.low = pool, len(pool), low
}

// radix sorts pool by tie hash ascending, keeping the order of equal ones.
// It returns the sorted items, in pool's array.
func (s *Summary) radix(pool []item) []item {
	if len(pool) <= 32 {
		// Few: an insertion sort, rather than the radix sort's 1024
		// bucket counts.
		for i := range pool {
			it := pool[i]
			j := i
			for ; j > 0 && pool[j-1].tie > it.tie; j-- {
				pool[j] = pool[j-1]
			}
			pool[j] = it
		}
		return pool
	}
	if cap(s.spare) < len(pool) {
		s.spare = make([]item, 0, cap(pool))
	}
	src, dst := pool, s.spare[:len(pool)]
	for shift := 0; shift < 32; shift += 8 {
		var at [256]int
		for _, it := range src {
			at[it.tie>>shift&255]++
		}
		sum := 0
		for i, c := range at {
			at[i] = sum
			sum += c
		}
		for _, it := range src {
			b := it.tie >> shift & 255
			dst[at[b]] = it
			at[b]++
		}
		src, dst = dst, src
	}
	// Four passes: the sorted items are back in pool's array.
	s.spare = dst[:0]
	return src
}

// appendKey copies key into buf, which grows at most to MaxKey bytes. New
// buffers start at 32 bytes (longer keys: rounded up to 32) so that a
// counter taking over keys of varying short lengths stops reallocating at
// once.
func appendKey(buf, key []byte) []byte {
	if cap(buf) < len(key) {
		buf = make([]byte, 0, min(MaxKey, (len(key)+31)&^31))
	}
	return append(buf, key...)
}

func satAdd(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

// find returns the index of key's counter, or -1.
func (s *Summary) find(key []byte, h uint64) int32 {
	tag := h >> 32 << 32
	for i := h & s.mask; ; i = (i + 1) & s.mask {
		e := s.slots[i]
		if e == 0 {
			return -1
		}
		if e&^0xffffffff == tag {
			idx := int32(uint32(e)) - 1
			if string(s.counters[idx].key) == string(key) {
				return idx
			}
		}
	}
}

// insert puts counter idx, whose key hashes to h and is not in the index,
// into the first free slot from its home.
func (s *Summary) insert(idx int32, h uint64) {
	i := h & s.mask
	for s.slots[i] != 0 {
		i = (i + 1) & s.mask
	}
	s.slots[i] = h>>32<<32 | uint64(idx+1)
}

// remove takes counter idx, whose key hashes to h, out of the index, and
// shifts back the entries after it that would otherwise become unreachable
// (no tombstones, so the probes stay short however many keys churn).
func (s *Summary) remove(idx int32, h uint64) {
	want := h>>32<<32 | uint64(idx+1)
	i := h & s.mask
	for s.slots[i] != want {
		i = (i + 1) & s.mask
	}
	for j := (i + 1) & s.mask; ; j = (j + 1) & s.mask {
		e := s.slots[j]
		if e == 0 {
			break
		}
		home := s.counters[uint32(e)-1].hash & s.mask
		// e may move to i if i lies between its home and j (cyclically).
		if (j-home)&s.mask >= (j-i)&s.mask {
			s.slots[i] = e
			i = j
		}
	}
	s.slots[i] = 0
}

// less orders the heap: smaller count first, on equal counts the larger
// tie hash, then the key that sorts last. Keys are distinct, so the order
// is total and the top of the heap depends on the entries alone.
func (s *Summary) less(a, b item) bool {
	if a.count != b.count {
		return a.count < b.count
	}
	if a.tie != b.tie {
		return a.tie > b.tie
	}
	return bytes.Compare(s.counters[a.idx].key, s.counters[b.idx].key) > 0
}

// up moves item i towards the root while it is less than its parent,
// moving a hole and writing the item (and its counter's pos) once.
func (s *Summary) up(i int) {
	h := s.heap
	x := h[i]
	for i > 0 {
		p := (i - 1) / 2
		if !s.less(x, h[p]) {
			break
		}
		h[i] = h[p]
		s.counters[h[i].idx].pos = int32(i)
		i = p
	}
	h[i] = x
	s.counters[x.idx].pos = int32(i)
}

// down moves item i towards the leaves while a child is less than it.
func (s *Summary) down(i int) {
	h := s.heap
	x := h[i]
	for {
		m := 2*i + 1
		if m >= len(h) {
			break
		}
		if r := m + 1; r < len(h) && s.less(h[r], h[m]) {
			m = r
		}
		if !s.less(h[m], x) {
			break
		}
		h[i] = h[m]
		s.counters[h[i].idx].pos = int32(i)
		i = m
	}
	h[i] = x
	s.counters[x.idx].pos = int32(i)
}

// count is counter idx's count.
func (s *Summary) count(idx int32) int64 {
	if p := s.counters[idx].pos; p >= 0 {
		return s.heap[p].count
	}
	return s.low
}

// ranked is a counter and its count, for Top to order without looking
// the count up through the heap at each comparison.
type ranked struct {
	count int64
	head  uint64 // the key's first 8 bytes, big-endian, zero-padded
	idx   int32
}

func (s *Summary) ranked(idx int32) ranked {
	var b [8]byte
	copy(b[:], s.counters[idx].key)
	return ranked{s.count(idx), binary.BigEndian.Uint64(b[:]), idx}
}

// rank compares a and b in Top order: Count descending, then Key
// ascending; keys are distinct, so it is 0 only for a == b. Keys that
// differ in their first 8 bytes are told apart by their heads, which
// order as the keys do: most ties (many keys share the least count) are
// settled without reading the keys.
func (s *Summary) rank(a, b ranked) int {
	if a.count != b.count {
		return cmp.Compare(b.count, a.count)
	}
	if a.head != b.head {
		return cmp.Compare(a.head, b.head)
	}
	return bytes.Compare(s.counters[a.idx].key, s.counters[b.idx].key)
}

// Top returns the n entries with the highest Count, by Count descending
// then Key ascending (byte order), appended to dst (which may be nil).
// It returns fewer when fewer keys are counted.
//
// A key is ordered by its count, read once, and its first 8 bytes, and
// read whole only on a tie of both; up to 64 entries are kept in a heap
// while scanning, and a key whose count is below the worst kept one is
// not read at all. BenchmarkTopShapes, before and after: Top(64) of 200
// addresses 11.6 to 5.7 us, of 1,024 9.3 to 6.5 us, Top(5) of 1,024 3.2 to
// 1.2 us; when a report's summaries listed 64, it spent 8 % of its CPU
// time in Top. (Kept in order in a slice rather than a heap, each
// better key shifted the worse ones: Top(64) of 300 networks tied at 1 to
// 8 hits took 6.7 us, 6.1 with the heap.)
func (s *Summary) Top(dst []Entry, n int) []Entry {
	n = min(n, s.n)
	if n <= 0 {
		return dst
	}
	best := s.scratch[:0]
	if n > 64 {
		// Long lists (a state's whole list): sort everything, O(Len log Len).
		for i := range int32(s.n) {
			best = append(best, s.ranked(i))
		}
		slices.SortFunc(best, s.rank)
		best = best[:n]
	} else {
		// Short lists (the usual top 5, or a report's 64): keep the
		// best n in a heap whose root is the worst of them while
		// scanning once, O(Len log n), then sort those.
		for i := range int32(s.n) {
			if len(best) == n && s.count(i) < best[0].count {
				continue // most keys: not read at all
			}
			r := s.ranked(i)
			if len(best) < n {
				best = append(best, r)
				s.worstUp(best, len(best)-1)
				continue
			}
			if s.rank(r, best[0]) < 0 {
				best[0] = r
				s.worstDown(best, 0)
			}
		}
		slices.SortFunc(best, s.rank)
	}
	for _, r := range best {
		c := &s.counters[r.idx]
		dst = append(dst, Entry{Key: string(c.key), Count: r.count, Err: c.err})
	}
	s.scratch = best[:0]
	return dst
}

// worstUp and worstDown keep h a heap of ranked entries whose root is
// the one that ranks last (Top's kept entries).
func (s *Summary) worstUp(h []ranked, i int) {
	for i > 0 {
		p := (i - 1) / 2
		if s.rank(h[i], h[p]) <= 0 {
			return
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
}

func (s *Summary) worstDown(h []ranked, i int) {
	for {
		m := 2*i + 1
		if m >= len(h) {
			return
		}
		if r := m + 1; r < len(h) && s.rank(h[r], h[m]) > 0 {
			m = r
		}
		if s.rank(h[m], h[i]) <= 0 {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}

// Each calls fn with every counted key, its Hash and its Count, in no
// particular order, without sorting or copying: key is valid only during
// the call.
func (s *Summary) Each(fn func(key []byte, hash uint64, count int64)) {
	for i := range int32(s.n) {
		c := &s.counters[i]
		fn(c.key, c.hash, s.count(i))
	}
}

// Entries returns every counted entry, by Count descending then Key
// ascending, for saving the summary's state (with Total).
func (s *Summary) Entries() []Entry {
	return s.Top(make([]Entry, 0, s.n), s.n)
}

// Restore replaces the summary's contents with entries (as Entries returns
// them, in any order) and total (as Total returned it). It refuses what no
// summary can hold: more entries than Cap, a duplicate key, a key longer
// than MaxKey, Count < 1, Err < 0 or Err >= Count (a key admitted adds at
// least 1 to the count it took over), a total that is less than the
// hits the entries certainly had (the sum of Count-Err), or, when every
// Err is 0 (the counts are exact), a total other than their sum. (A
// summary that evicted may count less than its total: Merge drops keys.)
// On error the summary is left empty.
//
// A summary restored into a larger capacity than it had counts new keys
// from Floor (the largest Err restored) so its counts keep bounding the
// true hits from above.
func (s *Summary) Restore(entries []Entry, total int64) error {
	s.Reset()
	if len(entries) > len(s.counters) {
		return fmt.Errorf("%d entries, more than the capacity %d", len(entries), len(s.counters))
	}
	var certain, upper, floor int64
	for i, e := range entries {
		switch {
		case len(e.Key) > MaxKey:
			return fmt.Errorf("entry %d: key of %d bytes, longer than %d", i, len(e.Key), MaxKey)
		case e.Count < 1:
			return fmt.Errorf("entry %d (%q): count %d, want at least 1", i, e.Key, e.Count)
		case e.Err < 0 || e.Err >= e.Count:
			return fmt.Errorf("entry %d (%q): error %d, want 0 to count-1 (%d)", i, e.Key, e.Err, e.Count-1)
		}
		certain = satAdd(certain, e.Count-e.Err)
		upper = satAdd(upper, e.Count)
		floor = max(floor, e.Err)
	}
	switch {
	case total < certain:
		return fmt.Errorf("total %d, under the %d hits the entries certainly had", total, certain)
	case floor == 0 && total != upper:
		return fmt.Errorf("total %d, where the entries' exact counts sum to %d", total, upper)
	}
	for i, e := range entries {
		key := []byte(e.Key)
		h := Hash(key)
		if s.find(key, h) >= 0 {
			s.Reset()
			return fmt.Errorf("entry %d: duplicate key %q", i, e.Key)
		}
		idx := int32(s.n)
		s.n++
		c := &s.counters[idx]
		c.key = appendKey(c.key[:0], key)
		c.err = e.Err
		c.hash = h
		c.pos = int32(idx)
		s.heap = append(s.heap, item{count: e.Count, tie: tieHash(key), idx: idx})
		s.insert(idx, h)
	}
	for i := len(s.heap)/2 - 1; i >= 0; i-- {
		s.down(i)
	}
	s.total = total
	s.floor = floor
	return nil
}
