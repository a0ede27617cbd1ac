package parse

import (
	"errors"
	"flag"
	"fmt"
	"strings"
	"testing"

	"github.com/logmon/logmon/internal/record"
)

var printText = flag.Bool("print-text", false, "print what TestTextFormats gets, as Go, for review")

// textCase is a stream of lines in one format; textWants holds what
// each line gives, by the case's name: the JSON record, "header: REASON"
// or "error: REASON". -print-text prints textWants anew, for review.
type textCase struct {
	name   string
	format string
	lines  []string
}

// parseStream parses lines as one input in format, as the input layer
// does.
func parseStream(t testing.TB, format string, lines []string) []string {
	t.Helper()
	f, err := Lookup(format)
	if err != nil {
		t.Fatal(err)
	}
	p := f.NewStream().NewParser()
	var got []string
	for _, l := range lines {
		var r record.Request
		got = append(got, outcome(p.Line([]byte(l), &r), &r))
	}
	return got
}

func outcome(err error, r *record.Request) string {
	var le *LineError
	switch {
	case err == nil:
		return string(r.AppendJSON(nil))
	case errors.As(err, &le) && le.IsHeader:
		return "header: " + le.Reason
	}
	return "error: " + err.Error()
}

func TestTextFormats(t *testing.T) {
	if *printText {
		fmt.Println("var textWants = map[string][]string{")
	}
	for _, tt := range textCases {
		got := parseStream(t, tt.format, tt.lines)
		if *printText {
			fmt.Printf("\t%q: {\n", tt.name)
			for _, g := range got {
				fmt.Printf("\t\t%s,\n", goString(g))
			}
			fmt.Printf("\t},\n")
			continue
		}
		t.Run(tt.name, func(t *testing.T) {
			want := textWants[tt.name]
			if len(got) != len(want) {
				t.Fatalf("%d outcomes, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
			}
			for i := range got {
				if got[i] != want[i] {
					t.Errorf("line %d (-want +got):\n-%s\n+%s", i+1, want[i], got[i])
				}
			}
		})
	}
	if *printText {
		fmt.Println("}")
	}
}

func goString(s string) string {
	if !strings.Contains(s, "`") && !strings.ContainsAny(s, "\t\n") {
		return "`" + s + "`"
	}
	return fmt.Sprintf("%q", s)
}
