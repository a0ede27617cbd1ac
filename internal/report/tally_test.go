package report

import (
	"bytes"
	"fmt"
	"maps"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/logmon/logmon/internal/record"
	"github.com/logmon/logmon/internal/topk"
)

// tallyStream is a stream of keys with a long tail: Zipf-distributed
// draws over many paths, some of them longer than topk.MaxKey and equal
// in their first topk.MaxKey bytes (so they count as one), and empty
// keys.
func tallyStream(draws int, universe uint64, seed uint64) [][]byte {
	z := rand.NewZipf(rand.New(rand.NewPCG(seed, 7)), 1.1, 1, universe-1)
	long := strings.Repeat("x", topk.MaxKey)
	keys := make([][]byte, 0, draws)
	for range draws {
		n := z.Uint64()
		var k []byte
		switch {
		case n%97 == 3:
			k = []byte(long + strconv.FormatUint(n, 10)) // all these are one key
		case n%89 == 5:
			k = []byte{}
		default:
			k = strconv.AppendUint([]byte("/p/"), n, 10)
		}
		keys = append(keys, k)
	}
	return keys
}

// exactCounts counts keys as the summary would: cut to topk.MaxKey.
func exactCounts(keys [][]byte) map[string]int64 {
	m := make(map[string]int64)
	for _, k := range keys {
		m[string(k[:min(len(k), topk.MaxKey)])]++
	}
	return m
}

// TestTallyExact: through a tally, a summary with room for every key
// counts each exactly, though the tally fills up and hands its keys on
// several times: by its count of keys (more distinct keys than
// tallyKeys), and by their bytes (keys of 200 bytes, fewer than
// tallyKeys, more than tallyBytes).
func TestTallyExact(t *testing.T) {
	var long [][]byte
	for i := range 30_000 {
		k := fmt.Appendf(nil, "/%0199d", i%3000)
		long = append(long, k)
	}
	for name, keys := range map[string][][]byte{
		"keys":  tallyStream(300_000, 8000, 1),
		"bytes": long,
	} {
		t.Run(name, func(t *testing.T) {
			exact := exactCounts(keys)
			sum := topk.New(len(exact))
			ty := newTally(sum)
			flushes := 0
			for _, k := range keys {
				n := len(ty.ents)
				ty.add(bytes.Clone(k), topk.Hash(k), 1)
				if len(ty.ents) < n {
					flushes++
				}
			}
			if flushes < 2 {
				t.Fatalf("the tally filled %d times: %d distinct keys, want more", flushes, len(exact))
			}
			ty.flush()
			got := sum.Entries()
			if len(got) != len(exact) {
				t.Fatalf("%d keys counted, want %d", len(got), len(exact))
			}
			for _, e := range got {
				if e.Count != exact[e.Key] || e.Err != 0 {
					t.Errorf("%.20q: %d hits (err %d), want %d", e.Key, e.Count, e.Err, exact[e.Key])
				}
			}
			if sum.Total() != int64(len(keys)) {
				t.Errorf("total %d, want %d", sum.Total(), len(keys))
			}
		})
	}
}

// TestTallyBounded: into a summary too small for the keys, the tally
// keeps the summary's guarantees (every count within its error of the
// truth, every key seen more than total/capacity times counted), and two
// tallies give the same lists (the hash's seed, random for each process,
// decides only where keys sit in the indexes: topk's TestDeterministic).
func TestTallyBounded(t *testing.T) {
	keys := tallyStream(200_000, 1_000_000, 2)
	exact := exactCounts(keys)
	const capacity = 256
	var lists [2][]topk.Entry
	for i := range lists {
		sum := topk.New(capacity)
		ty := newTally(sum)
		for _, k := range keys {
			ty.add(k, topk.Hash(k), 1)
		}
		ty.flush()
		lists[i] = sum.Entries()
		bound := sum.Total() / capacity
		counted := make(map[string]bool)
		for _, e := range lists[i] {
			counted[e.Key] = true
			if x := exact[e.Key]; x < e.Count-e.Err || x > e.Count {
				t.Errorf("%.20q: %d hits (err %d), truth %d", e.Key, e.Count, e.Err, x)
			}
		}
		for k, x := range exact {
			if x > bound && !counted[k] {
				t.Errorf("%.20q seen %d times, more than %d, not counted", k, x, bound)
			}
		}
	}
	if len(lists[0]) != len(lists[1]) {
		t.Fatalf("two runs counted %d and %d keys", len(lists[0]), len(lists[1]))
	}
	for i := range lists[0] {
		if lists[0][i] != lists[1][i] {
			t.Errorf("entry %d: %+v in one run, %+v in the other", i, lists[0][i], lists[1][i])
		}
	}
}

// BenchmarkTally is a tally's add of a request's keys (a path, a user
// agent, a referrer, each seen before), against the summary's own Add.
func BenchmarkTally(b *testing.B) {
	keys := [][]byte{
		[]byte("/images/photo-35.jpg"),
		[]byte("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"),
		[]byte("https://www.example.com/blog"),
	}
	b.Run("tally", func(b *testing.B) {
		ty := newTally(topk.New(1024))
		b.ReportAllocs()
		for b.Loop() {
			for _, k := range keys {
				ty.add(k, topk.Hash(k), 1)
			}
		}
	})
	b.Run("topk", func(b *testing.B) {
		s := topk.New(1024)
		b.ReportAllocs()
		for b.Loop() {
			for _, k := range keys {
				s.Add(k, 1)
			}
		}
	})
}

// TestPrepared: requests whose keys Prepare hashed (where they were
// parsed) fill the tables as requests counted without it do, and both
// count every key exactly while the tables have room for all: long keys
// (cut to topk.MaxKey) and 404s among them.
func TestPrepared(t *testing.T) {
	keys := tallyStream(20_000, 400, 5)
	exact := map[int]map[string]int64{}
	var requests []record.Request
	for i, k := range keys {
		r := record.Request{Path: k, Agent: keys[(i*7)%len(keys)], Referer: keys[(i*13)%len(keys)], Status: 200 + 204*(i%3/2)}
		if i%5 == 0 {
			r.User = k
		}
		requests = append(requests, r)
		for tab, key := range map[int][]byte{tabPaths: r.Path, tabAgents: r.Agent, tabReferers: r.Referer, tabUsers: r.User} {
			if exact[tab] == nil {
				exact[tab] = map[string]int64{}
			}
			if key != nil {
				exact[tab][string(key[:min(len(key), topk.MaxKey)])]++
			}
		}
		if r.Status == 404 {
			if exact[tab404] == nil {
				exact[tab404] = map[string]int64{}
			}
			exact[tab404][string(k[:min(len(k), topk.MaxKey)])]++
		}
	}
	for _, prepared := range []bool{false, true} {
		rep, err := New(Config{})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range requests {
			if prepared {
				rep.Prepare(&r)
			}
			rep.Count(&r)
		}
		rep.ownTables.flush()
		for tab, want := range exact {
			got := map[string]int64{}
			for _, e := range rep.ownTables.lists[tab].Entries() {
				got[e.Key] = e.Count
			}
			if len(want) < 100 || !maps.Equal(got, want) {
				t.Errorf("prepared %v: %s: %d keys counted, want %d exact counts", prepared, tableInfo[tab].title, len(got), len(want))
			}
		}
	}
}

// TestSummaryTables: the tables of sections, clients, networks and
// methods from summaries read from upstream are the sums of their top
// lists, counted through the tallies.
func TestSummaryTables(t *testing.T) {
	rep, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]map[string]int64{tabSections: {}, tabClients: {}, tabNetworks: {}, tabMethods: {}}
	for i := range 3000 {
		var s record.Summary
		for j := range 64 {
			k := strconv.Itoa((i*7 + j*j) % 900)
			n := int64(1 + (i+j)%5)
			s.Sections = append(s.Sections, record.SectionHits{Section: "/s" + k, Hits: n})
			s.Clients = append(s.Clients, record.ClientHits{Client: "10.0.0." + k, Hits: n})
			s.Networks = append(s.Networks, record.NetworkHits{Network: "10." + k + ".0.0/24", Hits: n})
			want[tabSections]["/s"+k] += n
			want[tabClients]["10.0.0."+k] += n
			want[tabNetworks]["10."+k+".0.0/24"] += n
		}
		s.Methods = []record.MethodHits{{Method: "GET", Hits: int64(i%3 + 1)}}
		want[tabMethods]["GET"] += int64(i%3 + 1)
		rep.upTables.summary(&s)
	}
	rep.upTables.flush()
	for tab, w := range want {
		got := map[string]int64{}
		for _, e := range rep.upTables.lists[tab].Entries() {
			got[e.Key] = e.Count
		}
		if !maps.Equal(got, w) {
			t.Errorf("%s: %d keys counted, want %d exact sums", tableInfo[tab].title, len(got), len(w))
		}
	}
}

// TestLists: an interval's exact lists are counted whole in the tables,
// and a list that evicted (not exact) by its top SummaryTop entries; a
// summary made in-process adds nothing to the tables itself.
func TestLists(t *testing.T) {
	rep, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	exact := topk.New(1024)
	for i := range 300 {
		exact.Add([]byte("/s"+strconv.Itoa(i)), int64(1+i%7))
	}
	evicted := topk.New(100)
	for i := range 500 {
		evicted.Add([]byte("10.0.0."+strconv.Itoa(i)), int64(1+i%9))
	}
	if exact.Floor() != 0 || evicted.Floor() == 0 {
		t.Fatalf("floors %d and %d: the lists are not what the test needs", exact.Floor(), evicted.Floor())
	}
	methods, networks := topk.New(16), topk.New(16)
	methods.Add([]byte("GET"), 3)
	for range 2 {
		rep.Lists(exact, methods, evicted, networks)
		s := record.Summary{Sections: []record.SectionHits{{Section: "/not-counted", Hits: 5}}}
		if err := rep.Summary(&s); err != nil {
			t.Fatal(err)
		}
	}
	rep.ownTables.flush()
	counted := func(tab int) map[string]int64 {
		m := map[string]int64{}
		for _, e := range rep.ownTables.lists[tab].Entries() {
			m[e.Key] = e.Count
		}
		return m
	}
	wantSections := map[string]int64{}
	for _, e := range exact.Entries() {
		wantSections[e.Key] = 2 * e.Count
	}
	if got := counted(tabSections); !maps.Equal(got, wantSections) {
		t.Errorf("sections: %d keys counted, want the exact list's %d, twice each", len(got), len(wantSections))
	}
	wantClients := map[string]int64{}
	for _, e := range evicted.Top(nil, SummaryTop) {
		wantClients[e.Key] = 2 * e.Count
	}
	if got := counted(tabClients); !maps.Equal(got, wantClients) {
		t.Errorf("clients: %v, want the evicted list's top %d twice: %v", got, SummaryTop, wantClients)
	}
	if got := counted(tabMethods); !maps.Equal(got, map[string]int64{"GET": 6}) {
		t.Errorf("methods: %v", got)
	}
	if got := counted(tabNetworks); len(got) != 0 {
		t.Errorf("networks, from empty lists: %v", got)
	}
}
