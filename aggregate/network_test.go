package aggregate

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/netip"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/logmon/logmon/internal/record"
)

// TestNetworks: summaries list the clients' networks, /24 and /48 by
// default or as configured; clients that are not addresses have none.
func TestNetworks(t *testing.T) {
	clients := []string{
		"83.149.9.216", "83.149.9.3", "83.149.10.1", // two /24s
		"2001:db8:1:2::1", "2001:db8:1:ffff::9", "2001:db8:2::1", // two /48s
		"::ffff:83.149.9.7",        // IPv4-mapped: IPv4
		"fe80::1%eth0",             // a zone is dropped
		"crawler.example.org", "-", // no address
		strings.Repeat("1", 100),
	}
	tests := []struct {
		name   string
		v4, v6 int
		want   []record.NetworkHits
	}{
		{"defaults", 0, 0, []record.NetworkHits{
			{Network: "83.149.9.0/24", Hits: 3}, {Network: "2001:db8:1::/48", Hits: 2},
			{Network: "2001:db8:2::/48", Hits: 1}, {Network: "83.149.10.0/24", Hits: 1}, {Network: "fe80::/48", Hits: 1},
		}},
		{"/16 and /32", 16, 32, []record.NetworkHits{
			{Network: "83.149.0.0/16", Hits: 4}, {Network: "2001:db8::/32", Hits: 3}, {Network: "fe80::/32", Hits: 1},
		}},
		{"whole addresses", 32, 128, []record.NetworkHits{
			{Network: "2001:db8:1:2::1/128", Hits: 1}, {Network: "2001:db8:1:ffff::9/128", Hits: 1}, {Network: "2001:db8:2::1/128", Hits: 1},
			{Network: "83.149.10.1/32", Hits: 1}, {Network: "83.149.9.216/32", Hits: 1}, {Network: "83.149.9.3/32", Hits: 1},
			{Network: "83.149.9.7/32", Hits: 1}, {Network: "fe80::1/128", Hits: 1},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var reqs []req
			for i, c := range clients {
				reqs = append(reqs, req{sec: int64(i % 5), section: "/", status: 200, client: c, method: "GET"})
			}
			got := run(t, Config{Interval: 10 * time.Second, Top: 10, IPv4Prefix: tc.v4, IPv6Prefix: tc.v6}, reqs)
			if len(got) != 1 || !slices.Equal(got[0].Networks, tc.want) {
				t.Errorf("networks\n%v\nwant\n%v", got[0].Networks, tc.want)
			}
		})
	}
}

func TestNetworkConfig(t *testing.T) {
	for _, tc := range []struct {
		v4, v6 int
		want   string
	}{
		{33, 0, "IPv4 network prefix must be between 1 and 32: 33"},
		{-1, 0, "IPv4 network prefix must be between 1 and 32: -1"},
		{0, 129, "IPv6 network prefix must be between 1 and 128: 129"},
	} {
		if _, err := New(Config{Interval: time.Second, Top: 1, IPv4Prefix: tc.v4, IPv6Prefix: tc.v6}, nil); err == nil || err.Error() != tc.want {
			t.Errorf("New(v4 %d, v6 %d) = %v, want %q", tc.v4, tc.v6, err, tc.want)
		}
	}
}

// TestNetworkCache: the cache in front of the parsing stays bounded and
// gives the same answers after it starts afresh.
func TestNetworkCache(t *testing.T) {
	n := newNetworks(24, 48)
	cleared := false
	for i := range 3 * maxNetCache {
		c := []byte("10.0." + strings.Repeat("1", 1+i%3) + ".1")
		if got := string(n.of(c)); got != "10.0."+strings.Repeat("1", 1+i%3)+".0/24" {
			t.Fatalf("of(%s) = %s", c, got)
		}
		n.of([]byte("host" + strconv.Itoa(i)))
		if len(n.cache) > maxNetCache {
			t.Fatalf("cache holds %d clients", len(n.cache))
		}
		cleared = cleared || len(n.cache) < i/2
	}
	if !cleared {
		t.Error("the cache never started afresh")
	}
	if allocs := testing.AllocsPerRun(100, func() { n.of([]byte("10.0.1.1")) }); allocs != 0 {
		t.Errorf("a client seen before costs %v allocations", allocs)
	}
}

// TestNetworksBeyondClientList: an interval with more clients than its
// client list holds still gets exact network counts (the networks are
// counted on their own from the moment the list is full), and a state
// saved and restored on either side of that moment goes on to the same
// summary.
func TestNetworksBeyondClientList(t *testing.T) {
	const clients = 3000 // over TopCapacity(3) = 1024
	var reqs []req
	exact := map[string]int64{}
	for i := range 3 * clients {
		c := i % clients
		if i%7 == 0 {
			c = i % 50 // a few busy clients
		}
		client := fmt.Sprintf("10.%d.%d.%d", c%5, c/256, c%256)
		reqs = append(reqs, req{sec: int64(i * 9 / (3 * clients)), section: "/", status: 200, client: client, method: "GET"})
		exact[fmt.Sprintf("10.%d.%d.0/24", c%5, c/256)]++
	}
	cfg := Config{Interval: 10 * time.Second, Top: 3}
	var whole []record.Summary
	a := newStage(t, cfg, &whole)
	feed(t, a, reqs)
	if err := a.End(); err != nil {
		t.Fatal(err)
	}
	if len(whole) != 1 {
		t.Fatalf("%d summaries", len(whole))
	}
	for _, n := range whole[0].Networks {
		if n.Hits != exact[n.Network] || n.Error != 0 {
			t.Errorf("%s: %d hits (error %d), exactly %d", n.Network, n.Hits, n.Error, exact[n.Network])
		}
	}
	if whole[0].DistinctClients <= int64(TopCapacity(3)) {
		t.Errorf("%d distinct clients: the client list did not overflow", whole[0].DistinctClients)
	}

	for _, at := range []int{500, 5000} { // before and after the list is full
		var got []record.Summary
		first := newStage(t, cfg, &got)
		feed(t, first, reqs[:at])
		st, err := json.Marshal(first.State())
		if err != nil {
			t.Fatal(err)
		}
		second := newStage(t, cfg, &got)
		if err := second.Restore(st); err != nil {
			t.Fatal(err)
		}
		feed(t, second, reqs[at:])
		if err := second.End(); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, whole) {
			t.Errorf("restored at request %d:\n%+v\nwant\n%+v", at, got, whole)
		}
	}
}

// TestParseIPv4: the fast path reads exactly what netip.ParseAddr reads
// as IPv4.
func TestParseIPv4(t *testing.T) {
	cases := []string{"1.2.3.4", "0.0.0.0", "255.255.255.255", "10.0.0.1", "01.2.3.4", "1.02.3.4", "1.2.3.00",
		"256.1.1.1", "1.2.3", "1.2.3.4.5", "", ".1.2.3", "1..2.3", "1.2.3.", "1.2.3.4 ", "a.b.c.d", "::1", "1.2.3.-4", "999.1.1.1"}
	for i := range 2000 {
		cases = append(cases, fmt.Sprintf("%d.%d.%d.%d", i%300, i*7%260, i*13%256, i*31%1000))
	}
	for _, c := range cases {
		got, ok := parseIPv4([]byte(c))
		addr, err := netip.ParseAddr(c)
		want := err == nil && addr.Is4()
		if ok != want || (ok && got != binary.BigEndian.Uint32(addr.AsSlice())) {
			t.Errorf("parseIPv4(%q) = %d, %v; netip says %v, %v", c, got, ok, addr, err)
		}
	}
	n := newNetworks(24, 48)
	if allocs := testing.AllocsPerRun(100, func() { n.of([]byte("203.0.113.77")) }); allocs != 0 {
		t.Errorf("an IPv4 client costs %v allocations", allocs)
	}
}
