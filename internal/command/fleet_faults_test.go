package command

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/logmon/logmon/internal/checkpoint"
)

// The fleet's faults, with real processes: host pipelines
//
//	logmon parse -F hN.log --resume hN.state | logmon stats --interval 1s --host hN --state hN.state --publish URL/logmon.hN
//
// a hub pipeline
//
//	logmon subscribe URL/logmon.> --resume hub.state | logmon alert --state hub.state
//
// and the nats-server between them, killed and stopped at random moments
// of the wall clock, as crash_test.go does with one pipeline: nothing is
// asserted about timing; the test waits on the state files, with
// deadlines that only guard against a hang.

// faultSeed is the seed of a test's random moments: LOGMON_TEST_FAULT_SEED
// replays a failure, whose seed the test says.
func faultSeed(t *testing.T) uint64 {
	t.Helper()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("LOGMON_TEST_FAULT_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("LOGMON_TEST_FAULT_SEED: %v", err)
		}
	}
	t.Logf("seed %d (LOGMON_TEST_FAULT_SEED=%d replays it)", seed, seed)
	return seed
}

// splitLog splits an access log's lines by client (the first field) over
// hosts, as a load balancer that keeps a client on one server does, and
// by time into chunks of every: a line goes to the chunk of the first
// line of its time or later (written 2 s out of order, a line may come a
// little before it), so that the hosts, fed chunk by chunk, go on in step
// in event time.
func splitLog(t *testing.T, log []byte, hosts int, every time.Duration) [][][]byte {
	t.Helper()
	lines := bytes.SplitAfter(log, []byte("\n"))
	if len(lines[len(lines)-1]) == 0 {
		lines = lines[:len(lines)-1]
	}
	out := make([][][]byte, hosts)
	var start time.Time
	k := 0
	for _, line := range lines {
		i, j := bytes.IndexByte(line, '['), bytes.IndexByte(line, ']')
		at, err := time.Parse("02/Jan/2006:15:04:05 -0700", string(line[i+1:max(i+1, j)]))
		if i < 0 || err != nil {
			t.Fatalf("no time in %q: %v", line, err)
		}
		if start.IsZero() {
			start = at
		}
		k = max(k, int(at.Sub(start)/every))
		client := line[:max(0, bytes.IndexByte(line, ' '))]
		h := 0
		for _, c := range client {
			h = (h*31 + int(c)) % hosts
		}
		for len(out[h]) <= k {
			out[h] = append(out[h], nil)
		}
		out[h][k] = append(out[h][k], line...)
	}
	for h := range out {
		for len(out[h]) <= k {
			out[h] = append(out[h], nil)
		}
	}
	return out
}

// startPipeline starts `logmon first... | logmon second...`.
func startPipeline(t *testing.T, bin string, first, second []string, out, errs io.Writer) *pipe {
	t.Helper()
	a := exec.Command(bin, first...)
	b := exec.Command(bin, second...)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	a.Stdout, a.Stderr = w, errs
	b.Stdin, b.Stdout, b.Stderr = r, out, errs
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	if err := b.Start(); err != nil {
		t.Fatal(err)
	}
	r.Close()
	w.Close()
	p := &pipe{parse: a, stage: b, done: make(chan struct{})}
	go func() {
		a.Wait()
		b.Wait()
		close(p.done)
	}()
	return p
}

// ended reports whether both processes of the pipeline have ended.
func (p *pipe) ended() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// kill kills the pipeline's processes with kill -9, one of them or both
// as rng picks, and waits until it has ended.
func (p *pipe) kill(t *testing.T, rng *rand.Rand) {
	victims := []*exec.Cmd{p.parse, p.stage}
	switch rng.IntN(3) {
	case 0:
		victims = victims[:1]
	case 1:
		victims = victims[1:]
	}
	for _, v := range victims {
		v.Process.Kill()
	}
	p.stop(t, victims[0] != p.parse)
}

// position is the offset of the position a stage's state holds: the
// offset of the last line counted, or the stream sequence of the last
// summary; -1 without one.
func position(state string) int64 {
	f, _, err := checkpoint.Load(state)
	if err != nil || f == nil || f.Position == nil {
		return -1
	}
	return f.Position.Offset
}

// faultTraffic is the fleet's traffic (fleetTraffic's phases, which fire
// and resolve every rule of fleetRules) as an access log, with a quiet
// last minute and a half: the hub never judges the last seconds (the
// hosts keep them in their states), and nothing happens in them.
func faultTraffic(t *testing.T) []byte {
	t.Helper()
	return []byte(logmon(t, nil, "gen", "--seed", "7", "--start", "2015-05-17T10:00:00Z", "--rate", "20", "--disorder", "2s",
		"--log-format", nginxTimed, "--phases", "steady:1m,burst:30s,slow:1m,silence:20s,steady:40s:5,steady:90s").ok(t).stdout)
}

// TestNATSFaults: two hosts and a hub, as the README's "Watching a fleet"
// runs them, with their logs growing chunk by chunk; in every chunk, at a
// random moment, one fault: kill -9 of a host pipeline (its parse, its
// stage or both), kill -9 of the hub pipeline (its subscribe, its alert
// or both), or nats-server stopped (SIGTERM or SIGKILL) and started again
// on its port and store. Whatever died is started again with the same
// command. At the end, the stream holds every host's every second once,
// as an uninterrupted run wrote it, and the hub's alerts (repeats, by id
// and state, dropped) are those of alert over the union of the logs.
func TestNATSFaults(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("kill -9 and pipes of processes: Unix")
	}
	if testing.Short() {
		t.Skip("the fault test takes a minute")
	}
	srv := newNATS(t, "-js", "-sd", t.TempDir())
	srv.start()
	url := srv.url()
	bin := filepath.Join(logmonBin(t), "logmon")
	rng := rand.New(rand.NewPCG(faultSeed(t), 15))
	dir := t.TempDir()
	const hosts = 2
	raw := faultTraffic(t)
	split := splitLog(t, raw, hosts, 10*time.Second)
	chunks := len(split[0])
	// The hub's lateness covers the hosts' distance in event time: a
	// chunk (10 s), the log's disorder (2 s) and a host's own lateness
	// (5 s).
	hubArgs := slices.Clip(append([]string{"alert", "--lateness", "30s", "--state-every", "50ms"}, fleetRules...))

	var errs, hubOut, hostOut syncWriter
	defer func() {
		if t.Failed() {
			t.Logf("stderr of the runs:\n%s\nnats-server:\n%s", errs.text(), srv.log.text())
		}
	}()
	logs := make([]string, hosts)
	host := func(h int) *pipe {
		name := "h" + strconv.Itoa(h+1)
		state := filepath.Join(dir, name+".state")
		return startPipeline(t, bin, []string{"parse", "-F", logs[h], "--resume", state, "--log-format", nginxTimed},
			[]string{"stats", "--interval", "1s", "--host", name, "--state", state, "--state-every", "50ms",
				"--publish", url + "/logmon." + name, "--stream-duplicates", "10m"}, &hostOut, &errs)
	}
	hubState := filepath.Join(dir, "hub.state")
	hub := func() *pipe {
		return startPipeline(t, bin, []string{"subscribe", url + "/logmon.>", "--resume", hubState},
			append(hubArgs, "--state", hubState), &hubOut, &errs)
	}
	pipes := make([]*pipe, hosts)
	for h := range pipes {
		logs[h] = filepath.Join(dir, fmt.Sprintf("h%d.log", h+1))
		if err := os.WriteFile(logs[h], nil, 0o644); err != nil {
			t.Fatal(err)
		}
		pipes[h] = host(h)
	}
	hubPipe := hub()
	// alive fails the test when a pipeline has ended that nobody killed:
	// a server restart must not end one.
	alive := func() {
		t.Helper()
		for h, p := range pipes {
			if p.ended() {
				t.Fatalf("host h%d's pipeline ended on its own", h+1)
			}
		}
		if hubPipe.ended() {
			t.Fatal("the hub's pipeline ended on its own")
		}
	}
	var hostKills, hubKills, restarts int
	written := make([]int, hosts)
	for k := range chunks {
		for h := range hosts {
			appender(t, logs[h], split[h][k], rand.New(rand.NewPCG(rng.Uint64(), 1)), nil, nil)
			written[h] += len(split[h][k])
		}
		time.Sleep(time.Duration(rng.IntN(300)) * time.Millisecond)
		switch rng.IntN(3) {
		case 0:
			h := rng.IntN(hosts)
			pipes[h].kill(t, rng)
			pipes[h] = host(h)
			hostKills++
		case 1:
			hubPipe.kill(t, rng)
			hubPipe = hub()
			hubKills++
		case 2:
			sig := []syscall.Signal{syscall.SIGTERM, syscall.SIGKILL}[rng.IntN(2)]
			srv.stop(sig)
			time.Sleep(time.Duration(rng.IntN(1000)) * time.Millisecond)
			srv.start()
			restarts++
		}
		// Every host counts its log to its end before the next chunk.
		for h := range hosts {
			data, _ := os.ReadFile(logs[h])
			last := int64(lineStart(data, len(data)-1))
			for deadline := time.Now().Add(2 * time.Minute); position(filepath.Join(dir, fmt.Sprintf("h%d.state", h+1))) != last; time.Sleep(20 * time.Millisecond) {
				alive()
				if time.Now().After(deadline) {
					t.Fatalf("chunk %d: host h%d has not counted its log to its end in 2 minutes", k, h+1)
				}
			}
		}
		// And the hub the stream to its end: a live hub goes on
		// through a server's restart.
		last := int64(streamInfo(t, url).State.LastSeq)
		for deadline := time.Now().Add(2 * time.Minute); position(hubState) != last; time.Sleep(20 * time.Millisecond) {
			alive()
			if time.Now().After(deadline) {
				t.Fatalf("chunk %d: the hub has not counted the stream's %d records in 2 minutes (its position: %d)", k, last, position(hubState))
			}
		}
	}
	alive()
	t.Logf("%d chunks: %d host pipelines killed, %d hub pipelines killed, %d server restarts; the hub's subscribe made its consumer anew %d times, stuck",
		chunks, hostKills, hubKills, restarts, strings.Count(errs.text(), "reading anew"))
	for _, p := range pipes {
		p.stop(t, true)
	}
	pipes = nil
	// The hub counts the stream to its end, then stops.
	stream := subscribed(t, logmon(t, nil, "subscribe", url+"/logmon.>", "--until-idle", "500ms").ok(t).stdout)
	n := int64(bytes.Count(stream, []byte("\n")))
	for deadline := time.Now().Add(2 * time.Minute); position(hubState) != n; time.Sleep(20 * time.Millisecond) {
		alive()
		if time.Now().After(deadline) {
			t.Fatalf("the hub has not counted the stream's %d records in 2 minutes (its position: %d)", n, position(hubState))
		}
	}
	hubPipe.stop(t, true)
	if hostOut.text() != "" {
		t.Errorf("a host pipeline wrote on standard output: %.200s", hostOut.text())
	}

	// The stream: every host's every second once, as an uninterrupted run
	// of the host wrote it (its partial summaries, the seconds still open
	// at its end, left out as --publish leaves them).
	seen := streamSummaries(t, stream)
	want := 0
	for h := range hosts {
		name := "h" + strconv.Itoa(h+1)
		recs := logmon(t, bytes.Join(split[h], nil), "parse", "--log-format", nginxTimed).ok(t).stdout
		ref := logmon(t, []byte(recs), "stats", "--interval", "1s", "--host", name, "--state", filepath.Join(dir, name+".ref")).ok(t).stdout
		want += inStream(t, seen, ref)
	}
	if len(seen) != want {
		t.Errorf("the stream holds %d summaries, uninterrupted runs wrote %d complete ones", len(seen), want)
	}

	// The hub's alerts: those of alert over the union, record for record.
	union := logmon(t, raw, "parse", "--log-format", nginxTimed).ok(t).stdout
	ref := logmon(t, []byte(union), append(hubArgs, "--state", filepath.Join(dir, "hub.ref"))...).ok(t).stdout
	wantAlerts, gotAlerts := dedup(t, []byte(ref)), dedup(t, []byte(hubOut.text()))
	for _, rule := range []string{"high_traffic", "error_rate", "low_traffic", "latency"} {
		if !strings.Contains(ref, `"rule":"`+rule+`","state":"resolved"`) {
			t.Errorf("the traffic does not fire and resolve %s: the test proves nothing of it", rule)
		}
	}
	if !equalMaps(gotAlerts, wantAlerts) {
		t.Errorf("the hub's alerts after the faults differ from alert over the union's:\n got %d\nwant %d\n%s",
			len(gotAlerts), len(wantAlerts), diffKeys(gotAlerts, wantAlerts))
	}
}

// hostPipe starts host name's pipeline over log, publishing to url.
func hostPipe(t *testing.T, bin, dir, log, name, url string, out, errs io.Writer) *pipe {
	t.Helper()
	state := filepath.Join(dir, name+".state")
	return startPipeline(t, bin, []string{"parse", "-F", log, "--resume", state},
		[]string{"stats", "--interval", "1s", "--host", name, "--state", state, "--state-every", "50ms", "--publish", url + "/logmon." + name}, out, errs)
}

// waitCounted waits until the stage keeping state has counted log to its
// end; a pipeline that ends meanwhile fails the test.
func waitCounted(t *testing.T, state, log string, p *pipe) {
	t.Helper()
	data, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	last := int64(lineStart(data, len(data)-1))
	for deadline := time.Now().Add(2 * time.Minute); position(state) != last; time.Sleep(20 * time.Millisecond) {
		if p.ended() {
			t.Fatalf("the pipeline of %s ended before it counted it to its end", log)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not counted to its end in 2 minutes", log)
		}
	}
}

// TestNATSHostAway: two hosts share traffic; h2 stops after a minute
// while h1 goes on for two more, then h2 comes back (parse -F --resume,
// stats --state) and publishes the two minutes it missed. The hub reads
// the stream in its order, as a live hub does: while h2 is away, its
// seconds count as empty once the hub's lateness has passed (a low
// traffic alert that the whole traffic never fires), and when it is
// back its summaries of seconds already judged are counted late, said on
// standard error, never lost: the hub's summaries hold every request the
// hosts published.
func TestNATSHostAway(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("pipes of processes: Unix")
	}
	url := startNATS(t)
	bin := filepath.Join(logmonBin(t), "logmon")
	dir := t.TempDir()
	raw := []byte(logmon(t, nil, "gen", "--seed", "5", "--start", "2015-05-17T10:00:00Z", "--rate", "20", "--disorder", "2s",
		"--phases", "steady:3m").ok(t).stdout)
	split := splitLog(t, raw, 2, 10*time.Second)
	var errs, out syncWriter
	defer func() {
		if t.Failed() {
			t.Logf("stderr of the runs:\n%s", errs.text())
		}
	}()
	logs := []string{filepath.Join(dir, "h1.log"), filepath.Join(dir, "h2.log")}
	write := func(h int, chunks ...[]byte) {
		f, err := os.OpenFile(logs[h], os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		for _, c := range chunks {
			if _, err := f.Write(c); err != nil {
				t.Fatal(err)
			}
		}
	}
	state := func(h int) string { return filepath.Join(dir, fmt.Sprintf("h%d.state", h+1)) }
	var pipes [2]*pipe
	for h := range 2 {
		if err := os.WriteFile(logs[h], nil, 0o644); err != nil {
			t.Fatal(err)
		}
		pipes[h] = hostPipe(t, bin, dir, logs[h], fmt.Sprintf("h%d", h+1), url, &out, &errs)
	}
	// The first minute, 10 s at a time: the hosts go on in step.
	for k := range 6 {
		for h := range 2 {
			write(h, split[h][k])
		}
		for h := range 2 {
			waitCounted(t, state(h), logs[h], pipes[h])
		}
	}
	pipes[1].stop(t, true) // h2 stops
	write(0, split[0][6:]...)
	waitCounted(t, state(0), logs[0], pipes[0])
	write(1, split[1][6:]...)
	pipes[1] = hostPipe(t, bin, dir, logs[1], "h2", url, &out, &errs) // and comes back
	waitCounted(t, state(1), logs[1], pipes[1])
	for _, p := range pipes {
		p.stop(t, true)
	}

	stream := logmon(t, nil, "subscribe", url+"/logmon.>", "--until-idle", "500ms").ok(t).stdout
	published := int64(0)
	for _, s := range summaries(t, stream) {
		published += s.Requests
	}
	if published < int64(bytes.Count(raw, []byte("\n")))*9/10 {
		t.Fatalf("the hosts published %d requests of %d", published, bytes.Count(raw, []byte("\n")))
	}
	// The hub's lateness covers the hosts' distance in the first minute:
	// 10 s, the disorder (2 s) and the hosts' lateness (5 s).
	rules := []string{"--lateness", "30s", "--threshold", "1000", "--low-rate", "14", "--window", "10s"}
	hubAlerts := logmon(t, []byte(stream), append([]string{"alert"}, rules...)...).ok(t)
	union := logmon(t, raw, "parse").ok(t).stdout
	if all := logmon(t, []byte(union), append([]string{"alert"}, rules...)...).ok(t).stdout; all != "" {
		t.Fatalf("the whole traffic fires the low traffic rule: the test proves nothing\n%s", all)
	}
	// h2 stopped after its summary of 10:00:5x: the hub's alerts are
	// the union's (none) until then, and a low traffic alert fires once
	// h2's seconds count as empty.
	away := false
	for _, line := range strings.SplitAfter(hubAlerts.stdout, "\n") {
		var a struct{ Rule, State, Time string }
		json.Unmarshal([]byte(line), &a)
		if a.State == "firing" && a.Time < "2015-05-17T10:00:50Z" {
			t.Errorf("the hub fired before h2 stopped: %s", line)
		}
		if a.Rule == "low_traffic" && a.State == "firing" && a.Time < "2015-05-17T10:03:00Z" {
			away = true
		}
	}
	if !away {
		t.Errorf("while h2 was away, the hub fired no low traffic alert:\n%s", hubAlerts.stdout)
	}
	if !strings.Contains(hubAlerts.stderr, "late requests counted in the earliest open second") {
		t.Errorf("the hub's alert does not say h2's summaries came late:\n%s", hubAlerts.stderr)
	}
	// Never lost: the hub's summaries count every request published,
	// h2's late ones among them.
	hubStats := logmon(t, []byte(stream), "stats", "--interval", "10s", "--lateness", "30s").ok(t)
	var total, late int64
	for _, s := range summaries(t, hubStats.stdout) {
		total += s.Requests
		late += s.Late
	}
	if total != published || late == 0 {
		t.Errorf("the hub's summaries count %d requests (%d late); the hosts published %d\n%s", total, late, published, hubStats.stderr)
	}
}

// natsCluster starts a cluster of n nats-servers on loopback, each with
// JetStream and a store of its own, routes to the others, and returns
// them once the cluster has a JetStream meta leader.
func natsCluster(t *testing.T, n int) []*natsServer {
	t.Helper()
	routes := make([]string, n)
	for i := range routes {
		routes[i] = "nats://" + freePort(t)
	}
	nodes := make([]*natsServer, n)
	for i := range nodes {
		var others []string
		for j, r := range routes {
			if j != i {
				others = append(others, r)
			}
		}
		nodes[i] = newNATS(t, "-js", "-sd", t.TempDir(), "-n", fmt.Sprintf("n%d", i+1), "--cluster_name", "logmon",
			"--cluster", routes[i], "--routes", strings.Join(others, ","))
	}
	for _, s := range nodes {
		s.start()
	}
	return nodes
}

// clusterURL is nats://HOST:PORT,HOST:PORT,.../subject for the nodes.
func clusterURL(nodes []*natsServer, subject string) string {
	var addrs []string
	for _, s := range nodes {
		addrs = append(addrs, s.addr())
	}
	return "nats://" + strings.Join(addrs, ",") + "/" + subject
}

// TestNATSCluster: a 3-node NATS cluster with the stream on every node
// (--stream-replicas 3), the URL naming the three; a host pipeline
// publishes while its log grows, and a hub pipeline (subscribe --resume
// | alert --state) reads live. At a random moment, the node that leads
// the stream is killed (kill -9): the publisher and the subscriber go on
// with the others, and the stream holds every second once, as an
// uninterrupted run wrote it, and the hub's alerts are alert's over the
// log.
func TestNATSCluster(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("kill -9 and pipes of processes: Unix")
	}
	if testing.Short() {
		t.Skip("the cluster test takes some seconds")
	}
	nodes := natsCluster(t, 3)
	bin := filepath.Join(logmonBin(t), "logmon")
	rng := rand.New(rand.NewPCG(faultSeed(t), 3))
	dir := t.TempDir()
	raw := faultTraffic(t)
	chunks := splitLog(t, raw, 1, 10*time.Second)[0]
	log := filepath.Join(dir, "h1.log")
	state := filepath.Join(dir, "h1.state")
	if err := os.WriteFile(log, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var errs, hostOut, hubOut syncWriter
	defer func() {
		if t.Failed() {
			t.Logf("stderr of the runs:\n%s", errs.text())
			for i, s := range nodes {
				t.Logf("n%d:\n%s", i+1, s.log.text())
			}
		}
	}()
	host := startPipeline(t, bin, []string{"parse", "-F", log, "--resume", state, "--log-format", nginxTimed},
		[]string{"stats", "--interval", "1s", "--host", "h1", "--state", state, "--state-every", "50ms",
			"--publish", clusterURL(nodes, "logmon.h1"), "--stream-replicas", "3"}, &hostOut, &errs)
	hubState := filepath.Join(dir, "hub.state")
	hubArgs := slices.Clip(append([]string{"alert", "--lateness", "30s", "--state-every", "50ms"}, fleetRules...))
	hub := startPipeline(t, bin, []string{"subscribe", clusterURL(nodes, "logmon.>"), "--resume", hubState, "--stream-replicas", "3"},
		append(hubArgs, "--state", hubState), &hubOut, &errs)
	killAt := len(chunks)/4 + rng.IntN(len(chunks)/2)
	var killed *natsServer
	for k, chunk := range chunks {
		appender(t, log, chunk, rand.New(rand.NewPCG(rng.Uint64(), 1)), nil, nil)
		if k == killAt {
			time.Sleep(time.Duration(rng.IntN(300)) * time.Millisecond)
			leader := streamLeader(t, nodes[0].url())
			for i, s := range nodes {
				if fmt.Sprintf("n%d", i+1) == leader {
					killed = s
				}
			}
			if killed == nil {
				t.Fatalf("no node leads the stream (%q)", leader)
			}
			killed.stop(syscall.SIGKILL)
			t.Logf("chunk %d: %s, the stream's leader, killed", k, leader)
		}
		waitCounted(t, state, log, host)
		if hub.ended() {
			t.Fatal("the hub's pipeline ended on its own")
		}
	}
	host.stop(t, true)
	t.Logf("the hub's subscribe made its consumer anew %d times, stuck", strings.Count(errs.text(), "reading anew"))
	stream := subscribed(t, logmon(t, nil, "subscribe", clusterURL(nodes, "logmon.>"), "--until-idle", "1s").ok(t).stdout)
	n := int64(bytes.Count(stream, []byte("\n")))
	for deadline := time.Now().Add(2 * time.Minute); position(hubState) != n; time.Sleep(20 * time.Millisecond) {
		if hub.ended() {
			t.Fatal("the hub's pipeline ended on its own")
		}
		if time.Now().After(deadline) {
			t.Fatalf("the hub has not counted the stream's %d records in 2 minutes (its position: %d)", n, position(hubState))
		}
	}
	hub.stop(t, true)

	seen := streamSummaries(t, stream)
	recs := logmon(t, raw, "parse", "--log-format", nginxTimed).ok(t).stdout
	ref := logmon(t, []byte(recs), "stats", "--interval", "1s", "--host", "h1", "--state", filepath.Join(dir, "ref.state")).ok(t).stdout
	want := inStream(t, seen, ref)
	if len(seen) != want {
		t.Errorf("the stream holds %d summaries, an uninterrupted run wrote %d complete ones", len(seen), want)
	}
	wantAlerts := dedup(t, []byte(logmon(t, []byte(recs), append(hubArgs, "--state", filepath.Join(dir, "hub.ref"))...).ok(t).stdout))
	if gotAlerts := dedup(t, []byte(hubOut.text())); !equalMaps(gotAlerts, wantAlerts) || len(wantAlerts) == 0 {
		t.Errorf("the hub's alerts differ from alert over the log:\n got %d\nwant %d\n%s", len(gotAlerts), len(wantAlerts), diffKeys(gotAlerts, wantAlerts))
	}
}

// streamLeader is the name of the server that leads the stream LOGMON.
func streamLeader(t *testing.T, url string) string {
	t.Helper()
	info := streamInfo(t, url)
	if info.Config.Replicas != 3 || info.Cluster == nil {
		t.Fatalf("the stream has %d replicas, cluster %+v", info.Config.Replicas, info.Cluster)
	}
	return info.Cluster.Leader
}

// streamInfo is what the server at url says of the stream LOGMON.
func streamInfo(t *testing.T, url string) *jetstream.StreamInfo {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := js.Stream(ctx, "LOGMON")
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return info
}

// TestNATSSubscribeOutlives: a live subscribe goes on through a restart
// of nats-server (its consumer lost with it): the records published
// after the restart come out too, in stream order.
func TestNATSSubscribeOutlives(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("signals to processes: Unix")
	}
	s := newNATS(t, "-js", "-sd", t.TempDir())
	s.start()
	recs := smallTraffic(t)
	half := lineStart(recs, len(recs)/2)
	logmon(t, recs[:half], "stats", "--interval", "1s", "--host", "h1", "--publish", s.url()+"/logmon.h1").ok(t)
	var out, errs syncWriter
	cmd := exec.Command(filepath.Join(logmonBin(t), "logmon"), "subscribe", s.url()+"/logmon.>")
	cmd.Stdout, cmd.Stderr = &out, &errs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	first := strings.Count(logmon(t, recs[:half], "stats", "--interval", "1s", "--host", "h1").ok(t).stdout, "\n")
	ended := make(chan struct{})
	if !out.waitLines(first, ended) {
		t.Fatal("subscribe wrote nothing")
	}
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGKILL} {
		s.stop(sig)
		s.start()
	}
	// The second half, as another host (the first's seconds at the end
	// of its input were partial, and are not published again).
	logmon(t, recs[half:], "stats", "--interval", "1s", "--host", "h2", "--publish", s.url()+"/logmon.h2").ok(t)
	want := first + strings.Count(logmon(t, recs[half:], "stats", "--interval", "1s", "--host", "h2").ok(t).stdout, "\n")
	go func() {
		time.Sleep(time.Minute)
		close(ended)
	}()
	if !out.waitLines(want, ended) {
		t.Fatalf("a minute after the restarts, subscribe has written %d records of %d:\n%s", countLines(&out), want, errs.text())
	}
	subscribed(t, out.text())
}
