package parse

import (
	"syscall"
	"unsafe"
)

// threadCPU returns the CPU time of the calling thread, in nanoseconds
// (CLOCK_THREAD_CPUTIME_ID): on a machine shared with other work, wall
// times of a benchmark varied 3x from run to run, its CPU time far less.
func threadCPU() int64 {
	var ts syscall.Timespec
	const clockThreadCPUTime = 3
	syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTime, uintptr(unsafe.Pointer(&ts)), 0)
	return ts.Nano()
}
