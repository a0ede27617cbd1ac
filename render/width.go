package render

import (
	"github.com/rivo/uniseg"
)

// Fitting text to the terminal's width. A line of text output is laid out
// as units (a summary's figures, a top list's entries, an alert's words)
// separated by spaces; a unit that would cross the width starts a new
// line, indented so that the values line up. So a list wraps between
// entries, never inside an address or a path; a unit wider than a whole
// line by itself (a very long path) is cut with "…" at a character
// boundary (a grapheme cluster: never inside a multi-byte character),
// keeping its count. The colour codes of the palette take no columns.

// MinWidth is the narrowest width text is laid out for: a narrower
// terminal is taken as this wide.
const MinWidth = 40

// flow lays out the units of a line.
type flow struct {
	width  int // 0: no limit
	indent int // columns of a continuation line's indent
	col    int // columns on the current line so far
	units  int // units on the current line
}

// add appends unit after sep, starting a new line first (indented) if
// the unit would cross the width. A unit too wide for a line by itself
// is cut to fit, its last keep bytes (a count) kept whole.
func (f *flow) add(b []byte, sep string, unit []byte, keep int) []byte {
	w := cells(unit)
	if f.units > 0 {
		if f.width > 0 && f.col+len(sep)+w > f.width {
			b = f.newline(b)
		} else {
			b = append(b, sep...)
			f.col += len(sep)
		}
	}
	if f.width > 0 && f.col+w > f.width {
		n := len(b)
		b = appendCut(b, unit[:len(unit)-keep], f.width-f.col-cells(unit[len(unit)-keep:])-1)
		b = append(b, "…"...)
		b = append(b, unit[len(unit)-keep:]...)
		w = cells(b[n:])
	} else {
		b = append(b, unit...)
	}
	f.col += w
	f.units++
	return b
}

// newline ends the line (without its trailing blanks) and starts the
// next, indented.
func (f *flow) newline(b []byte) []byte {
	for len(b) > 0 && b[len(b)-1] == ' ' {
		b = b[:len(b)-1]
	}
	b = append(b, '\n')
	for range f.indent {
		b = append(b, ' ')
	}
	f.col, f.units = f.indent, 0
	return b
}

// appendCut appends the grapheme clusters of s that fit in room columns,
// and every colour code of s (so that a colour set is also reset).
func appendCut(b, s []byte, room int) []byte {
	state := -1
	for len(s) > 0 {
		if n := escLen(s); n > 0 {
			b = append(b, s[:n]...)
			s, state = s[n:], -1 // the text after a code starts afresh
			continue
		}
		var c []byte
		var w int
		c, s, w, state = uniseg.FirstGraphemeCluster(s, state)
		if w > room {
			room = -1 // no more text, only the colour codes
			continue
		}
		b = append(b, c...)
		room -= w
	}
	return b
}

// cells is the width of s on a terminal, in columns: colour codes take
// none, a wide character two.
func cells(s []byte) int {
	n := 0
	for len(s) > 0 {
		if k := escLen(s); k > 0 {
			s = s[k:]
			continue
		}
		// Text is mostly ASCII: one column a byte, without uniseg.
		if c := s[0]; c >= 0x20 && c < 0x7f {
			n++
			s = s[1:]
			continue
		}
		end := 1
		for end < len(s) && (s[end] >= 0x80 || s[end] < 0x20) && s[end] != 0x1b {
			end++
		}
		n += uniseg.StringWidth(string(s[:end]))
		s = s[end:]
	}
	return n
}

// escLen is the length of the colour code (CSI: ESC [ ... final byte)
// that s starts with, or 0. Text from a record never holds one: it is
// escaped (termsafe) before it is laid out.
func escLen(s []byte) int {
	if len(s) < 2 || s[0] != 0x1b || s[1] != '[' {
		return 0
	}
	for i := 2; i < len(s); i++ {
		if s[i] >= 0x40 && s[i] <= 0x7e {
			return i + 1
		}
	}
	return len(s)
}
