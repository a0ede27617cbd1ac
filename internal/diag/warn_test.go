package diag

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/logmon/logmon/internal/clock"
)

func TestWarnerRateLimit(t *testing.T) {
	var buf bytes.Buffer
	clk := clock.NewFake(time.Unix(0, 0))
	log, err := New(&buf, "parse", "info", "text", clk)
	if err != nil {
		t.Fatal(err)
	}
	w := NewWarner(log, "<stdin>", clk)
	for i := range 25 {
		w.Line(int64(i+1), "bad %s", "thing")
	}
	clk.Advance(time.Second)
	w.Line(26, "bad %s", "again")
	w.Close()
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	want := []string{
		"logmon parse: <stdin>:1: bad thing",
		"logmon parse: <stdin>: 15 more warnings suppressed",
		"logmon parse: <stdin>:26: bad again",
	}
	if len(lines) != 12 || lines[0] != want[0] || lines[10] != want[1] || lines[11] != want[2] {
		t.Errorf("warnings:\n%s\nwant 10 lines, then:\n%s", buf.String(), strings.Join(want[1:], "\n"))
	}
}
