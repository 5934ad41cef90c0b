"""A user's own data table (CSV/Excel, wide or long; a time series, a cross-section or a panel).

The reader checks everything at once and raises one :class:`~hkfactor.errors.InputError`
listing every problem with its file, row and column. Identical problems on many rows are
reported once with the rows they occur on.

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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from hkfactor import Table, read_table
from hkfactor._table import _ranges as _table_ranges
from hkfactor.errors import InputError, Problem
from hkfactor.evaluation._framework import EvalFramework
from hkfactor.evaluation._spec import CELL_COLUMNS, QUALIFIERS, SOURCE_COLUMNS, EvalPanel
from hkfactor.messages import Message, register

__all__ = ["MISSING_MARKERS", "UNIT_COLUMNS", "DataError", "read_data"]

register({
    "input.missing_markers": ("{file}: {n} cell(s) hold a missing-value marker ({markers}) and are treated as "
                              "missing — {listed}.",
                              "{file}：{n} 个单元格为缺失值标记（{markers}），按缺失处理 —— {listed}。"),
    "input.percent": ("{file}: {n} percent value(s) converted to the framework's unit 'share' (12% → 0.12) — "
                      "{listed}.", "{file}：{n} 个百分数按框架单位 share 换算为比例（12% → 0.12）—— {listed}。"),
    "input.ignored_columns": ("{file}: column(s) {listed} of the long layout are not known fields and were not "
                              "read.", "{file}：长表中的列 {listed} 不是已知字段，未读取。"),
    "input.ignored_wide_columns": (
        "{file}: column(s) {listed} of the wide layout are known fields (note, source, grade …) but a row of the "
        "wide layout holds many values, so they cannot be tied to one value and were not read — use the long layout "
        "(series, year, value, …) to give them per value.",
        "{file}：宽表中的列 {listed} 是已知字段（备注、来源、等级等），但宽表的一行包含多个数值，无法对应到单个数值，"
        "因此未读取 —— 如需逐个数值给出，请使用长表（指标、年份、数值……）。"),
    "input.shape": ("{file}: read as a {shape}: {n_units} unit(s), {n_years} year(s), {n_series} indicator(s) "
                    "({layout} layout).",
                    "{file}：识别为{shape}：{n_units} 个单元、{n_years} 个年份、{n_series} 个指标（{layout}格式）。"),
})

#: Column names (lower-cased) that name the evaluated unit (city, region, firm …).
UNIT_COLUMNS = ("unit_id", "ucode", "uname", "city", "region", "province", "country", "firm", "entity", "area",
                "城市", "地区", "区域", "省份", "省份名称", "国家", "企业", "单元", "评价对象", "地市", "城市名称", "名称")
_SHAPE_NAMES = {"time_series": {"en": "time series", "zh": "时间序列"},
                "cross_section": {"en": "cross-section", "zh": "截面数据"},
                "panel": {"en": "panel", "zh": "面板数据"}}
_LAYOUT_NAMES = {"long": {"en": "long", "zh": "长表"}, "wide": {"en": "wide", "zh": "宽表"},
                 "series_rows": {"en": "series-as-rows", "zh": "指标为行"}}

#: Cell texts read as *missing* (compared case-insensitively, after trimming spaces), besides an
#: empty cell. Each such cell is listed in an ``input`` decision.
MISSING_MARKERS = ("..", "...", "…", "……", "—", "——", "-", "N/A", "NA", "n.a.", "NaN")
_MISSING = {m.lower() for m in MISSING_MARKERS}
_SHARE_UNITS = {"share", "比重", "份额"}
_PERCENT_UNITS = {"%", "％", "percent", "百分比", "百分点"}

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
    **{k: "entity" for k in UNIT_COLUMNS},
}
_EXTRA = ("grade", "source", "source_url", "locator", "note", "qualifier")
_YEAR = re.compile(r"^\s*(\d{4})(?:\.0)?\s*年?\s*$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}([,，\s\u00a0\u2009\u202f]\d{3})+(\.\d*)?$")
#: Above this many problems in one column, only the first few are listed, then a count.
_MAX_PER_COLUMN, _SHOW_PER_COLUMN = 8, 5


def _ranges(rows: Sequence[int]) -> str:
    """``[2, 3, 4, 7]`` → ``2–4, 7`` (at most six runs, then ``…``)."""
    return _table_ranges(rows, most=6)


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


def _txt(v: Any) -> str:
    """A text cell: empty for a missing one (read_table gives NaN), else trimmed text."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    return str(v).strip()


def _year(v: Any) -> int | None:
    m = _YEAR.match(str(v))
    if m is None:
        return None
    y = int(m.group(1))
    return y if 1900 <= y <= 2100 else None


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in rec.items()} for rec in df.to_dict("records")]


def _read_frame(p: Path, sheet: str | int | None, header_row: int | None,
                encoding: str | None) -> tuple[Table, str, str]:
    """The table as :func:`hkfactor.read_table` reads it, the file label for problems, and
    (Excel) a note on the sheet read."""
    t = read_table(p, sheet=sheet, header_row=header_row, encoding=encoding)
    note = (f" (sheet {t.sheet!r} was read; choose another with --sheet NAME or --sheet NUMBER, counting from 1)"
            if t.sheet else "")
    return t, t.label, note


def read_data(path: str | Path, framework: EvalFramework, *, sheet: str | int | None = None,
              header_row: int | None = None, encoding: str | None = None) -> EvalPanel:
    """Read a user's data table into an :class:`EvalPanel`, checking every cell.

    Layouts recognised from the header (Chinese names accepted: 指标, 年份, 数值, 城市, 地区 …):

    * **long** — ``series, year, value`` (plus a unit column such as ``city``/``城市`` for a
      panel; without ``year`` for a cross-section), optional ``grade, source, source_url,
      locator, note, qualifier``;
    * **wide** — one column per series of the framework, plus a ``year`` column (a time
      series), a unit column (a cross-section: cities, regions, firms …) or both (a panel);
    * **series as rows** — a ``series`` column and one column per year.

    Series must be those of the framework (a typo would otherwise silently drop data). The file is
    read by :func:`hkfactor.read_table` (encodings, title rows, unit rows, notes, Excel error
    cells; ``sheet`` counts from 1, ``header_row`` and ``encoding`` override detection); its
    decisions open the evaluation's decisions, and rows are named as the spreadsheet counts them.

    Raises
    ------
    DataError
        Every problem at once (file, row as a spreadsheet counts with the header as row 1, column).
    """
    p = Path(path)
    table, fname, where_sheet = _read_frame(p, sheet, header_row, encoding)
    df = table.frame
    sheet_rows = list(table.source_rows)
    pct_cells = {(sheet_rows[i], col) for i, col in table.percent_cells}
    df.columns = pd.Index([str(c).strip() for c in df.columns])
    names: list[str] = [str(c) for c in df.columns]
    canon: dict[str, str] = {c: _ALIASES.get(c.lower(), c) for c in names}
    cols = set(canon.values())
    unit_of = {ind.series: ind.unit for _s, _c, ind in framework.indicators()}
    known = sorted(unit_of)
    problems: list[Problem] = []
    records: list[dict[str, Any]] = []
    markers: list[tuple[str, str, int, int, str, str]] = []  # unit, series, year, row, column, text
    percents: list[tuple[str, str, int, int, str, str]] = []
    unknown: set[str] = set()

    inv: dict[str, str] = {}
    for c in names:
        if canon[c] in inv and canon[c] in {"series", "year", "value", "entity", *_EXTRA}:
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

    def check_unit(row: int, col: str, v: Any) -> str | None:
        u = "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v).strip()
        if not u:
            problems.append(Problem(fname, row, col, "the unit (city, region …) is empty"))
            return None
        return u

    def add(row: int, col: str, unit: str, series: str, y: int, raw: Any, extra: dict[str, Any]) -> None:
        if (row, col) in pct_cells and isinstance(raw, int | float):
            # read_table reads a percent as a fraction; the indicator's unit decides what it means
            raw = f"{float(raw) * 100:.12g}%"
        c = _cell(raw, unit_of[series])
        if c.kind == "bad":
            problems.append(Problem(fname, row, col, c.message))
            return
        if c.kind == "empty":
            return
        if c.kind == "marker":
            markers.append((unit, series, y, row, col, str(raw).strip()))
            return
        if c.kind == "percent":
            percents.append((unit, series, y, row, col, str(raw).strip()))
        grade = _txt(extra.get("grade")).upper()
        if grade and grade not in {"A", "B", "C", "P"}:
            problems.append(Problem(fname, row, col_of("grade"), f"grade {grade!r} is not one of A, B, C, P"))
        qual = _txt(extra.get("qualifier")).lower()
        if qual == "exact":
            qual = ""
        if qual and qual not in QUALIFIERS:
            problems.append(Problem(fname, row, col_of("qualifier"), f"qualifier {qual!r} is not one of exact, "
                                    f"{', '.join(QUALIFIERS)}"))
        records.append({"unit": unit, "series": series, "year": y, "value": c.value, "grade": grade, "_row": row,
                        "_col": col, "qualifier": qual,
                        **{k: _txt(extra.get(k)) for k in ("source", "source_url", "locator", "note")}})

    def blank(rec: dict[str, Any]) -> bool:
        return not any(str(v).strip() for v in rec.values() if not (isinstance(v, float) and math.isnan(v)))

    has_unit = "entity" in cols
    ucol = inv.get("entity", "")
    layout = "long"
    ignored: list[str] = []
    ignored_wide: list[str] = []
    if "series" in cols and "value" in cols and ("year" in cols or has_unit):
        scol, vcol = inv["series"], inv["value"]
        ycol = inv.get("year", "")
        ignored = [c for c in names if canon[c] not in {"series", "year", "value", "entity", *_EXTRA}]
        for i, rec in enumerate(_records(df)):
            row = sheet_rows[i]
            if blank(rec):
                continue
            extra = {canon[k]: v for k, v in rec.items()}
            series = _txt(rec[scol])
            ok = check_series(row, scol, series)
            y = check_year(row, ycol, rec[ycol]) if ycol else 0
            u = check_unit(row, ucol, rec[ucol]) if has_unit else ""
            if ok and y is not None and u is not None:
                add(row, vcol, u, series, y, rec[vcol], extra)
            elif ok and (vc := _cell(rec[vcol], unit_of[series])).kind == "bad":
                problems.append(Problem(fname, row, vcol, vc.message))
    elif ("series" in cols or "value" in cols) and not ("series" in cols and not {"value"} & cols
                                                        and any(_year(c) is not None for c in names)):
        missing = [k for k in ("series", "year", "value") if k not in cols]
        raise DataError([Problem(fname, 1, None, f"required column {m!r} is missing (found: {', '.join(names)}); "
                                 "the long layout needs the columns series, year, value (or 指标, 年份, 数值), or "
                                 "series, value and a unit column such as city/城市 for a cross-section"
                                 + where_sheet) for m in missing])
    elif "year" in cols or has_unit:
        layout = "wide"
        ycol = inv.get("year", "")
        series_cols = []
        for c in names:
            if c in (ycol, ucol):
                continue
            if canon[c] in _EXTRA:
                ignored_wide.append(c)
                continue
            if c in unit_of:
                series_cols.append(c)
            else:
                unknown.add(c)
                problems.append(Problem(fname, 1, c, f"column {c!r} is not a series of the framework"
                                        f"{_suggest(c, known)}; in the wide layout (a year and/or unit column and one "
                                        "column per series) every other column must be a series code — remove it, "
                                        "or use the long layout (series, year, value)"))
        for i, rec in enumerate(_records(df)):
            row = sheet_rows[i]
            if blank(rec):
                continue
            y = check_year(row, ycol, rec[ycol]) if ycol else 0
            u = check_unit(row, ucol, rec[ucol]) if has_unit else ""
            for c in series_cols:
                if y is not None and u is not None:
                    add(row, c, u, c, y, rec[c], {})
                elif (vc := _cell(rec[c], unit_of[c])).kind == "bad":
                    problems.append(Problem(fname, row, c, vc.message))
    elif "series" in cols:
        layout = "series_rows"
        scol = inv["series"]
        year_cols = [(c, y) for c in names if c != scol and (y := _year(c)) is not None]
        for c in names:
            if c != scol and _year(c) is None and canon[c] not in _EXTRA:
                problems.append(Problem(fname, 1, c, "column is neither a year nor a known field (grade, source, "
                                        "source_url, locator, note, qualifier)"))
        for i, rec in enumerate(_records(df)):
            row = sheet_rows[i]
            if blank(rec):
                continue
            extra = {canon[k]: rec[k] for k in names if canon[k] in _EXTRA}
            series = _txt(rec[scol])
            if not check_series(row, scol, series):
                continue
            for c, y in year_cols:
                add(row, c, "", series, y, rec[c], extra)
    else:
        raise DataError([Problem(fname, 1, None, "cannot tell the layout. Supported: a time series (a 'year'/年份 "
                                 "column and one column per series), a cross-section (a unit column such as "
                                 "city/城市/地区/firm and one column per series), a panel (both a unit and a year "
                                 "column), the long layout (series, year, value — plus a unit column for a panel), "
                                 "or series as rows (a 'series' column and one column per year); found: "
                                 f"{', '.join(names) or 'no columns'}" + where_sheet)])

    seen: dict[tuple[str, str, int], int] = {}
    for rec in records:
        key = (rec["unit"], rec["series"], rec["year"])
        if key in seen:
            what = " ".join(str(k) for k in key if k not in ("", 0))
            problems.append(Problem(fname, rec["_row"], rec["_col"], f"{what} given twice (first at row {seen[key]})"))
        else:
            seen[key] = rec["_row"]
    if problems:
        raise DataError(_summarise(problems), unknown_series=sorted(unknown))
    if not records:
        raise DataError([Problem(fname, None, None, "no values for any series of the framework" + where_sheet)])

    src_rows: dict[str, dict[str, str]] = {}
    cells = []
    file_name = p.name
    sid_of_key: dict[str, str] = {}  # a source named by the file → its id
    for rec in records:
        name, url = str(rec["source"]), str(rec["source_url"])
        if name or url:
            skey = f"{name}|{url}"
            found = sid_of_key.get(skey)
            if found is None:
                slug = re.sub(r"[^A-Za-z0-9]+", "-", name or url).strip("-")[:40].upper()
                sid = f"U-{slug}" if slug and (name or url).isascii() else f"U-{len(src_rows) + 1}"
                while sid in src_rows:
                    sid += "X"
                src_rows[sid] = {"_key": skey, "id": sid, "title_zh": name, "title_en": name, "publisher": "",
                                 "url": url, "grade": rec["grade"]}
                sid_of_key[skey] = sid
            else:
                sid = found
        else:
            sid = "U-FILE"
            if sid not in src_rows:
                src_rows[sid] = {"_key": "", "id": sid, "title_zh": f"用户数据 {file_name}",
                                 "title_en": f"user data {file_name}", "publisher": "", "url": file_name, "grade": ""}
        locator = rec["locator"] or f"{file_name} row {rec['_row']}, {rec['_col']}"
        oid = "@".join(str(k) for k in (rec["unit"], rec["series"], rec["year"]) if k not in ("", 0))
        cells.append({"unit": rec["unit"], "series": rec["series"], "year": rec["year"], "value": rec["value"],
                      "grade": rec["grade"], "source_id": sid, "observation_id": oid, "locator": locator,
                      "note": rec["note"], "qualifier": rec["qualifier"]})
    cells_df = pd.DataFrame(cells, columns=list(CELL_COLUMNS)).sort_values(["unit", "series", "year"],
                                                                          ignore_index=True)
    sources = pd.DataFrame([{k: v for k, v in s.items() if k != "_key"} for s in src_rows.values()],
                           columns=list(SOURCE_COLUMNS)).sort_values("id", ignore_index=True)
    panel = EvalPanel(cells=cells_df, sources=sources, label=p.name)
    decisions = [*table.decisions, Message("input.shape", p.name, {
        "file": p.name, "shape": _SHAPE_NAMES[panel.shape], "n_units": len(panel.units),
        "n_years": len([y for y in panel.years if y]), "n_series": cells_df["series"].nunique(),
        "layout": _LAYOUT_NAMES[layout]})]
    decisions += _input_decisions(p.name, markers, percents)
    if ignored:
        decisions.append(Message("input.ignored_columns", "ignored columns", {
            "file": p.name, "listed": ", ".join(repr(c) for c in ignored)}))
    if ignored_wide:
        decisions.append(Message("input.ignored_wide_columns", "ignored columns", {
            "file": p.name, "listed": ", ".join(repr(c) for c in ignored_wide)}))
    return EvalPanel(cells=cells_df, sources=sources, label=p.name, input_decisions=tuple(decisions))


def _cell_list(items: list[tuple[str, str, int, int, str, str]]) -> dict[str, str]:
    """The cells listed in both languages (``{"en": …, "zh": …}``, rendered in the reader's language)."""
    def name(u: str, s: str, y: int) -> str:
        return " ".join(str(x) for x in (u, s, y) if x not in ("", 0))

    return {"en": "; ".join(f"{name(u, s, y)} (row {r}, {c}: {t!r})" for u, s, y, r, c, t in items),
            "zh": "；".join(f"{name(u, s, y)}（第 {r} 行，{c}：{t!r}）" for u, s, y, r, c, t in items)}


def _input_decisions(label: str, markers: list[tuple[str, str, int, int, str, str]],
                     percents: list[tuple[str, str, int, int, str, str]]) -> list[Message]:
    """The reader's decisions: every missing-marker and percent cell, listed."""
    out = []
    if markers:
        out.append(Message("input.missing_markers", "missing markers", {
            "file": label, "n": len(markers), "markers": " ".join(MISSING_MARKERS), "listed": _cell_list(markers)}))
    if percents:
        out.append(Message("input.percent", "percent", {"file": label, "n": len(percents),
                                                        "listed": _cell_list(percents)}))
    return out
