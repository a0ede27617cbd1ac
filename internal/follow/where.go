package follow

// maxSegments is how many segments Where remembers. A segment starts at
// each change of file (rotation, truncation, resume), so 64 of them is
// far more than can happen between a line being read and its position
// being asked for, and memory stays bounded however long the follow runs.
const maxSegments = 64

// segment is a run of the stream that comes from one file, contiguously:
// the stream byte at offset stream is the byte at offset off of the file
// with identity id, read under path, and so on up to the next segment.
type segment struct {
	stream int64
	id     string
	off    int64
	path   string
}

// segments maps stream offsets to files. Lookups go mostly forwards in
// small steps (Where is called once per line, in order), so the segment
// found last is where the next lookup starts.
type segments struct {
	list []segment // in increasing stream order
	hint int       // index of the segment found last
}

// add appends a segment starting after every other, dropping the oldest
// once there are maxSegments.
func (s *segments) add(seg segment) {
	if len(s.list) == maxSegments {
		copy(s.list, s.list[1:])
		s.list = s.list[:len(s.list)-1]
		if s.hint > 0 {
			s.hint--
		}
	}
	s.list = append(s.list, seg)
}

// find returns the index of the segment holding stream offset off, or -1
// when off is before the first segment remembered.
func (s *segments) find(off int64) int {
	l := s.list
	if len(l) == 0 || off < l[0].stream {
		return -1
	}
	i := s.hint
	if i >= len(l) || l[i].stream > off {
		i = 0 // a step back: rare, and at most maxSegments steps forward
	}
	for i+1 < len(l) && l[i+1].stream <= off {
		i++
	}
	s.hint = i
	return i
}
