package record

import (
	"fmt"
	"math"
	"time"
)

// Check reports a summary whose counts cannot be: negative, more
// of a kind than requests, an interval that is empty or reversed.
func (s *Summary) Check() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrBadRecord}, args...)...)
	}
	if !s.End.After(s.Start) {
		return bad("a summary ending at %s, not after its start %s", s.End.Format(time.RFC3339), s.Start.Format(time.RFC3339))
	}
	st := s.Status
	for _, n := range []int64{s.Requests, s.Bytes, s.Late, s.Timed, s.DistinctClients, st.C1xx, st.C2xx, st.C3xx, st.C4xx, st.C5xx, st.Other, st.None} {
		if n < 0 {
			return bad("negative counts")
		}
	}
	sum := st.C1xx + st.C2xx + st.C3xx + st.C4xx + st.C5xx + st.Other + st.None
	if sum != s.Requests {
		return bad("status classes of %d requests in a summary of %d", sum, s.Requests)
	}
	if s.Timed > s.Requests || s.Late > s.Requests || s.DistinctClients > s.Requests {
		return bad("more timed, late or distinct clients than the %d requests", s.Requests)
	}
	if !(s.Max >= 0) || math.IsInf(s.Max, 0) {
		return bad("a largest duration of %v", s.Max)
	}
	for _, l := range [][]int64{hitsOf(s.Sections, func(h SectionHits) (int64, int64) { return h.Hits, h.Error }),
		hitsOf(s.Methods, func(h MethodHits) (int64, int64) { return h.Hits, h.Error }),
		hitsOf(s.Clients, func(h ClientHits) (int64, int64) { return h.Hits, h.Error }),
		hitsOf(s.Networks, func(h NetworkHits) (int64, int64) { return h.Hits, h.Error })} {
		for i := 0; i < len(l); i += 2 {
			if l[i] < 1 || l[i+1] < 0 || l[i+1] > l[i] || l[i]-l[i+1] > s.Requests {
				return bad("a top list entry of %d hits (error %d) in a summary of %d requests", l[i], l[i+1], s.Requests)
			}
		}
	}
	return nil
}

func hitsOf[T any](list []T, f func(T) (int64, int64)) []int64 {
	out := make([]int64, 0, 2*len(list))
	for _, h := range list {
		n, e := f(h)
		out = append(out, n, e)
	}
	return out
}
