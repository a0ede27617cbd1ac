// Package asn looks up the autonomous system (AS) a client network belongs
// to, in a MaxMind-format database (.mmdb) such as GeoLite2-ASN or any
// database with the same two fields: autonomous_system_number and
// autonomous_system_organization. It serves logmon stats --asn-db; the
// database is read with github.com/oschwald/maxminddb-golang, and nothing
// is ever downloaded.
package asn

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/netip"

	"github.com/oschwald/maxminddb-golang"
)

// DB is an open database. Lookups may run concurrently.
type DB struct {
	r *maxminddb.Reader
}

// record is the part of a database record logmon uses.
type record struct {
	Number uint32 `maxminddb:"autonomous_system_number"`
	Org    string `maxminddb:"autonomous_system_organization"`
}

// Open opens the database at path. A file that is not a MaxMind database
// is refused here, not at the first lookup.
func Open(path string) (*DB, error) {
	r, err := maxminddb.Open(path)
	var pathErr *fs.PathError
	switch {
	case errors.As(err, &pathErr):
		return nil, err // cannot be read: "open FILE: no such file or directory"
	case err != nil:
		return nil, fmt.Errorf("%s: not a MaxMind database: %w", path, err)
	}
	return &DB{r: r}, nil
}

// Lookup returns the AS of network ("83.149.9.0/24", "2001:db8:1::/48"):
// the AS the database gives for the network's first address. ok is false
// when the network is not in the database, when the database has no AS
// number for it, or when its record cannot be read (a damaged database
// gives no AS rather than a crash).
func (db *DB) Lookup(network string) (number uint32, org string, ok bool) {
	p, err := netip.ParsePrefix(network)
	if err != nil {
		return 0, "", false
	}
	defer func() {
		if recover() != nil {
			number, org, ok = 0, "", false
		}
	}()
	var rec record
	if _, found, err := db.r.LookupNetwork(net.IP(p.Addr().AsSlice()), &rec); err != nil || !found || rec.Number == 0 {
		return 0, "", false
	}
	return rec.Number, rec.Org, true
}

// Close releases the database.
func (db *DB) Close() error { return db.r.Close() }
