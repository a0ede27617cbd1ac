//go:build !unix

package hook

import "os/exec"

// ownGroup leaves cmd as it is: without process groups, its context
// kills the command alone (cmd /C on Windows), as os/exec does.
func ownGroup(*exec.Cmd) {}

func killGroup(int) error { return nil }

func groupAlive(int) bool { return false }
