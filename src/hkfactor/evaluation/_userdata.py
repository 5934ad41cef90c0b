"""A user's own city pair: the framework YAML and the data table (CSV/Excel, wide or long).

Both readers check everything at once and raise one :class:`~hkfactor.errors.InputError`
listing every problem with its file, row and column (for the framework: its YAML path, e.g.
``channels[1].indicators[0]``). Identical problems on many rows are reported once with the
rows they occur on.

Cell rules (documented in ``docs/evaluate.md``):

* a value is a finite number, optionally with thousands separators (``1,200``);
* an empty cell, or one of :data:`MISSING_MARKERS` (``..``, ``…``, ``—``, ``-``, ``N/A``, ``NA``,
  ``n.a.``, ``NaN`` …, as Chinese yearbooks and Excel write them), is missing; every marker cell
  is listed in an ``input`` decision of the evaluation;
* ``12%`` is accepted only for an indicator whose unit is ``share`` (read as 0.12, listed in a
  decision) or ``%`` (read as 12: the sign repeats the unit); elsewhere it is an error;
* anything else — text, ``inf``, ``1e400`` — is an error;
* a year is four digits (``2011``, ``2011.0`` as Excel writes it) or ``2011年``.
"""

from __future__ import annotations

import difflib
import math
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
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

__all__ = ["MISSING_MARKERS", "DataError", "framework_from_dict", "read_data", "read_framework"]

_POS = {"+", "1", "+1", "benefit", "positive", "正", "正向"}
_NEG = {"-", "-1", "cost", "negative", "负", "负向", "逆向"}

#: Cell texts read as *missing* (compared case-insensitively, after trimming spaces), besides an
#: empty cell. Each such cell is listed in an ``input`` decision.
MISSING_MARKERS = ("..", "...", "…", "……", "—", "——", "-", "N/A", "NA", "n.a.", "NaN")
_MISSING = {m.lower() for m in MISSING_MARKERS}
_SHARE_UNITS = {"share", "比重", "份额"}
_PERCENT_UNITS = {"%", "％", "percent", "百分比", "百分点"}

# Allowed keys of the framework YAML, by level.
_KEYS_TOP = ("id", "name_zh", "name_en", "partner", "focal", "channels", "innovation")
_KEYS_CITY = ("zh", "en")
_KEYS_GROUP = ("id", "name_zh", "name_en", "section", "indicators", "rationale")
_KEYS_IND = ("series", "name_zh", "name_en", "direction", "unit", "section", "link", "rationale")

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
_YEAR = re.compile(r"^\s*(\d{4})(?:\.0)?\s*年?\s*$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}([,，\s\u00a0\u2009\u202f]\d{3})+(\.\d*)?$")
_TOKENIZER = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
#: Above this many problems in one column, only the first few are listed, then a count.
_MAX_PER_COLUMN, _SHOW_PER_COLUMN = 8, 5


@dataclass(frozen=True)
class _YamlProblem(Problem):
    """A framework problem: ``field`` is a YAML path (``channels[1].indicators[0].direction``)."""

    def __str__(self) -> str:
        return f"{self.file}, at {self.field}: {self.message}" if self.field else f"{self.file}: {self.message}"


def _ranges(rows: Sequence[int]) -> str:
    """``[2, 3, 4, 7]`` → ``2–4, 7`` (at most six runs, then ``…``)."""
    runs: list[tuple[int, int]] = []
    for r in sorted(set(rows)):
        if runs and r == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], r)
        else:
            runs.append((r, r))
    text = [f"{a}" if a == b else f"{a}–{b}" for a, b in runs[:6]]
    return ", ".join(text) + (", …" if len(runs) > 6 else "")


@dataclass(frozen=True)
class _RowsProblem(Problem):
    """The same problem on several rows (``row`` is the first of ``rows``)."""

    rows: tuple[int, ...] = ()

    def __str__(self) -> str:
        where = f"{self.file}, rows {_ranges(self.rows)} ({len(self.rows)} rows)"
        if self.field:
            where += f", column '{self.field}'"
        return f"{where}: {self.message}"


class DataError(InputError):
    """An :class:`InputError` from :func:`read_data`; ``unknown_series`` lists the series the
    data names that the framework does not have (the CLI uses it to say ``--framework`` is missing)."""

    def __init__(self, problems: Iterable[Problem], *, title: str = "invalid data",
                 unknown_series: Sequence[str] = ()) -> None:
        super().__init__(problems, title=title)
        self.unknown_series: tuple[str, ...] = tuple(unknown_series)


def _summarise(problems: list[Problem]) -> list[Problem]:
    """One line for identical problems on many rows; at most a few lines per column, then a count."""
    groups: dict[tuple[str, str | None, str], list[Problem]] = {}
    for pr in problems:
        groups.setdefault((pr.file, pr.field, pr.message), []).append(pr)
    merged: list[Problem] = []
    for (file, field, message), grp in groups.items():
        rows = [g.row for g in grp if g.row is not None]
        if len(grp) > 1 and len(rows) == len(grp):
            merged.append(_RowsProblem(file, rows[0], field, message, rows=tuple(rows)))
        else:
            merged += grp
    merged.sort(key=lambda pr: (pr.row is not None, pr.row or 0))
    per_col: dict[tuple[str, str | None], list[Problem]] = {}
    for pr in merged:
        per_col.setdefault((pr.file, pr.field), []).append(pr)
    out: list[tuple[int, Problem]] = []  # (row to sort by, problem): file-level problems first, then by row
    for (file, field), grp in per_col.items():
        if len(grp) <= _MAX_PER_COLUMN or field is None:
            out += [(pr.row or 0, pr) for pr in grp]
            continue
        out += [(pr.row or 0, pr) for pr in grp[:_SHOW_PER_COLUMN]]
        rest = grp[_SHOW_PER_COLUMN:]
        rows = [r for pr in rest for r in (pr.rows if isinstance(pr, _RowsProblem) else (pr.row,)) if r is not None]
        out.append((min(rows, default=0), Problem(file, None, field, f"… and {len(rest)} more problem(s) like these "
                                                  f"in this column (rows {_ranges(rows)})")))
    return [pr for _r, pr in sorted(out, key=lambda t: t[0])]


def _suggest(word: str, choices: Iterable[str]) -> str:
    """`` — did you mean 'x'?`` for the closest choice, or ``""``."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    if not close:
        low = {c.lower(): c for c in choices}
        close = [low[k] for k in difflib.get_close_matches(word.lower(), list(low), n=1, cutoff=0.6)]
    return f" — did you mean {close[0]!r}?" if close else ""


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
    ``{series, name_zh, name_en, direction (+/-), unit, section, link, rationale}`` where
    ``direction`` is required and the optional ``link`` is one of ``bilateral``, ``partner``,
    ``focal``, ``context`` (default ``unspecified``; see :class:`IndicatorSpec`). ``rationale``
    (indicators and channels) is free text, not read.

    A key not in these lists (a typo such as ``directon``) is an error naming its YAML path,
    with the closest allowed key — never silently ignored.
    """
    problems: list[Problem] = []

    def bad(where: str, msg: str) -> None:
        problems.append(_YamlProblem(file, None, where or None, msg))

    def keys(d: dict[Any, Any], allowed: Sequence[str], where: str) -> None:
        for k in d:
            if str(k) not in allowed:
                bad(where, f"unknown key {str(k)!r}{_suggest(str(k), allowed)} (allowed here: "
                    f"{', '.join(allowed)})")

    if not isinstance(doc, dict):
        raise InputError([Problem(file, None, None, "expected a YAML mapping with 'channels' and 'innovation'")],
                         title="invalid framework")
    keys(doc, _KEYS_TOP, "")
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
            keys(item, _KEYS_IND, w)
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
            if _text(item, "direction") == "":
                bad(f"{w}.direction", f"indicator {series!r}: 'direction' is required — write direction: \"+\" "
                    "(more is better, 正向) or direction: \"-\" (less is better, 负向)")
                d = 1
            else:
                parsed = _direction(item.get("direction"))
                if parsed is None:
                    bad(f"{w}.direction", f"indicator {series!r}: {item.get('direction')!r} is not a direction; "
                        "expected + or - (benefit/cost, 正向/负向)")
                d = parsed or 1
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
        keys(raw, _KEYS_GROUP, where)
        cid = _text(raw, "id") or default_id
        if not cid:
            bad(f"{where}.id", "missing channel id")
        zh, en = _text(raw, "name_zh"), _text(raw, "name_en")
        return ChannelSpec(cid, zh or en or cid, en or zh or cid,
                           indicators(raw.get("indicators"), f"{where}.indicators"), _text(raw, "section"))

    def city(key: str, zh_default: str, en_default: str) -> tuple[str, str]:
        raw = doc.get(key)
        if raw is None:
            return zh_default, en_default
        if not isinstance(raw, dict):
            bad(key, "expected a mapping {zh: …, en: …}")
            return zh_default, en_default
        keys(raw, _KEYS_CITY, key)
        return _text(raw, "zh") or zh_default, _text(raw, "en") or en_default

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
    partner_zh, partner_en = city("partner", "香港", "Hong Kong")
    focal_zh, focal_en = city("focal", "深圳", "Shenzhen")
    if problems or inn is None:
        raise InputError(problems, title="invalid framework")
    return EvalFramework(
        id=_text(doc, "id") or Path(file).stem,
        name_zh=_text(doc, "name_zh") or _text(doc, "name_en"),
        name_en=_text(doc, "name_en") or _text(doc, "name_zh"),
        channels=tuple(channels),
        innovation=inn,
        partner_zh=partner_zh,
        partner_en=partner_en,
        focal_zh=focal_zh,
        focal_en=focal_en,
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


@dataclass(frozen=True)
class _Cell:
    """A value cell read: ``kind`` is ``number``, ``empty``, ``marker``, ``percent`` or ``bad``."""

    kind: str
    value: float = float("nan")
    message: str = ""


def _cell(v: Any, unit: str) -> _Cell:
    """Read one value cell under the rules of the module docstring (``unit``: the indicator's unit)."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return _Cell("empty")
    if isinstance(v, int | float):
        f = float(v)
        return _Cell("number", f) if math.isfinite(f) else _Cell("bad", message=f"value {v!r} is not a finite number")
    s = str(v).strip()
    if s == "":
        return _Cell("empty")
    if s.lower() in _MISSING:
        return _Cell("marker")
    percent = s.endswith(("%", "％"))
    num = s[:-1].strip() if percent else s
    if _GROUPED.match(num):
        num = re.sub(r"[,，\s\u00a0\u2009\u202f]", "", num)
    try:
        f = float(num)
    except ValueError:
        hint = " (a decimal comma? write 3.35, not 3,35)" if re.fullmatch(r"[+-]?\d+[,，]\d+", num) else ""
        return _Cell("bad", message=f"value {s!r} is not a number{hint}")
    if not math.isfinite(f):
        return _Cell("bad", message=f"value {s!r} is not a finite number")
    if not percent:
        return _Cell("number", f)
    u = unit.strip().lower()
    if u in _SHARE_UNITS:
        return _Cell("percent", f / 100)
    if u in _PERCENT_UNITS:
        return _Cell("number", f)
    return _Cell("bad", message=f"value {s!r} has a percent sign but the framework's unit of this indicator is "
                 f"{unit or 'not given'!r}; '12%' is read only for unit 'share' (as 0.12) or '%' (as 12) — "
                 "write the number in the indicator's unit")


def _year(v: Any) -> int | None:
    m = _YEAR.match(str(v))
    if m is None:
        return None
    y = int(m.group(1))
    return y if 1900 <= y <= 2100 else None


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in rec.items()} for rec in df.to_dict("records")]


def _sheet_name(p: Path, sheet: str | int | None) -> tuple[str, list[str]]:
    """The sheet to read (``sheet`` a name, or a number counting from 1) and all sheet names."""
    try:
        with pd.ExcelFile(p) as xf:
            names = [str(n) for n in xf.sheet_names]
    except FileNotFoundError:
        raise InputError([Problem(str(p), None, None, "file not found")], title="invalid data") from None
    except ImportError as exc:
        raise InputError([Problem(str(p), None, None, f"reading Excel needs an optional package: {exc}")],
                         title="invalid data") from None
    except (ValueError, OSError, KeyError, zipfile.BadZipFile) as exc:  # what the readers raise on a non-workbook
        raise InputError([Problem(str(p), None, None, f"cannot read as an Excel workbook: {exc}")],
                         title="invalid data") from None
    listing = ", ".join(f"{i} {n!r}" for i, n in enumerate(names, 1))
    if sheet is None:
        return names[0], names
    if isinstance(sheet, str) and sheet in names:  # a sheet named "2019" is that sheet, not the 2019th
        return sheet, names
    if isinstance(sheet, int) or str(sheet).strip().isdigit():
        n = int(sheet)
        if not 1 <= n <= len(names):
            raise InputError([Problem(str(p), None, None, f"there is no sheet {n}: sheets count from 1 and the "
                                      f"workbook has {len(names)} ({listing})")], title="invalid --sheet")
        return names[n - 1], names
    want = str(sheet)
    if want in names:
        return want, names
    loose = [n for n in names if n.strip().lower() == want.strip().lower()]
    if len(loose) == 1:
        return loose[0], names
    raise InputError([Problem(str(p), None, None, f"there is no sheet {want!r}{_suggest(want, names)} "
                              f"(the workbook's sheets: {listing})")], title="invalid --sheet")


def _read_frame(p: Path, sheet: str | int | None) -> tuple[pd.DataFrame, str, str]:
    """The table as strings, the file label for problems, and (Excel) a note on the sheet read."""
    if p.suffix.lower() in {".xlsx", ".xlsm", ".xls"}:
        name, names = _sheet_name(p, sheet)
        df = read_table(p, sheet=name, dtype=str).fillna("")
        note = (f" (sheet {name!r} was read; the workbook has {len(names)} sheets: "
                f"{', '.join(f'{i} {n!r}' for i, n in enumerate(names, 1))} — choose one with --sheet NAME or "
                "--sheet NUMBER, counting from 1)") if len(names) > 1 else ""
        return df, f"{p} (sheet {name!r})", note
    if sheet is not None:
        raise InputError([Problem(str(p), None, None, "--sheet applies only to Excel workbooks (.xlsx, .xls); "
                                  "this file is read as text (CSV), which has no sheets — leave --sheet out")],
                         title="invalid --sheet")
    try:
        df = read_table(p, dtype=str)
    except InputError as exc:
        fixed = []
        for pr in exc.problems:
            m = _TOKENIZER.search(pr.message)
            if m:
                want, line, saw = (int(g) for g in m.groups())
                pr = Problem(pr.file, None, None, f"row {line} has {saw} cells but the header has {want} columns "
                             "(a number written with a comma, like 1,200, must be in quotes — or remove the "
                             "thousands separator; or a cell holds a stray comma)")
            elif "No columns to parse" in pr.message:
                pr = Problem(pr.file, None, None, "the file is empty (no header row)")
            fixed.append(pr)
        raise InputError(fixed, title="invalid data") from None
    return df, str(p), ""


def read_data(path: str | Path, framework: EvalFramework, *, sheet: str | int | None = None) -> EvalPanel:
    """Read a user's data table into an :class:`EvalPanel`, checking every cell.

    Three layouts are recognised from the header:

    * **long** — columns ``series, year, value`` (Chinese ``指标, 年份, 数值`` also accepted),
      optional ``grade, source, source_url, locator, note, qualifier`` (``about``, ``over``,
      ``at_least``, ``under``, ``lower_bound_share`` or ``exact``/empty);
    * **wide, years as rows** — a ``year`` column and one column per series code (every other
      column must be a series of the framework);
    * **wide, series as rows** — a ``series`` column and one column per year (besides the
      optional columns of the long layout).

    Series must be those of the framework (a typo would otherwise silently drop data). Cells
    follow the rules of this module's docstring: missing markers are listed in an ``input``
    decision (``EvalPanel.input_decisions``), percent values only for ``share``/``%`` units.

    Parameters
    ----------
    sheet : str or int, optional
        Excel only: a sheet name, or a number counting from 1 as Excel does (default: the
        first sheet). Given for a CSV file it is an error.

    Raises
    ------
    DataError
        Every problem at once (file, row as a spreadsheet counts with the header as row 1, column).
    """
    p = Path(path)
    df, fname, where_sheet = _read_frame(p, sheet)
    df.columns = pd.Index([str(c).strip() for c in df.columns])
    names: list[str] = [str(c) for c in df.columns]
    canon: dict[str, str] = {c: _ALIASES.get(c.lower(), c) for c in names}
    cols = set(canon.values())
    unit_of = {ind.series: ind.unit for _s, _c, ind in framework.indicators()}
    known = sorted(unit_of)
    problems: list[Problem] = []
    records: list[dict[str, Any]] = []
    markers: list[tuple[str, int, int, str, str]] = []  # series, year, row, column, text
    percents: list[tuple[str, int, int, str, str]] = []
    unknown: set[str] = set()

    inv: dict[str, str] = {}
    for c in names:
        if canon[c] in inv and canon[c] in {"series", "year", "value", *_EXTRA}:
            problems.append(Problem(fname, 1, c, f"column {c!r} means the same as column {inv[canon[c]]!r} "
                                    f"({canon[c]}); keep one of them"))
        inv.setdefault(canon[c], c)

    def col_of(key: str) -> str:
        return inv.get(key, key)

    def check_series(row: int, col: str, series: str) -> bool:
        if series in unit_of:
            return True
        if not series:
            problems.append(Problem(fname, row, col, "series is empty"))
            return False
        unknown.add(series)
        problems.append(Problem(fname, row, col, f"series {series!r} is not in the framework"
                                f"{_suggest(series, known)} (its series: {', '.join(known)})"))
        return False

    def check_year(row: int, col: str, year: Any) -> int | None:
        y = _year(year)
        if y is None:
            text = str(year).strip()
            problems.append(Problem(fname, row, col, "year is empty" if not text else
                                    f"year {text!r} is not a year: expected 4 digits (1900–2100), e.g. 2011 or 2011年"))
        return y

    def add(row: int, col: str, series: str, y: int, raw: Any, extra: dict[str, Any]) -> None:
        c = _cell(raw, unit_of[series])
        if c.kind == "bad":
            problems.append(Problem(fname, row, col, c.message))
            return
        if c.kind == "empty":
            return
        if c.kind == "marker":
            markers.append((series, y, row, col, str(raw).strip()))
            return
        if c.kind == "percent":
            percents.append((series, y, row, col, str(raw).strip()))
        grade = str(extra.get("grade", "") or "").strip().upper()
        if grade and grade not in {"A", "B", "C", "P"}:
            problems.append(Problem(fname, row, col_of("grade"), f"grade {grade!r} is not one of A, B, C, P"))
        qual = str(extra.get("qualifier", "") or "").strip().lower()
        if qual == "exact":
            qual = ""
        if qual and qual not in QUALIFIERS:
            problems.append(Problem(fname, row, col_of("qualifier"), f"qualifier {qual!r} is not one of exact, "
                                    f"{', '.join(QUALIFIERS)}"))
        records.append({"series": series, "year": y, "value": c.value, "grade": grade, "_row": row, "_col": col,
                        "qualifier": qual,
                        **{k: str(extra.get(k, "") or "").strip() for k in ("source", "source_url", "locator", "note")}})

    def blank(rec: dict[str, Any]) -> bool:
        return not any(str(v).strip() for v in rec.values())

    core = [k for k in ("series", "year", "value") if k in cols]
    ignored: list[str] = []
    if len(core) == 3:
        scol, ycol, vcol = inv["series"], inv["year"], inv["value"]
        ignored = [c for c in names if canon[c] not in {"series", "year", "value", *_EXTRA}]
        for i, rec in enumerate(_records(df)):
            row = i + 2
            if blank(rec):
                continue
            extra = {canon[k]: v for k, v in rec.items()}
            series = str(rec[scol]).strip()
            ok = check_series(row, scol, series)
            y = check_year(row, ycol, rec[ycol])
            if ok and y is not None:
                add(row, vcol, series, y, rec[vcol], extra)
            elif ok and (vc := _cell(rec[vcol], unit_of[series])).kind == "bad":
                problems.append(Problem(fname, row, vcol, vc.message))
    elif len(core) == 2 or core == ["value"]:
        missing = [k for k in ("series", "year", "value") if k not in cols]
        raise DataError([Problem(fname, 1, None, f"required column {m!r} is missing (found: {', '.join(names)}); "
                                 "the long layout needs the columns series, year, value (or 指标, 年份, 数值)"
                                 + where_sheet) for m in missing])
    elif "year" in cols:
        ycol = inv["year"]
        series_cols = []
        for c in names:
            if c == ycol:
                continue
            if c in unit_of:
                series_cols.append(c)
            else:
                unknown.add(c)
                problems.append(Problem(fname, 1, c, f"column {c!r} is not a series of the framework"
                                        f"{_suggest(c, known)}; in the wide layout (a 'year' column and one column "
                                        "per series) every other column must be a series code — remove it, or "
                                        "use the long layout (series, year, value), which has room for notes and "
                                        "sources"))
        for i, rec in enumerate(_records(df)):
            row = i + 2
            if blank(rec):
                continue
            y = check_year(row, ycol, rec[ycol])
            for c in series_cols:
                if y is not None:
                    add(row, c, c, y, rec[c], {})
                elif (vc := _cell(rec[c], unit_of[c])).kind == "bad":
                    problems.append(Problem(fname, row, c, vc.message))
    elif "series" in cols:
        scol = inv["series"]
        year_cols = [(c, y) for c in names if c != scol and (y := _year(c)) is not None]
        for c in names:
            if c != scol and _year(c) is None and canon[c] not in _EXTRA:
                problems.append(Problem(fname, 1, c, "column is neither a year nor a known field (grade, source, "
                                        "source_url, locator, note, qualifier)"))
        for i, rec in enumerate(_records(df)):
            row = i + 2
            if blank(rec):
                continue
            extra = {canon[k]: rec[k] for k in names if canon[k] in _EXTRA}
            series = str(rec[scol]).strip()
            if not check_series(row, scol, series):
                continue
            for c, y in year_cols:
                add(row, c, series, y, rec[c], extra)
    else:
        raise DataError([Problem(fname, 1, None, "cannot tell the layout: expected columns series, year, value "
                                 "(long), a 'year' column plus one column per series (wide), or a 'series' "
                                 f"column plus one column per year; found: {', '.join(names) or 'no columns'}"
                                 + where_sheet)])

    seen: dict[tuple[str, int], int] = {}
    for rec in records:
        key = (rec["series"], rec["year"])
        if key in seen:
            problems.append(Problem(fname, rec["_row"], rec["_col"],
                                    f"{key[0]} {key[1]} given twice (first at row {seen[key]})"))
        else:
            seen[key] = rec["_row"]
    if problems:
        raise DataError(_summarise(problems), unknown_series=sorted(unknown))
    if not records:
        raise DataError([Problem(fname, None, None, "no values for any series of the framework" + where_sheet)])

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
    decisions = _input_decisions(p.name, markers, percents)
    if ignored:
        listed = ", ".join(repr(c) for c in ignored)
        decisions += (("input", "ignored columns",
                       f"{p.name}：长表中的列 {listed} 不是已知字段（series, year, value, grade, source, source_url, "
                       "locator, note, qualifier），未读取。",
                       f"{p.name}: column(s) {listed} of the long layout are not known fields (series, year, value, "
                       "grade, source, source_url, locator, note, qualifier) and were not read."),)
    return EvalPanel(cells=cells_df, sources=sources, label=p.name, input_decisions=decisions)


def _input_decisions(label: str, markers: list[tuple[str, int, int, str, str]],
                     percents: list[tuple[str, int, int, str, str]]) -> tuple[tuple[str, str, str, str], ...]:
    """``(kind, subject, zh, en)`` of the reader's decisions: every missing-marker and percent cell, listed."""
    out = []
    if markers:
        listed = "; ".join(f"{s} {y} (row {r}, {c}: {t!r})" for s, y, r, c, t in markers)
        listed_zh = "；".join(f"{s} {y}（第 {r} 行，{c}：{t!r}）" for s, y, r, c, t in markers)
        out.append(("input", "missing markers",
                    f"{label}：{len(markers)} 个单元格为缺失值标记（{' '.join(MISSING_MARKERS)}），按缺失处理 —— "
                    f"{listed_zh}。",
                    f"{label}: {len(markers)} cell(s) hold a missing-value marker ({' '.join(MISSING_MARKERS)}) and "
                    f"are treated as missing — {listed}."))
    if percents:
        listed = "; ".join(f"{s} {y} (row {r}, {c}: {t!r})" for s, y, r, c, t in percents)
        listed_zh = "；".join(f"{s} {y}（第 {r} 行，{c}：{t!r}）" for s, y, r, c, t in percents)
        out.append(("input", "percent",
                    f"{label}：{len(percents)} 个百分数按框架单位 share 换算为比例（12% → 0.12）—— {listed_zh}。",
                    f"{label}: {len(percents)} percent value(s) converted to the framework's unit 'share' "
                    f"(12% → 0.12) — {listed}."))
    return tuple(out)
