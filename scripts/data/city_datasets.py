"""Convert public repositories' data files into city-panel observation rows (issue 11).

Each dataset below names one file in one public GitHub repository, read at a pinned commit from a
local git mirror (the search tool's ``fetch`` puts them under ``/work/.mirror/<owner>+<name>/repo``).
The script writes

* ``src/hkfactor/evidence/data/observations/panel_city_datasets.csv`` and
* ``src/hkfactor/evidence/data/sources/panel_city_datasets.csv``

from scratch, so a rerun reproduces the committed rows. Nothing from the mirrors is committed:
only the rows. Every locator is a verbatim substring (at most 30 characters, holding the printed
value) of the file's text, checked before it is written; for spreadsheets the locator is the cell
text and the note names sheet, row and column.

Usage::

    python scripts/data/city_datasets.py [--mirrors /work/.mirror] [--check]

``--check`` compares the generated rows with the committed files instead of writing them.
"""

from __future__ import annotations

import argparse
import csv
import io
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "src" / "hkfactor" / "evidence" / "data"
OBS_FILE = DATA / "observations" / "panel_city_datasets.csv"
SRC_FILE = DATA / "sources" / "panel_city_datasets.csv"

OBS_HEADER = ["id", "series", "geography", "period", "printed_value", "printed_unit", "source_id", "locator",
              "grade", "vintage", "derived_from", "note"]
SRC_HEADER = ["id", "kind", "ref_label", "title_zh", "title_en", "publisher", "url", "date", "grade", "note"]

YEARS = range(2005, 2024)
MAX_LOCATOR = 30

#: city code in geographies.csv → (administrative division code, Chinese name)
CITIES: dict[str, tuple[str, str]] = {
    "SZ": ("440300", "深圳市"), "GZ": ("440100", "广州市"), "ZH": ("440400", "珠海市"),
    "FS": ("440600", "佛山市"), "HUIZ": ("441300", "惠州市"), "DG": ("441900", "东莞市"),
    "ZS": ("442000", "中山市"), "JM": ("440700", "江门市"), "ZQ": ("441200", "肇庆市"),
    "BJ": ("110000", "北京市"), "SH": ("310000", "上海市"), "TJ": ("120000", "天津市"),
    "CQ": ("500000", "重庆市"), "HZ": ("330100", "杭州市"), "SUZ": ("320500", "苏州市"),
    "NJ": ("320100", "南京市"), "WH": ("420100", "武汉市"), "CD": ("510100", "成都市"),
    "XA": ("610100", "西安市"), "HF": ("340100", "合肥市"), "CS": ("430100", "长沙市"),
    "QD": ("370200", "青岛市"), "NB": ("330200", "宁波市"), "XM": ("350200", "厦门市"),
}
BY_ADCODE = {code: geo for geo, (code, _) in CITIES.items()}
BY_NAME_ZH = {name: geo for geo, (_, name) in CITIES.items()}


@dataclass(frozen=True)
class Source:
    """One data file of one repository at one commit (a row of the sources table)."""

    id: str
    repo: str
    commit: str
    path: str
    vintage: str
    title_en: str
    note: str
    grade: str = "C"
    title_zh: str = ""

    @property
    def url(self) -> str:
        return f"https://github.com/{self.repo}/blob/{self.commit}/{self.path}"

    def row(self) -> dict[str, str]:
        return {"id": self.id, "kind": "dataset", "ref_label": "", "title_zh": self.title_zh,
                "title_en": self.title_en, "publisher": self.repo.split("/")[0], "url": self.url,
                "date": self.vintage, "grade": self.grade, "note": self.note}


def _git_bytes(mirrors: Path, src: Source) -> bytes:
    repo = mirrors / src.repo.replace("/", "+") / "repo"
    if not repo.is_dir():
        sys.exit(f"no mirror of {src.repo} at {repo}; fetch it first (search tool: fetch github:{src.repo})")
    return subprocess.run(["git", "-C", str(repo), "show", f"{src.commit}:{src.path}"], check=True,
                          capture_output=True).stdout


def _obs(series: str, geo: str, year: int, n: int, value: str, unit: str, src: Source, locator: str,
         note: str) -> dict[str, str]:
    if len(locator) > MAX_LOCATOR or value not in locator:
        raise ValueError(f"bad locator {locator!r} for {value!r}")
    return {"id": f"O-P-{series.upper()}-{geo}-{year}-D{n}", "series": series, "geography": geo,
            "period": str(year), "printed_value": value, "printed_unit": unit, "source_id": src.id,
            "locator": locator, "grade": src.grade, "vintage": src.vintage, "derived_from": "", "note": note}


def _window(line: str, value_field: str) -> str:
    """The last ``MAX_LOCATOR`` characters of ``line`` up to and including ``value_field``."""
    end = line.index(value_field) + len(value_field)
    return line[max(0, end - MAX_LOCATOR):end]


# --- D1: CSMAR regional economy (CRE) city GDP table, copied in eileenCHEN-9/PhD_2022_2025 -------------

CRE_GDP = Source(
    id="S-P-DS-CRE-GDPCT",
    repo="eileenCHEN-9/PhD_2022_2025",
    commit="f20bcc5e60189da7c99eb185c8b981f116b07af9",
    path="data/raw_data/statistics/CRE_Gdpct.csv",
    vintage="2023-09-19",
    title_en=("eileenCHEN-9/PhD_2022_2025, data/raw_data/statistics/CRE_Gdpct.csv: CSMAR China Regional "
              "Economy database, city GDP table (Gdpct), cities 1990-2021"),
    note=("Third-party copy (a PhD project's raw-data folder) of the CSMAR CRE export 'Gdpct'; its field "
          "list CRE_Gdpct[DES][csv].txt says Gdpct01 [Gdp] (unit: 100 million), i.e. 亿元. CSMAR compiles "
          "the table from the China City Statistical Yearbook (中国城市统计年鉴) and city statistical "
          "yearbooks; figures are the latest revised values CSMAR held (e.g. Beijing 2015 = 24779.1, the "
          "post-2017 revision), not first releases. File content identical since commit ff66ee64 "
          "(2023-09-19). Checked against the official pages cited in panel_city_gba/panel_city_donors: 79 of 97 "
          "overlapping city-years agree within 1%; the others are first releases before later revisions (Beijing, "
          "Shanghai, Chongqing 2016-2018 after the fourth economic census; Guangzhou 2011; Zhaoqing 2009) or "
          "figures rounded to 0.01 trillion."),
)


def cre_gdp(data: bytes) -> Iterator[dict[str, str]]:
    text = data.decode("utf-8-sig")
    for line in text.splitlines()[1:]:
        cells = next(csv.reader([line]))
        year, adcode, gdp = cells[0], cells[2], cells[6]
        geo = BY_ADCODE.get(adcode)
        if geo is None or not year.isdigit() or int(year) not in YEARS or not gdp:
            continue
        field = f'"{gdp}"'
        yield _obs("city_gdp", geo, int(year), 1, gdp, "亿元", CRE_GDP, _window(line, field),
                   f"Row Sgnyea={year}, Ctnm_id={adcode} ({cells[1].strip()}), column Gdpct01 [Gdp] "
                   "(unit: 100 million yuan per the field list).")


# --- D2: China Statistical Yearbook on Science and Technology, tables 7-7/7-8 (8-7/8-8), in huhuaping/techme --
# --- D3: NBS statistical communiqués on science and technology funding, provincial table, same repository -----

TECHME_REPO = "huhuaping/techme"
TECHME_COMMIT = "9ad60a190dec4a56953da9c478d42cd44c80762a"
#: the four province-level municipalities among the panel cities
MUNICIPALITIES = {"北京": "BJ", "天津": "TJ", "上海": "SH", "重庆": "CQ"}


def _git_date(mirrors: Path, repo: str, path: str) -> str:
    git_dir = mirrors / repo.replace("/", "+") / "repo"
    if not git_dir.is_dir():
        return ""
    out = subprocess.run(["git", "-C", str(git_dir), "log", "-1", "--format=%ad", "--date=short", TECHME_COMMIT,
                          "--", path], check=True, capture_output=True, text=True).stdout.strip()
    return out


def _sheet_rows(data: bytes) -> list[tuple[object, ...]]:
    import openpyxl  # the 'excel' extra; only this maintenance script needs it

    ws = openpyxl.load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    ws.reset_dimensions()  # some of these files declare a wrong sheet size
    return [tuple(r) for r in ws.iter_rows(values_only=True)]


def _patent_source(kind: str, year: int, vintage: str) -> Source:
    folder = {"accept": "01-accept", "grant": "02-authority"}[kind]
    what = {"accept": "国内三种专利申请受理数按地区分布 (domestic applications for the three kinds of patents accepted, "
                      "by region)",
            "grant": "国内三种专利授权数按地区分布 (domestic patents of the three kinds granted, by region)"}[kind]
    table = {"accept": "7-7" if year <= 2015 else "8-7", "grant": "7-8" if year <= 2015 else "8-8"}[kind]
    return Source(
        id=f"S-P-DS-TECHME-PAT-{kind.upper()}-{year}",
        repo=TECHME_REPO, commit=TECHME_COMMIT,
        path=f"data-raw/tech-yearbook/part08-output/01-patent/{folder}/raw-{year}.xlsx",
        vintage=vintage,
        title_zh=f"中国科技统计年鉴 表{table} {what.split(' (')[0]}（{year}年）",
        title_en=(f"huhuaping/techme, data-raw/tech-yearbook/part08-output/01-patent/{folder}/raw-{year}.xlsx: "
                  f"China Statistical Yearbook on Science and Technology {year + 1}, table {table} {what}, {year}"),
        note=("Third-party copy (an R data package's raw-data folder) of the yearbook table; the sheet prints "
              "its title, 单位：件 (piece), and columns 合计/发明/实用新型/外观设计 by province. The yearbook takes "
              "the counts from CNIPA. Only the rows of the four municipalities (Beijing, Tianjin, Shanghai, "
              "Chongqing, which are cities of the panel) are used. Checked: the 2016 invention applications of "
              "the four and the 2015 grants of Beijing, Tianjin and Shanghai equal CNIPA's own tables "
              "(S-P-DON-CNIPA-T2-2016-12, S-P-DON-CNIPA-YB2015-B4)."),
    )


def patents(kind: str, year: int, src: Source, data: bytes) -> Iterator[dict[str, str]]:
    rows = _sheet_rows(data)
    heads = " ".join(str(c) for r in rows[:4] for c in r if c)
    if f"({year}年)" not in heads.replace(" ", ""):
        raise ValueError(f"{src.path}: title does not name the year {year}")
    series = {"accept": ("city_patent_applications", "city_invention_applications"),
              "grant": ("city_patent_grants", "city_invention_grants")}[kind]
    col_names = ("合计", "发明")
    for i, row in enumerate(rows, 1):
        name = "".join(str(row[0] or "").split()) if row else ""
        geo = MUNICIPALITIES.get(name)
        if geo is None:
            continue
        for j, (code, col) in enumerate(zip(series, col_names, strict=True)):
            cell = str(row[2 + j])
            value = cell.strip()
            if not value.isdigit():
                raise ValueError(f"{src.path} row {i}: {cell!r} is not a count")
            yield _obs(code, geo, year, 2, value, "件", src, value,
                       f"Sheet 1, row {i} ({name}), column {col} (column {'CD'[j]}); unit 单位：件 printed above "
                       f"the table.")


def _rd_source(year: int, vintage: str) -> Source:
    return Source(
        id=f"S-P-DS-TECHME-RD-{year}",
        repo=TECHME_REPO, commit=TECHME_COMMIT,
        path=f"data-raw/public-site/nbs-RD-bulletin/02-xls/raw-{year}.xlsx",
        vintage=vintage,
        title_zh=f"{year}年全国科技经费投入统计公报 附表 各地区研究与试验发展(R&D)经费情况（整理）",
        title_en=(f"huhuaping/techme, data-raw/public-site/nbs-RD-bulletin/02-xls/raw-{year}.xlsx: R&D "
                  f"expenditure and intensity by province, {year}, transcribed from the NBS/MOST/MOF statistical "
                  f"communiqué on national science and technology funding"),
        note=("Third-party transcription (an R data package) of the communiqué's annex table 各地区研究与试验发展"
              "(R&D)经费情况; columns 地区, RD经费, RD强度 without printed units: the communiqué gives R&D "
              "expenditure in 亿元 and intensity (R&D / regional GDP) in %. Only the four municipalities are used. "
              "raw-2018.xlsx repeats the 2019 figures and is not used."),
    )


def rd(year: int, src: Source, data: bytes) -> Iterator[dict[str, str]]:
    rows = _sheet_rows(data)
    if rows[0][:3] != ("地区", "RD经费", "RD强度"):
        raise ValueError(f"{src.path}: unexpected header {rows[0]!r}")
    for i, row in enumerate(rows, 1):
        geo = MUNICIPALITIES.get(str(row[0]))
        if geo is None:
            continue
        for code, col, unit, cell in (("city_rd_expenditure", "RD经费", "亿元", row[1]),
                                      ("city_rd_intensity", "RD强度", "%", row[2])):
            value = f"{cell:g}" if isinstance(cell, float) else str(cell)
            yield _obs(code, geo, year, 3, value, unit, src, value,
                       f"Sheet 1, row {i} ({row[0]}), column {col}; the file prints no unit ({unit} in the "
                       "communiqué).")


# --- D5: the 2018 row missing from D3, from the same repository's tidy copy of the S&T yearbook table ----------

SI_2018_PATH = "data-raw/data-tidy/tech-yearbook/part01-over/02-spend-intense/2018.xlsx"


def _si_source(vintage: str) -> Source:
    return Source(
        id="S-P-DS-TECHME-SI-2018",
        repo=TECHME_REPO, commit=TECHME_COMMIT, path=SI_2018_PATH, vintage=vintage,
        title_zh="中国科技统计年鉴2019 各地区R&D经费及投入强度（2018年，整理）",
        title_en=(f"huhuaping/techme, {SI_2018_PATH}: R&D expenditure and intensity by province, 2018, tidy copy "
                  "of the China Statistical Yearbook on Science and Technology 2019 table (raw file "
                  "data-raw/tech-yearbook/part01-over/02-spend-intense/raw-2018.xls)"),
        note=("Third-party long-format copy (an R data package); columns province, year, chn_block4 (RD经费 / RD强度), "
              "value, units (亿元 / %). Used only for 2018, the year whose communiqué transcription (raw-2018.xlsx) "
              "repeats 2019. Only the four municipalities are used."),
    )


def rd_2018(src: Source, data: bytes) -> Iterator[dict[str, str]]:
    rows = _sheet_rows(data)
    if rows[0][:5] != ("province", "year", "chn_block4", "value", "units"):
        raise ValueError(f"{src.path}: unexpected header {rows[0]!r}")
    series = {"RD经费": "city_rd_expenditure", "RD强度": "city_rd_intensity"}
    for i, (prov, year, block, cell, unit, *_) in enumerate(rows[1:], 2):
        geo = MUNICIPALITIES.get(str(prov))
        if geo is None or block not in series:
            continue
        if str(year) != "2018":
            raise ValueError(f"{src.path} row {i}: year {year!r}")
        value = f"{cell:g}" if isinstance(cell, float) else str(cell)
        yield _obs(series[block], geo, 2018, 5, value, str(unit), src, value,
                   f"Sheet 1, row {i} ({prov}, {block}), column value; unit column says {unit}.")


def _xlsx_datasets(mirrors: Path) -> list[tuple[Source, Callable[[bytes], Iterator[dict[str, str]]]]]:
    out: list[tuple[Source, Callable[[bytes], Iterator[dict[str, str]]]]] = []
    for kind in ("accept", "grant"):
        for year in range(2010, 2024):
            folder = {"accept": "01-accept", "grant": "02-authority"}[kind]
            path = f"data-raw/tech-yearbook/part08-output/01-patent/{folder}/raw-{year}.xlsx"
            src = _patent_source(kind, year, _git_date(mirrors, TECHME_REPO, path))
            out.append((src, lambda d, k=kind, y=year, s=src: patents(k, y, s, d)))
    for year in (*range(2011, 2018), *range(2019, 2024)):
        path = f"data-raw/public-site/nbs-RD-bulletin/02-xls/raw-{year}.xlsx"
        src = _rd_source(year, _git_date(mirrors, TECHME_REPO, path))
        out.append((src, lambda d, y=year, s=src: rd(y, s, d)))
    si = _si_source(_git_date(mirrors, TECHME_REPO, SI_2018_PATH))
    out.append((si, lambda d, s=si: rd_2018(s, d)))
    return out


# --- D4: official stored pages that confirm sampled dataset values (cited as separate observations) ----------

GOVCN_BJ_RD_2015 = {
    "id": "S-P-DS-VERIFY-GOVCN-20161120", "kind": "web", "ref_label": "",
    "title_zh": "北京研发经费投入强度全国居首", "title_en": "Beijing's R&D intensity ranks first in China",
    "publisher": "中国政府网 gov.cn (from 北京日报 Beijing Daily)",
    "url": "http://www.gov.cn/xinwen/2016-11/20/content_5134812.htm", "date": "2016-11-20", "grade": "B",
    "note": ("Central government portal reprint of a Beijing Daily report on the 2015 national communiqué on S&T "
             "funding; states Beijing's 2015 R&D expenditure and intensity. Confirms the huhuaping/techme "
             "transcription (S-P-DS-TECHME-RD-2015) for Beijing."),
}
STATIC_SOURCES = [GOVCN_BJ_RD_2015]
STATIC_OBS = [
    {"id": "O-P-CITY_RD_EXPENDITURE-BJ-2015-D4", "series": "city_rd_expenditure", "geography": "BJ", "period": "2015",
     "printed_value": "1384", "printed_unit": "亿元", "source_id": GOVCN_BJ_RD_2015["id"],
     "locator": "北京市R&D经费支出为1384亿元", "grade": "B", "vintage": "2016-11-20", "derived_from": "",
     "note": "Last paragraph. Same figure as O-P-CITY_RD_EXPENDITURE-BJ-2015-D3 (dataset copy of the communiqué)."},
    {"id": "O-P-CITY_RD_INTENSITY-BJ-2015-D4", "series": "city_rd_intensity", "geography": "BJ", "period": "2015",
     "printed_value": "6.01", "printed_unit": "%", "source_id": GOVCN_BJ_RD_2015["id"],
     "locator": "R&D经费投入强度达6.01%", "grade": "B", "vintage": "2016-11-20", "derived_from": "",
     "note": "Last paragraph. Same figure as O-P-CITY_RD_INTENSITY-BJ-2015-D3."},
]


DATASETS: list[tuple[Source, Callable[[bytes], Iterator[dict[str, str]]]]] = [
    (CRE_GDP, cre_gdp),
]


def _csv_text(header: list[str], rows: list[dict[str, str]]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=header, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mirrors", type=Path, default=Path("/work/.mirror"))
    ap.add_argument("--check", action="store_true", help="compare with the committed files; write nothing")
    args = ap.parse_args(argv)
    obs: list[dict[str, str]] = []
    sources: list[dict[str, str]] = []
    for src, convert in [*DATASETS, *_xlsx_datasets(args.mirrors)]:
        raw = _git_bytes(args.mirrors, src)
        rows = list(convert(raw))
        text = raw.decode("utf-8-sig", errors="replace")
        for r in rows:
            if not src.path.endswith(".xlsx") and r["locator"] not in text:
                raise ValueError(f"{r['id']}: locator {r['locator']!r} not found in {src.path}")
        obs.extend(rows)
        sources.append(src.row())
    obs.extend(STATIC_OBS)
    sources.extend(STATIC_SOURCES)
    ids = [r["id"] for r in obs]
    if len(ids) != len(set(ids)):
        raise ValueError("duplicate observation ids")
    out = {OBS_FILE: _csv_text(OBS_HEADER, obs), SRC_FILE: _csv_text(SRC_HEADER, sources)}
    if args.check:
        stale = [p for p, t in out.items() if not p.exists() or p.read_text(encoding="utf-8") != t]
        for p in stale:
            print(f"differs: {p.relative_to(ROOT)}")
        return 1 if stale else 0
    for p, t in out.items():
        p.write_text(t, encoding="utf-8")
    print(f"{len(obs)} observations from {len(sources)} files")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
