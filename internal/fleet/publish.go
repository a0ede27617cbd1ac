package fleet

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
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
	c       *conn
	subject string
	js      jetstream.JetStream

	// SkipPartial leaves out partial summaries: a stage whose state is
	// kept writes them when a run ends, and the next run writes them
	// again, complete (aggregate.Aggregator.Pause); the hub must count
	// the complete one, which has the same id.
	SkipPartial bool

	buf     []byte
	pending []sent
}

// opts are the publish options of s: its message id, when it has one.
func (s *sent) opts() []jetstream.PublishOpt {
	if s.id == "" {
		return nil
	}
	return []jetstream.PublishOpt{jetstream.WithMsgID(s.id)}
}

// ackWait is how long a flush waits for the server's acknowledgements
// before it sends again what they have not come for.
var ackWait = 10 * time.Second

// sent is a record sent and not yet acknowledged.
type sent struct {
	id   string // the message id; "" for none
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
	c, err := connect(ctx, cfg, server, 0)
	if err != nil {
		return nil, err
	}
	p := &Publisher{ctx: c.ctx, cfg: cfg, c: c, subject: subject, js: c.js}
	if err := p.retry(func(ctx context.Context) error { return ensureStream(ctx, p.js, cfg) }); err != nil {
		c.close()
		return nil, fmt.Errorf("%s: stream %s: %w", c.name, cfg.Stream, err)
	}
	return p, nil
}

// retry runs f until it succeeds, with backoff, saying why it waits; a
// permission refused ends it with the server's words.
func (p *Publisher) retry(f func(ctx context.Context) error) error {
	return retry(p.c, p.cfg, f)
}

// retry runs f until it succeeds, with backoff, saying why it waits; a
// permission refused ends it with the server's words, and so does the
// end of c's context (a signal, or a permission violation said by the
// server meanwhile).
func retry(c *conn, cfg Config, f func(ctx context.Context) error) error {
	wait := 250 * time.Millisecond
	for {
		ctx, cancel := context.WithTimeout(c.ctx, 5*time.Second)
		err := f(ctx)
		cancel()
		if err == nil {
			return nil
		}
		if c.ctx.Err() != nil {
			return context.Cause(c.ctx)
		}
		if denied(err) {
			return err
		}
		cfg.Warn("%s: %v; retrying in %v", c.name, err, wait)
		if sleep(c.ctx, wait) != nil {
			return context.Cause(c.ctx)
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
	return refused(err) || errors.Is(err, nats.ErrPermissionViolation) ||
		errors.Is(err, jetstream.ErrJetStreamNotEnabled) || errors.Is(err, jetstream.ErrJetStreamNotEnabledForAccount)
}

// Request publishes a request. Its message id is its place in a followed
// file (file_id and offset), which names it; a request without one has no
// id, and the server drops no repeat of it: two requests of the same
// second, client and path are two requests, and an id made of the
// record's bytes (as other records have) dropped the second.
func (p *Publisher) Request(r *record.Request) error {
	p.buf = r.AppendJSON(p.buf[:0])
	if r.File == nil {
		return p.send("")
	}
	return p.send(p.subject + " request " + string(r.File) + " " + strconv.FormatInt(r.Offset, 10))
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
	if typ == record.TypeRequest {
		return p.send("") // as Request: identical requests are not repeats
	}
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
	s.ack, _ = p.js.PublishAsync(p.subject, s.data, s.opts()...)
	p.pending = append(p.pending, s)
	if len(p.pending) >= 1024 {
		return p.Flush()
	}
	return nil
}

// Flush waits until the server has acknowledged every record sent,
// sending again, with backoff, those it did not take.
func (p *Publisher) Flush() error {
	// One wait for the acknowledgements of the whole flush, not one for
	// each record: lost without a disconnect, 1,024 of them would have
	// taken hours to send again.
	deadline := time.NewTimer(ackWait)
	defer deadline.Stop()
	expired := false
	for i := range p.pending {
		s := &p.pending[i]
		if s.ack != nil && expired {
			select {
			case <-s.ack.Ok():
				continue
			case err := <-s.ack.Err():
				p.cfg.Warn("%s: record not acknowledged: %v; sending it again", p.c.name, err)
			default:
				p.cfg.Warn("%s: record still not acknowledged; sending it again", p.c.name)
			}
		} else if s.ack != nil {
			select {
			case <-s.ack.Ok():
				continue
			case err := <-s.ack.Err():
				p.cfg.Warn("%s: record not acknowledged: %v; sending it again", p.c.name, err)
			case <-deadline.C:
				expired = true
				p.cfg.Warn("%s: no acknowledgement in %v; sending again", p.c.name, ackWait)
			case <-p.ctx.Done():
				return fmt.Errorf("publishing to %s: %w", p.c.name, context.Cause(p.ctx))
			}
		}
		err := p.retry(func(ctx context.Context) error {
			_, err := p.js.Publish(ctx, p.subject, s.data, s.opts()...)
			return err
		})
		if err != nil {
			return fmt.Errorf("publishing to %s: %w", p.c.name, err)
		}
	}
	p.pending = p.pending[:0]
	return nil
}

// Close flushes and closes the connection.
func (p *Publisher) Close() error {
	err := p.Flush()
	p.c.close()
	return err
}
