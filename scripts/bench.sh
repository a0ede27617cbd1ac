#!/usr/bin/env bash
# Times logmon's pipelines over N generated Combined-format lines (default
# 1,000,000, about 200 MB): several runs each, the median wall time.
#
#   scripts/bench.sh [LINES] [RUNS]
#
# It builds logmon, writes the log once to a temporary directory (left in
# page cache by the first run) and prints one line per pipeline.
set -euo pipefail
cd "$(dirname "$0")/.."
lines=${1:-1000000}
runs=${2:-5}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

go build -o "$dir/logmon" .
# gen's steady phase is Poisson: 278 req/s for an hour is about 1 M lines.
secs=3600
rate=$(awk -v n="$lines" -v s="$secs" 'BEGIN { printf "%.3f", n / s }')
"$dir/logmon" gen --seed 1 --start 2015-05-17T00:00:00Z --phases "steady:${secs}s:$rate" > "$dir/access.log"
"$dir/logmon" parse < "$dir/access.log" 2>/dev/null > "$dir/records.jsonl"
echo "input: $(wc -l < "$dir/access.log") lines, $(du -m "$dir/access.log" | cut -f1) MB; $(nproc) CPUs; $(go version)"

# median prints the median wall time, in seconds, of running "$@" $runs times.
median() {
	local times=()
	for _ in $(seq "$runs"); do
		local start end
		start=$(date +%s.%N)
		"$@" > /dev/null 2>&1
		end=$(date +%s.%N)
		times+=("$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')")
	done
	printf '%s\n' "${times[@]}" | sort -n | awk '{ t[NR] = $1 } END { print t[int((NR + 1) / 2)] }'
}

cd "$dir"
PATH=$dir:$PATH
printf '%-45s %s\n' "pipeline" "median wall s"
printf '%-45s %s\n' "cat access.log" "$(median sh -c 'cat access.log')"
printf '%-45s %s\n' "logmon parse < access.log" "$(median sh -c 'logmon parse < access.log')"
printf '%-45s %s\n' "logmon stats < records.jsonl" "$(median sh -c 'logmon stats < records.jsonl')"
printf '%-45s %s\n' "logmon alert < records.jsonl" "$(median sh -c 'logmon alert < records.jsonl')"
printf '%-45s %s\n' "logmon parse < access.log | logmon stats" "$(median sh -c 'logmon parse < access.log | logmon stats')"
printf '%-45s %s\n' "logmon parse < access.log | logmon alert" "$(median sh -c 'logmon parse < access.log | logmon alert')"
