package report

import (
	"github.com/logmon/logmon/aggregate"
	"github.com/logmon/logmon/internal/record"
	"github.com/logmon/logmon/internal/topk"
)

// The tables of the whole period. From requests they are counted here,
// each a Space-Saving summary (package topk) of capacity
// aggregate.TopCapacity(rows): bounded memory whatever the log, exact
// while a table has no more distinct keys than that, and past it every
// key with more than requests/capacity hits is counted, within the error
// shown. From summaries alone they are the sums of the summaries' own top
// lists, which name only what was in an interval's top: the report says
// so.
const (
	tabSections = iota
	tabPaths
	tab404
	tabClients
	tabNetworks
	tabAgents
	tabReferers
	tabUsers
	tabMethods
	numTables
)

// tableInfo names each table and its key's column.
var tableInfo = [numTables]struct{ title, key string }{
	tabSections: {"Top sections", "section"},
	tabPaths:    {"Top paths", "path"},
	tab404:      {"Top 404 paths", "path"},
	tabClients:  {"Top clients", "client"},
	tabNetworks: {"Top networks", "network"},
	tabAgents:   {"Top user agents", "user agent"},
	tabReferers: {"Top referrers", "referrer"},
	tabUsers:    {"Top users", "user"},
	tabMethods:  {"Methods", "method"},
}

// tables counts the period's top lists.
type tables struct {
	lists [numTables]*topk.Summary
	// counts are the tallies in front of the lists (see tally): a
	// request's keys, and an interval's sections, clients, networks and
	// methods, each with its hits, are counted there first. Most of an
	// interval's keys were seen in the one before: 64 of each interval
	// added to the Space-Saving lists themselves were 2.4 % of the
	// report's CPU time over 2.16 M generated lines.
	counts [numTables]*tally
	top    []topk.Entry // list's scratch
	// asOf remembers the autonomous systems summaries named for their
	// networks (bounded: see noteAS).
	asOf map[string]asInfo
}

type asInfo struct {
	num uint32
	org string
}

// maxASNotes bounds asOf: a network seen in more summaries' top lists
// than this many distinct ones is shown without its AS.
const maxASNotes = 1 << 14

func newTables(rows int) *tables {
	t := &tables{asOf: make(map[string]asInfo)}
	for i := range t.lists {
		t.lists[i] = topk.New(aggregate.TopCapacity(rows))
	}
	for i := range t.counts {
		t.counts[i] = newTally(t.lists[i])
	}
	return t
}

// request counts one request in the tables of paths, 404 paths, agents,
// referrers and users: this is the report's cost over stats, a tally's
// add of each key (see tally), by the keys' hashes that Report.Prepare
// made where the request was parsed (or made here, for a request that
// did not come through it). Users are hashed here: most requests have
// none.
//
// Sections, clients, networks and methods are not counted here: the
// aggregator counts them already for its summaries, and hands each
// interval's lists to the report (see list), which costs nothing per
// request.
func (t *tables) request(r *record.Request) {
	if !r.Hashed {
		hashKeys(r)
	}
	if r.Path != nil {
		t.counts[tabPaths].add(r.Path, r.Keys[0], 1)
		if r.Status == 404 {
			t.counts[tab404].add(r.Path, r.Keys[0], 1)
		}
	}
	if r.Agent != nil {
		t.counts[tabAgents].add(r.Agent, r.Keys[1], 1)
	}
	if r.Referer != nil {
		t.counts[tabReferers].add(r.Referer, r.Keys[2], 1)
	}
	if r.User != nil {
		t.counts[tabUsers].add(r.User, topk.Hash(r.User), 1)
	}
}

// hashKeys fills r.Keys with the topk.Hash of its path, agent and referer.
func hashKeys(r *record.Request) {
	r.Keys = [3]uint64{topk.Hash(r.Path), topk.Hash(r.Agent), topk.Hash(r.Referer)}
	r.Hashed = true
}

// flush hands what the tallies counted to the lists: the lists are whole
// after it.
func (t *tables) flush() {
	for _, c := range t.counts {
		c.flush()
	}
}

// list counts an interval's list l in table tab: whole when it is exact,
// else its top SummaryTop entries (see Report.Lists).
func (t *tables) list(tab int, l *topk.Summary) {
	c := t.counts[tab]
	if l.Floor() == 0 {
		l.Each(c.add)
		return
	}
	t.top = l.Top(t.top[:0], SummaryTop)
	for _, e := range t.top {
		c.addHits(e.Key, e.Count)
	}
}

// summary adds the top lists a summary carries.
func (t *tables) summary(s *record.Summary) {
	for _, h := range s.Sections {
		t.counts[tabSections].addHits(h.Section, h.Hits)
	}
	for _, h := range s.Methods {
		t.counts[tabMethods].addHits(h.Method, h.Hits)
	}
	for _, h := range s.Clients {
		t.counts[tabClients].addHits(h.Client, h.Hits)
	}
	for _, h := range s.Networks {
		t.counts[tabNetworks].addHits(h.Network, h.Hits)
		if h.ASN != 0 || h.ASOrg != "" {
			t.noteAS(h.Network, asInfo{h.ASN, h.ASOrg})
		}
	}
}

func (t *tables) noteAS(network string, as asInfo) {
	if _, ok := t.asOf[network]; ok || len(t.asOf) < maxASNotes {
		t.asOf[network] = as
	}
}
