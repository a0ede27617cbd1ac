package command

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestExec: alert --exec hands every alert record, as written on stdout,
// to the command; a command that fails is reported and the run still
// succeeds.
func TestExec(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the test's commands are sh commands")
	}
	burst, err := os.ReadFile(filepath.Join(testdata, "burst.log"))
	if err != nil {
		t.Fatal(err)
	}
	paged := filepath.Join(t.TempDir(), "paged")
	out, _ := pipeline(t, burst, [][]string{{"alert", "--threshold", "5", "--window", "20s", "--exec", "cat >> " + paged}})
	got, err := os.ReadFile(paged)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != out || strings.Count(out, `"type":"alert"`) < 2 {
		t.Errorf("the command got\n%s\nstdout was\n%s", got, out)
	}

	_, stderr := pipeline(t, burst, [][]string{{"alert", "--threshold", "5", "--window", "20s", "--exec", "exit 7"}})
	if !strings.Contains(stderr, `logmon alert: --exec: "exit 7": exit status 7`) {
		t.Errorf("stderr %q", stderr)
	}
}
