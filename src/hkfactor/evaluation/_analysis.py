"""Stages 3–5 on the indices: coupling coordination, attribution (trend similarity, obstacle
degree) and robustness (method grid, Monte Carlo, leave-one-out, grey settings).

Every function returns a frozen result whose tables carry the row keys (``unit``/``year``).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from hkfactor import methods as M
from hkfactor.errors import InputError
from hkfactor.evaluation._framework import EvalFramework
from hkfactor.evaluation._indices import Indices, build_indices
from hkfactor.evaluation._prepare import Prepared
from hkfactor.evaluation._recipe import GREY_PREPROCESSINGS, EvaluationRecipe
from hkfactor.messages import Message, register

__all__ = [
    "C_NEAR_ONE",
    "Attribution",
    "Coupling",
    "Obstacles",
    "Robustness",
    "attribute",
    "couple",
    "obstacles",
    "robustness",
    "row_keys",
]

#: C at or above this is "≈ 1" in the coupling caveat.
C_NEAR_ONE = 0.99
#: Above this many indicators the leave-one-out runs (one rebuild each) are skipped, and said so.
LOO_MAX_INDICATORS = 80
GRID_NORMALISATIONS = ("minmax", "rank")
GRID_WEIGHTINGS = ("entropy", "critic", "equal")
GRID_AGGREGATIONS = ("arithmetic", "geometric")

register({
    "caveat.coupling": (
        "The coupling degree C ranges from {c_min} to {c_max}; C ≥ {near} in {k} of {n} rows.{restates} Band names "
        "reflect each row's position among the evaluated rows (pooled normalisation) and are not comparable across "
        "studies. As a robustness check D is also computed with Wang et al. (2021)'s adjusted C (largest "
        "difference {gap}).",
        "耦合度 C 在 {c_min}–{c_max} 之间，{n} 行中有 {k} 行 C ≥ {near}。{restates}协调等级的名称反映的是各行在评价范围内的相对位置"
        "（合并标准化），不能与其他研究的等级相比。作为稳健性检验，另按王淑佳等（2021）修正的耦合度计算 D（两者最大差 {gap}）。"),
    "caveat.c_restates_t": (" C ≈ 1 in most rows, so D restates the average level T.",
                            "C 在大多数行约等于1，所以 D 只是复述平均水平 T。"),
    "caveat.obstacle_single_group": (
        "Subsystem '{name}' has a single group: its group obstacle degree is 1 by construction; the indicator "
        "obstacle degrees are the information.",
        "子系统“{name}”只有一个分组，分组障碍度按定义恒为1；有信息的是指标障碍度。"),
    "method.grey_settings": (
        "Robustness of the trend-similarity grades: preprocessing (mean, min–max, initial value) × ρ ({rhos}), "
        "{n_ok} valid settings; the rank range of each group is reported.{undefined}",
        "趋势相似度（灰色关联度）的稳健性：预处理（均值化、极差化、初值化）× 分辨系数 ρ（{rhos}），共 {n_ok} 种有效设置，"
        "报告各分组排序范围。{undefined}"),
    "method.grey_initial_undefined": (
        " Initial-value preprocessing is undefined on these data (a sequence starts at 0) and is left out.",
        "初值化在此数据上无定义（某序列首值为0，无法相除），未纳入。"),
    "method.grid": ("Method grid: {n} combinations of normalisation × weighting × aggregation{fallbacks}.",
                    "方法组合：标准化 × 赋权 × 聚合，共 {n} 种{fallbacks}。"),
    "method.grid_fallbacks": ("; equal weights where a weighting is undefined: {listed}",
                              "；以下组合的权重无定义而改用等权：{listed}"),
    "method.monte_carlo": (
        "Monte Carlo robustness (hkfactor.robustness): normalisation drawn from min–max or percentile rank, every "
        "indicator weight moved by up to ±{noise}, {n} replications (seed {seed}){failed}.",
        "蒙特卡洛稳健性（hkfactor.robustness）：标准化方法（极差或百分位秩）随机选取，各指标权重上下浮动±{noise}，共 {n} 次"
        "（随机种子 {seed}）{failed}。"),
    "method.monte_carlo_failed": ("; {n} failed and are left out", "，其中 {n} 次失败已剔除"),
    "method.leave_one_out_skipped": (
        "Leave one indicator out skipped: {n} indicators (more than {most}); run it on a smaller framework.",
        "未做逐一剔除指标：指标数 {n} 个（超过 {most} 个）；请在较小的框架上运行。"),
    "method.leave_one_out": (
        "Leave one indicator out ({n} runs): the largest change of the headline is {change} (without {series}, "
        "{row}); {n_changed} of the runs change the order of the groups' trend-similarity grades.",
        "逐一剔除指标（{n} 次）：主要结果的最大变化为 {change}（剔除 {series}，{row}）；{n_changed} 次剔除改变了各分组趋势相似度的排序。"),
})


def row_keys(index: pd.Index, shape: str) -> pd.DataFrame:
    """``unit``/``year`` columns of the rows (time series: year; cross-section: unit; panel: both)."""
    if shape == "time_series":
        return pd.DataFrame({"year": [int(y) for y in index]})
    if shape == "cross_section":
        return pd.DataFrame({"unit": [str(u) for u in index]})
    return pd.DataFrame({"unit": [str(u) for u in index.get_level_values("unit")],
                         "year": [int(y) for y in index.get_level_values("year")]})


def _row_label(index: pd.Index, i: int, shape: str) -> str:
    k = index[i]
    return f"{k[0]} {k[1]}" if shape == "panel" else str(k)


# ----------------------------------------------------------------------------- coupling
@dataclass(frozen=True)
class Coupling:
    """Coupling coordination of the subsystems, row by row (needs two or more subsystems).

    ``table`` columns: the row keys, ``U_<subsystem>`` for each subsystem, ``C``, ``T``,
    ``D``, ``band`` (1–10), ``band_zh``, ``band_en``, ``C_wang2021``, ``D_wang2021``,
    ``n_interpolated``, ``n_carried``, ``n_imputed``, ``n_approximate`` (filled or
    approximate cells among the row's inputs) and, with two subsystems, ``ratio``
    (U₂/U₁, relative development), ``relative_zh``, ``relative_en``.
    """

    table: pd.DataFrame
    subsystems: tuple[str, ...]
    decisions: tuple[Message, ...]


def _bands(d: np.ndarray) -> tuple[list[int], list[str], list[str]]:
    lv, zh, en = [], [], []
    for x in d:
        if not np.isfinite(x):
            lv.append(0)
            zh.append("无数据")
            en.append("no data")
            continue
        z = str(M.coordination_band(float(x), lang="zh"))
        lv.append(next(i for i, b in enumerate(M.COORDINATION_BANDS) if b.zh == z) + 1)
        zh.append(z)
        en.append(str(M.coordination_band(float(x), lang="en")))
    return lv, zh, en


def coupling_weights(n: int, r: EvaluationRecipe) -> list[float]:
    """Weights of the subsystems in T: (α, 1−α) for two, equal for more."""
    return [r.alpha, 1.0 - r.alpha] if n == 2 else [1.0 / n] * n


def _cd(u: np.ndarray, r: EvaluationRecipe, variant: str = "standard") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    res = M.coupling_coordination(u, weights=coupling_weights(u.shape[-1], r), variant=variant)  # type: ignore[arg-type]
    return np.asarray(res.C, dtype=float), np.asarray(res.T, dtype=float), np.asarray(res.D, dtype=float)


def couple(prepared: Prepared, ind: Indices, fw: EvalFramework, r: EvaluationRecipe) -> Coupling | None:
    """C, T, D, bands, Wang (2021) variant and relative development; ``None`` with one subsystem."""
    subs = [s.id for s in fw.subsystems]
    if len(subs) < 2:
        return None
    u = ind.scores[subs].to_numpy(dtype=float)
    c, t, d = _cd(u, r)
    c_w, _t, d_w = _cd(u, r, "wang2021")
    lv, bzh, ben = _bands(d)
    tab = row_keys(ind.scores.index, prepared.shape)
    for j, s in enumerate(subs):
        tab[f"U_{s}"] = u[:, j]
    tab["C"], tab["T"], tab["D"] = c, t, d
    tab["band"], tab["band_zh"], tab["band_en"] = lv, bzh, ben
    tab["C_wang2021"], tab["D_wang2021"] = c_w, d_w
    f = prepared.filled.reindex(ind.scores.index)
    tab["n_interpolated"] = (f == "interpolated").to_numpy().sum(axis=1)
    tab["n_carried"] = (f == "carried").to_numpy().sum(axis=1)
    tab["n_imputed"] = (f == "imputed").to_numpy().sum(axis=1)
    tab["n_approximate"] = (prepared.qualifier.reindex(ind.scores.index) != "").to_numpy().sum(axis=1)
    if len(subs) == 2:
        rz = M.relative_development(u[:, 0], u[:, 1], lang="zh")
        re_ = M.relative_development(u[:, 0], u[:, 1], lang="en")
        tab["ratio"] = np.asarray(rz.ratio, dtype=float)
        tab["relative_zh"] = ["" if v is None else str(v) for v in rz.label]
        tab["relative_en"] = ["" if v is None else str(v) for v in re_.label]
    n, k = len(c), int((c >= C_NEAR_ONE).sum())
    gap = float(np.nanmax(np.abs(d - d_w))) if n else float("nan")
    dec = Message("caveat.coupling", "coupling", {
        "c_min": f"{np.nanmin(c):.3f}", "c_max": f"{np.nanmax(c):.3f}", "near": C_NEAR_ONE, "k": k, "n": n,
        "restates": Message("caveat.c_restates_t", "coupling") if k > n / 2 else "", "gap": f"{gap:.3f}"})
    return Coupling(table=tab, subsystems=tuple(subs), decisions=(dec,))


# ----------------------------------------------------------------------------- attribution
@dataclass(frozen=True)
class Attribution:
    """Trend similarity of each compared group with the reference subsystem (time series only).

    ``grey`` one row per compared group: ``group``, ``subsystem``, ``grade``, ``rank``,
    ``diff_corr`` (correlation of first differences, a detrended check); ``coefficients``
    rows × groups: the grey relational coefficients; ``settings`` one row per
    preprocessing × ρ × group (grade, rank).
    """

    reference: str
    groups: tuple[str, ...]
    grey: pd.DataFrame
    coefficients: pd.DataFrame
    settings: pd.DataFrame
    decisions: tuple[Message, ...]


def compared_groups(prepared: Prepared, fw: EvalFramework) -> list[str]:
    """The groups compared with the reference: the top groups of every other subsystem
    (a subsystem without groups is compared as a whole)."""
    out: list[str] = []
    for s in fw.subsystems:
        if s.id == fw.reference_id:
            continue
        used = prepared.groups_used.get(s.id, ())
        out += list(used) if s.groups else [s.id]
    return out


def _grey(reference: np.ndarray, comp: np.ndarray, rho: float, pre: str) -> M.GreyResult:
    return M.grey_relational(comp, reference, series="columns", preprocessing=pre, rho=rho)  # type: ignore[arg-type]


def grey_grades(reference: np.ndarray, comp: np.ndarray, *, rho: float, preprocessing: str) -> np.ndarray:
    """Grey relational grade of each column of ``comp`` against the ``reference`` sequence."""
    return np.asarray(_grey(reference, comp, rho, preprocessing).grades, dtype=float)


def _diff_corr(x: np.ndarray, y: np.ndarray) -> float:
    dx, dy = np.diff(np.asarray(x, dtype=float)), np.diff(np.asarray(y, dtype=float))
    if len(dx) < 2 or np.std(dx) == 0 or np.std(dy) == 0:
        return float("nan")
    return float(np.corrcoef(dx, dy)[0, 1])


def attribute(prepared: Prepared, ind: Indices, fw: EvalFramework, r: EvaluationRecipe) -> Attribution | None:
    """Grey relational grades (trend similarity) of the compared groups; ``None`` unless a time series
    with two or more subsystems."""
    groups = compared_groups(prepared, fw)
    if prepared.shape != "time_series" or len(fw.subsystems) < 2 or not groups:
        return None
    ref = ind.scores[fw.reference_id].to_numpy(dtype=float)
    comp = ind.scores[groups].to_numpy(dtype=float)
    res = _grey(ref, comp, r.rho, r.grey_preprocessing)
    g = np.asarray(res.grades, dtype=float)
    sub_of = {gid: s for s, grp in fw.groups() for gid in [grp.id]}
    grey = pd.DataFrame({"group": groups, "subsystem": [sub_of.get(x, x) for x in groups], "grade": g})
    grey["rank"] = grey["grade"].rank(ascending=False, method="min").astype(int)
    grey["diff_corr"] = [_diff_corr(ind.scores[x].to_numpy(), ref) for x in groups]
    coef = pd.DataFrame(np.asarray(res.coefficients, dtype=float), columns=groups)
    coef = pd.concat([row_keys(ind.scores.index, prepared.shape), coef], axis=1)
    rows, undefined = [], False
    for pre in GREY_PREPROCESSINGS:
        for rho in r.grey_rhos:
            try:
                gv = grey_grades(ref, comp, rho=rho, preprocessing=pre)
            except InputError:
                gv = np.full(len(groups), np.nan)
                undefined = undefined or pre == "initial"
            rk = pd.Series(gv).rank(ascending=False, method="min")
            rows += [{"preprocessing": pre, "rho": rho, "group": x, "grade": float(a), "rank": b}
                     for x, a, b in zip(groups, gv, rk, strict=True)]
    settings = pd.DataFrame(rows, columns=["preprocessing", "rho", "group", "grade", "rank"])
    n_ok = int(settings.dropna(subset=["grade"]).groupby(["preprocessing", "rho"]).ngroups)
    dec = Message("method.grey_settings", "grey settings", {
        "rhos": ", ".join(f"{x:g}" for x in r.grey_rhos), "n_ok": n_ok,
        "undefined": Message("method.grey_initial_undefined", "grey") if undefined else ""})
    return Attribution(reference=fw.reference_id, groups=tuple(groups), grey=grey, coefficients=coef,
                       settings=settings, decisions=(dec,))


# ----------------------------------------------------------------------------- obstacles
@dataclass(frozen=True)
class Obstacles:
    """Obstacle degree of every indicator and top group, per subsystem and row (rows sum to 1
    within a subsystem).

    ``indicators`` long table: row keys, ``subsystem``, ``series``, ``group``, ``obstacle``;
    ``groups`` long table: row keys, ``subsystem``, ``group``, ``obstacle``.
    """

    indicators: pd.DataFrame
    groups: pd.DataFrame
    decisions: tuple[Message, ...]


def obstacles(prepared: Prepared, ind: Indices, fw: EvalFramework) -> Obstacles:
    """Obstacle degree ``w_j (1 − z_j) / Σ_k w_k (1 − z_k)`` within each subsystem."""
    keys = row_keys(ind.normalised.index, prepared.shape)
    ind_rows, grp_rows, decisions = [], [], []
    for s in fw.subsystems:
        w = ind.weights[ind.weights["subsystem"] == s.id]
        if w.empty:
            continue
        cols = w["series"].tolist()
        res = M.obstacle_degree(ind.normalised[cols].to_numpy(), w["weight"].to_numpy(),
                                groups=w["group"].tolist(), normalise=False)
        deg = np.asarray(res.degrees, dtype=float)
        for j, c in enumerate(cols):
            ind_rows.append(keys.assign(subsystem=s.id, series=c, group=w["group"].iloc[j], obstacle=deg[:, j]))
        by = np.asarray(res.by_group, dtype=float)
        for j, gname in enumerate(res.groups):
            grp_rows.append(keys.assign(subsystem=s.id, group=str(gname), obstacle=by[:, j]))
        if len(res.groups) == 1 and s.groups:
            decisions.append(Message("caveat.obstacle_single_group", s.id, {"name": {"en": s.name_en, "zh": s.name_zh}}))
    return Obstacles(indicators=pd.concat(ind_rows, ignore_index=True), groups=pd.concat(grp_rows, ignore_index=True),
                     decisions=tuple(decisions))


# ----------------------------------------------------------------------------- robustness
@dataclass(frozen=True)
class Robustness:
    """How the results move with the method.

    ``headline`` names the quantity summarised per row: ``"D"`` (two or more subsystems) or
    the single subsystem's id. ``summary``: row keys, the nominal value, ``min``, ``median``,
    ``max`` over the method grid, ``q05``/``median_mc``/``q95`` of the Monte Carlo runs, and
    (cross-sections and panels) the rank range. ``runs``: one row per grid variant × row.
    ``group_ranks``: per compared group, the nominal rank and its range over the grid,
    the grey settings and leave-one-out. ``loo``/``loo_runs``: leave one indicator out.
    """

    headline: str
    summary: pd.DataFrame
    runs: pd.DataFrame
    group_ranks: pd.DataFrame
    loo: pd.DataFrame
    loo_runs: pd.DataFrame
    decisions: tuple[Message, ...]


def headline_of(scores: pd.DataFrame, fw: EvalFramework, r: EvaluationRecipe) -> np.ndarray:
    """The headline per row: D of the subsystems, or the single subsystem's score."""
    subs = [s.id for s in fw.subsystems]
    if len(subs) >= 2:
        return _cd(scores[subs].to_numpy(dtype=float), r)[2]
    return scores[subs[0]].to_numpy(dtype=float)


def _grey_ranks(prepared: Prepared, ind: Indices, fw: EvalFramework, r: EvaluationRecipe,
                groups: list[str]) -> dict[str, int]:
    left = [g for g in groups if g in ind.scores.columns]
    if not left:
        return {}
    gv = grey_grades(ind.scores[fw.reference_id].to_numpy(dtype=float), ind.scores[left].to_numpy(dtype=float),
                     rho=r.rho, preprocessing=r.grey_preprocessing)
    rk = pd.Series(gv).rank(ascending=False, method="min").astype(int).tolist()
    return dict(zip(left, rk, strict=True))


def robustness(prepared: Prepared, ind: Indices, fw: EvalFramework, r: EvaluationRecipe,
               attribution: Attribution | None) -> Robustness | None:
    """Method grid, Monte Carlo, leave-one-out; ``None`` when the recipe switches robustness off."""
    if not r.robustness:
        return None
    decisions: list[Message] = []
    keys = row_keys(ind.scores.index, prepared.shape)
    headline = "D" if len(fw.subsystems) >= 2 else fw.subsystems[0].id
    nominal = headline_of(ind.scores, fw, r)
    groups = list(attribution.groups) if attribution is not None else []
    runs, fallbacks = [], []
    ranks: dict[str, list[int]] = {g: [] for g in groups}
    # the grid always contains the nominal recipe's own choices, so the nominal value lies in its range
    grid = [tuple(dict.fromkeys((*base, nominal_choice))) for base, nominal_choice in (
        (GRID_NORMALISATIONS, r.normalisation), (GRID_WEIGHTINGS, r.weighting), (GRID_AGGREGATIONS, r.aggregation))]
    for norm, wt, agg in itertools.product(*grid):
        rv = r.replace(normalisation=norm, weighting=wt, aggregation=agg)
        res = build_indices(prepared, fw, rv)
        fallbacks += [f"{norm}/{wt}/{agg}" for _d in res.decisions]
        h = headline_of(res.scores, fw, rv)
        run = keys.assign(normalisation=norm, weighting=wt, aggregation=agg, value=h)
        for s in fw.subsystems:
            run[f"U_{s.id}"] = res.scores[s.id].to_numpy()
        runs.append(run)
        if groups:
            for g, k in _grey_ranks(prepared, res, fw, rv, groups).items():
                ranks[g].append(k)
    runs_df = pd.concat(runs, ignore_index=True)
    n_var = len(runs)
    decisions.append(Message("method.grid", "grid", {
        "n": n_var, "fallbacks": Message("method.grid_fallbacks", "grid", {"listed": ", ".join(
            dict.fromkeys(fallbacks))}) if fallbacks else ""}))
    mat = runs_df["value"].to_numpy(dtype=float).reshape(n_var, -1)
    summary = keys.copy()
    summary["nominal"] = nominal
    summary["min"], summary["median"], summary["max"] = mat.min(axis=0), np.median(mat, axis=0), mat.max(axis=0)
    summary["n_variants"] = n_var
    mc = _monte_carlo(ind, fw, r, decisions)
    if mc is not None:
        summary["q05"], summary["median_mc"], summary["q95"] = mc[0], mc[1], mc[2]
    if prepared.shape != "time_series":
        rk = pd.DataFrame(mat).rank(axis=1, ascending=False, method="min").to_numpy()
        summary["rank"] = pd.Series(nominal).rank(ascending=False, method="min").astype(int).to_numpy()
        summary["rank_min"], summary["rank_max"] = rk.min(axis=0).astype(int), rk.max(axis=0).astype(int)
    if len(prepared.used) <= LOO_MAX_INDICATORS:
        loo, loo_runs = _leave_one_out(prepared, ind, fw, r, nominal, groups, decisions)
    else:
        loo = pd.DataFrame(columns=["series", "subsystem", "group", "max_abs_change", "change_row", "ranks",
                                    "rank_changed", "note"])
        loo_runs = pd.DataFrame()
        decisions.append(Message("method.leave_one_out_skipped", "leave one out",
                                 {"n": len(prepared.used), "most": LOO_MAX_INDICATORS}))
    group_ranks = pd.DataFrame(columns=["group", "rank", "rank_min", "rank_max"])
    if attribution is not None:
        gr = attribution.grey[["group", "rank"]].copy()
        gr["rank_min"] = [min(ranks[g]) for g in gr["group"]]
        gr["rank_max"] = [max(ranks[g]) for g in gr["group"]]
        st = attribution.settings.dropna(subset=["rank"]).groupby("group")
        gr["settings_rank_min"] = gr["group"].map(st["rank"].min())
        gr["settings_rank_max"] = gr["group"].map(st["rank"].max())
        gr["settings_grade_min"] = gr["group"].map(st["grade"].min())
        gr["settings_grade_max"] = gr["group"].map(st["grade"].max())
        lr: dict[str, list[int]] = {g: [] for g in groups}
        for ranking in loo["ranks"].astype(str):
            for part in ranking.split():
                name, _s, rank_txt = part.rpartition(":")
                if name in lr:
                    lr[name].append(int(rank_txt))
        gr["loo_rank_min"] = [min(lr[g], default=np.nan) for g in gr["group"]]
        gr["loo_rank_max"] = [max(lr[g], default=np.nan) for g in gr["group"]]
        group_ranks = gr
    return Robustness(headline=headline, summary=summary, runs=runs_df, group_ranks=group_ranks, loo=loo,
                      loo_runs=loo_runs, decisions=tuple(decisions))


def _monte_carlo(ind: Indices, fw: EvalFramework, r: EvaluationRecipe,
                 decisions: list[Message]) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """5 %, 50 % and 95 % quantiles of the headline over ``mc_replications`` runs of the engine index."""
    from hkfactor.robustness import Alternative, UncertainInput, WeightNoise, uncertainty

    spec: list[UncertainInput | WeightNoise] = [
        UncertainInput("normalise", None, (Alternative("minmax", {"l_u": [0.0, 1.0]}), Alternative("prank", {})),
                       name="normalisation"),
        WeightNoise(levels=(1,), factor=r.weight_noise, name="weights"),
    ]
    subs = [s.id for s in fw.subsystems]
    try:
        res = [uncertainty(ind.index, spec, n=r.mc_replications, seed=r.seed, column=s) for s in subs]
    except InputError:
        return None
    u = np.stack([x.scores for x in res], axis=-1)  # replications × rows × subsystems
    ok = np.isfinite(u).all(axis=(1, 2))
    n_failed = int((~ok).sum())
    decisions.append(Message("method.monte_carlo", "monte carlo", {
        "noise": f"{r.weight_noise:.0%}", "n": r.mc_replications, "seed": r.seed,
        "failed": Message("method.monte_carlo_failed", "mc", {"n": n_failed}) if n_failed else ""}))
    if not ok.any():
        return None
    uu = u[ok]
    if len(subs) >= 2:
        flat = uu.reshape(-1, len(subs))
        h = _cd(flat, r)[2].reshape(uu.shape[0], uu.shape[1])
    else:
        h = uu[..., 0]
    q = np.quantile(h, [0.05, 0.5, 0.95], axis=0)
    return q[0], q[1], q[2]


def _leave_one_out(prepared: Prepared, ind: Indices, fw: EvalFramework, r: EvaluationRecipe, nominal: np.ndarray,
                   groups: list[str], decisions: list[Message]) -> tuple[pd.DataFrame, pd.DataFrame]:
    cols = ["series", "subsystem", "group", "max_abs_change", "change_row", "ranks", "rank_changed", "note"]
    keys = row_keys(ind.scores.index, prepared.shape)
    sub_of = dict(zip(ind.weights["series"], ind.weights["subsystem"], strict=True))
    grp_of = dict(zip(ind.weights["series"], ind.weights["group"], strict=True))
    nominal_ranks = _grey_ranks(prepared, ind, fw, r, groups) if groups else {}
    nominal_order = sorted(nominal_ranks, key=lambda g: (nominal_ranks[g], g))
    rows, runs = [], []
    for s in prepared.used:
        left = [c for c in prepared.used if c != s]
        if not any(sub_of[c] == sub_of[s] for c in left):
            rows.append({"series": s, "subsystem": sub_of[s], "group": grp_of[s], "max_abs_change": np.nan,
                         "change_row": "", "ranks": "", "rank_changed": False, "note": "only indicator of its subsystem"})
            continue
        res = build_indices(prepared, fw, r, used=left)
        h = headline_of(res.scores, fw, r)
        runs.append(keys.assign(series=s, value=h))
        diff = np.abs(h - nominal)
        j = int(np.nanargmax(diff))
        rk = _grey_ranks(prepared, res, fw, r, groups) if groups else {}
        order = sorted(rk, key=lambda g: (rk[g], g))
        rows.append({"series": s, "subsystem": sub_of[s], "group": grp_of[s], "max_abs_change": float(diff[j]),
                     "change_row": _row_label(ind.scores.index, j, prepared.shape),
                     "ranks": " ".join(f"{g}:{k}" for g, k in rk.items()),
                     "rank_changed": bool(order != [g for g in nominal_order if g in order]),
                     "note": "" if len(rk) == len(nominal_ranks) else "group dropped"})
    loo = pd.DataFrame(rows, columns=cols)
    loo_runs = pd.concat(runs, ignore_index=True) if runs else pd.DataFrame()
    valid = loo.dropna(subset=["max_abs_change"])
    if not valid.empty:
        top = valid.sort_values(["max_abs_change", "series"], ascending=[False, True]).iloc[0]
        decisions.append(Message("method.leave_one_out", "leave one out", {
            "n": len(loo), "change": f"{top['max_abs_change']:.3f}", "series": top["series"], "row": top["change_row"],
            "n_changed": int(loo["rank_changed"].sum())}))
    return loo, loo_runs
