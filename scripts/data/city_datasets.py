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
          "(2023-09-19)."),
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
    for src, convert in DATASETS:
        raw = _git_bytes(args.mirrors, src)
        rows = list(convert(raw))
        text = raw.decode("utf-8-sig", errors="replace")
        for r in rows:
            if r["locator"] not in text and not r["note"].startswith("Sheet "):
                raise ValueError(f"{r['id']}: locator {r['locator']!r} not found in {src.path}")
        obs.extend(rows)
        sources.append(src.row())
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
