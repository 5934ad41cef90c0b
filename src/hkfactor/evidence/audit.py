"""Audit the paper's claims: recompute its arithmetic, compare it with independent sources.

Three kinds of check, each a row of a per-check table:

* **derivations** (``derivations.csv``): the expression is evaluated over the claims' canonical
  values with a safe evaluator (numbers, claim ids, ``+ - * / **``, ``cagr``, ``share``,
  ``ratio``, ``sum``). ``consistent`` when ``|computed − claimed| ≤ tolerance``, else
  ``inconsistent`` ("off by" the absolute and relative difference). The functions return
  fractions; for a claim in ``pct_per_year`` the result is multiplied by 100 first. The
  default tolerance is 0.5 % of ``|claimed|``.
* **corroborations** with ``comparison = equal``: each side is an interval — a point, a printed
  range (``3–5``), or a one-sided bound (claim qualifier ``over``/``at_least``/
  ``lower_bound_share`` → [v, ∞), ``under`` → (−∞, v]; an observation printed with 超/近/over… the
  same); the claim's interval is widened by the relative ``tolerance``. ``corroborated`` when the
  observation's interval lies inside the claim's (the source pins the value the paper states),
  ``consistent`` when they only overlap (a bound that does not contradict), else ``conflicts``
  (naming the source).
* **corroborations** with ``scope_differs``/``declared``: the declared status, with the note.

Each claim then gets the most serious status of its checks, in the order
``conflicts`` > ``inconsistent`` > ``corroborated`` > ``consistent`` > ``unverified``; a claim
with no check is ``unverified``. Details are given in Chinese and English.

NaN policy: a check that cannot be computed (e.g. ``cagr`` of a non-positive start) is
``unverified`` with the reason.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from hkfactor.evidence._expr import compile_expression
from hkfactor.evidence._schema import ENUMS
from hkfactor.evidence.vocab import label
from hkfactor.units import format_quantity

if TYPE_CHECKING:  # pragma: no cover
    from hkfactor.evidence._evidence import Evidence
    from hkfactor.evidence.model import Claim, Source

__all__ = ["STATUSES", "STATUS_LABELS", "AuditResult", "audit"]

#: statuses, most serious first
STATUSES = ("conflicts", "inconsistent", "corroborated", "consistent", "unverified")
STATUS_LABELS: dict[str, tuple[str, str]] = {
    "conflicts": ("与独立来源冲突", "conflicts with an independent source"),
    "inconsistent": ("算术不一致", "arithmetic inconsistent"),
    "corroborated": ("独立来源证实", "corroborated"),
    "consistent": ("一致", "consistent"),
    "unverified": ("未核实", "unverified"),
}
DEFAULT_DERIVATION_REL_TOLERANCE = 0.005

_CLAIM_COLUMNS = [
    "claim_id", "section", "channel", "geography", "measure_zh", "measure_en", "printed", "qualifier",
    "value", "unit", "period_start", "period_end", "status", "detail_zh", "detail_en", "checks", "source_ids",
    "locator",
]
_DERIVATION_COLUMNS = [
    "id", "claim_id", "expression", "claimed", "computed", "unit", "abs_diff", "rel_diff", "tolerance", "status",
    "detail_zh", "detail_en",
]
_CORROBORATION_COLUMNS = [
    "id", "claim_id", "observation_id", "source_id", "comparison", "claimed", "observed", "unit", "abs_diff",
    "rel_diff", "tolerance", "status", "detail_zh", "detail_en", "note",
]


@dataclass(frozen=True)
class AuditResult:
    """The audit of an evidence base.

    Attributes
    ----------
    claims : pandas.DataFrame
        One row per claim (claim order): ``claim_id, section, channel, geography, measure_zh,
        measure_en, printed, qualifier, value, unit, period_start, period_end, status,
        detail_zh, detail_en, checks, source_ids, locator``.
    derivations : pandas.DataFrame
        One row per derivation: ``claimed``, ``computed``, ``abs_diff`` (computed − claimed),
        ``rel_diff`` (÷ |claimed|), ``tolerance`` (absolute), ``status``, details.
    corroborations : pandas.DataFrame
        One row per corroboration: ``observed``, ``abs_diff`` (claimed − observed),
        ``rel_diff`` (÷ |observed|), ``tolerance`` (relative), ``status``, details.
    """

    claims: pd.DataFrame
    derivations: pd.DataFrame
    corroborations: pd.DataFrame

    def summary(self) -> pd.DataFrame:
        """Counts of claims by status (every status listed, most serious first)."""
        counts = self.claims["status"].value_counts()
        return pd.DataFrame(
            {
                "status": list(STATUSES),
                "label_zh": [STATUS_LABELS[s][0] for s in STATUSES],
                "label_en": [STATUS_LABELS[s][1] for s in STATUSES],
                "n": [int(counts.get(s, 0)) for s in STATUSES],
            }
        )

    def by_channel(self) -> pd.DataFrame:
        """Claims per channel (rows, in schema order) and status (columns), with a ``total`` column."""
        channels = [c for c in ENUMS["channel"] if c in set(self.claims["channel"])]
        tab = pd.crosstab(self.claims["channel"], self.claims["status"]) if len(self.claims) else pd.DataFrame()
        tab = tab.reindex(index=channels, columns=list(STATUSES), fill_value=0).astype("int64")
        tab["total"] = tab.sum(axis=1)
        tab.index.name = "channel"
        return tab

    def status_of(self, claim_id: str) -> str:
        """The status of one claim."""
        row = self.claims.loc[self.claims["claim_id"] == claim_id]
        if row.empty:
            from hkfactor.errors import SpecError

            raise SpecError(f"no claim {claim_id!r} in the audit")
        return str(row["status"].iloc[0])


def _source_label(src: Source | None, sid: str, lang: str) -> str:
    if src is None:
        return sid
    if lang == "zh":
        name = src.publisher or src.title_zh or src.title_en
    else:
        name = src.publisher if src.publisher.isascii() and src.publisher else (src.title_en or src.publisher
                                                                                or src.title_zh)
    grade = f", {'等级' if lang == 'zh' else 'grade'} {src.grade}" if src.grade else ""
    return f"{name} ({sid}{grade})"


def _pct(x: float) -> str:
    return "—" if not math.isfinite(x) else f"{x * 100:+.1f}%"


def _num(x: float) -> str:
    return "—" if not math.isfinite(x) else f"{x:.6g}"


def _check_derivation(d: Any, claim: Claim, values: dict[str, float]) -> dict[str, Any]:
    expr = compile_expression(d.expression)
    computed = expr.evaluate(values)
    if claim.unit == "pct_per_year":
        computed *= 100.0
    claimed = claim.value
    tol = d.tolerance if d.tolerance is not None else DEFAULT_DERIVATION_REL_TOLERANCE * abs(claimed)
    diff = computed - claimed
    rel = diff / abs(claimed) if claimed != 0 else math.nan
    zh_c, en_c = format_quantity(computed, claim.unit, lang="zh"), format_quantity(computed, claim.unit, lang="en")
    zh_p, en_p = format_quantity(claimed, claim.unit, lang="zh"), format_quantity(claimed, claim.unit, lang="en")
    if not math.isfinite(computed):
        status = "unverified"
        zh = f"无法计算 {d.expression}（{d.id}）"
        en = f"cannot compute {d.expression} ({d.id})"
    else:
        q = claim.qualifier
        if q in {"over", "at_least", "lower_bound_share"}:
            ok = computed >= claimed - tol
        elif q == "under":
            ok = computed <= claimed + tol
        else:
            ok = abs(diff) <= tol
        status = "consistent" if ok else "inconsistent"
        if ok:
            zh = f"重算 {d.expression} = {zh_c}，与原文 {zh_p} 一致（{d.id}）"
            en = f"recomputed {d.expression} = {en_c}, consistent with the printed {en_p} ({d.id})"
        else:
            zh = f"重算 {d.expression} = {zh_c}，原文 {zh_p}，相差 {_num(diff)}（{_pct(rel)}）（{d.id}）"
            en = f"recomputed {d.expression} = {en_c} vs printed {en_p}: off by {_num(diff)} ({_pct(rel)}) ({d.id})"
    return {"id": d.id, "claim_id": d.claim_id, "expression": d.expression, "claimed": claimed,
            "computed": computed, "unit": claim.unit, "abs_diff": diff, "rel_diff": rel, "tolerance": tol,
            "status": status, "detail_zh": zh, "detail_en": en}


def _interval(value: float, high: float | None, qualifier: str) -> tuple[float, float]:
    """The values a printed figure allows: a point, a range, or a one-sided bound."""
    hi = value if high is None else high
    if qualifier in {"over", "at_least", "lower_bound_share"}:
        return value, math.inf
    if qualifier == "under":
        return -math.inf, hi
    return value, hi


def _check_corroboration(k: Any, claim: Claim, ev: Evidence) -> dict[str, Any]:
    obs = ev.get(k.observation_id) if k.observation_id else None
    sid = obs.source_id if obs is not None else ""
    src = ev.get(sid) if sid else None
    claimed = claim.value
    observed = obs.value if obs is not None else math.nan
    diff = claimed - observed if obs is not None else math.nan
    rel = diff / abs(observed) if obs is not None and observed != 0 else math.nan
    zh_src, en_src = _source_label(src, sid, "zh"), _source_label(src, sid, "en")
    # the free-text notes are written once (mostly in English): both details carry the note, labelled
    note = f"；注：{k.note}" if k.note else ""
    note_en = f"; note: {k.note}" if k.note else ""
    if k.comparison == "equal" and obs is not None:
        tol = k.tolerance
        c_lo, c_hi = _interval(claimed, claim.value_high, claim.qualifier)
        if math.isfinite(c_lo):
            c_lo -= tol * abs(c_lo)
        if math.isfinite(c_hi):
            c_hi += tol * abs(c_hi)
        o_lo, o_hi = _interval(observed, None, obs.qualifier or "exact")
        if c_lo <= o_lo and o_hi <= c_hi:
            status = "corroborated"  # the observation pins the value inside what the paper says
        elif o_lo <= c_hi and c_lo <= o_hi:
            status = "consistent"  # the observation is a bound that does not contradict the paper
        else:
            status = "conflicts"
        o_zh, o_en = format_quantity(observed, obs.unit, lang="zh"), format_quantity(observed, obs.unit, lang="en")
        c_zh, c_en = format_quantity(claimed, claim.unit, lang="zh"), format_quantity(claimed, claim.unit, lang="en")
        oq_zh = label("qualifier", obs.qualifier or "exact", "zh")
        oq_en = label("qualifier", obs.qualifier or "exact", "en")
        o_zh, o_en = f"{oq_zh}{o_zh}", (f"{oq_en} {o_en}" if oq_en else o_en)
        if status == "corroborated":
            zh = f"与{zh_src}一致：{obs.period} 为 {o_zh}（{k.id}）{note}"
            en = f"corroborated by {en_src}: {obs.period} = {o_en} ({k.id}){note_en}"
        elif status == "consistent":
            zh = f"与{zh_src}不矛盾：{obs.period} {o_zh}，原文 {c_zh}（{k.id}）{note}"
            en = f"consistent with {en_src}: {obs.period} {o_en}, printed {c_en} ({k.id}){note_en}"
        else:
            zh = f"与{zh_src}冲突：{obs.period} 为 {o_zh}，原文 {c_zh}（相差 {_pct(rel)}）（{k.id}）{note}"
            en = (f"conflicts with {en_src}: {obs.period} = {o_en} vs printed {c_en} ({_pct(rel)}) "
                  f"({k.id}){note_en}")
    else:
        tol = k.tolerance
        status = k.declared_status or "unverified"
        zh_s, en_s = STATUS_LABELS[status]
        if obs is not None:
            o_zh, o_en = format_quantity(observed, obs.unit, lang="zh"), format_quantity(observed, obs.unit, lang="en")
            scope_zh = "口径不同，" if k.comparison == "scope_differs" else ""
            scope_en = "different scope, " if k.comparison == "scope_differs" else ""
            zh = f"{zh_s}（{scope_zh}{zh_src}：{obs.period} 为 {o_zh}）（{k.id}）{note}"
            en = f"{en_s} ({scope_en}{en_src}: {obs.period} = {o_en}) ({k.id}){note_en}"
        else:
            zh = f"{zh_s}（判断）（{k.id}）{note}"
            en = f"{en_s} (declared) ({k.id}){note_en}"
    return {"id": k.id, "claim_id": k.claim_id, "observation_id": k.observation_id, "source_id": sid,
            "comparison": k.comparison, "claimed": claimed, "observed": observed, "unit": claim.unit,
            "abs_diff": diff, "rel_diff": rel, "tolerance": tol, "status": status, "detail_zh": zh,
            "detail_en": en, "note": k.note}


def audit(evidence: Evidence) -> AuditResult:
    """Run every check of an evidence base.

    Parameters
    ----------
    evidence : Evidence
        A loaded evidence base (:func:`hkfactor.evidence.load`).

    Returns
    -------
    AuditResult
        Per-claim and per-check tables (see the module docstring for the rules).

    Examples
    --------
    >>> from hkfactor.evidence import load
    >>> result = audit(load())
    >>> list(result.summary().columns)
    ['status', 'label_zh', 'label_en', 'n']
    >>> int(result.summary()["n"].sum()) == len(result.claims)
    True
    """
    recs = evidence.records
    claims = {c.id: c for c in recs.claims}
    values = {c.id: c.value for c in recs.claims}
    der_rows = [_check_derivation(d, claims[d.claim_id], values) for d in recs.derivations]
    cor_rows = [_check_corroboration(k, claims[k.claim_id], evidence) for k in recs.corroborations]
    checks: dict[str, list[dict[str, Any]]] = {c: [] for c in claims}
    for r in der_rows + cor_rows:
        checks[r["claim_id"]].append(r)
    rank = {s: i for i, s in enumerate(STATUSES)}
    rows = []
    for c in recs.claims:
        mine = sorted(checks[c.id], key=lambda r: (rank[r["status"]], r["id"]))
        if mine:
            status = mine[0]["status"]
            zh = "；".join(r["detail_zh"] for r in mine)
            en = "; ".join(r["detail_en"] for r in mine)
        else:
            status = "unverified"
            zh = "无独立来源或算术核对"
            en = "no independent source or arithmetic check"
        rows.append({
            "claim_id": c.id, "section": c.section, "channel": c.channel, "geography": c.geography,
            "measure_zh": c.measure_zh, "measure_en": c.measure_en, "printed": c.printed, "qualifier": c.qualifier,
            "value": c.value, "unit": c.unit, "period_start": c.period_start, "period_end": c.period_end,
            "status": status, "detail_zh": zh, "detail_en": en, "checks": ";".join(r["id"] for r in mine),
            "source_ids": ";".join(c.source_ids), "locator": c.locator,
        })
    return AuditResult(
        claims=pd.DataFrame(rows, columns=_CLAIM_COLUMNS),
        derivations=pd.DataFrame(der_rows, columns=_DERIVATION_COLUMNS),
        corroborations=pd.DataFrame(cor_rows, columns=_CORROBORATION_COLUMNS),
    )
