package command

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/logmon/logmon/internal/asn/asntest"
)

// The cases of logmon stats are in testdata/cases/stats (see TestCases).

// TestASNDB: stats --asn-db adds the AS of each top network from a
// MaxMind-format database the test builds itself; a network the database
// does not know goes without; a file that is not a database is a usage
// error naming it; without the flag nothing is looked up.
func TestASNDB(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "asn.mmdb")
	asntest.WriteDB(t, db, map[string]asntest.AS{
		"83.149.0.0/16": {Number: 64500, Org: "Example Net"},
		"2001:db8::/32": {Number: 64510, Org: "Documentation AS"},
	})
	log := []byte(strings.Join([]string{
		`83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET /a HTTP/1.1" 200 5 "-" "-"`,
		`83.149.9.216 - - [17/May/2015:10:05:04 +0000] "GET /a HTTP/1.1" 200 5 "-" "-"`,
		`2001:db8:1::7 - - [17/May/2015:10:05:05 +0000] "GET /b HTTP/1.1" 200 5 "-" "-"`,
		`192.0.2.1 - - [17/May/2015:10:05:06 +0000] "GET /c HTTP/1.1" 200 5 "-" "-"`,
	}, "\n") + "\n")

	out := logmon(t, log, "stats", "--asn-db", db).ok(t).stdout
	want := `"networks":[{"network":"83.149.9.0/24","hits":2,"asn":64500,"as_org":"Example Net"},{"network":"192.0.2.0/24","hits":1},{"network":"2001:db8:1::/48","hits":1,"asn":64510,"as_org":"Documentation AS"}]`
	if !strings.Contains(out, want) {
		t.Errorf("summary\n%s\nlacks\n%s", out, want)
	}
	text := logmon(t, log, "stats", "--asn-db", db, "--format", "text").ok(t).stdout
	if want := "networks  83.149.9.0/24 (AS64500 Example Net) 2  192.0.2.0/24 1  2001:db8:1::/48 (AS64510 Documentation AS) 1"; !strings.Contains(text, want) {
		t.Errorf("text\n%s\nlacks\n%s", text, want)
	}
	if plain := logmon(t, log, "stats").ok(t).stdout; strings.Contains(plain, `"asn"`) {
		t.Errorf("without --asn-db: %s", plain)
	}

	bad := filepath.Join(dir, "bad.mmdb")
	os.WriteFile(bad, []byte("not a database"), 0o644)
	for _, path := range []string{bad, filepath.Join(dir, "missing.mmdb")} {
		if r := logmon(t, log, "stats", "--asn-db", path); r.code != exitUsage || !strings.Contains(r.stderr, path) {
			t.Errorf("--asn-db %s: exit %d, stderr %q; want exit %d naming the file", path, r.code, r.stderr, exitUsage)
		}
	}
}
