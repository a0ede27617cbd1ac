package fleet

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// lostAck is an acknowledgement that never comes.
type lostAck struct{ jetstream.PubAckFuture }

func (lostAck) Ok() <-chan *jetstream.PubAck { return nil }
func (lostAck) Err() <-chan error            { return nil }

// resender counts the records sent again, each acknowledged at once.
type resender struct {
	jetstream.JetStream
	sent []string
}

func (r *resender) Publish(ctx context.Context, subj string, data []byte, opts ...jetstream.PublishOpt) (*jetstream.PubAck, error) {
	r.sent = append(r.sent, string(data))
	return &jetstream.PubAck{}, nil
}

// TestFlushWaitsOnce: records whose acknowledgements are lost, without a
// disconnect, are sent again after one wait for the whole flush. Before,
// each record was waited for in turn (10 s each: hours for a full batch).
func TestFlushWaitsOnce(t *testing.T) {
	defer func(w time.Duration) { ackWait = w }(ackWait)
	ackWait = 10 * time.Millisecond
	var warnings []string
	js := &resender{}
	ctx := context.Background()
	p := &Publisher{ctx: ctx, js: js, subject: "logmon.t", c: &conn{ctx: ctx, name: "test"},
		cfg: Config{Warn: func(format string, args ...any) { warnings = append(warnings, fmt.Sprintf(format, args...)) }}}
	for i := range 5 {
		p.pending = append(p.pending, sent{id: fmt.Sprint(i), data: []byte(fmt.Sprint("record ", i)), ack: lostAck{}})
	}
	if err := p.Flush(); err != nil {
		t.Fatal(err)
	}
	if len(js.sent) != 5 || len(p.pending) != 0 {
		t.Errorf("%d records sent again (%d pending), want 5", len(js.sent), len(p.pending))
	}
	waited := 0
	for _, w := range warnings {
		if strings.Contains(w, "no acknowledgement in") {
			waited++
		}
	}
	if waited != 1 || len(warnings) != 5 {
		t.Errorf("waited %d times for acknowledgements, want once:\n%s", waited, strings.Join(warnings, "\n"))
	}
}
