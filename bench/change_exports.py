"""Changes about 1% of the records of the synthetic exports in a folder, as a night brings:
of every 300 records, one is deleted, one has its address changed, and one comes again
under a new record key (an added record). Used by bench/nightly.sh.

    python3 bench/change_exports.py FOLDER
"""
import re
import sys


def change(records, new_key):
    """Applies the 1-in-300 changes to a list of record texts; returns the new list."""
    kept, added = [], []
    counts = {"deleted": 0, "updated": 0, "added": 0}
    for index, record in enumerate(records):
        step = index % 300
        if step == 0:
            counts["deleted"] += 1
            continue
        if step == 1:
            counts["updated"] += 1
            record = record.replace("路", "街")
        if step == 2:
            counts["added"] += 1
            added.append(new_key(record))
        kept.append(record)
    return kept + added, counts


def main(folder):
    # CSV: a header, then a record a line (the generator writes no quoted line breaks).
    path = f"{folder}/social_security_synth.csv"
    lines = open(path, encoding="utf-8-sig").read().splitlines()
    body, counts = change(lines[1:], lambda line: line.replace("SB", "SX", 1))
    open(path, "w", encoding="utf-8-sig").write("\n".join([lines[0]] + body) + "\n")
    print("social_security:", counts, file=sys.stderr)

    path = f"{folder}/civil_affairs_synth.jsonl"
    lines = open(path, encoding="utf-8").read().splitlines()
    body, counts = change(lines, lambda line: line.replace('"MZ-2026-', '"MZ-2027-', 1))
    open(path, "w", encoding="utf-8").write("\n".join(body) + "\n")
    print("civil_affairs:", counts, file=sys.stderr)

    # XML: the records are the <person> elements; what is around them stays.
    path = f"{folder}/health_insurance_synth.xml"
    text = open(path, encoding="utf-8").read()
    first = text.index("<person>")
    last = text.rindex("</person>") + len("</person>")
    people = re.findall(r"<person>.*?</person>", text[first:last], flags=re.S)
    body, counts = change(people, lambda element: element.replace("<insuredId>YB", "<insuredId>YX", 1))
    open(path, "w", encoding="utf-8").write(text[:first] + "\n  ".join(body) + text[last:])
    print("health_insurance:", counts, file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1])
