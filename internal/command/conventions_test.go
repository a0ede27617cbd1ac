package command

import (
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionOf(t *testing.T) {
	for _, tc := range []struct {
		name    string
		stamped string
		bi      *debug.BuildInfo
		want    string // the start of what --version says
	}{
		{"no build info", "", nil, "devel (commit unknown, go"},
		{"not stamped", "", &debug.BuildInfo{GoVersion: "go1.24.1", Main: debug.Module{Version: "(devel)"}}, "devel (commit unknown, go1.24.1 "},
		{"module version", "", &debug.BuildInfo{GoVersion: "go1.24.1", Main: debug.Module{Version: "v1.2.3"}}, "v1.2.3 (commit unknown, go1.24.1 "},
		{"linker stamp wins", "v2.0.0", &debug.BuildInfo{GoVersion: "go1.24.1", Main: debug.Module{Version: "v1.2.3"}}, "v2.0.0 (commit unknown, go1.24.1 "},
		{"commit", "", &debug.BuildInfo{GoVersion: "go1.24.1", Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "a7fea95c0ffee0123456789abcdef0123456789a"}, {Key: "vcs.modified", Value: "true"},
		}}, "devel (commit a7fea95c0ffe, modified, go1.24.1 "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := versionOf(tc.stamped, tc.bi); !strings.HasPrefix(got, tc.want) {
				t.Errorf("versionOf = %q, want it to start with %q", got, tc.want)
			}
		})
	}
}

// TestVersionFlag: --version says the version, the commit and the Go
// version, on stdout, and exits 0.
func TestVersionFlag(t *testing.T) {
	r := logmon(t, nil, "--version").ok(t)
	if !strings.HasPrefix(r.stdout, "logmon devel (commit ") || !strings.Contains(r.stdout, " go1.") || r.stderr != "" {
		t.Errorf("--version: stdout %q, stderr %q", r.stdout, r.stderr)
	}
}

// TestCompletionBash sources the bash completion script in bash and
// completes as bash would on a tab: commands, a command's flags, and
// nothing made up after a flag that takes a value.
func TestCompletionBash(t *testing.T) {
	for _, tc := range []struct {
		words string // COMP_WORDS, the last the word under the cursor
		want  string
	}{
		{"logmon pa", "parse"},
		{"logmon sta", "stats"},
		{"logmon ''", strings.Join(commandNames(), " ")},
		{"logmon stats --int", "--interval"},
		{"logmon alert --thr", "--threshold"},
		{"logmon alert --window ''", ""},
	} {
		t.Run(tc.words, func(t *testing.T) {
			script := `source <(logmon completion bash) || exit 9
COMP_WORDS=(` + tc.words + `); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
_logmon_complete
echo "${COMPREPLY[*]}"`
			out, _ := sh(t, script)
			if got := strings.TrimSpace(out); got != tc.want {
				t.Errorf("completing %q gives %q, want %q", tc.words, got, tc.want)
			}
		})
	}
}

// commandNames are logmon's commands, as completion offers them.
func commandNames() []string {
	var names []string
	for _, c := range newApp(testEnv(nil, nil, nil)).Commands {
		if !c.Hidden {
			names = append(names, c.Names()...)
		}
	}
	return append(names, "help", "h")
}

// TestCompletionZshFish checks the other scripts' syntax with the
// shells themselves, where they are installed.
func TestCompletionZshFish(t *testing.T) {
	for _, shell := range []string{"zsh", "fish"} {
		t.Run(shell, func(t *testing.T) {
			if _, err := exec.LookPath(shell); err != nil {
				t.Skipf("no %s", shell)
			}
			script := filepath.Join(t.TempDir(), "logmon."+shell)
			sh(t, "logmon completion "+shell+" > "+script+" && "+shell+" -n "+script)
		})
	}
}

// TestManPage: the man page is one that man(1) formats, with the
// sections added to what --help says.
func TestManPage(t *testing.T) {
	if _, err := exec.LookPath("man"); err != nil {
		t.Skip("no man")
	}
	out, _ := sh(t, "logmon man | MANWIDTH=80 man -l - 2>&1")
	out = strings.Join(strings.Fields(out), " ") // justified lines space words unevenly
	for _, want := range []string{"NAME", "logmon - watch HTTP access logs", "EXIT CODES", "EXAMPLES", "--window DURATION", "--follow, -F FILE"} {
		if !strings.Contains(out, want) {
			t.Errorf("man page lacks %q:\n%.3000s", want, out)
		}
	}
}
