#!/usr/bin/env bash
# Times logmon's pipelines over LINES generated Combined-format lines
# (default 1,000,000, about 200 MB), RUNS runs each (default 5), and prints
# the median wall time of each; then, where installed, mawk, gawk and
# GoAccess doing the same aggregation on the same file, with the ratios;
# and again on a log in which every request has a new client and a new
# path (gen --unique), which is what slows GoAccess down; then the peak
# memory of stats and alert over 10 M such lines.
#
# Then parsing speed in every log format: the same traffic written by gen
# in each (gen --log-format), the CPU time of `logmon parse --log-format
# FORMAT` on it, side by side with Combined, and stats on a log with
# durations (its latency percentiles) against stats on Combined. A format
# that parse does not take, or not every line of, shows as n/a with the
# reason. Then report against stats, on gen's log, on the unique one and
# on real traffic's long tail (see reportcost).
#
#   scripts/bench.sh [LINES] [RUNS]
#   BENCH_MEMORY_LINES=0 scripts/bench.sh    # skip the memory part
#   BENCH_ONLY=formats scripts/bench.sh      # only the formats part
#   BENCH_ONLY=report scripts/bench.sh       # only report against stats
#   BENCH_ONLY=archives scripts/bench.sh     # only gzip/zstd given directly vs piped
#   BENCH_ONLY=fleet scripts/bench.sh        # only the hub of a fleet (below)
#   BENCH_FLEET_HOSTS=0 scripts/bench.sh     # skip the fleet part
#
# It builds logmon, writes the log once to a temporary directory (in
# /dev/shm where that is a writable tmpfs, so that it is read from memory;
# else in /tmp, where the first run leaves it in page cache), and checks
# each command's output before timing it. GoAccess (apt-get install
# goaccess) is slow: it runs at most 3 times. The peak memory needs GNU
# time (apt-get install time).
#
# The fleet part times a hub: alert and stats --interval 10s folding the
# 1-second summaries of BENCH_FLEET_HOSTS hosts (default 1,000) over
# BENCH_FLEET_SECS seconds (default 660, past the 10 minutes for which a
# hub keeps every summary's host and start to drop repeats), in CPU time
# (user+sys) and wall time, and in wall time with GOMAXPROCS=1 (one
# core); then the size of a 1-second summary as published, at 100 and
# 1,000 requests a second.
set -euo pipefail
cd "$(dirname "$0")/.."
lines=${1:-1000000}
runs=${2:-5}
memlines=${BENCH_MEMORY_LINES:-10000000}
only=${BENCH_ONLY:-}
# The logs go to /dev/shm where it is a writable tmpfs, so that every
# run reads them from memory: this machine keeps about 2 GB of page
# cache, and a log read back from disk adds system time that varies from
# run to run. The binary stays in /tmp (/dev/shm is often noexec).
bin=$(mktemp -d)
dir=$( { [ -d /dev/shm ] && [ -w /dev/shm ] && mktemp -d -p /dev/shm; } || mktemp -d)
trap 'rm -rf "$bin" "$dir"' EXIT

go build -o "$bin/logmon" .
cp scripts/stats.awk "$dir/"
root=$(pwd)
cd "$dir"
PATH=$bin:$PATH

# gen's steady phase is Poisson: LINES/3600 requests a second for an hour.
rate=$(awk -v n="$lines" 'BEGIN { printf "%.3f", n / 3600 }')
logmon gen --seed 1 --start 2015-05-17T00:00:00Z --phases "steady:3600s:$rate" > access.log
logmon parse < access.log 2>/dev/null > records.jsonl
echo "input: $(wc -l < access.log) lines, $(($(wc -c < access.log) / 1000000)) MB; records $(($(wc -c < records.jsonl) / 1000000)) MB"
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'); $(go version | cut -d' ' -f3-)"
echo

# check fails the script when a command's output is not what it should be:
# a fast wrong answer is no benchmark.
check() {
	local what=$1 want=$2 got
	got=$(sh -c "$what" 2>/dev/null | wc -l)
	if [ "$got" -lt "$want" ]; then
		echo "bench.sh: '$what' wrote $got lines, want at least $want" >&2
		exit 1
	fi
}
intervals=$((3600 / 10 - 1))
check 'logmon parse < access.log' "$(wc -l < access.log)"
check 'logmon stats < access.log' "$intervals"
check 'logmon stats < records.jsonl' "$intervals"
check 'logmon alert < access.log' 1
check 'logmon parse < access.log | logmon stats' "$intervals"

# median prints the median wall time, in seconds, of running the shell
# command $1 $2 times.
median() {
	local times=() n=$2
	for _ in $(seq "$n"); do
		local start end
		start=$(date +%s.%N)
		sh -c "$1" > /dev/null 2>&1
		end=$(date +%s.%N)
		times+=("$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')")
	done
	printf '%s\n' "${times[@]}" | sort -n | awk '{ t[NR] = $1 } END { print t[int((NR + 1) / 2)] }'
}

row() { printf '%-48s %8s s\n' "$1" "$2"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1fx", a / b }'; }
fratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; }

# formats times parse in every format gen writes, on the same traffic,
# each format's runs paired with Combined's (access.log, gen's Combined
# log of the same traffic): Combined, the format,
# Combined, the format..., and prints the median of the format's CPU
# times and the median of the pairs' ratios (the least and greatest in
# brackets). Timed one after the other instead, a burst of other work on
# the machine lands on one format's runs: the same build gave w3c 1.55x
# that way, 1.27x paired.
# A format whose log is more than a quarter longer than Combined's is
# also paired with Combined's log made as long (see long), which shows
# what the format costs beside Combined's once both read as many bytes:
# the column "/same length".
# The format goes to the timed command through the environment
# (LOGMON_BENCH_FORMAT), so that a format string's quotes and dollars
# reach logmon as they are. Each log is written, checked, timed and
# removed in turn: traefik-json is 4.5 times the size of Combined.
nginx12='$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for" $host rt=$request_time urt=$upstream_response_time'
apache11='%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\" %v %D'

# cpuonce prints the CPU time (user + system, of the command and
# everything it starts), in seconds, of one run of the shell command $1.
cpuonce() {
	local t TIMEFORMAT='%3U %3S'
	t=$( { time sh -c "$1" > /dev/null 2>&1; } 2>&1 )
	echo "$t" | awk '{ printf "%.3f", $1 + $2 }'
}

# paired runs the shell commands $1 (the base) and $2 in turn, $runs
# times each, and prints the median CPU time of $2 and the median of the
# pairs' ratios of $2 to $1, the least and greatest in brackets.
paired() {
	local cpus=() ratios=() ta tb
	for _ in $(seq "$runs"); do
		ta=$(cpuonce "$1")
		tb=$(cpuonce "$2")
		cpus+=("$tb")
		ratios+=("$(awk -v a="$tb" -v b="$ta" 'BEGIN { printf "%.4f", a / b }')")
	done
	printf '%7s s %28s' \
		"$(printf '%s\n' "${cpus[@]}" | sort -n | awk '{ t[NR] = $1 } END { print t[int((NR + 1) / 2)] }')" \
		"$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{ t[NR] = $1 } END { printf "%.3fx (%.2f to %.2f)", t[int((NR + 1) / 2)], t[1], t[NR] }')"
}

# row prints a line of the formats table: the name $1, paired's output
# $3 for the log $2, the log's size, and $4.
row() {
	printf '%-40s %s %6s MB %8s\n' "$1" "$3" "$(($(wc -c < "$2") / 1000000))" "${4:-}"
}

# median prints the median ratio of paired's output $1.
median() {
	echo "$1" | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^[0-9.]+x$/) { print $i; exit } }'
}

# long writes access.log to long.log with each line made as long, on
# average, as those of the log $1: a last field of x's, which Combined's
# parser does not read (what follows the user agent is skipped), so the
# parse and the records written are Combined's. Against it, a format is
# timed with its longer lines' cost (reading, splitting, moving them
# between cores) on both sides.
# It fails when Combined's parser does not take every line.
long() {
	local n
	n=$(( ($(wc -c < "$1") - $(wc -c < access.log)) / $(wc -l < access.log) - 1 ))
	awk -v n="$n" 'BEGIN { while (length(p) < n) p = p "x" } { print $0 " " p }' access.log > long.log
	[ "$(logmon parse --log-format combined < long.log 2> /dev/null | wc -l)" -eq "$(wc -l < access.log)" ]
}

formats() {
	local f name n want got same
	export LOGMON_BENCH_FORMAT
	echo
	printf '%-40s %9s %28s %9s %8s\n' "parse --log-format FORMAT ($runs pairs)" "CPU" "/combined (least to most)" "log" "/same length"
	for f in combined common vhost_combined syslog-combined lighttpd traefik traefik-json caddy nginx-json w3c alb elb cloudfront s3 haproxy "$nginx12" "$apache11"; do
		case $f in
		"$nginx12") name="nginx log_format, 12 variables" ;;
		"$apache11") name="Apache LogFormat, 11 directives" ;;
		*) name=$f ;;
		esac
		# gen writes HAProxy's log as HAProxy does: to syslog.
		LOGMON_BENCH_FORMAT=$f
		[ "$f" != haproxy ] || LOGMON_BENCH_FORMAT=syslog-haproxy
		logmon gen --log-format "$f" --seed 1 --start 2015-05-17T00:00:00Z --phases "steady:3600s:$rate" > fmt.log
		want=$(grep -vc '^#' fmt.log || true)
		n=0
		got=$(logmon parse --log-format "$LOGMON_BENCH_FORMAT" < fmt.log 2> fmt.err | wc -l) || n=$?
		if [ "$got" -ne "$want" ]; then
			printf '%-40s %9s   (exit %s, %s of %s lines: %s)\n' "$name" "n/a" "$n" "$got" "$want" "$(head -c 160 fmt.err | tr '\n' ' ' | sed 's/ *$//')"
			continue
		fi
		# A log more than a quarter longer than Combined's is timed again,
		# paired with Combined's lines made as long (see long).
		same=
		if [ "$(wc -c < fmt.log)" -gt $(($(wc -c < access.log) * 5 / 4)) ]; then
			same=n/a
			if long fmt.log; then
				same=$(median "$(paired 'logmon parse --log-format combined < long.log' 'logmon parse --log-format "$LOGMON_BENCH_FORMAT" < fmt.log')")
			fi
		fi
		row "$name" fmt.log "$(paired 'logmon parse --log-format combined < access.log' 'logmon parse --log-format "$LOGMON_BENCH_FORMAT" < fmt.log')" "$same"
	done
	rm -f fmt.log fmt.err
	# The cost of line length alone: Combined's lines made as long as
	# ALB's (689 bytes a line to 202), against Combined.
	logmon gen --log-format alb --seed 1 --start 2015-05-17T00:00:00Z --phases "steady:3600s:$rate" > fmt.log
	if long fmt.log; then
		row "combined, lines as long as alb's" long.log "$(paired 'logmon parse --log-format combined < access.log' 'logmon parse --log-format combined < long.log')"
	else
		printf '%-40s %9s   (Combined does not take its lines with a last field added)\n' "combined, lines as long as alb's" "n/a"
	fi
	rm -f fmt.log long.log

	# Stats with latency: the nginx log above against the same log
	# without its two times ($request_time, $upstream_response_time), so
	# that the difference is what durations cost stats: reading them and
	# the latency percentiles. Paired, in CPU time, as above.
	echo
	local timed=${nginx12% rt=*}
	printf '%-40s %9s %28s\n' "stats, durations or not ($runs pairs)" "CPU" "with / without (least to most)"
	logmon gen --log-format "$nginx12" --seed 1 --start 2015-05-17T00:00:00Z --phases "steady:3600s:$rate" > with.log
	logmon gen --log-format "$timed" --seed 1 --start 2015-05-17T00:00:00Z --phases "steady:3600s:$rate" > without.log
	export LOGMON_BENCH_WITH=$nginx12 LOGMON_BENCH_WITHOUT=$timed
	logmon stats --log-format "$timed" < without.log > stats.out 2>/dev/null || true
	if [ "$(wc -l < stats.out)" -lt "$intervals" ]; then
		printf '%-40s %9s\n' "stats < nginx log without durations" "n/a"
		rm -f with.log without.log stats.out
		return
	fi
	logmon stats --log-format "$nginx12" < with.log > stats.out 2>/dev/null || true
	if [ "$(wc -l < stats.out)" -lt "$intervals" ] || ! grep -q '"p99"' stats.out; then
		printf '%-40s %9s   (no latency percentiles in its summaries)\n' "stats < nginx log with durations" "n/a"
		rm -f with.log without.log stats.out
		return
	fi
	printf '%-40s %s\n' "stats < nginx log with durations" \
		"$(paired 'logmon stats --log-format "$LOGMON_BENCH_WITHOUT" < without.log' 'logmon stats --log-format "$LOGMON_BENCH_WITH" < with.log')"
	rm -f with.log without.log stats.out
}
if [ "$only" = formats ]; then
	formats
	exit 0
fi

# reportcost times logmon report against logmon stats over the same raw
# log, each report run paired with a stats run, in CPU time: on gen's
# log above, on gen's --unique log (every path new), and on real
# traffic's long tail, the real log at ../shared/data/apache_logs (or
# BENCH_REAL_LOG) replayed by scripts/reallog, 1 M lines with its rare
# paths, agents and referrers new in each copy; skipped where that file
# is missing. It prints the median of the pairs' ratios, the least and
# greatest in brackets.
reportcost() {
	local log real=${BENCH_REAL_LOG:-$root/../shared/data/apache_logs}
	echo
	printf '%-48s %9s %28s\n' "report / stats, CPU ($runs pairs)" "report" "median (least to most)"
	[ -f unique.log ] || logmon gen --unique --seed 1 --start 2015-05-17T00:00:00Z --phases "steady:3600s:$rate" > unique.log
	rm -f real.log
	if [ -f "$real" ]; then
		(cd "$root" && go run ./scripts/reallog) < "$real" > real.log
	fi
	for log in access.log unique.log real.log; do
		if ! [ -f "$log" ]; then
			printf '%-48s %28s\n' "$log" "n/a (no $real)"
			continue
		fi
		check "logmon report < $log" 10
		printf '%-48s %s\n' "$log ($(wc -l < "$log") lines)" "$(paired "logmon stats < $log" "logmon report < $log")"
	done
	rm -f real.log
}
if [ "$only" = report ]; then
	reportcost
	exit 0
fi

# archives times a gzipped log given to logmon directly against the same
# file through zcat, and the same for zstd where zstd is installed.
archives() {
	local direct piped
	echo
	printf '%-48s %10s %8s\n' "archives (median of $runs runs)" "wall" "ratio"
	gzip -c access.log > access.log.gz
	check 'logmon stats access.log.gz' "$intervals"
	piped=$(median 'zcat access.log.gz | logmon stats' "$runs")
	direct=$(median 'logmon stats access.log.gz' "$runs")
	row "zcat access.log.gz | logmon stats" "$piped"
	printf '%-48s %8s s %8s\n' "logmon stats access.log.gz" "$direct" "$(fratio "$piped" "$direct")"
	if command -v zstd > /dev/null; then
		zstd -q -c access.log > access.log.zst
		piped=$(median 'zstd -dc access.log.zst | logmon stats' "$runs")
		direct=$(median 'logmon stats access.log.zst' "$runs")
		row "zstd -dc access.log.zst | logmon stats" "$piped"
		printf '%-48s %8s s %8s\n' "logmon stats access.log.zst" "$direct" "$(fratio "$piped" "$direct")"
	fi
	rm -f access.log.gz access.log.zst
}
if [ "$only" = archives ]; then
	archives
	exit 0
fi

# fleet times the hub of a fleet of hosts. Each host's traffic is
# generated on its own (gen --seed K: each host its own pool of clients,
# as behind a load balancer that keeps a client on one server; 100 req/s;
# the nginx format with $request_time, so that the summaries carry latency
# sketches) and summarised as on the host, stats --interval 1s --host webK;
# the seconds of full traffic are kept (gen's last requests spill past the
# end), and the hub reads them in the order of their start, as from hosts
# that run alike. The hosts are made two at a time: about a minute here.
fleet() {
	local hosts=${BENCH_FLEET_HOSTS:-1000} secs=${BENCH_FLEET_SECS:-660}
	local n bytes want got t cpu wall one rules
	[ "$hosts" -gt 0 ] || return 0
	export LOGMON_BENCH_FORMAT='$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time'
	export LOGMON_BENCH_START=2015-05-17T10:00:00Z
	# host K R SECS [GEN FLAGS]: the 1-second summaries of host webK at R
	# req/s for SECS seconds, the seconds of full traffic only.
	host() {
		logmon gen --seed "$1" --start "$LOGMON_BENCH_START" --log-format "$LOGMON_BENCH_FORMAT" --phases "steady:${3}s:$2" "${@:4}" |
			logmon stats --log-format "$LOGMON_BENCH_FORMAT" --interval 1s --host "web$1" 2>/dev/null |
			awk -F, -v end="\"start\":\"$(date -u -d "@$(($(date -u -d "$LOGMON_BENCH_START" +%s) + $3))" +%Y-%m-%dT%H:%M:%SZ)\"" '$3 < end'
	}
	export -f host
	mkdir -p hosts
	seq "$hosts" | xargs -P "$(nproc)" -I{} bash -c 'host {} 100 "$0" > hosts/{}.jsonl' "$secs"
	# Field 3 of a summary line is its start.
	cat hosts/*.jsonl | LC_ALL=C sort -s -t, -k3,3 -S 25% > hub.jsonl
	n=$(wc -l < hub.jsonl)
	bytes=$(wc -c < hub.jsonl)
	echo
	echo "fleet: $hosts hosts x $secs s at 100 req/s: $n summaries (host-seconds), $((bytes / 1000000)) MB"
	if [ "$n" -ne $((hosts * secs)) ]; then
		echo "bench.sh: $n summaries, want $((hosts * secs))" >&2
		exit 1
	fi
	rules='--threshold 30 --window 10s --error-rate 0.03 --error-min 20 --low-rate 8 --latency 0.5 --latency-quantile 0.9 --latency-min 20'
	# The output checked: alert fires high_traffic; stats' summaries add up
	# to every request of the hosts'.
	if ! logmon alert $rules < hub.jsonl 2>/dev/null | grep -q '"rule":"high_traffic","state":"firing"'; then
		echo "bench.sh: the hub's alert fired no high_traffic alert" >&2
		exit 1
	fi
	sumreq='{ if (match($0, /"requests":[0-9]+/)) n += substr($0, RSTART + 11, RLENGTH - 11) } END { print n }'
	want=$(awk "$sumreq" hub.jsonl)
	got=$(logmon stats --interval 10s < hub.jsonl 2>/dev/null | awk "$sumreq")
	if [ "$want" != "$got" ]; then
		echo "bench.sh: the hub's stats count $got requests, want $want" >&2
		exit 1
	fi
	printf '%-48s %8s %8s %8s %14s %9s\n' "hub (median of $runs runs)" "cpu" "wall" "1 core" "host-s/cpu-s" "peak RSS"
	for cmd in "alert $rules" "stats --interval 10s"; do
		t=$(cputime "logmon $cmd < hub.jsonl" "$runs")
		cpu=${t% *} wall=${t#* }
		t=$(cputime "GOMAXPROCS=1 logmon $cmd < hub.jsonl" "$runs")
		one=${t#* }
		rss=n/a
		if [ -x /usr/bin/time ]; then
			/usr/bin/time -f '%M' -o rss logmon $cmd < hub.jsonl > /dev/null 2>&1
			rss="$(($(cat rss) / 1024)) MiB"
		fi
		printf '%-48s %6s s %6s s %6s s %14s %9s\n' "logmon ${cmd%% --threshold*}" "$cpu" "$wall" "$one" "$(awk -v n="$n" -v c="$cpu" 'BEGIN { printf "%.0f", n / c }')" "$rss"
	done
	echo "  (cpu: user+sys; 1 core: wall time with GOMAXPROCS=1; alert with rules of every kind: $rules)"
	# The hub's state holds the host and start of the summaries of the
	# last 10 minutes: its size is what every save (--state-every) writes.
	logmon alert $rules --state hub.state < hub.jsonl > /dev/null 2>&1
	echo "  logmon alert --state: a state file of $(($(wc -c < hub.state) / 1000)) kB after the $secs s"
	rm -f hub.state rss

	# The bytes of a 1-second summary as published: the record, without
	# its newline (NATS adds its own framing and the message id). At 100
	# req/s the fleet's; at 1,000 req/s ten hosts for a minute, with the
	# usual pool of 300 clients and with 100,000 (a busy site's long tail
	# of one-off visitors: more distinct clients a second, a larger sketch).
	echo
	printf '%-48s %10s %10s\n' "a 1-second summary as published" "mean" "largest"
	size() { awk '{ n++; b += length($0); if (length($0) > m) m = length($0) } END { printf "%8.0f B %8d B\n", b / n, m }'; }
	printf '%-48s %s\n' "100 req/s, 300 clients ($n summaries)" "$(cat hosts/*.jsonl | size)"
	seq 10 | xargs -P "$(nproc)" -I{} bash -c 'host {} 1000 60 > hosts/k{}.jsonl'
	printf '%-48s %s\n' "1,000 req/s, 300 clients ($(cat hosts/k*.jsonl | wc -l) summaries)" "$(cat hosts/k*.jsonl | size)"
	seq 10 | xargs -P "$(nproc)" -I{} bash -c 'host {} 1000 60 --clients 100000 > hosts/k{}.jsonl'
	printf '%-48s %s\n' "1,000 req/s, 100,000 clients ($(cat hosts/k*.jsonl | wc -l) summaries)" "$(cat hosts/k*.jsonl | size)"
	rm -rf hosts hub.jsonl
}

# cputime prints the median CPU time (user+sys, of every process the
# command runs) and the median wall time, in seconds, of running the shell
# command $1 $2 times.
cputime() {
	local cpu=() wall=() t u s r TIMEFORMAT='%3U %3S %3R'
	for _ in $(seq "$2"); do
		t=$({ time sh -c "$1" > /dev/null 2>&1; } 2>&1)
		read -r u s r <<< "$t"
		cpu+=("$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.3f", u + s }')")
		wall+=("$r")
	done
	printf '%s %s\n' "$(printf '%s\n' "${cpu[@]}" | sort -n | awk '{ t[NR] = $1 } END { print t[int((NR + 1) / 2)] }')" \
		"$(printf '%s\n' "${wall[@]}" | sort -n | awk '{ t[NR] = $1 } END { print t[int((NR + 1) / 2)] }')"
}
if [ "$only" = fleet ]; then
	fleet
	exit 0
fi

printf '%-48s %10s\n' "pipeline (median of $runs runs)" "wall"
row "cat access.log" "$(median 'cat access.log' "$runs")"
row "logmon parse < access.log" "$(median 'logmon parse < access.log' "$runs")"
row "logmon parse < access.log | logmon stats" "$(median 'logmon parse < access.log | logmon stats' "$runs")"
row "logmon parse < access.log | logmon alert" "$(median 'logmon parse < access.log | logmon alert' "$runs")"
stats=$(median 'logmon stats < access.log' "$runs")
row "logmon stats < access.log" "$stats"
row "logmon alert < access.log" "$(median 'logmon alert < access.log' "$runs")"
row "logmon stats < records.jsonl" "$(median 'logmon stats < records.jsonl' "$runs")"
row "logmon alert < records.jsonl" "$(median 'logmon alert < records.jsonl' "$runs")"

# The same aggregation by other tools, with the ratio to logmon stats on
# the raw log. stats.awk computes what stats does per 10-second interval.
# GoAccess's time depends on how varied the log is (distinct paths and
# agents): it is compared on the generated log above and on one in which
# every request has a new client and a new path.
compare() {
	local log=$1 stats=$2 t n
	for awk in mawk gawk; do
		if command -v "$awk" > /dev/null; then
			check "$awk -f stats.awk $log" "$intervals"
			t=$(median "$awk -f stats.awk $log" "$runs")
			row "$awk -f stats.awk $log" "$t"
			echo "  logmon stats is $(ratio "$t" "$stats") as fast"
		else
			echo "$awk: not installed, skipped"
		fi
	done
	if command -v goaccess > /dev/null; then
		check "goaccess $log --log-format=COMBINED -o report.json && cat report.json" 1
		n=$((runs < 3 ? runs : 3))
		t=$(median "goaccess $log --log-format=COMBINED -o report.json" "$n")
		row "goaccess $log --log-format=COMBINED -o report.json ($n runs)" "$t"
		echo "  logmon stats is $(ratio "$t" "$stats") as fast"
	else
		echo "goaccess: not installed, skipped (apt-get install goaccess)"
	fi
}
echo
compare access.log "$stats"

echo
logmon gen --unique --seed 1 --start 2015-05-17T00:00:00Z --phases "steady:3600s:$rate" > unique.log
check 'logmon stats < unique.log' "$intervals"
stats=$(median 'logmon stats < unique.log' "$runs")
row "logmon stats < unique.log (every request new)" "$stats"
compare unique.log "$stats"

formats
reportcost
archives
fleet

# Memory: every request a new client and a new section, so exact counting
# would need memory in proportion to the input. Peak resident set size of
# the stage reading the log, at MEMLINES/10 and MEMLINES lines.
[ "$memlines" -gt 0 ] || exit 0
echo
if ! [ -x /usr/bin/time ]; then
	echo "peak memory: skipped, needs GNU time (apt-get install time)"
	exit 0
fi
printf '%-48s %10s\n' "peak memory, every request a new client and section" "peak RSS"
for n in $((memlines / 10)) "$memlines"; do
	secs=$((n / 10000))
	for stage in "stats" "stats --interval 1h" "alert"; do
		logmon gen --unique --seed 1 --start 2015-05-17T00:00:00Z --phases "steady:${secs}s:10000" |
			/usr/bin/time -f '%M' -o rss logmon $stage > /dev/null 2>&1
		printf '%-48s %6s MiB\n' "$n lines: logmon $stage" "$(($(cat rss) / 1024))"
	done
done
