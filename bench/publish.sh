#!/usr/bin/env bash
# Publishing speed and memory for the demo's three datasets over synthetic residents, release
# build.
#
#   bash bench/publish.sh [people]        (default 1000000)
#
# Generates the three exports for <people> persons under .build/bench-publish (kept between
# runs), then imports, resolves and publishes them once (untimed setup). Two timed runs follow,
# each with peak RSS; in both the exports are unchanged, so import and resolution are skipped
# and the summary's "Published … in X s" is the figure:
#   1. nightly: a later snapshot date, so ages move on and the two age-based datasets get new
#      versions (with their change files against the previous ones); the identified index,
#      whose data did not change, is built and found unchanged;
#   2. first publish: into an empty folder, so all three datasets are written whole.
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
echo "1. nightly run:"
/usr/bin/time -f "nightly run wall %e s, peak RSS %M KB" "$bin/etl" run "$pipeline" --inbox "$work/inbox" \
    --state "$work/state" --snapshot-date 2027-03-01 2>"$work/time.txt" | sed -n '/^Published/,/^$/p'
cat "$work/time.txt"
"$bin/etl" snapshots "$pipeline" --state "$work/state" --verify | grep -v '^  \*\? *v'
echo "2. first publish into an empty folder:"
rm -rf "$work/fresh"
/usr/bin/time -f "first publish wall %e s, peak RSS %M KB" "$bin/etl" run "$pipeline" --inbox "$work/inbox" \
    --state "$work/state" --snapshot-date 2027-03-01 --publish-dir "$work/fresh" 2>"$work/time.txt" \
    | sed -n '/^Published/,/^$/p'
cat "$work/time.txt"
du -sh "$work/fresh"/*
