//go:build !linux

package parse

// threadCPU is 0 where the thread's CPU time is not read: the benchmarks
// then report no cpu-ns/line.
func threadCPU() int64 { return 0 }
