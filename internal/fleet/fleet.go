// Package fleet carries logmon's records between machines over NATS
// JetStream (github.com/nats-io/nats.go): a stage's records published to
// a subject (Publisher, stats --publish), and the records of the subjects
// a hub watches read back in stream order (Subscribe, logmon subscribe).
//
// The records are the JSON lines the stages write, one a message. Each
// message has an id (Nats-Msg-Id) made from what the record is, not when
// it was sent: a summary's host and start, an alert's id and state. A
// record published again after a crash and restart has the id it had, so
// the server drops it within the stream's duplicate window.
package fleet

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Config is where the records go or come from, and the stream that keeps
// them.
type Config struct {
	URL        string        // nats://[user:password@]host:port/subject (tls:// for TLS)
	Creds      string        // a NATS credentials file; "" for none
	Stream     string        // the stream's name
	MaxAge     time.Duration // the stream's retention, when it is created here
	Duplicates time.Duration // its duplicate window, when created here
	Replicas   int           // its replicas, when created here
	// Warn says on standard error what the connection does: a server
	// unreachable, retried, back.
	Warn func(format string, args ...any)
}

// Subjects is what the stream holds: every logmon subject.
const Subjects = "logmon.>"

// Split returns the server URL and the subject of a --publish or
// subscribe URL.
func Split(raw string) (server, subject string, err error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", "", err
	}
	switch u.Scheme {
	case "nats", "tls":
	default:
		return "", "", fmt.Errorf("%q: want nats://host:port/subject or tls://host:port/subject", raw)
	}
	if u.Host == "" {
		return "", "", fmt.Errorf("%q has no host", raw)
	}
	subject = strings.TrimPrefix(u.Path, "/")
	if subject == "" || subject != "logmon" && !strings.HasPrefix(subject, "logmon.") {
		return "", "", fmt.Errorf("%q: the subject must be logmon.NAME (the stream holds %s), not %q", raw, Subjects, subject)
	}
	u.Path, u.RawPath = "", ""
	return u.String(), subject, nil
}

// connect connects to the server, waiting and retrying with backoff while
// it is unreachable, until ctx ends. A refused login is an error at once.
func connect(ctx context.Context, cfg Config, server string) (*nats.Conn, jetstream.JetStream, error) {
	opts := []nats.Option{
		nats.Name("logmon"),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(time.Second),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				cfg.Warn("disconnected from %s: %v; reconnecting", redact(server), err)
			}
		}),
		nats.ReconnectHandler(func(*nats.Conn) { cfg.Warn("reconnected to %s", redact(server)) }),
	}
	if cfg.Creds != "" {
		opts = append(opts, nats.UserCredentials(cfg.Creds))
	}
	wait := 250 * time.Millisecond
	for {
		nc, err := nats.Connect(server, opts...)
		if err == nil {
			js, err := jetstream.New(nc)
			if err != nil {
				nc.Close()
				return nil, nil, err
			}
			return nc, js, nil
		}
		if refused(err) {
			return nil, nil, fmt.Errorf("%s: %v", redact(server), err)
		}
		cfg.Warn("cannot reach %s: %v; retrying in %v", redact(server), err, wait)
		if err := sleep(ctx, wait); err != nil {
			return nil, nil, err
		}
		wait = min(2*wait, 10*time.Second)
	}
}

// refused reports an error that retrying cannot mend: a login refused.
func refused(err error) bool {
	return errors.Is(err, nats.ErrAuthorization) || errors.Is(err, nats.ErrAuthExpired) || errors.Is(err, nats.ErrAuthRevoked) ||
		strings.Contains(strings.ToLower(err.Error()), "authorization")
}

// ensureStream creates the stream when it is missing.
func ensureStream(ctx context.Context, js jetstream.JetStream, cfg Config) error {
	_, err := js.Stream(ctx, cfg.Stream)
	if !errors.Is(err, jetstream.ErrStreamNotFound) {
		return err
	}
	_, err = js.CreateStream(ctx, jetstream.StreamConfig{
		Name:       cfg.Stream,
		Subjects:   []string{Subjects},
		Storage:    jetstream.FileStorage,
		MaxAge:     cfg.MaxAge,
		Duplicates: cfg.Duplicates,
		Replicas:   max(1, cfg.Replicas),
	})
	if errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
		return nil // made by another host meanwhile
	}
	return err
}

// redact leaves a password out of a URL said on standard error.
func redact(server string) string {
	u, err := url.Parse(server)
	if err != nil || u.User == nil {
		return server
	}
	return u.Redacted()
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
