package asn

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/logmon/logmon/internal/asn/asntest"
)

func TestLookup(t *testing.T) {
	path := filepath.Join(t.TempDir(), "asn.mmdb")
	asntest.WriteDB(t, path, map[string]asntest.AS{
		"83.149.0.0/16":   {Number: 64500, Org: "Example Net"},
		"83.149.9.0/24":   {Number: 64501, Org: "Example Net, a more specific route"},
		"2001:db8::/32":   {Number: 64510, Org: "Documentation AS"},
		"198.51.100.0/24": {Number: 64520, Org: ""},
	})
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, tc := range []struct {
		network string
		number  uint32
		org     string
		ok      bool
	}{
		{"83.149.9.0/24", 64501, "Example Net, a more specific route", true},
		{"83.149.10.0/24", 64500, "Example Net", true},
		{"83.149.0.0/16", 64500, "Example Net", true},
		{"2001:db8:1::/48", 64510, "Documentation AS", true},
		{"198.51.100.0/24", 64520, "", true},
		{"192.0.2.0/24", 0, "", false},  // not in the database
		{"2001:db9::/48", 0, "", false}, // not in the database
		{"not a network", 0, "", false},
	} {
		number, org, ok := db.Lookup(tc.network)
		if number != tc.number || org != tc.org || ok != tc.ok {
			t.Errorf("Lookup(%s) = %d, %q, %v; want %d, %q, %v", tc.network, number, org, ok, tc.number, tc.org, tc.ok)
		}
	}
}

func TestOpenRefuses(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.mmdb")
	os.WriteFile(garbage, []byte("this is not a database\n"), 0o644)
	for _, path := range []string{garbage, filepath.Join(dir, "missing.mmdb")} {
		if db, err := Open(path); err == nil {
			db.Close()
			t.Errorf("Open(%s) accepted it", path)
		}
	}
}
