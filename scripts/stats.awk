# stats.awk: what `logmon stats` computes, written for awk, so that
# scripts/bench.sh can time mawk (or gawk) doing the same work on the
# same Combined-format file. Per 10-second interval (the log must be in
# time order, in one time zone): requests, bytes, requests per status
# class, the top 5 sections, methods and clients, and distinct clients.
# One summary line per interval.

function top5(counts, name,    k, i, j, best, bestk, out, taken) {
	out = ""
	split("", taken)
	for (i = 0; i < 5; i++) {
		best = -1
		for (k in counts)
			if (!(k in taken) && (counts[k] > best || (counts[k] == best && k < bestk))) {
				best = counts[k]
				bestk = k
			}
		if (best < 0)
			break
		taken[bestk] = 1
		out = out " " name "=" bestk ":" best
	}
	return out
}

function flush(    c, k, n) {
	if (requests == 0)
		return
	n = 0
	for (k in clients)
		n++
	printf "%s0 requests=%d bytes=%d 1xx=%d 2xx=%d 3xx=%d 4xx=%d 5xx=%d distinct_clients=%d%s%s%s\n", \
		interval, requests, bytes, class[1], class[2], class[3], class[4], class[5], n, \
		top5(sections, "section"), top5(methods, "method"), top5(clients, "client")
	requests = bytes = 0
	split("", class); split("", sections); split("", methods); split("", clients)
}

{
	# $4 is "[17/May/2015:10:05:03": drop the last digit of the seconds
	# for the 10-second interval.
	iv = substr($4, 2, 19)
	if (iv != interval) {
		flush()
		interval = iv
	}
	requests++
	if ($10 != "-")
		bytes += $10
	class[substr($9, 1, 1)]++
	method = substr($6, 2)
	methods[method]++
	clients[$1]++
	# The section: the first segment of the path.
	path = $7
	sub(/^[a-z]+:\/\/[^\/]*/, "", path)
	if (match(path, /^\/[^\/?#]*/))
		sections[substr(path, RSTART, RLENGTH)]++
}

END { flush() }
