// Package asntest builds tiny ASN databases for tests, with
// github.com/maxmind/mmdbwriter, so that no test needs a downloaded
// database. Only tests import it.
package asntest

import (
	"cmp"
	"maps"
	"net"
	"net/netip"
	"os"
	"slices"
	"testing"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// AS is what a network maps to.
type AS struct {
	Number uint32
	Org    string // left out of the record when empty
}

// WriteDB writes a MaxMind-format ASN database to path, mapping each
// network ("83.149.0.0/16") to its AS; within a wider network, a narrower
// one keeps its own. Reserved networks (documentation
// ranges such as 192.0.2.0/24 and 2001:db8::/32) are allowed.
func WriteDB(t testing.TB, path string, nets map[string]AS) {
	t.Helper()
	tree, err := mmdbwriter.New(mmdbwriter.Options{DatabaseType: "GeoLite2-ASN", RecordSize: 24, IncludeReservedNetworks: true})
	if err != nil {
		t.Fatal(err)
	}
	// Wider networks first: an insert replaces what it covers, so a more
	// specific network inserted later keeps its own AS.
	cidrs := slices.Collect(maps.Keys(nets))
	slices.SortFunc(cidrs, func(a, b string) int {
		return cmp.Or(cmp.Compare(netip.MustParsePrefix(a).Bits(), netip.MustParsePrefix(b).Bits()), cmp.Compare(a, b))
	})
	for _, cidr := range cidrs {
		as := nets[cidr]
		_, n, err := net.ParseCIDR(cidr)
		if err != nil {
			t.Fatal(err)
		}
		rec := mmdbtype.Map{"autonomous_system_number": mmdbtype.Uint32(as.Number)}
		if as.Org != "" {
			rec["autonomous_system_organization"] = mmdbtype.String(as.Org)
		}
		if err := tree.Insert(n, rec); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tree.WriteTo(f); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}
