#!/usr/bin/env bash
# etl against a peer, Splink 5 (DuckDB backend), on the same labelled synthetic registers.
#
#   bash bench/peers/peers.sh [--profile default|hard] [people …]     (default: 53000 530000)
#
# Per size (53,000 people are about 100,000 records): generates the three exports once with
# etl-synth (kept in .build/bench-peers), runs the whole `etl run bench/pipelines/synth.json`
# into a fresh state folder, then bench/peers/splink_link.py on the same folder; each timed with
# /usr/bin/time (wall time and peak RSS of the process) and scored with `etl-synth score`. The
# linkage step is etl's resolve seconds (its summary's "Residents: … in N s") and Splink's train +
# predict + cluster seconds (the script's own timing; its wall time adds Python's start, parsing
# the files and writing the links). Prints one Markdown table and writes it to
# bench/peers/RESULTS.md (RESULTS-hard.md for the hard profile) and as that profile's section
# of bench/RESULTS.md. The first run creates the
# Python environment .build/peers-venv from bench/peers/requirements.txt. Not part of CI.
set -euo pipefail
cd "$(dirname "$0")/../.."
profile=default
if [ "${1:-}" = "--profile" ]; then
    profile=${2:?give default or hard}
    shift 2
fi
case "$profile" in default | hard) ;; *) echo "unknown profile '$profile'" >&2; exit 2 ;; esac
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(53000 530000)
swift build -c release --product etl >/dev/null
swift build -c release --product etl-synth >/dev/null
bin=.build/release
pipeline=bench/pipelines/synth.json
venv=.build/peers-venv
if ! "$venv/bin/python" -c "import splink, pypinyin" 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r bench/peers/requirements.txt
fi
threshold=0.9
rows=()
for people in "${sizes[@]}"; do
    work=.build/bench-peers/$profile-$people
    if [ ! -f "$work/inbox/truth.csv" ]; then
        rm -rf "$work" && mkdir -p "$work"
        "$bin/etl-synth" generate --people "$people" --profile "$profile" --seed 1 --out "$work/inbox" >/dev/null
    fi
    echo "== $people people ($profile): etl" >&2
    rm -rf "$work/state"
    /usr/bin/time -o "$work/etl-time.txt" -f "%e %M" "$bin/etl" run "$pipeline" --inbox "$work/inbox" \
        --state "$work/state" >"$work/etl-summary.txt"
    "$bin/etl" links "$pipeline" --state "$work/state" >"$work/etl-links.csv"
    "$bin/etl-synth" score --truth "$work/inbox/truth.csv" --links "$work/etl-links.csv" >"$work/etl-score.txt"
    echo "== $people people ($profile): splink" >&2
    /usr/bin/time -o "$work/splink-time.txt" -f "%e %M" "$venv/bin/python" bench/peers/splink_link.py \
        "$work/inbox" "$work/splink-links.csv" --threshold "$threshold" 2>"$work/splink-log.txt"
    "$bin/etl-synth" score --truth "$work/inbox/truth.csv" --links "$work/splink-links.csv" >"$work/splink-score.txt"
    rows+=("$(python3 - "$work" "$people" <<'PY'
import json, re, sys
work, people = sys.argv[1], int(sys.argv[2])
def score(tool):
    text = open(f"{work}/{tool}-score.txt").read()
    figures = {name: re.search(name + r"\s+([0-9.]+)", text).group(1) for name in ("precision", "recall", "F1")}
    figures["records"] = int(re.search(r"records (\d+)", text).group(1))
    return figures
def timed(tool):
    wall, peak = open(f"{work}/{tool}-time.txt").read().split()[-2:]
    return float(wall), int(peak)
summary = open(f"{work}/etl-summary.txt").read()
log = open(f"{work}/splink-log.txt").read()
rows = []
for tool, linkage in (
    ("etl", re.search(r"^Residents:.* in ([0-9.]+) s", summary, re.M).group(1)),
    ("Splink 5", re.search(r"^splink linkage ([0-9.]+) s", log, re.M).group(1)),
):
    key = "etl" if tool == "etl" else "splink"
    wall, peak = timed(key)
    rows.append({"people": people, "tool": tool, "wall": wall, "linkage": float(linkage), "peak": peak, **score(key)})
print(json.dumps(rows))
PY
)")
done
python3 - "$profile" "$threshold" "$venv/bin/python" "${rows[@]}" <<'PY'
import datetime, json, os, subprocess, sys
profile, threshold, python = sys.argv[1:4]
rows = [row for arg in sys.argv[4:] for row in json.loads(arg)]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
memory = next((l.split()[1] for l in open("/proc/meminfo") if l.startswith("MemTotal")), "0")
etl = subprocess.run([".build/release/etl", "--version"], capture_output=True, text=True).stdout.strip()
versions = subprocess.run([python, "-c", "import splink, duckdb; print(splink.__version__, duckdb.__version__)"],
                          capture_output=True, text=True).stdout.split()
people = " ".join(str(p) for p in dict.fromkeys(r["people"] for r in rows))
flag = "" if profile == "default" else f"--profile {profile} "
out = ["# Peer benchmark: etl and Splink", "",
       f"`bash bench/peers/peers.sh {flag}{people}` on {datetime.date.today()}, {etl} (release build), "
       f"Splink {versions[0]} on DuckDB {versions[1]};",
       f"{os.cpu_count()} cores ({cpu}), {int(memory) // 1024 // 1024} GB of memory. {profile.capitalize()} synthetic "
       f"profile (`bench/Synth`, seed 1), both tools on the same three exports; Splink links at match probability "
       f"{threshold} (bench/peers/README.md). Wall and peak RSS are the whole process's (`/usr/bin/time`); the "
       "linkage step is etl's resolve stage and Splink's train + predict + cluster.", "",
       "| people | records | tool | wall s | linkage step s | peak RSS | precision | recall | F1 |",
       "| ---: | ---: | :--- | ---: | ---: | ---: | ---: | ---: | ---: |"]
for r in rows:
    out.append(f"| {r['people']:,} | {r['records']:,} | {r['tool']} | {r['wall']:.1f} | {r['linkage']:.1f} | "
               f"{r['peak'] / 1024:,.0f} MB | {r['precision']} | {r['recall']} | {r['F1']} |")
suffix = "" if profile == "default" else f"-{profile}"
open(f"bench/peers/RESULTS{suffix}.md", "w").write("\n".join(out) + "\n")
# The same table as a section of bench/RESULTS.md, one section per profile, beside the scale
# table (replacing the section an earlier run of that profile wrote there).
heading = "## Beside Splink" + ("" if profile == "default" else f", {profile} profile")
text = open("bench/RESULTS.md").read() if os.path.exists("bench/RESULTS.md") else ""
sections = text.rstrip("\n").split("\n## ")
sections = [sections[0]] + ["## " + section for section in sections[1:]]
body = heading + "\n\n" + "\n".join(out[2:])
kept = [section for section in sections if section.split("\n", 1)[0] != heading]
kept.append(body)
open("bench/RESULTS.md", "w").write("\n\n".join(part.rstrip("\n") for part in kept) + "\n")
print("\n".join(out))
PY
