package command

import (
	"io"

	"github.com/urfave/cli/v2"
)

// completionCommand prints a shell's completion script. The scripts ask
// logmon itself what may come next (urfave/cli's
// --generate-bash-completion), so they complete the commands and flags
// of the logmon that runs them.
func completionCommand(e env) *cli.Command {
	return &cli.Command{
		Name:  "completion",
		Usage: "print the shell completion script for bash, zsh or fish",
		UsageText: "source <(logmon completion bash)                      # bash, now; add it to ~/.bashrc to keep it\n" +
			"   logmon completion zsh > \"${fpath[1]}/_logmon\"          # zsh\n" +
			"   logmon completion fish > ~/.config/fish/completions/logmon.fish",
		ArgsUsage: "bash|zsh|fish",
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usagef("completion takes one argument, the shell: bash, zsh or fish")
			}
			switch shell := c.Args().First(); shell {
			case "bash":
				_, err := io.WriteString(e.stdout, bashCompletion)
				return err
			case "zsh":
				_, err := io.WriteString(e.stdout, zshCompletion)
				return err
			case "fish":
				s, err := c.App.ToFishCompletion()
				if err != nil {
					return err
				}
				_, err = io.WriteString(e.stdout, s)
				return err
			default:
				return usagef("completion: no shell %q: bash, zsh or fish", shell)
			}
		},
	}
}

// bashCompletion needs nothing but bash (not the bash-completion
// package): it hands logmon the words before the cursor, and the word
// under it when that is a flag.
const bashCompletion = `# bash completion for logmon: source <(logmon completion bash)
_logmon_complete() {
  local cur="${COMP_WORDS[COMP_CWORD]}" opts
  local words=("${COMP_WORDS[@]:0:COMP_CWORD}")
  if [[ "$cur" == -* ]]; then
    opts=$("${words[@]}" "$cur" --generate-bash-completion 2>/dev/null)
  else
    opts=$("${words[@]}" --generate-bash-completion 2>/dev/null)
  fi
  COMPREPLY=($(compgen -W "$opts" -- "$cur"))
}
complete -o bashdefault -o default -F _logmon_complete logmon
`

const zshCompletion = `#compdef logmon
# zsh completion for logmon: logmon completion zsh > "${fpath[1]}/_logmon"
_logmon() {
  local -a opts
  local cur=${words[-1]}
  if [[ "$cur" == -* ]]; then
    opts=("${(@f)$(${words[@]:0:#words[@]-1} ${cur} --generate-bash-completion 2>/dev/null)}")
  else
    opts=("${(@f)$(${words[@]:0:#words[@]-1} --generate-bash-completion 2>/dev/null)}")
  fi
  if [[ "${opts[1]}" != "" ]]; then
    _describe 'values' opts
  else
    _files
  fi
}
# Sourced, it registers itself; autoloaded from $fpath, it completes.
if [[ "${funcstack[1]}" == "_logmon" ]]; then
  _logmon "$@"
else
  compdef _logmon logmon
fi
`
