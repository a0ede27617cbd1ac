package fleet

import (
	"context"
	"net"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// TestStuck: a subscription tells records of its subject after the last
// it wrote, wildcards and all, from none: what makes a stuck ordered
// consumer anew (against the real nats-server, as internal/command's
// tests; skipped without it).
func TestStuck(t *testing.T) {
	bin, err := exec.LookPath("nats-server")
	if err != nil {
		bin, err = exec.LookPath("/usr/sbin/nats-server")
	}
	if err != nil {
		t.Skip("nats-server is not installed (apt-get install nats-server)")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, port, _ := net.SplitHostPort(addr)
	cmd := exec.Command(bin, "-js", "-sd", t.TempDir(), "-a", "127.0.0.1", "-p", port)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	}()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cfg := Config{URL: "nats://" + addr + "/logmon.a", Stream: "LOGMON", Duplicates: time.Minute, Replicas: 1, Warn: t.Logf}
	p, err := Publish(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		p.buf = append(p.buf[:0], `{"type":"x","i":`+strconv.Itoa(i)+`}`...)
		if err := p.send("m" + strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	c, err := connect(ctx, cfg, "nats://"+addr, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	for _, tc := range []struct {
		subject string
		last    uint64
		want    bool
	}{
		{"logmon.>", 0, true},
		{"logmon.>", 2, true},
		{"logmon.>", 3, false},
		{"logmon.a", 2, true},
		{"logmon.b", 0, false},
	} {
		s := &subscription{c: c, cfg: cfg, subject: tc.subject, last: tc.last}
		if got := s.stuck(); got != tc.want {
			t.Errorf("%s after %d: stuck %v, want %v", tc.subject, tc.last, got, tc.want)
		}
	}
}
