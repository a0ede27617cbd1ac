package latency

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestRound(t *testing.T) {
	for _, c := range []struct{ in, want float64 }{
		{0, 0}, {0.012345678, 0.012346}, {1.23456789, 1.2346}, {123456.7, 123460}, {2e-7, 2e-7}, {0.1, 0.1},
		{math.MaxFloat64, math.MaxFloat64},
	} {
		if g := Round(c.in); g != c.want {
			t.Errorf("Round(%v) = %v, want %v", c.in, g, c.want)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 100_000 {
		x := math.Exp(rng.Float64()*60 - 30)
		if rel := math.Abs(Round(x)-x) / x; rel > 5e-5 {
			t.Fatalf("Round(%v) = %v: %.6f%% off", x, Round(x), rel*100)
		}
	}
}

func TestClampAndAdd(t *testing.T) {
	s := New()
	for _, d := range []float64{-1, math.NaN(), 0, math.Inf(1), 1e308, 5e-324, 0.5} {
		Add(s, d)
	}
	// Negative, NaN and 5e-324 (below the smallest indexable) are 0.
	if s.GetCount() != 7 || s.GetZeroCount() != 4 {
		t.Errorf("count %v, zeros %v: want 7, 4", s.GetCount(), s.GetZeroCount())
	}
}

// TestEncodeDecode: a sketch goes through its encoding whole, and bytes
// that are not one give an error, never a panic.
func TestEncodeDecode(t *testing.T) {
	s := New()
	rng := rand.New(rand.NewPCG(3, 4))
	for range 10_000 {
		Add(s, math.Exp(rng.NormFloat64()-3))
	}
	data := Encode(nil, s)
	back := New()
	if err := Decode(back, data); err != nil {
		t.Fatal(err)
	}
	for _, q := range []float64{0, 0.5, 0.99, 1} {
		if a, b := Quantile(s, q, 10), Quantile(back, q, 10); a != b {
			t.Errorf("q%v: %v before, %v after", q, a, b)
		}
	}
	for i := range len(data) {
		_ = Decode(New(), data[:i]) // no panic
		flipped := append([]byte(nil), data...)
		flipped[i] ^= 0xa5
		_ = Decode(New(), flipped)
	}
	if err := Decode(New(), []byte{0x00}); err == nil {
		t.Error("garbage decoded")
	}
}

// BenchmarkAdd: one duration into an interval's sketch, what stats adds
// per timed request.
func BenchmarkAdd(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	d := make([]float64, 4096)
	for i := range d {
		d[i] = math.Exp(rng.NormFloat64()*1.2 - 3)
	}
	s := New()
	b.ReportAllocs()
	for i := range b.N {
		Add(s, d[i&4095])
	}
}
