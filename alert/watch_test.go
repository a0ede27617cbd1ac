package alert

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/logmon/logmon/internal/record"
)

// TestWatch: the watcher hears every rule's state when it starts
// watching, each change as the record of it is written, and every rule's
// state again when a saved state is restored.
func TestWatch(t *testing.T) {
	var heard, written []string
	watch := func(rule string, firing bool) { heard = append(heard, fmt.Sprintf("%s %v", rule, firing)) }
	e, err := New(rules(high(0.5, 10), errRate(0.5, 5, 10)), func(a *record.Alert) error {
		written = append(written, fmt.Sprintf("%s %v", a.Rule, a.State == record.Firing))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	e.Watch(watch)
	want := []string{"high_traffic false", "error_rate false"}
	if !slices.Equal(heard, want) {
		t.Fatalf("at the start (-want +got):\n-%q\n+%q", want, heard)
	}
	var last int64
	// 6 hits in second 0: high_traffic fires; 10 5xx at 5: error_rate too.
	play(t, e, []second{at(0, 6, 0), at(5, 10, 10), at(8, 1, 0)}, &last)
	heard = heard[2:]
	if len(written) == 0 || !slices.Equal(heard, written) {
		t.Fatalf("heard %q, records written %q: want the same changes", heard, written)
	}
	data, err := json.Marshal(e.State())
	if err != nil {
		t.Fatal(err)
	}
	heard = nil
	e2, err := New(rules(high(0.5, 10), errRate(0.5, 5, 10)), func(*record.Alert) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	e2.Watch(watch)
	if err := e2.Restore(data); err != nil {
		t.Fatal(err)
	}
	want = []string{"high_traffic false", "error_rate false", "high_traffic true", "error_rate true"}
	if !slices.Equal(heard, want) {
		t.Errorf("new engine, then restored (-want +got):\n-%q\n+%q", want, heard)
	}
}
