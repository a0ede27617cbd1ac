package fleet

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/logmon/logmon/internal/record"
)

// Publisher is a render.Sink that publishes every record to a JetStream
// subject instead of writing it. Records are sent as they come, without
// waiting; Flush returns once the server has acknowledged every record
// sent, so a stage that flushes before it saves its state (the driver
// does) never saves a state covering a record the server might not have.
// A record the server did not take is sent again, with backoff, until it
// does: none is ever dropped.
type Publisher struct {
	ctx     context.Context
	cfg     Config
	server  string
	subject string
	nc      *nats.Conn
	js      jetstream.JetStream

	// SkipPartial leaves out partial summaries: a stage whose state is
	// kept writes them when a run ends, and the next run writes them
	// again, complete (aggregate.Aggregator.Pause); the hub must count
	// the complete one, which has the same id.
	SkipPartial bool

	buf     []byte
	pending []sent
}

// sent is a record sent and not yet acknowledged.
type sent struct {
	id   string
	data []byte
	ack  jetstream.PubAckFuture // nil: not sent yet (the send failed)
}

// Publish connects to the server of the URL in cfg (waiting while it is
// unreachable), creates the stream when it is missing, and returns a
// Publisher to the URL's subject. ctx ends the waits (a signal).
func Publish(ctx context.Context, cfg Config) (*Publisher, error) {
	server, subject, err := Split(cfg.URL)
	if err != nil {
		return nil, err
	}
	p := &Publisher{ctx: ctx, cfg: cfg, server: server, subject: subject}
	if p.nc, p.js, err = connect(ctx, cfg, server); err != nil {
		return nil, err
	}
	if err := p.retry(func(ctx context.Context) error { return ensureStream(ctx, p.js, cfg) }); err != nil {
		p.nc.Close()
		return nil, fmt.Errorf("stream %s: %w", cfg.Stream, err)
	}
	return p, nil
}

// retry runs f until it succeeds, with backoff, saying why it waits; a
// permission refused ends it with the server's words.
func (p *Publisher) retry(f func(ctx context.Context) error) error {
	wait := 250 * time.Millisecond
	for {
		ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
		err := f(ctx)
		cancel()
		if err == nil {
			return nil
		}
		if p.ctx.Err() != nil {
			return p.ctx.Err()
		}
		if denied(err) {
			return err
		}
		p.cfg.Warn("%s: %v; retrying in %v", redact(p.server), err, wait)
		if err := sleep(p.ctx, wait); err != nil {
			return err
		}
		wait = min(2*wait, 10*time.Second)
	}
}

// denied reports a JetStream error that retrying cannot mend.
func denied(err error) bool {
	var apiErr *jetstream.APIError
	if e, ok := err.(jetstream.JetStreamError); ok && e.APIError() != nil {
		apiErr = e.APIError()
	}
	if apiErr != nil && (apiErr.Code == 403 || apiErr.Code == 400) {
		return true
	}
	return refused(err)
}

func (p *Publisher) Request(r *record.Request) error {
	p.buf = r.AppendJSON(p.buf[:0])
	return p.send(p.hashID("request"))
}

func (p *Publisher) Summary(s *record.Summary) error {
	if s.Partial && p.SkipPartial {
		return nil
	}
	p.buf = s.AppendJSON(p.buf[:0])
	id := "summary " + s.Host + " " + s.Start.UTC().Format(time.RFC3339)
	if s.Partial {
		id += " partial"
	}
	return p.send(p.subject + " " + id)
}

func (p *Publisher) Alert(a *record.Alert) error {
	p.buf = a.AppendJSON(p.buf[:0])
	return p.send(p.subject + " alert " + a.ID + " " + a.State)
}

func (p *Publisher) Raw(typ record.Type, line []byte) error {
	p.buf = append(p.buf[:0], line...)
	return p.send(p.hashID(typ.String()))
}

// hashID is the id of a record that names nothing itself: its bytes'.
func (p *Publisher) hashID(typ string) string {
	h := sha256.Sum256(p.buf)
	return p.subject + " " + typ + " " + hex.EncodeToString(h[:12])
}

// send sends the record in buf.
func (p *Publisher) send(id string) error {
	s := sent{id: id, data: append([]byte(nil), p.buf...)}
	s.ack, _ = p.js.PublishAsync(p.subject, s.data, jetstream.WithMsgID(id))
	p.pending = append(p.pending, s)
	if len(p.pending) >= 1024 {
		return p.Flush()
	}
	return nil
}

// Flush waits until the server has acknowledged every record sent,
// sending again, with backoff, those it did not take.
func (p *Publisher) Flush() error {
	for i := range p.pending {
		s := &p.pending[i]
		if s.ack != nil {
			select {
			case <-s.ack.Ok():
				continue
			case err := <-s.ack.Err():
				p.cfg.Warn("%s: record not acknowledged: %v; sending it again", redact(p.server), err)
			case <-time.After(10 * time.Second):
				p.cfg.Warn("%s: no acknowledgement in 10s; sending again", redact(p.server))
			case <-p.ctx.Done():
				return p.ctx.Err()
			}
		}
		err := p.retry(func(ctx context.Context) error {
			_, err := p.js.Publish(ctx, p.subject, s.data, jetstream.WithMsgID(s.id))
			return err
		})
		if err != nil {
			return fmt.Errorf("publishing to %s: %w", redact(p.server), err)
		}
	}
	p.pending = p.pending[:0]
	return nil
}

// Close flushes and closes the connection.
func (p *Publisher) Close() error {
	err := p.Flush()
	p.nc.Close()
	return err
}
