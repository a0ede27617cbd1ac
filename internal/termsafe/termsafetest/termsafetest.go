// Package termsafetest checks that text meant for a terminal is safe, as
// package termsafe promises, from the promise rather than from its code:
// the tests of render (text output) and of everything that writes on
// standard error use it. Only tests import it.
package termsafetest

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// Unsafe reports why a rune of text is unsafe on a terminal, or "" when
// it is safe. A newline is safe: it ends a line of output.
func Unsafe(r rune) string {
	switch {
	case r == utf8.RuneError:
		return "" // U+FFFD itself is printable; invalid bytes are checked by utf8.Valid
	case r == '\n':
		return ""
	case r < 0x20, r == 0x7f:
		return "C0 control or DEL"
	case r >= 0x80 && r <= 0x9f:
		return "C1 control"
	case r == 0x200e, r == 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x061c, r == 0xfeff:
		return "bidi control"
	case unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp):
		return "format or line-breaking character"
	}
	return ""
}

// Check reports, as an error of t, the first unsafe thing in text, called
// what in the message: invalid UTF-8, a control, bidi or invisible rune,
// or (lines >= 0) a number of lines other than lines. It reports whether
// text is safe.
func Check(t testing.TB, what string, text []byte, lines int) bool {
	t.Helper()
	if !utf8.Valid(text) {
		for i := 0; i < len(text); {
			r, size := utf8.DecodeRune(text[i:])
			if r == utf8.RuneError && size == 1 {
				t.Errorf("%s: invalid UTF-8 at byte %d: %q", what, i, around(text, i))
				return false
			}
			i += size
		}
	}
	// With the text valid UTF-8, a byte 0x9b can only be the continuation
	// byte of a printable character (as in "ě"), never the one-byte C1
	// CSI: the rune checks below cover it.
	for i, r := range string(text) {
		if why := Unsafe(r); why != "" {
			t.Errorf("%s: %s %U at byte %d: %q", what, why, r, i, around(text, i))
			return false
		}
	}
	if n := strings.Count(string(text), "\n"); lines >= 0 && n != lines {
		t.Errorf("%s: %d lines, want %d: %q", what, n, lines, text)
		return false
	}
	return true
}

func around(s []byte, i int) []byte {
	return s[max(0, i-40):min(len(s), i+40)]
}
