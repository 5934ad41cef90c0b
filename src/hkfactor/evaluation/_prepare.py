"""Stage 1 — what enters the index: span, indicators, filled gaps, qualifiers, coverage.

Thin data are handled openly: indicators, years and groups are dropped or flagged and gaps
filled only as the recipe says, each step recorded as a :class:`~hkfactor.messages.Message`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from hkfactor.errors import InputError, Problem
from hkfactor.evaluation._framework import EvalFramework
from hkfactor.evaluation._recipe import EvaluationRecipe
from hkfactor.evaluation._spec import EvalPanel
from hkfactor.messages import Message, register

__all__ = ["MARK_CARRIED", "MARK_IMPUTED", "MARK_INTERPOLATED", "Prepared", "prepare"]

#: Report marks of filled cells.
MARK_INTERPOLATED = "*"
MARK_CARRIED = "†"
MARK_IMPUTED = "‡"

register({
    "prepare.nothing": ("no values for any indicator of the framework", "框架中的指标没有任何数值"),
    "prepare.not_finite": ("{row}: value {value!r} is not a finite number", "{row}：数值 {value!r} 不是有限数"),
    "prepare.too_little": (
        "no span of 3 or more consecutive years has, in every year, at least {year_cov} of each subsystem's "
        "indicators observed (indicators kept when observed in at least {ind_cov} of the span)",
        "没有任何连续 3 年及以上的时段能让每一年、每个子系统至少 {year_cov} 的指标有观测值（指标须在该时段至少 {ind_cov} 的年份有数据）"),
    "prepare.too_few_units": ("a cross-section needs at least 3 units with data; found {n}",
                              "截面数据至少需要 3 个有数据的单元；实际 {n} 个"),
    "prepare.empty_subsystem": ("no usable indicator in the subsystem {name}", "子系统“{name}”没有可用指标"),
    "drop.few_observations": (
        "{n} indicator(s) dropped: fewer than 2 observations, nothing to normalise — {listed}.",
        "{n} 个指标删除：观测值少于2个，无法标准化 —— {listed}。"),
    "drop.low_coverage": ("{n} indicator(s) dropped: observed in fewer than {cov} of the evaluated rows — {listed}.",
                          "{n} 个指标删除：评价范围内有数据的比例不足{cov} —— {listed}。"),
    "drop.constant": ("Indicator(s) dropped: constant over the evaluated rows, no information — {listed}.",
                      "指标删除：评价范围内取值不变，不含信息 —— {listed}。"),
    "drop.gaps": ("Indicator(s) dropped: gaps and imputation is off — {listed}.",
                  "指标删除：有缺失值且未启用插补 —— {listed}。"),
    "span.chosen": (
        "Evaluated years: {first}–{last} (data span {data_first}–{data_last}); other years are left out. Rule: for "
        "every run of at least 3 consecutive years, the indicators observed in at least {ind_cov} of the run's "
        "years (and not constant in it) are kept; the run qualifies when in every year each subsystem has at least "
        "{year_cov} of those kept indicators observed; of the qualifying runs the one with the most observed cells "
        "wins (ties: more years, then the most recent). Span and indicators are chosen together, so the rule is "
        "circular: a different span would keep different indicators.",
        "评价时段为 {first}–{last} 年（数据年份 {data_first}–{data_last}），其余年份不参与评价。规则：对每一段至少3个连续年份，"
        "先保留在该段内至少{ind_cov}的年份有观测值且取值有变化的指标；若该段每一年、每个子系统都有至少{year_cov}的保留指标有观测值，"
        "该段即合格；合格各段中取观测值最多的一段（同数取年份多、再取较近的）。时段与指标是一同选出的，规则因此带有循环性："
        "换一段年份，保留的指标也会不同。"),
    "break.flagged": ("Indicator {series} has a declared break in {year} ({id}: {description}); values before and "
                      "after are not strictly comparable — flagged, not adjusted.",
                      "指标 {series} 在 {year} 年有已声明的统计口径变化（{id}：{description}），前后数值不完全可比；未作调整，仅标记。"),
    "group.dropped": ("Group '{name}' dropped: no usable indicator.", "“{name}”删除：没有可用指标。"),
    "group.single": ("'{name}' has only 1 usable indicator; its index is that indicator alone — read with care.",
                     "“{name}”仅有1个可用指标，其指数即该指标，解读须谨慎。"),
    "fill.interpolated": (
        "Indicator {series}{unit} missing in {listed}: filled by linear interpolation between the observed years "
        "in brackets, on the series' full history{outside}{bridged}; marked *.",
        "指标 {series}{unit} 在 {listed} 年缺失：按该指标全部观测值在前后两个观测年份之间线性插值（括号内为所用的观测年份）"
        "{outside}{bridged}，表中以 * 标记。"),
    "fill.outside": ("; this uses observations outside the evaluated years ({years})",
                     "；其中用到评价时段以外的观测值（{years} 年）"),
    "fill.bridges_break": ("; the interpolation bridges a declared break ({years}), values on either side are not "
                           "strictly comparable", "；插值跨越了已声明的口径变化（{years} 年），前后数值不完全可比"),
    "fill.carried": (
        "Indicator {series}{unit}: {listed} — a flat carry, not interpolated (the year lies outside the series' "
        "observed range) and the indicator cannot change there; marked †.",
        "指标 {series}{unit}：{listed} —— 这是平推，不是插值（该年份在序列的观测范围之外，无法插值），在该年份上该指标不变化；表中以 † 标记。"),
    "fill.carried_forward": ("{years} carried forward from {source} (its last observation)",
                             "{years} 年沿用 {source} 年（最后一个观测值）的数值"),
    "fill.carried_back": ("{years} carried back from {source} (its first observation)",
                          "{years} 年沿用 {source} 年（第一个观测值）的数值"),
    "fill.imputed": ("Indicator {series}: {n} missing unit(s) ({listed}) filled with the {how} of the other units; "
                     "marked ‡.", "指标 {series}：{n} 个缺失单元（{listed}）以其他单元的{how}填补；表中以 ‡ 标记。"),
    "reason.few_observations": ("only {n} observation(s) (2 needed)", "仅有{n}个观测值（至少需要2个）"),
    "reason.low_coverage": ("observed in only {share} of the evaluated rows", "评价范围内仅{share}有数据"),
    "reason.constant": ("constant over the evaluated rows", "评价范围内取值不变"),
    "reason.gaps": ("has gaps and imputation is off", "有缺失且不插补"),
    "reason.group_dropped": ("its group was dropped", "所在分组被删除"),
    "approximate.used": ("{n} value(s) qualified '{qualifier}' in the source: {meaning} (marked {mark}) — {listed}.",
                         "{n} 个数值在来源中带限定词“{qualifier}”：{meaning}（表中标记 {mark}）—— {listed}。"),
})

_QUAL_MEANING = {
    "about": ({"en": "approximate figure used as a point value", "zh": "约数，按点值使用"}, "≈"),
    "over": ({"en": "lower bound ('over') used as a point value", "zh": "下限（“超过”），按点值使用"}, "≥"),
    "at_least": ({"en": "lower bound ('at least') used as a point value", "zh": "下限（“至少”），按点值使用"}, "≥"),
    "lower_bound_share": ({"en": "lower bound of a share used as a point value", "zh": "份额下限，按点值使用"}, "≥"),
    "under": ({"en": "upper bound ('under') used as a point value", "zh": "上限（“不足”），按点值使用"}, "≤"),
}


@dataclass(frozen=True)
class Prepared:
    """What enters the index.

    Attributes
    ----------
    shape : str
        ``time_series``, ``cross_section`` or ``panel``.
    values : DataFrame
        Rows × used series (filled cells included). Rows: years (time series), units
        (cross-section) or a ``(unit, year)`` MultiIndex (panel).
    filled : DataFrame
        Same shape: ``""`` (observed), ``"interpolated"``, ``"carried"`` or ``"imputed"``.
    qualifier : DataFrame
        Same shape: the source's qualifier of an observed cell (``""`` for a point value).
    used : tuple of str
        The series that enter the index.
    years, units : tuple
        Years kept (``(0,)`` for a cross-section) and units.
    reasons : dict
        Series not used → ``(code, params)`` of the reason.
    groups_used : dict
        Subsystem id → ids of its top groups that keep at least one indicator.
    coverage : DataFrame
        One row per framework series × row: ``status`` (observed / interpolated / carried /
        imputed / missing), grade, source, observation and whether it is in the analysis.
    decisions : tuple of Message
    """

    shape: str
    values: pd.DataFrame
    filled: pd.DataFrame
    qualifier: pd.DataFrame
    used: tuple[str, ...]
    years: tuple[int, ...]
    units: tuple[str, ...]
    all_years: tuple[int, ...]
    reasons: dict[str, tuple[str, dict[str, Any]]]
    observed_counts: dict[str, tuple[int, int]]
    groups_used: dict[str, tuple[str, ...]]
    coverage: pd.DataFrame
    decisions: tuple[Message, ...]


def _years_text(years: list[int]) -> str:
    return ", ".join(str(y) for y in years)


def _row_name(shape: str, key: Any) -> str:
    if shape == "panel":
        return f"{key[0]} {key[1]}"
    return str(key)


def prepare(panel: EvalPanel, framework: EvalFramework, recipe: EvaluationRecipe) -> Prepared:
    """Choose the span and indicators, fill gaps openly, and tabulate coverage.

    Raises
    ------
    InputError
        When too little data is left (no qualifying span, fewer than 3 units, or a subsystem
        without any usable indicator); the problems say what is missing.
    """
    r = recipe
    decisions: list[Message] = list(panel.input_decisions)
    spec = framework.indicators()
    series_all = [ind.series for _s, _g, ind in spec]
    shape = panel.shape
    wide = panel.wide().reindex(columns=series_all)
    if wide.empty or wide.notna().to_numpy().sum() == 0:
        raise InputError([Problem(panel.label, None, None, code="prepare.nothing")], title="nothing to evaluate")
    arr = wide.to_numpy(dtype=float)
    bad = np.argwhere(~np.isnan(arr) & ~np.isfinite(arr))
    if len(bad):
        raise InputError([Problem(panel.label, None, series_all[j], code="prepare.not_finite",
                                  params={"row": _row_name(shape, wide.index[i]), "value": arr[i, j]})
                          for i, j in bad], title="invalid data")
    sub_of = {ind.series: sub for sub, _g, ind in spec}
    observed = wide.notna()
    counts = {s: (int(observed[s].sum()), len(observed)) for s in series_all}
    reasons: dict[str, tuple[str, dict[str, Any]]] = {}

    usable = [s for s in series_all if observed[s].sum() >= 2]
    few = [s for s in series_all if s not in usable]
    for s in few:
        reasons[s] = ("reason.few_observations", {"n": int(observed[s].sum())})
    if few:
        decisions.append(Message("drop.few_observations", ", ".join(few), {
            "n": len(few), "listed": ", ".join(f"{s} ({int(observed[s].sum())})" for s in few)}))

    all_years = tuple(panel.years)
    removed: list[tuple[str, str, float]]
    if shape == "cross_section":
        kept_years: list[int] = list(all_years)
        used, removed = _select_cross_section(wide, observed, usable, r)
        n_units = int(observed[usable].any(axis=1).sum()) if usable else 0
        if n_units < 3:
            raise InputError([Problem(panel.label, None, None, code="prepare.too_few_units", params={"n": n_units})],
                             title="too little data to evaluate")
    else:
        share = observed.groupby(level="year").mean() if shape == "panel" else observed.astype(float)
        kept_years, used, removed = _trim(wide, share, usable, sub_of, r, panel_mode=shape == "panel")
        if len(kept_years) < 3:
            raise InputError([Problem(panel.label, None, None, code="prepare.too_little", params={
                "year_cov": f"{r.min_year_coverage:.0%}", "ind_cov": f"{r.min_indicator_coverage:.0%}"})],
                title="too little data to evaluate")
        if tuple(kept_years) != all_years:
            decisions.append(Message("span.chosen", f"{kept_years[0]}–{kept_years[-1]}", {
                "first": kept_years[0], "last": kept_years[-1], "data_first": all_years[0],
                "data_last": all_years[-1], "ind_cov": f"{r.min_indicator_coverage:.0%}",
                "year_cov": f"{r.min_year_coverage:.0%}"}))
    groups: dict[str, list[str]] = {}
    for kind, subj, sh in removed:
        if kind == "indicator":
            reasons[subj] = ("reason.low_coverage", {"share": f"{sh:.0%}"})
            groups.setdefault(kind, []).append(f"{subj} ({sh:.0%})")
        else:
            reasons[subj] = (f"reason.{kind}", {})
            groups.setdefault(kind, []).append(subj)
    if "indicator" in groups:
        g = groups["indicator"]
        decisions.append(Message("drop.low_coverage", ", ".join(g), {
            "n": len(g), "cov": f"{r.min_indicator_coverage:.0%}", "listed": ", ".join(g)}))
    for kind in ("constant", "gaps"):
        if kind in groups:
            decisions.append(Message(f"drop.{kind}", ", ".join(groups[kind]), {"listed": ", ".join(groups[kind])}))
    if panel.breaks is not None and not panel.breaks.empty and shape != "cross_section":
        for br in panel.breaks.to_dict("records"):
            yb = int(br["year"])
            if br["series"] in used and kept_years[0] < yb <= kept_years[-1]:
                decisions.append(Message("break.flagged", str(br["series"]), {
                    "series": br["series"], "year": yb, "id": br["id"],
                    "description": {"en": br["description_en"], "zh": br["description_zh"]}}))

    groups_used: dict[str, tuple[str, ...]] = {}
    problems: list[Problem] = []
    for sub in framework.subsystems:
        kept = [ind.series for ind in sub.all_indicators() if ind.series in used]
        if not kept:
            problems.append(Problem(panel.label, None, None, code="prepare.empty_subsystem",
                                    params={"name": {"en": sub.name_en, "zh": sub.name_zh}}))
        names: list[str] = []
        for grp in sub.groups:
            n = sum(1 for ind in grp.all_indicators() if ind.series in used)
            label = {"en": grp.name_en, "zh": grp.name_zh}
            if n == 0:
                decisions.append(Message("group.dropped", grp.id, {"name": label}))
                reasons.update({ind.series: ("reason.group_dropped", {}) for ind in grp.all_indicators()
                                if ind.series not in reasons})
            else:
                names.append(grp.id)
                if n == 1:
                    decisions.append(Message("group.single", grp.id, {"name": label}))
        groups_used[sub.id] = tuple(names)
    if problems:
        raise InputError(problems, title="too little data to evaluate")

    if shape == "cross_section":
        values, filled = _impute_units(wide, used, r, decisions)
    else:
        values, filled = _fill_years(wide, used, kept_years, shape, panel, decisions)
    qualifier = _qualifiers(panel, used, values.index, shape)
    decisions += _approximate_decisions(qualifier, shape)
    coverage = _coverage(panel, framework, wide, kept_years, used, filled, shape)
    return Prepared(
        shape=shape, values=values, filled=filled, qualifier=qualifier, used=tuple(used),
        years=tuple(kept_years), units=tuple(panel.units), all_years=all_years, reasons=reasons,
        observed_counts=counts, groups_used=groups_used, coverage=coverage, decisions=tuple(decisions),
    )


def _select(x: np.ndarray, o: np.ndarray, is_sub: list[np.ndarray], r: EvaluationRecipe,
            ) -> tuple[np.ndarray, np.ndarray, bool]:
    """For one span (rows of ``x``/``o``, ``o`` observed shares in [0, 1]): kept mask, reason codes, qualifies.

    Reason codes per indicator: 0 kept, 1 low coverage, 2 constant, 3 gaps without imputation.
    """
    share = o.mean(axis=0)
    nobs = (o > 0).sum(axis=0)
    with np.errstate(all="ignore"):
        hi = np.where(~np.isnan(x), x, -np.inf).max(axis=0)
        lo = np.where(~np.isnan(x), x, np.inf).min(axis=0)
    reason = np.zeros(x.shape[1], dtype=int)
    reason[share < r.min_indicator_coverage] = 1
    reason[(reason == 0) & ((nobs < 2) | (hi - lo <= 0))] = 2
    if r.impute == "none":
        reason[(reason == 0) & (share < 1.0)] = 3
    keep = reason == 0
    ok = True
    for mask in is_sub:
        sel = keep & mask
        if not sel.any() or bool((o[:, sel].mean(axis=1) < r.min_year_coverage).any()):
            ok = False
    return keep, reason, ok


def _trim(wide: pd.DataFrame, share: pd.DataFrame, usable: list[str], sub_of: dict[str, str],
          r: EvaluationRecipe, *, panel_mode: bool) -> tuple[list[int], list[str], list[tuple[str, str, float]]]:
    """Choose the span of consecutive years and the indicators the evaluation uses.

    For every span of at least 3 consecutive years, an indicator is kept when it is observed
    in at least ``min_indicator_coverage`` of the span's years (panel: unit-years) and varies
    within the span; the span qualifies when, in every year, each subsystem has at least
    ``min_year_coverage`` of its kept indicators observed. The qualifying span with the most
    observed cells wins (ties: more years, then the most recent).
    """
    if not usable:
        return [], [], []
    years_all = np.array([int(y) for y in share.index])
    o = share[usable].to_numpy(dtype=float)
    if panel_mode:
        # the values of a span: every unit's rows for those years (constant checks over all of them)
        yv = wide.index.get_level_values("year").to_numpy()
        xw = wide[usable].to_numpy(dtype=float)
    else:
        yv = years_all
        xw = wide[usable].to_numpy(dtype=float)
    subs = sorted(set(sub_of[s] for s in usable) | set(sub_of.values()))
    is_sub = [np.array([sub_of[s] == sb for s in usable]) for sb in subs]
    best: tuple[tuple[float, int, int], int, int] | None = None
    n = len(years_all)
    for a in range(n):
        for b in range(a + 2, n):
            if years_all[b] - years_all[a] != b - a:
                break  # a year without any data breaks the run of consecutive years
            sel = (yv >= years_all[a]) & (yv <= years_all[b])
            keep, _reason, ok = _select(xw[sel], o[a:b + 1], is_sub, r)
            if not ok:
                continue
            score = (float(o[a:b + 1][:, keep].sum()), b - a + 1, int(years_all[b]))
            if best is None or score > best[0]:
                best = (score, a, b)
    if best is None:
        return [], [], []
    _score, a, b = best
    sel = (yv >= years_all[a]) & (yv <= years_all[b])
    keep, reason, _ok = _select(xw[sel], o[a:b + 1], is_sub, r)
    sh = o[a:b + 1].mean(axis=0)
    kinds = {1: "indicator", 2: "constant", 3: "gaps"}
    removed = [(kinds[int(reason[j])], s, float(sh[j]) if reason[j] == 1 else float("nan"))
               for j, s in enumerate(usable) if reason[j]]
    return [int(y) for y in years_all[a:b + 1]], [s for j, s in enumerate(usable) if keep[j]], removed


def _select_cross_section(wide: pd.DataFrame, observed: pd.DataFrame, usable: list[str], r: EvaluationRecipe,
                          ) -> tuple[list[str], list[tuple[str, str, float]]]:
    x = wide[usable].to_numpy(dtype=float)
    o = observed[usable].to_numpy(dtype=float)
    share = o.mean(axis=0)
    with np.errstate(all="ignore"):
        hi = np.nanmax(x, axis=0)
        lo = np.nanmin(x, axis=0)
    used, removed = [], []
    for j, s in enumerate(usable):
        if share[j] < r.min_indicator_coverage:
            removed.append(("indicator", s, float(share[j])))
        elif not hi[j] > lo[j]:
            removed.append(("constant", s, float("nan")))
        elif r.impute == "none" and share[j] < 1.0:
            removed.append(("gaps", s, float("nan")))
        else:
            used.append(s)
    return used, removed


def _impute_units(wide: pd.DataFrame, used: list[str], r: EvaluationRecipe, decisions: list[Message],
                  ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cross-section: fill a missing unit with the mean (or median) of the other units, flagged."""
    values = wide[used].astype(float).copy()
    filled = pd.DataFrame("", index=values.index, columns=used)
    how = "median" if r.impute == "median" else "mean"
    for s in used:
        miss = values[s].isna()
        if miss.any():
            fill = values[s].median() if how == "median" else values[s].mean()
            values.loc[miss, s] = fill
            filled.loc[miss, s] = "imputed"
            listed = [str(u) for u in values.index[miss]]
            decisions.append(Message("fill.imputed", s, {
                "series": s, "n": len(listed), "listed": ", ".join(listed),
                "how": {"en": how, "zh": "中位数" if how == "median" else "均值"}}))
    return values, filled


def _fill_series(full: pd.DataFrame, kept: list[int]) -> tuple[pd.DataFrame, pd.DataFrame,
                                                               dict[tuple[str, int], tuple[int, ...]]]:
    """Fill one unit's years × series gaps inside the kept years (interpolate, else carry)."""
    span = full.reindex(kept)
    used = list(full.columns)
    filled = pd.DataFrame("", index=span.index, columns=used)
    info: dict[tuple[str, int], tuple[int, ...]] = {}
    if not span.isna().to_numpy().any():
        return span.copy(), filled, info
    values = full.interpolate(method="index", limit_area="inside").reindex(kept)
    years_full = np.array([int(y) for y in full.index])
    x_full = full.to_numpy(dtype=float)
    x_span = span.to_numpy(dtype=float)
    x_out = values.to_numpy(dtype=float, copy=True)
    labels = filled.to_numpy(dtype=object, copy=True)
    for j, s in enumerate(used):
        obs_years = years_full[~np.isnan(x_full[:, j])]
        if len(obs_years) == 0:
            continue
        for i, y in enumerate(kept):
            if not np.isnan(x_span[i, j]):
                continue
            before, after = obs_years[obs_years < y], obs_years[obs_years > y]
            if len(before) and len(after):
                labels[i, j] = "interpolated"
                info[(s, y)] = (int(before[-1]), int(after[0]))
            else:
                src = int(before[-1]) if len(before) else int(after[0])
                x_out[i, j] = x_full[years_full == src, j][0]
                labels[i, j] = "carried"
                info[(s, y)] = (src,)
    return (pd.DataFrame(x_out, index=span.index, columns=used),
            pd.DataFrame(labels, index=span.index, columns=used), info)


def _fill_years(wide: pd.DataFrame, used: list[str], kept: list[int], shape: str, panel: EvalPanel,
                decisions: list[Message]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Time series and panels: interpolate each unit's series along the years, else carry; flagged."""
    breaks: dict[str, list[int]] = {}
    if panel.breaks is not None and not panel.breaks.empty:
        for ser, yb in zip(panel.breaks["series"].astype(str), panel.breaks["year"], strict=True):
            breaks.setdefault(ser, []).append(int(yb))
    if shape == "time_series":
        v, f, info = _fill_series(wide[used].astype(float), kept)
        v.index.name = f.index.name = "year"
        decisions += _fill_decisions(f, info, kept, breaks, "")
        return v, f
    vs, fs = [], []
    for unit in panel.units:
        full = pd.DataFrame(wide.xs(unit, level="unit")[used]).astype(float)
        v, f, info = _fill_series(full, kept)
        decisions += _fill_decisions(f, info, kept, breaks, unit)
        idx = pd.MultiIndex.from_product([[unit], kept], names=["unit", "year"])
        v.index, f.index = idx, idx
        vs.append(v)
        fs.append(f)
    return pd.concat(vs), pd.concat(fs)


def _fill_decisions(filled: pd.DataFrame, info: dict[tuple[str, int], tuple[int, ...]], kept: list[int],
                    breaks: dict[str, list[int]], unit: str) -> list[Message]:
    """One decision per interpolated series and one per carried series (of one unit)."""
    out: list[Message] = []
    lo, hi = kept[0], kept[-1]
    u = f" ({unit})" if unit else ""
    labels = filled.to_numpy(dtype=object)
    years = [int(y) for y in filled.index]
    for j, s in enumerate(filled.columns):
        col = labels[:, j]
        if not (col != "").any():
            continue
        cells = [(years[i], info[(s, years[i])]) for i in np.flatnonzero(col == "interpolated")]
        if cells:
            outside = sorted({v for _y, ab in cells for v in ab if v < lo or v > hi})
            bridged = sorted({yb for _y, (a, b) in cells for yb in breaks.get(str(s), []) if a < yb <= b})
            out.append(Message("fill.interpolated", f"{s}{u}", {
                "series": s, "unit": u, "listed": ", ".join(f"{y} ({a}–{b})" for y, (a, b) in cells),
                "outside": Message("fill.outside", s, {"years": _years_text(outside)}) if outside else "",
                "bridged": Message("fill.bridges_break", s, {"years": _years_text(bridged)}) if bridged else ""}))
        carried = [(years[i], info[(s, years[i])][0]) for i in np.flatnonzero(col == "carried")]
        if carried:
            parts = []
            fwd = [(y, a) for y, a in carried if a < y]
            back = [(y, a) for y, a in carried if a > y]
            if fwd:
                parts.append(Message("fill.carried_forward", s, {"years": _years_text([y for y, _a in fwd]),
                                                                  "source": fwd[0][1]}))
            if back:
                parts.append(Message("fill.carried_back", s, {"years": _years_text([y for y, _a in back]),
                                                               "source": back[0][1]}))
            out.append(Message("fill.carried", f"{s}{u}", {"series": s, "unit": u, "listed": parts}))
    return out


def _qualifiers(panel: EvalPanel, used: list[str], index: pd.Index, shape: str) -> pd.DataFrame:
    """Rows × used series: the qualifier of each observed cell (``""`` for a point value)."""
    out = pd.DataFrame("", index=index, columns=used)
    cells = panel.cells
    if cells.empty:
        return out
    q = cells["qualifier"].fillna("").astype(str).str.strip().str.lower()
    sel = cells[(q != "") & (q != "exact") & cells["series"].isin(used)]
    for unit, series, year, qual in zip(sel["unit"].astype(str), sel["series"].astype(str), sel["year"].astype(int),
                                        sel["qualifier"].astype(str), strict=True):
        key: Any = int(year) if shape == "time_series" else unit if shape == "cross_section" else (unit, int(year))
        if key in out.index:
            out.at[key, series] = qual.strip().lower()
    return out


def _approximate_decisions(qual: pd.DataFrame, shape: str) -> list[Message]:
    groups: dict[str, list[str]] = {}
    q = qual.to_numpy(dtype=object)
    for j, i in zip(*np.nonzero(q.T != ""), strict=True):  # series by series, as the table reads
        groups.setdefault(str(q[i, j]), []).append(f"{qual.columns[j]} {_row_name(shape, qual.index[i])}")
    out = []
    for qv in sorted(groups):
        meaning, mark = _QUAL_MEANING.get(qv, ({"en": f"qualifier '{qv}' used as a point value",
                                               "zh": f"限定词“{qv}”，按点值使用"}, "~"))
        out.append(Message("approximate.used", qv, {"n": len(groups[qv]), "qualifier": qv, "meaning": meaning,
                                                    "mark": mark, "listed": ", ".join(groups[qv])}))
    return out


def _coverage(panel: EvalPanel, fw: EvalFramework, wide: pd.DataFrame, kept: list[int], used: list[str],
              filled: pd.DataFrame, shape: str) -> pd.DataFrame:
    """One row per framework series × row of the data: status, provenance, whether it is analysed."""
    spec = pd.DataFrame([(ind.series, sub, grp) for sub, grp, ind in fw.indicators()],
                        columns=["series", "subsystem", "group"])
    w = wide.reindex(columns=list(spec["series"]))
    single = panel.units[0] if len(panel.units) == 1 else ""
    if shape == "time_series":
        keys = pd.DataFrame({"unit": single, "year": [int(k) for k in w.index]})
    elif shape == "cross_section":
        keys = pd.DataFrame({"unit": [str(k) for k in w.index], "year": panel.years[0]})
    else:
        keys = pd.DataFrame({"unit": [str(k[0]) for k in w.index], "year": [int(k[1]) for k in w.index]})
    n_rows, n_series = w.shape
    out = pd.DataFrame({
        "unit": np.tile(keys["unit"].to_numpy(dtype=object), n_series),
        "series": np.repeat(spec["series"].to_numpy(dtype=object), n_rows),
        "subsystem": np.repeat(spec["subsystem"].to_numpy(dtype=object), n_rows),
        "group": np.repeat(spec["group"].to_numpy(dtype=object), n_rows),
        "year": np.tile(keys["year"].to_numpy(dtype=int), n_series),
    })
    has = w.notna().to_numpy().T.ravel()
    fill_frame = filled.reindex(index=w.index, columns=list(spec["series"])).astype(object)
    fill = fill_frame.where(fill_frame.notna(), "").to_numpy(dtype=object).T.ravel()
    in_rows = out["year"].isin(kept).to_numpy()
    is_used = out["series"].isin(used).to_numpy()
    status = np.where(has, "observed", np.where(is_used & in_rows & (fill != ""), fill, "missing"))
    prov = panel.cells[["unit", "series", "year", "grade", "source_id", "observation_id"]].astype(
        {"unit": str, "series": str, "year": int})
    out = out.assign(status=status).merge(prov, on=["unit", "series", "year"], how="left")
    for col in ("grade", "source_id", "observation_id"):
        v = out[col].astype(object)
        out[col] = v.where((out["status"] == "observed") & v.notna(), "").astype(str)
    out["in_analysis"] = is_used & in_rows
    return out[["unit", "series", "subsystem", "group", "year", "status", "grade", "source_id", "observation_id",
                "in_analysis"]]
