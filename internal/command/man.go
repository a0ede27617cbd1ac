package command

import (
	"regexp"
	"strings"

	"github.com/cpuguy83/go-md2man/v2/md2man"
	"github.com/urfave/cli/v2"
)

// manCommand prints logmon's man page, made from the same command
// definitions as --help (urfave/cli's ToMarkdown), with the exit codes
// and examples added.
func manCommand(e env) *cli.Command {
	return &cli.Command{
		Name:      "man",
		Usage:     "print the man page (roff), made from the same definitions as --help",
		UsageText: "logmon man | man -l -\n   logmon man > /usr/local/share/man/man1/logmon.1",
		Action: noArgs(func(c *cli.Context) error {
			page, err := manPage(c.App)
			if err != nil {
				return err
			}
			_, err = e.stdout.Write(page)
			return err
		}),
	}
}

// manPage is app's man page in section 1.
func manPage(app *cli.App) ([]byte, error) {
	md, err := app.ToMarkdown()
	if err != nil {
		return nil, err
	}
	// urfave/cli writes a flag that takes a value as **--window**="":
	// the placeholder says what the value is, as in --help.
	placeholders := placeholdersOf(app)
	md = docFlag.ReplaceAllStringFunc(md, func(m string) string {
		sub := docFlag.FindStringSubmatch(m)
		return "**" + sub[1] + sub[2] + "** _" + placeholders[sub[1]] + "_"
	})
	return md2man.Render([]byte("% logmon 1\n\n" + md + manExtra)), nil
}

// docFlag is a flag taking a value in urfave/cli's markdown.
var docFlag = regexp.MustCompile(`\*\*(--[a-z0-9-]+)((?:, -[a-zA-Z])?)\*\*=""`)

// placeholdersOf are the placeholders of every flag of app that takes
// a value, by name.
func placeholdersOf(app *cli.App) map[string]string {
	m := map[string]string{}
	for _, c := range app.Commands {
		for _, f := range c.Flags {
			df, ok := f.(cli.DocGenerationFlag)
			if !ok || !df.TakesValue() {
				continue
			}
			p := "VALUE"
			if _, rest, ok := strings.Cut(df.GetUsage(), "`"); ok {
				p, _, _ = strings.Cut(rest, "`")
			}
			m["--"+f.Names()[0]] = p
		}
	}
	return m
}

// manExtra are the sections of the man page that are not in --help.
// The exit codes are the README's (and app.go's constants).
const manExtra = `
# EXIT CODES

**0**
: the input was read to its end (bad lines included: they are counted and reported, not fatal)

**1**
: an I/O error: input unreadable (a file named that cannot be opened, a truncated archive), output or the rejects file unwritable; or an input of which not one line is of its log format

**2**
: a usage error: unknown command or flag, a bad flag value (on the command line, in the environment or in the configuration file), an argument to gen or demo

**3**
: a **--state** (or **--resume**) file exists but cannot be used; **--state-reset** starts afresh on purpose

**130**, **143**
: stopped by SIGINT (^C) or SIGTERM, after finishing cleanly (everything judged so far written, the state saved, the tally printed)

**141**
: the reader of standard output went away

# ENVIRONMENT

Every flag of a command may be set as **LOGMON_**_COMMAND_**_**_FLAG_ (**LOGMON_ALERT_THRESHOLD=12**) or, for every command that has the flag, **LOGMON_**_FLAG_ (**LOGMON_LOG_LEVEL=warn**): the flag's name in capitals, **-** as **_**. A flag on the command line wins over the environment, the environment over the configuration file, the file over the default.

**LOGMON_CONFIG**
: the configuration file, as **--config**

**XDG_CONFIG_HOME**
: the default configuration file is **$XDG_CONFIG_HOME/logmon/config.toml** (**~/.config/logmon/config.toml** when it is not set)

**NO_COLOR**
: text output without colour

# FILES

**~/.config/logmon/config.toml**
: the configuration file: a TOML table per command, its keys the command's flags (**[alert]** then **threshold = 12**). A key no command has, a key of another command, or a value of the wrong type is a usage error (exit 2) naming the file, line and key. **logmon config** shows every setting in effect and where it came from.

# EXAMPLES

Alerts on a live log:

    tail -F /var/log/nginx/access.log | logmon parse | logmon alert

A dashboard of summaries and alerts:

    tail -F access.log | logmon parse | logmon alert --pass | logmon stats

Summaries into jq:

    logmon parse < access.log | logmon stats | jq -c '.sections[0]'

A historical replay, parsed in-process:

    zcat access.log.1.gz | logmon alert

Server errors and outages too, paging someone:

    logmon parse -F access.log | logmon alert --error-rate 0.05 --low-rate 0.1 --for 1m --exec ./page.sh

Surviving kill -9 and rotation:

    logmon parse -F access.log --resume alert.state | logmon alert --state alert.state

# SEE ALSO

The README of logmon, for the records' fields, the rules and the design.
`
