package command

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestFleetRegions: hubs stack. Four hosts in two regions, each region's
// hub folding its hosts' 1-second summaries into 1-second summaries of its
// own (stats --interval 1s --host REGION), and a top hub folding the
// regions': its alerts are those of alert over the union, record for
// record, and its 10 s summaries those of the hosts' in every exact
// field (the top lists' bounds widen with each level of merging, and the
// distinct clients are the same union of sketches).
func TestFleetRegions(t *testing.T) {
	union, split := fleetTraffic(t, 4)
	var hosts []string
	for i, recs := range split {
		hosts = append(hosts, logmon(t, recs, "stats", "--interval", "1s", "--host", []string{"h1", "h2", "h3", "h4"}[i]).ok(t).stdout)
	}
	eu := logmon(t, byStart(t, hosts[0], hosts[1]), "stats", "--interval", "1s", "--host", "eu").ok(t).stdout
	us := logmon(t, byStart(t, hosts[2], hosts[3]), "stats", "--interval", "1s", "--host", "us").ok(t).stdout
	top := byStart(t, eu, us)

	want := logmon(t, union, append([]string{"alert"}, fleetRules...)...).ok(t).stdout
	if got := logmon(t, top, append([]string{"alert"}, fleetRules...)...).ok(t).stdout; got != want {
		t.Errorf("the top hub's alerts (-want +got):\n%s", lineDiff(want, got))
	}
	if !strings.Contains(want, `"state":"firing"`) {
		t.Errorf("the traffic fires no rule: the test proves nothing\n%s", want)
	}

	wantS := summaries(t, logmon(t, byStart(t, hosts...), "stats", "--interval", "10s").ok(t).stdout)
	gotS := summaries(t, logmon(t, top, "stats", "--interval", "10s").ok(t).stdout)
	if len(gotS) != len(wantS) {
		t.Fatalf("%d summaries from the top hub, %d from the hosts'", len(gotS), len(wantS))
	}
	for i := range wantS {
		w, g := wantS[i], gotS[i]
		w.Clients, g.Clients = nil, nil
		wj, _ := json.Marshal(w)
		gj, _ := json.Marshal(g)
		if string(wj) != string(gj) {
			t.Errorf("summary %d (-want +got):\n-%s\n+%s", i, wj, gj)
		}
	}
}
