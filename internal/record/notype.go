package record

import (
	"bytes"
)

// plainObject says that line is a JSON object, valid as Decoder.Record
// reads JSON, without a "type" key and without a backslash: a JSON access
// log's line (Caddy's, Traefik's), for which Record's answer is ErrNoType.
// It answers false whenever it is unsure (an escape, a control character,
// deep nesting, anything Record would refuse), and Record then reads the
// line as ever, so that its answer never changes.
//
// Why: parse tries each line that starts with '{' as a record first, and
// Record decoded the whole of a Traefik JSON line (920 bytes, 37 keys) to
// find it has no type: a third of the CPU of parse --log-format
// traefik-json. This scan keeps no fields and looks at strings 8 bytes at
// a time, the first words inline (with a call to stringEnd for each
// string it took 0.66 us of CPU on BenchmarkPlainObject's 980 bytes).
func plainObject(line []byte) bool {
	i := spaceEnd(line, 0)
	if i == len(line) || line[i] != '{' {
		return false
	}
	// objs has bit d-1 set when the container at depth d is an object.
	// Record skips a value nested d deep with skipValue(d-1), which
	// refuses more than MaxDepth: well within.
	const maxDepth = 64
	objs, depth := uint64(1), 1
	i = spaceEnd(line, i+1)
	if i < len(line) && line[i] == '}' { // {}
		return spaceEnd(line, i+1) == len(line)
	}
	closed := false // a container just closed: the value read
	for {
		if !closed {
			if objs>>(depth-1)&1 != 0 {
				// A key, then ':'.
				if i == len(line) || line[i] != '"' {
					return false
				}
				end := stringEnd(line, i+1)
				if end == len(line) || line[end] != '"' {
					return false // an escape, a control character, no end
				}
				if depth == 1 && end-i == 5 && string(line[i+1:end]) == "type" {
					return false
				}
				i = spaceEnd(line, end+1)
				if i == len(line) || line[i] != ':' {
					return false
				}
				i = spaceEnd(line, i+1)
			}
			if i == len(line) {
				return false
			}
			switch c := line[i]; {
			case c == '"':
				end := stringEnd(line, i+1)
				if end == len(line) || line[end] != '"' {
					return false
				}
				i = end + 1
			case c == '{' || c == '[':
				if depth == maxDepth {
					return false
				}
				if c == '{' {
					objs |= 1 << depth
				} else {
					objs &^= 1 << depth
				}
				depth++
				i = spaceEnd(line, i+1)
				if i < len(line) && line[i] == c+2 { // '{'+2 is '}', '['+2 is ']'
					i++
					depth--
					closed = true
					break
				}
				continue // its first member or element
			case c == 't':
				if !hasWord(line, i, "true") {
					return false
				}
				i += 4
			case c == 'f':
				if !hasWord(line, i, "false") {
					return false
				}
				i += 5
			case c == 'n':
				if !hasWord(line, i, "null") {
					return false
				}
				i += 4
			default:
				if i = numberEnd(line, i); i < 0 {
					return false
				}
			}
		}
		// After a value: ',' and the next, or the ends of containers.
		closed = false
		for {
			i = spaceEnd(line, i)
			if i == len(line) {
				return false
			}
			c := line[i]
			if c == ',' {
				i = spaceEnd(line, i+1)
				break
			}
			want := byte(']')
			if objs>>(depth-1)&1 != 0 {
				want = '}'
			}
			if c != want {
				return false
			}
			i++
			depth--
			if depth == 0 {
				return spaceEnd(line, i) == len(line)
			}
		}
	}
}

// spaceEnd returns the index of the first byte at or after i that is no
// JSON space.
func spaceEnd(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}

func hasWord(b []byte, i int, w string) bool {
	return len(b)-i >= len(w) && string(b[i:i+len(w)]) == w
}

// numberEnd returns the index after the JSON number at b[i:], -1 if there
// is none.
func numberEnd(b []byte, i int) int {
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
	default:
		return -1
	}
	if i < len(b) && b[i] == '.' {
		i++
		start := i
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		if i == start {
			return -1
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		start := i
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		if i == start {
			return -1
		}
	}
	return i
}

// MayBeRecord says whether Record could read line as a record: false
// only when it surely cannot, the line having neither the key "type"
// written out nor a backslash (with which a key could spell it). It is
// for a caller that reads log lines among which records may come, and
// wants only the records: a JSON access log's line then costs two
// vectorised searches instead of Record's scan (0.66 us of CPU for a
// 980-byte Traefik line, BenchmarkPlainObject).
func MayBeRecord(line []byte) bool {
	return hasTypeKey(line) || bytes.IndexByte(line, '\\') >= 0
}

// hasTypeKey is bytes.Contains(b, []byte(`"type"`)), found from its 'y'.
// bytes.Contains looks for the first byte, '"', which a JSON log has
// every 9 bytes: it soon gives up on bytes.IndexByte and compares at
// every offset, 255 ns for a 980-byte Traefik line (and a fifth of the
// CPU profile of `parse --log-format traefik-json`). Such a line has 2
// or 3 y's, each found by bytes.IndexByte 32 bytes a step: 37 ns with
// the search for a backslash (BenchmarkMayBeRecord).
func hasTypeKey(b []byte) bool {
	const key = `"type"`
	for i := 2; i < len(b); i++ { // b[i] is key's 'y', at key[2]
		j := bytes.IndexByte(b[i:], 'y')
		if j < 0 {
			return false
		}
		i += j
		if i+len(key)-2 <= len(b) && string(b[i-2:i-2+len(key)]) == key {
			return true
		}
	}
	return false
}
