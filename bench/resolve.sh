#!/usr/bin/env bash
# Resolution quality and speed on labelled synthetic registers (bench/Synth), release build.
#
#   bash bench/resolve.sh <people> [default|hard] [seed] [threshold]
#
# With a threshold, the run uses bench/pipelines/synth.json with `resolve.threshold` set to it
# (a copy in the work folder): 0.9 is the setting for a messy register like the hard profile.
# Generates the three exports and truth.csv for <people> persons under .build/bench-resolve,
# runs `etl run bench/pipelines/synth.json` on them into a fresh state folder (timed, with peak
# RSS), lists the links and scores them: pairwise precision, recall and F1, false positives by
# kind and false negatives by dirt. The run's summary line gives the seconds per phase. Last,
# `etl-synth diagnose` resolves the same records again in-process to report blocking's pairs
# completeness and why pairs were missed or joined (levels and weights only).
set -euo pipefail
cd "$(dirname "$0")/.."
people=${1:?give the number of people}
profile=${2:-default}
seed=${3:-1}
threshold=${4:-}
swift build -c release --product etl >/dev/null
swift build -c release --product etl-synth >/dev/null
bin=.build/release
work=.build/bench-resolve/$profile-$people
rm -rf "$work" && mkdir -p "$work"
pipeline=bench/pipelines/synth.json
if [ -n "$threshold" ]; then
    python3 - "$threshold" "$work/synth.json" <<'PY'
import json, sys
pipeline = json.load(open("bench/pipelines/synth.json"))
pipeline["$schema"] = "../../../schemas/pipeline.schema.json"
pipeline.setdefault("resolve", {})["threshold"] = float(sys.argv[1])
json.dump(pipeline, open(sys.argv[2], "w"), ensure_ascii=False, indent=2)
PY
    pipeline=$work/synth.json
fi
"$bin/etl-synth" generate --people "$people" --profile "$profile" --seed "$seed" --out "$work/inbox"
/usr/bin/time -f "wall %e s, peak RSS %M KB" "$bin/etl" run "$pipeline" --inbox "$work/inbox" \
    --state "$work/state" 2>"$work/time.txt" | sed -n '/^Residents/,/^$/p'
cat "$work/time.txt"
"$bin/etl" links "$pipeline" --state "$work/state" >"$work/links.csv"
"$bin/etl-synth" score --truth "$work/inbox/truth.csv" --links "$work/links.csv"
"$bin/etl-synth" diagnose --pipeline "$pipeline" --state "$work/state" --truth "$work/inbox/truth.csv"
