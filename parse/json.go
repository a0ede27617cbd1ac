package parse

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"strings"

	"github.com/logmon/logmon/internal/record"
)

// JSON access logs: one JSON object a line, whose keys (dotted paths into
// nested objects, such as Caddy's request.remote_ip) fill the request's
// fields. Caddy's, Traefik's and nginx's (the key names of nginx's
// escape=json guides) are named formats; any other is given by a key
// mapping, "json:time=ts,remote=request.remote_ip,..." (see jsonMapping
// and README, "JSON logs"). All of them are one reader, a jsonSpec
// walked by a purpose-built scanner over the line's bytes: values are
// subslices of the line (strings with escapes are unescaped into the
// parser's scratch buffer), so a line is parsed without allocating.

// jsonField is a request field a JSON log's key fills.
type jsonField uint8

const (
	jTime jsonField = iota
	jRemote
	jUser
	jMethod
	jPath
	jProtocol
	jRequest
	jStatus
	jBytes
	jReferer
	jAgent
	jVHost
	jDuration
	jUpstreamStatus
	jUpstreamDuration
	jForwarded
	jFields // how many
)

// jsonFieldNames are the names a key mapping gives the fields: those of
// the request record.
var jsonFieldNames = [jFields]string{
	"time", "remote", "user", "method", "path", "protocol", "request", "status", "bytes",
	"referer", "agent", "vhost", "duration", "upstream_status", "upstream_duration", "forwarded_for",
}

// unit is the unit of a duration, or of a time given as a number since
// the Unix epoch.
type unit uint8

const (
	unitAuto  unit = iota // a duration: seconds; a time: told by its magnitude
	unitS                 // seconds
	unitMS                // milliseconds
	unitUS                // microseconds
	unitNS                // nanoseconds
	unitCaddy             // a duration: a number with a fraction is seconds, an integer nanoseconds (Caddy's duration_format nano)
)

// units are the unit suffixes of a key mapping; their index is the unit.
var units = [...]string{unitS: "s", unitMS: "ms", unitUS: "us", unitNS: "ns"}

// exp10 is the power of ten a value in the unit is of seconds, negated.
func (u unit) exp10() int {
	switch u {
	case unitMS:
		return 3
	case unitUS:
		return 6
	case unitNS:
		return 9
	}
	return 0
}

// A jsonLeaf is a key whose value fills a field.
type jsonLeaf struct {
	field jsonField
	unit  unit
	rank  uint8  // of the key among the field's: a higher rank wins, whatever the order of the keys
	bit   uint64 // marks the key seen, for detect
	path  string // the key's dotted path, for messages
}

// A jsonKey is a key of an object: its value fills a field (leaf), or is
// an object with keys of the spec (child), or either.
type jsonKey struct {
	name   string
	w0, w1 uint64 // name's first 16 bytes, zero-padded (keyWords)
	path   string // the dotted path to it, for messages
	leaf   *jsonLeaf
	child  *jsonNode
}

// A jsonNode is an object of the spec: the keys that matter in it.
type jsonNode struct {
	keys []jsonKey
	// table indexes keys by keyHash, open addressing: the index of a key
	// plus one, 0 for none. A line's objects have many keys the spec
	// does not know (Traefik's 30, Caddy's TLS and headers), and a linear
	// search over the spec's keys for each took 40 % of a Traefik line;
	// with the table most unknown keys cost one hash and one empty slot.
	table []uint16
	shift uint // 64 - log2(len(table)): keyHash's top bits index table
	id    int  // the node's number in its spec, for the parser's keyOrder
}

// keyWords returns the first 16 bytes of a key as two little-endian
// words, zero-padded: with its length, all of a key up to 16 bytes,
// which lookup compares as two words (object reads them off the line
// as it finds the key's end).
func keyWords(name []byte) (w0, w1 uint64) {
	for i := 0; i < len(name) && i < 16; i++ {
		if i < 8 {
			w0 |= uint64(name[i]) << (8 * i)
		} else {
			w1 |= uint64(name[i]) << (8 * (i - 8))
		}
	}
	return w0, w1
}

// keyHash hashes a key by its first 16 bytes and its length
// (multiplicative: the top bits of the product depend on every byte).
func keyHash(w0, w1 uint64, n int) uint64 {
	return (w0 ^ (w1+uint64(n))*0xff51afd7ed558ccd) * 0x9e3779b97f4a7c15
}

// lookup returns the spec's key of that name, nil for one that does not
// matter; w0 and w1 are its keyWords. The table compares the two words
// and the length, and the bytes past 16 alone: a key of up to 16 bytes
// (most are) costs no call to compare strings, which with the hash of
// its length and first and last bytes was a fifth of a Traefik line
// (18 of its 37 keys are the spec's, each compared whole).
func (n *jsonNode) lookup(name []byte, w0, w1 uint64) *jsonKey {
	if n.table == nil {
		return n.find(name)
	}
	mask := uint64(len(n.table) - 1)
	for h := keyHash(w0, w1, len(name)) >> n.shift; ; h = (h + 1) & mask {
		i := n.table[h]
		if i == 0 {
			return nil
		}
		k := &n.keys[i-1]
		if k.w0 == w0 && k.w1 == w1 && len(k.name) == len(name) && (len(name) <= 16 || string(name[16:]) == k.name[16:]) {
			return k
		}
	}
}

// typeWord is the key "type" as keyWords gives its first word.
const typeWord = 't' | 'y'<<8 | 'p'<<16 | 'e'<<24

// keyOrder is what a parser remembers of the last line of a JSON log:
// each object's keys in the order they came, and what lookup found for
// each. A server writes its keys in the same order on every line, so the
// next line's i-th key of an object is most likely the last line's: one
// comparison of two words and a length, where lookup hashes the key and
// probes the table (17 % of a Caddy line's parse in a profile). In
// BenchmarkGenTraffic, the least of 5 runs in turn with the build
// before: caddy 624 to 599 ns a line, nginx-json 400 to 385, and
// traefik-json 771 to 754 (its lines have a key or two more or fewer
// from one to the next, which moves the keys after them). A key not
// where it was is looked up, and takes that place.
type keyOrder struct {
	spec *jsonSpec
	keys [][]seenKey // by node id: the node's keys on the last line
}

// seenKey is a key as keyWords and its length say it, and the spec's
// key of that name (nil: one that does not matter).
type seenKey struct {
	w0, w1 uint64
	n      int
	k      *jsonKey
}

// is says whether name, whose keyWords are w0 and w1, is the key sk
// says: a key past 16 bytes only when it is the spec's, whose name has
// the rest.
func (sk *seenKey) is(name []byte, w0, w1 uint64) bool {
	return sk.w0 == w0 && sk.w1 == w1 && sk.n == len(name) &&
		(len(name) <= 16 || sk.k != nil && string(name[16:]) == sk.k.name[16:])
}

// maxOrder bounds the keys remembered of one object.
const maxOrder = 64

// of returns what the last line had of node's keys, spec being the one
// the parser reads now.
func (o *keyOrder) of(spec *jsonSpec, node *jsonNode) []seenKey {
	if o.spec != spec {
		o.spec, o.keys = spec, make([][]seenKey, spec.nodes)
	}
	return o.keys[node.id]
}

// remember says node's i-th key on this line is sk.
func (o *keyOrder) remember(node *jsonNode, i int, sk seenKey) {
	switch ks := o.keys[node.id]; {
	case i < len(ks):
		ks[i] = sk
	case i == len(ks) && i < maxOrder:
		o.keys[node.id] = append(ks, sk)
	}
}

// find is lookup by a linear search, while the spec is built.
func (n *jsonNode) find(name []byte) *jsonKey {
	for i := range n.keys {
		if string(name) == n.keys[i].name {
			return &n.keys[i]
		}
	}
	return nil
}

// index builds the tables of n and the nodes below it, once the spec is
// complete, and numbers them from *ids on.
func (n *jsonNode) index(ids *int) {
	n.id = *ids
	*ids++
	size, bits := 8, uint(3)
	for size < 4*len(n.keys) {
		size *= 2
		bits++
	}
	n.table = make([]uint16, size)
	n.shift = 64 - bits
	mask := uint64(size - 1)
	for i := range n.keys {
		k := &n.keys[i]
		k.w0, k.w1 = keyWords([]byte(k.name))
		h := keyHash(k.w0, k.w1, len(k.name)) >> n.shift
		for n.table[h] != 0 {
			h = (h + 1) & mask
		}
		n.table[h] = uint16(i + 1)
		if c := k.child; c != nil {
			c.index(ids)
		}
	}
}

// A jsonSpec is a JSON log format: which keys fill which fields.
type jsonSpec struct {
	root  jsonNode
	paths [jFields][]string // the keys of each field, best first, for messages
	// detect: for auto, a line is of the format when, for each group, one
	// of its keys is in the line (each group a mask of leaf bits).
	groups  []uint64
	bits    map[string]uint64 // of each path, to build groups
	request bool              // maps method, path or request: a line must have one
	nodes   int               // how many nodes: root and the objects below it
}

// newJSONSpec compiles a spec from its fields, each a list of
// alternatives "path" or "path:unit", best first. It panics on an error:
// for the named formats, whose specs are fixed (see parseMapping for the
// user's).
func newJSONSpec(fields map[jsonField][]string, groups ...[]string) *jsonSpec {
	s := &jsonSpec{bits: map[string]uint64{}}
	for f := range jFields {
		for i, alt := range fields[f] {
			path, u := alt, unitAuto
			if c := strings.LastIndexByte(alt, ':'); c >= 0 {
				path = alt[:c]
				u = unitOf(alt[c+1:])
			}
			if err := s.add(f, path, u, len(fields[f])-i); err != nil {
				panic(err)
			}
		}
	}
	for _, g := range groups {
		var m uint64
		for _, p := range g {
			b, ok := s.bits[p]
			if !ok {
				panic("detect group key not in spec: " + p)
			}
			m |= b
		}
		s.groups = append(s.groups, m)
	}
	s.root.index(&s.nodes)
	return s
}

// unitOf is the unit a suffix names; the named formats' "caddy" too.
func unitOf(s string) unit {
	if s == "caddy" {
		return unitCaddy
	}
	for u, name := range units {
		if name == s && name != "" {
			return unit(u)
		}
	}
	panic("unknown unit " + s)
}

// maxSegments bounds the keys of a path: a path of n keys is also looked
// for with some of its dots inside keys ("http.request.method" as one
// key, as flattened logs have it), 2^(n-1) ways.
const maxSegments = 8

// add adds the key path (dot-separated) to the spec as a leaf of field f.
func (s *jsonSpec) add(f jsonField, path string, u unit, rank int) error {
	segs := strings.Split(path, ".")
	for _, seg := range segs {
		if seg == "" {
			return fmt.Errorf("empty key in path %q", path)
		}
	}
	if len(segs) > maxSegments {
		return fmt.Errorf("path %q has more than %d keys", path, maxSegments)
	}
	if len(s.bits) == 64 {
		return fmt.Errorf("more than 64 keys")
	}
	if _, dup := s.bits[path]; dup {
		return fmt.Errorf("key %q is given twice", path)
	}
	leaf := &jsonLeaf{field: f, unit: u, rank: uint8(rank), bit: 1 << len(s.bits), path: path}
	s.bits[path] = leaf.bit
	s.paths[f] = append(s.paths[f], path)
	s.request = s.request || f == jMethod || f == jPath || f == jRequest
	// Every way of grouping the segments into keys.
	for mask := 0; mask < 1<<(len(segs)-1); mask++ {
		node := &s.root
		start := 0
		for i := range segs {
			if i < len(segs)-1 && mask&(1<<i) != 0 {
				continue // a dot inside this key
			}
			name := strings.Join(segs[start:i+1], ".")
			start = i + 1
			k := node.find([]byte(name))
			if k == nil {
				node.keys = append(node.keys, jsonKey{name: name, path: strings.Join(segs[:i+1], ".")})
				k = &node.keys[len(node.keys)-1]
			}
			if i == len(segs)-1 {
				if k.leaf != nil {
					return fmt.Errorf("key %q is given twice", path)
				}
				k.leaf = leaf
				break
			}
			if k.child == nil {
				k.child = &jsonNode{}
			}
			node = k.child
		}
	}
	return nil
}

// jsonMaxDepth bounds the nesting of a line's arrays and objects; deeper
// is rejected rather than risking the stack.
const jsonMaxDepth = record.MaxDepth

// jsonState is the state of one line's parse; it lives on the stack.
type jsonState struct {
	p    *Parser
	spec *jsonSpec
	line []byte
	pos  int
	r    *record.Request
	err  *LineError

	typeKey bool           // the object has a key "type" (see Parser.NoRecord)
	rank    [jFields]uint8 // of the key that set each field; 0: not set
	seen    uint64         // leaf bits of the keys in the line
	request []byte         // the raw request line, split at the end
}

// jsonLine parses a JSON log line of spec into r.
func (p *Parser) jsonLine(spec *jsonSpec, line []byte, r *record.Request) error {
	_, err := p.jsonParse(spec, line, r)
	return err
}

// jsonDetect is auto's parse of a line of spec: it must parse, and have
// one key of each of the spec's groups.
func (p *Parser) jsonDetect(spec *jsonSpec, line []byte, r *record.Request) error {
	seen, err := p.jsonParse(spec, line, r)
	if err != nil {
		return err
	}
	for _, g := range spec.groups {
		if seen&g == 0 {
			var keys []string
			for path, b := range spec.bits {
				if b&g != 0 {
					keys = append(keys, strconv.Quote(path))
				}
			}
			sortStrings(keys)
			return &LineError{Reason: "none of the keys " + strings.Join(keys, ", ")}
		}
	}
	return nil
}

// sortStrings sorts a few strings (insertion sort: no sort import for a
// message).
func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func (p *Parser) jsonParse(spec *jsonSpec, line []byte, r *record.Request) (uint64, error) {
	st := jsonState{p: p, spec: spec, line: line, r: r}
	st.ws()
	if st.pos == len(line) || line[st.pos] != '{' {
		// Not quoted: auto says this of every line of a text format, whose
		// own reason quotes the line.
		return 0, &LineError{Reason: "not a JSON object"}
	}
	st.pos++
	st.object(&spec.root, 1)
	if st.err == nil {
		st.ws()
		if st.pos != len(line) {
			st.syntax("text after the object")
		}
	}
	if st.err != nil {
		return 0, st.err
	}
	p.noType = !st.typeKey // every key read: see NoRecord
	return st.seen, st.finish()
}

// finish checks and completes the record once the line is read.
func (st *jsonState) finish() error {
	r := st.r
	if st.rank[jTime] == 0 {
		return &LineError{Reason: "no time: want " + st.keys(jTime)}
	}
	if st.request != nil && r.Path == nil {
		// The raw request line (nginx's $request) decides, unless the
		// target is logged apart.
		r.Method, r.Protocol = nil, nil
		splitRequest(st.request, r)
	}
	if r.Path != nil {
		r.Section = Section(r.Path)
	} else if r.Method == nil && r.Request == nil && st.spec.request {
		return &LineError{Reason: "no request: want " + st.keys(jPath, jMethod, jRequest)}
	}
	return nil
}

// keys names the keys of fields for a message: "ts", or "a", "b" or "c".
func (st *jsonState) keys(fields ...jsonField) string {
	var keys []string
	for _, f := range fields {
		for _, p := range st.spec.paths[f] {
			keys = append(keys, quote([]byte(p)))
		}
	}
	return orList(keys)
}

func orList(s []string) string {
	if len(s) > 3 {
		s = append(s[:3:3], "...")
	}
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

// syntax sets the line's error: JSON that is not.
func (st *jsonState) syntax(what string) {
	if st.err == nil {
		st.err = &LineError{Reason: fmt.Sprintf("invalid JSON at column %d: %s", st.pos+1, what)}
	}
}

// bad sets the line's error: the value at path is unfit for its field.
func (st *jsonState) bad(path, what string, text []byte) {
	if st.err == nil {
		st.err = &LineError{Reason: fmt.Sprintf("%s %s at %s", what, quote(text), quote([]byte(path)))}
	}
}

func (st *jsonState) ws() {
	if st.pos < len(st.line) && st.line[st.pos] > ' ' {
		return // the usual case, inlined
	}
	st.spaces()
}

func (st *jsonState) spaces() {
	for st.pos < len(st.line) {
		switch st.line[st.pos] {
		case ' ', '\t', '\r', '\n':
			st.pos++
		default:
			return
		}
	}
}

// object reads the members of the object whose '{' was just read, node
// saying which keys matter (nil: none).
//
// The usual member, a key without escapes and a string, number or
// literal value that no field takes, is read here with the position in
// a local variable: with every step a method on st (st.pos in memory,
// loaded and stored around each call), a Traefik line's 37 members took
// 2.2 us, most of it moving st.pos. Anything else goes to the methods,
// which also make the errors.
func (st *jsonState) object(node *jsonNode, depth int) {
	if depth > jsonMaxDepth {
		st.syntax(fmt.Sprintf("nested deeper than %d", jsonMaxDepth))
		return
	}
	line := st.line
	pos := wsAt(line, st.pos)
	if pos < len(line) && line[pos] == '}' {
		st.pos = pos + 1
		return
	}
	var order []seenKey // node's keys on the last line
	if node != nil {
		order = st.p.order.of(st.spec, node)
	}
	for ki := 0; ; ki++ { // ki: the key's place in the object
		pos = wsAt(line, pos)
		if pos == len(line) || line[pos] != '"' {
			st.pos = pos
			st.syntax("want a key")
			return
		}
		var k *jsonKey
		// The key's end, and its first 16 bytes as two words for lookup:
		// its first two words inline, as most keys are short (a call to
		// strEnd for each was 10 % of a Traefik line).
		start := pos + 1
		end := start
		var w0, w1 uint64
		if start+16 <= len(line) {
			x := binary.LittleEndian.Uint64(line[start:])
			if m := quoteOrBackslash(x); m != 0 {
				n := bits.TrailingZeros64(m) >> 3
				end, w0 = start+n, x&(1<<(8*n)-1)
				goto keyEnd
			}
			y := binary.LittleEndian.Uint64(line[start+8:])
			if m := quoteOrBackslash(y); m != 0 {
				n := bits.TrailingZeros64(m) >> 3
				end, w0, w1 = start+8+n, x, y&(1<<(8*n)-1)
				goto keyEnd
			}
			end, w0, w1 = strEnd(line, start+16), x, y
		} else {
			end = strEnd(line, start)
			w0, w1 = keyWords(line[start:end])
		}
	keyEnd:
		if end < len(line) && line[end] == '"' {
			n := end - start
			if depth == 1 && n == 4 && w0 == typeWord {
				st.typeKey = true
			}
			if node == nil {
			} else if ki < len(order) && order[ki].is(line[start:end], w0, w1) {
				k = order[ki].k // where it was on the last line
			} else {
				k = node.lookup(line[start:end], w0, w1)
				st.p.order.remember(node, ki, seenKey{w0, w1, n, k})
			}
			pos = end + 1
		} else {
			// An escaped key, or no end: the slow way.
			st.pos = pos
			mark := len(st.p.scratch)
			key, ok := st.str()
			if !ok {
				return
			}
			if depth == 1 && string(key) == "type" {
				st.typeKey = true
			}
			if node != nil {
				w0, w1 = keyWords(key)
				k = node.lookup(key, w0, w1)
			}
			st.p.scratch = st.p.scratch[:mark] // done with it
			pos = st.pos
		}
		pos = wsAt(line, pos)
		if pos == len(line) || line[pos] != ':' {
			st.pos = pos
			st.syntax("want ':' after a key")
			return
		}
		pos = wsAt(line, pos+1)
		switch {
		case k == nil && pos < len(line) && line[pos] == '"':
			// A string no field takes: to its end, escapes skipped whole.
			i := pos + 1
			for {
				i = strEnd(line, i)
				if i >= len(line)-1 && (i == len(line) || line[i] == '\\') {
					st.pos = len(line)
					st.syntax("unterminated string")
					return
				}
				if line[i] == '"' {
					break
				}
				i += 2 // an escape: whatever it is, it is not the end
			}
			pos = i + 1
		case k == nil:
			st.pos = pos
			if !st.skip(depth) {
				return
			}
			pos = st.pos
		default:
			st.pos = pos
			st.value(k, depth)
			if st.err != nil {
				return
			}
			pos = st.pos
		}
		pos = wsAt(line, pos)
		if pos == len(line) {
			st.pos = pos
			st.syntax("unterminated object")
			return
		}
		switch line[pos] {
		case ',':
			pos++
			continue
		case '}':
			st.pos = pos + 1
			return
		}
		st.pos = pos
		st.syntax("want ',' or '}'")
		return
	}
}

// wsAt returns the index of the first byte at or after i in line that
// is no JSON space.
func wsAt(line []byte, i int) int {
	if i < len(line) && line[i] > ' ' {
		return i // the usual case, inlined
	}
	return spacesAt(line, i)
}

func spacesAt(line []byte, i int) int {
	for i < len(line) {
		switch line[i] {
		case ' ', '\t', '\r', '\n':
			i++
		default:
			return i
		}
	}
	return i
}

// value reads the value of key k at st.pos.
func (st *jsonState) value(k *jsonKey, depth int) {
	if st.pos == len(st.line) {
		st.syntax("missing value")
		return
	}
	c := st.line[st.pos]
	if c == '{' && k.child != nil {
		st.pos++
		st.object(k.child, depth+1)
		return
	}
	leaf := k.leaf
	if leaf == nil {
		st.kind(k.path, "an object")
		return
	}
	st.seen |= leaf.bit
	var text []byte
	isString := false
	switch {
	case c == '"':
		var ok bool
		if text, ok = st.str(); !ok {
			return
		}
		isString = true
	case c == '[' && leaf.field.isString():
		// Caddy's headers: a list of strings, of which the first counts.
		if text = st.first(leaf, depth); text == nil {
			return
		}
		isString = true
	case c == '{' || c == '[':
		want := "a number or a string"
		if leaf.field.isString() {
			want = "a string"
		}
		st.kind(leaf.path, want)
		return
	case c == 'n':
		st.literal("null")
		return // null: not logged
	case c == 't' || c == 'f':
		start := st.pos
		w := "true"
		if c == 'f' {
			w = "false"
		}
		if !st.literal(w) {
			return
		}
		text = st.line[start:st.pos]
	default:
		start := st.pos
		if !st.number() {
			return
		}
		text = st.line[start:st.pos]
	}
	st.set(leaf, text, isString)
}

// isString says the field is text.
func (f jsonField) isString() bool {
	switch f {
	case jTime, jStatus, jBytes, jDuration, jUpstreamStatus, jUpstreamDuration:
		return false
	}
	return true
}

// first reads a list whose '[' is at st.pos and returns its first
// element, which must be a string; nil for an empty list.
func (st *jsonState) first(leaf *jsonLeaf, depth int) []byte {
	start := st.pos
	st.pos++
	st.ws()
	var text []byte
	switch {
	case st.pos < len(st.line) && st.line[st.pos] == '"':
		var ok bool
		if text, ok = st.str(); !ok {
			return nil
		}
	case st.pos < len(st.line) && st.line[st.pos] != ']':
		if st.err == nil {
			st.err = &LineError{Reason: fmt.Sprintf("%s is a list of other than strings", quote([]byte(leaf.path)))}
		}
		return nil
	}
	if text != nil && depth+1 <= jsonMaxDepth {
		// The rest of the list from after the string, rather than all of
		// it again from its '[': a Caddy line's User-Agent (a list of one
		// string, 130 bytes) was read twice. What container would say of
		// the string read, it says here: a quote that ends the line.
		if st.pos >= len(st.line) {
			st.syntax("unterminated string")
			return nil
		}
		if !st.containerFrom(st.pos, 1, depth) {
			return nil
		}
		return text
	}
	st.pos = start
	if !st.skip(depth) {
		return nil
	}
	return text
}

// kind sets the line's error: the value at path, at st.pos, is of the
// wrong kind, want says what it should be.
func (st *jsonState) kind(path, want string) {
	var what string
	switch st.line[st.pos] {
	case '{':
		what = "an object"
	case '[':
		what = "a list"
	case '"':
		what = "a string"
	default:
		what = "a number"
	}
	if st.err == nil {
		st.err = &LineError{Reason: fmt.Sprintf("%s is %s, want %s", quote([]byte(path)), what, want)}
	}
}

// set fills leaf's field from the value's text.
func (st *jsonState) set(leaf *jsonLeaf, text []byte, isString bool) {
	f := leaf.field
	if f.isString() {
		if len(text) == 0 || (isDash(text) && f != jRequest && f != jPath) {
			return // not logged
		}
		if leaf.rank < st.rank[f] {
			return
		}
		st.rank[f] = leaf.rank
		r := st.r
		switch f {
		case jRemote:
			r.Remote = stripPort(text)
		case jUser:
			r.User = text
		case jMethod:
			r.Method = text
		case jPath:
			r.Path = text
		case jProtocol:
			r.Protocol = text
		case jRequest:
			st.request = text
		case jReferer:
			r.Referer = text
		case jAgent:
			r.Agent = text
		case jVHost:
			r.VHost = text
		case jForwarded:
			r.Forwarded = text
		}
		return
	}
	if isString && (len(text) == 0 || isDash(text)) {
		if f == jBytes && leaf.rank >= st.rank[f] {
			st.rank[f] = leaf.rank
			st.r.Bytes = 0
		}
		return // not logged
	}
	if (f == jUpstreamStatus || f == jUpstreamDuration) && isString {
		// nginx: one value for each upstream tried, "502, 200" or
		// "0.010 : 0.020"; the last is the one that answered.
		if i := lastCommaColon(text); i >= 0 {
			text = bytes.TrimLeft(text[i+1:], " ")
			if len(text) == 0 || isDash(text) {
				return
			}
		}
	}
	switch f {
	case jTime:
		// Traefik logs the time twice, StartUTC and StartLocal, the same
		// text on a server in UTC: the second is read from the parser's
		// last time (see Parser.timestamp), as every text time is.
		sec, nsec, ok := st.p.jsonTime(text, leaf.unit, isString)
		if !ok {
			st.bad(leaf.path, "bad time", text)
			return
		}
		if leaf.rank >= st.rank[f] {
			st.rank[f] = leaf.rank
			st.r.Sec, st.r.Nsec = sec, nsec
		}
	case jStatus, jUpstreamStatus:
		n, ok := atoiN(text)
		if !ok || len(text) > 3 || (n != 0 && n < 100) {
			st.bad(leaf.path, "bad status", text)
			return
		}
		if leaf.rank >= st.rank[f] {
			st.rank[f] = leaf.rank
			if f == jStatus {
				st.r.Status = n // 0: none (Traefik's OriginStatus without an upstream)
			} else {
				st.r.UpstreamStatus = n
			}
		}
	case jBytes:
		n, ok := parseSize(text)
		if !ok {
			st.bad(leaf.path, "bad size", text)
			return
		}
		if leaf.rank >= st.rank[f] {
			st.rank[f] = leaf.rank
			st.r.Bytes = n
		}
	case jDuration, jUpstreamDuration:
		d, ok := jsonDuration(text, leaf.unit, isString)
		if !ok {
			st.bad(leaf.path, "bad duration", text)
			return
		}
		if leaf.rank >= st.rank[f] {
			st.rank[f] = leaf.rank
			if f == jDuration {
				st.r.Duration, st.r.Timed = d, true
			} else {
				st.r.UpstreamDuration, st.r.UpstreamTimed = d, true
			}
		}
	}
}

// lastCommaColon is the index of the last ',' or ':' in b, -1 if none:
// bytes.LastIndexAny builds a set of its chars at every call.
func lastCommaColon(b []byte) int {
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] == ',' || b[i] == ':' {
			return i
		}
	}
	return -1
}

// stripPort drops a port after a client address: 192.0.2.1:5678 and
// [2001:db8::1]:443 (Traefik's ClientAddr, Caddy's remote_addr before
// 2.5); an IPv6 address alone has more than one colon and is kept.
func stripPort(b []byte) []byte {
	if b[0] == '[' {
		if i := bytes.Index(b, []byte("]:")); i > 1 && allDigits(b[i+2:]) {
			return b[1:i:i]
		}
		return b
	}
	i := bytes.IndexByte(b, ':')
	if i > 0 && bytes.IndexByte(b[i+1:], ':') < 0 && allDigits(b[i+1:]) {
		return b[:i:i]
	}
	return b
}

func allDigits(b []byte) bool {
	for _, c := range b {
		if !isDigit(c) {
			return false
		}
	}
	return len(b) > 0
}

// literal reads the word w at st.pos.
func (st *jsonState) literal(w string) bool {
	if len(st.line)-st.pos >= len(w) && string(st.line[st.pos:st.pos+len(w)]) == w {
		st.pos += len(w)
		return true
	}
	st.syntax("bad value")
	return false
}

// number reads a JSON number at st.pos.
func (st *jsonState) number() bool {
	line, i := st.line, st.pos
	if i < len(line) && line[i] == '-' {
		i++
	}
	switch {
	case i < len(line) && line[i] == '0':
		i++
	case i < len(line) && '1' <= line[i] && line[i] <= '9':
		for i < len(line) && isDigit(line[i]) {
			i++
		}
	default:
		st.pos = i
		st.syntax("bad value")
		return false
	}
	if i < len(line) && line[i] == '.' {
		i++
		start := i
		for i < len(line) && isDigit(line[i]) {
			i++
		}
		if i == start {
			st.pos = i
			st.syntax("bad number")
			return false
		}
	}
	if i < len(line) && (line[i] == 'e' || line[i] == 'E') {
		i++
		if i < len(line) && (line[i] == '+' || line[i] == '-') {
			i++
		}
		start := i
		for i < len(line) && isDigit(line[i]) {
			i++
		}
		if i == start {
			st.pos = i
			st.syntax("bad number")
			return false
		}
	}
	st.pos = i
	return true
}

// str reads the string at st.pos (its '"'), and returns its content: a
// subslice of the line, capacity-limited, or when it has escapes, of the
// parser's scratch buffer.
func (st *jsonState) str() ([]byte, bool) {
	start := st.pos + 1
	end := strEnd(st.line, start)
	if end == len(st.line) {
		st.pos = end
		st.syntax("unterminated string")
		return nil, false
	}
	if st.line[end] == '"' {
		st.pos = end + 1
		return st.line[start:end:end], true
	}
	return st.escaped(start)
}

// strEnd returns the index of the first '"' or '\\' in b at or after i,
// or len(b). It looks at 8 bytes at a time (SWAR, as package record's
// scanners do): with bytes.IndexByte, twice a string, finding string ends
// took 45 % of a Caddy line, most strings (keys, numbers as strings)
// being too short for its setup to pay off. Past 32 bytes (user agents,
// referers, Caddy's TLS names) it goes on with bytes.IndexByte after
// all, whose vector loop then wins (longStrEnd): a 130-byte user agent
// is 17 words, against two calls of a few ns each.
func strEnd(b []byte, i int) int {
	lim := len(b)
	if i+32 < lim {
		lim = i + 32
	}
	for ; i+8 <= lim; i += 8 {
		if m := quoteOrBackslash(binary.LittleEndian.Uint64(b[i:])); m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	if lim < len(b) {
		return longStrEnd(b, i)
	}
	for ; i < len(b); i++ {
		if c := b[i]; c == '"' || c == '\\' {
			return i
		}
	}
	return i
}

// longStrEnd is strEnd with bytes.IndexByte: the quote, then a
// backslash before it (strings without one are most).
func longStrEnd(b []byte, i int) int {
	end := len(b)
	if q := bytes.IndexByte(b[i:], '"'); q >= 0 {
		end = i + q
	}
	if k := bytes.IndexByte(b[i:end], '\\'); k >= 0 {
		return i + k
	}
	return end
}

// quoteOrBackslash returns the top bit of each byte of x that is '"' or
// '\\', and maybe of bytes above such a byte, never below the first: its
// trailing zeros over 8 are the index of the first.
func quoteOrBackslash(x uint64) uint64 {
	q, bs := x^(swarLSB*'"'), x^(swarLSB*'\\')
	// A byte is zero in q or bs where x has '"' or '\\': v-lsb &^ v
	// sets its top bit there (and maybe above, never below it).
	return ((q-swarLSB)&^q | (bs-swarLSB)&^bs) & swarMSB
}

const (
	swarLSB = 0x0101010101010101
	swarMSB = 0x8080808080808080
)

// escaped unescapes the string that starts at line[start] into the
// scratch buffer.
func (st *jsonState) escaped(start int) ([]byte, bool) {
	p, line := st.p, st.line
	from := len(p.scratch)
	i := start
	for i < len(line) {
		j := i
		for j < len(line) && line[j] != '"' && line[j] != '\\' {
			j++
		}
		p.scratch = append(p.scratch, line[i:j]...)
		i = j
		if i == len(line) {
			break
		}
		if line[i] == '"' {
			st.pos = i + 1
			n := len(p.scratch)
			return p.scratch[from:n:n], true
		}
		if i+1 == len(line) {
			break
		}
		var ok bool
		if p.scratch, i, ok = record.AppendEscape(p.scratch, line, i+1); !ok {
			st.pos = j
			if line[j+1] == 'u' {
				st.syntax(`bad \u escape`)
			} else {
				st.syntax("bad escape " + quote(line[j:j+2]))
			}
			return nil, false
		}
	}
	st.pos = len(line)
	st.syntax("unterminated string")
	return nil, false
}

// skip reads over the value at st.pos, checking that it is JSON; a
// string's escapes are not unescaped.
func (st *jsonState) skip(depth int) bool {
	if st.pos == len(st.line) {
		st.syntax("missing value")
		return false
	}
	switch c := st.line[st.pos]; c {
	case '"':
		i := st.pos + 1
		for {
			i = strEnd(st.line, i)
			if i >= len(st.line)-1 && (i == len(st.line) || st.line[i] == '\\') {
				st.pos = len(st.line)
				st.syntax("unterminated string")
				return false
			}
			if st.line[i] == '"' {
				break
			}
			i += 2 // an escape: whatever it is, it is not the end
		}
		st.pos = i + 1
		return true
	case '{', '[':
		return st.container(depth)
	case 't':
		return st.literal("true")
	case 'f':
		return st.literal("false")
	case 'n':
		return st.literal("null")
	}
	return st.number()
}

// container reads over the object or list at st.pos, whose keys fill no
// field, by its brackets and strings alone: a Caddy line's TLS and
// response headers, half its bytes, cost a third of what reading them
// key by key did. Its JSON is not checked beyond that (brackets that
// close, strings that end): the record is made of the keys read.
func (st *jsonState) container(depth int) bool {
	return st.containerFrom(st.pos, 0, depth)
}

// containerFrom is container from line[i] on, open brackets already
// open.
func (st *jsonState) containerFrom(i, open, depth int) bool {
	line := st.line
	for ; i < len(line); i++ {
		switch line[i] {
		case '"':
			for {
				i = strEnd(line, i+1)
				if i >= len(line)-1 {
					st.pos = len(line)
					st.syntax("unterminated string")
					return false
				}
				if line[i] == '"' {
					break
				}
				i++ // the escaped byte
			}
		case '{', '[':
			open++
			if depth+open > jsonMaxDepth {
				st.pos = i
				st.syntax(fmt.Sprintf("nested deeper than %d", jsonMaxDepth))
				return false
			}
		case '}', ']':
			open--
			if open == 0 {
				st.pos = i + 1
				return true
			}
		}
	}
	st.pos = len(line)
	st.syntax("unterminated object or list")
	return false
}

// jsonTime reads a time: a number since the Unix epoch (in unit u, or
// told by its magnitude), as a JSON number or a string, or a string in
// RFC 3339 (a zone of +0100 too, Caddy's iso8601), Caddy's wall format
// (2006/01/02 15:04:05, UTC) or CLF.
func (p *Parser) jsonTime(b []byte, u unit, isString bool) (sec int64, nsec int32, ok bool) {
	if len(b) == 0 {
		return 0, 0, false
	}
	if isDigit(b[0]) && (!isString || len(b) < 5 || (b[2] != '/' && b[4] != '-' && b[4] != '/')) {
		return epochTime(b, u)
	}
	if !isString || u != unitAuto {
		return 0, 0, false
	}
	var buf [48]byte
	if len(b) >= 19 && b[4] == '-' && b[10] == 'T' && len(b) < len(buf)-2 && !hhmmZone(b) {
		// RFC 3339 as it is (Traefik's StartUTC and time): what the
		// normalising below would leave unchanged, read in place; the
		// copy into buf was an eighth of the time of a Traefik line's
		// two times (0.11 s of 0.88 s in a profile).
		return p.timestamp(b)
	}
	switch {
	case len(b) >= 19 && (b[4] == '-' || b[4] == '/') && len(b) < len(buf)-2:
		// ISO 8601 / RFC 3339 with a 'T' or a space; Caddy's wall time
		// (slashes, no zone: UTC). Normalised to what parseTimestamp
		// reads: a 'T', and a zone with a colon.
		n := copy(buf[:], b)
		if b[4] == '/' {
			if b[7] != '/' {
				return 0, 0, false
			}
			buf[4], buf[7] = '-', '-'
			buf[n] = 'Z'
			n++
		}
		if buf[10] == ' ' {
			buf[10] = 'T'
		}
		// +hhmm -> +hh:mm
		if hhmmZone(buf[:n]) {
			z := n - 5
			buf[z+5], buf[z+4], buf[z+3] = buf[z+4], buf[z+3], ':'
			n++
		}
		return p.timestamp(buf[:n])
	case len(b) > 2 && b[2] == '/':
		return p.timestamp(b) // CLF
	}
	return 0, 0, false
}

// hhmmZone says b ends in a zone without a colon, +hhmm or -hhmm, after
// at least 19 bytes of date and time.
func hhmmZone(b []byte) bool {
	z := len(b) - 5
	return z >= 19 && (b[z] == '+' || b[z] == '-') && allDigits(b[z+1:])
}

// epochTime reads a number since the Unix epoch: digits with an optional
// fraction, in unit u, or with unitAuto told by the digits before the
// point: up to 11 seconds (up to the year 5138), up to 14 milliseconds,
// up to 17 microseconds, else nanoseconds.
func epochTime(b []byte, u unit) (sec int64, nsec int32, ok bool) {
	i := 0
	for i < len(b) && b[i] == '0' && i+1 < len(b) && isDigit(b[i+1]) {
		i++ // leading zeros, in a string
	}
	start := i
	var n uint64
	for i < len(b) && isDigit(b[i]) {
		if i-start == 19 {
			return 0, 0, false
		}
		n = n*10 + uint64(b[i]-'0')
		i++
	}
	digits := i - start
	if digits == 0 {
		return 0, 0, false
	}
	var frac []byte
	if i < len(b) && b[i] == '.' {
		frac = b[i+1:]
		if !allDigits(frac) {
			return 0, 0, false
		}
		i = len(b)
	}
	if i != len(b) {
		return 0, 0, false
	}
	if u == unitAuto {
		switch {
		case digits <= 11:
			u = unitS
		case digits <= 14:
			u = unitMS
		case digits <= 17:
			u = unitUS
		default:
			u = unitNS
		}
	}
	e := u.exp10()
	scale := uint64(pow10i[e])
	if n/scale >= record.EndTime {
		return 0, 0, false
	}
	ns := (n % scale) * uint64(pow10i[9-e])
	// The fraction's first 9-e digits are nanoseconds; the rest is less.
	for k := 0; k < 9-e && k < len(frac); k++ {
		ns += uint64(frac[k]-'0') * uint64(pow10i[9-e-1-k])
	}
	return int64(n / scale), int32(ns), true
}

// jsonDuration reads a duration in seconds: a number in unit u (seconds
// by default), as a JSON number or a string, or a string such as Go
// writes a time.Duration ("1.5ms", "2m3.1s": Caddy's duration_format
// string). It is never negative, NaN or infinite.
func jsonDuration(b []byte, u unit, isString bool) (float64, bool) {
	if len(b) == 0 || b[0] == '-' {
		return 0, false
	}
	if isString && !isDigit(b[len(b)-1]) {
		return goDuration(b)
	}
	if u == unitCaddy {
		u = unitS
		if !isString && !hasFracOrExp(b) {
			u = unitNS // duration_format nano: an integer
		}
	}
	return scaledDecimal(b, u.exp10())
}

// hasFracOrExp says a JSON number has a fraction or an exponent:
// bytes.IndexAny builds a set of its chars at every call (1.3 % of a
// Caddy line, for its duration).
func hasFracOrExp(b []byte) bool {
	for _, c := range b {
		if c == '.' || c == 'e' || c == 'E' {
			return true
		}
	}
	return false
}

// scaledDecimal reads a non-negative decimal number (digits, an optional
// fraction and exponent) times 10^-shift. Exact when the digits fit in a
// float64's mantissa (a product or quotient of two exact values is
// correctly rounded); else through strconv.
func scaledDecimal(b []byte, shift int) (float64, bool) {
	var mant uint64
	exp, digits, i := -shift, 0, 0
	for ; i < len(b) && isDigit(b[i]); i++ {
		if mant != 0 || b[i] != '0' {
			digits++
		}
		mant = mant*10 + uint64(b[i]-'0')
	}
	if i == 0 {
		return 0, false
	}
	if i < len(b) && b[i] == '.' {
		i++
		start := i
		for ; i < len(b) && isDigit(b[i]); i++ {
			if mant != 0 || b[i] != '0' {
				digits++
			}
			mant = mant*10 + uint64(b[i]-'0')
			exp--
		}
		if i == start {
			return 0, false
		}
	}
	mantEnd, e := i, 0
	if i < len(b) {
		// Only an exponent may follow.
		j := i + 1
		if b[i] != 'e' && b[i] != 'E' {
			return 0, false
		}
		neg := j < len(b) && b[j] == '-'
		if j < len(b) && (b[j] == '+' || b[j] == '-') {
			j++
		}
		if !allDigits(b[j:]) {
			return 0, false
		}
		if len(b)-j > 4 {
			// An exponent of 10,000 or more: infinite, or as good as 0.
			return 0, neg
		}
		e, _ = atoiN(b[j:])
		if neg {
			e = -e
		}
	}
	if mantEnd < len(b) || digits > 15 {
		// An exponent, or more digits than are exact: strconv, on the
		// digits with the exponent and the unit's shift written as one
		// exponent, so that it rounds once.
		var buf [64]byte
		if mantEnd > len(buf)-8 {
			return 0, false
		}
		n := copy(buf[:], b[:mantEnd])
		buf[n] = 'e'
		num := strconv.AppendInt(buf[:n+1], int64(e-shift), 10)
		f, err := strconv.ParseFloat(string(num), 64)
		if err != nil || math.IsInf(f, 0) {
			return 0, false
		}
		return f, true
	}
	f := float64(mant)
	switch {
	case exp < -22:
		return f / pow10[22] / math.Pow10(-exp-22), true
	case exp < 0:
		return f / pow10[-exp], true
	case exp > 0:
		return f * pow10[exp], true
	}
	return f, true
}

// goDuration reads a duration as Go's time.Duration.String writes it:
// a sequence of numbers each with a unit, ns, us (µs, μs), ms, s, m, h.
func goDuration(b []byte) (float64, bool) {
	var total float64
	for len(b) > 0 {
		i := 0
		for i < len(b) && (isDigit(b[i]) || b[i] == '.') {
			i++
		}
		num := b[:i]
		j := i
		for j < len(b) && !isDigit(b[j]) && b[j] != '.' {
			j++
		}
		var shift int
		var mul float64 = 1
		switch string(b[i:j]) {
		case "ns":
			shift = 9
		case "us", "µs", "μs":
			shift = 6
		case "ms":
			shift = 3
		case "s":
		case "m":
			mul = 60
		case "h":
			mul = 3600
		default:
			return 0, false
		}
		v, ok := scaledDecimal(num, shift)
		if !ok {
			return 0, false
		}
		total += v * mul
		b = b[j:]
	}
	if math.IsInf(total, 0) {
		return 0, false
	}
	return total, true
}

// caddySpec is Caddy v2's access log (the http.log.access logger, JSON
// encoder): ts is a float of Unix seconds by default (any time_format
// but the local wall times reads: unix_milli_float, unix_nano, iso8601,
// rfc3339, wall in UTC, common_log), duration float seconds, or with
// duration_format nano an integer of nanoseconds, or "string" ("1.5ms").
// client_ip (Caddy 2.7, the client behind trusted proxies) is preferred
// to remote_ip, and that to remote_addr (before 2.5, with its port).
var caddySpec = newJSONSpec(map[jsonField][]string{
	jTime:      {"ts"},
	jRemote:    {"request.client_ip", "request.remote_ip", "request.remote_addr"},
	jUser:      {"user_id"},
	jMethod:    {"request.method"},
	jPath:      {"request.uri"},
	jProtocol:  {"request.proto"},
	jVHost:     {"request.host"},
	jStatus:    {"status"},
	jBytes:     {"size"},
	jDuration:  {"duration:caddy"},
	jAgent:     {"request.headers.User-Agent"},
	jReferer:   {"request.headers.Referer"},
	jForwarded: {"request.headers.X-Forwarded-For"},
}, []string{"ts"}, []string{"request.method", "request.uri"})

// traefikSpec is Traefik's access log in JSON (accessLog.format json):
// durations in nanoseconds, the time the request started (StartUTC; the
// log's own "time", in whole seconds, when the fields are dropped), and
// the request headers kept by accessLog.fields.headers as request_NAME.
var traefikSpec = newJSONSpec(map[jsonField][]string{
	jTime:             {"StartUTC", "StartLocal", "time"},
	jRemote:           {"ClientHost", "ClientAddr"},
	jUser:             {"ClientUsername"},
	jMethod:           {"RequestMethod"},
	jPath:             {"RequestPath"},
	jProtocol:         {"RequestProtocol"},
	jVHost:            {"RequestHost", "RequestAddr"},
	jStatus:           {"DownstreamStatus"},
	jBytes:            {"DownstreamContentSize"},
	jDuration:         {"Duration:ns"},
	jUpstreamStatus:   {"OriginStatus"},
	jUpstreamDuration: {"OriginDuration:ns"},
	jAgent:            {"request_User-Agent"},
	jReferer:          {"request_Referer"},
	jForwarded:        {"request_X-Forwarded-For"},
}, []string{"DownstreamStatus", "ClientHost"})

// nginxJSONSpec is nginx's log_format ... escape=json with the keys the
// guides use, each named for its variable: values are strings, numbers
// too, or bare numbers; times $msec, $time_iso8601 or $time_local;
// durations seconds; the upstream's, one for each upstream tried.
var nginxJSONSpec = newJSONSpec(map[jsonField][]string{
	jTime:             {"msec", "time_iso8601", "time_local", "time"},
	jRemote:           {"remote_addr"},
	jUser:             {"remote_user"},
	jMethod:           {"request_method"},
	jPath:             {"request_uri"},
	jProtocol:         {"server_protocol"},
	jRequest:          {"request"},
	jVHost:            {"host", "http_host", "server_name"},
	jStatus:           {"status"},
	jBytes:            {"body_bytes_sent", "bytes_sent"},
	jDuration:         {"request_time"},
	jUpstreamStatus:   {"upstream_status"},
	jUpstreamDuration: {"upstream_response_time"},
	jAgent:            {"http_user_agent"},
	jReferer:          {"http_referer"},
	jForwarded:        {"http_x_forwarded_for"},
}, []string{"remote_addr"}, []string{"request", "request_uri", "request_method"})

// caddy, traefikJSON and nginxJSON read the named JSON formats (lineFunc).
func (p *Parser) caddy(line []byte, r *record.Request) error {
	return p.jsonLine(caddySpec, line, r)
}

func (p *Parser) traefikJSON(line []byte, r *record.Request) error {
	return p.jsonLine(traefikSpec, line, r)
}

func (p *Parser) nginxJSON(line []byte, r *record.Request) error {
	return p.jsonLine(nginxJSONSpec, line, r)
}

// Their detects: the keys tell them apart.
func (p *Parser) caddyDetect(line []byte, r *record.Request) error {
	return p.jsonDetect(caddySpec, line, r)
}

func (p *Parser) traefikJSONDetect(line []byte, r *record.Request) error {
	return p.jsonDetect(traefikSpec, line, r)
}

func (p *Parser) nginxJSONDetect(line []byte, r *record.Request) error {
	return p.jsonDetect(nginxJSONSpec, line, r)
}

// jsonPrefix starts a key mapping.
const jsonPrefix = "json:"

// jsonMapping returns the format of a key mapping (see parseMapping).
func jsonMapping(spec string) (*Format, error) {
	s, err := parseMapping(spec)
	if err != nil {
		return nil, err
	}
	return &Format{
		Name: spec,
		line: func(p *Parser, line []byte, r *record.Request) error { return p.jsonLine(s, line, r) },
	}, nil
}

// parseMapping compiles a key mapping,
//
//	json:FIELD=PATH[|PATH...][:UNIT],...
//
// such as "json:time=ts,remote=request.client_ip|request.remote_ip,
// duration=duration_ms:ms": each FIELD a field of the request record,
// filled from the first PATH (keys joined by dots into nested objects)
// the line has; UNIT the unit of a duration (s, ms, us, ns; seconds
// unless given) or of a time given as a number (told by its magnitude
// unless given). time is required. An error names the column.
func parseMapping(spec string) (*jsonSpec, error) {
	if spec == "json" {
		return nil, fmt.Errorf("json needs its keys mapped to fields: json:time=KEY,remote=KEY,... (see README, JSON logs), or one of the named JSON formats")
	}
	s := &jsonSpec{bits: map[string]uint64{}}
	col := len(jsonPrefix) + 1 // of the item, from 1
	var given [jFields]bool
	for _, item := range strings.Split(spec[len(jsonPrefix):], ",") {
		errf := func(off int, format string, args ...any) error {
			return fmt.Errorf("json key mapping, column %d: %s", col+off, fmt.Sprintf(format, args...))
		}
		eq := strings.IndexByte(item, '=')
		if eq < 0 {
			return nil, errf(0, "want FIELD=KEY, found %q", item)
		}
		name := item[:eq]
		f := jFields
		for i, n := range jsonFieldNames {
			if n == name {
				f = jsonField(i)
			}
		}
		if f == jFields {
			return nil, errf(0, "unknown field %q: want one of %s", name, strings.Join(jsonFieldNames[:], ", "))
		}
		if given[f] {
			return nil, errf(0, "field %s is mapped twice", name)
		}
		given[f] = true
		alts := strings.Split(item[eq+1:], "|")
		off := eq + 1
		for i, alt := range alts {
			path, u := alt, unitAuto
			if c := strings.LastIndexByte(alt, ':'); c >= 0 {
				path = alt[:c]
				switch f {
				case jTime, jDuration, jUpstreamDuration:
				default:
					return nil, errf(off+c, "field %s takes no unit", name)
				}
				for k, n := range units {
					if n != "" && n == alt[c+1:] {
						u = unit(k)
					}
				}
				if u == unitAuto {
					return nil, errf(off+c+1, "unknown unit %q: want s, ms, us or ns", alt[c+1:])
				}
			}
			if path == "" {
				return nil, errf(off, "field %s: want a key", name)
			}
			if err := s.add(f, path, u, len(alts)-i); err != nil {
				return nil, errf(off, "%v", err)
			}
			off += len(alt) + 1
		}
		col += len(item) + 1
	}
	if !given[jTime] {
		return nil, fmt.Errorf("json key mapping: time is required: time=KEY")
	}
	s.root.index(&s.nodes)
	return s, nil
}
