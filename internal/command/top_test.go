//go:build unix

package command

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
)

// TestTopRefuses: top draws on a terminal only; a pipe or a file on
// standard output is a usage error that says what to use instead.
func TestTopRefuses(t *testing.T) {
	code, stdout, stderr := runIn([]byte("1.2.3.4 - - [17/May/2015:10:05:03 +0000] \"GET / HTTP/1.1\" 200 5\n"), "top")
	if code != exitUsage || stdout != "" || !strings.Contains(stderr, "standard output is not one") {
		t.Errorf("top with stdout not a terminal: exit %d, stdout %q, stderr %q; want exit 2 and the reason", code, stdout, stderr)
	}
}

// topLogFormat is internal/top/testdata/traffic.log's format.
const topLogFormat = `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent $request_time`

// ansiSeq matches the escape sequences a terminal program writes: CSI,
// OSC, charset designations and the two-byte ones.
var ansiSeq = regexp.MustCompile(`\x1b\[[0-9;?<=>]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>78cDEHM]`)

// TestTopTerminal runs the binary on a pseudo-terminal, the log on
// standard input as in `logmon top < access.log`, and reads the screen
// back: the dashboard of the whole log with the input ended, redrawn
// wider after a resize (the networks list appears), and q quits with
// exit 0, the tally written once the screen is given back.
func TestTopTerminal(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no pseudo-terminal on Windows")
	}
	if p, tty, err := pty.Open(); err != nil {
		t.Skipf("no pseudo-terminal to be had: %v", err)
	} else {
		p.Close()
		tty.Close()
	}
	bin := filepath.Join(logmonBin(t), "logmon")
	log, err := os.Open("../top/testdata/traffic.log")
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	cmd := exec.Command(bin, "top", "--log-format", topLogFormat, "--threshold", "5", "--window", "1m")
	cmd.Stdin = log
	cmd.Env = append(os.Environ(), "TERM=xterm-256color", "NO_COLOR=1")
	// The terminal is stdout (fd 1): stdin is the data.
	ptmx, err := pty.StartWithAttrs(cmd, &pty.Winsize{Rows: 24, Cols: 80}, &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer ptmx.Close()
	var mu sync.Mutex
	var screen bytes.Buffer
	go func() {
		buf := make([]byte, 32<<10)
		for {
			n, err := ptmx.Read(buf)
			mu.Lock()
			screen.Write(buf[:n])
			mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	// read is what the terminal was sent so far, the escapes taken out,
	// and the spaces: a terminal program moves the cursor over blanks
	// rather than write them.
	read := func() string {
		mu.Lock()
		defer mu.Unlock()
		return strings.ReplaceAll(ansiSeq.ReplaceAllString(screen.String(), ""), " ", "")
	}
	tail := func() string {
		s := read()
		return s[max(len(s)-4000, 0):]
	}
	waitFor := func(what ...string) {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second) // a fail-safe, not a timing
		for {
			got := read()
			missing := ""
			for _, w := range what {
				if !strings.Contains(got, strings.ReplaceAll(w, " ", "")) {
					missing = w
				}
			}
			if missing == "" {
				return
			}
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				t.Fatalf("the screen never showed %q; it was sent, spaces left out:\n%s", missing, tail())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	waitFor("logmon top", "2015-05-17 10:06:00 UTC", "INPUT ENDED", "2,111", "high_traffic", "top sections", "/api")
	if strings.Contains(read(), "topnetworks") {
		t.Errorf("80 columns show the networks list too: they fit one top list")
	}
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 50, Cols: 160}); err != nil {
		t.Fatal(err)
	}
	waitFor("top networks", "top clients")
	if _, err := ptmx.Write([]byte("q")); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("top after q: %v, want exit 0; the screen:\n%s", err, tail())
		}
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("top did not quit on q; the screen:\n%s", tail())
	}
	waitFor("2111 lines: 2111 requests, 0 rejected")
}
