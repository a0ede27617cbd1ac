package aggregate

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/logmon/logmon/internal/record"
)

func newStage(t *testing.T, cfg Config, out *[]record.Summary) *Aggregator {
	t.Helper()
	a, err := New(cfg, func(s *record.Summary) error {
		var d record.Decoder
		var got record.Summary
		if err := d.Summary(s.AppendJSON(nil), &got); err != nil {
			t.Fatal(err)
		}
		*out = append(*out, got)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func feed(t *testing.T, a *Aggregator, reqs []req) {
	t.Helper()
	for _, q := range reqs {
		pr := record.Request{Sec: t0 + q.sec, Status: q.status, Bytes: q.bytes, Remote: []byte(q.client), Method: []byte(q.method), Section: []byte(q.section)}
		if err := a.Request(&pr); err != nil {
			t.Fatal(err)
		}
	}
}

// traffic is a minute and a half of varied requests, out of order within
// 3 s, with a silence of 40 s in the middle.
func traffic() []req {
	rng := rand.New(rand.NewPCG(3, 4))
	var reqs []req
	for s := int64(0); s < 130; s++ {
		if s >= 50 && s < 90 {
			continue
		}
		for range 1 + rng.IntN(4) {
			reqs = append(reqs, req{
				sec:     max(0, s-rng.Int64N(4)),
				section: fmt.Sprintf("/s%d", rng.IntN(7)),
				status:  []int{200, 200, 304, 404, 503}[rng.IntN(5)],
				client:  fmt.Sprintf("10.0.0.%d", rng.IntN(20)),
				method:  []string{"GET", "POST"}[rng.IntN(2)],
				bytes:   rng.Int64N(5000),
			})
		}
	}
	return reqs
}

// TestStateResume: stopped at any line with its state saved, paused, and
// resumed from the state, stats writes every complete summary of an
// uninterrupted run, in order, once; the summaries the paused run wrote
// are all marked partial.
func TestStateResume(t *testing.T) {
	cfg := Config{Interval: 10e9, Top: 3, Lateness: 4e9}
	reqs := traffic()
	want := run(t, cfg, reqs)
	for cut := 0; cut <= len(reqs); cut += 5 {
		var first, second []record.Summary
		a := newStage(t, cfg, &first)
		feed(t, a, reqs[:cut])
		n := len(first)
		data, err := json.Marshal(a.State())
		if err != nil {
			t.Fatal(err)
		}
		if err := a.Pause(); err != nil {
			t.Fatal(err)
		}
		for _, s := range first[n:] {
			if !s.Partial {
				t.Fatalf("cut at %d: the paused run wrote a summary not marked partial: %+v", cut, s)
			}
		}
		b := newStage(t, cfg, &second)
		if err := b.Restore(data); err != nil {
			t.Fatalf("cut at %d: Restore: %v\n%s", cut, err, data)
		}
		feed(t, b, reqs[cut:])
		if err := b.End(); err != nil {
			t.Fatal(err)
		}
		got := append(first[:n:n], second...)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("cut at %d (state %s):\n got %v\nwant %v", cut, data, brief(got), brief(want))
		}
	}
}

func TestStateRefused(t *testing.T) {
	tests := []struct {
		name, state, want string
	}{
		{"not JSON", `[`, "unexpected end"},
		{"next not aligned", `{"clock":{"begun":true,"newest":100,"lines":100,"judged":94},"next":95,"have_next":true}`, "not aligned"},
		{"open before next", `{"clock":{"begun":true,"newest":100,"lines":100,"judged":94},"next":90,"have_next":true,"open":[{"start":80}]}`, "not one these settings"},
		{"open after the newest second", `{"clock":{"begun":true,"newest":100,"lines":100,"judged":94},"next":90,"have_next":true,"open":[{"start":110}]}`, "not one these settings"},
		{"open twice", `{"clock":{"begun":true,"newest":100,"lines":100,"judged":94},"next":90,"have_next":true,"open":[{"start":90},{"start":90}]}`, "not one these settings"},
		{"negative counts", `{"clock":{"begun":true,"newest":100,"lines":100,"judged":94},"next":90,"have_next":true,"open":[{"start":90,"requests":-1}]}`, "negative"},
		{"bad clock", `{"clock":{"begun":true,"newest":100,"lines":101,"judged":94}}`, "out of order"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out []record.Summary
			a := newStage(t, defaults(), &out)
			if err := a.Restore([]byte(tt.state)); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Restore(%s) = %v, want an error with %q", tt.state, err, tt.want)
			}
		})
	}
}

// TestEdgesOfRange: a request in the last second RFC 3339 can write gives
// a summary that can be written (its end is that second), and sizes that
// add up past 2^63-1 stop there instead of turning negative.
func TestEdgesOfRange(t *testing.T) {
	var out []record.Summary
	a := newStage(t, defaults(), &out)
	huge := record.Request{Sec: 253402300799, Status: 200, Bytes: 1 << 62}
	for range 3 {
		if err := a.Request(&huge); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.End(); err != nil {
		t.Fatal(err)
	}
	if len(out) != 1 || out[0].End.Unix() != 253402300799 || out[0].Bytes != 1<<63-1 {
		t.Errorf("summaries %+v, want one ending at 9999-12-31T23:59:59Z with bytes 2^63-1", out)
	}
}

// TestEarliestInterval: an interval aligned before year 0 (a huge
// --interval) is written as starting at 0000-01-01T00:00:00Z.
func TestEarliestInterval(t *testing.T) {
	var out []record.Summary
	a := newStage(t, Config{Interval: 100000000e9, Top: 1}, &out)
	early := record.Request{Sec: -62135596800 - 14*3600, Status: 200} // 0001-01-01T00:00:00+14:00
	if err := a.Request(&early); err != nil {
		t.Fatal(err)
	}
	if err := a.End(); err != nil {
		t.Fatal(err)
	}
	if len(out) != 1 || out[0].Start.Unix() != -62167219200 || out[0].Requests != 1 {
		t.Errorf("summaries %+v, want one starting at 0000-01-01T00:00:00Z", out)
	}
}

// TestStateKeepsSeenSummaries: the summaries folded are remembered across
// a save and a restore, kept by host in runs (seen_runs), so that one
// repeated after a restart is counted once; a state written before the
// runs, with the list of keys (seen), is read too.
func TestStateKeepsSeenSummaries(t *testing.T) {
	cfg := Config{Interval: 10 * time.Second, Top: 5, Lateness: 5 * time.Second}
	sum := func(host string, sec int64) *record.Summary {
		return &record.Summary{Host: host, Start: time.Unix(t0+sec, 0), End: time.Unix(t0+sec+1, 0), Requests: 1, Status: record.StatusClasses{C2xx: 1}}
	}
	var out []record.Summary
	a := newStage(t, cfg, &out)
	for sec := range int64(5) {
		for _, h := range []string{"web1", "web2"} {
			if err := a.Summary(sum(h, sec)); err != nil {
				t.Fatal(err)
			}
		}
	}
	data, err := json.Marshal(a.State())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"seen_runs":[{"host":"web1","from":`+fmt.Sprint(t0)+`,"to":`+fmt.Sprint(t0+4)+`,"every":1}`) {
		t.Errorf("state without web1's run: %s", data)
	}
	old := strings.Replace(string(data), `"seen_runs":[`, `"seen":[{"host":"web3","start":`+fmt.Sprint(t0+2)+`}],"seen_runs":[`, 1)
	b := newStage(t, cfg, &out)
	if err := b.Restore([]byte(old)); err != nil {
		t.Fatal(err)
	}
	for _, k := range []struct {
		host string
		sec  int64
	}{{"web1", 0}, {"web2", 4}, {"web3", 2}} {
		if err := b.Summary(sum(k.host, k.sec)); err != ErrRepeated {
			t.Errorf("%s at %d after a restore: %v, want ErrRepeated", k.host, k.sec, err)
		}
	}
	if err := b.Summary(sum("web3", 3)); err != nil {
		t.Errorf("a summary not seen: %v", err)
	}
}
