package input

import (
	"io"
	"syscall"
	"unsafe"
)

// readable reports how many bytes wait to be read in r, when r is a file
// the system can say it of (FIONREAD on a pipe, a socket, a terminal, or
// a regular file, where it is what lies past the read position): n, true.
// Otherwise ok is false, and nothing can be told.
func readable(r io.Reader) (n int, ok bool) {
	c, isConn := r.(syscall.Conn)
	if !isConn {
		return 0, false
	}
	rc, err := c.SyscallConn() // not Fd, which would switch a pipe to blocking mode
	if err != nil {
		return 0, false
	}
	var v int32
	var errno syscall.Errno
	if err := rc.Control(func(fd uintptr) {
		_, _, errno = syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCINQ, uintptr(unsafe.Pointer(&v)))
	}); err != nil || errno != 0 {
		return 0, false
	}
	return int(v), true
}
