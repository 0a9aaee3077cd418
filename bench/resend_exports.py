"""Writes the synthetic exports of one folder again into another with the same records but
other bytes, as a department that re-sends its register unchanged: the CSV and JSON Lines
records in reverse order, the XML document with a comment after its root element. Used by
bench/nightly.sh.

    python3 bench/resend_exports.py FROM TO
"""
import os
import sys


def main(source, target):
    os.makedirs(target, exist_ok=True)
    with open(os.path.join(source, "social_security_synth.csv"), "rb") as file:
        header, *rows = [line for line in file.read().split(b"\n") if line]
    with open(os.path.join(target, "social_security_synth.csv"), "wb") as file:
        file.write(b"\n".join([header] + rows[::-1]) + b"\n")
    with open(os.path.join(source, "civil_affairs_synth.jsonl"), "rb") as file:
        rows = [line for line in file.read().split(b"\n") if line]
    with open(os.path.join(target, "civil_affairs_synth.jsonl"), "wb") as file:
        file.write(b"\n".join(rows[::-1]) + b"\n")
    with open(os.path.join(source, "health_insurance_synth.xml"), "rb") as file:
        document = file.read().rstrip(b"\n")
    with open(os.path.join(target, "health_insurance_synth.xml"), "wb") as file:
        file.write(document + b"\n<!-- sent again -->\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
