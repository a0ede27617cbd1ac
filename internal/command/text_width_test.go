//go:build unix

package command

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"unicode/utf8"

	"github.com/creack/pty"
)

// widthSummary is a summary whose clients and networks lines are wider
// than 80 columns, as a fleet host's of IPv6 clients are.
const widthSummary = `{"type":"summary","host":"web-1","start":"2015-05-17T10:05:00Z","end":"2015-05-17T10:05:10Z","requests":4210,"rate":421,"bytes":123456789,"sections":[{"section":"/api","hits":2000}],"status":{"1xx":0,"2xx":4210,"3xx":0,"4xx":0,"5xx":0,"other":0},"error_share":0,"methods":[{"method":"GET","hits":4210}],"clients":[{"client":"2001:db8:85a3::8a2e:370:7334","hits":900},{"client":"2001:db8:85a3::8a2e:370:7335","hits":800},{"client":"2001:db8:ffff:ffff:ffff:ffff:ffff:1","hits":600}],"networks":[{"network":"2001:db8:85a3::/48","hits":1700,"asn":64496,"as_org":"Example Networks Ltd"},{"network":"203.0.113.0/24","hits":700,"asn":64497,"as_org":"Documentation Net"}],"distinct_clients":1234,"late":0}` + "\n"

// TestRenderFitsTerminal runs logmon render on a pseudo-terminal of 80
// columns: the summary's lists wrap between entries, no line wider than
// the terminal, and its host is named; $COLUMNS, when set, is the width
// taken. Into a pipe each list stays on one line.
func TestRenderFitsTerminal(t *testing.T) {
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
	run := func(cols uint16, env ...string) []string {
		t.Helper()
		cmd := exec.Command(bin, "render")
		cmd.Stdin = strings.NewReader(widthSummary)
		cmd.Env = append(os.Environ(), "NO_COLOR=1", "COLUMNS=")
		cmd.Env = append(cmd.Env, env...)
		ptmx, err := pty.StartWithAttrs(cmd, &pty.Winsize{Rows: 24, Cols: cols}, &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 1})
		if err != nil {
			t.Fatal(err)
		}
		defer ptmx.Close()
		var out bytes.Buffer
		io.Copy(&out, ptmx) // until the program ends (EIO)
		if err := cmd.Wait(); err != nil {
			t.Fatalf("render: %v; it wrote:\n%s", err, out.String())
		}
		return strings.Split(strings.TrimRight(strings.ReplaceAll(out.String(), "\r\n", "\n"), "\n"), "\n")
	}
	check := func(name string, lines []string, width, want int) {
		t.Helper()
		if len(lines) != want {
			t.Errorf("%s: %d lines, want %d:\n%s", name, len(lines), want, strings.Join(lines, "\n"))
		}
		for _, l := range lines {
			if n := utf8.RuneCountInString(l); n > width {
				t.Errorf("%s: a line of %d columns, wider than %d: %q", name, n, width, l)
			}
		}
		if !strings.Contains(lines[0], "host web-1") {
			t.Errorf("%s: the heading does not name the host: %q", name, lines[0])
		}
	}
	// at 80 the heading, clients and networks take two lines each
	check("80 columns", run(80), 80, 9)
	check("160 columns", run(160), 160, 6)
	check("COLUMNS=60 on 160", run(160, "COLUMNS=60"), 60, 11)

	// Not a terminal: no width, whatever COLUMNS says.
	cmd := exec.Command(bin, "render")
	cmd.Stdin = strings.NewReader(widthSummary)
	cmd.Env = append(os.Environ(), "COLUMNS=60")
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(strings.TrimRight(string(out), "\n"), "\n") + 1; n != 6 {
		t.Errorf("into a pipe: %d lines, want 6 (a list a line):\n%s", n, out)
	}
}
