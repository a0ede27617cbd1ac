// Package seen remembers the summaries a stage has folded, by host and
// start, so that a summary repeated (a redelivery, a host's restart) is
// counted once (aggregate/merge.go, alert/merge.go), and forgets them by
// event time.
//
// The pairs are kept by second: a hub of 1,000 hosts holds 600,000 of
// them over its 10 minutes, and forgetting the old ones drops their
// seconds whole. One map of all the pairs, scanned whole to forget (every
// 1,024 summaries), took 21% of the CPU time of stats --interval 10s and
// 26% of alert's folding the summaries of 1,000 hosts (BenchmarkFleetHub,
// 11 minutes).
package seen

import (
	"cmp"
	"fmt"
	"slices"
)

// Key names a summary: its host and its start (Unix seconds). Its JSON is
// that of the states that keep the set.
type Key struct {
	Host  string `json:"host"`
	Start int64  `json:"start"`
}

// Set is a set of keys. The zero Set is empty and ready.
type Set struct {
	bySec  map[int64]map[string]struct{}
	n      int
	oldest int64 // no key starts before it (while n > 0)
}

// Has reports whether the set holds k.
func (s *Set) Has(k Key) bool {
	_, ok := s.bySec[k.Start][k.Host]
	return ok
}

// Add puts k in the set.
func (s *Set) Add(k Key) {
	if s.bySec == nil {
		s.bySec = map[int64]map[string]struct{}{}
	}
	hosts := s.bySec[k.Start]
	if hosts == nil {
		hosts = map[string]struct{}{}
		s.bySec[k.Start] = hosts
	}
	if _, ok := hosts[k.Host]; ok {
		return
	}
	hosts[k.Host] = struct{}{}
	if s.n == 0 || k.Start < s.oldest {
		s.oldest = k.Start
	}
	s.n++
}

// Len is the number of keys in the set.
func (s *Set) Len() int { return s.n }

// Forget drops the keys that start before horizon: the seconds from the
// oldest to horizon, or, when those are more than the seconds held (after
// a jump in time), the seconds held.
func (s *Set) Forget(horizon int64) {
	if s.n == 0 || horizon <= s.oldest {
		return
	}
	if horizon-s.oldest <= int64(len(s.bySec)) {
		for t := s.oldest; t < horizon; t++ {
			s.drop(t)
		}
	} else {
		for t := range s.bySec {
			if t < horizon {
				s.drop(t)
			}
		}
	}
	s.oldest = horizon
}

func (s *Set) drop(t int64) {
	if hosts, ok := s.bySec[t]; ok {
		s.n -= len(hosts)
		delete(s.bySec, t)
	}
}

// Keys returns the keys, by start, then host.
func (s *Set) Keys() []Key {
	l := s.list()
	slices.SortFunc(l, func(x, y Key) int {
		return cmp.Or(cmp.Compare(x.Start, y.Start), cmp.Compare(x.Host, y.Host))
	})
	return l
}

// list returns the keys in no order.
func (s *Set) list() []Key {
	if s.n == 0 {
		return nil
	}
	l := make([]Key, 0, s.n)
	for t, hosts := range s.bySec {
		for h := range hosts {
			l = append(l, Key{Host: h, Start: t})
		}
	}
	return l
}

// Run is keys of one host, in a state: the starts From, From+Every, ...
// up to To (Every 0: From alone). A host's summaries come one an interval,
// so a host's keys are one run, or a few: a hub of 1,000 hosts over 10
// minutes keeps 62 kB of runs where the list of its 600,000 keys took
// 22 MB of JSON, written at every save (every 5 s).
type Run struct {
	Host  string `json:"host"`
	From  int64  `json:"from"`
	To    int64  `json:"to"`
	Every int64  `json:"every,omitempty"`
}

// maxKeys bounds the keys a state's runs may stand for: a damaged or
// hostile state must give an error, not hours of adding. 10,000 hosts'
// 10 minutes of 1-second summaries are 6 M.
const maxKeys = 1 << 24

// Runs returns the keys as runs, by host, then start.
func (s *Set) Runs() []Run {
	keys := s.list() // sorted once, by host: a hub saves 600,000 keys every 5 s
	slices.SortFunc(keys, func(x, y Key) int {
		return cmp.Or(cmp.Compare(x.Host, y.Host), cmp.Compare(x.Start, y.Start))
	})
	var runs []Run
	for _, k := range keys {
		if n := len(runs); n > 0 {
			r := &runs[n-1]
			if r.Host == k.Host && (r.Every == 0 || k.Start-r.To == r.Every) {
				r.Every, r.To = k.Start-r.To, k.Start
				continue
			}
		}
		runs = append(runs, Run{Host: k.Host, From: k.Start, To: k.Start})
	}
	return runs
}

// AddRuns adds the keys of runs that Runs returned, and refuses runs no
// Set can have made.
func (s *Set) AddRuns(runs []Run) error {
	total := int64(0)
	for _, r := range runs {
		n := int64(1)
		switch {
		case r.To < r.From || r.To-r.From < 0 || (r.To > r.From) != (r.Every > 0) || r.Every < 0:
			return fmt.Errorf("seen summaries of %q from %d to %d every %d: not a run", r.Host, r.From, r.To, r.Every)
		case r.Every > 0:
			if (r.To-r.From)%r.Every != 0 {
				return fmt.Errorf("seen summaries of %q from %d to %d every %d: not a run", r.Host, r.From, r.To, r.Every)
			}
			n += (r.To - r.From) / r.Every
		}
		if total += n; total > maxKeys {
			return fmt.Errorf("more than %d seen summaries", maxKeys)
		}
		for t := r.From; ; t += r.Every {
			s.Add(Key{Host: r.Host, Start: t})
			if t >= r.To {
				break
			}
		}
	}
	return nil
}
