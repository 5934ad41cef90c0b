"""Audit the paper's claims: recompute its arithmetic, compare it with independent sources.

Four kinds of check, each a row of a per-check table:

* **derivations** (``derivations.csv``): the expression is evaluated over the claims' canonical
  values with a safe evaluator (numbers, claim ids, ``+ - * / **``, ``cagr``, ``share``,
  ``ratio``, ``sum``). ``consistent`` when ``|computed − claimed| ≤ tolerance``, else
  ``inconsistent`` ("off by" the absolute and relative difference). The functions return
  fractions; for a claim in ``pct_per_year`` the result is multiplied by 100 first. The
  default tolerance is 0.5 % of ``|claimed|``.
* **corroborations** with ``comparison = equal`` (``corroborations.csv``, written by hand): each
  side is an interval — a point, a printed range (``3–5``), or a one-sided bound (claim
  qualifier ``over``/``at_least``/``lower_bound_share`` → [v, ∞), ``under`` → (−∞, v]); the
  claim's interval is widened by the relative ``tolerance``. ``corroborated`` when the
  observation's interval lies inside the claim's (the source pins the value the paper states),
  ``consistent`` when they only overlap (a bound that does not contradict), else ``conflicts``
  (naming the source).
  *Truncated bounds*: a source's ``over v`` (超/逾/突破/over/more than) is read as the value
  truncated at its last printed digit, ``[v, v + step]`` (``over 680`` billion → 680–690
  billion; ``超过1.7万`` → 1.7–1.8万; :func:`hkfactor.units.truncation_step`): a reporter who
  rounds a customs figure down writes the next lower printed number, not an arbitrary one. The
  paper's own ``over`` stays a one-sided bound: a claim is tested for truth, a source is read as
  an estimate of the value.
  *Ranks and superlatives*: a superlative (``最大``, ``首选``) is rank 1 and compares like any
  rank; a vague top (``前列``, ``领先``: value NaN) is ``corroborated`` by an observed first place
  and otherwise ``unverified`` (no stated rank to compare with). ``comparison = majority`` links
  a top-rank claim to a *share*: a share above 50 % makes its holder first (``corroborated``);
  a share of 50 % or less decides nothing (``unverified``).
* **corroborations** with ``scope_differs``/``declared``: the declared status, with the note.
* **automatic matches** (``claim_series.csv``): a row maps a claim to a panel series, a
  geography (default: the claim's) and a period (default: the claim's — its year; ``as_of`` or
  a cumulative to a date: ``period_end``; a range ``start/end``; an undated claim must give
  one). *Matching rule*: every observation whose ``series``, ``geography`` and ``period`` equal
  the mapping's (exact strings: ``2018`` does not match ``2018-12`` or ``2017``) is compared
  with the claim by the rules above, with the mapping's ``comparison`` and ``tolerance``.
  ``equal`` between different canonical units (or ``majority`` with a non-share) becomes
  ``scope_differs`` with the reason; a ``scope_differs`` check carries the mapping's
  ``declared_status`` (default ``unverified``). Hand-written links win: an observation already
  linked to the claim in ``corroborations.csv`` — or the same figure (period, unit, value,
  qualifier) from another observation file — is not compared again. Each automatic check has
  the id ``<mapping id>:<observation id>`` and records its ``origin`` and ``rule``.

Every check has a **class**: ``recount`` (the paper against itself: a derivation whose
expression names no claim, such as a counted list ``6`` or ``2011 - 2009 + 1``; a comparison with
an observation whose source is the paper), ``derivation`` (arithmetic over the paper's numbers,
an expression naming claims) or ``independent`` (an outside source; a source of kind ``paper`` —
the paper or a copy of it — is not). Only ``independent`` checks can corroborate or conflict: a
comparison with a copy of the paper that agrees is ``consistent``, one that disagrees
``inconsistent``. The summary counts the classes separately.

Each claim then gets the most serious status of its checks, in the order
``conflicts`` > ``inconsistent`` > ``corroborated`` > ``consistent`` > ``unverified``; a claim
with no check is ``unverified``. Its ``basis`` is the class of the check that decided the status
(among equally serious checks: independent before derivation before recount; ``none`` without a
check). Details are given in Chinese and English.

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
from hkfactor.evidence.vocab import label, qualified_quantity
from hkfactor.units import format_quantity, truncation_step

if TYPE_CHECKING:  # pragma: no cover
    from hkfactor.evidence._evidence import Evidence
    from hkfactor.evidence.model import Claim, Observation, Source

__all__ = ["BASES", "CHECK_CLASSES", "STATUSES", "STATUS_LABELS", "AuditResult", "audit"]

#: statuses, most serious first
STATUSES = ("conflicts", "inconsistent", "corroborated", "consistent", "unverified")
STATUS_LABELS: dict[str, tuple[str, str]] = {
    "conflicts": ("与独立来源冲突", "conflicts with an independent source"),
    "inconsistent": ("算术不一致", "arithmetic inconsistent"),
    "corroborated": ("独立来源证实", "corroborated"),
    "consistent": ("一致", "consistent"),
    "unverified": ("未核实", "unverified"),
}
#: classes of check, strongest evidence first
CHECK_CLASSES = ("independent", "derivation", "recount")
#: what a claim's status rests on: a class of check, or ``none``
BASES = (*CHECK_CLASSES, "none")
DEFAULT_DERIVATION_REL_TOLERANCE = 0.005

_CLAIM_COLUMNS = [
    "claim_id", "section", "channel", "geography", "measure_zh", "measure_en", "printed", "qualifier",
    "value", "unit", "period_start", "period_end", "kind", "status", "basis", "n_independent", "n_derivation",
    "n_recount", "detail_zh", "detail_en", "checks", "source_ids", "locator",
]
_DERIVATION_COLUMNS = [
    "id", "claim_id", "expression", "claimed", "computed", "unit", "abs_diff", "rel_diff", "tolerance", "status",
    "check_class", "detail_zh", "detail_en",
]
_CORROBORATION_COLUMNS = [
    "id", "claim_id", "observation_id", "source_id", "comparison", "claimed", "observed", "unit", "abs_diff",
    "rel_diff", "tolerance", "status", "check_class", "origin", "rule", "detail_zh", "detail_en", "note",
]


@dataclass(frozen=True)
class AuditResult:
    """The audit of an evidence base.

    Attributes
    ----------
    claims : pandas.DataFrame
        One row per claim (claim order): ``claim_id, section, channel, geography, measure_zh,
        measure_en, printed, qualifier, value, unit, period_start, period_end, kind, status,
        basis, n_independent, n_derivation, n_recount, detail_zh, detail_en, checks,
        source_ids, locator``. ``basis`` is the class of the check that decided ``status``
        (``independent``, ``derivation``, ``recount`` or ``none``); ``n_*`` count the claim's
        checks of each class.
    derivations : pandas.DataFrame
        One row per derivation: ``claimed``, ``computed``, ``abs_diff`` (computed − claimed),
        ``rel_diff`` (÷ |claimed|), ``tolerance`` (absolute), ``status``, ``check_class``
        (``derivation`` or ``recount``), details.
    corroborations : pandas.DataFrame
        One row per comparison with an observation or declared judgement, hand-written
        (``origin = corroborations.csv``) or automatic (``origin = claim_series.csv``, id
        ``<mapping>:<observation>``): ``observed``, ``abs_diff`` (claimed − observed),
        ``rel_diff`` (÷ |observed|), ``tolerance`` (relative), ``status``, ``check_class``,
        ``rule``, details.
    """

    claims: pd.DataFrame
    derivations: pd.DataFrame
    corroborations: pd.DataFrame

    def summary(self) -> pd.DataFrame:
        """Counts of claims by status (every status listed, most serious first).

        ``n`` is the number of claims with the status; ``n_independent``, ``n_derivation``,
        ``n_recount`` and ``n_none`` split it by the claim's ``basis`` — so a ``corroborated``
        or ``consistent`` that rests only on a recount of the paper's own text is counted apart
        from one an independent source gives.
        """
        counts = self.claims["status"].value_counts()
        pairs = self.claims.groupby(["status", "basis"]).size() if len(self.claims) else pd.Series(dtype="int64")
        out = pd.DataFrame(
            {
                "status": list(STATUSES),
                "label_zh": [STATUS_LABELS[s][0] for s in STATUSES],
                "label_en": [STATUS_LABELS[s][1] for s in STATUSES],
                "n": [int(counts.get(s, 0)) for s in STATUSES],
            }
        )
        for b in BASES:
            out[f"n_{b}"] = [int(pairs.get((s, b), 0)) for s in STATUSES]
        return out

    def checks(self) -> pd.DataFrame:
        """Every check in one table: ``id, claim_id, kind`` (``derivation`` or ``comparison``),
        ``check_class, origin, rule, status, detail_zh, detail_en``."""
        cols = ["id", "claim_id", "kind", "check_class", "origin", "rule", "status", "detail_zh", "detail_en"]
        d = self.derivations.assign(kind="derivation", origin="derivations.csv",
                                    rule=self.derivations["id"] + ": derivations.csv — " + self.derivations["expression"])
        k = self.corroborations.assign(kind="comparison")
        parts = [x[cols] for x in (d, k) if len(x)]
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=cols)

    def check_summary(self) -> pd.DataFrame:
        """Checks by class (rows: ``independent``, ``derivation``, ``recount``) and status (columns), with
        ``label_zh``, ``label_en`` and a ``total``."""
        ch = self.checks()
        tab = pd.crosstab(ch["check_class"], ch["status"]) if len(ch) else pd.DataFrame()
        tab = tab.reindex(index=list(CHECK_CLASSES), columns=list(STATUSES), fill_value=0).astype("int64")
        tab["total"] = tab.sum(axis=1)
        tab.insert(0, "label_en", [label("check_class", c, "en") for c in CHECK_CLASSES])
        tab.insert(0, "label_zh", [label("check_class", c, "zh") for c in CHECK_CLASSES])
        tab.index.name = "check_class"
        return tab

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
    # an expression naming no claim (a counted list "6", "2011 - 2009 + 1") recounts the paper's own text
    cls = "derivation" if expr.names else "recount"
    return {"id": d.id, "claim_id": d.claim_id, "expression": d.expression, "claimed": claimed,
            "computed": computed, "unit": claim.unit, "abs_diff": diff, "rel_diff": rel, "tolerance": tol,
            "status": status, "check_class": cls, "detail_zh": zh, "detail_en": en}


def _interval(value: float, high: float | None, qualifier: str) -> tuple[float, float]:
    """The values a printed figure allows: a point, a range, or a one-sided bound."""
    hi = value if high is None else high
    if qualifier in {"over", "at_least", "lower_bound_share"}:
        return value, math.inf
    if qualifier == "under":
        return -math.inf, hi
    return value, hi


def _obs_interval(obs: Observation) -> tuple[float, float, float | None]:
    """The values an observation allows, and the truncation step when its bound was read as one.

    A source's ``over v`` (超/逾/突破/over/more than) is read as truncated at its last printed
    digit: ``[v, v + step]`` (``over 680`` billion → 680–690 billion); see the module docstring.
    """
    q = obs.qualifier or "exact"
    if q == "over":
        step = truncation_step(obs.printed_value, obs.printed_unit)
        if step is not None:
            return obs.value, obs.value + step, step
    lo, hi = _interval(obs.value, None, q)
    return lo, hi, None


@dataclass(frozen=True)
class _Link:
    """One claim–observation comparison to make: a corroborations.csv row or an automatic match."""

    id: str
    claim_id: str
    observation_id: str
    comparison: str
    tolerance: float
    declared_status: str
    note: str
    origin: str  # "corroborations.csv" or "claim_series.csv"
    rule: str
    rule_zh: str = ""
    rule_en: str = ""
    reason_zh: str = ""  # why an automatic match became scope_differs
    reason_en: str = ""


#: a comparison of the paper with itself: agreeing is consistency, disagreeing an inconsistency
_RECOUNT_STATUS = {"corroborated": "consistent", "consistent": "consistent", "conflicts": "inconsistent"}


def _check_class(obs: Observation | None, ev: Evidence) -> str:
    """``recount`` when the observation's source is the paper itself, else ``independent``."""
    if obs is None:
        return "independent"
    src = ev.get(obs.source_id)
    return "recount" if getattr(src, "kind", "") == "paper" else "independent"


def _compare_equal(claim: Claim, obs: Observation, tol: float) -> tuple[str, str]:
    """Status of an ``equal`` comparison and a key for the wording (``plain`` or ``vague_top``)."""
    o_lo, o_hi, _ = _obs_interval(obs)
    if claim.unit == "rank" and math.isnan(claim.value):
        # a vague top (前列, 领先): only an observed first place decides it
        return ("corroborated" if o_hi <= 1 else "unverified"), "vague_top"
    c_lo, c_hi = _interval(claim.value, claim.value_high, claim.qualifier)
    if math.isfinite(c_lo):
        c_lo -= tol * abs(c_lo)
    if math.isfinite(c_hi):
        c_hi += tol * abs(c_hi)
    if c_lo <= o_lo and o_hi <= c_hi:
        return "corroborated", "plain"  # the observation pins the value inside what the paper says
    if o_lo <= c_hi and c_lo <= o_hi:
        return "consistent", "plain"  # the observation is a bound that does not contradict the paper
    return "conflicts", "plain"


def _check_link(k: _Link, claim: Claim, ev: Evidence) -> dict[str, Any]:
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
    ref_zh = f"{k.id}，{k.rule_zh}" if k.rule_zh else k.id
    ref_en = f"{k.id}, {k.rule_en}" if k.rule_en else k.id
    tol = k.tolerance
    cls = _check_class(obs, ev)
    if k.comparison in {"equal", "majority"} and obs is not None:
        o_lo, o_hi, step = _obs_interval(obs)
        o_zh, o_en = format_quantity(observed, obs.unit, lang="zh"), format_quantity(observed, obs.unit, lang="en")
        oq_zh = label("qualifier", obs.qualifier or "exact", "zh")
        oq_en = label("qualifier", obs.qualifier or "exact", "en")
        o_zh, o_en = f"{oq_zh}{o_zh}", (f"{oq_en} {o_en}" if oq_en else o_en)
        if step is not None:
            hi_zh, hi_en = format_quantity(o_hi, obs.unit, lang="zh"), format_quantity(o_hi, obs.unit, lang="en")
            lo_zh, lo_en = format_quantity(o_lo, obs.unit, lang="zh"), format_quantity(o_lo, obs.unit, lang="en")
            o_zh += f"（按末位截断读作 {lo_zh}–{hi_zh}）"
            o_en += f" (read as {lo_en}–{hi_en}, truncated at the last printed digit)"
        c_zh = qualified_quantity(claimed, claim.unit, claim.qualifier, lang="zh")
        c_en = qualified_quantity(claimed, claim.unit, claim.qualifier, lang="en")
        if k.comparison == "majority":
            status = "corroborated" if o_lo > 0.5 else "unverified"
            if status == "corroborated":
                zh = f"{zh_src}：{obs.period} 占 {o_zh}，过半即居第一，与原文“{claim.printed}”一致（{ref_zh}）{note}"
                en = (f"corroborated by {en_src}: {obs.period} share {o_en} is a majority, so first place, as the "
                      f"paper's '{claim.printed}' says ({ref_en}){note_en}")
            else:
                zh = f"{zh_src}：{obs.period} 占 {o_zh}，未过半，不能判断是否第一（{ref_zh}）{note}"
                en = (f"{en_src}: {obs.period} share {o_en} is not a majority, so it does not decide first place "
                      f"({ref_en}){note_en}")
        else:
            status, how = _compare_equal(claim, obs, tol)
            if how == "vague_top" and status == "unverified":
                zh = f"{zh_src}：{obs.period} 为 {o_zh}；原文“{claim.printed}”未给名次，无法据此判定（{ref_zh}）{note}"
                en = (f"{en_src}: {obs.period} = {o_en}; the paper's '{claim.printed}' states no rank, so this does "
                      f"not decide it ({ref_en}){note_en}")
            elif status == "corroborated":
                zh = f"与{zh_src}一致：{obs.period} 为 {o_zh}（{ref_zh}）{note}"
                en = f"corroborated by {en_src}: {obs.period} = {o_en} ({ref_en}){note_en}"
            elif status == "consistent":
                zh = f"与{zh_src}不矛盾：{obs.period} {o_zh}，原文 {c_zh}（{ref_zh}）{note}"
                en = f"consistent with {en_src}: {obs.period} {o_en}, printed {c_en} ({ref_en}){note_en}"
            else:
                zh = f"与{zh_src}冲突：{obs.period} 为 {o_zh}，原文 {c_zh}（相差 {_pct(rel)}）（{ref_zh}）{note}"
                en = (f"conflicts with {en_src}: {obs.period} = {o_en} vs printed {c_en} ({_pct(rel)}) "
                      f"({ref_en}){note_en}")
        if cls == "recount" and status in {"corroborated", "consistent", "conflicts"}:
            # the paper against a copy of itself: agreement is consistency, disagreement an inconsistency
            status = _RECOUNT_STATUS[status]
            word_zh, word_en = ("不一致", "inconsistent") if status == "inconsistent" else ("一致", "consistent")
            zh = (f"原文自身复数（非独立来源）：{zh_src} {obs.period} 为 {o_zh}，与原文 {c_zh}{word_zh}"
                  f"（{ref_zh}）{note}")
            en = (f"recount of the paper's own text (not independent): {en_src} {obs.period} = {o_en}, {word_en} "
                  f"with the printed {c_en} ({ref_en}){note_en}")
    else:
        status = k.declared_status or "unverified"
        zh_s, en_s = STATUS_LABELS[status]
        if obs is not None:
            o_zh, o_en = format_quantity(observed, obs.unit, lang="zh"), format_quantity(observed, obs.unit, lang="en")
            scope_zh = f"口径不同{k.reason_zh}，" if k.comparison == "scope_differs" else ""
            scope_en = f"different scope{k.reason_en}, " if k.comparison == "scope_differs" else ""
            zh = f"{zh_s}（{scope_zh}{zh_src}：{obs.period} 为 {o_zh}）（{ref_zh}）{note}"
            en = f"{en_s} ({scope_en}{en_src}: {obs.period} = {o_en}) ({ref_en}){note_en}"
        else:
            zh = f"{zh_s}（判断）（{ref_zh}）{note}"
            en = f"{en_s} (declared) ({ref_en}){note_en}"
        if cls == "recount" and status in _RECOUNT_STATUS:
            status = _RECOUNT_STATUS[status]
            zh, en = f"原文自身复数（非独立来源）：{zh}", f"recount of the paper's own text (not independent): {en}"
    return {"id": k.id, "claim_id": k.claim_id, "observation_id": k.observation_id, "source_id": sid,
            "comparison": k.comparison, "claimed": claimed, "observed": observed, "unit": claim.unit,
            "abs_diff": diff, "rel_diff": rel, "tolerance": tol, "status": status,
            "check_class": cls, "origin": k.origin, "rule": k.rule, "detail_zh": zh,
            "detail_en": en, "note": k.note}


def _manual_links(evidence: Evidence) -> list[_Link]:
    return [_Link(k.id, k.claim_id, k.observation_id, k.comparison, k.tolerance, k.declared_status, k.note,
                  "corroborations.csv", f"{k.id}: corroborations.csv (hand-written link)")
            for k in evidence.records.corroborations]


def _figure(obs: Observation) -> tuple[str, str, float, str]:
    return obs.period, obs.unit, round(obs.value, 9), obs.qualifier or "exact"


def _automatic_links(evidence: Evidence, manual: list[_Link]) -> list[_Link]:
    """The matches of ``claim_series.csv``: every observation of the mapped series × geography × period.

    An observation already linked to the claim by hand — the same observation, or the same
    figure (period, unit, value, qualifier) from another file — is skipped: the hand-written
    link wins. An observation two mappings of one claim select is compared once.
    """
    recs = evidence.records
    claims = {c.id: c for c in recs.claims}
    by_key: dict[tuple[str, str, str], list[Observation]] = {}
    for o in recs.observations:
        by_key.setdefault((o.series, o.geography, o.period), []).append(o)
    seen = {(k.claim_id, k.observation_id) for k in manual if k.observation_id}
    figures = {(k.claim_id, *_figure(evidence.get(k.observation_id))) for k in manual if k.observation_id}
    out: list[_Link] = []
    for m in recs.claim_series:
        claim = claims[m.claim_id]
        for obs in by_key.get((m.series, m.geography, m.period), []):
            if (claim.id, obs.id) in seen or (claim.id, *_figure(obs)) in figures:
                continue
            seen.add((claim.id, obs.id))
            comparison, reason_zh, reason_en = m.comparison, "", ""
            if comparison == "equal" and obs.unit != claim.unit:
                comparison = "scope_differs"
                reason_zh, reason_en = f"：单位不同（{obs.unit} 与 {claim.unit}）", f": unit {obs.unit} vs {claim.unit}"
            elif comparison == "majority" and obs.unit != "share":
                comparison = "scope_differs"
                reason_zh, reason_en = f"：不是份额（{obs.unit}）", f": not a share ({obs.unit})"
            rule = f"{m.id}: claim_series.csv — {m.series} × {m.geography} × {m.period} ({m.comparison})"
            out.append(_Link(
                f"{m.id}:{obs.id}", claim.id, obs.id, comparison, m.tolerance,
                m.declared_status if comparison == "scope_differs" else "", m.note, "claim_series.csv", rule,
                rule_zh=f"按 {m.id} 自动匹配：序列 {m.series} × {m.geography} × {m.period}",
                rule_en=f"matched by {m.id}: series {m.series} × {m.geography} × {m.period}",
                reason_zh=reason_zh, reason_en=reason_en))
    return out


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
    >>> list(result.summary().columns)[:4]
    ['status', 'label_zh', 'label_en', 'n']
    >>> int(result.summary()["n"].sum()) == len(result.claims)
    True
    >>> result.status_of("C085")  # 2018 trade 7 266 亿元 vs Xinhua's "over 680 billion" (automatic match)
    'conflicts'
    """
    recs = evidence.records
    claims = {c.id: c for c in recs.claims}
    values = {c.id: c.value for c in recs.claims}
    der_rows = [_check_derivation(d, claims[d.claim_id], values) for d in recs.derivations]
    manual = _manual_links(evidence)
    links = manual + _automatic_links(evidence, manual)
    cor_rows = [_check_link(k, claims[k.claim_id], evidence) for k in links]
    checks: dict[str, list[dict[str, Any]]] = {c: [] for c in claims}
    for r in der_rows + cor_rows:
        checks[r["claim_id"]].append(r)
    rank = {s: i for i, s in enumerate(STATUSES)}
    strength = {c: i for i, c in enumerate(CHECK_CLASSES)}
    rows = []
    for c in recs.claims:
        mine = sorted(checks[c.id], key=lambda r: (rank[r["status"]], strength[r["check_class"]], r["id"]))
        if mine:
            status, basis = mine[0]["status"], mine[0]["check_class"]
            zh = "；".join(r["detail_zh"] for r in mine)
            en = "; ".join(r["detail_en"] for r in mine)
        else:
            status, basis = "unverified", "none"
            if c.kind == "superlative":
                zh = "排名或最高级表述，无独立来源核对"
                en = "ranking or superlative statement; no independent source checks it"
            else:
                zh = "无独立来源或算术核对"
                en = "no independent source or arithmetic check"
        n = {k: sum(r["check_class"] == k for r in mine) for k in CHECK_CLASSES}
        rows.append({
            "claim_id": c.id, "section": c.section, "channel": c.channel, "geography": c.geography,
            "measure_zh": c.measure_zh, "measure_en": c.measure_en, "printed": c.printed, "qualifier": c.qualifier,
            "value": c.value, "unit": c.unit, "period_start": c.period_start, "period_end": c.period_end,
            "kind": c.kind, "status": status, "basis": basis, "n_independent": n["independent"],
            "n_derivation": n["derivation"], "n_recount": n["recount"], "detail_zh": zh, "detail_en": en,
            "checks": ";".join(r["id"] for r in mine), "source_ids": ";".join(c.source_ids), "locator": c.locator,
        })
    return AuditResult(
        claims=pd.DataFrame(rows, columns=_CLAIM_COLUMNS),
        derivations=pd.DataFrame(der_rows, columns=_DERIVATION_COLUMNS),
        corroborations=pd.DataFrame(cor_rows, columns=_CORROBORATION_COLUMNS),
    )
