//go:build unix

package hook

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/logmon/logmon/internal/clock"
)

// TestNothingLeftBehind: the processes a command starts, in the
// foreground or in the background, are killed with it when it runs too
// long, and those it leaves running when it ends are killed at Close.
// The command writes its pid ($$) and its background child's ($!) to a
// file; a foreground child is found by its parent in /proc.
func TestNothingLeftBehind(t *testing.T) {
	skipWithoutShell(t)
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("finds the command's processes in /proc")
	}
	for _, tc := range []struct {
		name    string
		command string // writes the pids to $P
		ends    bool   // the command ends by itself, leaving its child
		report  string // what is said of it ("": nothing, as for a success)
	}{
		{"foreground", `echo $$ > $P; sleep 600`, false, "ran longer than 1h0m0s and was killed"},
		{"background, waited for", `echo $$ > $P; sleep 600 & echo $! >> $P; wait`, false, "ran longer than 1h0m0s and was killed"},
		{"background, left running", `echo $$ > $P; sleep 600 >/dev/null 2>&1 & echo $! >> $P`, true, ""},
		// The child holds the command's output open: its end is waited
		// for a second (os/exec's WaitDelay, wall time), then given up.
		{"background, holding the output", `echo $$ > $P; sleep 600 & echo $! >> $P`, true, "left a process running that holds its output"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pidFile := filepath.Join(t.TempDir(), "pids")
			var log bytes.Buffer
			clk := clock.NewFake(at)
			h := Start(strings.ReplaceAll(tc.command, "$P", pidFile), time.Hour, textLog(t, &log), clk)
			h.Send([]byte(`{}`))
			pids := commandPids(t, pidFile)
			t.Cleanup(func() { // when the test fails
				for _, pid := range slices.DeleteFunc(slices.Clone(pids), func(p int) bool { return !alive(p) }) {
					syscall.Kill(pid, syscall.SIGKILL)
				}
			})
			if tc.ends {
				waitFor(t, "the command to end", func() bool {
					h.mu.Lock()
					defer h.mu.Unlock()
					return h.run == 1
				})
				if !alive(pids[1]) {
					t.Fatalf("the background child %d ended with the command", pids[1])
				}
			} else {
				clk.BlockUntil(1)
				clk.Advance(time.Hour)
				waitGone(t, pids)
			}
			h.Close()
			waitGone(t, pids)
			if tc.report == "" && log.Len() > 0 || !strings.Contains(log.String(), tc.report) {
				t.Errorf("report mismatch: want %q in\n%s", tc.report, log.String())
			}
		})
	}
}

// commandPids returns the pid of the running command and of its child:
// from the pid file, or the child among the command's in /proc.
func commandPids(t *testing.T, pidFile string) []int {
	t.Helper()
	var pids []int
	waitFor(t, "the command's pid and its child's", func() bool {
		data, _ := os.ReadFile(pidFile)
		pids = pids[:0]
		for _, f := range strings.Fields(string(data)) {
			pid, err := strconv.Atoi(f)
			if err != nil {
				return false // being written
			}
			pids = append(pids, pid)
		}
		if len(pids) == 1 {
			pids = append(pids, childrenOf(pids[0])...)
		}
		return len(pids) >= 2
	})
	return pids
}

// childrenOf returns the processes whose parent is pid.
func childrenOf(pid int) []int {
	var kids []int
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		p, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		if st, ok := procStat(p); ok && st.ppid == pid {
			kids = append(kids, p)
		}
	}
	return kids
}

type stat struct {
	state byte
	ppid  int
}

// procStat reads the state and parent of process pid from /proc.
func procStat(pid int) (stat, bool) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return stat{}, false
	}
	// pid (comm) state ppid ...; comm may hold spaces and parentheses.
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return stat{}, false
	}
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 2 {
		return stat{}, false
	}
	ppid, _ := strconv.Atoi(f[1])
	return stat{state: f[0][0], ppid: ppid}, true
}

// alive reports whether process pid runs: a zombie (dead, not yet
// reaped by its parent) does not.
func alive(pid int) bool {
	st, ok := procStat(pid)
	return ok && st.state != 'Z' && st.state != 'X'
}

// waitGone fails the test unless every process of pids ends.
func waitGone(t *testing.T, pids []int) {
	t.Helper()
	waitFor(t, fmt.Sprintf("the end of processes %v", pids), func() bool {
		return !slices.ContainsFunc(pids, alive)
	})
}

// waitFor waits for cond, which real processes make true: on the wall
// clock, as they run on it. It fails the test after a minute.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("waited a minute for %s", what)
		}
	}
}
