//go:build !windows

package follow

import "os"

// openFile opens path for reading. Elsewhere than on Windows an open file
// never stops its path from being renamed or removed, so os.Open will do.
func openFile(path string) (*os.File, error) {
	return os.Open(path)
}
