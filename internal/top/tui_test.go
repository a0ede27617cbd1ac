package top

import (
	"bytes"
	"io"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/gdamore/tcell/v2"
)

// fakeTTY is a terminal of 80x24 that keeps what is written to it.
type fakeTTY struct {
	mu      sync.Mutex
	out     bytes.Buffer
	closed  chan struct{}
	closeMu sync.Once
}

func newFakeTTY() *fakeTTY { return &fakeTTY{closed: make(chan struct{})} }

func (f *fakeTTY) Start() error           { return nil }
func (f *fakeTTY) Stop() error            { return nil }
func (f *fakeTTY) Drain() error           { return f.Close() } // wakes Read
func (f *fakeTTY) NotifyResize(cb func()) {}
func (f *fakeTTY) Read(b []byte) (int, error) {
	<-f.closed
	return 0, io.EOF
}
func (f *fakeTTY) Write(b []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.out.Write(b)
}
func (f *fakeTTY) Close() error {
	f.closeMu.Do(func() { close(f.closed) })
	return nil
}
func (f *fakeTTY) WindowSize() (tcell.WindowSize, error) {
	return tcell.WindowSize{Width: 80, Height: 24}, nil
}

// take returns what was written since the last take.
func (f *fakeTTY) take() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.out.String()
	f.out.Reset()
	return s
}

// escapes matches the control sequences a terminal is sent.
var escapes = regexp.MustCompile(`\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>78cDEHM]|[\r\n\x00-\x1f]`)

// TestRedrawChangesOnly: drawing the same screen again sends the
// terminal no text and no clear, and a screen that changed in one place
// sends only that: an unchanged line is never written again (no full
// clear every frame, which flickers).
func TestRedrawChangesOnly(t *testing.T) {
	tty := newFakeTTY()
	ti, err := tcell.LookupTerminfo("xterm-256color")
	if err != nil {
		t.Skipf("no terminfo for xterm-256color: %v", err)
	}
	scr, err := tcell.NewTerminfoScreenFromTtyTerminfo(tty, ti)
	if err != nil {
		t.Fatal(err)
	}
	dash, view := feed(t, 1500)
	p, err := NewProgram(Config{Dash: dash, View: view, Screen: scr})
	if err != nil {
		t.Fatal(err)
	}
	defer scr.Fini()
	p.snap = dash.Snapshot()
	p.draw()
	first := tty.take()
	if !strings.Contains(first, "top sections") || !strings.Contains(first, "/api") {
		t.Fatalf("the first frame lacks the lists; it was sent:\n%q", first)
	}
	clear := ti.Clear

	p.draw()
	if got := tty.take(); strings.Contains(got, clear) || escapes.ReplaceAllString(got, "") != "" {
		t.Errorf("the same frame drawn again sent %q, want no text and no clear", got)
	}

	p.v.Paused = true // the header says PAUSED: one line changes
	p.draw()
	got := tty.take()
	text := escapes.ReplaceAllString(got, "")
	if strings.Contains(got, clear) || !strings.Contains(text, "PAUSED") {
		t.Errorf("pausing sent %q, want PAUSED and no clear", got)
	}
	for _, unchanged := range []string{"top sections", "/api", "FIRING", "requests/s"} {
		if strings.Contains(text, unchanged) {
			t.Errorf("pausing wrote %q again, on a line that did not change: %q", unchanged, text)
		}
	}
}
