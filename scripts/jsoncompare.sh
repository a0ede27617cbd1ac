#!/bin/sh
# jsoncompare.sh times logmon's JSON log reader against Go's JSON
# libraries (fastjson, goccy/go-json, sonic, encoding/json, and
# simdjson-go's tokenizer alone) on gen's traffic in Traefik's, Caddy's
# and nginx's JSON logs, and logmon's Combined parse of the same traffic
# for reference; see scripts/jsoncompare/compare_test.go. It prints, for
# each, the least of N runs (default 5) of the CPU time a line, in ns.
# The libraries are dependencies of that directory's module only.
#
#   scripts/jsoncompare.sh [runs]
set -eu
cd "$(dirname "$0")/jsoncompare"
go test -run '^$' -bench . -count "${1:-5}" |
	awk '/cpu-ns\/line/ {
		name = $1; sub(/^BenchmarkJSON\//, "", name); sub(/-[0-9]+$/, "", name)
		for (i = 2; i < NF; i++) if ($(i + 1) == "cpu-ns/line") v = $i
		if (!(name in min) || v + 0 < min[name]) min[name] = v + 0
		if (!(name in seen)) { seen[name] = 1; order[++n] = name }
	}
	END { for (i = 1; i <= n; i++) printf "%-36s %8.0f ns a line\n", order[i], min[order[i]] }'
