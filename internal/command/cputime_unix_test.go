//go:build unix

package command

import (
	"syscall"
	"time"
)

// processCPU is the CPU time, user and system, that this process has used
// so far, every thread's.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
