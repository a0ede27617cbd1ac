package fleet

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/logmon/logmon/internal/record"
)

// PositionFile is the file identity a stage keeps, in its state's
// position (checkpoint.Position), for records read from the stream
// named: its offset is the stream sequence of the last record counted.
func PositionFile(stream string) string { return "nats:" + stream }

// Subscribe writes the records of the subjects of cfg.URL (wildcards
// allowed) to w in stream order, from the stream sequence from on (1:
// from the first), each with its place: "stream" and "seq" are added as
// the record's first members. It waits for new records until ctx ends or,
// when idle is more than 0, until no record has come for idle. Output is
// flushed whenever no record is waiting.
func Subscribe(ctx context.Context, cfg Config, from uint64, idle time.Duration, w io.Writer) error {
	server, subject, err := Split(cfg.URL)
	if err != nil {
		return err
	}
	c, err := connect(ctx, cfg, server, idle)
	if err != nil {
		return err
	}
	defer c.close()
	ctx = c.ctx
	s := &subscription{c: c, cfg: cfg, subject: subject, last: max(from, 1) - 1}
	r, err := s.read()
	if err != nil {
		if ctx.Err() != nil {
			return ended(ctx)
		}
		return fmt.Errorf("%s: stream %s: %w", c.name, cfg.Stream, err)
	}
	defer func() { r.stop() }()
	out := bufio.NewWriterSize(w, 64<<10)
	var line []byte
	last, checked := time.Now(), time.Now()
	tick := time.Second
	if idle > 0 {
		tick = min(tick, idle)
	}
	ticker := time.NewTicker(tick)
	defer ticker.Stop()
	for {
		var n next
		select {
		case n = <-r.nexts:
		case <-ticker.C:
			if err := out.Flush(); err != nil {
				return err
			}
			if idle > 0 && time.Since(last) >= idle {
				return nil
			}
			if time.Since(last) >= stuckAfter && time.Since(checked) >= stuckAfter {
				checked = time.Now()
				if s.stuck() {
					cfg.Warn("%s: stream %s holds records after sequence %d that have not come for %v; reading anew from %d", c.name, cfg.Stream, s.last, stuckAfter, s.last+1)
					r.stop()
					if r, err = s.read(); err != nil {
						r = nil
						if ctx.Err() != nil {
							return ended(ctx)
						}
						return fmt.Errorf("%s: stream %s: %w", c.name, cfg.Stream, err)
					}
				}
			}
			continue
		case <-ctx.Done():
			if err := out.Flush(); err != nil {
				return err
			}
			return ended(ctx)
		}
		if n.err != nil {
			if ctx.Err() != nil {
				if err := out.Flush(); err != nil {
					return err
				}
				return ended(ctx)
			}
			return n.err
		}
		meta, err := n.msg.Metadata()
		if err != nil {
			return err
		}
		if meta.Sequence.Stream <= s.last {
			continue // written already
		}
		last = time.Now()
		s.last = meta.Sequence.Stream
		line = placed(line[:0], n.msg.Data(), meta.Stream, meta.Sequence.Stream)
		if _, err := out.Write(line); err != nil {
			return err
		}
		if meta.NumPending == 0 {
			if err := out.Flush(); err != nil {
				return err
			}
		}
	}
}

// stuckAfter is how long Subscribe waits for records before it looks
// whether the stream holds some that have not come.
const stuckAfter = 5 * time.Second

// subscription reads a stream's records of a subject in order, with
// nats.go's ordered consumer, made anew after the last record written
// whenever it gets stuck.
type subscription struct {
	c       *conn
	cfg     Config
	subject string
	last    uint64 // the sequence of the last record written
}

// next is what the iterator's Next gave.
type next struct {
	msg jetstream.Msg
	err error
}

// reader is one ordered consumer's iterator, whose records come on
// nexts. One Next waits for as long as it takes, in a goroutine of its
// own: the iterator notices a consumer lost (a server restarted, a node
// of a cluster gone) by missed heartbeats and by a reconnection seen
// within one Next, and makes the consumer anew after the last record it
// gave. Next with a short wait, over and over, missed both, and waited
// for ever.
type reader struct {
	it    jetstream.MessagesContext
	nexts chan next
	quit  chan struct{}
}

// read makes an ordered consumer of the records after s.last (the stream
// when it is missing, as a publisher does: a hub may start before its
// hosts), waiting while the server cannot, and starts reading it.
func (s *subscription) read() (*reader, error) {
	cc := jetstream.OrderedConsumerConfig{FilterSubjects: []string{s.subject}, DeliverPolicy: jetstream.DeliverAllPolicy}
	if s.last > 0 {
		cc.DeliverPolicy, cc.OptStartSeq = jetstream.DeliverByStartSequencePolicy, s.last+1
	}
	var cons jetstream.Consumer
	err := retry(s.c, s.cfg, func(ctx context.Context) error {
		if err := ensureStream(ctx, s.c.js, s.cfg); err != nil {
			return err
		}
		var err error
		cons, err = s.c.js.OrderedConsumer(ctx, s.cfg.Stream, cc)
		return err
	})
	if err != nil {
		return nil, err
	}
	// A heartbeat every 2 s tells a lost consumer in about 4.
	it, err := cons.Messages(jetstream.PullExpiry(10*time.Second), jetstream.PullHeartbeat(2*time.Second))
	if err != nil {
		return nil, err
	}
	r := &reader{it: it, nexts: make(chan next), quit: make(chan struct{})}
	go func() {
		for {
			msg, err := it.Next()
			select {
			case r.nexts <- next{msg, err}:
			case <-r.quit:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	return r, nil
}

func (r *reader) stop() {
	if r != nil {
		close(r.quit)
		r.it.Stop()
	}
}

// stuck reports whether the stream holds a record of the subject after
// the last written. Asked when none has come for a while, it tells an
// ordered consumer that waits for ever: the iterator does notice a
// consumer lost, but when the stream's leader is killed in a cluster it
// may keep making it anew in vain (seen with nats.go 1.49 and nats-server
// 2.9: the hub stopped at the record before the kill).
func (s *subscription) stuck() bool {
	ctx, cancel := context.WithTimeout(s.c.ctx, 5*time.Second)
	defer cancel()
	st, err := s.c.js.Stream(ctx, s.cfg.Stream)
	if err != nil {
		return false
	}
	_, err = st.GetMsg(ctx, s.last+1, jetstream.WithGetMsgSubject(s.subject))
	return err == nil
}

// ended is what ends Subscribe when ctx has ended: nil for a signal, the
// server's words for a permission violation.
func ended(ctx context.Context) error {
	if err := context.Cause(ctx); errors.Is(err, nats.ErrPermissionViolation) {
		return err
	}
	return nil
}

// placed appends the record data with "stream" and "seq" as its first
// members, and a newline. Data that is no JSON object is written as it
// came: the stage reading it reports it.
func placed(b, data []byte, stream string, seq uint64) []byte {
	i := 0
	for i < len(data) && (data[i] == ' ' || data[i] == '\t') {
		i++
	}
	if i == len(data) || data[i] != '{' {
		return append(append(b, data...), '\n')
	}
	b = append(b, `{"stream":`...)
	b = record.AppendString(b, []byte(stream))
	b = append(b, `,"seq":`...)
	b = strconv.AppendUint(b, seq, 10)
	rest := data[i+1:]
	j := 0
	for j < len(rest) && (rest[j] == ' ' || rest[j] == '\t' || rest[j] == '\n' || rest[j] == '\r') {
		j++
	}
	if j < len(rest) && rest[j] != '}' {
		b = append(b, ',')
	}
	b = append(b, rest...)
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return append(b, '\n')
}
