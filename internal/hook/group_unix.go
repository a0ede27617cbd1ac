//go:build unix

package hook

import (
	"errors"
	"os"
	"os/exec"
	"syscall"
)

// ownGroup makes cmd the leader of a process group of its own (its
// children join it), and has its context kill the whole group rather than
// the command alone: sh -c 'sleep 600' is sh and sleep.
func ownGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return killGroup(cmd.Process.Pid) }
}

// killGroup kills every process of the process group g. A group that has
// emptied is done (os.ErrProcessDone, as os/exec takes it). A group's id
// is not given to another process while a process of the group lives.
func killGroup(g int) error {
	err := syscall.Kill(-g, syscall.SIGKILL)
	if errors.Is(err, syscall.ESRCH) {
		return os.ErrProcessDone
	}
	return err
}

// groupAlive reports whether a process of the group g still runs.
func groupAlive(g int) bool { return syscall.Kill(-g, 0) == nil }
