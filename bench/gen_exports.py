#!/usr/bin/env python3
"""Generate large synthetic department exports for benchmarking the etl importers.

Usage:
    python3 bench/gen_exports.py --records N --out DIR [--formats csv,xml,json,jsonl]
                                 [--seed S] [--overlap F] [--verify]

Writes, each with N records and unique record keys:
    DIR/social_security_bench.csv    人社: GB18030, CRLF, header
                                     个人编号,姓名,性别,出生日期,公民身份号码,联系电话,户籍地址,参保状态,参保日期,单位名称
    DIR/health_insurance_bench.xml   医保: UTF-8, <insuredPersons ...><person>...</person>...</insuredPersons>
    DIR/civil_affairs_bench.json     民政: UTF-8, {"exportedAt": ..., "records": [ ... ]}, one record per line
    DIR/civil_affairs_bench.jsonl    民政: UTF-8 JSON Lines
(see /work/shared/department-exports.md for the shapes). All data is synthetic.

Every record is readable (no deliberate rejects). Values are realistic in length and mix:
names of 2-4 Chinese characters (a few minority names with U+00B7), addresses of ~20-30
characters, ID numbers with valid GB 11643 check characters (unique per person; about 1% in
the CSV written with a lower-case x where the check is X), mobiles and landlines in several
formats, both date formats, some empty cells, ~3% quoted 单位名称 containing a comma and ~0.1%
quoted 户籍地址 with a bare LF inside. With --overlap F (default 0.5) a fraction F of the XML
and JSON records are residents that also appear in the CSV (same name, ID number, birth date),
the others are new residents; some of the shared ones have moved (another address).

The output is written in batches as it is generated, so memory stays small for any N.
Deterministic for a given --seed. --verify re-reads the small outputs with Python's csv, json
and xml.etree (iterparse) and checks counts and key uniqueness (the .json check loads the whole
document, so use it on small N only).
"""
import argparse
import os
import random
import sys
import time

W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK = "10X98765432"
CSV_HEADER = "个人编号,姓名,性别,出生日期,公民身份号码,联系电话,户籍地址,参保状态,参保日期,单位名称"
BATCH = 20000

DISTRICTS = [
    ("510104", "锦江区", ["春熙路街道", "书院街街道", "合江亭街道", "牛市口街道", "沙河街道", "督院街街道", "盐市口街道", "水井坊街道"]),
    ("510105", "青羊区", ["少城街道", "草市街街道", "府南街道", "光华街道", "金沙街道", "黄田坝街道", "苏坡街道", "文家街道"]),
    ("510106", "金牛区", ["抚琴街道", "西安路街道", "茶店子街道", "九里堤街道", "营门口街道", "荷花池街道", "驷马桥街道", "金泉街道"]),
    ("510107", "武侯区", ["玉林街道", "浆洗街街道", "火车南站街道", "红牌楼街道", "簇桥街道", "望江路街道", "跳伞塔街道", "晋阳街道"]),
    ("510108", "成华区", ["猛追湾街道", "建设路街道", "双桥子街道", "府青路街道", "跳蹬河街道", "二仙桥街道", "青龙街道", "龙潭街道"]),
]
ROAD_HEADS = ["芳草", "红星", "清江", "抚琴", "星辉", "高升桥", "建设", "洗面桥", "东糠市", "东城根", "望平",
              "金府", "蜀汉", "万年场", "宽巷", "滨江", "九里堤", "佳灵", "府青", "沙湾", "玉林", "科华",
              "人民", "天府", "青龙", "锦绣", "光华", "文翁", "桂溪", "双林", "新华", "猛追", "致民", "龙舟",
              "二环", "一品", "羊市", "同仁", "槐树", "长顺", "东风", "交子", "银杏", "浣花", "百花"]
ROAD_TAILS = ["路", "街", "东路", "西路", "南路", "北路", "中路", "路一段", "路二段", "路三段", "东街", "西街", "巷", "大道"]
BUILDINGS = ["", "", "", "", "附1号", "2栋", "3栋1单元", "5栋2单元", "1幢", "A座", "6栋3单元", "小区8栋", "院内"]
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
                "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
COMPOUND_SURNAMES = ["欧阳", "司马", "诸葛", "上官", "慕容"]
MALE_CHARS = list("伟强磊军勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林阳峰建国志文博斌晨昊然轩宇航")
FEMALE_CHARS = list("芳娜敏静丽艳娟霞燕玲婷雪慧琳颖倩洁琴云莉兰萍红梅秀英晶欣怡佳雨桐思涵悦瑶璐蓉")
MINORITY = ["阿依古丽·买买提", "买买提·吐尔逊", "古丽娜尔·艾力", "艾力·阿布都", "热依拉·努尔", "扎西·次仁",
            "阿布都·热合曼", "迪丽娜·阿不都", "努尔兰·哈力克", "次仁·卓玛"]
COMPANY_HEADS = ["蓉城", "天府", "锦城", "锦江", "青羊", "武侯", "金牛", "成华", "西部", "蜀汉", "合江", "双桥", "府青",
                 "宽窄", "龙泉", "红牌楼", "望平", "东郊", "西南", "川西", "芙蓉", "熊猫", "银杏", "浣花", "交子"]
COMPANY_TRADES = ["科技", "物流", "建筑工程", "餐饮管理", "医药连锁", "软件", "机械制造", "商贸", "物业管理", "文化传媒",
                  "酒店管理", "电子", "汽车配件", "建材", "数码科技", "旅游", "食品", "纺织", "印务", "环保工程"]
COMPANY_FORMS = ["有限公司", "有限责任公司", "股份有限公司"]
BRANCHES = ["第一分公司", "第二分公司", "高新分公司", "天府新区分公司", "营业部"]
STATUSES = ["正常参保"] * 8 + ["暂停参保", "中断参保", "退休"]
SCHEMES = ["职工基本医疗保险", "职工基本医疗保险", "城乡居民基本医疗保险"]
ASSIST = ["最低生活保障", "特困人员救助供养", "临时救助", "医疗救助", "低收入家庭救助"]
MOBILE_PREFIXES = ["130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155",
                   "156", "157", "158", "159", "166", "173", "177", "180", "181", "182", "183", "186", "187",
                   "188", "189", "198", "199"]


def build_pools(seed):
    rng = random.Random(seed)
    # birth dates 1940-01-01 .. 2008-12-31 with their weighted-digit partial sums
    import datetime
    dates = []
    d, end, one = datetime.date(1940, 1, 1), datetime.date(2008, 12, 31), datetime.timedelta(days=1)
    while d <= end:
        s = d.strftime("%Y%m%d")
        dates.append((s, sum(int(c) * w for c, w in zip(s, W[6:14]))))
        d += one
    region_sums = [sum(int(c) * w for c, w in zip(code, W[:6])) for code, _, _ in DISTRICTS]
    seq_sums = [sum(int(c) * w for c, w in zip(f"{s:03d}", W[14:17])) for s in range(1000)]
    # addresses per district: 四川省成都市 + 区 + 街道 + road + number (+ building)
    addr = []
    for _, dname, streets in DISTRICTS:
        pool = []
        for _ in range(3000):
            road = rng.choice(ROAD_HEADS) + rng.choice(ROAD_TAILS)
            pool.append(f"{dname}{rng.choice(streets)}{road}{rng.randint(1, 299)}号{rng.choice(BUILDINGS)}")
        addr.append(pool)
    male, female = [], []
    for pool, chars in ((male, MALE_CHARS), (female, FEMALE_CHARS)):
        for _ in range(4000):
            k = 1 if rng.random() < 0.35 else 2
            pool.append("".join(rng.choice(chars) for _ in range(k)))
    companies = []
    for _ in range(5000):
        companies.append(f"成都{rng.choice(COMPANY_HEADS)}{rng.choice(COMPANY_TRADES)}{rng.choice(COMPANY_FORMS)}")
    return dict(dates=dates, region_sums=region_sums, seq_sums=seq_sums, addr=addr, male=male,
                female=female, companies=companies)


class People:
    """Deterministic synthetic resident for a person index (unique ID number per index)."""

    def __init__(self, pools, seed):
        self.p = pools
        self.nd = len(pools["dates"])
        self.total = len(DISTRICTS) * self.nd * 1000
        self.mult = 2654435761
        while _gcd(self.mult, self.total) != 1:
            self.mult += 2
        self.off = (seed * 7919) % self.total

    def get(self, idx):
        """-> (name, sex 'M'/'F', yyyymmdd, id18, district_index, address_body, mobile)"""
        p = self.p
        j = (idx * self.mult + self.off) % self.total
        r = j % 5
        j //= 5
        s = j % 1000
        d = j // 1000
        birth, dsum = p["dates"][d]
        check = CHECK[(p["region_sums"][r] + dsum + p["seq_sums"][s]) % 11]
        idn = f"{DISTRICTS[r][0]}{birth}{s:03d}{check}"
        male = s & 1
        h = idx * 40503 + 12345
        if idx % 211 == 7:
            name = MINORITY[h % len(MINORITY)]
        else:
            sur = COMPOUND_SURNAMES[h % 5] if h % 97 == 0 else SURNAMES[h % len(SURNAMES)]
            given = p["male"] if male else p["female"]
            name = sur + given[(h // 131) % len(given)]
        pool = p["addr"][r]
        address = pool[(h // 7) % len(pool)]
        mobile = MOBILE_PREFIXES[h % 30] + f"{(idx * 48271 + 99991) % 100000000:08d}"
        return name, "M" if male else "F", birth, idn, r, address, mobile


def _gcd(a, b):
    while b:
        a, b = b, a % b
    return a


def gen_csv(fh, n, people, pools, rng):
    comps = pools["companies"]
    fh.write((CSV_HEADER + "\r\n").encode("gb18030"))
    buf = []
    for i in range(n):
        name, sex, birth, idn, r, addr, mobile = people.get(i)
        x = rng.random()
        y = rng.random()
        bd = f"{birth[:4]}-{birth[4:6]}-{birth[6:]}" if x < 0.7 else f"{birth[:4]}/{int(birth[4:6])}/{int(birth[6:])}"
        if y < 0.55:
            phone = mobile
        elif y < 0.8:
            phone = f"{mobile[:3]} {mobile[3:7]} {mobile[7:]}"
        elif y < 0.95:
            phone = f"028-8{mobile[4:11]}"
        else:
            phone = ""
        if idn[-1] == "X" and x < 0.1:
            idn = idn[:-1] + "x"
        address = "四川省成都市" + addr
        if y > 0.999:
            address = f'"{address[:12]}\n{address[12:]}"'
        year = int(birth[:4])
        join_year = min(max(year + 18 + i % 15, 1992), 2026)
        jd = f"{join_year}-{(i % 12) + 1:02d}-01" if x < 0.7 else f"{join_year}/{(i % 12) + 1}/1"
        status = STATUSES[i % len(STATUSES)]
        comp = comps[(i * 31 + 7) % len(comps)]
        if x > 0.97:
            comp = f'"{comp},{BRANCHES[i % len(BRANCHES)]}"'
        elif status == "退休" or x < 0.01:
            comp = ""
        if 0.5 < x < 0.52:
            idn = ""
        buf.append(f"SB{i:010d},{name},{'男' if sex == 'M' else '女'},{bd},{idn},{phone},{address},{status},{jd},{comp}\r\n")
        if len(buf) >= BATCH:
            fh.write("".join(buf).encode("gb18030"))
            buf.clear()
    if buf:
        fh.write("".join(buf).encode("gb18030"))


def shared_or_new(i, n, base, rng, overlap):
    return i if rng.random() < overlap else base + i


def gen_xml(fh, n, people, pools, rng, overlap):
    fh.write('<?xml version="1.0" encoding="UTF-8"?>\n'
             '<insuredPersons exportedAt="2026-11-26T23:00:00+08:00" region="510107">\n'.encode("utf-8"))
    addr = pools["addr"]
    buf = []
    for i in range(n):
        idx = shared_or_new(i, n, n, rng, overlap)
        name, sex, birth, idn, r, address, mobile = people.get(idx)
        x = rng.random()
        cert = "01"
        if x < 0.005:
            cert, idn = "02", f"E{(idx * 7 + 12345678) % 100000000:08d}"
        if x < 0.3:
            mob = f"<mobile>+86-{mobile}</mobile>"
        elif x > 0.97:
            mob = "<mobile/>"
        else:
            mob = f"<mobile>{mobile}</mobile>"
        if 0.3 < x < 0.4:  # moved: lives elsewhere
            pool = addr[(r + 1) % 5]
            address = pool[(idx * 13) % len(pool)]
        res = ("四川省成都市" if x < 0.8 else "成都市") + address
        sx = "9" if 0.4 < x < 0.402 else ("1" if sex == "M" else "2")
        buf.append(f"  <person>\n    <insuredId>YB510107{i:07d}</insuredId>\n    <name>{name}</name>\n"
                   f"    <certType>{cert}</certType>\n    <certNo>{idn}</certNo>\n    <sex>{sx}</sex>\n"
                   f"    <birthDate>{birth}</birthDate>\n    {mob}\n    <residence>{res}</residence>\n"
                   f"    <scheme>{SCHEMES[i % 3]}</scheme>\n  </person>\n")
        if len(buf) >= BATCH:
            fh.write("".join(buf).encode("utf-8"))
            buf.clear()
    buf.append("</insuredPersons>\n")
    fh.write("".join(buf).encode("utf-8"))


def json_records(n, people, pools, rng, overlap):
    addr = pools["addr"]
    for i in range(n):
        idx = shared_or_new(i, n, 2 * n, rng, overlap)
        name, sex, birth, idn, r, address, mobile = people.get(idx)
        x = rng.random()
        if 0.3 < x < 0.35:
            pool = addr[(r + 2) % 5]
            address = pool[(idx * 17) % len(pool)]
        mob = "null" if x > 0.96 else f'"{mobile}"'
        bd = f'"{birth[:4]}-{birth[4:6]}-{birth[6:]}"' if x > 0.01 else "null"
        idv = "null" if 0.5 < x < 0.51 else f'"{idn}"'
        yield (f'{{"caseNo": "MZ-2026-{i:08d}", "name": "{name}", "idNumber": {idv}, "gender": "{sex}", '
               f'"birthDate": {bd}, "mobile": {mob}, "address": "成都市{address}", '
               f'"assistanceType": "{ASSIST[i % 5]}", "householdSize": {1 + (i * 7) % 6}}}')


def gen_json(fh, n, people, pools, rng, overlap):
    fh.write('{"exportedAt": "2026-11-26T23:30:00+08:00", "records": [\n'.encode("utf-8"))
    buf = []
    first = True
    for rec in json_records(n, people, pools, rng, overlap):
        buf.append(rec if first else ",\n" + rec)
        first = False
        if len(buf) >= BATCH:
            fh.write("".join(buf).encode("utf-8"))
            buf.clear()
    buf.append("\n]}\n")
    fh.write("".join(buf).encode("utf-8"))


def gen_jsonl(fh, n, people, pools, rng, overlap):
    buf = []
    for rec in json_records(n, people, pools, rng, overlap):
        buf.append(rec + "\n")
        if len(buf) >= BATCH:
            fh.write("".join(buf).encode("utf-8"))
            buf.clear()
    fh.write("".join(buf).encode("utf-8"))


FILES = {
    "csv": "social_security_bench.csv",
    "xml": "health_insurance_bench.xml",
    "json": "civil_affairs_bench.json",
    "jsonl": "civil_affairs_bench.jsonl",
}


def verify(out, formats, n):
    import csv, io, json
    import xml.etree.ElementTree as ET
    if "csv" in formats:
        with open(os.path.join(out, FILES["csv"]), "rb") as f:
            text = io.TextIOWrapper(f, encoding="gb18030", newline="")
            rd = csv.reader(text, strict=True)
            hdr = next(rd)
            assert ",".join(hdr) == CSV_HEADER, hdr
            keys, cnt = set(), 0
            for row in rd:
                assert len(row) == 10, row
                keys.add(row[0]); cnt += 1
            assert cnt == n == len(keys), (cnt, len(keys))
        print(f"verify csv: {cnt} records, {len(keys)} unique keys")
    if "xml" in formats:
        keys, cnt = set(), 0
        for ev, el in ET.iterparse(os.path.join(out, FILES["xml"])):
            if el.tag == "person":
                keys.add(el.findtext("insuredId")); cnt += 1
                el.clear()
        assert cnt == n == len(keys), (cnt, len(keys))
        print(f"verify xml: {cnt} records, {len(keys)} unique keys")
    if "json" in formats:
        with open(os.path.join(out, FILES["json"]), encoding="utf-8") as f:
            doc = json.load(f)
        recs = doc["records"]
        assert len(recs) == n == len({r["caseNo"] for r in recs})
        print(f"verify json: {len(recs)} records, unique keys")
    if "jsonl" in formats:
        keys, cnt = set(), 0
        with open(os.path.join(out, FILES["jsonl"]), encoding="utf-8") as f:
            for line in f:
                keys.add(json.loads(line)["caseNo"]); cnt += 1
        assert cnt == n == len(keys)
        print(f"verify jsonl: {cnt} records, {len(keys)} unique keys")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--records", type=int, required=True, help="records per file")
    ap.add_argument("--out", required=True, help="output directory (created if missing)")
    ap.add_argument("--formats", default="csv,xml,json,jsonl", help="comma-separated subset of csv,xml,json,jsonl")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--overlap", type=float, default=0.5,
                    help="fraction of XML/JSON records whose resident also appears in the CSV")
    ap.add_argument("--verify", action="store_true", help="re-read the outputs and check them (small N)")
    a = ap.parse_args(argv)
    formats = [f.strip() for f in a.formats.split(",") if f.strip()]
    bad = [f for f in formats if f not in FILES]
    if bad:
        ap.error(f"unknown format(s): {', '.join(bad)}")
    if a.records < 0:
        ap.error("--records must be >= 0")
    os.makedirs(a.out, exist_ok=True)
    pools = build_pools(a.seed)
    people = People(pools, a.seed)
    if 3 * a.records > people.total:
        ap.error(f"--records too large (max {people.total // 3})")
    gens = {"csv": lambda fh, rng: gen_csv(fh, a.records, people, pools, rng),
            "xml": lambda fh, rng: gen_xml(fh, a.records, people, pools, rng, a.overlap),
            "json": lambda fh, rng: gen_json(fh, a.records, people, pools, rng, a.overlap),
            "jsonl": lambda fh, rng: gen_jsonl(fh, a.records, people, pools, rng, a.overlap)}
    for k, fmt in enumerate(["csv", "xml", "json", "jsonl"]):
        if fmt not in formats:
            continue
        path = os.path.join(a.out, FILES[fmt])
        t = time.time()
        # json and jsonl use the same rng stream, so they hold the same records
        rng = random.Random(f"{a.seed}-{'json' if fmt == 'jsonl' else fmt}")
        with open(path, "wb", buffering=1 << 20) as fh:
            gens[fmt](fh, rng)
        print(f"{path}: {a.records} records, {os.path.getsize(path) / 1e6:.1f} MB, {time.time() - t:.1f} s",
              file=sys.stderr)
    if a.verify:
        verify(a.out, formats, a.records)


if __name__ == "__main__":
    main()
