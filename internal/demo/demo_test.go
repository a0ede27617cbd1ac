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
			Type, State, Time string
			Requests          int
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
			alerts = append(alerts, r.State)
			at = append(at, tm.Sub(start))
		}
	}
	if Length() != 5*time.Minute {
		t.Errorf("Length() = %v, want the 5m the phases add up to", Length())
	}
	// Five minutes of traffic in 10 s summaries.
	if summaries < 29 || summaries > 31 {
		t.Errorf("%d summaries, want 30", summaries)
	}
	if requests < 3000 {
		t.Errorf("summaries count %d requests; the demo's burst alone is 3000", requests)
	}
	// The burst starts at +60s and trips 10 req/s over 2 min about 35 s in;
	// it ends at +180s and the alert recovers 72 s into the silence.
	// The silence runs from +180s to +270s.
	if len(alerts) != 2 || alerts[0] != "firing" || alerts[1] != "resolved" ||
		at[0] < 90*time.Second || at[0] > 110*time.Second || at[1] < 240*time.Second || at[1] > 270*time.Second {
		t.Errorf("alerts %q at %v, want firing at about +1m35s and resolved in the silence, about +4m12s", alerts, at)
	}
	if !strings.Contains(errs.String(), "rejected") {
		t.Errorf("stderr lacks the parse tally: %q", errs.String())
	}
}
