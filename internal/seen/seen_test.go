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
