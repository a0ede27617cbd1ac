package command

import (
	"os"
	"strings"
	"testing"
)

// The tests run in a clean environment: logmon's own variables of
// whoever runs them must not change what logmon does (urfave/cli reads
// them from the process's environment). Cases set theirs in an env
// section (see cases_test.go). LOGMON_TEST_ variables are the tests'
// own (a helper process's orders, see TestHostileHugeLine), no setting.
func init() {
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); strings.HasPrefix(name, "LOGMON_") && !strings.HasPrefix(name, "LOGMON_TEST_") {
			os.Unsetenv(name)
		}
	}
}

func TestKeyLines(t *testing.T) {
	text := "# logmon\n[alert]\nthreshold = 12\n  window = \"2m\"\n\n[ stats ]\n\"top\" = 3\nparse.format = \"json\"\n"
	got := keyLines(text)
	for key, want := range map[string]int{"alert": 2, "alert.threshold": 3, "alert.window": 4, "stats": 6, "stats.top": 7, "stats.parse.format": 8} {
		if got[key] != want {
			t.Errorf("line of %s = %d, want %d (all: %v)", key, got[key], want, got)
		}
	}
}

func TestEnvName(t *testing.T) {
	if got := envName("alert", "keep-firing-for"); got != "LOGMON_ALERT_KEEP_FIRING_FOR" {
		t.Errorf("envName = %q", got)
	}
	if got := envName("", "log-level"); got != "LOGMON_LOG_LEVEL" {
		t.Errorf("envName = %q", got)
	}
}
