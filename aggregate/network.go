package aggregate

import "net/netip"

// Default prefix lengths of a client network: a /24 is what one
// organisation or one home ISP pool usually holds in IPv4; a /48 is one
// site in IPv6 (RFC 6177), where a single client may use many addresses.
const (
	DefaultIPv4Prefix = 24
	DefaultIPv6Prefix = 48
)

// maxNetCache bounds the cache of client -> network: a few thousand
// clients in an interval are usual; when more come, it starts afresh.
const maxNetCache = 4096

// maxAddrLen is the longest client that can be an address: an IPv6
// address with an IPv4 tail and a zone is well under it. Longer clients
// (host names, garbage) have no network and are not looked at.
const maxAddrLen = 64

// networks maps clients to their networks, as "83.149.9.0/24" or
// "2001:db8:1::/48", with a bounded cache in front of the parsing, so that
// the usual client seen before costs a map lookup and no allocation.
type networks struct {
	v4, v6 int
	cache  map[string][]byte // client -> its network; nil for a client that is no address
}

func newNetworks(v4, v6 int) *networks {
	return &networks{v4: v4, v6: v6, cache: make(map[string][]byte)}
}

// of returns the network of client, nil when the client is not an IP
// address (a host name, "-"). An IPv4-mapped IPv6 address counts as IPv4;
// a zone (fe80::1%eth0) is dropped.
func (n *networks) of(client []byte) []byte {
	if len(client) > maxAddrLen {
		return nil
	}
	if nw, ok := n.cache[string(client)]; ok {
		return nw
	}
	var nw []byte
	if addr, err := netip.ParseAddr(string(client)); err == nil {
		addr = addr.Unmap().WithZone("")
		bits := n.v6
		if addr.Is4() {
			bits = n.v4
		}
		if p, err := addr.Prefix(bits); err == nil {
			nw = p.AppendTo(nil)
		}
	}
	if len(n.cache) >= maxNetCache {
		clear(n.cache)
	}
	n.cache[string(client)] = nw
	return nw
}
