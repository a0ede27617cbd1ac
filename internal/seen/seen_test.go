package seen

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestSet runs random additions and forgets, some after jumps in time,
// against a plain map of keys: the same keys held, the same count.
func TestSet(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var s Set
	model := map[Key]bool{}
	newest := int64(1_000_000)
	for i := range 100_000 {
		switch r := rng.IntN(1000); {
		case r == 0: // a jump, forward or back
			newest += rng.Int64N(2_000_000) - 1_000_000
		case r < 10:
			horizon := newest - rng.Int64N(50)
			s.Forget(horizon)
			for k := range model {
				if k.Start < horizon {
					delete(model, k)
				}
			}
		default:
			if rng.IntN(4) == 0 {
				newest++
			}
			k := Key{Host: fmt.Sprintf("web%d", rng.IntN(30)), Start: newest - rng.Int64N(40)}
			if got := s.Has(k); got != model[k] {
				t.Fatalf("step %d: Has(%v) = %v, want %v", i, k, got, model[k])
			}
			s.Add(k)
			model[k] = true
		}
		if s.Len() != len(model) {
			t.Fatalf("step %d: Len() = %d, want %d", i, s.Len(), len(model))
		}
	}
	var want []Key
	for k := range model {
		want = append(want, k)
	}
	slices.SortFunc(want, func(x, y Key) int {
		return cmp.Or(cmp.Compare(x.Start, y.Start), cmp.Compare(x.Host, y.Host))
	})
	if got := s.Keys(); !slices.Equal(got, want) {
		t.Errorf("Keys() = %d keys, want %d (-want +got):\n-%v\n+%v", len(got), len(want), want, got)
	}
}

func TestZeroSet(t *testing.T) {
	var s Set
	s.Forget(10)
	if s.Has(Key{"a", 1}) || s.Len() != 0 || s.Keys() != nil {
		t.Errorf("the zero Set is not empty")
	}
	s.Add(Key{"a", 1})
	s.Add(Key{"a", 1})
	if !s.Has(Key{"a", 1}) || s.Len() != 1 {
		t.Errorf("a key added twice: Has %v, Len %d, want true, 1", s.Has(Key{"a", 1}), s.Len())
	}
	s.Forget(1)
	if s.Len() != 1 {
		t.Errorf("Forget(1) dropped a key that starts at 1")
	}
	s.Forget(2)
	if s.Has(Key{"a", 1}) || s.Len() != 0 {
		t.Errorf("Forget(2) kept a key that starts at 1")
	}
}

// TestRuns: the keys go to runs and back unchanged, a host's summaries
// of consecutive intervals (1 s or 10 s apart, with a gap) make one run
// for each stretch, and the runs of a hub's 1,000 hosts over 10 minutes
// are 1,000.
func TestRuns(t *testing.T) {
	var s Set
	for sec := int64(100); sec < 110; sec++ {
		s.Add(Key{"web1", sec})
	}
	for sec := int64(200); sec <= 300; sec += 10 {
		s.Add(Key{"web2", sec})
	}
	s.Add(Key{"web2", 500})
	s.Add(Key{"web3", 7})
	want := []Run{{"web1", 100, 109, 1}, {"web2", 200, 300, 10}, {"web2", 500, 500, 0}, {"web3", 7, 7, 0}}
	if got := s.Runs(); !slices.Equal(got, want) {
		t.Errorf("Runs() = %v, want %v", got, want)
	}
	var back Set
	if err := back.AddRuns(s.Runs()); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(back.Keys(), s.Keys()) {
		t.Errorf("back from runs: %v, want %v", back.Keys(), s.Keys())
	}

	var hub Set
	for sec := range int64(600) {
		for h := range 1000 {
			hub.Add(Key{fmt.Sprint("web", h), 1_431_856_800 + sec})
		}
	}
	if n := len(hub.Runs()); n != 1000 {
		t.Errorf("%d runs for 1,000 hosts, want 1,000", n)
	}
}

// TestAddRunsRefuses: runs no Set can have made, from a damaged state, are
// refused, the huge ones before any is added.
func TestAddRunsRefuses(t *testing.T) {
	for _, r := range []Run{
		{"a", 10, 5, 1},               // backwards
		{"a", 10, 20, 0},              // no step
		{"a", 10, 10, 3},              // a step for one key
		{"a", 10, 20, 3},              // not on the step
		{"a", 10, 20, -1},             // negative
		{"a", 0, 1 << 40, 1},          // too many
		{"a", -1 << 63, 1<<63 - 1, 1}, // overflow
	} {
		var s Set
		if err := s.AddRuns([]Run{r}); err == nil {
			t.Errorf("AddRuns(%v) accepted", r)
		}
	}
}
