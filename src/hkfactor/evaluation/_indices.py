"""Stage 2 — the indices, on the engine: normalise → weigh → aggregate, one ``hkfactor.engine.Index``.

The framework becomes ``INDEX → subsystems → groups … → indicators`` and the recipe an engine
recipe: ``normalise`` (pooled over every row) and ``aggregate`` (the engine's ``amean``,
``gmean`` with a floor, ``topsis`` or ``grey``). Weights come from the registry methods of
:mod:`hkfactor.methods` computed within each subsystem over all its indicators — the
literature's recipe — and enter the engine as a named weight set; a group's weight is the sum
of its indicators' weights, so for the arithmetic and geometric means a subsystem's score is
the same whether it is aggregated through its groups or straight from its indicators.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from hkfactor.engine import Element, Framework, Index, Recipe, Step
from hkfactor.errors import InputError
from hkfactor.evaluation._framework import EvalFramework, Group
from hkfactor.evaluation._prepare import Prepared
from hkfactor.evaluation._recipe import EvaluationRecipe
from hkfactor.messages import Message, register

__all__ = ["ROOT", "Indices", "build_indices", "engine_recipe"]

ROOT = "INDEX"

register({
    "weights.fallback": ("{method} weights are undefined for the subsystem '{name}' on these data (columns "
                         "perfectly correlated or constant); equal weights used instead.",
                         "子系统“{name}”的{method}权重在此数据上无定义（指标完全相关或无变化），改用等权。"),
    "method.recipe": ("Method: {normalisation} normalisation pooled over all rows, {weighting} weights within each "
                      "subsystem, {aggregation} aggregation (hkfactor.engine).",
                      "方法：{normalisation}（所有行合并标准化），子系统内{weighting}赋权，{aggregation}聚合（hkfactor.engine）。"),
    "method.geometric": (
        "Geometric mean: min–max and rank normalisation both give zeros, and a zero annihilates a geometric mean; "
        "so the normalised values are mapped linearly onto [{floor}, 1] (z′ = {floor} + {rest}·z) before "
        "aggregating — nothing clipped; weights are computed on the values in [0, 1].",
        "几何平均：极差与秩标准化都会产生0，而0会使几何平均整体为0；因此聚合前把标准化值线性映射到 [{floor}, 1]"
        "（z′ = {floor} + {rest}·z），不截断；权重仍按 [0, 1] 上的标准化值计算。"),
    "method.tree_aggregation": (
        "{aggregation}: each group's score is computed from its children (indicators, or the scores of its "
        "sub-groups weighted by the sums of their indicators' weights).",
        "{aggregation}：每个分组的得分由其下一层（指标，或子分组得分，权重为其指标权重之和）计算。"),
})

_NAMES = {
    "minmax": {"en": "min–max", "zh": "极差标准化"}, "rank": {"en": "percentile rank", "zh": "百分位秩标准化"},
    "entropy": {"en": "entropy", "zh": "熵权法"}, "critic": {"en": "CRITIC", "zh": "CRITIC法"},
    "equal": {"en": "equal", "zh": "等权"}, "manual": {"en": "manual (framework)", "zh": "框架给定"},
    "arithmetic": {"en": "weighted arithmetic mean", "zh": "加权算术平均"},
    "geometric": {"en": "weighted geometric mean", "zh": "加权几何平均"},
    "topsis": {"en": "TOPSIS closeness", "zh": "TOPSIS 贴近度"},
    "grey": {"en": "grey relational grade to the ideal", "zh": "与理想解的灰色关联度"},
}


def method_name(key: str) -> dict[str, str]:
    """``{"en": …, "zh": …}`` label of a recipe choice."""
    return _NAMES.get(key, {"en": key, "zh": key})


@dataclass(frozen=True)
class Indices:
    """The indices of one run.

    Attributes
    ----------
    index : hkfactor.engine.Index
        The built engine index (stage tables ``Raw``, ``Normalised``, ``Aggregated``).
    normalised : DataFrame
        Rows × used series, in [0, 1], as the weights see them.
    weights : DataFrame
        One row per used indicator: ``series``, ``subsystem``, ``group`` (top group),
        ``weight`` (within its subsystem, sums to 1), ``group_weight`` (within its top group)
        and the method's intermediate quantities (entropy ``e, d``; CRITIC ``sd, conflict, C``).
    scores : DataFrame
        Rows × every group and subsystem code (and ``INDEX``): the aggregated scores in [0, 1].
    topsis : DataFrame
        TOPSIS aggregation only: per subsystem and row, ``d_plus``, ``d_minus``, ``closeness``.
    decisions : tuple of Message
    """

    index: Index
    normalised: pd.DataFrame
    weights: pd.DataFrame
    scores: pd.DataFrame
    topsis: pd.DataFrame
    decisions: tuple[Message, ...]

    def subsystem_scores(self, framework: EvalFramework) -> pd.DataFrame:
        """Rows × subsystem ids."""
        return self.scores[[s.id for s in framework.subsystems]]


def engine_recipe(r: EvaluationRecipe, weight_set: str = "evaluation", *,
                  unfloored: Sequence[str] = ()) -> Recipe:
    """The engine recipe of an evaluation recipe: normalise (pooled) and aggregate with a weight set.

    The geometric mean maps values onto ``[geo_floor, 1]`` where it combines indicators; the
    aggregates in ``unfloored`` (those whose children are all aggregates, already in
    ``[geo_floor, 1]``) combine their children as they are, so that a subsystem's geometric
    score is the same whether it is aggregated through its groups or straight from its
    indicators.
    """
    norm = Step("normalise", "minmax", {"l_u": [0.0, 1.0]}) if r.normalisation == "minmax" else Step(
        "normalise", "prank", {})
    agg = {
        "arithmetic": Step("aggregate", "amean", {"weights": weight_set}),
        "geometric": Step("aggregate", "gmean", {"weights": weight_set, "floor": r.geo_floor},
                          by={code: {"params": {"floor": 0.0}} for code in unfloored}),
        "topsis": Step("aggregate", "topsis", {"weights": weight_set, "normalisation": "vector"}),
        "grey": Step("aggregate", "grey", {"weights": weight_set, "rho": r.rho}),
    }[r.aggregation]
    return Recipe([norm, agg])


def _pruned(g: Group, used: set[str]) -> Group | None:
    inds = tuple(i for i in g.indicators if i.series in used)
    kids = tuple(k for k in (_pruned(c, used) for c in g.groups) if k is not None)
    if not inds and not kids:
        return None
    return Group(g.id, g.name_zh, g.name_en, inds, kids, g.section, g.weight, g.role)


def _elements(fw: EvalFramework, used: set[str], r: EvaluationRecipe) -> list[Element]:
    subs = [s for s in (_pruned(s, used) for s in fw.subsystems) if s is not None]
    n = len(subs)
    if n == 2:
        sub_w = [r.alpha, 1.0 - r.alpha]
    else:
        sub_w = [1.0] * n
    els = [Element(ROOT, None, name=fw.name_en)]
    dirs = {ind.series: ind.direction for _s, _g, ind in fw.indicators()}

    def add(g: Group, parent: str, w: float) -> None:
        els.append(Element(g.id, parent, name=g.name_en, weight=w))
        for ind in g.indicators:
            els.append(Element(ind.series, g.id, name=ind.name_en, direction=dirs[ind.series], weight=1.0))
        for c in g.groups:
            add(c, g.id, 1.0)

    for s, w in zip(subs, sub_w, strict=True):
        add(s, ROOT, max(w, 1e-12))
    return els


def _rows_frame(values: pd.DataFrame, shape: str) -> pd.DataFrame:
    if shape == "panel":
        units = values.index.get_level_values("unit").astype(str)
        years = values.index.get_level_values("year").astype(int)
        return pd.DataFrame({"uCode": units, "year": years})
    return pd.DataFrame({"uCode": [str(k) for k in values.index]})


def _weights(z: np.ndarray, method: str, r: EvaluationRecipe, manual: np.ndarray) -> tuple[np.ndarray, pd.DataFrame]:
    from hkfactor.methods import critic_weights, entropy_weights

    m = z.shape[1]
    if m == 1:
        return np.ones(1), pd.DataFrame(index=range(1))
    if method == "equal":
        return np.full(m, 1.0 / m), pd.DataFrame(index=range(m))
    if method == "manual":
        return manual / manual.sum(), pd.DataFrame(index=range(m))
    if method == "entropy":
        t = entropy_weights(z, variant="shifted_minmax", shift=r.entropy_shift, details=True)
        return t["w"].to_numpy(dtype=float), t[["e", "d"]].reset_index(drop=True)
    t = critic_weights(z, details=True)
    return t["w"].to_numpy(dtype=float), t[["sd", "conflict", "C"]].reset_index(drop=True)


def _top_group(fw: EvalFramework) -> dict[str, str]:
    out: dict[str, str] = {}
    for s in fw.subsystems:
        out.update({ind.series: s.id for ind in s.indicators})
        for g in s.groups:
            out.update({ind.series: g.id for ind in g.all_indicators()})
    return out


def build_indices(prepared: Prepared, fw: EvalFramework, r: EvaluationRecipe, *,
                  used: Sequence[str] | None = None) -> Indices:
    """Normalise, weigh and aggregate ``prepared`` on the engine (``used`` overrides the indicators)."""
    cols = list(used if used is not None else prepared.used)
    use = set(cols)
    values = prepared.values[cols]
    els = _elements(fw, use, r)
    engine_fw = Framework(els)
    data = _rows_frame(values, prepared.shape)
    data = pd.concat([data, values.reset_index(drop=True)], axis=1)
    time = "year" if prepared.shape == "panel" else None
    idx = Index(engine_fw, data, Recipe([engine_recipe(r).get("normalise")]), time=time, file="evaluation",
                build=True)  # type: ignore[list-item]
    z_all = idx.stage_arrays("Normalised").values
    order = list(engine_fw.indicators)
    zdf = pd.DataFrame(z_all, columns=order, index=values.index)[cols]
    sub_of = {ind.series: s for s, _g, ind in fw.indicators()}
    top = _top_group(fw)
    spec = {ind.series: ind for _s, _g, ind in fw.indicators()}
    decisions: list[Message] = []
    w: dict[str, float] = {}
    rows: list[pd.DataFrame] = []
    for sub in fw.subsystems:
        scols = [c for c in cols if sub_of[c] == sub.id]
        if not scols:
            continue
        manual = np.array([spec[c].weight for c in scols], dtype=float)
        try:
            ws, det = _weights(zdf[scols].to_numpy(), r.weighting, r, manual)
        except InputError:
            ws, det = np.full(len(scols), 1.0 / len(scols)), pd.DataFrame(index=range(len(scols)))
            decisions.append(Message("weights.fallback", sub.id, {
                "method": method_name(r.weighting), "name": {"en": sub.name_en, "zh": sub.name_zh}}))
        w.update(dict(zip(scols, ws.tolist(), strict=True)))
        part = pd.DataFrame({"series": scols, "subsystem": sub.id, "group": [top[c] for c in scols], "weight": ws})
        rows.append(pd.concat([part, det.reset_index(drop=True)], axis=1))
    weights = pd.concat(rows, ignore_index=True)
    gsum = weights.groupby("group")["weight"].transform("sum")
    weights["group_weight"] = np.where(gsum > 0, weights["weight"] / gsum.where(gsum > 0, 1.0), np.nan)
    # group weights: sums of their indicators' weights (any depth)
    wset: dict[str, float] = dict(w)
    for code in engine_fw.aggregates:
        if code == ROOT:
            continue
        desc = [c for c in engine_fw.descendants(code) if c in w]
        wset[code] = max(float(sum(w[c] for c in desc)), 1e-12)
    sub_ids = [s.id for s in fw.subsystems if s.id in engine_fw]
    if len(sub_ids) == 2:
        wset[sub_ids[0]], wset[sub_ids[1]] = max(r.alpha, 1e-12), max(1.0 - r.alpha, 1e-12)
    else:
        wset.update({s: 1.0 for s in sub_ids})
    idx.add_weights("evaluation", wset)
    upper = [code for code in engine_fw.aggregates
             if all(child in engine_fw.aggregates for child in engine_fw.children(code))]
    idx = idx.with_recipe(engine_recipe(r, unfloored=upper))
    agg = idx.stage_arrays("Aggregated")
    scores = pd.DataFrame(agg.values, columns=list(agg.columns), index=values.index)
    scores = scores[[c for c in scores.columns if c not in set(order)]]
    topsis_tab = _topsis_table(idx, wset, values.index) if r.aggregation == "topsis" else pd.DataFrame()
    return Indices(index=idx, normalised=zdf, weights=weights, scores=scores, topsis=topsis_tab,
                   decisions=tuple(decisions))


def _topsis_table(idx: Index, wset: dict[str, float], rows: pd.Index) -> pd.DataFrame:
    """D⁺, D⁻ and closeness of every row at every aggregate, from its children as the engine saw them."""
    from hkfactor.methods import topsis

    fw = idx.framework
    agg = idx.stage_arrays("Aggregated")
    cols = list(agg.columns)
    out = []
    for code in fw.aggregates:
        if code == ROOT:
            continue
        kids = list(fw.children(code))
        x = agg.values[:, [cols.index(k) for k in kids]]
        res = topsis(x, np.array([wset[k] for k in kids]), normalisation="vector")
        out.append(pd.DataFrame({"code": code, "row": [str(k) for k in rows],
                                 "d_plus": np.asarray(res.d_plus), "d_minus": np.asarray(res.d_minus),
                                 "closeness": np.asarray(res.closeness)}))
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame()


def method_decisions(r: EvaluationRecipe) -> list[Message]:
    """The decisions that describe the recipe itself."""
    out = [Message("method.recipe", "recipe", {"normalisation": method_name(r.normalisation),
                                               "weighting": method_name(r.weighting),
                                               "aggregation": method_name(r.aggregation)})]
    if r.aggregation == "geometric" or r.robustness:
        out.append(Message("method.geometric", "geometric", {"floor": f"{r.geo_floor:g}",
                                                             "rest": f"{1 - r.geo_floor:g}"}))
    if r.aggregation in ("topsis", "grey"):
        out.append(Message("method.tree_aggregation", r.aggregation, {"aggregation": method_name(r.aggregation)}))
    return out

