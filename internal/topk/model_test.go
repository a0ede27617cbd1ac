package topk

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// model is Space-Saving as the package doc states it, in the plainest
// code: a list of entries searched in full, the counter taken over found
// by scanning for the smallest count (then the largest tie hash, then the
// key that sorts last). Summary, with its heap, index and pool, must
// agree with it entry for entry.
type model struct {
	cap          int
	ents         []Entry
	total, floor int64
}

func (m *model) add(key string, n int64) {
	key = key[:min(len(key), MaxKey)]
	m.total = satAdd(m.total, n)
	for i := range m.ents {
		if m.ents[i].Key == key {
			m.ents[i].Count = satAdd(m.ents[i].Count, n)
			return
		}
	}
	if len(m.ents) < m.cap {
		m.ents = append(m.ents, Entry{Key: key, Count: satAdd(m.floor, n), Err: m.floor})
		return
	}
	v := m.smallest()
	low := m.ents[v].Count
	m.floor = max(m.floor, low)
	m.ents[v] = Entry{Key: key, Count: satAdd(low, n), Err: low}
}

// smallest is the entry to be taken over: the smallest count, then the
// largest tie hash, then the key that sorts last.
func (m *model) smallest() int {
	v := 0
	for i, e := range m.ents {
		w := m.ents[v]
		if e.Count != w.Count {
			if e.Count < w.Count {
				v = i
			}
			continue
		}
		te, tw := tieHash([]byte(e.Key)), tieHash([]byte(w.Key))
		if te > tw || te == tw && e.Key > w.Key {
			v = i
		}
	}
	return v
}

// merge is Merge as its doc states it: each key of the batch, in order,
// counted if it is, else given a free counter, else taking over the
// smallest counter with b+n hits and Err b if that is more than its
// count, else dropped, b being Floor as the batch began or the largest
// count taken over since.
func (m *model) merge(batch []hit) {
	b := m.floor
	for _, h := range batch {
		key := h.key[:min(len(h.key), MaxKey)]
		m.total = satAdd(m.total, h.n)
		found := false
		for i := range m.ents {
			if m.ents[i].Key == key {
				m.ents[i].Count = satAdd(m.ents[i].Count, h.n)
				found = true
			}
		}
		switch {
		case found:
		case len(m.ents) < m.cap:
			m.ents = append(m.ents, Entry{Key: key, Count: satAdd(m.floor, h.n), Err: m.floor})
		default:
			v := m.smallest()
			if c, low := satAdd(b, h.n), m.ents[v].Count; c > low {
				m.floor = max(m.floor, low)
				m.ents[v] = Entry{Key: key, Count: c, Err: b}
				b = max(b, low)
			} else {
				m.floor = max(m.floor, c)
			}
		}
	}
}

func (m *model) entries() []Entry {
	es := slices.Clone(m.ents)
	slices.SortFunc(es, func(a, b Entry) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return strings.Compare(a.Key, b.Key)
	})
	return es
}

// TestModel: Summary counts what the model counts, after every Add, over
// random streams that tie counts (few keys, unit hits), take over the
// smallest counters in turn (many keys: the pool drained and refilled),
// hit counters waiting in the pool (a mix), and saturate.
func TestModel(t *testing.T) {
	tests := []struct {
		capacity, universe int
		skew               bool
		maxN               int64
		count              int
	}{
		{1, 3, false, 1, 2000},
		{2, 4, false, 1, 2000},
		{3, 10, true, 2, 5000},
		{8, 12, false, 1, 5000},
		{8, 1000, false, 1, 5000},
		{40, 60, false, 1, 20000},
		{40, 200, true, 3, 20000},
		{64, 100000, false, 1, 20000},
		{100, 150, true, 1, 20000},
	}
	for i, tt := range tests {
		t.Run(fmt.Sprintf("cap%d/keys%d/skew%v/n%d", tt.capacity, tt.universe, tt.skew, tt.maxN), func(t *testing.T) {
			hs := randomHits(uint64(300+i), tt.count, tt.universe, tt.skew, tt.maxN)
			checkModel(t, New(tt.capacity), &model{cap: tt.capacity}, hs)
		})
	}
	t.Run("saturating", func(t *testing.T) {
		r := rand.New(rand.NewPCG(8, 9))
		var hs []hit
		for range 3000 {
			hs = append(hs, hit{key: "k" + strconv.Itoa(r.IntN(12)), n: 1 + r.Int64N(math.MaxInt64/8)})
		}
		s := New(4)
		checkModel(t, s, &model{cap: 4}, hs)
		if s.Floor() != math.MaxInt64 {
			t.Errorf("Floor %d: the stream should saturate the counts", s.Floor())
		}
	})
	t.Run("restored mid-stream", func(t *testing.T) {
		// A summary restored from the state of one whose pool was in use
		// goes on as the model does.
		hs := randomHits(17, 6000, 90, false, 1)
		s, m := New(30), &model{cap: 30}
		checkModel(t, s, m, hs[:3001])
		if s.live == 0 {
			t.Fatal("the pool should be in use")
		}
		r := New(30)
		if err := r.Restore(s.Entries(), s.Total()); err != nil {
			t.Fatal(err)
		}
		checkModel(t, r, m, hs[3001:])
	})
}

func checkModel(t *testing.T, s *Summary, m *model, hs []hit) {
	t.Helper()
	for i, h := range hs {
		s.Add([]byte(h.key), h.n)
		m.add(h.key, h.n)
		if got, want := s.Entries(), m.entries(); !slices.Equal(got, want) || s.Floor() != m.floor || s.Total() != m.total {
			t.Fatalf("after hit %d (%q:%d): Floor %d Total %d, model %d %d; entries (-model +summary):\n-%v\n+%v",
				i, h.key, h.n, s.Floor(), s.Total(), m.floor, m.total, want, got)
		}
	}
}
