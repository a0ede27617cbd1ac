package source

import (
	"bufio"
	"io"
	"math"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/logmon/logmon/internal/input"
)

// merge reads several inputs as one stream of lines in time order. The
// files are taken in the order of their first times, and a file is read
// on while its lines are no more than Slack later than the earliest line
// waiting in the others; past that the earliest line goes first. So a
// rotated set named in any order comes out as cat of it in time order,
// although a log is never quite in order (a line is stamped when the
// request came and written when it ended), and files whose times overlap
// (two servers' logs) are interleaved by time, out of order by no more
// than Slack. A line without a time it can tell goes with the line before
// it in its file.
type merge struct {
	ins    []*lineSource
	cur    int // the file read now
	timeOf TimeOf
	buf    []byte // the line chosen
	out    []byte // what of it is not read yet
	outOff int64  // stream offset of out[0]
	err    error
	segs   segments // where the stream's bytes came from
}

// Slack is how much later than the other files' next lines a file's
// lines may be and still be read on: the default --lateness, within which
// a later stage counts a line out of order in its own second anyway.
const Slack = 5 * time.Second

// segment: stream bytes from stream on came from file from offset off.
type segment struct {
	stream int64
	file   int
	off    int64
}

// maxSegments bounds what Where remembers. The input layer asks of a
// line at most a few batches (a few hundred KiB) after it was read, a few
// thousand lines; a segment per line when the files interleave line by
// line keeps that 16 times over.
const maxSegments = 1 << 16

// lineSource is one input, a line at a time.
type lineSource struct {
	name string
	br   *bufio.Reader
	line []byte // the next line, with its newline; nil at the end
	long []byte // a line longer than the reader's buffer, gathered
	off  int64  // offset of line in the input
	next int64  // offset of the line after it
	t    int64  // line's time, ns; the time of the line before when it has none
	err  error
}

// maxKeep is the most of one line kept: the input layer takes record
// lines up to input.MaxRecord, and a longer one is bad whatever follows
// its first input.MaxRecord+1 bytes.
const maxKeep = input.MaxRecord + 1

// readBuf is each input's read buffer: 256 KiB reads cost no more per
// byte than larger ones, and hold a few thousand typical lines.
const readBuf = 256 << 10

func newMerge(ins []*namedIn, timeOf TimeOf) (*merge, error) {
	m := &merge{timeOf: timeOf}
	for _, in := range ins {
		ls := &lineSource{name: in.name, br: bufio.NewReaderSize(in.r, readBuf), t: math.MinInt64}
		ls.advance(timeOf)
		if ls.err != nil {
			return nil, ls.err
		}
		m.ins = append(m.ins, ls)
	}
	// The order of the files' first lines with a time: a rotated set is
	// told apart by them, so equal times keep the set's order.
	firsts := make([]int64, len(m.ins))
	for i, ls := range m.ins {
		firsts[i] = ls.t
	}
	idx := make([]int, len(m.ins))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return firsts[idx[a]] < firsts[idx[b]] })
	sorted := make([]*lineSource, len(m.ins))
	for i, j := range idx {
		sorted[i] = m.ins[j]
	}
	m.ins = sorted
	return m, nil
}

// advance reads ls's next line and its time.
func (ls *lineSource) advance(timeOf TimeOf) {
	ls.off = ls.next
	ls.line, ls.long = nil, ls.long[:0]
	gathering := false // the line is longer than the read buffer
	for {
		part, err := ls.br.ReadSlice('\n')
		ls.next += int64(len(part))
		if err == bufio.ErrBufferFull || gathering {
			if room := maxKeep - len(ls.long); room > 0 {
				ls.long = append(ls.long, part[:min(len(part), room)]...)
			}
			if err == bufio.ErrBufferFull {
				gathering = true
				continue
			}
			part = ls.long
		}
		if err != nil && err != io.EOF {
			ls.err = err
		}
		if len(part) > 0 {
			ls.line = part
		}
		break
	}
	if ls.line == nil {
		return
	}
	text := ls.line
	if n := len(text); n > 0 && text[n-1] == '\n' {
		text = text[:n-1]
		if n := len(text); n > 0 && text[n-1] == '\r' {
			text = text[:n-1]
		}
	}
	if t, ok := timeOf(text); ok {
		ls.t = t
	}
}

// Read implements io.Reader: the earliest next line of the inputs,
// as many as fit in p.
func (m *merge) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(m.out) == 0 {
			if m.err != nil {
				break
			}
			m.fill()
			continue
		}
		k := copy(p[n:], m.out)
		m.out = m.out[k:]
		m.outOff += int64(k)
		n += k
	}
	if n == 0 && m.err != nil {
		return 0, m.err
	}
	return n, nil
}

// fill takes the next line into out: the current file's, while it is no
// more than Slack later than the earliest line waiting in the others;
// else the earliest, whose file is then the current one. A linear scan
// rather than a heap: a command is given a handful of files, and for ten
// of them the scan costs less than the time of a line.
func (m *merge) fill() {
	best := -1
	for i, ls := range m.ins {
		if ls.err != nil {
			m.err = ls.err
			return
		}
		if ls.line != nil && i != m.cur && (best < 0 || ls.t < m.ins[best].t) {
			best = i
		}
	}
	if cur := m.ins[m.cur]; cur.line != nil && (best < 0 || cur.t <= m.ins[best].t+Slack.Nanoseconds()) {
		best = m.cur
	}
	if best < 0 {
		m.err = io.EOF
		return
	}
	m.cur = best
	ls := m.ins[best]
	stream := m.outOff + int64(len(m.out))
	m.segs.note(stream, best, ls.off)
	// Copied, as ls.line lives only until ls reads on; into the one
	// buffer, which Read has emptied.
	m.buf = append(m.buf[:0], ls.line...)
	if ls.line[len(ls.line)-1] != '\n' {
		m.buf = append(m.buf, '\n') // a last line without one ends here
	}
	m.out = m.buf
	ls.advance(m.timeOf)
}

// where is Source.Where: the file and offset of the stream's byte off.
func (m *merge) where(off int64) (id string, offset int64, path string) {
	s, ok := m.segs.find(off)
	if !ok {
		return "", -1, ""
	}
	return "", s.off + off - s.stream, m.ins[s.file].name
}

// segments remembers where a merged stream's bytes came from, for Where,
// which the input layer's handler calls while the merge goes on.
type segments struct {
	mu   sync.Mutex
	list []segment // oldest first
}

// note remembers that the stream's bytes from stream on come from file
// at off, unless they go on the segment before.
func (s *segments) note(stream int64, file int, off int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n := len(s.list); n > 0 {
		last := s.list[n-1]
		if last.file == file && last.off+(stream-last.stream) == off {
			return
		}
	}
	if len(s.list) == maxSegments {
		s.list = slices.Delete(s.list, 0, maxSegments/2)
	}
	s.list = append(s.list, segment{stream: stream, file: file, off: off})
}

// find returns the segment holding stream byte off; ok is false when it
// is older than those remembered.
func (s *segments) find(off int64) (seg segment, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := sort.Search(len(s.list), func(i int) bool { return s.list[i].stream > off }) - 1
	if i < 0 {
		return segment{}, false
	}
	return s.list[i], true
}
