package aggregate

import "cmp"

// NetworkOf returns what gives the network of a client as the summaries
// list it, for prefix lengths v4 and v6 (0: the defaults), for a stage
// that counts networks over a longer span (logmon report). The bytes it
// returns are valid until its next call; nil means the client is not an
// IP address. It is not safe for concurrent use.
func NetworkOf(v4, v6 int) func(client []byte) []byte {
	return newNetworks(cmp.Or(v4, DefaultIPv4Prefix), cmp.Or(v6, DefaultIPv6Prefix)).of
}
