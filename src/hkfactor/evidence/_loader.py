"""Read and validate an evidence folder; collect every problem into one :class:`InputError`.

Two passes: the first reads every file (encoding, header, cells) and gathers all ids; the
second checks every row (required cells, allowed values, dates, references, printed numbers,
expressions) and builds the typed records. Problems come out in table, file and row order.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hkfactor._io import read_text, restore_cell
from hkfactor.errors import InputError, Problem
from hkfactor.evidence._expr import ExpressionError, compile_expression
from hkfactor.evidence._schema import DEFAULT_GEOGRAPHIES, ENUMS, TABLES, Column, Table
from hkfactor.evidence.model import (
    Claim,
    ClaimSeries,
    Corroboration,
    Derivation,
    Entity,
    Event,
    Geography,
    Observation,
    Relation,
    Source,
)
from hkfactor.units import Quantity, UnitParseError, normalise

__all__ = ["DATA_DIR", "LoadedRecords", "claim_period", "load_records"]

DATA_DIR = Path(__file__).resolve().parent / "data"
MAX_LOCATOR = 30
DEFAULT_CORROBORATION_TOLERANCE = 0.005

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]*")
_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


@dataclass
class _Row:
    file: str
    row: int
    cells: dict[str, str]


@dataclass
class LoadedRecords:
    """Every validated record of an evidence folder, by table."""

    root: Path
    sources: list[Source] = field(default_factory=list)
    geographies: list[Geography] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)
    corroborations: list[Corroboration] = field(default_factory=list)
    claim_series: list[ClaimSeries] = field(default_factory=list)
    derivations: list[Derivation] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------- reading


def _files_of(root: Path, table: Table) -> list[Path]:
    """The files of ``table``; a folder where a CSV file belongs is returned too (and reported)."""
    p = root / table.path
    if table.many:
        return sorted(p.glob("*.csv")) if p.is_dir() else []
    return [p] if p.exists() else []


def _read_file(root: Path, path: Path, table: Table, problems: list[Problem]) -> list[_Row]:
    rel = path.relative_to(root).as_posix()
    try:
        text, enc = read_text(path)
    except InputError as exc:
        problems += [Problem(rel, p.row, p.field, p.message) for p in exc.problems]
        return []
    if enc == "utf-8-sig":
        problems.append(
            Problem(rel, None, None, "file starts with a byte-order mark (BOM); re-save it as UTF-8 without BOM "
                    "(Excel: 'CSV UTF-8' writes a BOM — remove it, e.g. save from a text editor as UTF-8)")
        )
    elif enc != "utf-8":
        problems.append(
            Problem(rel, None, None, f"file is encoded as GBK/{enc.upper()}, not UTF-8; re-save it as UTF-8 "
                    "without BOM (evidence files must be UTF-8)")
        )
    records = list(csv.reader(io.StringIO(text, newline="")))
    if not records or not any(c.strip() for c in records[0]):
        problems.append(Problem(rel, 1, None, f"no header row; expected the columns {', '.join(table.column_names)}"))
        return []
    header = [c.strip() for c in records[0]]
    known = set(table.column_names)
    bad_header = False
    seen: set[str] = set()
    for name in header:
        if name in seen:
            problems.append(Problem(rel, 1, name, f"column '{name}' appears twice in the header"))
            bad_header = True
        seen.add(name)
        if name not in known:
            problems.append(
                Problem(rel, 1, name or None,
                        f"unknown column '{name}'; expected only: {', '.join(table.column_names)}")
            )
    for col in table.columns:
        if col.present and col.name not in seen:
            problems.append(Problem(rel, 1, col.name, f"missing column '{col.name}' in the header"))
    if bad_header:
        return []
    rows: list[_Row] = []
    for i, rec in enumerate(records[1:], start=2):
        cells = [restore_cell(c.strip()) for c in rec]
        if not any(cells):
            continue
        if len(cells) > len(header) and any(cells[len(header) :]):
            problems.append(
                Problem(rel, i, None, f"row has {len(cells)} cells but the header has {len(header)} columns "
                        "(an unquoted comma?)")
            )
            continue
        cells += [""] * (len(header) - len(cells))
        rows.append(_Row(rel, i, {h: c for h, c in zip(header, cells, strict=False) if h in known}))
    return rows


# ------------------------------------------------------------------------- checking


def _date_ok(s: str) -> bool:
    m = _DATE.fullmatch(s)
    if not m:
        return False
    y, mo, d = int(m.group(1)), m.group(2), m.group(3)
    try:
        _dt.date(y, int(mo) if mo else 1, int(d) if d else 1)
    except ValueError:
        return False
    return True


def _date_key(s: str) -> tuple[int, int, int]:
    p = [*(int(x) for x in s.split("-")), 0, 0]
    return p[0], p[1], p[2]


def _period_ok(s: str) -> bool:
    if "/" in s:
        a, _, b = s.partition("/")
        return _date_ok(a) and _date_ok(b) and _date_key(a) <= _date_key(b)
    return _date_ok(s)


def _split_ids(s: str) -> list[str]:
    return [x.strip() for x in s.split(";")] if s else []


def _fold(s: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s))


class _Checker:
    def __init__(self, ids: dict[str, set[str]], problems: list[Problem]) -> None:
        self.ids = ids
        self.problems = problems

    def add(self, row: _Row, fld: str | None, msg: str) -> None:
        self.problems.append(Problem(row.file, row.row, fld, msg))

    def cell(self, row: _Row, col: Column) -> bool:
        """Check one cell against its column spec; False when a problem was reported."""
        if col.name not in row.cells:
            return True  # absent optional column (or a missing column, reported once at the header)
        v = row.cells[col.name]
        if v == "":
            if col.required:
                self.add(row, col.name, f"missing value; {col.name} is required")
                return False
            return True
        k = col.kind
        if k == "id" and not _ID.fullmatch(v):
            self.add(row, col.name, f"id {v!r} is not valid; expected letters, digits, '-', '_' or '.'")
            return False
        if k == "enum" and v not in ENUMS[col.enum]:
            self.add(row, col.name, f"unknown {col.enum.replace('_', ' ')} {v!r}; expected one of: "
                     f"{', '.join(ENUMS[col.enum])}")
            return False
        if k == "date" and not _date_ok(v):
            self.add(row, col.name, f"bad date {v!r}; expected YYYY, YYYY-MM or YYYY-MM-DD")
            return False
        if k == "period" and not _period_ok(v):
            self.add(row, col.name, f"bad date {v!r}; expected YYYY, YYYY-MM, YYYY-MM-DD or a span start/end "
                     "(e.g. 1981/1994) with start ≤ end")
            return False
        if k == "locator" and len(v) > MAX_LOCATOR:
            self.add(row, col.name, f"locator has {len(v)} characters; at most {MAX_LOCATOR} (a short verbatim "
                     "snippet)")
            return False
        if k == "float":
            try:
                x = float(v)
            except ValueError:
                x = math.nan
            if not math.isfinite(x) or x < 0:
                self.add(row, col.name, f"bad number {v!r}; expected a non-negative number such as 0.005")
                return False
        if k == "ref" and v not in self.ids[col.target]:
            self.add(row, col.name, f"unknown {_singular(col.target)} id {v!r}; it is not in {_where(col.target)}")
            return False
        if k == "refs":
            items = _split_ids(v)
            if any(x == "" for x in items):
                self.add(row, col.name, f"empty id in {v!r}; separate ids with ';'")
                return False
            missing = [x for x in items if x not in self.ids[col.target]]
            if missing:
                self.add(row, col.name, f"unknown {_singular(col.target)} id(s) {', '.join(missing)}; not in "
                         f"{_where(col.target)}")
                return False
        return True

    def row(self, row: _Row, table: Table) -> bool:
        ok = True
        for col in table.columns:
            ok = self.cell(row, col) and ok
        return ok


def _singular(target: str) -> str:
    return {"sources": "source", "entities": "entity", "claims": "claim", "observations": "observation",
            "geographies": "geography"}[target]


def _where(target: str) -> str:
    return {"sources": "sources/*.csv", "observations": "observations/*.csv",
            "geographies": "geographies.csv"}.get(target, f"{target}.csv")


def _either(ck: _Checker, r: _Row, a: str, b: str) -> bool:
    if r.cells.get(a, "") == "" and r.cells.get(b, "") == "":
        ck.add(r, a, f"missing value; give {a} or {b} (either may be empty, not both)")
        return False
    return True


def _quantity(ck: _Checker, r: _Row, vcol: str, ucol: str) -> Quantity | None:
    try:
        return normalise(r.cells[vcol], r.cells.get(ucol, ""))
    except UnitParseError as exc:
        ck.add(r, vcol if exc.what == "value" else ucol, str(exc))
        return None


def _float(s: str) -> float | None:
    return float(s) if s else None


# ------------------------------------------------------------------------- row builders
#
# One function per table: it runs the checks that need more than one cell (after the per-cell
# checks of :class:`_Checker`) and returns the typed record, or ``None`` when the row has a
# problem (the problem is already reported). ``ok`` says whether the per-cell checks passed.


@dataclass
class _Context:
    ck: _Checker
    ids: dict[str, set[str]]
    claim_q: dict[str, Quantity] = field(default_factory=dict)
    obs_q: dict[str, Quantity] = field(default_factory=dict)
    claims: dict[str, Claim] = field(default_factory=dict)
    #: series codes an observation uses, plus those listed in series.csv (when present)
    series: set[str] = field(default_factory=set)


_Builder = Callable[[_Context, _Row, bool], Any]
_BUILDERS: dict[str, _Builder] = {}


def _builder(table: str) -> Callable[[_Builder], _Builder]:
    def deco(fn: _Builder) -> _Builder:
        _BUILDERS[table] = fn
        return fn

    return deco


def _ids_of(r: _Row, col: str) -> tuple[str, ...]:
    return tuple(_split_ids(r.cells.get(col, "")))


@_builder("sources")
def _build_source(ctx: _Context, r: _Row, ok: bool) -> Source | None:
    g = r.cells.get
    ok = _either(ctx.ck, r, "title_zh", "title_en") and ok
    if not ok:
        return None
    return Source(g("id", ""), g("kind", ""), g("ref_label", ""), g("title_zh", ""), g("title_en", ""),
                  g("publisher", ""), g("url", ""), g("date", ""), g("grade", ""), g("note", ""), r.file, r.row)


@_builder("geographies")
def _build_geography(ctx: _Context, r: _Row, ok: bool) -> Geography | None:
    g = r.cells.get
    ok = _either(ctx.ck, r, "name_zh", "name_en") and ok
    if not ok:
        return None
    return Geography(g("id", ""), g("name_zh", ""), g("name_en", ""), g("parent", ""), g("note", ""), r.file, r.row)


#: a qualifier word in the printed value (units.normalise) → the qualifier column values it allows
_COMPATIBLE_QUALIFIERS = {
    "about": ("about",),
    "over": ("over", "lower_bound_share"),
    "at_least": ("at_least",),
    "under": ("under",),
}


@_builder("claims")
def _build_claim(ctx: _Context, r: _Row, ok: bool) -> Claim | None:
    g, ck = r.cells.get, ctx.ck
    ok = _either(ck, r, "measure_zh", "measure_en") and ok
    q = _quantity(ck, r, "printed_value", "printed_unit") if g("printed_value") else None
    if q is not None:
        ctx.claim_q[g("id", "")] = q
        loc = g("locator", "")
        if loc and len(loc) <= MAX_LOCATOR and _fold(g("printed_value", "")) not in _fold(loc):
            ck.add(r, "locator", f"locator {loc!r} does not contain the printed value {g('printed_value', '')!r}; "
                   "quote the snippet with the number")
            ok = False
    qualifier = g("qualifier", "")
    if q is not None and q.qualifier and q.unit != "rank" and (not qualifier or qualifier in ENUMS["qualifier"]):
        allowed = _COMPATIBLE_QUALIFIERS[q.qualifier]
        if qualifier and qualifier not in allowed:
            ck.add(r, "qualifier", f"qualifier {qualifier!r} contradicts the printed value {g('printed_value', '')!r} "
                   f"(which says {q.qualifier!r}); expected {' or '.join(allowed)}, or leave it empty")
            ok = False
        qualifier = qualifier or q.qualifier
    ok = _check_period(ck, r) and ok
    if q is not None and g("kind", "") == "superlative" and q.unit != "rank":
        ck.add(r, "printed_value", f"a superlative claim needs a ranking word as printed_value (最大, 首位, 前列, 第二…); "
               f"{g('printed_value', '')!r} {g('printed_unit', '')!r} reads as {q.unit}")
        ok = False
    if not ok or q is None:
        return None
    claim = Claim(
        g("id", ""), g("section", ""), g("channel", ""), g("geography", ""), g("measure_zh", ""), g("measure_en", ""),
        g("printed_value", ""), g("printed_unit", ""), qualifier or "exact", g("period_kind", ""),
        g("period_start", ""), g("period_end", ""), g("citation", ""), _ids_of(r, "source_ids"), g("locator", ""),
        g("kind", ""), g("note", ""), q.value, q.unit, q.high, r.file, r.row)
    ctx.claims[claim.id] = claim
    return claim


@_builder("entities")
def _build_entity(ctx: _Context, r: _Row, ok: bool) -> Entity | None:
    g = r.cells.get
    ok = _either(ctx.ck, r, "name_zh", "name_en") and ok
    if not ok:
        return None
    return Entity(g("id", ""), g("type", ""), g("name_zh", ""), g("name_en", ""), g("side", ""), g("channel", ""),
                  g("chain_stage", ""), g("founded", ""), _ids_of(r, "source_ids"), g("locator", ""), g("note", ""),
                  r.file, r.row)


@_builder("relations")
def _build_relation(ctx: _Context, r: _Row, ok: bool) -> Relation | None:
    g = r.cells.get
    q = None
    if g("value", ""):
        q = _quantity(ctx.ck, r, "value", "unit")
        ok = ok and q is not None
    elif g("unit", ""):
        ctx.ck.add(r, "value", "a unit is given without a value; give both or neither")
        ok = False
    if not ok:
        return None
    return Relation(g("id", ""), g("subject", ""), g("predicate", ""), g("object", ""), g("start", ""), g("end", ""),
                    g("value", ""), g("unit", ""), _ids_of(r, "source_ids"), g("locator", ""), g("note", ""),
                    None if q is None else q.value, None if q is None else q.unit, r.file, r.row)


@_builder("events")
def _build_event(ctx: _Context, r: _Row, ok: bool) -> Event | None:
    g = r.cells.get
    ok = _either(ctx.ck, r, "label_zh", "label_en") and ok
    if not ok:
        return None
    return Event(g("id", ""), g("date", ""), g("label_zh", ""), g("label_en", ""), g("channel", ""),
                 _ids_of(r, "entity_ids"), _ids_of(r, "source_ids"), g("locator", ""), g("note", ""), r.file, r.row)


@_builder("observations")
def _build_observation(ctx: _Context, r: _Row, ok: bool) -> Observation | None:
    g = r.cells.get
    q = _quantity(ctx.ck, r, "printed_value", "printed_unit") if g("printed_value") else None
    if q is not None:
        ctx.obs_q[g("id", "")] = q
    if not g("locator", "") and not g("derived_from", ""):
        ctx.ck.add(r, "locator", "missing value; a locator is required unless derived_from says how the figure "
                   "was derived")
        ok = False
    if not ok or q is None:
        return None
    ctx.series.add(g("series", ""))
    return Observation(g("id", ""), g("series", ""), g("geography", ""), g("period", ""), g("printed_value", ""),
                       g("printed_unit", ""), g("source_id", ""), g("locator", ""), g("grade", ""), g("vintage", ""),
                       g("derived_from", ""), g("note", ""), q.value, q.unit, q.qualifier, r.file, r.row)


@_builder("corroborations")
def _build_corroboration(ctx: _Context, r: _Row, ok: bool) -> Corroboration | None:
    g = r.cells.get
    ok = _check_corroboration(ctx.ck, r, ctx.claim_q, ctx.obs_q) and ok
    if not ok:
        return None
    tol = _float(g("tolerance", ""))
    return Corroboration(g("id", ""), g("claim_id", ""), g("observation_id", ""), g("comparison", ""),
                         DEFAULT_CORROBORATION_TOLERANCE if tol is None else tol, g("declared_status", ""),
                         g("note", ""), r.file, r.row)


def claim_period(claim: Claim) -> str:
    """The period a claim is about, written as observations write theirs; ``""`` if it has none.

    ``year``: its year (``start/end`` when two different years are given); ``as_of`` and
    ``cumulative`` to a date: ``period_end`` (``start/end`` for a cumulative with a start);
    ``range``: ``start/end``; ``undated``: none.
    """
    a, b = claim.period_start, claim.period_end
    if claim.period_kind == "undated":
        return ""
    if claim.period_kind == "as_of":
        return b
    if a and b and a != b:
        return f"{a}/{b}"
    return a or b


@_builder("claim_series")
def _build_claim_series(ctx: _Context, r: _Row, ok: bool) -> ClaimSeries | None:
    g, ck = r.cells.get, ctx.ck
    claim = ctx.claims.get(g("claim_id", ""))
    series = g("series", "")
    if series and ctx.series and series not in ctx.series:
        ck.add(r, "series", f"unknown series {series!r}; no observation uses it and series.csv does not list it")
        ok = False
    comp = g("comparison", "")
    period = g("period", "")
    if claim is not None:
        period = period or claim_period(claim)
        if not period and g("claim_id", ""):
            ck.add(r, "period", f"missing value; claim {claim.id} is {claim.period_kind} ({claim.period_start or '—'}–"
                   f"{claim.period_end or '—'}), so give the period its observations must have")
            ok = False
        if comp == "majority" and not (claim.unit == "rank" and (math.isnan(claim.value) or claim.value == 1)):
            ck.add(r, "comparison", f"comparison 'majority' needs a top-rank claim (最大, 首位, 前列…); claim "
                   f"{claim.id} is {claim.printed}")
            ok = False
    if g("declared_status", "") and comp != "scope_differs":
        ck.add(r, "declared_status", f"declared_status is only for comparison 'scope_differs' (got {comp!r}); the "
               "status of an 'equal' or 'majority' check is computed")
        ok = False
    if not ok or claim is None:
        return None
    tol = _float(g("tolerance", ""))
    return ClaimSeries(g("id", ""), claim.id, series, g("geography", "") or claim.geography, period, comp,
                       DEFAULT_CORROBORATION_TOLERANCE if tol is None else tol, g("declared_status", ""),
                       g("note", ""), r.file, r.row)


@_builder("derivations")
def _build_derivation(ctx: _Context, r: _Row, ok: bool) -> Derivation | None:
    g = r.cells.get
    if g("expression", ""):
        try:
            e = compile_expression(g("expression", ""))
        except ExpressionError as exc:
            ctx.ck.add(r, "expression", str(exc))
            return None
        missing = [n for n in e.names if n not in ctx.ids["claims"]]
        if missing:
            ctx.ck.add(r, "expression", f"unknown claim id(s) {', '.join(missing)} in the expression; not in "
                       "claims.csv")
            return None
    if not ok:
        return None
    return Derivation(g("id", ""), g("claim_id", ""), g("expression", ""), _float(g("tolerance", "")), g("note", ""),
                      r.file, r.row)


# ------------------------------------------------------------------------- main


def load_records(root: Path) -> LoadedRecords:
    """Read and validate every evidence file under ``root``.

    Raises
    ------
    InputError
        Listing every problem found (file, row, column, what was expected).
    """
    problems: list[Problem] = []
    if not root.is_dir():
        raise InputError([Problem(str(root), None, None, "evidence folder not found (expected a folder with "
                                  "claims.csv, sources/*.csv, …)")], title="invalid evidence")
    out = LoadedRecords(root)
    raw: dict[str, list[_Row]] = {}
    for table in TABLES:
        raw[table.name] = []
        for p in _files_of(root, table):
            if p.is_dir():
                problems.append(Problem(p.relative_to(root).as_posix(), None, None,
                                        "is a folder, but a CSV file of this name is expected here"))
                continue
            out.files.append(p.relative_to(root).as_posix())
            raw[table.name] += _read_file(root, p, table, problems)

    # pass 1: ids, unique within and across all files
    ids: dict[str, set[str]] = {t.name: set() for t in TABLES}
    first: dict[str, tuple[str, int]] = {}
    dup: dict[tuple[str, int], str] = {}
    for table in TABLES:
        for r in raw[table.name]:
            i = r.cells.get("id", "")
            if not i:
                continue
            if i in first:
                f, n = first[i]
                dup[(r.file, r.row)] = f"duplicate id {i!r} (first used in {f} row {n})"
            else:
                first[i] = (r.file, r.row)
                ids[table.name].add(i)
    if not raw["geographies"]:
        ids["geographies"] = set(DEFAULT_GEOGRAPHIES)

    # pass 2: every cell, then every row, in table, file and row order
    ctx = _Context(_Checker(ids, problems), ids)
    ctx.series |= _series_codes(root, problems)
    for table in TABLES:
        build = _BUILDERS[table.name]
        records: list[Any] = getattr(out, table.name)
        for r in raw[table.name]:
            if (r.file, r.row) in dup:
                ctx.ck.add(r, "id", dup[(r.file, r.row)])
                continue
            rec = build(ctx, r, ctx.ck.row(r, table))
            if rec is not None:
                records.append(rec)
    if problems:
        raise InputError(problems, title=f"invalid evidence in {root}")
    return out


def _series_codes(root: Path, problems: list[Problem]) -> set[str]:
    """The codes of the panel's ``series.csv`` (column ``code``), used only to check ``claim_series.csv``."""
    p = root / "series.csv"
    if not p.is_file():
        return set()
    try:
        text, _ = read_text(p)
    except InputError as exc:
        problems += [Problem("series.csv", q.row, q.field, q.message) for q in exc.problems]
        return set()
    return {row.get("code", "").strip() for row in csv.DictReader(io.StringIO(text, newline=""))} - {""}


def _check_period(ck: _Checker, r: _Row) -> bool:
    kind, start, end = r.cells.get("period_kind", ""), r.cells.get("period_start", ""), r.cells.get("period_end", "")
    if kind not in ENUMS["period_kind"] or (start and not _date_ok(start)) or (end and not _date_ok(end)):
        return True  # already reported
    if kind == "as_of" and not end:
        ck.add(r, "period_end", "missing value; period_kind 'as_of' needs period_end (截至 …)")
        return False
    if kind == "range" and not (start and end):
        ck.add(r, "period_start" if not start else "period_end",
               "missing value; period_kind 'range' needs period_start and period_end")
        return False
    if kind == "year" and not (start or end):
        ck.add(r, "period_end", f"missing value; period_kind '{kind}' needs period_start or period_end")
        return False
    if start and end and _date_key(start) > _date_key(end):
        ck.add(r, "period_end", f"period_end {end} is before period_start {start}")
        return False
    return True


def _check_corroboration(
    ck: _Checker, r: _Row, claim_q: dict[str, Quantity], obs_q: dict[str, Quantity]
) -> bool:
    comp, obs, status = r.cells.get("comparison", ""), r.cells.get("observation_id", ""), r.cells.get(
        "declared_status", "")
    if comp == "equal":
        if not obs:
            ck.add(r, "observation_id", "missing value; comparison 'equal' needs an observation")
            return False
        cq, oq = claim_q.get(r.cells.get("claim_id", "")), obs_q.get(obs)
        if cq is not None and oq is not None and cq.unit != oq.unit:
            ck.add(r, "observation_id", f"observation {obs} is in {oq.unit} but claim {r.cells['claim_id']} is in "
                   f"{cq.unit}; comparison 'equal' needs the same canonical unit (use scope_differs)")
            return False
    elif comp == "majority":
        if not obs:
            ck.add(r, "observation_id", "missing value; comparison 'majority' needs an observation of a share")
            return False
        cq, oq = claim_q.get(r.cells.get("claim_id", "")), obs_q.get(obs)
        if cq is not None and not (cq.unit == "rank" and (math.isnan(cq.value) or cq.value == 1)):
            ck.add(r, "comparison", f"comparison 'majority' needs a top-rank claim (最大, 首位, 前列…); claim "
                   f"{r.cells['claim_id']} is rank/number {cq.value:g} in {cq.unit}")
            return False
        if oq is not None and oq.unit != "share":
            ck.add(r, "observation_id", f"comparison 'majority' needs an observation of a share; {obs} is in {oq.unit}")
            return False
    elif comp in {"declared", "scope_differs"}:
        if not status:
            ck.add(r, "declared_status", f"missing value; comparison '{comp}' needs a declared_status "
                   f"({', '.join(ENUMS['declared_status'])})")
            return False
        if comp == "scope_differs" and not obs:
            ck.add(r, "observation_id", "missing value; comparison 'scope_differs' needs an observation")
            return False
    return True
