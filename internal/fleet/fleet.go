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
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Config is where the records go or come from, and the stream that keeps
// them.
type Config struct {
	// URL is nats://[user:password@]host:port[,host:port...]/subject
	// (tls:// for TLS): several servers of a cluster, comma-separated, of
	// which the first reachable is used and the others are moved to when
	// it goes; a user without password is a token.
	URL        string
	Creds      string        // a NATS credentials file (user JWT and seed) or an nkey seed file; "" for none
	TLSCA      string        // a PEM file of the CAs that sign the server's certificate; "": the system's
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
	for _, h := range strings.Split(u.Host, ",") {
		if h == "" || strings.Contains(h, "/") {
			return "", "", fmt.Errorf("%q: want host:port[,host:port...] for the servers, not %q", raw, u.Host)
		}
	}
	subject = strings.TrimPrefix(u.Path, "/")
	if subject == "" || subject != "logmon" && !strings.HasPrefix(subject, "logmon.") {
		return "", "", fmt.Errorf("%q: the subject must be logmon.NAME (the stream holds %s), not %q", raw, Subjects, subject)
	}
	u.Path, u.RawPath = "", ""
	return u.String(), subject, nil
}

// conn is a connection to the server and its JetStream.
type conn struct {
	nc *nats.Conn
	js jetstream.JetStream
	// ctx ends with the caller's, or when the server refuses what the
	// connection does (a permission violation): context.Cause says why.
	ctx    context.Context
	cancel context.CancelCauseFunc
	// name is the servers said in messages, without credentials.
	name string
}

func (c *conn) close() {
	c.nc.Close()
	c.cancel(nil)
}

// connect connects to the server, waiting and retrying with backoff while
// it is unreachable, until ctx ends or, when patience is more than 0, the
// server has been unreachable for patience. What retrying cannot mend ends it at
// once with an error: a login refused, a certificate not trusted, a host
// name that does not exist, a credentials file that cannot be read.
func connect(ctx context.Context, cfg Config, server string, patience time.Duration) (*conn, error) {
	servers, name, opts, err := dialOptions(cfg, server)
	if err != nil {
		return nil, err
	}
	c := &conn{name: name}
	c.ctx, c.cancel = context.WithCancelCause(ctx)
	opts = append(opts,
		nats.Name("logmon"),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(time.Second),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				cfg.Warn("disconnected from %s: %v; reconnecting", name, err)
			}
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) { cfg.Warn("reconnected to %s", nc.ConnectedUrlRedacted()) }),
		// A permission violation comes asynchronously; what waited on
		// the request or the acknowledgement refused ends with it.
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
			if errors.Is(err, nats.ErrPermissionViolation) {
				c.cancel(err)
				return
			}
			cfg.Warn("%s: %v", name, err)
		}),
	)
	wait := 250 * time.Millisecond
	start := time.Now()
	for {
		nc, err := nats.Connect(servers, opts...)
		if err == nil {
			js, err := jetstream.New(nc)
			if err != nil {
				nc.Close()
				c.cancel(nil)
				return nil, err
			}
			c.nc, c.js = nc, js
			return c, nil
		}
		if hopeless(err) {
			c.cancel(nil)
			return nil, fmt.Errorf("%s: %v", name, err)
		}
		if patience > 0 && time.Since(start)+wait > patience {
			c.cancel(nil)
			return nil, fmt.Errorf("cannot reach %s for %v: %v", name, patience, err)
		}
		cfg.Warn("cannot reach %s: %v; retrying in %v", name, err, wait)
		if err := sleep(ctx, wait); err != nil {
			c.cancel(nil)
			return nil, err
		}
		wait = min(2*wait, 10*time.Second)
	}
}

// dialOptions returns what nats.Connect takes for the server URL of
// Split: the servers, each with the scheme, and the credentials as
// options (so that every server of the list gets them), and the servers
// as said in messages.
func dialOptions(cfg Config, server string) (servers, name string, opts []nats.Option, err error) {
	u, err := url.Parse(server)
	if err != nil {
		return "", "", nil, err
	}
	if u.User != nil {
		if pw, ok := u.User.Password(); ok {
			opts = append(opts, nats.UserInfo(u.User.Username(), pw))
		} else {
			opts = append(opts, nats.Token(u.User.Username()))
		}
	}
	hosts := strings.Split(u.Host, ",")
	for i, h := range hosts {
		hosts[i] = u.Scheme + "://" + h
	}
	servers = strings.Join(hosts, ",")
	if cfg.Creds != "" {
		b, err := os.ReadFile(cfg.Creds)
		if err != nil {
			return "", "", nil, fmt.Errorf("--creds: %w", err)
		}
		if bytes.Contains(b, []byte("BEGIN NATS USER JWT")) {
			opts = append(opts, nats.UserCredentials(cfg.Creds))
		} else {
			// A file with an nkey user's seed only.
			o, err := nats.NkeyOptionFromSeed(cfg.Creds)
			if err != nil {
				return "", "", nil, fmt.Errorf("--creds %s: neither a credentials file (user JWT and seed) nor an nkey seed: %w", cfg.Creds, err)
			}
			opts = append(opts, o)
		}
	}
	if cfg.TLSCA != "" {
		if _, err := os.Stat(cfg.TLSCA); err != nil {
			return "", "", nil, fmt.Errorf("--tls-ca: %w", err)
		}
		opts = append(opts, nats.RootCAs(cfg.TLSCA))
	}
	return servers, servers, opts, nil
}

// refused reports an error that retrying cannot mend: a login refused.
func refused(err error) bool {
	return errors.Is(err, nats.ErrAuthorization) || errors.Is(err, nats.ErrAuthExpired) || errors.Is(err, nats.ErrAuthRevoked) ||
		strings.Contains(strings.ToLower(err.Error()), "authorization")
}

// hopeless reports a connection error that retrying cannot mend: a login
// refused, a server certificate not trusted or TLS on one side only, a
// host name that does not exist (a server that does not answer, or is
// not there yet, is waited for).
func hopeless(err error) bool {
	var dns *net.DNSError
	var verify *tls.CertificateVerificationError
	var unknownCA x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	return refused(err) ||
		errors.As(err, &dns) && dns.IsNotFound ||
		errors.As(err, &verify) || errors.As(err, &unknownCA) || errors.As(err, &hostname) || errors.As(err, &invalid) ||
		errors.Is(err, nats.ErrSecureConnWanted) || errors.Is(err, nats.ErrSecureConnRequired) ||
		errors.Is(err, nats.ErrNoUserCB) || errors.Is(err, nats.ErrNkeysNotSupported) ||
		strings.Contains(err.Error(), "rootCA") || strings.Contains(err.Error(), "root certificate")
}

// ensureStream creates the stream when it is missing. A stream there
// already is kept as it is; fewer replicas than asked for are said.
func ensureStream(ctx context.Context, js jetstream.JetStream, cfg Config) error {
	s, err := js.Stream(ctx, cfg.Stream)
	if err == nil {
		if n := s.CachedInfo().Config.Replicas; n < cfg.Replicas {
			cfg.Warn("stream %s is kept on %d servers, not the %d of --stream-replicas: it was made so (by a host or a hub that did not ask for more)", cfg.Stream, n, cfg.Replicas)
		}
		return nil
	}
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
