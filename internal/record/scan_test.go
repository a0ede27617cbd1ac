package record

import (
	"math/rand/v2"
	"strconv"
	"sync"
	"testing"
	"time"
)

// naivePlainUntil is plainUntil one byte at a time: what the word-at-a-
// time scan must agree with.
func naivePlainUntil(s []byte, i int, high bool) int {
	for ; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || (high && c >= 0x80) {
			return i
		}
	}
	return i
}

// check compares plainUntil (high) or stringEnd with the naive scan.
func check(t *testing.T, s []byte, start int, high bool) {
	t.Helper()
	name, got := "stringEnd", 0
	if high {
		name, got = "plainUntil", plainUntil(s, start)
	} else {
		got = stringEnd(s, start)
	}
	if want := naivePlainUntil(s, start, high); got != want {
		t.Fatalf("%s(%q, %d) = %d, want %d", name, s, start, got, want)
	}
}

// TestPlainUntil checks both word-at-a-time scans against one byte at a
// time.
func TestPlainUntil(t *testing.T) {
	// Every byte value at every position of a 17-byte run of plain
	// text (two words and a tail), after a start offset, with and
	// without a second special byte behind it (borrows).
	for c := range 256 {
		for pos := range 17 {
			for _, second := range []int{-1, pos + 1, pos + 3} {
				s := []byte("abcdefghijklmnopq")
				s[pos] = byte(c)
				if second >= 0 && second < len(s) {
					s[second] = 0x01
				}
				for start := range 3 {
					for _, high := range []bool{false, true} {
						check(t, s, start, high)
					}
				}
			}
		}
	}
	// Random bytes drawn mostly from the plain ones.
	r := rand.New(rand.NewPCG(1, 2))
	for range 100000 {
		s := make([]byte, r.IntN(40))
		for i := range s {
			s[i] = byte(0x20 + r.IntN(0x60))
			if r.IntN(20) == 0 {
				s[i] = byte(r.IntN(256))
			}
		}
		start := r.IntN(len(s) + 1)
		high := r.IntN(2) == 0
		check(t, s, start, high)
	}
}

// TestAppendTime checks the hand-written formatter against the standard
// library's RFC 3339 formatting, across the whole range it handles and
// just beyond it.
func TestAppendTime(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	check := func(sec int64, nsec int32) {
		t.Helper()
		got := string(AppendTime(nil, sec, nsec))
		want := time.Unix(sec, int64(nsec)).UTC().Format(time.RFC3339Nano)
		if got != want {
			t.Fatalf("AppendTime(%d, %d) = %s, want %s", sec, nsec, got, want)
		}
	}
	edges := []int64{MinTime - 1, MinTime, MinTime + 86399, MinTime + 86400*59, MinTime + 86400*60, -1, 0, 1, 951782400, 951868800, 1431856800, EndTime - 1, EndTime}
	for _, sec := range edges {
		for _, nsec := range []int32{0, 1, 5e8, 123456789, 999999999, 100} {
			check(sec, nsec)
		}
	}
	for range 200000 {
		sec := MinTime - 86400 + r.Int64N(EndTime-MinTime+2*86400)
		var nsec int32
		if r.IntN(3) == 0 {
			nsec = int32(r.IntN(1e9))
		}
		check(sec, nsec)
	}
}

// TestAppendTimeConcurrent: goroutines writing times of different
// seconds at once, each through the cache of the last second, each get
// their own time right (run with -race too).
func TestAppendTimeConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf []byte
			for k := range 20000 {
				sec := int64(1431820800 + g*1000 + k%3)
				buf = AppendTime(buf[:0], sec, 0)
				if want := time.Unix(sec, 0).UTC().Format(time.RFC3339); string(buf) != want {
					t.Errorf("AppendTime(%d) = %s, want %s", sec, buf, want)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// BenchmarkAppendTime writes a time to the second and one to the
// microsecond (ALB's, Traefik's).
func BenchmarkAppendTime(b *testing.B) {
	buf := make([]byte, 0, 64)
	for _, nsec := range []int32{0, 79377000} {
		b.Run(strconv.Itoa(int(nsec)), func(b *testing.B) {
			for b.Loop() {
				buf = AppendTime(buf[:0], 1431820800, nsec)
			}
		})
	}
}

// TestIntValue checks the hand-written integer reader against strconv
// on numbers around the int64 limits and on what is not a JSON integer.
func TestIntValue(t *testing.T) {
	cases := []string{"0", "-0", "7", "-7", "00", "01", "-01", "", "-", "1.5", "1e3", "2+",
		"9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
		"18446744073709551615", "18446744073709551616", "99999999999999999999999", "922337203685477580", "9223372036854775806"}
	r := rand.New(rand.NewPCG(5, 6))
	for range 20000 {
		n := r.Uint64() >> r.IntN(64)
		s := strconv.FormatUint(n, 10)
		if r.IntN(2) == 0 {
			s = "-" + s
		}
		cases = append(cases, s)
	}
	for _, c := range cases {
		d := Decoder{line: []byte(c + ",")}
		got, err := d.intValue("n")
		want, werr := strconv.ParseInt(c, 10, 64)
		bad := werr != nil || (len(c) > 1 && c[0] == '0') || (len(c) > 2 && c[0] == '-' && c[1] == '0')
		if c == "1.5" || c == "1e3" || c == "2+" {
			bad = true
		}
		if bad != (err != nil) || (!bad && got != want) {
			t.Errorf("intValue(%q) = %d, %v; want %d, error %v", c, got, err, want, bad)
		}
	}
}

// TestDecoderKeep: with Keep, the unescaped fields of every record
// decoded stay as they were until Reset, as the stages' parsing ahead
// needs; without it they are only valid until the next call.
func TestDecoderKeep(t *testing.T) {
	records := []Request{
		{Sec: 1431857103, Remote: []byte("1.1.1.1"), Path: []byte(`/a"b`), Agent: []byte(`agent "one"`)},
		{Sec: 1431857104, Remote: []byte("2.2.2.2"), Path: []byte(`/c\d`), Agent: []byte(`agent "two"`)},
		{Sec: 1431857105, Remote: []byte("3.3.3.3"), Path: []byte(`/e"f`), Agent: []byte(`agent "three"`)},
	}
	d := Decoder{Keep: true}
	decoded := make([]Request, len(records))
	var want []string
	for i, r := range records {
		rec := r.AppendJSON(nil)
		want = append(want, string(rec))
		if _, err := d.Record(rec, &decoded[i]); err != nil {
			t.Fatal(err)
		}
	}
	for i := range records {
		if got := string(decoded[i].AppendJSON(nil)); got != want[i] {
			t.Errorf("decoded record %d after the others (-want +got):\n-%s\n+%s", i+1, want[i], got)
		}
	}
}
