// Command logmon watches HTTP access logs as a pipeline of stream
// filters: parse, stats, alert, render. See README.md.
package main

import (
	"os"

	"github.com/logmon/logmon/internal/command"
)

func main() {
	os.Exit(command.Main(os.Args, os.Stdin, os.Stdout, os.Stderr))
}
