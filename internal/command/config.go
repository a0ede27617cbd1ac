package command

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/urfave/cli/v2"
	"github.com/urfave/cli/v2/altsrc"
)

// Settings come from four places, the first that has one winning: a
// flag on the command line, the environment (LOGMON_<COMMAND>_<FLAG>,
// then LOGMON_<FLAG>), the configuration file's section of the command
// ([alert] threshold = 12), the flag's default. urfave/cli reads the
// environment (EnvVars) and altsrc the file; what they do not do is
// refuse a file that says what no command understands, which
// loadConfig does, naming the file, line and key.

// configFlag is --config, added to every command that reads settings.
const configFlag = "config"

// envName is the environment variable of flag name, for command cmd
// when cmd is not "": LOGMON_ALERT_THRESHOLD, LOGMON_THRESHOLD.
func envName(cmd, name string) string {
	s := "LOGMON_"
	if cmd != "" {
		s += cmd + "_"
	}
	return strings.ToUpper(s + strings.ReplaceAll(name, "-", "_"))
}

// configurable makes every flag of the stage command c settable from the
// environment and the configuration file, and adds --config.
func configurable(c *cli.Command, e env) {
	for i, f := range c.Flags {
		name := f.Names()[0]
		if v := reflect.ValueOf(f).Elem().FieldByName("EnvVars"); v.IsValid() && v.CanSet() {
			v.Set(reflect.ValueOf([]string{envName(c.Name, name), envName("", name)}))
		}
		c.Flags[i] = fromFile(f)
	}
	c.Flags = append(c.Flags, &cli.StringFlag{
		Name:        configFlag,
		EnvVars:     []string{"LOGMON_CONFIG"},
		DefaultText: "$XDG_CONFIG_HOME/logmon/config.toml, if it exists",
		Usage:       "read settings from the TOML `FILE`'s [" + c.Name + "] section; a flag or the environment wins over it",
	})
	c.Before = func(ctx *cli.Context) error {
		cfg, err := loadConfig(ctx, e)
		if err != nil || cfg == nil {
			return err
		}
		return cfg.apply(ctx)
	}
}

// hasConfig reports whether c reads settings from the environment and
// the configuration file (configurable).
func hasConfig(c *cli.Command) bool { return findFlag(c, configFlag) != nil }

// fromFile wraps f so that altsrc can set it from the file.
func fromFile(f cli.Flag) cli.Flag {
	switch f := f.(type) {
	case *cli.StringFlag:
		return altsrc.NewStringFlag(f)
	case *cli.PathFlag:
		return altsrc.NewPathFlag(f)
	case *cli.BoolFlag:
		return altsrc.NewBoolFlag(f)
	case *cli.IntFlag:
		return altsrc.NewIntFlag(f)
	case *cli.Int64Flag:
		return altsrc.NewInt64Flag(f)
	case *cli.UintFlag:
		return altsrc.NewUintFlag(f)
	case *cli.Uint64Flag:
		return altsrc.NewUint64Flag(f)
	case *cli.Float64Flag:
		return altsrc.NewFloat64Flag(f)
	case *cli.DurationFlag:
		return altsrc.NewDurationFlag(f)
	case *cli.StringSliceFlag:
		return altsrc.NewStringSliceFlag(f)
	}
	return f // set from the file by apply, with its string form
}

// unwrap is the urfave/cli flag that f wraps, or f.
func unwrap(f cli.Flag) cli.Flag {
	switch f := f.(type) {
	case *altsrc.StringFlag:
		return f.StringFlag
	case *altsrc.PathFlag:
		return f.PathFlag
	case *altsrc.BoolFlag:
		return f.BoolFlag
	case *altsrc.IntFlag:
		return f.IntFlag
	case *altsrc.Int64Flag:
		return f.Int64Flag
	case *altsrc.UintFlag:
		return f.UintFlag
	case *altsrc.Uint64Flag:
		return f.Uint64Flag
	case *altsrc.Float64Flag:
		return f.Float64Flag
	case *altsrc.DurationFlag:
		return f.DurationFlag
	case *altsrc.StringSliceFlag:
		return f.StringSliceFlag
	}
	return f
}

// configFile is a configuration file read and checked against every
// command's flags.
type configFile struct {
	path     string
	sections map[string]map[any]any // command -> flag name -> value, as altsrc takes it
	lines    map[string]int         // "command.flag" -> line
}

// configPath is the file whose settings apply, and whether it was named
// (--config, LOGMON_CONFIG) rather than the default. "" means none.
func configPath(ctx *cli.Context, e env) (string, bool) {
	if ctx.IsSet(configFlag) {
		return ctx.String(configFlag), true
	}
	if dir := e.getenv("XDG_CONFIG_HOME"); dir != "" {
		return filepath.Join(dir, "logmon", "config.toml"), false
	}
	if home := e.getenv("HOME"); home != "" {
		return filepath.Join(home, ".config", "logmon", "config.toml"), false
	}
	return "", false
}

// loadConfig reads the configuration file of the command run in ctx,
// nil when there is none. Every section is checked, not only the
// command's: a mistake is found the first time the file is used.
func loadConfig(ctx *cli.Context, e env) (*configFile, error) {
	path, named := configPath(ctx, e)
	if path == "" {
		return nil, nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && !named {
		return nil, nil
	}
	if err != nil {
		return nil, usagef("--config: %v", err)
	}
	return parseConfig(path, string(data), ctx.App.Commands)
}

// parseConfig reads a configuration file's text and checks it against
// the flags of cmds.
func parseConfig(path, text string, cmds []*cli.Command) (*configFile, error) {
	var raw map[string]any
	if _, err := toml.Decode(text, &raw); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, usagef("%s:%d: %s", path, pe.Position.Line, pe.Message)
		}
		return nil, usagef("%s: %v", path, err)
	}
	cfg := &configFile{path: path, sections: map[string]map[any]any{}, lines: keyLines(text)}
	at := func(section, key string) string {
		k := section
		if key != "" {
			k += "." + key
		}
		if n := cfg.lines[k]; n > 0 {
			return fmt.Sprintf("%s:%d", path, n)
		}
		return path
	}
	stages := map[string]*cli.Command{}
	var names []string
	for _, c := range cmds {
		if hasConfig(c) {
			stages[c.Name] = c
			names = append(names, c.Name)
		}
	}
	for _, section := range sortedKeys(raw) {
		table, ok := raw[section].(map[string]any)
		if !ok {
			return nil, usagef("%s: %s: a setting outside a command's section: put it under [command], one of %s", at(section, ""), section, strings.Join(names, ", "))
		}
		c := stages[section]
		if c == nil {
			hint := ""
			if best := nearest(section, names); best != "" {
				hint = "; did you mean [" + best + "]?"
			}
			return nil, usagef("%s: [%s]: no such command (the sections are %s)%s", at(section, ""), section, strings.Join(names, ", "), hint)
		}
		values := map[any]any{}
		for _, key := range sortedKeys(table) {
			where := at(section, key)
			f := settable(c, key)
			if f == nil {
				var owners []string
				for _, o := range names {
					if settable(stages[o], key) != nil {
						owners = append(owners, o)
					}
				}
				if len(owners) > 0 {
					return nil, usagef("%s: [%s] %s: not a setting of %s but of %s", where, section, key, section, strings.Join(owners, " and "))
				}
				var keys []string
				for _, f := range c.Flags {
					keys = append(keys, f.Names()[0])
				}
				hint := ""
				if best := nearest(key, keys); best != "" {
					hint = "; did you mean " + best + "?"
				}
				return nil, usagef("%s: [%s] %s: no such setting of %s%s", where, section, key, section, hint)
			}
			v, err := fileValue(f, table[key])
			if err != nil {
				return nil, usagef("%s: [%s] %s: %v", where, section, key, err)
			}
			values[key] = v
		}
		cfg.sections[section] = values
	}
	return cfg, nil
}

// settable is c's flag that a file may set under key, nil if none: a
// flag's name (not its aliases); not --config, nor --help.
func settable(c *cli.Command, key string) cli.Flag {
	if key == configFlag || key == "help" {
		return nil
	}
	for _, f := range c.Flags {
		if f.Names()[0] == key {
			return f
		}
	}
	return nil
}

// fileValue is the TOML value v of flag f in the type altsrc takes for
// f, or an error that says what f takes.
func fileValue(f cli.Flag, v any) (any, error) {
	switch unwrap(f).(type) {
	case *cli.DurationFlag:
		s, ok := v.(string)
		if _, err := time.ParseDuration(s); !ok || err != nil {
			return nil, fmt.Errorf("%s is not a duration: write it as a string with its unit, such as \"90s\", \"2m\" or \"1h30m\"", tomlValue(v))
		}
		return s, nil
	case *cli.Float64Flag:
		switch n := v.(type) {
		case int64:
			return float64(n), nil
		case float64:
			return n, nil
		}
		return nil, fmt.Errorf("%s is not a number, such as 12 or 0.5", tomlValue(v))
	case *cli.IntFlag, *cli.Int64Flag, *cli.UintFlag, *cli.Uint64Flag:
		n, ok := v.(int64)
		if !ok {
			return nil, fmt.Errorf("%s is not a whole number, such as 5", tomlValue(v))
		}
		switch unwrap(f).(type) {
		case *cli.UintFlag, *cli.Uint64Flag:
			if n < 0 {
				return nil, fmt.Errorf("%d is below 0", n)
			}
			return uint64(n), nil
		case *cli.IntFlag:
			return int(n), nil
		}
		return n, nil
	case *cli.BoolFlag:
		b, ok := v.(bool)
		if !ok {
			return nil, fmt.Errorf("%s is not true or false", tomlValue(v))
		}
		return b, nil
	case *cli.StringSliceFlag:
		if s, ok := v.(string); ok {
			return []any{s}, nil
		}
		list, ok := v.([]any)
		for _, s := range list {
			if _, isString := s.(string); !isString {
				ok = false
			}
		}
		if !ok {
			return nil, fmt.Errorf("%s is not a string or a list of strings", tomlValue(v))
		}
		return list, nil
	case *cli.StringFlag, *cli.PathFlag:
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("%s is not a string: quote it", tomlValue(v))
		}
		return s, nil
	}
	switch v.(type) {
	case string, int64, float64, bool:
		return fmt.Sprint(v), nil
	}
	return nil, fmt.Errorf("%s is not a string, a number or true or false", tomlValue(v))
}

// apply sets the flags of the command run in ctx that its section of
// the file has and neither the command line nor the environment set.
func (cfg *configFile) apply(ctx *cli.Context) error {
	values := cfg.sections[ctx.Command.Name]
	if len(values) == 0 {
		return nil
	}
	if err := altsrc.ApplyInputSourceValues(ctx, altsrc.NewMapInputSource(cfg.path, values), ctx.Command.Flags); err != nil {
		return usagef("%s: %v", cfg.path, err)
	}
	for _, f := range ctx.Command.Flags {
		if _, wrapped := f.(altsrc.FlagInputSourceExtension); wrapped {
			continue
		}
		name := f.Names()[0]
		v, ok := values[name]
		if !ok || ctx.IsSet(name) || envSet(f) != "" {
			continue
		}
		if err := ctx.Set(name, fmt.Sprint(v)); err != nil {
			return usagef("%s:%d: [%s] %s: %v", cfg.path, cfg.lines[ctx.Command.Name+"."+name], ctx.Command.Name, name, err)
		}
	}
	return nil
}

// envSet is the environment variable that sets f, "" if none does.
func envSet(f cli.Flag) string {
	ef, ok := f.(interface{ GetEnvVars() []string })
	if !ok {
		return ""
	}
	for _, name := range ef.GetEnvVars() {
		if _, ok := os.LookupEnv(name); ok {
			return name
		}
	}
	return ""
}

var (
	tableLine = regexp.MustCompile(`^\s*\[\s*"?([A-Za-z0-9_-]+)"?\s*\]`)
	keyLine   = regexp.MustCompile(`^\s*"?([A-Za-z0-9_.-]+?)"?\s*=`)
)

// keyLines finds the line of each table and key of a configuration
// file, as "alert" and "alert.threshold", for the messages about them.
// It knows the plain forms ([alert] then threshold = 12, or
// alert.threshold = 12); a key written otherwise (an inline table) is
// named without its line.
func keyLines(text string) map[string]int {
	lines := map[string]int{}
	table := ""
	for i, line := range strings.Split(text, "\n") {
		if m := tableLine.FindStringSubmatch(line); m != nil {
			table = m[1]
			if _, seen := lines[table]; !seen {
				lines[table] = i + 1
			}
			continue
		}
		if m := keyLine.FindStringSubmatch(line); m != nil {
			key := m[1]
			if table != "" {
				key = table + "." + key
			}
			if _, seen := lines[key]; !seen {
				lines[key] = i + 1
			}
			if section, _, dotted := strings.Cut(key, "."); dotted {
				if _, seen := lines[section]; !seen {
					lines[section] = i + 1
				}
			}
		}
	}
	return lines
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// tomlValue writes v as it would be written in TOML.
func tomlValue(v any) string {
	switch v := v.(type) {
	case string:
		return strconv.Quote(v)
	case time.Duration:
		return strconv.Quote(shortDuration(v))
	case float64:
		s := strconv.FormatFloat(v, 'g', -1, 64)
		if !strings.ContainsAny(s, ".eEIN") {
			s += ".0"
		}
		return s
	case []any:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = tomlValue(x)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case []string:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = strconv.Quote(x)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		return "a table"
	}
	return fmt.Sprint(v)
}

// configCommand shows the settings in effect for every command (or
// one), and where each came from.
func configCommand(e env) *cli.Command {
	return &cli.Command{
		Name:  "config",
		Usage: "show the settings in effect for every command and where each came from (flag, environment, file, default)",
		UsageText: "logmon config [--config FILE]\n" +
			"   logmon config alert [FLAG...]   (the settings of alert run with these flags)",
		ArgsUsage:       "[COMMAND [FLAG...]]",
		SkipFlagParsing: true,
		Action: func(c *cli.Context) error {
			args := c.Args().Slice()
			var only string
			if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
				only, args = args[0], args[1:]
			}
			if slices.Contains(args, "--help") || slices.Contains(args, "-h") {
				return cli.ShowCommandHelp(c, "config")
			}
			var stages []string
			for _, s := range c.App.Commands {
				if hasConfig(s) && (only == "" || s.Name == only) {
					stages = append(stages, s.Name)
				}
			}
			if len(stages) == 0 {
				return unknownCommand(only, c.App.Commands)
			}
			fmt.Fprintln(e.stdout, "# The settings in effect: a flag wins over the environment, the environment over the file, the file over the default.")
			for i, name := range stages {
				if i > 0 {
					fmt.Fprintln(e.stdout)
				}
				if err := showConfig(c, e, name, args, i == 0); err != nil {
					return err
				}
			}
			return nil
		},
	}
}

// showConfig writes the settings of command name, run with args, as a
// TOML section with where each came from.
func showConfig(c *cli.Context, e env, name string, args []string, first bool) error {
	app := newApp(e)
	app.Writer, app.ErrWriter = io.Discard, io.Discard
	app.OnUsageError = onUsage
	var cmd *cli.Command
	for _, s := range app.Commands {
		if s.Name == name {
			cmd = s
		}
	}
	var shown error
	cmd.Action = func(ctx *cli.Context) error {
		cfg, err := loadConfig(ctx, e)
		if err != nil {
			return err
		}
		if first {
			path, named := configPath(ctx, e)
			switch {
			case path == "":
				fmt.Fprintln(e.stdout, "# No configuration file (neither --config, LOGMON_CONFIG, XDG_CONFIG_HOME nor HOME says where).")
			case cfg == nil && !named:
				fmt.Fprintf(e.stdout, "# No configuration file: %s does not exist.\n", path)
			default:
				fmt.Fprintf(e.stdout, "# Configuration file: %s\n", path)
			}
		}
		fmt.Fprintf(e.stdout, "[%s]\n", name)
		for _, f := range ctx.Command.Flags {
			key := f.Names()[0]
			if key == configFlag || key == "help" {
				continue
			}
			var from string
			switch {
			case onCommandLine(f, args):
				from = "flag --" + key
			case envSet(f) != "":
				from = "environment " + envSet(f)
			case cfg != nil && cfg.sections[name] != nil && cfg.sections[name][key] != nil:
				from = fmt.Sprintf("%s:%d", cfg.path, cfg.lines[name+"."+key])
			default:
				from = "default"
			}
			if text := defaultText(f); from == "default" && text != "" {
				// Not a value: what the command does without one
				// (--recover: the threshold; --error-rate: none).
				fmt.Fprintf(e.stdout, "# %s: %s  # default\n", key, text)
				continue
			}
			fmt.Fprintf(e.stdout, "%s = %s  # %s\n", key, tomlValue(flagValue(ctx, f)), from)
		}
		return nil
	}
	if err := app.RunContext(c.Context, append([]string{"logmon", name}, args...)); err != nil {
		shown = err
	}
	return shown
}

// defaultText is what f's help says of its default when that is no
// value ("none", "the threshold"), or "".
func defaultText(f cli.Flag) string {
	if _, ok := unwrap(f).(*cli.DurationFlag); ok {
		return "" // decorateFlags writes its value
	}
	if df, ok := f.(interface{ GetDefaultText() string }); ok {
		if v := reflect.ValueOf(unwrap(f)).Elem().FieldByName("DefaultText"); v.IsValid() && v.String() != "" {
			return df.GetDefaultText()
		}
	}
	return ""
}

// flagValue is the value of f in ctx, in a type tomlValue writes.
func flagValue(ctx *cli.Context, f cli.Flag) any {
	name := f.Names()[0]
	switch unwrap(f).(type) {
	case *cli.DurationFlag:
		return ctx.Duration(name)
	case *cli.StringSliceFlag:
		return ctx.StringSlice(name)
	case *cli.Float64Flag:
		return ctx.Float64(name)
	}
	v := ctx.Value(name)
	if s, ok := v.(fmt.Stringer); ok {
		return s.String()
	}
	return v
}

// onCommandLine reports whether args set f.
func onCommandLine(f cli.Flag, args []string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		a, _, _ = strings.Cut(strings.TrimLeft(a, "-"), "=")
		if slices.Contains(f.Names(), a) {
			return true
		}
	}
	return false
}
