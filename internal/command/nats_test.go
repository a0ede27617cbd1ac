package command

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/logmon/logmon/internal/checkpoint"
)

// The fleet's tests run the real NATS server (Debian's nats-server,
// installed by .ci/run), started on a free loopback port with JetStream
// and a temporary store. They are skipped, saying so, only where it is
// not installed.

// startNATS starts nats-server with JetStream and returns its URL
// (nats://127.0.0.1:PORT); the test's cleanup stops it.
func startNATS(t *testing.T) string {
	t.Helper()
	s := newNATS(t, "-js", "-sd", t.TempDir())
	s.start()
	return s.url()
}

// natsServer is a nats-server of a test, on a loopback port of its own,
// that the test may stop and start again (the same port, the same
// arguments, so the same store). The test's cleanup stops it.
type natsServer struct {
	t    *testing.T
	args []string
	port int
	cmd  *exec.Cmd
	done chan struct{}
	log  *syncWriter
	ran  bool // it has started once: it keeps its ports
}

// natsBin is the nats-server program; the test is skipped without it.
func natsBin(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("nats-server")
	if err != nil {
		bin, err = exec.LookPath("/usr/sbin/nats-server") // Debian's, off a user's PATH
	}
	if err != nil {
		t.Skip("nats-server is not installed (apt-get install nats-server): the fleet's tests over NATS JetStream are skipped")
	}
	return bin
}

// newNATS makes a nats-server with args (a store, a config file) on a
// free loopback port; start starts it.
func newNATS(t *testing.T, args ...string) *natsServer {
	t.Helper()
	_, port, _ := net.SplitHostPort(freePort(t))
	s := &natsServer{t: t, log: &syncWriter{}}
	s.port, _ = strconv.Atoi(port)
	s.args = append([]string{natsBin(t)}, args...)
	s.args = append(s.args, "-a", "127.0.0.1", "-p", strconv.Itoa(s.port))
	t.Cleanup(func() { s.stop(syscall.SIGTERM) })
	return s
}

func (s *natsServer) addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)) }

// url is nats://127.0.0.1:PORT.
func (s *natsServer) url() string { return "nats://" + s.addr() }

// start starts the server and returns once it listens. A port picked
// free may be taken by another test's process before the server binds
// it: a first start that fails so is tried again on other ports (its
// client port, and its cluster port, which the other nodes of a cluster
// learn from its routes to them).
func (s *natsServer) start() {
	t := s.t
	t.Helper()
	for try := 0; ; try++ {
		if s.try() || try == 4 {
			break
		}
		t.Logf("nats-server: a port was taken, trying others: %s", s.log.text())
		s.log.reset()
		_, port, _ := net.SplitHostPort(freePort(t))
		s.port, _ = strconv.Atoi(port)
		for i := 1; i < len(s.args); i++ {
			switch s.args[i-1] {
			case "-p":
				s.args[i] = port
			case "--cluster":
				s.args[i] = "nats://" + freePort(t)
			}
		}
	}
}

// try starts the server and waits until it listens, reporting false if
// it ended before and had never run before (see start); else a server
// that does not come up fails the test.
func (s *natsServer) try() bool {
	t := s.t
	t.Helper()
	s.cmd = exec.Command(s.args[0], s.args[1:]...)
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	s.done = done
	cmd := s.cmd
	go func() { cmd.Wait(); close(done) }()
	for deadline := time.Now().Add(20 * time.Second); ; {
		// Ready by its own word, not only a port that answers: another
		// process may hold the port.
		c, err := net.DialTimeout("tcp", s.addr(), time.Second)
		if err == nil {
			c.Close()
			if strings.Contains(s.log.text(), "Server is ready") {
				s.ran = true
				return true
			}
		}
		select {
		case <-done:
			if !s.ran && strings.Contains(s.log.text(), "address already in use") {
				return false
			}
			t.Fatalf("nats-server ended: %s", s.log.text())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("nats-server does not listen on %s: %s", s.addr(), s.log.text())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop stops the server with sig (SIGTERM: it shuts down cleanly;
// SIGKILL: it is killed) and waits until it has ended.
func (s *natsServer) stop(sig syscall.Signal) {
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Signal(sig)
	select {
	case <-s.done:
	case <-time.After(20 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
	s.cmd = nil
}

// subscribed is what logmon subscribe wrote, checked: every line a
// record with its stream and its sequence, the sequences 1, 2, 3, ...
// It returns the lines without those two members.
func subscribed(t *testing.T, out string) []byte {
	t.Helper()
	var b bytes.Buffer
	for i, line := range strings.SplitAfter(out, "\n") {
		if line == "" {
			continue
		}
		var r struct {
			Stream string
			Seq    int64
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatal(err)
		}
		if r.Stream != "LOGMON" || r.Seq != int64(i+1) {
			t.Fatalf("record %d of stream %q with sequence %d: %s", i+1, r.Stream, r.Seq, line)
		}
		prefix := `{"stream":"LOGMON","seq":` + strconv.FormatInt(r.Seq, 10) + `,`
		if !strings.HasPrefix(line, prefix) {
			t.Fatalf("record %d does not start with %s: %s", i+1, prefix, line)
		}
		b.WriteString("{" + line[len(prefix):])
	}
	return b.Bytes()
}

// TestNATSRoundTrip: three hosts publish their 1-second summaries; the
// hub subscribes and gets them all, in stream order, once, whatever is
// published again; folded, they give the union's alerts.
func TestNATSRoundTrip(t *testing.T) {
	url := startNATS(t)
	union, split := fleetTraffic(t, 3)
	var published []string
	for i, recs := range split {
		host := "h" + strconv.Itoa(i+1)
		r := logmon(t, recs, "stats", "--interval", "1s", "--host", host, "--publish", url+"/logmon."+host).ok(t)
		if r.stdout != "" {
			t.Errorf("stats --publish wrote on standard output: %.200s", r.stdout)
		}
		published = append(published, logmon(t, recs, "stats", "--interval", "1s", "--host", host).ok(t).stdout)
	}
	hub := logmon(t, nil, "subscribe", url+"/logmon.>", "--until-idle", "300ms").ok(t).stdout
	got := subscribed(t, hub)
	if want := strings.Join(published, ""); string(got) != want {
		t.Fatalf("subscribe gave %d bytes, the hosts published %d:\n%s", len(got), len(want), lineDiff(want, string(got)))
	}
	// A host publishes again (a restart without state): the server
	// drops every record by its id.
	logmon(t, split[0], "stats", "--interval", "1s", "--host", "h1", "--publish", url+"/logmon.h1").ok(t)
	if again := logmon(t, nil, "subscribe", url+"/logmon.>", "--until-idle", "300ms").ok(t).stdout; again != hub {
		t.Errorf("after h1 published again, subscribe gave %d lines, before %d", strings.Count(again, "\n"), strings.Count(hub, "\n"))
	}
	// One subject only.
	h2 := logmon(t, nil, "subscribe", url+"/logmon.h2", "--until-idle", "300ms").ok(t).stdout
	if n, want := strings.Count(h2, "\n"), strings.Count(published[1], "\n"); n != want {
		t.Errorf("subscribe to logmon.h2 gave %d records, want %d", n, want)
	}

	want := logmon(t, union, append([]string{"alert"}, fleetRules...)...).ok(t).stdout
	alerts := logmon(t, byStart(t, hub), append([]string{"alert"}, fleetRules...)...).ok(t).stdout
	if alerts != want {
		t.Errorf("the hub's alerts (-want +got):\n%s", lineDiff(want, alerts))
	}

	// The hub resumes after the last sequence its stage counted.
	dir := t.TempDir()
	state := filepath.Join(dir, "hub.state")
	logmon(t, []byte(hub), "stats", "--interval", "10s", "--state", state).ok(t)
	r := logmon(t, nil, "subscribe", url+"/logmon.>", "--resume", state, "--until-idle", "300ms").ok(t)
	if r.stdout != "" || !strings.Contains(r.stderr, "after sequence "+strconv.Itoa(strings.Count(hub, "\n"))) {
		t.Errorf("subscribe --resume after everything counted wrote %d lines; stderr:\n%s", strings.Count(r.stdout, "\n"), r.stderr)
	}
}

// TestNATSBadURL: a URL that is not one, or whose subject is outside the
// stream's, is a usage error.
func TestNATSBadURL(t *testing.T) {
	for _, args := range [][]string{
		{"stats", "--publish", "http://127.0.0.1:4222/logmon.a"},
		{"stats", "--publish", "nats://127.0.0.1:4222/other"},
		{"subscribe", "nats://127.0.0.1:4222"},
		{"subscribe"},
	} {
		if r := logmon(t, nil, args...); r.code != exitUsage {
			t.Errorf("logmon %s: exit %d, want %d\n%s", strings.Join(args, " "), r.code, exitUsage, r.stderr)
		}
	}
}

// TestNATSCrashRestart: a host pipeline (parse -F --resume | stats
// --state --publish) killed with kill -9 at random moments while its log
// grows, and restarted each time: the stream holds every second's
// summary exactly once, each as an uninterrupted run wrote it.
func TestNATSCrashRestart(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("kill -9 and pipes of processes: Unix")
	}
	if testing.Short() {
		t.Skip("the crash test takes some seconds")
	}
	url := startNATS(t)
	bin := filepath.Join(logmonBin(t), "logmon")
	data := crashTraffic(t)
	dir := t.TempDir()
	log := filepath.Join(dir, "access.log")
	state := filepath.Join(dir, "web1.state")
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 7))
	if err := os.WriteFile(log, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	appended := make(chan struct{})
	appendRng := rand.New(rand.NewPCG(rng.Uint64(), 1)) // here: rng is the test's, not the goroutine's
	go func() {
		defer close(appended)
		appender(t, log, data, appendRng, nil, nil)
	}()
	stage := []string{"stats", "--interval", "1s", "--host", "web1", "--state-every", "50ms", "--publish", url + "/logmon.web1"}
	var errs syncWriter
	var out syncWriter
	start := func() *pipe {
		parse := exec.Command(bin, "parse", "-F", log, "--resume", state)
		st := exec.Command(bin, append(stage, "--state", state)...)
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		parse.Stdout, parse.Stderr = w, &errs
		st.Stdin, st.Stdout, st.Stderr = r, &out, &errs
		if err := parse.Start(); err != nil {
			t.Fatal(err)
		}
		if err := st.Start(); err != nil {
			t.Fatal(err)
		}
		r.Close()
		w.Close()
		p := &pipe{parse: parse, stage: st, done: make(chan struct{})}
		go func() { parse.Wait(); st.Wait(); close(p.done) }()
		return p
	}
	kills := 0
	for {
		select {
		case <-appended:
		default:
			p := start()
			time.Sleep(time.Duration(50+rng.IntN(300)) * time.Millisecond)
			p.kill(t, rng)
			kills++
			continue
		}
		break
	}
	// The last run counts every line, then stops cleanly.
	last := int64(lineStart(data, len(data)-1))
	p := start()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		f, _, err := checkpoint.Load(state)
		if err == nil && f != nil && f.Position != nil && f.Position.Offset == last {
			break
		}
	}
	p.stop(t, true)
	t.Logf("%d kills", kills)
	if out.b.Len() != 0 {
		t.Errorf("the host pipeline wrote on standard output: %.200s", out.b.String())
	}

	hub := subscribed(t, logmon(t, nil, "subscribe", url+"/logmon.>", "--until-idle", "500ms").ok(t).stdout)
	seen := streamSummaries(t, hub)
	// The reference: one uninterrupted run.
	ref := logmon(t, data, "parse").ok(t).stdout
	want := logmon(t, []byte(ref), "stats", "--interval", "1s", "--host", "web1", "--state", filepath.Join(dir, "ref.state")).ok(t).stdout
	n := inStream(t, seen, want)
	if n < 100 {
		t.Fatalf("an uninterrupted run wrote only %d complete summaries: the test proves nothing", n)
	}
	if len(seen) != n {
		t.Errorf("the stream holds %d summaries, an uninterrupted run wrote %d complete ones", len(seen), n)
	}
	if t.Failed() {
		t.Logf("stderr of the runs:\n%s", errs.b.String())
	}
}

// text is what has been written so far.
func (w *syncWriter) text() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// TestNATSSubscribeFirst: a hub that subscribes before any host has
// published finds no stream: it makes it (with the stream flags) and
// waits for records, as a publisher would have made it.
func TestNATSSubscribeFirst(t *testing.T) {
	url := startNATS(t)
	if r := logmon(t, nil, "subscribe", url+"/logmon.>", "--until-idle", "300ms", "--stream", "FIRST").ok(t); r.stdout != "" {
		t.Errorf("subscribe to a new stream wrote %q", r.stdout)
	}
	recs := smallTraffic(t)
	want := logmon(t, recs, "stats", "--interval", "1s", "--host", "h1").ok(t).stdout
	logmon(t, recs, "stats", "--interval", "1s", "--host", "h1", "--publish", url+"/logmon.h1", "--stream", "FIRST").ok(t)
	got := logmon(t, nil, "subscribe", url+"/logmon.>", "--until-idle", "300ms", "--stream", "FIRST").ok(t).stdout
	if n, w := strings.Count(got, "\n"), strings.Count(want, "\n"); n != w {
		t.Errorf("subscribe gave %d records, %d were published", n, w)
	}
}

// TestNATSBadSummary: summaries whose counts or sketches cannot be,
// published among good ones (by a client of its own, as a damaged or
// hostile host would): the hub's stages report each with its line (the
// record's place in subscribe's output) and reason, and go on: their
// alerts and summaries are those of the good ones alone.
func TestNATSBadSummary(t *testing.T) {
	url := startNATS(t)
	recs := smallTraffic(t)
	good := strings.SplitAfter(strings.TrimSuffix(logmon(t, recs, "stats", "--interval", "1s", "--host", "h1").ok(t).stdout, "\n"), "\n")
	sketch := regexp.MustCompile(`"latency_sketch":"[^"]*"`)
	bad := []struct{ line, why string }{
		{regexp.MustCompile(`"2xx":(\d+)`).ReplaceAllString(good[0], `"2xx":9$1`), "status classes of"},
		{strings.Replace(good[1], `"requests":`, `"requests":-`, 1), "negative counts"},
		{sketch.ReplaceAllString(good[2], sketch.FindString(good[3])), "latency sketch of"}, // another second's durations
		{strings.Replace(good[3], `"latency_sketch":"`, `"latency_sketch":"AAAA`, 1), "latency_sketch: damaged sketch"},
		{strings.Replace(good[4], `"distinct_sketch":"`, `"distinct_sketch":"#`, 1), "distinct_sketch"},
	}
	if strings.Count(good[2], `"timed":`) != 1 || sketch.FindString(good[2]) == sketch.FindString(good[3]) || len(good) < 8 {
		t.Fatalf("the traffic's summaries do not serve: %d of them\n%s", len(good), good[2])
	}
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "LOGMON", Subjects: []string{"logmon.>"}}); err != nil {
		t.Fatal(err)
	}
	seq := 0
	var where []string
	publish := func(line string) {
		if _, err := js.Publish(ctx, "logmon.h1", []byte(strings.TrimSuffix(line, "\n"))); err != nil {
			t.Fatal(err)
		}
		seq++
	}
	for i, line := range good {
		publish(line)
		if i < len(bad) {
			publish(strings.Replace(bad[i].line, `"host":"h1"`, `"host":"h9"`, 1))
			where = append(where, "<stdin>:"+strconv.Itoa(seq)+": ")
		}
	}

	sub := []string{"subscribe", url + "/logmon.>", "--until-idle", "300ms"}
	for _, stage := range [][]string{append([]string{"alert"}, fleetRules...), {"stats", "--interval", "10s"}} {
		want := logmon(t, []byte(strings.Join(good, "")), stage...).ok(t).stdout
		r := logmonPipe(t, nil, sub, stage)
		if r.code != exitOK {
			t.Fatalf("%s: exit %d\n%s", r.cmd, r.code, r.stderr)
		}
		if r.stdout != want {
			t.Errorf("%s (-want +got):\n%s", r.cmd, lineDiff(want, r.stdout))
		}
		for i, b := range bad {
			if !regexp.MustCompile(regexp.QuoteMeta(where[i]) + `.*` + regexp.QuoteMeta(b.why)).MatchString(r.stderr) {
				t.Errorf("%s: stderr does not say %s%s...:\n%s", r.cmd, where[i], b.why, r.stderr)
			}
		}
	}
}

// streamSummaries keys the summaries of a stream (subscribed's output)
// by host and start, and fails the test on one that is there twice.
func streamSummaries(t *testing.T, stream []byte) map[string]string {
	t.Helper()
	seen := map[string]string{}
	for _, line := range strings.SplitAfter(string(stream), "\n") {
		if line == "" {
			continue
		}
		var s struct{ Host, Start string }
		json.Unmarshal([]byte(line), &s)
		key := s.Host + " " + s.Start
		if _, ok := seen[key]; ok {
			t.Errorf("the summary of %s is in the stream twice", key)
		}
		seen[key] = line
	}
	return seen
}

// inStream checks that every complete summary of ref, the output of an
// uninterrupted run (its partial summaries, the seconds still open at its
// end, left out as --publish leaves them), is in the stream (seen, from
// streamSummaries) as that run wrote it, and returns how many there are.
func inStream(t *testing.T, seen map[string]string, ref string) int {
	t.Helper()
	n := 0
	for _, line := range strings.SplitAfter(ref, "\n") {
		if line == "" || strings.Contains(line, `"partial":true`) {
			continue
		}
		n++
		var s struct{ Host, Start string }
		json.Unmarshal([]byte(line), &s)
		if got, ok := seen[s.Host+" "+s.Start]; !ok {
			t.Errorf("the summary of %s %s is not in the stream", s.Host, s.Start)
		} else if got != line {
			t.Errorf("the summary of %s %s (-want +got):\n-%s+%s", s.Host, s.Start, line, got)
		}
	}
	return n
}
