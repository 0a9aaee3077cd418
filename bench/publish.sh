#!/usr/bin/env bash
# Publishing speed and memory for the demo's three datasets over synthetic residents, release
# build.
#
#   bash bench/publish.sh [people]        (default 1000000)
#
# Generates the three exports for <people> persons under .build/bench-publish (kept between
# runs), imports and resolves them once (untimed), then runs again with a later snapshot date:
# the exports are unchanged, so import and resolution are skipped and the run publishes new
# versions of all three datasets (ages move on, so every dataset changes). That run is timed
# with peak RSS; its summary gives the publish seconds, rows, k reached and suppressions.
set -euo pipefail
cd "$(dirname "$0")/.."
people=${1:-1000000}
swift build -c release --product etl >/dev/null
swift build -c release --product etl-synth >/dev/null
bin=.build/release
work=.build/bench-publish/$people
pipeline=bench/pipelines/synth-publish.json
if [ ! -f "$work/inbox/truth.csv" ]; then
    rm -rf "$work" && mkdir -p "$work"
    "$bin/etl-synth" generate --people "$people" --profile default --seed 1 --out "$work/inbox"
fi
rm -rf "$work/state"
echo "setup: import and resolve (not the figure)"
/usr/bin/time -f "setup wall %e s, peak RSS %M KB" "$bin/etl" run "$pipeline" --inbox "$work/inbox" \
    --state "$work/state" --snapshot-date 2026-11-27 2>"$work/setup-time.txt" | sed -n '/^Residents/,/^$/p'
grep -v '^Note' "$work/setup-time.txt" || true
echo "publish run (the figure):"
/usr/bin/time -f "publish run wall %e s, peak RSS %M KB" "$bin/etl" run "$pipeline" --inbox "$work/inbox" \
    --state "$work/state" --snapshot-date 2027-03-01 2>"$work/time.txt" | sed -n '/^Published/,/^$/p'
cat "$work/time.txt"
"$bin/etl" snapshots "$pipeline" --state "$work/state" --verify | grep -v '^  \*\? *v'
