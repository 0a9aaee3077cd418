#!/usr/bin/env python3
"""Resolve the three synthetic registers of bench/Synth with Splink 5 (DuckDB backend).

    python bench/peers/splink_link.py INBOX LINKS.csv [--threshold 0.9] [--max-pairs 1e7]

INBOX is a folder written by `etl-synth generate` (social_security_synth.csv,
health_insurance_synth.xml, civil_affairs_synth.jsonl). The three exports are read with
streaming parsers and standardised in Python (the same clean-up any careful engineer would do
before handing records to Splink), deduplicated as one table with `link_type="dedupe_only"`,
clustered with connected components at the match-probability threshold, and written as
`source,record_key,resident_id` (every record, singletons included) for `etl-synth score`.

Phase timings go to stderr as `splink <phase> <seconds> s` lines, the last one being
`splink linkage <seconds> s` (train + predict + cluster), which bench/peers/peers.sh reads.
"""

import argparse
import csv
import functools
import json
import logging
import os
import re
import sys
import time
import unicodedata
import xml.etree.ElementTree as ET

from pypinyin import lazy_pinyin

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

# --------------------------------------------------------------------------------------------
# Standardisation

# Two-character compound surnames (复姓); any other Chinese name's surname is its first character.
COMPOUND_SURNAMES = {
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文",
    "司徒", "夏侯", "轩辕", "令狐", "钟离", "端木", "独孤", "南宫", "西门", "百里", "呼延",
    "闻人", "澹台", "公冶", "太史", "申屠", "赫连", "万俟", "单于", "濮阳", "淳于", "司空",
    "亓官", "拓跋", "第五", "左丘", "东郭", "梁丘", "羊舌", "微生", "公羊", "谷梁", "宰父",
}
# Middle dots that separate the parts of a transliterated (e.g. Uyghur, Tibetan) name.
NAME_DOTS = re.compile(r"[·•・.．‧∙⋅]")
WHITESPACE = re.compile(r"\s+")
NOT_DIGIT = re.compile(r"\D")
# The province and prefecture an address may or may not start with, and the county-level
# division (区, 县, or a county-level 市) after them.
ADDRESS_HEAD = re.compile(r"^(?:[^省市区县]{2,8}(?:省|自治区))?(?:[^省市区县]{2,8}市)?")
DISTRICT = re.compile(r"^([^省市区县]{1,8}?(?:区|县|市))")
ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_CHECK = "10X98765432"


def nfkc(text):
    """Compatibility form: full-width digits and letters become ASCII."""
    return unicodedata.normalize("NFKC", text) if text else ""


def clean_name(raw):
    name = WHITESPACE.sub("", nfkc(raw))
    name = NAME_DOTS.sub("·", name)
    return name or None


def surname_of(name):
    if not name:
        return None
    if "·" in name:  # transliterated names: given name first, family name after the dot
        return name.rsplit("·", 1)[-1] or None
    return name[:2] if name[:2] in COMPOUND_SURNAMES else name[:1]


@functools.lru_cache(maxsize=1 << 18)  # names repeat: convert each once
def name_pinyin(name):
    """Toneless pinyin, so that homophones written with other characters compare equal."""
    if not name:
        return None
    return "".join(lazy_pinyin(name.replace("·", ""))) or None


def clean_id(raw):
    """Upper-case, no spaces; a legacy 15-digit number becomes its 18-digit form."""
    text = WHITESPACE.sub("", nfkc(raw)).upper()
    if not text:
        return None
    if len(text) == 15 and text.isdigit():
        body = text[:6] + "19" + text[6:]
        text = body + ID_CHECK[sum(int(c) * w for c, w in zip(body, ID_WEIGHTS)) % 11]
    return text


def clean_date(raw):
    """yyyy-MM-dd, yyyy/M/d or yyyyMMdd as ISO yyyy-MM-dd; anything else as None."""
    text = nfkc(raw).strip()
    if not text:
        return None
    if len(text) == 8 and text.isdigit():
        return f"{text[:4]}-{text[4:6]}-{text[6:]}"
    parts = re.split(r"[-/.]", text)
    if len(parts) == 3 and all(p.isdigit() for p in parts) and len(parts[0]) == 4:
        return f"{parts[0]}-{int(parts[1]):02d}-{int(parts[2]):02d}"
    return None


def birth_from_id(id_number):
    if id_number and len(id_number) == 18 and id_number[6:14].isdigit():
        return f"{id_number[6:10]}-{id_number[10:12]}-{id_number[12:14]}"
    return None


def clean_phone(raw):
    digits = NOT_DIGIT.sub("", nfkc(raw))
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13 and digits[2] == "1":
        digits = digits[2:]
    return digits or None


def clean_address(raw):
    """No white space, without the province and prefecture prefix; and the district."""
    text = WHITESPACE.sub("", nfkc(raw))
    if not text:
        return None, None
    tail = text[ADDRESS_HEAD.match(text).end():] or text
    match = DISTRICT.match(tail)
    return tail, (match.group(1) if match else None)


COLUMNS = [
    "unique_id", "source", "full_name", "surname", "name_pinyin", "id_number",
    "birth_date", "sex", "phone", "address", "district",
]


def standardise(source, key, name, id_number, birth, sex, phone, address):
    full_name = clean_name(name)
    id_clean = clean_id(id_number)
    address_clean, district = clean_address(address)
    return (
        f"{source}:{key}", source, full_name, surname_of(full_name), name_pinyin(full_name), id_clean,
        clean_date(birth) or birth_from_id(id_clean), sex, clean_phone(phone), address_clean,
        district,
    )


# --------------------------------------------------------------------------------------------
# Streaming readers (field mapping as in bench/pipelines/synth.json)

def read_social_security(path):
    sexes = {"男": "1", "女": "2"}
    with open(path, encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            yield standardise(
                "social_security", row["个人编号"], row.get("姓名"), row.get("公民身份号码"),
                row.get("出生日期"), sexes.get((row.get("性别") or "").strip()),
                row.get("联系电话"), row.get("户籍地址"))


def read_health_insurance(path):
    sexes = {"1": "1", "2": "2"}  # 0 (unknown) and 9 (unstated) count as missing
    context = ET.iterparse(path, events=("start", "end"))
    _, root = next(context)
    for event, elem in context:
        if event != "end" or elem.tag != "person":
            continue
        fields = {child.tag: (child.text or "").strip() for child in elem}
        cert = fields.get("certNo") if fields.get("certType") == "01" else None
        yield standardise(
            "health_insurance", fields.get("insuredId", ""), fields.get("name"), cert,
            fields.get("birthDate"), sexes.get(fields.get("sex", "")), fields.get("mobile"),
            fields.get("residence"))
        elem.clear()
        root.clear()  # drop the cleared <person> elements the root still holds


def read_civil_affairs(path):
    sexes = {"M": "1", "F": "2"}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            row = json.loads(line)
            yield standardise(
                "civil_affairs", str(row["caseNo"]), row.get("name"), row.get("idNumber"),
                row.get("birthDate"), sexes.get((row.get("gender") or "").strip()),
                row.get("mobile"), row.get("address"))


def load(inbox):
    columns = {name: [] for name in COLUMNS}
    lists = [columns[name] for name in COLUMNS]
    readers = [
        read_social_security(os.path.join(inbox, "social_security_synth.csv")),
        read_health_insurance(os.path.join(inbox, "health_insurance_synth.xml")),
        read_civil_affairs(os.path.join(inbox, "civil_affairs_synth.jsonl")),
    ]
    for reader in readers:
        for record in reader:
            for values, value in zip(lists, record):
                values.append(value)
    return columns


# --------------------------------------------------------------------------------------------
# The Splink model

def near(column, differing):
    """Same length and at most `differing` positions differ (Hamming distance): a typo in a
    fixed-width value such as an ID number, a date or a mobile number. Much cheaper than an edit
    distance over the tens of millions of pairs that u estimation and prediction score."""
    return (f"length({column}_l) = length({column}_r) "
            f"and hamming({column}_l, {column}_r) <= {differing}")


def settings(explain=False):
    name = cl.CustomComparison(
        output_column_name="name",
        comparison_levels=[
            cll.NullLevel("full_name"),
            cll.ExactMatchLevel("full_name", term_frequency_adjustments=True),
            cll.ExactMatchLevel("name_pinyin").configure(label_for_charts="same pinyin"),
            cll.JaroWinklerLevel("full_name", 0.9),
            cll.JaroWinklerLevel("name_pinyin", 0.9),
            cll.JaroWinklerLevel("full_name", 0.8),
            cll.ElseLevel(),
        ],
    )
    birth = cl.CustomComparison(
        output_column_name="birth_date",
        comparison_levels=[
            cll.NullLevel("birth_date"),
            cll.ExactMatchLevel("birth_date"),
            cll.CustomLevel(
                "substr(birth_date_l, 1, 4) = substr(birth_date_r, 1, 4) "
                "and substr(birth_date_l, 6, 2) = substr(birth_date_r, 9, 2) "
                "and substr(birth_date_l, 9, 2) = substr(birth_date_r, 6, 2)",
                label_for_charts="month and day swapped",
            ),
            cll.CustomLevel(near("birth_date", 1), label_for_charts="one digit differs"),
            cll.CustomLevel(near("birth_date", 2), label_for_charts="two digits differ"),
            cll.ElseLevel(),
        ],
    )
    # One character mistyped, or two neighbours swapped (Damerau-Levenshtein 1); the Hamming
    # pre-check keeps DuckDB from computing the slow edit distance for unrelated numbers. No
    # level for two edits: twins' numbers differ in just the sequence and check characters.
    id_number = cl.CustomComparison(
        output_column_name="id_number",
        comparison_levels=[
            cll.NullLevel("id_number"),
            cll.ExactMatchLevel("id_number"),
            cll.CustomLevel(
                near("id_number", 2) + " and damerau_levenshtein(id_number_l, id_number_r) <= 1",
                label_for_charts="one typo or transposition"),
            cll.ElseLevel(),
        ],
    )
    # Phone and address in one comparison: members of a household share both, so as two
    # independent comparisons their evidence is counted twice (twins and spouses at the same
    # address with the same phone were linked). One comparison's levels weigh the two together.
    phone_exact = "phone_l = phone_r"
    address_exact = "address_l = address_r"
    contact = cl.CustomComparison(
        output_column_name="phone_address",
        comparison_levels=[
            cll.CustomLevel(
                "(phone_l is null or phone_r is null) and (address_l is null or address_r is null)"
            ).configure(is_null_level=True, label_for_charts="phone and address missing"),
            cll.CustomLevel(f"{phone_exact} and {address_exact}").configure(
                tf_adjustment_column="address", label_for_charts="same phone and address"),
            cll.CustomLevel(phone_exact).configure(
                tf_adjustment_column="phone", label_for_charts="same phone"),
            cll.CustomLevel(address_exact).configure(
                tf_adjustment_column="address", label_for_charts="same address"),
            cll.CustomLevel(near("phone", 1), label_for_charts="phone: one digit differs"),
            cll.JaroWinklerLevel("address", 0.88),
            cll.ExactMatchLevel("district").configure(label_for_charts="same district"),
            cll.ElseLevel(),
        ],
    )
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=[
            name,
            id_number,
            birth,
            cl.ExactMatch("sex"),
            contact,
        ],
        blocking_rules_to_generate_predictions=[
            block_on("id_number"),
            block_on("substr(id_number, 1, 14)"),  # region and birth date: typos in the tail
            block_on("full_name", "birth_date"),
            block_on("name_pinyin", "birth_date"),
            block_on("phone"),
            block_on("surname", "birth_date"),
            block_on("full_name", "address"),
        ],
        retain_intermediate_calculation_columns=explain,
        retain_matching_columns=explain,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("inbox")
    parser.add_argument("links")
    parser.add_argument("--threshold", type=float, default=0.9,
                        help="match probability at which two records are linked (default 0.9)")
    parser.add_argument("--max-pairs", type=float, default=1e7,
                        help="pairs sampled to estimate u probabilities (default 1e7)")
    parser.add_argument("--pairs", help="also write the scored pairs above the threshold here")
    parser.add_argument("--verbose", action="store_true", help="Splink's INFO logging")
    args = parser.parse_args()

    def phase(name, seconds):
        print(f"splink {name} {seconds:.2f} s", file=sys.stderr, flush=True)

    start = time.perf_counter()
    columns = load(args.inbox)
    records = len(columns["unique_id"])
    db_api = DuckDBAPI()
    residents = db_api.register(columns, dataset_display_name="residents")
    del columns
    loaded = time.perf_counter()
    phase("load", loaded - start)
    print(f"splink records {records}", file=sys.stderr)

    linker = Linker(residents, settings(explain=bool(args.pairs)),
                    log_level=logging.INFO if args.verbose else logging.WARNING)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("id_number"), block_on("full_name", "birth_date", "phone")], recall=0.9)
    linker.training.estimate_u_using_random_sampling(max_pairs=args.max_pairs, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("id_number"))
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("full_name", "birth_date"))
    trained = time.perf_counter()
    phase("train", trained - loaded)

    predictions = linker.inference.predict(threshold_match_probability=args.threshold)
    predicted = time.perf_counter()
    phase("predict", predicted - trained)

    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=args.threshold)
    rows = clusters.as_duckdbpyrelation().select("unique_id, cluster_id").fetchall()
    clustered = time.perf_counter()
    phase("cluster", clustered - predicted)

    with open(args.links, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["source", "record_key", "resident_id"])
        for unique_id, cluster_id in rows:
            source, key = unique_id.split(":", 1)
            writer.writerow([source, key, cluster_id])
    phase("write", time.perf_counter() - clustered)
    if args.pairs:
        predictions.to_csv(args.pairs, overwrite=True)
    pairs = predictions.as_duckdbpyrelation().aggregate("count(*)").fetchall()[0][0]
    print(f"splink pairs-above-threshold {pairs}", file=sys.stderr)
    phase("linkage", clustered - loaded)


if __name__ == "__main__":
    main()
