package gen

import (
	"math"
	"math/rand/v2"
	"time"
)

// The latency model: a request's duration is drawn from a log-normal body
// with a Pareto tail, the shape measured web latencies have (most
// requests quick and alike, a few very slow ones that an average hides).
//
//   - body, 1-TailShare of the requests: log-normal with median
//     BodyMedian and sigma BodySigma (its own p99 is about 200 ms);
//   - tail, TailShare of them: Pareto from TailMin with index TailIndex
//     (P(d > x) = (TailMin/x)^TailIndex), so slow requests come in all
//     sizes, and heavier the lower the index;
//   - every duration is multiplied by the phase's latency factor and cut
//     at MaxDuration, a proxy's timeout (nginx's proxy_read_timeout is 60 s).
//
// Quantiles of the mix at x1, which TestDurationQuantiles checks over a
// million draws: p50 51 ms, p90 120 ms, p99 about 520 ms, p99.9 about 2.6 s.
const (
	BodyMedian  = 50 * time.Millisecond
	BodySigma   = 0.6
	TailShare   = 0.03
	TailMin     = 250 * time.Millisecond
	TailIndex   = 1.5
	MaxDuration = 60 * time.Second
)

// Duration draws a request's duration with latency factor slow (0 means
// 1), to the nanosecond, from r: always one Float64 and one NormFloat64,
// so the draws after it do not depend on which part it fell in.
func Duration(r *rand.Rand, slow float64) time.Duration {
	u, z := r.Float64(), r.NormFloat64()
	var s float64
	if u < TailShare {
		// u/TailShare is uniform on [0, 1): inverse of the Pareto CDF.
		s = TailMin.Seconds() * math.Pow(1-u/TailShare, -1/TailIndex)
	} else {
		s = BodyMedian.Seconds() * math.Exp(BodySigma*z)
	}
	if slow > 0 {
		s *= slow
	}
	return min(time.Duration(s*1e9), MaxDuration)
}
