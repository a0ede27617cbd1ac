package render

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestSanitize(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"empty", "", ""},
		{"plain ASCII", "GET /index.html?q=1&x=%20 HTTP/1.1", "GET /index.html?q=1&x=%20 HTTP/1.1"},
		{"UTF-8 letters kept", "café ñandú Ελλάδα 日本語 😀", "café ñandú Ελλάδα 日本語 😀"},
		{"no-break space kept", "a\u00a0b", "a\u00a0b"},
		{"backslash", `a\b\\c`, `a\\b\\\\c`},
		{"backslash before x", `\x1b`, `\\x1b`},
		{"CSI colour", "\x1b[31mred\x1b[0m", `\x1b[31mred\x1b[0m`},
		{"CSI clear screen", "\x1b[2J\x1b[H", `\x1b[2J\x1b[H`},
		{"OSC title", "\x1b]0;x\x07", `\x1b]0;x\a`},
		{"OSC 8 link", "\x1b]8;;http://evil.example/\x1b\\click\x1b]8;;\x1b\\", `\x1b]8;;http://evil.example/\x1b\\click\x1b]8;;\x1b\\`},
		{"OSC 52 clipboard", "\x1b]52;c;cm0gLXJmIH4K\x07", `\x1b]52;c;cm0gLXJmIH4K\a`},
		{"unterminated OSC", "\x1b]0;title", `\x1b]0;title`},
		{"raw C1 CSI byte", "\x9b31m", `\x9b31m`},
		{"raw C1 OSC byte", "\x9d0;x\x9c", `\x9d0;x\x9c`},
		{"UTF-8 encoded C1 CSI", "\u009b31m", `\u009b31m`},
		{"UTF-8 encoded C1 NEL", "a\u0085b", `a\u0085b`},
		{"NUL", "a\x00b", `a\x00b`},
		{"CR", "ok\rEVIL", `ok\rEVIL`},
		{"LF", "a\nb", `a\nb`},
		{"BS", "abc\b\b\bxyz", `abc\b\b\bxyz`},
		{"TAB", "a\tb", `a\tb`},
		{"BEL VT FF", "\a\v\f", `\a\v\f`},
		{"other C0", "\x01\x1f", `\x01\x1f`},
		{"DEL", "a\x7fb", `a\x7fb`},
		{"RLO U+202E", "invoice\u202etxt.exe", `invoice\u202etxt.exe`},
		{"LRM RLM", "\u200e\u200f", `\u200e\u200f`},
		{"bidi embeddings", "\u202a\u202b\u202c\u202d", `\u202a\u202b\u202c\u202d`},
		{"bidi isolates", "\u2066\u2067\u2068\u2069", `\u2066\u2067\u2068\u2069`},
		{"Arabic letter mark", "\u061c", `\u061c`},
		{"BOM", "\ufeffx", `\ufeffx`},
		{"zero width space", "a\u200bb", `a\u200bb`},
		{"line separator", "a\u2028b\u2029", `a\u2028b\u2029`},
		{"tag characters", "\U000e0041\U000e007f", `\U000e0041\U000e007f`},
		{"lone continuation byte", "a\x80b\xbf", `a\x80b\xbf`},
		{"overlong slash", "\xc0\xaf", `\xc0\xaf`},
		{"overlong 3 bytes", "\xe0\x80\xaf", `\xe0\x80\xaf`},
		{"surrogate half", "\xed\xa0\x80", `\xed\xa0\x80`},
		{"above U+10FFFF", "\xf4\x90\x80\x80", `\xf4\x90\x80\x80`},
		{"FE FF", "\xfe\xff", `\xfe\xff`},
		{"cut sequence at end", "price 5\xe2\x82", `price 5\xe2\x82`},
		{"cut sequence before ASCII", "\xe2\x82x", `\xe2\x82x`},
		{"U+FFFD itself kept", "\ufffd", "\ufffd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(Sanitize([]byte("pre:"), []byte(tt.in)))
			if want := "pre:" + tt.want; got != want {
				t.Errorf("Sanitize(%q) mismatch (-want +got):\n-%s\n+%s", tt.in, want, got)
			}
			if u := unsanitize(t, got[len("pre:"):]); u != tt.in {
				t.Errorf("Sanitize(%q) cannot be read back: got %q", tt.in, u)
			}
		})
	}
}

// TestSanitizeEscapesListed checks every rune the contract names, one by one.
func TestSanitizeEscapesListed(t *testing.T) {
	var runes []rune
	for r := rune(0); r < 0x20; r++ {
		runes = append(runes, r)
	}
	runes = append(runes, 0x7f)
	for r := rune(0x80); r <= 0x9f; r++ {
		runes = append(runes, r)
	}
	runes = append(runes, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e,
		0x2066, 0x2067, 0x2068, 0x2069, 0x061c, 0xfeff)
	for _, r := range runes {
		got := string(Sanitize(nil, []byte(string(r))))
		if !strings.HasPrefix(got, `\`) || len(got) < 2 {
			t.Errorf("Sanitize(%q) = %q, want an escape", string(r), got)
		}
	}
	for c := 0x80; c <= 0xff; c++ {
		got := string(Sanitize(nil, []byte{byte(c)}))
		if want := `\x` + strconv.FormatInt(int64(c), 16); got != want {
			t.Errorf("Sanitize(byte %#x) mismatch (-want +got):\n-%s\n+%s", c, want, got)
		}
	}
}

// unsanitize reads Sanitize's output back as the inside of a Go string
// literal in which '"' is not escaped.
func unsanitize(t testing.TB, s string) string {
	t.Helper()
	u, err := strconv.Unquote(`"` + strings.ReplaceAll(s, `"`, `\"`) + `"`)
	if err != nil {
		t.Fatalf("output %q is not a Go string literal: %v", s, err)
	}
	return u
}

// unsafeRune reports why a rune of text output is unsafe on a terminal,
// or "" when it is safe. It is written from the contract, not from the
// code under test.
func unsafeRune(r rune) string {
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
	case unicode.Is(unicode.Cf, r):
		return "format character"
	}
	return ""
}

// checkSafe reports the first unsafe thing in text output: invalid UTF-8,
// a control or bidi rune, or a line break other than the record's own.
func checkSafe(t testing.TB, out []byte, lines int) {
	t.Helper()
	if !utf8.Valid(out) {
		t.Fatalf("output is not valid UTF-8: %q", out)
	}
	// With the output valid UTF-8, a byte 0x9b can only be the
	// continuation byte of a printable character (as in "ě"), never the
	// one-byte C1 CSI: the rune checks below cover it.
	for i, r := range string(out) {
		if why := unsafeRune(r); why != "" {
			t.Fatalf("output has %s %U at byte %d: %q", why, r, i, out)
		}
	}
	if n := strings.Count(string(out), "\n"); n != lines {
		t.Fatalf("output has %d lines, want %d: %q", n, lines, out)
	}
}

func FuzzSanitize(f *testing.F) {
	for _, s := range []string{"", "café", "\x1b[31m", "\x9b", "\u009b", "\u202e", "\xed\xa0\x80", "\xe2\x82", `\x1b`, `"\"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, s []byte) {
		out := Sanitize(nil, s)
		checkSafe(t, out, 0)
		if u := unsanitize(t, string(out)); u != string(s) {
			t.Fatalf("Sanitize(%q) = %q reads back as %q", s, out, u)
		}
	})
}

func TestSanitizeJSON(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"plain", `{"type":"x","n":1}`, `{"type":"x","n":1}`},
		{"escapes kept", `{"type":"x","m":"a\nb\u001b\\"}`, `{"type":"x","m":"a\nb\u001b\\"}`},
		{"whitespace outside strings", "{\t\"type\":\r\"x\"}", `{ "type": "x"}`},
		{"raw DEL and C1", "{\"type\":\"x\",\"m\":\"\x7f\u009b\"}", `{"type":"x","m":"\u007f\u009b"}`},
		{"bidi", "{\"type\":\"x\",\"m\":\"\u202e\"}", `{"type":"x","m":"\u202e"}`},
		{"tag character", "{\"type\":\"x\",\"m\":\"\U000e0041\"}", `{"type":"x","m":"\udb40\udc41"}`},
		{"invalid UTF-8", "{\"type\":\"x\",\"m\":\"\x9b\xff\"}", `{"type":"x","m":"\ufffd\ufffd"}`},
		{"letters kept", `{"type":"x","m":"café"}`, `{"type":"x","m":"café"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(sanitizeJSON(nil, []byte(tt.in)))
			if got != tt.want {
				t.Errorf("sanitizeJSON(%q) mismatch (-want +got):\n-%s\n+%s", tt.in, tt.want, got)
			}
		})
	}
}

func FuzzSanitizeJSON(f *testing.F) {
	for _, s := range []string{`{"type":"x"}`, "{\t\"type\":\"\u202e\x9b\"}", `{"a":"\u001b"}`, "\x1b[31m", "{\"m\":\"\U000e0041\"}"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, s []byte) {
		out := sanitizeJSON(nil, s)
		checkSafe(t, out, 0)
		if !json.Valid(s) {
			return
		}
		var want, got any
		if err := json.Unmarshal(s, &want); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("sanitizeJSON(%q) = %q, not valid JSON: %v", s, out, err)
		}
		if !reflect.DeepEqual(want, got) {
			t.Fatalf("sanitizeJSON(%q) = %q changes the value (-want +got):\n-%#v\n+%#v", s, out, want, got)
		}
	})
}
