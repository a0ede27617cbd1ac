// Command soak is logmon's soak test of following a log that is rotated
// and of restarts after kill -9; it is not part of go test (it runs for
// minutes, and needs the real logrotate).
//
//	go run ./scripts/soak [-minutes 30] [-rate 200] [-dir DIR]
//
// For the given time, from the repository's root:
//   - a writer appends Combined-format lines to DIR/access.log, each with a
//     sequence number in its path (/soak/N), at -rate lines a second, the
//     way nginx does: one descriptor opened with O_APPEND, reopened by name
//     when the rotation's postrotate asks (a file it watches);
//   - every 2 to 4 s the real logrotate rotates the log (-f), in each mode
//     in turn for a minute: create, copytruncate, compress with
//     delaycompress, dateext with seconds; no rotated file is removed;
//   - the pipeline `logmon parse -F access.log --resume S | logmon alert
//     --pass --state S` runs with its output appended to DIR/out.jsonl, and
//     every 1 to 4 s parse, alert or both are killed with SIGKILL, then the
//     pipeline is started again with the same command.
//
// Then the writer stops, the pipeline is started once more and runs until
// its output has been still for a few seconds, and soak counts: lines
// written, and how many of them are whole in the files at the end
// (copytruncate loses the lines written between its copy and its
// truncation, and cuts in two a line written across them: logrotate's
// manual says so; those are not logmon's to deliver); delivered (distinct sequence numbers among the request
// records); lost (written, never delivered); duplicated (a line delivered
// under two different (file_id, offset) keys: a real duplicate); replayed
// (the same key delivered again after a kill -9 between the output and
// the state save: at-least-once, which a consumer drops by the key); and
// requests holding a NUL byte. It exits 1 when a line is lost or
// duplicated or a NUL got through.
package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	minutes := flag.Float64("minutes", 30, "how long the writer writes and logrotate rotates")
	rate := flag.Int("rate", 200, "lines written a second")
	dir := flag.String("dir", "", "work directory (default: a new temporary one, removed at the end)")
	flag.Parse()
	if err := run(time.Duration(*minutes*float64(time.Minute)), *rate, *dir); err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(1)
	}
}

func run(length time.Duration, rate int, dir string) error {
	rotate, err := exec.LookPath("logrotate")
	if err != nil {
		if _, err2 := os.Stat("/usr/sbin/logrotate"); err2 != nil {
			return fmt.Errorf("logrotate not found (apt-get install logrotate): %w", err)
		}
		rotate = "/usr/sbin/logrotate"
	}
	if dir == "" {
		if dir, err = os.MkdirTemp("", "logmon-soak"); err != nil {
			return err
		}
		defer os.RemoveAll(dir)
	}
	bin := filepath.Join(dir, "logmon")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		return fmt.Errorf("building logmon: %v\n%s", err, out)
	}
	s := &soak{dir: dir, bin: bin, rotate: rotate, log: filepath.Join(dir, "access.log")}
	fmt.Printf("soak: %v, %d lines/s, in %s\n", length, rate, dir)

	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); s.write(rate, stop) }()
	go func() { defer wg.Done(); s.rotations(stop) }()
	kills := s.chaos(length)
	close(stop)
	wg.Wait()
	fmt.Printf("soak: writer stopped after %d lines; %d rotations; %d kills; the last run reads what is left\n",
		s.written.Load(), s.rotated.Load(), kills)
	if err := s.drain(); err != nil {
		return err
	}
	return s.count()
}

type soak struct {
	dir, bin, rotate, log string
	written, rotated      atomic.Int64
}

// reopen is the file whose presence asks the writer to reopen the log by
// name: the rotation's postrotate creates it, as nginx's is a USR1.
func (s *soak) reopen() string { return filepath.Join(s.dir, "reopen") }

// write appends numbered lines to the log until stop, rate a second.
func (s *soak) write(rate int, stop <-chan struct{}) {
	open := func() *os.File {
		f, err := os.OpenFile(s.log, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			panic(err)
		}
		return f
	}
	f := open()
	defer func() { f.Close() }()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	start := time.Now()
	var buf []byte
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
		}
		if _, err := os.Stat(s.reopen()); err == nil {
			os.Remove(s.reopen())
			f.Close()
			f = open()
		}
		due := int64(time.Since(start).Seconds() * float64(rate))
		buf = buf[:0]
		for n := s.written.Load(); n < due; n++ {
			now := time.Now().UTC()
			buf = fmt.Appendf(buf, "10.%d.%d.%d - - [%s] \"GET /soak/%d HTTP/1.1\" 200 %d \"-\" \"soak\"\n",
				n>>16&255, n>>8&255, n&255, now.Format("02/Jan/2006:15:04:05 -0700"), n, n%5000)
		}
		// Two writes per batch of lines, the second starting mid-line:
		// a rotation may fall between them, as with a real server.
		cut := len(buf) / 2
		if _, err := f.Write(buf[:cut]); err != nil {
			panic(err)
		}
		if _, err := f.Write(buf[cut:]); err != nil {
			panic(err)
		}
		s.written.Store(due)
	}
}

// modes are logrotate's ways of rotating, one a minute in turn.
var modes = []string{
	"create\n\tpostrotate\n\t\ttouch REOPEN\n\tendscript",
	"copytruncate",
	"compress\n\tdelaycompress\n\tcreate\n\tpostrotate\n\t\ttouch REOPEN\n\tendscript",
	"dateext\n\tdateformat -%Y%m%d-%s\n\tcreate\n\tpostrotate\n\t\ttouch REOPEN\n\tendscript",
}

// rotations runs logrotate -f every 2 to 4 s until stop.
func (s *soak) rotations(stop <-chan struct{}) {
	conf := filepath.Join(s.dir, "logrotate.conf")
	state := filepath.Join(s.dir, "logrotate.state")
	start := time.Now()
	for {
		select {
		case <-stop:
			return
		case <-time.After(time.Duration(2000+rand.IntN(2000)) * time.Millisecond):
		}
		mode := modes[int(time.Since(start)/time.Minute)%len(modes)]
		text := fmt.Sprintf("%s {\n\trotate 100000\n\tmissingok\n\tnotifempty\n\t%s\n}\n", s.log,
			strings.ReplaceAll(mode, "REOPEN", s.reopen()))
		if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
			panic(err)
		}
		if out, err := exec.Command(s.rotate, "-f", "-s", state, conf).CombinedOutput(); err != nil {
			fmt.Printf("soak: logrotate: %v: %s", err, out)
			continue
		}
		s.rotated.Add(1)
	}
}

// pipeline is one run of parse -F | alert --pass.
type pipeline struct {
	parse, alert *exec.Cmd
	done         chan struct{} // closed when both have exited
}

func (s *soak) start() *pipeline {
	state := filepath.Join(s.dir, "alert.state")
	out, err := os.OpenFile(filepath.Join(s.dir, "out.jsonl"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		panic(err)
	}
	defer out.Close()
	errs, err := os.OpenFile(filepath.Join(s.dir, "stderr.log"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		panic(err)
	}
	defer errs.Close()
	r, w, err := os.Pipe()
	if err != nil {
		panic(err)
	}
	p := &pipeline{
		parse: exec.Command(s.bin, "parse", "-F", s.log, "--resume", state),
		alert: exec.Command(s.bin, "alert", "--pass", "--threshold", "1e9", "--state", state, "--state-every", "1s"),
		done:  make(chan struct{}),
	}
	p.parse.Stdout, p.parse.Stderr = w, errs
	p.alert.Stdin, p.alert.Stdout, p.alert.Stderr = r, out, errs
	if err := p.alert.Start(); err != nil {
		panic(err)
	}
	if err := p.parse.Start(); err != nil {
		panic(err)
	}
	r.Close()
	w.Close()
	go func() {
		p.parse.Wait()
		p.alert.Wait()
		close(p.done)
	}()
	return p
}

// chaos runs the pipeline for length, killing parse, alert or both with
// SIGKILL every 1 to 4 s and starting it again. It returns the kills.
func (s *soak) chaos(length time.Duration) (kills int) {
	end := time.Now().Add(length)
	for time.Now().Before(end) {
		p := s.start()
		time.Sleep(time.Duration(1000+rand.IntN(3000)) * time.Millisecond)
		switch rand.IntN(3) {
		case 0:
			p.parse.Process.Kill()
		case 1:
			p.alert.Process.Kill()
		default:
			p.alert.Process.Kill()
			p.parse.Process.Kill()
		}
		kills++
		// The survivor ends on its own: alert at the end of its input,
		// parse at its next write into the closed pipe (or, idle, at
		// the next SIGTERM).
		select {
		case <-p.done:
		case <-time.After(2 * time.Second):
			p.parse.Process.Signal(syscall.SIGTERM)
			<-p.done
		}
	}
	return kills
}

// drain runs the pipeline until its output has been still for 5 s, then
// stops it cleanly.
func (s *soak) drain() error {
	p := s.start()
	out := filepath.Join(s.dir, "out.jsonl")
	last, still := int64(-1), time.Now()
	for time.Since(still) < 5*time.Second {
		time.Sleep(250 * time.Millisecond)
		fi, err := os.Stat(out)
		if err != nil {
			return err
		}
		if fi.Size() != last {
			last, still = fi.Size(), time.Now()
		}
	}
	p.parse.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		p.parse.Process.Kill()
		p.alert.Process.Kill()
		<-p.done
	}
	return nil
}

// count reads the pipeline's output and prints the tally.
func (s *soak) count() error {
	f, err := os.Open(filepath.Join(s.dir, "out.jsonl"))
	if err != nil {
		return err
	}
	defer f.Close()
	written := s.written.Load()
	keys := make(map[int64]map[string]int, written) // sequence number -> (file_id@offset -> times)
	var records, nul int64
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		line := sc.Bytes()
		var r struct {
			Type   string `json:"type"`
			Path   string `json:"path"`
			FileID string `json:"file_id"`
			Offset int64  `json:"offset"`
		}
		if err := json.Unmarshal(line, &r); err != nil {
			// A record cut short by kill -9 of alert in the middle of
			// its write, the next run's output appended after it: not
			// delivered (its line comes again after the restart, as a
			// replay of its key), so it is skipped, and said.
			fmt.Fprintf(os.Stderr, "soak: out.jsonl: a record torn by a kill, skipped: %.80q\n", line)
			continue
		}
		if r.Type != "request" {
			continue
		}
		records++
		if bytes.Contains(line, []byte(`\u0000`)) {
			nul++
		}
		n, err := strconv.ParseInt(strings.TrimPrefix(r.Path, "/soak/"), 10, 64)
		if err != nil {
			return fmt.Errorf("out.jsonl: a request not written by soak: %.80q", line)
		}
		if keys[n] == nil {
			keys[n] = map[string]int{}
		}
		keys[n][fmt.Sprintf("%s@%d", r.FileID, r.Offset)]++
	}
	if err := sc.Err(); err != nil {
		return err
	}
	inFiles, err := s.inFiles()
	if err != nil {
		return err
	}
	var lost, dup, replayed, gone int64
	var someLost []int64
	for n := range written {
		k := keys[n]
		if len(k) == 0 && !inFiles[n] {
			gone++ // never in any file: lost by copytruncate itself
			continue
		}
		if len(k) == 0 {
			lost++
			if len(someLost) < 10 {
				someLost = append(someLost, n)
			}
			continue
		}
		if len(k) > 1 {
			dup++
		}
		for _, times := range k {
			replayed += int64(times - 1)
		}
	}
	fmt.Printf("soak: %d lines written, %d of them in the files (%d lost or cut by copytruncate between its copy and its truncation, as logrotate warns)\n",
		written, written-gone, gone)
	fmt.Printf("soak: %d delivered, %d lost, %d duplicated; %d request records, %d of them replays of a key; %d with a NUL byte\n",
		int64(len(keys)), lost, dup, records, replayed, nul)
	if len(someLost) > 0 {
		fmt.Printf("soak: lost lines, the first: %v (work directory %s)\n", someLost, s.dir)
	}
	if lost > 0 || dup > 0 || nul > 0 {
		return fmt.Errorf("lines lost or duplicated")
	}
	return nil
}

// inFiles returns the sequence numbers of the lines in the log and its
// rotated files (gzip members decompressed). Only whole lines count: a
// line that copytruncate cut in two (its start at the end of the copy, its
// rest at the start of the truncated file, or lost between the copy and
// the truncation) is in no file whole, and no reader can deliver it; it is
// lost by copytruncate itself.
func (s *soak) inFiles() (map[int64]bool, error) {
	names, err := filepath.Glob(s.log + "*")
	if err != nil {
		return nil, err
	}
	seen := map[int64]bool{}
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		var r io.Reader = f
		if strings.HasSuffix(name, ".gz") {
			if r, err = gzip.NewReader(f); err != nil {
				f.Close()
				return nil, fmt.Errorf("%s: %w", name, err)
			}
		}
		br := bufio.NewReaderSize(r, 64<<10)
		for {
			line, err := br.ReadBytes('\n')
			if n, ok := whole(line); ok {
				seen[n] = true
			}
			if err == io.EOF {
				break
			}
			if err != nil {
				f.Close()
				return nil, fmt.Errorf("%s: %w", name, err)
			}
		}
		f.Close()
	}
	return seen, nil
}

// whole returns the sequence number of line when it is a whole line as
// write writes them, its '\n' included.
func whole(line []byte) (int64, bool) {
	if !bytes.HasPrefix(line, []byte("10.")) || !bytes.HasSuffix(line, []byte("\"soak\"\n")) {
		return 0, false
	}
	_, rest, ok := bytes.Cut(line, []byte("\"GET /soak/"))
	if !ok {
		return 0, false
	}
	num, _, ok := bytes.Cut(rest, []byte(" "))
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(string(num), 10, 64)
	return n, err == nil
}
