package parse

import (
	"bytes"
	"testing"
)

func TestSection(t *testing.T) {
	const none = "<nil>"
	tests := []struct {
		name  string
		input string
		want  string // none for nil
	}{
		{"segment of two", "/pages/create", "/pages"},
		{"one segment", "/pages", "/pages"},
		{"trailing slash", "/pages/", "/pages"},
		{"root", "/", "/"},
		{"query", "/a?b=1", "/a"},
		{"query with slash", "/a?b=/c", "/a"},
		{"root query", "/?x=1", "/"},
		{"fragment", "/a#f", "/a"},
		{"empty first segment", "//a/b", "/"},
		{"encoded slash", "/a%2Fb/c", "/a%2Fb"},
		{"absolute URI", "http://host/a/b", "/a"},
		{"absolute URI with port and user", "https://u@host:8080/a?b", "/a"},
		{"absolute URI, root", "http://host/", "/"},
		{"absolute URI without path", "http://host", "/"},
		{"absolute URI without path, query", "http://host?q", "/"},
		{"absolute URI without path, fragment", "http://host#f", "/"},
		{"other scheme", "git+ssh://host/repo/x", "/repo"},
		{"upper-case scheme", "HTTP://host/A/b", "/A"},
		{"asterisk", "*", "*"},
		{"asterisk and more", "*x", none},
		{"CONNECT authority", "host:443", none},
		{"relative", "a/b", none},
		{"empty", "", none},
		{"scheme without slashes", "mailto:x@y", none},
		{"scheme starting with a digit", "1http://host/a", none},
		{"no scheme", "://host/a", none},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target := []byte(tt.input)
			sec := Section(target)
			got := string(sec)
			if sec == nil {
				got = none
			}
			if got != tt.want {
				t.Errorf("Section(%q) (-want +got):\n-%s\n+%s", tt.input, tt.want, got)
			}
			// A section is a subslice of the target (so that parsing a
			// line does not allocate) or the shared "/" of a URI without
			// a path; either way appending to it must not overwrite
			// anything.
			if sec != nil && !aliases(sec, target) && !bytes.Equal(sec, slash) {
				t.Errorf("Section(%q) = %q is not a subslice of the target", tt.input, sec)
			}
			if cap(sec) != len(sec) {
				t.Errorf("Section(%q) has capacity %d > length %d", tt.input, cap(sec), len(sec))
			}
		})
	}
}

// aliases reports whether sub starts inside b.
func aliases(sub, b []byte) bool {
	for i := range b {
		if len(sub) > 0 && &b[i] == &sub[0] {
			return true
		}
	}
	return false
}
