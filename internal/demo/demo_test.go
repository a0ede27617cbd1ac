package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/logmon/logmon/internal/clock"
	"github.com/logmon/logmon/internal/diag"
	"github.com/logmon/logmon/render"
)

func TestDemo(t *testing.T) {
	start := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	// A wall clock that waiting moves on at once: the demo runs at full
	// speed, gen's lines and the stages' ticks in their order all the same.
	wall := clock.NewFake(start).Jumping()
	var out, errs bytes.Buffer
	sink := render.NewJSON(&out)
	err := Run(context.Background(), Config{Seed: 1, Speed: 10, Out: sink, Log: func(cmd string) *slog.Logger { l, _ := diag.New(&errs, cmd, "info", "text", wall); return l }, Clock: wall})
	if err != nil {
		t.Fatal(err)
	}
	sink.Flush()
	var summaries, requests int
	var alerts []string
	var at []time.Duration
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var r struct {
			Type, State, Time, Rule string
			Requests                int
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("%v: %q", err, line)
		}
		switch r.Type {
		case "summary":
			summaries++
			requests += r.Requests
		case "alert":
			tm, _ := time.Parse(time.RFC3339, r.Time)
			alerts = append(alerts, r.Rule+" "+r.State)
			at = append(at, tm.Sub(start))
		}
	}
	if Length() != 390*time.Second {
		t.Errorf("Length() = %v, want the 6m30s the phases add up to", Length())
	}
	// Six and a half minutes of traffic in 10 s summaries.
	if summaries < 38 || summaries > 40 {
		t.Errorf("%d summaries, want 39", summaries)
	}
	if requests < 3000 {
		t.Errorf("summaries count %d requests; the demo's burst alone is 3000", requests)
	}
	// The burst starts at +60s and trips 10 req/s over 2 min about 35 s in;
	// it ends at +180s and the alert recovers 72 s into the silence, which
	// runs from +180s to +270s. The slow minute, +270s to +330s, trips the
	// latency rule within seconds; it recovers once under 10 % of the
	// 30 s window is slow, some 20 s after.
	want := []string{"high_traffic firing", "high_traffic resolved", "latency firing", "latency resolved"}
	near := []time.Duration{95 * time.Second, 252 * time.Second, 275 * time.Second, 350 * time.Second}
	ok := len(alerts) == len(want)
	for i := 0; ok && i < len(want); i++ {
		d := at[i] - near[i]
		ok = alerts[i] == want[i] && d > -15*time.Second && d < 15*time.Second
	}
	if !ok {
		t.Errorf("alerts %q at %v, want %q at about %v", alerts, at, want, near)
	}
	if !strings.Contains(errs.String(), "rejected") {
		t.Errorf("stderr lacks the parse tally: %q", errs.String())
	}
}
