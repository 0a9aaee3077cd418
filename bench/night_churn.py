"""What a night did to the residents none of whose records changed. Used by bench/nightly.sh.

    python3 bench/night_churn.py snapshot STATE_FOLDER OUT.tsv
        writes each current staged record's source, key and content hash (the hash of the
        values resolution reads) from STATE_FOLDER/state.sqlite
    python3 bench/night_churn.py compare LINKS_BEFORE.csv CONTENT_BEFORE.tsv \\
            LINKS_AFTER.csv CONTENT_AFTER.tsv [TRUTH.csv]
        counts the residents that held no record the night added, changed or deleted, and yet
        whose records the night grouped differently (in all, and those with no changed record in
        any resident they went to); for the latter, with the synthetic truth, how many of the
        pairs it joined and parted are one person
    python3 bench/night_churn.py models STATE_FOLDER
        prints, per field and level, the weight (bits) of the last two runs' match models and
        the change, for the levels that moved by half a bit or more

A night that resolves only what changed would leave those residents as they were; a rebuild
from scratch re-estimates the model from the night's data, and may regroup them. The count
is how far apart those two demands are on the data at hand.
"""
import collections
import csv
import itertools
import json
import math
import sqlite3
import sys


def snapshot(state, out):
    database = sqlite3.connect(f"file:{state}/state.sqlite?mode=ro", uri=True)
    rows = database.execute(
        """
        SELECT s.name, r.record_key, r.content FROM staged_records r
        JOIN sources s ON s.id = r.source_id AND r.run_id = s.current_run_id
        """)
    with open(out, "w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, delimiter="\t", lineterminator="\n")
        for row in rows:
            writer.writerow(row)


def contents(path):
    with open(path, encoding="utf-8", newline="") as file:
        return {(source, key): content for source, key, content in csv.reader(file, delimiter="\t")}


def links(path):
    with open(path, encoding="utf-8", newline="") as file:
        return {(row["source"], row["record_key"]): row["resident_id"] for row in csv.DictReader(file)}


def linked_pairs(resident_of, records):
    groups = collections.defaultdict(list)
    for record in records:
        groups[resident_of[record]].append(record)
    return {pair for members in groups.values() for pair in itertools.combinations(sorted(members), 2)}


def compare(links_before, content_before, links_after, content_after, truth_path=None):
    before, after = contents(content_before), contents(content_after)
    touched = {record for record in before.keys() | after.keys() if before.get(record) != after.get(record)}
    was, now = links(links_before), links(links_after)
    members_before, members_after = collections.defaultdict(set), collections.defaultdict(set)
    for record, resident in was.items():
        members_before[resident].add(record)
    for record, resident in now.items():
        members_after[resident].add(record)
    # Residents before the night that hold none of the records it touched. One is regrouped
    # when its records are not, after the night, exactly the untouched records of one resident.
    untouched = [resident for resident, members in members_before.items() if not members & touched]
    regrouped, apart_from_changes = 0, 0
    for resident in untouched:
        members = members_before[resident]
        after = {now.get(record) for record in members}
        if len(after) == 1 and None not in after and members_after[next(iter(after))] - touched == members:
            continue
        regrouped += 1
        # Strictly apart from the night's changes: no resident it went to holds a touched record.
        if not any(members_after[resident_after] & touched for resident_after in after if resident_after):
            apart_from_changes += 1
    # Pairs of records of untouched residents (before and after) that were joined or parted.
    touched_before = {was[record] for record in touched if record in was}
    touched_after = {now[record] for record in touched if record in now}
    quiet = [
        record for record in was
        if record in now and was[record] not in touched_before and now[record] not in touched_after
    ]
    joined = linked_pairs(now, quiet) - linked_pairs(was, quiet)
    parted = linked_pairs(was, quiet) - linked_pairs(now, quiet)
    print(f"records the night added, changed or deleted: {len(touched):,}")
    print(
        f"residents holding none of them: {len(untouched):,}; regrouped by the night: {regrouped:,}, "
        f"of them {apart_from_changes:,} with no changed record in any resident they went to")
    print(f"  among those apart from the changes: {len(joined):,} pairs joined, {len(parted):,} parted")
    if truth_path:
        with open(truth_path, encoding="utf-8", newline="") as file:
            person = {(row["source"], row["record_key"]): row["person"] for row in csv.DictReader(file)}
        same = lambda pairs: sum(person.get(a) is not None and person.get(a) == person.get(b) for a, b in pairs)
        print(f"  of the pairs joined, one person: {same(joined):,}; of the pairs parted, one person: {same(parted):,}")


FIELDS = ["idNumber", "name", "birthDate", "sex", "phone", "address"]


def models(state):
    database = sqlite3.connect(f"file:{state}/state.sqlite?mode=ro", uri=True)
    rows = database.execute("SELECT run_id, model FROM match_models ORDER BY run_id DESC LIMIT 2").fetchall()
    if len(rows) < 2:
        sys.exit("the state holds fewer than two models")
    (after_run, after), (before_run, before) = ((run, json.loads(text)) for run, text in rows)
    print(f"level weights (bits) that moved by 0.5 or more, run {before_run} -> run {after_run}:")
    for field, name in enumerate(FIELDS):
        for level in range(len(before["m"][field])):
            pairs = [(model["m"][field][level], model["u"][field][level]) for model in (before, after)]
            if any(m <= 0 or u <= 0 for m, u in pairs):
                continue  # no finite weight (the store keeps probabilities off 0, so not expected)
            weights = [math.log2(m / u) for m, u in pairs]
            if abs(weights[1] - weights[0]) >= 0.5:
                print(f"  {name} level {level}: {weights[0]:.2f} -> {weights[1]:.2f} ({weights[1] - weights[0]:+.2f})")


if __name__ == "__main__":
    command, arguments = sys.argv[1], sys.argv[2:]
    if command == "snapshot":
        snapshot(*arguments)
    elif command == "compare":
        compare(*arguments)
    elif command == "models":
        models(*arguments)
    else:
        sys.exit(f"unknown command {command!r}: give snapshot, compare or models")
