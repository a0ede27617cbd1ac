//go:build !linux

package input

import "io"

// readable would say how many bytes wait in r; elsewhere than on Linux it
// cannot tell, and Run relies on the other signs of a stall (see Run).
func readable(io.Reader) (n int, ok bool) { return 0, false }
