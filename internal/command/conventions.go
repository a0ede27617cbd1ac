package command

import (
	"errors"
	"fmt"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
	"github.com/xrash/smetrics"
)

// What every command line tool is expected to do: --version, help texts
// that say what a value is, errors that name a flag as it is typed
// (--window) and suggest what was meant.

// version is set by the linker for a release
// (-ldflags "-X github.com/logmon/logmon/internal/command.version=v1.2.3");
// otherwise the module's version from the build info, or "devel".
var version string

// versionText is what --version prints after "logmon ": the version,
// the commit and the Go that built it.
func versionText() string {
	bi, _ := debug.ReadBuildInfo()
	return versionOf(version, bi)
}

// shortVersion is the version alone, as help shows it.
func shortVersion() string {
	v, _, _ := strings.Cut(versionText(), " ")
	return v
}

// versionOf says which logmon this is: its version, the commit it was
// built from and the Go that built it, from bi (nil: no build info).
func versionOf(stamped string, bi *debug.BuildInfo) string {
	v, commit, modified, goVersion := stamped, "", false, runtime.Version()
	if bi != nil {
		if v == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
		if bi.GoVersion != "" {
			goVersion = bi.GoVersion
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				commit = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	if v == "" {
		v = "devel"
	}
	if commit == "" {
		commit = "unknown"
	} else if len(commit) > 12 {
		commit = commit[:12]
	}
	if modified {
		commit += ", modified"
	}
	return fmt.Sprintf("%s (commit %s, %s %s/%s)", v, commit, goVersion, runtime.GOOS, runtime.GOARCH)
}

// decorateFlags finishes the flags of a command as every command's are:
// a duration says it is one and how to write it, and shows its default
// as it is typed (2m, not 2m0s).
func decorateFlags(flags []cli.Flag) {
	for _, f := range flags {
		d, ok := f.(*cli.DurationFlag)
		if !ok {
			continue
		}
		if !strings.Contains(d.Usage, "`") {
			d.Usage += " (`DURATION`: 90s, 2m, 1h30m)"
		}
		if d.DefaultText == "" {
			d.DefaultText = shortDuration(d.Value)
		}
	}
}

// shortDuration writes d as a person would: 2m, 1h, 1h30m, 5s, 0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// The errors of Go's flag package, as urfave/cli passes them on.
var (
	errUndefined = regexp.MustCompile(`^flag provided but not defined: -+(.*)$`)
	errNoValue   = regexp.MustCompile(`^flag needs an argument: -+(.*)$`)
	errBadValue  = regexp.MustCompile(`^invalid (?:boolean )?value "(.*)" for flag -+([^:]*): (.*)$`)
	errBadEnv    = regexp.MustCompile(`^could not parse "(.*)" as \S+ value from environment variable "([^"]*)" for flag (\S+): (.*)$`)
)

// flagError rewrites an error of the command line in words a person
// acts on: the flag as it is typed, what its value should look like,
// and the flag that was probably meant.
func flagError(cmd *cli.Command, err error) error {
	msg := err.Error()
	if m := errUndefined.FindStringSubmatch(msg); m != nil {
		return fmt.Errorf("%s has no flag %s%s", commandName(cmd), dashed(m[1]), didYouMean(m[1], flagNames(cmd)))
	}
	if m := errNoValue.FindStringSubmatch(msg); m != nil {
		what, example := valueHint(findFlag(cmd, m[1]))
		return fmt.Errorf("%s needs a value: %s%s", dashed(m[1]), what, example)
	}
	if m := errBadValue.FindStringSubmatch(msg); m != nil {
		what, example := valueHint(findFlag(cmd, m[2]))
		return fmt.Errorf("%s %q is not %s%s", dashed(m[2]), m[1], what, example)
	}
	if m := errBadEnv.FindStringSubmatch(msg); m != nil {
		what, example := valueHint(findFlag(cmd, m[3]))
		return fmt.Errorf("%s=%q (for %s) is not %s%s", m[2], m[1], dashed(m[3]), what, example)
	}
	return err
}

func commandName(cmd *cli.Command) string {
	if cmd == nil || cmd.Name == "" {
		return "logmon"
	}
	return cmd.Name
}

// dashed is a flag's name as typed: --window, and -F for a one-letter one.
func dashed(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// findFlag is cmd's flag of that name (or alias), nil if none.
func findFlag(cmd *cli.Command, name string) cli.Flag {
	if cmd == nil {
		return nil
	}
	for _, f := range cmd.Flags {
		for _, n := range f.Names() {
			if n == name {
				return f
			}
		}
	}
	return nil
}

func flagNames(cmd *cli.Command) []string {
	if cmd == nil {
		return nil
	}
	var names []string
	for _, f := range cmd.Flags {
		names = append(names, f.Names()...)
	}
	return names
}

// valueHint says what a flag's value is and gives an example.
func valueHint(f cli.Flag) (what, example string) {
	switch unwrap(f).(type) {
	case *cli.DurationFlag:
		return "a duration", " with its unit, such as 90s, 2m or 1h30m"
	case *cli.Float64Flag:
		return "a number", ", such as 12 or 0.5"
	case *cli.IntFlag, *cli.Int64Flag, *cli.UintFlag, *cli.Uint64Flag:
		return "a whole number", ", such as 5"
	case *cli.BoolFlag:
		return "true or false", ""
	}
	return "a good value", " (see --help)"
}

// didYouMean suggests the name nearest to typed, when one is near
// enough, as "; did you mean --window?".
func didYouMean(typed string, names []string) string {
	if best := nearest(typed, names); best != "" {
		return "; did you mean " + dashed(best) + "?"
	}
	return ""
}

// nearest is the one of names most like typed (Jaro-Winkler, as
// urfave/cli's own suggestions), or "" when none is like it. 0.8 takes
// a letter left out, doubled or swapped (pase, statts, treshold), and
// not an unrelated word.
func nearest(typed string, names []string) string {
	best, score := "", 0.8
	for _, n := range names {
		if len(n) < 2 {
			continue
		}
		if s := smetrics.JaroWinkler(typed, n, 0.7, 4); s > score {
			best, score = n, s
		}
	}
	return best
}

// unknownCommand is the error of a command that does not exist.
func unknownCommand(name string, cmds []*cli.Command) error {
	var names []string
	for _, c := range cmds {
		if !c.Hidden {
			names = append(names, c.Names()...)
		}
	}
	if best := nearest(name, names); best != "" {
		return usagef("no command %q; did you mean %s? (see logmon --help)", name, best)
	}
	return usagef("no command %q; see logmon --help", name)
}

// asUsage makes err a usage error, worded by flagError.
func asUsage(cmd *cli.Command, err error) error {
	var u usageError
	if errors.As(err, &u) {
		return err
	}
	return usageError{flagError(cmd, err)}
}

func init() {
	// urfave/cli's default adds -v, which many tools read as verbose.
	cli.VersionFlag = &cli.BoolFlag{Name: "version", Usage: "print the version, the commit and the Go that built it"}
	cli.VersionPrinter = func(c *cli.Context) {
		fmt.Fprintf(c.App.Writer, "logmon %s\n", versionText())
	}
}
