"""A user's own city pair: the framework YAML and the data table (CSV/Excel, wide or long).

Both readers check everything at once and raise one :class:`~hkfactor.errors.InputError`
listing every problem with its file, row and column.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from hkfactor._io import read_table, read_text
from hkfactor.errors import InputError, Problem
from hkfactor.evaluation._spec import (
    CELL_COLUMNS,
    LINKS,
    QUALIFIERS,
    SOURCE_COLUMNS,
    ChannelSpec,
    EvalFramework,
    EvalPanel,
    IndicatorSpec,
)

__all__ = ["framework_from_dict", "read_data", "read_framework"]

_POS = {"+", "1", "+1", "benefit", "positive", "正", "正向"}
_NEG = {"-", "-1", "cost", "negative", "负", "负向", "逆向"}

# Accepted column names (lower-cased) → canonical name.
_ALIASES = {
    "series": "series", "indicator": "series", "code": "series", "指标": "series", "指标代码": "series",
    "序列": "series",
    "year": "year", "period": "year", "年份": "year", "年": "year",
    "value": "value", "数值": "value", "值": "value",
    "grade": "grade", "等级": "grade", "来源等级": "grade",
    "source": "source", "source_id": "source", "来源": "source",
    "source_url": "source_url", "url": "source_url", "链接": "source_url", "来源链接": "source_url",
    "locator": "locator", "定位": "locator", "出处": "locator",
    "note": "note", "备注": "note",
    "qualifier": "qualifier", "限定": "qualifier", "限定词": "qualifier",
}
_EXTRA = ("grade", "source", "source_url", "locator", "note", "qualifier")
_YEAR = re.compile(r"^\s*(\d{4})(?:\.0)?\s*$")


def _direction(v: Any) -> int | None:
    s = str(v).strip().lower()
    if s in _POS:
        return 1
    if s in _NEG:
        return -1
    return None


def _text(d: dict[str, Any], key: str) -> str:
    v = d.get(key)
    return "" if v is None else str(v).strip()


def framework_from_dict(doc: Any, *, file: str) -> EvalFramework:
    """Validate a parsed framework document and build an :class:`EvalFramework`.

    Expected keys: ``id``, ``name_zh``/``name_en``, optional ``partner``/``focal``
    (``{zh, en}``), ``channels`` (list of ``{id, name_zh, name_en, section, indicators}``),
    ``innovation`` (``{id, name_zh, name_en, indicators}``); an indicator is
    ``{series, name_zh, name_en, direction (+/-), unit, section, link}`` where the optional
    ``link`` is one of ``bilateral``, ``partner``, ``focal``, ``context`` (default
    ``unspecified``; see :class:`IndicatorSpec`).
    """
    problems: list[Problem] = []

    def bad(where: str, msg: str) -> None:
        problems.append(Problem(file, None, where, msg))

    if not isinstance(doc, dict):
        raise InputError([Problem(file, None, None, "expected a YAML mapping with 'channels' and 'innovation'")],
                         title="invalid framework")
    seen: dict[str, str] = {}

    def indicators(raw: Any, where: str) -> tuple[IndicatorSpec, ...]:
        if not isinstance(raw, list) or not raw:
            bad(where, "expected a non-empty list of indicators")
            return ()
        out = []
        for i, item in enumerate(raw):
            w = f"{where}[{i}]"
            if not isinstance(item, dict):
                bad(w, "expected a mapping with 'series', 'name_zh', 'name_en', 'direction'")
                continue
            series = _text(item, "series")
            if not series:
                bad(f"{w}.series", "missing series code")
                continue
            if series in seen:
                bad(f"{w}.series", f"series {series!r} already used at {seen[series]}")
            seen[series] = w
            link = _text(item, "link") or "unspecified"
            if link not in LINKS:
                bad(f"{w}.link", f"indicator {series!r}: link {item.get('link')!r} is not one of "
                    f"{', '.join(LINKS)}")
                link = "unspecified"
            d = _direction(item.get("direction", "+"))
            if d is None:
                bad(f"{w}.direction", f"{item.get('direction')!r} is not a direction; expected + or - "
                    "(benefit/cost, 正向/负向)")
                d = 1
            zh, en = _text(item, "name_zh"), _text(item, "name_en")
            if not zh and not en:
                bad(w, "needs name_zh or name_en")
            out.append(IndicatorSpec(series, zh or en, en or zh, d, _text(item, "unit"), _text(item, "section"),
                                     link))
        return tuple(out)

    def group(raw: Any, where: str, default_id: str) -> ChannelSpec | None:
        if not isinstance(raw, dict):
            bad(where, "expected a mapping with 'id', 'name_zh', 'name_en' and 'indicators'")
            return None
        cid = _text(raw, "id") or default_id
        if not cid:
            bad(f"{where}.id", "missing channel id")
        zh, en = _text(raw, "name_zh"), _text(raw, "name_en")
        return ChannelSpec(cid, zh or en or cid, en or zh or cid,
                           indicators(raw.get("indicators"), f"{where}.indicators"), _text(raw, "section"))

    chans_raw = doc.get("channels")
    channels: list[ChannelSpec] = []
    if not isinstance(chans_raw, list) or not chans_raw:
        bad("channels", "expected a non-empty list of channels")
    else:
        ids: set[str] = set()
        for i, c in enumerate(chans_raw):
            g = group(c, f"channels[{i}]", "")
            if g is not None:
                if g.id in ids:
                    bad(f"channels[{i}].id", f"channel id {g.id!r} repeated")
                ids.add(g.id)
                channels.append(g)
    inn = group(doc.get("innovation"), "innovation", "innovation")
    if problems or inn is None:
        raise InputError(problems, title="invalid framework")
    partner = doc.get("partner") or {}
    focal = doc.get("focal") or {}
    return EvalFramework(
        id=_text(doc, "id") or Path(file).stem,
        name_zh=_text(doc, "name_zh") or _text(doc, "name_en"),
        name_en=_text(doc, "name_en") or _text(doc, "name_zh"),
        channels=tuple(channels),
        innovation=inn,
        partner_zh=_text(partner, "zh") or "香港" if isinstance(partner, dict) else "香港",
        partner_en=_text(partner, "en") or "Hong Kong" if isinstance(partner, dict) else "Hong Kong",
        focal_zh=_text(focal, "zh") or "深圳" if isinstance(focal, dict) else "深圳",
        focal_en=_text(focal, "en") or "Shenzhen" if isinstance(focal, dict) else "Shenzhen",
        source=file,
    )


def read_framework(path: str | Path) -> EvalFramework:
    """Read and validate a framework YAML file (UTF-8 or GBK)."""
    p = Path(path)
    text, _enc = read_text(p)
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        raise InputError([Problem(str(p), row, None, f"not valid YAML: {getattr(exc, 'problem', exc)}")],
                         title="invalid framework") from None
    return framework_from_dict(doc, file=str(p))


def _number(v: Any) -> float | None:
    """A cell as a float; ``None`` when it is not a number. Empty cells are NaN."""
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return float("nan")
    if isinstance(v, int | float):
        return float(v)
    s = str(v).strip().replace(",", "").replace("，", "").replace(" ", "")
    if s == "" or s.lower() in {"nan", "na", "n/a", "-", "—", "..", "…"}:
        return float("nan")
    try:
        return float(s)
    except ValueError:
        return None


def _year(v: Any) -> int | None:
    m = _YEAR.match(str(v))
    if m is None:
        return None
    y = int(m.group(1))
    return y if 1900 <= y <= 2100 else None


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in rec.items()} for rec in df.to_dict("records")]


def read_data(path: str | Path, framework: EvalFramework, *, sheet: str | int = 0) -> EvalPanel:
    """Read a user's data table into an :class:`EvalPanel`, checking every cell.

    Three layouts are recognised from the header:

    * **long** — columns ``series, year, value`` (Chinese ``指标, 年份, 数值`` also accepted),
      optional ``grade, source, source_url, locator, note, qualifier`` (``about``, ``over``,
      ``at_least``, ``under``, ``lower_bound_share`` or ``exact``/empty);
    * **wide, years as rows** — a ``year`` column and one column per series code;
    * **wide, series as rows** — a ``series`` column and one column per year.

    Series must be those of the framework (a typo would otherwise silently drop data).
    Values may use thousands separators; empty cells are missing.
    """
    p = Path(path)
    df = read_table(p, sheet=sheet, dtype=str)
    fname = str(p)
    df.columns = pd.Index([str(c).strip() for c in df.columns])
    names: list[str] = [str(c) for c in df.columns]
    canon: dict[str, str] = {c: _ALIASES.get(c.lower(), c) for c in names}
    cols = set(canon.values())
    known = {ind.series for _s, _c, ind in framework.indicators()}
    problems: list[Problem] = []
    records: list[dict[str, Any]] = []

    def add(row: int, col: str, series: str, year: Any, raw: Any, extra: dict[str, Any]) -> None:
        y = _year(year)
        v = _number(raw)
        if series not in known:
            problems.append(Problem(fname, row, col, f"series {series!r} is not in the framework; expected one of "
                                    f"{', '.join(sorted(known))}"))
            return
        if y is None:
            problems.append(Problem(fname, row, col, f"year {year!r} is not a 4-digit year (1900–2100)"))
            return
        if v is None:
            problems.append(Problem(fname, row, col, f"value {raw!r} is not a number"))
            return
        if v != v:  # NaN: missing, nothing to record
            return
        grade = str(extra.get("grade", "") or "").strip().upper()
        if grade and grade not in {"A", "B", "C", "P"}:
            problems.append(Problem(fname, row, "grade", f"grade {grade!r} is not one of A, B, C, P"))
        qual = str(extra.get("qualifier", "") or "").strip().lower()
        if qual == "exact":
            qual = ""
        if qual and qual not in QUALIFIERS:
            problems.append(Problem(fname, row, "qualifier", f"qualifier {qual!r} is not one of exact, "
                                    f"{', '.join(QUALIFIERS)}"))
        records.append({"series": series, "year": y, "value": v, "grade": grade, "_row": row, "_col": col,
                        "qualifier": qual,
                        **{k: str(extra.get(k, "") or "").strip() for k in ("source", "source_url", "locator", "note")}})

    inv = {v: k for k, v in canon.items()}
    if {"series", "year", "value"} <= cols:
        for i, rec in enumerate(_records(df)):
            row = i + 2
            extra = {canon[k]: v for k, v in rec.items()}
            if not any(str(v).strip() for v in rec.values()):
                continue
            series = str(extra.get("series", "")).strip()
            add(row, inv["value"], series, extra.get("year"), extra.get("value"), extra)
    elif "year" in cols:
        ycol = inv["year"]
        for i, rec in enumerate(_records(df)):
            row = i + 2
            if not any(str(v).strip() for v in rec.values()):
                continue
            for c in names:
                if c == ycol:
                    continue
                add(row, c, c, rec[ycol], rec[c], {})
    elif "series" in cols:
        scol = inv["series"]
        year_cols = [c for c in names if c != scol]
        for c in year_cols:
            if _year(c) is None and canon[c] not in _EXTRA:
                problems.append(Problem(fname, 1, c, "column is neither a year nor a known field"))
        for i, rec in enumerate(_records(df)):
            row = i + 2
            if not any(str(v).strip() for v in rec.values()):
                continue
            extra = {canon[k]: rec[k] for k in names if canon[k] in _EXTRA}
            for c in year_cols:
                if _year(c) is not None:
                    add(row, c, str(rec[scol]).strip(), c, rec[c], extra)
    else:
        raise InputError([Problem(fname, 1, None, "cannot tell the layout: expected columns series, year, value "
                                  "(long), a 'year' column plus one column per series (wide), or a 'series' "
                                  "column plus one column per year")], title="invalid data")

    seen: dict[tuple[str, int], int] = {}
    for rec in records:
        key = (rec["series"], rec["year"])
        if key in seen:
            problems.append(Problem(fname, rec["_row"], rec["_col"],
                                    f"{key[0]} {key[1]} given twice (first at row {seen[key]})"))
        else:
            seen[key] = rec["_row"]
    if problems:
        raise InputError(problems, title="invalid data")
    if not records:
        raise InputError([Problem(fname, None, None, "no values for any series of the framework")], title="invalid data")

    # Sources: one per distinct (source, url); without any, the file itself is the source.
    src_rows: dict[str, dict[str, str]] = {}
    cells = []
    for rec in records:
        name, url = str(rec["source"]), str(rec["source_url"])
        if name or url:
            slug = re.sub(r"[^A-Za-z0-9]+", "-", name or url).strip("-")[:40].upper()
            sid = f"U-{slug}" if slug and (name or url).isascii() else f"U-{len(src_rows) + 1}"
            skey = f"{name}|{url}"
            found = next((k for k, v in src_rows.items() if v["_key"] == skey), None)
            if found is None:
                while sid in src_rows:
                    sid += "X"
                src_rows[sid] = {"_key": skey, "id": sid, "title_zh": name, "title_en": name, "publisher": "",
                                 "url": url, "grade": rec["grade"]}
            else:
                sid = found
        else:
            sid = "U-FILE"
            src_rows.setdefault(sid, {"_key": "", "id": sid, "title_zh": f"用户数据 {p.name}",
                                      "title_en": f"user data {p.name}", "publisher": "", "url": p.name, "grade": ""})
        locator = rec["locator"] or f"{p.name} row {rec['_row']}, {rec['_col']}"
        cells.append({"series": rec["series"], "year": rec["year"], "value": rec["value"], "grade": rec["grade"],
                      "source_id": sid, "observation_id": f"{rec['series']}@{rec['year']}", "locator": locator,
                      "note": rec["note"], "qualifier": rec["qualifier"]})
    cells_df = pd.DataFrame(cells, columns=list(CELL_COLUMNS)).sort_values(["series", "year"], ignore_index=True)
    sources = pd.DataFrame([{k: v for k, v in s.items() if k != "_key"} for s in src_rows.values()],
                           columns=list(SOURCE_COLUMNS)).sort_values("id", ignore_index=True)
    return EvalPanel(cells=cells_df, sources=sources, label=p.name)
