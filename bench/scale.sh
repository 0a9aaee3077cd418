#!/usr/bin/env bash
# The whole pipeline at growing sizes, release build: import, resolve and publish (the demo's
# three datasets, bench/pipelines/synth-publish.json) on labelled synthetic registers from
# bench/Synth, scored against the truth. Writes the table to bench/RESULTS.md.
#
#   bash bench/scale.sh [records …]        (default: 100000 1000000; 3000000 and 10000000 take long)
#
# Per size: wall time and peak RSS per stage (from the run's JSON log line: each stage's
# seconds, and the process's peak memory when it ended), records/s, candidate pairs, and
# pairwise precision, recall and F1. Generated registers are kept in .build/bench-scale.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100000 1000000)
swift build -c release --product etl >/dev/null
swift build -c release --product etl-synth >/dev/null
bin=.build/release
pipeline=bench/pipelines/synth-publish.json
rows=()
for records in "${sizes[@]}"; do
    # The default profile gives about 1.88 records per person.
    people=$((records * 100 / 188))
    work=.build/bench-scale/$records
    if [ ! -f "$work/inbox/truth.csv" ]; then
        rm -rf "$work" && mkdir -p "$work"
        "$bin/etl-synth" generate --people "$people" --profile default --seed 1 --out "$work/inbox" >/dev/null
    fi
    rm -rf "$work/state"
    /usr/bin/time -o "$work/time.txt" -f "%e %M" "$bin/etl" run "$pipeline" --inbox "$work/inbox" \
        --state "$work/state" --snapshot-date 2026-11-27 --log-format json >"$work/summary.txt" 2>"$work/log.jsonl"
    "$bin/etl" links "$pipeline" --state "$work/state" >"$work/links.csv"
    "$bin/etl-synth" score --truth "$work/inbox/truth.csv" --links "$work/links.csv" >"$work/score.txt"
    rows+=("$(python3 - "$work" <<'PY'
import json, re, sys
work = sys.argv[1]
lines = [json.loads(line) for line in open(f"{work}/log.jsonl") if line.startswith("{")]
run = [l for l in lines if l["stage"] == "run"][-1]["counts"]
resolve = [l for l in lines if l["stage"] == "resolve"]
pairs = resolve[0]["counts"].get("candidatePairs", 0) if resolve else 0
wall, peak = open(f"{work}/time.txt").read().split()
score = open(f"{work}/score.txt").read()
def figure(name):
    match = re.search(name + r"\s*[:=]?\s*([0-9.]+)", score)
    return match.group(1) if match else "?"
print(json.dumps({
    "records": run["read"], "wall": float(wall), "peak": int(peak),
    "import": run["importMilliseconds"] / 1000, "importPeak": run["importPeakKiB"],
    "resolve": run["resolveMilliseconds"] / 1000, "resolvePeak": run["resolvePeakKiB"],
    "publish": run["publishMilliseconds"] / 1000, "publishPeak": run["publishPeakKiB"],
    "pairs": pairs, "precision": figure("precision"), "recall": figure("recall"), "f1": figure("F1"),
}))
PY
)")
done
python3 - "${rows[@]}" <<'PY'
import json, math, os, subprocess, sys, datetime
rows = [json.loads(arg) for arg in sys.argv[1:]]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
memory = next((l.split()[1] for l in open("/proc/meminfo") if l.startswith("MemTotal")), "0")
version = subprocess.run([".build/release/etl", "--version"], capture_output=True, text=True).stdout.strip()
def mb(kib): return f"{kib / 1024:,.0f} MB"
out = ["# Scale benchmark", "",
       f"`bash bench/scale.sh {' '.join(str(r['records']) for r in rows)}` on {datetime.date.today()}, {version}, release build;",
       f"{os.cpu_count()} cores ({cpu}), {int(memory) // 1024 // 1024} GB of memory. Default synthetic profile (`bench/Synth`),",
       "the demo's three datasets published (`bench/pipelines/synth-publish.json`). Stage peaks are the",
       "process's peak memory when the stage ended (so a later stage shows at least an earlier one's).", "",
       "| records | import s (rec/s) | peak | resolve s (rec/s) | peak | publish s | peak | total s | peak RSS | pairs compared | precision | recall | F1 |",
       "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
for r in rows:
    n = r["records"]
    out.append(f"| {n:,} | {r['import']:.1f} ({n / max(r['import'], 1e-9):,.0f}) | {mb(r['importPeak'])} | "
               f"{r['resolve']:.1f} ({n / max(r['resolve'], 1e-9):,.0f}) | {mb(r['resolvePeak'])} | {r['publish']:.1f} | {mb(r['publishPeak'])} | "
               f"{r['wall']:.1f} | {mb(r['peak'])} | {r['pairs']:,} | {r['precision']} | {r['recall']} | {r['f1']} |")
if len(rows) > 1:
    out += ["", "Growth between sizes (exponent of time and memory against records; 1 is linear):", ""]
    for a, b in zip(rows, rows[1:]):
        k = math.log(b["records"] / a["records"])
        out.append(f"- {a['records']:,} → {b['records']:,}: time {math.log(b['wall'] / a['wall']) / k:.2f}, "
                   f"peak RSS {math.log(b['peak'] / a['peak']) / k:.2f}")
# Keep the sections bench/peers/peers.sh writes (one per profile).
marker = "\n## Beside Splink"
text = open("bench/RESULTS.md").read() if os.path.exists("bench/RESULTS.md") else ""
kept = marker + text.split(marker, 1)[1] if marker in text else ""
open("bench/RESULTS.md", "w").write("\n".join(out) + "\n" + kept)
print("\n".join(out))
PY
