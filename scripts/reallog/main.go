// Command reallog makes a long log with real traffic's long tail out of a
// short real one, for benchmarks: gen's traffic has a few hundred paths,
// agents and referrers, all of them frequent, where a real site's keep
// coming new (a query string, a scanner, a browser build seen once).
//
//	go run ./scripts/reallog [-copies 100] < ../shared/data/apache_logs > real.log
//
// It reads a Combined log and writes it -copies times, each copy's times
// squeezed into one hour of its own (in order, one copy after the other,
// from 2015-05-17T00:00:00Z), and in each copy the paths, user agents
// and referrers that occur once in the input made new (a path gets
// ?r=N or &r=N, an agent " r/N", a referrer ?r=N or &r=N, N the copy):
// the frequent keys recur in every copy, the rare ones never do. From
// the 10,000 lines of ../shared/data/apache_logs, 100 copies give 1 M
// lines with 82,184 distinct paths. A line it cannot read is written as
// it is in each copy, with its time unchanged.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"time"
)

// line is Combined: host ident user [time] "method path rest" status-and-size "referer" "agent".
var line = regexp.MustCompile(`^(\S+ \S+ \S+) \[([^\]]+)\] "(\S+) (\S+)([^"]*)" (.*?) "([^"]*)" "([^"]*)"$`)

const clf = "02/Jan/2006:15:04:05 -0700"

func main() {
	copies := flag.Int("copies", 100, "copies of the input to write")
	flag.Parse()
	if err := run(os.Stdin, os.Stdout, *copies); err != nil {
		fmt.Fprintln(os.Stderr, "reallog:", err)
		os.Exit(1)
	}
}

type entry struct {
	text                  string
	m                     []string // line's groups, nil when it did not match
	at                    time.Time
	path, agent, referrer string
}

func run(in io.Reader, out io.Writer, copies int) error {
	var ents []entry
	paths, agents, referrers := map[string]int{}, map[string]int{}, map[string]int{}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var first, last time.Time
	for sc.Scan() {
		e := entry{text: sc.Text()}
		if m := line.FindStringSubmatch(e.text); m != nil {
			if at, err := time.Parse(clf, m[2]); err == nil {
				e.m, e.at = m, at
				e.path, e.agent, e.referrer = m[4], m[8], m[7]
				paths[e.path]++
				agents[e.agent]++
				referrers[e.referrer]++
				if first.IsZero() || at.Before(first) {
					first = at
				}
				if at.After(last) {
					last = at
				}
			}
		}
		ents = append(ents, e)
	}
	if err := sc.Err(); err != nil {
		return err
	}
	span := last.Sub(first)
	if span <= 0 {
		span = time.Second
	}
	base := time.Date(2015, 5, 17, 0, 0, 0, 0, time.UTC)
	w := bufio.NewWriter(out)
	for c := range copies {
		for _, e := range ents {
			if e.m == nil {
				fmt.Fprintln(w, e.text)
				continue
			}
			at := base.Add(time.Duration(c)*time.Hour + time.Duration(float64(e.at.Sub(first))/float64(span)*float64(time.Hour)).Truncate(time.Second))
			p, a, r := e.path, e.agent, e.referrer
			if paths[p] == 1 {
				p = withQuery(p, c)
			}
			if agents[a] == 1 {
				a = fmt.Sprintf("%s r/%d", a, c)
			}
			if referrers[r] == 1 && r != "-" {
				r = withQuery(r, c)
			}
			fmt.Fprintf(w, "%s [%s] \"%s %s%s\" %s \"%s\" \"%s\"\n", e.m[1], at.Format(clf), e.m[3], p, e.m[5], e.m[6], r, a)
		}
	}
	return w.Flush()
}

// withQuery adds r=c to u's query.
func withQuery(u string, c int) string {
	if strings.Contains(u, "?") {
		return fmt.Sprintf("%s&r=%d", u, c)
	}
	return fmt.Sprintf("%s?r=%d", u, c)
}
