//go:build windows

package follow

import (
	"os"
	"syscall"
)

// openFile opens path for reading so that the file can still be renamed
// and removed while it is open: os.Open leaves out FILE_SHARE_DELETE, and a
// follower holding the log open with it would make the rotation by the log
// writer (or logrotate) fail with a sharing violation.
func openFile(path string) (*os.File, error) {
	p, err := syscall.UTF16PtrFromString(path)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	h, err := syscall.CreateFile(p, syscall.GENERIC_READ,
		syscall.FILE_SHARE_READ|syscall.FILE_SHARE_WRITE|syscall.FILE_SHARE_DELETE,
		nil, syscall.OPEN_EXISTING, syscall.FILE_ATTRIBUTE_NORMAL, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	return os.NewFile(uintptr(h), path), nil
}
