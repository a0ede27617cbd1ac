//go:build !unix

package command

import "time"

// processCPU is not measured here: 0, and the benchmarks report wall time
// alone.
func processCPU() time.Duration { return 0 }
