package alert

import (
	"encoding/json"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/logmon/logmon/internal/record"
)

// feed gives e the requests of secs (seconds after t0), in order.
func feed(t *testing.T, e *Engine, secs []int64) {
	t.Helper()
	var r record.Request
	for _, s := range secs {
		r.Sec = t0 + s
		if err := e.Request(&r); err != nil {
			t.Fatal(err)
		}
	}
}

func newCollecting(t *testing.T, cfg Config, out *[]record.Alert) *Engine {
	t.Helper()
	e, err := New(cfg, func(a *record.Alert) error { *out = append(*out, *a); return nil })
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestStateResume: a run stopped at any line and resumed from its saved
// state writes exactly the alerts of an uninterrupted run, ids included,
// with lines out of order within the lateness.
func TestStateResume(t *testing.T) {
	cfg := ht(2, 20*time.Second, 3*time.Second)
	rng := rand.New(rand.NewPCG(1, 2))
	var secs []int64
	for s := int64(0); s < 300; s++ {
		n := 1
		if (s/40)%2 == 1 {
			n = 4 // bursts that fire, then quiet spells that resolve
		}
		for range n {
			secs = append(secs, s)
		}
	}
	// Disorder within the lateness, as real servers write.
	for i := range secs {
		j := min(len(secs)-1, i+rng.IntN(6))
		if secs[j]-secs[i] <= 3 {
			secs[i], secs[j] = secs[j], secs[i]
		}
	}
	var want []record.Alert
	e := newCollecting(t, cfg, &want)
	feed(t, e, secs)
	if len(want) < 6 {
		t.Fatalf("the test traffic gives %d alerts, want several", len(want))
	}
	for cut := 0; cut <= len(secs); cut += 7 {
		var gotA []record.Alert
		a := newCollecting(t, cfg, &gotA)
		feed(t, a, secs[:cut])
		data, err := json.Marshal(a.State())
		if err != nil {
			t.Fatal(err)
		}
		// A paused run judges nothing more: the engine is left as it is.
		b := newCollecting(t, cfg, &gotA)
		if err := b.Restore(data); err != nil {
			t.Fatalf("cut %d: Restore(%s): %v", cut, data, err)
		}
		feed(t, b, secs[cut:])
		if !slices.Equal(gotA, want) {
			t.Fatalf("cut at line %d: alerts differ from an uninterrupted run\n got %v\nwant %v", cut, gotA, want)
		}
		if b.Late() != e.Late() {
			t.Errorf("cut at line %d: late %d, uninterrupted %d", cut, b.Late(), e.Late())
		}
	}
}

// TestStateFiringStaysFiring: an alert firing when the state was saved
// is still firing after the restore: no second "firing" record, and its
// recovery carries the id of the original alert.
func TestStateFiringStaysFiring(t *testing.T) {
	cfg := ht(1, 10*time.Second, 0)
	var out []record.Alert
	a := newCollecting(t, cfg, &out)
	feed(t, a, []int64{0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3}) // 12 hits: over 10 at second 3
	feed(t, a, []int64{6, 7, 8})                            // judge up to 7
	if len(out) != 1 || out[0].State != record.Firing {
		t.Fatalf("before the stop: %v, want one firing alert", out)
	}
	data, _ := json.Marshal(a.State())
	b := newCollecting(t, cfg, &out)
	if err := b.Restore(data); err != nil {
		t.Fatal(err)
	}
	feed(t, b, []int64{30})
	if len(out) != 2 || out[1].State != record.Resolved || out[1].ID != out[0].ID {
		t.Fatalf("after the restore: %v, want only the resolution, with id %q", out, out[0].ID)
	}
	if want := "high_traffic@2015-05-17T10:00:03Z"; out[0].ID != want {
		t.Errorf("id %q, want %q", out[0].ID, want)
	}
}

func TestStateRefused(t *testing.T) {
	cfg := ht(1, 10*time.Second, 2*time.Second)
	tests := []struct {
		name, state, want string
	}{
		{"not JSON", `{"clock":`, "unexpected end"},
		{"count outside the window", `{"clock":{"begun":true,"newest":100,"lines":100,"judged":97},"counts":[[50,1]]}`, "outside the window"},
		{"count after the newest second", `{"clock":{"begun":true,"newest":100,"lines":100,"judged":97},"counts":[[101,1]]}`, "outside the window"},
		{"negative count", `{"clock":{"begun":true,"newest":100,"lines":100,"judged":97},"counts":[[99,-1]]}`, "not a count"},
		{"more 5xx than hits", `{"clock":{"begun":true,"newest":100,"lines":100,"judged":97},"counts":[[99,1,2]]}`, "not a count"},
		{"counts out of order", `{"clock":{"begun":true,"newest":100,"lines":100,"judged":97},"counts":[[99,1],[98,1]]}`, "outside the window"},
		{"judged ahead of newest", `{"clock":{"begun":true,"newest":100,"lines":100,"judged":101}}`, "out of order"},
		{"judged too far behind for the lateness", `{"clock":{"begun":true,"newest":100,"lines":100,"judged":90}}`, "out of order"},
		{"fired in the future", `{"clock":{"begun":true,"newest":100,"lines":100,"judged":97},"rules":[{"name":"high_traffic","firing":true,"fired_at":99}]}`, "inconsistent"},
		{"pending in the future", `{"clock":{"begun":true,"newest":100,"lines":100,"judged":97},"rules":[{"name":"high_traffic","run":true,"since":99}]}`, "inconsistent"},
		{"another rule", `{"clock":{"begun":true,"newest":100,"lines":100,"judged":97},"rules":[{"name":"low_traffic"}]}`, "in the settings"},
		{"a rule missing", `{"clock":{"begun":true,"newest":100,"lines":100,"judged":97},"rules":[]}`, "0 rules"},
		{"counts without a clock", `{"counts":[[1,1]]}`, "outside the window"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out []record.Alert
			e := newCollecting(t, cfg, &out)
			err := e.Restore([]byte(tt.state))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Restore(%s) = %v, want an error with %q", tt.state, err, tt.want)
			}
		})
	}
}

// TestStateKeepsSeenSummaries: the 1-second summaries folded are
// remembered across a save and a restore (seen_runs), so that one
// repeated after a restart is counted once.
func TestStateKeepsSeenSummaries(t *testing.T) {
	cfg := ht(2, 20*time.Second, 3*time.Second)
	sum := func(host string, sec int64) *record.Summary {
		return &record.Summary{Host: host, Start: time.Unix(t0+sec, 0), End: time.Unix(t0+sec+1, 0), Requests: 1, Status: record.StatusClasses{C2xx: 1}}
	}
	var out []record.Alert
	e := newCollecting(t, cfg, &out)
	for sec := range int64(5) {
		if err := e.Summary(sum("web1", sec)); err != nil {
			t.Fatal(err)
		}
	}
	data, err := json.Marshal(e.State())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"seen_runs":[{"host":"web1"`) {
		t.Errorf("state without the runs: %s", data)
	}
	r := newCollecting(t, cfg, &out)
	if err := r.Restore(data); err != nil {
		t.Fatal(err)
	}
	if err := r.Summary(sum("web1", 3)); !r.Repeated(err) {
		t.Errorf("a summary folded before the restore: %v, want a repeat", err)
	}
	if err := r.Summary(sum("web1", 5)); err != nil {
		t.Errorf("a summary not seen: %v", err)
	}
}
