package command

import (
	"os"
	"syscall"
	"testing"
)

func pipeDepth(t *testing.T, f *os.File) int {
	t.Helper()
	rc, err := f.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var n uintptr
	rc.Control(func(fd uintptr) {
		n, _, _ = syscall.Syscall(syscall.SYS_FCNTL, fd, syscall.F_GETPIPE_SZ, 0)
	})
	return int(n)
}

// TestGrowPipe: a pipe on either end becomes 1 MiB deep; a regular file
// is left alone.
func TestGrowPipe(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if d := pipeDepth(t, r); d >= pipeSize {
		t.Skipf("pipes here are already %d bytes deep", d)
	}
	growPipe(r)
	if d := pipeDepth(t, w); d != pipeSize {
		t.Errorf("pipe depth after growPipe = %d, want %d", d, pipeSize)
	}
	f, err := os.CreateTemp(t.TempDir(), "file")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	growPipe(f) // must not fail or panic on a file
}
