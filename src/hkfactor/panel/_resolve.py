"""Resolve observations into a series × period panel, recording why every cell holds its value.

The rule (:class:`ResolutionRule`) ranks the candidate observations of one series and one
period by, in order:

1. **grade** — ``A`` (official statistical table or agency release) before ``B`` (government
   or major media quoting official figures) before ``C`` (secondary); an observation with no
   grade takes its source's grade;
2. **exactness** — a value printed without a qualifier beats a bound or an approximation
   (``超过800亿`` or ``约1000亿`` loses to ``843.9亿`` of the same grade), whatever their vintages
   (``rule.exact_first``; switch off to rank by vintage straight after grade);
3. **vintage** — the newer publication wins (an empty vintage counts as oldest);
4. **declared preference** — ``rule.prefer``: a list of source ids or observation ids, earlier
   entries preferred; ids not listed come after every listed one;
5. then, to keep the result deterministic, the more precise printed value (more significant
   digits) and finally the observation id. Reaching these is recorded as such.

Conflicting observations are never dropped: the losers of every cell are listed in its
provenance. By default only annual observations (``period`` = ``YYYY``) enter the panel;
partial-year periods (``2014-01/2014-11``), dated stocks (``2016-06``) and multi-year ranges
(``1979/2002``) are excluded and each exclusion is recorded with its reason.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from hkfactor.errors import SpecError

__all__ = ["GRADE_ORDER", "Panel", "ResolutionRule", "classify_period", "resolve"]

#: grades best first
GRADE_ORDER: tuple[str, ...] = ("A", "B", "C")

_YEAR = re.compile(r"\d{4}")
_DATE = re.compile(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")

CELL_COLUMNS = (
    "series", "period", "value", "unit", "qualifier", "observation_id", "grade", "vintage", "source_id",
    "reason", "losers", "n_candidates", "breaks",
)
EXCLUDED_COLUMNS = ("observation_id", "series", "period", "reason")


def classify_period(period: str) -> str:
    """Return ``"annual"``, ``"partial_year"``, ``"dated"``, ``"multi_year"`` or ``"invalid"``.

    >>> [classify_period(p) for p in ("2016", "2014-01/2014-11", "2016-06", "1979/2002")]
    ['annual', 'partial_year', 'dated', 'multi_year']
    """
    p = period.strip()
    if _YEAR.fullmatch(p):
        return "annual"
    if "/" in p:
        a, _, b = p.partition("/")
        ma, mb = _DATE.fullmatch(a), _DATE.fullmatch(b)
        if not (ma and mb):
            return "invalid"
        if ma.group(1) == mb.group(1):
            # a whole calendar year written as a range is still annual
            if (ma.group(2) in (None, "01") and mb.group(2) in (None, "12")
                    and ma.group(3) in (None, "01") and mb.group(3) in (None, "31")):
                return "annual"
            return "partial_year"
        return "multi_year"
    if _DATE.fullmatch(p):
        return "dated"
    return "invalid"


def _annual_label(period: str) -> str:
    return period.strip()[:4]


_EXCLUSION_REASON = {
    "partial_year": "partial-year period {p}: not an annual value",
    "dated": "dated value {p} (a stock or event at a date within the year): not an annual value",
    "multi_year": "multi-year period {p}: not an annual value",
    "invalid": "unreadable period {p!r}",
}


@dataclass(frozen=True)
class ResolutionRule:
    """How competing observations of one series and period are ranked.

    Parameters
    ----------
    grades : tuple of str
        Grades best first (default ``("A", "B", "C")``); an unlisted grade ranks last.
    newer_vintage_wins : bool
        Rank by publication date, newest first (default ``True``); ``False`` ranks oldest first.
    prefer : tuple of str
        Declared preference list of source ids or observation ids, most preferred first.
    annual_only : bool
        Keep only annual periods (default ``True``); otherwise non-annual periods become
        their own panel periods, labelled as printed.
    include_derived : bool
        Let observations computed by us (``derived_from`` non-empty) enter (default ``True``).
    exact_first : bool
        After grade, rank a value printed without a qualifier (about, over, under, …) before a
        qualified one (default ``True``).
    """

    grades: tuple[str, ...] = GRADE_ORDER
    newer_vintage_wins: bool = True
    prefer: tuple[str, ...] = ()
    annual_only: bool = True
    include_derived: bool = True
    exact_first: bool = True

    def to_dict(self) -> dict[str, Any]:
        """The rule as plain data (recorded in the data package)."""
        return {"grades": list(self.grades), "newer_vintage_wins": self.newer_vintage_wins,
                "prefer": list(self.prefer), "annual_only": self.annual_only,
                "include_derived": self.include_derived, "exact_first": self.exact_first}


def _vintage_key(v: str) -> tuple[int, int, int]:
    m = _DATE.fullmatch(v.strip()) if isinstance(v, str) else None
    if not m:
        return (0, 0, 0)
    return (int(m.group(1)), int(m.group(2) or 0), int(m.group(3) or 0))


def _precision(printed: str) -> int:
    digits = re.sub(r"[^0-9.]", "", printed or "")
    if "." in digits:
        return len(digits.replace(".", "").lstrip("0")) or 1
    return len(digits.rstrip("0").lstrip("0")) or 1


@dataclass
class Panel:
    """A resolved panel: one value per series and period, with the provenance of each.

    Attributes
    ----------
    cells : DataFrame
        One row per (series, period): ``value`` (canonical unit), the winning
        ``observation_id``, its ``grade``/``vintage``/``source_id``, the ``reason`` it won,
        the ``losers`` (``;``-joined ids) and the ``breaks`` in force (ids of declared breaks at
        or before the period).
    excluded : DataFrame
        Observations kept out of the panel and why (partial year, dated stock, …).
    observations : DataFrame
        The input observations (with effective grades).
    series : DataFrame
        Series definitions (may be empty).
    breaks : DataFrame
        Declared breaks (may be empty).
    rule : ResolutionRule
    sources : DataFrame
        The source records the observations cite (may be empty); written into the data package.
    """

    cells: pd.DataFrame
    excluded: pd.DataFrame
    observations: pd.DataFrame
    series: pd.DataFrame
    breaks: pd.DataFrame
    rule: ResolutionRule = field(default_factory=ResolutionRule)
    sources: pd.DataFrame = field(default_factory=pd.DataFrame)

    def wide(self) -> pd.DataFrame:
        """Values as a period × series table (NaN where missing; nothing is filled in)."""
        if self.cells.empty:
            return pd.DataFrame()
        return self.cells.pivot(index="period", columns="series", values="value").sort_index()

    def provenance(self, series: str, period: str) -> dict[str, Any]:
        """The provenance record of one cell (raises ``KeyError`` if the cell is empty)."""
        hit = self.cells[(self.cells["series"] == series) & (self.cells["period"] == str(period))]
        if hit.empty:
            raise KeyError(f"no value for series {series!r} in period {period!r}")
        return dict(hit.iloc[0])

    def to_datapackage(self, out_dir: Any, *, sources: pd.DataFrame | None = None) -> Any:
        """Write this panel as a Frictionless Data Package (see :func:`hkfactor.panel.to_datapackage`);
        ``sources`` defaults to the panel's own."""
        from hkfactor.panel._package import to_datapackage

        return to_datapackage(self, out_dir, sources=sources)

    def breaks_of(self, series: str) -> pd.DataFrame:
        """The declared breaks of one series."""
        if self.breaks.empty:
            return self.breaks
        return self.breaks[self.breaks["series"] == series]


def _effective_grades(obs: pd.DataFrame, sources: pd.DataFrame | None) -> pd.Series:
    grade = obs["grade"].fillna("").astype(str)
    if sources is not None and not sources.empty:
        src_grade = dict(zip(sources["id"], sources["grade"], strict=False))
        grade = grade.where(grade != "", obs["source_id"].map(src_grade).fillna(""))
    return grade


def _explain(win: dict[str, Any], run: dict[str, Any], rule: ResolutionRule) -> str:
    if win["_grade_rank"] != run["_grade_rank"]:
        return f"grade {win['grade'] or '?'} beats {run['grade'] or '?'} ({run['id']})"
    if win["_inexact"] != run["_inexact"]:
        return (f"same grade {win['grade']}; exact value {win['printed_value']} beats the "
                f"{run['qualifier']} value {run['printed_value']} ({run['id']})")
    if win["_vintage"] != run["_vintage"]:
        word = "newer" if rule.newer_vintage_wins else "older"
        return (f"same grade {win['grade']}; {word} vintage {win['vintage'] or '(none)'} beats "
                f"{run['vintage'] or '(none)'} ({run['id']})")
    if win["_pref"] != run["_pref"]:
        return f"same grade and vintage; declared preference for {win['_pref_id']} over {run['id']}"
    if win["_precision"] != run["_precision"]:
        return (f"same grade, vintage and preference; more precise printed value "
                f"{win['printed_value']} beats {run['printed_value']} ({run['id']})")
    return f"full tie with {run['id']}; broken by observation id"


def resolve(
    observations: pd.DataFrame,
    *,
    rule: ResolutionRule | None = None,
    sources: pd.DataFrame | None = None,
    series: pd.DataFrame | None = None,
    breaks: pd.DataFrame | None = None,
) -> Panel:
    """Build every series from its observations by the resolution rule.

    Parameters
    ----------
    observations : DataFrame
        Columns ``id, series, period, value, unit, grade, vintage, source_id, printed_value``
        (``qualifier``, ``derived_from`` optional), as from :func:`read_observations`.
    rule : ResolutionRule, optional
        Default: grade, then newer vintage, then no declared preference; annual only.
    sources : DataFrame, optional
        Source records, used to fill an observation's empty grade from its source.
    series, breaks : DataFrame, optional
        Series definitions and declared breaks, carried on the panel.

    Returns
    -------
    Panel
        Every cell records which observation won and why, and which lost.

    Examples
    --------
    >>> import pandas as pd
    >>> obs = pd.DataFrame({"id": ["a", "b"], "series": ["x", "x"], "period": ["2020", "2020"],
    ...     "value": [1.0, 2.0], "unit": ["count"] * 2, "grade": ["B", "A"],
    ...     "vintage": ["2021", "2020"], "source_id": ["s1", "s2"], "printed_value": ["1", "2"]})
    >>> resolve(obs).provenance("x", "2020")["observation_id"]
    'b'
    """
    rule = rule or ResolutionRule()
    need = {"id", "series", "period", "value", "unit", "grade", "vintage", "source_id", "printed_value"}
    missing = need - set(observations.columns)
    if missing:
        raise SpecError(f"observations lack column(s) {', '.join(sorted(missing))}")
    if observations["id"].duplicated().any():
        dups = observations.loc[observations["id"].duplicated(), "id"].tolist()
        raise SpecError(f"duplicate observation id(s): {', '.join(dups[:5])}")
    obs = observations.copy()
    for c in ("qualifier", "derived_from", "printed_unit", "geography"):
        if c not in obs.columns:
            obs[c] = None if c == "qualifier" else ""
    obs["grade"] = _effective_grades(obs, sources)
    obs["vintage"] = obs["vintage"].fillna("").astype(str)
    brk = breaks if breaks is not None else pd.DataFrame(columns=["id", "series", "from_period"])
    ser = series if series is not None else pd.DataFrame(columns=["code"])

    excluded: list[dict[str, Any]] = []
    keep_rows = []
    for i, rid, rs, rp, rd, rv in zip(obs.index, obs["id"], obs["series"], obs["period"], obs["derived_from"],
                                     obs["value"], strict=True):
        kind = classify_period(str(rp))
        if kind != "annual" and (rule.annual_only or kind == "invalid"):
            excluded.append({"observation_id": rid, "series": rs, "period": rp,
                             "reason": _EXCLUSION_REASON[kind].format(p=rp)})
            continue
        if not rule.include_derived and str(rd or "").strip():
            excluded.append({"observation_id": rid, "series": rs, "period": rp,
                             "reason": f"derived (from {rd}); rule excludes derived values"})
            continue
        if pd.isna(rv):
            excluded.append({"observation_id": rid, "series": rs, "period": rp, "reason": "no numeric value"})
            continue
        keep_rows.append(i)
    cand = obs.loc[keep_rows].copy()
    cand["_period"] = [
        _annual_label(p) if classify_period(p) == "annual" else p for p in cand["period"].astype(str)
    ]
    grade_rank = {g: k for k, g in enumerate(rule.grades)}
    cand["_grade_rank"] = cand["grade"].map(lambda g: grade_rank.get(g, len(rule.grades)))
    cand["_vintage"] = cand["vintage"].map(_vintage_key)
    qual = cand["qualifier"].fillna("").astype(str).str.strip()
    cand["_inexact"] = (qual != "").astype(int) if rule.exact_first else 0
    pref = {p: k for k, p in enumerate(rule.prefer)}

    def _pref(oid: str, sid: str) -> tuple[int, str]:
        ranks = [(pref[k], k) for k in (oid, sid) if k in pref]
        return min(ranks) if ranks else (len(pref), "")

    prefs = [_pref(a, b) for a, b in zip(cand["id"], cand["source_id"], strict=True)]
    cand["_pref"] = [p[0] for p in prefs]
    cand["_pref_id"] = [p[1] for p in prefs]
    cand["_precision"] = cand["printed_value"].astype(str).map(_precision)

    cells: list[dict[str, Any]] = []
    sign = -1 if rule.newer_vintage_wins else 1
    declared_unit: dict[str, str] = {}
    if "code" in ser.columns and "unit" in ser.columns:
        declared_unit = {str(c): str(u) for c, u in zip(ser["code"], ser["unit"], strict=False) if str(u)}
    # one pass over plain records (a DataFrame per cell would dominate the run time)
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for raw in cand.to_dict("records"):
        groups.setdefault((str(raw["series"]), str(raw["_period"])), []).append({str(k): v for k, v in raw.items()})
    brk_of: dict[str, list[tuple[str, str]]] = {}
    for bs, bp, bi in zip(brk["series"].astype(str), brk["from_period"].astype(str), brk["id"], strict=True):
        brk_of.setdefault(bs, []).append((bp, str(bi)))
    for (s, p) in sorted(groups):
        recs = groups[(s, p)]
        recs.sort(key=lambda r: (r["_grade_rank"], r["_inexact"], tuple(sign * x for x in r["_vintage"]), r["_pref"],
                                 -r["_precision"], r["id"]))
        # One cell, one canonical unit: the series' declared unit (series.csv), else the unit of
        # the best-ranked observation. Observations in another unit are excluded, with the reason.
        unit = declared_unit.get(str(s), recs[0]["unit"])
        for rec in recs:
            if rec["unit"] != unit:
                excluded.append({"observation_id": rec["id"], "series": s, "period": rec["period"],
                                 "reason": f"canonical unit {rec['unit']!r} differs from the series unit {unit!r}"})
        recs = [rec for rec in recs if rec["unit"] == unit]
        if not recs:
            continue
        win = recs[0]
        reason = "only candidate" if len(recs) == 1 else _explain(win, recs[1], rule)
        in_force = [bi for bp, bi in brk_of.get(s, []) if bp <= str(p)]
        cells.append({
            "series": s, "period": str(p), "value": float(win["value"]), "unit": win["unit"],
            "qualifier": q if isinstance(q := win.get("qualifier"), str) else "", "observation_id": win["id"], "grade": win["grade"],
            "vintage": win["vintage"], "source_id": win["source_id"], "reason": reason,
            "losers": ";".join(r["id"] for r in recs[1:]), "n_candidates": len(recs),
            "breaks": ";".join(in_force),
        })
    cell_df = pd.DataFrame(cells, columns=list(CELL_COLUMNS))
    cell_df["value"] = cell_df["value"].astype(float) if len(cell_df) else np.array([], dtype=float)
    return Panel(
        cells=cell_df.reset_index(drop=True),
        excluded=pd.DataFrame(excluded, columns=list(EXCLUDED_COLUMNS)),
        observations=obs.reset_index(drop=True),
        series=ser.reset_index(drop=True),
        breaks=brk.reset_index(drop=True),
        rule=rule,
        sources=sources.reset_index(drop=True) if sources is not None else pd.DataFrame(),
    )


def _years(panel: Panel, years: Sequence[int] | None) -> list[str]:
    if years is not None:
        return [str(y) for y in years]
    ps = sorted({p for p in panel.cells["period"] if _YEAR.fullmatch(p)})
    if not ps:
        return []
    return [str(y) for y in range(int(ps[0]), int(ps[-1]) + 1)]
