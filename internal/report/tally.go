package report

import "github.com/logmon/logmon/internal/topk"

// tally counts one table's keys (paths, 404 paths, agents, referrers,
// users from requests; sections, clients, networks, methods from each
// interval's lists or an upstream summary's, with their hits) before its
// Space-Saving summary does: exactly, in a small
// open-addressing table keyed by a 64-bit hash of the key's bytes, and
// hands its distinct keys to the summary, each once with its count, as a
// batch (topk.Summary.Merge), when the tally fills up (tallyKeys keys, or
// tallyBytes of them) or the page is written. A key seen before costs one
// hash of its bytes (a 110-byte user agent: a few ns with the runtime's
// AES hash) and one probe; nothing is allocated or copied. Only a key's
// first sight in the tally copies its bytes, for the summary.
//
// The hash is the summaries' own (topk.Hash: of the first topk.MaxKey
// bytes, one seed for the process), so that a key's hash, made where the
// request is parsed (Report.Prepare), is what any tally and summary would
// make of it, and neither an interval's lists (topk.Summary.Each) nor a
// tally's batch (topk.Summary.Merge) is hashed again.
//
// A key is known by its hash alone, not compared byte for byte: the hash
// is the runtime's, seeded at random for each run (hash/maphash), so two
// distinct keys of one tally share a hash with a probability of about
// 2^-41 (4,096 keys), which no input can raise, not knowing the seed. The
// compare cost twice the hash: BenchmarkTally's three keys took 63 ns
// with it, 21 ns without.
//
// This is what made the report cheap. CPU time (user+sys) of report
// against stats over the same 540,558 generated lines, the median of 40
// paired runs' ratios on the loaded 2-CPU machine: 1.28x with each
// request's Space-Saving adds of long keys done on a goroutine of their
// own, fed batches of the fields (the copy, the cache lines moving
// between cores and the goroutine's wake-ups cost more than the adds),
// about 1.2x with the adds inline, 1.08x with the tally.
//
// Its size is set by real traffic rather than gen's (whose 267 paths, 14
// agents and 46 referrers all fit in any tally): on the real log of
// ../shared/data replayed 100 times, its rare paths, agents and
// referrers new in each replay (82,184 paths in 1 M lines, see
// scripts/reallog), a tally of 1,024 keys handed the same frequent
// keys to the summary again at every fill, and the report took 1.40x the
// CPU time of stats; with 4,096 keys (and an index grown to fit them)
// 0.90x of that, with 8,192 0.92x and 32,768 0.97x (the index and
// entries then miss the cache), each 10 pairs. What was left there was
// the keys seen once, each taking over a counter of the summary: handed
// over as a batch (Merge), a key seen once takes over a counter only
// when it may have had more hits than the counter holds, and most are
// dropped at the cost of a lookup. That took the report from 1.13x the
// CPU time of stats on that log to 1.11x, and on gen's --unique log from
// 1.11x to 1.04x (10 pairs each; tallies of 2,048 keys were as fast,
// 1,024 1.15x slower, 8,192 and 16,384 no faster).
//
// The summary's guarantees hold (topk.Summary.Merge): every count within
// its error of the truth, every key with more than total/capacity hits
// counted. Keys are handed over in the order they were first seen, so
// the tables are the same in every run (TestTallyBounded). Memory is
// bounded by tallyKeys and tallyBytes.
type tally struct {
	sum  *topk.Summary
	ents []tallyEntry // in the order of first sight
	buf  []byte       // the entries' keys, one after the other
	// slots index ents by hash: a 16-bit tag of the hash and the
	// entry's index+1 (0 is an empty slot), in a table at most half
	// full that doubles as keys come, up to 2*tallyKeys slots.
	slots []uint32
}

// tallyEntry is a key: its hash, its hits, its bytes in tally.buf.
type tallyEntry struct {
	hash     uint64
	n        int64
	off, end int32
}

const (
	tallyKeys  = 4096      // distinct keys counted before they go to the summary
	minSlots   = 64        // slots of a new tally's index, a power of two
	tallyBytes = 512 << 10 // bytes of keys kept before they go to the summary
)

// newTally returns an empty tally in front of sum. Its index, entries and
// key bytes grow as keys come (a report has 18 tallies, most of which
// count a few keys or none).
func newTally(sum *topk.Summary) *tally {
	return &tally{sum: sum, slots: make([]uint32, minSlots)}
}

// add counts n hits of key, whose topk.Hash is h; key is only read during
// the call, and only when the tally sees it first. A key longer than
// topk.MaxKey counts as its first topk.MaxKey bytes, as the summary would
// count it.
func (t *tally) add(key []byte, h uint64, n int64) { tallyAdd(t, key, h, n) }

// addHits counts n hits of key, a summary's top-list entry.
func (t *tally) addHits(key string, n int64) { tallyAdd(t, key, topk.HashString(key), n) }

// tallyAdd is add and addHits, for a key of either type.
//
// The index is small and the entries dense, in the order keys were first
// seen (the frequent keys come early): what a lookup touches stays in
// the cache while the input streams through it. Slots of 16 bytes (the
// hash and the count in the slot) missed the cache on most lookups, and
// measured again on real traffic's long tail (scripts/reallog), with
// tallies of 4,096 keys, they were no faster (1.01x).
func tallyAdd[K string | []byte](t *tally, key K, h uint64, n int64) {
	tag := slotTag(h)
	mask := uint64(len(t.slots) - 1)
	i := h & mask
	for ; t.slots[i] != 0; i = (i + 1) & mask {
		if e := t.slots[i]; e&0xffff0000 == tag {
			if en := &t.ents[e&0xffff-1]; en.hash == h {
				en.n = satAdd(en.n, n)
				return
			}
		}
	}
	key = key[:min(len(key), topk.MaxKey)]
	if len(t.ents) == tallyKeys || len(t.buf)+len(key) > tallyBytes {
		t.flush()
		i = h & mask
	} else if 2*(len(t.ents)+1) > len(t.slots) {
		t.grow()
		i = t.free(h)
	}
	off := len(t.buf)
	t.buf = append(t.buf, key...)
	t.ents = append(t.ents, tallyEntry{hash: h, n: n, off: int32(off), end: int32(len(t.buf))})
	t.slots[i] = tag | uint32(len(t.ents))
}

// slotTag is the high half of the slot of a key whose hash is h; the low
// half is the key's index+1 in ents.
func slotTag(h uint64) uint32 { return uint32(h>>48) << 16 }

// grow doubles the index.
func (t *tally) grow() {
	t.slots = make([]uint32, 2*len(t.slots))
	for k, e := range t.ents {
		t.slots[t.free(e.hash)] = slotTag(e.hash) | uint32(k+1)
	}
}

// free returns the empty slot where a key of hash h goes.
func (t *tally) free(h uint64) uint64 {
	mask := uint64(len(t.slots) - 1)
	i := h & mask
	for t.slots[i] != 0 {
		i = (i + 1) & mask
	}
	return i
}

// flush hands the keys counted to the summary and empties the tally.
func (t *tally) flush() {
	t.sum.Merge(func(yield func([]byte, uint64, int64) bool) {
		for _, e := range t.ents {
			if !yield(t.buf[e.off:e.end], e.hash, e.n) {
				return
			}
		}
	})
	t.ents, t.buf = t.ents[:0], t.buf[:0]
	clear(t.slots)
}
