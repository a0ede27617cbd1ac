package record

import (
	"encoding/binary"
	"math/bits"
)

// The JSON string scanners look at 8 bytes at a time (SWAR, "SIMD within
// a register"): almost every byte of a record is plain text, and a word
// of 8 plain bytes is skipped with a few arithmetic operations instead of
// 8 compares and branches. It is what makes the codec run at several
// hundred MB/s.
const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// needsEscape has the top bit set in each byte of x that JSON output
// must escape or check: '"', '\\', a control character (below 0x20) or
// a byte of 0x80 or more (UTF-8 to validate). A byte after a flagged one
// may be flagged wrongly (a borrow carries into it), never one before:
// the lowest flag is always right. (For a byte below 0x80, x-0x20 sets
// its top bit only when it is below 0x20, and y-1 only when y is 0; a
// byte of 0x80 or more is flagged by its own top bit.)
func needsEscape(x uint64) uint64 {
	return ((x - lsb*0x20) | ((x ^ lsb*'"') - lsb) | ((x ^ lsb*'\\') - lsb) | x) & msb
}

// endsString is needsEscape for reading JSON: it leaves bytes of 0x80
// or more alone, flagging only '"', '\\' and control characters.
func endsString(x uint64) uint64 {
	q, bs := x^lsb*'"', x^lsb*'\\'
	return ((x-lsb*0x20)&^x | (q-lsb)&^q | (bs-lsb)&^bs) & msb
}

// plainUntil returns the index of the first byte of s at or after i
// that needsEscape flags, or len(s) when there is none.
func plainUntil(s []byte, i int) int {
	for ; i+8 <= len(s); i += 8 {
		if m := needsEscape(binary.LittleEndian.Uint64(s[i:])); m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x80 {
			return i
		}
	}
	return i
}

// stringEnd returns the index of the first '"', '\\' or control
// character in s at or after i, or len(s) when there is none.
func stringEnd(s []byte, i int) int {
	for ; i+8 <= len(s); i += 8 {
		if m := endsString(binary.LittleEndian.Uint64(s[i:])); m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' {
			return i
		}
	}
	return i
}
