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
	ctx, js := c.ctx, c.js
	cc := jetstream.OrderedConsumerConfig{FilterSubjects: []string{subject}, DeliverPolicy: jetstream.DeliverAllPolicy}
	if from > 1 {
		cc.DeliverPolicy, cc.OptStartSeq = jetstream.DeliverByStartSequencePolicy, from
	}
	// The stream is created when missing, as a publisher does: a hub
	// may well start before its hosts.
	var cons jetstream.Consumer
	err = retry(c, cfg, func(ctx context.Context) error {
		if err := ensureStream(ctx, js, cfg); err != nil {
			return err
		}
		var err error
		cons, err = js.OrderedConsumer(ctx, cfg.Stream, cc)
		return err
	})
	if err != nil {
		if ctx.Err() != nil {
			return ended(ctx)
		}
		return fmt.Errorf("%s: stream %s: %w", c.name, cfg.Stream, err)
	}
	// One Next waits for as long as it takes, in a goroutine of its own:
	// the iterator notices a consumer lost (a server restarted, a node of
	// a cluster gone) by missed heartbeats and a reconnection seen within
	// one Next, and makes it anew after the last record given. Next with
	// a short wait, over and over, missed both, and waited for ever.
	// A heartbeat every 2 s tells a lost consumer in about 4.
	it, err := cons.Messages(jetstream.PullExpiry(10*time.Second), jetstream.PullHeartbeat(2*time.Second))
	if err != nil {
		return err
	}
	type next struct {
		msg jetstream.Msg
		err error
	}
	nexts := make(chan next)
	quit := make(chan struct{})
	defer func() {
		close(quit)
		it.Stop()
	}()
	go func() {
		for {
			msg, err := it.Next()
			select {
			case nexts <- next{msg, err}:
			case <-quit:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	out := bufio.NewWriterSize(w, 64<<10)
	var line []byte
	last := time.Now()
	tick := time.Second
	if idle > 0 {
		tick = min(tick, idle)
	}
	ticker := time.NewTicker(tick)
	defer ticker.Stop()
	for {
		var n next
		select {
		case n = <-nexts:
		case <-ticker.C:
			if err := out.Flush(); err != nil {
				return err
			}
			if idle > 0 && time.Since(last) >= idle {
				return nil
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
		last = time.Now()
		meta, err := n.msg.Metadata()
		if err != nil {
			return err
		}
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
