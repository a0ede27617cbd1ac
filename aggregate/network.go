package aggregate

import (
	"net/netip"
	"strconv"
)

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
	buf    []byte            // an IPv4 network, formatted
}

func newNetworks(v4, v6 int) *networks {
	return &networks{v4: v4, v6: v6, cache: make(map[string][]byte)}
}

// of returns the network of client, nil when the client is not an IP
// address (a host name, "-"). An IPv4-mapped IPv6 address counts as IPv4;
// a zone (fe80::1%eth0) is dropped. The bytes returned are valid until
// the next call (an IPv4 network is formatted into a reused buffer).
func (n *networks) of(client []byte) []byte {
	if len(client) > maxAddrLen {
		return nil
	}
	// Dotted IPv4, by far the most common, is parsed and formatted here
	// without netip, the cache or an allocation: a log where every client
	// is new (a scan, a botnet) would otherwise pay a parse, a string and
	// a cache entry per line.
	if a, ok := parseIPv4(client); ok {
		if n.v4 < 32 {
			a &^= 1<<(32-n.v4) - 1
		}
		b := n.buf[:0]
		for i := 3; i >= 0; i-- {
			b = strconv.AppendUint(b, uint64(a>>(8*i)&0xff), 10)
			if i > 0 {
				b = append(b, '.')
			}
		}
		b = append(b, '/')
		n.buf = strconv.AppendInt(b, int64(n.v4), 10)
		return n.buf
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

// parseIPv4 reads a dotted-quad IPv4 address as netip.ParseAddr does:
// four decimal octets up to 255, without leading zeros.
func parseIPv4(b []byte) (uint32, bool) {
	var a uint32
	octets, digits, v := 0, 0, 0
	for i := 0; i <= len(b); i++ {
		if i == len(b) || b[i] == '.' {
			if digits == 0 || octets == 4 {
				return 0, false
			}
			a = a<<8 | uint32(v)
			octets, digits, v = octets+1, 0, 0
			continue
		}
		c := b[i]
		if c < '0' || c > '9' || (digits == 1 && v == 0) {
			return 0, false // not a digit, or a leading zero
		}
		v = v*10 + int(c-'0')
		digits++
		if v > 255 {
			return 0, false
		}
	}
	return a, octets == 4
}
