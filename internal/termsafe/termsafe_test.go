package termsafe

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/logmon/logmon/internal/termsafe/termsafetest"
)

func TestAppend(t *testing.T) {
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
			got := string(Append([]byte("pre:"), []byte(tt.in)))
			if want := "pre:" + tt.want; got != want {
				t.Errorf("Append(%q) mismatch (-want +got):\n-%s\n+%s", tt.in, want, got)
			}
			if u := readBack(t, got[len("pre:"):]); u != tt.in {
				t.Errorf("Append(%q) cannot be read back: got %q", tt.in, u)
			}
		})
	}
}

// TestAppendEscapesListed checks every rune the contract names, one by one.
func TestAppendEscapesListed(t *testing.T) {
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
		got := string(Append(nil, []byte(string(r))))
		if !strings.HasPrefix(got, `\`) || len(got) < 2 {
			t.Errorf("Append(%q) = %q, want an escape", string(r), got)
		}
	}
	for c := 0x80; c <= 0xff; c++ {
		got := string(Append(nil, []byte{byte(c)}))
		if want := `\x` + strconv.FormatInt(int64(c), 16); got != want {
			t.Errorf("Append(byte %#x) mismatch (-want +got):\n-%s\n+%s", c, want, got)
		}
	}
}

// readBack reads Append's output back as the inside of a Go string
// literal in which '"' is not escaped.
func readBack(t testing.TB, s string) string {
	t.Helper()
	u, err := strconv.Unquote(`"` + strings.ReplaceAll(s, `"`, `\"`) + `"`)
	if err != nil {
		t.Fatalf("output %q is not a Go string literal: %v", s, err)
	}
	return u
}

func FuzzAppend(f *testing.F) {
	for _, s := range []string{"", "café", "\x1b[31m", "\x9b", "\u009b", "\u202e", "\xed\xa0\x80", "\xe2\x82", `\x1b`, `"\"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, s []byte) {
		out := Append(nil, s)
		termsafetest.Check(t, "output", out, 0)
		if u := readBack(t, string(out)); u != string(s) {
			t.Fatalf("Append(%q) = %q reads back as %q", s, out, u)
		}
	})
}

func TestAppendJSON(t *testing.T) {
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
			got := string(AppendJSON(nil, []byte(tt.in)))
			if got != tt.want {
				t.Errorf("AppendJSON(%q) mismatch (-want +got):\n-%s\n+%s", tt.in, tt.want, got)
			}
		})
	}
}

func FuzzAppendJSON(f *testing.F) {
	for _, s := range []string{`{"type":"x"}`, "{\t\"type\":\"\u202e\x9b\"}", `{"a":"\u001b"}`, "\x1b[31m", "{\"m\":\"\U000e0041\"}"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, s []byte) {
		out := AppendJSON(nil, s)
		termsafetest.Check(t, "output", out, 0)
		if !json.Valid(s) {
			return
		}
		var want, got any
		if err := json.Unmarshal(s, &want); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("AppendJSON(%q) = %q, not valid JSON: %v", s, out, err)
		}
		if !reflect.DeepEqual(want, got) {
			t.Fatalf("AppendJSON(%q) = %q changes the value (-want +got):\n-%#v\n+%#v", s, out, want, got)
		}
	})
}

// TestAppendMessage: a message keeps its backslashes, so that the Go
// escapes already in it (a value quoted with %q) are not doubled, and
// its raw control and invisible characters are escaped as by Append.
func TestAppendMessage(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"plain", "state saved", "state saved"},
		{"quoted escapes kept", `bad status "\x1b[2J"`, `bad status "\x1b[2J"`},
		{"backslash kept", `C:\logs\access.log`, `C:\logs\access.log`},
		{"raw ESC", "rotated to access.log.1\x1b]0;owned\x07", `rotated to access.log.1\x1b]0;owned\a`},
		{"raw CSI clear", "file \x1b[2J\x1b[H", `file \x1b[2J\x1b[H`},
		{"raw C1 byte", "a\x9bb", `a\x9bb`},
		{"UTF-8 C1", "a\u009bb", `a\u009bb`},
		{"bidi", "a\u202eb", `a\u202eb`},
		{"newline", "a\nb", `a\nb`},
		{"letters kept", "café 日本", "café 日本"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(AppendMessage([]byte("pre:"), []byte(tt.in))); got != "pre:"+tt.want {
				t.Errorf("AppendMessage(%q) mismatch (-want +got):\n-%s\n+%s", tt.in, "pre:"+tt.want, got)
			}
			if got := Message(tt.in); got != tt.want {
				t.Errorf("Message(%q) mismatch (-want +got):\n-%s\n+%s", tt.in, tt.want, got)
			}
		})
	}
}

func FuzzAppendMessage(f *testing.F) {
	for _, s := range []string{"", "café", "\x1b[31m", "\x9b", "\u009b", "\u202e", `\x1b`, "a\\\x1b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Message(s)
		termsafetest.Check(t, "output", []byte(out), 0)
		// Text with nothing to escape is kept as it is.
		if utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool { return r == '\n' || termsafetest.Unsafe(r) != "" }) && out != s {
			t.Fatalf("Message(%q) = %q changes safe text", s, out)
		}
	})
}
