#!/usr/bin/env bash
# A night on which 1% of the records changed, against a full rebuild (issue: nightly
# operations), release build.
#
#   bash bench/nightly.sh [records] [default|hard]        (default: 1000000 default)
#
# Generates the synthetic registers (bench/Synth) of the profile, under .build/bench-nightly,
# and runs `etl run bench/pipelines/synth-publish.json` on them: the state a night starts from
# (untimed). Then it changes about 1% of the records of each export (bench/change_exports.py:
# a third deleted, a third with a changed address, a third added again under a new key) and
# times:
#   1. the nightly run on that state;
#   2. a full rebuild from scratch (a fresh state folder) on the same changed exports;
#   3. a night on which every export is sent again with the same records but other bytes
#      (bench/resend_exports.py), on a copy of the state after 1.: imported, not resolved.
# Last it compares `etl links` after 1. and 2.: the residents (as sets of records) must be the
# same. And it counts the residents that hold no record the night changed and were regrouped
# all the same (bench/night_churn.py): a rebuild may regroup them, as its model is estimated
# from the night's data; a night that resolved only what changed would not.
set -euo pipefail
cd "$(dirname "$0")/.."
records=${1:-1000000}
profile=${2:-default}
people=$((records * 100 / 188))
swift build -c release --product etl >/dev/null
swift build -c release --product etl-synth >/dev/null
bin=.build/release
pipeline=bench/pipelines/synth-publish.json
work=.build/bench-nightly/$records
[ "$profile" = default ] || work=.build/bench-nightly/$profile-$records
rm -rf "$work" && mkdir -p "$work"
"$bin/etl-synth" generate --people "$people" --profile "$profile" --seed 1 --out "$work/inbox" >/dev/null
"$bin/etl" run "$pipeline" --inbox "$work/inbox" --state "$work/nightly" --snapshot-date 2026-11-27 >/dev/null
"$bin/etl" links "$pipeline" --state "$work/nightly" >"$work/before-links.csv"
python3 bench/night_churn.py snapshot "$work/nightly" "$work/before-content.tsv"
python3 bench/change_exports.py "$work/inbox" >&2
sync
/usr/bin/time -o "$work/nightly.time" -f "%e %M" "$bin/etl" run "$pipeline" --inbox "$work/inbox" \
    --state "$work/nightly" --snapshot-date 2026-11-28 >"$work/nightly.txt"
sync
/usr/bin/time -o "$work/full.time" -f "%e %M" "$bin/etl" run "$pipeline" --inbox "$work/inbox" \
    --state "$work/full" --snapshot-date 2026-11-28 >"$work/full.txt"
python3 bench/resend_exports.py "$work/inbox" "$work/resent"
cp -r "$work/nightly" "$work/resent-state"
sync
/usr/bin/time -o "$work/resent.time" -f "%e %M" "$bin/etl" run "$pipeline" --inbox "$work/resent" \
    --state "$work/resent-state" --snapshot-date 2026-11-28 >"$work/resent.txt"
"$bin/etl" links "$pipeline" --state "$work/nightly" >"$work/nightly-links.csv"
"$bin/etl" links "$pipeline" --state "$work/full" >"$work/full-links.csv"
python3 bench/night_churn.py snapshot "$work/nightly" "$work/after-content.tsv"
python3 bench/night_churn.py compare "$work/before-links.csv" "$work/before-content.tsv" \
    "$work/nightly-links.csv" "$work/after-content.tsv" "$work/inbox/truth.csv"
python3 bench/night_churn.py models "$work/nightly"
grep -E '^(Stages|Residents|  [0-9,]+ new)' "$work/nightly.txt" | sed 's/^/nightly: /'
grep -E '^(Stages|Residents)' "$work/full.txt" | sed 's/^/full:    /'
grep -E '^(Stages|Residents|  [a-z_]+ \(for)' "$work/resent.txt" | sed 's/^/re-sent: /'
python3 - "$work" <<'PY'
import csv, sys
work = sys.argv[1]
def residents(path):
    groups = {}
    for row in csv.DictReader(open(path, encoding="utf-8")):
        groups.setdefault(row["resident_id"], set()).add(row["source"] + ":" + row["record_key"])
    return {frozenset(members) for members in groups.values()}
nightly = residents(f"{work}/nightly-links.csv")
full = residents(f"{work}/full-links.csv")
(n_wall, n_peak), (f_wall, f_peak), (r_wall, r_peak) = (
    open(f"{work}/{name}.time").read().split() for name in ("nightly", "full", "resent"))
print(f"nightly run: {float(n_wall):.1f} s, peak {int(n_peak) / 1024:,.0f} MB")
print(f"full rebuild: {float(f_wall):.1f} s, peak {int(f_peak) / 1024:,.0f} MB")
print(f"nightly / full: {float(n_wall) / float(f_wall):.0%}")
print(f"re-sent night: {float(r_wall):.1f} s, peak {int(r_peak) / 1024:,.0f} MB; "
      + f"re-sent / full: {float(r_wall) / float(f_wall):.0%}")
same = nightly == full
print(f"residents: nightly {len(nightly):,}, full {len(full):,}; "
      + ("the same" if same else f"{len(nightly ^ full):,} differ"))
sys.exit(0 if same else 1)
PY
