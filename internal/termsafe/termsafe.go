// Package termsafe makes text safe to print on a terminal: what logmon
// writes for a person (render's text output) and everything it writes on
// standard error (package diag's messages, the top-level "logmon: ..."
// error) may hold bytes from its input, file names, a state file or a
// command's output, and none of them may move the cursor, retitle the
// window or hide text. Control and invisible characters are shown as Go
// escapes (`\x1b`, `\u202e`); printable text, non-ASCII letters
// included, is kept.
package termsafe

import (
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

const hexDigits = "0123456789abcdef"

// Append appends s to b so that it is safe to print on a terminal: every
// C0 control byte (0x00-0x1f, including ESC, CR, BS, TAB and NUL), DEL
// (0x7f), every C1 control (U+0080-U+009F, and raw bytes 0x80-0x9f that
// are not part of a valid UTF-8 sequence), invalid UTF-8 bytes, and
// bidi/format controls (U+200E, U+200F, U+202A-U+202E, U+2066-U+2069,
// U+061C, U+FEFF) are shown escaped: `\x1b`, `\x9b`, `\u202e` (Go-like
// escapes), and a backslash itself as `\\`. Printable text, including
// non-ASCII letters, is kept.
//
// The escapes are those of a Go string literal: \a \b \f \n \r \t \v for
// their controls, \xNN for other control bytes and for each byte of
// invalid UTF-8, \uNNNN or \UNNNNNNNN for a control or format rune. Beyond
// the list above, every rune of the Unicode categories Cf (format: the
// zero-width characters, the tag characters U+E0000-U+E007F, the soft
// hyphen) and Zl/Zp (U+2028, U+2029) is escaped too: all of them are
// invisible or move the cursor, and a log line that hides text in them
// should show it. The output is valid UTF-8, and the input can be
// recovered from it by reading it as the inside of a Go string literal
// in which '"' needs no escape.
func Append(b []byte, s []byte) []byte { return appendText(b, s, '\\') }

// AppendMessage is Append for a message that may already use Go escapes
// (a value quoted with %q, an error of package encoding/json): its
// backslashes are kept as they are, not doubled. The output is as safe;
// only a backslash in s can no longer be told from the start of an
// escape, so use it where a person reads the text, not a program.
func AppendMessage(b []byte, s []byte) []byte { return appendText(b, s, 0) }

// Message is AppendMessage on a string, for an error or a log message.
// It returns s itself when there is nothing to escape.
func Message(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return string(AppendMessage(make([]byte, 0, len(s)+8), []byte(s)))
		}
	}
	return s
}

// appendText is Append, escaping the byte esc ('\\', or 0 for none) too.
func appendText(b []byte, s []byte, esc byte) []byte {
	start := 0 // s[start:i] is safe and not yet appended
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != 0x7f && c != esc {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			b = appendByteEscape(b, c)
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'x', hexDigits[c>>4], hexDigits[c&0xf])
			i++
			start = i
			continue
		}
		if hidden(r) {
			b = append(b, s[start:i]...)
			b = appendRuneEscape(b, r)
			i += size
			start = i
			continue
		}
		i += size
	}
	return append(b, s[start:]...)
}

// appendByteEscape appends the escape of an ASCII control byte or of '\\'.
func appendByteEscape(b []byte, c byte) []byte {
	switch c {
	case '\\':
		return append(b, '\\', '\\')
	case '\a':
		return append(b, '\\', 'a')
	case '\b':
		return append(b, '\\', 'b')
	case '\f':
		return append(b, '\\', 'f')
	case '\n':
		return append(b, '\\', 'n')
	case '\r':
		return append(b, '\\', 'r')
	case '\t':
		return append(b, '\\', 't')
	case '\v':
		return append(b, '\\', 'v')
	}
	return append(b, '\\', 'x', hexDigits[c>>4], hexDigits[c&0xf])
}

// appendRuneEscape appends r as \uNNNN, or \UNNNNNNNN above the BMP.
func appendRuneEscape(b []byte, r rune) []byte {
	if r > 0xffff {
		b = append(b, '\\', 'U')
		for shift := 28; shift >= 0; shift -= 4 {
			b = append(b, hexDigits[r>>shift&0xf])
		}
		return b
	}
	return append(b, '\\', 'u', hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
}

// hidden reports whether a non-ASCII rune is escaped: a C1 control, or
// an invisible format or line-breaking character.
func hidden(r rune) bool {
	switch {
	case r <= 0x9f:
		return true // C1 controls (r >= 0x80 here)
	case r < 0xad:
		return false // the common Latin-1 letters, quickly
	}
	return unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp)
}

// AppendJSON appends a JSON line (a record, a log message) to b like Append, but with
// JSON escapes, so that a valid JSON line stays valid JSON with the same
// meaning: backslashes are kept (in valid JSON each one starts an
// escape), control and format runes inside strings become \uNNNN (a
// surrogate pair above the BMP), invalid UTF-8 becomes \ufffd (as any
// JSON reader takes it), and whitespace outside strings (the only place a
// C0 byte may be) becomes a space. Whatever the input, valid or not, the
// output holds no control byte and is valid UTF-8.
func AppendJSON(b []byte, s []byte) []byte {
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != 0x7f {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			if c == '\t' || c == '\r' || c == '\n' {
				b = append(b, ' ')
			} else {
				b = appendRuneEscape(b, rune(c))
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		if hidden(r) {
			b = append(b, s[start:i]...)
			if r > 0xffff {
				r1, r2 := utf16.EncodeRune(r)
				b = appendRuneEscape(appendRuneEscape(b, r1), r2)
			} else {
				b = appendRuneEscape(b, r)
			}
			i += size
			start = i
			continue
		}
		i += size
	}
	return append(b, s[start:]...)
}
