package command

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nkeys"
)

// The fleet's credentials, each against a nats-server that asks for
// them: what works, and what is refused, clearly (exit 1 with the
// server's words), never retried for ever.

// smallTraffic is a few seconds of request records, for tests that only
// need some summaries to go through.
func smallTraffic(t *testing.T) []byte {
	t.Helper()
	log := logmon(t, nil, "gen", "--seed", "3", "--start", "2015-05-17T10:00:00Z", "--phases", "steady:12s:5", "--log-format", nginxTimed).ok(t).stdout
	return []byte(logmon(t, []byte(log), "parse", "--log-format", nginxTimed).ok(t).stdout)
}

// roundTrip publishes the 1-second summaries of recs as host h1 with the
// flags given (a URL's credentials, --creds, --tls-ca) and reads them
// back with subscribe, and fails the test unless all came back.
func roundTrip(t *testing.T, recs []byte, url string, flags ...string) {
	t.Helper()
	want := strings.Count(logmon(t, recs, "stats", "--interval", "1s", "--host", "h1").ok(t).stdout, "\n")
	logmon(t, recs, append([]string{"stats", "--interval", "1s", "--host", "h1", "--publish", url + "/logmon.h1"}, flags...)...).ok(t)
	got := logmon(t, nil, append([]string{"subscribe", url + "/logmon.>", "--until-idle", "300ms"}, flags...)...).ok(t).stdout
	if n := strings.Count(got, "\n"); n != want || want == 0 {
		t.Errorf("%s: subscribe gave %d records, %d were published", url, n, want)
	}
}

// runBin runs the built logmon with args on stdin, as a process of its
// own; one that has not ended after a minute (a refusal retried for
// ever) is killed and fails the test.
func runBin(t *testing.T, stdin []byte, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(logmonBin(t), "logmon"), args...)
	cmd.Stdin = bytes.NewReader(stdin)
	var out, errs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errs
	err := cmd.Run()
	r := result{cmd: "logmon " + strings.Join(args, " "), stdout: out.String(), stderr: errs.String()}
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Fatalf("%s: still running after a minute; stderr:\n%s", r.cmd, cut(errs.Bytes()))
	case errors.As(err, &exit):
		r.code = exit.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return r
}

// refusedWith fails the test unless r ended with exit 1 and a stderr
// that says every one of words, and none of secrets.
func refusedWith(t *testing.T, r result, words []string, secrets ...string) {
	t.Helper()
	if r.code != exitFailure {
		t.Errorf("%s: exit %d, want %d\n%s", r.cmd, r.code, exitFailure, r.stderr)
	}
	for _, w := range words {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("%s: stderr does not say %q:\n%s", r.cmd, w, r.stderr)
		}
	}
	for _, s := range secrets {
		if strings.Contains(r.stderr, s) {
			t.Errorf("%s: stderr gives the secret %q away:\n%s", r.cmd, s, r.stderr)
		}
	}
}

// natsConf writes a nats-server configuration file into dir.
func natsConf(t *testing.T, dir, conf string) string {
	t.Helper()
	path := filepath.Join(dir, "nats.conf")
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestNATSLogin: users with passwords, an nkey user whose seed file is
// given as --creds, and users without permission on the stream's subject
// or on the JetStream API, all on one server; a token on another.
func TestNATSLogin(t *testing.T) {
	recs := smallTraffic(t)
	dir := t.TempDir()
	user, err := nkeys.CreateUser()
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := user.PublicKey()
	seed, _ := user.Seed()
	seedFile := filepath.Join(dir, "user.nk")
	if err := os.WriteFile(seedFile, append(seed, '\n'), 0o600); err != nil {
		t.Fatal(err)
	}
	conf := natsConf(t, dir, fmt.Sprintf(`
authorization {
  users: [
    {user: admin, password: s3cret}
    {nkey: %s}
    {user: nopub, password: p1, permissions: {publish: {deny: ["logmon.>"]}}}
    {user: nojs, password: p2, permissions: {publish: {deny: ["$JS.API.>"]}}}
  ]
}
`, pub))
	s := newNATS(t, "-c", conf, "-js", "-sd", filepath.Join(dir, "store"))
	s.start()
	addr := s.addr()

	roundTrip(t, recs, "nats://admin:s3cret@"+addr)
	roundTrip(t, recs, "nats://"+addr, "--creds", seedFile)

	for _, args := range [][]string{
		{"stats", "--interval", "1s", "--host", "h1", "--publish", "nats://admin:wrong@" + addr + "/logmon.h1"},
		{"subscribe", "nats://admin:wrong@" + addr + "/logmon.>", "--until-idle", "1s"},
		{"subscribe", "nats://" + addr + "/logmon.>", "--until-idle", "1s"},
	} {
		refusedWith(t, runBin(t, recs, args...), []string{"Authorization Violation"}, "wrong")
	}
	// A user who may not publish to the stream's subjects (the stream
	// is there), and one who may not use JetStream's API: refused with
	// the server's words, whatever the stage does.
	refusedWith(t, runBin(t, recs, "stats", "--interval", "1s", "--host", "h1", "--publish", "nats://nopub:p1@"+addr+"/logmon.h1"),
		[]string{`Permissions Violation for Publish to "logmon.h1"`}, "p1")
	for _, args := range [][]string{
		{"stats", "--interval", "1s", "--host", "h1", "--publish", "nats://nojs:p2@" + addr + "/logmon.h1"},
		{"subscribe", "nats://nojs:p2@" + addr + "/logmon.>", "--until-idle", "1s"},
	} {
		refusedWith(t, runBin(t, recs, args...), []string{`Permissions Violation for Publish to "$JS.API.`}, "p2")
	}
	// A --creds file that is not there.
	refusedWith(t, runBin(t, recs, "subscribe", "nats://"+addr+"/logmon.>", "--creds", filepath.Join(dir, "missing.creds")),
		[]string{"--creds", "missing.creds", "no such file"})

	tok := newNATS(t, "-js", "-sd", filepath.Join(dir, "store2"), "--auth", "t0ken")
	tok.start()
	roundTrip(t, recs, "nats://t0ken@"+tok.addr())
	refusedWith(t, runBin(t, recs, "subscribe", "nats://wrong@"+tok.addr()+"/logmon.>"), []string{"Authorization Violation"}, "wrong")
}

// TestNATSCredsFile: a credentials file (a user's JWT and seed) against
// a server in operator mode (an operator, a system account and an
// account with JetStream, their JWTs preloaded): taken; a user whose
// account the server does not know: refused.
func TestNATSCredsFile(t *testing.T) {
	recs := smallTraffic(t)
	dir := t.TempDir()
	op, _ := nkeys.CreateOperator()
	opPub, _ := op.PublicKey()
	account := func(name string, js bool) (nkeys.KeyPair, string, string) {
		kp, _ := nkeys.CreateAccount()
		pub, _ := kp.PublicKey()
		c := jwt.NewAccountClaims(pub)
		c.Name = name
		if js {
			c.Limits.JetStreamLimits = jwt.JetStreamLimits{MemoryStorage: -1, DiskStorage: -1, Streams: -1, Consumer: -1}
		}
		token, err := c.Encode(op)
		if err != nil {
			t.Fatal(err)
		}
		return kp, pub, token
	}
	_, sysPub, sysJWT := account("SYS", false)
	acc, accPub, accJWT := account("LOGMON", true)
	stranger, _, _ := account("STRANGER", true) // not preloaded
	oc := jwt.NewOperatorClaims(opPub)
	oc.Name = "op"
	oc.SystemAccount = sysPub
	opJWT, err := oc.Encode(op)
	if err != nil {
		t.Fatal(err)
	}
	creds := func(name string, signer nkeys.KeyPair) string {
		u, _ := nkeys.CreateUser()
		pub, _ := u.PublicKey()
		seed, _ := u.Seed()
		c := jwt.NewUserClaims(pub)
		c.Name = name
		token, err := c.Encode(signer)
		if err != nil {
			t.Fatal(err)
		}
		b, err := jwt.FormatUserConfig(token, seed)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, name+".creds")
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	good, bad := creds("web1", acc), creds("intruder", stranger)
	conf := natsConf(t, dir, fmt.Sprintf(`
operator: %q
system_account: %s
resolver: MEMORY
resolver_preload: {
  %s: %q
  %s: %q
}
jetstream: {store_dir: %q}
`, opJWT, sysPub, sysPub, sysJWT, accPub, accJWT, filepath.Join(dir, "store")))
	s := newNATS(t, "-c", conf)
	s.start()

	roundTrip(t, recs, s.url(), "--creds", good)
	refusedWith(t, runBin(t, recs, "stats", "--interval", "1s", "--host", "h1", "--publish", s.url()+"/logmon.h1", "--creds", bad),
		[]string{"Authorization Violation"})
	refusedWith(t, runBin(t, recs, "subscribe", s.url()+"/logmon.>"), []string{"Authorization Violation"})
}

// TestNATSTLS: a server whose certificate a CA made here signs: trusted
// with --tls-ca, refused without (the system does not trust that CA), and
// tls:// to a server without TLS refused.
func TestNATSTLS(t *testing.T) {
	recs := smallTraffic(t)
	dir := t.TempDir()
	ca, cert, key := tlsFiles(t, dir)
	s := newNATS(t, "-js", "-sd", filepath.Join(dir, "store"), "--tls", "--tlscert", cert, "--tlskey", key)
	s.start()
	url := "tls://" + s.addr()
	roundTrip(t, recs, url, "--tls-ca", ca)
	for _, args := range [][]string{
		{"stats", "--interval", "1s", "--host", "h1", "--publish", url + "/logmon.h1"},
		{"subscribe", url + "/logmon.>", "--until-idle", "1s"},
		{"subscribe", "nats://" + s.addr() + "/logmon.>", "--until-idle", "1s"}, // the server asks for TLS
	} {
		refusedWith(t, runBin(t, recs, args...), []string{"certificate signed by unknown authority"})
	}
	refusedWith(t, runBin(t, recs, "subscribe", url+"/logmon.>", "--tls-ca", filepath.Join(dir, "none.pem")),
		[]string{"--tls-ca", "none.pem"})

	plain := newNATS(t, "-js", "-sd", filepath.Join(dir, "store2"))
	plain.start()
	refusedWith(t, runBin(t, recs, "subscribe", "tls://"+plain.addr()+"/logmon.>", "--tls-ca", ca), []string{"secure connection not available"})
}

// tlsFiles writes a CA's certificate and a server certificate for
// 127.0.0.1 that it signs, with the server's key, as PEM files.
func tlsFiles(t *testing.T, dir string) (ca, cert, key string) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "logmon test CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		IsCA:                  true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	srvKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	srvTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:     []string{"localhost"},
	}
	srvDER, err := x509.CreateCertificate(rand.Reader, srvTmpl, caCert, &srvKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(srvKey)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, typ string, der []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	return write("ca.pem", "CERTIFICATE", caDER), write("server.pem", "CERTIFICATE", srvDER), write("server-key.pem", "EC PRIVATE KEY", keyDER)
}

// TestNATSUnreachable: a host name that does not exist is an error at
// once; a server that does not answer is waited for, said on standard
// error, and the records go through once it is there.
func TestNATSUnreachable(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for a server")
	}
	recs := smallTraffic(t)
	for _, args := range [][]string{
		{"stats", "--interval", "1s", "--host", "h1", "--publish", "nats://nohost.invalid:4222/logmon.h1"},
		{"subscribe", "nats://nohost.invalid:4222/logmon.>"},
	} {
		refusedWith(t, runBin(t, recs, args...), []string{"nohost.invalid", "no such host"})
	}

	// subscribe --until-idle D to a server not there gives up after D.
	s := newNATS(t, "-js", "-sd", t.TempDir())
	refusedWith(t, runBin(t, nil, "subscribe", s.url()+"/logmon.>", "--until-idle", "1s"), []string{"cannot reach " + s.url()})

	// A publisher waits for the server, saying so.
	want := strings.Count(logmon(t, recs, "stats", "--interval", "1s", "--host", "h1").ok(t).stdout, "\n")
	cmd := exec.Command(filepath.Join(logmonBin(t), "logmon"), "stats", "--interval", "1s", "--host", "h1", "--publish", s.url()+"/logmon.h1")
	cmd.Stdin = bytes.NewReader(recs)
	var errs syncWriter
	cmd.Stderr = &errs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ended := make(chan error, 1)
	go func() { ended <- cmd.Wait() }()
	defer cmd.Process.Kill()
	if !errs.waitFor("cannot reach", 30*time.Second) {
		t.Fatalf("the publisher does not say it cannot reach the server:\n%s", errs.text())
	}
	s.start()
	select {
	case err := <-ended:
		if err != nil {
			t.Fatalf("the publisher: %v\n%s", err, errs.text())
		}
	case <-time.After(time.Minute):
		t.Fatalf("the publisher has not ended a minute after the server came:\n%s", errs.text())
	}
	got := logmon(t, nil, "subscribe", s.url()+"/logmon.>", "--until-idle", "300ms").ok(t).stdout
	if n := strings.Count(got, "\n"); n != want {
		t.Errorf("the publisher that waited published %d records, want %d", n, want)
	}
}

// waitFor waits until what has been written says s, for at most d, and
// reports whether it did.
func (w *syncWriter) waitFor(s string, d time.Duration) bool {
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if strings.Contains(w.text(), s) {
			return true
		}
	}
	return false
}
