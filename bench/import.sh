#!/usr/bin/env bash
# Import benchmark (issue: foundation). Generates N-record exports of each format (once,
# under bench/data/N), builds etl in release mode, imports each format into a fresh state
# store, and prints wall time, records/s and peak RSS per format as a Markdown table.
#
#   bash bench/import.sh [N]          # default N = 1000000
#
# Each import runs the real command line (`etl run bench/pipelines/import-<format>.json`):
# fingerprint pass, parse, map, stage, commit (with SQLite's WAL checkpoint). `sync` runs
# before each import so earlier runs' write-back does not slow the next one.
set -euo pipefail
cd "$(dirname "$0")/.."
records=${1:-1000000}
data="bench/data/$records"
if [ ! -s "$data/civil_affairs_bench.jsonl" ]; then
    mkdir -p "$data"
    python3 bench/gen_exports.py --records "$records" --out "$data" >&2
fi
swift build -c release --product etl >&2
state=$(mktemp -d)
trap 'rm -rf "$state"' EXIT

echo "| format | file | records | wall (s) | records/s | peak RSS (MB) |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
for format in csv xml json jsonl; do
    rm -rf "$state/s"
    sync
    out=$(/usr/bin/time -f "TIME %e %M" .build/release/etl run "bench/pipelines/import-$format.json" \
        --inbox "$data" --state "$state/s" 2>&1)
    read -r wall rss <<<"$(grep '^TIME' <<<"$out" | awk '{print $2, $3}')"
    staged=$(grep -E '^total' <<<"$out" | awk '{print $4}' | tr -d ,)
    file=$(ls -l "$data"/*_bench."$format" | awk '{printf "%.0f MB", $5/1000000}')
    if [ "$staged" != "$records" ]; then
        echo "error: $format staged $staged of $records records" >&2
        exit 1
    fi
    awk -v f="$format" -v file="$file" -v n="$records" -v w="$wall" -v r="$rss" \
        'BEGIN { printf "| %s | %s | %d | %.2f | %d | %.0f |\n", f, file, n, w, n / w, r / 1024 }'
done
